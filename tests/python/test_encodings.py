"""Encodings (hypervec.level, thermometer, circular, fractional_power): shapes, dtypes,
reproducibility, the exact thermometer code, and the similarity laws of encode.hpp
tested with bounds from their stated variances (5σ, σ from the formula)."""

import numpy as np
import pytest

import hypervec as hv


def cos_matrix(book):
    return hv.cosine_similarity(book, book)


@pytest.mark.parametrize("name", ["level", "circular"])
def test_random_codebooks_bsc_and_map_agree_and_are_seeded(name):
    make = getattr(hv, name)
    b = make(6, 200, "BSC", seed=3)
    assert isinstance(b, hv.Packed) and b.shape == (6, 200)
    m = make(6, 200, seed=3)
    assert m.dtype == np.float32 and m.shape == (6, 200)
    np.testing.assert_array_equal(m, b.to_bipolar())
    np.testing.assert_array_equal(make(6, 200, dtype=np.int8, seed=3), m.astype(np.int8))
    np.testing.assert_array_equal(make(6, 200, seed=3), m)
    assert not np.array_equal(make(6, 200, seed=4), m)
    assert not np.array_equal(make(6, 200), make(6, 200))  # seed=None: fresh


def test_level_similarity_falls_linearly():
    d, n = 8192, 9
    c = cos_matrix(hv.level(n, d, seed=20261202))
    for i in range(n):
        for k in range(n):
            p = abs(i - k) / (n - 1)
            sigma = np.sqrt((1 - (1 - p) ** 2) / d)
            assert abs(c[i, k] - (1 - p)) <= 5 * sigma + 1e-12, (i, k)


def test_level_with_randomness_one_gives_independent_vectors():
    d, n = 4096, 8
    c = cos_matrix(hv.level(n, d, randomness=1.0, seed=1))
    off = c[np.triu_indices(n, 1)]
    assert np.abs(off).max() < 5 / np.sqrt(d)


def test_circular_similarity_depends_on_circular_distance():
    d, n = 8192, 8
    c = cos_matrix(hv.circular(n, d, seed=20261202))
    for i in range(n):
        for k in range(n):
            dist = min(abs(i - k), n - abs(i - k)) / n
            mean = 1 - 2 * dist
            sigma = np.sqrt((1 - mean ** 2) / d)
            assert abs(c[i, k] - mean) <= 5 * sigma + 1e-12, (i, k)


@pytest.mark.parametrize("n,d", [(2, 10), (5, 100), (4, 10), (11, 64)])
def test_thermometer_is_exact(n, d):
    t = hv.thermometer(n, d)
    ones = [round(i * d / (n - 1)) for i in range(n)]
    want = np.array([[1 if j < ones[i] else -1 for j in range(d)] for i in range(n)], np.float32)
    np.testing.assert_array_equal(t, want)
    np.testing.assert_array_equal(hv.thermometer(n, d, "BSC").to_bipolar(), want)
    f = hv.thermometer(n, d, "FHRR")
    assert f.dtype == np.complex64
    np.testing.assert_array_equal(f, want.astype(np.complex64))
    c = cos_matrix(t)
    np.testing.assert_allclose(c, 1 - 2 * np.abs(np.subtract.outer(ones, ones)) / d, atol=1e-12)


@pytest.mark.parametrize("name", ["level", "circular", "thermometer"])
def test_encoding_errors(name):
    make = getattr(hv, name)
    with pytest.raises(ValueError, match=rf"{name}: num_vectors=1 must be >= 2"):
        make(1, 100)
    with pytest.raises(ValueError, match=rf"{name}: dimensions=0"):
        make(4, 0)
    with pytest.raises(ValueError, match=rf"{name}: vsa='HRR' has no {name} codebook"):
        make(4, 100, "HRR")
    with pytest.raises(ValueError, match=r"vsa='XYZ'"):
        make(4, 100, "XYZ")
    with pytest.raises(ValueError, match=rf"{name}: dtype applies to MAP"):
        make(4, 100, "BSC", dtype=np.int8)
    if name != "thermometer":
        with pytest.raises(ValueError, match=rf"{name}: randomness=1.5"):
            make(4, 100, randomness=1.5)
        with pytest.raises(ValueError, match=rf"{name}: vsa='FHRR'"):
            make(4, 100, "FHRR")


