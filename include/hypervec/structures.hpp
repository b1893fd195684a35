// Data structures: key-value record, multiset, sequences (by permutation and
// by binding chain), graph, binary tree and stack, for three models:
//  * packed bipolar MAP (HashTable, Multiset, Sequence, ChainSequence, Graph,
//    BinaryTree, Stack): ±1 atoms stored 1 bit each, exact integer sums;
//  * dense MAP-C and HRR (RealHashTable<Model>, RealGraph<Model>,
//    RealChainSequence<Model>, RealBinaryTree<Model> with Model = DenseMap
//    or Hrr; RealMultiset, RealSequence, RealStack for both): real float
//    atoms and float sums, decoded through cleanup::FloatMemory.
// torchhd's structures (torchhd/structures.py) are the reference semantics;
// each class says where it differs.
//
// Common design. Every structure keeps the sums s of its bound items
// (insert = add, remove = subtract) and answers a query with a float vector
// q: the sums unbound and un-permuted (packed: q = ρ^{-k}(s) ⊙ key). q is
// scored against a cleanup memory of candidate atoms: for packed atoms
// cleanup::PackedMemory::search with a float query (the mixed kernel reads
// the atoms at 1 bit per component), for real atoms cleanup::FloatMemory.
// Decoding from the sums rather than from the thresholded bundle keeps the
// full signal-to-noise ratio (thresholding n items costs a factor √(2/(πn))
// in the signal; see docs/cookbook.md). vector() gives the thresholded bundle
// when a single packed hypervector is wanted.
//
// Permutation is the cyclic shift ρ in every model. Binding differs: MAP
// multiplies element-wise, HRR convolves circularly, and a cyclic shift
// commutes with circular convolution (ρ(a) ⊛ b = ρ(a ⊛ b) = a ⊛ ρ(b)), so in
// HRR ρ cannot order the two ends of a bound pair. Structures that need an
// ordered pair (a directed graph edge, a chain link) ask the model to "mark"
// one end: ρ for MAP, a dilation for HRR (Hrr::mark). BinaryTree's path
// Π_i ρ^i(D_{d_i}) has the same problem in HRR (it collapses to
// ρ^{Σi}(⊛_i D_{d_i}), which only counts the l and r steps), so the model
// supplies the role of each direction at each depth (path_role): ρ^i(D_d)
// for MAP, an independent unitary vector per depth and direction for HRR.
//
// Capacity (docs/cookbook.md, "Decoding from sums, and capacity" and
// "Choosing a model"): for n stored items and a cleanup
// memory of M random atoms, in cosine units the right atom scores
// 1 + N(0, (n-1+a)/D) and each wrong one N(0, (n+b)/D), with (a, b) = (0, 0)
// for ±1 atoms and the model-dependent RetrievalNoise below otherwise, so
//   P(correct) ≈ ∫ φ(z) Φ((1 + z σ_right) / σ_wrong)^{M-1} dz,
// computed by retrieval_accuracy(); capacity() inverts it. The union bound
// with Φ̄(x) <= e^{-x²/2} gives the rule of thumb n_max ≳ D / (4 ln(100 M))
// for 99%. tests/structures_test.cpp measures accuracy against the formula.
//
// Implementations: src/structures.cpp (composes dispatched kernels; the HRR
// mark is a plain index loop).
#pragma once

#include <hypervec/bundle.hpp>
#include <hypervec/cleanup.hpp>
#include <hypervec/hrr.hpp>
#include <hypervec/storage.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

namespace hypervec::structures {

/// Extra variance of the retrieval scores beyond the n - 1 (right atom) and
/// n (wrong atom) unit terms of ±1 atoms, in units of 1/D, on the cosine
/// scale (score / ‖atom‖; docs/cookbook.md derives each case).
struct RetrievalNoise {
  double right = 0.0;  ///< a: the right atom's extra variance × D
  double wrong = 0.0;  ///< b: a wrong atom's extra variance × D

