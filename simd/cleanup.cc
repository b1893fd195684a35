// Cleanup memory (include/hypervec/cleanup.hpp): per-target blocked scans
// that feed bounded top-k heaps, and the validating public wrappers. One
// dispatch per worker per batch.
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "simd/cleanup.cc"
#include <hwy/foreach_target.h>  // IWYU pragma: keep

#include <hwy/aligned_allocator.h>
#include <hwy/cache_control.h>
#include <hwy/highway.h>

#include "simd/cleanup-inl.h"
#include "simd/cleanup-topk.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <vector>

HWY_BEFORE_NAMESPACE();
namespace hypervec::detail::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;
using hypervec::cleanup::detail::TopK;

/// Bytes of codebook rows kept hot (L2) while a query range runs over them.
constexpr std::size_t kRowBlockBytes = 256 * 1024;

/// Rows of row_bytes each in `bytes` (at least one), rounded up to a multiple.
std::size_t RowBlockOf(std::size_t row_bytes, std::size_t bytes, std::size_t multiple) {
  const std::size_t rows = std::max<std::size_t>(1, bytes / std::max<std::size_t>(1, row_bytes));
  return (rows + multiple - 1) / multiple * multiple;
}

std::size_t RowBlock(std::size_t row_bytes, std::size_t multiple) {
  return RowBlockOf(row_bytes, kRowBlockBytes, multiple);
}

// Packed tile shapes: QT·RT accumulators plus QT + RT operands fit the
// register file (32 vectors on AVX-512, 16 on AVX2/SSE); QT·RT is a multiple
// of twice the u64 lane count (HammingTile's u32 sums fill whole vectors).
// The shape never changes a score: integer sums.
#if HWY_TARGET == HWY_SCALAR
constexpr std::size_t kPackedQT = 2, kPackedRT = 2;
#elif HWY_TARGET == HWY_AVX3_DL
constexpr std::size_t kPackedQT = 4, kPackedRT = 4;
#else
constexpr std::size_t kPackedLanes = hn::MaxLanes(hn::ScalableTag<std::uint64_t>());
constexpr std::size_t kPackedQT = kPackedLanes >= 8 ? 4 : 2;
constexpr std::size_t kPackedRT = kPackedLanes >= 4 ? 4 : 2;
#endif

/// Packed blocking: a block of rows small enough for L1 (kPackedRowBytes)
/// is scored against a block of queries kept in L2 (kPackedQueryBytes), so
/// each row is read from memory once per query block and every row tile
/// comes from L1.
constexpr std::size_t kPackedRowBytes = (HWY_MAX_BYTES >= 64 ? 32 : 16) * 1024;
constexpr std::size_t kPackedQueryBytes = 1024 * 1024;

#if HWY_TARGET != HWY_SCALAR
// Query-lane tile shapes (HammingLaneTile): RT rows × QG groups of N queries,
// and RT1 rows for a last single group. AVX3_DL: 16 u64 accumulators, 2 query
// vectors and a broadcast row word; 8 × 2 beat 4 × 4 by 1-15 % (M = 3000,
// Q = 16..1000, D = 4096 and 10000: fewer tail groups, rows reused twice).
// Elsewhere the u8 and u64 accumulators both count, so half as many.
#if HWY_TARGET == HWY_AVX3_DL
constexpr std::size_t kLaneRT = 8, kLaneQG = 2, kLaneRT1 = 8;
#else
constexpr std::size_t kLaneRT = 4, kLaneQG = 2, kLaneRT1 = 4;
#endif

/// Scores QG query groups (group c's interleaved words at g + c·nw·N; queries
/// a0 + c·N + l) against rows [b0, b1) in tiles of RT rows, and pushes every
/// pair whose distance is below its lane of lim (limit_of(a) refreshes it).
/// Rows up to prefetch_end exist: the first group tile of a row block passes
/// the scan's end (else 0) and fetches the next block while scoring this one.
template <std::size_t RT, std::size_t QG, class D, class LimitOf>
HWY_INLINE void LaneTiles(D d64, const std::uint64_t* g, std::size_t nw,
                          const std::uint64_t* HWY_RESTRICT rows, std::size_t r_stride,
                          std::size_t b0, std::size_t b1, std::size_t prefetch_end, std::size_t dim,
                          std::size_t a0, std::uint64_t* lim, const LimitOf& limit_of,
                          TopK* heaps) {
  using V = hn::Vec<D>;
  const std::size_t N = hn::Lanes(d64);
  const auto d = static_cast<std::int64_t>(dim);
  const std::uint64_t* gp[QG];
  for (std::size_t c = 0; c < QG; ++c) gp[c] = g + c * nw * N;
  const std::size_t block = b1 - b0;
  for (std::size_t t0 = b0; t0 < b1; t0 += RT) {
    const std::uint64_t* rp[RT];
    for (std::size_t b = 0; b < RT; ++b) rp[b] = rows + std::min(t0 + b, b1 - 1) * r_stride;
    if (t0 + block < prefetch_end) {
      const char* ahead = reinterpret_cast<const char*>(rows + (t0 + block) * r_stride);
      const std::size_t lines = std::min(RT, prefetch_end - t0 - block) * r_stride * 8 / 64;
      for (std::size_t l = 0; l < lines; ++l) hwy::Prefetch(ahead + l * 64);
    }
    V h[RT * QG];
    HammingLaneTile<RT, QG>(d64, gp, rp, nw, h);
    for (std::size_t c = 0; c < QG; ++c) {
      std::uint64_t* lc = lim + c * N;
      for (std::size_t b = 0; b < RT && t0 + b < b1; ++b) {
        if (hn::AllFalse(d64, hn::Lt(h[b * QG + c], hn::Load(d64, lc)))) continue;
        HWY_ALIGN std::uint64_t lanes[HWY_MAX_BYTES / 8];
        hn::Store(h[b * QG + c], d64, lanes);
        for (std::size_t l = 0; l < N; ++l) {
          if (lanes[l] >= lc[l]) continue;
          const std::size_t a = a0 + c * N + l;
          heaps[a].push(static_cast<double>(d - 2 * static_cast<std::int64_t>(lanes[l])), t0 + b);
          lc[l] = limit_of(a);
        }
      }
    }
  }
}

/// PackedScan for batches of at least 2N queries (N = u64 lanes; a single
/// group streams each row for only N queries, which at D = 10000 lost 13 % to
/// the pair tiles). The queries are interleaved into groups of N (one query
/// per lane; the last group repeats its last query, whose lanes never pass
/// the limit test), each row word is broadcast, and HammingLaneTile leaves
/// every (query, row) distance in a lane, compared with the query's limit in
/// that lane. Same heaps, same pushes as the pair-tiled path: integer
/// distances, and each heap's kept set does not depend on push order.
void PackedLaneScan(const std::uint64_t* HWY_RESTRICT queries, std::size_t q_stride,
                    std::size_t nq, const std::uint64_t* HWY_RESTRICT rows,
                    std::size_t r_stride, std::size_t r0, std::size_t r1, std::size_t dim,
                    TopK* heaps) {
  constexpr std::size_t RT = kLaneRT, QG = kLaneQG;
  const hn::ScalableTag<std::uint64_t> d64;
  const std::size_t N = hn::Lanes(d64);
  const std::size_t nw = packed_words(dim);
  const std::size_t groups = (nq + N - 1) / N;
  const auto d = static_cast<std::int64_t>(dim);
  // limit[a]: a pair is a candidate iff its distance h < limit[a] (see
  // PackedScan); padding lanes keep 0.
  const auto limit = hwy::AllocateAligned<std::uint64_t>(groups * N);
  auto limit_of = [&heaps, d](std::size_t a) -> std::uint64_t {
    const double bar = heaps[a].bar();
    if (bar < -static_cast<double>(d)) return ~std::uint64_t{0};  // not full yet
    return static_cast<std::uint64_t>((d - static_cast<std::int64_t>(bar)) / 2 + 1);
  };
  for (std::size_t a = 0; a < groups * N; ++a) limit[a] = a < nq ? limit_of(a) : 0;
  const std::size_t row_block = RowBlockOf(r_stride * 8, kPackedRowBytes, RT);
  const std::size_t group_block = RowBlockOf(nw * N * 8, kPackedQueryBytes, QG);
  // One block of groups at a time (L2-sized, refilled per block): group c0 + c,
  // word i, lane l at block[(c·nw + i)·N + l].
  const auto block = hwy::AllocateAligned<std::uint64_t>(std::min(groups, group_block) * nw * N);
  for (std::size_t c0 = 0; c0 < groups; c0 += group_block) {
    const std::size_t c1 = std::min(groups, c0 + group_block);
    for (std::size_t c = c0; c < c1; ++c) {
      for (std::size_t l = 0; l < N; ++l) {
        const std::uint64_t* q = queries + std::min(c * N + l, nq - 1) * q_stride;
        std::uint64_t* dst = block.get() + (c - c0) * nw * N + l;
        for (std::size_t i = 0; i < nw; ++i) dst[i * N] = q[i];
      }
    }
    for (std::size_t b0 = r0; b0 < r1; b0 += row_block) {
      const std::size_t b1 = std::min(r1, b0 + row_block);
      for (std::size_t t = c0; t < c1;) {
        if (c1 - t >= QG) {
          LaneTiles<RT, QG>(d64, block.get() + (t - c0) * nw * N, nw, rows, r_stride, b0, b1,
                            t == c0 ? r1 : 0, dim, t * N, limit.get() + t * N, limit_of,
                            heaps);
          t += QG;
        } else {  // the last groups: one at a time, more rows per tile
          LaneTiles<kLaneRT1, 1>(d64, block.get() + (t - c0) * nw * N, nw, rows, r_stride, b0,
                                 b1, t == c0 ? r1 : 0, dim, t * N, limit.get() + t * N,
                                 limit_of, heaps);
          t += 1;
        }
      }
    }
  }
}
#endif

