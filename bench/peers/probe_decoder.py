#!/usr/bin/env python3
"""The probe decoder of docs/probe.md in plain NumPy: the benchmark peer and
independent cross-check of hypervec's probe::Decoder / `hypervec` CLI.

Default mode only: exclude_context on, the artefact rule, best_score
selection, top-k answers with cos >= presence. No greedy extra factor, no
paper selection, no explain-away.

How it computes (the way a researcher writes it in NumPy):
  * The codebook lives in memory as a float32 ±1 matrix C (M × D).
  * A document with context atoms c_0 .. c_{n-1} (duplicates dropped, first
    kept) gets the 2^n subset queries u_S = v ⊙ Π_{i∈S} c_i in the order of
    docs/probe.md (itertools.combinations by size 0..n, whole list reversed),
    stacked into U (2^n × D); one matmul U @ C.T gives every query's dot with
    every row. --batch B stacks the queries of B documents into one matmul
    instead (same results: see "Exactness").
  * cos = dot / D for packbits vectors; dot / (‖v‖·√D) for float vectors (the
    norms hypervec's packed and mixed searches divide by); z = cos·√D.
  * Artefact: a non-empty query one of whose own atoms has cos > presence.
    Selection: among non-artefact queries, the one whose best non-context row
    has the highest dot; ties to the earlier (more specific) query (np.argmax
    returns the first maximum). Answers: that query's top-k non-context rows,
    ties to the lower row id, kept when cos >= presence; none = abstain.

Exactness: for vectors with components in {-1, 0, +1} every product is -1,
0 or +1 and every partial sum an integer of magnitude <= D, so the float32
matmul is exact in any summation order as long as D <= 2^24. Rankings and
selection compare these exact dots, top-k ties go to the lower id (stable
sort on -dot over every row tied with the k-th), so the ids, ranks and
roles must equal the C++ decoder's exactly. Other real weights are accepted
(a warning is printed): their float32 sums are then rounded, and near-ties
may order differently from hypervec's fixed-order mixed kernel.

Output: JSON Lines, one object per document:
  {"doc": i, "query": [labels of S, context order],
   "answers": [{"label", "id", "cosine", "z"}, ...],
   "target": label, "rank": 1-based or null, "role": "target" |
   "out_of_context" | "none"}
(target/rank/role only for documents with a target; cosine and z rounded
to 6 decimals, as the hypervec CLI does.) A summary object goes to --summary or stderr:
documents, abstained, precision@1/3/5 (over documents with a target),
seconds (wall time of the decode itself: file loading, unpacking packbits
vectors and writing the output are excluded), documents_per_second, blas.
Extra summary keys: evaluated (documents with a target), cpu_seconds (process
CPU time of the decode), mode, batch, blas_threads, dim, codebook_rows,
queries (subset queries scored), total_seconds (loading + decode + writing,
after Python and numpy have started).

BLAS: numpy's matmul calls whatever libblas.so.3 the dynamic linker loads;
the summary names it, read from /proc/self/maps after a matmul (and, for
OpenBLAS, its openblas_get_config() and thread count). Set
OPENBLAS_NUM_THREADS before starting Python to fix the thread count.

Usage (Debian's /usr/bin/python3 has numpy; see bench/peers/README.md):
  OPENBLAS_NUM_THREADS=1 /usr/bin/python3 bench/peers/probe_decoder.py \
      --codebook codebook.npy --labels labels.txt --dim 4096 \
      --vectors vectors.npy --documents documents.jsonl \
      --out decoded.jsonl --summary summary.json [--batch 256] [--k 5]
"""
import argparse
import ctypes
import itertools
import json
import math
import os
import sys
import time

import numpy as np

MAX_CONTEXT = 16


class DecoderError(Exception):
    """Invalid input: the message names the file, document or argument."""


# --------------------------------------------------------------------------
# Loading

def read_labels(path):
    """One UTF-8 label per line ('\\n' or '\\r\\n'; final line end optional)."""
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError as e:
        raise DecoderError(f"labels: cannot read {path}: {e}") from e
    lines = data.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    labels, seen = [], {}
    for number, raw in enumerate(lines, start=1):
        if raw.endswith(b"\r"):
            raw = raw[:-1]
        try:
            label = raw.decode("utf-8")
        except UnicodeDecodeError as e:
            raise DecoderError(f"labels: {path} line {number} is not valid UTF-8") from e
        if not label:
            raise DecoderError(f"labels: {path} line {number} is empty")
        if label in seen:
            raise DecoderError(f"labels: {path} line {number} repeats '{label}' "
                               f"of line {seen[label]}")
        seen[label] = number
        labels.append(label)
    return labels


