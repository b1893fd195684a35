"""hypervec.distributed.ShardedMemory under mpirun (tests/mpi_run.py runs it with -np 1..4
through `python3 -m mpi4py`, so an exception in one rank aborts every rank instead of
leaving the others waiting in a collective).

Against hypervec.Memory on the whole codebook, on every rank: packed codebooks read from
packbits, float32 and int8 +-1 files (ShardedMemory.load), float, int8 and complex shards
built in memory (the constructor); M from 1 to 1001 (more ranks than rows, uneven
splits), duplicated rows (ties to the lower global id), k = 1, 3, M, thresholds, batches
of any leading shape, empty batches, the mixed float-query path; and collective errors
(every rank raises the lowest failing rank's ValueError/OSError, "rank r: ").
"""

import os
import sys
import tempfile

import numpy as np
from mpi4py import MPI

import hypervec as hv
from hypervec import probe
from hypervec.distributed import ShardedMemory, decode, shard_range

comm = MPI.COMM_WORLD
rank, ranks = comm.Get_rank(), comm.Get_size()
SEED = int(os.environ.get("HYPERVEC_TEST_SEED", "20261203"))
checks = 0


def fail(message):
    raise AssertionError(f"-np {ranks}, rank {rank}, seed {SEED} (HYPERVEC_TEST_SEED): {message}")


def same(got, want, what, exact=True):
    """The SearchResult `got` of the sharded memory equals the local `want`."""
    global checks
    checks += 1
    if got.ids.shape != want.ids.shape or not np.array_equal(got.ids, want.ids):
        fail(f"{what}: ids {got.ids.tolist()} != local {want.ids.tolist()}")
    if list(got.labels.ravel()) != list(want.labels.ravel()):
        fail(f"{what}: labels {got.labels.tolist()} != local {want.labels.tolist()}")
    for field in ("cosines", "z", "p", "scores"):
        a, b = getattr(got, field), getattr(want, field)
        ok = np.array_equal(a, b, equal_nan=True) if exact else np.allclose(a, b, rtol=1e-6, atol=1e-7,
                                                                             equal_nan=True)
        if not ok:
            fail(f"{what}: {field} {a.tolist()} != local {b.tolist()}")


def raises(kind, text, call, what):
    """call() raises `kind` on every rank, with "rank r: " and `text` in the message."""
    global checks
    checks += 1
    try:
        call()
    except kind as e:
        if not str(e).startswith("rank ") or text not in str(e):
            fail(f"{what}: message {str(e)!r} lacks 'rank r: ' or {text!r}")
        return str(e)
    except Exception as e:  # noqa: BLE001
        fail(f"{what}: raised {type(e).__name__} ({e}), expected {kind.__name__}")
    fail(f"{what}: raised nothing, expected {kind.__name__}")


def codebook(rng, m, d):
    """m random +-1 rows; with m >= 4, row m-1 repeats row 1 (a tie to break by id)."""
    x = np.where(rng.random((m, d)) < 0.5, -1, 1).astype(np.float32)
    if m >= 4:
        x[m - 1] = x[1]
    return x


def noisy(rng, rows, flips):
    return rows * np.where(rng.random(rows.shape) < flips, -1, 1).astype(np.float32)


def save(folder, name, array):
    path = os.path.join(folder, name)
    if rank == 0:
        np.save(path, array)
    comm.Barrier()
    return path