/// Packed queries × packed rows [r0, r1): heaps[a] receives (D - 2·hamming,
/// row id) for query a, through QT × RT register tiles (HammingTile). A pair
/// reaches the heap only when its distance is at most the query's current
/// bar (TopK::bar; the heap itself settles ties by id), so after the first k
/// rows nearly every pair costs one vector compare shared by a whole group
/// of pairs.
/// Contract: rows are zero-padded to whole kAlignment blocks (r_stride words,
/// a multiple of 8, zeros past packed_words(dim)), as PackedMemory stores
/// them; queries may have any stride >= packed_words(dim): they are copied
/// into zero-padded rows, so no load reads past the caller's data.
void PackedScan(const std::uint64_t* HWY_RESTRICT queries, std::size_t q_stride,
                std::size_t nq, const std::uint64_t* HWY_RESTRICT rows, std::size_t r_stride,
                std::size_t r0, std::size_t r1, std::size_t dim, TopK* heaps) {
  if (nq == 0 || r0 >= r1) return;  // nothing to score (and no 0-byte scratch)
#if HWY_TARGET != HWY_SCALAR
  if (nq >= 2 * hn::Lanes(hn::ScalableTag<std::uint64_t>())) {
    PackedLaneScan(queries, q_stride, nq, rows, r_stride, r0, r1, dim, heaps);
    return;
  }
#endif
  constexpr std::size_t QT = kPackedQT, RT = kPackedRT;
  const std::size_t nw = packed_words(dim);
  const std::size_t padded = (nw + 7) / 8 * 8;  // kAlignment / 8 words
  const auto qbuf = hwy::AllocateAligned<std::uint64_t>(nq * padded);
  for (std::size_t a = 0; a < nq; ++a) {
    std::copy(queries + a * q_stride, queries + a * q_stride + nw, qbuf.get() + a * padded);
    std::fill(qbuf.get() + a * padded + nw, qbuf.get() + (a + 1) * padded, std::uint64_t{0});
  }
  const auto d = static_cast<std::int64_t>(dim);
  // limit[a]: a pair is a candidate iff its distance h < limit[a]; from
  // bar = D - 2·h_bar that is h <= h_bar (ties go on to the exact push).
  std::vector<std::uint32_t> limit(nq);
  auto limit_of = [&heaps, d](std::size_t a) -> std::uint32_t {
    const double bar = heaps[a].bar();
    if (bar < -static_cast<double>(d)) return ~std::uint32_t{0};  // not full yet
    return static_cast<std::uint32_t>((d - static_cast<std::int64_t>(bar)) / 2 + 1);
  };
  for (std::size_t a = 0; a < nq; ++a) limit[a] = limit_of(a);
#if HWY_TARGET == HWY_SCALAR
  const std::size_t n = nw;
#else
  const hn::ScalableTag<std::uint64_t> d64;
  const hn::Repartition<std::uint32_t, decltype(d64)> d32;
  constexpr std::size_t N = hn::MaxLanes(d64);
  static_assert((QT * RT) % (2 * N) == 0, "the tile must fill whole vectors of sums");
  const std::size_t n = (nw + N - 1) / N * N;  // <= padded: N divides 8
#endif
  const std::size_t row_block = RowBlockOf(padded * 8, kPackedRowBytes, RT);
  const std::size_t query_block = RowBlockOf(padded * 8, kPackedQueryBytes, QT);
  for (std::size_t q0 = 0; q0 < nq; q0 += query_block) {
    const std::size_t q1 = std::min(nq, q0 + query_block);
    for (std::size_t b0 = r0; b0 < r1; b0 += row_block) {
      const std::size_t b1 = std::min(r1, b0 + row_block);
      for (std::size_t a0 = q0; a0 < q1; a0 += QT) {
        const std::uint64_t* qp[QT];
        for (std::size_t a = 0; a < QT; ++a) qp[a] = qbuf.get() + std::min(a0 + a, q1 - 1) * padded;
        // The tile's limits, pair p = a·RT + b; a ragged tile's padding
        // pairs are filtered by index below.
        HWY_ALIGN std::uint32_t tile_limit[QT * RT];
        auto refresh = [&](std::size_t a) {
          const std::uint32_t l = a0 + a < q1 ? limit[a0 + a] : 0;
          for (std::size_t b = 0; b < RT; ++b) tile_limit[a * RT + b] = l;
        };
        for (std::size_t a = 0; a < QT; ++a) refresh(a);
        // Pushes the pairs p0 .. p0+count-1 whose distance h[p - p0] passes.
        auto push = [&](std::size_t t0, const std::uint32_t* h, std::size_t p0, std::size_t count) {
          for (std::size_t p = p0; p < p0 + count; ++p) {
            const std::size_t a = p / RT, b = p % RT;
            if (h[p - p0] >= tile_limit[p] || t0 + b >= b1) continue;
            heaps[a0 + a].push(static_cast<double>(d - 2 * static_cast<std::int64_t>(h[p - p0])),
                               t0 + b);
            limit[a0 + a] = limit_of(a0 + a);
            refresh(a);
          }
        };
        for (std::size_t t0 = b0; t0 < b1; t0 += RT) {
          const std::uint64_t* rp[RT];
          for (std::size_t b = 0; b < RT; ++b) rp[b] = rows + std::min(t0 + b, b1 - 1) * r_stride;
          // The first query tile of a block prefetches the next block's rows
          // (a row tile's worth per tile): a codebook too big for the caches
          // then streams in while this block is scored.
          if (a0 == q0 && t0 + row_block < r1) {
            const char* ahead = reinterpret_cast<const char*>(rows + (t0 + row_block) * r_stride);
            const std::size_t lines = std::min(RT, r1 - t0 - row_block) * r_stride * 8 / 64;
            for (std::size_t l = 0; l < lines; ++l) hwy::Prefetch(ahead + l * 64);
          }
#if HWY_TARGET == HWY_SCALAR
          std::uint64_t sums[QT * RT];
          HammingTile<QT, RT>(qp, rp, n, sums);
          std::uint32_t h[QT * RT];
          for (std::size_t p = 0; p < QT * RT; ++p) h[p] = static_cast<std::uint32_t>(sums[p]);
          push(t0, h, 0, QT * RT);
#else
          hn::Vec<decltype(d32)> h[QT * RT / (2 * N)];
          HammingTile<QT, RT>(d64, qp, rp, n, h);
          for (std::size_t g = 0; g < QT * RT / (2 * N); ++g) {
            const auto over = hn::Gt(hn::Load(d32, tile_limit + g * 2 * N), h[g]);
            if (hn::AllFalse(d32, over)) continue;
            HWY_ALIGN std::uint32_t lanes[2 * N];
            hn::Store(h[g], d32, lanes);
            push(t0, lanes, g * 2 * N, 2 * N);
          }
#endif
        }
      }
    }
  }
}

/// Walks queries [0, nq) × rows [r0, r1) in QT × RT tiles, rows a block at a
/// time; a ragged tile repeats its last query/row and drops those outputs.
/// tile(q_ptrs, r_ptrs, out) scores one tile; push(a, r, value) consumes.
template <std::size_t QT, std::size_t RT, typename Q, typename R, typename Out, typename Tile,
          typename Push>
HWY_INLINE void TiledScan(const Q* queries, std::size_t q_stride, std::size_t nq, const R* rows,
                          std::size_t r_stride, std::size_t r0, std::size_t r1,
                          std::size_t row_bytes, const Tile& tile, const Push& push) {
  const std::size_t block = RowBlock(row_bytes, RT);
  for (std::size_t b0 = r0; b0 < r1; b0 += block) {
    const std::size_t b1 = std::min(r1, b0 + block);
    for (std::size_t a0 = 0; a0 < nq; a0 += QT) {
      const Q* qp[QT];
      for (std::size_t a = 0; a < QT; ++a) qp[a] = queries + std::min(a0 + a, nq - 1) * q_stride;
      for (std::size_t t0 = b0; t0 < b1; t0 += RT) {
        const R* rp[RT];
        for (std::size_t b = 0; b < RT; ++b) rp[b] = rows + std::min(t0 + b, b1 - 1) * r_stride;
        Out out[QT][RT];
        tile(qp, rp, out);
        for (std::size_t a = 0; a < QT && a0 + a < nq; ++a) {
          for (std::size_t b = 0; b < RT && t0 + b < b1; ++b) push(a0 + a, t0 + b, out[a][b]);
        }
      }
    }
  }
}

/// Panel sizes of the GEMM-like float scan: kPanel queries and kPanel rows,
/// kDepth components deep (2 × 48 × 8 KiB = 768 KiB, inside L2), so every
/// operand is reused from cache by the whole tile grid of the panel pair.
constexpr std::size_t kPanel = 48;
constexpr std::size_t kDepth = 2048;

// Tile shapes: accumulators (QT·RT·vectors per accumulator) fit the register
// file of each target with room for the row and query operands. Batches of
// fewer than QT queries use a 1 × RT1 tile instead of padding. The shape never
// changes a score: each (query, row) pair has its own accumulation chain.
#if HWY_TARGET == HWY_SCALAR
constexpr std::size_t kMixedQT = 1, kMixedRT = 2, kMixedRT1 = 2;
constexpr std::size_t kDenseQT = 2, kDenseRT = 2, kDenseRT1 = 4;
#else
constexpr std::size_t kMixedLanes = hn::MaxLanes(hn::ScalableTag<float>());
constexpr std::size_t kMixedQT = kMixedLanes >= 16 ? 4 : (kMixedLanes >= 8 ? 2 : 1);
constexpr std::size_t kMixedRT = kMixedLanes >= 16 ? 4 : 2;
constexpr std::size_t kMixedRT1 = kMixedLanes >= 16 ? 8 : (kMixedLanes >= 8 ? 4 : 2);
constexpr std::size_t kDenseQT = HWY_MAX_BYTES >= 64 ? 4 : 2;
constexpr std::size_t kDenseRT = HWY_MAX_BYTES >= 64 ? 6 : 4;
constexpr std::size_t kDenseRT1 = HWY_MAX_BYTES >= 64 ? 8 : 4;
#endif

template <std::size_t QT, std::size_t RT>
void MixedScanTiles(const float* HWY_RESTRICT queries, std::size_t q_stride, std::size_t nq,
                    const std::uint64_t* HWY_RESTRICT rows, std::size_t r_stride, std::size_t r0,
                    std::size_t r1, std::size_t dim, TopK* heaps) {
  TiledScan<QT, RT, float, std::uint64_t, float>(
      queries, q_stride, nq, rows, r_stride, r0, r1, packed_words(dim) * 8,
      [dim](const float* const* qp, const std::uint64_t* const* rp, float (&out)[QT][RT]) {
        MixedTile<QT, RT>(qp, rp, dim, out);
      },
      [heaps](std::size_t a, std::size_t r, float v) {
        heaps[a].push(static_cast<double>(v), r);
      });
}

