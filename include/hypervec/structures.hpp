// Data structures: key-value record, multiset, sequences (by permutation and
// by binding chain), graph, binary tree and stack — each one class template
// over the model (model.hpp), written once for packed MAP, dense MAP, HRR and
// FHRR: HashTable<M>, Multiset<M>, Sequence<M>, ChainSequence<M>, Graph<M>,
// BinaryTree<M>, Stack<M>. M defaults to packed MAP, so `HashTable table(D)`
// is the packed table; DenseHashTable, HrrHashTable, FhrrHashTable and so on
// name the others. The library instantiates all four models
// (src/structures.cpp).
// torchhd's structures (torchhd/structures.py) are the reference semantics;
// each class says where it differs.
//
// Common design. Every structure keeps the sums s of its bound items in the
// model's accumulator (insert = add, remove = subtract) and answers a query
// with M::Query: the sums unbound and un-permuted (q = unbind(ρ^{-k}(s), key)),
// never thresholded. q is scored against the model's cleanup memory of
// candidate atoms (M::Memory): for packed atoms a float query through the
// mixed kernel, which reads the atoms at 1 bit per component.
// Decoding from the sums rather than from the thresholded bundle keeps the
// full signal-to-noise ratio (thresholding n items costs a factor √(2/(πn))
// in the signal; see docs/cookbook.md). vector() gives the thresholded bundle
// when a single packed hypervector is wanted.
//
// Permutation is the cyclic shift ρ in every model. Binding differs: MAP and
// FHRR multiply element-wise, HRR convolves circularly, and a cyclic shift
// commutes with circular convolution (ρ(a) ⊛ b = ρ(a ⊛ b) = a ⊛ ρ(b)), so in
// HRR ρ cannot order the two ends of a bound pair. Structures that need an
// ordered pair (a directed graph edge, a chain link) "mark" one end
// (Order<M>::mark): ρ for MAP and FHRR, a dilation for HRR. BinaryTree's path
// Π_i ρ^i(D_{d_i}) has the same problem in HRR (it collapses to
// ρ^{Σi}(⊛_i D_{d_i}), which only counts the l and r steps), so Order<M>
// supplies the role of each direction at each depth (path_role): ρ^i(D_d)
// for MAP and FHRR, an independent unitary vector per depth and direction for
// HRR.
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
// Errors: an item of another dimension throws DimensionError naming the
// structure, the model and the argument; NaN or ±Inf in a real or complex
// item throws InvalidArgument; nothing is changed by a call that throws.
//
// Implementations: src/structures.cpp (composes the models' dispatched
// kernels; the HRR mark is a plain index loop).
#pragma once

#include <hypervec/model.hpp>
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

/// How a model orders the two ends of a pair and the steps of a tree path
/// (file comment). The primary template is MAP's and FHRR's; Order<Hrr<T>>
/// replaces ρ by a dilation and the ρ^i roles by unitary ones.
template <Model M>
struct Order {
  /// The marked end of an ordered pair: ρ(v).
  static typename M::Vector mark(typename M::View v) { return M::permute(v, 1); }
  /// Undoes mark on a query: ρ^{-1}(q).
  static typename M::Query unmark(typename M::QueryView q) { return M::permute(q, -1); }
  /// Role of direction `right` (false = 'l') at depth i: ρ^{i mod D}(D_d) with
  /// D_l, D_r = M::random(D, seed, 0 / 1) (torchhd Tree's encoding; packed and
  /// dense MAP share the bits, so their trees answer alike).
  static typename M::Vector path_role(std::size_t dim, std::uint64_t seed, std::size_t depth,
                                      bool right) {
    return M::permute(M::random(dim, seed, right ? 1 : 0),
                      static_cast<std::ptrdiff_t>(depth % dim));
  }
};

/// The dilation factor c for dimension D used by HRR's mark, (M v)_i =
/// v_{c·i mod D}: among units 2 <= c <= min(D - 2, 64), the smallest c
/// minimising max(gcd(c - 1, D), gcd(c + 1, D)); 0 when there is none
/// (D <= 4 or D = 6: mark is then the involution).
///
/// Why a dilation: dilations are automorphisms of the cyclic group; they
/// permute the spectrum's bins (k ↦ c⁻¹k), so a marked Gaussian or unitary
/// vector stays one and M(a ⊛ b) = M(a) ⊛ M(b). Unlike ρ, a dilation does not
/// commute with ⊛: u ⊛ M(v) and v ⊛ M(u) have spectra U(k)V(c⁻¹k) and
/// V(k)U(c⁻¹k), unrelated except on the gcd(c - 1, D) bins c⁻¹k ≡ k. Unlike
/// the involution (u ⊛ u† ≈ δ, so a self-loop or a repeated chain item would
/// make every item its own successor), u ⊛ M(u) is a random vector except on
/// the gcd(c + 1, D) bins c⁻¹k ≡ -k. (c = 3 for D = 1000, 1024, 4096, 10000:
/// at most 4 such bins.)
std::size_t hrr_dilation(std::size_t dim);