def load_npy(path, what):
    try:
        return np.load(path, allow_pickle=False)
    except (OSError, ValueError) as e:
        raise DecoderError(f"{what}: cannot read {path}: {e}") from e


def unpack_bits(packed, dim, path, what):
    """uint8 packbits (rows, ceil(dim/8)), bitorder 'big', bit 1 = -1 → float32 ±1."""
    if dim is None:
        raise DecoderError(f"{what}: {path} is uint8 packbits; give --dim")
    if packed.shape[1] != (dim + 7) // 8:
        raise DecoderError(f"{what}: {path} has {packed.shape[1]} bytes per row, "
                           f"--dim {dim} needs {(dim + 7) // 8}")
    bits = np.unpackbits(packed, axis=1, bitorder="big")
    if bits[:, dim:].any():
        raise DecoderError(f"{what}: {path} has nonzero padding bits past D = {dim}")
    return (1 - 2 * bits[:, :dim].astype(np.int8)).astype(np.float32)


def load_codebook(npy_path, labels_path, dim):
    """The codebook as float32 ±1 (M × D) and its labels."""
    a = load_npy(npy_path, "codebook")
    if a.ndim != 2 or a.shape[0] == 0 or a.shape[1] == 0:
        raise DecoderError(f"codebook: {npy_path} must be a non-empty 2-D array, "
                           f"got shape {a.shape}")
    if a.dtype == np.uint8:
        values = unpack_bits(a, dim, npy_path, "codebook")
    elif a.dtype in (np.float32, np.float64, np.int8):
        if dim is not None and a.shape[1] != dim:
            raise DecoderError(f"codebook: {npy_path} has D = {a.shape[1]}, --dim {dim}")
        if not np.isin(a, (-1, 1)).all():
            raise DecoderError(f"codebook: {npy_path} ({a.dtype}) holds values other than ±1")
        values = a.astype(np.float32)
    else:
        raise DecoderError(f"codebook: {npy_path} has dtype {a.dtype}; "
                           "need uint8 packbits, float32/float64 ±1 or int8 ±1")
    labels = read_labels(labels_path)
    if len(labels) != values.shape[0]:
        raise DecoderError(f"codebook: {npy_path} has {values.shape[0]} rows but "
                           f"{labels_path} has {len(labels)} labels")
    return np.ascontiguousarray(values), labels


def load_vectors(path, dim):
    """Document vectors as float32 (N × D); packed = they came as packbits."""
    a = load_npy(path, "vectors")
    if a.ndim == 1:
        a = a[None, :]
    if a.ndim != 2:
        raise DecoderError(f"vectors: {path} must be 1-D or 2-D, got shape {a.shape}")
    if a.dtype == np.uint8:
        return unpack_bits(a, dim, path, "vectors"), True
    if a.dtype not in (np.float32, np.float64):
        raise DecoderError(f"vectors: {path} has dtype {a.dtype}; need float32 or uint8 packbits")
    if dim is not None and a.shape[1] != dim:
        raise DecoderError(f"vectors: {path} has D = {a.shape[1]}, --dim {dim}")
    v = np.ascontiguousarray(a, dtype=np.float32)
    bad = ~np.isfinite(v).all(axis=1)
    if bad.any():
        raise DecoderError(f"vectors: {path} row {int(np.argmax(bad))} holds NaN or Inf")
    zero = ~v.any(axis=1)
    if zero.any():
        raise DecoderError(f"vectors: {path} row {int(np.argmax(zero))} is all zeros")
    if not np.isin(v, (-1.0, 0.0, 1.0)).all():
        print(f"warning: {path} holds values other than -1, 0, +1: float32 dots are "
              "rounded, near-ties may order differently from hypervec", file=sys.stderr)
    return v, False


