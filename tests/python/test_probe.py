"""hypervec.probe.Decoder against `hypervec decode`: the bundled sample data
(data/probe/) decoded from Python must give the CLI's answers, document by
document, for each of the CLI's decoding options."""

import json
import os
import subprocess
import sys

import numpy as np
import pytest

import hypervec as hv
from hypervec import probe

DIM = 4096


@pytest.fixture(scope="module")
def data(source_root):
    d = os.path.join(source_root, "data", "probe")
    return {name: os.path.join(d, name) for name in
            ("codebook.npy", "labels.txt", "analogies.jsonl", "clean.npy", "noisy.npy")}


@pytest.fixture(scope="module")
def cli(build_root, source_root):
    """The hypervec binary of this build (HYPERVEC_BUILD_ROOT, as meson test sets it);
    outside meson, the first of build/{py,release,debug} that has one."""
    if build_root:
        path = os.path.join(build_root, "src", "cli", "hypervec")
        assert os.path.exists(path), f"{path} is missing: build the CLI (ninja -C {build_root})"
        return path
    for b in ("py", "release", "debug"):
        path = os.path.join(source_root, "build", b, "src", "cli", "hypervec")
        if os.path.exists(path):
            return path
    pytest.skip("no hypervec CLI build found (set HYPERVEC_BUILD_ROOT)")


@pytest.fixture(scope="module")
def memory(data):
    return hv.Memory.load(data["codebook.npy"], data["labels.txt"], dim=DIM)


def run_cli(cli, data, vectors, documents, tmp_path, flags):
    out, summary = tmp_path / "out.jsonl", tmp_path / "summary.json"
    subprocess.run([cli, "decode", vectors, "--codebook", data["codebook.npy"], "--labels",
                    data["labels.txt"], "--dim", str(DIM), "--documents", documents, "-o", str(out),
                    "--summary", str(summary), "--examples", "0", *flags],
                   check=True, capture_output=True)
    with open(out) as f:
        lines = [json.loads(line) for line in f]
    with open(summary) as f:
        return lines, json.load(f)


def load_vectors(path):
    a = np.load(path)
    return hv.Packed.from_packbits(a, DIM, one="negative") if a.dtype == np.uint8 else a


def assert_same_answers(cli_lines, decodings):
    assert len(cli_lines) == len(decodings)
    for want, got in zip(cli_lines, decodings):
        assert probe.cli_record(got) == want, f"document {want['doc']} differs"


def assert_same_summary(cli_summary, decodings):
    ours = probe.summarize(decodings)
    for key in ("documents", "evaluated", "abstained", "greedy", "inverted_polarity",
                "polarity_suspect", "precision@1", "precision@3", "precision@5"):
        assert ours.get(key) == cli_summary.get(key), key


# Each case: the CLI flags, the Decoder options that mean the same, and how many
# documents to decode (greedy search scans every codebook row as a key per
# triggered document: a prefix of the file keeps the test short).
CASES = {
    "default": ([], {}, None),
    "paper_k3": (["--paper", "-k", "3"], {"selection": "paper", "k": 3}, None),
    "greedy_keep_context": (["--greedy", "--keep-context", "--presence", "0.05"],
                            {"greedy": True, "exclude_context": False, "min_cosine": 0.05}, 40),
    "greedy_trigger": (["--greedy", "--greedy-trigger", "0.9", "-k", "2"],
                       {"greedy": True, "greedy_trigger": 0.9, "k": 2}, 30),
    "per_query": (["--per-query", "--threads", "1"], {"report_queries": True, "threads": 1}, None),
}


def prefix_files(data, vectors, n, tmp_path):
    """The first n documents of a vectors file and of analogies.jsonl, as new files."""
    vec_path, doc_path = str(tmp_path / "prefix.npy"), str(tmp_path / "prefix.jsonl")
    np.save(vec_path, np.load(data[vectors])[:n])
    with open(data["analogies.jsonl"]) as f, open(doc_path, "w") as out:
        out.writelines(f.readlines()[:n])
    return vec_path, doc_path


