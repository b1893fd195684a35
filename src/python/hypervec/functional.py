"""torchhd-style functions over every model (hypervec.functional).

Each picks the model from `vsa=` or, when None, from its arguments (Packed -> BSC,
complex -> FHRR, otherwise MAP; HRR must be named) and forwards to the model's
submodule (hypervec.bsc, .map, .hrr, .fhrr), which has the same verbs.
"""

import numpy as np

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


def multiset(input, vsa=None, *, tie="negative", seed=None):
    """multiset(input, vsa=None, *, tie="negative", seed=None) -> bundle of the vectors along
    axis -2: (..., n, D) -> (..., D). BSC: majority; ties (even n) to -1 ("negative"), +1
    ("positive") or a seeded coin ("random", torchhd's rule: row g of random(groups, D, "BSC",
    seed=seed) for group g); the other models: the sum (tie and seed unused)."""
    model = _model(vsa, input)
    if model is bsc and tie != "negative":
        return bsc.majority(input, tie, seed)
    return model.multiset(input)  # BSC: the majority with ties to -1


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


# --- Composite verbs (torchhd.functional), written over the model verbs --------
#
# BSC values are hypervec.Packed; their composites work on the uint64 words
# (bit 1 = -1, padding bits zero) with NumPy, so no vector is unpacked. Dense
# values are NumPy arrays (torch CPU tensors are read through numpy.asarray).

#: torchhd's alias of multiset.
multibundle = multiset
#: torchhd's aliases of the similarities.
dot = dot_similarity
cos = cosine_similarity

_TIES = ("random", "negative", "positive")


def _fail(where, message):
    raise ValueError(f"{where}: {message}")


def _dense(x, where, arg):
    """x as a NumPy array of vectors (..., D); ValueError naming `arg` otherwise."""
    if isinstance(x, Packed):
        _fail(where, f"{arg} is a hypervec.Packed (BSC) but vsa is not 'BSC'")
    try:
        a = np.asarray(x)
    except Exception:  # noqa: BLE001 - any conversion failure is the caller's argument
        _fail(where, f"{arg} is not an array")
    if a.ndim == 0:
        _fail(where, f"{arg} is a scalar; expected shape (..., D)")
    if a.dtype.kind not in "biufc":
        _fail(where, f"{arg} has dtype {a.dtype}; expected a numeric array")
    return a


def _packed(x, where, arg):
    if not isinstance(x, Packed):
        _fail(where, f"{arg} is {type(x).__name__}; BSC needs a hypervec.Packed "
                     "(Packed.from_bipolar(x) converts ±1 arrays)")
    return x


def _words(p):
    return np.asarray(p.words)


def _from_words(words, dim):
    return Packed(np.ascontiguousarray(words, dtype=np.uint64), dim)


def _tail_mask(dim):
    """Mask of the bits of the last word that are components (the rest stay 0)."""
    r = dim % 64
    return np.uint64(0xFFFFFFFFFFFFFFFF) if r == 0 else np.uint64((1 << r) - 1)


def _vectors_axis(x, model, where, arg="input"):
    """x checked to have shape (..., n, D) with n >= 1 (in the model's form); returns (x, n)."""
    if model is bsc:
        x = _packed(x, where, arg)
    else:
        x = _dense(x, where, arg)
    if len(x.shape) < 2:
        _fail(where, f"{arg} has shape {tuple(x.shape)}; expected (..., n, D): the n vectors")
    n = x.shape[-2]
    if n == 0:
        _fail(where, f"{arg} holds no vectors (n = 0 along axis -2)")
    return x, n


def _take(x, index, model):
    """x[..., index, :] along the vectors axis, in the model's form."""
    if model is bsc:
        return _from_words(_words(x)[..., index, :], x.dim)
    return x[..., index, :]


def _stack(items, model):
    """Stacks vectors along a new axis -2 (the inverse of _take)."""
    if model is bsc:
        return _from_words(np.stack([_words(i) for i in items], axis=-2), items[0].dim)
    return np.stack(items, axis=-2)


