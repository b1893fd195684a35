#!/usr/bin/env python3
"""Peak memory of `hypervec decode` against the number of documents.

Usage: bench/decode_memory.py HYPERVEC_BINARY [COUNTS...]   (default 10^4 10^5 10^6)

Builds a vectors file of N packbits documents (D = 4096, the rows of
data/probe/noisy.npy repeated) and the matching documents file
(data/probe/analogies.jsonl repeated) in a temporary folder, decodes it
against the sample codebook, and reports the peak resident set size of the
decode process (os.wait4's ru_maxrss) and its documents/s. Memory should stay
flat beyond the chunk size (4,096 documents): vectors and documents are read
one chunk at a time, and only the summary and the worked examples outlive it.
A benchmark, not a test: it writes ~0.8 GB at 10^6 documents.
"""
import os
import struct
import subprocess
import sys
import tempfile
import time

HV = sys.argv[1]
counts = [int(x) for x in sys.argv[2:]] or [10**4, 10**5, 10**6]
SRC = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA = os.path.join(SRC, "data", "probe")
raw = open(os.path.join(DATA, "noisy.npy"), "rb").read()
head_len = 10 + struct.unpack("<H", raw[8:10])[0]
rows = raw[head_len:]
row_bytes = 512
n_rows = len(rows) // row_bytes
lines = [l for l in open(os.path.join(DATA, "analogies.jsonl"), "rb") if l.strip()]
assert n_rows == len(lines)

print(f"{'documents':>10} {'peak RSS (MiB)':>15} {'documents/s':>12}")
with tempfile.TemporaryDirectory(dir=os.environ.get("TMPDIR", "/tmp")) as tmp:
    for n in counts:
        vec, docs, out = (os.path.join(tmp, x) for x in ("v.npy", "d.jsonl", "o.jsonl"))
        d = f"{{'descr': '|u1', 'fortran_order': False, 'shape': ({n}, {row_bytes}), }}"
        d += " " * (-(10 + len(d) + 1) % 64) + "\n"
        with open(vec, "wb") as f:
            f.write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(d)) + d.encode())
            full, rest = divmod(n, n_rows)
            for _ in range(full):
                f.write(rows)
            f.write(rows[: rest * row_bytes])
        with open(docs, "wb") as f:
            for i in range(n):
                f.write(lines[i % n_rows])
        start = time.monotonic()
        p = subprocess.Popen([HV, "decode", vec, "--codebook", os.path.join(DATA, "codebook.npy"),
                              "--labels", os.path.join(DATA, "labels.txt"), "--dim", "4096",
                              "--documents", docs, "-o", out, "--examples", "3"],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _, status, usage = os.wait4(p.pid, 0)
        seconds = time.monotonic() - start
        if status != 0:
            sys.exit(f"decode of {n} documents failed with status {status}")
        print(f"{n:>10} {usage.ru_maxrss / 1024:>15.1f} {n / seconds:>12.0f}", flush=True)