def load_documents(path, index):
    """Per document (context ids, first occurrence kept; target id or None)."""
    docs = []
    try:
        f = open(path, encoding="utf-8")
    except OSError as e:
        raise DecoderError(f"documents: cannot read {path}: {e}") from e
    with f:
        for number, line in enumerate(f, start=1):
            if not line.strip():
                continue
            where = f"documents: {path} line {number} (document {len(docs)})"
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as e:
                raise DecoderError(f"{where}: {e}") from e
            if not isinstance(obj, dict):
                raise DecoderError(f"{where}: not a JSON object")
            context = obj.get("context") or []
            if not isinstance(context, list) or not all(isinstance(c, str) for c in context):
                raise DecoderError(f"{where}: \"context\" must be a list of labels")
            ids = []
            for label in context:
                if label not in index:
                    raise DecoderError(f"{where}: context label '{label}' is not in the codebook")
                if index[label] not in ids:
                    ids.append(index[label])
            if len(ids) > MAX_CONTEXT:
                raise DecoderError(f"{where}: {len(ids)} distinct context atoms, "
                                   f"at most {MAX_CONTEXT}")
            target = obj.get("target")
            if target is not None:
                if not isinstance(target, str) or target not in index:
                    raise DecoderError(f"{where}: target {target!r} is not in the codebook")
                target = index[target]
            docs.append((ids, target))
    return docs


# --------------------------------------------------------------------------
# The decoder

_ORDERS = {}


def subset_order(n):
    """docs/probe.md's query order for n atoms: a (2^n × n) bool matrix, row j
    marking the atoms of query j (most specific first, the empty query last),
    and the same queries as bit masks (bit i = atom i)."""
    if n not in _ORDERS:
        subsets = [s for size in range(n + 1) for s in itertools.combinations(range(n), size)]
        subsets.reverse()
        masks = np.zeros((len(subsets), n), dtype=bool)
        for j, s in enumerate(subsets):
            masks[j, list(s)] = True
        bitmasks = np.array([sum(1 << i for i in s) for s in subsets], dtype=np.intp)
        _ORDERS[n] = masks, bitmasks
    return _ORDERS[n]


def queries(v, atoms, out=None):
    """U (2^n × D) float32: row j = v ⊙ Π of the atoms of query j.

    Built by doubling in bit-mask order (row b of the table holds the subset
    with bit mask b: the rows 2^i .. 2^(i+1)-1 are rows 0 .. 2^i-1 times
    atom i), then gathered into the query order; written into `out` if given."""
    n, d = atoms.shape
    _, bitmasks = subset_order(n)
    table = np.empty((1 << n, d), dtype=np.float32)
    table[0] = v
    for i in range(n):
        np.multiply(table[:1 << i], atoms[i], out=table[1 << i:2 << i])
    return np.take(table, bitmasks, axis=0, out=out)


def top_k(row, k):
    """Ids of the k largest entries of row, descending, ties to the lower id."""
    m = row.shape[0]
    if k < m:
        kth = row[np.argpartition(row, m - k)[m - k:]].min()
        cand = np.flatnonzero(row >= kth)  # every row tied with the k-th, ascending ids
    else:
        cand = np.arange(m)
    order = np.argsort(-row[cand], kind="stable")
    return cand[order[:k]]


def decide(dots, ctx, target, denom, dim, k, presence):
    """One document's decoding from its query × codebook dots (2^n × M,
    float32, exact; modified in place). denom turns a dot into a cosine."""
    masks, _ = subset_order(len(ctx))
    own_cos = dots[:, ctx].astype(np.float64) / denom
    artefact = ((own_cos > presence) & masks).any(axis=1)
    dots[:, ctx] = -np.inf  # exclude_context
    best = dots.max(axis=1)
    keep = np.flatnonzero(~artefact)  # never empty: the empty query is no artefact
    selected = keep[np.argmax(best[keep])]  # first maximum: the more specific query
    answers = []
    for i in top_k(dots[selected], k):
        cos = float(dots[selected, i]) / denom
        if dots[selected, i] == -np.inf or not cos >= presence:
            break
        answers.append((int(i), cos, cos * math.sqrt(dim)))
    rank = None
    if target is not None:
        rank = next((r for r, a in enumerate(answers, start=1) if a[0] == target), None)
    return {"query": [ctx[i] for i in np.flatnonzero(masks[selected])],
            "answers": answers, "target": target, "rank": rank}


