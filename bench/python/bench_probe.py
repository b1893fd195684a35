#!/usr/bin/python3
"""The probe decode of 100,000 documents: hypervec.probe.Decoder from Python
against the C++ CLI (`hypervec decode`) in one run, with the NumPy peer on a
subset (docs/performance.md, "Probe decode from Python"; issue 14: Python
>= 0.95x the C++ documents/s).

The set is bench/peers/make_synthetic.py's (D = 4096, a 3,000-row packbits
codebook, analogy documents with 3 context atoms = 8 subset queries each, 6 %
sign flips), generated into --data unless it already holds documents.jsonl.

For each thread count and repeat, alternating so that machine load hits both:

  cli      `hypervec decode ... --threads t` as a process: its own "decoded N
           documents in X s" (documents read + decode + JSON Lines formatted,
           the files loaded before the clock starts), and the process's wall
           and CPU time (loading the files and writing the output included).
  python   in this process: load = Memory.load + np.load + Packed.from_packbits
           + probe.read_documents; decode = Decoder(memory, threads=t).decode(
           vectors, contexts as label lists, targets) returning one dict per
           document; of which "dicts" = the GIL-held tail that builds those
           dicts (the longest stall of a thread ticking every 2 ms); columns =
           probe.columns() of the result (per-document NumPy arrays); and
           decode_columns() = the same columns built in C++, no dicts (the two
           calls in alternating order over the repeats).

documents/s = N / median seconds; ratio = Python documents/s / CLI documents/s
(> 1: Python faster); medians of --repeat. The Python answers are checked
against the CLI's output, document by document (probe.cli_record == the CLI's
JSON line), on the whole set, and decode_columns() against probe.columns(
decode()): the mismatch counts must be 0 (exit 1 otherwise). CPU seconds are
the load-robust figure on a shared machine (wall time counts other processes).

With --peer-documents n > 0 the NumPy peer (bench/peers/probe_decoder.py,
per-document loop and --batch 256, OPENBLAS_NUM_THREADS = t, one run each) decodes
the first n documents, as does the CLI; its documents/s is its decode only.

Usage (the module on PYTHONPATH):
  PYTHONPATH=build/py/src/python /usr/bin/python3 bench/python/bench_probe.py \\
      [--data /tmp/probe-100k] [--cli build/py/src/cli/hypervec] [--threads 1 2] \\
      [--repeat 3] [--peer-documents 2000] [--wait-idle 0]
"""

import argparse
import json
import os
import platform
import re
import resource
import statistics
import subprocess
import sys
import threading
import time

import numpy as np

import hypervec as hv
from hypervec import probe

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
PEERS = os.path.join(ROOT, "bench", "peers")
DIM = 4096
CLI_LINE = re.compile(r"decoded (\d+) documents in ([0-9.]+) s")


def machine_busy_seconds():
    """CPU seconds all cores have been busy since boot (/proc/stat)."""
    with open("/proc/stat") as f:
        fields = [int(x) for x in f.readline().split()[1:]]
    return (sum(fields) - fields[3] - fields[4]) / os.sysconf("SC_CLK_TCK")


def wait_for_idle(max_wait, threshold=0.15):
    """Waits (at most max_wait s) until other processes use < threshold cores over 2 s."""
    waited = 0.0
    while waited < max_wait:
        busy = machine_busy_seconds()
        time.sleep(2.0)
        waited += 2.0
        if (machine_busy_seconds() - busy) / 2.0 < threshold:
            break


def find_cli(given):
    if given:
        return given
    for b in ("py", "release", "debug"):
        path = os.path.join(ROOT, "build", b, "src", "cli", "hypervec")
        if os.path.exists(path):
            return path
    sys.exit("bench_probe: no hypervec CLI found; pass --cli")


def files(d):
    return {name: os.path.join(d, name + ext) for name, ext in
            (("codebook", ".npy"), ("labels", ".txt"), ("vectors", ".npy"), ("documents", ".jsonl"))}