@pytest.mark.parametrize("vectors", ["noisy.npy", "clean.npy"])
@pytest.mark.parametrize("case", sorted(CASES))
def test_packed_vectors_decode_as_the_cli_does(cli, data, memory, tmp_path, vectors, case,
                                               sanitized):
    flags, options, n = CASES[case]
    if sanitized and "--greedy" in flags:
        n = 4  # greedy tries every codebook row as a key: minutes per file under ASan
    vec_path, doc_path = data[vectors], data["analogies.jsonl"]
    if n is not None:
        vec_path, doc_path = prefix_files(data, vectors, n, tmp_path)
    cli_lines, cli_summary = run_cli(cli, data, vec_path, doc_path, tmp_path, flags)
    docs = probe.read_documents(doc_path)
    decoder = probe.Decoder(memory, **options)
    got = decoder.decode(load_vectors(vec_path), docs["context"], docs["target"])
    assert_same_answers(cli_lines, got)
    assert_same_summary(cli_summary, got)


@pytest.mark.parametrize("sign", [False, True])
def test_float_vectors_decode_as_the_cli_does(cli, data, memory, tmp_path, rng, sign):
    # Real-valued document vectors (the probe's encoder output before quantisation):
    # the noisy signs with random positive weights, some components exactly 0.
    bits = load_vectors(data["noisy.npy"]).to_bipolar()
    weights = rng.uniform(0.2, 2.0, bits.shape).astype(np.float32)
    weights[rng.random(bits.shape) < 0.02] = 0
    floats = (bits * weights).astype(np.float32)
    path = str(tmp_path / "floats.npy")
    np.save(path, floats)
    flags = ["--sign"] if sign else []
    cli_lines, cli_summary = run_cli(cli, data, path, data["analogies.jsonl"], tmp_path, flags)
    docs = probe.read_documents(data["analogies.jsonl"])
    decoder = probe.Decoder(memory, float_input="sign" if sign else "as_is")
    got = decoder.decode(floats, docs["context"], docs["target"])
    assert_same_answers(cli_lines, got)
    assert_same_summary(cli_summary, got)


def test_explain_away_context_free_documents(cli, data, memory, tmp_path):
    # Context-free documents: the bundle of one noisy document plus two atoms,
    # decoded by explain-away; the two atoms must be found.
    docs = probe.read_documents(data["analogies.jsonl"])
    n = 40
    base = load_vectors(data["noisy.npy"]).to_bipolar()[:n]
    atoms = memory.codebook()[np.arange(n) * 7 % 3000].to_bipolar()
    atoms2 = memory.codebook()[np.arange(n) * 11 % 3000 + 1].to_bipolar()
    floats = (base + atoms + atoms2).astype(np.float32)
    vec_path, doc_path = str(tmp_path / "bundles.npy"), tmp_path / "docs.jsonl"
    np.save(vec_path, floats)
    with open(doc_path, "w") as f:
        for i in range(n):
            f.write(json.dumps({"context": [], "target": memory.labels[i * 7 % 3000]}) + "\n")
    cli_lines, cli_summary = run_cli(cli, data, vec_path, str(doc_path), tmp_path, ["--explain-away"])
    got = probe.Decoder(memory, explain_away=True).decode(
        floats, [[] for _ in range(n)], [i * 7 % 3000 for i in range(n)])
    assert_same_answers(cli_lines, got)
    assert_same_summary(cli_summary, got)
    for i, d in enumerate(got):
        found = {a["id"] for a in d["answers"]}
        assert {i * 7 % 3000, i * 11 % 3000 + 1} <= found, i


