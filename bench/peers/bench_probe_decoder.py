#!/usr/bin/env python3
"""Documents/s of the NumPy probe-decoder peer: per-document loop and
--batch B, at 1 and 2 OpenBLAS threads, on a make_synthetic.py set.

Each configuration runs `--repeat` times as a fresh process (with
OPENBLAS_NUM_THREADS set before numpy loads); the table gives the median
wall-clock documents/s and the median process CPU seconds of the decode
(N / CPU s is the load-robust single-thread figure on a shared machine; with
2 threads it counts both threads, OpenBLAS's spin-waits included). Every
run's decoded output must be byte-identical to the first (the loop and the
batched matmul must agree exactly); the precision is printed. "other
processes" is the CPU the rest of the machine used during each run (from
/proc/stat minus this run's own CPU), in cores: on a shared 2-core machine it
says which runs to trust. --wait-idle S waits (up to S seconds) before each
run until the others use < 0.15 cores.

Usage:
  /usr/bin/python3 bench/peers/bench_probe_decoder.py --data /tmp/probe-syn \
      [--dim 4096 --rows 3000 --documents 2000 --seed 1] [--batch 256] \
      [--threads 1 2] [--repeat 3] [--wait-idle 600]
The set is generated into --data by make_synthetic.py unless it already
holds documents.jsonl.
"""
import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def machine_busy_seconds():
    """CPU seconds all cores have spent busy since boot (/proc/stat, all but
    idle and iowait)."""
    with open("/proc/stat") as f:
        fields = [int(x) for x in f.readline().split()[1:]]
    return (sum(fields) - fields[3] - fields[4]) / os.sysconf("SC_CLK_TCK")


def children_cpu_seconds():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def wait_for_idle(max_wait, threshold=0.15):
    """Waits until other processes use < threshold cores over 2 s, at most
    max_wait seconds; returns the seconds waited."""
    waited = 0.0
    while True:
        busy = machine_busy_seconds()
        time.sleep(2.0)
        waited += 2.0
        if (machine_busy_seconds() - busy) / 2.0 < threshold or waited >= max_wait:
            return waited


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--data", required=True)
    p.add_argument("--dim", type=int, default=4096)
    p.add_argument("--rows", type=int, default=3000)
    p.add_argument("--documents", type=int, default=2000)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--batch", type=int, default=256)
    p.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--wait-idle", type=float, default=0.0, metavar="SECONDS",
                   help="before each run, wait up to SECONDS for other processes to use "
                        "< 0.15 cores (default 0: do not wait)")
    args = p.parse_args(argv)

    if not os.path.exists(os.path.join(args.data, "documents.jsonl")):
        subprocess.run([sys.executable, os.path.join(HERE, "make_synthetic.py"),
                        "--out-dir", args.data, "--dim", str(args.dim), "--rows",
                        str(args.rows), "--documents", str(args.documents), "--seed",
                        str(args.seed)], check=True)
    d = args.data
    reference_output = None
    rows = []
    for threads in args.threads:
        for batch in (0, args.batch):
            runs = []
            for r in range(args.repeat):
                if args.wait_idle > 0:
                    wait_for_idle(args.wait_idle)
                out, summary_path = f"{d}/decoded.jsonl", f"{d}/summary.json"
                env = dict(os.environ, OPENBLAS_NUM_THREADS=str(threads))
                busy, mine, wall = machine_busy_seconds(), children_cpu_seconds(), time.time()
                subprocess.run([sys.executable, os.path.join(HERE, "probe_decoder.py"),
                                "--codebook", f"{d}/codebook.npy", "--labels",
                                f"{d}/labels.txt", "--dim", str(args.dim), "--vectors",
                                f"{d}/vectors.npy", "--documents", f"{d}/documents.jsonl",
                                "--out", out, "--summary", summary_path,
                                "--batch", str(batch)], check=True, env=env)
                wall = time.time() - wall
                other = ((machine_busy_seconds() - busy) - (children_cpu_seconds() - mine)) / wall
                with open(summary_path, encoding="utf-8") as f:
                    runs.append(json.load(f))
                runs[-1]["other_cores"] = max(other, 0.0)
                with open(out, "rb") as f:
                    text = f.read()
                if reference_output is None:
                    reference_output = text
                elif text != reference_output:
                    print(f"ERROR: output of threads={threads} batch={batch} run {r} differs "
                          "from the first run", file=sys.stderr)
                    return 1
                print(f"threads {threads}, batch {batch}, run {r}: "
                      f"{runs[-1]['documents_per_second']:.1f} documents/s, other processes "
                      f"{runs[-1]['other_cores']:.2f} cores", file=sys.stderr)
            s = runs[0]
            rows.append((threads, "per-document loop" if batch == 0 else f"--batch {batch}",
                         statistics.median(x["documents_per_second"] for x in runs),
                         [round(x["documents_per_second"], 1) for x in runs],
                         statistics.median(x["cpu_seconds"] for x in runs),
                         statistics.median(x["seconds"] for x in runs),
                         [round(x["other_cores"], 2) for x in runs],
                         s["precision@1"], s["blas_threads"]))

    s = runs[0]
    print(f"N = {s['documents']} documents, D = {s['dim']}, M = {s['codebook_rows']}, "
          f"{s['queries'] // max(s['documents'], 1)} queries per document; "
          f"precision@1/3/5 = {s['precision@1']}/{s['precision@3']}/{s['precision@5']}, "
          f"abstained {s['abstained']}")
    print(f"BLAS: {s['blas']}")
    print(f"load average at the end: {open('/proc/loadavg').read().split()[:3]}")
    print()
    print("| OpenBLAS threads | mode | documents/s (median wall) | runs | other processes "
          "(cores) | wall s | CPU s | N / CPU s | precision@1 |")
    print("|---|---|---|---|---|---|---|---|---|")
    for threads, mode, dps, each, cpu, wall, other, p1, bt in rows:
        print(f"| {threads} (reported {bt}) | {mode} | {dps:.1f} | {each} | {other} | "
              f"{wall:.2f} | {cpu:.2f} | {s['documents'] / cpu:.1f} | {p1} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
