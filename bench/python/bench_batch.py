#!/usr/bin/python3
"""Batched bind from Python against the C++ batch benchmarks (issue 14).

Times hv.bsc.bind (D = 4096, 8192), hv.map.bind (float32, D = 4096, 8192)
and hv.hrr.bind (float32, D = 4096) on N = 1000 and 2000 row pairs, and in
the same run the C++ benchmarks that do the same work on the same shared
pool (BM_BindBatch in bipolar_bench and hrr_bench, BM_BindF32Batch in
dense_bench; bench/batch_util.hpp): operands from memory, a fresh output per
call ("fresh:1", as Python) and, for reference, a reused one ("fresh:0").
Each round runs every C++ benchmark (min of --cxx-repetitions runs) and every
Python call (best of --repeat timings), C++ first in even rounds and Python
first in odd ones; the table shows medians over the rounds, wall time per
call, and ratio = Python / C++ fresh (the median of the rounds' ratios, with
their range).

    PYTHONPATH=build/b/src/python /usr/bin/python3 bench/python/bench_batch.py \\
        --build build/b --rounds 5
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time

import numpy as np

import hypervec as hv

# (label, C++ program, C++ benchmark name without /fresh:N, D, N, make operands, call)
CASES = []
for d in (4096, 8192):
    for n in (1000, 2000):
        CASES.append(("bsc.bind", "bipolar_bench", f"BM_BindBatch/{d}/rows:{n}", d, n,
                      lambda n=n, d=d: (hv.bsc.random(n, d, seed=1), hv.bsc.random(n, d, seed=2)),
                      hv.bsc.bind))
for d in (4096, 8192):
    for n in (1000, 2000):
        CASES.append(("map.bind float32", "dense_bench", f"BM_BindF32Batch/{d}/rows:{n}", d, n,
                      lambda n=n, d=d: tuple(np.ascontiguousarray(hv.map.random(n, d, seed=s))
                                             for s in (1, 2)),
                      hv.map.bind))
for n in (1000, 2000):
    CASES.append(("hrr.bind float32", "hrr_bench", f"BM_BindBatch<float>/4096/rows:{n}", 4096, n,
                  lambda n=n: tuple(np.ascontiguousarray(hv.hrr.random(n, 4096, seed=s),
                                                         dtype=np.float32) for s in (1, 2)),
                  hv.hrr.bind))

FILTERS = {"bipolar_bench": "^BM_BindBatch/", "dense_bench": "^BM_BindF32Batch/",
           "hrr_bench": "^BM_BindBatch<float>/"}


def time_python(call, a, b, repeat, min_seconds):
    """Best wall seconds per call over `repeat` timings of enough calls for min_seconds."""
    t = time.perf_counter()
    call(a, b)
    number = max(1, int(min_seconds / max(time.perf_counter() - t, 1e-7)))
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        for _ in range(number):
            call(a, b)
        best = min(best, (time.perf_counter() - t) / number)
    return best


def time_cxx(build, repetitions, min_time):
    """{benchmark name: min real seconds per iteration} of every batch benchmark."""
    out = {}
    for prog, flt in FILTERS.items():
        res = subprocess.run(
            [os.path.join(build, "bench", prog), f"--benchmark_filter={flt}",
             f"--benchmark_min_time={min_time}", f"--benchmark_repetitions={repetitions}",
             "--benchmark_format=json"], check=True, capture_output=True, text=True)
        for bm in json.loads(res.stdout)["benchmarks"]:
            if bm.get("run_type") != "iteration":
                continue
            name = bm["run_name"].removesuffix("/real_time")
            assert bm["time_unit"] == "us", bm["time_unit"]
            t = bm["real_time"] * 1e-6
            out[name] = min(out.get(name, float("inf")), t)
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default="build/b", help="build dir holding bench/*_bench")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--repeat", type=int, default=5, help="Python timings per round (best kept)")
    ap.add_argument("--cxx-repetitions", type=int, default=3, help="C++ runs per round (min kept)")
    ap.add_argument("--min-time", type=float, default=0.2, help="seconds per timing")
    args = ap.parse_args()

    operands = [make() for *_, make, _call in CASES]
    py_t = [[] for _ in CASES]
    cxx_fresh = [[] for _ in CASES]
    cxx_kept = [[] for _ in CASES]
    print(f"# load average at start: {os.getloadavg()}", file=sys.stderr)
    for r in range(args.rounds):
        def python_part():
            for k, case in enumerate(CASES):
                py_t[k].append(time_python(case[-1], *operands[k], args.repeat, args.min_time))

        def cxx_part():
            cx = time_cxx(args.build, args.cxx_repetitions, args.min_time)
            for k, case in enumerate(CASES):
                cxx_fresh[k].append(cx[case[2] + "/fresh:1"])
                cxx_kept[k].append(cx[case[2] + "/fresh:0"])

        for part in ((cxx_part, python_part) if r % 2 == 0 else (python_part, cxx_part)):
            part()
        print(f"# round {r + 1}/{args.rounds} done, load {os.getloadavg()[0]:.2f}", file=sys.stderr)

    med = statistics.median
    print("| call | D | N | Python µs/call | C++ fresh µs | C++ reused µs | C++ benchmark | "
          "Python / C++ fresh (range) |")
    print("|---|---|---|---|---|---|---|---|")
    for k, (label, prog, name, d, n, *_rest) in enumerate(CASES):
        ratios = [p / c for p, c in zip(py_t[k], cxx_fresh[k])]
        print(f"| {label} | {d} | {n} | {med(py_t[k]) * 1e6:,.1f} | {med(cxx_fresh[k]) * 1e6:,.1f} | "
              f"{med(cxx_kept[k]) * 1e6:,.1f} | {prog} {name}/fresh:1 | "
              f"{med(ratios):.2f} ({min(ratios):.2f}–{max(ratios):.2f}) |")


if __name__ == "__main__":
    main()