  /// ±1 atoms (packed MAP, dense MAP with bipolar atoms), any structure:
  /// every term is exactly ±1 per component.
  static constexpr RetrievalNoise bipolar() noexcept { return {0.0, 0.0}; }
  /// Real Gaussian atoms (hrr::random) retrieved without a lossy unbinding:
  /// RealSequence / RealStack, or an HRR table with unitary keys
  /// (hrr::random_unitary). The right atom scores ‖x‖ = 1 ± 1/√(2D).
  static constexpr RetrievalNoise gaussian_atoms() noexcept { return {0.5, 0.0}; }
  /// HRR table or graph with Gaussian keys and values, unbound with the
  /// involution and cleaned up by cosine: q = k† ⊛ k ⊛ v + ..., whose
  /// spectrum |K|²V gives the right atom 4.5/D extra (6/D from |K|²|V|²,
  /// less 1.5/D from dividing by ‖v‖) and every wrong atom 1/D more.
  static constexpr RetrievalNoise hrr_involution() noexcept { return {4.5, 1.0}; }
};

/// Predicted probability that a query on a structure holding `items` bound
/// items returns the right atom from a cleanup memory of `codebook_size`
/// random atoms at dimension `dim` (formula above; numerical integration,
/// absolute error < 1e-6). Throws InvalidArgument for items, codebook_size or
/// dim of 0, or a negative noise term.
double retrieval_accuracy(std::size_t dim, std::size_t items, std::size_t codebook_size,
                          RetrievalNoise noise = RetrievalNoise::bipolar());

/// Largest n with retrieval_accuracy(dim, n, codebook_size, noise) >= accuracy
/// (0 < accuracy < 1); 0 if even one item falls short.
std::size_t capacity(std::size_t dim, std::size_t codebook_size, double accuracy = 0.99,
                     RetrievalNoise noise = RetrievalNoise::bipolar());

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
/// s = Σ leaves. get(path) = cleanup(s ⊙ P(path)). Dense MAP and HRR trees:
/// RealBinaryTree.
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

// ===========================================================================
// Dense MAP-C and HRR structures
// ===========================================================================
//
// Atoms and sums are real float vectors (std::span<const float> in,
// DenseVector<float> out); a query is decoded with a cleanup::FloatMemory
// (Metric::cosine) holding the candidate atoms. Sums are float: insert and
// remove are exact for ±1-valued atoms while |s_i| < 2^24, and otherwise
// undo each other up to float rounding (a relative 2^-24 per operation).
// Items must be finite (InvalidArgument) and of the structure's D
// (DimensionError).
//
// A Model supplies the binding; structures without binding (RealMultiset,
// RealSequence, RealStack) are the same for both models.

/// Dense MAP-C (torchhd MAP on real values): bind = unbind = element-wise
/// product (dense::bind), mark = ρ. Unbinding is exact for ±1 keys; a real
/// key k leaves v ⊙ k², which still correlates with v (E[k²] > 0).
class DenseMap {
 public:
  static constexpr const char* kName = "dense MAP";
  DenseVector<float> bind(std::span<const float> a, std::span<const float> b) const;
  DenseVector<float> unbind(std::span<const float> bound, std::span<const float> key) const;
  /// The marked end of an ordered pair, and its undo: ρ(v), ρ^{-1}(v).
  DenseVector<float> mark(std::span<const float> v) const;
  DenseVector<float> unmark(std::span<const float> v) const;
  /// Role of direction `right` (false = 'l') at depth i of a tree path:
  /// ρ^{i mod D}(D_d) with D_l, D_r = bipolar::random(D, seed, 0 / 1) as ±1
  /// floats, the packed BinaryTree's vectors (torchhd Tree's encoding).
  DenseVector<float> path_role(std::size_t dim, std::uint64_t seed, std::size_t depth,
                               bool right) const;
};

/// HRR (torchhd HRR): bind = circular convolution (hrr::bind), unbind =
/// hrr::unbind with the chosen inverse (involution by default: approximate
/// for Gaussian keys, exact for unitary ones; InverseMethod::exact() divides
/// the spectrum and amplifies the noise of weak bins, so it suits unitary or
/// single-pair keys).
///
/// mark = the dilation (M v)_i = v_{c·i mod D} by a fixed unit c of D
/// (dilation(D)). Dilations are automorphisms of the cyclic group: they
/// permute the spectrum's bins (k ↦ c⁻¹k), so a marked Gaussian or unitary
/// vector stays one and M(a ⊛ b) = M(a) ⊛ M(b). Unlike ρ, a dilation does not
/// commute with ⊛: u ⊛ M(v) and v ⊛ M(u) have spectra U(k)V(c⁻¹k) and
/// V(k)U(c⁻¹k), unrelated except on the gcd(c - 1, D) bins c⁻¹k ≡ k. Unlike
/// the involution (u ⊛ u† ≈ δ, so a self-loop or a repeated chain item would
/// make every item its own successor), u ⊛ M(u) is a random vector except on
/// the gcd(c + 1, D) bins c⁻¹k ≡ -k. c minimises both counts (c = 3 for
/// D = 1000, 1024, 4096, 10000: at most 4 such bins). D ∈ {1, 2, 3, 4, 6}
/// have no unit c ≢ ±1; there mark is the involution.
class Hrr {
 public:
  static constexpr const char* kName = "HRR";
  explicit Hrr(hrr::InverseMethod inverse = hrr::InverseMethod::involution()) noexcept
      : inverse_(inverse) {}
  hrr::InverseMethod inverse() const noexcept { return inverse_; }
  DenseVector<float> bind(std::span<const float> a, std::span<const float> b) const;
  DenseVector<float> unbind(std::span<const float> bound, std::span<const float> key) const;
  /// M(v), and its undo M⁻¹(v).
  DenseVector<float> mark(std::span<const float> v) const;
  DenseVector<float> unmark(std::span<const float> v) const;
  /// Role of direction `right` (false = 'l') at depth i of a tree path: the
  /// unitary vector hrr::random_unitary(D, mix64(seed ^ tag), 2i + right),
  /// independent per depth and direction. ρ^i(D_d) would not do: ρ commutes
  /// with ⊛, so Π_i ρ^i(D_{d_i}) = ρ^{Σi}(⊛_i D_{d_i}) and "lr" = "rl".
  /// Unitary roles make a path exactly invertible by its involution.
  DenseVector<float> path_role(std::size_t dim, std::uint64_t seed, std::size_t depth,
                               bool right) const;
  /// The dilation factor c for dimension D: among units 2 <= c <= min(D - 2,
  /// 64), the smallest c minimising max(gcd(c - 1, D), gcd(c + 1, D));
  /// 0 when there is none (D <= 4 or D = 6).
  static std::size_t dilation(std::size_t dim);

