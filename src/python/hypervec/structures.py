"""torchhd.structures on hypervec: Multiset, HashTable, BundleSequence (Sequence),
BindSequence, Graph, Tree, FiniteStateAutomata and Stack (hypervec's own).

Thin classes over the functional API with torchhd's methods and semantics. Each
keeps the running bundle of its items as one dense vector (D,) in the model's
arithmetic: MAP float32, HRR float32 (float64 when an item is float64), FHRR
complex64, and BSC the exact integer sums of the ±1 components (MAP-I), so
adding and removing items is exact in every model. What torchhd returns as a
hypervector comes back in the model's form: for BSC the sums are thresholded
(ties by the structure's `tie` rule) into a hypervec.Packed; for the other
models it is the sum itself, as in torchhd. torchhd bundles BSC items pairwise
by majority with random ties, which forgets all but the last few items; the
sums here keep them all.
"""

import numpy as np

from . import functional as F
from ._hypervec import Packed

__all__ = [
    "Multiset", "HashTable", "BundleSequence", "Sequence", "BindSequence", "Graph", "Tree",
    "FiniteStateAutomata", "Stack",
]


class _Space:
    """The dense arithmetic of one model at one dimension, and the conversions
    between its items (as the user holds them) and that arithmetic."""

    def __init__(self, owner, dimensions, vsa, tie, seed):
        if vsa not in F.VSA_MODELS:
            F._model(vsa)  # raises the unknown-model ValueError
        if not isinstance(dimensions, (int, np.integer)) or dimensions < 1:
            raise ValueError(f"{owner}: dimensions={dimensions!r} must be an integer >= 1")
        if tie not in F._TIES:
            raise ValueError(f"{owner}: tie={tie!r}; expected 'random', 'negative' or 'positive'")
        self.owner, self.dim, self.vsa, self.tie, self.seed = owner, int(dimensions), vsa, tie, seed
        # BSC items are ±1 vectors whose dense arithmetic is MAP's
        self.ops = F.map if vsa in ("MAP", "BSC") else F._model(vsa)
        self.dtype = {"MAP": np.float32, "BSC": np.float32, "HRR": np.float32,
                      "FHRR": np.complex64}[vsa]

    def zeros(self):
        return np.zeros(self.dim, self.dtype)

    def identity(self):
        return self.ops.identity(1, self.dim)[0]

    def item(self, x, method, arg):
        """The item `arg` of `method` as a dense vector (D,) of the arithmetic."""
        where = f"{self.owner}.{method}"
        if self.vsa == "BSC":
            if not isinstance(x, Packed):
                raise ValueError(f"{where}: {arg} is {type(x).__name__}; a BSC structure takes "
                                 "hypervec.Packed vectors")
            v = x.to_bipolar(np.float32)
        else:
            if isinstance(x, Packed):
                raise ValueError(f"{where}: {arg} is a hypervec.Packed but the structure is "
                                 f"{self.vsa}")
            v = np.asarray(x)
            if v.dtype.kind == "c" and self.vsa != "FHRR":
                raise ValueError(f"{where}: {arg} is complex but the structure is {self.vsa}")
            if self.vsa == "HRR" and v.dtype == np.float64:
                self.dtype = np.float64
            v = v.astype(np.complex64 if self.vsa == "FHRR" else
                         (self.dtype if self.vsa == "HRR" else np.float32), copy=False)
        if v.shape != (self.dim,):
            raise ValueError(f"{where}: {arg} has shape {tuple(v.shape)}; expected one vector "
                             f"({self.dim},)")
        return v

    def out(self, v):
        """A dense result in the model's form (BSC: thresholded to Packed by the tie rule)."""
        if self.vsa != "BSC":
            return v
        s = np.asarray(v, np.float64)
        if self.tie == "negative":
            tie = -1.0
        elif self.tie == "positive":
            tie = 1.0
        else:
            tie = F.bsc.random(1, self.dim, self.seed).to_bipolar()[0]
        return Packed.from_bipolar(np.where(s > 0, 1.0, np.where(s < 0, -1.0, tie)).astype(np.float32))

    def bind(self, a, b):
        return self.ops.bind(a, b)

    def inverse(self, a):
        return self.ops.inverse(a)

    def permute(self, a, shifts):
        return self.ops.permute(a, int(shifts))

    def cos(self, x, s):
        return float(self.ops.cosine_similarity(x, s))

    def dot(self, x, s):
        return float(self.ops.dot_similarity(x, s))


