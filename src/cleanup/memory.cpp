// cleanup::Memory<Row> (include/hypervec/cleanup.hpp): the members every row
// kind shares, written once, and the explicit instantiations for Packed,
// float, std::int8_t and std::complex<float>. The batch searches of each
// kind are in search_packed.cpp and search_dense.cpp; the kernels in
// simd/cleanup.cc.
#include <hypervec/cleanup.hpp>

#include <hypervec/error.hpp>

#include "src/cleanup/float_scaling.hpp"
#include "src/cleanup/memory_state.hpp"
#include "src/cleanup/search.hpp"

#include <algorithm>
#include <limits>
#include <type_traits>
#include <utility>

namespace hypervec::cleanup {
namespace {

using detail::check_batch;
using detail::check_labels;
using detail::checked_norm;
using detail::first_of;
using detail::single;

/// The names errors give each memory's members.
template <typename Row>
struct Names;
template <>
struct Names<Packed> {
  static constexpr const char* type = "cleanup::PackedMemory";
  static constexpr const char* add = "cleanup::PackedMemory::add";
  static constexpr const char* row = "cleanup::PackedMemory::row";
  static constexpr const char* label = "cleanup::PackedMemory::label";
  static constexpr const char* search = "cleanup::PackedMemory::search";
};
template <>
struct Names<float> {
  static constexpr const char* type = "cleanup::FloatMemory";
  static constexpr const char* add = "cleanup::FloatMemory::add";
  static constexpr const char* row = "cleanup::FloatMemory::row";
  static constexpr const char* label = "cleanup::FloatMemory::label";
  static constexpr const char* search = "cleanup::FloatMemory::search";
};
template <>
struct Names<std::int8_t> {
  static constexpr const char* type = "cleanup::Int8Memory";
  static constexpr const char* add = "cleanup::Int8Memory::add";
  static constexpr const char* row = "cleanup::Int8Memory::row";
  static constexpr const char* label = "cleanup::Int8Memory::label";
  static constexpr const char* search = "cleanup::Int8Memory::search";
};
template <>
struct Names<std::complex<float>> {
  static constexpr const char* type = "cleanup::PhasorMemory";
  static constexpr const char* add = "cleanup::PhasorMemory::add";
  static constexpr const char* row = "cleanup::PhasorMemory::row";
  static constexpr const char* label = "cleanup::PhasorMemory::label";
  static constexpr const char* search = "cleanup::PhasorMemory::search";
};

using Phasor = std::complex<float>;

/// Phasors read as interleaved floats (Re, Im): the layout std::complex
/// guarantees ([complex.numbers]), so Re Σ q conj(r) is the float dot of
/// 2D reals.
const float* as_floats(const Phasor* p) noexcept { return reinterpret_cast<const float*>(p); }

/// A phasor batch as the float kernels read it: 2D floats per row.
DenseMatrixView<float> as_floats(const DenseMatrixView<Phasor>& v) noexcept {
  return {as_floats(v.data), v.rows, 2 * v.dim, 2 * v.stride};
}

/// The stored rows of a float or phasor memory as the float search reads them.
template <typename T>
detail::FloatRows float_rows(const detail::Rows<T>& rows) {
  static_assert(std::is_same_v<T, float> || std::is_same_v<T, Phasor>);
  const auto* data = reinterpret_cast<const float*>(rows.store.data());
  constexpr std::size_t lanes = sizeof(T) / sizeof(float);
  return {data,          lanes * rows.store.stride(), rows.store.rows(), rows.norms,
          rows.row_exp_hi, rows.row_exp_lo,           rows.labels};
}

/// Records the exponents of float rows [first, size()) (row_exp_hi/lo).
template <typename T>
void note_row_exponents(detail::Rows<T>& rows, std::size_t first, std::size_t dim) {
  const detail::FloatRows f = float_rows(rows);
  const std::vector<int> e = detail::max_exponents(
      DenseMatrixView<float>{f.data + first * f.stride, f.count - first, dim, f.stride});
  for (const int x : e) {
    if (x == std::numeric_limits<int>::min()) continue;  // zero row
    rows.row_exp_hi = std::max(rows.row_exp_hi, x);
    rows.row_exp_lo = std::min(rows.row_exp_lo, x);
  }
}

/// Appends one dense row (float, int8 or phasor): T is the stored type, `kdim`
/// the scalar count the norm is taken over (2D for phasors). The norm
/// rejects NaN/Inf before anything is added.
template <typename T>
std::size_t dense_add(const char* where, std::size_t dim, std::size_t kdim,
                      detail::Rows<T>& rows, std::span<const T> row, std::string label) {
  hypervec::detail::require_same_dim(where, "the memory", dim, "row", row.size());
  if constexpr (std::is_same_v<T, std::int8_t>) {
    hypervec::detail::require(std::find(row.begin(), row.end(), std::int8_t{-128}) == row.end(),
                              where, ": row holds -128; int8 values must be in [-127, 127]");
  }
  double norm;
  if constexpr (std::is_same_v<T, Phasor>) {
    norm = checked_norm(as_floats(row.data()), kdim, where, "row", 0);
  } else {
    norm = checked_norm(row.data(), kdim, where, "row", 0);
  }
  rows.labels.add(std::move(label), where);
  rows.store.append(row.data(), 0, 1, dim);  // row may be one of the store's own
  rows.norms.push_back(norm);
  return rows.store.rows() - 1;
}

/// Appends every row of a validated batch (dimension, stride, labels and
/// values checked by the caller): norms first (they reject NaN/Inf before
/// anything is added), then one append for all rows.
template <typename T>
void dense_add_rows(const char* where, std::size_t dim, std::size_t kdim, detail::Rows<T>& rows,
                    const DenseMatrixView<T>& batch, std::span<const std::string> row_labels) {
  std::vector<double> batch_norms(batch.rows);
  for (std::size_t r = 0; r < batch.rows; ++r) {
    if constexpr (std::is_same_v<T, Phasor>) {
      batch_norms[r] = checked_norm(as_floats(batch.row(r).data()), kdim, where, "row", r);
    } else {
      batch_norms[r] = checked_norm(batch.row(r).data(), kdim, where, "row", r);
    }
  }
  if (batch.rows == 0) return;
  // batch may be a view of this store (e.g. view()): append copies safely.
  rows.store.append(batch.data, batch.stride, batch.rows, dim);
  for (std::size_t r = 0; r < batch.rows; ++r) {
    rows.labels.add(row_labels.empty() ? std::string() : row_labels[r], where);
  }
  rows.norms.insert(rows.norms.end(), batch_norms.begin(), batch_norms.end());
}

}  // namespace

// --- Construction, copy, move --------------------------------------------------

/// The pimpl of an empty memory of dimension dim: rows padded to kAlignment.
template <typename Row>
std::unique_ptr<typename Memory<Row>::State> Memory<Row>::make_state(std::size_t dim) {
  if constexpr (kPacked) {
    return std::make_unique<State>(padded_length<std::uint64_t>(packed_words(dim)));
  } else {
    return std::make_unique<State>(padded_length<Row>(dim));
  }
}

template <typename Row>
Memory<Row>::Memory(std::size_t dim) requires(kPacked)
    : dim_(dim), state_(make_state(dim)) {
  hypervec::detail::require_valid_dim(Names<Row>::type, "the memory", dim);
}

template <typename Row>
Memory<Row>::Memory(std::size_t dim, Metric metric) requires(!kPacked)
    : dim_(dim), metric_(metric), state_(make_state(dim)) {
  hypervec::detail::require_valid_dim(Names<Row>::type, "the memory", dim);
  if constexpr (std::is_same_v<Row, std::int8_t>) {
    hypervec::detail::require<DimensionError>(dim <= kMaxInt8Dim, "cleanup::Int8Memory: D=", dim,
                                              " exceeds ", kMaxInt8Dim,
                                              " (exact int32 dot products)");
  }
}

template <typename Row>
Memory<Row>::Memory(const MatrixView& codebook, std::span<const std::string> labels)
  requires(kPacked)
    : Memory(codebook.dim) {
  add(codebook, labels);
}

template <typename Row>
Memory<Row>::Memory(const MatrixView& codebook, std::span<const std::string> labels,
                    Metric metric) requires(!kPacked)
    : Memory(codebook.dim, metric) {
  add(codebook, labels);
}

template <typename Row>
Memory<Row>::Memory(const Memory& other)
    : dim_(other.dim_),
      metric_(other.metric_),
      state_(other.state_ ? std::make_unique<State>(*other.state_) : nullptr) {}

template <typename Row>
Memory<Row>::Memory(Memory&& other) noexcept = default;

template <typename Row>
Memory<Row>& Memory<Row>::operator=(const Memory& other) {
  if (this != &other) *this = Memory(other);
  return *this;
}

template <typename Row>
Memory<Row>& Memory<Row>::operator=(Memory&& other) noexcept = default;

template <typename Row>
Memory<Row>::~Memory() = default;

// --- Rows and labels -------------------------------------------------------------

namespace {

/// The state of `memory` for reading: a moved-from memory reads as empty.
template <typename State>
const State& read_state(const std::unique_ptr<State>& state) {
  static const State empty(0);
  return state ? *state : empty;
}

}  // namespace

template <typename Row>
std::size_t Memory<Row>::size() const noexcept {
  return state_ ? state_->store.rows() : 0;
}

template <typename Row>
std::size_t Memory<Row>::add(View row, std::string label) {
  constexpr const char* where = Names<Row>::add;
  if (!state_) state_ = make_state(dim_);  // moved from
  State& s = *state_;
  if constexpr (kPacked) {
    hypervec::detail::require_same_dim(where, "the memory", dim_, "row", row.dim);
    make_packed_view(row.words, row.num_words(), row.dim, "row");
    s.labels.add(std::move(label), where);
    s.store.append(row.words, 0, 1, packed_words(dim_));  // row may be one of ours
    return size() - 1;
  } else if constexpr (std::is_same_v<Row, std::int8_t>) {
    return dense_add<Row>(where, dim_, dim_, s, row, std::move(label));
  } else {  // float, phasor
    const std::size_t kdim = std::is_same_v<Row, Phasor> ? 2 * dim_ : dim_;
    const std::size_t id = dense_add<Row>(where, dim_, kdim, s, row, std::move(label));
    note_row_exponents(s, id, kdim);
    return id;
  }
}

template <typename Row>
void Memory<Row>::add(const MatrixView& rows, std::span<const std::string> labels) {
  constexpr const char* where = Names<Row>::add;
  if (!state_) state_ = make_state(dim_);  // moved from
  State& s = *state_;
  hypervec::detail::require_same_dim(where, "the memory", dim_, "rows", rows.dim);
  if constexpr (kPacked) {
    check_batch(where, "rows", rows, packed_words(dim_), rows.stride_words);
    check_labels(where, rows.rows, labels);
    s.labels.check_new(labels, where);
    for (std::size_t r = 0; r < rows.rows; ++r) {
      make_packed_view(rows.row(r).words, packed_words(dim_), dim_, "a row of rows");
    }
    if (rows.rows == 0) return;
    // rows may be a view of this memory (e.g. view()): append copies safely.
    s.store.append(rows.words, rows.stride_words, rows.rows, packed_words(dim_));
    for (std::size_t r = 0; r < rows.rows; ++r) {
      s.labels.add(labels.empty() ? std::string() : labels[r], where);
    }
  } else {
    check_batch(where, "rows", rows, dim_, rows.stride);
    check_labels(where, rows.rows, labels);
    s.labels.check_new(labels, where);
    if constexpr (std::is_same_v<Row, std::int8_t>) {
      for (std::size_t r = 0; r < rows.rows; ++r) {
        const auto row = rows.row(r);
        hypervec::detail::require(
            std::find(row.begin(), row.end(), std::int8_t{-128}) == row.end(), where, ": row ", r,
            " holds -128; int8 values must be in [-127, 127]");
      }
      dense_add_rows(where, dim_, dim_, s, rows, labels);
    } else {  // float, phasor
      const std::size_t kdim = std::is_same_v<Row, Phasor> ? 2 * dim_ : dim_;
      const std::size_t first = size();
      dense_add_rows(where, dim_, kdim, s, rows, labels);
      note_row_exponents(s, first, kdim);
    }
  }
}

template <typename Row>
typename Memory<Row>::View Memory<Row>::row(std::size_t id) const {
  hypervec::detail::require(id < size(), Names<Row>::row, ": id ", id, " out of range; M=",
                            size());
  return {state_->store.row(id), dim_};
}

template <typename Row>
typename Memory<Row>::View Memory<Row>::row(std::string_view label) const {
  const std::optional<std::size_t> id = find(label);
  if (!id) {
    throw InvalidArgument(hypervec::detail::concat(Names<Row>::row, ": no row is labelled \"",
                                                   label, "\" (M=", size(), ")"));
  }
  return row(*id);
}

template <typename Row>
const std::string& Memory<Row>::label(std::size_t id) const {
  hypervec::detail::require(id < size(), Names<Row>::label, ": id ", id, " out of range; M=",
                            size());
  return state_->labels[id];
}

template <typename Row>
std::optional<std::size_t> Memory<Row>::find(std::string_view label) const {
  return read_state(state_).labels.find(label);
}

template <typename Row>
typename Memory<Row>::MatrixView Memory<Row>::view() const noexcept {
  if (!state_) return {nullptr, 0, dim_, 0};  // moved from: no rows
  const auto& store = state_->store;
  return {store.data(), store.rows(), dim_, store.stride()};
}

// --- Search ----------------------------------------------------------------------

template <typename Row>
std::vector<Matches> Memory<Row>::search(const MatrixView& queries, const Options& options) const {
  constexpr const char* where = Names<Row>::search;
  const State& s = read_state(state_);
  if constexpr (kPacked) {
    return detail::packed_search(where, s, dim_, queries, options);
  } else if constexpr (std::is_same_v<Row, std::int8_t>) {
    return detail::int8_search(where, s, metric_, dim_, queries, options);
  } else if constexpr (std::is_same_v<Row, float>) {
    return detail::float_search(where, float_rows(s), metric_, dim_, queries, options);
  } else {  // phasor: the float search over 2D interleaved reals
    hypervec::detail::require_same_dim(where, "the memory", dim_, "queries", queries.dim);
    check_batch(where, "queries", queries, dim_, queries.stride);
    return detail::float_search(where, float_rows(s), metric_, 2 * dim_, as_floats(queries),
                                options);
  }
}

template <typename Row>
Matches Memory<Row>::search(View query, const Options& options) const {
  if constexpr (kPacked) {
    hypervec::detail::require_same_dim(Names<Row>::search, "the memory", dim_, "query",
                                       query.dim);
    return std::move(search(PackedMatrixView{query.words, 1, query.dim, query.num_words()},
                            options)
                         .front());
  } else {
    hypervec::detail::require_same_dim(Names<Row>::search, "the memory", dim_, "query",
                                       query.size());
    return std::move(
        search(MatrixView{query.data(), 1, query.size(), query.size()}, options).front());
  }
}

template <typename Row>
std::optional<Match> Memory<Row>::best(View query, const Options& options) const {
  return first_of(search(query, single(options)));
}

template <typename Row>
std::vector<Matches> Memory<Row>::search(const DenseMatrixView<float>& queries,
                                         const Options& options) const requires(kPacked) {
  return detail::mixed_search("cleanup::PackedMemory::search (float queries)",
                              read_state(state_), dim_, queries, options);
}

template <typename Row>
Matches Memory<Row>::search(std::span<const float> query, const Options& options) const
  requires(kPacked) {
  hypervec::detail::require_same_dim("cleanup::PackedMemory::search (float queries)",
                                     "the memory", dim_, "query", query.size());
  return std::move(
      search(DenseMatrixView<float>{query.data(), 1, query.size(), query.size()}, options)
          .front());
}

template <typename Row>
std::optional<Match> Memory<Row>::best(std::span<const float> query, const Options& options) const
  requires(kPacked) {
  return first_of(search(query, single(options)));
}

template class Memory<Packed>;
template class Memory<float>;
template class Memory<std::int8_t>;
template class Memory<std::complex<float>>;

}  // namespace hypervec::cleanup
