"""Dense float32 similarity through OpenBLAS sgemm (src/python/similarity_gemm.cpp):
map/hrr dot_similarity and cosine_similarity of at least 16 queries against at least
4 rows take sgemm when the module is built with the Meson feature `blas`; smaller
batches, int8 MAP, float64 HRR and BSC keep the pair-by-pair kernels. Checked against
float64 NumPy with tolerances from the float accumulation bounds, at sizes on both
sides of the crossover, for ±1 exactness, zero vectors, NaN and overflow, results
independent of the thread counts (hypervec's and OpenBLAS's), and the GIL released."""

import hashlib
import os
import subprocess
import sys
import threading

import numpy as np
import pytest

import hypervec as hv
from gil import assert_python_runs_during
from hypervec import _hypervec

GEMM = _hypervec._similarity_gemm
U32 = 2.0**-24
DEPTH_CHUNK = 256  # components per sgemm call (similarity_gemm.cpp)
MODELS = {"MAP": hv.map if hasattr(hv, "map") else _hypervec.map,
          "HRR": hv.hrr if hasattr(hv, "hrr") else _hypervec.hrr}


def gamma(k, u=U32):
    return k * u / (1 - k * u)


def takes_gemm(n, m):
    return GEMM["built"] and n >= GEMM["min_queries"] and m >= GEMM["min_rows"]


