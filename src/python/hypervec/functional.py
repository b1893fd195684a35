"""torchhd-style functions over every model (hypervec.functional).

Each picks the model from `vsa=` or, when None, from its arguments (Packed -> BSC,
complex -> FHRR, otherwise MAP; HRR must be named) and forwards to the model's
submodule (hypervec.bsc, .map, .hrr, .fhrr), which has the same verbs.
"""

from . import _hypervec
from ._hypervec import Packed

bsc = _hypervec.bsc
map = _hypervec.map  # noqa: A001 - the model's name; builtins.map is untouched elsewhere
hrr = _hypervec.hrr
fhrr = _hypervec.fhrr

#: The model names `vsa=` accepts.
VSA_MODELS = ("MAP", "BSC", "HRR", "FHRR")
_MODULES = {"MAP": map, "BSC": bsc, "HRR": hrr, "FHRR": fhrr}


def _is_complex(x):
    dtype = getattr(x, "dtype", None)
    if dtype is None:
        return False
    kind = getattr(dtype, "kind", None)
    return kind == "c" if kind is not None else "complex" in str(dtype)


def _model(vsa, *args):
    """The model module for `vsa` (a name) or, when None, for the arguments."""
    if vsa is not None:
        try:
            return _MODULES[vsa]
        except (KeyError, TypeError):
            raise ValueError(
                f"vsa={vsa!r} is not a hypervec model; expected one of {', '.join(VSA_MODELS)}"
            ) from None
    for a in args:
        if isinstance(a, Packed):
            return bsc
    for a in args:
        if _is_complex(a):
            return fhrr
    return map


def random(num_vectors, dimensions, vsa="MAP", *, seed=None, first_row=0, **kwargs):
    """random(num_vectors, dimensions, vsa="MAP", *, seed=None, first_row=0) -> (num_vectors, D)

    Random hypervectors of the model (torchhd.random): ±1 for MAP and BSC, N(0, 1/D)
    for HRR (dtype=numpy.float64 for double), unit phasors for FHRR. Rows are a pure
    function of (seed, row index): seed=None draws a fresh seed from the OS.
    """
    return _model(vsa).random(num_vectors, dimensions, seed, first_row, **kwargs)


def identity(num_vectors, dimensions, vsa="MAP"):
    """identity(num_vectors, dimensions, vsa="MAP") -> copies of bind's identity."""
    return _model(vsa).identity(num_vectors, dimensions)


def bind(input, other, vsa=None):
    """bind(input, other, vsa=None) -> input ⊗ other, broadcast over the leading axes."""
    return _model(vsa, input, other).bind(input, other)


def unbind(input, key, vsa=None):
    """unbind(input, key, vsa=None) -> input ⊗ key⁻¹ (torchhd: bind(input, inverse(key)))."""
    return _model(vsa, input, key).unbind(input, key)


def inverse(input, vsa=None):
    """inverse(input, vsa=None) -> the inverse for bind (MAP/BSC: itself, HRR: involution,
    FHRR: conjugate)."""
    return _model(vsa, input).inverse(input)


def permute(input, shifts=1, vsa=None):
    """permute(input, shifts=1, vsa=None) -> cyclic shift of the last axis (torch.roll)."""
    return _model(vsa, input).permute(input, shifts)


def inverse_permute(input, shifts=1, vsa=None):
    """inverse_permute(input, shifts=1, vsa=None) -> undoes permute(input, shifts)."""
    return _model(vsa, input).inverse_permute(input, shifts)


def multiset(input, vsa=None):
    """multiset(input, vsa=None) -> bundle of the vectors along axis -2: (..., n, D) -> (..., D).
    BSC: majority, ties toward -1; the other models: the sum."""
    return _model(vsa, input).multiset(input)


def dot_similarity(input, others, vsa=None):
    """dot_similarity(input, others, vsa=None) -> float64 (..., n): dot with every row of others."""
    return _model(vsa, input, others).dot_similarity(input, others)


def cosine_similarity(input, others, vsa=None):
    """cosine_similarity(input, others, vsa=None) -> float64 (..., n): the true cosine."""
    return _model(vsa, input, others).cosine_similarity(input, others)


def hamming_similarity(input, others):
    """hamming_similarity(input, others) -> float64 (..., n): equal components (BSC)."""
    return bsc.hamming_similarity(input, others)


__all__ = [
    "VSA_MODELS",
    "random", "identity", "bind", "unbind", "inverse", "permute", "inverse_permute",
    "multiset", "dot_similarity", "cosine_similarity", "hamming_similarity",
]
