// Reusable per-target pieces of the cleanup memory (include/hypervec/
// cleanup.hpp): register-tiled scoring of QT queries against RT codebook rows.
// Toggling include guard: compiled once per Highway target.
//
// Tile contract: q[0..QT) and r[0..RT) point at full rows of `dim` elements
// (packed rows: packed_words(dim) words); pointers may repeat (callers pad a
// ragged last tile with copies and discard those outputs). Nothing is read
// past element dim - 1 of any row.
#if defined(HYPERVEC_SIMD_CLEANUP_INL_H_) == defined(HWY_TARGET_TOGGLE)
#ifdef HYPERVEC_SIMD_CLEANUP_INL_H_
#undef HYPERVEC_SIMD_CLEANUP_INL_H_
#else
#define HYPERVEC_SIMD_CLEANUP_INL_H_
#endif

#include <hwy/highway.h>

#include <bit>
#include <cstddef>
#include <cstdint>

HWY_BEFORE_NAMESPACE();
namespace hypervec::detail::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

/// Sum of 16 partial sums in a fixed tree (8, 4, 2, 1 apart): the same order
/// on every target.
HWY_INLINE float ReduceSixteen(float* HWY_RESTRICT part) {
  for (std::size_t half = 8; half >= 1; half /= 2) {
    for (std::size_t l = 0; l < half; ++l) part[l] += part[l + half];
  }
  return part[0];
}

/// Mixed tile: out[a][b] = Σ_i q_a[i] · s_b[i] with s_b[i] = -1 where bit i of
/// the packed row r_b is set, else +1. No multiplication: the sign bit of
/// q_a[i] is flipped by XOR. Summation order is fixed on every target:
/// component i goes to partial sum i mod 16 (in index order), then
/// ReduceSixteen; so the float result is bit-identical across targets.
template <std::size_t QT, std::size_t RT>
HWY_INLINE void MixedTile(const float* const* HWY_RESTRICT q,
                          const std::uint64_t* const* HWY_RESTRICT r, std::size_t dim,
                          float (&out)[QT][RT]) {
  std::size_t i = 0;
  float part[QT][RT][16];
#if HWY_TARGET == HWY_SCALAR
  for (std::size_t a = 0; a < QT; ++a) {
    for (std::size_t b = 0; b < RT; ++b) {
      for (std::size_t l = 0; l < 16; ++l) part[a][b][l] = 0.0f;
    }
  }
  for (; i + 16 <= dim; i += 16) {
    for (std::size_t b = 0; b < RT; ++b) {
      const std::uint64_t bits = r[b][i / 64] >> (i % 64);
      for (std::size_t a = 0; a < QT; ++a) {
        for (std::size_t l = 0; l < 16; ++l) {
          // Flip the sign bit where the row's bit is set (branch-free).
          const auto flip = static_cast<std::uint32_t>((bits >> l) & 1U) << 31;
          part[a][b][l] += std::bit_cast<float>(std::bit_cast<std::uint32_t>(q[a][i + l]) ^ flip);
        }
      }
    }
  }
#else
  const hn::ScalableTag<float> df;
  const hn::RebindToUnsigned<decltype(df)> du;
  constexpr std::size_t N = hn::MaxLanes(df);
  static_assert(16 % N == 0, "the 16-lane layout needs N | 16");
  constexpr std::size_t kV = 16 / N;
  using VF = hn::Vec<decltype(df)>;
  using VU = hn::Vec<decltype(du)>;
  VU lane_bit[kV];
  for (std::size_t j = 0; j < kV; ++j) {
    lane_bit[j] = hn::Shl(hn::Set(du, 1U), hn::Iota(du, static_cast<std::uint32_t>(j * N)));
  }
  const VU sign = hn::Set(du, 0x80000000U);
  VF acc[QT][RT][kV];
  for (std::size_t a = 0; a < QT; ++a) {
    for (std::size_t b = 0; b < RT; ++b) {
      for (std::size_t j = 0; j < kV; ++j) acc[a][b][j] = hn::Zero(df);
    }
  }
  for (; i + 16 <= dim; i += 16) {
    VU flip[RT][kV];
    for (std::size_t b = 0; b < RT; ++b) {
      const auto bits = static_cast<std::uint32_t>((r[b][i / 64] >> (i % 64)) & 0xFFFFU);
      const VU broadcast = hn::Set(du, bits);
      for (std::size_t j = 0; j < kV; ++j) {
        flip[b][j] = hn::IfThenElseZero(hn::TestBit(broadcast, lane_bit[j]), sign);
      }
    }
    for (std::size_t a = 0; a < QT; ++a) {
      for (std::size_t j = 0; j < kV; ++j) {
        const VU qv = hn::BitCast(du, hn::LoadU(df, q[a] + i + j * N));
        for (std::size_t b = 0; b < RT; ++b) {
          acc[a][b][j] = hn::Add(acc[a][b][j], hn::BitCast(df, hn::Xor(qv, flip[b][j])));
        }
      }
    }
  }
  for (std::size_t a = 0; a < QT; ++a) {
    for (std::size_t b = 0; b < RT; ++b) {
      for (std::size_t j = 0; j < kV; ++j) hn::StoreU(acc[a][b][j], df, part[a][b] + j * N);
    }
  }
#endif
  // Tail: the last dim % 16 components, into partials 0 .. dim%16 - 1.
  for (std::size_t a = 0; a < QT; ++a) {
    for (std::size_t b = 0; b < RT; ++b) {
      for (std::size_t t = i; t < dim; ++t) {
        const float v = q[a][t];
        part[a][b][t - i] += ((r[b][t / 64] >> (t % 64)) & 1U) ? -v : v;
      }
      out[a][b] = ReduceSixteen(part[a][b]);
    }
  }
}

