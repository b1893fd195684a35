// Data structures over packed bipolar MAP vectors: key-value record, multiset,
// sequences (by permutation and by binding chain), graph, binary tree and
// stack. torchhd's structures (torchhd/structures.py) are the reference
// semantics; each class says where it differs.
//
// Common design. Every structure keeps the exact MAP-I sums s of its bound
// items in a bipolar::Accumulator (insert = add, remove = subtract, exact),
// and answers a query with a float vector q (the sums, unbound and
// un-permuted: q = ρ^{-k}(s) ⊙ key). q is scored against a cleanup memory of
// candidate atoms with the mixed kernel (cleanup::PackedMemory::search with a
// float query), which reads the atoms at 1 bit per component. Decoding from
// the sums rather than from the thresholded bundle keeps the full
// signal-to-noise ratio (thresholding n items costs a factor √(2/(πn)) in
// the signal; see docs/cookbook.md). vector() gives the thresholded bundle
// when a single packed hypervector is wanted.
//
// Capacity (docs/cookbook.md, "Capacity"): for n stored items and a cleanup
// memory of M random atoms, the right atom scores D + N(0, (n-1)D) and each
// wrong one N(0, nD), so
//   P(correct) ≈ ∫ φ(z) Φ((D + z√((n-1)D)) / √(nD))^{M-1} dz,
// computed by retrieval_accuracy(); capacity() inverts it. The union bound
// with Φ̄(x) <= e^{-x²/2} gives the rule of thumb n_max ≳ D / (4 ln(100 M))
// for 99%. tests/structures_test.cpp measures accuracy against the formula.
//
// Implementations: src/structures.cpp (composes dispatched kernels only).
#pragma once

#include <hypervec/bundle.hpp>
#include <hypervec/cleanup.hpp>
#include <hypervec/storage.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

namespace hypervec::structures {

/// Predicted probability that a query on a structure holding `items` bound
/// items returns the right atom from a cleanup memory of `codebook_size`
/// random atoms at dimension `dim` (formula above; numerical integration,
/// absolute error < 1e-6). Throws InvalidArgument for items, codebook_size or
/// dim of 0.
double retrieval_accuracy(std::size_t dim, std::size_t items, std::size_t codebook_size);

/// Largest n with retrieval_accuracy(dim, n, codebook_size) >= accuracy
/// (0 < accuracy < 1); 0 if even one item falls short.
std::size_t capacity(std::size_t dim, std::size_t codebook_size, double accuracy = 0.99);

/// ρ^{shifts}(s) as floats: out[i] = s[(i - shifts) mod D] (same convention
/// as bipolar::permute). Exact while |s_i| < 2^24.
std::vector<float> permuted_sums(std::span<const std::int32_t> sums, std::ptrdiff_t shifts);

/// q ⊙ key in place (q_i negated where key_i = -1). DimensionError on mismatch.
void unbind_in_place(std::span<float> q, PackedView key);

/// Key-value record / hash table (torchhd HashTable): s = Σ key ⊗ value.
/// get(key) = cleanup(s ⊙ key). remove() subtracts a pair exactly; like
/// torchhd it needs the value being removed (find it with get first).
class HashTable {
 public:
  explicit HashTable(std::size_t dim);
  std::size_t dim() const noexcept { return acc_.dim(); }
  /// Pairs inserted minus pairs removed.
  std::int64_t size() const noexcept { return acc_.total_weight(); }

  void insert(PackedView key, PackedView value);
  void remove(PackedView key, PackedView value);
  /// s ⊙ key: ≈ the value stored under key, plus noise from the other pairs.
  std::vector<float> query(PackedView key) const;
  /// Best values for key among `values` (options as cleanup::Options).
  cleanup::Matches get(PackedView key, const cleanup::PackedMemory& values,
                       const cleanup::Options& options = {}) const;
  /// The thresholded record [s].
  PackedVector vector(const TieBreak& tie = TieBreak::toward_negative()) const;
  const bipolar::Accumulator& accumulator() const noexcept { return acc_; }

