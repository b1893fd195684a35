"""The model verbs (hypervec.{bsc,map,hrr,fhrr} and the torchhd-style dispatch in
hypervec.functional), each checked against a plain NumPy reference: bind/unbind/
inverse identities, permute = np.roll, multiset = sum (BSC: majority, ties -1),
similarities, broadcasting, dtype rules, errors, and the random codebooks
(reproducible per (seed, row); cosine statistics against σ = 1/√D)."""

import numpy as np
import pytest

import hypervec as hv
from reference import MODELS, bipolar, ref_bind, to_model, to_numpy, vectors

D = 257  # set per test by _dimension below


@pytest.fixture(autouse=True, params=[256, 257], ids=lambda d: f"D={d}")
def _dimension(request):
    """Every test here runs at an even D (whole 64-bit words and SIMD vectors) and an
    odd D (a partial last word and a scalar tail); the tests read the global D."""
    global D
    D = request.param


# --- NumPy references -----------------------------------------------------------

def ref_inverse(vsa, a):
    if vsa == "HRR":
        return np.roll(a[..., ::-1], 1, axis=-1)  # a†_i = a_{-i mod D}
    if vsa == "FHRR":
        return np.conj(a)
    return 1 / a


def tol(vsa):
    return dict(rtol=1e-4, atol=1e-5) if vsa in ("HRR", "FHRR") else dict(rtol=0, atol=0)


# --- bind, unbind, inverse ------------------------------------------------------

@pytest.mark.parametrize("vsa", MODELS)
def test_bind_matches_numpy(rng, vsa):
    a, b = vectors(rng, vsa, (4, D)), vectors(rng, vsa, (4, D))
    out = hv.bind(to_model(vsa, a), to_model(vsa, b), vsa=vsa)
    np.testing.assert_allclose(to_numpy(vsa, out), ref_bind(vsa, a, b), **tol(vsa))


@pytest.mark.parametrize("vsa", MODELS)
def test_unbind_is_bind_with_inverse(rng, vsa):
    c, k = vectors(rng, vsa, (3, D)), vectors(rng, vsa, (3, D))
    mc, mk = to_model(vsa, c), to_model(vsa, k)
    unbound = to_numpy(vsa, hv.unbind(mc, mk, vsa=vsa))
    via_inverse = to_numpy(vsa, hv.bind(mc, hv.inverse(mk, vsa=vsa), vsa=vsa))
    np.testing.assert_allclose(unbound, via_inverse, **tol(vsa))
    np.testing.assert_allclose(to_numpy(vsa, hv.inverse(mk, vsa=vsa)), ref_inverse(vsa, k), **tol(vsa))


@pytest.mark.parametrize("vsa", ["MAP", "BSC", "FHRR"])
def test_unbind_recovers_exactly(rng, vsa):
    a, k = vectors(rng, vsa, (5, D)), vectors(rng, vsa, (5, D))
    ma, mk = to_model(vsa, a), to_model(vsa, k)
    back = to_numpy(vsa, hv.unbind(hv.bind(ma, mk, vsa=vsa), mk, vsa=vsa))
    np.testing.assert_allclose(back, a, **tol(vsa))


def test_hrr_unbind_recovers_approximately(rng):
    d = 4096
    a, k = vectors(rng, "HRR", (d,)), vectors(rng, "HRR", (d,))
    back = hv.unbind(hv.bind(a, k, vsa="HRR"), k, vsa="HRR")
    # cos(a, a ⊛ k ⊛ k†) ≈ 1/√2 for Gaussian k (Plate); far from the σ = 1/√D noise
    cos = float(hv.cosine_similarity(back, a, vsa="HRR"))
    assert cos > 0.5


@pytest.mark.parametrize("vsa", MODELS)
def test_identity_is_neutral_for_bind(rng, vsa):
    a = vectors(rng, vsa, (2, D))
    e = hv.identity(2, D, vsa=vsa)
    out = to_numpy(vsa, hv.bind(e, to_model(vsa, a), vsa=vsa))
    np.testing.assert_allclose(out, a, **tol(vsa))


# --- permute ---------------------------------------------------------------------

@pytest.mark.parametrize("vsa", MODELS)
@pytest.mark.parametrize("shifts", [0, 1, -1, 5, D + 3, -2 * D - 7])
def test_permute_is_roll_and_inverse_undoes_it(rng, vsa, shifts):
    a = vectors(rng, vsa, (3, D))
    ma = to_model(vsa, a)
    p = hv.permute(ma, shifts, vsa=vsa)
    np.testing.assert_array_equal(to_numpy(vsa, p), np.roll(a, shifts, axis=-1))
    np.testing.assert_array_equal(to_numpy(vsa, hv.inverse_permute(p, shifts, vsa=vsa)), a)


