// Reusable per-target pieces of the cleanup memory (include/hypervec/
// cleanup.hpp): register-tiled scoring of QT queries against RT codebook rows
// (packed XOR + popcount, mixed sign flips, float, int8), and the sign tables
// of batched mixed search. Toggling include guard: compiled once per Highway
// target.
//
// Tile contract: q[0..QT) and r[0..RT) point at full rows of `dim` elements
// (packed rows: hypervec::packed_words(dim) words); pointers may repeat (callers pad a
// ragged last tile with copies and discard those outputs). Nothing is read
// past element dim - 1 of any row, except by HammingTile, whose callers pass
// rows zero-padded to whole vectors (its comment says how).
// The small fixed loops over a tile carry HWY_UNROLL (16: HammingTile's 1 × 16
// single-query tile): fully unrolled, the
// accumulator arrays live in registers also at -O2 with the sanitizers
// (whose bounds checks otherwise keep them in memory).
#if defined(HYPERVEC_SIMD_CLEANUP_INL_H_) == defined(HWY_TARGET_TOGGLE)
#ifdef HYPERVEC_SIMD_CLEANUP_INL_H_
#undef HYPERVEC_SIMD_CLEANUP_INL_H_
#else
#define HYPERVEC_SIMD_CLEANUP_INL_H_
#endif

#include <hypervec/storage.hpp>
#include <hwy/cache_control.h>
#include <hwy/highway.h>

#include <algorithm>
#include <bit>
#include <cstddef>
#include <cstdint>

HWY_BEFORE_NAMESPACE();
namespace hypervec::detail::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

// --- Packed: register-tiled XOR + popcount ------------------------------------

#if HWY_TARGET == HWY_SCALAR
/// Population count of a word without a call: the x86-64 baseline the
/// one-lane target compiles for has no POPCNT, so std::popcount is a libgcc
/// call, which also spills the tile's accumulators (SWAR count, Hacker's
/// Delight 5-2).
HWY_INLINE std::uint64_t PopCount64(std::uint64_t x) {
  x -= (x >> 1) & 0x5555555555555555ULL;
  x = (x & 0x3333333333333333ULL) + ((x >> 2) & 0x3333333333333333ULL);
  x = (x + (x >> 4)) & 0x0F0F0F0F0F0F0F0FULL;
  return (x * 0x0101010101010101ULL) >> 56;
}

/// Hamming tile on the one-lane target: h[a·RT + b] = Σ_{i<n} popcount(q_a[i]
/// ^ r_b[i]).
template <std::size_t QT, std::size_t RT>
HWY_INLINE void HammingTile(const std::uint64_t* const* HWY_RESTRICT q,
                            const std::uint64_t* const* HWY_RESTRICT r, std::size_t n,
                            std::uint64_t* HWY_RESTRICT h) {
  std::uint64_t acc[QT * RT] = {};
  for (std::size_t i = 0; i < n; ++i) {
    HWY_UNROLL(8)
    for (std::size_t a = 0; a < QT; ++a) {
      HWY_UNROLL(8)
      for (std::size_t b = 0; b < RT; ++b) {
        acc[a * RT + b] += PopCount64(q[a][i] ^ r[b][i]);
      }
    }
  }
  for (std::size_t p = 0; p < QT * RT; ++p) h[p] = acc[p];
}
#else
/// Lane i of the result is the sum of the lanes of v[i], for the N = Lanes(d)
/// vectors v[0..N): log2 N rounds of ConcatEven + ConcatOdd + Add (N - 1
/// combines for N sums, against N full SumOfLanes). Clobbers v.
template <class D, class V>
HWY_INLINE V SumsOfLanesTransposed(D d, V* HWY_RESTRICT v) {
  for (std::size_t count = hn::Lanes(d); count > 1; count /= 2) {
    for (std::size_t j = 0; j < count / 2; ++j) {
      v[j] = hn::Add(hn::ConcatEven(d, v[2 * j + 1], v[2 * j]),
                     hn::ConcatOdd(d, v[2 * j + 1], v[2 * j]));
    }
  }
  return v[0];
}

