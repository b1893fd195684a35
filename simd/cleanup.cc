// Cleanup memory kernels (include/hypervec/cleanup.hpp): per-target blocked
// scans that feed bounded top-k heaps (packed, mixed, mixed sign tables,
// float, int8), their HWY_EXPORT tables, and the dispatch entry points
// declared in src/cleanup/kernels.hpp. One dispatch per worker per batch.
// The memories, the BLAS path and the decoders that call these live in
// src/cleanup/; the search contract is in include/hypervec/cleanup.hpp.
// Just over 600 lines because the five scans share the row-block helpers,
// tile shapes and TiledScan; a split would have to export those per target.
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "simd/cleanup.cc"
#include <hwy/foreach_target.h>  // IWYU pragma: keep

#include <hwy/aligned_allocator.h>
#include <hwy/cache_control.h>
#include <hwy/highway.h>

#include "simd/cleanup-inl.h"
#include "simd/cleanup-topk.h"

#include <algorithm>
#include <bit>
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
// A single query: a 1 × kPackedRT1 tile (1 · RT1 a multiple of 2N, as above)
// instead of the QT × RT one, which would score QT copies of the one query.
// On the targets of 256 bits and more it skips the row prefetch (see
// PackedPairScan); the narrower ones, compute-bound, keep it (measured 1.1 to
// 1.3× faster with it on SSE4, SSSE3 and SCALAR).
#if HWY_TARGET == HWY_SCALAR
constexpr std::size_t kPackedRT1 = 4;
#else
constexpr std::size_t kPackedRT1 =
    std::max<std::size_t>(4, 2 * hn::MaxLanes(hn::ScalableTag<std::uint64_t>()));
#endif
constexpr bool kPackedSinglePrefetch = HWY_MAX_BYTES < 32;

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
// With the carry-save tile (AVX3_DL, AVX3) every pair holds two
// accumulators (ones and the carry count; AVX3 also a u8 count), so 4 × 2.
#if HWY_TARGET == HWY_AVX3_DL || HWY_TARGET == HWY_AVX3
constexpr std::size_t kLaneRT = 4, kLaneQG = 2, kLaneRT1 = 8;
#else
constexpr std::size_t kLaneRT = 4, kLaneQG = 2, kLaneRT1 = 4;
#endif

/// Scores QG query groups (group c's interleaved words at g + c·nw·N; queries
/// a0 + c·N + l) against rows [b0, b1) in tiles of RT rows, and pushes every
/// pair whose distance is below its lane of lim (limit_of(a) refreshes it).
/// The tiles read row t's nw words at block + (t - b0)·nw (LaneWords'
/// layout); rows (the codebook, r_stride words a row) exist up to
/// prefetch_end: the first group tile of a row block passes the scan's end
/// (else 0) and fetches the next block while scoring this one.
template <std::size_t RT, std::size_t QG, class D, class LimitOf>
HWY_INLINE void LaneTiles(D d64, const std::uint64_t* g, std::size_t nw,
                          const std::uint64_t* HWY_RESTRICT block_rows,
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
    for (std::size_t b = 0; b < RT; ++b) rp[b] = block_rows + (std::min(t0 + b, b1 - 1) - b0) * nw;
    if (t0 + block < prefetch_end) {
      const char* ahead = reinterpret_cast<const char*>(rows + (t0 + block) * r_stride);
      const std::size_t lines = std::min(RT, prefetch_end - t0 - block) * r_stride * 8 / 64;
      for (std::size_t l = 0; l < lines; ++l) hwy::Prefetch(ahead + l * 64);
    }
    V h[RT * QG];
    if constexpr (kLaneCarrySave) {
      HammingLaneTileCsa<RT, QG>(d64, gp, rp, nw, h);
    } else {
      HammingLaneTile<RT, QG>(d64, gp, rp, nw, h);
    }
    for (std::size_t c = 0; c < QG; ++c) {
      std::uint64_t* lc = lim + c * N;
      for (std::size_t b = 0; b < RT && t0 + b < b1; ++b) {
        const auto pass = hn::Lt(h[b * QG + c], hn::Load(d64, lc));
        if (hn::AllFalse(d64, pass)) continue;
        // Only the passing lanes (a lane's push changes only its own limit).
        std::uint8_t bits[8] = {};
        hn::StoreMaskBits(d64, pass, bits);
        HWY_ALIGN std::uint64_t lanes[HWY_MAX_BYTES / 8];
        hn::Store(h[b * QG + c], d64, lanes);
        for (unsigned m = bits[0]; m != 0; m &= m - 1) {
          const auto l = static_cast<std::size_t>(std::countr_zero(m));
          const std::size_t a = a0 + c * N + l;
          heaps[a].push(static_cast<double>(d - 2 * static_cast<std::int64_t>(lanes[l])), t0 + b);
          lc[l] = limit_of(a);
        }
      }
    }
  }
}