 private:
  bipolar::Accumulator acc_;
};

/// Multiset (torchhd Multiset): s = Σ m_x · x. multiplicity(x) = ⟨s, x⟩/D is
/// m_x + N(0, n/D) for n stored items; a set is a multiset with m ∈ {0, 1},
/// membership by multiplicity >= 1/2 (error probability Φ̄(½√(D/n)) per query).
class Multiset {
 public:
  explicit Multiset(std::size_t dim);
  std::size_t dim() const noexcept { return acc_.dim(); }
  std::int64_t size() const noexcept { return acc_.total_weight(); }

  void add(PackedView item, std::int32_t count = 1);
  void remove(PackedView item, std::int32_t count = 1);
  /// ⟨s, item⟩ / D: the estimated multiplicity.
  double multiplicity(PackedView item) const;
  bool contains(PackedView item) const { return multiplicity(item) >= 0.5; }
  PackedVector vector(const TieBreak& tie = TieBreak::toward_negative()) const;
  const bipolar::Accumulator& accumulator() const noexcept { return acc_; }

 private:
  bipolar::Accumulator acc_;
};

/// Sequence by permutation: s = Σ_i ρ^i(x_i). Item i is ρ^{-i}(s) cleaned up.
/// torchhd's Sequence stores Σ ρ^{n-1-i}(x_i) (the newest item unshifted), so
/// append must permute the whole bundle; with ρ^i the positions never move,
/// append is one add and item i's query does not depend on the length.
/// Shifts are taken mod D (positions i and i + D would share one); capacity
/// ends far below D anyway.
class Sequence {
 public:
  explicit Sequence(std::size_t dim);
  std::size_t dim() const noexcept { return acc_.dim(); }
  std::size_t size() const noexcept { return size_; }

  /// Adds x at position size().
  void append(PackedView item);
  /// Replaces `old_item` at position i by `new_item` (exact on the sums).
  void replace(std::size_t i, PackedView old_item, PackedView new_item);
  /// ρ^{-i}(s): ≈ item i plus noise. Throws InvalidArgument for i >= size().
  std::vector<float> query(std::size_t i) const;
  cleanup::Matches item_at(std::size_t i, const cleanup::PackedMemory& items,
                           const cleanup::Options& options = {}) const;
  /// Position i maximising ⟨ρ^{-i}(s), item⟩ (scores every position).
  /// Throws InvalidArgument when the sequence is empty.
  std::size_t position_of(PackedView item) const;
  PackedVector vector(const TieBreak& tie = TieBreak::toward_negative()) const;

 private:
  bipolar::Accumulator acc_;
  std::size_t size_ = 0;
};

/// Sequence by binding chain (Plate's chaining): s = Σ_{i>=1} ρ(x_{i-1}) ⊗ x_i,
/// a bundle of (previous → next) associations. next(x) = cleanup(s ⊙ ρ(x));
/// recall() walks the chain from a cue. The permutation makes the pair
/// directed (x ⊗ y would be symmetric). torchhd's DistinctSequence is the
/// single product Π ρ^{n-1-i}(x_i) (encode::bind_sequence here), which
/// identifies the whole sequence but cannot be queried item by item.
class ChainSequence {
 public:
  explicit ChainSequence(std::size_t dim);
  std::size_t dim() const noexcept { return acc_.dim(); }
  std::size_t size() const noexcept { return size_; }

  void append(PackedView item);
  /// s ⊙ ρ(item): ≈ the item that followed `item`.
  std::vector<float> next_query(PackedView item) const;
  /// Follows the chain from `start` for `steps` steps, cleaning up each step
  /// in `items`; stops early if a step abstains under `options`.
  std::vector<cleanup::Match> recall(PackedView start, std::size_t steps,
                                     const cleanup::PackedMemory& items,
                                     const cleanup::Options& options = {}) const;