/// Float queries × packed rows [r0, r1): heaps[a] receives (Σ q_i b_i, id),
/// summed by MixedTile (sign flips, 16 partial sums). The public wrapper runs
/// it for batches of fewer than kMixedLutMinQueries queries.
void MixedScan(const float* HWY_RESTRICT queries, std::size_t q_stride, std::size_t nq,
               const std::uint64_t* HWY_RESTRICT rows, std::size_t r_stride, std::size_t r0,
               std::size_t r1, std::size_t dim, TopK* heaps) {
  if (nq == 0 || r0 >= r1) return;  // nothing to score (and no 0-byte scratch)
  if (nq >= kMixedQT) {
    MixedScanTiles<kMixedQT, kMixedRT>(queries, q_stride, nq, rows, r_stride, r0, r1, dim, heaps);
  } else {
    MixedScanTiles<1, kMixedRT1>(queries, q_stride, nq, rows, r_stride, r0, r1, dim, heaps);
  }
}

/// Accumulators of one row block of the mixed table scan (block rows × P
/// floats, L2-resident; the word's tables stay in L1 while the block runs).
/// Every block reads the panel's tables once (2 MiB at D = 4096, P = 32), so
/// bigger blocks win until the accumulators crowd L2: measured on AVX3_DL,
/// 64 → 256 KiB is 0.7 → 0.9 table adds per cycle.
constexpr std::size_t kLutBlockBytes = 256 * 1024;

/// Rows per block for a panel of P queries.
constexpr std::size_t LutBlockRows(std::size_t P) {
  return std::max<std::size_t>(1, kLutBlockBytes / (P * sizeof(float)));
}

/// Mixed batch panel: queries [0, nq), nq <= P = kV·L, against rows [r0, r1)
/// through the sign tables of cleanup-inl.h (TransposePanel, BuildSignTables,
/// LutRows). Rows go a block at a time, every word of the block against its
/// tables, then the block's scores are offered to the heaps: a P-lane
/// compare with the queries' bars, so only candidates reach TopK::push.
/// Scratch (from MixedLutScan): qt and tables for P queries, acc for a block.
template <std::size_t kV>
void MixedLutPanel(const float* HWY_RESTRICT queries, std::size_t q_stride, std::size_t nq,
                   const std::uint64_t* HWY_RESTRICT rows, std::size_t r_stride, std::size_t r0,
                   std::size_t r1, std::size_t dim, float* HWY_RESTRICT qt,
                   float* HWY_RESTRICT tables, float* HWY_RESTRICT acc, TopK* heaps) {
  const hn::ScalableTag<float> df;
  constexpr std::size_t L = hn::MaxLanes(df);
  constexpr std::size_t P = kV * L;
  const std::size_t nw = packed_words(dim);
  TransposePanel<P>(queries, q_stride, nq, dim, qt);
  BuildSignTables<kV>(qt, dim, tables);
  const std::size_t block = LutBlockRows(P);
  HWY_ALIGN float bar[P];
  for (std::size_t lane = 0; lane < P; ++lane) {
    bar[lane] = lane < nq ? static_cast<float>(heaps[lane].bar())
                          : std::numeric_limits<float>::infinity();
  }
  for (std::size_t b0 = r0; b0 < r1; b0 += block) {
    const std::size_t count = std::min(r1 - b0, block);
    std::fill(acc, acc + count * P, 0.0f);
    for (std::size_t j = 0; j < nw; ++j) {
      LutRows<kV>(tables, j, dim, rows + b0 * r_stride, r_stride, count, acc);
    }
    for (std::size_t r = 0; r < count; ++r) {
      for (std::size_t v = 0; v < kV; ++v) {
        const auto score = hn::Load(df, acc + r * P + v * L);
        if (hn::AllFalse(df, hn::Ge(score, hn::Load(df, bar + v * L)))) continue;
        for (std::size_t lane = v * L; lane < v * L + L; ++lane) {
          const float value = acc[r * P + lane];
          if (lane >= nq || value < bar[lane]) continue;
          heaps[lane].push(static_cast<double>(value), b0 + r);
          // The bar is a kept float score, or -inf: exact as a float.
          bar[lane] = static_cast<float>(heaps[lane].bar());
        }
      }
    }
  }
}

#if HWY_TARGET == HWY_SCALAR
constexpr std::size_t kLutMaxV = 4;  // 4 queries per table entry
#else
constexpr std::size_t kLutMaxV = 2;
#endif

/// Float queries × packed rows [r0, r1) for batches (the public wrapper
/// chooses it from kMixedLutMinQueries queries on): panels of up to
/// kLutMaxV·L queries, each the narrowest of kV = 1, 2(, 4) that holds the
/// remaining queries. A query's score does not depend on its panel, the
/// panel width, the row range or the target (see cleanup-inl.h), so neither
/// do the results; they may differ in the last bits from MixedScan's.
void MixedLutScan(const float* HWY_RESTRICT queries, std::size_t q_stride, std::size_t nq,
                  const std::uint64_t* HWY_RESTRICT rows, std::size_t r_stride, std::size_t r0,
                  std::size_t r1, std::size_t dim, TopK* heaps) {
  if (nq == 0 || r0 >= r1) return;  // nothing to score (and no 0-byte scratch)
  constexpr std::size_t L = hn::MaxLanes(hn::ScalableTag<float>());
  constexpr std::size_t kMaxP = kLutMaxV * L;
  // Scratch for the widest panel, reused by every panel.
  const std::size_t nw = packed_words(dim);
  const auto qt = hwy::AllocateAligned<float>(nw * 64 * kMaxP);
  const auto tables = hwy::AllocateAligned<float>(nw * 16 * 16 * kMaxP);
  const auto acc = hwy::AllocateAligned<float>(kLutBlockBytes / sizeof(float) + kMaxP);
  for (std::size_t a0 = 0; a0 < nq;) {
    const std::size_t left = nq - a0;
    const float* q = queries + a0 * q_stride;
    std::size_t take;
    if (left <= L) {
      take = left;
      MixedLutPanel<1>(q, q_stride, take, rows, r_stride, r0, r1, dim, qt.get(), tables.get(),
                       acc.get(), heaps + a0);
    } else if (kLutMaxV == 2 || left <= 2 * L) {
      take = std::min(left, 2 * L);
      MixedLutPanel<2>(q, q_stride, take, rows, r_stride, r0, r1, dim, qt.get(), tables.get(),
                       acc.get(), heaps + a0);
    } else {
      take = std::min(left, kMaxP);
      MixedLutPanel<kLutMaxV>(q, q_stride, take, rows, r_stride, r0, r1, dim, qt.get(),
                              tables.get(), acc.get(), heaps + a0);
    }
    a0 += take;
  }
}


/// Float scan blocked in all three dimensions (queries, rows, components):
/// dot(q, r) = Σ over depth blocks of FloatTile's block sum, added in depth
/// order to a float partial. The blocking is fixed (never depends on the
/// thread count or the range a worker owns), so neither is the result.
template <std::size_t QT, std::size_t RT>
void FloatScanPanels(const float* HWY_RESTRICT queries, std::size_t q_stride, std::size_t nq,
                     const float* HWY_RESTRICT rows, std::size_t r_stride, std::size_t r0,
                     std::size_t r1, std::size_t dim, const double* scale, TopK* heaps) {
  static_assert(kPanel % QT == 0 && kPanel % RT == 0, "tiles must divide the panel");
  static_assert(kDepth % 64 == 0, "depth blocks must keep vectors whole");
  float partial[kPanel][kPanel];
  for (std::size_t b0 = r0; b0 < r1; b0 += kPanel) {
    const std::size_t b1 = std::min(r1, b0 + kPanel);
    for (std::size_t a0 = 0; a0 < nq; a0 += kPanel) {
      const std::size_t a1 = std::min(nq, a0 + kPanel);
      for (auto& line : partial) std::fill(std::begin(line), std::end(line), 0.0f);
      for (std::size_t d0 = 0; d0 < dim; d0 += kDepth) {
        const std::size_t depth = std::min(kDepth, dim - d0);
        for (std::size_t t = a0; t < a1; t += QT) {
          const float* qp[QT];
          for (std::size_t a = 0; a < QT; ++a) {
            qp[a] = queries + std::min(t + a, a1 - 1) * q_stride + d0;
          }
          for (std::size_t u = b0; u < b1; u += RT) {
            const float* rp[RT];
            for (std::size_t b = 0; b < RT; ++b) {
              rp[b] = rows + std::min(u + b, b1 - 1) * r_stride + d0;
            }
            float out[QT][RT];
            FloatTile<QT, RT>(qp, rp, depth, out);
            for (std::size_t a = 0; a < QT; ++a) {
              for (std::size_t b = 0; b < RT; ++b) partial[t - a0 + a][u - b0 + b] += out[a][b];
            }
          }
        }
      }
      for (std::size_t a = a0; a < a1; ++a) {
        for (std::size_t r = b0; r < b1; ++r) {
          const auto v = static_cast<double>(partial[a - a0][r - b0]);
          heaps[a].push(scale ? v * scale[r] : v, r);
        }
      }
    }
  }
}

/// Float queries × float rows [r0, r1): heaps[a] receives (dot · scale[r], id),
/// or (dot, id) when scale is null.
void FloatScan(const float* HWY_RESTRICT queries, std::size_t q_stride, std::size_t nq,
               const float* HWY_RESTRICT rows, std::size_t r_stride, std::size_t r0,
               std::size_t r1, std::size_t dim, const double* scale, TopK* heaps) {
  if (nq == 0 || r0 >= r1) return;  // nothing to score (and no 0-byte scratch)
  // One blocking for every batch size (single queries included), so a query
  // scores the same alone or in a batch.
  if (nq >= kDenseQT) {
    FloatScanPanels<kDenseQT, kDenseRT>(queries, q_stride, nq, rows, r_stride, r0, r1, dim, scale,
                                        heaps);
  } else {
    FloatScanPanels<1, kDenseRT1>(queries, q_stride, nq, rows, r_stride, r0, r1, dim, scale, heaps);
  }
}