#if HWY_TARGET != HWY_SCALAR
/// Expands bits [0, n) (n a multiple of 16) of a packed row into ±1 floats:
/// out[i] = -1 where bit i is set, else +1.
HWY_INLINE void ExpandSigns(const std::uint64_t* HWY_RESTRICT bits, std::size_t first,
                            std::size_t n, float* HWY_RESTRICT out) {
  const hn::ScalableTag<float> df;
  const hn::RebindToUnsigned<decltype(df)> du;
  constexpr std::size_t N = hn::MaxLanes(df);
  constexpr std::size_t kV = 16 / N;
  hn::Vec<decltype(du)> lane_bit[kV];
  for (std::size_t j = 0; j < kV; ++j) {
    lane_bit[j] = hn::Shl(hn::Set(du, 1U), hn::Iota(du, static_cast<std::uint32_t>(j * N)));
  }
  const auto plus = hn::Set(df, 1.0f);
  const auto minus = hn::Set(df, -1.0f);
  for (std::size_t i = 0; i < n; i += 16) {
    const std::size_t at = first + i;
    const auto word = static_cast<std::uint32_t>((bits[at / 64] >> (at % 64)) & 0xFFFFU);
    const auto broadcast = hn::Set(du, word);
    for (std::size_t j = 0; j < kV; ++j) {
      const auto set = hn::RebindMask(df, hn::TestBit(broadcast, lane_bit[j]));
      hn::StoreU(hn::IfThenElse(set, minus, plus), df, out + i + j * N);
    }
  }
}

/// Mixed tile on expanded rows: part[a·RT + b][l] += Σ over i ≡ l (mod 16)
/// of q_a[i] · s_b[i], i in [0, n), n a multiple of 16, in index order. With
/// s = ±1 the product is exact, so MulAdd (fused or not) rounds exactly like
/// the sign-flip addition of MixedTile: both paths give the same bits.
template <std::size_t QT, std::size_t RT>
HWY_INLINE void SignedTile(const float* const* HWY_RESTRICT q, const float* const* HWY_RESTRICT s,
                           std::size_t n, float* const* HWY_RESTRICT part) {
  const hn::ScalableTag<float> df;
  constexpr std::size_t N = hn::MaxLanes(df);
  constexpr std::size_t kV = 16 / N;
  using VF = hn::Vec<decltype(df)>;
  VF acc[QT][RT][kV];
  for (std::size_t a = 0; a < QT; ++a) {
    for (std::size_t b = 0; b < RT; ++b) {
      for (std::size_t j = 0; j < kV; ++j) acc[a][b][j] = hn::LoadU(df, part[a * RT + b] + j * N);
    }
  }
  for (std::size_t i = 0; i < n; i += 16) {
    for (std::size_t j = 0; j < kV; ++j) {
      VF sv[RT];
      for (std::size_t b = 0; b < RT; ++b) sv[b] = hn::LoadU(df, s[b] + i + j * N);
      for (std::size_t a = 0; a < QT; ++a) {
        const VF qv = hn::LoadU(df, q[a] + i + j * N);
        for (std::size_t b = 0; b < RT; ++b) acc[a][b][j] = hn::MulAdd(qv, sv[b], acc[a][b][j]);
      }
    }
  }
  for (std::size_t a = 0; a < QT; ++a) {
    for (std::size_t b = 0; b < RT; ++b) {
      for (std::size_t j = 0; j < kV; ++j) hn::StoreU(acc[a][b][j], df, part[a * RT + b] + j * N);
    }
  }
}
#endif  // HWY_TARGET != HWY_SCALAR

