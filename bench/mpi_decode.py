"""hypervec decode of 10^5 documents on one process and under mpirun, side by side, to
measure what MPI itself costs (docs/performance.md, "Past one machine").

Usage: /usr/bin/python3 bench/mpi_decode.py [BUILD] [--reps N]   (BUILD: build/release)

The input is data/probe's 500 noisy analogies tiled 200x (10^5 documents, packbits,
D = 4096, M = 3,000 codebook). Configurations, each run N times (median wall time,
including start-up and the final write): no mpirun with --threads 2; mpirun -np 1
--threads 2; mpirun -np 2 --bind-to core --threads 1 (2 ranks x 1 thread). Prints
documents/s and the ratio of each to the single process. Root: set
OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1.
"""
import os
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA = os.path.join(ROOT, "data", "probe")
TILES = 200


def main():
    args = sys.argv[1:]
    reps = 3
    if "--reps" in args:
        i = args.index("--reps")
        reps = int(args[i + 1])
        del args[i:i + 2]
    build = args[0] if args else os.path.join(ROOT, "build", "release")
    hv = os.path.join(build, "src", "cli", "hypervec")
    env = dict(os.environ, OMPI_MCA_btl="self,vader", OMPI_MCA_btl_vader_single_copy_mechanism="none")
    with tempfile.TemporaryDirectory(prefix="hv-mpi-bench-") as tmp:
        vectors, docs = os.path.join(tmp, "v.npy"), os.path.join(tmp, "d.jsonl")
        np.save(vectors, np.tile(np.load(os.path.join(DATA, "noisy.npy")), (TILES, 1)))
        with open(os.path.join(DATA, "analogies.jsonl")) as f:
            lines = [line for line in f if line.strip()]
        with open(docs, "w") as f:
            f.writelines(lines * TILES)
        n_docs = len(lines) * TILES

        def decode(threads, out):
            return [hv, "decode", vectors, "--codebook", os.path.join(DATA, "codebook.npy"),
                    "--labels", os.path.join(DATA, "labels.txt"), "--dim", "4096",
                    "--documents", docs, "-o", out, "--threads", str(threads)]
        configs = [("1 process x 2 threads (no mpirun)", decode(2, os.path.join(tmp, "a.jsonl"))),
                   ("mpirun -np 1, 2 threads", ["mpirun", "-np", "1", "--bind-to", "none"]
                    + decode(2, os.path.join(tmp, "b.jsonl"))),
                   ("mpirun -np 2 --bind-to core, 1 thread each", ["mpirun", "-np", "2", "--bind-to", "core"]
                    + decode(1, os.path.join(tmp, "c.jsonl")))]
        outputs, rows = [], []
        for name, cmd in configs:
            times = []
            for _ in range(reps):
                out = cmd[cmd.index("-o") + 1]
                t0 = time.perf_counter()
                subprocess.run(cmd, check=True, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                times.append(time.perf_counter() - t0)
            with open(out, "rb") as f:
                outputs.append(f.read())
            rows.append((name, statistics.median(times), times))
        if any(o != outputs[0] for o in outputs):
            sys.exit("the outputs differ between configurations")
        base = rows[0][1]
        print(f"hypervec decode, {n_docs} documents (D = 4096, M = 3000, packbits), median of {reps}:")
        print("| configuration | seconds | documents/s | vs 1 process |")
        print("|---|---|---|---|")
        for name, t, _ in rows:
            print(f"| {name} | {t:.2f} | {n_docs / t:,.0f} | {base / t:.2f}x |")
        print("outputs byte-identical across configurations")


main()