/// HRR: mark = the dilation above; path roles are independent unitary
/// vectors hrr::random_unitary(D, mix64(seed ^ tag), 2i + right), since
/// Π_i ρ^i(D_{d_i}) = ρ^{Σi}(⊛_i D_{d_i}) would make "lr" = "rl". Unitary
/// roles make a path exactly invertible by its involution.
template <typename T>
struct Order<models::Hrr<T>> {
  static DenseVector<T> mark(std::span<const T> v);
  static DenseVector<T> unmark(std::span<const T> q);
  static DenseVector<T> path_role(std::size_t dim, std::uint64_t seed, std::size_t depth,
                                  bool right);
};

/// What every structure below is: the model's accumulator of its bound items
/// (the sums s), read back by the structure's queries.
template <Model M>
class Structure {
 public:
  using View = typename M::View;
  std::size_t dim() const noexcept { return sums_.dim(); }
  /// The sums s (packed MAP: exact int32 sums; else a Sum<T>).
  const typename M::Accumulator& accumulator() const noexcept { return sums_; }
  auto sums() const noexcept { return sums_.sums(); }
  /// The bundle of the items (packed: thresholded, ties to -1; else s).
  typename M::Vector vector() const { return M::bundle(sums_); }
  /// Items held: pairs, counts, positions, edges or leaves added minus those
  /// removed (the same type in every structure and model).
  std::int64_t size() const noexcept { return size_; }
  bool empty() const noexcept { return size_ == 0; }

 protected:
  explicit Structure(std::size_t dim) : sums_(dim) {}
  typename M::Accumulator sums_;
  std::int64_t size_ = 0;
};

/// Key-value record / hash table (torchhd HashTable): s = Σ bind(key, value);
/// query(key) = unbind(s, key) ≈ value + noise; get() cleans it up. remove()
/// subtracts a pair exactly (MAP) or up to rounding; like torchhd it needs the
/// value being removed (find it with get first). HRR unbinds with the
/// involution: approximate for Gaussian keys, exact for unitary ones.
template <Model M = models::PackedMap>
class HashTable : public Structure<M> {
 public:
  using typename Structure<M>::View;
  explicit HashTable(std::size_t dim) : Structure<M>(dim) {}

  void insert(View key, View value);
  void remove(View key, View value);
  /// unbind(s, key): ≈ the value stored under key, plus the other pairs' noise.
  typename M::Query query(View key) const;
  /// Best values for key among `values`.
  cleanup::Matches get(View key, const typename M::Memory& values,
                       const cleanup::Options& options = {}) const;

};

/// Multiset (torchhd Multiset): s = Σ m_x · x. multiplicity(x) =
/// dot(s, x) / dot(x, x) is m_x + N(0, Σ_{y≠x} m_y² / D) for random atoms
/// (the cosine of two independent atoms has variance 1/D; FHRR 1/(2D)); a set
/// is a multiset with m ∈ {0, 1}, membership by multiplicity >= 1/2 (error
/// probability Φ̄(½√(D/n)) per query for n items).
template <Model M = models::PackedMap>
class Multiset : public Structure<M> {
 public:
  using typename Structure<M>::View;
  explicit Multiset(std::size_t dim) : Structure<M>(dim) {}

  void add(View item, std::int32_t count = 1);
  void remove(View item, std::int32_t count = 1);
  /// dot(s, item) / dot(item, item): the estimated multiplicity.
  /// InvalidArgument for the zero vector.
  double multiplicity(View item) const;
  bool contains(View item) const { return multiplicity(item) >= 0.5; }

};

/// Sequence by permutation: s = Σ_i ρ^i(x_i). Item i is ρ^{-i}(s) cleaned up.
/// torchhd's Sequence stores Σ ρ^{n-1-i}(x_i) (the newest item unshifted), so
/// append must permute the whole bundle; with ρ^i the positions never move,
/// append is one add and item i's query does not depend on the length.
/// Shifts are taken mod D (positions i and i + D would share one); capacity
/// ends far below D anyway.
template <Model M = models::PackedMap>
class Sequence : public Structure<M> {
 public:
  using typename Structure<M>::View;
  explicit Sequence(std::size_t dim) : Structure<M>(dim) {}