/// Hamming tile: pair p = a·RT + b (query a, row b) gets Σ_{i<n} popcount(
/// q_a[i] ^ r_b[i]), returned in u32 lane p % (2N) of h[p / (2N)] (N = u64
/// lanes of d; QT·RT must be a multiple of 2N). Every q_a and r_b holds n
/// words, n a multiple of N, aligned (callers pass zero-padded rows: the
/// padding adds 0). Each query and row vector is loaded once per step and
/// reused by the whole tile. AVX3_DL: VPOPCNTQ per pair, u64 sums.
/// Elsewhere: Highway's nibble-lookup u8 PopulationCount (two PSHUFB),
/// summed in u8 lanes for up to 31 steps (31 · 8 < 256) and widened by
/// SumsOf8 (PSADBW): Mula, Kurz, Lemire, arXiv:1611.07612. The sums of two
/// pairs share a u64 lane (low and high half: every sum is < 2^32) before
/// the transposed lane sums, which halves the shuffles of the reduction.
template <std::size_t QT, std::size_t RT, class D>
HWY_INLINE void HammingTile(D d, const std::uint64_t* const* HWY_RESTRICT q,
                            const std::uint64_t* const* HWY_RESTRICT r, std::size_t n,
                            hn::Vec<hn::Repartition<std::uint32_t, D>>* HWY_RESTRICT h) {
  using V = hn::Vec<D>;
  const std::size_t N = hn::Lanes(d);
  V acc[QT * RT];
  HWY_UNROLL(16)
  for (std::size_t p = 0; p < QT * RT; ++p) acc[p] = hn::Zero(d);
#if HWY_TARGET == HWY_AVX3_DL
  for (std::size_t i = 0; i < n; i += N) {
    V rv[RT];
    HWY_UNROLL(16)
    for (std::size_t b = 0; b < RT; ++b) rv[b] = hn::Load(d, r[b] + i);
    HWY_UNROLL(16)
    for (std::size_t a = 0; a < QT; ++a) {
      const V qv = hn::Load(d, q[a] + i);
      HWY_UNROLL(16)
      for (std::size_t b = 0; b < RT; ++b) {
        acc[a * RT + b] = hn::Add(acc[a * RT + b], hn::PopulationCount(hn::Xor(qv, rv[b])));
      }
    }
  }
#else
  const hn::Repartition<std::uint8_t, D> d8;
  using V8 = hn::Vec<decltype(d8)>;
  for (std::size_t i = 0; i < n;) {
    const std::size_t end = std::min(n, i + 31 * N);
    V8 acc8[QT * RT];
    HWY_UNROLL(16)
    for (std::size_t p = 0; p < QT * RT; ++p) acc8[p] = hn::Zero(d8);
    for (; i < end; i += N) {
      V rv[RT];
      HWY_UNROLL(16)
      for (std::size_t b = 0; b < RT; ++b) rv[b] = hn::Load(d, r[b] + i);
      HWY_UNROLL(16)
      for (std::size_t a = 0; a < QT; ++a) {
        const V qv = hn::Load(d, q[a] + i);
        HWY_UNROLL(16)
        for (std::size_t b = 0; b < RT; ++b) {
          acc8[a * RT + b] = hn::Add(acc8[a * RT + b],
                                     hn::PopulationCount(hn::BitCast(d8, hn::Xor(qv, rv[b]))));
        }
      }
    }
    HWY_UNROLL(16)
    for (std::size_t p = 0; p < QT * RT; ++p) acc[p] = hn::Add(acc[p], hn::SumsOf8(acc8[p]));
  }
#endif
  // Pairs 2m and 2m+1 in the low and high halves of packed[m]; a separate
  // array for the in-place reduction also keeps `acc` in registers (GCC
  // otherwise stores every accumulator on every step).
  static_assert((QT * RT) % 2 == 0, "pairs of pairs");
  V packed[QT * RT / 2];
  HWY_UNROLL(16)
  for (std::size_t m = 0; m < QT * RT / 2; ++m) {
    packed[m] = hn::Add(acc[2 * m], hn::ShiftLeft<32>(acc[2 * m + 1]));
  }
  const hn::Repartition<std::uint32_t, D> d32;
  for (std::size_t g = 0; g < QT * RT / (2 * N); ++g) {
    h[g] = hn::BitCast(d32, SumsOfLanesTransposed(d, packed + g * N));
  }
}

