// Reusable per-target kernels for real vectors of T = float or double: dot
// product, add_scaled, scale and the all-finite check. One set, used by dense
// MAP (simd/dense.cc, simd/mixed.cc), HRR (simd/hrr.cc) and FHRR (simd/fhrr.cc,
// on the interleaved re/im floats). Toggling include guard: compiled once per
// Highway target.
//
// Remainders: no alignment or padding assumed; whole vectors with unaligned
// loads, then a scalar loop for the last < Lanes elements; nothing is read or
// written past n.
#if defined(HYPERVEC_SIMD_REAL_INL_H_) == defined(HWY_TARGET_TOGGLE)
#ifdef HYPERVEC_SIMD_REAL_INL_H_
#undef HYPERVEC_SIMD_REAL_INL_H_
#else
#define HYPERVEC_SIMD_REAL_INL_H_
#endif

#include <hwy/highway.h>

#include <cmath>
#include <cstddef>

HWY_BEFORE_NAMESPACE();
namespace hypervec::detail::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

/// How Dot adds the scalar tail's products (the last n mod Lanes elements).
/// Both orders are kept so that dense and HRR/FHRR results stay bit for bit
/// what they were before the two dot kernels were merged:
///   kApart:   result = reduce(lanes) + (t_0 + t_1 + ...)   (dense::dot)
///   kRunning: result = ((reduce(lanes) + t_0) + t_1) + ...  (hrr, fhrr)
enum class DotTail { kApart, kRunning };

/// Σ a_i b_i over n values of T, accumulated in T lanes: blocks of 4 vectors
/// into 4 independent accumulators (so the FMA latency is hidden and each
/// lane's chain is only n/(4N) long), then single vectors into the first,
/// then the scalar tail (kTail above).
/// Error bound (N = lanes, u = unit roundoff of T, 2^-24 for float):
/// |result - Σ a_i b_i| <= γ_k Σ|a_i b_i|, γ_k = k u / (1 - k u),
/// k = ⌈n/(4N)⌉ + N + log2(N) + 7 (the longest chain of roundings: a lane's
/// FMA chain, <= 3 single-vector steps, the accumulator merge, the lane
/// reduction, the scalar tail and the product rounding when MulAdd is not
/// fused); k <= n/4 + 32 on every x86 target. Products that underflow add at
/// most n times the smallest subnormal more. NaN/Inf in the inputs, or a sum
/// past the range of T, give a non-finite result, which callers test.
template <DotTail kTail, typename T>
HWY_INLINE T Dot(const T* HWY_RESTRICT a, const T* HWY_RESTRICT b, std::size_t n) {
  const hn::ScalableTag<T> d;
  const std::size_t N = hn::Lanes(d);
  auto sum0 = hn::Zero(d);
  auto sum1 = hn::Zero(d);
  auto sum2 = hn::Zero(d);
  auto sum3 = hn::Zero(d);
  std::size_t i = 0;
  for (; i + 4 * N <= n; i += 4 * N) {
    sum0 = hn::MulAdd(hn::LoadU(d, a + i), hn::LoadU(d, b + i), sum0);
    sum1 = hn::MulAdd(hn::LoadU(d, a + i + N), hn::LoadU(d, b + i + N), sum1);
    sum2 = hn::MulAdd(hn::LoadU(d, a + i + 2 * N), hn::LoadU(d, b + i + 2 * N), sum2);
    sum3 = hn::MulAdd(hn::LoadU(d, a + i + 3 * N), hn::LoadU(d, b + i + 3 * N), sum3);
  }
  for (; i + N <= n; i += N) {
    sum0 = hn::MulAdd(hn::LoadU(d, a + i), hn::LoadU(d, b + i), sum0);
  }
  const auto sum = hn::Add(hn::Add(sum0, sum1), hn::Add(sum2, sum3));
  T result = hn::GetLane(hn::SumOfLanes(d, sum));
  if constexpr (kTail == DotTail::kApart) {
    T tail = T(0);
    for (; i < n; ++i) tail += a[i] * b[i];
    return result + tail;
  } else {
    for (; i < n; ++i) result += a[i] * b[i];
    return result;
  }
}

/// acc[i] += w · x[i] for i < n (one MulAdd, fused where the target has
/// FMA). acc must not overlap x.
template <typename T>
HWY_INLINE void AddScaled(const T* HWY_RESTRICT x, T w, T* HWY_RESTRICT acc, std::size_t n) {
  const hn::ScalableTag<T> d;
  const std::size_t N = hn::Lanes(d);
  const auto vw = hn::Set(d, w);
  std::size_t i = 0;
  for (; i + N <= n; i += N) {
    hn::StoreU(hn::MulAdd(vw, hn::LoadU(d, x + i), hn::LoadU(d, acc + i)), d, acc + i);
  }
  for (; i < n; ++i) acc[i] += w * x[i];
}

/// out[i] = s · x[i] for i < n (one rounding each); out may alias x (same
/// index only).
template <typename T>
HWY_INLINE void Scale(const T* x, T s, T* out, std::size_t n) {
  const hn::ScalableTag<T> d;
  const std::size_t N = hn::Lanes(d);
  const auto vs = hn::Set(d, s);
  std::size_t i = 0;
  for (; i + N <= n; i += N) hn::StoreU(hn::Mul(vs, hn::LoadU(d, x + i)), d, out + i);
  for (; i < n; ++i) out[i] = s * x[i];
}

/// True when every x[i] (i < n) is finite. The check rides on the values as
/// acc += (v − v), which is NaN exactly when some v is NaN or ±Inf: one add
/// per vector, one test at the end.
template <typename T>
HWY_INLINE bool AllFinite(const T* x, std::size_t n) {
  const hn::ScalableTag<T> d;
  const std::size_t N = hn::Lanes(d);
  auto check = hn::Zero(d);
  std::size_t i = 0;
  for (; i + N <= n; i += N) {
    const auto v = hn::LoadU(d, x + i);
    check = hn::Add(check, hn::Sub(v, v));
  }
  bool finite = hn::AllTrue(d, hn::Eq(check, check));
  for (; i < n; ++i) finite = finite && std::isfinite(x[i]);
  return finite;
}

}  // namespace hypervec::detail::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#endif  // HYPERVEC_SIMD_REAL_INL_H_