template <std::size_t QT, std::size_t RT>
void Int8ScanTiles(const std::int8_t* HWY_RESTRICT queries, std::size_t q_stride, std::size_t nq,
                   const std::int8_t* HWY_RESTRICT rows, std::size_t r_stride, std::size_t r0,
                   std::size_t r1, std::size_t dim, const double* scale, TopK* heaps) {
  TiledScan<QT, RT, std::int8_t, std::int8_t, std::int32_t>(
      queries, q_stride, nq, rows, r_stride, r0, r1, dim,
      [dim](const std::int8_t* const* qp, const std::int8_t* const* rp,
            std::int32_t (&out)[QT][RT]) { Int8Tile<QT, RT>(qp, rp, dim, out); },
      [heaps, scale](std::size_t a, std::size_t r, std::int32_t v) {
        heaps[a].push(scale ? static_cast<double>(v) * scale[r] : static_cast<double>(v), r);
      });
}

/// Int8 queries × int8 rows [r0, r1), as FloatScan with exact int32 dots.
void Int8Scan(const std::int8_t* HWY_RESTRICT queries, std::size_t q_stride, std::size_t nq,
              const std::int8_t* HWY_RESTRICT rows, std::size_t r_stride, std::size_t r0,
              std::size_t r1, std::size_t dim, const double* scale, TopK* heaps) {
  if (nq == 0 || r0 >= r1) return;  // nothing to score (and no 0-byte scratch)
  if (nq >= kDenseQT) {
    Int8ScanTiles<kDenseQT, kDenseRT>(queries, q_stride, nq, rows, r_stride, r0, r1, dim, scale,
                                      heaps);
  } else {
    Int8ScanTiles<1, kDenseRT1>(queries, q_stride, nq, rows, r_stride, r0, r1, dim, scale, heaps);
  }
}

}  // namespace hypervec::detail::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
#include <hypervec/bipolar.hpp>
#include <hypervec/bundle.hpp>
#include <hypervec/cleanup.hpp>
#include <hypervec/detail/parallel.hpp>
#include <hypervec/error.hpp>
#include <hypervec/hrr.hpp>

#ifndef HYPERVEC_HAVE_OPENBLAS
#define HYPERVEC_HAVE_OPENBLAS 0
#endif
#if HYPERVEC_HAVE_OPENBLAS
#include <cblas.h>  // OpenBLAS (Meson feature `blas`): batched float scores
#endif

#include <bit>
#include <cmath>
#include <complex>
#include <memory>
#include <mutex>
#include <numbers>

