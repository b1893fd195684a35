"""torchhd's composite verbs in hypervec.functional (bundle, multiset with a tie rule,
negative, multibind, bind/bundle_sequence, ngrams, hash_table, cross_product, graph,
normalize, hard_quantize, map_range, value_to_index, index_to_value), each against
a NumPy transcription of torchhd's definition."""

import numpy as np
import pytest

import hypervec as hv
from reference import MODELS, bipolar, ref_bind, to_model, to_numpy, vectors

D = 129  # set per test by _dimension below


@pytest.fixture(autouse=True, params=[128, 129], ids=lambda d: f"D={d}")
def _dimension(request):
    """Every test here runs at an even D (whole 64-bit words and SIMD vectors) and an
    odd D (a partial last word and a scalar tail); the tests read the global D."""
    global D
    D = request.param


def ref_multibind(vsa, x):
    if vsa == "HRR":
        return np.fft.irfft(np.prod(np.fft.rfft(x.astype(np.float64)), axis=-2), n=x.shape[-1])
    return np.prod(x, axis=-2)


def ref_multiset(vsa, x):
    s = x.sum(axis=-2)
    return np.where(s > 0, 1, -1).astype(np.float32) if vsa == "BSC" else s


def close(vsa, got, want):
    if vsa == "BSC":
        np.testing.assert_array_equal(got, want)
    else:
        np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-4)


# --- bundle ---------------------------------------------------------------------------

@pytest.mark.parametrize("vsa", ["MAP", "HRR", "FHRR"])
def test_dense_bundle_is_sum_and_broadcasts(rng, vsa):
    a, b = vectors(rng, vsa, (3, 1, D)), vectors(rng, vsa, (4, D))
    out = hv.bundle(a, b, vsa=vsa)
    assert out.shape == (3, 4, D)
    np.testing.assert_allclose(out, a + b, rtol=1e-6, atol=1e-6)


def test_map_bundle_of_int8_is_float32(rng):
    a = bipolar(rng, (D,), np.int8)
    out = hv.bundle(a, a)
    assert out.dtype == np.float32
    np.testing.assert_array_equal(out, 2 * a.astype(np.float32))


@pytest.mark.parametrize("tie,value", [("negative", -1), ("positive", 1)])
def test_bsc_bundle_fixed_ties(rng, tie, value):
    a, b = bipolar(rng, (5, D)), bipolar(rng, (5, D))
    out = hv.bundle(hv.Packed.from_bipolar(a), hv.Packed.from_bipolar(b), tie=tie).to_bipolar()
    np.testing.assert_array_equal(out, np.where(a == b, a, value))


def test_bsc_bundle_random_ties_are_seeded_coins(rng):
    a, b = bipolar(rng, (2, 3, D)), bipolar(rng, (3, D))
    pa, pb = hv.Packed.from_bipolar(a), hv.Packed.from_bipolar(b)
    out = hv.bundle(pa, pb, seed=11)
    coins = hv.random(6, D, "BSC", seed=11).to_bipolar().reshape(2, 3, D)
    np.testing.assert_array_equal(out.to_bipolar(), np.where(a == b, a, coins))
    assert out == hv.bundle(pa, pb, seed=11)
    # the same rule as the majority of the stacked pair (one group per output row)
    pair = hv.Packed.from_bipolar(np.stack(np.broadcast_arrays(a, b), axis=-2))
    assert out == hv.multiset(pair, tie="random", seed=11)


def test_bsc_bundle_random_ties_are_fair(rng):
    d = 1 << 14
    a = hv.random(1, d, "BSC", seed=1)
    out = hv.bundle(a, hv.negative(a), seed=2).to_bipolar()  # every component a tie
    # fraction of +1 among d fair coins: mean 1/2, σ = 1/(2√d)
    assert abs((out > 0).mean() - 0.5) < 5 / (2 * np.sqrt(d))


def test_bundle_errors(rng):
    a = bipolar(rng, (D,))
    with pytest.raises(ValueError, match=rf"bundle: input has D={D} and other has D={D - 1}"):
        hv.bundle(a, a[:-1])
    with pytest.raises(ValueError, match=r"bundle: tie='up'"):
        hv.bundle(hv.Packed.from_bipolar(a), hv.Packed.from_bipolar(a), tie="up")
    with pytest.raises(ValueError, match=r"bundle: other is ndarray; BSC needs a hypervec.Packed"):
        hv.bundle(hv.Packed.from_bipolar(a), a, vsa="BSC")
    with pytest.raises(ValueError, match=r"bundle: input of batch shape"):
        hv.bundle(bipolar(rng, (2, D)), bipolar(rng, (3, D)))


# --- multiset ties --------------------------------------------------------------------

