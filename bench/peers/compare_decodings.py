#!/usr/bin/env python3
"""Compares two decoded JSON Lines files (e.g. the `hypervec` CLI's and
probe_decoder.py's) document by document.

Exact: doc index, query labels, answer ids and labels, target, rank, role.
Cosine and z: equal within 1e-5 relative. Both the CLI and probe_decoder.py
round them to 6 decimals (halves away from zero), so for ±1/0 inputs they
agree exactly; the tolerance only absorbs a file written with another
rounding (half a unit of the 6th digit is <= 5e-6 relative for values
>= 0.1), while an integer dot off by 1 changes the cosine by 1/(D·cos)
relative, >= 1e-4 while D·cos <= 10^4. The count of numbers that differ at
all is printed too. Prints the first differences and
a count; exit 0 when the files agree, 1 otherwise.

Usage: python3 bench/peers/compare_decodings.py A.jsonl B.jsonl [--show 10]
"""
import argparse
import json
import math
import sys

EXACT_KEYS = ("doc", "query", "target", "rank", "role")


def close(a, b):
    return math.isclose(a, b, rel_tol=1e-5, abs_tol=1e-9)


def differences(a, b):
    """(list of differences in words, count of cosine/z values not bit-equal)."""
    out, inexact = [], 0
    for key in EXACT_KEYS:
        if a.get(key) != b.get(key):
            out.append(f"{key}: {a.get(key)!r} vs {b.get(key)!r}")
    ans_a, ans_b = a.get("answers", []), b.get("answers", [])
    ids_a = [(x["id"], x["label"]) for x in ans_a]
    ids_b = [(x["id"], x["label"]) for x in ans_b]
    if ids_a != ids_b:
        out.append(f"answers: {ids_a} vs {ids_b}")
    else:
        for x, y in zip(ans_a, ans_b):
            for key in ("cosine", "z"):
                inexact += x[key] != y[key]
                if not close(x[key], y[key]):
                    out.append(f"answer {x['label']} {key}: {x[key]} vs {y[key]}")
    return out, inexact


def read(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("a")
    p.add_argument("b")
    p.add_argument("--show", type=int, default=10, help="differing documents to print")
    args = p.parse_args(argv)
    a, b = read(args.a), read(args.b)
    bad = inexact = 0
    if len(a) != len(b):
        print(f"{args.a} has {len(a)} documents, {args.b} has {len(b)}")
        bad += 1
    for i, (x, y) in enumerate(zip(a, b)):
        diff, n = differences(x, y)
        inexact += n
        if diff:
            bad += 1
            if bad <= args.show:
                print(f"document {i}: " + "; ".join(diff))
    compared = min(len(a), len(b))
    print(f"{compared} documents compared, {bad} differ" if bad else
          f"{compared} documents compared: identical ids, ranks, roles, queries; "
          f"cosines and z within 1e-5 ({inexact} not bit-equal)")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