/// Query-lane Hamming tile: lane l of h[b·QG + g] gets Σ_{i<n} popcount(
/// g_g[i·N + l] ^ r_b[i]), where group g_g interleaves N queries word by
/// word (g_g[i·N + l] = word i of the group's query l) and row word r_b[i]
/// is broadcast to every lane. Each (query, row) sum stays in its own lane,
/// so, unlike HammingTile, there is no horizontal reduction at the end:
/// at D = 4096 (8 vectors a row) HammingTile's transposed lane sums cost a
/// sixth of the XOR + popcount work, on the shuffle port VPOPCNTQ also
/// needs. Popcounts: u8 PopulationCount summed in u8 lanes for up to 31
/// words, widened by SumsOf8, as in HammingTile. AVX3_DL and AVX3 run
/// HammingLaneTileCsa on pair-combined operands instead (kLaneCarrySave).
template <std::size_t RT, std::size_t QG, class D>
HWY_INLINE void HammingLaneTile(D d, const std::uint64_t* const* HWY_RESTRICT g,
                                const std::uint64_t* const* HWY_RESTRICT r, std::size_t n,
                                hn::Vec<D>* HWY_RESTRICT h) {
  using V = hn::Vec<D>;
  const std::size_t N = hn::Lanes(d);
  V acc[RT * QG];
  for (std::size_t p = 0; p < RT * QG; ++p) acc[p] = hn::Zero(d);
  const hn::Repartition<std::uint8_t, D> d8;
  using V8 = hn::Vec<decltype(d8)>;
  for (std::size_t i = 0; i < n;) {
    const std::size_t end = std::min(n, i + 31);
    V8 acc8[RT * QG];
    for (std::size_t p = 0; p < RT * QG; ++p) acc8[p] = hn::Zero(d8);
    for (; i < end; ++i) {
      V qv[QG];
      HWY_UNROLL(8)
      for (std::size_t c = 0; c < QG; ++c) qv[c] = hn::Load(d, g[c] + i * N);
      HWY_UNROLL(8)
      for (std::size_t b = 0; b < RT; ++b) {
        const V rv = hn::Set(d, r[b][i]);
        HWY_UNROLL(8)
        for (std::size_t c = 0; c < QG; ++c) {
          acc8[b * QG + c] = hn::Add(acc8[b * QG + c],
                                     hn::PopulationCount(hn::BitCast(d8, hn::Xor(qv[c], rv))));
        }
      }
    }
    for (std::size_t p = 0; p < RT * QG; ++p) acc[p] = hn::Add(acc[p], hn::SumsOf8(acc8[p]));
  }
  for (std::size_t p = 0; p < RT * QG; ++p) h[p] = acc[p];
}

#if HWY_TARGET == HWY_AVX3_DL || HWY_TARGET == HWY_AVX3
/// The query-lane kernel adds the XOR words of a (query, row) pair with a
/// one-bit carry-save accumulator instead of one popcount per word.
constexpr bool kLaneCarrySave = true;

/// VPTERNLOGQ with the truth table imm (operands a, b, c ↔ 0xF0, 0xCC,
/// 0xAA); Highway 1.0.3 exposes only fixed tables (Xor3, Or3, OrAnd, ...).
template <int kImm, class V>
HWY_INLINE V Ternlog(V a, V b, V c) {
  return V{_mm512_ternarylogic_epi64(a.raw, b.raw, c.raw, kImm)};
}

/// Carry of a full adder whose sum s = a ^ x ^ x' is already known, from a
/// and x alone: where x ^ x' = s ^ a is 1 the majority of (a, x, x') is a,
/// else it is x (= x'). Truth table ((B ^ C) ? C : A) on (x, s, a): x, a
/// temporary, is the operand VPTERNLOGQ overwrites, so no register copy.
constexpr int kCarryFromSum = (((0xCC ^ 0xAA) & 0xAA) | (~(0xCC ^ 0xAA) & 0xF0)) & 0xFF;