/// Float tile: out[a][b] = Σ_i q_a[i] r_b[i] with one FMA chain per pair
/// (MulAdd: fused on targets with FMA), lanes summed by SumOfLanes, then the
/// dim % N tail added in index order. Relative error per dot: about
/// (dim/N + log2 N) · 2^-24 · Σ|q_i r_i| (Higham's bound for blocked sums).
template <std::size_t QT, std::size_t RT>
HWY_INLINE void FloatTile(const float* const* HWY_RESTRICT q, const float* const* HWY_RESTRICT r,
                          std::size_t dim, float (&out)[QT][RT]) {
  const hn::ScalableTag<float> df;
  const std::size_t N = hn::Lanes(df);
  using VF = hn::Vec<decltype(df)>;
  VF acc[QT][RT];
  for (std::size_t a = 0; a < QT; ++a) {
    for (std::size_t b = 0; b < RT; ++b) acc[a][b] = hn::Zero(df);
  }
  std::size_t i = 0;
  for (; i + N <= dim; i += N) {
    VF rv[RT];
    for (std::size_t b = 0; b < RT; ++b) rv[b] = hn::LoadU(df, r[b] + i);
    for (std::size_t a = 0; a < QT; ++a) {
      const VF qv = hn::LoadU(df, q[a] + i);
      for (std::size_t b = 0; b < RT; ++b) acc[a][b] = hn::MulAdd(qv, rv[b], acc[a][b]);
    }
  }
  for (std::size_t a = 0; a < QT; ++a) {
    for (std::size_t b = 0; b < RT; ++b) {
      float sum = hn::GetLane(hn::SumOfLanes(df, acc[a][b]));
      for (std::size_t t = i; t < dim; ++t) sum += q[a][t] * r[b][t];
      out[a][b] = sum;
    }
  }
}

/// Int8 tile: out[a][b] = Σ_i q_a[i] r_b[i], exact in int32 (the caller
/// guarantees 127² · dim < 2^31). int8 lanes are widened to int32.
template <std::size_t QT, std::size_t RT>
HWY_INLINE void Int8Tile(const std::int8_t* const* HWY_RESTRICT q,
                         const std::int8_t* const* HWY_RESTRICT r, std::size_t dim,
                         std::int32_t (&out)[QT][RT]) {
  const hn::ScalableTag<std::int32_t> d32;
  const hn::Rebind<std::int8_t, decltype(d32)> d8;
  const std::size_t N = hn::Lanes(d32);
  using V = hn::Vec<decltype(d32)>;
  V acc[QT][RT];
  for (std::size_t a = 0; a < QT; ++a) {
    for (std::size_t b = 0; b < RT; ++b) acc[a][b] = hn::Zero(d32);
  }
  std::size_t i = 0;
  for (; i + N <= dim; i += N) {
    V rv[RT];
    for (std::size_t b = 0; b < RT; ++b) rv[b] = hn::PromoteTo(d32, hn::LoadU(d8, r[b] + i));
    for (std::size_t a = 0; a < QT; ++a) {
      const V qv = hn::PromoteTo(d32, hn::LoadU(d8, q[a] + i));
      for (std::size_t b = 0; b < RT; ++b) acc[a][b] = hn::Add(acc[a][b], hn::Mul(qv, rv[b]));
    }
  }
  for (std::size_t a = 0; a < QT; ++a) {
    for (std::size_t b = 0; b < RT; ++b) {
      std::int32_t sum = hn::GetLane(hn::SumOfLanes(d32, acc[a][b]));
      for (std::size_t t = i; t < dim; ++t) sum += std::int32_t{q[a][t]} * std::int32_t{r[b][t]};
      out[a][b] = sum;
    }
  }
}

}  // namespace hypervec::detail::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#endif  // HYPERVEC_SIMD_CLEANUP_INL_H_
