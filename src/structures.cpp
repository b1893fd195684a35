// Data structures (include/hypervec/structures.hpp): each class template is
// written once over the model and instantiated for packed MAP, dense MAP,
// HRR and FHRR at the end of this file. ISA-free: binding, permutation,
// accumulation and scoring go through the models' dispatched kernels.
#include <hypervec/structures.hpp>

#include <hypervec/error.hpp>
#include <hypervec/random.hpp>

#include <algorithm>
#include <cmath>
#include <complex>
#include <numeric>
#include <numbers>
#include <ostream>
#include <string_view>
#include <type_traits>

namespace hypervec::structures {
namespace {

double normal_cdf(double x) { return 0.5 * std::erfc(-x / std::numbers::sqrt2); }

/// "structures::<cls><<model>>::<op>", printed only when a message is built.
struct Where {
  const char* cls;
  std::string_view model;
  const char* op;
};

std::ostream& operator<<(std::ostream& out, const Where& w) {
  return out << "structures::" << w.cls << '<' << w.model << ">::" << w.op;
}

template <typename T>
bool finite(T x) {
  if constexpr (std::is_floating_point_v<T>) {
    return std::isfinite(x);
  } else {
    return std::isfinite(x.real()) && std::isfinite(x.imag());
  }
}

/// DimensionError unless x has the structure's D; for real and complex
/// models InvalidArgument on NaN or ±Inf, naming the component. Every item
/// is checked before a structure changes, so a throwing call changes nothing.
template <Model M>
void check_item(const Where& where, const char* what, typename M::View x, std::size_t dim) {
  if (M::dim(x) != dim) {
    throw DimensionError(detail::concat(where, ": dimension mismatch: ", what, " has D=",
                                        M::dim(x), ", structure has D=", dim));
  }
  if constexpr (!std::is_same_v<M, models::PackedMap>) {
    for (std::size_t i = 0; i < x.size(); ++i) {
      if (!finite(x[i])) {
        throw InvalidArgument(
            detail::concat(where, ": ", what, "[", i, "] = ", x[i], " is not finite"));
      }
    }
  }
}

template <Model M>
cleanup::Matches search(const Where& where, const typename M::Memory& memory,
                        typename M::QueryView q, const cleanup::Options& options) {
  if (memory.dim() != q.size()) {
    throw DimensionError(detail::concat(where, ": dimension mismatch: memory has D=",
                                        memory.dim(), ", structure has D=", q.size()));
  }
  if (memory.empty()) throw InvalidArgument(detail::concat(where, ": cleanup memory is empty"));
  return memory.search(q, options);
}

template <Model M>
std::optional<cleanup::Match> best(const Where& where, const typename M::Memory& memory,
                                   typename M::QueryView q, const cleanup::Options& options) {
  cleanup::Options one = options;
  one.k = 1;
  cleanup::Matches m = search<M>(where, memory, q, one);
  if (m.empty()) return std::nullopt;
  return std::move(m.front());
}

/// A sequence's or stack's length (never negative: they only grow by append
/// or push and shrink by a checked pop).
std::size_t length(std::int64_t size) { return static_cast<std::size_t>(size); }

std::ptrdiff_t shift_of(std::size_t position, std::size_t dim) {
  return static_cast<std::ptrdiff_t>(position % dim);
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

std::size_t hrr_dilation(std::size_t dim) {
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

template <typename T>
DenseVector<T> Order<models::Hrr<T>>::mark(std::span<const T> v) {
  const std::size_t dim = v.size();
  const std::size_t c = hrr_dilation(dim);
  if (c == 0) return hrr::involution(v);
  DenseVector<T> out(dim);
  for (std::size_t i = 0, j = 0; i < dim; ++i, j = (j + c) % dim) out[i] = v[j];  // j = c·i mod D
  return out;
}

template <typename T>
DenseVector<T> Order<models::Hrr<T>>::unmark(std::span<const T> q) {
  const std::size_t dim = q.size();
  const std::size_t c = hrr_dilation(dim);
  if (c == 0) return hrr::involution(q);
  DenseVector<T> out(dim);
  for (std::size_t i = 0, j = 0; i < dim; ++i, j = (j + c) % dim) out[j] = q[i];
  return out;
}

template <typename T>
DenseVector<T> Order<models::Hrr<T>>::path_role(std::size_t dim, std::uint64_t seed,
                                                std::size_t depth, bool right) {
  // A seed family of its own ("hrr_tree"), so no role equals an atom the
  // caller draws with hrr::random / random_unitary from the same seed.
  constexpr std::uint64_t kTreeTag = 0x6872725f74726565ULL;
  return hrr::random_unitary<T>(dim, random::mix64(seed ^ kTreeTag),
                                2 * static_cast<std::uint64_t>(depth) + (right ? 1 : 0));
}

// --- HashTable --------------------------------------------------------------------

template <Model M>
void HashTable<M>::insert(View key, View value) {
  const Where where{"HashTable", M::name, "insert"};
  check_item<M>(where, "key", key, this->dim());
  check_item<M>(where, "value", value, this->dim());
  this->sums_.add(M::bind(key, value));
  ++this->size_;
}

template <Model M>
void HashTable<M>::remove(View key, View value) {
  const Where where{"HashTable", M::name, "remove"};
  check_item<M>(where, "key", key, this->dim());
  check_item<M>(where, "value", value, this->dim());
  this->sums_.subtract(M::bind(key, value));
  --this->size_;
}

template <Model M>
typename M::Query HashTable<M>::query(View key) const {
  check_item<M>({"HashTable", M::name, "query"}, "key", key, this->dim());
  return M::unbind(M::query(this->sums_), key);
}

template <Model M>
cleanup::Matches HashTable<M>::get(View key, const typename M::Memory& values,
                                   const cleanup::Options& options) const {
  return search<M>({"HashTable", M::name, "get"}, values, query(key), options);
}

// --- Multiset ---------------------------------------------------------------------

template <Model M>
void Multiset<M>::add(View item, std::int32_t count) {
  check_item<M>({"Multiset", M::name, "add"}, "item", item, this->dim());
  this->sums_.add(item, count);
  this->size_ += count;
}

template <Model M>
void Multiset<M>::remove(View item, std::int32_t count) {
  check_item<M>({"Multiset", M::name, "remove"}, "item", item, this->dim());
  this->sums_.subtract(item, count);
  this->size_ -= count;
}

template <Model M>
double Multiset<M>::multiplicity(View item) const {
  const Where where{"Multiset", M::name, "multiplicity"};
  check_item<M>(where, "item", item, this->dim());
  const double norm2 = static_cast<double>(M::dot(item, item));
  detail::require(norm2 > 0.0, where, ": item is the zero vector");
  return static_cast<double>(M::dot(M::query(this->sums_), item)) / norm2;
}

// --- Sequence ---------------------------------------------------------------------

template <Model M>
void Sequence<M>::append(View item) {
  check_item<M>({"Sequence", M::name, "append"}, "item", item, this->dim());
  this->sums_.add(M::permute(item, shift_of(length(this->size_), this->dim())));
  ++this->size_;
}

template <Model M>
void Sequence<M>::replace(std::size_t i, View old_item, View new_item) {
  const Where where{"Sequence", M::name, "replace"};
  check_item<M>(where, "old_item", old_item, this->dim());
  check_item<M>(where, "new_item", new_item, this->dim());
  detail::require(i < length(this->size_), where, ": position ", i, " >= size ", this->size_);
  // Both are permuted copies, so either may be a view of sums() itself.
  const typename M::Vector old_shifted = M::permute(old_item, shift_of(i, this->dim()));
  const typename M::Vector new_shifted = M::permute(new_item, shift_of(i, this->dim()));
  this->sums_.subtract(old_shifted);
  this->sums_.add(new_shifted);
}

template <Model M>
typename M::Query Sequence<M>::query(std::size_t i) const {
  detail::require(i < length(this->size_), Where{"Sequence", M::name, "query"}, ": position ", i,
                  " >= size ", this->size_);
  return M::permute(M::query(this->sums_), -shift_of(i, this->dim()));
}

template <Model M>
cleanup::Matches Sequence<M>::item_at(std::size_t i, const typename M::Memory& items,
                                      const cleanup::Options& options) const {
  return search<M>({"Sequence", M::name, "item_at"}, items, query(i), options);
}

template <Model M>
std::size_t Sequence<M>::position_of(View item) const {
  const Where where{"Sequence", M::name, "position_of"};
  check_item<M>(where, "item", item, this->dim());
  detail::require(this->size_ > 0, where, ": the sequence is empty");
  // dot(ρ^{-i}(s), x) = dot(s, ρ^i(x)): permute the item, score the sums once.
  const typename M::Query s = M::query(this->sums_);
  std::size_t best_position = 0;
  double best_score = 0.0;
  for (std::size_t i = 0; i < length(this->size_); ++i) {
    const double score = static_cast<double>(M::dot(s, M::permute(item, shift_of(i, this->dim()))));
    if (i == 0 || score > best_score) {
      best_position = i;
      best_score = score;
    }
  }
  return best_position;
}

// --- ChainSequence ----------------------------------------------------------------

template <Model M>
void ChainSequence<M>::append(View item) {
  check_item<M>({"ChainSequence", M::name, "append"}, "item", item, this->dim());
  if (this->size_ > 0) this->sums_.add(M::bind(Order<M>::mark(last_), item));
  last_ = typename M::Vector(item);
  ++this->size_;
}

template <Model M>
typename M::Query ChainSequence<M>::next_query(View item) const {
  check_item<M>({"ChainSequence", M::name, "next_query"}, "item", item, this->dim());
  return M::unbind(M::query(this->sums_), Order<M>::mark(item));
}

template <Model M>
std::vector<cleanup::Match> ChainSequence<M>::recall(View start, std::size_t steps,
                                                     const typename M::Memory& items,
                                                     const cleanup::Options& options) const {
  const Where where{"ChainSequence", M::name, "recall"};
  check_item<M>(where, "start", start, this->dim());
  std::vector<cleanup::Match> out;
  typename M::Vector cue(start);
  for (std::size_t step = 0; step < steps; ++step) {
    std::optional<cleanup::Match> m = best<M>(where, items, next_query(cue), options);
    if (!m) break;
    cue = typename M::Vector(items.row(m->id));
    out.push_back(std::move(*m));
  }
  return out;
}

// --- Graph ------------------------------------------------------------------------

template <Model M>
typename M::Vector Graph<M>::edge(View u, View v) const {
  const Where where{"Graph", M::name, "edge"};
  check_item<M>(where, "u", u, this->dim());
  check_item<M>(where, "v", v, this->dim());
  return directed_ ? M::bind(u, Order<M>::mark(v)) : M::bind(u, v);
}

template <Model M>
void Graph<M>::add_edge(View u, View v) {
  this->sums_.add(edge(u, v));
  ++this->size_;
}

template <Model M>
void Graph<M>::remove_edge(View u, View v) {
  this->sums_.subtract(edge(u, v));
  --this->size_;
}

template <Model M>
double Graph<M>::edge_weight(View u, View v) const {
  const typename M::Vector e = edge(u, v);
  const double norm2 = static_cast<double>(M::dot(e, e));
  return norm2 == 0.0 ? 0.0 : static_cast<double>(M::dot(M::query(this->sums_), e)) / norm2;
}

template <Model M>
typename M::Query Graph<M>::successors_query(View u) const {
  check_item<M>({"Graph", M::name, "successors_query"}, "u", u, this->dim());
  typename M::Query q = M::unbind(M::query(this->sums_), u);
  return directed_ ? Order<M>::unmark(q) : q;
}

template <Model M>
typename M::Query Graph<M>::predecessors_query(View v) const {
  check_item<M>({"Graph", M::name, "predecessors_query"}, "v", v, this->dim());
  return directed_ ? M::unbind(M::query(this->sums_), Order<M>::mark(v))
                   : M::unbind(M::query(this->sums_), v);
}

template <Model M>
cleanup::Matches Graph<M>::neighbours(View u, const typename M::Memory& nodes,
                                      const cleanup::Options& options) const {
  return search<M>({"Graph", M::name, "neighbours"}, nodes, successors_query(u), options);
}

// --- BinaryTree -------------------------------------------------------------------

template <Model M>
typename M::Vector BinaryTree<M>::path_vector(std::string_view path) const {
  const Where where{"BinaryTree", M::name, "path_vector"};
  detail::require(!path.empty(), where, ": path is empty");
  for (std::size_t i = 0; i < path.size(); ++i) {
    detail::require(path[i] == 'l' || path[i] == 'r', where, ": path[", i, "] = '", path[i],
                    "', expected 'l' or 'r'");
  }
  typename M::Vector out = Order<M>::path_role(this->dim(), seed_, 0, path[0] == 'r');
  for (std::size_t i = 1; i < path.size(); ++i) {
    out = M::bind(out, Order<M>::path_role(this->dim(), seed_, i, path[i] == 'r'));
  }
  return out;
}

template <Model M>
void BinaryTree<M>::add_leaf(View leaf, std::string_view path) {
  check_item<M>({"BinaryTree", M::name, "add_leaf"}, "leaf", leaf, this->dim());
  this->sums_.add(M::bind(leaf, path_vector(path)));
  ++this->size_;
}

template <Model M>
void BinaryTree<M>::remove_leaf(View leaf, std::string_view path) {
  check_item<M>({"BinaryTree", M::name, "remove_leaf"}, "leaf", leaf, this->dim());
  this->sums_.subtract(M::bind(leaf, path_vector(path)));
  --this->size_;
}

template <Model M>
typename M::Query BinaryTree<M>::query(std::string_view path) const {
  return M::unbind(M::query(this->sums_), path_vector(path));
}

template <Model M>
cleanup::Matches BinaryTree<M>::get(std::string_view path, const typename M::Memory& leaves,
                                    const cleanup::Options& options) const {
  return search<M>({"BinaryTree", M::name, "get"}, leaves, query(path), options);
}

// --- Stack ------------------------------------------------------------------------

template <Model M>
void Stack<M>::push(View item) {
  check_item<M>({"Stack", M::name, "push"}, "item", item, this->dim());
  this->sums_.add(M::permute(item, -shift_of(length(this->size_), this->dim())));
  ++this->size_;
}

template <Model M>
typename M::Query Stack<M>::top_query() const {
  detail::require(this->size_ > 0, Where{"Stack", M::name, "top"}, ": the stack is empty");
  return M::permute(M::query(this->sums_), shift_of(length(this->size_) - 1, this->dim()));
}

template <Model M>
std::optional<cleanup::Match> Stack<M>::top(const typename M::Memory& items,
                                            const cleanup::Options& options) const {
  return best<M>({"Stack", M::name, "top"}, items, top_query(), options);
}

template <Model M>
void Stack<M>::pop(View item) {
  const Where where{"Stack", M::name, "pop"};
  check_item<M>(where, "item", item, this->dim());
  detail::require(this->size_ > 0, where, ": the stack is empty");
  const typename M::Vector shifted =
      M::permute(item, -shift_of(length(this->size_) - 1, this->dim()));
  this->sums_.subtract(shifted);
  --this->size_;
}

template <Model M>
std::optional<cleanup::Match> Stack<M>::pop(const typename M::Memory& items,
                                            const cleanup::Options& options) {
  std::optional<cleanup::Match> m = top(items, options);
  if (m) pop(items.row(m->id));
  return m;
}

// --- Instantiations ---------------------------------------------------------------

#define HYPERVEC_STRUCTURES_INSTANTIATE(M) \
  template class HashTable<M>;             \
  template class Multiset<M>;              \
  template class Sequence<M>;              \
  template class ChainSequence<M>;         \
  template class Graph<M>;                 \
  template class BinaryTree<M>;            \
  template class Stack<M>;
HYPERVEC_STRUCTURES_INSTANTIATE(models::PackedMap)
HYPERVEC_STRUCTURES_INSTANTIATE(models::DenseMap)
HYPERVEC_STRUCTURES_INSTANTIATE(models::Hrr<float>)
HYPERVEC_STRUCTURES_INSTANTIATE(models::Fhrr)
#undef HYPERVEC_STRUCTURES_INSTANTIATE
template struct Order<models::Hrr<float>>;

}  // namespace hypervec::structures
