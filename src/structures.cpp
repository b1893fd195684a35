// Data structures over packed bipolar vectors (include/hypervec/structures.hpp).
// ISA-free: binding, permutation, accumulation and scoring go through the
// dispatched kernels of bipolar.hpp, bundle.hpp, mixed.hpp and cleanup.hpp.
#include <hypervec/bipolar.hpp>
#include <hypervec/error.hpp>
#include <hypervec/mixed.hpp>
#include <hypervec/structures.hpp>

#include <cmath>
#include <numbers>

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

double retrieval_accuracy(std::size_t dim, std::size_t items, std::size_t codebook_size) {
  detail::require(dim >= 1 && items >= 1 && codebook_size >= 1,
                  "structures::retrieval_accuracy: dim, items and codebook_size must be >= 1");
  if (codebook_size == 1) return 1.0;
  const double d = static_cast<double>(dim);
  const double n = static_cast<double>(items);
  const double others = static_cast<double>(codebook_size - 1);
  const double sd_right = std::sqrt((n - 1.0) * d);
  const double sd_wrong = std::sqrt(n * d);
  if (items == 1) return std::pow(normal_cdf(d / sd_wrong), others);
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

std::size_t capacity(std::size_t dim, std::size_t codebook_size, double accuracy) {
  detail::require(accuracy > 0.0 && accuracy < 1.0,
                  "structures::capacity: accuracy must be in (0, 1), got ", accuracy);
  if (retrieval_accuracy(dim, 1, codebook_size) < accuracy) return 0;
  // Accuracy falls with n: bisect on [1, dim] (n > D never reaches 99%).
  std::size_t lo = 1;
  std::size_t hi = dim + 1;
  while (hi - lo > 1) {
    const std::size_t mid = lo + (hi - lo) / 2;
    if (retrieval_accuracy(dim, mid, codebook_size) >= accuracy) {
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
  const auto d = static_cast<std::ptrdiff_t>(dim);
  const auto k = static_cast<std::size_t>(((shifts % d) + d) % d);
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

}  // namespace hypervec::structures
