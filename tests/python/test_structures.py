"""hypervec.structures (torchhd.structures on hypervec): each structure's value against
the functional verb that defines it, exact add/remove, and retrieval from a random
codebook with the margins of σ = 1/√D noise, for every model."""

import numpy as np
import pytest

import hypervec as hv
from hypervec import structures as S

MODELS = ["MAP", "BSC", "HRR", "FHRR"]
D = 2048


def book(vsa, n, seed):
    return hv.random(n, D, vsa, seed=seed)


def dense(vsa, x):
    return x.to_bipolar() if vsa == "BSC" else np.asarray(x)


def best(vsa, query, codebook):
    return int(np.argmax(hv.cosine_similarity(query, codebook, vsa=vsa)))


def same(vsa, a, b):
    if vsa == "BSC":
        assert a == b
    else:
        np.testing.assert_allclose(dense(vsa, a), dense(vsa, b), rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("vsa", MODELS)
def test_multiset(vsa):
    items = book(vsa, 6, 1)
    m = S.Multiset.from_tensor(items[:5], vsa=vsa)
    assert len(m) == 5
    same(vsa, m.value, hv.multiset(items[:5], vsa=vsa))
    assert m.contains(items[2]) > 0.3  # ≈ 1/√5 (FHRR, HRR: about the same)
    assert abs(m.contains(items[5])) < 5 / np.sqrt(D)
    before = np.array(m._sum)
    m.add(items[5])
    m.remove(items[5])
    np.testing.assert_allclose(m._sum, before, atol=1e-5)  # exact in the sums
    assert len(m) == 5
    m.clear()
    assert len(m) == 0 and not np.any(m._sum)


@pytest.mark.parametrize("vsa", MODELS)
def test_multiset_from_ngrams_is_ngrams(vsa):
    items = book(vsa, 6, 2)
    m = S.Multiset.from_ngrams(items, 3, vsa=vsa)
    assert len(m) == 4
    same(vsa, m.value, hv.ngrams(items, 3, vsa=vsa))


@pytest.mark.parametrize("vsa", MODELS)
def test_hash_table(vsa):
    keys, values = book(vsa, 8, 3), book(vsa, 8, 4)
    t = S.HashTable.from_tensors(keys, values, vsa=vsa)
    same(vsa, t.value, hv.hash_table(keys, values, vsa=vsa))
    for i in range(8):
        assert best(vsa, t.get(keys[i]), values) == i
        assert best(vsa, t[keys[i]], values) == i
    t.replace(keys[0], values[0], values[7])
    assert best(vsa, t.get(keys[0]), values) == 7
    t.remove(keys[0], values[7])
    assert len(t) == 7
    rest = S.HashTable.from_tensors(keys[1:], values[1:], vsa=vsa)
    np.testing.assert_allclose(t._sum, rest._sum, atol=1e-4)


@pytest.mark.parametrize("vsa", MODELS)
def test_bundle_sequence(vsa):
    items = book(vsa, 7, 5)
    seq = S.BundleSequence.from_tensor(items[:5], vsa=vsa)
    same(vsa, seq.value, hv.bundle_sequence(items[:5], vsa=vsa))
    for i in range(5):
        assert best(vsa, seq[i], items) == i
    seq.append(items[5])
    assert best(vsa, seq[5], items) == 5
    seq.pop(items[5])
    seq.appendleft(items[6])
    assert best(vsa, seq[0], items) == 6 and best(vsa, seq[1], items) == 0
    seq.popleft(items[6])
    np.testing.assert_allclose(seq._sum, S.BundleSequence.from_tensor(items[:5], vsa=vsa)._sum, atol=1e-4)
    seq.replace(2, items[2], items[6])
    assert best(vsa, seq[2], items) == 6
    a = S.BundleSequence.from_tensor(items[:3], vsa=vsa)
    b = S.BundleSequence.from_tensor(items[3:6], vsa=vsa)
    ab = a.concat(b)
    assert len(ab) == 6
    np.testing.assert_allclose(ab._sum, S.BundleSequence.from_tensor(items[:6], vsa=vsa)._sum, atol=1e-4)
    assert S.Sequence is S.BundleSequence


@pytest.mark.parametrize("vsa", MODELS)
def test_bind_sequence(vsa):
    items = book(vsa, 5, 6)
    seq = S.BindSequence.from_tensor(items[:4], vsa=vsa)
    if vsa == "HRR":  # ρ(a ⊛ b) = ρ(a) ⊛ b: torchhd's recurrence, not bind_sequence
        x = [np.asarray(v) for v in items[:4]]
        want = hv.identity(1, D, "HRR")[0]
        for v in x:
            want = hv.bind(v, np.roll(want, 1), vsa="HRR")
        same(vsa, seq.value, want)
    else:
        same(vsa, seq.value, hv.bind_sequence(items[:4], vsa=vsa))
    if vsa != "HRR":  # exact inverses: pop undoes append
        seq.append(items[4])
        seq.pop(items[4])
        same(vsa, seq.value, hv.bind_sequence(items[:4], vsa=vsa))
        seq.popleft(items[0])
        same(vsa, seq.value, hv.bind_sequence(items[1:4], vsa=vsa))
    seq.clear()
    same(vsa, seq.value, hv.identity(1, D, vsa)[0])


@pytest.mark.parametrize("vsa", MODELS)
@pytest.mark.parametrize("directed", [False, True])
def test_graph(vsa, directed):
    nodes = book(vsa, 6, 7)
    edges = [(0, 1), (1, 2), (3, 4)]
    pairs = [[nodes[a] for a, _ in edges], [nodes[b] for _, b in edges]]
    if vsa == "BSC":
        stacked = hv.Packed(np.stack([np.stack([np.asarray(x.words) for x in row]) for row in pairs]), D)
    else:
        stacked = np.stack([np.stack(row) for row in pairs])
    g = S.Graph.from_edges(stacked, vsa=vsa, directed=directed)
    same(vsa, g.value, hv.graph(stacked, vsa=vsa, directed=directed))
    assert best(vsa, g.node_neighbors(nodes[3]), nodes) == 4
    if directed:
        assert best(vsa, g.node_neighbors(nodes[4], outgoing=False), nodes) == 3
    edge = g.encode_edge(nodes[1], nodes[2])
    assert g.contains(edge) > 0.5
    assert abs(g.contains(g.encode_edge(nodes[0], nodes[5]))) < 0.2


@pytest.mark.parametrize("vsa", ["MAP", "BSC", "FHRR"])
def test_tree(vsa):
    leaves = book(vsa, 4, 8)
    t = S.Tree(D, vsa, seed=9)
    paths = ["l", "lr", "rl", "rrl"]
    for leaf, p in zip(leaves, paths):
        t.add_leaf(leaf, p)
    for i, p in enumerate(paths):
        assert best(vsa, t.get_leaf(p), leaves) == i
    t.remove_leaf(leaves[0], "l")
    assert len(t) == 3


@pytest.mark.parametrize("vsa", MODELS)
def test_finite_state_automata(vsa):
    states, tokens = book(vsa, 3, 10), book(vsa, 2, 11)
    fsa = S.FiniteStateAutomata(D, vsa)
    table = [(0, 0, 1), (1, 0, 2), (2, 1, 0), (0, 1, 2)]  # (state, token, next)
    for s, a, n in table:
        fsa.add_transition(tokens[a], states[s], states[n])
    for s, a, n in table:
        assert best(vsa, fsa.transition(states[s], tokens[a]), states) == n


@pytest.mark.parametrize("vsa", MODELS)
def test_stack(vsa):
    items = book(vsa, 5, 12)
    st = S.Stack(D, vsa)
    for i in range(5):
        st.push(items[i])
        assert best(vsa, st.top(), items) == i
    for i in reversed(range(5)):
        assert best(vsa, st.top(), items) == i
        st.pop(items[i])
    assert len(st) == 0 and np.abs(st._sum).max() < 1e-4
    with pytest.raises(ValueError, match="Stack.pop: the stack is empty"):
        st.pop(items[0])


def test_stack_value_is_the_permuted_bundle():
    items = book("MAP", 3, 13)
    st = S.Stack(D)
    for x in items:
        st.push(x)
    want = sum(np.roll(items[i], 2 - i) for i in range(3))
    np.testing.assert_array_equal(st.value, want)


def test_bsc_value_uses_the_tie_rule():
    items = book("BSC", 2, 14)
    neg = S.Multiset.from_tensor(items)
    pos = S.Multiset.from_tensor(items, tie="positive")
    rnd = S.Multiset.from_tensor(items, tie="random", seed=3)
    assert neg.value == hv.multiset(items)
    assert pos.value == hv.multiset(items, tie="positive")
    coin = hv.random(1, D, "BSC", seed=3)[0].to_bipolar()
    x = items.to_bipolar()
    np.testing.assert_array_equal(rnd.value.to_bipolar(), np.where(x[0] == x[1], x[0], coin))


def test_structure_errors():
    with pytest.raises(ValueError, match=r"Multiset: dimensions=0"):
        S.Multiset(0)
    with pytest.raises(ValueError, match=r"vsa='ABC'"):
        S.HashTable(8, "ABC")
    with pytest.raises(ValueError, match=r"Multiset: tie='x'"):
        S.Multiset(8, "BSC", tie="x")
    m = S.Multiset(8)
    with pytest.raises(ValueError, match=r"Multiset.add: input has shape \(9,\); expected one vector \(8,\)"):
        m.add(np.ones(9, np.float32))
    with pytest.raises(ValueError, match=r"Multiset.add: input is a hypervec.Packed but the structure is MAP"):
        m.add(hv.random(1, 8, "BSC", seed=1)[0])
    with pytest.raises(ValueError, match=r"HashTable.add: key is ndarray; a BSC structure takes"):
        S.HashTable(8, "BSC").add(np.ones(8), hv.random(1, 8, "BSC", seed=1)[0])
    with pytest.raises(ValueError, match=r"BundleSequence.__getitem__: index=0 is not in \[0, 0\)"):
        S.BundleSequence(8)[0]
    with pytest.raises(ValueError, match=r"BundleSequence.pop: the sequence is empty"):
        S.BundleSequence(8).pop(np.ones(8))
    with pytest.raises(ValueError, match=r"Tree.get_leaf: path='lx'"):
        S.Tree(8, seed=1).get_leaf("lx")
    with pytest.raises(ValueError, match=r"HRR: items .*|complex"):
        S.Multiset(8, "HRR").add(np.ones(8, np.complex64))