 private:
  hrr::InverseMethod inverse_;
};

/// Key-value record (torchhd HashTable): s = Σ bind(key, value);
/// query(key) = unbind(s, key) ≈ value + noise; get() cleans it up.
template <typename Model>
class RealHashTable {
 public:
  explicit RealHashTable(std::size_t dim, Model model = Model());
  std::size_t dim() const noexcept { return sums_.dim(); }
  /// Pairs inserted minus pairs removed.
  std::int64_t size() const noexcept { return size_; }
  const Model& model() const noexcept { return model_; }

  void insert(std::span<const float> key, std::span<const float> value);
  /// Subtracts a pair (like torchhd, the caller names the value removed).
  void remove(std::span<const float> key, std::span<const float> value);
  DenseVector<float> query(std::span<const float> key) const;
  cleanup::Matches get(std::span<const float> key, const cleanup::FloatMemory& values,
                       const cleanup::Options& options = {}) const;
  std::span<const float> sums() const noexcept { return sums_.values(); }

 private:
  Model model_;
  DenseVector<float> sums_;
  std::int64_t size_ = 0;
};

/// Multiset (torchhd Multiset): s = Σ m_x x. multiplicity(x) = ⟨s, x⟩/⟨x, x⟩
/// is m_x + N(0, Σ_{y≠x} m_y²/D) for random atoms (the cosine of two
/// independent atoms has variance 1/D in both models); membership by
/// multiplicity >= 1/2.
class RealMultiset {
 public:
  explicit RealMultiset(std::size_t dim);
  std::size_t dim() const noexcept { return sums_.dim(); }
  /// Σ of the counts added minus those removed.
  double size() const noexcept { return size_; }

  void add(std::span<const float> item, float count = 1.0f);
  void remove(std::span<const float> item, float count = 1.0f);
  /// ⟨s, item⟩ / ⟨item, item⟩; InvalidArgument for the zero vector.
  double multiplicity(std::span<const float> item) const;
  bool contains(std::span<const float> item) const { return multiplicity(item) >= 0.5; }
  std::span<const float> sums() const noexcept { return sums_.values(); }