class Decoder:
    def __init__(self, codebook, k=5, presence=0.1):
        self.C = codebook
        self.k = k
        self.presence = presence

    def _denoms(self, vectors, packed):
        d = self.C.shape[1]
        if packed:
            return np.full(vectors.shape[0], float(d))
        norms = np.sqrt(np.einsum("ij,ij->i", vectors, vectors, dtype=np.float64))
        return norms * math.sqrt(d)

    def decode_loop(self, vectors, docs, packed):
        """One (2^n × D) @ (D × M) matmul per document."""
        denoms = self._denoms(vectors, packed)
        out = []
        for i, (ctx, target) in enumerate(docs):
            u = queries(vectors[i], self.C[ctx])
            dots = u @ self.C.T
            out.append(decide(dots, ctx, target, denoms[i], self.C.shape[1], self.k,
                              self.presence))
        return out

    def decode_batched(self, vectors, docs, packed, batch):
        """The queries of `batch` documents stacked into one matmul."""
        denoms = self._denoms(vectors, packed)
        chunks = [range(first, min(first + batch, len(docs)))
                  for first in range(0, len(docs), batch)]
        rows = max((sum(1 << len(docs[i][0]) for i in chunk) for chunk in chunks), default=0)
        # Buffers reused across batches (fresh ones would page-fault every time).
        u_buffer = np.empty((rows, self.C.shape[1]), dtype=np.float32)
        dots_buffer = np.empty((rows, self.C.shape[0]), dtype=np.float32)
        out = []
        for chunk in chunks:
            row = 0
            for i in chunk:
                q = 1 << len(docs[i][0])
                queries(vectors[i], self.C[docs[i][0]], out=u_buffer[row:row + q])
                row += q
            dots = np.matmul(u_buffer[:row], self.C.T, out=dots_buffer[:row])
            row = 0
            for i in chunk:
                ctx, target = docs[i]
                q = 1 << len(ctx)
                out.append(decide(dots[row:row + q], ctx, target, denoms[i],
                                  self.C.shape[1], self.k, self.presence))
                row += q
        return out


def role_of(decoding):
    """Role of the top answer. With exclude_context on no context atom can
    answer, so the roles are target, out_of_context and none."""
    if not decoding["answers"]:
        return "none"
    return "target" if decoding["answers"][0][0] == decoding["target"] else "out_of_context"


def summarize(decodings):
    evaluated = [d for d in decodings if d["target"] is not None]
    hits = [sum(1 for d in evaluated if d["rank"] is not None and d["rank"] <= n)
            for n in (1, 3, 5)]
    share = [h / len(evaluated) if evaluated else 0.0 for h in hits]
    return {"documents": len(decodings),
            "evaluated": len(evaluated),
            "abstained": sum(1 for d in decodings if not d["answers"]),
            "precision@1": share[0], "precision@3": share[1], "precision@5": share[2]}


def round6(x):
    """x rounded to 6 decimals, halves away from zero (C++ std::round(x·1e6)/1e6,
    as the hypervec CLI prints; Python's round() would send halves to even,
    and cos·1e6 ends in exactly .5 whenever D = 4096 and dot ≡ 32 mod 64)."""
    y = abs(x) * 1e6
    r = math.floor(y)
    if y - r >= 0.5:
        r += 1
    return math.copysign(r, x) / 1e6


def to_json(i, d, labels):
    obj = {"doc": i, "query": [labels[c] for c in d["query"]],
           "answers": [{"label": labels[a], "id": a, "cosine": round6(cos), "z": round6(z)}
                       for a, cos, z in d["answers"]]}
    if d["target"] is not None:
        obj["target"] = labels[d["target"]]
        obj["rank"] = d["rank"]
        obj["role"] = role_of(d)
    return json.dumps(obj, ensure_ascii=False)


# --------------------------------------------------------------------------
# Which BLAS

def blas_description():
    """The BLAS libraries mapped into this process after a matmul, and
    OpenBLAS's own config and thread count when it is among them."""
    a = np.ones((64, 64), dtype=np.float32)
    a @ a  # noqa: B018 -- make sure the BLAS is loaded
    paths = []
    try:
        with open("/proc/self/maps") as f:
            for line in f:
                fields = line.split()
                if len(fields) >= 6:
                    base = os.path.basename(fields[5]).lower()
                    if ("blas" in base or "mkl" in base or "blis" in base) and \
                            fields[5] not in paths:
                        paths.append(fields[5])
    except OSError:
        return "unknown (no /proc/self/maps)", None
    config, threads = None, None
    for path in paths:
        try:
            lib = ctypes.CDLL(path)
            get_config = lib.openblas_get_config
        except (OSError, AttributeError):
            continue
        get_config.restype = ctypes.c_char_p
        config = get_config().decode()
        threads = int(lib.openblas_get_num_threads())
        break
    if not paths:
        return "no BLAS library in /proc/self/maps (numpy's internal fallback?)", None
    files = ", ".join(os.path.realpath(p) for p in paths)
    return (f"{config} ({files})" if config else files), threads


