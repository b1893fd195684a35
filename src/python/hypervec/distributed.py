"""A cleanup memory sharded over the processes of an MPI communicator (mpi4py), the
Python side of include/hypervec/distributed.hpp (docs/distributed.md).

    from mpi4py import MPI
    from hypervec.distributed import ShardedMemory
    memory = ShardedMemory.load(MPI.COMM_WORLD, "codebook.npy", "labels.txt", dim=4096)
    hits = memory.search(queries, k=5)        # queries read on rank 0; every rank gets hits
    # or the documents split over the ranks, each with the whole codebook; root gets all:
    results = decode(MPI.COMM_WORLD, probe.Decoder(hypervec.Memory.load(...)), vectors, contexts)

Rows are split in contiguous ranges (shard_range: sizes differ by at most one, a rank
may hold none); each rank keeps one local hypervec.Memory and searches it with all its
cores. search() broadcasts the root's queries, takes each shard's top-min(k, rows),
all-gathers the candidates and merges them by (score descending, global id ascending),
then applies min_cosine/min_z: the result equals Memory.search on the whole codebook.
Every method is collective (call it on every rank) and errors are too: every rank
raises the error of the lowest failing rank, as ValueError or OSError, prefixed
"rank r: ". decode() splits a probe decode's documents over the ranks instead (every
rank holds the whole codebook). mpi4py is imported by the caller; this module only
uses the communicator.
"""

import numpy as np

from ._hypervec import Memory, Packed, SearchResult

__all__ = ["ShardedMemory", "shard_range", "decode"]


def shard_range(rows, ranks, rank):
    """The rows [first, stop) of `rank` when `rows` rows are split over `ranks`:
    [rows*rank // ranks, rows*(rank+1) // ranks), as the C++ shard_range."""
    if not 0 <= rank < ranks:
        raise ValueError(f"shard_range: rank {rank} is outside 0..{ranks - 1}")
    return rows * rank // ranks, rows * (rank + 1) // ranks


def _npy_rows(path):
    """The row count (first axis) in the header of the .npy file at `path`; OSError
    when it cannot be read or is not a .npy header (Memory.load checks the rest)."""
    with open(path, "rb") as f:
        try:
            version = np.lib.format.read_magic(f)
            read_header = {(1, 0): np.lib.format.read_array_header_1_0,
                           (2, 0): np.lib.format.read_array_header_2_0}.get(version)
            if read_header is None:
                raise ValueError(f"unsupported .npy version {version}")
            shape = read_header(f)[0]
        except ValueError as e:
            raise OSError(f"{path}: not a readable .npy file: {e}") from e
    return shape[0] if shape else 0


def _agree(comm, error):
    """Collective: raises on every rank the lowest failing rank's error (ValueError,
    OSError, else RuntimeError) with "rank r: " in front; returns when none failed."""
    mine = None if error is None else (type(error).__name__, str(error),
                                       isinstance(error, OSError), isinstance(error, ValueError))
    errors = comm.allgather(mine)
    for rank, e in enumerate(errors):
        if e is not None:
            name, message, is_os, is_value = e
            kind = OSError if is_os else ValueError if is_value else RuntimeError
            raise kind(f"rank {rank}: {message}") from (error if rank == comm.Get_rank() else None)


def _run(comm, work):
    """Collective: work() on every rank, then _agree on its exception, if any."""
    result, error = None, None
    try:
        result = work()
    except Exception as e:  # noqa: BLE001 - every error must reach the other ranks
        error = e
    _agree(comm, error)
    return result


