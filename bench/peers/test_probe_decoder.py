#!/usr/bin/env python3
"""Checks the NumPy probe-decoder peer (probe_decoder.py) against a naive
reference written straight from docs/probe.md, and make_synthetic.py's files.

The reference shares no code with the peer: it scores each subset query on
its own with int64/float64 arithmetic (exact), walks the queries in order
keeping a strictly better best, and ranks candidates with
sorted(key=(-dot, id)). Checked on every run:
  * the query order for n = 3 is the one docs/probe.md lists;
  * synthetic clean analogies decode at precision@1 = 1 (packbits and
    float32 vectors; packbits, float32 and int8 codebooks);
  * on noisy documents (flip 0.40, zeros, contexts of 0..5 atoms with
    duplicates, missing targets) the peer's per-document loop and --batch
    output are byte-identical and equal the reference document by document
    (query, answer ids and cosines, rank, role), abstentions included;
  * ties: a codebook holding the target twice answers with the lower id;
  * bad input (unknown label, row/label mismatch, packbits without --dim,
    vector/document count mismatch) exits 2 naming the problem.
Exit 0 on success, 1 on failure, 77 (skipped) when numpy is missing.
"""
import decimal
import itertools
import json
import math
import os
import subprocess
import sys
import tempfile

try:
    import numpy as np
except ImportError:
    print("numpy not installed (Debian: python3-numpy); skipping")
    sys.exit(77)

HERE = os.path.dirname(os.path.abspath(__file__))
DECODER = os.path.join(HERE, "probe_decoder.py")
SYNTHETIC = os.path.join(HERE, "make_synthetic.py")
failures = []


def check(condition, message):
    if not condition:
        failures.append(message)
        print("FAIL:", message)


def run(script, *args, expect=0):
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1")
    r = subprocess.run([sys.executable, script, *map(str, args)], capture_output=True,
                       text=True, env=env)
    check(r.returncode == expect,
          f"{os.path.basename(script)} {' '.join(map(str, args))}: exit {r.returncode}, "
          f"expected {expect}; stderr: {r.stderr.strip()[-400:]}")
    return r


def decode(d, out, *extra, vectors="vectors.npy", documents="documents.jsonl", dim=None):
    args = ["--codebook", f"{d}/codebook.npy", "--labels", f"{d}/labels.txt",
            "--vectors", f"{d}/{vectors}", "--documents", f"{d}/{documents}",
            "--out", f"{d}/{out}", "--summary", f"{d}/{out}.summary", *extra]
    if dim is not None:
        args += ["--dim", dim]
    run(DECODER, *args)
    with open(f"{d}/{out}", encoding="utf-8") as f:
        text = f.read()
    with open(f"{d}/{out}.summary", encoding="utf-8") as f:
        summary = json.load(f)
    return text, summary


# ---------------------------------------------------------------- reference

def load_bipolar(path, dim):
    """(values as int64 or float64 matrix, came as packbits)."""
    a = np.load(path)
    if a.ndim == 1:
        a = a[None, :]
    if a.dtype == np.uint8:
        bits = np.unpackbits(a, axis=1, bitorder="big")[:, :dim]
        return 1 - 2 * bits.astype(np.int64), True
    return a.astype(np.float64), False


def round_half_away(x):
    """6 decimals, halves away from zero, via exact decimal arithmetic."""
    q = decimal.Decimal(x * 1e6).quantize(decimal.Decimal(1), rounding=decimal.ROUND_HALF_UP)
    return float(q) / 1e6


