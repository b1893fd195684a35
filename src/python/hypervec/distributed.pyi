# Types of hypervec/distributed.py (a cleanup memory sharded over MPI ranks and a probe decode split over them, mpi4py).
from typing import Any, Optional, Tuple, Union

import numpy.typing as npt

from . import Memory, Packed, SearchResult

def shard_range(rows: int, ranks: int, rank: int) -> Tuple[int, int]: ...

class ShardedMemory:
    comm: Any
    shard: Memory
    rank: int
    ranks: int
    size: int
    first_row: int
    dim: int
    def __init__(self, comm: Any, shard: Memory) -> None: ...
    @classmethod
    def load(cls, comm: Any, path: str, labels_path: Optional[str] = ..., *,
             dim: int = ...) -> "ShardedMemory": ...
    def __len__(self) -> int: ...
    def search(self, queries: Union[None, Packed, npt.ArrayLike] = ..., k: int = ..., *,
               min_cosine: Optional[float] = ..., min_z: Optional[float] = ...,
               threads: int = ..., root: int = ...) -> SearchResult: ...

def decode(comm: Any, decoder: Any, vectors: Union[Packed, npt.ArrayLike], contexts: Any,
           targets: Any = ..., *, columns: bool = ..., root: int = ...) -> Any: ...