/// Query-lane Hamming tile on pair-combined operands (the same contract as
/// HammingLaneTile otherwise): n is even, and words 2j, 2j + 1 of every
/// interleaved query and of every row hold (w_2j, w_2j ^ w_2j+1), so that
/// for x = q_2j ^ r_2j and x' = q_2j+1 ^ r_2j+1
///   ones' = ones ^ x ^ x'      = Xor3(ones, q'_2j+1, r'_2j+1)   (x ^ x' from the combined words)
///   carry = majority(ones, x, x') = Ternlog(q_2j ^ r_2j, ones', ones),
/// a full adder in 3 vector ops (two of them VPTERNLOGQ) where raw words
/// take 4 (2 XORs, 2 ternlogs); sum += popcount(carry). The distance is then
/// 2·sum + popcount(ones), exact: 5 vector ops per pair and two words
/// against 6 for XOR + popcount + add per word. AVX3_DL: VPOPCNTQ on u64
/// lanes. AVX3: u8 PopulationCount of the carries summed in u8 lanes for up
/// to 31 steps (31 · 8 < 256), widened by SumsOf8.
template <std::size_t RT, std::size_t QG, class D>
HWY_INLINE void HammingLaneTileCsa(D d, const std::uint64_t* const* HWY_RESTRICT g,
                                   const std::uint64_t* const* HWY_RESTRICT r, std::size_t n,
                                   hn::Vec<D>* HWY_RESTRICT h) {
  using V = hn::Vec<D>;
  const std::size_t N = hn::Lanes(d);
  V ones[RT * QG], sum[RT * QG];
  for (std::size_t p = 0; p < RT * QG; ++p) ones[p] = sum[p] = hn::Zero(d);
#if HWY_TARGET == HWY_AVX3_DL
  for (std::size_t i = 0; i < n; i += 2) {
    V qa[QG], qb[QG];
    HWY_UNROLL(8)
    for (std::size_t c = 0; c < QG; ++c) {
      qa[c] = hn::Load(d, g[c] + i * N);
      qb[c] = hn::Load(d, g[c] + (i + 1) * N);
    }
    HWY_UNROLL(8)
    for (std::size_t b = 0; b < RT; ++b) {
      const V ra = hn::Set(d, r[b][i]);
      const V rb = hn::Set(d, r[b][i + 1]);
      HWY_UNROLL(8)
      for (std::size_t c = 0; c < QG; ++c) {
        const std::size_t p = b * QG + c;
        const V old = ones[p];
        ones[p] = hn::Xor3(old, qb[c], rb);
        const V carry = Ternlog<kCarryFromSum>(hn::Xor(qa[c], ra), ones[p], old);
        sum[p] = hn::Add(sum[p], hn::PopulationCount(carry));
      }
    }
  }
  for (std::size_t p = 0; p < RT * QG; ++p) {
    h[p] = hn::Add(hn::ShiftLeft<1>(sum[p]), hn::PopulationCount(ones[p]));
  }
#else
  const hn::Repartition<std::uint8_t, D> d8;
  using V8 = hn::Vec<decltype(d8)>;
  for (std::size_t i = 0; i < n;) {
    const std::size_t end = std::min(n, i + 2 * 31);
    V8 acc8[RT * QG];
    for (std::size_t p = 0; p < RT * QG; ++p) acc8[p] = hn::Zero(d8);
    for (; i < end; i += 2) {
      V qa[QG], qb[QG];
      HWY_UNROLL(8)
      for (std::size_t c = 0; c < QG; ++c) {
        qa[c] = hn::Load(d, g[c] + i * N);
        qb[c] = hn::Load(d, g[c] + (i + 1) * N);
      }
      HWY_UNROLL(8)
      for (std::size_t b = 0; b < RT; ++b) {
        const V ra = hn::Set(d, r[b][i]);
        const V rb = hn::Set(d, r[b][i + 1]);
        HWY_UNROLL(8)
        for (std::size_t c = 0; c < QG; ++c) {
          const std::size_t p = b * QG + c;
          const V old = ones[p];
          ones[p] = hn::Xor3(old, qb[c], rb);
          const V carry = Ternlog<kCarryFromSum>(hn::Xor(qa[c], ra), ones[p], old);
          acc8[p] = hn::Add(acc8[p], hn::PopulationCount(hn::BitCast(d8, carry)));
        }
      }
    }
    for (std::size_t p = 0; p < RT * QG; ++p) sum[p] = hn::Add(sum[p], hn::SumsOf8(acc8[p]));
  }
  for (std::size_t p = 0; p < RT * QG; ++p) {
    h[p] = hn::Add(hn::ShiftLeft<1>(sum[p]),
                   hn::SumsOf8(hn::PopulationCount(hn::BitCast(d8, ones[p]))));
  }
#endif
}
#else
constexpr bool kLaneCarrySave = false;
#endif
#endif  // HWY_TARGET == HWY_SCALAR