class _Structure:
    """The shared state: the dense running value and the item count."""

    def __init__(self, dimensions, vsa="MAP", *, tie="negative", seed=None):
        self._space = _Space(type(self).__name__, dimensions, vsa, tie, seed)
        self._sum = self._space.zeros()
        self.size = 0

    @property
    def value(self):
        """The structure's hypervector (BSC: the thresholded sums, a Packed)."""
        return self._space.out(self._sum)

    @property
    def dimensions(self):
        return self._space.dim

    @property
    def vsa(self):
        return self._space.vsa

    def __len__(self):
        return self.size

    def clear(self):
        """Forgets every item."""
        self._sum = self._space.zeros()
        self.size = 0

    def _item(self, x, method, arg="input"):
        return self._space.item(x, method, arg)

    #: What the error messages call this structure ("the sequence is empty").
    _noun = "structure"

    def _require_items(self, method):
        """ValueError naming `method` when the structure holds nothing."""
        if self.size == 0:
            raise ValueError(f"{type(self).__name__}.{method}: the {self._noun} is empty")

    @classmethod
    def _from_rows(cls, input, vsa, kwargs, add):
        """A structure of input's dimension fed the rows of input (n, D) in order by `add`."""
        vsa = vsa or F._name(F._model(None, input))
        out = cls(input.shape[-1], vsa, **kwargs)
        for i in range(input.shape[0]):
            add(out, input[i])
        return out


class Multiset(_Structure):
    """Multiset (torchhd.structures.Multiset): value = Σ items."""

    def add(self, input):
        """Adds one occurrence of input."""
        self._sum = self._sum + self._item(input, "add")
        self.size += 1

    def remove(self, input):
        """Removes one occurrence of input (exact: the sum is kept, not its threshold)."""
        self._sum = self._sum - self._item(input, "remove")
        self.size -= 1

    def contains(self, input):
        """cos(input, value), computed on the sums (BSC too): ≈ 1/√n for a member among n items,
        N(0, 1/D) for a non-member."""
        return self._space.cos(self._item(input, "contains"), self._sum)

    @classmethod
    def from_tensor(cls, input, vsa=None, **kwargs):
        """The multiset of the rows of input (n, D)."""
        return cls._from_rows(input, vsa, kwargs, cls.add)

    @classmethod
    def from_ngrams(cls, input, n=3, vsa=None, **kwargs):
        """The multiset of the n-grams of the rows of input (m, D) (torchhd from_ngrams)."""
        vsa = vsa or F._name(F._model(None, input))
        m = input.shape[0]
        if not 1 <= n <= m:
            raise ValueError(f"Multiset.from_ngrams: n={n} must satisfy 1 <= n <= m = {m}")
        out = cls(input.shape[-1], vsa, **kwargs)
        space = out._space
        rows = [space.item(input[i], "from_ngrams", "input") for i in range(m)]
        for i in range(m - n + 1):
            gram = space.permute(rows[i], n - 1)
            for j in range(1, n):
                gram = space.bind(gram, space.permute(rows[i + j], n - 1 - j))
            out._sum = out._sum + gram
            out.size += 1
        return out