 private:
  DenseVector<float> sums_;
  double size_ = 0.0;
};

/// Sequence by permutation, s = Σ_i ρ^i(x_i), item i = cleanup(ρ^{-i}(s)):
/// the packed Sequence's layout (append never moves earlier items; torchhd
/// stores Σ ρ^{n-1-i}(x_i)). Shifts are taken mod D.
class RealSequence {
 public:
  explicit RealSequence(std::size_t dim);
  std::size_t dim() const noexcept { return sums_.dim(); }
  std::size_t size() const noexcept { return size_; }

  void append(std::span<const float> item);
  /// Replaces `old_item` at position i by `new_item`.
  void replace(std::size_t i, std::span<const float> old_item, std::span<const float> new_item);
  /// ρ^{-i}(s). Throws InvalidArgument for i >= size().
  DenseVector<float> query(std::size_t i) const;
  cleanup::Matches item_at(std::size_t i, const cleanup::FloatMemory& items,
                           const cleanup::Options& options = {}) const;
  /// Position i maximising ⟨s, ρ^i(item)⟩ (scores every position).
  /// Throws InvalidArgument when the sequence is empty.
  std::size_t position_of(std::span<const float> item) const;
  std::span<const float> sums() const noexcept { return sums_.values(); }

 private:
  DenseVector<float> sums_;
  std::size_t size_ = 0;
};

/// Stack by permutation (torchhd has none), the packed Stack's layout:
/// T = Σ_i ρ^{-i}(x_i), push adds ρ^{-n}(x), pop subtracts, top =
/// cleanup(ρ^{n-1}(T)); the bundle is never permuted.
class RealStack {
 public:
  explicit RealStack(std::size_t dim);
  std::size_t dim() const noexcept { return sums_.dim(); }
  std::size_t size() const noexcept { return size_; }
  bool empty() const noexcept { return size_ == 0; }

  void push(std::span<const float> item);
  /// ≈ the top item plus noise. Throws InvalidArgument when empty.
  DenseVector<float> top_query() const;
  std::optional<cleanup::Match> top(const cleanup::FloatMemory& items,
                                    const cleanup::Options& options = {}) const;
  /// Removes `item` from the top (the caller asserts it is the top).
  void pop(std::span<const float> item);
  /// top(), then pop() of the matched row; nullopt (and no pop) on abstain.
  std::optional<cleanup::Match> pop(const cleanup::FloatMemory& items,
                                    const cleanup::Options& options = {});
  std::span<const float> sums() const noexcept { return sums_.values(); }

 private:
  DenseVector<float> sums_;
  std::size_t size_ = 0;
};

/// Graph (torchhd Graph): undirected edge {u, v} = bind(u, v), directed edge
/// u → v = bind(u, mark(v)); s = Σ edges. successors(u) = unbind(s, u)
/// (directed: then unmark), predecessors(v) = unbind(s, mark(v)).
/// torchhd marks with ρ in every model, which in HRR makes u → v and v → u
/// the same vector; Hrr marks with a dilation (see Hrr).
template <typename Model>
class RealGraph {
 public:
  RealGraph(std::size_t dim, bool directed, Model model = Model());
  std::size_t dim() const noexcept { return sums_.dim(); }
  bool directed() const noexcept { return directed_; }
  std::int64_t edges() const noexcept { return edges_; }
  const Model& model() const noexcept { return model_; }

  void add_edge(std::span<const float> u, std::span<const float> v);
  void remove_edge(std::span<const float> u, std::span<const float> v);
  /// The edge vector e(u, v) (above).
  DenseVector<float> edge(std::span<const float> u, std::span<const float> v) const;
  /// ⟨s, e⟩/⟨e, e⟩: ≈ 1 per stored copy of the edge, ≈ 0 ± √(m/D) otherwise
  /// (m edges); 0 when e is the zero vector.
  double edge_weight(std::span<const float> u, std::span<const float> v) const;
  DenseVector<float> successors_query(std::span<const float> u) const;
  DenseVector<float> predecessors_query(std::span<const float> v) const;
  /// Nodes whose match passes `options` (top k with min_z), best first.
  cleanup::Matches neighbours(std::span<const float> u, const cleanup::FloatMemory& nodes,
                              const cleanup::Options& options) const;
  std::span<const float> sums() const noexcept { return sums_.values(); }

