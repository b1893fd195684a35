// Data structures (include/hypervec/structures.hpp): packed bipolar MAP, and
// the dense MAP-C / HRR family. ISA-free: binding, permutation, accumulation
// and scoring go through the dispatched kernels of bipolar.hpp, bundle.hpp,
// mixed.hpp, dense.hpp, hrr.hpp and cleanup.hpp.
#include <hypervec/bipolar.hpp>
#include <hypervec/dense.hpp>
#include <hypervec/error.hpp>
#include <hypervec/hrr.hpp>
#include <hypervec/mixed.hpp>
#include <hypervec/random.hpp>
#include <hypervec/structures.hpp>

#include <algorithm>
#include <cmath>
#include <functional>
#include <numeric>
#include <numbers>
#include <ostream>

namespace hypervec::structures {
namespace {

double normal_cdf(double x) { return 0.5 * std::erfc(-x / std::numbers::sqrt2); }

std::vector<float> sums_as_floats(const bipolar::Accumulator& acc) {
  return permuted_sums(acc.sums(), 0);
}

void require_dim(const char* where, const char* what, std::size_t got, std::size_t want) {
  detail::require_same_dim(where, what, got, "structure", want);
}

cleanup::Matches search(const char* where, const cleanup::PackedMemory& memory,
                        std::span<const float> q, const cleanup::Options& options) {
  require_dim(where, "memory", memory.dim(), q.size());
  detail::require(!memory.empty(), where, ": cleanup memory is empty");
  return memory.search(q, options);
}

}  // namespace

double retrieval_accuracy(std::size_t dim, std::size_t items, std::size_t codebook_size,
                          RetrievalNoise noise) {
  detail::require(dim >= 1 && items >= 1 && codebook_size >= 1,
                  "structures::retrieval_accuracy: dim, items and codebook_size must be >= 1");
  detail::require(noise.right >= 0.0 && noise.wrong >= 0.0 && std::isfinite(noise.right) &&
                      std::isfinite(noise.wrong),
                  "structures::retrieval_accuracy: noise terms must be finite and >= 0, got (",
                  noise.right, ", ", noise.wrong, ")");
  if (codebook_size == 1) return 1.0;
  // In units of D: the right atom scores D + N(0, (n-1+a)D), a wrong one
  // N(0, (n+b)D) (the cosine scale times D).
  const double d = static_cast<double>(dim);
  const double n = static_cast<double>(items);
  const double others = static_cast<double>(codebook_size - 1);
  const double sd_right = std::sqrt((n - 1.0 + noise.right) * d);
  const double sd_wrong = std::sqrt((n + noise.wrong) * d);
  if (sd_right == 0.0) return std::pow(normal_cdf(d / sd_wrong), others);
  // ∫ φ(z) Φ((D + z sd_right)/sd_wrong)^{M-1} dz by the midpoint rule on
  // [-12, 12] (tail mass < 1e-30; step 1e-3 keeps the rule error < 1e-6).
  constexpr double kStep = 1e-3;
  double total = 0.0;
  for (double z = -12.0 + kStep / 2; z < 12.0; z += kStep) {
    const double phi = std::exp(-0.5 * z * z) / std::sqrt(2.0 * std::numbers::pi);
    total += phi * std::pow(normal_cdf((d + z * sd_right) / sd_wrong), others);
  }
  return std::min(1.0, total * kStep);
}

std::size_t capacity(std::size_t dim, std::size_t codebook_size, double accuracy,
                     RetrievalNoise noise) {
  detail::require(accuracy > 0.0 && accuracy < 1.0,
                  "structures::capacity: accuracy must be in (0, 1), got ", accuracy);
  if (retrieval_accuracy(dim, 1, codebook_size, noise) < accuracy) return 0;
  // Accuracy falls with n: bisect on [1, dim] (n > D never reaches 99%).
  std::size_t lo = 1;
  std::size_t hi = dim + 1;
  while (hi - lo > 1) {
    const std::size_t mid = lo + (hi - lo) / 2;
    if (retrieval_accuracy(dim, mid, codebook_size, noise) >= accuracy) {
      lo = mid;
    } else {
      hi = mid;
    }
  }
  return lo;
}

std::vector<float> permuted_sums(std::span<const std::int32_t> sums, std::ptrdiff_t shifts) {
  const std::size_t dim = sums.size();
  std::vector<float> out(dim);
  if (dim == 0) return out;
  const std::size_t k = detail::rotation_amount(shifts, dim);
  // out[i] = s[(i - k) mod D]: the last k sums move to the front.
  for (std::size_t i = 0; i < k; ++i) out[i] = static_cast<float>(sums[dim - k + i]);
  for (std::size_t i = k; i < dim; ++i) out[i] = static_cast<float>(sums[i - k]);
  return out;
}

void unbind_in_place(std::span<float> q, PackedView key) {
  detail::require_same_dim("structures::unbind_in_place", "q", q.size(), "key", key.dim);
  for (std::size_t i = 0; i < q.size(); ++i) {
    if ((key.words[i / 64] >> (i % 64)) & 1U) q[i] = -q[i];
  }
}

// ---------------------------------------------------------------------------
// HashTable
// ---------------------------------------------------------------------------

HashTable::HashTable(std::size_t dim) : acc_(dim) {}

void HashTable::insert(PackedView key, PackedView value) {
  require_dim("structures::HashTable::insert", "key", key.dim, dim());
  require_dim("structures::HashTable::insert", "value", value.dim, dim());
  acc_.add(bipolar::bind(key, value));
}

void HashTable::remove(PackedView key, PackedView value) {
  require_dim("structures::HashTable::remove", "key", key.dim, dim());
  require_dim("structures::HashTable::remove", "value", value.dim, dim());
  acc_.subtract(bipolar::bind(key, value));
}

std::vector<float> HashTable::query(PackedView key) const {
  require_dim("structures::HashTable::query", "key", key.dim, dim());
  std::vector<float> q = sums_as_floats(acc_);
  unbind_in_place(q, key);
  return q;
}

cleanup::Matches HashTable::get(PackedView key, const cleanup::PackedMemory& values,
                                const cleanup::Options& options) const {
  return search("structures::HashTable::get", values, query(key), options);
}

PackedVector HashTable::vector(const TieBreak& tie) const { return acc_.threshold(tie); }

// ---------------------------------------------------------------------------
// Multiset
// ---------------------------------------------------------------------------

Multiset::Multiset(std::size_t dim) : acc_(dim) {}

void Multiset::add(PackedView item, std::int32_t count) {
  require_dim("structures::Multiset::add", "item", item.dim, dim());
  acc_.add(item, count);
}

void Multiset::remove(PackedView item, std::int32_t count) {
  require_dim("structures::Multiset::remove", "item", item.dim, dim());
  acc_.subtract(item, count);
}

double Multiset::multiplicity(PackedView item) const {
  require_dim("structures::Multiset::multiplicity", "item", item.dim, dim());
  const std::vector<float> s = sums_as_floats(acc_);
  return mixed::dot(s, item) / static_cast<double>(dim());
}

PackedVector Multiset::vector(const TieBreak& tie) const { return acc_.threshold(tie); }

// ---------------------------------------------------------------------------
// Sequence
// ---------------------------------------------------------------------------

Sequence::Sequence(std::size_t dim) : acc_(dim) {}

void Sequence::append(PackedView item) {
  require_dim("structures::Sequence::append", "item", item.dim, dim());
  acc_.add(bipolar::permute(item, static_cast<std::ptrdiff_t>(size_ % dim())));
  ++size_;
}

void Sequence::replace(std::size_t i, PackedView old_item, PackedView new_item) {
  require_dim("structures::Sequence::replace", "old_item", old_item.dim, dim());
  require_dim("structures::Sequence::replace", "new_item", new_item.dim, dim());
  detail::require(i < size_, "structures::Sequence::replace: position ", i, " >= size ", size_);
  const auto shift = static_cast<std::ptrdiff_t>(i % dim());
  acc_.subtract(bipolar::permute(old_item, shift));
  acc_.add(bipolar::permute(new_item, shift));
}

std::vector<float> Sequence::query(std::size_t i) const {
  detail::require(i < size_, "structures::Sequence::query: position ", i, " >= size ", size_);
  return permuted_sums(acc_.sums(), -static_cast<std::ptrdiff_t>(i % dim()));
}

cleanup::Matches Sequence::item_at(std::size_t i, const cleanup::PackedMemory& items,
                                   const cleanup::Options& options) const {
  return search("structures::Sequence::item_at", items, query(i), options);
}

std::size_t Sequence::position_of(PackedView item) const {
  require_dim("structures::Sequence::position_of", "item", item.dim, dim());
  detail::require(size_ > 0, "structures::Sequence::position_of: the sequence is empty");
  // ⟨ρ^{-i}(s), x⟩ = ⟨s, ρ^i(x)⟩: permute the packed item, score the sums once.
  const std::vector<float> s = sums_as_floats(acc_);
  PackedVector shifted(dim());
  std::size_t best = 0;
  double best_score = 0.0;
  for (std::size_t i = 0; i < size_; ++i) {
    bipolar::permute(item, static_cast<std::ptrdiff_t>(i % dim()), shifted.span());
    const double score = mixed::dot(s, shifted);
    if (i == 0 || score > best_score) {
      best = i;
      best_score = score;
    }
  }
  return best;
}

PackedVector Sequence::vector(const TieBreak& tie) const { return acc_.threshold(tie); }

// ---------------------------------------------------------------------------
// ChainSequence
// ---------------------------------------------------------------------------

ChainSequence::ChainSequence(std::size_t dim) : acc_(dim), last_(dim) {}

void ChainSequence::append(PackedView item) {
  require_dim("structures::ChainSequence::append", "item", item.dim, dim());
  if (size_ > 0) {
    PackedVector link = bipolar::permute(last_, 1);
    bipolar::bind(link, item, link.span());
    acc_.add(link);
  }
  std::copy(item.words, item.words + item.num_words(), last_.words());
  ++size_;
}

std::vector<float> ChainSequence::next_query(PackedView item) const {
  require_dim("structures::ChainSequence::next_query", "item", item.dim, dim());
  std::vector<float> q = sums_as_floats(acc_);
  unbind_in_place(q, bipolar::permute(item, 1));
  return q;
}

std::vector<cleanup::Match> ChainSequence::recall(PackedView start, std::size_t steps,
                                                  const cleanup::PackedMemory& items,
                                                  const cleanup::Options& options) const {
  require_dim("structures::ChainSequence::recall", "start", start.dim, dim());
  std::vector<cleanup::Match> out;
  PackedVector cue(dim());
  std::copy(start.words, start.words + start.num_words(), cue.words());
  cleanup::Options one = options;
  one.k = 1;
  for (std::size_t step = 0; step < steps; ++step) {
    const cleanup::Matches m = search("structures::ChainSequence::recall", items,
                                      next_query(cue), one);
    if (m.empty()) break;
    out.push_back(m.front());
    const PackedView row = items.row(m.front().id);
    std::copy(row.words, row.words + row.num_words(), cue.words());
  }
  return out;
}

// ---------------------------------------------------------------------------
// Graph
// ---------------------------------------------------------------------------

Graph::Graph(std::size_t dim, bool directed) : acc_(dim), directed_(directed) {}

PackedVector Graph::edge(PackedView u, PackedView v) const {
  require_dim("structures::Graph", "u", u.dim, dim());
  require_dim("structures::Graph", "v", v.dim, dim());
  if (!directed_) return bipolar::bind(u, v);
  PackedVector e = bipolar::permute(v, 1);
  bipolar::bind(u, e, e.span());
  return e;
}

void Graph::add_edge(PackedView u, PackedView v) { acc_.add(edge(u, v)); }
void Graph::remove_edge(PackedView u, PackedView v) { acc_.subtract(edge(u, v)); }

double Graph::edge_weight(PackedView u, PackedView v) const {
  const PackedVector e = edge(u, v);
  return mixed::dot(sums_as_floats(acc_), e) / static_cast<double>(dim());
}

std::vector<float> Graph::successors_query(PackedView u) const {
  require_dim("structures::Graph::successors_query", "u", u.dim, dim());
  std::vector<float> q = sums_as_floats(acc_);
  unbind_in_place(q, u);
  if (!directed_) return q;
  // s ⊙ u = Σ ρ(v) + noise; undo the permutation: out[i] = q[i + 1].
  std::vector<float> out(q.size());
  for (std::size_t i = 0; i < q.size(); ++i) out[i] = q[(i + 1) % q.size()];
  return out;
}

std::vector<float> Graph::predecessors_query(PackedView v) const {
  require_dim("structures::Graph::predecessors_query", "v", v.dim, dim());
  std::vector<float> q = sums_as_floats(acc_);
  // Directed: s ⊙ ρ(v) = Σ_{u → v} u + noise.
  if (directed_) {
    unbind_in_place(q, bipolar::permute(v, 1));
  } else {
    unbind_in_place(q, v);
  }
  return q;
}

cleanup::Matches Graph::neighbours(PackedView u, const cleanup::PackedMemory& nodes,
                                   const cleanup::Options& options) const {
  return search("structures::Graph::neighbours", nodes, successors_query(u), options);
}

// ---------------------------------------------------------------------------
// BinaryTree
// ---------------------------------------------------------------------------

BinaryTree::BinaryTree(std::size_t dim, std::uint64_t seed)
    : acc_(dim), directions_(bipolar::random_matrix(2, dim, seed)) {}

PackedVector BinaryTree::path_vector(std::string_view path) const {
  detail::require(!path.empty(), "structures::BinaryTree: path is empty");
  PackedVector out = bipolar::identity(dim());
  PackedVector step(dim());
  for (std::size_t i = 0; i < path.size(); ++i) {
    detail::require(path[i] == 'l' || path[i] == 'r', "structures::BinaryTree: path[", i,
                    "] = '", path[i], "', expected 'l' or 'r'");
    bipolar::permute(directions_.row(path[i] == 'l' ? 0 : 1),
                     static_cast<std::ptrdiff_t>(i % dim()), step.span());
    bipolar::bind(out, step, out.span());
  }
  return out;
}

void BinaryTree::add_leaf(PackedView leaf, std::string_view path) {
  require_dim("structures::BinaryTree::add_leaf", "leaf", leaf.dim, dim());
  acc_.add(bipolar::bind(leaf, path_vector(path)));
}

void BinaryTree::remove_leaf(PackedView leaf, std::string_view path) {
  require_dim("structures::BinaryTree::remove_leaf", "leaf", leaf.dim, dim());
  acc_.subtract(bipolar::bind(leaf, path_vector(path)));
}

std::vector<float> BinaryTree::query(std::string_view path) const {
  std::vector<float> q = sums_as_floats(acc_);
  unbind_in_place(q, path_vector(path));
  return q;
}

cleanup::Matches BinaryTree::get(std::string_view path, const cleanup::PackedMemory& leaves,
                                 const cleanup::Options& options) const {
  return search("structures::BinaryTree::get", leaves, query(path), options);
}

// ---------------------------------------------------------------------------
// Stack
// ---------------------------------------------------------------------------

Stack::Stack(std::size_t dim) : acc_(dim) {}

void Stack::push(PackedView item) {
  require_dim("structures::Stack::push", "item", item.dim, dim());
  acc_.add(bipolar::permute(item, -static_cast<std::ptrdiff_t>(size_ % dim())));
  ++size_;
}

std::vector<float> Stack::top_query() const {
  detail::require(size_ > 0, "structures::Stack::top: the stack is empty");
  return permuted_sums(acc_.sums(), static_cast<std::ptrdiff_t>((size_ - 1) % dim()));
}

std::optional<cleanup::Match> Stack::top(const cleanup::PackedMemory& items,
                                         const cleanup::Options& options) const {
  cleanup::Options one = options;
  one.k = 1;
  cleanup::Matches m = search("structures::Stack::top", items, top_query(), one);
  if (m.empty()) return std::nullopt;
  return std::move(m.front());
}

void Stack::pop(PackedView item) {
  require_dim("structures::Stack::pop", "item", item.dim, dim());
  detail::require(size_ > 0, "structures::Stack::pop: the stack is empty");
  --size_;
  acc_.subtract(bipolar::permute(item, -static_cast<std::ptrdiff_t>(size_ % dim())));
}

std::optional<cleanup::Match> Stack::pop(const cleanup::PackedMemory& items,
                                         const cleanup::Options& options) {
  std::optional<cleanup::Match> m = top(items, options);
  if (m) pop(items.row(m->id));
  return m;
}

// ===========================================================================
// Dense MAP-C and HRR structures
// ===========================================================================

namespace {

/// "structures::<cls>[<model>]::<op>", printed only when a message is built.
struct Where {
  const char* cls;
  const char* model;  // null for model-free structures
  const char* op;
};

std::ostream& operator<<(std::ostream& out, const Where& w) {
  out << "structures::" << w.cls;
  if (w.model != nullptr) out << '<' << w.model << '>';
  return out << "::" << w.op;
}

/// DimensionError unless x has D = dim; InvalidArgument on NaN/Inf.
void check_item(const Where& where, const char* what, std::span<const float> x, std::size_t dim) {
  if (x.size() != dim) {
    throw DimensionError(detail::concat(where, ": dimension mismatch: ", what, " has D=",
                                        x.size(), ", structure has D=", dim));
  }
  for (std::size_t i = 0; i < x.size(); ++i) {
    if (!std::isfinite(x[i])) {
      throw InvalidArgument(
          detail::concat(where, ": ", what, "[", i, "] = ", x[i], " is not finite"));
    }
  }
}

DenseVector<float> zero_sums(const Where& where, std::size_t dim) {
  if (dim == 0) throw DimensionError(detail::concat(where, ": dim is 0; D must be >= 1"));
  return DenseVector<float>(dim);
}

/// x itself, or a copy of it in `copy` when x overlaps `sums` (a structure's
/// own sums() passed back in, e.g. s.add(s.sums())): the update then reads
/// the values x had at the call, not ones it has already overwritten.
std::span<const float> detached(std::span<const float> x, std::span<const float> sums,
                                std::vector<float>& copy) {
  const std::less<const float*> before;
  const bool overlap = !x.empty() && !sums.empty() && before(x.data(), sums.data() + sums.size()) &&
                       before(sums.data(), x.data() + x.size());
  if (!overlap) return x;
  copy.assign(x.begin(), x.end());
  return copy;
}

/// sums += weight · ρ^{shifts}(x), i.e. sums[(i + k) mod D] += weight · x[i]
/// with k = shifts mod D: two dispatched add_scaled calls, no copy of x
/// unless x overlaps sums (then x is copied first).
void add_shifted(std::span<float> sums, std::span<const float> x, std::ptrdiff_t shifts,
                 float weight) {
  std::vector<float> copy;
  x = detached(x, sums, copy);
  const std::size_t n = sums.size();
  if (n == 0) return;
  const std::size_t k = detail::rotation_amount(shifts, n);
  dense::add_scaled(x.subspan(0, n - k), weight, sums.subspan(k));
  if (k > 0) dense::add_scaled(x.subspan(n - k), weight, sums.subspan(0, k));
}

std::ptrdiff_t shift_of(std::size_t position, std::size_t dim) {
  return static_cast<std::ptrdiff_t>(position % dim);
}

cleanup::Matches search_real(const Where& where, const cleanup::FloatMemory& memory,
                             std::span<const float> q, const cleanup::Options& options) {
  if (memory.dim() != q.size()) {
    throw DimensionError(detail::concat(where, ": dimension mismatch: memory has D=",
                                        memory.dim(), ", structure has D=", q.size()));
  }
  if (memory.empty()) throw InvalidArgument(detail::concat(where, ": cleanup memory is empty"));
  return memory.search(q, options);
}

std::optional<cleanup::Match> best_real(const Where& where, const cleanup::FloatMemory& memory,
                                        std::span<const float> q,
                                        const cleanup::Options& options) {
  cleanup::Options one = options;
  one.k = 1;
  cleanup::Matches m = search_real(where, memory, q, one);
  if (m.empty()) return std::nullopt;
  return std::move(m.front());
}

}  // namespace

// --- Models -------------------------------------------------------------------

DenseVector<float> DenseMap::bind(std::span<const float> a, std::span<const float> b) const {
  return dense::bind(a, b);
}
DenseVector<float> DenseMap::unbind(std::span<const float> bound,
                                    std::span<const float> key) const {
  return dense::bind(bound, key);
}
DenseVector<float> DenseMap::mark(std::span<const float> v) const { return dense::permute(v, 1); }
DenseVector<float> DenseMap::unmark(std::span<const float> v) const {
  return dense::inverse_permute(v, 1);
}

DenseVector<float> DenseMap::path_role(std::size_t dim, std::uint64_t seed, std::size_t depth,
                                       bool right) const {
  const PackedVector d = bipolar::random(dim, seed, right ? 1 : 0);
  return dense::to_float(bipolar::permute(d, static_cast<std::ptrdiff_t>(depth % dim)));
}

DenseVector<float> Hrr::bind(std::span<const float> a, std::span<const float> b) const {
  return hrr::bind(a, b);
}
DenseVector<float> Hrr::unbind(std::span<const float> bound, std::span<const float> key) const {
  return hrr::unbind(bound, key, inverse_);
}
std::size_t Hrr::dilation(std::size_t dim) {
  // The unit c of D (gcd(c, D) = 1) with the fewest bins k where c·k ≡ ±k
  // (gcd(c ∓ 1, D) of them), smallest c first; 0 when D has no unit c ≢ ±1.
  std::size_t best = 0;
  std::size_t best_fixed = dim + 1;
  for (std::size_t c = 2; c + 1 < dim && c <= 64; ++c) {
    if (std::gcd(c, dim) != 1) continue;
    const std::size_t fixed = std::max(std::gcd(c - 1, dim), std::gcd(c + 1, dim));
    if (fixed < best_fixed) {
      best = c;
      best_fixed = fixed;
    }
  }
  return best;
}

DenseVector<float> Hrr::mark(std::span<const float> v) const {
  const std::size_t dim = v.size();
  const std::size_t c = dilation(dim);
  if (c == 0) return hrr::involution(v);
  DenseVector<float> out(dim);
  for (std::size_t i = 0, j = 0; i < dim; ++i, j = (j + c) % dim) out[i] = v[j];  // j = c·i mod D
  return out;
}

DenseVector<float> Hrr::unmark(std::span<const float> v) const {
  const std::size_t dim = v.size();
  const std::size_t c = dilation(dim);
  if (c == 0) return hrr::involution(v);
  DenseVector<float> out(dim);
  for (std::size_t i = 0, j = 0; i < dim; ++i, j = (j + c) % dim) out[j] = v[i];
  return out;
}

DenseVector<float> Hrr::path_role(std::size_t dim, std::uint64_t seed, std::size_t depth,
                                  bool right) const {
  // A seed family of its own ("hrr_tree"), so no role equals an atom the
  // caller draws with hrr::random / random_unitary from the same seed.
  constexpr std::uint64_t kTreeTag = 0x6872725f74726565ULL;
  return hrr::random_unitary<float>(dim, random::mix64(seed ^ kTreeTag),
                                    2 * static_cast<std::uint64_t>(depth) + (right ? 1 : 0));
}

// --- RealHashTable ------------------------------------------------------------

template <typename Model>
RealHashTable<Model>::RealHashTable(std::size_t dim, Model model)
    : model_(model), sums_(zero_sums({"RealHashTable", Model::kName, "RealHashTable"}, dim)) {}

template <typename Model>
void RealHashTable<Model>::insert(std::span<const float> key, std::span<const float> value) {
  const Where where{"RealHashTable", Model::kName, "insert"};
  check_item(where, "key", key, dim());
  check_item(where, "value", value, dim());
  dense::add_scaled(model_.bind(key, value), 1.0f, sums_.values());
  ++size_;
}

template <typename Model>
void RealHashTable<Model>::remove(std::span<const float> key, std::span<const float> value) {
  const Where where{"RealHashTable", Model::kName, "remove"};
  check_item(where, "key", key, dim());
  check_item(where, "value", value, dim());
  dense::add_scaled(model_.bind(key, value), -1.0f, sums_.values());
  --size_;
}

template <typename Model>
DenseVector<float> RealHashTable<Model>::query(std::span<const float> key) const {
  check_item({"RealHashTable", Model::kName, "query"}, "key", key, dim());
  return model_.unbind(sums(), key);
}

template <typename Model>
cleanup::Matches RealHashTable<Model>::get(std::span<const float> key,
                                           const cleanup::FloatMemory& values,
                                           const cleanup::Options& options) const {
  return search_real({"RealHashTable", Model::kName, "get"}, values, query(key), options);
}

// --- RealMultiset ---------------------------------------------------------------

RealMultiset::RealMultiset(std::size_t dim)
    : sums_(zero_sums({"RealMultiset", nullptr, "RealMultiset"}, dim)) {}

void RealMultiset::add(std::span<const float> item, float count) {
  const Where where{"RealMultiset", nullptr, "add"};
  check_item(where, "item", item, dim());
  detail::require(std::isfinite(count), where, ": count ", count, " is not finite");
  std::vector<float> copy;  // item may be sums() itself
  dense::add_scaled(detached(item, sums(), copy), count, sums_.values());
  size_ += count;
}

void RealMultiset::remove(std::span<const float> item, float count) {
  const Where where{"RealMultiset", nullptr, "remove"};
  check_item(where, "item", item, dim());
  detail::require(std::isfinite(count), where, ": count ", count, " is not finite");
  std::vector<float> copy;  // item may be sums() itself
  dense::add_scaled(detached(item, sums(), copy), -count, sums_.values());
  size_ -= count;
}

double RealMultiset::multiplicity(std::span<const float> item) const {
  const Where where{"RealMultiset", nullptr, "multiplicity"};
  check_item(where, "item", item, dim());
  const double norm2 = dense::dot(item, item);
  detail::require(norm2 > 0.0, where, ": item is the zero vector");
  return dense::dot(sums(), item) / norm2;
}

// --- RealSequence ---------------------------------------------------------------

RealSequence::RealSequence(std::size_t dim)
    : sums_(zero_sums({"RealSequence", nullptr, "RealSequence"}, dim)) {}

void RealSequence::append(std::span<const float> item) {
  check_item({"RealSequence", nullptr, "append"}, "item", item, dim());
  add_shifted(sums_.values(), item, shift_of(size_, dim()), 1.0f);
  ++size_;
}

void RealSequence::replace(std::size_t i, std::span<const float> old_item,
                           std::span<const float> new_item) {
  const Where where{"RealSequence", nullptr, "replace"};
  check_item(where, "old_item", old_item, dim());
  check_item(where, "new_item", new_item, dim());
  detail::require(i < size_, where, ": position ", i, " >= size ", size_);
  // Either item may be sums() itself: both are read as they were at the call.
  std::vector<float> old_copy, new_copy;
  old_item = detached(old_item, sums(), old_copy);
  new_item = detached(new_item, sums(), new_copy);
  add_shifted(sums_.values(), old_item, shift_of(i, dim()), -1.0f);
  add_shifted(sums_.values(), new_item, shift_of(i, dim()), 1.0f);
}

DenseVector<float> RealSequence::query(std::size_t i) const {
  detail::require(i < size_, Where{"RealSequence", nullptr, "query"}, ": position ", i,
                  " >= size ", size_);
  return hrr::permute(sums(), -shift_of(i, dim()));
}

cleanup::Matches RealSequence::item_at(std::size_t i, const cleanup::FloatMemory& items,
                                       const cleanup::Options& options) const {
  return search_real({"RealSequence", nullptr, "item_at"}, items, query(i), options);
}

std::size_t RealSequence::position_of(std::span<const float> item) const {
  const Where where{"RealSequence", nullptr, "position_of"};
  check_item(where, "item", item, dim());
  detail::require(size_ > 0, where, ": the sequence is empty");
  // ⟨ρ^{-i}(s), x⟩ = ⟨s, ρ^i(x)⟩.
  std::size_t best = 0;
  double best_score = 0.0;
  for (std::size_t i = 0; i < size_; ++i) {
    const double score = dense::dot(sums(), hrr::permute(item, shift_of(i, dim())));
    if (i == 0 || score > best_score) {
      best = i;
      best_score = score;
    }
  }
  return best;
}

// --- RealStack ------------------------------------------------------------------

RealStack::RealStack(std::size_t dim)
    : sums_(zero_sums({"RealStack", nullptr, "RealStack"}, dim)) {}

void RealStack::push(std::span<const float> item) {
  check_item({"RealStack", nullptr, "push"}, "item", item, dim());
  add_shifted(sums_.values(), item, -shift_of(size_, dim()), 1.0f);
  ++size_;
}

DenseVector<float> RealStack::top_query() const {
  detail::require(size_ > 0, Where{"RealStack", nullptr, "top"}, ": the stack is empty");
  return hrr::permute(sums(), shift_of(size_ - 1, dim()));
}

std::optional<cleanup::Match> RealStack::top(const cleanup::FloatMemory& items,
                                             const cleanup::Options& options) const {
  return best_real({"RealStack", nullptr, "top"}, items, top_query(), options);
}

void RealStack::pop(std::span<const float> item) {
  const Where where{"RealStack", nullptr, "pop"};
  check_item(where, "item", item, dim());
  detail::require(size_ > 0, where, ": the stack is empty");
  --size_;
  add_shifted(sums_.values(), item, -shift_of(size_, dim()), -1.0f);
}

std::optional<cleanup::Match> RealStack::pop(const cleanup::FloatMemory& items,
                                             const cleanup::Options& options) {
  std::optional<cleanup::Match> m = top(items, options);
  if (m) pop(items.row(m->id));
  return m;
}

// --- RealGraph ------------------------------------------------------------------

template <typename Model>
RealGraph<Model>::RealGraph(std::size_t dim, bool directed, Model model)
    : model_(model),
      sums_(zero_sums({"RealGraph", Model::kName, "RealGraph"}, dim)),
      directed_(directed) {}

template <typename Model>
DenseVector<float> RealGraph<Model>::edge(std::span<const float> u,
                                          std::span<const float> v) const {
  const Where where{"RealGraph", Model::kName, "edge"};
  check_item(where, "u", u, dim());
  check_item(where, "v", v, dim());
  return directed_ ? model_.bind(u, model_.mark(v)) : model_.bind(u, v);
}

template <typename Model>
void RealGraph<Model>::add_edge(std::span<const float> u, std::span<const float> v) {
  dense::add_scaled(edge(u, v), 1.0f, sums_.values());
  ++edges_;
}

template <typename Model>
void RealGraph<Model>::remove_edge(std::span<const float> u, std::span<const float> v) {
  dense::add_scaled(edge(u, v), -1.0f, sums_.values());
  --edges_;
}

template <typename Model>
double RealGraph<Model>::edge_weight(std::span<const float> u, std::span<const float> v) const {
  const DenseVector<float> e = edge(u, v);
  const double norm2 = dense::dot(e, e);
  return norm2 == 0.0 ? 0.0 : dense::dot(sums(), e) / norm2;
}

template <typename Model>
DenseVector<float> RealGraph<Model>::successors_query(std::span<const float> u) const {
  check_item({"RealGraph", Model::kName, "successors_query"}, "u", u, dim());
  DenseVector<float> q = model_.unbind(sums(), u);
  return directed_ ? model_.unmark(q) : q;
}

template <typename Model>
DenseVector<float> RealGraph<Model>::predecessors_query(std::span<const float> v) const {
  check_item({"RealGraph", Model::kName, "predecessors_query"}, "v", v, dim());
  return directed_ ? model_.unbind(sums(), model_.mark(v)) : model_.unbind(sums(), v);
}

template <typename Model>
cleanup::Matches RealGraph<Model>::neighbours(std::span<const float> u,
                                              const cleanup::FloatMemory& nodes,
                                              const cleanup::Options& options) const {
  return search_real({"RealGraph", Model::kName, "neighbours"}, nodes, successors_query(u),
                     options);
}

// --- RealChainSequence ----------------------------------------------------------

template <typename Model>
RealChainSequence<Model>::RealChainSequence(std::size_t dim, Model model)
    : model_(model),
      sums_(zero_sums({"RealChainSequence", Model::kName, "RealChainSequence"}, dim)),
      last_(dim) {}

template <typename Model>
void RealChainSequence<Model>::append(std::span<const float> item) {
  check_item({"RealChainSequence", Model::kName, "append"}, "item", item, dim());
  if (size_ > 0) dense::add_scaled(model_.bind(model_.mark(last_), item), 1.0f, sums_.values());
  std::copy(item.begin(), item.end(), last_.data());
  ++size_;
}

template <typename Model>
DenseVector<float> RealChainSequence<Model>::next_query(std::span<const float> item) const {
  check_item({"RealChainSequence", Model::kName, "next_query"}, "item", item, dim());
  return model_.unbind(sums_.values(), model_.mark(item));
}

template <typename Model>
std::vector<cleanup::Match> RealChainSequence<Model>::recall(
    std::span<const float> start, std::size_t steps, const cleanup::FloatMemory& items,
    const cleanup::Options& options) const {
  const Where where{"RealChainSequence", Model::kName, "recall"};
  check_item(where, "start", start, dim());
  std::vector<cleanup::Match> out;
  DenseVector<float> cue(start);
  for (std::size_t step = 0; step < steps; ++step) {
    std::optional<cleanup::Match> m = best_real(where, items, next_query(cue), options);
    if (!m) break;
    cue = DenseVector<float>(items.row(m->id));
    out.push_back(std::move(*m));
  }
  return out;
}

// --- RealBinaryTree -------------------------------------------------------------

template <typename Model>
RealBinaryTree<Model>::RealBinaryTree(std::size_t dim, std::uint64_t seed, Model model)
    : model_(model),
      sums_(zero_sums({"RealBinaryTree", Model::kName, "RealBinaryTree"}, dim)),
      seed_(seed) {}

template <typename Model>
DenseVector<float> RealBinaryTree<Model>::path_vector(std::string_view path) const {
  const Where where{"RealBinaryTree", Model::kName, "path_vector"};
  detail::require(!path.empty(), where, ": path is empty");
  for (std::size_t i = 0; i < path.size(); ++i) {
    detail::require(path[i] == 'l' || path[i] == 'r', where, ": path[", i, "] = '", path[i],
                    "', expected 'l' or 'r'");
  }
  DenseVector<float> out = model_.path_role(dim(), seed_, 0, path[0] == 'r');
  for (std::size_t i = 1; i < path.size(); ++i) {
    out = model_.bind(out, model_.path_role(dim(), seed_, i, path[i] == 'r'));
  }
  return out;
}

template <typename Model>
void RealBinaryTree<Model>::add_leaf(std::span<const float> leaf, std::string_view path) {
  check_item({"RealBinaryTree", Model::kName, "add_leaf"}, "leaf", leaf, dim());
  dense::add_scaled(model_.bind(leaf, path_vector(path)), 1.0f, sums_.values());
  ++size_;
}

template <typename Model>
void RealBinaryTree<Model>::remove_leaf(std::span<const float> leaf, std::string_view path) {
  check_item({"RealBinaryTree", Model::kName, "remove_leaf"}, "leaf", leaf, dim());
  dense::add_scaled(model_.bind(leaf, path_vector(path)), -1.0f, sums_.values());
  --size_;
}

template <typename Model>
DenseVector<float> RealBinaryTree<Model>::query(std::string_view path) const {
  return model_.unbind(sums(), path_vector(path));
}

template <typename Model>
cleanup::Matches RealBinaryTree<Model>::get(std::string_view path,
                                            const cleanup::FloatMemory& leaves,
                                            const cleanup::Options& options) const {
  return search_real({"RealBinaryTree", Model::kName, "get"}, leaves, query(path), options);
}

template class RealHashTable<DenseMap>;
template class RealHashTable<Hrr>;
template class RealGraph<DenseMap>;
template class RealGraph<Hrr>;
template class RealChainSequence<DenseMap>;
template class RealChainSequence<Hrr>;
template class RealBinaryTree<DenseMap>;
template class RealBinaryTree<Hrr>;

}  // namespace hypervec::structures