def loaded_codebooks(folder, rng):
    for m in (1, 2, 3, 5, 7, 64, 1001):
        for d in (1000, 4096):
            x = codebook(rng, m, d)
            labels = os.path.join(folder, f"labels{m}.txt")
            if rank == 0:
                with open(labels, "w", encoding="utf-8") as f:
                    f.write("".join(f"w{i}\n" for i in range(m)))
            files = {"packbits": (save(folder, f"p{m}_{d}.npy", np.packbits(x < 0, axis=1)), d),
                     "float32": (save(folder, f"f{m}_{d}.npy", x), 0),
                     "int8": (save(folder, f"i{m}_{d}.npy", x.astype(np.int8)), d)}
            queries = noisy(rng, x[rng.integers(0, m, size=6)], 0.3).reshape(2, 3, d)
            for fmt, (path, dim) in files.items():
                sharded = ShardedMemory.load(comm, path, labels, dim=dim)
                local = hv.Memory.load(path, labels, dim=dim)
                first, stop = shard_range(m, ranks, rank)
                if len(sharded) != m or len(sharded.shard) != stop - first or sharded.first_row != first:
                    fail(f"{fmt} M={m}: shard of {len(sharded.shard)} rows at {sharded.first_row}, "
                         f"expected [{first}, {stop}) of {m}")
                for k in sorted({1, min(3, m), m}):
                    for q in (hv.Packed.from_bipolar(queries), queries):
                        kind = "packed" if isinstance(q, hv.Packed) else "float (mixed)"
                        what = f"{fmt} M={m} D={d} k={k} {kind} queries"
                        same(sharded.search(q if rank == 0 else None, k), local.search(q, k), what)
                        same(sharded.search(q if rank == 0 else None, k, min_cosine=0.2, min_z=3.0),
                             local.search(q, k, min_cosine=0.2, min_z=3.0), what + " thresholds")
                one = hv.Packed.from_bipolar(queries[0, 0])
                same(sharded.search(one if rank == 0 else None, 1), local.search(one, 1), f"{fmt} one query")
                empty = hv.Packed.from_bipolar(queries[:0, 0])
                same(sharded.search(empty if rank == 0 else None, 1), local.search(empty, 1), "empty batch")


def built_shards(rng):
    """Float (both metrics), int8 and complex shards made in memory: the constructor."""
    m, d = 101, 512
    rows = {"float32": rng.standard_normal((m, d)).astype(np.float32),
            "int8": rng.integers(-3, 4, size=(m, d)).astype(np.int8),
            "complex64": np.exp(1j * rng.uniform(-np.pi, np.pi, (m, d))).astype(np.complex64)}
    labels = [f"r{i}" for i in range(m)]
    first, stop = shard_range(m, ranks, rank)
    for dtype, x in rows.items():
        for metric in ("cosine", "dot") if dtype != "complex64" else ("cosine",):
            local = hv.Memory(x, labels, metric=metric)
            shard = hv.Memory(x[first:stop], labels[first:stop], metric=metric)
            sharded = ShardedMemory(comm, shard)
            q = x[rng.integers(0, m, size=5)] + (0.8 * rng.standard_normal((5, d))).astype(x.dtype)
            q = q.astype(x.dtype)
            for k in (1, 4):
                # Float scores may round differently when the GEMM is blocked over fewer rows.
                same(sharded.search(q if rank == 0 else None, k), local.search(q, k),
                     f"{dtype} {metric} k={k}", exact=dtype == "int8")


def errors(folder, rng):
    d = 256
    x = codebook(rng, 9, d)
    path = save(folder, "e.npy", np.packbits(x < 0, axis=1))
    sharded = ShardedMemory.load(comm, path, dim=d)
    q = hv.Packed.from_bipolar(x[:2])
    raises(OSError, "missing.npy", lambda: ShardedMemory.load(comm, os.path.join(folder, "missing.npy"), dim=d),
           "missing file")
    short = os.path.join(folder, "short.txt")
    if rank == 0:
        with open(short, "w", encoding="utf-8") as f:
            f.write("a\nb\n")
    comm.Barrier()
    raises(ValueError, "labels", lambda: ShardedMemory.load(comm, path, short, dim=d), "label count")
    raises(OSError, "D given", lambda: ShardedMemory.load(comm, path), "packbits without dim")
    raises(ValueError, "k=0", lambda: sharded.search(q if rank == 0 else None, 0), "k = 0")
    raises(ValueError, "k=10", lambda: sharded.search(q if rank == 0 else None, 10), "k > M")
    raises(ValueError, "D=", lambda: sharded.search(hv.Packed.from_bipolar(x[:2, :128]) if rank == 0 else None),
           "query D")
    nan = np.ones((1, d), dtype=np.float32)
    nan[0, 7] = np.nan
    raises(ValueError, "", lambda: sharded.search(nan if rank == 0 else None), "NaN query")
    raises(ValueError, "min_cosine is NaN", lambda: sharded.search(q if rank == 0 else None, min_cosine=np.nan),
           "NaN threshold")
    # Only the last rank's shard has another D: the message names it on every rank.
    odd = hv.Memory(hv.Packed.from_bipolar(x[:1, :128 if rank == ranks - 1 and ranks > 1 else d]))
    if ranks > 1:
        raises(ValueError, f"rank {ranks - 1}'s shard", lambda: ShardedMemory(comm, odd), "shards of two D")
    raises(ValueError, "every shard is empty", lambda: ShardedMemory(comm, hv.Memory.load(path, dim=d, rows=slice(0, 0))),
           "empty memory")
    if sharded.search(q if rank == 0 else None, 1).ids.tolist() != [[0], [1]]:
        fail("the memory does not search after the errors")


