"""hypervec.Memory: exact top-k against a NumPy brute force, errors, statistics
under the random-vector null, thread-count independence and concurrent searches."""

import concurrent.futures
import math
import os
import threading

import numpy as np
import pytest

import hypervec as hv
from gil import assert_python_runs_during


def bipolar(rng, shape):
    return np.where(rng.random(shape) < 0.5, -1.0, 1.0).astype(np.float32)


def brute_topk(scores, k):
    """Ids of the k best scores per row (descending, ties to the lower id)."""
    scores = np.atleast_2d(scores)
    ids = np.arange(scores.shape[1])
    return np.array([np.lexsort((ids, -s))[:k] for s in scores])


# --- exact top-k -------------------------------------------------------------------


@pytest.mark.parametrize("dim", [16, 100, 1024])
def test_packed_topk_matches_brute_force_with_ties(rng, dim):
    # D = 16 makes many equal Hamming distances: the lower id must win each tie.
    rows = bipolar(rng, (300, dim))
    queries = bipolar(rng, (40, dim))
    memory = hv.Memory(hv.Packed.from_bipolar(rows))
    k = 7
    got = memory.search(hv.Packed.from_bipolar(queries), k)
    dots = queries.astype(np.int64) @ rows.astype(np.int64).T
    want = brute_topk(dots, k)
    np.testing.assert_array_equal(got.ids, want)
    np.testing.assert_array_equal(got.cosines, np.take_along_axis(dots, want, 1) / dim)
    np.testing.assert_allclose(got.z, got.cosines * math.sqrt(dim), rtol=1e-12)
    assert got.ids.dtype == np.int64 and got.cosines.dtype == np.float64
    assert got.ids.shape == (40, k)


