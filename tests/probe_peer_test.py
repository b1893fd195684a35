#!/usr/bin/env python3
"""The C++ probe decoder against the independent NumPy one (bench/peers/).

Usage: probe_peer_test.py HYPERVEC_BINARY SOURCE_DIR   (Debian's python3 with numpy)

For ±1 input (and zeros) every dot product is an exact integer in both
implementations, so the selected queries, answer ids, ranks and roles must be
identical, and cosines equal to printing precision. Checked on the sample data
and on synthetic sets where noise makes abstentions, near-ties and the
artefact rule matter (packbits at 40% flips; float32 with zeros).
"""
import os
import subprocess
import sys
import tempfile

HV, SRC = sys.argv[1], sys.argv[2]
PEERS = os.path.join(SRC, "bench", "peers")
PY = sys.executable
try:
    import numpy  # noqa: F401
except ImportError:
    print("numpy not available: skipped")
    sys.exit(77)


def run(cmd):
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        print(" ".join(cmd), "\n", p.stdout, p.stderr, file=sys.stderr)
        sys.exit(1)
    return p


def crosscheck(tmp, name, codebook, labels, dim, vectors, documents):
    ours = os.path.join(tmp, name + ".cpp.jsonl")
    peer = os.path.join(tmp, name + ".peer.jsonl")
    run([HV, "decode", vectors, "--codebook", codebook, "--labels", labels, "--dim", str(dim),
         "--documents", documents, "-o", ours, "--examples", "0"])
    run([PY, os.path.join(PEERS, "probe_decoder.py"), "--codebook", codebook, "--labels", labels,
         "--dim", str(dim), "--vectors", vectors, "--documents", documents, "--out", peer,
         "--summary", os.path.join(tmp, name + ".summary.json")])
    p = run([PY, os.path.join(PEERS, "compare_decodings.py"), ours, peer])
    print(name + ":", p.stdout.strip().splitlines()[-1])


with tempfile.TemporaryDirectory() as tmp:
    data = os.path.join(SRC, "data", "probe")
    for s in ["clean", "noisy"]:
        crosscheck(tmp, s, os.path.join(data, "codebook.npy"), os.path.join(data, "labels.txt"), 4096,
                   os.path.join(data, s + ".npy"), os.path.join(data, "analogies.jsonl"))
    for name, fmt, flip, zero in [("packbits_flip40", "packbits", "0.40", "0"),
                                  ("float_flip30_zero10", "float32", "0.30", "0.1")]:
        d = os.path.join(tmp, name)
        run([PY, os.path.join(PEERS, "make_synthetic.py"), "--out-dir", d, "--dim", "1000",
             "--rows", "500", "--documents", "400", "--flip", flip, "--zero", zero,
             "--vector-format", fmt, "--seed", "3"])
        crosscheck(tmp, name, os.path.join(d, "codebook.npy"), os.path.join(d, "labels.txt"), 1000,
                   os.path.join(d, "vectors.npy"), os.path.join(d, "documents.jsonl"))
print("probe decoder: C++ and NumPy agree")
