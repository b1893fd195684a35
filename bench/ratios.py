#!/usr/bin/env python3
"""Speed-up tables from Google Benchmark JSON output of the hypervec benches.

Usage:
  build/x/bench/bipolar_bench --benchmark_format=json > bipolar.json
  python3 bench/ratios.py bipolar.json [bundle.json ...]

Benchmarks named <op>/<target>/<args> (bench/bench_util.hpp) are grouped by
<op>/<args>; each row prints the CPU time per call for every target and the
reference, and the speed-up reference_time / target_time (times only for
ops without a reference). CPU time, not wall time: these benchmarks are
single-threaded, and on a shared machine CPU time is what preemption by
other processes disturbs least. Repetitions
(--benchmark_repetitions) are reduced to their median when present.
Prints Markdown tables, one per op.
"""
import json
import sys
from collections import OrderedDict


def load(paths):
    runs = OrderedDict()
    for path in paths:
        with open(path) as f:
            data = json.load(f)
        for b in data["benchmarks"]:
            if b.get("error_occurred"):
                continue
            name = b.get("run_name", b["name"])
            if b.get("run_type") == "aggregate":
                if b.get("aggregate_name") != "median":
                    continue
            elif any(x.get("run_name", x["name"]) == name and x.get("run_type") == "aggregate"
                     for x in data["benchmarks"]):
                continue  # a single repetition; its median is used instead
            parts = name.split("/")
            if len(parts) < 3 or parts[1][:1].isdigit():
                continue  # not <op>/<target>/<args>: no per-target variants
            op, target, args = parts[0], parts[1], "/".join(parts[2:])
            scale = {"ns": 1.0, "us": 1e3, "ms": 1e6, "s": 1e9}[b.get("time_unit", "ns")]
            runs.setdefault((op, args), OrderedDict())[target] = b["cpu_time"] * scale
    return runs


def fmt_time(ns):
    if ns >= 1e6:
        return f"{ns / 1e6:.2f} ms"
    if ns >= 1e3:
        return f"{ns / 1e3:.2f} µs"
    return f"{ns:.1f} ns"


def main(argv):
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    runs = load(argv[1:])
    by_op = OrderedDict()
    for (op, args), times in runs.items():
        by_op.setdefault(op, []).append((args, times))
    for op, rows in by_op.items():
        targets = [t for t in rows[0][1] if t != "reference"]
        print(f"\n### {op}\n")
        print("| D / args | reference | " + " | ".join(targets) + " |")
        print("|---|---|" + "---|" * len(targets))
        for args, times in rows:
            ref = times.get("reference")
            cells = []
            for t in targets:
                if t not in times:
                    cells.append("–")
                elif ref is None:
                    cells.append(fmt_time(times[t]))
                else:
                    cells.append(f"{fmt_time(times[t])} ({ref / times[t]:.0f}×)")
            ref_cell = fmt_time(ref) if ref is not None else "–"
            print(f"| {args} | {ref_cell} | " + " | ".join(cells) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
