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

/// Lane mask of the N bits [c, c + N) of a packed word array (c % N == 0;
/// `bits` is the word holding them, already shifted so they are its lowest
/// N). On AVX-512 (N = 16 float lanes) one KMOV from the bytes themselves;
/// elsewhere a broadcast and TestBit (LaneMaskFromBits).
template <class D>
HWY_INLINE auto PackedLaneMask(D d, const std::uint64_t* words, std::size_t c,
                               std::uint64_t bits) {
#if HWY_TARGET <= HWY_AVX3
  (void)bits;
  return hn::LoadMaskBits(d, reinterpret_cast<const std::uint8_t*>(words) + c / 8);
#else
  (void)words;
  (void)c;
  const std::size_t N = hn::Lanes(d);
  const std::uint64_t lane_bits = (N >= 64) ? ~std::uint64_t{0} : ((std::uint64_t{1} << N) - 1);
  return LaneMaskFromBits(d, static_cast<std::uint32_t>(bits & lane_bits));
#endif
}

/// sum + x in the lanes of m, sum elsewhere. On AVX-512 one merge-masked
/// VADDPS; elsewhere sum + (m ? x : 0), the same value (a sum that starts at
/// +0 never becomes -0, so adding +0 in the other lanes changes nothing).
template <class M, class V>
HWY_INLINE V MaskedAccumulate(M m, V sum, V x) {
#if HWY_TARGET <= HWY_AVX3
  return hn::IfThenElse(m, hn::Add(sum, x), sum);
#else
  return hn::Add(sum, hn::IfThenElseZero(m, x));
#endif
}

/// out[r] = Σ_{bit i of rows[r] set} q_i over the first n components, for R
/// packed rows at once: each q vector is loaded once for all R rows. Per
/// row, 64 components per word, each group of N lanes selected by its lane
/// mask and added (MaskedAccumulate) into 4 rotating float accumulators,
/// the partial last word by a scalar loop: the same order of operations for
/// every R, so a row's sum does not depend on how many rows share the pass.
/// Same error bound as Dot (simd/real-inl.h) with |a_i b_i| replaced by |q_i|.
template <int R>
HWY_INLINE void MaskedSumsF32(const float* HWY_RESTRICT q, const std::uint64_t* const* rows,
                              std::size_t n, float* HWY_RESTRICT out) {
  const hn::ScalableTag<float> d;
  const std::size_t N = hn::Lanes(d);
  hn::Vec<decltype(d)> sum[R][4];
  for (int r = 0; r < R; ++r) {
    for (int j = 0; j < 4; ++j) sum[r][j] = hn::Zero(d);
  }
  const std::size_t full_words = n / 64;
  for (std::size_t w = 0; w < full_words; ++w) {
    const float* HWY_RESTRICT block = q + w * 64;
    std::uint64_t bits[R];
    for (int r = 0; r < R; ++r) bits[r] = rows[r][w];
    // 64 / N groups (4 on AVX-512, 8 on AVX2, 16 on SSE, 64 on scalar), taken
    // four at a time into the four accumulators.
    for (std::size_t g = 0; g < 64; g += 4 * N) {
      const auto x0 = hn::LoadU(d, block + g);
      const auto x1 = hn::LoadU(d, block + g + N);
      const auto x2 = hn::LoadU(d, block + g + 2 * N);
      const auto x3 = hn::LoadU(d, block + g + 3 * N);
      const std::size_t c = w * 64 + g;
      for (int r = 0; r < R; ++r) {
        const auto m0 = PackedLaneMask(d, rows[r], c, bits[r]);
        const auto m1 = PackedLaneMask(d, rows[r], c + N, bits[r] >> N);
        const auto m2 = PackedLaneMask(d, rows[r], c + 2 * N, bits[r] >> (2 * N));
        const auto m3 = PackedLaneMask(d, rows[r], c + 3 * N, (bits[r] >> (2 * N)) >> N);
        sum[r][0] = MaskedAccumulate(m0, sum[r][0], x0);
        sum[r][1] = MaskedAccumulate(m1, sum[r][1], x1);
        sum[r][2] = MaskedAccumulate(m2, sum[r][2], x2);
        sum[r][3] = MaskedAccumulate(m3, sum[r][3], x3);
        // Shift in two steps: 4N == 64 on AVX-512, and a 64-bit shift by 64 is UB.
        bits[r] = (bits[r] >> (2 * N)) >> (2 * N);
      }
    }
  }
  for (int r = 0; r < R; ++r) {
    const auto total = hn::Add(hn::Add(sum[r][0], sum[r][1]), hn::Add(sum[r][2], sum[r][3]));
    float tail = 0.0f;
    for (std::size_t i = full_words * 64; i < n; ++i) {
      if ((rows[r][i / 64] >> (i % 64)) & 1) tail += q[i];
    }
    out[r] = hn::GetLane(hn::SumOfLanes(d, total)) + tail;
  }
}

/// Σ_{bit i set} q_i over the first n components of one packed vector.
HWY_INLINE float MaskedSumF32(const float* HWY_RESTRICT q,
                              const std::uint64_t* HWY_RESTRICT words, std::size_t n) {
  const std::uint64_t* row[1] = {words};
  float out;
  MaskedSumsF32<1>(q, row, n, &out);
  return out;
}

}  // namespace hypervec::detail::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#endif  // HYPERVEC_SIMD_DENSE_INL_H_