@pytest.mark.parametrize("n", [2, 4, 6])
def test_bsc_multiset_tie_rules(rng, n):
    x = bipolar(rng, (2, 3, n, D))
    p = hv.Packed.from_bipolar(x)
    s = x.sum(axis=-2)
    np.testing.assert_array_equal(hv.multiset(p, tie="positive").to_bipolar(), np.where(s >= 0, 1, -1))
    np.testing.assert_array_equal(hv.multiset(p).to_bipolar(), np.where(s > 0, 1, -1))
    coins = hv.random(6, D, "BSC", seed=5).to_bipolar().reshape(2, 3, D)
    np.testing.assert_array_equal(hv.multiset(p, tie="random", seed=5).to_bipolar(),
                                  np.where(s == 0, coins, np.sign(s)))
    assert hv.multibundle is hv.multiset


def test_bsc_multiset_odd_n_ignores_tie_rule(rng):
    p = hv.Packed.from_bipolar(bipolar(rng, (5, D)))
    assert hv.multiset(p, tie="random", seed=1) == hv.multiset(p, tie="positive")


def test_multiset_bad_tie_names_function():
    p = hv.random(2, D, "BSC", seed=1)
    with pytest.raises(ValueError, match=r"bsc.majority: tie='coin'"):
        hv.multiset(p, tie="coin")


# --- negative, multibind, sequences ----------------------------------------------------

@pytest.mark.parametrize("vsa", MODELS)
def test_negative(rng, vsa):
    x = vectors(rng, vsa, (3, D))
    out = hv.negative(to_model(vsa, x), vsa=vsa)
    np.testing.assert_array_equal(to_numpy(vsa, out), -x)
    if vsa == "BSC":
        if D % 64:  # padding stays 0
            assert (np.asarray(out.words)[..., -1] >> np.uint64(D % 64)).max() == 0
    else:
        np.testing.assert_array_equal(hv.bundle(x, out, vsa=vsa), np.zeros_like(x))


@pytest.mark.parametrize("vsa", MODELS)
@pytest.mark.parametrize("n", [1, 2, 5])
def test_multibind(rng, vsa, n):
    x = vectors(rng, vsa, (2, n, D))
    out = hv.multibind(to_model(vsa, x), vsa=vsa)
    assert tuple(out.shape) == (2, D)
    close(vsa, to_numpy(vsa, out), ref_multibind(vsa, x))


def permuted(x):
    n = x.shape[-2]
    return np.stack([np.roll(x[..., i, :], n - 1 - i, axis=-1) for i in range(n)], axis=-2)


@pytest.mark.parametrize("vsa", MODELS)
def test_bind_and_bundle_sequence(rng, vsa):
    x = vectors(rng, vsa, (3, 4, D))
    px = to_model(vsa, x)
    close(vsa, to_numpy(vsa, hv.bind_sequence(px, vsa=vsa)), ref_multibind(vsa, permuted(x)))
    close(vsa, to_numpy(vsa, hv.bundle_sequence(px, vsa=vsa)), ref_multiset(vsa, permuted(x)))


def test_bind_sequence_is_order_sensitive(rng):
    x = bipolar(rng, (3, 2048))
    a = hv.bind_sequence(x)
    b = hv.bind_sequence(x[::-1].copy())
    assert abs(float(hv.cos(a, b))) < 5 / np.sqrt(2048)


def ref_ngrams(vsa, x, n):
    m = x.shape[-2]
    grams = []
    for i in range(m - n + 1):
        window = x[..., i:i + n, :]
        grams.append(ref_multibind(vsa, permuted(window)))
    return ref_multiset(vsa, np.stack(grams, axis=-2))


@pytest.mark.parametrize("vsa", MODELS)
@pytest.mark.parametrize("n", [1, 2, 3, 6])
def test_ngrams(rng, vsa, n):
    x = vectors(rng, vsa, (2, 6, D))
    out = hv.ngrams(to_model(vsa, x), n, vsa=vsa)
    close(vsa, to_numpy(vsa, out), ref_ngrams(vsa, x, n))


def test_ngrams_of_full_length_is_bind_sequence(rng):
    x = bipolar(rng, (4, D))
    np.testing.assert_array_equal(hv.ngrams(x, 4), hv.bind_sequence(x))


def test_ngrams_bad_n():
    x = hv.random(3, D, seed=1)
    with pytest.raises(ValueError, match=r"ngrams: n=4 must be an integer with 1 <= n <= m = 3"):
        hv.ngrams(x, 4)
    with pytest.raises(ValueError, match=r"ngrams: n=0"):
        hv.ngrams(x, 0)
    with pytest.raises(ValueError, match=rf"ngrams: input has shape \({D},\)"):
        hv.ngrams(x[0], 2)


# --- hash_table, cross_product, graph --------------------------------------------------

@pytest.mark.parametrize("vsa", MODELS)
def test_hash_table_and_cross_product(rng, vsa):
    k, v = vectors(rng, vsa, (2, 5, D)), vectors(rng, vsa, (2, 5, D))
    pk, pv = to_model(vsa, k), to_model(vsa, v)
    close(vsa, to_numpy(vsa, hv.hash_table(pk, pv, vsa=vsa)), ref_multiset(vsa, ref_bind(vsa, k, v)))
    w = vectors(rng, vsa, (2, 3, D))
    want = ref_bind(vsa, ref_multiset(vsa, k), ref_multiset(vsa, w))
    close(vsa, to_numpy(vsa, hv.cross_product(pk, to_model(vsa, w), vsa=vsa)), want)