def reference(d, dim, k=5, presence=0.1, vectors="vectors.npy", documents="documents.jsonl"):
    C, _ = load_bipolar(f"{d}/codebook.npy", dim)
    C = C.astype(np.int64)
    V, packed = load_bipolar(f"{d}/{vectors}", dim)
    with open(f"{d}/labels.txt", encoding="utf-8") as f:
        labels = f.read().splitlines()
    index = {label: i for i, label in enumerate(labels)}
    M, D = C.shape
    results = []
    with open(f"{d}/{documents}", encoding="utf-8") as f:
        docs = [json.loads(line) for line in f if line.strip()]
    for doc_index, (doc, v) in enumerate(zip(docs, V)):
        ctx = []
        for label in doc.get("context") or []:
            if index[label] not in ctx:
                ctx.append(index[label])
        n = len(ctx)
        subsets = [s for r in range(n + 1) for s in itertools.combinations(range(n), r)][::-1]
        denom = float(D) if packed else math.sqrt(float(np.dot(v, v))) * math.sqrt(D)
        best = None
        for s in subsets:
            u = v.copy()
            for i in s:
                u = u * C[ctx[i]]
            dots = C @ u  # exact: integer-valued float64 or int64
            if any(dots[ctx[i]] / denom > presence for i in s):
                continue  # artefact
            ranked = sorted((j for j in range(M) if j not in ctx), key=lambda j: (-dots[j], j))
            top = dots[ranked[0]] if ranked else -math.inf
            if best is None or top > best[0]:
                best = (top, s, ranked, dots)
        _, s, ranked, dots = best
        answers = [(j, dots[j] / denom) for j in ranked[:k] if dots[j] / denom >= presence]
        obj = {"doc": doc_index, "query": [labels[ctx[i]] for i in s],
               "answers": [{"label": labels[j], "id": j, "cosine": round_half_away(c),
                            "z": round_half_away(c * math.sqrt(D))} for j, c in answers]}
        if doc.get("target") is not None:
            target = index[doc["target"]]
            ids = [j for j, _ in answers]
            obj["target"] = doc["target"]
            obj["rank"] = ids.index(target) + 1 if target in ids else None
            obj["role"] = ("none" if not ids else "target" if ids[0] == target
                           else "out_of_context")
        results.append(obj)
    return results


def compare(text, expected, what):
    got = [json.loads(line) for line in text.splitlines()]
    check(len(got) == len(expected), f"{what}: {len(got)} decodings, expected {len(expected)}")
    bad = [e["doc"] for g, e in zip(got, expected) if g != e]
    check(not bad, f"{what}: {len(bad)} documents differ from the reference, first "
                   f"{bad[:5]}: got {got[bad[0]] if bad else None} expected "
                   f"{expected[bad[0]] if bad else None}")


# ---------------------------------------------------------------- cases

def test_order():
    sys.dont_write_bytecode = True  # no __pycache__ in the source tree
    sys.path.insert(0, HERE)
    import probe_decoder  # noqa: E402
    masks, bitmasks = probe_decoder.subset_order(3)
    got = [tuple(int(i) for i in np.flatnonzero(row)) for row in masks]
    want = [(0, 1, 2), (1, 2), (0, 2), (0, 1), (2,), (1,), (0,), ()]
    check(got == want, f"subset_order(3) = {got}, docs/probe.md says {want}")
    check(list(bitmasks) == [7, 6, 5, 3, 4, 2, 1, 0], f"subset_order(3) bit masks {bitmasks}")
    check(probe_decoder.subset_order(0)[0].shape == (1, 0),
          "subset_order(0) is not one empty query")
    # Halves round away from zero, as the CLI's std::round: 2080/4096 = 0.5078125.
    check(probe_decoder.round6(2080 / 4096) == 0.507813
          and probe_decoder.round6(-2080 / 4096) == -0.507813,
          f"round6(±0.5078125) = {probe_decoder.round6(2080 / 4096)}, expected ±0.507813")
    # queries(): row j is v times the atoms of query j, for n = 0 .. 5.
    rng = np.random.Generator(np.random.PCG64(2))
    for n in range(6):
        atoms = (1 - 2 * rng.integers(0, 2, size=(n, 40))).astype(np.float32)
        v = rng.integers(-1, 2, size=40).astype(np.float32)
        u = probe_decoder.queries(v, atoms)
        masks, _ = probe_decoder.subset_order(n)
        want = np.stack([v * np.prod(atoms[row], axis=0) for row in masks])
        check(np.array_equal(u, want), f"queries() wrong for n = {n}")