// --- Mixed batches: per-query sign tables (lanes = queries) -------------------
//
// A panel holds P = kV · L queries, L = float lanes (1 on HWY_SCALAR), one per
// lane. Nibble n (0..15) of packed word j covers components c_t = 64j + 4n + t,
// t = 0..3, and its table holds for every nibble value x in 0..15 and every
// query lane
//   T[j][n][x] = ((s_0 q[c_0] + s_1 q[c_1]) + s_2 q[c_2]) + s_3 q[c_3],
//   s_t = -1 where bit t of x is set, else +1,
// with q[c] = 0 for c >= dim and for lanes past the panel's queries. A row's
// score is then one table load and one add per nibble for all P queries at
// once (4 components of P pairs), instead of 4 sign flips and 4 adds per pair:
//   score = (((+0 + T[0][0][x_00]) + T[0][1][x_01]) + ...) + T[J][N][x_JN],
// in float, words in order and nibbles in order within a word, x_jn the row's
// nibble. This is a summation tree of the D terms ±q_i with at most D - 1
// additions, so |score - Σ q_i b_i| <= (D - 1) · 2^-24 · Σ|q_i| (Higham), and
// the same IEEE operations in the same order on every target (negation is
// exact; no multiplication, so no FMA contraction): bit-identical everywhere.
// Layout: tables[((j·16 + n)·16 + x)·P + lane], 64-byte aligned.

/// Nibbles of word j that hold at least one component < dim (16 except in a
/// ragged last word).
HWY_INLINE std::size_t NibblesOfWord(std::size_t j, std::size_t dim) {
  return std::min<std::size_t>(16, (dim - 64 * j + 3) / 4);
}

/// Transposes the queries q[0..nq) (nq <= P) into qt[c·P + lane] for c <
/// hypervec::packed_words(dim)·64, zero past dim and past nq: the input of
/// BuildSignTables, so the tables are built from whole vectors.
template <std::size_t P>
HWY_INLINE void TransposePanel(const float* HWY_RESTRICT queries, std::size_t q_stride,
                               std::size_t nq, std::size_t dim, float* HWY_RESTRICT qt) {
  const std::size_t padded = hypervec::packed_words(dim) * 64;
  std::fill(qt, qt + padded * P, 0.0f);
  for (std::size_t lane = 0; lane < nq; ++lane) {
    const float* q = queries + lane * q_stride;
    for (std::size_t c = 0; c < dim; ++c) qt[c * P + lane] = q[c];
  }
}