def dot_bound(n, m, dim):
    """Per-pair |error| bound on a dot, as a multiple of Σ|q_i r_i|: the sgemm route
    sums chunks of 256 in float, added in double; the Highway kernel (dense.hpp)
    sums in float with k <= D/4 + 32 partial-sum steps."""
    if takes_gemm(n, m):
        return gamma(DEPTH_CHUNK) + 2.0**-40
    return gamma(dim // 4 + 32)


def bipolar(rng, shape):
    return rng.choice(np.array([-1, 1], dtype=np.float32), size=shape)


def reference(q, r):
    """float64 dot, Σ|q_i r_i| and cosine of the float32 data."""
    q64, r64 = q.astype(np.float64), r.astype(np.float64)
    dot = q64 @ r64.T
    mag = np.abs(q64) @ np.abs(r64).T
    nq, nr = np.linalg.norm(q64, axis=1), np.linalg.norm(r64, axis=1)
    denom = np.outer(nq, nr)
    with np.errstate(invalid="ignore", divide="ignore"):
        cos = np.where(denom > 0, dot / denom, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = np.where(denom > 0, mag / denom, 0.0)
    return dot, mag, cos, ratio


# Shapes (queries, rows, D): both sides of the crossover, several tiles (256 queries ×
# 1024 rows), D a multiple of the 256 chunk and not.
SHAPES = [(5, 1100, 300), (15, 40, 1000), (16, 16, 7), (30, 3, 700), (30, 4, 700),
          (40, 1100, 4096), (300, 1100, 300), (17, 2050, 513)]


@pytest.mark.parametrize("vsa", ["MAP", "HRR"])
@pytest.mark.parametrize("shape", SHAPES, ids=lambda s: "x".join(map(str, s)))
def test_real_vectors_within_the_float_bound(rng, vsa, shape):
    n, m, dim = shape
    scale = rng.uniform(0.5, 2.0, size=(n, 1)).astype(np.float32)
    q = (rng.standard_normal((n, dim)) * scale).astype(np.float32)
    r = (rng.standard_normal((m, dim)) / np.sqrt(dim)).astype(np.float32)
    model = MODELS[vsa]
    dot_ref, mag, cos_ref, ratio = reference(q, r)
    bound = dot_bound(n, m, dim)
    got_dot = model.dot_similarity(q, r)
    assert got_dot.dtype == np.float64 and got_dot.shape == (n, m)
    assert np.all(np.abs(got_dot - dot_ref) <= bound * mag + 1e-300)
    # cosine: the dot's bound over ‖q‖‖r‖, plus the two norms' (2γ_{D/2+32}) and
    # a few double roundings.
    got_cos = model.cosine_similarity(q, r)
    cos_bound = bound * ratio + 2 * gamma(dim // 2 + 32) + 1e-14
    assert np.all(np.abs(got_cos - cos_ref) <= cos_bound)
    # The bound is not vacuous: scores are ~1/√D, the bound at least 10× smaller
    # (a wrong product would be off by about a score).
    assert np.median(np.abs(cos_ref)) > 10 * np.max(cos_bound)


@pytest.mark.parametrize("shape", [(40, 1100, 4096), (5, 300, 1000)],
                         ids=lambda s: "x".join(map(str, s)))
def test_bipolar_dots_are_exact_and_match_the_pair_kernel(rng, shape):
    # ±1 partial sums are integers <= D: exact in float; cosine is dot / D rounded
    # once, so both routes agree bit for bit with each other and with NumPy's integers.
    n, m, dim = shape
    q, r = bipolar(rng, (n, dim)), bipolar(rng, (m, dim))
    exact = q.astype(np.int64) @ r.astype(np.int64).T
    dot = hv.map.dot_similarity(q, r)
    np.testing.assert_array_equal(dot, exact.astype(np.float64))
    cos = hv.map.cosine_similarity(q, r)
    one_by_one = np.stack([hv.map.cosine_similarity(v, r) for v in q])  # Highway route
    np.testing.assert_array_equal(cos, one_by_one)
    np.testing.assert_allclose(cos, exact / dim, rtol=4e-16, atol=0)


def test_large_batches_take_the_gemm_route(rng):
    # Real-valued scores from sgemm's summation order differ in the last bits from the
    # pair kernel's (one query at a time) somewhere among 40 × 1100 scores at D = 4096;
    # built without `blas` they are identical (the same kernel).
    q = rng.standard_normal((40, 4096)).astype(np.float32)
    r = rng.standard_normal((1100, 4096)).astype(np.float32)
    batch = hv.map.dot_similarity(q, r)
    single = np.stack([hv.map.dot_similarity(v, r) for v in q])
    assert (batch != single).any() == GEMM["built"]


def test_strided_rows_and_zero_vectors(rng):
    big_q = rng.standard_normal((80, 600)).astype(np.float32)
    q = big_q[::2]  # row stride 2 D: used in place (lda = 2 D)
    r = rng.standard_normal((50, 600)).astype(np.float32)
    q[3] = 0.0
    r[7] = 0.0
    _, _, cos_ref, _ = reference(q, r)
    cos = hv.map.cosine_similarity(q, r)
    assert np.all(cos[3] == 0.0) and np.all(cos[:, 7] == 0.0)
    np.testing.assert_allclose(cos, cos_ref, rtol=0, atol=1e-5)
    assert np.all(hv.map.dot_similarity(q, r)[3] == 0.0)


def test_nan_and_inf_raise_and_overflow_is_redone_in_double(rng):
    q = rng.standard_normal((20, 256)).astype(np.float32)
    r = rng.standard_normal((20, 256)).astype(np.float32)
    for bad in (np.nan, np.inf):
        qb = q.copy()
        qb[11, 5] = bad
        with pytest.raises(ValueError):
            hv.map.dot_similarity(qb, r)
        with pytest.raises(ValueError):
            hv.map.cosine_similarity(qb, r)
    # 256 products of 1e20 · 1e20 = 2.56e42 overflow float32: the pair kernel redoes
    # those sums in double.
    big = np.full((20, 256), 1e20, dtype=np.float32)
    dot = hv.map.dot_similarity(big, big)
    np.testing.assert_allclose(dot, 256 * np.float64(np.float32(1e20)) ** 2, rtol=1e-12)
    np.testing.assert_allclose(hv.map.cosine_similarity(big, big), 1.0, rtol=1e-12)


def digest(arrays):
    return hashlib.sha256(b"".join(a.tobytes() for a in arrays)).hexdigest()


_SCRIPT = """
import hashlib, numpy as np, hypervec as hv
rng = np.random.default_rng(11)
out = []
for n, m, d in [(300, 2100, 1000), (17, 999, 333), (100, 5000, 4096)]:
    q = rng.standard_normal((n, d)).astype(np.float32)
    r = rng.standard_normal((m, d)).astype(np.float32)
    out += [hv.map.cosine_similarity(q, r), hv.hrr.dot_similarity(q, r)]
print(hashlib.sha256(b"".join(a.tobytes() for a in out)).hexdigest())
"""


def test_results_do_not_depend_on_openblas_threads():
    # OpenBLAS at 1 thread: tiles on hypervec's pool; at 2 and 3: tiles in turn, each
    # sgemm threaded by OpenBLAS. The grid and the 256-component chunks are fixed, so
    # the bits are the same.
    digests = set()
    for threads in ("1", "2", "3"):
        env = dict(os.environ, OPENBLAS_NUM_THREADS=threads)
        run = subprocess.run([sys.executable, "-c", _SCRIPT], env=env, capture_output=True,
                             text=True, timeout=300, check=True)
        digests.add(run.stdout.strip())
    assert len(digests) == 1


def test_concurrent_callers_get_the_same_bits(rng):
    q = rng.standard_normal((300, 700)).astype(np.float32)
    r = rng.standard_normal((1500, 700)).astype(np.float32)
    expected = digest([hv.map.cosine_similarity(q, r)])
    results = []

    def work():
        results.append(digest([hv.map.cosine_similarity(q, r)]))

    workers = [threading.Thread(target=work) for _ in range(4)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    assert results == [expected] * 4


def test_similarity_releases_the_gil(rng):
    # While a large similarity runs in another thread, this thread keeps running
    # Python; with the GIL held it could run at most one switch interval of it.
    q = rng.standard_normal((400, 2048)).astype(np.float32)
    r = rng.standard_normal((8000, 2048)).astype(np.float32)
    assert_python_runs_during(lambda: hv.map.cosine_similarity(q, r), "similarity")