def test_clean(tmp):
    for cb, vf in [("packbits", "packbits"), ("float32", "float32"), ("int8", "packbits")]:
        d = f"{tmp}/clean-{cb}-{vf}"
        run(SYNTHETIC, "--out-dir", d, "--dim", 1024, "--rows", 300, "--documents", 150,
            "--seed", 11, "--codebook-format", cb, "--vector-format", vf)
        text, summary = decode(d, "loop.jsonl", dim=1024)
        what = f"clean {cb} codebook, {vf} vectors"
        check(summary["documents"] == 150 and summary["evaluated"] == 150,
              f"{what}: summary counts {summary}")
        check(summary["precision@1"] == 1.0 and summary["abstained"] == 0,
              f"{what}: precision@1 {summary['precision@1']}, abstained "
              f"{summary['abstained']}; clean analogies must decode at 100%")
        compare(text, reference(d, 1024), what)
        # The selected query of a clean analogy is {C}: the key, third atom.
        docs = [json.loads(x) for x in open(f"{d}/documents.jsonl", encoding="utf-8")]
        got = [json.loads(x)["query"] for x in text.splitlines()]
        check(all(q == [doc["context"][2]] for q, doc in zip(got, docs)),
              f"{what}: selected queries are not all {{C}}")


def write_docs(path, docs):
    with open(path, "w", encoding="utf-8") as f:
        for doc in docs:
            f.write(json.dumps(doc) + "\n")


def test_noisy(tmp):
    d = f"{tmp}/noisy"
    run(SYNTHETIC, "--out-dir", d, "--dim", 256, "--rows", 120, "--documents", 160,
        "--seed", 5, "--flip", 0.40, "--zero", 0.05, "--codebook-format", "float32",
        "--vector-format", "float32")
    # Vary the contexts: empty, missing, duplicates, 4 and 5 atoms, no target.
    rng = np.random.Generator(np.random.PCG64(17))
    docs = [json.loads(x) for x in open(f"{d}/documents.jsonl", encoding="utf-8")]
    for i, doc in enumerate(docs):
        kind = i % 8
        if kind == 1:
            doc["context"] = []
        elif kind == 2:
            del doc["context"]
        elif kind == 3:
            doc["context"] = doc["context"] + [doc["context"][0]]
        elif kind in (4, 5):
            extra = rng.choice(120, size=kind - 3, replace=False)
            doc["context"] = doc["context"] + [f"w{j}" for j in extra]
        elif kind == 6:
            del doc["target"]
    write_docs(f"{d}/mixed.jsonl", docs)
    loop, s_loop = decode(d, "loop.jsonl", documents="mixed.jsonl")
    batch, s_batch = decode(d, "batch.jsonl", "--batch", 7, documents="mixed.jsonl")
    check(loop == batch, "noisy: per-document loop and --batch 7 outputs differ")
    for key in ("documents", "evaluated", "abstained", "precision@1", "precision@3",
                "precision@5"):
        check(s_loop[key] == s_batch[key], f"noisy: summary {key} {s_loop[key]} vs {s_batch[key]}")
    compare(loop, reference(d, 256, documents="mixed.jsonl"), "noisy float32")
    got = [json.loads(x) for x in loop.splitlines()]
    check(any(g.get("role") == "out_of_context" for g in got), "noisy: no wrong answer exercised")
    # A presence threshold near the noise maximum: some documents abstain.
    high, _ = decode(d, "high.jsonl", "--presence", 0.22, "--batch", 5, documents="mixed.jsonl")
    compare(high, reference(d, 256, presence=0.22, documents="mixed.jsonl"),
            "noisy float32 presence 0.22")
    got = [json.loads(x) for x in high.splitlines()]
    check(any(not g["answers"] for g in got), "noisy: no abstention exercised")
    check(any(g["answers"] for g in got), "noisy presence 0.22: every document abstained")
    check(s_loop["evaluated"] == 160 - 20, f"noisy: evaluated {s_loop['evaluated']}, expected 140")
    # k = 1 and a higher presence threshold, packbits vectors.
    p = f"{tmp}/noisy-packed"
    run(SYNTHETIC, "--out-dir", p, "--dim", 200, "--rows", 90, "--documents", 120,
        "--seed", 9, "--flip", 0.38)
    text, _ = decode(p, "k1.jsonl", "--k", 1, "--presence", 0.15, "--batch", 16, dim=200)
    compare(text, reference(p, 200, k=1, presence=0.15), "noisy packbits k=1 presence 0.15")