# --- multiset ----------------------------------------------------------------------

@pytest.mark.parametrize("vsa", ["MAP", "HRR", "FHRR"])
def test_multiset_is_sum(rng, vsa):
    x = vectors(rng, vsa, (2, 3, 5, D))
    out = hv.multiset(x, vsa=vsa)
    assert out.shape == (2, 3, D)
    np.testing.assert_allclose(out, x.sum(axis=-2), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("n", [1, 2, 3, 4, 7])
def test_bsc_multiset_is_majority_ties_negative(rng, n):
    x = bipolar(rng, (3, n, D))
    out = hv.multiset(hv.Packed.from_bipolar(x))
    s = x.sum(axis=-2)
    np.testing.assert_array_equal(out.to_bipolar(), np.where(s > 0, 1, -1).astype(np.float32))


def test_map_multiset_of_int8_sums_as_float32(rng):
    x = bipolar(rng, (6, D), np.int8)
    out = hv.map.multiset(x)
    assert out.dtype == np.float32
    np.testing.assert_array_equal(out, x.sum(axis=0).astype(np.float32))


# --- similarities ---------------------------------------------------------------

def ref_dot(vsa, a, b):
    if vsa == "FHRR":
        return np.real(a.astype(np.complex128) @ np.conj(b.astype(np.complex128)).T)
    return a.astype(np.float64) @ b.astype(np.float64).T


@pytest.mark.parametrize("vsa", MODELS)
def test_dot_and_cosine_match_numpy(rng, vsa):
    a, b = vectors(rng, vsa, (4, D)), vectors(rng, vsa, (6, D))
    ma, mb = to_model(vsa, a), to_model(vsa, b)
    dot = hv.dot_similarity(ma, mb, vsa=vsa)
    assert dot.shape == (4, 6) and dot.dtype == np.float64
    ref = ref_dot(vsa, a, b)
    np.testing.assert_allclose(dot, ref, rtol=1e-4, atol=1e-4)
    norms = np.linalg.norm(a.astype(np.complex128), axis=-1)[:, None] * np.linalg.norm(
        b.astype(np.complex128), axis=-1)[None, :]
    np.testing.assert_allclose(hv.cosine_similarity(ma, mb, vsa=vsa), ref / norms, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("vsa", MODELS)
def test_similarity_shapes_follow_torchhd(rng, vsa):
    a = to_model(vsa, vectors(rng, vsa, (2, 3, D)))
    one = to_model(vsa, vectors(rng, vsa, (D,)))
    book = to_model(vsa, vectors(rng, vsa, (5, D)))
    assert hv.dot_similarity(a, book, vsa=vsa).shape == (2, 3, 5)
    assert hv.dot_similarity(a, one, vsa=vsa).shape == (2, 3)
    assert hv.cosine_similarity(one, book, vsa=vsa).shape == (5,)
    assert np.ndim(hv.cosine_similarity(one, one, vsa=vsa)) == 0


def test_cosine_of_zero_vector_is_zero():
    z = np.zeros((1, 8), np.float32)
    o = np.ones((1, 8), np.float32)
    assert hv.map.cosine_similarity(z, o)[0, 0] == 0.0


def test_bsc_hamming_similarity_counts_equal_components(rng):
    a, b = bipolar(rng, (3, D)), bipolar(rng, (4, D))
    out = hv.hamming_similarity(hv.Packed.from_bipolar(a), hv.Packed.from_bipolar(b))
    ref = (a[:, None, :] == b[None, :, :]).sum(axis=-1)
    np.testing.assert_array_equal(out, ref)


# --- broadcasting ------------------------------------------------------------------

@pytest.mark.parametrize("vsa", MODELS)
def test_bind_broadcasts_leading_axes(rng, vsa):
    a, b = vectors(rng, vsa, (3, 1, D)), vectors(rng, vsa, (4, D))
    out = hv.bind(to_model(vsa, a), to_model(vsa, b), vsa=vsa)
    assert out.shape == (3, 4, D)
    np.testing.assert_allclose(to_numpy(vsa, out), ref_bind(vsa, a, b), **tol(vsa))


@pytest.mark.parametrize("vsa", MODELS)
def test_shapes_that_do_not_broadcast_raise(rng, vsa):
    a, b = to_model(vsa, vectors(rng, vsa, (3, D))), to_model(vsa, vectors(rng, vsa, (4, D)))
    with pytest.raises(ValueError, match=r"bind.*\ba\b.*\bb\b"):
        hv.bind(a, b, vsa=vsa)


# --- dtype rules -----------------------------------------------------------------

def test_map_dtypes(rng):
    a8, b8 = bipolar(rng, (2, D), np.int8), bipolar(rng, (2, D), np.int8)
    assert hv.bind(a8, b8).dtype == np.int8
    np.testing.assert_array_equal(hv.bind(a8, b8), a8 * b8)
    assert hv.permute(a8).dtype == np.int8
    assert hv.bind(a8, b8.astype(np.float32)).dtype == np.float32  # mixed: float32
    assert hv.bind(a8.astype(np.float64), b8.astype(np.float64)).dtype == np.float32
    assert hv.map.hard_quantize(a8).dtype == np.float32
    with pytest.raises(ValueError, match="map.bind"):
        hv.map.bind(a8.astype(np.complex64), b8)


def test_hrr_dtypes(rng):
    a = vectors(rng, "HRR", (2, D))
    assert hv.bind(a, a, vsa="HRR").dtype == np.float32
    a64 = a.astype(np.float64)
    out64 = hv.bind(a64, a64, vsa="HRR")
    assert out64.dtype == np.float64
    np.testing.assert_allclose(out64, ref_bind("HRR", a64, a64), rtol=1e-10, atol=1e-12)
    assert hv.bind(a, a64, vsa="HRR").dtype == np.float64  # any float64: float64
    assert hv.random(2, D, vsa="HRR", seed=1, dtype=np.float64).dtype == np.float64
    with pytest.raises(ValueError, match="hrr.bind"):
        hv.hrr.bind(a.astype(np.complex64), a)


def test_fhrr_dtypes(rng):
    a = vectors(rng, "FHRR", (2, D))
    assert hv.bind(a, a).dtype == np.complex64  # complex input picks FHRR
    assert hv.bind(a.astype(np.complex128), a).dtype == np.complex64
    with pytest.raises(ValueError, match="fhrr.bind"):
        hv.fhrr.bind(np.ones((2, D), np.float32), a)


def test_dispatch_without_vsa_picks_model_from_arguments(rng):
    x = bipolar(rng, (D,))
    assert isinstance(hv.bind(hv.Packed.from_bipolar(x), hv.Packed.from_bipolar(x)), hv.Packed)
    assert hv.bind(x, x).dtype == np.float32


def test_torch_tensors_are_accepted(rng):
    torch = pytest.importorskip("torch")
    a, b = bipolar(rng, (3, D)), bipolar(rng, (3, D))
    np.testing.assert_array_equal(hv.bind(torch.from_numpy(a), torch.from_numpy(b)), a * b)


# --- quantize / normalize (existing verbs) -------------------------------------

def test_map_hard_quantize_ties_negative():
    x = np.array([[2.0, 0.0, -0.5, 1e-30, -0.0]], np.float32)
    np.testing.assert_array_equal(hv.map.hard_quantize(x), [[1, -1, -1, 1, -1]])


def test_fhrr_hard_quantize_is_unit_phasor(rng):
    x = (rng.standard_normal((3, D)) + 1j * rng.standard_normal((3, D))).astype(np.complex64)
    np.testing.assert_allclose(hv.fhrr.hard_quantize(x), x / np.abs(x), rtol=1e-5, atol=1e-6)


def test_hrr_normalize_is_l2(rng):
    x = rng.standard_normal((3, D)).astype(np.float32)
    np.testing.assert_allclose(hv.hrr.normalize(x), x / np.linalg.norm(x, axis=-1, keepdims=True),
                               rtol=1e-5, atol=1e-6)


# --- errors ------------------------------------------------------------------------

@pytest.mark.parametrize("vsa,prefix", [("MAP", "map"), ("BSC", "bsc"), ("HRR", "hrr"), ("FHRR", "fhrr")])
def test_dimension_mismatch_names_function_and_arguments(rng, vsa, prefix):
    a = to_model(vsa, vectors(rng, vsa, (2, D)))
    b = to_model(vsa, vectors(rng, vsa, (2, D - 1)))
    with pytest.raises(ValueError, match=rf"{prefix}\.bind: a has D={D} and b has D={D - 1}"):
        hv.bind(a, b, vsa=vsa)
    with pytest.raises(ValueError, match=rf"{prefix}\.dot_similarity: input .* others"):
        hv.dot_similarity(a, b, vsa=vsa)


@pytest.mark.parametrize("vsa,prefix", [("MAP", "map"), ("BSC", "bsc"), ("HRR", "hrr"), ("FHRR", "fhrr")])
def test_bad_arguments_raise_value_error(rng, vsa, prefix):
    one = to_model(vsa, vectors(rng, vsa, (D,)))
    with pytest.raises(ValueError, match=rf"{prefix}\.multiset: input"):
        hv.multiset(one, vsa=vsa)
    with pytest.raises(ValueError, match=rf"{prefix}\.random: num_vectors=-1"):
        hv.random(-1, D, vsa=vsa)
    with pytest.raises(ValueError, match=rf"{prefix}\.random: dimensions=0"):
        hv.random(1, 0, vsa=vsa)
    cube = to_model(vsa, vectors(rng, vsa, (2, 2, D)))
    with pytest.raises(ValueError, match=rf"{prefix}\.cosine_similarity: others"):
        hv.cosine_similarity(one, cube, vsa=vsa)


def test_unknown_model_name_raises():
    with pytest.raises(ValueError, match="vsa='XOR'"):
        hv.random(1, 8, vsa="XOR")


def test_bsc_verbs_need_packed_input(rng):
    with pytest.raises(ValueError, match=r"bsc\.bind: a"):
        hv.bsc.bind(bipolar(rng, (D,)), hv.Packed.from_bipolar(bipolar(rng, (D,))))


# --- random codebooks ------------------------------------------------------------

@pytest.mark.parametrize("vsa", MODELS)
def test_random_is_reproducible_per_seed_and_row(vsa):
    full = to_numpy(vsa, hv.random(6, D, vsa=vsa, seed=42))
    np.testing.assert_array_equal(full, to_numpy(vsa, hv.random(6, D, vsa=vsa, seed=42)))
    tail = to_numpy(vsa, hv.random(2, D, vsa=vsa, seed=42, first_row=4))
    np.testing.assert_array_equal(tail, full[4:6])
    assert not np.array_equal(full, to_numpy(vsa, hv.random(6, D, vsa=vsa, seed=43)))
    assert len({row.tobytes() for row in full}) == 6  # rows are distinct


@pytest.mark.parametrize("vsa", MODELS)
def test_random_seed_none_draws_fresh_vectors(vsa):
    a = to_numpy(vsa, hv.random(1, D, vsa=vsa))
    b = to_numpy(vsa, hv.random(1, D, vsa=vsa))
    assert not np.array_equal(a, b)


def test_random_component_laws():
    d = 4096
    m = hv.random(4, d, vsa="MAP", seed=7)
    assert m.dtype == np.float32 and set(np.unique(m)) == {-1.0, 1.0}
    h = hv.random(8, d, vsa="HRR", seed=7)
    # components N(0, 1/D): mean of 8D samples within 5σ, variance within 5 std errors
    n = h.size
    assert abs(h.mean()) < 5 / np.sqrt(d) / np.sqrt(n)
    assert abs(h.var() * d - 1) < 5 * np.sqrt(2 / n)
    f = hv.random(4, d, vsa="FHRR", seed=7)
    assert f.dtype == np.complex64
    np.testing.assert_allclose(np.abs(f), 1, rtol=1e-5)
    ang = np.angle(f).ravel()
    assert abs(ang.mean()) < 5 * (np.pi / np.sqrt(3)) / np.sqrt(ang.size)


@pytest.mark.parametrize("vsa", MODELS)
def test_cosine_of_random_vectors_has_sigma_one_over_sqrt_d(vsa):
    d, n = 1024, 64
    book = hv.random(n, d, vsa=vsa, seed=20261202)
    cos = hv.cosine_similarity(book, book, vsa=vsa)
    np.testing.assert_allclose(np.diag(cos), 1, rtol=1e-5)
    off = cos[np.triu_indices(n, 1)]
    sigma = 1 / np.sqrt(d)
    if vsa == "FHRR":
        sigma /= np.sqrt(2)  # Re of a mean of unit phasors: variance 1/(2D)
    pairs = off.size
    assert abs(off.mean()) < 5 * sigma / np.sqrt(pairs)
    # sample std of `pairs` draws: relative standard error ≈ 1/√(2 pairs) (pairs share rows:
    # weakly dependent; 6 errors of margin)
    assert abs(off.std() / sigma - 1) < 6 / np.sqrt(2 * pairs)
    assert np.abs(off).max() < 6 * sigma