@pytest.mark.parametrize("packed", [True, False])
def test_synthetic_set_decodes_as_the_cli_does(cli, data, tmp_path, rng, packed):
    # A random codebook and documents with 1 to 5 context atoms (roles
    # "context[i]" besides the analogy's three), some without a target:
    # v = c_1 * t + c_2 + ... + c_n + noise, as float sums or their signs.
    m, dim, n = 400, 2048, 120
    book = np.where(rng.random((m, dim)) < 0.5, -1.0, 1.0).astype(np.float32)
    labels = [f"w{i}" for i in range(m)]
    files = {"codebook.npy": str(tmp_path / "book.npy"), "labels.txt": str(tmp_path / "labels.txt")}
    np.save(files["codebook.npy"], np.packbits(book < 0, axis=1))
    with open(files["labels.txt"], "w") as f:
        f.write("\n".join(labels) + "\n")
    contexts, targets, vectors = [], [], []
    for d in range(n):
        atoms = rng.choice(m, size=int(rng.integers(1, 6)) + 1, replace=False)
        context, target = atoms[:-1].tolist(), int(atoms[-1])
        v = book[context[0]] * book[target] + book[context[1:]].sum(axis=0)
        v += rng.normal(0, 1.0, dim)
        contexts.append(context)
        targets.append(target if d % 4 else None)
        vectors.append(v)
    vectors = np.array(vectors, np.float32)
    doc_path = tmp_path / "docs.jsonl"
    with open(doc_path, "w") as f:
        f.write("   \n")  # blank lines are skipped
        for c, t in zip(contexts, targets):
            doc = {"context": [labels[i] for i in c], "text": "synthetic"}
            if t is not None:
                doc["target"] = labels[t]
            f.write(json.dumps(doc) + "\n\n")
    vec_path = str(tmp_path / "vectors.npy")
    if packed:
        np.save(vec_path, np.packbits(vectors <= 0, axis=1))  # ties -> -1, bit 1 = -1
        given = hv.Packed.from_packbits(np.load(vec_path), dim, one="negative")
    else:
        np.save(vec_path, vectors)
        given = vectors
    out, summary = tmp_path / "out.jsonl", tmp_path / "summary.json"
    subprocess.run([cli, "decode", vec_path, "--codebook", files["codebook.npy"], "--labels",
                    files["labels.txt"], "--dim", str(dim), "--documents", str(doc_path),
                    "-o", str(out), "--summary", str(summary), "-k", "4", "--presence", "0.08"],
                   check=True, capture_output=True)
    cli_lines = [json.loads(line) for line in open(out)]
    docs = probe.read_documents(str(doc_path))
    assert docs["context"] == [[labels[i] for i in c] for c in contexts]
    decoder = probe.Decoder(book, labels, k=4, min_cosine=0.08)  # the codebook array itself
    got = decoder.decode(given, docs["context"], docs["target"])
    assert_same_answers(cli_lines, got)
    assert_same_summary(json.load(open(summary)), got)
    roles = {d["role"] for d in got if d["role"] is not None}
    assert "target" in roles and any(d["target"] is None for d in got)


def test_notebook_flow_reaches_the_documented_precision(data, memory):
    # README / data/probe/README.md: both sets decode at precision@1 = 1.
    docs = probe.read_documents(data["analogies.jsonl"])
    for name in ("clean.npy", "noisy.npy"):
        got = probe.Decoder(memory).decode(load_vectors(data[name]), docs["context"], docs["target"])
        s = probe.summarize(got)
        assert s["documents"] == s["evaluated"] == 500
        assert s["precision@1"] == 1.0 and s["abstained"] == 0 and not s["polarity_suspect"]
        assert all(d["role"] == "target" and d["answers"][0]["label"] == d["target"] for d in got)


def test_ids_labels_and_int_arrays_give_the_same_decoding(data, memory):
    docs = probe.read_documents(data["analogies.jsonl"])
    vectors = load_vectors(data["noisy.npy"])[:50]
    contexts = docs["context"][:50]
    targets = docs["target"][:50]
    ids = np.array([[memory.find(a) for a in c] for c in contexts], dtype=np.int64)
    target_ids = np.array([memory.find(t) for t in targets], dtype=np.int64)
    decoder = probe.Decoder(memory)
    by_label = decoder.decode(vectors, contexts, targets)
    by_id = decoder.decode(vectors, ids, target_ids)
    assert by_label == by_id
    no_target = decoder.decode(vectors, ids)
    assert all(d["target"] is None and d["rank"] is None for d in no_target)
    assert [d["answers"] for d in no_target] == [d["answers"] for d in by_id]
    assert probe.summarize(no_target)["evaluated"] == 0


def test_polarity_flip_is_flagged(data, memory):
    # Document vectors read with the wrong packbits convention (one="positive" for a
    # np.packbits(x < 0) file) are negated: the decoder abstains with strongly
    # negative matches, and summarize says so.
    flipped = hv.Packed.from_packbits(np.load(data["clean.npy"])[:40], DIM, one="positive")
    docs = probe.read_documents(data["analogies.jsonl"])
    got = probe.Decoder(memory).decode(flipped, docs["context"][:40], docs["target"][:40])
    s = probe.summarize(got)
    assert s["abstained"] == 40 and s["inverted_polarity"] == 40 and s["polarity_suspect"]
    assert all(d["inverted_cosine"] < -0.3 for d in got)


