#!/usr/bin/env python3
"""Determinism of `hypervec decode` across thread counts.

Usage: cli_threads_test.py HYPERVEC_BINARY SOURCE_DIR

Decodes the noisy sample set (data/probe/noisy.npy, 500 documents) with
--threads 1..16, 64, 70 and 128, in small chunks (so every chunk has fewer
documents than some thread counts: the empty-range case) and in one chunk,
and checks that every JSON Lines output is byte-identical to --threads 1.
"""
import os
import subprocess
import sys
import tempfile

HV, SRC = sys.argv[1], sys.argv[2]
DATA = os.path.join(SRC, "data", "probe")
base = ["decode", os.path.join(DATA, "noisy.npy"), "--codebook", os.path.join(DATA, "codebook.npy"),
        "--labels", os.path.join(DATA, "labels.txt"), "--dim", "4096",
        "--documents", os.path.join(DATA, "analogies.jsonl"), "--examples", "0"]
failures = []
with tempfile.TemporaryDirectory() as tmp:
    for chunk in ("7", "4096"):
        reference = None
        for threads in list(range(1, 17)) + [64, 70, 128]:
            out = os.path.join(tmp, f"t{threads}.jsonl")
            p = subprocess.run([HV, *base, "--chunk", chunk, "--threads", str(threads), "-o", out],
                               capture_output=True, text=True)
            if p.returncode != 0:
                failures.append(f"--chunk {chunk} --threads {threads}: exit {p.returncode}\n{p.stderr}")
                continue
            data = open(out, "rb").read()
            if reference is None:
                reference = data
            elif data != reference:
                failures.append(f"--chunk {chunk} --threads {threads}: output differs from --threads 1")
for f in failures:
    print("FAIL:", f, file=sys.stderr)
print(f"{2 * 19} decodes, {len(failures)} failed")
sys.exit(1 if failures else 0)