/// Builds the tables of words [0, hypervec::packed_words(dim)) from the transposed
/// panel qt (TransposePanel).
template <std::size_t kV>
HWY_INLINE void BuildSignTables(const float* HWY_RESTRICT qt, std::size_t dim,
                                float* HWY_RESTRICT tables) {
  const hn::ScalableTag<float> df;
  using VF = hn::Vec<decltype(df)>;
  constexpr std::size_t L = hn::MaxLanes(df);
  constexpr std::size_t P = kV * L;
  const std::size_t nw = hypervec::packed_words(dim);
  for (std::size_t j = 0; j < nw; ++j) {
    const std::size_t nibbles = NibblesOfWord(j, dim);
    for (std::size_t n = 0; n < nibbles; ++n) {
      const float* in = qt + (64 * j + 4 * n) * P;
      float* out = tables + (j * 16 + n) * 16 * P;
      for (std::size_t v = 0; v < kV; ++v) {
        VF x[4], nx[4];
        for (std::size_t t = 0; t < 4; ++t) {
          x[t] = hn::Load(df, in + t * P + v * L);
          nx[t] = hn::Neg(x[t]);
        }
        VF e2[4], e3[8];
        for (std::size_t x01 = 0; x01 < 4; ++x01) {
          e2[x01] = hn::Add((x01 & 1) ? nx[0] : x[0], (x01 & 2) ? nx[1] : x[1]);
        }
        for (std::size_t x012 = 0; x012 < 8; ++x012) {
          e3[x012] = hn::Add(e2[x012 & 3], (x012 & 4) ? nx[2] : x[2]);
        }
        for (std::size_t e = 0; e < 16; ++e) {
          hn::Store(hn::Add(e3[e & 7], (e & 8) ? nx[3] : x[3]), df, out + e * P + v * L);
        }
      }
    }
  }
}

/// Rows per LutRows step: U·kV accumulators fill half the register file
/// (16 of 32 vectors on AVX-512, 8 of 16 elsewhere), enough independent add
/// chains to hide the add latency.
#if HWY_TARGET == HWY_SCALAR
constexpr std::size_t kLutAccumulators = 8;
#else
constexpr std::size_t kLutAccumulators = HWY_MAX_BYTES >= 64 ? 16 : 8;
#endif
template <std::size_t kV>
constexpr std::size_t LutRowsPerStep() {
  return std::max<std::size_t>(1, kLutAccumulators / kV);
}

