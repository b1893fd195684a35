// Mixed precision (include/hypervec/mixed.hpp): a float query bound to, or
// scored against, packed bipolar vectors, read at 1 bit per component and
// never unpacked:
//   bind: out_i = q_i XOR (bit i << 31)   (the float sign bit)
//   dot:  dot(q, b) = Σ_i q_i - 2 Σ_{bit i = 1} q_i.
// Both expand each group of N bits to a lane mask (TestBit); bind XORs
// IfThenElseZero(mask, SignBit) into q, the masked sum adds
// IfThenElseZero(mask, q); Σ q is computed once per query. One dispatch per
// call (per batch of rows for dot_rows).
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "simd/mixed.cc"
#include <hwy/foreach_target.h>  // IWYU pragma: keep

#include <hwy/highway.h>

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "simd/bipolar-inl.h"  // LaneMaskFromBits, PackedBitsAt
#include "simd/dense-inl.h"    // MaskedSumF32

HWY_BEFORE_NAMESPACE();
namespace hypervec::detail::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

/// out[i] = q[i] with its sign bit flipped where bit i of `words` is 1, for
/// i < n. Exact (no arithmetic): NaN and ±Inf keep their payload. out may
/// alias q (same index only). Whole vectors of N lanes (N divides 64, so a
/// group never straddles a word), then a scalar loop for the last < N (all
/// of n on HWY_SCALAR).
void BindSignF32(const float* q, const std::uint64_t* HWY_RESTRICT words, std::size_t n,
                 float* out) {
  const hn::ScalableTag<float> d;
  const hn::RebindToUnsigned<decltype(d)> du;
  const std::size_t N = hn::Lanes(d);
  const auto sign = hn::Set(du, 0x80000000u);
  std::size_t i = 0;
#if HWY_TARGET == HWY_SCALAR
  // One lane: the mask expansion costs more than the scalar loop below.
  (void)N;
  (void)sign;
#else
  for (; i + N <= n; i += N) {
    const auto flip = hn::IfThenElseZero(LaneMaskFromBits(du, PackedBitsAt(words, i, N)), sign);
    hn::StoreU(hn::BitCast(d, hn::Xor(hn::BitCast(du, hn::LoadU(d, q + i)), flip)), d, out + i);
  }
#endif
  for (; i < n; ++i) {
    const std::uint32_t flip = static_cast<std::uint32_t>((words[i / 64] >> (i % 64)) & 1U) << 31;
    std::uint32_t bits;
    std::memcpy(&bits, q + i, sizeof bits);
    bits ^= flip;
    std::memcpy(out + i, &bits, sizeof bits);
  }
}

/// {Σ q_i, Σ q_i²}, float lanes, two accumulators each (bound as Dot in
/// simd/real-inl.h).
HWY_INLINE void SumAndNormF32(const float* HWY_RESTRICT q, std::size_t n, float* out) {
  const hn::ScalableTag<float> d;
  const std::size_t N = hn::Lanes(d);
  auto s0 = hn::Zero(d), s1 = hn::Zero(d);
  auto n0 = hn::Zero(d), n1 = hn::Zero(d);
  std::size_t i = 0;
  for (; i + 2 * N <= n; i += 2 * N) {
    const auto a = hn::LoadU(d, q + i);
    const auto b = hn::LoadU(d, q + i + N);
    s0 = hn::Add(s0, a);
    s1 = hn::Add(s1, b);
    n0 = hn::MulAdd(a, a, n0);
    n1 = hn::MulAdd(b, b, n1);
  }
  for (; i + N <= n; i += N) {
    const auto a = hn::LoadU(d, q + i);
    s0 = hn::Add(s0, a);
    n0 = hn::MulAdd(a, a, n0);
  }
  float sum = hn::GetLane(hn::SumOfLanes(d, hn::Add(s0, s1)));
  float norm = hn::GetLane(hn::SumOfLanes(d, hn::Add(n0, n1)));
  float tail_sum = 0.0f, tail_norm = 0.0f;
  for (; i < n; ++i) {
    tail_sum += q[i];
    tail_norm += q[i] * q[i];
  }
  out[0] = sum + tail_sum;
  out[1] = norm + tail_norm;
}

