// Dense MAP vectors, float32 and int8 (include/hypervec/dense.hpp): per-target
// kernels and the validating public wrappers. One dispatch per call.
//
// Remainders: every kernel runs whole vectors with unaligned loads, then a
// scalar loop for the last < Lanes elements; nothing is read or written past
// the caller's n elements. Packed outputs keep the tail invariant.
//
// Length (~790 lines): one model's float32 and int8 kernels and their ~40
// validating wrappers share one foreach_target unit and the tie-word helpers;
// the sections below follow dense.hpp's order.
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "simd/dense.cc"
#include <hwy/foreach_target.h>  // IWYU pragma: keep

#include <hwy/highway.h>

#include <cstddef>
#include <cstdint>

#include "simd/dense-inl.h"
#include "simd/real-inl.h"

HWY_BEFORE_NAMESPACE();
namespace hypervec::detail::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

// --- float32 ---------------------------------------------------------------

/// out[i] = a[i] * b[i]; out may alias a or b (same index only).
void MulF32(const float* a, const float* b, float* out, std::size_t n) {
  const hn::ScalableTag<float> d;
  const std::size_t N = hn::Lanes(d);
  std::size_t i = 0;
  for (; i + N <= n; i += N) {
    hn::StoreU(hn::Mul(hn::LoadU(d, a + i), hn::LoadU(d, b + i)), d, out + i);
  }
  for (; i < n; ++i) out[i] = a[i] * b[i];
}

/// acc[i] += weight * x[i]: AddScaled of simd/real-inl.h.
void AddScaledF32(const float* HWY_RESTRICT x, float weight, float* HWY_RESTRICT acc,
                  std::size_t n) {
  AddScaled(x, weight, acc, n);
}

/// out = Σ_k w_k rows[k] over `rows` rows of n floats, `stride` apart;
/// weights == nullptr means all 1. out is overwritten. Column blocks of 4
/// vectors stay in registers while every row is added (one MulAdd per row, in
/// row order, from 0), so out is written once instead of read and written
/// per row; the per-component arithmetic is that of repeated AddScaled.
void BundleF32(const float* HWY_RESTRICT data, std::size_t rows, std::size_t stride,
               const float* HWY_RESTRICT weights, float* HWY_RESTRICT out, std::size_t n) {
  const hn::ScalableTag<float> d;
  const std::size_t N = hn::Lanes(d);
  std::size_t i = 0;
  for (; i + 4 * N <= n; i += 4 * N) {
    auto s0 = hn::Zero(d), s1 = hn::Zero(d), s2 = hn::Zero(d), s3 = hn::Zero(d);
    for (std::size_t k = 0; k < rows; ++k) {
      const float* HWY_RESTRICT row = data + k * stride + i;
      const auto w = hn::Set(d, weights ? weights[k] : 1.0f);
      s0 = hn::MulAdd(w, hn::LoadU(d, row), s0);
      s1 = hn::MulAdd(w, hn::LoadU(d, row + N), s1);
      s2 = hn::MulAdd(w, hn::LoadU(d, row + 2 * N), s2);
      s3 = hn::MulAdd(w, hn::LoadU(d, row + 3 * N), s3);
    }
    hn::StoreU(s0, d, out + i);
    hn::StoreU(s1, d, out + i + N);
    hn::StoreU(s2, d, out + i + 2 * N);
    hn::StoreU(s3, d, out + i + 3 * N);
  }
  for (std::size_t j = i; j < n; ++j) out[j] = 0.0f;
  for (std::size_t k = 0; k < rows; ++k) {
    AddScaled(data + k * stride + i, weights ? weights[k] : 1.0f, out + i, n - i);
  }
}

/// Σ a_i b_i: Dot of simd/real-inl.h (error bound there), the scalar tail
/// summed apart (DotTail::kApart), as dense::dot always has.
float DotF32Kernel(const float* HWY_RESTRICT a, const float* HWY_RESTRICT b, std::size_t n) {
  return Dot<DotTail::kApart>(a, b, n);
}

