"""hypervec.Packed: layout, conversions (bipolar, np.packbits both polarities and
bit orders), indexing and zero-copy, checked against plain NumPy."""

import numpy as np
import pytest

import hypervec as hv


def reference_words(x):
    """Packs bipolar rows by hand: component i -> bit i % 64 of word i // 64, 1 = -1."""
    d = x.shape[-1]
    w = (d + 63) // 64
    bits = np.zeros(x.shape[:-1] + (w * 64,), dtype=np.uint64)
    bits[..., :d] = (x < 0)
    weights = np.uint64(1) << np.arange(64, dtype=np.uint64)
    return (bits.reshape(x.shape[:-1] + (w, 64)) * weights).sum(axis=-1, dtype=np.uint64)


@pytest.mark.parametrize("d", [1, 63, 64, 65, 1000, 4096])
def test_from_bipolar_matches_reference_layout(rng, d):
    x = rng.choice(np.array([-1, 1], dtype=np.float32), size=(3, 2, d))
    p = hv.Packed.from_bipolar(x)
    assert p.shape == (3, 2, d) and p.dim == d
    np.testing.assert_array_equal(p.words, reference_words(x))
    np.testing.assert_array_equal(p.to_bipolar(), x)
    np.testing.assert_array_equal(p.to_bipolar(np.int8), x.astype(np.int8))


@pytest.mark.parametrize("d", [1, 7, 8, 9, 1001])
@pytest.mark.parametrize("bitorder", ["big", "little"])
def test_packbits_round_trip_both_polarities(rng, d, bitorder):
    x = rng.choice(np.array([-1, 1], dtype=np.float32), size=(5, d))
    neg = np.packbits(x < 0, axis=-1, bitorder=bitorder)
    pos = np.packbits(x > 0, axis=-1, bitorder=bitorder)
    p = hv.Packed.from_packbits(neg, d, one="negative", bitorder=bitorder)
    assert p == hv.Packed.from_bipolar(x)
    assert p == hv.Packed.from_packbits(pos, d, one="positive", bitorder=bitorder)
    np.testing.assert_array_equal(p.to_packbits(one="negative", bitorder=bitorder), neg)
    np.testing.assert_array_equal(p.to_packbits(one="positive", bitorder=bitorder), pos)


def test_polarity_is_required():
    with pytest.raises(TypeError):
        hv.Packed.from_packbits(np.zeros(2, np.uint8), 16)
    with pytest.raises(ValueError, match="one='up'"):
        hv.Packed.from_packbits(np.zeros(2, np.uint8), 16, one="up")


def test_bad_input_names_the_problem():
    with pytest.raises(ValueError, match="component 2 is 0"):
        hv.Packed.from_bipolar(np.array([1, -1, 0, 1], np.float32))
    with pytest.raises(ValueError, match="nan"):
        hv.Packed.from_bipolar(np.array([1, np.nan], np.float32))
    with pytest.raises(ValueError, match="padding bits"):
        hv.Packed.from_packbits(np.array([0xFF], np.uint8), 5, one="negative")
    with pytest.raises(ValueError, match="needs 2"):
        hv.Packed(np.zeros((3, 1), np.uint64), 100)
    with pytest.raises(ValueError, match="past D=3"):
        hv.Packed(np.array([8], np.uint64), 3)
    with pytest.raises(ValueError, match="uint64"):
        hv.Packed(np.zeros(2, np.int64), 100)


def test_words_are_shared_not_copied(rng):
    words = reference_words(rng.choice(np.array([-1.0, 1.0]), size=(4, 130)))
    p = hv.Packed(words, 130)
    assert np.shares_memory(p.words, words)
    assert np.shares_memory(np.asarray(memoryview(p)), words)
    q = p[1:3]
    assert q.shape == (2, 130) and np.shares_memory(q.words, words)
    assert p[2] == hv.Packed(words[2], 130)
    with pytest.raises(IndexError):
        p[0, 0]


def test_pickle_round_trip(rng):
    import pickle

    p = hv.random(3, 77, "BSC", seed=5)
    assert pickle.loads(pickle.dumps(p)) == p