def decoded_documents():
    """distributed.decode of data/probe (500 documents; also 3, fewer than the ranks
    at -np 4) equals one Decoder.decode / decode_columns on the root."""
    global checks
    data = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "data", "probe")
    memory = hv.Memory.load(f"{data}/codebook.npy", f"{data}/labels.txt", dim=4096)
    decoder = probe.Decoder(memory, k=3)
    docs = probe.read_documents(f"{data}/analogies.jsonl")
    bits = np.load(f"{data}/noisy.npy", mmap_mode="r")
    for n in (500, 3):
        vectors = hv.Packed.from_packbits(np.asarray(bits[:n]), 4096, one="negative")
        contexts, targets = docs["context"][:n], docs["target"][:n]
        got = decode(comm, decoder, vectors, contexts, targets)
        cols = decode(comm, decoder, vectors, contexts, targets, columns=True)
        floats = decode(comm, decoder, vectors.to_bipolar(np.float32), contexts, targets, root=ranks - 1)
        if rank == 0:
            want = decoder.decode(vectors, contexts, targets)
            checks += 1
            if got != want:
                fail(f"decode of {n} documents differs from one Decoder")
            want_cols = decoder.decode_columns(vectors, contexts, targets)
            for key, column in want_cols.items():
                checks += 1
                numeric = column.dtype.kind in "fiu"
                if not (np.array_equal(cols[key], column, equal_nan=column.dtype.kind == "f") if numeric
                        else list(cols[key].ravel()) == list(column.ravel())):
                    fail(f"decode columns={key} differs from one Decoder")
        elif got is not None or cols is not None:
            fail("a rank other than the root got results")
        if rank == ranks - 1 and floats != decoder.decode(vectors, contexts, targets):
            fail("decode of float vectors at root = last rank differs")
    bad = [list(c) for c in docs["context"][:10]]
    bad[9][0] = "no-such-label"  # in the last rank's range
    raises(ValueError, "no-such-label", lambda: decode(comm, decoder, vectors_of(bits, 10), bad, None),
           "unknown label")
    raises(ValueError, "10 vectors, 9 contexts", lambda: decode(comm, decoder, vectors_of(bits, 10), bad[:9]),
           "length mismatch")


def vectors_of(bits, n):
    return hv.Packed.from_packbits(np.asarray(bits[:n]), 4096, one="negative")


def main():
    rng = np.random.default_rng(SEED + 0)  # the same draws on every rank
    folder = comm.bcast(tempfile.mkdtemp(prefix="hv-mpi-") if rank == 0 else None)
    loaded_codebooks(folder, rng)
    built_shards(rng)
    errors(folder, rng)
    decoded_documents()
    comm.Barrier()
    if rank == 0:
        for name in os.listdir(folder):
            os.remove(os.path.join(folder, name))
        os.rmdir(folder)
        print(f"mpi_sharded_memory: -np {ranks}: {checks} checks passed (seed {SEED})")
    sys.stdout.flush()


main()