 private:
  bipolar::Accumulator acc_;
  PackedVector last_;
  std::size_t size_ = 0;
};

/// Graph (torchhd Graph): undirected edge {u, v} = u ⊗ v, directed edge
/// u → v = u ⊗ ρ(v); s = Σ edges. Neighbour queries unbind a node and return
/// the bundle of its neighbours, searched with top-k and a z threshold.
class Graph {
 public:
  Graph(std::size_t dim, bool directed);
  std::size_t dim() const noexcept { return acc_.dim(); }
  bool directed() const noexcept { return directed_; }
  std::int64_t edges() const noexcept { return acc_.total_weight(); }

  void add_edge(PackedView u, PackedView v);
  void remove_edge(PackedView u, PackedView v);
  /// ⟨s, edge(u, v)⟩ / D: ≈ 1 for a stored edge (once per copy), ≈ 0 ± √(m/D) else.
  double edge_weight(PackedView u, PackedView v) const;
  /// Successors (undirected: neighbours) of u as a float bundle query.
  std::vector<float> successors_query(PackedView u) const;
  /// Predecessors of v (directed graphs; undirected: same as successors).
  std::vector<float> predecessors_query(PackedView v) const;
  /// Nodes whose match passes `options` (top k with min_z), best first.
  cleanup::Matches neighbours(PackedView u, const cleanup::PackedMemory& nodes,
                              const cleanup::Options& options) const;

 private:
  PackedVector edge(PackedView u, PackedView v) const;
  bipolar::Accumulator acc_;
  bool directed_;
};

/// Binary tree (torchhd Tree): a leaf at path d_0 d_1 … d_{k-1} ('l'/'r') is
/// stored as leaf ⊗ Π_i ρ^i(D_{d_i}) with random direction vectors D_l, D_r;
/// s = Σ leaves. get(path) = cleanup(s ⊙ P(path)).
class BinaryTree {
 public:
  BinaryTree(std::size_t dim, std::uint64_t seed);
  std::size_t dim() const noexcept { return acc_.dim(); }
  std::int64_t size() const noexcept { return acc_.total_weight(); }

  /// P(path); throws InvalidArgument for an empty path or a char not 'l'/'r'.
  PackedVector path_vector(std::string_view path) const;
  void add_leaf(PackedView leaf, std::string_view path);
  void remove_leaf(PackedView leaf, std::string_view path);
  std::vector<float> query(std::string_view path) const;
  cleanup::Matches get(std::string_view path, const cleanup::PackedMemory& leaves,
                       const cleanup::Options& options = {}) const;

 private:
  bipolar::Accumulator acc_;
  PackedMatrix directions_;  // row 0 = left, row 1 = right
};

/// Stack by permutation (torchhd has none): with n items pushed, the stack
/// is Σ_i ρ^{n-1-i}(x_i), the top unshifted. Stored as T = Σ_i ρ^{-i}(x_i)
/// (= ρ^{-(n-1)} of that), so push is one add of ρ^{-n}(x) and pop one
/// subtract: the bundle is never permuted. top = cleanup(ρ^{n-1}(T)).
class Stack {
 public:
  explicit Stack(std::size_t dim);
  std::size_t dim() const noexcept { return acc_.dim(); }
  std::size_t size() const noexcept { return size_; }
  bool empty() const noexcept { return size_ == 0; }

  void push(PackedView item);
  /// ≈ the top item plus noise. Throws InvalidArgument when empty.
  std::vector<float> top_query() const;
  /// Best match for the top among `items` (nullopt if it abstains).
  std::optional<cleanup::Match> top(const cleanup::PackedMemory& items,
                                    const cleanup::Options& options = {}) const;
  /// Removes `item` from the top (exact on the sums: the caller asserts it is
  /// the top, usually from top()).
  void pop(PackedView item);
  /// top(), then pop() of the matched row; nullopt (and no pop) on abstain.
  std::optional<cleanup::Match> pop(const cleanup::PackedMemory& items,
                                    const cleanup::Options& options = {});

 private:
  bipolar::Accumulator acc_;
  std::size_t size_ = 0;
};

}  // namespace hypervec::structures