/// out = {Σ a_i b_i, Σ a_i², Σ b_i²} in one pass, two accumulators each; the
/// same error bound as Dot (simd/real-inl.h) with 4N replaced by 2N (the
/// squares' sums are of non-negative terms, so their error is relative:
/// |err| <= γ_k Σ a_i²).
void DotNormsF32(const float* HWY_RESTRICT a, const float* HWY_RESTRICT b, std::size_t n,
                 float* HWY_RESTRICT out) {
  const hn::ScalableTag<float> d;
  const std::size_t N = hn::Lanes(d);
  auto ab0 = hn::Zero(d), ab1 = hn::Zero(d);
  auto aa0 = hn::Zero(d), aa1 = hn::Zero(d);
  auto bb0 = hn::Zero(d), bb1 = hn::Zero(d);
  std::size_t i = 0;
  for (; i + 2 * N <= n; i += 2 * N) {
    const auto a0 = hn::LoadU(d, a + i), b0 = hn::LoadU(d, b + i);
    const auto a1 = hn::LoadU(d, a + i + N), b1 = hn::LoadU(d, b + i + N);
    ab0 = hn::MulAdd(a0, b0, ab0);
    aa0 = hn::MulAdd(a0, a0, aa0);
    bb0 = hn::MulAdd(b0, b0, bb0);
    ab1 = hn::MulAdd(a1, b1, ab1);
    aa1 = hn::MulAdd(a1, a1, aa1);
    bb1 = hn::MulAdd(b1, b1, bb1);
  }
  for (; i + N <= n; i += N) {
    const auto a0 = hn::LoadU(d, a + i), b0 = hn::LoadU(d, b + i);
    ab0 = hn::MulAdd(a0, b0, ab0);
    aa0 = hn::MulAdd(a0, a0, aa0);
    bb0 = hn::MulAdd(b0, b0, bb0);
  }
  float ab = hn::GetLane(hn::SumOfLanes(d, hn::Add(ab0, ab1)));
  float aa = hn::GetLane(hn::SumOfLanes(d, hn::Add(aa0, aa1)));
  float bb = hn::GetLane(hn::SumOfLanes(d, hn::Add(bb0, bb1)));
  float tab = 0.0f, taa = 0.0f, tbb = 0.0f;
  for (; i < n; ++i) {
    tab += a[i] * b[i];
    taa += a[i] * a[i];
    tbb += b[i] * b[i];
  }
  out[0] = ab + tab;
  out[1] = aa + taa;
  out[2] = bb + tbb;
}

/// out[i] = sign(x[i]) in {-1, 0, +1}. Returns false when some x[i] is NaN
/// (out then holds 0 there); the flag rides along as a mask, no extra pass.
bool SignF32(const float* x, float* out, std::size_t n) {
  const hn::ScalableTag<float> d;
  const std::size_t N = hn::Lanes(d);
  const auto zero = hn::Zero(d);
  const auto one = hn::Set(d, 1.0f);
  const auto minus_one = hn::Set(d, -1.0f);
  auto nan = hn::FirstN(d, 0);
  std::size_t i = 0;
  for (; i + N <= n; i += N) {
    const auto v = hn::LoadU(d, x + i);
    nan = hn::Or(nan, hn::IsNaN(v));
    const auto s = hn::IfThenElse(hn::Gt(v, zero), one,
                                  hn::IfThenElse(hn::Lt(v, zero), minus_one, zero));
    hn::StoreU(s, d, out + i);
  }
  bool ok = hn::AllFalse(d, nan);
  for (; i < n; ++i) {
    const float v = x[i];
    ok = ok && (v == v);
    out[i] = v > 0.0f ? 1.0f : (v < 0.0f ? -1.0f : 0.0f);
  }
  return ok;
}

/// out[i] = min(max(x[i], lo), hi), lo <= hi.
void ClipF32(const float* x, float lo, float hi, float* out, std::size_t n) {
  const hn::ScalableTag<float> d;
  const std::size_t N = hn::Lanes(d);
  const auto vlo = hn::Set(d, lo);
  const auto vhi = hn::Set(d, hi);
  std::size_t i = 0;
  for (; i + N <= n; i += N) {
    hn::StoreU(hn::Min(hn::Max(hn::LoadU(d, x + i), vlo), vhi), d, out + i);
  }
  for (; i < n; ++i) out[i] = x[i] < lo ? lo : (x[i] > hi ? hi : x[i]);
}

/// Packed sign of n values of T: bit i = 1 (-1) when x[i] < 0, = tie bit i
/// when x[i] == 0, else 0. Writes packed_words(n) words, tail bits 0. For
/// float also returns whether every x[i] is finite (tracked as a running
/// mask); for integers always true.
template <typename T>
HWY_INLINE bool ThresholdToWords(const T* HWY_RESTRICT x, std::size_t n,
                                 const std::uint64_t* HWY_RESTRICT tie,
                                 std::uint64_t* HWY_RESTRICT out) {
  const hn::ScalableTag<T> d;
  const std::size_t N = hn::Lanes(d);  // a power of two <= 64: divides 64
  const auto zero = hn::Zero(d);
  const std::uint64_t lane_bits = (N >= 64) ? ~std::uint64_t{0} : ((std::uint64_t{1} << N) - 1);
  auto bad = hn::FirstN(d, 0);
  bool ok = true;
  const std::size_t nw = n / 64 + (n % 64 != 0 ? 1 : 0);
  for (std::size_t w = 0; w < nw; ++w) {
    const std::size_t begin = w * 64;
    const std::size_t end = begin + 64 < n ? begin + 64 : n;
    std::uint64_t negative = 0, zeros = 0;
    std::size_t i = begin;
    for (; i + N <= end; i += N) {
      const auto v = hn::LoadU(d, x + i);
      if constexpr (hwy::IsFloat<T>()) bad = hn::Or(bad, hn::Not(hn::IsFinite(v)));
      std::uint64_t neg_bits = 0, zero_bits = 0;
      hn::StoreMaskBits(d, hn::Lt(v, zero), reinterpret_cast<std::uint8_t*>(&neg_bits));
      hn::StoreMaskBits(d, hn::Eq(v, zero), reinterpret_cast<std::uint8_t*>(&zero_bits));
      negative |= (neg_bits & lane_bits) << (i - begin);
      zeros |= (zero_bits & lane_bits) << (i - begin);
    }
    for (; i < end; ++i) {
      if constexpr (hwy::IsFloat<T>()) {
        ok = ok && (x[i] - x[i] == x[i] - x[i]);  // false for NaN and ±Inf
      }
      negative |= std::uint64_t{x[i] < 0} << (i - begin);
      zeros |= std::uint64_t{x[i] == 0} << (i - begin);
    }
    out[w] = negative | (zeros & tie[w]);
  }
  if (n % 64 != 0) out[nw - 1] &= (std::uint64_t{1} << (n % 64)) - 1;
  return ok && hn::AllFalse(d, bad);
}