  /// Adds x at position size().
  void append(View item);
  /// Replaces `old_item` at position i by `new_item`.
  void replace(std::size_t i, View old_item, View new_item);
  /// ρ^{-i}(s): ≈ item i plus noise. Throws InvalidArgument for i >= size().
  typename M::Query query(std::size_t i) const;
  cleanup::Matches item_at(std::size_t i, const typename M::Memory& items,
                           const cleanup::Options& options = {}) const;
  /// Position i maximising dot(ρ^{-i}(s), item) = dot(s, ρ^i(item)) (scores
  /// every position). Throws InvalidArgument when the sequence is empty.
  std::size_t position_of(View item) const;

 private:
};

/// Sequence by binding chain (Plate's chaining): s = Σ_{i>=1}
/// bind(mark(x_{i-1}), x_i), a bundle of (previous → next) associations.
/// next(x) = cleanup(unbind(s, mark(x))); recall() walks the chain from a
/// cue. The mark makes the pair directed (bind is symmetric). torchhd's
/// DistinctSequence is the single product Π ρ^{n-1-i}(x_i)
/// (encode::bind_sequence here), which identifies the whole sequence but
/// cannot be queried item by item.
template <Model M = models::PackedMap>
class ChainSequence : public Structure<M> {
 public:
  using typename Structure<M>::View;
  explicit ChainSequence(std::size_t dim) : Structure<M>(dim), last_(M::identity(dim)) {}

  void append(View item);
  /// unbind(s, mark(item)): ≈ the item that followed `item`.
  typename M::Query next_query(View item) const;
  /// Follows the chain from `start` for `steps` steps, cleaning up each step
  /// in `items`; stops early if a step abstains under `options`.
  std::vector<cleanup::Match> recall(View start, std::size_t steps,
                                     const typename M::Memory& items,
                                     const cleanup::Options& options = {}) const;

 private:
  typename M::Vector last_;
};

/// Graph (torchhd Graph): undirected edge {u, v} = bind(u, v), directed edge
/// u → v = bind(u, mark(v)); s = Σ edges. successors(u) = unbind(s, u)
/// (directed: then unmark), predecessors(v) = unbind(s, mark(v)), searched
/// with top-k and a z threshold. torchhd marks with ρ in every model, which
/// in HRR makes u → v and v → u the same vector; HRR marks with a dilation.
template <Model M = models::PackedMap>
class Graph : public Structure<M> {
 public:
  using typename Structure<M>::View;
  Graph(std::size_t dim, bool directed) : Structure<M>(dim), directed_(directed) {}
  bool directed() const noexcept { return directed_; }
  /// Edges added minus edges removed.
  std::int64_t edges() const noexcept { return this->size_; }

  void add_edge(View u, View v);
  void remove_edge(View u, View v);
  /// The edge vector e(u, v) (above).
  typename M::Vector edge(View u, View v) const;
  /// dot(s, e) / dot(e, e): ≈ 1 per stored copy of the edge, ≈ 0 ± √(m/D)
  /// otherwise (m edges); 0 when e is the zero vector.
  double edge_weight(View u, View v) const;
  /// Successors (undirected: neighbours) of u as a bundle query.
  typename M::Query successors_query(View u) const;
  /// Predecessors of v (directed graphs; undirected: same as successors).
  typename M::Query predecessors_query(View v) const;
  /// Nodes whose match passes `options` (top k with min_z), best first.
  cleanup::Matches neighbours(View u, const typename M::Memory& nodes,
                              const cleanup::Options& options) const;

 private:
  bool directed_;
};

/// Binary tree (torchhd Tree): a leaf at path d_0 d_1 … d_{k-1} ('l'/'r') is
/// stored as bind(leaf, P(path)) with P(path) = bind_i R_i(d_i), the roles
/// Order<M>::path_role gives each direction at each depth; s = Σ leaves,
/// query(path) = unbind(s, P(path)), get() cleans it up.
///
/// Soundness: two different paths differ in some factor R_i(d) (a different
/// direction at a shared depth, or a depth only one of them has), and the
/// roles are independent random vectors, so P(p) and P(q) are unrelated:
/// cos ≈ N(0, 1/D) (HRR: mean c/D, c = 1 or 2 real spectral bins shared by
/// every unitary vector). Unbinding is exact in every model (±1 roles in
/// MAP, phasors in FHRR, unitary roles in HRR), so the other leaves are the
/// only noise: capacity as a hash table with exactly invertible keys,
/// RetrievalNoise::bipolar() for ±1 leaves, gaussian_atoms() for Gaussian
/// ones. Costs: a path of depth k makes k roles (HRR: one FFT each) and
/// k - 1 binds.
template <Model M = models::PackedMap>
class BinaryTree : public Structure<M> {
 public:
  using typename Structure<M>::View;
  BinaryTree(std::size_t dim, std::uint64_t seed) : Structure<M>(dim), seed_(seed) {}

