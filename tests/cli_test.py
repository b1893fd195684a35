#!/usr/bin/env python3
"""End-to-end tests of the `hypervec` command (src/cli/main.cpp).

Usage: cli_test.py HYPERVEC_BINARY SOURCE_DIR

1. The committed sample data (data/probe/) regenerates byte for byte with
   data/probe/make.sh (needs Debian's wamerican word list).
2. `decode` reaches precision@1 = 1 on the clean and on the 6%-noise set, as
   docs/probe.md predicts; the JSON Lines results do not depend on --threads;
   float32 input decodes to the same answers as packbits, and float64 (C
   and Fortran order), big-endian float32 and int8 input to the same answers
   as float32; --per-query lists the 8 subset queries consistently.
3. `stats` finds the sample codebook healthy and flags a duplicated row.
4. Bad input: exit code 3 with a message naming the file and the problem;
   bad command lines: exit code 2.
"""
import array
import json
import os
import struct
import subprocess
import sys
import tempfile

from cli_util import DATA, HV, SRC, check, failures


def run(*args, expect=0):
    p = subprocess.run([HV, *args], capture_output=True, text=True)
    if p.returncode != expect:
        failures.append(f"hypervec {' '.join(args)}: exit {p.returncode}, expected {expect}\n{p.stderr}")
        print("FAIL:", failures[-1], file=sys.stderr)
    return p


def read_npy_f32(path):
    """The values of a version-1.0, little-endian, C-order float32 .npy file."""
    raw = open(path, "rb").read()
    assert raw[:8] == b"\x93NUMPY\x01\x00", path
    (header_len,) = struct.unpack("<H", raw[8:10])
    assert b"'<f4'" in raw[10:10 + header_len] and b"False" in raw[10:10 + header_len], path
    return array.array("f", raw[10 + header_len:])


def write_npy(path, descr, fortran_order, shape, raw):
    """A version-1.0 .npy file, written by hand so the test needs no numpy."""
    header = f"{{'descr': '{descr}', 'fortran_order': {fortran_order}, 'shape': {tuple(shape)}, }}"
    header += " " * (-(10 + len(header) + 1) % 64) + "\n"
    with open(path, "wb") as f:
        f.write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode() + raw)


def book(*extra):
    return ["--codebook", os.path.join(DATA, "codebook.npy"),
            "--labels", os.path.join(DATA, "labels.txt"), "--dim", "4096", *extra]