bool ThresholdF32(const float* HWY_RESTRICT x, std::size_t n,
                  const std::uint64_t* HWY_RESTRICT tie, std::uint64_t* HWY_RESTRICT out) {
  return ThresholdToWords(x, n, tie, out);
}

/// out[i] = +1 when x[i] > 0, -1 when x[i] < 0, and the tie value (bit i of
/// `tie`: 1 = -1) when x[i] == 0. Returns whether every x[i] is finite.
bool NormalizeF32(const float* HWY_RESTRICT x, std::size_t n,
                  const std::uint64_t* HWY_RESTRICT tie, float* HWY_RESTRICT out) {
  const hn::ScalableTag<float> d;
  const std::size_t N = hn::Lanes(d);
  const auto zero = hn::Zero(d);
  const auto one = hn::Set(d, 1.0f);
  const auto minus_one = hn::Set(d, -1.0f);
  auto bad = hn::FirstN(d, 0);
  std::size_t i = 0;
  for (; i + N <= n; i += N) {
    const auto v = hn::LoadU(d, x + i);
    bad = hn::Or(bad, hn::Not(hn::IsFinite(v)));
    const auto tie_mask = LaneMaskFromBits(d, PackedBitsAt(tie, i, N));
    const auto negative = hn::Or(hn::Lt(v, zero), hn::And(hn::Eq(v, zero), tie_mask));
    hn::StoreU(hn::IfThenElse(negative, minus_one, one), d, out + i);
  }
  bool ok = hn::AllFalse(d, bad);
  for (; i < n; ++i) {
    const float v = x[i];
    ok = ok && (v - v == v - v);  // false for NaN and ±Inf
    const bool tie_negative = (tie[i / 64] >> (i % 64)) & 1;
    out[i] = (v < 0.0f || (v == 0.0f && tie_negative)) ? -1.0f : 1.0f;
  }
  return ok;
}

/// out[i] = bit i ? -1.0f : +1.0f for i < n.
void UnpackF32(const std::uint64_t* HWY_RESTRICT words, std::size_t n, float* HWY_RESTRICT out) {
  const hn::ScalableTag<float> d;
  const std::size_t N = hn::Lanes(d);
  const auto one = hn::Set(d, 1.0f);
  const auto minus_one = hn::Set(d, -1.0f);
  std::size_t i = 0;
  for (; i + N <= n; i += N) {
    hn::StoreU(hn::IfThenElse(LaneMaskFromBits(d, PackedBitsAt(words, i, N)), minus_one, one), d,
               out + i);
  }
  for (; i < n; ++i) out[i] = ((words[i / 64] >> (i % 64)) & 1) ? -1.0f : 1.0f;
}

// --- int8 --------------------------------------------------------------------

/// out[i] = clamp(a[i] * b[i], -127, 127): widened to int16 (|product| <=
/// 16384 fits), clamped, narrowed. out may alias a or b (same index only).
void MulSatI8(const std::int8_t* a, const std::int8_t* b, std::int8_t* out, std::size_t n) {
  const hn::ScalableTag<std::int16_t> d16;
  const hn::Rebind<std::int8_t, decltype(d16)> d8;
  const std::size_t N = hn::Lanes(d16);
  const auto lo = hn::Set(d16, std::int16_t{-127});
  const auto hi = hn::Set(d16, std::int16_t{127});
  std::size_t i = 0;
  for (; i + N <= n; i += N) {
    const auto p = hn::Mul(hn::PromoteTo(d16, hn::LoadU(d8, a + i)),
                           hn::PromoteTo(d16, hn::LoadU(d8, b + i)));
    hn::StoreU(hn::DemoteTo(d8, hn::Min(hn::Max(p, lo), hi)), d8, out + i);
  }
  for (; i < n; ++i) {
    const int p = int{a[i]} * int{b[i]};
    out[i] = static_cast<std::int8_t>(p < -127 ? -127 : (p > 127 ? 127 : p));
  }
}