def test_hash_table_query_recovers_value(rng):
    d, n = 4096, 5
    keys, values = hv.random(n, d, seed=1), hv.random(n, d, seed=2)
    table = hv.hash_table(keys, values)
    scores = hv.cos(hv.unbind(table, keys[2]), values)
    # right value: cos ≈ 1/√n; the others ≈ N(0, 1/D)
    assert np.argmax(scores) == 2 and scores[2] > 0.3
    assert np.abs(np.delete(scores, 2)).max() < 6 / np.sqrt(d)


def test_hash_table_shape_mismatch():
    with pytest.raises(ValueError, match=rf"hash_table: keys has shape \(3, {D}\) and values has shape"):
        hv.hash_table(hv.random(3, D, seed=1), hv.random(4, D, seed=1))


@pytest.mark.parametrize("vsa", MODELS)
@pytest.mark.parametrize("directed", [False, True])
def test_graph(rng, vsa, directed):
    e = vectors(rng, vsa, (2, 4, D))
    to_nodes, from_nodes = e[0], e[1]
    if directed:
        from_nodes = np.roll(from_nodes, 1, axis=-1)
    want = ref_multiset(vsa, ref_bind(vsa, to_nodes, from_nodes))
    close(vsa, to_numpy(vsa, hv.graph(to_model(vsa, e), vsa=vsa, directed=directed)), want)


# --- normalize, hard_quantize --------------------------------------------------------

def test_normalize_per_model(rng):
    x = rng.standard_normal((3, D)).astype(np.float32)
    x[1] = 0
    l2 = x / np.maximum(np.linalg.norm(x, axis=-1, keepdims=True), 1e-30)
    np.testing.assert_allclose(hv.normalize(x), l2, rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(hv.normalize(x[[0, 2]], vsa="HRR"), l2[[0, 2]], rtol=1e-5, atol=1e-7)
    z = (rng.standard_normal((2, D)) + 1j * rng.standard_normal((2, D))).astype(np.complex64)
    np.testing.assert_allclose(hv.normalize(z), z / np.abs(z), rtol=1e-5, atol=1e-6)
    p = hv.random(2, D, "BSC", seed=1)
    assert hv.normalize(p) == p


def test_hard_quantize_ties_to_negative():
    x = np.array([[3.0, 0.0, -2.0, 0.5]], np.float64)
    out = hv.hard_quantize(x)
    assert out.dtype == np.float32
    np.testing.assert_array_equal(out, [[1, -1, -1, 1]])
    np.testing.assert_array_equal(hv.soft_quantize(x), np.tanh(x))


def test_aliases():
    assert hv.cos is hv.cosine_similarity and hv.dot is hv.dot_similarity


# --- value ranges ------------------------------------------------------------------------

def test_map_range_value_to_index_index_to_value(rng):
    x = rng.uniform(-2, 3, size=(4, 5))
    np.testing.assert_allclose(hv.map_range(x, -2, 3, 0, 10), (x + 2) * 2)
    assert hv.map_range(x.astype(np.float32), -2, 3, 0, 1).dtype == np.float32
    idx = hv.value_to_index(x, -2, 3, 11)
    assert idx.dtype == np.int64
    np.testing.assert_array_equal(idx, np.round((x + 2) * 2))
    np.testing.assert_array_equal(hv.value_to_index([-4.0, 0.25, 5.0], 0, 1, 5), [-16, 1, 20])  # not clamped
    np.testing.assert_array_equal(hv.value_to_index([0.125, 0.375], 0, 1, 5), [0, 2])  # halves to even
    np.testing.assert_allclose(hv.index_to_value(np.arange(5), 5, 0.0, 1.0), np.linspace(0, 1, 5))


def test_value_to_index_matches_torch_round(rng):
    torch = pytest.importorskip("torch")
    x = rng.uniform(0, 1, 1000)
    want = torch.round((torch.from_numpy(x).float()) * 9).long().numpy()
    np.testing.assert_array_equal(hv.value_to_index(x.astype(np.float32), 0.0, 1.0, 10), want)


def test_value_range_errors():
    with pytest.raises(ValueError, match=r"map_range: in_min=1 and in_max=1"):
        hv.map_range(np.ones(3), 1, 1, 0, 1)
    with pytest.raises(ValueError, match=r"value_to_index: input is complex"):
        hv.value_to_index(np.ones(3, np.complex64), 0, 1, 4)
    with pytest.raises(ValueError, match=r"value_to_index: index_length=0"):
        hv.value_to_index(np.ones(3), 0, 1, 0)
    with pytest.raises(ValueError, match=r"value_to_index: input holds NaN"):
        hv.value_to_index(np.array([np.nan]), 0, 1, 4)
    with pytest.raises(ValueError, match=r"index_to_value: index_length=1"):
        hv.index_to_value(np.zeros(3), 1, 0, 1)