def _same_dim(a, b, where, name_a, name_b):
    if a.shape[-1] != b.shape[-1]:
        _fail(where, f"{name_a} has D={a.shape[-1]} and {name_b} has D={b.shape[-1]}")


def bundle(input, other, vsa=None, *, tie="random", seed=None):
    """bundle(input, other, vsa=None, *, tie="random", seed=None) -> input ⊕ other.

    MAP, HRR, FHRR: the sum (torchhd), in the model's dtype (MAP int8 sums as float32).
    BSC: the majority of two, which is a tie wherever they differ: tie="random" (torchhd's
    rule) takes output row g's component from row g of random(rows, D, "BSC", seed=seed),
    "negative" -1, "positive" +1. Leading axes broadcast.
    """
    where = "bundle"
    model = _model(vsa, input, other)
    if model is not bsc:
        a, b = _dense(input, where, "input"), _dense(other, where, "other")
        _same_dim(a, b, where, "input", "other")
        try:
            a, b = np.broadcast_arrays(a, b)
        except ValueError:
            _fail(where, f"input of batch shape {a.shape[:-1]} and other of batch shape "
                         f"{b.shape[:-1]} do not broadcast")
        return model.multiset(np.stack([a, b], axis=-2))
    if tie not in _TIES:
        _fail(where, f"tie={tie!r}; expected 'random', 'negative' or 'positive'")
    a, b = _packed(input, where, "input"), _packed(other, where, "other")
    _same_dim(a, b, where, "input", "other")
    wa, wb = _words(a), _words(b)
    try:
        differ = np.bitwise_xor(wa, wb)
    except ValueError:
        _fail(where, f"input of batch shape {a.shape[:-1]} and other of batch shape "
                     f"{b.shape[:-1]} do not broadcast")
    agree = np.broadcast_to(wa, differ.shape) & ~differ
    if tie == "negative":
        coin = np.uint64(0xFFFFFFFFFFFFFFFF)  # padding: differ is 0 there
    elif tie == "positive":
        coin = np.uint64(0)
    else:
        rows = int(np.prod(differ.shape[:-1], dtype=np.int64))
        coin = _words(bsc.random(rows, a.dim, seed)).reshape(differ.shape)
    return _from_words(agree | (differ & coin), a.dim)


def negative(input, vsa=None):
    """negative(input, vsa=None) -> -input, the bundling inverse (BSC: every bit flipped)."""
    where = "negative"
    model = _model(vsa, input)
    if model is bsc:
        p = _packed(input, where, "input")
        w = ~_words(p)
        w[..., -1] &= _tail_mask(p.dim)
        return _from_words(w, p.dim)
    return np.negative(_dense(input, where, "input"))


def multibind(input, vsa=None):
    """multibind(input, vsa=None) -> the bind of the vectors along axis -2: (..., n, D) -> (..., D)."""
    where = "multibind"
    model = _model(vsa, input)
    x, n = _vectors_axis(input, model, where)
    if model is bsc:
        return _from_words(np.bitwise_xor.reduce(_words(x), axis=-2), x.dim)
    out = _take(x, 0, model)
    if n == 1:
        return model.permute(out, 0)  # a copy, with the model's dtype rules
    for i in range(1, n):
        out = model.bind(out, _take(x, i, model))
    return out


def _permuted_sequence(x, n, model):
    """ρ^{n-1-i}(x_i) for each i, stacked again along axis -2 (torchhd's sequences)."""
    return _stack([model.permute(_take(x, i, model), n - 1 - i) for i in range(n)], model)


def bind_sequence(input, vsa=None):
    """bind_sequence(input, vsa=None) -> ⊗_i ρ^{n-1-i}(input_i): (..., n, D) -> (..., D)."""
    model = _model(vsa, input)
    x, n = _vectors_axis(input, model, "bind_sequence")
    return multibind(_permuted_sequence(x, n, model), vsa=_name(model))