/// Adds word j of rows[0..nrows) (row r at rows + r·r_stride) to the panel
/// accumulators: acc[r·P + lane] += Σ over the word's nibbles n (in order)
/// of T[j][n][nibble n of row r], per query lane. U rows per step, their
/// add chains independent: per entry one shift and one AND of the row's word
/// give the byte offset x·P·4 (P·4 a power of two), then kV vector
/// load-adds. The word's tables (256·P floats) stay in L1 across the rows;
/// word j+1's tables, read in random order by the next pass (so the hardware
/// prefetcher cannot fetch them), are prefetched a share per step.
template <std::size_t kV>
HWY_INLINE void LutRows(const float* HWY_RESTRICT tables, std::size_t j, std::size_t dim,
                        const std::uint64_t* HWY_RESTRICT rows, std::size_t r_stride,
                        std::size_t nrows, float* HWY_RESTRICT acc) {
  const hn::ScalableTag<float> df;
  using VF = hn::Vec<decltype(df)>;
  constexpr std::size_t L = hn::MaxLanes(df);
  constexpr std::size_t P = kV * L;
  constexpr std::size_t U = LutRowsPerStep<kV>();
  constexpr std::size_t kEntryBytes = P * sizeof(float);
  static_assert((kEntryBytes & (kEntryBytes - 1)) == 0, "table entries must be 2^s bytes");
  constexpr int s = std::countr_zero(kEntryBytes);
  constexpr std::uint64_t kMask = std::uint64_t{15} << s;
  constexpr std::size_t kWordBytes = 16 * 16 * kEntryBytes;
  constexpr std::size_t kWordLines = kWordBytes / 64;
  const std::size_t nw = hypervec::packed_words(dim);
  const float* tj = tables + j * 16 * 16 * P;
  const char* tbytes = reinterpret_cast<const char*>(tj);
  const char* next = j + 1 < nw ? tbytes + kWordBytes : nullptr;
  const std::size_t nibbles = NibblesOfWord(j, dim);
  std::size_t r = 0;
  if (nibbles == 16) {
    const std::size_t steps = std::max<std::size_t>(1, nrows / U);
    const std::size_t lines_per_step = (kWordLines + steps - 1) / steps;
    std::size_t prefetched = 0;
    for (; r + U <= nrows; r += U) {
      if (next != nullptr) {
        for (std::size_t l = 0; l < lines_per_step && prefetched < kWordLines; ++l, ++prefetched) {
          hwy::Prefetch(next + prefetched * 64);
        }
      }
      std::uint64_t w[U];
      VF a[U][kV];
      HWY_UNROLL(16)
      for (std::size_t u = 0; u < U; ++u) {
        // At the first word of a cache line, fetch the row's next line
        // (words j+8 .. j+15): rows are read one word per pass, across rows.
        if (j % 8 == 0 && j + 8 < nw) hwy::Prefetch(rows + (r + u) * r_stride + j + 8);
        w[u] = rows[(r + u) * r_stride + j];
        HWY_UNROLL(4)
        for (std::size_t v = 0; v < kV; ++v) a[u][v] = hn::Load(df, acc + (r + u) * P + v * L);
      }
      // Nibble n of each row is the low 4 bits of w[u] after n shifts by 4.
      const char* tn = tbytes;
      for (std::size_t n = 0; n < 16; ++n, tn += 16 * kEntryBytes) {
        HWY_UNROLL(16)
        for (std::size_t u = 0; u < U; ++u) {
          const float* entry = reinterpret_cast<const float*>(tn + ((w[u] << s) & kMask));
          w[u] >>= 4;
          HWY_UNROLL(4)
          for (std::size_t v = 0; v < kV; ++v) a[u][v] = hn::Add(a[u][v], hn::Load(df, entry + v * L));
        }
      }
      HWY_UNROLL(16)
      for (std::size_t u = 0; u < U; ++u) {
        HWY_UNROLL(4)
        for (std::size_t v = 0; v < kV; ++v) hn::Store(a[u][v], df, acc + (r + u) * P + v * L);
      }
    }
  }
  // Remaining rows, and every row of a ragged last word: one row at a time.
  for (; r < nrows; ++r) {
    const std::uint64_t w = rows[r * r_stride + j];
    VF a[kV];
    for (std::size_t v = 0; v < kV; ++v) a[v] = hn::Load(df, acc + r * P + v * L);
    for (std::size_t n = 0; n < nibbles; ++n) {
      const float* entry = tj + (n * 16 + ((w >> (4 * n)) & 15)) * P;
      for (std::size_t v = 0; v < kV; ++v) a[v] = hn::Add(a[v], hn::Load(df, entry + v * L));
    }
    for (std::size_t v = 0; v < kV; ++v) hn::Store(a[v], df, acc + r * P + v * L);
  }
}

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

