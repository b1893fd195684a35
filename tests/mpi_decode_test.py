"""`mpirun -np N hypervec decode` against the single-process decode.

Usage: mpi_decode_test.py MPIRUN HYPERVEC SOURCE_DIR [full|sanitized]
(tests/meson.build sets the Open MPI environment). A sanitized build runs the
same checks on less: -np 1 and 3 for two of the four cases, an 8x (not 40x)
tiled copy, since ASan makes every decode and every rank's start-up ~10x
slower. Checks, on data/probe and on a 40x tiled copy:
byte-identical JSON Lines, summary and report for N = 1..4 and uneven block
splits (more ranks than blocks too), packbits and float input, and with the
codebook sharded (--codebook-shards: -np 2 and 4 with 2 shards, 3 with 3); a decode
killed mid-way (SIGKILL to every rank) resumes from its finished blocks to
the same bytes; a failing rank (a NaN vector) ends every rank promptly with
exit code 3, a message naming the file and the document, and the old output
intact; checkpoints of another command are discarded; usage errors. Every
run is bounded: a hang fails the test.
"""
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

import numpy as np

MPIRUN, HV, SRC = sys.argv[1], sys.argv[2], sys.argv[3]
SANITIZED = len(sys.argv) > 4 and sys.argv[4] == "sanitized"
DATA = os.path.join(SRC, "data", "probe")
TIMEOUT = 120
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what, file=sys.stderr)


def run(cmd, timeout=TIMEOUT):
    """Runs cmd in its own process group; kills the group on timeout."""
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                         start_new_session=True)
    try:
        out, err = p.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)
        out, err = p.communicate()
        check(False, f"no result within {timeout} s: {' '.join(cmd)}")
    return p.returncode, out, err


def kill_ranks_writing(output):
    """SIGKILLs every hypervec process whose command line holds `output`, and
    waits until none is left."""
    for _ in range(1000):
        pids = []
        for pid in filter(str.isdigit, os.listdir("/proc")):
            try:
                with open(f"/proc/{pid}/cmdline", "rb") as f:
                    argv = f.read().split(b"\0")
            except OSError:
                continue
            if HV.encode() in argv[0] and output.encode() in argv:
                pids.append(int(pid))
        if not pids:
            return
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        time.sleep(0.01)
    check(False, "ranks of the killed decode are still running")


def mpi(n, args):
    return [MPIRUN, "--oversubscribe", "-np", str(n), HV] + args


def decode_args(vectors, documents, out, *extra):
    return ["decode", vectors, "--codebook", os.path.join(DATA, "codebook.npy"),
            "--labels", os.path.join(DATA, "labels.txt"), "--dim", "4096",
            "--documents", documents, "-o", out, "--summary", out + ".summary"] + list(extra)


def summary_without_time(path):
    s = json.load(open(path))
    s.pop("seconds"), s.pop("documents_per_second")
    return s


def report_without_time(text):
    return text.split("\n", 1)[1]  # the first line gives the seconds


def read(path):
    with open(path, "rb") as f:
        return f.read()