def bundle_sequence(input, vsa=None, *, tie="negative", seed=None):
    """bundle_sequence(input, vsa=None, *, tie="negative", seed=None) -> ⊕_i ρ^{n-1-i}(input_i).
    BSC ties as multiset."""
    model = _model(vsa, input)
    x, n = _vectors_axis(input, model, "bundle_sequence")
    return multiset(_permuted_sequence(x, n, model), vsa=_name(model), tie=tie, seed=seed)


def ngrams(input, n=3, vsa=None, *, tie="negative", seed=None):
    """ngrams(input, n=3, vsa=None, *, tie="negative", seed=None) -> the n-gram statistics
    ⊕_{i=0}^{m-n} ⊗_{j=0}^{n-1} ρ^{n-1-j}(input_{i+j}): (..., m, D) -> (..., D), 1 <= n <= m.
    BSC ties as multiset."""
    where = "ngrams"
    model = _model(vsa, input)
    x, m = _vectors_axis(input, model, where)
    if not isinstance(n, (int, np.integer)) or not 1 <= n <= m:
        _fail(where, f"n={n!r} must be an integer with 1 <= n <= m = {m} (the vectors along axis -2)")
    windows = m - n + 1
    gram = model.permute(_take(x, slice(0, windows), model), n - 1)
    for j in range(1, n):
        gram = model.bind(gram, model.permute(_take(x, slice(j, j + windows), model), n - 1 - j))
    return multiset(gram, vsa=_name(model), tie=tie, seed=seed)


def hash_table(keys, values, vsa=None, *, tie="negative", seed=None):
    """hash_table(keys, values, vsa=None, *, tie="negative", seed=None) -> ⊕_i keys_i ⊗ values_i:
    (..., n, D) each -> (..., D). BSC ties as multiset."""
    where = "hash_table"
    model = _model(vsa, keys, values)
    k, _ = _vectors_axis(keys, model, where, "keys")
    v, _ = _vectors_axis(values, model, where, "values")
    if tuple(k.shape) != tuple(v.shape):
        _fail(where, f"keys has shape {tuple(k.shape)} and values has shape {tuple(v.shape)}; "
                     "they must be equal")
    return multiset(model.bind(k, v), vsa=_name(model), tie=tie, seed=seed)


def cross_product(input, other, vsa=None, *, tie="negative", seed=None):
    """cross_product(input, other, vsa=None, ...) -> (⊕_i input_i) ⊗ (⊕_j other_j): the bundle of
    every pair bound. (..., n, D), (..., m, D) -> (..., D). BSC ties as multiset."""
    model = _model(vsa, input, other)
    a = multiset(input, vsa=_name(model), tie=tie, seed=seed)
    b = multiset(other, vsa=_name(model), tie=tie, seed=seed)
    return model.bind(a, b)


def graph(input, vsa=None, *, directed=False, tie="negative", seed=None):
    """graph(input, vsa=None, *, directed=False, ...) -> ⊕_i V_{0,i} ⊗ V_{1,i} (directed:
    V_{0,i} ⊗ ρ(V_{1,i})): input (..., 2, n, D) -> (..., D), as torchhd.graph."""
    where = "graph"
    model = _model(vsa, input)
    x, _ = _vectors_axis(input, model, where)
    if len(x.shape) < 3 or x.shape[-3] != 2:
        _fail(where, f"input has shape {tuple(x.shape)}; expected (..., 2, n, D): edge ends")
    if model is bsc:
        w = _words(x)
        to_nodes, from_nodes = _from_words(w[..., 0, :, :], x.dim), _from_words(w[..., 1, :, :], x.dim)
    else:
        to_nodes, from_nodes = x[..., 0, :, :], x[..., 1, :, :]
    if directed:
        from_nodes = model.permute(from_nodes, 1)
    return multiset(model.bind(to_nodes, from_nodes), vsa=_name(model), tie=tie, seed=seed)


def _name(model):
    return {map: "MAP", bsc: "BSC", hrr: "HRR", fhrr: "FHRR"}[model]