class HashTable(_Structure):
    """Key-value table (torchhd.structures.HashTable): value = Σ key ⊗ value."""

    def add(self, key, value):
        self._sum = self._sum + self._space.bind(self._item(key, "add", "key"),
                                                 self._item(value, "add", "value"))
        self.size += 1

    def remove(self, key, value):
        """Removes the pair (needs the stored value, as torchhd; find it with get)."""
        self._sum = self._sum - self._space.bind(self._item(key, "remove", "key"),
                                                 self._item(value, "remove", "value"))
        self.size -= 1

    def get(self, key):
        """unbind(value, key) ≈ the value stored under key plus noise from the other pairs."""
        k = self._item(key, "get", "key")
        return self._space.out(self._space.bind(self._sum, self._space.inverse(k)))

    __getitem__ = get

    def replace(self, key, old, new):
        """Replaces the value stored under key."""
        self.remove(key, old)
        self.add(key, new)

    @classmethod
    def from_tensors(cls, keys, values, vsa=None, **kwargs):
        vsa = vsa or F._name(F._model(None, keys, values))
        if tuple(keys.shape) != tuple(values.shape):
            raise ValueError(f"HashTable.from_tensors: keys has shape {tuple(keys.shape)} and "
                             f"values has shape {tuple(values.shape)}; they must be equal")
        out = cls(keys.shape[-1], vsa, **kwargs)
        for i in range(keys.shape[0]):
            out.add(keys[i], values[i])
        return out


class BundleSequence(_Structure):
    """Sequence by permutation (torchhd.structures.BundleSequence): value =
    Σ_i ρ^{n-1-i}(x_i), the newest item unshifted."""

    _noun = "sequence"

    def append(self, input):
        x = self._item(input, "append")
        self._sum = self._space.permute(self._sum, 1) + x
        self.size += 1

    def appendleft(self, input):
        x = self._item(input, "appendleft")
        self._sum = self._sum + self._space.permute(x, self.size)
        self.size += 1

    def pop(self, input):
        """Removes the last item, which must be `input` (as torchhd)."""
        self._require_items("pop")
        self.size -= 1
        self._sum = self._space.permute(self._sum - self._item(input, "pop"), -1)

    def popleft(self, input):
        """Removes the first item, which must be `input`."""
        self._require_items("popleft")
        self.size -= 1
        self._sum = self._sum - self._space.permute(self._item(input, "popleft"), self.size)

    def replace(self, index, old, new):
        shift = self.size - self._index(index, "replace") - 1
        self._sum = (self._sum - self._space.permute(self._item(old, "replace", "old"), shift)
                     + self._space.permute(self._item(new, "replace", "new"), shift))

    def concat(self, seq):
        """self followed by seq, as a new sequence."""
        if not isinstance(seq, BundleSequence) or seq.vsa != self.vsa or seq.dimensions != self.dimensions:
            raise ValueError("BundleSequence.concat: seq must be a BundleSequence of the same vsa and D")
        out = type(self)(self.dimensions, self.vsa, tie=self._space.tie, seed=self._space.seed)
        out._sum = self._space.permute(self._sum, len(seq)) + seq._sum
        out.size = self.size + seq.size
        return out

    def __getitem__(self, index):
        """ρ^{-(n-1-index)}(value) ≈ item `index` plus noise from the others."""
        shift = -self.size + self._index(index, "__getitem__") + 1
        return self._space.out(self._space.permute(self._sum, shift))

    def _index(self, index, method):
        if not isinstance(index, (int, np.integer)) or not 0 <= index < self.size:
            raise ValueError(f"BundleSequence.{method}: index={index!r} is not in [0, {self.size})")
        return int(index)

    @classmethod
    def from_tensor(cls, input, vsa=None, **kwargs):
        return cls._from_rows(input, vsa, kwargs, cls.append)


#: torchhd's older name of BundleSequence.
Sequence = BundleSequence