# --- fractional power ---------------------------------------------------------------

def sinc(u):
    return np.sinc(u)  # sin(πu)/(πu)


def gauss(u):
    return np.exp(-u * u / 2)


@pytest.mark.parametrize("distribution,kappa", [("sinc", sinc), ("gaussian", gauss)])
def test_fhrr_fractional_power_kernel_and_homomorphism(distribution, kappa):
    d, b = 8192, 2.0
    xs = np.array([0.0, 0.3, 1.0, 2.5, 4.0])
    z = hv.fractional_power(xs, d, bandwidth=b, seed=7, distribution=distribution)
    assert z.dtype == np.complex64 and z.shape == (5, d)
    np.testing.assert_allclose(np.abs(z), 1, rtol=1e-5)
    sim = hv.cosine_similarity(z[0], z)  # Re⟨z(0), z(x)⟩ / D
    for x, s in zip(xs, sim):
        u = x / b
        var = ((1 + kappa(2 * u)) / 2 - kappa(u) ** 2) / d
        assert abs(s - kappa(u)) <= 5 * np.sqrt(var) + 1e-6, x
    # z(x) ⊙ z(y) = z(x + y)
    zz = hv.fractional_power(np.array([1.3, 0.7, 2.0]), d, bandwidth=b, seed=7, distribution=distribution)
    np.testing.assert_allclose(hv.bind(zz[0], zz[1]), zz[2], atol=1e-5)


def test_hrr_fractional_power_is_unitary_and_homomorphic():
    d = 4096
    z = hv.fractional_power(np.array([[0.5, 1.5], [2.0, 0.0]]), d, "HRR", seed=3)
    assert z.dtype == np.float32 and z.shape == (2, 2, d)
    np.testing.assert_allclose(np.linalg.norm(z, axis=-1), 1, rtol=1e-5)
    np.testing.assert_allclose(hv.bind(z[0, 0], z[0, 1], vsa="HRR"), z[1, 0], atol=1e-5)
    np.testing.assert_allclose(z[1, 1], hv.identity(1, d, "HRR")[0], atol=1e-6)  # z(0) = δ
    # similarity ≈ sinc(u), Var ≈ 2 v(u)/D
    s = float(hv.dot_similarity(z[1, 1], z[0, 0], vsa="HRR"))
    v = (1 + sinc(1.0)) / 2 - sinc(0.5) ** 2
    assert abs(s - sinc(0.5)) <= 5 * np.sqrt(2 * v / d) + 2 / d


def test_fractional_power_is_seeded():
    a = hv.fractional_power(np.array([1.0]), 64, seed=1)
    np.testing.assert_array_equal(a, hv.fractional_power(np.array([1.0]), 64, seed=1))
    assert not np.array_equal(a, hv.fractional_power(np.array([1.0]), 64, seed=2))


def test_fractional_power_errors():
    with pytest.raises(ValueError, match=r"fractional_power: vsa='MAP'"):
        hv.fractional_power(np.zeros(2), 64, "MAP")
    with pytest.raises(ValueError, match=r"fractional_power: bandwidth=0"):
        hv.fractional_power(np.zeros(2), 64, bandwidth=0.0)
    with pytest.raises(ValueError, match=r"fractional_power: distribution='cauchy'"):
        hv.fractional_power(np.zeros(2), 64, distribution="cauchy")
    with pytest.raises(ValueError, match=r"fractional_power: values holds a NaN"):
        hv.fractional_power(np.array([0.0, np.nan]), 64)
    with pytest.raises(ValueError, match=r"fractional_power: dimensions=0"):
        hv.fractional_power(np.zeros(2), 0)