def normalize(input, vsa=None):
    """normalize(input, vsa=None) -> input scaled to unit length: MAP and HRR input / ‖input‖₂
    (a zero vector stays zero), FHRR input / |input| per component, BSC a copy (always
    normalised). Not torchhd's MAP normalize, which quantises: that is hard_quantize here."""
    where = "normalize"
    model = _model(vsa, input)
    if model is bsc:
        return _packed(input, where, "input").copy()
    if model is hrr:
        return hrr.normalize(input)
    if model is fhrr:
        return fhrr.hard_quantize(input)
    x = _dense(input, where, "input")
    if x.dtype.kind == "c":
        _fail(where, "input is complex; MAP vectors are real (vsa='FHRR' for phasors)")
    x = x.astype(np.float32, copy=False)
    norm = np.linalg.norm(x.astype(np.float64), axis=-1, keepdims=True)
    return (x / np.where(norm == 0, 1, norm)).astype(np.float32)


def hard_quantize(input, vsa=None):
    """hard_quantize(input, vsa=None) -> float32 ±1: +1 where input > 0, else -1 (torchhd's
    hard_quantize and MAP normalize; ties at 0 go to -1). FHRR: input / |input|; BSC: a copy."""
    model = _model(vsa, input)
    if model is bsc:
        return _packed(input, "hard_quantize", "input").copy()
    if model is fhrr:
        return fhrr.hard_quantize(input)
    return map.hard_quantize(input)


def soft_quantize(input):
    """soft_quantize(input) -> tanh(input) component-wise (torchhd.soft_quantize)."""
    return np.tanh(_dense(input, "soft_quantize", "input"))


# --- Value ranges (torchhd.map_range, value_to_index, index_to_value) ------------

def _real_values(x, where, arg="input"):
    a = _dense(x, where, arg) if np.ndim(x) else np.asarray(x)
    if a.dtype.kind == "c":
        _fail(where, f"{arg} is complex; expected real values")
    if a.dtype.kind not in "biuf":
        _fail(where, f"{arg} has dtype {a.dtype}; expected real numbers")
    return a


def _range(lo, hi, where, names):
    if not (np.isfinite(lo) and np.isfinite(hi)) or lo == hi:
        _fail(where, f"{names[0]}={lo!r} and {names[1]}={hi!r} must be finite and differ")


def map_range(input, in_min, in_max, out_min, out_max):
    """map_range(input, in_min, in_max, out_min, out_max) -> the linear map of [in_min, in_max]
    onto [out_min, out_max] (not clamped). Floating input keeps its dtype; integers give float64."""
    where = "map_range"
    x = _real_values(input, where)
    _range(in_min, in_max, where, ("in_min", "in_max"))
    if x.dtype.kind != "f":
        x = x.astype(np.float64)
    return (out_min + (out_max - out_min) * (x - in_min) / (in_max - in_min)).astype(x.dtype)


def value_to_index(input, in_min, in_max, index_length):
    """value_to_index(input, in_min, in_max, index_length) -> int64 round(map_range(input,
    in_min, in_max, 0, index_length - 1)), halves to even, not clamped (torchhd)."""
    where = "value_to_index"
    if not isinstance(index_length, (int, np.integer)) or index_length < 1:
        _fail(where, f"index_length={index_length!r} must be an integer >= 1")
    x = _real_values(input, where).astype(np.float64)
    if np.isnan(x).any():
        _fail(where, "input holds NaN")
    return np.round(map_range(x, in_min, in_max, 0, index_length - 1)).astype(np.int64)


def index_to_value(input, index_length, out_min, out_max):
    """index_to_value(input, index_length, out_min, out_max) -> float map_range(input, 0,
    index_length - 1, out_min, out_max) (torchhd; not clamped)."""
    where = "index_to_value"
    if not isinstance(index_length, (int, np.integer)) or index_length < 2:
        _fail(where, f"index_length={index_length!r} must be an integer >= 2")
    x = _real_values(input, where).astype(np.float64)
    return map_range(x, 0, index_length - 1, out_min, out_max)


__all__ += [
    "multibundle", "dot", "cos", "bundle", "negative", "multibind", "bind_sequence",
    "bundle_sequence", "ngrams", "hash_table", "cross_product", "graph", "normalize",
    "hard_quantize", "soft_quantize", "map_range", "value_to_index", "index_to_value",
]