def test_mixed_float_queries_against_packed_rows(rng):
    dim = 512
    rows = bipolar(rng, (200, dim))
    queries = rng.standard_normal((25, dim)).astype(np.float32)
    memory = hv.Memory(hv.Packed.from_bipolar(rows))
    got = memory.search(queries, 5)
    dots = queries.astype(np.float64) @ rows.T.astype(np.float64)
    want = brute_topk(dots, 5)
    np.testing.assert_array_equal(got.ids, want)
    norms = np.linalg.norm(queries.astype(np.float64), axis=1, keepdims=True)
    np.testing.assert_allclose(got.cosines, np.take_along_axis(dots, want, 1) / (norms * math.sqrt(dim)),
                               rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("metric", ["cosine", "dot"])
def test_float_topk_matches_brute_force(rng, metric):
    dim = 300
    rows = (rng.standard_normal((250, dim)) * rng.uniform(0.5, 2.0, (250, 1))).astype(np.float32)
    queries = rng.standard_normal((30, dim)).astype(np.float32)
    memory = hv.Memory(rows, metric=metric)
    assert memory.kind == "float32" and memory.metric == metric
    got = memory.search(queries, 4)
    dots = queries.astype(np.float64) @ rows.T.astype(np.float64)
    rnorm = np.linalg.norm(rows.astype(np.float64), axis=1)
    qnorm = np.linalg.norm(queries.astype(np.float64), axis=1, keepdims=True)
    want = brute_topk(dots / rnorm if metric == "cosine" else dots, 4)
    np.testing.assert_array_equal(got.ids, want)
    np.testing.assert_allclose(got.cosines, np.take_along_axis(dots / (qnorm * rnorm), want, 1),
                               rtol=1e-5, atol=1e-7)


def test_int8_topk_exact_with_ties(rng):
    # Small integer values: many exactly equal dot products.
    dim = 24
    rows = rng.integers(-2, 3, (400, dim)).astype(np.int8)
    queries = rng.integers(-2, 3, (50, dim)).astype(np.int8)
    memory = hv.Memory(rows, metric="dot")
    assert memory.kind == "int8"
    got = memory.search(queries, 6)
    dots = queries.astype(np.int64) @ rows.astype(np.int64).T
    want = brute_topk(dots, 6)
    np.testing.assert_array_equal(got.ids, want)
    np.testing.assert_array_equal(got.scores, np.take_along_axis(dots, want, 1))


def test_phasor_memory_finds_noisy_rows(rng):
    dim = 256
    rows = np.exp(1j * rng.uniform(-np.pi, np.pi, (100, dim))).astype(np.complex64)
    noisy = (rows[[3, 50, 99]] * np.exp(1j * rng.normal(0, 0.5, (3, dim)))).astype(np.complex64)
    memory = hv.Memory(rows)
    assert memory.kind == "complex64"
    got = memory.search(noisy, 1)
    np.testing.assert_array_equal(got.ids[:, 0], [3, 50, 99])
    # Phasor null: z = cosine * sqrt(2D).
    np.testing.assert_allclose(got.z, got.cosines * math.sqrt(2 * dim), rtol=1e-12)


def test_batch_shapes_and_single_query(rng):
    rows = bipolar(rng, (20, 64))
    memory = hv.Memory(rows)
    q = rows[5]
    single = memory.search(q, 3)
    assert single.ids.shape == (3,) and single.ids[0] == 5
    batch = memory.search(np.stack([rows[:4], rows[4:8]]), 2)
    assert batch.ids.shape == (2, 4, 2)
    np.testing.assert_array_equal(batch.ids[..., 0], np.arange(8).reshape(2, 4))
    empty = memory.search(np.zeros((0, 64), np.float32), 2)
    assert empty.ids.shape == (0, 2)


def test_labels_and_thresholds(rng):
    dim = 1024
    rows = bipolar(rng, (50, dim))
    labels = [f"atom{i}" for i in range(50)]
    memory = hv.Memory(hv.Packed.from_bipolar(rows), labels)
    assert list(memory.labels) == labels
    assert memory.find("atom7") == 7 and memory.find("nope") is None
    queries = hv.Packed.from_bipolar(rows[[7, 9]])
    got = memory.search(queries, 3, min_cosine=0.5)
    np.testing.assert_array_equal(got.ids[:, 0], [7, 9])
    assert (got.ids[:, 1:] == -1).all() and np.isnan(got.cosines[:, 1:]).all()
    assert got.labels[0, 0] == "atom7" and got.labels[0, 1] is None
    np.testing.assert_array_equal(memory.labels[got.ids[:, :1]], got.labels[:, :1])
    # min_z: a random query has no row with z >= 8 (P < 1e-14 per row).
    none = memory.search(hv.Packed.from_bipolar(bipolar(rng, (1, dim))), 1, min_z=8.0)
    assert none.ids[0, 0] == -1


def test_add_rows_and_codebook_copy(rng):
    dim = 128
    rows = bipolar(rng, (10, dim))
    memory = hv.Memory(np.zeros((0, dim), np.float32))
    assert len(memory) == 0 and memory.dim == dim
    ids = memory.add(rows[:6], [f"r{i}" for i in range(6)])
    np.testing.assert_array_equal(ids, np.arange(6))
    assert memory.add(rows[6], "r6")[0] == 6
    memory.add(rows[7:])
    assert len(memory) == 10
    assert list(memory.labels) == [f"r{i}" for i in range(7)] + ["", "", ""]
    np.testing.assert_array_equal(memory.search(rows, 1).ids[:, 0], np.arange(10))
    np.testing.assert_array_equal(memory.codebook(), rows)
    packed = hv.Memory(hv.Packed.from_bipolar(rows))
    np.testing.assert_array_equal(packed.codebook().to_bipolar(), rows)
    with pytest.raises(ValueError, match="r3"):
        memory.add(rows[0], "r3")  # duplicate label
    assert len(memory) == 10


# --- errors --------------------------------------------------------------------------


def test_errors(rng):
    rows = bipolar(rng, (5, 64))
    memory = hv.Memory(rows)
    with pytest.raises(ValueError, match=r"Memory.search: k=6 .* 5 rows"):
        memory.search(rows, 6)
    with pytest.raises(ValueError, match="k=0"):
        memory.search(rows, 0)
    with pytest.raises(ValueError, match=r"Memory.search: queries has D=63 but the memory has D=64"):
        memory.search(rows[:, :63], 1)
    bad = rows.copy()
    bad[1, 10] = np.nan
    with pytest.raises(ValueError):
        memory.search(bad, 1)
    with pytest.raises(ValueError, match="min_cosine is NaN"):
        memory.search(rows, 1, min_cosine=float("nan"))
    with pytest.raises(ValueError, match="empty"):
        hv.Memory(np.zeros((0, 64), np.float32)).search(rows, 1)
    with pytest.raises(ValueError, match="empty"):
        hv.Memory(hv.Packed.from_bipolar(np.ones((0, 64), np.float32))).search(rows, 1)
    with pytest.raises(ValueError, match="labels has 4 entries but the codebook has 5 rows"):
        hv.Memory(rows, ["a", "b", "c", "d"])
    with pytest.raises(ValueError):
        hv.Memory(rows, ["a", "b", "c", "d", "a"])  # duplicate label
    with pytest.raises(ValueError, match="metric"):
        hv.Memory(rows, metric="euclid")
    with pytest.raises(ValueError, match="axes"):
        hv.Memory(rows[0])
    with pytest.raises(ValueError, match="int8"):
        hv.Memory(rows.astype(np.int8)).search(rows, 1)  # float queries, int8 rows
    with pytest.raises(ValueError, match="D=32"):
        memory.add(rows[:, :32])
    with pytest.raises(ValueError, match="Packed"):
        hv.Memory(hv.Packed.from_bipolar(rows)).add(rows)  # packed memory, dense rows
    with pytest.raises(ValueError, match="packed"):
        hv.probe.Decoder(memory)
    with pytest.raises(OSError):
        hv.Memory.load("/nonexistent/codebook.npy")
    with pytest.raises(ValueError, match="threads=-1"):
        memory.search(rows, 1, threads=-1)
    with pytest.raises(ValueError, match="from_packbits"):
        memory.search(np.packbits(rows < 0, axis=1), 1)  # bytes, not components


# --- statistics ----------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["packed", "float32"])
def test_null_cosines_have_sigma_one_over_sqrt_d(rng, kind):
    # Cosines of a query with M independent random rows: mean 0, sigma = 1/sqrt(D).
    # Bounds: 5 standard errors of the sample mean (sigma/sqrt(M)) and of the sample
    # standard deviation (sigma/sqrt(2M)).
    m, dim = 3000, 1024
    if kind == "packed":
        memory = hv.Memory(hv.Packed.from_bipolar(bipolar(rng, (m, dim))))
        query = hv.Packed.from_bipolar(bipolar(rng, (dim,)))
    else:
        memory = hv.Memory(rng.standard_normal((m, dim)).astype(np.float32))
        query = rng.standard_normal(dim).astype(np.float32)
    r = memory.search(query, m)
    sigma = 1 / math.sqrt(dim)
    assert abs(r.cosines.mean()) < 5 * sigma / math.sqrt(m)
    assert abs(r.cosines.std() / sigma - 1) < 5 / math.sqrt(2 * m)
    z = r.z
    assert abs(z.std() - 1) < 5 / math.sqrt(2 * m)
    # p is the one-sided normal tail of z.
    np.testing.assert_allclose(r.p, [0.5 * math.erfc(x / math.sqrt(2)) for x in z], rtol=1e-9)


# --- threads ---------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["packed", "mixed", "float32", "int8"])
def test_thread_count_does_not_change_results(rng, kind):
    dim = 256
    rows = bipolar(rng, (500, dim))
    queries = rng.standard_normal((100, dim)).astype(np.float32)
    if kind in ("packed", "mixed"):
        memory = hv.Memory(hv.Packed.from_bipolar(rows))
        q = hv.Packed.from_bipolar(np.where(queries < 0, -1.0, 1.0)) if kind == "packed" else queries
    elif kind == "float32":
        memory, q = hv.Memory(rows), queries
    else:
        memory, q = hv.Memory(rows.astype(np.int8)), np.clip(np.round(queries * 20), -127, 127).astype(np.int8)
    a = memory.search(q, 10, threads=1)
    b = memory.search(q, 10, threads=0)
    for x, y in zip(a[:5], b[:5]):
        np.testing.assert_array_equal(x, y)


def test_concurrent_searches_equal_serial(rng):
    dim = 1024
    memory = hv.Memory(hv.Packed.from_bipolar(bipolar(rng, (2000, dim))))
    batches = [rng.standard_normal((64, dim)).astype(np.float32) for _ in range(12)]
    serial = [memory.search(b, 5) for b in batches]
    with concurrent.futures.ThreadPoolExecutor(max_workers=6) as pool:
        parallel = list(pool.map(lambda b: memory.search(b, 5), batches * 2))
    for i, r in enumerate(parallel):
        np.testing.assert_array_equal(r.ids, serial[i % len(batches)].ids)
        np.testing.assert_array_equal(r.cosines, serial[i % len(batches)].cosines)


def test_add_while_searching_is_safe(rng):
    # Searches see the memory before or after each add, never in between: every
    # query is a row of the first block and finds itself, however many rows exist.
    dim = 512
    first = bipolar(rng, (200, dim))
    memory = hv.Memory(hv.Packed.from_bipolar(first))
    more = hv.Packed.from_bipolar(bipolar(rng, (2000, dim)))
    queries = hv.Packed.from_bipolar(first[:50])
    stop = threading.Event()
    failures = []

    def searcher():
        while not stop.is_set():
            r = memory.search(queries, 1)
            if not (r.ids[:, 0] == np.arange(50)).all():
                failures.append(r.ids[:, 0])

    threads = [threading.Thread(target=searcher) for _ in range(3)]
    for t in threads:
        t.start()
    for i in range(0, 2000, 100):
        memory.add(more[i:i + 100])
    stop.set()
    for t in threads:
        t.join()
    assert not failures
    assert len(memory) == 2200


# --- decoding beyond top-k ---------------------------------------------------------------


def test_explain_away_recovers_bundle_items(rng):
    dim = 4096
    rows = bipolar(rng, (300, dim))
    items = [17, 123, 250]
    bundle = rows[items].sum(axis=0)  # integer sums as float
    packed = hv.Memory(hv.Packed.from_bipolar(rows))
    got = packed.explain_away(bundle)
    assert sorted(got.ids.tolist()) == items
    np.testing.assert_allclose(got.weights, 1.0, atol=0.1)
    dense = hv.Memory(rows)
    assert sorted(dense.explain_away(bundle).ids.tolist()) == items
    with pytest.raises(ValueError, match="int8"):
        hv.Memory(rows.astype(np.int8)).explain_away(bundle)
    with pytest.raises(ValueError, match="D=100"):
        packed.explain_away(bundle[:100])


def test_greedy_factor_search_finds_key_and_atom(rng):
    dim = 2048
    atoms = bipolar(rng, (100, dim))
    keys = bipolar(rng, (20, dim))
    v = atoms[42] * keys[7]  # MAP binding of bipolar vectors
    memory = hv.Memory(hv.Packed.from_bipolar(atoms))
    key_memory = hv.Memory(hv.Packed.from_bipolar(keys))
    found = memory.greedy_factor_search(key_memory, hv.Packed.from_bipolar(v))
    assert (found.key, found.id) == (7, 42) and found.cosine == 1.0
    found = memory.greedy_factor_search(key_memory, v.astype(np.float32), min_cosine=0.5)
    assert (found.key, found.id) == (7, 42)
    assert memory.greedy_factor_search(key_memory, bipolar(rng, (dim,)), min_cosine=0.5) is None


def test_resonator_factorises_map_product(rng):
    dim = 2048
    books = [bipolar(rng, (15, dim)) for _ in range(3)]
    truth = [4, 11, 0]
    s = books[0][truth[0]] * books[1][truth[1]] * books[2][truth[2]]
    memories = [hv.Memory(hv.Packed.from_bipolar(b), [f"f{f}_{i}" for i in range(15)])
                for f, b in enumerate(books)]
    r = hv.resonate(hv.Packed.from_bipolar(s), memories)
    assert r.factors.tolist() == truth
    assert r.labels == ["f0_4", "f1_11", "f2_0"]
    assert r.converged and r.iterations >= 1
    np.testing.assert_allclose(r.cosines, 1.0)
    with pytest.raises(ValueError, match="empty"):
        hv.resonate(hv.Packed.from_bipolar(s), [])
    with pytest.raises(ValueError, match="float32"):
        hv.resonate(s, memories)  # float s needs float32 (HRR) memories


def unitary_hrr(rng, n, dim):
    """Unitary HRR rows: every FFT bin of modulus 1 (so unit norm; the involution is
    the exact inverse)."""
    phases = rng.uniform(-np.pi, np.pi, (n, dim // 2 + 1))
    phases[:, 0] = 0
    phases[:, -1] = 0
    return np.fft.irfft(np.exp(1j * phases), n=dim).astype(np.float32)


def test_resonator_factorises_hrr_product(rng):
    dim = 1024
    books = [unitary_hrr(rng, 12, dim) for _ in range(3)]
    truth = [2, 9, 5]
    spectrum = np.prod([np.fft.rfft(b[t].astype(np.float64)) for b, t in zip(books, truth)], axis=0)
    s = np.fft.irfft(spectrum, n=dim).astype(np.float32)  # x_1 ⊛ x_2 ⊛ x_3
    memories = [hv.Memory(b) for b in books]
    r = hv.resonate(s, memories, unitary_estimates=True)
    assert r.factors.tolist() == truth
    assert (r.cosines > 0.9).all()
    with pytest.raises(ValueError, match="packed"):
        hv.resonate(hv.Packed.from_bipolar(bipolar(rng, (dim,))), memories)


def test_resonator_dense_map_takes_the_packed_steps(rng):
    # vsa="MAP" on float32 ±1 memories: the same factors, iterations and
    # convergence as the packed (BSC) resonator on the same rows.
    dim = 1000
    books = [bipolar(rng, (30, dim)) for _ in range(3)]
    truth = [7, 0, 29]
    s = books[0][truth[0]] * books[1][truth[1]] * books[2][truth[2]]
    dense = hv.resonate(s.astype(np.float32), [hv.Memory(b.astype(np.float32)) for b in books],
                        vsa="MAP", max_iterations=50)
    packed = hv.resonate(hv.Packed.from_bipolar(s),
                         [hv.Memory(hv.Packed.from_bipolar(b)) for b in books], max_iterations=50)
    assert dense.factors.tolist() == packed.factors.tolist()
    assert (dense.iterations, dense.converged) == (packed.iterations, packed.converged)
    np.testing.assert_allclose(dense.cosines, packed.cosines, rtol=1e-6)
    assert packed.factors.tolist() == truth
    with pytest.raises(ValueError, match="does not match s"):
        hv.resonate(s.astype(np.float32), [hv.Memory(b.astype(np.float32)) for b in books],
                    vsa="FHRR")
    with pytest.raises(ValueError, match="not one of"):
        hv.resonate(s.astype(np.float32), [hv.Memory(b.astype(np.float32)) for b in books],
                    vsa="map")


def test_resonator_factorises_fhrr_product(rng):
    dim = 1024
    books = [np.exp(1j * rng.uniform(-np.pi, np.pi, (12, dim))).astype(np.complex64)
             for _ in range(3)]
    truth = [3, 11, 6]
    s = (books[0][truth[0]] * books[1][truth[1]] * books[2][truth[2]]).astype(np.complex64)
    memories = [hv.Memory(b, [f"f{f}_{i}" for i in range(12)]) for f, b in enumerate(books)]
    r = hv.resonate(s, memories)  # complex s: FHRR
    assert r.factors.tolist() == truth
    assert r.labels == ["f0_3", "f1_11", "f2_6"]
    assert r.converged and (r.cosines > 0.9).all()
    assert hv.resonate(s, memories, vsa="FHRR").factors.tolist() == truth
    with pytest.raises(ValueError, match="complex64"):
        hv.resonate(s, [hv.Memory(np.real(b).copy()) for b in books])


def test_explain_away_phasor_bundle(rng):
    dim = 2048
    rows = np.exp(1j * rng.uniform(-np.pi, np.pi, (200, dim))).astype(np.complex64)
    bundle = (rows[5] + 0.8 * rows[77]).astype(np.complex64)
    got = hv.Memory(rows).explain_away(bundle)
    assert got.ids.tolist() == [5, 77]
    np.testing.assert_allclose(got.weights, [1.0, 0.8], atol=0.05)


def test_search_releases_the_gil(rng):
    # While a search runs in another thread, this thread keeps running Python. With
    # the GIL held through the search it could run at most one switch interval
    # (5 ms) of it (if the worker were preempted just before the call); released,
    # it runs throughout.
    memory = hv.Memory(hv.Packed.from_bipolar(bipolar(rng, (20000, 2048))))
    queries = rng.standard_normal((600, 2048)).astype(np.float32)
    assert_python_runs_during(lambda: memory.search(queries, 5, threads=1), "search")


def resident_bytes():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


@pytest.mark.rss
def test_repeated_calls_do_not_leak(rng):
    # 10^5 searches (with labels, thresholds and the error path) leave the resident
    # size within a bound far below what one leaked result per call would add
    # (six arrays and label references: > 500 bytes per call, 50 MB in all).
    rows = bipolar(rng, (50, 256))
    memory = hv.Memory(hv.Packed.from_bipolar(rows), [f"l{i}" for i in range(50)])
    query = hv.Packed.from_bipolar(rows[:2])

    def calls(n):
        for i in range(n):
            memory.search(query, 3, min_cosine=0.5)
            if i % 10 == 0:
                with pytest.raises(ValueError):
                    memory.search(query, 51)

    calls(10_000)  # warm up allocator pools
    before = resident_bytes()
    calls(100_000)
    assert resident_bytes() - before < 8 * 2**20


def test_torch_codebooks_and_queries(rng):
    torch = pytest.importorskip("torch")
    rows = bipolar(rng, (40, 128))
    for dtype, kind in ((torch.float32, "float32"), (torch.int8, "int8")):
        memory = hv.Memory(torch.from_numpy(rows).to(dtype))
        assert memory.kind == kind
        got = memory.search(torch.from_numpy(rows[:5]).to(dtype), 2)
        np.testing.assert_array_equal(got.ids[:, 0], np.arange(5))


def test_load_rows_reads_a_range_with_its_labels(tmp_path, rng):
    # Memory.load(rows=...) is a row range of the whole file's memory, for every
    # on-disk format, with the labels of those rows (hypervec.distributed's shards).
    d, m = 300, 11
    x = np.where(rng.random((m, d)) < 0.5, -1, 1).astype(np.float32)
    labels = tmp_path / "labels.txt"
    labels.write_text("".join(f"w{i}\n" for i in range(m)))
    files = {"packbits": (np.packbits(x < 0, axis=1), d), "float32": (x, 0), "float64": (x.astype(np.float64), d),
             "int8": (x.astype(np.int8), 0), "bool": (x < 0, d)}
    for name, (array, dim) in files.items():
        path = str(tmp_path / f"{name}.npy")
        np.save(path, array)
        whole = hv.Memory.load(path, str(labels), dim=dim)
        for rows in (slice(0, m), slice(3, 8), range(10, 11), slice(None, 4), slice(5, None), slice(4, 4)):
            part = hv.Memory.load(path, str(labels), dim=dim, rows=rows)
            first, stop, _ = rows.indices(m) if isinstance(rows, slice) else (rows.start, rows.stop, 1)
            assert len(part) == stop - first and part.dim == d, (name, rows)
            assert list(part.labels) == [f"w{i}" for i in range(first, stop)], (name, rows)
            if stop > first:
                assert np.array_equal(part.codebook().words, whole.codebook()[first:stop].words), (name, rows)
        assert len(hv.Memory.load(path, dim=dim, rows=slice(2, 5)).labels) == 3


def test_load_rows_errors(tmp_path):
    x = np.ones((4, 64), dtype=np.float32)
    x[2, 5] = 0.0
    path = str(tmp_path / "c.npy")
    np.save(path, x)
    labels = tmp_path / "l.txt"
    labels.write_text("a\nb\nc\n")
    assert len(hv.Memory.load(path, rows=slice(0, 2))) == 2  # the zero is outside the range
    with pytest.raises(OSError, match=r"row 2 component 5 is 0"):  # the file's row, not the range's
        hv.Memory.load(path, rows=slice(1, 4))
    with pytest.raises(ValueError, match=r"rows \[3, 5\) are outside the file's 4 rows"):
        hv.Memory.load(path, rows=slice(3, 5))
    with pytest.raises(ValueError, match="reversed"):
        hv.Memory.load(path, rows=slice(3, 1))
    with pytest.raises(ValueError, match="step 2"):
        hv.Memory.load(path, rows=slice(0, 4, 2))
    with pytest.raises(ValueError, match="negative"):
        hv.Memory.load(path, rows=slice(-2, None))
    with pytest.raises(ValueError, match="slice or range"):
        hv.Memory.load(path, rows=(0, 2))
    with pytest.raises(ValueError, match="4 rows but .* 3 labels"):
        hv.Memory.load(path, str(labels), rows=slice(0, 1))
    with pytest.raises(OSError, match="D given"):
        np.save(path, np.zeros((2, 8), dtype=np.uint8))
        hv.Memory.load(path, rows=slice(0, 1))
    with pytest.raises(OSError):
        hv.Memory.load(str(tmp_path / "missing.npy"), rows=slice(0, 1))