/// out = {Σ q_i, Σ q_i²}: the per-query part of dot_rows.
void QuerySums(const float* HWY_RESTRICT q, std::size_t n, float* HWY_RESTRICT out) {
  SumAndNormF32(q, n, out);
}

/// out = {Σ q_i, Σ q_i², Σ_{bit i = 1} q_i} for one packed vector of n bits.
void MixedSums(const float* HWY_RESTRICT q, const std::uint64_t* HWY_RESTRICT words,
               std::size_t n, float* HWY_RESTRICT out) {
  SumAndNormF32(q, n, out);
  out[2] = MaskedSumF32(q, words, n);
}

/// Rows per pass of MixedDotRows: 4 on AVX-512 (16 accumulators in 32
/// registers, each q vector loaded once for 4 masked adds), 2 elsewhere.
#if HWY_TARGET <= HWY_AVX3
constexpr int kMixedRowsPerPass = 4;
#elif HWY_TARGET == HWY_SCALAR
constexpr int kMixedRowsPerPass = 1;
#else
constexpr int kMixedRowsPerPass = 2;
#endif

/// out[r] = sum_q - 2 Σ_{bit i of row r = 1} q_i for `rows` packed rows of n
/// bits, `stride_words` apart, kMixedRowsPerPass rows per pass over q (the
/// same sums as one row at a time). Returns false when some masked sum is not
/// finite (the caller then checks q).
bool MixedDotRows(const float* HWY_RESTRICT q, float sum_q,
                  const std::uint64_t* HWY_RESTRICT words, std::size_t rows,
                  std::size_t stride_words, std::size_t n, double* HWY_RESTRICT out) {
  constexpr int R = kMixedRowsPerPass;
  bool finite = true;
  auto emit = [&](std::size_t r, float masked) {
    finite = finite && (masked - masked == 0.0f);
    out[r] = static_cast<double>(sum_q) - 2.0 * static_cast<double>(masked);
  };
  std::size_t r = 0;
  for (; r + R <= rows; r += R) {
    const std::uint64_t* block[R];
    for (int k = 0; k < R; ++k) block[k] = words + (r + k) * stride_words;
    float masked[R];
    MaskedSumsF32<R>(q, block, n, masked);
    for (int k = 0; k < R; ++k) emit(r + k, masked[k]);
  }
  for (; r < rows; ++r) emit(r, MaskedSumF32(q, words + r * stride_words, n));
  return finite;
}

}  // namespace hypervec::detail::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
#include "simd/static_dispatch.h"
#include <hypervec/error.hpp>
#include <hypervec/mixed.hpp>

#include <algorithm>
#include <cmath>
#include <utility>