# --- Encodings (torchhd.functional.level, thermometer, circular; encode.hpp) ----

def _codebook(where, vsa, packed, dtype, allow=("BSC", "MAP")):
    """A packed codebook in the form of model `vsa`: BSC Packed, MAP ±1 (float32 or int8)."""
    if vsa not in VSA_MODELS:
        _model(vsa)  # raises the unknown-model error
    if vsa not in allow:
        alt = " (use fractional_power for a similarity-preserving HRR/FHRR encoding)"
        _fail(where, f"vsa={vsa!r} has no {where} codebook in hypervec; expected one of "
                     f"{', '.join(allow)}{alt}")
    if vsa == "BSC":
        if dtype is not None:
            _fail(where, "dtype applies to MAP codebooks; BSC codebooks are hypervec.Packed")
        return packed()
    book = packed()
    if vsa == "FHRR":
        return book.to_bipolar().astype(np.complex64)
    return book.to_bipolar(np.float32 if dtype is None else dtype)


def level(num_vectors, dimensions, vsa="MAP", *, randomness=0.0, seed=None, dtype=None):
    """level(num_vectors, dimensions, vsa="MAP", *, randomness=0.0, seed=None, dtype=None)

    torchhd's level hypervectors, for BSC (Packed) and MAP (±1, float32 or dtype=int8):
    E[cos(L_i, L_k)] = 1 - |i - k|/(n - 1) at randomness 0, rising to independent vectors at
    randomness 1. A pure function of (seed, n, D, randomness); seed=None: a fresh seed.
    """
    return _codebook("level", vsa,
                     lambda: _hypervec.encode.level(num_vectors, dimensions, seed, randomness), dtype)


def thermometer(num_vectors, dimensions, vsa="MAP", *, dtype=None):
    """thermometer(num_vectors, dimensions, vsa="MAP", *, dtype=None) -> level i is +1 on its
    first round(i D/(n - 1)) components, -1 elsewhere (deterministic). BSC, MAP and FHRR
    (±1 as complex64, as torchhd)."""
    return _codebook("thermometer", vsa,
                     lambda: _hypervec.encode.thermometer(num_vectors, dimensions), dtype,
                     allow=("BSC", "MAP", "FHRR"))


def circular(num_vectors, dimensions, vsa="MAP", *, randomness=0.0, seed=None, dtype=None):
    """circular(num_vectors, dimensions, vsa="MAP", *, randomness=0.0, seed=None, dtype=None)

    torchhd's circular hypervectors, for BSC and MAP: at randomness 0
    E[cos(C_i, C_k)] = 1 - 2 min(|i - k|, n - |i - k|)/n.
    """
    return _codebook("circular", vsa,
                     lambda: _hypervec.encode.circular(num_vectors, dimensions, seed, randomness), dtype)


def fractional_power(values, dimensions, vsa="FHRR", *, bandwidth=1.0, seed=None,
                     distribution="sinc"):
    """fractional_power(values, dimensions, vsa="FHRR", *, bandwidth=1.0, seed=None,
    distribution="sinc") -> values.shape + (D,)

    Fractional power encoding (torchhd.embeddings.FractionalPower): FHRR complex64
    z(x)_k = e^{i x θ_k / bandwidth}, or its real unitary HRR form (float32), with
    bind(z(x), z(y)) = z(x + y) and similarity ≈ κ((x - y)/bandwidth): sinc (θ uniform on
    [-π, π)) or gaussian (θ ~ N(0, 1)). Note: torchhd multiplies by its bandwidth; here the
    bandwidth is the kernel's width (1/torchhd's).
    """
    if vsa not in ("FHRR", "HRR"):
        if vsa not in VSA_MODELS:
            _model(vsa)
        _fail("fractional_power", f"vsa={vsa!r}; fractional power encoding exists for 'FHRR' and "
                                  "'HRR' (level or circular for MAP and BSC)")
    return _hypervec.encode.fractional_power(values, dimensions, bandwidth, seed, distribution, vsa)


__all__ += ["level", "thermometer", "circular", "fractional_power"]
