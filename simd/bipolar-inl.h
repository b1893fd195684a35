// Reusable per-target pieces for packed bipolar vectors: XOR-popcount over
// word arrays, and the expansion of packed bits to lane masks. Included by simd/bipolar.cc and by any kernel that scores
// packed vectors (cleanup memory). Toggling include guard: compiled once per
// Highway target.
#if defined(HYPERVEC_SIMD_BIPOLAR_INL_H_) == defined(HWY_TARGET_TOGGLE)
#ifdef HYPERVEC_SIMD_BIPOLAR_INL_H_
#undef HYPERVEC_SIMD_BIPOLAR_INL_H_
#else
#define HYPERVEC_SIMD_BIPOLAR_INL_H_
#endif

#include <hwy/highway.h>

#include <bit>
#include <cstddef>
#include <cstdint>

HWY_BEFORE_NAMESPACE();
namespace hypervec::detail::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

/// Σ_i popcount(a[i] ^ b[i]) over n words. No alignment or padding assumed:
/// whole vectors first, then a scalar loop for the last < Lanes words.
/// On AVX3_DL this is VPOPCNTQ; elsewhere the nibble-lookup popcount on bytes
/// (two PSHUFB), summed in u8 lanes for up to 31 vectors (31 * 8 < 256) and
/// then widened with SumsOf8 (PSADBW), Mula et al., arXiv:1611.07612.
/// On HWY_SCALAR, std::popcount per word.
HWY_INLINE std::uint64_t XorPopcount(const std::uint64_t* HWY_RESTRICT a,
                                     const std::uint64_t* HWY_RESTRICT b,
                                     std::size_t n) {
  const hn::ScalableTag<std::uint64_t> d64;
  const std::size_t N = hn::Lanes(d64);
  std::size_t i = 0;
  auto total = hn::Zero(d64);
#if HWY_TARGET == HWY_SCALAR
  // One-lane fallback (GCC < 12.3 builds this instead of EMU128):
  // std::popcount per word in the tail loop below. The x86-64 baseline this
  // target compiles for has no POPCNT instruction, so that is a libgcc call
  // (cleanup-inl.h's PopCount64 inlines a SWAR count instead).
  (void)N;
#elif HWY_TARGET == HWY_AVX3_DL
  auto total1 = hn::Zero(d64);
  for (; i + 2 * N <= n; i += 2 * N) {
    total = hn::Add(total, hn::PopulationCount(
                               hn::Xor(hn::LoadU(d64, a + i), hn::LoadU(d64, b + i))));
    total1 = hn::Add(total1, hn::PopulationCount(hn::Xor(hn::LoadU(d64, a + i + N),
                                                         hn::LoadU(d64, b + i + N))));
  }
  for (; i + N <= n; i += N) {
    total = hn::Add(total, hn::PopulationCount(
                               hn::Xor(hn::LoadU(d64, a + i), hn::LoadU(d64, b + i))));
  }
  total = hn::Add(total, total1);
#else
  const hn::Repartition<std::uint8_t, decltype(d64)> d8;
  while (i + N <= n) {
    auto acc0 = hn::Zero(d8);
    auto acc1 = hn::Zero(d8);
    // At most 30 vectors per accumulator pair round: 15 each, well under 31.
    std::size_t rounds = 0;
    for (; i + 2 * N <= n && rounds < 15; i += 2 * N, ++rounds) {
      const auto x0 = hn::Xor(hn::LoadU(d64, a + i), hn::LoadU(d64, b + i));
      const auto x1 = hn::Xor(hn::LoadU(d64, a + i + N), hn::LoadU(d64, b + i + N));
      acc0 = hn::Add(acc0, hn::PopulationCount(hn::BitCast(d8, x0)));
      acc1 = hn::Add(acc1, hn::PopulationCount(hn::BitCast(d8, x1)));
    }
    if (rounds == 0) {  // exactly one whole vector left
      const auto x0 = hn::Xor(hn::LoadU(d64, a + i), hn::LoadU(d64, b + i));
      acc0 = hn::PopulationCount(hn::BitCast(d8, x0));
      i += N;
    }
    total = hn::Add(total, hn::Add(hn::SumsOf8(acc0), hn::SumsOf8(acc1)));
  }
#endif
  std::uint64_t result = hn::GetLane(hn::SumOfLanes(d64, total));
  for (; i < n; ++i) result += static_cast<std::uint64_t>(std::popcount(a[i] ^ b[i]));
  return result;
}

/// Lane i of the result is true when bit i of `bits` is set (i < Lanes(d),
/// Lanes(d) <= 32, lanes of 32 bits). A broadcast and one TestBit.
template <class D32>
HWY_INLINE auto LaneMaskFromBits(D32 d, std::uint32_t bits) {
  HWY_ALIGN static constexpr std::uint32_t kLaneBit[32] = {
      1u << 0,  1u << 1,  1u << 2,  1u << 3,  1u << 4,  1u << 5,  1u << 6,  1u << 7,
      1u << 8,  1u << 9,  1u << 10, 1u << 11, 1u << 12, 1u << 13, 1u << 14, 1u << 15,
      1u << 16, 1u << 17, 1u << 18, 1u << 19, 1u << 20, 1u << 21, 1u << 22, 1u << 23,
      1u << 24, 1u << 25, 1u << 26, 1u << 27, 1u << 28, 1u << 29, 1u << 30, 1u << 31};
  const hn::RebindToUnsigned<D32> du;
  return hn::RebindMask(d, hn::TestBit(hn::Set(du, bits), hn::Load(du, kLaneBit)));
}

/// Bits [c, c + n) of a packed word array, n <= 32 and c % n == 0 (so the
/// range never straddles a word).
HWY_INLINE std::uint32_t PackedBitsAt(const std::uint64_t* words, std::size_t c,
                                      std::size_t n) {
  const std::uint64_t w = words[c / 64] >> (c % 64);
  return static_cast<std::uint32_t>(n == 32 ? w : (w & ((std::uint64_t{1} << n) - 1)));
}

}  // namespace hypervec::detail::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#endif  // HYPERVEC_SIMD_BIPOLAR_INL_H_
