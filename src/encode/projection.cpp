// Random projections (include/hypervec/encode.hpp): Projection<M> (packed
// signs through the blocked kernel of simd/encode.cc, dense ±1 signs, the
// HRR real projection) and the packed SparseProjection. This file owns the
// validation, the thread split of encode_rows and the double-precision
// fallback after a float overflow; the kernel trusts its inputs.
#include "src/encode/common.hpp"
#include "src/parallel.hpp"
#include "simd/encode.h"

#include <hypervec/bipolar.hpp>
#include <hypervec/dense.hpp>
#include <hypervec/encode.hpp>
#include <hypervec/error.hpp>
#include <hypervec/mixed.hpp>
#include <hypervec/random.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

namespace hypervec::encode {
namespace {

void require_finite_input(const char* where, const char* what, std::size_t row,
                          std::span<const float> x) {
  for (std::size_t i = 0; i < x.size(); ++i) {
    if (!std::isfinite(x[i])) {
      throw InvalidArgument(detail::concat(where, ": ", what, "[", row, "][", i, "] = ", x[i],
                                           " is not finite"));
    }
  }
}

/// Rare path after a float overflow: sign(R x) for one input with double sums.
void signs_in_double(const PackedMatrix& r, std::span<const float> x, std::uint64_t* out) {
  std::fill(out, out + packed_words(r.rows()), std::uint64_t{0});
  for (std::size_t k = 0; k < r.rows(); ++k) {
    const PackedView row = r.row(k);
    double s = 0.0;
    for (std::size_t j = 0; j < x.size(); ++j) {
      s += row.component(j) < 0 ? -static_cast<double>(x[j]) : static_cast<double>(x[j]);
    }
    if (!(s > 0.0)) out[k / 64] |= std::uint64_t{1} << (k % 64);
  }
}

/// sign(R x), packed (validated by the caller).
PackedVector packed_signs(const PackedMatrix& r, std::span<const float> x) {
  PackedVector out(r.rows());
  const bool finite = detail::encode::project_signs(x.data(), 0, 1, r.words(), r.stride_words(),
                                                    r.rows(), r.dim(), out.words(), 0, 1);
  if (!finite) signs_in_double(r, x, out.words());
  return out;
}

}  // namespace

// ---------------------------------------------------------------------------
// Projection
// ---------------------------------------------------------------------------

template <Model M>
  requires ProjectionModel<M>
Projection<M>::Projection(std::size_t input_dim, std::size_t dim, std::uint64_t seed) {
  detail::require_valid_dim("encode::Projection", "input_dim", input_dim);
  detail::require_valid_dim("encode::Projection", "dim", dim);
  matrix_ = bipolar::random_matrix(dim, input_dim, seed);
}

template <Model M>
  requires ProjectionModel<M>
typename Projection<M>::Vector Projection<M>::operator()(std::span<const float> x) const {
  if constexpr (std::is_same_v<M, models::Hrr<float>>) {
    return real(x);
  } else {
    constexpr const char* where = "encode::Projection";
    detail::require_same_dim(where, "x", x.size(), "input_dim", input_dim());
    require_finite_input(where, "x", 0, x);
    if constexpr (detail_encode::kPacked<M>) {
      return packed_signs(matrix_, x);
    } else {
      return dense::to_float(packed_signs(matrix_, x));
    }
  }
}

template <Model M>
  requires ProjectionModel<M>
void Projection<M>::encode_rows(const DenseMatrixView<float>& xs, PackedMatrix& out,
                                unsigned threads) const
  requires std::same_as<M, models::PackedMap>
{
  constexpr const char* where = "encode::Projection::encode_rows";
  detail::require_same_dim(where, "xs", xs.dim, "input_dim", input_dim());
  detail::require<DimensionError>(out.rows() == xs.rows && out.dim() == dim(), where,
                                  ": out is ", out.rows(), "x", out.dim(), ", needs ", xs.rows,
                                  "x", dim());
  if (xs.rows == 0) return;
  detail::require(xs.data != nullptr, where, ": xs is a null view with ", xs.rows, " rows");
  detail::require<DimensionError>(xs.stride >= xs.dim, where, ": xs has stride ", xs.stride,
                                  " < D_in=", xs.dim);
  for (std::size_t r = 0; r < xs.rows; ++r) require_finite_input(where, "xs", r, xs.row(r));
  // Threads own whole tasks of kTaskInputs consecutive inputs (one AVX-512
  // vector of lanes; 2 AVX2 / 4 SSE passes) and write disjoint output rows;
  // one dispatch per thread. A task costs about D·D_in/4 vector adds (one
  // table pass): under 2^20 bit-products (~0.1 ms) it is not worth starting
  // a thread (tens of µs), so a thread gets at least ⌈2^20/(D·D_in)⌉ tasks.
  constexpr std::size_t kTaskInputs = 16;
  constexpr std::size_t kMinProducts = std::size_t{1} << 20;
  const std::size_t tasks = (xs.rows + kTaskInputs - 1) / kTaskInputs;
  const std::size_t products = dim() * input_dim();
  const std::size_t min_tasks = std::max<std::size_t>(1, (kMinProducts + products - 1) / products);
  std::vector<unsigned char> finite(tasks, 1);
  detail::parallel_for(tasks, threads, min_tasks, [&](std::size_t begin, std::size_t end) {
    const std::size_t r0 = begin * kTaskInputs;
    const std::size_t r1 = std::min(xs.rows, end * kTaskInputs);
    finite[begin] = detail::encode::project_signs(
        xs.data + r0 * xs.stride, xs.stride, r1 - r0, matrix_.words(), matrix_.stride_words(),
        dim(), input_dim(), out.row_span(r0).words, out.stride_words(), xs.rows);
  });
  if (std::all_of(finite.begin(), finite.end(), [](unsigned char f) { return f != 0; })) return;
  // Some float sum overflowed: redo every row in double (each row is cheap
  // next to the batch, and this only happens for inputs near FLT_MAX/D_in).
  for (std::size_t r = 0; r < xs.rows; ++r) {
    signs_in_double(matrix_, xs.row(r), out.row_span(r).words);
  }
}

template <Model M>
  requires ProjectionModel<M>
PackedMatrix Projection<M>::encode_rows(const DenseMatrixView<float>& xs, unsigned threads) const
  requires std::same_as<M, models::PackedMap>
{
  PackedMatrix out(xs.rows, dim());
  encode_rows(xs, out, threads);
  return out;
}

template <Model M>
  requires ProjectionModel<M>
DenseVector<float> Projection<M>::real(std::span<const float> x) const {
  detail::require_same_dim("encode::Projection::real", "x", x.size(), "input_dim", input_dim());
  detail_encode::check_finite("encode::Projection::real", "x", x);
  std::vector<double> dots(dim());
  mixed::dot_rows(x, matrix_.view(), dots);
  double norm2 = 0.0;
  for (const double d : dots) norm2 += d * d;
  DenseVector<float> out(dim());
  if (norm2 == 0.0) return out;
  const double scale = 1.0 / std::sqrt(norm2);
  for (std::size_t k = 0; k < dim(); ++k) out[k] = static_cast<float>(dots[k] * scale);
  return out;
}

template class Projection<models::PackedMap>;
template class Projection<models::DenseMap>;
template class Projection<models::Hrr<float>>;

// ---------------------------------------------------------------------------
// SparseProjection
// ---------------------------------------------------------------------------

SparseProjection::SparseProjection(std::size_t input_dim, std::size_t dim, std::size_t nonzeros,
                                   std::uint64_t seed)
    : input_dim_(input_dim), dim_(dim), nonzeros_(nonzeros) {
  detail::require_valid_dim("encode::SparseProjection", "input_dim", input_dim);
  detail::require_valid_dim("encode::SparseProjection", "dim", dim);
  detail::require(nonzeros >= 1, "encode::SparseProjection: nonzeros must be >= 1");
  detail::require(input_dim <= std::numeric_limits<std::uint32_t>::max(),
                  "encode::SparseProjection: input_dim ", input_dim, " exceeds 2^32 - 1");
  // D * nonzeros entries of index_ (uint32) and negative_ (uint8).
  const std::size_t entries =
      detail::checked_mul(dim, nonzeros, "encode::SparseProjection", "dim x nonzeros");
  detail::checked_bytes(entries, sizeof(std::uint32_t) + sizeof(std::uint8_t),
                        "encode::SparseProjection", "the projection (dim x nonzeros)");
  index_.resize(entries);
  negative_.resize(entries);
  for (std::size_t k = 0; k < dim; ++k) {
    random::RowStream stream(seed, k);
    for (std::size_t t = 0; t < nonzeros; ++t) {
      const std::uint64_t w = stream.next_u64();
      // Multiply-shift maps the high 32 bits uniformly onto [0, input_dim).
      index_[k * nonzeros + t] =
          static_cast<std::uint32_t>(((w >> 32) * static_cast<std::uint64_t>(input_dim)) >> 32);
      negative_[k * nonzeros + t] = static_cast<std::uint8_t>(w & 1U);
    }
  }
}

PackedVector SparseProjection::operator()(std::span<const float> x) const {
  detail::require_same_dim("encode::SparseProjection", "x", x.size(), "input_dim", input_dim_);
  detail_encode::check_finite("encode::SparseProjection", "x", x);
  PackedVector out(dim_);
  for (std::size_t k = 0; k < dim_; ++k) {
    double s = 0.0;
    const std::size_t base = k * nonzeros_;
    for (std::size_t t = 0; t < nonzeros_; ++t) {
      const double v = x[index_[base + t]];
      s += negative_[base + t] ? -v : v;
    }
    if (!(s > 0.0)) out.set_component(k, true);
  }
  return out;
}

}  // namespace hypervec::encode