class BindSequence(_Structure):
    """Sequence by binding (torchhd.structures.BindSequence): value = ⊗_i ρ^{n-1-i}(x_i) for
    MAP, BSC and FHRR (= bind_sequence). append binds x to ρ(value), as torchhd; in HRR ρ
    shifts a convolution once, not per factor, so there (as in torchhd) the value is
    x_{n-1} ⊛ ρ(x_{n-2} ⊛ ρ(...)), which differs
    from bind_sequence. Identifies the whole sequence; no item can be read back."""

    _noun = "sequence"

    def __init__(self, dimensions, vsa="MAP", **kwargs):
        super().__init__(dimensions, vsa, **kwargs)
        self._sum = self._space.identity()

    def clear(self):
        self._sum = self._space.identity()
        self.size = 0

    def append(self, input):
        self._sum = self._space.bind(self._item(input, "append"), self._space.permute(self._sum, 1))
        self.size += 1

    def appendleft(self, input):
        x = self._space.permute(self._item(input, "appendleft"), self.size)
        self._sum = self._space.bind(self._sum, x)
        self.size += 1

    def pop(self, input):
        self._require_items("pop")
        self.size -= 1
        x = self._space.inverse(self._item(input, "pop"))
        self._sum = self._space.permute(self._space.bind(self._sum, x), -1)

    def popleft(self, input):
        self._require_items("popleft")
        self.size -= 1
        x = self._space.permute(self._item(input, "popleft"), self.size)
        self._sum = self._space.bind(self._sum, self._space.inverse(x))

    def replace(self, index, old, new):
        if not isinstance(index, (int, np.integer)) or not 0 <= index < self.size:
            raise ValueError(f"BindSequence.replace: index={index!r} is not in [0, {self.size})")
        shift = self.size - int(index) - 1
        o = self._space.permute(self._item(old, "replace", "old"), shift)
        n = self._space.permute(self._item(new, "replace", "new"), shift)
        self._sum = self._space.bind(self._space.bind(self._sum, self._space.inverse(o)), n)

    @classmethod
    def from_tensor(cls, input, vsa=None, **kwargs):
        return cls._from_rows(input, vsa, kwargs, cls.append)


class Graph(_Structure):
    """Graph (torchhd.structures.Graph): value = Σ edges, an undirected edge u ⊗ v, a directed
    one u ⊗ ρ(v)."""

    def __init__(self, dimensions, vsa="MAP", *, directed=False, **kwargs):
        super().__init__(dimensions, vsa, **kwargs)
        self.is_directed = bool(directed)

    def encode_edge(self, node1, node2):
        return self._space.out(self._edge(node1, node2, "encode_edge"))

    def _edge(self, node1, node2, method):
        u, v = self._item(node1, method, "node1"), self._item(node2, method, "node2")
        return self._space.bind(u, self._space.permute(v, 1) if self.is_directed else v)

    def add_edge(self, node1, node2):
        self._sum = self._sum + self._edge(node1, node2, "add_edge")
        self.size += 1

    def remove_edge(self, node1, node2):
        self._sum = self._sum - self._edge(node1, node2, "remove_edge")
        self.size -= 1

    def node_neighbors(self, input, outgoing=True):
        """The bundle of input's neighbours (directed: successors, or predecessors when
        outgoing=False), to compare with the node codebook."""
        s, x = self._space, self._item(input, "node_neighbors")
        if not self.is_directed:
            return s.out(s.bind(self._sum, s.inverse(x)))
        if outgoing:
            return s.out(s.permute(s.bind(self._sum, s.inverse(x)), -1))
        return s.out(s.bind(self._sum, s.inverse(s.permute(x, 1))))

    def contains(self, input):
        """dot(edge, value) / dot(edge, edge) for an encoded edge: ≈ 1 for an edge, ≈ 0 otherwise.
        torchhd divides by D, which is the same for ±1 and phasor edges (‖edge‖² = D) and
        keeps HRR's unit-norm edges on the same scale."""
        e = self._item(input, "contains")
        norm = self._space.dot(e, e)
        return self._space.dot(e, self._sum) / norm if norm else 0.0

    @classmethod
    def from_edges(cls, input, vsa=None, *, directed=False, **kwargs):
        """The graph of the edges input (2, n, D): input[0][i] — input[1][i]."""
        vsa = vsa or F._name(F._model(None, input))
        out = cls(input.shape[-1], vsa, directed=directed, **kwargs)
        for i in range(input.shape[1]):
            out.add_edge(input[0][i], input[1][i])
        return out