  /// P(path); throws InvalidArgument for an empty path or a char not 'l'/'r'.
  typename M::Vector path_vector(std::string_view path) const;
  void add_leaf(View leaf, std::string_view path);
  /// Subtracts a leaf (the caller names the leaf removed).
  void remove_leaf(View leaf, std::string_view path);
  /// unbind(s, P(path)): ≈ the leaf at `path` plus the other leaves' noise.
  typename M::Query query(std::string_view path) const;
  cleanup::Matches get(std::string_view path, const typename M::Memory& leaves,
                       const cleanup::Options& options = {}) const;

 private:
  std::uint64_t seed_;
};

/// Stack by permutation (torchhd has none): with n items pushed, the stack
/// is Σ_i ρ^{n-1-i}(x_i), the top unshifted. Stored as T = Σ_i ρ^{-i}(x_i)
/// (= ρ^{-(n-1)} of that), so push is one add of ρ^{-n}(x) and pop one
/// subtract: the bundle is never permuted. top = cleanup(ρ^{n-1}(T)).
template <Model M = models::PackedMap>
class Stack : public Structure<M> {
 public:
  using typename Structure<M>::View;
  explicit Stack(std::size_t dim) : Structure<M>(dim) {}

  void push(View item);
  /// ≈ the top item plus noise. Throws InvalidArgument when empty.
  typename M::Query top_query() const;
  /// Best match for the top among `items` (nullopt if it abstains).
  std::optional<cleanup::Match> top(const typename M::Memory& items,
                                    const cleanup::Options& options = {}) const;
  /// Removes `item` from the top (the caller asserts it is the top, usually
  /// from top()).
  void pop(View item);
  /// top(), then pop() of the matched row; nullopt (and no pop) on abstain.
  std::optional<cleanup::Match> pop(const typename M::Memory& items,
                                    const cleanup::Options& options = {});

 private:
};

// The instantiations the library provides (src/structures.cpp).
#define HYPERVEC_STRUCTURES_EXTERN(M)   \
  extern template class HashTable<M>;   \
  extern template class Multiset<M>;    \
  extern template class Sequence<M>;    \
  extern template class ChainSequence<M>; \
  extern template class Graph<M>;       \
  extern template class BinaryTree<M>;  \
  extern template class Stack<M>;
HYPERVEC_STRUCTURES_EXTERN(models::PackedMap)
HYPERVEC_STRUCTURES_EXTERN(models::DenseMap)
HYPERVEC_STRUCTURES_EXTERN(models::Hrr<float>)
HYPERVEC_STRUCTURES_EXTERN(models::Fhrr)
#undef HYPERVEC_STRUCTURES_EXTERN
extern template struct Order<models::Hrr<float>>;

using DenseHashTable = HashTable<models::DenseMap>;
using HrrHashTable = HashTable<models::Hrr<>>;
using FhrrHashTable = HashTable<models::Fhrr>;
using DenseMultiset = Multiset<models::DenseMap>;
using HrrMultiset = Multiset<models::Hrr<>>;
using FhrrMultiset = Multiset<models::Fhrr>;
using DenseSequence = Sequence<models::DenseMap>;
using HrrSequence = Sequence<models::Hrr<>>;
using FhrrSequence = Sequence<models::Fhrr>;
using DenseChainSequence = ChainSequence<models::DenseMap>;
using HrrChainSequence = ChainSequence<models::Hrr<>>;
using FhrrChainSequence = ChainSequence<models::Fhrr>;
using DenseGraph = Graph<models::DenseMap>;
using HrrGraph = Graph<models::Hrr<>>;
using FhrrGraph = Graph<models::Fhrr>;
using DenseBinaryTree = BinaryTree<models::DenseMap>;
using HrrBinaryTree = BinaryTree<models::Hrr<>>;
using FhrrBinaryTree = BinaryTree<models::Fhrr>;
using DenseStack = Stack<models::DenseMap>;
using HrrStack = Stack<models::Hrr<>>;
using FhrrStack = Stack<models::Fhrr>;

}  // namespace hypervec::structures
