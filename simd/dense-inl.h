// Reusable per-target pieces for float vectors scored against packed bits:
// masked float sums over packed bits (the real-vector kernels, dot,
// add_scaled, scale and all-finite, are in simd/real-inl.h). Included by
// simd/dense.cc and simd/mixed.cc. Toggling include guard: compiled once per
// Highway target.
#if defined(HYPERVEC_SIMD_DENSE_INL_H_) == defined(HWY_TARGET_TOGGLE)
#ifdef HYPERVEC_SIMD_DENSE_INL_H_
#undef HYPERVEC_SIMD_DENSE_INL_H_
#else
#define HYPERVEC_SIMD_DENSE_INL_H_
#endif

#include <hwy/highway.h>

#include "simd/bipolar-inl.h"  // LaneMaskFromBits, PackedBitsAt

#include <cstddef>
#include <cstdint>

HWY_BEFORE_NAMESPACE();
namespace hypervec::detail::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

/// Σ_{bit i set} q_i over the first n components (the packed bits of one
/// vector): 64 components per word, each group of N lanes selected by
/// LaneMaskFromBits and summed with IfThenElseZero into 4 rotating float
/// accumulators; the partial last word by a scalar loop. Same error bound as
/// Dot (simd/real-inl.h) with |a_i b_i| replaced by |q_i|.
HWY_INLINE float MaskedSumF32(const float* HWY_RESTRICT q,
                              const std::uint64_t* HWY_RESTRICT words, std::size_t n) {
  const hn::ScalableTag<float> d;
  const std::size_t N = hn::Lanes(d);
  auto sum0 = hn::Zero(d);
  auto sum1 = hn::Zero(d);
  auto sum2 = hn::Zero(d);
  auto sum3 = hn::Zero(d);
  const std::size_t full_words = n / 64;
  const std::uint64_t lane_bits = (N >= 64) ? ~std::uint64_t{0} : ((std::uint64_t{1} << N) - 1);
  for (std::size_t w = 0; w < full_words; ++w) {
    const float* HWY_RESTRICT block = q + w * 64;
    std::uint64_t bits = words[w];
    // 64 / N groups (4 on AVX-512, 8 on AVX2, 16 on SSE, 64 on scalar), taken
    // four at a time into the four accumulators.
    for (std::size_t g = 0; g < 64; g += 4 * N) {
      const auto m0 = LaneMaskFromBits(d, static_cast<std::uint32_t>(bits & lane_bits));
      const auto m1 = LaneMaskFromBits(d, static_cast<std::uint32_t>((bits >> N) & lane_bits));
      const auto m2 =
          LaneMaskFromBits(d, static_cast<std::uint32_t>((bits >> (2 * N)) & lane_bits));
      const auto m3 =
          LaneMaskFromBits(d, static_cast<std::uint32_t>((bits >> (3 * N)) & lane_bits));
      sum0 = hn::Add(sum0, hn::IfThenElseZero(m0, hn::LoadU(d, block + g)));
      sum1 = hn::Add(sum1, hn::IfThenElseZero(m1, hn::LoadU(d, block + g + N)));
      sum2 = hn::Add(sum2, hn::IfThenElseZero(m2, hn::LoadU(d, block + g + 2 * N)));
      sum3 = hn::Add(sum3, hn::IfThenElseZero(m3, hn::LoadU(d, block + g + 3 * N)));
      // Shift in two steps: 4N == 64 on AVX-512, and a 64-bit shift by 64 is UB.
      bits = (bits >> (2 * N)) >> (2 * N);
    }
  }
  const auto sum = hn::Add(hn::Add(sum0, sum1), hn::Add(sum2, sum3));
  float result = hn::GetLane(hn::SumOfLanes(d, sum));
  float tail = 0.0f;
  for (std::size_t i = full_words * 64; i < n; ++i) {
    if ((words[i / 64] >> (i % 64)) & 1) tail += q[i];
  }
  return result + tail;
}

}  // namespace hypervec::detail::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#endif  // HYPERVEC_SIMD_DENSE_INL_H_