namespace hypervec {
namespace detail {
HWY_EXPORT(PackedScan);
HWY_EXPORT(MixedScan);
HWY_EXPORT(MixedLutScan);
HWY_EXPORT(FloatScan);
HWY_EXPORT(Int8Scan);
}  // namespace detail

namespace cleanup {
namespace {

using detail::TopK;

/// Runs scan(q_begin, q_end, r_begin, r_end, heaps) over Q queries and M rows
/// with up to `threads` workers and returns one heap per query. With at least
/// as many queries as workers, each worker owns a query range; otherwise each
/// owns a row range of at least 256 rows with its own heaps, merged
/// afterwards. Either way the result is the unique top-k under
/// detail::better, so it does not depend on the thread count. scan is never
/// called with an empty query or row range (Q == 0 or M == 0: empty heaps).
template <typename Scan>
std::vector<TopK> run(std::size_t nq, std::size_t rows, std::size_t k, unsigned threads,
                      const Scan& scan) {
  constexpr std::size_t kMinRowsPerWorker = 256;
  std::vector<TopK> heaps(nq, TopK(k));
  if (nq == 0 || rows == 0) return heaps;
  const std::size_t t = std::min<std::size_t>(
      threads == 0 ? hypervec::detail::default_thread_count() : threads,
      hypervec::detail::max_thread_count());
  if (nq >= t || rows < kMinRowsPerWorker * t) {
    hypervec::detail::parallel_for(nq, threads, 1, [&](std::size_t b, std::size_t e) {
      scan(b, e, std::size_t{0}, rows, heaps.data() + b);
    });
    return heaps;
  }
  // Row pieces are indices of the loop below, so each has a fixed owner.
  const std::size_t pieces = hypervec::detail::worker_count(rows, static_cast<unsigned>(t),
                                                            kMinRowsPerWorker);
  std::vector<std::vector<TopK>> partial(pieces, std::vector<TopK>(nq, TopK(k)));
  hypervec::detail::parallel_for(pieces, static_cast<unsigned>(pieces), 1,
                                 [&](std::size_t b, std::size_t e) {
    for (std::size_t w = b; w < e; ++w) {
      scan(std::size_t{0}, nq, hypervec::detail::piece_begin(rows, pieces, w),
           hypervec::detail::piece_begin(rows, pieces, w + 1), partial[w].data());
    }
  });
  for (auto& part : partial) {
    for (std::size_t a = 0; a < nq; ++a) heaps[a].merge(part[a]);
  }
  return heaps;
}

/// Mixed batches of at least this many queries run MixedLutScan (sign
/// tables), smaller ones MixedScan (sign flips per pair). Measured at M =
/// 100,000, D = 4096, one thread, AVX3_DL (ms per batch, flips → tables):
/// Q = 1: 24 → 61; 2: 46 → 58; 3: 66 → 59; 4: 55 → 58; 5..8: 102 → 60. The
/// table cost hardly depends on Q up to one panel (16 or 32 queries).
constexpr std::size_t kMixedLutMinQueries = 3;

void check_options(const char* where, std::size_t rows, const Options& options) {
  hypervec::detail::require(rows != 0, where, ": the memory is empty; add rows before searching");
  hypervec::detail::require(options.k >= 1 && options.k <= rows, where, ": k=", options.k,
                            " is out of range; need 1 <= k <= M=", rows);
  hypervec::detail::require(!std::isnan(options.min_cosine) && !std::isnan(options.min_z), where,
                            ": min_cosine / min_z is NaN");
}

/// Turns heaps into matches: cosine_of(hit) gives the cosine; thresholds
/// filter; labels are copied.
template <typename CosineOf>
std::vector<Matches> finish(const std::vector<TopK>& heaps, std::size_t dim,
                            const Options& options, const detail::LabelIndex& labels,
                            const CosineOf& cosine_of) {
  std::vector<Matches> out(heaps.size());
  for (std::size_t a = 0; a < heaps.size(); ++a) {
    for (const detail::Hit& hit : heaps[a].sorted()) {
      Match m;
      m.id = hit.id;
      m.score = hit.score;
      m.cosine = cosine_of(a, hit);
      m.z = z_score(m.cosine, dim);
      m.p = p_value(m.z);
      if (m.cosine < options.min_cosine || m.z < options.min_z) continue;
      m.label = labels[hit.id];
      out[a].push_back(std::move(m));
    }
  }
  return out;
}

/// ‖v‖ in double; throws InvalidArgument naming `what` on NaN or ±Inf.
template <typename T>
double checked_norm(const T* v, std::size_t dim, const char* where, const char* what,
                    std::size_t index) {
  // Four partial sums (a fixed order, independent add chains).
  double part[4] = {0, 0, 0, 0};
  std::size_t i = 0;
  for (; i + 4 <= dim; i += 4) {
    for (std::size_t l = 0; l < 4; ++l) {
      part[l] += static_cast<double>(v[i + l]) * static_cast<double>(v[i + l]);
    }
  }
  for (; i < dim; ++i) part[0] += static_cast<double>(v[i]) * static_cast<double>(v[i]);
  const double sum = (part[0] + part[1]) + (part[2] + part[3]);
  if (!std::isfinite(sum)) {  // finite floats cannot overflow a double sum of squares
    std::size_t bad = 0;
    while (bad + 1 < dim && std::isfinite(static_cast<double>(v[bad]))) ++bad;
    throw InvalidArgument(hypervec::detail::concat(where, ": ", what, " ", index, " holds ",
                                                   static_cast<double>(v[bad]), " at component ",
                                                   bad, "; values must be finite"));
  }
  return std::sqrt(sum);
}

/// A batch view must have a data pointer (when non-empty) and a stride that
/// covers a row.
template <typename View>
void check_batch(const char* where, const char* what, const View& v, std::size_t need_stride,
                 std::size_t stride) {
  hypervec::detail::require(v.rows == 0 || stride >= need_stride, where, ": ", what,
                            " has stride ", stride, ", a row needs ", need_stride);
  if constexpr (requires { v.words; }) {
    hypervec::detail::require(v.rows == 0 || v.words != nullptr, where, ": ", what,
                              " is a null pointer");
  } else {
    hypervec::detail::require(v.rows == 0 || v.data != nullptr, where, ": ", what,
                              " is a null pointer");
  }
}

/// Float scores of huge or tiny finite values (|x| up to FLT_MAX) would
/// overflow to ±Inf (then NaN) or underflow in the float kernels. The fix is
/// exact: power-of-two scaling commutes with every float add, multiply and
/// FMA absent overflow and underflow. Query a is scored as q_a · 2^-shift[a]
/// when its largest |component|, or the memory's rows (exponents row_hi of
/// the largest and row_lo of the smallest non-zero row maximum), leave
/// [2^-kSafeExp, 2^kSafeExp]; then its largest |component| becomes [1, 2),
/// lowered further by 2^-extra when row_hi + log2(D) would still overflow
/// the sums. In-range queries against in-range rows (every usual input) keep
/// shift 0 and are not copied, so their scores are bit for bit unchanged.
/// Scaled scores are ldexp'ed back. Rows of a memory spanning more than
/// about 2^200 in magnitude lose precision on the smallest ones (products
/// below the float range), never finiteness.
constexpr int kSafeExp = 40;

/// ilogb of the largest |component| of each row of `rows` (INT_MIN for zero).
std::vector<int> max_exponents(const DenseMatrixView<float>& rows) {
  std::vector<int> out(rows.rows, std::numeric_limits<int>::min());
  for (std::size_t a = 0; a < rows.rows; ++a) {
    float m = 0;
    for (const float x : rows.row(a)) m = std::max(m, std::abs(x));
    if (m > 0) out[a] = std::ilogb(m);
  }
  return out;
}

struct ScaledQueries {
  std::vector<int> shift;         // query a is scored as q_a · 2^-shift[a]
  DenseMatrix<float> storage;     // the scaled copy, when some shift != 0
  DenseMatrixView<float> view;    // what the kernels read
};

/// See kSafeExp. queries: finite (checked by the caller).
ScaledQueries scale_queries(const DenseMatrixView<float>& queries, int row_hi, int row_lo) {
  ScaledQueries out;
  out.view = queries;
  const std::vector<int> e = max_exponents(queries);
  out.shift.assign(queries.rows, 0);
  const bool rows_in_range = row_hi <= kSafeExp && row_lo >= -kSafeExp;
  // |q| < 2, |r| < 2^(row_hi+1), D terms: sums below 2^(row_hi + 2 + log2 D) < 2^126.
  const int extra = std::max(0, row_hi + 3 + static_cast<int>(std::bit_width(queries.dim)) - 126);
  bool any = false;
  for (std::size_t a = 0; a < queries.rows; ++a) {
    if (e[a] == std::numeric_limits<int>::min()) continue;  // zero query
    if (rows_in_range && e[a] >= -kSafeExp && e[a] <= kSafeExp) continue;
    out.shift[a] = e[a] + extra;
    any = any || out.shift[a] != 0;
  }
  if (!any) return out;
  out.storage = DenseMatrix<float>(queries.rows, queries.dim);
  for (std::size_t a = 0; a < queries.rows; ++a) {
    const auto src = queries.row(a);
    auto dst = out.storage.row(a);
    for (std::size_t i = 0; i < queries.dim; ++i) dst[i] = std::ldexp(src[i], -out.shift[a]);
  }
  out.view = out.storage.view();
  return out;
}

/// Undoes the query scaling on reported scores (cosines are scale-free).
void unscale_scores(std::vector<Matches>& matches, const std::vector<int>& shift) {
  for (std::size_t a = 0; a < matches.size(); ++a) {
    if (shift[a] == 0) continue;
    for (Match& m : matches[a]) m.score = std::ldexp(m.score, shift[a]);
  }
}

void check_labels(const char* where, std::size_t rows, std::span<const std::string> labels) {
  hypervec::detail::require<DimensionError>(labels.empty() || labels.size() == rows, where,
                                            ": labels has ", labels.size(), " entries, rows has ",
                                            rows, "; need one label per row or none");
}

template <typename M>
std::optional<Match> first_of(M&& matches) {
  if (matches.empty()) return std::nullopt;
  return std::move(matches.front());
}

Options single(Options options) {
  options.k = 1;
  return options;
}

}  // namespace

double z_score(double cosine, std::size_t dim) {
  return cosine * std::sqrt(static_cast<double>(dim));
}

double p_value(double z) { return 0.5 * std::erfc(z / std::numbers::sqrt2); }

// --- LabelIndex ----------------------------------------------------------------

namespace detail {

void LabelIndex::check_new(std::span<const std::string> labels, const char* where) const {
  std::unordered_map<std::string_view, std::size_t> seen;
  for (std::size_t i = 0; i < labels.size(); ++i) {
    if (labels[i].empty()) continue;
    if (index_.count(labels[i]) != 0 || !seen.emplace(labels[i], i).second) {
      throw InvalidArgument(hypervec::detail::concat(
          where, ": duplicate label \"", labels[i], "\" (labels[", i,
          "]); non-empty labels must be unique"));
    }
  }
}

void LabelIndex::add(std::string label, const char* where) {
  if (!label.empty()) {
    if (index_.count(label) != 0) {
      throw InvalidArgument(hypervec::detail::concat(
          where, ": duplicate label \"", label, "\" (already row ", index_.at(label),
          "); non-empty labels must be unique"));
    }
    index_.emplace(label, labels_.size());
  }
  labels_.push_back(std::move(label));
}

std::optional<std::size_t> LabelIndex::find(std::string_view label) const {
  if (label.empty()) return std::nullopt;
  const auto it = index_.find(std::string(label));
  if (it == index_.end()) return std::nullopt;
  return it->second;
}

}  // namespace detail

// --- PackedMemory ----------------------------------------------------------------

PackedMemory::PackedMemory(std::size_t dim)
    : dim_(dim), store_(padded_length<std::uint64_t>(packed_words(dim))) {
  hypervec::detail::require_valid_dim("cleanup::PackedMemory", "the memory", dim);
}

PackedMemory::PackedMemory(const PackedMatrixView& codebook, std::span<const std::string> labels)
    : PackedMemory(codebook.dim) {
  add(codebook, labels);
}

std::size_t PackedMemory::add(PackedView row, std::string label) {
  constexpr const char* where = "cleanup::PackedMemory::add";
  hypervec::detail::require_same_dim(where, "the memory", dim_, "row", row.dim);
  make_packed_view(row.words, row.num_words(), row.dim, "row");
  labels_.add(std::move(label), where);
  store_.append(row.words, 0, 1, packed_words(dim_));  // row may be one of ours
  return size() - 1;
}

void PackedMemory::add(const PackedMatrixView& rows, std::span<const std::string> labels) {
  constexpr const char* where = "cleanup::PackedMemory::add";
  hypervec::detail::require_same_dim(where, "the memory", dim_, "rows", rows.dim);
  check_batch(where, "rows", rows, packed_words(dim_), rows.stride_words);
  check_labels(where, rows.rows, labels);
  labels_.check_new(labels, where);
  for (std::size_t r = 0; r < rows.rows; ++r) {
    make_packed_view(rows.row(r).words, packed_words(dim_), dim_, "a row of rows");
  }
  if (rows.rows == 0) return;
  // rows may be a view of this memory (e.g. view()): append copies safely.
  store_.append(rows.words, rows.stride_words, rows.rows, packed_words(dim_));
  for (std::size_t r = 0; r < rows.rows; ++r) {
    labels_.add(labels.empty() ? std::string() : labels[r], where);
  }
}

PackedView PackedMemory::row(std::size_t id) const {
  hypervec::detail::require(id < size(), "cleanup::PackedMemory::row: id ", id,
                            " out of range; M=", size());
  return {store_.row(id), dim_};
}

const std::string& PackedMemory::label(std::size_t id) const {
  hypervec::detail::require(id < size(), "cleanup::PackedMemory::label: id ", id,
                            " out of range; M=", size());
  return labels_[id];
}

std::vector<Matches> PackedMemory::search(const PackedMatrixView& queries,
                                          const Options& options) const {
  constexpr const char* where = "cleanup::PackedMemory::search";
  hypervec::detail::require_same_dim(where, "the memory", dim_, "queries", queries.dim);
  check_options(where, size(), options);
  const std::size_t nw = packed_words(dim_);
  check_batch(where, "queries", queries, nw, queries.stride_words);
  for (std::size_t a = 0; a < queries.rows; ++a) {
    make_packed_view(queries.row(a).words, nw, dim_, "a query");
  }
  const auto heaps = run(queries.rows, size(), options.k, options.threads,
                         [&](std::size_t a0, std::size_t a1, std::size_t r0, std::size_t r1,
                             TopK* heaps_out) {
                           HWY_DYNAMIC_DISPATCH(hypervec::detail::PackedScan)(
                               queries.words + a0 * queries.stride_words,
                               queries.stride_words, a1 - a0, store_.data(),
                               store_.stride(), r0, r1, dim_, heaps_out);
                         });
  const double d = static_cast<double>(dim_);
  return finish(heaps, dim_, options, labels_,
                [d](std::size_t, const detail::Hit& h) { return h.score / d; });
}

Matches PackedMemory::search(PackedView query, const Options& options) const {
  hypervec::detail::require_same_dim("cleanup::PackedMemory::search", "the memory", dim_,
                                     "query", query.dim);
  return std::move(search(PackedMatrixView{query.words, 1, query.dim, query.num_words()},
                          options)
                       .front());
}

std::vector<Matches> PackedMemory::search(const DenseMatrixView<float>& queries,
                                          const Options& options) const {
  constexpr const char* where = "cleanup::PackedMemory::search (float queries)";
  hypervec::detail::require_same_dim(where, "the memory", dim_, "queries", queries.dim);
  check_options(where, size(), options);
  check_batch(where, "queries", queries, dim_, queries.stride);
  std::vector<double> norms(queries.rows);
  for (std::size_t a = 0; a < queries.rows; ++a) {
    norms[a] = checked_norm(queries.data + a * queries.stride, dim_, where, "query", a);
  }
  // Huge queries are scored scaled (rows are ±1: exponent 0), see kSafeExp.
  const ScaledQueries scaled = scale_queries(queries, 0, 0);
  const DenseMatrixView<float>& kq = scaled.view;
  // One kernel per batch, chosen by the batch size (never by the share of a
  // worker), so the results do not depend on the thread count.
  const bool tables = queries.rows >= kMixedLutMinQueries;
  const auto heaps = run(queries.rows, size(), options.k, options.threads,
                         [&](std::size_t a0, std::size_t a1, std::size_t r0, std::size_t r1,
                             TopK* heaps_out) {
                           const float* q = kq.data + a0 * kq.stride;
                           if (tables) {
                             HWY_DYNAMIC_DISPATCH(hypervec::detail::MixedLutScan)(
                                 q, kq.stride, a1 - a0, store_.data(), store_.stride(), r0,
                                 r1, dim_, heaps_out);
                           } else {
                             HWY_DYNAMIC_DISPATCH(hypervec::detail::MixedScan)(
                                 q, kq.stride, a1 - a0, store_.data(), store_.stride(), r0,
                                 r1, dim_, heaps_out);
                           }
                         });
  const double sqrt_d = std::sqrt(static_cast<double>(dim_));
  auto out = finish(heaps, dim_, options, labels_, [&](std::size_t a, const detail::Hit& h) {
    return norms[a] == 0 ? 0.0 : h.score / (std::ldexp(norms[a], -scaled.shift[a]) * sqrt_d);
  });
  unscale_scores(out, scaled.shift);
  return out;
}

Matches PackedMemory::search(std::span<const float> query, const Options& options) const {
  hypervec::detail::require_same_dim("cleanup::PackedMemory::search (float queries)",
                                     "the memory", dim_, "query", query.size());
  return std::move(
      search(DenseMatrixView<float>{query.data(), 1, query.size(), query.size()}, options)
          .front());
}

std::optional<Match> PackedMemory::best(PackedView query, const Options& options) const {
  return first_of(search(query, single(options)));
}

std::optional<Match> PackedMemory::best(std::span<const float> query,
                                        const Options& options) const {
  return first_of(search(query, single(options)));
}

// --- FloatMemory and Int8Memory --------------------------------------------------

namespace {

/// The parts FloatMemory and Int8Memory share: T is float or int8_t.
template <typename T, typename Store>
std::size_t dense_add(const char* where, std::size_t dim, Store& store,
                      std::vector<double>& norms, detail::LabelIndex& labels,
                      std::span<const T> row, std::string label) {
  hypervec::detail::require_same_dim(where, "the memory", dim, "row", row.size());
  if constexpr (std::is_same_v<T, std::int8_t>) {
    hypervec::detail::require(std::find(row.begin(), row.end(), std::int8_t{-128}) == row.end(),
                              where, ": row holds -128; int8 values must be in [-127, 127]");
  }
  const double norm = checked_norm(row.data(), dim, where, "row", 0);
  labels.add(std::move(label), where);
  store.append(row.data(), 0, 1, dim);  // row may be one of the store's own
  norms.push_back(norm);
  return store.rows() - 1;
}

/// Appends every row of a validated batch (dimension, stride, labels and
/// values checked by the caller): norms first (they reject NaN/Inf before
/// anything is added), then one append for all rows.
template <typename T, typename Store>
void dense_add_rows(const char* where, std::size_t dim, Store& store, std::vector<double>& norms,
                    detail::LabelIndex& labels, const DenseMatrixView<T>& rows,
                    std::span<const std::string> row_labels) {
  std::vector<double> batch_norms(rows.rows);
  for (std::size_t r = 0; r < rows.rows; ++r) {
    batch_norms[r] = checked_norm(rows.row(r).data(), dim, where, "row", r);
  }
  if (rows.rows == 0) return;
  // rows may be a view of this store (e.g. view()): append copies safely.
  store.append(rows.data, rows.stride, rows.rows, dim);
  for (std::size_t r = 0; r < rows.rows; ++r) {
    labels.add(row_labels.empty() ? std::string() : row_labels[r], where);
  }
  norms.insert(norms.end(), batch_norms.begin(), batch_norms.end());
}

template <typename T>
std::vector<double> row_scales(const std::vector<double>& norms) {
  std::vector<double> scale(norms.size());
  for (std::size_t r = 0; r < norms.size(); ++r) scale[r] = norms[r] == 0 ? 0.0 : 1.0 / norms[r];
  return scale;
}

#if HYPERVEC_HAVE_OPENBLAS
/// Batched float search through BLAS (built with the Meson feature `blas`):
/// from kBlasMinQueries queries on, and only while the host runs OpenBLAS
/// single-threaded (blas_usable()), the scores come from OpenBLAS sgemm, one
/// fixed grid of tiles at a time
/// (kBlasQueryTile queries × kBlasRowTile rows, tile edges at multiples of the
/// tile sizes counted from query 0 and row 0), written to a per-worker scratch
/// tile C = Q_tile · R_tileᵀ and pushed into the top-k heaps. The grid depends
/// only on Q and M, never on the thread count or on which worker runs a tile,
/// and OpenBLAS is single-threaded inside each worker, so every (query, row)
/// score comes from the same sgemm call shape and the results do not depend on
/// `threads`. sgemm sums in its own order: scores differ from the Highway
/// kernel's (used below kBlasMinQueries) in the last bits, within the same
/// float accumulation bound.
// Measured at M = 3000, D = 4096, one thread (CPU ms per batch, Highway →
// sgemm): Q = 16: 7.4 → 10.8; 32: 11.0 → 14.1; 64: 19.2 → 19.4; 96: 26.8 →
// 25.2; 256: 68.5 → 55.5. sgemm repacks the codebook per call, so it wins
// only once a tile has enough queries.
constexpr std::size_t kBlasMinQueries = 64;
constexpr std::size_t kBlasQueryTile = 1024;
constexpr std::size_t kBlasRowTile = 1024;

/// True when the sgemm path may run: OpenBLAS reports one thread (the host
/// set OPENBLAS_NUM_THREADS=1 or called openblas_set_num_threads(1)). Our
/// pool already splits the batch, one sgemm per tile on each worker; with a
/// multi-threaded OpenBLAS that would oversubscribe the cores, and OpenBLAS
/// 0.3.21 has no per-call thread count, so then the Highway kernel runs
/// instead. hypervec never changes OpenBLAS's (process-wide) thread count:
/// the host program may use the same BLAS.
bool blas_usable() noexcept { return openblas_get_num_threads() == 1; }

/// Scores queries [a0, a1) × rows [r0, r1) (one grid tile) with sgemm into
/// `scratch` and pushes (dot · scale[r], r), or (dot, r) when scale is null,
/// into heaps[a - a0].
void blas_tile(const DenseMatrixView<float>& queries, std::size_t a0, std::size_t a1,
               const float* rows, std::size_t r_stride, std::size_t r0, std::size_t r1,
               const double* scale, float* scratch, TopK* heaps) {
  const std::size_t m = a1 - a0;
  const std::size_t n = r1 - r0;
  cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, static_cast<blasint>(m),
              static_cast<blasint>(n), static_cast<blasint>(queries.dim), 1.0F,
              queries.data + a0 * queries.stride, static_cast<blasint>(queries.stride),
              rows + r0 * r_stride, static_cast<blasint>(r_stride), 0.0F, scratch,
              static_cast<blasint>(n));
  for (std::size_t a = 0; a < m; ++a) {
    const float* line = scratch + a * n;
    for (std::size_t r = 0; r < n; ++r) {
      const auto v = static_cast<double>(line[r]);
      heaps[a].push(scale ? v * scale[r0 + r] : v, r0 + r);
    }
  }
}

/// Runs the BLAS grid over Q queries × M rows with up to `threads` workers.
/// With at least as many query tiles as workers each worker owns whole query
/// tiles; otherwise each owns a range of whole row tiles with its own heaps,
/// merged afterwards (the kept set does not depend on the merge order).
std::vector<TopK> blas_run(const DenseMatrixView<float>& queries, const float* rows,
                           std::size_t r_stride, std::size_t nrows, const double* scale,
                           std::size_t k, unsigned threads) {
  if (threads == 0) threads = hypervec::detail::default_thread_count();
  const std::size_t nq = queries.rows;
  const std::size_t q_tiles = (nq + kBlasQueryTile - 1) / kBlasQueryTile;
  const std::size_t r_tiles = (nrows + kBlasRowTile - 1) / kBlasRowTile;
  std::vector<TopK> heaps(nq, TopK(k));
  // Runs every tile of query tiles [qt0, qt1) × row tiles [rt0, rt1).
  auto tiles = [&](std::size_t qt0, std::size_t qt1, std::size_t rt0, std::size_t rt1,
                   TopK* out) {
    // sgemm writes every element it is asked for (beta = 0): no zeroing.
    const std::unique_ptr<float[]> scratch(new float[kBlasQueryTile * kBlasRowTile]);
    for (std::size_t qt = qt0; qt < qt1; ++qt) {
      const std::size_t a0 = qt * kBlasQueryTile;
      const std::size_t a1 = std::min(nq, a0 + kBlasQueryTile);
      for (std::size_t rt = rt0; rt < rt1; ++rt) {
        const std::size_t r0 = rt * kBlasRowTile;
        const std::size_t r1 = std::min(nrows, r0 + kBlasRowTile);
        blas_tile(queries, a0, a1, rows, r_stride, r0, r1, scale, scratch.get(), out + a0);
      }
    }
  };
  if (q_tiles >= threads || r_tiles == 1) {
    hypervec::detail::parallel_for(q_tiles, threads, 1, [&](std::size_t b, std::size_t e) {
      tiles(b, e, 0, r_tiles, heaps.data());
    });
    return heaps;
  }
  // Row-tile pieces are indices of the loop below, so each has a fixed owner.
  const std::size_t workers = hypervec::detail::worker_count(r_tiles, threads, 1);
  std::vector<std::vector<TopK>> partial(workers, std::vector<TopK>(nq, TopK(k)));
  hypervec::detail::parallel_for(workers, static_cast<unsigned>(workers), 1,
                                 [&](std::size_t b, std::size_t e) {
    for (std::size_t w = b; w < e; ++w) {
      tiles(0, q_tiles, hypervec::detail::piece_begin(r_tiles, workers, w),
            hypervec::detail::piece_begin(r_tiles, workers, w + 1), partial[w].data());
    }
  });
  for (auto& part : partial) {
    for (std::size_t a = 0; a < nq; ++a) heaps[a].merge(part[a]);
  }
  return heaps;
}
#endif  // HYPERVEC_HAVE_OPENBLAS

}  // namespace

FloatMemory::FloatMemory(std::size_t dim, Metric metric)
    : dim_(dim), metric_(metric), store_(padded_length<float>(dim)) {
  hypervec::detail::require_valid_dim("cleanup::FloatMemory", "the memory", dim);
}

FloatMemory::FloatMemory(const DenseMatrixView<float>& codebook,
                         std::span<const std::string> labels, Metric metric)
    : FloatMemory(codebook.dim, metric) {
  add(codebook, labels);
}

void FloatMemory::note_row_exponents(std::size_t first) {
  const std::vector<int> e = max_exponents(DenseMatrixView<float>{
      store_.row(first), store_.rows() - first, dim_, store_.stride()});
  for (const int x : e) {
    if (x == std::numeric_limits<int>::min()) continue;  // zero row
    row_exp_hi_ = std::max(row_exp_hi_, x);
    row_exp_lo_ = std::min(row_exp_lo_, x);
  }
}

std::size_t FloatMemory::add(std::span<const float> row, std::string label) {
  const std::size_t id = dense_add<float>("cleanup::FloatMemory::add", dim_, store_, norms_,
                                          labels_, row, std::move(label));
  note_row_exponents(id);
  return id;
}

void FloatMemory::add(const DenseMatrixView<float>& rows, std::span<const std::string> labels) {
  constexpr const char* where = "cleanup::FloatMemory::add";
  hypervec::detail::require_same_dim(where, "the memory", dim_, "rows", rows.dim);
  check_batch(where, "rows", rows, dim_, rows.stride);
  check_labels(where, rows.rows, labels);
  labels_.check_new(labels, where);
  const std::size_t first = size();
  dense_add_rows(where, dim_, store_, norms_, labels_, rows, labels);
  note_row_exponents(first);
}

std::span<const float> FloatMemory::row(std::size_t id) const {
  hypervec::detail::require(id < size(), "cleanup::FloatMemory::row: id ", id,
                            " out of range; M=", size());
  return {store_.row(id), dim_};
}

const std::string& FloatMemory::label(std::size_t id) const {
  hypervec::detail::require(id < size(), "cleanup::FloatMemory::label: id ", id,
                            " out of range; M=", size());
  return labels_[id];
}

std::vector<Matches> FloatMemory::search(const DenseMatrixView<float>& queries,
                                         const Options& options) const {
  constexpr const char* where = "cleanup::FloatMemory::search";
  hypervec::detail::require_same_dim(where, "the memory", dim_, "queries", queries.dim);
  check_options(where, size(), options);
  check_batch(where, "queries", queries, dim_, queries.stride);
  std::vector<double> qnorms(queries.rows);
  for (std::size_t a = 0; a < queries.rows; ++a) {
    qnorms[a] = checked_norm(queries.data + a * queries.stride, dim_, where, "query", a);
  }
  const std::vector<double> scale = row_scales<float>(norms_);
  const double* scale_ptr = metric_ == Metric::cosine ? scale.data() : nullptr;
  // Huge or tiny queries or rows: queries scored scaled (see kSafeExp).
  const ScaledQueries scaled = scale_queries(queries, row_exp_hi_, row_exp_lo_);
  const DenseMatrixView<float>& kq = scaled.view;
  auto highway = [&] {
    return run(queries.rows, size(), options.k, options.threads,
               [&](std::size_t a0, std::size_t a1, std::size_t r0, std::size_t r1,
                   TopK* heaps_out) {
                 HWY_DYNAMIC_DISPATCH(hypervec::detail::FloatScan)(
                     kq.data + a0 * kq.stride, kq.stride, a1 - a0,
                     store_.data(), store_.stride(), r0, r1, dim_, scale_ptr, heaps_out);
               });
  };
#if HYPERVEC_HAVE_OPENBLAS
  const auto heaps = queries.rows >= kBlasMinQueries && blas_usable()
                         ? blas_run(kq, store_.data(), store_.stride(), size(), scale_ptr,
                                    options.k, options.threads)
                         : highway();
#else
  const auto heaps = highway();
#endif
  auto out = finish(heaps, dim_, options, labels_, [&](std::size_t a, const detail::Hit& h) {
    if (qnorms[a] == 0 || norms_[h.id] == 0) return 0.0;
    const double qn = std::ldexp(qnorms[a], -scaled.shift[a]);
    return metric_ == Metric::cosine ? h.score / qn : h.score / (qn * norms_[h.id]);
  });
  unscale_scores(out, scaled.shift);
  return out;
}

Matches FloatMemory::search(std::span<const float> query, const Options& options) const {
  hypervec::detail::require_same_dim("cleanup::FloatMemory::search", "the memory", dim_, "query",
                                     query.size());
  return std::move(
      search(DenseMatrixView<float>{query.data(), 1, query.size(), query.size()}, options)
          .front());
}

std::optional<Match> FloatMemory::best(std::span<const float> query,
                                       const Options& options) const {
  return first_of(search(query, single(options)));
}

Int8Memory::Int8Memory(std::size_t dim, Metric metric)
    : dim_(dim), metric_(metric), store_(padded_length<std::int8_t>(dim)) {
  hypervec::detail::require_valid_dim("cleanup::Int8Memory", "the memory", dim);
  hypervec::detail::require<DimensionError>(dim <= kMaxInt8Dim, "cleanup::Int8Memory: D=", dim,
                                            " exceeds ", kMaxInt8Dim,
                                            " (exact int32 dot products)");
}

Int8Memory::Int8Memory(const DenseMatrixView<std::int8_t>& codebook,
                       std::span<const std::string> labels, Metric metric)
    : Int8Memory(codebook.dim, metric) {
  add(codebook, labels);
}

std::size_t Int8Memory::add(std::span<const std::int8_t> row, std::string label) {
  return dense_add<std::int8_t>("cleanup::Int8Memory::add", dim_, store_, norms_, labels_, row,
                                std::move(label));
}

void Int8Memory::add(const DenseMatrixView<std::int8_t>& rows,
                     std::span<const std::string> labels) {
  constexpr const char* where = "cleanup::Int8Memory::add";
  hypervec::detail::require_same_dim(where, "the memory", dim_, "rows", rows.dim);
  check_batch(where, "rows", rows, dim_, rows.stride);
  check_labels(where, rows.rows, labels);
  labels_.check_new(labels, where);
  for (std::size_t r = 0; r < rows.rows; ++r) {
    const auto row = rows.row(r);
    hypervec::detail::require(std::find(row.begin(), row.end(), std::int8_t{-128}) == row.end(),
                              where, ": row ", r, " holds -128; int8 values must be in [-127, 127]");
  }
  dense_add_rows(where, dim_, store_, norms_, labels_, rows, labels);
}

std::span<const std::int8_t> Int8Memory::row(std::size_t id) const {
  hypervec::detail::require(id < size(), "cleanup::Int8Memory::row: id ", id,
                            " out of range; M=", size());
  return {store_.row(id), dim_};
}

const std::string& Int8Memory::label(std::size_t id) const {
  hypervec::detail::require(id < size(), "cleanup::Int8Memory::label: id ", id,
                            " out of range; M=", size());
  return labels_[id];
}

std::vector<Matches> Int8Memory::search(const DenseMatrixView<std::int8_t>& queries,
                                        const Options& options) const {
  constexpr const char* where = "cleanup::Int8Memory::search";
  hypervec::detail::require_same_dim(where, "the memory", dim_, "queries", queries.dim);
  check_options(where, size(), options);
  check_batch(where, "queries", queries, dim_, queries.stride);
  std::vector<double> qnorms(queries.rows);
  for (std::size_t a = 0; a < queries.rows; ++a) {
    const std::int8_t* q = queries.data + a * queries.stride;
    hypervec::detail::require(std::find(q, q + dim_, std::int8_t{-128}) == q + dim_, where,
                              ": query ", a, " holds -128; int8 values must be in [-127, 127]");
    qnorms[a] = checked_norm(q, dim_, where, "query", a);
  }
  const std::vector<double> scale = row_scales<std::int8_t>(norms_);
  const double* scale_ptr = metric_ == Metric::cosine ? scale.data() : nullptr;
  const auto heaps = run(queries.rows, size(), options.k, options.threads,
                         [&](std::size_t a0, std::size_t a1, std::size_t r0, std::size_t r1,
                             TopK* heaps_out) {
                           HWY_DYNAMIC_DISPATCH(hypervec::detail::Int8Scan)(
                               queries.data + a0 * queries.stride, queries.stride, a1 - a0,
                               store_.data(), store_.stride(), r0, r1, dim_, scale_ptr,
                               heaps_out);
                         });
  return finish(heaps, dim_, options, labels_, [&](std::size_t a, const detail::Hit& h) {
    if (qnorms[a] == 0 || norms_[h.id] == 0) return 0.0;
    return metric_ == Metric::cosine ? h.score / qnorms[a] : h.score / (qnorms[a] * norms_[h.id]);
  });
}

Matches Int8Memory::search(std::span<const std::int8_t> query, const Options& options) const {
  hypervec::detail::require_same_dim("cleanup::Int8Memory::search", "the memory", dim_, "query",
                                     query.size());
  return std::move(search(DenseMatrixView<std::int8_t>{query.data(), 1, query.size(),
                                                       query.size()},
                          options)
                       .front());
}

std::optional<Match> Int8Memory::best(std::span<const std::int8_t> query,
                                      const Options& options) const {
  return first_of(search(query, single(options)));
}

// --- explain_away and greedy_factor_search ----------------------------------------

std::vector<Decoded> explain_away(const PackedMemory& memory, std::span<const float> bundle,
                                  const ExplainAwayOptions& options) {
  constexpr const char* where = "cleanup::explain_away";
  hypervec::detail::require_same_dim(where, "the memory", memory.dim(), "bundle", bundle.size());
  hypervec::detail::require(!memory.empty(), where, ": the memory is empty");
  hypervec::detail::require(!std::isnan(options.min_z), where, ": min_z is NaN");
  const std::size_t dim = memory.dim();
  const std::size_t max_items = options.max_items == 0 ? memory.size() : options.max_items;
  std::vector<float> residual(bundle.begin(), bundle.end());
  std::vector<Decoded> found;
  std::unordered_map<std::size_t, std::size_t> slot;  // row id -> index in found
  const Options search_options{.k = 1, .min_z = options.min_z, .threads = options.threads};
  for (std::size_t step = 0; step < 2 * max_items && found.size() < max_items; ++step) {
    const auto best = memory.best(std::span<const float>(residual), search_options);
    if (!best) break;
    const double weight = best->score / static_cast<double>(dim);
    const PackedView row = memory.row(best->id);
    for (std::size_t i = 0; i < dim; ++i) {
      residual[i] -= static_cast<float>(weight * row.component(i));
    }
    const auto [it, fresh] = slot.try_emplace(best->id, found.size());
    if (fresh) {
      found.push_back({*best, weight});
    } else {
      found[it->second].weight += weight;
    }
  }
  return found;
}

std::vector<Decoded> explain_away(const PackedMemory& memory, PackedView bundle,
                                  const ExplainAwayOptions& options) {
  hypervec::detail::require_same_dim("cleanup::explain_away", "the memory", memory.dim(),
                                     "bundle", bundle.dim);
  std::vector<float> values(bundle.dim);
  for (std::size_t i = 0; i < bundle.dim; ++i) values[i] = static_cast<float>(bundle.component(i));
  return explain_away(memory, std::span<const float>(values), options);
}

namespace {

void check_factor_inputs(const char* where, const PackedMemory& memory, const PackedMemory& keys,
                         std::size_t v_dim) {
  hypervec::detail::require_same_dim(where, "memory", memory.dim(), "keys", keys.dim());
  hypervec::detail::require_same_dim(where, "memory", memory.dim(), "v", v_dim);
  hypervec::detail::require(!memory.empty(), where, ": memory is empty");
  hypervec::detail::require(!keys.empty(), where, ": keys is empty");
}

/// The winner among per-key best matches: highest score, then lower key.
std::optional<FactorMatch> pick_factor(std::vector<Matches>&& per_key) {
  std::optional<FactorMatch> winner;
  for (std::size_t c = 0; c < per_key.size(); ++c) {
    if (per_key[c].empty()) continue;
    if (!winner || per_key[c].front().score > winner->match.score) {
      winner = FactorMatch{c, std::move(per_key[c].front())};
    }
  }
  return winner;
}

}  // namespace

std::optional<FactorMatch> greedy_factor_search(const PackedMemory& memory,
                                                const PackedMemory& keys, PackedView v,
                                                const Options& options) {
  constexpr const char* where = "cleanup::greedy_factor_search";
  check_factor_inputs(where, memory, keys, v.dim);
  make_packed_view(v.words, v.num_words(), v.dim, "v");
  PackedMatrix unbound(keys.size(), v.dim);
  for (std::size_t c = 0; c < keys.size(); ++c) {
    const std::uint64_t* key = keys.row(c).words;
    std::uint64_t* out = unbound.row_span(c).words;
    for (std::size_t j = 0; j < v.num_words(); ++j) out[j] = v.words[j] ^ key[j];
  }
  return pick_factor(memory.search(unbound.view(), single(options)));
}

std::optional<FactorMatch> greedy_factor_search(const PackedMemory& memory,
                                                const PackedMemory& keys,
                                                std::span<const float> v,
                                                const Options& options) {
  constexpr const char* where = "cleanup::greedy_factor_search";
  check_factor_inputs(where, memory, keys, v.size());
  DenseMatrix<float> unbound(keys.size(), v.size());
  for (std::size_t c = 0; c < keys.size(); ++c) {
    const PackedView key = keys.row(c);
    auto out = unbound.row(c);
    for (std::size_t i = 0; i < v.size(); ++i) out[i] = key.component(i) < 0 ? -v[i] : v[i];
  }
  return pick_factor(memory.search(unbound.view(), single(options)));
}

// --- resonate ----------------------------------------------------------------------

ResonatorResult resonate(PackedView s, std::span<const PackedMemory* const> codebooks,
                         const ResonatorOptions& options) {
  constexpr const char* where = "cleanup::resonate";
  hypervec::detail::require(!codebooks.empty(), where, ": no codebooks; need at least one factor");
  hypervec::detail::require(options.max_iterations >= 1, where, ": max_iterations is 0");
  hypervec::detail::require_valid_dim(where, "s", s.dim);
  make_packed_view(s.words, s.num_words(), s.dim, "s");
  for (std::size_t f = 0; f < codebooks.size(); ++f) {
    hypervec::detail::require(codebooks[f] != nullptr, where, ": codebooks[", f, "] is null");
    hypervec::detail::require_same_dim(where, "s", s.dim, "a codebook", codebooks[f]->dim());
    hypervec::detail::require(!codebooks[f]->empty(), where, ": codebooks[", f, "] is empty");
    hypervec::detail::require(codebooks[f]->size() * s.dim < (std::size_t{1} << 31), where,
                              ": codebooks[", f, "] has M·D >= 2^31 (int32 sums)");
  }
  const std::size_t dim = s.dim, nw = packed_words(dim), factors = codebooks.size();
  // x̂_f = sign(Σ_c a_c c) through the exact MAP-I accumulator.
  auto project = [&](const PackedMemory& book, const std::int64_t* weights) {
    bipolar::Accumulator acc(dim);
    for (std::size_t c = 0; c < book.size(); ++c) {
      if (weights[c] != 0) acc.add(book.row(c), static_cast<std::int32_t>(weights[c]));
    }
    return acc.threshold();
  };
  std::vector<PackedVector> estimate;
  for (std::size_t f = 0; f < factors; ++f) {
    const std::vector<std::int64_t> ones(codebooks[f]->size(), 1);
    estimate.push_back(project(*codebooks[f], ones.data()));
  }
  ResonatorResult result;
  PackedVector u(dim);
  std::vector<std::int64_t> weights;
  while (result.iterations < options.max_iterations) {
    ++result.iterations;
    bool changed = false;
    for (std::size_t f = 0; f < factors; ++f) {
      std::copy(s.words, s.words + nw, u.words());
      for (std::size_t g = 0; g < factors; ++g) {
        if (g == f) continue;
        for (std::size_t j = 0; j < nw; ++j) u.words()[j] ^= estimate[g].words()[j];
      }
      const PackedMemory& book = *codebooks[f];
      weights.assign(book.size(), 0);
      for (std::size_t c = 0; c < book.size(); ++c) weights[c] = bipolar::dot(u, book.row(c));
      PackedVector next = project(book, weights.data());
      if (!(next == estimate[f])) {
        changed = true;
        estimate[f] = std::move(next);
      }
    }
    if (!changed) {
      result.converged = true;
      break;
    }
  }
  for (std::size_t f = 0; f < factors; ++f) {
    auto best = codebooks[f]->best(estimate[f]);
    result.factors.push_back(best->id);
    result.matches.push_back(std::move(*best));
  }
  return result;
}

// --- resonate (HRR) ----------------------------------------------------------------

namespace {

/// x / ‖x‖ in place (norm in double); the zero vector stays zero.
void normalise_in_place(std::span<float> x) {
  double sum = 0;
  for (const float v : x) sum += static_cast<double>(v) * static_cast<double>(v);
  if (sum == 0) return;
  const auto scale = static_cast<float>(1.0 / std::sqrt(sum));
  for (float& v : x) v *= scale;
}

/// Σ_c weights[c] · row c of `book`, normalised (the codebook projection).
DenseVector<float> project_rows(const FloatMemory& book, const double* weights) {
  DenseVector<float> out(book.dim());
  for (std::size_t c = 0; c < book.size(); ++c) {
    if (weights[c] != 0) {
      hrr::add_scaled<float>(book.row(c), static_cast<float>(weights[c]), out.values());
    }
  }
  normalise_in_place(out.values());
  return out;
}

}  // namespace

ResonatorResult resonate(std::span<const float> s,
                         std::span<const FloatMemory* const> codebooks,
                         const ResonatorOptions& options) {
  constexpr const char* where = "cleanup::resonate (HRR)";
  hypervec::detail::require(!codebooks.empty(), where, ": no codebooks; need at least one factor");
  hypervec::detail::require(options.max_iterations >= 1, where, ": max_iterations is 0");
  hypervec::detail::require(options.tolerance >= 0, where, ": tolerance=", options.tolerance,
                            " must be >= 0 (and not NaN)");
  hypervec::detail::require_valid_dim(where, "s", s.size());
  for (std::size_t f = 0; f < codebooks.size(); ++f) {
    hypervec::detail::require(codebooks[f] != nullptr, where, ": codebooks[", f, "] is null");
    hypervec::detail::require_same_dim(where, "s", s.size(), "a codebook", codebooks[f]->dim());
    hypervec::detail::require(!codebooks[f]->empty(), where, ": codebooks[", f, "] is empty");
  }
  hypervec::detail::require(checked_norm(s.data(), s.size(), where, "s", 0) > 0, where,
                            ": s is the zero vector; nothing to factorise");
  const std::size_t dim = s.size(), factors = codebooks.size();
  const hrr::Spectrum<float> s_spec = hrr::spectrum<float>(s);
  const std::size_t bins = s_spec.bins();
  std::vector<DenseVector<float>> estimate;
  std::vector<hrr::Spectrum<float>> spectra;
  for (std::size_t f = 0; f < factors; ++f) {
    const std::vector<double> ones(codebooks[f]->size(), 1.0);
    estimate.push_back(project_rows(*codebooks[f], ones.data()));
    spectra.push_back(hrr::spectrum<float>(estimate.back().values()));
  }
  ResonatorResult result;
  hrr::Spectrum<float> u_spec(dim);
  std::vector<double> weights;
  while (result.iterations < options.max_iterations) {
    ++result.iterations;
    double moved = 0;
    for (std::size_t f = 0; f < factors; ++f) {
      // U = S · Π_{g≠f} conj(X̂_g): unbinding every other estimate by its
      // involution, bin by bin (complex<double> products, stored as float).
      for (std::size_t k = 0; k < bins; ++k) {
        std::complex<double> u(s_spec.data()[k]);
        for (std::size_t g = 0; g < factors; ++g) {
          if (g != f) u *= std::conj(std::complex<double>(spectra[g].data()[k]));
        }
        u_spec.data()[k] = std::complex<float>(u);
      }
      const DenseVector<float> u = hrr::from_spectrum<float>(u_spec);
      const FloatMemory& book = *codebooks[f];
      weights.resize(book.size());
      for (std::size_t c = 0; c < book.size(); ++c) {
        weights[c] = hrr::dot<float>(u.values(), book.row(c));
      }
      DenseVector<float> next = project_rows(book, weights.data());
      if (options.unitary_estimates) next = hrr::make_unitary<float>(next.values());
      double change = 0;
      for (std::size_t i = 0; i < dim; ++i) {
        const double d = static_cast<double>(next.data()[i]) - estimate[f].data()[i];
        change += d * d;
      }
      moved = std::max(moved, std::sqrt(change));
      spectra[f] = hrr::spectrum<float>(next.values());
      estimate[f] = std::move(next);
    }
    if (moved <= options.tolerance) {
      result.converged = true;
      break;
    }
  }
  for (std::size_t f = 0; f < factors; ++f) {
    auto best = codebooks[f]->best(estimate[f].values());
    result.factors.push_back(best->id);
    result.matches.push_back(std::move(*best));
  }
  return result;
}

}  // namespace cleanup
}  // namespace hypervec
#endif  // HWY_ONCE
