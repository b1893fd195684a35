"""Search the bundled probe codebook (data/probe/) split over MPI ranks with mpi4py.
Run: mpirun -np 2 env PYTHONPATH=build/release/src/python /usr/bin/python3 examples/python/sharded_search.py
(without mpirun, one rank holds every row). Every rank gets the same hits."""
import os
import numpy as np
from mpi4py import MPI
import hypervec as hv
from hypervec.distributed import ShardedMemory

data = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "data", "probe")
comm, files = MPI.COMM_WORLD, (f"{data}/codebook.npy", f"{data}/labels.txt")
memory = ShardedMemory.load(comm, *files, dim=4096)  # each rank reads its rows only
queries = None  # the root's: document 0 ("rome : italy = dublin : ireland") unbound by dublin
if comm.rank == 0:
    whole = hv.Memory.load(*files, dim=4096)
    doc = hv.Packed.from_packbits(np.load(f"{data}/noisy.npy")[:1], 4096, one="negative")
    queries = hv.bind(doc, whole.codebook()[whole.find("dublin")])
hits = memory.search(queries, k=3, min_cosine=0.1)
print(f"rank {comm.rank} of {comm.size} ({len(memory.shard)} of {len(memory)} rows): {list(hits.labels[0])}")