with tempfile.TemporaryDirectory() as tmp:
    # 1. Regeneration.
    if not os.path.exists("/usr/share/dict/american-english"):
        check(False, "Debian's wamerican is not installed (scripts/dev installs it)")
    else:
        regen = os.path.join(tmp, "regen")
        p = subprocess.run([os.path.join(DATA, "make.sh"), HV, regen], capture_output=True, text=True)
        check(p.returncode == 0, f"make.sh failed: {p.stderr}")
        for name in ["labels.txt", "analogies.jsonl", "codebook.npy", "clean.npy", "noisy.npy"]:
            with open(os.path.join(DATA, name), "rb") as a, open(os.path.join(regen, name), "rb") as b:
                check(a.read() == b.read(), f"data/probe/{name} does not regenerate byte for byte")

    # 2. Decoding.
    docs = os.path.join(DATA, "analogies.jsonl")
    for name in ["clean", "noisy"]:
        outs = []
        for threads in ["1", "2"]:
            out = os.path.join(tmp, f"{name}{threads}.jsonl")
            summary = os.path.join(tmp, f"{name}{threads}.json")
            run("decode", os.path.join(DATA, name + ".npy"), *book(), "--documents", docs,
                "-o", out, "--summary", summary, "--threads", threads)
            s = json.load(open(summary))
            check(s["documents"] == 500 and s["evaluated"] == 500, f"{name}: summary counts {s}")
            check(s["precision@1"] == 1.0, f"{name}: precision@1 {s['precision@1']} != 1")
            outs.append([json.loads(line) for line in open(out)])
        check(outs[0] == outs[1], f"{name}: results differ between --threads 1 and 2")
        first = outs[0][0]
        check(first["target"] == "ireland" and first["answers"][0]["label"] == "ireland"
              and first["rank"] == 1 and first["role"] == "target" and first["query"] == ["dublin"],
              f"{name}: document 0 decoded as {first}")
    # float32 vectors give the same answers (cosines to float rounding).
    f32 = os.path.join(tmp, "noisy_f32.npy")
    run("encode", docs, *book(), "--noise", "0.06", "--seed", "6", "--format", "float32", "-o", f32)
    out = os.path.join(tmp, "f32.jsonl")
    run("decode", f32, *book(), "--documents", docs, "-o", out)
    a = [json.loads(line) for line in open(out)]
    b = [json.loads(line) for line in open(os.path.join(tmp, "noisy1.jsonl"))]
    check([[x["label"] for x in r["answers"]] for r in a] == [[x["label"] for x in r["answers"]] for r in b],
          "float32 input answers differ from packbits input")
    check(all(abs(x["cosine"] - y["cosine"]) < 1e-5 for r, q in zip(a, b)
              for x, y in zip(r["answers"], q["answers"])), "float32 cosines differ")

    # --per-query: all 8 subset queries, the chosen one consistent with the answer.
    out = os.path.join(tmp, "per_query.jsonl")
    run("decode", os.path.join(DATA, "noisy.npy"), *book(), "--documents", docs, "-o", out,
        "--per-query", "--examples", "0", "-k", "3")
    for r in [json.loads(line) for line in open(out)][:50]:
        pq = r.get("per_query", [])
        chosen = pq[r["query_index"]] if len(pq) == 8 and r.get("query_index", 9) < 8 else None
        check(chosen is not None and chosen["atoms"] == r["query"] and chosen["artefact"] is None
              and [a["label"] for a in chosen["answers"]][:len(r["answers"])] == [a["label"] for a in r["answers"]]
              and all(len(q["answers"]) == 3 for q in pq)
              and sum(q["artefact"] is not None for q in pq) >= 1,
              f"--per-query output of document {r['doc']}: {r}")

    # Every dtype and layout numpy can save decodes like float32: float64 in C
    # and Fortran order, big-endian float32, int8, with a zero component (the
    # probe's sign() gives one now and then) in document 0.
    values = read_npy_f32(f32)
    values[5] = 0.0
    n, dim = len(values) // 4096, 4096
    fortran = array.array("d", (values[r * dim + c] for c in range(dim) for r in range(n)))
    variants = {
        "f4": ("<f4", False, array.array("f", values).tobytes()),
        "f8": ("<f8", False, array.array("d", values).tobytes()),
        "f8F": ("<f8", True, fortran.tobytes()),
        "f4be": (">f4", False, struct.pack(f">{len(values)}f", *values)),
        "i1": ("|i1", False, array.array("b", (int(v) for v in values)).tobytes()),
    }
    outputs = {}
    for name, (descr, fortran_order, raw) in variants.items():
        path = os.path.join(tmp, f"v_{name}.npy")
        write_npy(path, descr, fortran_order, (n, dim), raw)
        out = os.path.join(tmp, f"v_{name}.jsonl")
        run("decode", path, *book(), "--documents", docs, "-o", out, "--examples", "0")
        outputs[name] = open(out).read() if os.path.exists(out) else name
    check(len(set(outputs.values())) == 1,
          f"dtype / layout variants decode differently: {[k for k in outputs if outputs[k] != outputs['f4']]}")
    check(outputs["f4"] != open(os.path.join(tmp, "f32.jsonl")).read(),
          "the zero component in document 0 changed nothing (the variant test would not see a bug)")

    # 3. stats.
    p = run("stats", *book())
    check("healthy" in p.stdout, f"stats on the sample codebook: {p.stdout}")
    dup_labels = os.path.join(tmp, "dup.txt")
    with open(dup_labels, "w") as f:
        f.write("a\nb\nc\n")
    dup = os.path.join(tmp, "dup.npy")
    run("codebook", dup_labels, "--dim", "1024", "--seed", "3", "--format", "float32", "-o", dup)
    raw = bytearray(open(dup, "rb").read())
    row = 1024 * 4
    raw[-row:] = raw[-2 * row:-row]  # row 2 := row 1
    open(dup, "wb").write(raw)
    p = run("stats", "--codebook", dup, "--labels", dup_labels, expect=4)
    check("WARNING" in p.stdout, "stats does not flag a duplicated row")

    # 4. Bad input and bad command lines.
    bad_docs = os.path.join(tmp, "bad.jsonl")
    with open(bad_docs, "w") as f:
        f.write('{"context": ["rome", "italy", "nosuchword"], "target": "ireland"}\n')
    one = os.path.join(tmp, "one.npy")
    run("encode", bad_docs, *book(), "-o", one, expect=3)
    p = run("decode", os.path.join(DATA, "clean.npy"), *book(), "--documents", bad_docs, expect=3)
    check("nosuchword" in p.stderr and "not in the codebook" in p.stderr, f"unknown label message: {p.stderr}")
    with open(bad_docs, "w") as f:
        f.write('{"pairs": [["rome"]]}\n')
    p = run("encode", bad_docs, *book(), "-o", one, expect=3)
    check("bad.jsonl:1" in p.stderr, f"malformed document message: {p.stderr}")
    with open(bad_docs, "w") as f:
        f.write('{"pairs": [["rome", "italy"]]\n')
    p = run("encode", bad_docs, *book(), "-o", one, expect=3)
    check("not valid JSON" in p.stderr, f"invalid JSON message: {p.stderr}")
    p = run("decode", os.path.join(DATA, "clean.npy"), "--codebook", os.path.join(DATA, "codebook.npy"),
            "--labels", dup_labels, "--dim", "4096", "--documents", docs, expect=3)
    check("3000 rows" in p.stderr and "3 labels" in p.stderr, f"count mismatch message: {p.stderr}")
    trunc = os.path.join(tmp, "trunc.npy")
    open(trunc, "wb").write(open(os.path.join(DATA, "clean.npy"), "rb").read()[:5000])
    p = run("decode", trunc, *book(), "--documents", docs, expect=3)
    check("trunc.npy" in p.stderr, f"truncated file message: {p.stderr}")
    p = run("decode", os.path.join(DATA, "clean.npy"), *book(), "--documents",
            os.path.join(SRC, "data", "facts", "README.md"), expect=3)
    run("decode", expect=2)
    run("frobnicate", expect=2)
    run("codebook", os.path.join(DATA, "labels.txt"), "--dim", "0", "-o", one, expect=2)

if failures:
    print(f"{len(failures)} failure(s)", file=sys.stderr)
    sys.exit(1)
print("cli: all checks passed")