tmp = tempfile.mkdtemp(prefix="hypervec-mpi-decode-")
try:
    docs = os.path.join(DATA, "analogies.jsonl")
    packed = os.path.join(DATA, "noisy.npy")
    # The same documents as float ±1 (packbits bit 1 = -1).
    bits = np.unpackbits(np.load(packed), axis=1)[:, :4096]
    floats = np.where(bits == 1, -1.0, 1.0).astype(np.float32)
    float_path = os.path.join(tmp, "noisy_float.npy")
    np.save(float_path, floats)

    # 1. Byte-identical to one process: N = 1..4, uneven blocks, both inputs;
    # and with a sharded codebook (--codebook-shards S: N / S document groups
    # of S ranks, each group holding the codebook split over its ranks).
    plain = [(n, 1) for n in ((1, 3) if SANITIZED else (1, 2, 3, 4))]
    sharded = [(2, 2)] if SANITIZED else [(2, 2), (4, 2), (3, 3)]
    cases = [(packed, ["--chunk", "37"], plain + sharded), (packed, ["--chunk", "200"], plain),
             (float_path, ["--chunk", "64", "--sign"], plain), (float_path, ["--chunk", "128"], plain),
             (float_path, ["--chunk", "128", "--per-query", "--paper"], sharded)]
    if SANITIZED:
        cases = [cases[0], cases[2]]
    for c, (vectors, extra, layouts) in enumerate(cases):
        ref = os.path.join(tmp, f"ref{c}.jsonl")
        code, ref_report, err = run([HV] + decode_args(vectors, docs, ref, *extra))
        check(code == 0, f"single-process decode {c}: exit {code}: {err}")
        for n, shards in layouts:
            out = os.path.join(tmp, f"out{c}_{n}_{shards}.jsonl")
            code, report, err = run(mpi(n, decode_args(vectors, docs, out, *extra,
                                                       "--codebook-shards", str(shards))))
            what = f"case {c} ({os.path.basename(vectors)} {' '.join(extra)}), -np {n}, {shards} shard(s)"
            check(code == 0, f"{what}: exit {code}: {err}")
            if code != 0:
                continue
            check(read(out) == read(ref), f"{what}: JSON Lines differ from one process")
            check(summary_without_time(out + ".summary") == summary_without_time(ref + ".summary"),
                  f"{what}: summary differs")
            check(report_without_time(report) == report_without_time(ref_report),
                  f"{what}: report differs:\n{report}\n---\n{ref_report}")
            check(not os.path.exists(out + ".parts"), f"{what}: checkpoints left behind")

    # 2. Killed mid-way, resumed with another rank count: the same bytes.
    reps = 8 if SANITIZED else 40
    big_vectors = os.path.join(tmp, "big.npy")
    np.save(big_vectors, np.tile(np.load(packed), (reps, 1)))
    big_docs = os.path.join(tmp, "big.jsonl")
    with open(docs) as f:
        lines = [line for line in f if line.strip()]
    with open(big_docs, "w") as f:
        f.writelines(lines * reps)
    ref = os.path.join(tmp, "big_ref.jsonl")
    extra = ["--chunk", "200", "--threads", "1"]
    code, ref_report, err = run([HV] + decode_args(big_vectors, big_docs, ref, *extra), timeout=600)
    check(code == 0, f"single-process big decode: exit {code}: {err}")
    out = os.path.join(tmp, "big.jsonl.out")
    with open(out, "w") as f:
        f.write("previous output\n")
    parts = out + ".parts"
    blocks = -(-len(lines) * reps // 200)
    p = subprocess.Popen(mpi(2, decode_args(big_vectors, big_docs, out, *extra)),
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + TIMEOUT
    done = 0
    while time.monotonic() < deadline and p.poll() is None:
        done = len([f for f in os.listdir(parts) if f.endswith(".counts")]) if os.path.isdir(parts) else 0
        if done >= 6:
            break
        time.sleep(0.005)
    # A lost node: mpirun and every rank at once. The ranks may sit in their
    # own process groups, so they are found by their command line too.
    os.killpg(p.pid, signal.SIGKILL)
    kill_ranks_writing(out)
    p.wait()
    killed_done = len([f for f in os.listdir(parts) if f.endswith(".counts")]) if os.path.isdir(parts) else 0
    check(6 <= killed_done < blocks,
          f"the run was not killed mid-way ({killed_done} of {blocks} blocks done)")
    check(read(out) == b"previous output\n", "a killed decode touched the previous output")
    # Resumed on another layout: 2 document groups of 2 codebook shards (-np 3
    # under ASan, which is slower per rank); blocks do not depend on it.
    resume_layout = ["--codebook-shards", "1"] if SANITIZED else ["--codebook-shards", "2"]
    code, report, err = run(mpi(3 if SANITIZED else 4, decode_args(big_vectors, big_docs, out, *extra,
                                                                  *resume_layout)), timeout=600)
    check(code == 0, f"resumed decode: exit {code}: {err}")
    check(f"resumed: {killed_done} of {blocks} blocks" in err,
          f"the resumed run did not resume from the {killed_done} finished blocks: {err}")
    if code == 0:
        check(read(out) == read(ref), "resumed decode differs from an uninterrupted one")
        check(summary_without_time(out + ".summary") == summary_without_time(ref + ".summary"),
              "resumed summary differs")
        check(report_without_time(report) == report_without_time(ref_report), "resumed report differs")
    check(not os.path.exists(parts), "checkpoints left after the resumed decode")

    # 3. Checkpoints of another command (other -k) are not used.
    other = os.path.join(tmp, "other.jsonl")
    code, _, err = run(mpi(2, decode_args(packed, docs, other, "--chunk", "100")))
    check(code == 0, f"decode -k 5: exit {code}")
    os.makedirs(other + ".parts")
    with open(other + ".parts/manifest.json", "w") as f:
        f.write("{}\n")
    for b in range(5):  # forged finished blocks: must be discarded
        with open(other + f".parts/block-{b:010d}.jsonl", "w") as f:
            f.write("forged\n")
        with open(other + f".parts/block-{b:010d}.counts", "w") as f:
            f.write("0 0 0 0 0 0 0 0\n")
    ref_other = read(other)
    code, _, err = run(mpi(3, decode_args(packed, docs, other, "--chunk", "100")))
    check(code == 0 and "starting over" in err, f"foreign checkpoints: exit {code}: {err}")
    check(read(other) == ref_other, "foreign checkpoints leaked into the output")

    # 4. A failing rank: a NaN in a document of the last rank's range.
    bad = floats.copy()
    bad[450, 9] = np.nan
    bad_path = os.path.join(tmp, "bad.npy")
    np.save(bad_path, bad)
    out = os.path.join(tmp, "bad.jsonl")
    with open(out, "w") as f:
        f.write("previous output\n")
    for n in (2, 4):
        t0 = time.monotonic()
        code, _, err = run(mpi(n, decode_args(bad_path, docs, out, "--chunk", "50")), timeout=60)
        took = time.monotonic() - t0
        check(code == 3, f"-np {n}: a NaN vector gave exit {code}, not 3: {err}")
        check("bad.npy: document 450" in err and "component 9 is nan" in err,
              f"-np {n}: the message does not name the file and the document: {err}")
        check(took < 60, f"-np {n}: the failing decode took {took:.1f} s")
        check(read(out) == b"previous output\n", f"-np {n}: a failed decode changed the output")

    # 5. Fewer documents than vectors, found by whichever rank reads past the end.
    short = os.path.join(tmp, "short.jsonl")
    with open(short, "w") as f:
        f.writelines(lines[:400])
    code, _, err = run(mpi(3, decode_args(packed, short, os.path.join(tmp, "s.jsonl"), "--chunk", "50")))
    check(code == 3 and "has 400 documents but" in err, f"short documents: exit {code}: {err}")

    # 6. Usage errors: no -o file; another subcommand on several ranks.
    args = decode_args(packed, docs, "-")
    code, _, err = run(mpi(2, args[:args.index("-o")] + ["--chunk", "100"]))
    check(code == 2 and "pass -o FILE" in err and err.count("pass -o FILE") == 1,
          f"decode without -o: exit {code}: {err}")
    for n, flags, text in ((4, ["--codebook-shards", "3"], "must divide the 4 ranks"),
                           (2, ["--codebook-shards", "2", "--greedy"], "--greedy unbinds with every")):
        code, _, err = run(mpi(n, decode_args(packed, docs, os.path.join(tmp, "u.jsonl"), *flags)))
        check(code == 2 and err.count(text) == 1, f"{' '.join(flags)} on {n} ranks: exit {code}: {err}")
    code, _, err = run([HV] + decode_args(packed, docs, os.path.join(tmp, "u.jsonl"), "--codebook-shards", "2"))
    check(code == 2 and "run under mpirun" in err, f"--codebook-shards without mpirun: exit {code}: {err}")
    code, _, err = run(mpi(2, ["stats", "--codebook", os.path.join(DATA, "codebook.npy"),
                               "--labels", os.path.join(DATA, "labels.txt"), "--dim", "4096"]))
    check(code == 2 and "only `hypervec decode`" in err, f"stats on 2 ranks: exit {code}: {err}")
finally:
    shutil.rmtree(tmp, ignore_errors=True)

if failures:
    print(f"{len(failures)} failure(s)", file=sys.stderr)
    sys.exit(1)
print("mpi decode: all checks passed")
