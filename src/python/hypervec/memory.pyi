from typing import Any, List, NamedTuple, Optional, Sequence, Union

import numpy as np
import numpy.typing as npt

from . import Packed

class SearchResult(NamedTuple):
    ids: npt.NDArray[np.int64]
    cosines: npt.NDArray[np.float64]
    z: npt.NDArray[np.float64]
    p: npt.NDArray[np.float64]
    scores: npt.NDArray[np.float64]
    labels: npt.NDArray[np.object_]

class Explained(NamedTuple):
    ids: npt.NDArray[np.int64]
    weights: npt.NDArray[np.float64]
    cosines: npt.NDArray[np.float64]
    z: npt.NDArray[np.float64]
    labels: List[str]

class FactorMatch(NamedTuple):
    key: int
    id: int
    label: str
    cosine: float
    z: float

class Resonance(NamedTuple):
    factors: npt.NDArray[np.int64]
    labels: List[str]
    cosines: npt.NDArray[np.float64]
    iterations: int
    converged: bool

class Memory:
    def __init__(self, codebook: Union[Packed, npt.ArrayLike],
                 labels: Optional[Sequence[str]] = ..., *, metric: str = ...) -> None: ...
    @staticmethod
    def load(path: str, labels_path: Optional[str] = ..., *, dim: int = ...,
             rows: Union[None, slice, range] = ...) -> "Memory": ...
    def search(self, queries: Union[Packed, npt.ArrayLike], k: int = ..., *,
               min_cosine: Optional[float] = ..., min_z: Optional[float] = ...,
               threads: int = ...) -> SearchResult: ...
    def add(self, rows: Union[Packed, npt.ArrayLike],
            labels: Union[None, str, Sequence[str]] = ...) -> npt.NDArray[np.int64]: ...
    def find(self, label: str) -> Optional[int]: ...
    def codebook(self) -> Union[Packed, np.ndarray]: ...
    def explain_away(self, bundle: Union[Packed, npt.ArrayLike], *, min_z: float = ...,
                     max_items: int = ..., threads: int = ...) -> Explained: ...
    def greedy_factor_search(self, keys: "Memory", v: Union[Packed, npt.ArrayLike], *,
                             min_cosine: Optional[float] = ..., min_z: Optional[float] = ...,
                             threads: int = ...) -> Optional[FactorMatch]: ...
    def __len__(self) -> int: ...
    @property
    def dim(self) -> int: ...
    @property
    def kind(self) -> str: ...
    @property
    def metric(self) -> Optional[str]: ...
    @property
    def labels(self) -> npt.NDArray[np.object_]: ...

def resonate(s: Union[Packed, npt.ArrayLike], codebooks: Sequence[Memory], *,
             vsa: Optional[str] = ...,
             max_iterations: int = ..., tolerance: float = ...,
             unitary_estimates: bool = ...) -> Resonance: ...