def ensure_set(args):
    if not os.path.exists(os.path.join(args.data, "documents.jsonl")):
        subprocess.run([sys.executable, os.path.join(PEERS, "make_synthetic.py"), "--out-dir",
                        args.data, "--dim", str(DIM), "--rows", str(args.rows), "--documents",
                        str(args.documents), "--seed", str(args.seed), "--flip", str(args.flip)],
                       check=True)
    return files(args.data)


def run_cli(cli, f, threads, out):
    """(the CLI's decode seconds, process wall s, process CPU s)."""
    cmd = [cli, "decode", f["vectors"], "--codebook", f["codebook"], "--labels", f["labels"],
           "--dim", str(DIM), "--documents", f["documents"], "-o", out, "--examples", "0",
           "--threads", str(threads)]
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    wall = time.perf_counter()
    done = subprocess.run(cmd, check=True, capture_output=True, text=True)
    wall = time.perf_counter() - wall
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - usage.ru_utime - usage.ru_stime
    m = CLI_LINE.search(done.stdout)
    if not m:
        sys.exit(f"bench_probe: no 'decoded N documents in X s' line in:\n{done.stdout}")
    return float(m.group(2)), wall, cpu


def load_python(f):
    memory = hv.Memory.load(f["codebook"], f["labels"], dim=DIM)
    vectors = hv.Packed.from_packbits(np.load(f["vectors"]), DIM, one="negative")
    return memory, vectors, probe.read_documents(f["documents"])


def gil_held_tail(call):
    """(call's result, wall s, process CPU s, the longest stall of a ticking thread
    during the call: the GIL-held work, here the dicts built after decoding)."""
    stamps, stop = [], threading.Event()

    def tick():
        while not stop.is_set():
            stamps.append(time.perf_counter())
            time.sleep(0.002)

    ticker = threading.Thread(target=tick)
    ticker.start()
    time.sleep(0.01)
    cpu, wall = time.process_time(), time.perf_counter()
    result = call()
    end = time.perf_counter()
    cpu = time.process_time() - cpu
    time.sleep(0.01)
    stop.set()
    ticker.join()
    inside = [s for s in stamps if s >= wall] + [time.perf_counter()]
    stall = max((b - a for a, b in zip(inside, inside[1:]) if a <= end), default=0.0)
    return result, end - wall, cpu, stall


def run_python(f, threads, columns_first):
    """One fresh load and decoder; decode() and decode_columns() in the order asked
    (alternated over repeats: the second call finds the allocator warm)."""
    t = time.perf_counter()
    memory, vectors, docs = load_python(f)
    load = time.perf_counter() - t
    decoder = probe.Decoder(memory, threads=threads)
    times = {"load": load}

    def with_dicts():
        result, times["decode"], times["cpu"], times["dicts"] = gil_held_tail(
            lambda: decoder.decode(vectors, docs["context"], docs["target"]))
        t = time.perf_counter()
        columns = probe.columns(result, k=decoder.k)
        times["columns"] = time.perf_counter() - t
        return result, columns

    def as_columns():
        fast, times["fast"], times["fast_cpu"], times["fast_tail"] = gil_held_tail(
            lambda: decoder.decode_columns(vectors, docs["context"], docs["target"]))
        return fast

    if columns_first:
        fast = as_columns()
        result, columns = with_dicts()
    else:
        result, columns = with_dicts()
        fast = as_columns()
    return result, columns, fast, times


def same_columns(a, b):
    """Whether two probe.columns()-style dicts hold the same arrays (NaN = NaN)."""
    return sorted(a) == sorted(b) and all(
        a[key].shape == b[key].shape and a[key].dtype == b[key].dtype and
        (np.array_equal(a[key], b[key], equal_nan=True) if a[key].dtype == np.float64
         else a[key].tolist() == b[key].tolist()) for key in a)


def mismatches(result, cli_out):
    """Documents whose Python answer is not the CLI's line (and the first few)."""
    bad, first = 0, []
    with open(cli_out, encoding="utf-8") as lines:
        n = 0
        for n, (line, got) in enumerate(zip(lines, result), 1):
            if probe.cli_record(got) != json.loads(line):
                bad += 1
                if len(first) < 3:
                    first.append(got["doc"])
    return bad + abs(len(result) - n), first


