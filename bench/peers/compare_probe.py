#!/usr/bin/env python3
"""hypervec's probe decoder against the NumPy peer, side by side in one run.

Alternates, --rounds times: bench/probe_bench (BM_Decode/packed and
BM_Decode/float_sign on 100,000 documents, one thread; one Google Benchmark
repetition per round) and the NumPy peer probe_decoder.py (per-document loop
and --batch B, OPENBLAS_NUM_THREADS=1, a fresh process each) on a
make_synthetic.py set of --numpy-documents documents (same D, M and
analogy shape; the peer's documents/s does not depend on N, and 100,000
documents would take ~10 minutes per loop run). Both sides see the same
machine load, so the ratios of one run are what counts on a shared machine.
With --cpu C every process is pinned to core C (taskset). Prints the median
documents/s of each side over the rounds (all rounds listed) and the ratios.

Usage:
  /usr/bin/python3 bench/peers/compare_probe.py --bench build/release/bench/probe_bench \\
      [--rounds 5] [--cpu 1] [--numpy-documents 5000] [--batch 256] [--data /tmp/probe-syn-5000]

The NumPy peer's documents/s is the wall-clock figure of its decode loop
(reading files excluded; see probe_decoder.py), hypervec's the benchmark's
real time per call (one decode() call over the whole batch).
"""
import argparse
import json
import os
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
FILTER = "BM_Decode/(packed|float_sign)/docs:100000/threads:1/"


def pinned(cmd, cpu):
    return (["taskset", "-c", str(cpu)] if cpu is not None else []) + cmd


def run_hypervec(bench, cpu):
    """documents/s per benchmark name, one repetition."""
    out = subprocess.run(pinned([bench, f"--benchmark_filter={FILTER}", "--benchmark_repetitions=1",
                                 "--benchmark_format=json"], cpu),
                         check=True, capture_output=True, text=True).stdout
    return {b["name"].split("/docs")[0]: b["items_per_second"]
            for b in json.loads(out)["benchmarks"] if b.get("run_type") == "iteration"}


def run_numpy(data, dim, batch, cpu):
    summary = os.path.join(data, "summary.json")
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1")
    subprocess.run(pinned([sys.executable, os.path.join(HERE, "probe_decoder.py"),
                           "--codebook", f"{data}/codebook.npy", "--labels",
                           f"{data}/labels.txt", "--dim", str(dim), "--vectors",
                           f"{data}/vectors.npy", "--documents", f"{data}/documents.jsonl",
                           "--out", os.devnull, "--summary", summary, "--batch", str(batch)],
                          cpu), check=True, env=env)
    with open(summary, encoding="utf-8") as f:
        return json.load(f)["documents_per_second"]


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--bench", required=True, help="path of probe_bench")
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--cpu", type=int, help="pin every process to this core")
    p.add_argument("--numpy-documents", type=int, default=5000)
    p.add_argument("--batch", type=int, default=256, help="the NumPy peer's batched mode")
    p.add_argument("--data", help="synthetic set directory (default /tmp/probe-syn-<N>)")
    args = p.parse_args(argv)
    dim, rows = 4096, 3000  # probe_bench's sizes
    data = args.data or f"/tmp/probe-syn-{args.numpy_documents}"
    if not os.path.exists(os.path.join(data, "documents.jsonl")):
        subprocess.run([sys.executable, os.path.join(HERE, "make_synthetic.py"), "--out-dir",
                        data, "--dim", str(dim), "--rows", str(rows), "--documents",
                        str(args.numpy_documents), "--seed", "1", "--flip", "0.06"], check=True)
    results = {}
    for r in range(args.rounds):
        for name, v in run_hypervec(args.bench, args.cpu).items():
            results.setdefault(f"hypervec {name}", []).append(v)
        for batch in (0, args.batch):
            key = "NumPy per-document loop" if batch == 0 else f"NumPy --batch {batch}"
            results.setdefault(key, []).append(run_numpy(data, dim, batch, args.cpu))
        print(f"round {r + 1}/{args.rounds}: " +
              ", ".join(f"{k} {v[-1]:.1f}" for k, v in results.items()), file=sys.stderr)
    med = {k: statistics.median(v) for k, v in results.items()}
    loop = med.get("NumPy per-document loop")
    batched = med.get(f"NumPy --batch {args.batch}")
    print(f"| decoder (1 thread) | documents | median documents/s | rounds | "
          f"vs NumPy loop | vs NumPy --batch {args.batch} |")
    print("|---|---:|---:|---|---:|---:|")
    for k, v in results.items():
        n = 100000 if k.startswith("hypervec") else args.numpy_documents
        print(f"| {k} | {n:,} | {med[k]:,.1f} | {', '.join(f'{x:.1f}' for x in v)} | "
              f"{med[k] / loop:.1f}× | {med[k] / batched:.1f}× |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