/// Exact {Σ a_i b_i, Σ a_i², Σ b_i²} (the norms only when `norms`). int8 is
/// widened to int16 and multiplied pairwise into int32 lanes
/// (ReorderWidenMulAccumulate: PMADDWD), each call adding at most
/// 2 · 128² = 2^15 to a lane. A lane therefore holds at most 2^15 · 2^15 =
/// 2^30 < 2^31 after kFlush = 2^15 vectors, so the lanes are flushed into
/// int64 totals every kFlush vectors.
void DotNormsI8(const std::int8_t* HWY_RESTRICT a, const std::int8_t* HWY_RESTRICT b,
                std::size_t n, bool norms, std::int64_t* HWY_RESTRICT out) {
  std::int64_t ab = 0, aa = 0, bb = 0;
  std::size_t i = 0;
#if HWY_TARGET != HWY_SCALAR  // no 2:1 Repartition of a 1-lane vector: tail loop only
  const hn::ScalableTag<std::int32_t> d32;
  const hn::Repartition<std::int16_t, decltype(d32)> d16;
  const hn::Rebind<std::int8_t, decltype(d16)> d8;
  const std::size_t N = hn::Lanes(d16);
  constexpr std::size_t kFlush = std::size_t{1} << 15;
  HWY_ALIGN std::int32_t lanes[hn::MaxLanes(d32)];
  auto flush = [&](hn::Vec<decltype(d32)> v, std::int64_t& total) HWY_ATTR {
    hn::Store(v, d32, lanes);
    for (std::size_t k = 0; k < hn::Lanes(d32); ++k) total += lanes[k];
  };
  while (i + N <= n) {
    auto sab = hn::Zero(d32), saa = hn::Zero(d32), sbb = hn::Zero(d32);
    auto unused0 = hn::Zero(d32), unused1 = hn::Zero(d32), unused2 = hn::Zero(d32);
    std::size_t count = 0;
    for (; i + N <= n && count < kFlush; i += N, ++count) {
      const auto va = hn::PromoteTo(d16, hn::LoadU(d8, a + i));
      const auto vb = hn::PromoteTo(d16, hn::LoadU(d8, b + i));
      sab = hn::ReorderWidenMulAccumulate(d32, va, vb, sab, unused0);
      if (norms) {
        saa = hn::ReorderWidenMulAccumulate(d32, va, va, saa, unused1);
        sbb = hn::ReorderWidenMulAccumulate(d32, vb, vb, sbb, unused2);
      }
    }
    // On targets that use the second sum it holds the odd products; fold it.
    flush(hn::RearrangeToOddPlusEven(sab, unused0), ab);
    if (norms) {
      flush(hn::RearrangeToOddPlusEven(saa, unused1), aa);
      flush(hn::RearrangeToOddPlusEven(sbb, unused2), bb);
    }
  }
#endif
  for (std::size_t j = i; j < n; ++j) ab += int{a[j]} * int{b[j]};
  if (norms) {
    for (std::size_t j = i; j < n; ++j) {
      aa += int{a[j]} * int{a[j]};
      bb += int{b[j]} * int{b[j]};
    }
  }
  out[0] = ab;
  out[1] = aa;
  out[2] = bb;
}

/// out[i] = sign(x[i]) = clamp(x[i], -1, 1).
void SignI8(const std::int8_t* HWY_RESTRICT x, std::int8_t* HWY_RESTRICT out, std::size_t n) {
  const hn::ScalableTag<std::int8_t> d;
  const std::size_t N = hn::Lanes(d);
  const auto lo = hn::Set(d, std::int8_t{-1});
  const auto hi = hn::Set(d, std::int8_t{1});
  std::size_t i = 0;
  for (; i + N <= n; i += N) {
    hn::StoreU(hn::Min(hn::Max(hn::LoadU(d, x + i), lo), hi), d, out + i);
  }
  for (; i < n; ++i) out[i] = static_cast<std::int8_t>(x[i] > 0 ? 1 : (x[i] < 0 ? -1 : 0));
}

/// out[i] = clamp(sums[i], -kappa, kappa) as int8, 1 <= kappa <= 127.
void ClipI32ToI8(const std::int32_t* HWY_RESTRICT sums, std::size_t n, std::int32_t kappa,
                 std::int8_t* HWY_RESTRICT out) {
  const hn::ScalableTag<std::int32_t> d32;
  const hn::Rebind<std::int8_t, decltype(d32)> d8;
  const std::size_t N = hn::Lanes(d32);
  const auto lo = hn::Set(d32, -kappa);
  const auto hi = hn::Set(d32, kappa);
  std::size_t i = 0;
  for (; i + N <= n; i += N) {
    hn::StoreU(hn::DemoteTo(d8, hn::Min(hn::Max(hn::LoadU(d32, sums + i), lo), hi)), d8, out + i);
  }
  for (; i < n; ++i) {
    out[i] = static_cast<std::int8_t>(sums[i] < -kappa ? -kappa : (sums[i] > kappa ? kappa : sums[i]));
  }
}

void ThresholdI8(const std::int8_t* HWY_RESTRICT x, std::size_t n,
                 const std::uint64_t* HWY_RESTRICT tie, std::uint64_t* HWY_RESTRICT out) {
  ThresholdToWords(x, n, tie, out);
}

