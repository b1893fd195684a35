#!/usr/bin/env python3
"""Fault test of the `hypervec` command: a corpus of bad inputs and hostile
situations, generated here, run against the binary (optimised and ASan+UBSan
builds alike).

Usage: fault_test.py HYPERVEC_BINARY SOURCE_DIR

For every case it checks the exit code (2 bad command line, 3 bad input,
5 an output could not be written), that the message names the file at fault,
that no sanitizer report and no signal appeared, and that an existing output
file is byte-for-byte untouched and no temporary is left beside it.
Needs no numpy: .npy files are written by hand.
"""
import json
import os
import signal
import struct
import subprocess
import sys
import tempfile
import time

HV, SRC = sys.argv[1], sys.argv[2]
DATA = os.path.join(SRC, "data", "probe")
failures = []
cases = 0
SANITIZER_MARKS = ("AddressSanitizer", "UndefinedBehaviorSanitizer", "runtime error:",
                   "LeakSanitizer", "ThreadSanitizer")
SENTINEL = b"old output: must survive a failed command\n"


def fail(what):
    failures.append(what)
    print("FAIL:", what, file=sys.stderr)


def run(args, expect, names=None, outputs=(), timeout=120, stdout=subprocess.PIPE):
    """Runs hypervec ARGS; checks the exit code, that stderr names `names`,
    that no sanitizer report appears, and that each path in `outputs` (made
    to hold SENTINEL first) still holds it when the command fails."""
    global cases
    cases += 1
    for o in outputs:
        with open(o, "wb") as f:
            f.write(SENTINEL)
    try:
        p = subprocess.run([HV, *args], stdout=stdout, stderr=subprocess.PIPE, timeout=timeout)
    except subprocess.TimeoutExpired:
        fail(f"hypervec {' '.join(args)}: hung for {timeout} s")
        return None
    err = p.stderr.decode(errors="replace")
    label = f"hypervec {' '.join(args)}"
    if p.returncode < 0:
        fail(f"{label}: killed by signal {signal.Signals(-p.returncode).name}\n{err}")
    elif p.returncode != expect:
        fail(f"{label}: exit {p.returncode}, expected {expect}\n{err}")
    if any(m in err for m in SANITIZER_MARKS):
        fail(f"{label}: sanitizer report\n{err}")
    if names is not None and names not in err:
        fail(f"{label}: the message does not name {names!r}\n{err}")
    if expect != 0:
        for o in outputs:
            with open(o, "rb") as f:
                if f.read() != SENTINEL:
                    fail(f"{label}: failed, but changed the existing output {o}")
            folder = os.path.dirname(o) or "."
            left = [x for x in os.listdir(folder) if x.endswith(".tmp")]
            if left:
                fail(f"{label}: left temporaries behind: {left}")
    return p


def npy_header(descr, shape, fortran=False, extra=""):
    d = f"{{'descr': '{descr}', 'fortran_order': {fortran}, 'shape': {tuple(shape)}, {extra}}}"
    d += " " * (-(10 + len(d) + 1) % 64) + "\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(d)) + d.encode()