namespace hypervec {
namespace detail {
HWY_EXPORT(BindSignF32);
HWY_EXPORT(MixedSums);
HWY_EXPORT(QuerySums);
HWY_EXPORT(MixedDotRows);
}  // namespace detail

namespace mixed {
namespace {

void check_query(const char* where, std::span<const float> q, std::size_t dim,
                 const char* what) {
  detail::require_valid_dim(where, "q", q.size());
  detail::require_same_dim(where, "q", q.size(), what, dim);
}

/// Throws InvalidArgument naming the first NaN/Inf component of q, if any.
void require_finite(const char* where, std::span<const float> q) {
  for (std::size_t i = 0; i < q.size(); ++i) {
    if (!std::isfinite(q[i])) {
      throw InvalidArgument(detail::concat(where, ": q[", i, "] is ", q[i],
                                           "; the query must be finite (no NaN or Inf)"));
    }
  }
}

/// Rare path when a float sum is not finite: throws on NaN/Inf in q, else
/// (a float overflow of finite values) recomputes {Σ q b, Σ q²} in double.
std::pair<double, double> dot_in_double(const char* where, std::span<const float> q,
                                        PackedView b) {
  require_finite(where, q);
  double dot = 0.0, norm = 0.0;
  for (std::size_t i = 0; i < q.size(); ++i) {
    const double x = q[i];
    dot += b.component(i) < 0 ? -x : x;
    norm += x * x;
  }
  return {dot, norm};
}

/// bind's checks: D, key, out, and out either is q or does not overlap it.
void check_bind(std::span<const float> q, PackedView key, std::span<const float> out) {
  check_query("mixed::bind", q, key.dim, "key");
  detail::require<InvalidArgument>(key.words != nullptr, "mixed::bind: key is a null packed view");
  detail::require_same_dim("mixed::bind", "q", q.size(), "out", out.size());
  detail::require<InvalidArgument>(
      out.data() == q.data() || q.data() + q.size() <= out.data() ||
          out.data() + out.size() <= q.data(),
      "mixed::bind: out partly overlaps q; pass out = q (in place) or a separate span");
}

}  // namespace

void bind(std::span<const float> q, PackedView key, std::span<float> out) {
  check_bind(q, key, out);
  HWY_DYNAMIC_DISPATCH(detail::BindSignF32)(q.data(), key.words, q.size(), out.data());
}

DenseVector<float> bind(std::span<const float> q, PackedView key) {
  check_query("mixed::bind", q, key.dim, "key");
  detail::require<InvalidArgument>(key.words != nullptr, "mixed::bind: key is a null packed view");
  DenseVector<float> out(q.size());
  HWY_DYNAMIC_DISPATCH(detail::BindSignF32)(q.data(), key.words, q.size(), out.data());
  return out;
}

double dot(std::span<const float> q, PackedView b) {
  check_query("mixed::dot", q, b.dim, "b");
  detail::require<InvalidArgument>(b.words != nullptr, "mixed::dot: b is a null packed view");
  float s[3];
  HWY_DYNAMIC_DISPATCH(detail::MixedSums)(q.data(), b.words, q.size(), s);
  if (std::isfinite(s[0]) && std::isfinite(s[2])) {
    return static_cast<double>(s[0]) - 2.0 * static_cast<double>(s[2]);
  }
  return dot_in_double("mixed::dot", q, b).first;
}

double cosine(std::span<const float> q, PackedView b) {
  check_query("mixed::cosine", q, b.dim, "b");
  detail::require<InvalidArgument>(b.words != nullptr, "mixed::cosine: b is a null packed view");
  float s[3];
  HWY_DYNAMIC_DISPATCH(detail::MixedSums)(q.data(), b.words, q.size(), s);
  double dot = static_cast<double>(s[0]) - 2.0 * static_cast<double>(s[2]);
  double norm = s[1];
  // Non-finite sums, or a ‖q‖² small enough to have lost bits to underflow
  // (or q = 0): recompute in double.
  if (!(std::isfinite(s[0]) && std::isfinite(s[1]) && std::isfinite(s[2]) &&
        s[1] >= 0x1p-100f)) {
    const auto d = dot_in_double("mixed::cosine", q, b);
    dot = d.first;
    norm = d.second;
  }
  if (norm == 0.0) return 0.0;  // the zero query is orthogonal to everything
  const double c = dot / (std::sqrt(norm) * std::sqrt(static_cast<double>(q.size())));
  return std::clamp(c, -1.0, 1.0);
}

void dot_rows(std::span<const float> q, const PackedMatrixView& rows, std::span<double> out) {
  check_query("mixed::dot_rows", q, rows.dim, "rows");
  detail::require<DimensionError>(out.size() == rows.rows, "mixed::dot_rows: count mismatch: rows has ",
                                  rows.rows, " rows, out has ", out.size(), " values");
  if (rows.rows == 0) return;
  detail::require<InvalidArgument>(rows.words != nullptr, "mixed::dot_rows: rows is a null view");
  detail::require<DimensionError>(rows.stride_words >= packed_words(rows.dim),
                                  "mixed::dot_rows: rows has stride ", rows.stride_words,
                                  " words, D=", rows.dim, " needs ", packed_words(rows.dim));
  float s[2];
  HWY_DYNAMIC_DISPATCH(detail::QuerySums)(q.data(), q.size(), s);
  const bool finite = std::isfinite(s[0]) &&
                      HWY_DYNAMIC_DISPATCH(detail::MixedDotRows)(q.data(), s[0], rows.words,
                                                                 rows.rows, rows.stride_words,
                                                                 q.size(), out.data());
  if (finite) return;
  for (std::size_t r = 0; r < rows.rows; ++r) {
    out[r] = dot_in_double("mixed::dot_rows", q, rows.row(r)).first;
  }
}

}  // namespace mixed
}  // namespace hypervec
#endif  // HWY_ONCE