def test_ties(tmp):
    """Row 2 is a copy of the target row 7: both score the same, id 2 answers first."""
    d = f"{tmp}/ties"
    D = 128
    rng = np.random.Generator(np.random.PCG64(3))
    rows = 1 - 2 * rng.integers(0, 2, size=(10, D)).astype(np.int8)
    rows[2] = rows[7]
    v = np.where((rows[0] * rows[1] + rows[5] * rows[7]) > 0, 1, -1).astype(np.float32)
    os.makedirs(d)
    np.save(f"{d}/codebook.npy", rows)
    with open(f"{d}/labels.txt", "w", encoding="utf-8") as f:
        f.write("".join(f"r{i}\n" for i in range(10)))
    np.save(f"{d}/vectors.npy", np.stack([v, v]))
    write_docs(f"{d}/documents.jsonl", [
        {"context": ["r0", "r1", "r5"], "target": "r7"},
        {"context": ["r0", "r1", "r5"], "target": "r2"}])
    for extra in ([], ["--batch", 2]):
        text, _ = decode(d, "out.jsonl", *extra)
        got = [json.loads(x) for x in text.splitlines()]
        ids = [a["id"] for a in got[0]["answers"]]
        check(ids[:2] == [2, 7] and got[0]["answers"][0]["cosine"] ==
              got[0]["answers"][1]["cosine"],
              f"ties {extra}: answers {ids} with cosines "
              f"{[a['cosine'] for a in got[0]['answers']]}, expected ids 2, 7 tied")
        check(got[0]["rank"] == 2 and got[0]["role"] == "out_of_context",
              f"ties {extra}: target r7 rank {got[0]['rank']} role {got[0]['role']}")
        check(got[1]["rank"] == 1 and got[1]["role"] == "target",
              f"ties {extra}: target r2 rank {got[1]['rank']} role {got[1]['role']}")
        compare(text, reference(d, D), f"ties {extra}")


def test_errors(tmp):
    d = f"{tmp}/errors"
    run(SYNTHETIC, "--out-dir", d, "--dim", 64, "--rows", 10, "--documents", 3, "--seed", 1)
    base = ["--codebook", f"{d}/codebook.npy", "--labels", f"{d}/labels.txt",
            "--vectors", f"{d}/vectors.npy", "--out", f"{d}/out.jsonl"]
    r = run(DECODER, *base, "--documents", f"{d}/documents.jsonl", expect=2)
    check("give --dim" in r.stderr, f"packbits without --dim: {r.stderr.strip()}")
    write_docs(f"{d}/unknown.jsonl", [{"context": ["w1", "nope"]}, {}, {}])
    r = run(DECODER, *base, "--dim", 64, "--documents", f"{d}/unknown.jsonl", expect=2)
    check("'nope'" in r.stderr and "document 0" in r.stderr, f"unknown label: {r.stderr.strip()}")
    write_docs(f"{d}/two.jsonl", [{}, {}])
    r = run(DECODER, *base, "--dim", 64, "--documents", f"{d}/two.jsonl", expect=2)
    check("2 documents" in r.stderr and "3 vectors" in r.stderr, f"count: {r.stderr.strip()}")
    with open(f"{d}/short.txt", "w", encoding="utf-8") as f:
        f.write("a\nb\n")
    r = run(DECODER, *base[:2], "--labels", f"{d}/short.txt", *base[4:], "--dim", 64,
            "--documents", f"{d}/documents.jsonl", expect=2)
    check("10 rows" in r.stderr and "2 labels" in r.stderr, f"label count: {r.stderr.strip()}")
    r = run(DECODER, *base, "--dim", 64, "--k", 11, "--documents", f"{d}/documents.jsonl",
            expect=2)
    check("--k 11" in r.stderr, f"k > M: {r.stderr.strip()}")


def main():
    test_order()
    with tempfile.TemporaryDirectory() as tmp:
        test_clean(tmp)
        test_noisy(tmp)
        test_ties(tmp)
        test_errors(tmp)
    if failures:
        print(f"{len(failures)} check(s) failed")
        return 1
    print("all probe decoder peer checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