/// out[i] = bit i ? -1 : +1 for i < n. The packed words are read as bytes
/// (little-endian, so byte j holds bits 8j..8j+7) and expanded with
/// LoadMaskBits, Lanes(d) (a multiple of 8) components per vector.
void UnpackI8(const std::uint64_t* HWY_RESTRICT words, std::size_t n,
              std::int8_t* HWY_RESTRICT out) {
  std::size_t i = 0;
#if HWY_TARGET != HWY_SCALAR
  const hn::ScalableTag<std::int8_t> d;
  const std::size_t N = hn::Lanes(d);
  const auto* bytes = reinterpret_cast<const std::uint8_t*>(words);
  const auto one = hn::Set(d, std::int8_t{1});
  const auto minus_one = hn::Set(d, std::int8_t{-1});
  for (; i + N <= n; i += N) {
    hn::StoreU(hn::IfThenElse(hn::LoadMaskBits(d, bytes + i / 8), minus_one, one), d, out + i);
  }
#endif
  for (; i < n; ++i) out[i] = ((words[i / 64] >> (i % 64)) & 1) ? std::int8_t{-1} : std::int8_t{1};
}

}  // namespace hypervec::detail::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
#include "simd/static_dispatch.h"
#include <hypervec/bipolar.hpp>
#include <hypervec/dense.hpp>
#include "src/parallel.hpp"
#include <hypervec/error.hpp>

#include "simd/tie_words.h"

#include <algorithm>
#include <cmath>