class ShardedMemory:
    """Collective: `shard` (a hypervec.Memory) holds rank r's rows, the global rows that
    follow rank r-1's. ValueError (on every rank) when the shards' D or kinds differ or
    the whole memory is empty."""

    def __init__(self, comm, shard):
        self.comm, self.shard = comm, shard
        self.rank, self.ranks = comm.Get_rank(), comm.Get_size()

        def describe():
            if not isinstance(shard, Memory):
                raise ValueError(f"ShardedMemory: shard is a {type(shard).__name__}; expected a hypervec.Memory")
            return len(shard), shard.dim, shard.kind
        mine = _run(comm, describe)
        shapes = comm.allgather(mine)
        self.size = sum(n for n, _, _ in shapes)
        self.first_row = sum(n for n, _, _ in shapes[:self.rank])
        self.dim = shard.dim

        def check():
            for r, (_, dim, kind) in enumerate(shapes):
                if (dim, kind) != (shapes[0][1], shapes[0][2]):
                    raise ValueError(f"ShardedMemory: rank {r}'s shard is {kind} rows of D={dim}, rank 0's "
                                     f"{shapes[0][2]} rows of D={shapes[0][1]}; every shard must match")
            if self.size == 0:
                raise ValueError("ShardedMemory: every shard is empty")
        _run(comm, check)

    @classmethod
    def load(cls, comm, path, labels_path=None, *, dim=0):
        """Collective: each rank reads only its shard_range of the codebook .npy at `path`
        (the formats of Memory.load: packbits uint8 with dim=D, or float/int8 +-1 rows)
        and the matching lines of `labels_path` (read whole on every rank). OSError
        for a missing or malformed file, ValueError for a row/label mismatch."""
        def read():
            first, stop = shard_range(_npy_rows(path), comm.Get_size(), comm.Get_rank())
            return Memory.load(path, labels_path, dim=dim, rows=slice(first, stop))
        return cls(comm, _run(comm, read))

    def __len__(self):
        return self.size

    def search(self, queries=None, k=1, *, min_cosine=None, min_z=None, threads=0, root=0):
        """Collective top-k of a batch (..., D) given on `root` (others may pass None):
        every rank returns the SearchResult of Memory.search on the whole codebook, with
        global ids. ValueError as Memory.search (k outside 1..len(self), D, NaN)."""
        comm = self.comm

        def header():
            if self.rank != root:
                return None
            if isinstance(queries, Packed):
                return ("packed", np.ascontiguousarray(queries.words), queries.dim)
            q = np.ascontiguousarray(queries)
            if q.dtype == object or q.ndim == 0:
                raise ValueError(f"ShardedMemory.search: queries of dtype {q.dtype} and shape {q.shape}")
            return ("array", q, 0)
        sent = _run(comm, header)
        kind, shape, dtype, dim = comm.bcast(None if sent is None else
                                             (sent[0], sent[1].shape, sent[1].dtype.str, sent[2]), root=root)
        buffer = sent[1] if self.rank == root else np.empty(shape, dtype=np.dtype(dtype))
        comm.Bcast(buffer, root=root)
        q = Packed(buffer, dim) if kind == "packed" else buffer
        lead = shape[:-1]

        def local():
            if not 1 <= k <= self.size:
                raise ValueError(f"ShardedMemory.search: k={k} is out of range: the memory has {self.size} "
                                 f"rows (1 <= k <= {self.size})")
            for name, x in (("min_cosine", min_cosine), ("min_z", min_z)):
                if x is not None and np.isnan(x):
                    raise ValueError(f"ShardedMemory.search: {name} is NaN")
            if len(self.shard) == 0:
                return None
            r = self.shard.search(q, min(k, len(self.shard)), threads=threads)
            width = r.ids.shape[-1]
            return tuple(a.reshape(-1, width) for a in
                         (r.ids + self.first_row, r.scores, r.cosines, r.z, r.p, r.labels))
        mine = _run(comm, local)
        parts = [p for p in comm.allgather(mine) if p is not None]
        ids, scores, cosines, z, p, labels = (np.concatenate([part[f] for part in parts], axis=1)
                                              for f in range(6))
        order = np.lexsort((ids, -scores), axis=-1)[:, :k]  # score descending, then lower id
        ids, scores, cosines, z, p, labels = (np.take_along_axis(a, order, axis=1)
                                              for a in (ids, scores, cosines, z, p, labels))
        passing = np.ones(ids.shape, dtype=bool)
        if min_cosine is not None:
            passing &= cosines >= min_cosine
        if min_z is not None:
            passing &= z >= min_z
        # As the local memory: the passing hits keep their order, the rest become
        # abstentions (id -1, NaN, label None) at the end.
        keep = np.argsort(~passing, axis=1, kind="stable")
        ids, scores, cosines, z, p, labels, passing = (np.take_along_axis(a, keep, axis=1) for a in
                                                       (ids, scores, cosines, z, p, labels, passing))
        ids[~passing] = -1
        for a in (scores, cosines, z, p):
            a[~passing] = np.nan
        labels[~passing] = None
        out = (a.reshape(lead + (k,)) for a in (ids, cosines, z, p, scores, labels))
        return SearchResult(*out)


def decode(comm, decoder, vectors, contexts, targets=None, *, columns=False, root=0):
    """Collective probe decode with the documents split over the ranks: documents
    [0, N) in contiguous ranges (shard_range), each rank decoding its range with its own
    `decoder` (a hypervec.probe.Decoder on the whole codebook, using all its cores).
    Every rank passes the same vectors (Packed or an array, e.g. np.load(path,
    mmap_mode="r"), so that a rank reads only its rows), contexts and targets.
    Returns on `root` what decoder.decode returns for all N documents, in document
    order with "doc" the global index (columns=True: decoder.decode_columns, the arrays
    joined), and None on the other ranks. Errors are collective, as ShardedMemory's."""
    def local():
        n = len(vectors)
        if len(contexts) != n or (targets is not None and len(targets) != n):
            raise ValueError(f"distributed.decode: {n} vectors, {len(contexts)} contexts"
                             + ("" if targets is None else f", {len(targets)} targets"))
        first, stop = shard_range(n, comm.Get_size(), comm.Get_rank())
        part_targets = None if targets is None else targets[first:stop]
        rows = vectors[first:stop] if isinstance(vectors, Packed) else np.asarray(vectors[first:stop])
        if columns:
            return decoder.decode_columns(rows, contexts[first:stop], part_targets)
        part = decoder.decode(rows, contexts[first:stop], part_targets)
        for d in part:
            d["doc"] += first
        return part
    parts = comm.gather(_run(comm, local), root=root)
    if comm.Get_rank() != root:
        return None
    if columns:
        return {key: np.concatenate([p[key] for p in parts]) for key in parts[0]}
    return [d for p in parts for d in p]