# --------------------------------------------------------------------------

def parse_args(argv):
    p = argparse.ArgumentParser(description="Probe decoder (docs/probe.md), NumPy peer.")
    p.add_argument("--codebook", required=True, help=".npy: uint8 packbits, float32/int8 ±1")
    p.add_argument("--labels", required=True, help="labels file, one per line")
    p.add_argument("--dim", type=int, help="D (required for packbits files)")
    p.add_argument("--vectors", required=True, help=".npy: float32 (N × D) or uint8 packbits")
    p.add_argument("--documents", required=True, help="JSON Lines, one per vector row")
    p.add_argument("--out", help="decoded JSON Lines (default: stdout)")
    p.add_argument("--summary", help="summary JSON (default: stderr)")
    p.add_argument("--k", type=int, default=5, help="answers per document (default 5)")
    p.add_argument("--presence", type=float, default=0.1,
                   help="answers need cos >= presence; artefact: own atom cos > presence")
    p.add_argument("--batch", type=int, default=0,
                   help="documents per matmul (default 0: one matmul per document)")
    args = p.parse_args(argv)
    if args.dim is not None and args.dim < 1:
        p.error(f"--dim must be >= 1, got {args.dim}")
    if args.dim is not None and args.dim > 1 << 24:
        p.error(f"--dim {args.dim} > 2^24: float32 dots would no longer be exact")
    if args.batch < 0:
        p.error(f"--batch must be >= 0, got {args.batch}")
    if math.isnan(args.presence):
        p.error("--presence is NaN")
    return args


def main(argv=None):
    start = time.perf_counter()
    args = parse_args(argv)
    try:
        codebook, labels = load_codebook(args.codebook, args.labels, args.dim)
        if codebook.shape[1] > 1 << 24:
            raise DecoderError(f"codebook: D = {codebook.shape[1]} > 2^24: "
                               "float32 dots would no longer be exact")
        if not 1 <= args.k <= codebook.shape[0]:
            raise DecoderError(f"--k {args.k} must lie in 1 ..= M = {codebook.shape[0]}")
        vectors, packed = load_vectors(args.vectors, codebook.shape[1])
        docs = load_documents(args.documents, {label: i for i, label in enumerate(labels)})
        if len(docs) != vectors.shape[0]:
            raise DecoderError(f"{args.documents} has {len(docs)} documents but "
                               f"{args.vectors} has {vectors.shape[0]} vectors")
    except DecoderError as e:
        print(f"probe_decoder: {e}", file=sys.stderr)
        return 2
    blas, blas_threads = blas_description()

    decoder = Decoder(codebook, k=args.k, presence=args.presence)
    wall, cpu = time.perf_counter(), time.process_time()
    if args.batch:
        decodings = decoder.decode_batched(vectors, docs, packed, args.batch)
    else:
        decodings = decoder.decode_loop(vectors, docs, packed)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu

    out = open(args.out, "w", encoding="utf-8") if args.out else sys.stdout
    try:
        for i, d in enumerate(decodings):
            out.write(to_json(i, d, labels) + "\n")
    finally:
        if args.out:
            out.close()

    summary = summarize(decodings)
    summary.update({
        "seconds": wall,
        "documents_per_second": len(docs) / wall if wall > 0 else 0.0,
        "blas": blas,
        "cpu_seconds": cpu,
        "mode": f"batch {args.batch}" if args.batch else "per-document loop",
        "batch": args.batch,
        "blas_threads": blas_threads,
        "dim": int(codebook.shape[1]),
        "codebook_rows": int(codebook.shape[0]),
        "queries": int(sum(1 << len(ctx) for ctx, _ in docs)),
        "total_seconds": time.perf_counter() - start,
    })
    text = json.dumps(summary, ensure_ascii=False)
    if args.summary:
        with open(args.summary, "w", encoding="utf-8") as f:
            f.write(text + "\n")
    else:
        print(text, file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
