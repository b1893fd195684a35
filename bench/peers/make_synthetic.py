#!/usr/bin/env python3
"""A seeded synthetic benchmark set for the probe decoder (docs/probe.md).

Writes, into --out-dir, the four files that both the NumPy peer
(bench/peers/probe_decoder.py) and the C++ `hypervec` CLI read:

  codebook.npy     M random bipolar rows: uint8 packbits (M, ceil(D/8))
                   (bitorder 'big', bit 1 = -1), or float32 / int8 ±1 (M, D)
  labels.txt       "w0" .. "w{M-1}", one per line
  vectors.npy      N document vectors: uint8 packbits (N, ceil(D/8)) or
                   float32 (N, D)
  documents.jsonl  one analogy per line, same order as the vector rows:
                   {"pairs": [[A, B], [C, D]], "context": [A, B, C],
                    "target": D, "relation": "synthetic"}

Each document draws four distinct atoms A, B, C, D (uniform, without
replacement) and stores the probe's analogy encoding
v = normalize(A⊙B + C⊙D), normalize = sign with ties (a zero sum) sent to -1.
Optional noise: --flip p negates each component independently with
probability p (the encoder-error model of docs/probe.md, "Predicted
precision"); --zero q sets each component to 0 with probability q (float32
vectors only: packbits cannot hold a zero).

Everything comes from one numpy Generator (PCG64) seeded by --seed, drawn in
a fixed order (codebook bits, then per document its atoms, then the noise),
so a seed and the sizes determine the files byte for byte.

Usage (Debian's python3 has numpy):
  /usr/bin/python3 bench/peers/make_synthetic.py --out-dir /tmp/probe-syn \
      --dim 4096 --rows 3000 --documents 2000 --seed 1
"""
import argparse
import json
import os
import sys

import numpy as np


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--out-dir", required=True, help="directory to write the four files into")
    p.add_argument("--dim", type=int, default=4096, help="D (default 4096)")
    p.add_argument("--rows", type=int, default=3000, help="codebook rows M (default 3000)")
    p.add_argument("--documents", type=int, default=2000, help="documents N (default 2000)")
    p.add_argument("--seed", type=int, default=1, help="numpy Generator seed (default 1)")
    p.add_argument("--flip", type=float, default=0.0,
                   help="probability of flipping each component of v (default 0)")
    p.add_argument("--zero", type=float, default=0.0,
                   help="probability of zeroing each component of v (float32 vectors only)")
    p.add_argument("--codebook-format", choices=["packbits", "float32", "int8"],
                   default="packbits", help="codebook.npy element type (default packbits)")
    p.add_argument("--vector-format", choices=["packbits", "float32"], default="packbits",
                   help="vectors.npy element type (default packbits)")
    args = p.parse_args(argv)
    if args.dim < 1 or args.rows < 4 or args.documents < 0:
        p.error("need --dim >= 1, --rows >= 4 (four distinct atoms), --documents >= 0")
    for name in ("flip", "zero"):
        value = getattr(args, name)
        if not 0.0 <= value <= 1.0:
            p.error(f"--{name} must lie in [0, 1], got {value}")
    if args.zero > 0 and args.vector_format != "float32":
        p.error("--zero needs --vector-format float32 (packbits cannot hold a zero)")
    return args


def analogy_vectors(bits, atoms):
    """normalize(A⊙B + C⊙D) for each row (A, B, C, D) of `atoms`, ±1 int8.

    With bit 1 = -1, A⊙B is +1 where the bits agree; the sum is +2 only when
    both products are +1, so v = +1 there and -1 everywhere else (a zero sum
    goes to -1)."""
    a, b, c, d = (bits[atoms[:, j]] for j in range(4))
    ab_pos = a == b
    cd_pos = c == d
    return np.where(ab_pos & cd_pos, 1, -1).astype(np.int8)


def save_npy(path, array):
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        np.save(f, array)
    os.replace(tmp, path)


def main(argv=None):
    args = parse_args(argv)
    rng = np.random.Generator(np.random.PCG64(args.seed))
    M, D, N = args.rows, args.dim, args.documents

    bits = rng.integers(0, 2, size=(M, D), dtype=np.uint8)  # 1 = -1
    atoms = np.empty((N, 4), dtype=np.int64)
    for i in range(N):
        atoms[i] = rng.choice(M, size=4, replace=False)

    v = analogy_vectors(bits, atoms) if N else np.empty((0, D), dtype=np.int8)
    if args.flip > 0:
        v = np.where(rng.random((N, D)) < args.flip, -v, v).astype(np.int8)
    if args.zero > 0:
        v = np.where(rng.random((N, D)) < args.zero, 0, v).astype(np.int8)

    os.makedirs(args.out_dir, exist_ok=True)
    out = lambda name: os.path.join(args.out_dir, name)  # noqa: E731

    if args.codebook_format == "packbits":
        save_npy(out("codebook.npy"), np.packbits(bits, axis=1, bitorder="big"))
    else:
        values = 1 - 2 * bits.astype(np.int8)
        save_npy(out("codebook.npy"), values.astype(np.dtype(args.codebook_format)))
    with open(out("labels.txt"), "w", encoding="utf-8") as f:
        f.writelines(f"w{i}\n" for i in range(M))

    if args.vector_format == "packbits":
        save_npy(out("vectors.npy"), np.packbits((v < 0).astype(np.uint8), axis=1,
                                                 bitorder="big"))
    else:
        save_npy(out("vectors.npy"), v.astype(np.float32))

    with open(out("documents.jsonl"), "w", encoding="utf-8") as f:
        for a, b, c, d in atoms:
            doc = {"pairs": [[f"w{a}", f"w{b}"], [f"w{c}", f"w{d}"]],
                   "context": [f"w{a}", f"w{b}", f"w{c}"],
                   "target": f"w{d}", "relation": "synthetic"}
            f.write(json.dumps(doc) + "\n")

    print(f"wrote {args.out_dir}: codebook {M} x {D} ({args.codebook_format}), "
          f"{N} documents ({args.vector_format}), seed {args.seed}, "
          f"flip {args.flip}, zero {args.zero}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