def subset(f, n, d):
    """The first n documents of the set, as files in folder d (the peer's input)."""
    os.makedirs(d, exist_ok=True)
    g = files(d)
    np.save(g["vectors"], np.load(f["vectors"])[:n])
    for name in ("codebook", "labels"):
        if not os.path.exists(g[name]):
            os.symlink(f[name], g[name])
    with open(f["documents"], encoding="utf-8") as src, open(g["documents"], "w") as out:
        for _, line in zip(range(n), src):
            out.write(line)
    return g


def run_peer(g, threads, batch, out):
    summary = out + ".summary.json"
    env = dict(os.environ, OPENBLAS_NUM_THREADS=str(threads))
    subprocess.run([sys.executable, os.path.join(PEERS, "probe_decoder.py"), "--codebook",
                    g["codebook"], "--labels", g["labels"], "--dim", str(DIM), "--vectors",
                    g["vectors"], "--documents", g["documents"], "--out", out, "--summary",
                    summary, "--batch", str(batch)], check=True, env=env)
    with open(summary, encoding="utf-8") as s:
        return json.load(s)["seconds"]


def differing_documents(a, b):
    """Documents of decoded files a and b that differ (bench/peers/compare_decodings.py's
    rule: ids, labels, queries, ranks, roles exact, cosine and z within 1e-5)."""
    sys.path.insert(0, PEERS)
    import compare_decodings
    x, y = compare_decodings.read(a), compare_decodings.read(b)
    return abs(len(x) - len(y)) + sum(bool(compare_decodings.differences(p, q)[0])
                                      for p, q in zip(x, y))


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--data", default="/tmp/probe-100k", help="folder of the set (made if absent)")
    p.add_argument("--documents", type=int, default=100000)
    p.add_argument("--rows", type=int, default=3000)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--flip", type=float, default=0.06)
    p.add_argument("--cli", help="the hypervec binary (default: build/{py,release,debug}/src/cli/hypervec)")
    p.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--peer-documents", type=int, default=2000, help="0: skip the NumPy peer")
    p.add_argument("--wait-idle", type=float, default=0.0, metavar="SECONDS",
                   help="before each run wait up to SECONDS for the machine to go idle")
    args = p.parse_args(argv)
    cli = find_cli(args.cli)
    f = ensure_set(args)
    n = int(np.load(f["vectors"], mmap_mode="r").shape[0])
    work = os.path.join(args.data, "bench_probe")
    os.makedirs(work, exist_ok=True)

    rows, failures = [], 0
    for threads in args.threads:
        runs = {key: [] for key in ("cli", "cli_wall", "cli_cpu", "load", "decode", "cpu", "dicts",
                                    "columns", "fast", "fast_cpu", "fast_tail")}
        for r in range(args.repeat):
            if args.wait_idle:
                wait_for_idle(args.wait_idle)
            cli_out = os.path.join(work, f"cli-{threads}.jsonl")
            seconds, wall, cpu = run_cli(cli, f, threads, cli_out)
            runs["cli"].append(seconds), runs["cli_wall"].append(wall), runs["cli_cpu"].append(cpu)
            if args.wait_idle:
                wait_for_idle(args.wait_idle)
            result, columns, fast, t = run_python(f, threads, columns_first=r % 2 == 1)
            for key, value in t.items():
                runs[key].append(value)
            print(f"threads {threads} run {r}: CLI {n / seconds:.0f}/s (wall {wall:.2f} s), "
                  f"Python decode() {n / t['decode']:.0f}/s (dicts {t['dicts']:.2f} s), "
                  f"decode_columns() {n / t['fast']:.0f}/s, load {t['load']:.2f} s, "
                  f"load avg {os.getloadavg()[0]:.2f}", file=sys.stderr)
            if r == 0:
                bad, first = mismatches(result, cli_out)
                bad_columns = 0 if same_columns(fast, columns) else 1
                failures += bad + bad_columns
                print(f"threads {threads}: {bad} of {n} documents differ from the CLI {first}; "
                      f"decode_columns() {'differs from' if bad_columns else 'equals'} "
                      "probe.columns(decode())", file=sys.stderr)
            del result, columns, fast
        med = {key: statistics.median(v) for key, v in runs.items()}
        rows.append((threads, med, runs, bad, bad_columns))

    peer_rows = []
    if args.peer_documents > 0:
        m = min(args.peer_documents, n)
        g = subset(f, m, os.path.join(work, f"subset-{m}"))
        for threads in args.threads:
            cli_out = os.path.join(work, f"subset-cli-{threads}.jsonl")
            cli_seconds, _, _ = run_cli(cli, g, threads, cli_out)
            memory, vectors, docs = load_python(g)
            decoder = probe.Decoder(memory, threads=threads)
            t = time.perf_counter()
            decoder.decode(vectors, docs["context"], docs["target"])
            py_seconds = time.perf_counter() - t
            for batch in (0, 256):
                out = os.path.join(work, f"subset-peer-{threads}-{batch}.jsonl")
                seconds = run_peer(g, threads, batch, out)
                differ = differing_documents(out, cli_out)
                failures += differ
                peer_rows.append((threads, batch, m, seconds, cli_seconds, py_seconds, differ))

    print(f"N = {n} documents, D = {DIM}, M = {args.rows}, 8 subset queries per document; "
          f"hypervec {hv.__version__}, Python {platform.python_version()}, NumPy {np.__version__}; "
          f"CLI {cli}; load average at the end {os.getloadavg()}")
    print()
    def rates(seconds):
        return ", ".join(f"{n / x:,.0f}" for x in seconds)

    print("| threads | CLI documents/s (its line; runs) | Python `decode()` (dicts) | × CLI "
          "| Python `decode_columns()` | × CLI | Python load + `decode()` | × CLI | answers "
          "differing from the CLI | columns differing |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for threads, m, runs, bad, bad_columns in rows:
        cli_rate = n / m["cli"]
        print(f"| {threads} | **{cli_rate:,.0f}** ({rates(runs['cli'])}) "
              f"| **{n / m['decode']:,.0f}** ({rates(runs['decode'])}) "
              f"| **{m['cli'] / m['decode']:.3f}** "
              f"| {n / m['fast']:,.0f} ({rates(runs['fast'])}) | {m['cli'] / m['fast']:.3f} "
              f"| {n / (m['load'] + m['decode']):,.0f} | {m['cli'] / (m['load'] + m['decode']):.3f} "
              f"| {bad} | {bad_columns} |")
    print()
    print("| threads | CLI process wall / CPU s | Python load s | `decode()` wall / CPU s | "
          "of which dicts (GIL held) s | `probe.columns()` s | `decode_columns()` wall / CPU s | "
          "of which columns (GIL held) s | documents per CPU s: CLI process / Python `decode()` |")
    print("|---|---|---|---|---|---|---|---|---|")
    for threads, m, runs, bad, bad_columns in rows:
        print(f"| {threads} | {m['cli_wall']:.2f} / {m['cli_cpu']:.2f} | {m['load']:.2f} "
              f"| {m['decode']:.2f} / {m['cpu']:.2f} | {m['dicts']:.2f} | {m['columns']:.2f} "
              f"| {m['fast']:.2f} / {m['fast_cpu']:.2f} | {m['fast_tail']:.2f} "
              f"| {n / m['cli_cpu']:,.0f} / {n / m['cpu']:,.0f} |")
    if peer_rows:
        print()
        print("| threads | NumPy peer | documents | peer documents/s | CLI documents/s | "
              "Python documents/s | Python × peer | answers differing from the CLI |")
        print("|---|---|---|---|---|---|---|---|")
        for threads, batch, m, seconds, cli_seconds, py_seconds, differ in peer_rows:
            mode = "per-document loop" if batch == 0 else f"--batch {batch}"
            print(f"| {threads} | {mode} | {m:,} | {m / seconds:,.1f} | {m / cli_seconds:,.0f} | "
                  f"{m / py_seconds:,.0f} | {seconds / py_seconds:.1f} | {differ} |")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
