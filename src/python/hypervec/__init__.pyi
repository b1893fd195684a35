# Signatures and types of hypervec for editors and type checkers (docs/python.md).
# Arrays are numpy.ndarray (torch CPU tensors and anything numpy.asarray takes
# are accepted as input).
from typing import Any, Literal, Optional, Tuple, Union
import numpy as np
import numpy.typing as npt

VSA = Literal["MAP", "BSC", "HRR", "FHRR"]
ArrayLike = Any

class Packed:
    def __init__(self, words: npt.NDArray[np.uint64], dim: int) -> None: ...
    @property
    def dim(self) -> int: ...
    @property
    def shape(self) -> Tuple[int, ...]: ...
    @property
    def ndim(self) -> int: ...
    @property
    def words(self) -> npt.NDArray[np.uint64]: ...
    def __len__(self) -> int: ...
    def __getitem__(self, index: Any) -> "Packed": ...
    def copy(self) -> "Packed": ...
    def to_bipolar(self, dtype: Any = ...) -> np.ndarray: ...
    def to_packbits(self, *, one: Literal["negative", "positive"],
                    bitorder: Literal["big", "little"] = ...) -> npt.NDArray[np.uint8]: ...
    @staticmethod
    def from_bipolar(input: ArrayLike) -> "Packed": ...
    @staticmethod
    def from_packbits(bits: ArrayLike, dim: int, *, one: Literal["negative", "positive"],
                      bitorder: Literal["big", "little"] = ...) -> "Packed": ...

from . import functional as functional
from .functional import *
from .functional import bsc as bsc, map as map, hrr as hrr, fhrr as fhrr

__version__: str
from . import structures as structures

from .memory import Memory as Memory, SearchResult as SearchResult, Explained as Explained
from .memory import FactorMatch as FactorMatch, Resonance as Resonance, resonate as resonate
from . import memory as memory, probe as probe
