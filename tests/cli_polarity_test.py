#!/usr/bin/env python3
"""`hypervec decode` flags a codebook packed with the opposite polarity.

Usage: cli_polarity_test.py HYPERVEC_BINARY SOURCE_DIR. Exit 77 without numpy.

The sample data (data/probe/) decodes without a warning and with
"polarity_suspect": false in --summary. The same codebook and vectors
re-packed the way a Python user naturally writes them, np.packbits(x > 0)
instead of np.packbits(x < 0) (include/hypervec/npy.hpp), load as the negated
vectors: every document abstains, stderr names the likely cause and the fix,
and the summary says "polarity_suspect": true.
"""
import json
import os
import subprocess
import sys
import tempfile

try:
    import numpy as np
except ImportError:
    print("numpy not installed (Debian: python3-numpy); skipping")
    sys.exit(77)

from cli_util import DATA, HV, check, failures


def decode(vectors, codebook, tmp):
    summary = os.path.join(tmp, "summary.json")
    p = subprocess.run([HV, "decode", vectors, "--codebook", codebook, "--labels",
                        os.path.join(DATA, "labels.txt"), "--dim", "4096", "--documents",
                        os.path.join(DATA, "analogies.jsonl"), "-o", os.path.join(tmp, "out.jsonl"),
                        "--examples", "0", "--summary", summary],
                       capture_output=True, text=True)
    check(p.returncode == 0, f"decode exit {p.returncode}: {p.stderr}")
    with open(summary) as f:
        return p.stderr, json.load(f)


def flipped(path, out):
    """The ±1 rows of a packbits file, re-packed as np.packbits(x > 0)."""
    a = np.load(path)
    x = 1 - 2 * np.unpackbits(a, axis=1)[:, :4096].astype(np.int8)  # the ±1 values
    np.save(out, np.packbits(x > 0, axis=1))


with tempfile.TemporaryDirectory() as tmp:
    err, s = decode(os.path.join(DATA, "clean.npy"), os.path.join(DATA, "codebook.npy"), tmp)
    check("warning" not in err, f"a warning on the right codebook: {err}")
    check(s.get("polarity_suspect") is False and s.get("inverted_polarity") == 0,
          f"right codebook: summary {s}")
    check(s.get("precision@1") == 1.0, f"right codebook: precision@1 {s.get('precision@1')}")

    book, vecs = os.path.join(tmp, "book.npy"), os.path.join(tmp, "vecs.npy")
    flipped(os.path.join(DATA, "codebook.npy"), book)
    flipped(os.path.join(DATA, "clean.npy"), vecs)
    err, s = decode(vecs, book, tmp)
    check("opposite sign convention" in err and "np.packbits(x < 0)" in err,
          f"no polarity warning on the flipped codebook; stderr: {err}")
    check(s.get("polarity_suspect") is True and s.get("inverted_polarity") == s.get("documents"),
          f"flipped codebook: summary {s}")

print(f"{'FAIL' if failures else 'OK'}: {len(failures)} failures")
sys.exit(1 if failures else 0)