namespace hypervec {
namespace detail {
HWY_EXPORT(MulF32);
HWY_EXPORT(AddScaledF32);
HWY_EXPORT(BundleF32);
HWY_EXPORT(DotF32Kernel);
HWY_EXPORT(DotNormsF32);
HWY_EXPORT(SignF32);
HWY_EXPORT(ClipF32);
HWY_EXPORT(ThresholdF32);
HWY_EXPORT(NormalizeF32);
HWY_EXPORT(UnpackF32);
HWY_EXPORT(MulSatI8);
HWY_EXPORT(DotNormsI8);
HWY_EXPORT(SignI8);
HWY_EXPORT(ClipI32ToI8);
HWY_EXPORT(ThresholdI8);
HWY_EXPORT(UnpackI8);
}  // namespace detail

namespace dense {
namespace {

template <typename T>
void check_pair(const char* where, std::span<const T> a, std::span<const T> b) {
  detail::require_valid_dim(where, "a", a.size());
  detail::require_same_dim(where, "a", a.size(), "b", b.size());
}

/// Throws InvalidArgument naming the first NaN/Inf component of x, if any.
void require_finite(const char* where, const char* what, std::span<const float> x) {
  for (std::size_t i = 0; i < x.size(); ++i) {
    if (!std::isfinite(x[i])) {
      throw InvalidArgument(detail::concat(where, ": ", what, "[", i, "] is ", x[i],
                                           "; inputs must be finite (no NaN or Inf)"));
    }
  }
}

void check_packed(const char* where, PackedView v) {
  detail::require_valid_dim(where, "v", v.dim);
  detail::require<InvalidArgument>(v.words != nullptr, where, ": v is a null packed view");
}

/// Rare path of dot/cosine, taken when the float sums are not finite or
/// underflow: throws on NaN/Inf inputs, else recomputes in double (finite
/// floats cannot overflow a double sum of squares: 2^256 · D is far below
/// DBL_MAX). Returns {Σ ab, Σ a², Σ b²}.
struct Sums {
  double ab, aa, bb;
};
Sums sums_in_double(const char* where, std::span<const float> a, std::span<const float> b) {
  require_finite(where, "a", a);
  require_finite(where, "b", b);
  Sums s{0.0, 0.0, 0.0};
  for (std::size_t i = 0; i < a.size(); ++i) {
    const double x = a[i], y = b[i];
    s.ab += x * y;
    s.aa += x * x;
    s.bb += y * y;
  }
  return s;
}

double cosine_from(double ab, double aa, double bb) {
  if (aa == 0.0 || bb == 0.0) return 0.0;  // a zero vector is orthogonal to all
  return std::clamp(ab / (std::sqrt(aa) * std::sqrt(bb)), -1.0, 1.0);
}

/// out[i] = a[(i - s) mod D] for s = rotation amount in [0, D).
template <typename T>
DenseVector<T> rotated(std::span<const T> a, std::size_t s) {
  DenseVector<T> out(a.size());
  std::rotate_copy(a.begin(), a.end() - static_cast<std::ptrdiff_t>(s), a.end(), out.data());
  return out;
}

}  // namespace

// --- generation and the model verbs ------------------------------------------

DenseVector<float> random(std::size_t dim, std::uint64_t seed, std::uint64_t row) {
  detail::require_valid_dim("dense::random", "the vector", dim);
  const PackedVector packed = bipolar::random(dim, seed, row);
  DenseVector<float> out(dim);
  HWY_DYNAMIC_DISPATCH(detail::UnpackF32)(packed.words(), dim, out.data());
  return out;
}

DenseMatrix<float> random_matrix(std::size_t rows, std::size_t dim, std::uint64_t seed,
                                 const RandomOptions& options) {
  constexpr const char* where = "dense::random_matrix";
  detail::require_no_unit_norm(where, options);
  detail::require_valid_dim(where, "the matrix", dim);
  detail::require_rows_limit(where, "the matrix", rows);
  detail::checked_bytes(detail::checked_mul(rows, padded_length<float>(dim), where,
                                            "rows x stride"),
                        sizeof(float), where, "the matrix");
  DenseMatrix<float> m(rows, dim);
  // Generate packed (the one definition of the rows), unpack per row.
  const PackedMatrix packed = bipolar::random_matrix(rows, dim, seed, options);
  const std::size_t min_rows = std::max<std::size_t>(1, (std::size_t{1} << 18) / dim);
  detail::parallel_for(rows, options.threads, min_rows, [&](std::size_t begin, std::size_t end) {
    for (std::size_t r = begin; r < end; ++r) {
      HWY_DYNAMIC_DISPATCH(detail::UnpackF32)(packed.row(r).words, dim, m.row(r).data());
    }
  });
  return m;
}

DenseVector<float> identity(std::size_t dim) {
  detail::require_valid_dim("dense::identity", "the vector", dim);
  DenseVector<float> out(dim);
  std::fill(out.data(), out.data() + dim, 1.0f);
  return out;
}

void unbind(std::span<const float> bound, std::span<const float> key, std::span<float> out) {
  check_pair("dense::unbind", bound, key);
  detail::require_same_dim("dense::unbind", "bound", bound.size(), "out", out.size());
  HWY_DYNAMIC_DISPATCH(detail::MulF32)(bound.data(), key.data(), out.data(), bound.size());
}

DenseVector<float> unbind(std::span<const float> bound, std::span<const float> key) {
  check_pair("dense::unbind", bound, key);
  DenseVector<float> out(bound.size());
  HWY_DYNAMIC_DISPATCH(detail::MulF32)(bound.data(), key.data(), out.data(), bound.size());
  return out;
}

DenseVector<float> inverse(std::span<const float> a) {
  detail::require_valid_dim("dense::inverse", "a", a.size());
  DenseVector<float> out(a.size());
  std::copy(a.begin(), a.end(), out.data());
  return out;
}

DenseVector<float> permute(std::span<const float> a, std::ptrdiff_t shifts) {
  detail::require_valid_dim("dense::permute", "a", a.size());
  return rotated(a, detail::rotation_amount(shifts, a.size()));
}

DenseVector<float> inverse_permute(std::span<const float> a, std::ptrdiff_t shifts) {
  detail::require_valid_dim("dense::inverse_permute", "a", a.size());
  return rotated(a, detail::inverse_rotation_amount(shifts, a.size()));
}

// --- float32 ---------------------------------------------------------------

void bind(std::span<const float> a, std::span<const float> b, std::span<float> out) {
  check_pair("dense::bind", a, b);
  detail::require_same_dim("dense::bind", "a", a.size(), "out", out.size());
  HWY_DYNAMIC_DISPATCH(detail::MulF32)(a.data(), b.data(), out.data(), a.size());
}

DenseVector<float> bind(std::span<const float> a, std::span<const float> b) {
  check_pair("dense::bind", a, b);
  DenseVector<float> out(a.size());
  HWY_DYNAMIC_DISPATCH(detail::MulF32)(a.data(), b.data(), out.data(), a.size());
  return out;
}

DenseVector<float> bundle(const DenseMatrixView<float>& rows, std::span<const float> weights) {
  detail::require(rows.rows != 0, "dense::bundle: rows is empty; need at least one row");
  detail::require_valid_dim("dense::bundle", "rows", rows.dim);
  detail::require(rows.data != nullptr, "dense::bundle: rows is a null view");
  detail::require<DimensionError>(rows.stride >= rows.dim, "dense::bundle: rows has stride ",
                                  rows.stride, " < D=", rows.dim);
  detail::require<DimensionError>(weights.empty() || weights.size() == rows.rows,
                                  "dense::bundle: count mismatch: rows has ", rows.rows,
                                  " rows, weights has ", weights.size(), " values");
  DenseVector<float> out(rows.dim);
  HWY_DYNAMIC_DISPATCH(detail::BundleF32)(rows.data, rows.rows, rows.stride,
                                          weights.empty() ? nullptr : weights.data(), out.data(),
                                          rows.dim);
  return out;
}

void add_scaled(std::span<const float> x, float weight, std::span<float> acc) {
  detail::require_valid_dim("dense::add_scaled", "x", x.size());
  detail::require_same_dim("dense::add_scaled", "x", x.size(), "acc", acc.size());
  detail::require<InvalidArgument>(
      x.data() + x.size() <= acc.data() || acc.data() + acc.size() <= x.data(),
      "dense::add_scaled: acc overlaps x; add_scaled needs a separate accumulator");
  HWY_DYNAMIC_DISPATCH(detail::AddScaledF32)(x.data(), weight, acc.data(), x.size());
}

double dot(std::span<const float> a, std::span<const float> b) {
  check_pair("dense::dot", a, b);
  const float r = HWY_DYNAMIC_DISPATCH(detail::DotF32Kernel)(a.data(), b.data(), a.size());
  if (std::isfinite(r)) return r;
  return sums_in_double("dense::dot", a, b).ab;
}

double cosine(std::span<const float> a, std::span<const float> b) {
  check_pair("dense::cosine", a, b);
  float s[3];
  HWY_DYNAMIC_DISPATCH(detail::DotNormsF32)(a.data(), b.data(), a.size(), s);
  // Below 2^-100 the squares may have lost bits to underflow (or the vector
  // is zero): recompute in double, as for non-finite sums.
  constexpr float kTiny = 0x1p-100f;
  if (std::isfinite(s[0]) && std::isfinite(s[1]) && std::isfinite(s[2]) && s[1] >= kTiny &&
      s[2] >= kTiny) {
    return cosine_from(s[0], s[1], s[2]);
  }
  const Sums d = sums_in_double("dense::cosine", a, b);
  return cosine_from(d.ab, d.aa, d.bb);
}

DenseVector<float> sign(std::span<const float> x) {
  detail::require_valid_dim("dense::sign", "x", x.size());
  DenseVector<float> out(x.size());
  if (!HWY_DYNAMIC_DISPATCH(detail::SignF32)(x.data(), out.data(), x.size())) {
    for (std::size_t i = 0; i < x.size(); ++i) {
      detail::require(!std::isnan(x[i]), "dense::sign: x[", i, "] is NaN; NaN has no sign");
    }
  }
  return out;
}

DenseVector<float> clip(std::span<const float> x, float lo, float hi) {
  detail::require_valid_dim("dense::clip", "x", x.size());
  detail::require(lo <= hi, "dense::clip: need lo <= hi, got lo=", lo, ", hi=", hi);
  DenseVector<float> out(x.size());
  HWY_DYNAMIC_DISPATCH(detail::ClipF32)(x.data(), lo, hi, out.data(), x.size());
  return out;
}

DenseVector<float> hard_quantize(std::span<const float> x, const TieBreak& tie) {
  detail::require_valid_dim("dense::hard_quantize", "x", x.size());
  const PackedVector ties = detail::tie_words(tie, x.size(), "dense::hard_quantize");
  DenseVector<float> out(x.size());
  if (!HWY_DYNAMIC_DISPATCH(detail::NormalizeF32)(x.data(), x.size(), ties.words(), out.data())) {
    require_finite("dense::hard_quantize", "x", x);
  }
  return out;
}

namespace {
/// ‖x‖₂ for a valid x: the float kernel, or double when its sum is not finite
/// (NaN/Inf input, which throws naming the component, or float overflow) or
/// tiny (squares lost to underflow).
double l2_norm(const char* where, std::span<const float> x) {
  const float r = HWY_DYNAMIC_DISPATCH(detail::DotF32Kernel)(x.data(), x.data(), x.size());
  constexpr float kTiny = 0x1p-100f;
  if (std::isfinite(r) && r >= kTiny) return std::sqrt(static_cast<double>(r));
  require_finite(where, "x", x);
  double s = 0;
  for (const float v : x) s += static_cast<double>(v) * v;
  return std::sqrt(s);
}
}  // namespace

double norm(std::span<const float> x) {
  detail::require_valid_dim("dense::norm", "x", x.size());
  return l2_norm("dense::norm", x);
}

DenseVector<float> normalize(std::span<const float> x) {
  detail::require_valid_dim("dense::normalize", "x", x.size());
  const double n = l2_norm("dense::normalize", x);
  detail::require(n > 0.0, "dense::normalize: x is the zero vector (D=", x.size(),
                  "); it has no direction to keep");
  DenseVector<float> out(x.size());
  for (std::size_t i = 0; i < x.size(); ++i) out[i] = static_cast<float>(x[i] / n);
  return out;
}

PackedVector to_packed(std::span<const float> x, const TieBreak& tie) {
  detail::require_valid_dim("dense::to_packed", "x", x.size());
  const PackedVector ties = detail::tie_words(tie, x.size(), "dense::to_packed");
  PackedVector out(x.size());
  if (!HWY_DYNAMIC_DISPATCH(detail::ThresholdF32)(x.data(), x.size(), ties.words(),
                                                  out.words())) {
    require_finite("dense::to_packed", "x", x);
  }
  return out;
}

DenseVector<float> to_float(PackedView v) {
  check_packed("dense::to_float", v);
  DenseVector<float> out(v.dim);
  HWY_DYNAMIC_DISPATCH(detail::UnpackF32)(v.words, v.dim, out.data());
  return out;
}

// --- int8 --------------------------------------------------------------------

void bind(std::span<const std::int8_t> a, std::span<const std::int8_t> b,
          std::span<std::int8_t> out) {
  check_pair("dense::bind", a, b);
  detail::require_same_dim("dense::bind", "a", a.size(), "out", out.size());
  HWY_DYNAMIC_DISPATCH(detail::MulSatI8)(a.data(), b.data(), out.data(), a.size());
}

DenseVector<std::int8_t> bind(std::span<const std::int8_t> a, std::span<const std::int8_t> b) {
  check_pair("dense::bind", a, b);
  DenseVector<std::int8_t> out(a.size());
  HWY_DYNAMIC_DISPATCH(detail::MulSatI8)(a.data(), b.data(), out.data(), a.size());
  return out;
}

DenseVector<std::int8_t> random_int8(std::size_t dim, std::uint64_t seed, std::uint64_t row) {
  detail::require_valid_dim("dense::random_int8", "the vector", dim);
  const PackedVector packed = bipolar::random(dim, seed, row);
  DenseVector<std::int8_t> out(dim);
  HWY_DYNAMIC_DISPATCH(detail::UnpackI8)(packed.words(), dim, out.data());
  return out;
}

void unbind(std::span<const std::int8_t> bound, std::span<const std::int8_t> key,
            std::span<std::int8_t> out) {
  check_pair("dense::unbind", bound, key);
  detail::require_same_dim("dense::unbind", "bound", bound.size(), "out", out.size());
  HWY_DYNAMIC_DISPATCH(detail::MulSatI8)(bound.data(), key.data(), out.data(), bound.size());
}

DenseVector<std::int8_t> unbind(std::span<const std::int8_t> bound,
                                std::span<const std::int8_t> key) {
  check_pair("dense::unbind", bound, key);
  DenseVector<std::int8_t> out(bound.size());
  HWY_DYNAMIC_DISPATCH(detail::MulSatI8)(bound.data(), key.data(), out.data(), bound.size());
  return out;
}

DenseVector<std::int8_t> inverse(std::span<const std::int8_t> a) {
  detail::require_valid_dim("dense::inverse", "a", a.size());
  DenseVector<std::int8_t> out(a.size());
  std::copy(a.begin(), a.end(), out.data());
  return out;
}

DenseVector<std::int8_t> permute(std::span<const std::int8_t> a, std::ptrdiff_t shifts) {
  detail::require_valid_dim("dense::permute", "a", a.size());
  return rotated(a, detail::rotation_amount(shifts, a.size()));
}

DenseVector<std::int8_t> inverse_permute(std::span<const std::int8_t> a, std::ptrdiff_t shifts) {
  detail::require_valid_dim("dense::inverse_permute", "a", a.size());
  return rotated(a, detail::inverse_rotation_amount(shifts, a.size()));
}

std::int64_t dot(std::span<const std::int8_t> a, std::span<const std::int8_t> b) {
  check_pair("dense::dot", a, b);
  std::int64_t s[3];
  HWY_DYNAMIC_DISPATCH(detail::DotNormsI8)(a.data(), b.data(), a.size(), false, s);
  return s[0];
}

double cosine(std::span<const std::int8_t> a, std::span<const std::int8_t> b) {
  check_pair("dense::cosine", a, b);
  std::int64_t s[3];
  HWY_DYNAMIC_DISPATCH(detail::DotNormsI8)(a.data(), b.data(), a.size(), true, s);
  // Exact integer sums (< 2^53 for D < 2^38), so this is the correctly
  // rounded formula evaluated once in double.
  return cosine_from(static_cast<double>(s[0]), static_cast<double>(s[1]),
                     static_cast<double>(s[2]));
}

DenseVector<std::int8_t> sign(std::span<const std::int8_t> x) {
  detail::require_valid_dim("dense::sign", "x", x.size());
  DenseVector<std::int8_t> out(x.size());
  HWY_DYNAMIC_DISPATCH(detail::SignI8)(x.data(), out.data(), x.size());
  return out;
}

DenseVector<std::int8_t> clip(std::span<const std::int32_t> sums, int kappa) {
  detail::require_valid_dim("dense::clip", "sums", sums.size());
  detail::require(kappa >= 1 && kappa <= 127, "dense::clip: kappa=", kappa,
                  " is out of range; need 1 <= kappa <= 127");
  DenseVector<std::int8_t> out(sums.size());
  HWY_DYNAMIC_DISPATCH(detail::ClipI32ToI8)(sums.data(), sums.size(), kappa, out.data());
  return out;
}

PackedVector to_packed(std::span<const std::int8_t> x, const TieBreak& tie) {
  detail::require_valid_dim("dense::to_packed", "x", x.size());
  const PackedVector ties = detail::tie_words(tie, x.size(), "dense::to_packed");
  PackedVector out(x.size());
  HWY_DYNAMIC_DISPATCH(detail::ThresholdI8)(x.data(), x.size(), ties.words(), out.words());
  return out;
}

DenseVector<std::int8_t> to_int8(PackedView v) {
  check_packed("dense::to_int8", v);
  DenseVector<std::int8_t> out(v.dim);
  HWY_DYNAMIC_DISPATCH(detail::UnpackI8)(v.words, v.dim, out.data());
  return out;
}

}  // namespace dense
}  // namespace hypervec
#endif  // HWY_ONCE