class Tree(_Structure):
    """Binary tree (torchhd.structures.Tree): a leaf at path d_0 d_1 … ('l'/'r') is stored as
    leaf ⊗ Π_i ρ^i(D_{d_i}), with random direction vectors left, right (seeded). In HRR,
    ρ commutes with ⊛, so paths with the same l/r counts coincide (as in torchhd)."""

    def __init__(self, dimensions, vsa="MAP", *, seed=None, **kwargs):
        super().__init__(dimensions, vsa, seed=seed, **kwargs)
        self._lr = F.random(2, self.dimensions, vsa, seed=seed)

    @property
    def left(self):
        return self._lr[0]

    @property
    def right(self):
        return self._lr[1]

    def _path(self, path, method):
        steps = list(path) if isinstance(path, str) else path
        if len(steps) == 0 or any(d not in ("l", "r") for d in steps):
            raise ValueError(f"Tree.{method}: path={path!r} must be a non-empty sequence of 'l' and 'r'")
        path = steps
        s = self._space
        p = None
        for i, d in enumerate(path):
            role = s.permute(s.item(self.left if d == "l" else self.right, method, "path"), i)
            p = role if p is None else s.bind(p, role)
        return p

    def add_leaf(self, value, path):
        self._sum = self._sum + self._space.bind(self._item(value, "add_leaf", "value"),
                                                 self._path(path, "add_leaf"))
        self.size += 1

    def remove_leaf(self, value, path):
        self._sum = self._sum - self._space.bind(self._item(value, "remove_leaf", "value"),
                                                 self._path(path, "remove_leaf"))
        self.size -= 1

    def get_leaf(self, path):
        """unbind(value, P(path)) ≈ the leaf stored at path."""
        s = self._space
        return s.out(s.bind(self._sum, s.inverse(self._path(path, "get_leaf"))))


class FiniteStateAutomata(_Structure):
    """Finite state automaton (torchhd.structures.FiniteStateAutomata): value =
    Σ token ⊗ initial ⊗ ρ(final)."""

    def add_transition(self, token, initial_state, final_state):
        s = self._space
        edge = s.bind(s.item(initial_state, "add_transition", "initial_state"),
                      s.permute(s.item(final_state, "add_transition", "final_state"), 1))
        self._sum = self._sum + s.bind(s.item(token, "add_transition", "token"), edge)
        self.size += 1

    def transition(self, state, action):
        """≈ the state reached from `state` by `action` (compare with the state codebook)."""
        s = self._space
        nxt = s.bind(self._sum, s.inverse(s.item(state, "transition", "state")))
        nxt = s.bind(nxt, s.inverse(s.item(action, "transition", "action")))
        return s.out(s.permute(nxt, -1))


class Stack(_Structure):
    """Stack by permutation (hypervec; torchhd has none): with n items pushed the stack is
    Σ_i ρ^{n-1-i}(x_i), the top unshifted. Stored as T = Σ_i ρ^{-i}(x_i), so push and pop
    are one add or subtract and the bundle is never permuted; top() = ρ^{n-1}(T)."""

    _noun = "stack"

    def push(self, input):
        self._sum = self._sum + self._space.permute(self._item(input, "push"), -self.size)
        self.size += 1

    def pop(self, input):
        """Removes the top, which must be `input` (find it with top() and a cleanup)."""
        self._require_items("pop")
        self.size -= 1
        self._sum = self._sum - self._space.permute(self._item(input, "pop"), -self.size)

    def top(self):
        """≈ the last item pushed, plus noise from the others."""
        self._require_items("top")
        return self._space.out(self._space.permute(self._sum, self.size - 1))

    @property
    def value(self):
        """Σ_i ρ^{n-1-i}(x_i) (the top unshifted), in the model's form."""
        return self._space.out(self._space.permute(self._sum, max(self.size - 1, 0)))
