"""probe.Decoder.decode_columns: decode()'s answers as per-document arrays,
equal to probe.columns(decode(...), k=decoder.k) column by column, on the
bundled sample and on random documents with abstentions and missing targets."""

import os

import numpy as np
import pytest

import hypervec as hv
from hypervec import probe

DIM = 4096
KEYS = ("top_id", "top_label", "top_cosine", "top_z", "role", "rank", "query",
        "ids", "labels", "cosines", "z")


def assert_same_columns(got, want):
    assert sorted(got) == sorted(want) == sorted(KEYS)
    for key in KEYS:
        g, w = got[key], want[key]
        assert g.shape == w.shape and g.dtype == w.dtype, key
        if g.dtype == np.float64:
            np.testing.assert_array_equal(g, w, err_msg=key)  # NaNs compare equal here
        else:
            assert g.tolist() == w.tolist(), key


@pytest.fixture(scope="module")
def sample(source_root):
    d = os.path.join(source_root, "data", "probe")
    memory = hv.Memory.load(f"{d}/codebook.npy", f"{d}/labels.txt", dim=DIM)
    vectors = hv.Packed.from_packbits(np.load(f"{d}/noisy.npy"), DIM, one="negative")
    return memory, vectors, probe.read_documents(f"{d}/analogies.jsonl")


@pytest.mark.parametrize("options", [{}, {"k": 3, "min_cosine": 0.05}, {"selection": "paper"},
                                     {"report_queries": True, "threads": 1}])
def test_columns_equal_decode_then_columns_on_the_sample(sample, options):
    memory, vectors, docs = sample
    decoder = probe.Decoder(memory, **options)
    want = probe.columns(decoder.decode(vectors, docs["context"], docs["target"]), k=decoder.k)
    got = decoder.decode_columns(vectors, docs["context"], docs["target"])
    assert_same_columns(got, want)
    assert (got["rank"] == 1).all() and got["ids"].shape == (500, decoder.k)


def test_columns_with_abstentions_and_missing_targets(rng):
    # Random ±1 documents: most abstain at min_cosine 0.1; a planted atom in every
    # third one is answered; every other document has no target.
    m, dim, n = 300, 1024, 90
    book = np.where(rng.random((m, dim)) < 0.5, -1.0, 1.0).astype(np.float32)
    vectors = np.where(rng.random((n, dim)) < 0.5, -1.0, 1.0).astype(np.float32)
    vectors[::3] = book[np.arange(0, n, 3) % m] * 1.0 + 0.5 * vectors[::3]
    contexts = rng.integers(0, m, size=(n, 2))
    targets = np.where(np.arange(n) % 2 == 0, np.arange(n) % m, -1)
    decoder = probe.Decoder(book, [f"w{i}" for i in range(m)], k=4)
    got = decoder.decode_columns(vectors, contexts, targets)
    want = probe.columns(decoder.decode(vectors, contexts, targets), k=4)
    assert_same_columns(got, want)
    assert (got["top_id"] == -1).any() and (got["top_id"] >= 0).any()
    assert (got["role"] == None).sum() == n // 2  # noqa: E711 (object array)


def test_columns_errors_name_the_method(sample):
    memory, vectors, docs = sample
    decoder = probe.Decoder(memory)
    with pytest.raises(ValueError, match="decode_columns.*contexts has 1 entries"):
        decoder.decode_columns(vectors[:2], [["rome"]])
    with pytest.raises(ValueError, match="decode_columns.*'nowhere' is not a label"):
        decoder.decode_columns(vectors[:2], [["rome", "nowhere"], ["rome"]])
    empty = decoder.decode_columns(vectors[:0], [])
    assert empty["ids"].shape == (0, 5) and empty["labels"].shape == (0, 5)
