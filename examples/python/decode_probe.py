#!/usr/bin/env python3
"""Decode the bundled probe sample (data/probe/) from Python, as `hypervec decode` does.

    PYTHONPATH=build/release/src/python /usr/bin/python3 examples/python/decode_probe.py [noisy|clean]

Loads the 3,000 x 4,096 packbits codebook and its labels into a hypervec.Memory,
decodes the 500 analogy documents ("rome : italy = dublin : ?") with the probe
decoder, prints three worked examples and precision@1/3/5 (1.0 for both sets,
data/probe/README.md). The answers are the CLI's, document by document
(tests/python/test_probe.py checks it).
"""

import os
import sys
import time

import numpy as np

import hypervec as hv
from hypervec import probe

DIM = 4096
HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "..", "..", "data", "probe")


def main(which="noisy"):
    memory = hv.Memory.load(os.path.join(DATA, "codebook.npy"),
                            os.path.join(DATA, "labels.txt"), dim=DIM)
    # The codebook and the vectors are np.packbits(x < 0): bit 1 = -1.
    vectors = hv.Packed.from_packbits(np.load(os.path.join(DATA, f"{which}.npy")), DIM,
                                      one="negative")
    docs = probe.read_documents(os.path.join(DATA, "analogies.jsonl"))

    decoder = probe.Decoder(memory, k=5, min_cosine=0.1)
    start = time.perf_counter()
    results = decoder.decode(vectors, docs["context"], docs["target"])
    seconds = time.perf_counter() - start

    for d in (0, len(results) // 3, 2 * len(results) // 3):
        r = results[d]
        print(f"#{d} {docs['text'][d]}\n  {r['reason']}")
        for a in r["answers"]:
            mark = "  <- target" if a["id"] == r["target_id"] else ""
            print(f"  {a['label']:<16} cos {a['cosine']:.3f}  z {a['z']:6.1f}{mark}")

    s = probe.summarize(results)
    print(f"\ndecoded {s['documents']} documents in {seconds:.3f} s")
    print(f"precision@1 {s['precision@1']:.4f}  precision@3 {s['precision@3']:.4f}  "
          f"precision@5 {s['precision@5']:.4f}  ({s['evaluated']} with a target, "
          f"{s['abstained']} abstained)")


if __name__ == "__main__":
    main(*sys.argv[1:2])
