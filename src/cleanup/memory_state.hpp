// Internal: what a cleanup::Memory<Row> holds (its pimpl, Memory<Row>::State)
// and the batch searches of each row kind (src/cleanup/search_packed.cpp,
// src/cleanup/search_dense.cpp), which src/cleanup/memory.cpp calls.
#pragma once

#include <hypervec/cleanup.hpp>
#include <hypervec/storage.hpp>

#include "src/cleanup/label_index.hpp"
#include "src/cleanup/row_store.hpp"

#include <complex>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace hypervec::cleanup {
namespace detail {

/// The stored element of a Row: packed words, or the row's own scalar type
/// (phasors are stored as std::complex<float> and read by the float kernels
/// as 2D interleaved floats).
template <typename Row>
struct ElementOf {
  using type = Row;
};
template <>
struct ElementOf<Packed> {
  using type = std::uint64_t;
};

/// Rows, labels and per-row norms of a memory.
template <typename T>
struct Rows {
  explicit Rows(std::size_t stride) : store(stride) {}
  RowStore<T> store;
  LabelIndex labels;
  std::vector<double> norms;  // ‖row‖, accumulated in double (not for packed rows)
  // Float and phasor rows: ilogb of the largest and smallest non-zero row
  // maximum |r_i| (0, 0 when no row is non-zero); search scales queries by
  // powers of two from them so float sums of huge or tiny rows neither
  // overflow nor underflow (float_scaling.hpp).
  int row_exp_hi = 0;
  int row_exp_lo = 0;
};

/// Packed queries × packed rows: score = dot = D - 2·hamming, cosine = dot / D.
std::vector<Matches> packed_search(const char* where, const Rows<std::uint64_t>& rows,
                                   std::size_t dim, const PackedMatrixView& queries,
                                   const Options& options);

/// Float queries × packed rows (mixed): score = Σ q_i b_i, cosine = score /
/// (‖q‖ √D).
std::vector<Matches> mixed_search(const char* where, const Rows<std::uint64_t>& rows,
                                  std::size_t dim, const DenseMatrixView<float>& queries,
                                  const Options& options);

/// Float rows as the float kernels read them: `count` rows of the search's
/// dim floats, row r at data + r·stride, with their norms, exponents and
/// labels. A phasor memory passes its rows as 2D interleaved floats.
struct FloatRows {
  const float* data;
  std::size_t stride;
  std::size_t count;
  const std::vector<double>& norms;
  int row_exp_hi;
  int row_exp_lo;
  const LabelIndex& labels;
};

/// Float queries × float rows (the FloatMemory search, dim floats per row):
/// score = dot, or dot / ‖r‖ for Metric::cosine; cosine = dot / (‖q‖ ‖r‖);
/// z = cosine · √dim.
std::vector<Matches> float_search(const char* where, const FloatRows& rows, Metric metric,
                                  std::size_t dim, const DenseMatrixView<float>& queries,
                                  const Options& options);

/// Int8 queries × int8 rows: exact int32 dots, scores and cosines as float_search.
std::vector<Matches> int8_search(const char* where, const Rows<std::int8_t>& rows, Metric metric,
                                 std::size_t dim, const DenseMatrixView<std::int8_t>& queries,
                                 const Options& options);

}  // namespace detail

template <typename Row>
struct Memory<Row>::State : detail::Rows<typename detail::ElementOf<Row>::type> {
  using detail::Rows<typename detail::ElementOf<Row>::type>::Rows;
};

}  // namespace hypervec::cleanup