/// Float tile: out[a][b] = Σ_i q_a[i] r_b[i] with one FMA chain per pair
/// (MulAdd: fused on targets with FMA), lanes summed by SumOfLanes, then the
/// dim % N tail added in index order. Relative error per dot: about
/// (dim/N + log2 N) · 2^-24 · Σ|q_i r_i| (Higham's bound for blocked sums).
/// On HWY_SCALAR (N = 1, no FMA) the same chain as plain float arithmetic:
/// acc = q·r + acc in index order.
template <std::size_t QT, std::size_t RT>
HWY_INLINE void FloatTile(const float* const* HWY_RESTRICT q, const float* const* HWY_RESTRICT r,
                          std::size_t dim, float (&out)[QT][RT]) {
#if HWY_TARGET == HWY_SCALAR
  float acc[QT][RT] = {};
  for (std::size_t i = 0; i < dim; ++i) {
    float rv[RT];
    HWY_UNROLL(8)
    for (std::size_t b = 0; b < RT; ++b) rv[b] = r[b][i];
    HWY_UNROLL(8)
    for (std::size_t a = 0; a < QT; ++a) {
      const float qv = q[a][i];
      HWY_UNROLL(8)
      for (std::size_t b = 0; b < RT; ++b) acc[a][b] = qv * rv[b] + acc[a][b];
    }
  }
  for (std::size_t a = 0; a < QT; ++a) {
    for (std::size_t b = 0; b < RT; ++b) out[a][b] = acc[a][b];
  }
#else
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
    HWY_UNROLL(8)
    for (std::size_t b = 0; b < RT; ++b) rv[b] = hn::LoadU(df, r[b] + i);
    HWY_UNROLL(8)
    for (std::size_t a = 0; a < QT; ++a) {
      const VF qv = hn::LoadU(df, q[a] + i);
      HWY_UNROLL(8)
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
#endif
}

/// Int8 tile: out[a][b] = Σ_i q_a[i] r_b[i], exact in int32 (the caller
/// guarantees 127² · dim < 2^31). int8 lanes are widened to int16 and
/// multiplied and summed in adjacent pairs into int32 lanes
/// (ReorderWidenMulAccumulate: PMADDWD on x86), then the dim % (2N) tail in
/// scalar; the order of integer additions does not change the result. On
/// HWY_SCALAR, a plain loop.
template <std::size_t QT, std::size_t RT>
HWY_INLINE void Int8Tile(const std::int8_t* const* HWY_RESTRICT q,
                         const std::int8_t* const* HWY_RESTRICT r, std::size_t dim,
                         std::int32_t (&out)[QT][RT]) {
  std::size_t i = 0;
#if HWY_TARGET == HWY_SCALAR
  // Modular uint32 arithmetic: the same bits as int32 (no sum overflows),
  // without the per-operation overflow checks of UBSan builds.
  std::uint32_t sum[QT][RT] = {};
  for (; i < dim; ++i) {
    HWY_UNROLL(8)
    for (std::size_t a = 0; a < QT; ++a) {
      const auto qv = static_cast<std::uint32_t>(std::int32_t{q[a][i]});
      HWY_UNROLL(8)
      for (std::size_t b = 0; b < RT; ++b) {
        sum[a][b] += qv * static_cast<std::uint32_t>(std::int32_t{r[b][i]});
      }
    }
  }
  for (std::size_t a = 0; a < QT; ++a) {
    for (std::size_t b = 0; b < RT; ++b) out[a][b] = static_cast<std::int32_t>(sum[a][b]);
  }
#else
  const hn::ScalableTag<std::int32_t> d32;
  const hn::Repartition<std::int16_t, decltype(d32)> d16;
  const hn::Rebind<std::int8_t, decltype(d16)> d8;
  const std::size_t N16 = hn::Lanes(d16);
  using V = hn::Vec<decltype(d32)>;
  using V16 = hn::Vec<decltype(d16)>;
  V acc0[QT][RT], acc1[QT][RT];
  for (std::size_t a = 0; a < QT; ++a) {
    for (std::size_t b = 0; b < RT; ++b) acc0[a][b] = acc1[a][b] = hn::Zero(d32);
  }
  for (; i + N16 <= dim; i += N16) {
    V16 rv[RT];
    HWY_UNROLL(8)
    for (std::size_t b = 0; b < RT; ++b) rv[b] = hn::PromoteTo(d16, hn::LoadU(d8, r[b] + i));
    HWY_UNROLL(8)
    for (std::size_t a = 0; a < QT; ++a) {
      const V16 qv = hn::PromoteTo(d16, hn::LoadU(d8, q[a] + i));
      HWY_UNROLL(8)
      for (std::size_t b = 0; b < RT; ++b) {
        acc0[a][b] = hn::ReorderWidenMulAccumulate(d32, qv, rv[b], acc0[a][b], acc1[a][b]);
      }
    }
  }
  for (std::size_t a = 0; a < QT; ++a) {
    for (std::size_t b = 0; b < RT; ++b) {
      std::int32_t sum = hn::GetLane(hn::SumOfLanes(d32, hn::Add(acc0[a][b], acc1[a][b])));
      for (std::size_t t = i; t < dim; ++t) sum += std::int32_t{q[a][t]} * std::int32_t{r[b][t]};
      out[a][b] = sum;
    }
  }
#endif
}

}  // namespace hypervec::detail::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#endif  // HYPERVEC_SIMD_CLEANUP_INL_H_