def write(path, data):
    with open(path, "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())
    return path


with tempfile.TemporaryDirectory() as tmp:
    T = lambda name: os.path.join(tmp, name)
    out = T("out.jsonl")
    # A small codebook (D = 64) over the sample labels, and documents for it.
    labels = os.path.join(DATA, "labels.txt")
    docs = os.path.join(DATA, "analogies.jsonl")
    book64 = T("book64.npy")
    run(["codebook", labels, "--dim", "64", "--seed", "3", "-o", book64], 0)
    cb64 = ["--codebook", book64, "--labels", labels, "--dim", "64"]
    n_docs = sum(1 for line in open(docs) if line.strip())
    good = T("good.npy")
    run(["encode", docs, *cb64, "--format", "float32", "-o", good], 0)
    raw = open(good, "rb").read()
    head_len = 10 + struct.unpack("<H", raw[8:10])[0]
    values = raw[head_len:]
    dec = lambda vec, *extra: ["decode", vec, *cb64, "--documents", docs, *extra]

    # --- Malformed .npy vectors: exit 3, the file named, the output untouched.
    bad_npys = {
        "truncated.npy": raw[: len(raw) - 100],
        "lying_shape.npy": npy_header("<f4", (n_docs + 5, 64)) + values,
        "overflow_shape.npy": npy_header("<f4", (2**62, 2**62)) + values[:256],
        "complex.npy": npy_header("<c16", (n_docs, 64)) + values + values + values + values,
        "int32.npy": npy_header("<i4", (n_docs, 64)) + values,
        "bad_magic.npy": b"\x93NUMPX" + raw[6:],
        "empty.npy": b"",
        "dup_key.npy": npy_header("<f4", (n_docs, 64), extra="'descr': '<f8', ") + values,
        "three_d.npy": npy_header("<f4", (n_docs, 8, 8)) + values,
        "wrong_dim.npy": npy_header("<f4", (n_docs * 2, 32)) + values,
        "fewer_docs.npy": npy_header("<f4", (n_docs - 1, 64)) + values[: (n_docs - 1) * 256],
    }
    for name, data in bad_npys.items():
        run(dec(write(T(name), data), "-o", out), 3, names=name, outputs=[out])
    # A directory and a FIFO where a regular file is needed: a clear error, no hang.
    os.mkdir(T("adir.npy"))
    run(dec(T("adir.npy"), "-o", out), 2, outputs=[out])  # CLI11: "is a directory"
    os.mkfifo(T("fifo.npy"))
    run(dec(T("fifo.npy"), "-o", out), 3, names="fifo.npy", outputs=[out], timeout=20)
    run(["decode", good, "--codebook", book64, "--labels", "/dev/zero", "--dim", "64",
         "--documents", docs, "-o", out], 3, names="/dev/zero", outputs=[out], timeout=20)
    run(["decode", good, *cb64, "--documents", "/dev/zero", "-o", out], 3, names="/dev/zero",
        outputs=[out], timeout=20)
    run(["labels", os.path.join(SRC, "data/facts/capital_country.tsv"), "--words", "/dev/zero",
         "-o", out], 3, names="/dev/zero", outputs=[out], timeout=20)

    # --- NaN at document 4,096 of a 4,100-document file (past the first chunk):
    # exit 3 naming the file and the document, and -o keeps its old content.
    big_docs = T("big.jsonl")
    lines = [l for l in open(docs) if l.strip()]
    with open(big_docs, "w") as f:
        for i in range(4100):
            f.write(lines[i % len(lines)])
    rows = [values[(i % n_docs) * 256:(i % n_docs + 1) * 256] for i in range(4100)]
    rows[4096] = rows[4096][:40] + struct.pack("<f", float("nan")) + rows[4096][44:]
    nan_npy = write(T("nan.npy"), npy_header("<f4", (4100, 64)) + b"".join(rows))
    p = run(["decode", nan_npy, *cb64, "--documents", big_docs, "-o", out, "--summary", T("s.json")],
            3, names="nan.npy", outputs=[out, T("s.json")])
    if p is not None and b"document 4096 (line 4097" not in p.stderr:
        fail(f"NaN at document 4096: the message numbers it wrongly: {p.stderr!r}")

    # --- Documents, labels and facts files.
    bad_docs = {
        "notjson.jsonl": "{\"context\": [\n",
        "huge_number.jsonl": "{\"context\": [\"rome\"], \"x\": 1e999}\n",
        "array.jsonl": "[1, 2]\n",
        "unknown_label.jsonl": "{\"context\": [\"no-such-label\"]}\n",
        "bad_pairs.jsonl": "{\"pairs\": [[\"rome\"]]}\n",
        "bad_utf8.jsonl": b"{\"context\": [\"\xff\xfe\"]}\n",
    }
    for name, data in bad_docs.items():
        run(["encode", write(T(name), data), *cb64, "-o", T("e.npy")], 3, names=name,
            outputs=[T("e.npy")])
    bad_labels = {
        "empty_line.txt": "a\n\nb\n",
        "duplicate.txt": "a\nb\na\n",
        "lone_cr.txt": "a\nb\rc\n",
        "bad_utf8.txt": b"a\n\xc3\x28\n",
        "long_line.txt": "a\n" + "x" * 70000 + "\n",
    }
    for name, data in bad_labels.items():
        run(["codebook", write(T(name), data), "--dim", "64", "-o", T("c.npy")], 3, names=name,
            outputs=[T("c.npy")])
    run(["codebook", write(T("no_labels.txt"), ""), "--dim", "64", "-o", T("c.npy")], 3,
        names="no_labels.txt", outputs=[T("c.npy")])
    # A byte-order mark is skipped, as the JSON Lines reader does.
    bom = write(T("bom.txt"), b"\xef\xbb\xbfalpha\nbeta\n")
    run(["codebook", bom, "--dim", "64", "-o", T("bom.npy")], 0)
    run(["stats", "--codebook", T("bom.npy"), "--labels", bom, "--dim", "64"], 0)
    facts_ok = os.path.join(SRC, "data/facts/capital_country.tsv")
    bad_facts = {
        "bad_utf8.tsv": b"rome\titaly\n\xff\tx\n",
        "three_words.tsv": "a\tb\tc\n",
        "empty_word.tsv": "a\t\n",
        "lone_cr.tsv": "a\rb\tc\n",
    }
    for name, data in bad_facts.items():
        write(T(name), data)
        run(["labels", T(name), "--count", "3000", "-o", T("l.txt")], 3, names=name,
            outputs=[T("l.txt")])
        # analogies: the first facts file is fine, the second is not: nothing written.
        run(["analogies", facts_ok, T(name), "--per-relation", "1", "-o", T("a.jsonl")], 3,
            names=name, outputs=[T("a.jsonl")])

    # --- Bad command lines: exit 2.
    for args in (["codebook", labels, "--dim", "18446744073709551615", "-o", T("c.npy")],
                 ["codebook", labels, "--dim", "-1", "-o", T("c.npy")],
                 ["codebook", labels, "--format", "bogus", "-o", T("c.npy")],
                 ["stats", *cb64[:4], "--dim", "-1"],
                 ["stats", *cb64, "--bins", "100000000000"],
                 ["encode", docs, *cb64, "--noise", "2", "-o", T("e.npy")],
                 ["encode", docs, *cb64, "--noise", "nan", "-o", T("e.npy")],
                 ["encode", docs, *cb64, "--ties", "bogus", "-o", T("e.npy")],
                 dec(good, "-k", "-1", "-o", out),
                 dec(good, "-k", "0", "-o", out),
                 dec(good, "-k", "3001", "-o", out),
                 dec(good, "--presence", "nan", "-o", out),
                 dec(good, "--threads", "-2", "-o", out),
                 dec(good, "--chunk", "0", "-o", out)):
        run(args, 2, outputs=[out] if "-o" in args and out in args else [])

    # --- An output that is an input (by inode: a hard link too) is refused,
    # and the input survives.
    victim = T("victim.npy")
    write(victim, raw)
    os.link(victim, T("hardlink.npy"))
    for o in (victim, T("hardlink.npy")):
        run(dec(victim, "-o", o), 2, names=o)
        if open(victim, "rb").read() != raw:
            fail(f"decode -o {o}: the input vectors were changed")
    run(dec(victim, "-o", out, "--summary", docs), 2, names=docs)
    run(["codebook", bom, "--dim", "64", "-o", bom], 2, names=bom)

    # --- Write failures: exit 5 naming the path; a device is never replaced.
    run(dec(good, "-o", out, "--summary", "/dev/full"), 5, names="/dev/full", outputs=[out])
    run(["codebook", labels, "--dim", "64", "-o", "/dev/full"], 5, names="/dev/full")
    if not os.path.exists("/dev/full") or os.path.isfile("/dev/full"):
        fail("codebook -o /dev/full replaced the device node")
    with open("/dev/full", "wb") as full:
        run(["stats", *cb64], 5, names="standard output", stdout=full)
        run(dec(good), 5, names="standard output", stdout=full)
    run(["codebook", labels, "--dim", "64", "-o", T("no/such/dir/c.npy")], 5, names="no/such/dir")

    # --- A symlink planted where a predictable temporary would go is never followed.
    target = write(T("precious.txt"), b"precious\n")
    os.symlink(target, T("c.npy.tmp"))
    run(["codebook", labels, "--dim", "64", "-o", T("c.npy")], 0)
    if open(target, "rb").read() != b"precious\n":
        fail("codebook -o c.npy wrote through a symlink at c.npy.tmp")
    # An output behind a symlink: the target is replaced, the link stays.
    real = write(T("real.npy"), b"x")
    os.symlink(real, T("link.npy"))
    run(["codebook", labels, "--dim", "64", "-o", T("link.npy")], 0)
    if not os.path.islink(T("link.npy")) or open(real, "rb").read()[:6] != b"\x93NUMPY":
        fail("codebook -o through a symlink: the link was replaced or its target not written")
    # The old file's permission bits are kept.
    write(T("mode.npy"), b"x")
    os.chmod(T("mode.npy"), 0o640)
    run(["codebook", labels, "--dim", "64", "-o", T("mode.npy")], 0)
    if os.stat(T("mode.npy")).st_mode & 0o777 != 0o640:
        fail(f"codebook -o: mode {oct(os.stat(T('mode.npy')).st_mode & 0o777)}, expected 0o640")

    # --- Huge finite values: scaled by 2^126 (exact in float) the vectors
    # decode byte for byte as at ±1 (cosine is scale-free); scaled by 3e38
    # (rounded) every cosine is still finite and a true cosine.
    signs = [struct.unpack_from("<f", values, 4 * i)[0] for i in range(len(values) // 4)]
    a = run(dec(good, "-o", T("a.jsonl"), "--examples", "0"), 0)
    for scale, name in ((2.0 ** 126, "pow2.npy"), (3e38, "huge.npy")):
        write(T(name), npy_header("<f4", (n_docs, 64)) +
              struct.pack(f"<{len(signs)}f", *[scale * x for x in signs]))
        run(dec(T(name), "-o", T("b.jsonl"), "--examples", "0"), 0, names=None)
        got = [json.loads(l) for l in open(T("b.jsonl"))]
        cosines = [x["cosine"] for d in got for x in d["answers"]]
        if len(got) != n_docs or not cosines or not all(
                isinstance(c, float) and -1 <= c <= 1 for c in cosines):
            fail(f"vectors scaled by {scale}: missing, null or out-of-range cosines")
        if scale == 2.0 ** 126 and open(T("a.jsonl")).read() != open(T("b.jsonl")).read():
            fail("vectors scaled by 2^126 decode differently from the same vectors at ±1")

    # --- Control characters in labels are escaped on the terminal.
    esc_labels = write(T("esc.txt"), "".join(f"w{i}\n" for i in range(20)) + "red\x1b[31m\n")
    run(["codebook", esc_labels, "--dim", "4096", "-o", T("esc.npy")], 0)
    esc_docs = write(T("esc.jsonl"), json.dumps({"context": ["w1", "w2", "w3"], "target": "red\x1b[31m",
                                                 "text": "bell\x07", "pairs": [["w1", "w2"], ["w3", "red\x1b[31m"]]}) + "\n")
    run(["encode", esc_docs, "--codebook", T("esc.npy"), "--labels", esc_labels, "--dim", "4096",
         "-o", T("esc_v.npy")], 0)
    p = run(["decode", T("esc_v.npy"), "--codebook", T("esc.npy"), "--labels", esc_labels,
             "--dim", "4096", "--documents", esc_docs, "-o", T("esc.jsonl.out")], 0)
    if p is not None and (b"\x1b" in p.stdout or b"\x07" in p.stdout):
        fail(f"decode printed raw control characters: {p.stdout!r}")
    if p is not None and b"\\x1b" not in p.stdout:
        fail(f"decode did not show the escaped label: {p.stdout!r}")

    # --- Thread counts far above the work, and above what the system gives.
    run(dec(good, "-o", T("t.jsonl"), "--threads", "100000", "--chunk", "7"), 0)

    # --- A vectors file truncated while it is being decoded: exit 3, no SIGBUS,
    # the old output untouched.
    many = 40000
    big2 = T("many.jsonl")
    with open(big2, "w") as f:
        for i in range(many):
            f.write(lines[i % len(lines)])
    row_bytes = 8  # packbits of D = 64
    packed = write(T("many.npy"), npy_header("|u1", (many, row_bytes)) +
                   bytes((i * 37 + j * 11) & 0xFF for i in range(many) for j in range(row_bytes)))
    with open(out, "wb") as f:
        f.write(SENTINEL)
    cases += 1
    proc = subprocess.Popen([HV, "decode", packed, *cb64, "--documents", big2, "-o", out,
                             "--chunk", "64", "--threads", "1", "--per-query"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    time.sleep(0.3)
    os.truncate(packed, 4096)
    try:
        _, err = proc.communicate(timeout=300)
        if proc.returncode == 0:
            print("note: the decode finished before the truncation; rerun on a slower machine",
                  file=sys.stderr)
        elif proc.returncode < 0:
            fail(f"decode of a shrinking file: signal {signal.Signals(-proc.returncode).name}")
        elif proc.returncode != 3 or b"many.npy" not in err:
            fail(f"decode of a shrinking file: exit {proc.returncode}: {err!r}")
        if proc.returncode != 0 and open(out, "rb").read() != SENTINEL:
            fail("decode of a shrinking file changed the old output")
    except subprocess.TimeoutExpired:
        proc.kill()
        fail("decode of a shrinking file hung")

print(f"{cases} cases, {len(failures)} failed")
if failures:
    sys.exit(1)