 private:
  Model model_;
  DenseVector<float> sums_;
  bool directed_;
  std::int64_t edges_ = 0;
};

/// Sequence by binding chain: s = Σ_{i>=1} bind(mark(x_{i-1}), x_i), the
/// packed ChainSequence with the model's mark (ρ for MAP, a dilation for HRR).
/// next(x) = cleanup(unbind(s, mark(x))); recall() walks from a cue.
template <typename Model>
class RealChainSequence {
 public:
  explicit RealChainSequence(std::size_t dim, Model model = Model());
  std::size_t dim() const noexcept { return sums_.dim(); }
  std::size_t size() const noexcept { return size_; }

  void append(std::span<const float> item);
  /// unbind(s, mark(item)): ≈ the item that followed `item`.
  DenseVector<float> next_query(std::span<const float> item) const;
  /// Follows the chain from `start` for `steps` steps, cleaning up each step
  /// in `items`; stops early if a step abstains under `options`.
  std::vector<cleanup::Match> recall(std::span<const float> start, std::size_t steps,
                                     const cleanup::FloatMemory& items,
                                     const cleanup::Options& options = {}) const;

 private:
  Model model_;
  DenseVector<float> sums_;
  DenseVector<float> last_;
  std::size_t size_ = 0;
};

/// Binary tree (torchhd Tree): a leaf at path d_0 d_1 … d_{k-1} ('l'/'r') is
/// stored as bind(leaf, P(path)) with P(path) = bind_i R_i(d_i), the roles
/// the model gives each direction at each depth (Model::path_role);
/// s = Σ leaves, query(path) = unbind(s, P(path)), get() cleans it up.
///
/// Soundness: two different paths differ in some factor R_i(d) (a different
/// direction at a shared depth, or a depth only one of them has), and the
/// roles are independent random vectors, so P(p) and P(q) are unrelated:
/// cos ≈ N(0, 1/D) (HRR: mean c/D, c = 1 or 2 real spectral bins shared by
/// every unitary vector). Unbinding is exact in both models (±1 roles in
/// MAP, unitary roles in HRR), so the other leaves are the only noise:
/// capacity as a hash table with exactly invertible keys,
/// RetrievalNoise::bipolar() for ±1 leaves, gaussian_atoms() for Gaussian
/// ones. DenseMap's path vector is the packed BinaryTree's as ±1 floats (same
/// seed), so a dense tree of ±1 leaves answers exactly as the packed one.
/// Costs: a path of depth k makes k roles (HRR: one FFT each) and k - 1 binds.
template <typename Model>
class RealBinaryTree {
 public:
  RealBinaryTree(std::size_t dim, std::uint64_t seed, Model model = Model());
  std::size_t dim() const noexcept { return sums_.dim(); }
  /// Leaves added minus leaves removed.
  std::int64_t size() const noexcept { return size_; }
  const Model& model() const noexcept { return model_; }

  /// P(path); throws InvalidArgument for an empty path or a char not 'l'/'r'.
  DenseVector<float> path_vector(std::string_view path) const;
  void add_leaf(std::span<const float> leaf, std::string_view path);
  /// Subtracts a leaf (the caller names the leaf removed).
  void remove_leaf(std::span<const float> leaf, std::string_view path);
  /// unbind(s, P(path)): ≈ the leaf at `path` plus the other leaves' noise.
  DenseVector<float> query(std::string_view path) const;
  cleanup::Matches get(std::string_view path, const cleanup::FloatMemory& leaves,
                       const cleanup::Options& options = {}) const;
  std::span<const float> sums() const noexcept { return sums_.values(); }

 private:
  Model model_;
  DenseVector<float> sums_;
  std::uint64_t seed_;
  std::int64_t size_ = 0;
};

// The instantiations the library provides (src/structures.cpp).
extern template class RealHashTable<DenseMap>;
extern template class RealHashTable<Hrr>;
extern template class RealGraph<DenseMap>;
extern template class RealGraph<Hrr>;
extern template class RealChainSequence<DenseMap>;
extern template class RealChainSequence<Hrr>;
extern template class RealBinaryTree<DenseMap>;
extern template class RealBinaryTree<Hrr>;

using DenseHashTable = RealHashTable<DenseMap>;
using HrrHashTable = RealHashTable<Hrr>;
using DenseGraph = RealGraph<DenseMap>;
using HrrGraph = RealGraph<Hrr>;
using DenseChainSequence = RealChainSequence<DenseMap>;
using HrrChainSequence = RealChainSequence<Hrr>;
using DenseBinaryTree = RealBinaryTree<DenseMap>;
using HrrBinaryTree = RealBinaryTree<Hrr>;

}  // namespace hypervec::structures