/// Words of a row (or interleaved query) in the query-lane kernel: nw, or nw
/// rounded up to even for the carry-save tile, which reads words in pairs.
HWY_INLINE std::size_t LaneWords(std::size_t nw) { return kLaneCarrySave ? (nw + 1) / 2 * 2 : nw; }

/// Copies the nw words src[0..nw) to dst[0..LaneWords(nw)) (element i at
/// dst[i·step]) in the layout the tile reads: as they are, or for the
/// carry-save tile pair-combined, (w_2j, w_2j ^ w_2j+1), with w_nw = 0 past
/// an odd count (a zero word pair adds 0).
HWY_INLINE void ToLaneWords(const std::uint64_t* HWY_RESTRICT src, std::size_t nw,
                            std::uint64_t* HWY_RESTRICT dst, std::size_t step) {
  for (std::size_t i = 0; i < nw; ++i) dst[i * step] = src[i];
  if constexpr (kLaneCarrySave) {
    if (nw % 2 != 0) dst[nw * step] = 0;
    for (std::size_t i = 1; i < LaneWords(nw); i += 2) dst[i * step] ^= dst[(i - 1) * step];
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
  const std::size_t nw = LaneWords(packed_words(dim));
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
  // The row block in the tile's layout (nw words a row, L1-sized), rebuilt
  // per block of groups: one pass over each row per 1 MiB of queries.
  const auto block_rows = hwy::AllocateAligned<std::uint64_t>(std::min(r1 - r0, row_block) * nw);
  // One block of groups at a time (L2-sized, refilled per block): group c0 + c,
  // word i, lane l at block[(c·nw + i)·N + l].
  const auto block = hwy::AllocateAligned<std::uint64_t>(std::min(groups, group_block) * nw * N);
  for (std::size_t c0 = 0; c0 < groups; c0 += group_block) {
    const std::size_t c1 = std::min(groups, c0 + group_block);
    for (std::size_t c = c0; c < c1; ++c) {
      for (std::size_t l = 0; l < N; ++l) {
        const std::uint64_t* q = queries + std::min(c * N + l, nq - 1) * q_stride;
        ToLaneWords(q, packed_words(dim), block.get() + (c - c0) * nw * N + l, N);
      }
    }
    for (std::size_t b0 = r0; b0 < r1; b0 += row_block) {
      const std::size_t b1 = std::min(r1, b0 + row_block);
      for (std::size_t t = b0; t < b1; ++t) {
        ToLaneWords(rows + t * r_stride, packed_words(dim), block_rows.get() + (t - b0) * nw, 1);
      }
      for (std::size_t t = c0; t < c1;) {
        if (c1 - t >= QG) {
          LaneTiles<RT, QG>(d64, block.get() + (t - c0) * nw * N, nw, block_rows.get(), rows,
                            r_stride, b0, b1, t == c0 ? r1 : 0, dim, t * N, limit.get() + t * N,
                            limit_of, heaps);
          t += QG;
        } else {  // the last groups: one at a time, more rows per tile
          LaneTiles<kLaneRT1, 1>(d64, block.get() + (t - c0) * nw * N, nw, block_rows.get(),
                                 rows, r_stride, b0, b1, t == c0 ? r1 : 0, dim, t * N,
                                 limit.get() + t * N, limit_of, heaps);
          t += 1;
        }
      }
    }
  }
}
#endif

/// Packed queries × packed rows [r0, r1): heaps[a] receives (D - 2·hamming,
/// row id) for query a, through QT × RT register tiles (HammingTile; PackedScan
/// picks the shape: 1 × kPackedRT1 for a single query). A pair
/// reaches the heap only when its distance is at most the query's current
/// bar (TopK::bar; the heap itself settles ties by id), so after the first k
/// rows nearly every pair costs one vector compare shared by a whole group
/// of pairs.
/// Contract: rows are zero-padded to whole kAlignment blocks (r_stride words,
/// a multiple of 8, zeros past packed_words(dim)), as PackedMemory stores
/// them; queries may have any stride >= packed_words(dim): they are copied
/// into zero-padded rows, so no load reads past the caller's data.
template <std::size_t QT, std::size_t RT>
void PackedPairScan(const std::uint64_t* HWY_RESTRICT queries, std::size_t q_stride,
                    std::size_t nq, const std::uint64_t* HWY_RESTRICT rows, std::size_t r_stride,
                    std::size_t r0, std::size_t r1, std::size_t dim, TopK* heaps) {
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
          // then streams in while this block is scored. Not the single-query
          // tile on targets of >= 256 bits: there every tile is a first tile,
          // so it issued one prefetch per 64 bytes scored, a whole L1 (32 KiB)
          // ahead, and those took 38 % of its cycles (perf, AVX3_DL, M = 1000,
          // D = 8192); without them it runs at the plain scan's speed (the
          // hardware prefetchers keep up). AVX3 and AVX2: no faster with them.
          if ((QT > 1 || kPackedSinglePrefetch) && a0 == q0 && t0 + row_block < r1) {
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

/// PackedPairScan or PackedLaneScan by batch size (the same results from
/// either: exact integer distances, and a heap's kept set does not depend on
/// which candidates were filtered below its bar, nor on push order).
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
  if (nq == 1) {
    PackedPairScan<1, kPackedRT1>(queries, q_stride, nq, rows, r_stride, r0, r1, dim, heaps);
    return;
  }
  PackedPairScan<kPackedQT, kPackedRT>(queries, q_stride, nq, rows, r_stride, r0, r1, dim, heaps);
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
#include "simd/static_dispatch.h"
#include "src/cleanup/kernels.hpp"

namespace hypervec {
namespace detail {
HWY_EXPORT(PackedScan);
HWY_EXPORT(MixedScan);
HWY_EXPORT(MixedLutScan);
HWY_EXPORT(FloatScan);
HWY_EXPORT(Int8Scan);
}  // namespace detail

// The dispatch entry points of src/cleanup/kernels.hpp: one indirect call
// per worker per batch. The memories (src/cleanup/memory.cpp) validate every
// input before calling; these only pick the target.
namespace cleanup::detail {

void packed_scan(const std::uint64_t* queries, std::size_t q_stride, std::size_t nq,
                 const std::uint64_t* rows, std::size_t r_stride, std::size_t r0, std::size_t r1,
                 std::size_t dim, TopK* heaps) {
  HWY_DYNAMIC_DISPATCH(hypervec::detail::PackedScan)(queries, q_stride, nq, rows, r_stride, r0,
                                                     r1, dim, heaps);
}

void mixed_scan(const float* queries, std::size_t q_stride, std::size_t nq,
                const std::uint64_t* rows, std::size_t r_stride, std::size_t r0, std::size_t r1,
                std::size_t dim, TopK* heaps) {
  HWY_DYNAMIC_DISPATCH(hypervec::detail::MixedScan)(queries, q_stride, nq, rows, r_stride, r0, r1,
                                                    dim, heaps);
}

void mixed_lut_scan(const float* queries, std::size_t q_stride, std::size_t nq,
                    const std::uint64_t* rows, std::size_t r_stride, std::size_t r0,
                    std::size_t r1, std::size_t dim, TopK* heaps) {
  HWY_DYNAMIC_DISPATCH(hypervec::detail::MixedLutScan)(queries, q_stride, nq, rows, r_stride, r0,
                                                       r1, dim, heaps);
}

void float_scan(const float* queries, std::size_t q_stride, std::size_t nq, const float* rows,
                std::size_t r_stride, std::size_t r0, std::size_t r1, std::size_t dim,
                const double* scale, TopK* heaps) {
  HWY_DYNAMIC_DISPATCH(hypervec::detail::FloatScan)(queries, q_stride, nq, rows, r_stride, r0, r1,
                                                    dim, scale, heaps);
}

void int8_scan(const std::int8_t* queries, std::size_t q_stride, std::size_t nq,
               const std::int8_t* rows, std::size_t r_stride, std::size_t r0, std::size_t r1,
               std::size_t dim, const double* scale, TopK* heaps) {
  HWY_DYNAMIC_DISPATCH(hypervec::detail::Int8Scan)(queries, q_stride, nq, rows, r_stride, r0, r1,
                                                   dim, scale, heaps);
}

}  // namespace cleanup::detail
}  // namespace hypervec
#endif  // HWY_ONCE
