"""hypervec: vector symbolic architectures (hyperdimensional computing) on NumPy.

The models are chosen by name, as in torchhd:

    "MAP"   dense bipolar/real vectors, float32 (or int8); bind = component-wise product
    "BSC"   packed bipolar vectors (hypervec.Packed, 1 bit per component); bind = XOR
    "HRR"   real vectors, float32 or float64; bind = circular convolution
    "FHRR"  complex64 unit phasors; bind = component-wise product

Every function takes batches of shape (..., D) and broadcasts the leading axes.
The top-level functions pick the model from `vsa=` or, when it is None, from the
arguments (Packed -> BSC, complex -> FHRR, otherwise MAP; HRR is always named).
hypervec.bsc, .map, .hrr and .fhrr hold the same verbs per model.

See docs/python.md for the torchhd -> hypervec table.
"""

from . import _hypervec
from ._hypervec import Packed
from . import functional
from .functional import *  # noqa: F401,F403 - the torchhd-style verbs
from .functional import bsc, fhrr, hrr, map  # noqa: A001 - model submodules
from . import structures

from .memory import Explained, FactorMatch, Memory, Resonance, SearchResult, resonate  # noqa: E402
from . import memory, probe  # noqa: E402 - cleanup memories, the probe decoder

__version__ = "0.1.0"

__all__ = ["Packed", "bsc", "map", "hrr", "fhrr", "functional"] + functional.__all__
__all__ += ["structures"]
__all__ += ["Memory", "SearchResult", "Explained", "FactorMatch", "Resonance", "resonate", "probe"]