def test_columns(data, memory):
    docs = probe.read_documents(data["analogies.jsonl"])
    got = probe.Decoder(memory, k=3, min_cosine=0.05).decode(
        load_vectors(data["noisy.npy"])[:20], docs["context"][:20], docs["target"][:20])
    c = probe.columns(got, k=3)
    assert c["ids"].shape == (20, 3) and c["ids"].dtype == np.int64
    for i, d in enumerate(got):
        assert c["top_id"][i] == d["answers"][0]["id"] == c["ids"][i, 0]
        assert c["top_label"][i] == d["target"] and c["rank"][i] == 1 and c["role"][i] == "target"
        for j in range(3):
            if j < len(d["answers"]):
                assert c["cosines"][i, j] == d["answers"][j]["cosine"]
            else:
                assert c["ids"][i, j] == -1 and np.isnan(c["z"][i, j])


def test_decoder_errors(data, memory):
    vectors = load_vectors(data["noisy.npy"])[:2]
    decoder = probe.Decoder(memory)
    with pytest.raises(ValueError, match="'nowhere' is not a label"):
        decoder.decode(vectors, [["rome", "nowhere"], ["rome"]])
    with pytest.raises(ValueError, match="contexts has 1 entries but vectors has 2"):
        decoder.decode(vectors, [["rome"]])
    with pytest.raises(ValueError):
        decoder.decode(vectors, [[5000], [1]])  # id out of range
    with pytest.raises(ValueError, match=">= 0"):
        decoder.decode(vectors, [[-3], [1]])
    with pytest.raises(ValueError, match="D=100 but the memory has D=4096"):
        decoder.decode(np.ones((2, 100), np.float32), [[1], [2]])
    with pytest.raises(ValueError, match="k=3001"):
        probe.Decoder(memory, k=3001)
    with pytest.raises(ValueError, match="from_packbits"):
        decoder.decode(np.load(data["noisy.npy"])[:2], [[1], [2]])
    with pytest.raises(ValueError, match="threads=-2"):
        probe.Decoder(memory, threads=-2)
    with pytest.raises(ValueError, match="not bipolar"):
        probe.Decoder(np.full((3, 64), 0.5, np.float32))
    with pytest.raises(ValueError, match="labels"):
        probe.Decoder(memory, ["a"])
    with pytest.raises(ValueError, match="selection"):
        probe.Decoder(memory, selection="worst")
    with pytest.raises(ValueError, match="float_input"):
        probe.Decoder(memory, float_input="round")
    with pytest.raises(ValueError):
        decoder.decode(np.zeros((2, DIM), np.float32), [[1], [2]])  # zero vectors, as_is


def test_example_script_prints_full_precision(source_root):
    script = os.path.join(source_root, "examples", "python", "decode_probe.py")
    env = dict(os.environ, PYTHONPATH=os.path.dirname(os.path.dirname(hv.__file__)))
    out = subprocess.run([sys.executable, script, "noisy"], check=True, capture_output=True,
                         text=True, env=env).stdout
    assert "precision@1 1.0000" in out and "rome : italy = dublin : ireland: ireland" in out


@pytest.mark.rss
def test_repeated_decodes_do_not_leak(data, memory):
    # 2*10^4 decodes of two documents: a leaked decoding (dicts, lists, strings:
    # well over 1 kB) per call would add > 20 MB.
    docs = probe.read_documents(data["analogies.jsonl"])
    vectors = load_vectors(data["noisy.npy"])[:2]
    decoder = probe.Decoder(memory, k=2)
    for _ in range(2000):
        decoder.decode(vectors, docs["context"][:2], docs["target"][:2])
    with open("/proc/self/statm") as f:
        before = int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    for _ in range(20000):
        decoder.decode(vectors, docs["context"][:2], docs["target"][:2])
    with open("/proc/self/statm") as f:
        after = int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    assert after - before < 8 * 2**20
