#!/usr/bin/env python3
"""Before/after table of one benchmark program built twice (two build dirs).

Usage:
  python3 bench/compare_builds.py BEFORE_BUILD AFTER_BUILD BENCH FILTER [ROUNDS]
e.g.
  python3 bench/compare_builds.py ../old/build build bipolar_bench '/AVX3_DL/4096' 5

Runs BEFORE_BUILD/bench/BENCH and AFTER_BUILD/bench/BENCH alternately
ROUNDS times (default 5) with --benchmark_filter=FILTER, so both see the
same machine load, and prints a Markdown table of the minimum CPU time per
benchmark over the rounds (the least disturbed run on a shared machine) and
after/before (below 1 = faster after). Benchmarks present in only one
build are listed with a dash.
"""
import json
import subprocess
import sys


def run(binary, filt):
    out = subprocess.run(
        [binary, f"--benchmark_filter={filt}", "--benchmark_format=json",
         "--benchmark_min_time=0.2"],
        check=True, capture_output=True, text=True).stdout
    if not out.strip():  # no benchmark matched in this build
        return {}
    return {b["name"]: b["cpu_time"] * {"ns": 1, "us": 1e3, "ms": 1e6, "s": 1e9}[b["time_unit"]]
            for b in json.loads(out)["benchmarks"] if not b.get("error_occurred")}


def main():
    if len(sys.argv) < 5:
        sys.exit(__doc__)
    before_dir, after_dir, bench, filt = sys.argv[1:5]
    rounds = int(sys.argv[5]) if len(sys.argv) > 5 else 5
    best = {"before": {}, "after": {}}
    for _ in range(rounds):
        for side, d in (("before", before_dir), ("after", after_dir)):
            for name, t in run(f"{d}/bench/{bench}", filt).items():
                best[side][name] = min(t, best[side].get(name, float("inf")))
    names = list(best["before"]) + [n for n in best["after"] if n not in best["before"]]
    print(f"| {bench} | before (ns) | after (ns) | after/before |")
    print("|---|---:|---:|---:|")
    for n in names:
        b, a = best["before"].get(n), best["after"].get(n)
        ratio = f"{a / b:.2f}" if a and b else "-"
        print(f"| {n} | {b:.1f} | {a:.1f} | {ratio} |" if a and b else
              f"| {n} | {b or '-'} | {a or '-'} | - |")


if __name__ == "__main__":
    main()
