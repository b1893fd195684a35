// Float queries × float rows as a packed GEMM (Goto/BLIS blocking), for big
// batches of float cleanup search (src/cleanup/search_dense.cpp): scores
// C = Q · Rᵀ computed in register tiles of MR queries × NR = 2·N rows (N =
// float lanes), each C element pushed into its query's top-k heap.
//
// Blocking, per call (queries [0, nq), rows [r0, r1)):
//   for each chunk of kChunkQueries queries and each block of kRowBlock rows:
//     for each depth block of kDepth components (from component 0):
//       pack the rows' block  [NR-row panels][kDepth][NR]   (L2, 256 KiB)
//       for each MR-query tile: pack it [kDepth][MR]          (L1)
//         for each NR-row panel: C tile += micro-kernel(tile, panel)
//     push the C block (× scale[r]) into the heaps
// The micro-kernel keeps 2·MR vector accumulators in registers (MR = 14 with
// 32 vector registers: 28 accumulators + 2 row vectors + 1 broadcast; MR = 6
// with 16) and per component does 2 row loads, MR broadcasts and 2·MR FMAs,
// so it is bound by the FMA units, not by loads.
//
// Arithmetic: each score is Σ over depth blocks (in block order, float) of a
// fresh FMA chain over the block's components in index order, so it depends
// only on kDepth, never on nq, the tile a query lands in, the thread count or
// the range a worker owns: a query scores the same alone or in any batch on
// this path, on a given target. Relative error about (kDepth + D/kDepth) ·
// 2^-24 · Σ|q_i r_i|. HWY_SCALAR runs the same loops with N = 1 (a·b + c).
// Padding queries and rows (tile edges) are zeros and never pushed.
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "simd/float_gemm.cc"
#include <hwy/foreach_target.h>  // IWYU pragma: keep

#include <hwy/aligned_allocator.h>
#include <hwy/highway.h>

#include "simd/cleanup-topk.h"

#include <algorithm>
#include <cstddef>
#include <cstring>

HWY_BEFORE_NAMESPACE();
namespace hypervec::detail::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

/// Components per depth block: the FMA chain length of every score.
constexpr std::size_t kGemmDepth = 256;
/// Rows per block of C pushed at once (a multiple of every NR).
constexpr std::size_t kGemmRowBlock = 256;
/// Queries per chunk (bounds the C block: 1024 × 256 floats = 1 MiB).
constexpr std::size_t kGemmChunkQueries = 1024;

/// Register tile height: 2·MR accumulators + 3 working vectors fit the
/// target's vector registers (32 on AVX-512, NEON and SVE; 16 on AVX2/SSE).
#if HWY_TARGET == HWY_AVX2 || HWY_TARGET == HWY_SSE4 || HWY_TARGET == HWY_SSSE3
constexpr std::size_t kGemmMR = 6;
#elif HWY_TARGET == HWY_SCALAR || HWY_TARGET == HWY_EMU128
constexpr std::size_t kGemmMR = 4;
#else
constexpr std::size_t kGemmMR = 14;
#endif

/// c[a·ldc + j] += Σ_{k < depth} qp[k·MR + a] · rp[k·NR + j] for a < MR,
/// j < NR = 2N: one fresh FMA chain per element, then one add into c.
HWY_INLINE void GemmMicroKernel(const float* HWY_RESTRICT qp, const float* HWY_RESTRICT rp,
                                std::size_t depth, float* HWY_RESTRICT c, std::size_t ldc) {
  const hn::ScalableTag<float> df;
  const std::size_t N = hn::Lanes(df);
  using V = hn::Vec<decltype(df)>;
  constexpr std::size_t MR = kGemmMR;
  V acc0[MR], acc1[MR];
  HWY_UNROLL(14)
  for (std::size_t a = 0; a < MR; ++a) {
    acc0[a] = hn::Zero(df);
    acc1[a] = hn::Zero(df);
  }
  for (std::size_t k = 0; k < depth; ++k) {
    const V r0 = hn::Load(df, rp + k * 2 * N);
    const V r1 = hn::Load(df, rp + k * 2 * N + N);
    const float* HWY_RESTRICT q = qp + k * MR;
    HWY_UNROLL(14)
    for (std::size_t a = 0; a < MR; ++a) {
      const V qa = hn::Set(df, q[a]);
      acc0[a] = hn::MulAdd(qa, r0, acc0[a]);
      acc1[a] = hn::MulAdd(qa, r1, acc1[a]);
    }
  }
  HWY_UNROLL(14)
  for (std::size_t a = 0; a < MR; ++a) {
    float* line = c + a * ldc;
    hn::Store(hn::Add(hn::Load(df, line), acc0[a]), df, line);
    hn::Store(hn::Add(hn::Load(df, line + N), acc1[a]), df, line + N);
  }
}

/// Float queries × float rows [r0, r1): heaps[a] receives (dot · scale[r], r),
/// or (dot, r) when scale is null (the float_scan contract, GEMM arithmetic).
void FloatGemmScan(const float* HWY_RESTRICT queries, std::size_t q_stride, std::size_t nq,
                   const float* HWY_RESTRICT rows, std::size_t r_stride, std::size_t r0,
                   std::size_t r1, std::size_t dim, const double* scale,
                   cleanup::detail::TopK* heaps) {
  if (nq == 0 || r0 >= r1) return;  // nothing to score (and no 0-byte scratch)
  const hn::ScalableTag<float> df;
  const std::size_t N = hn::Lanes(df), NR = 2 * N;
  constexpr std::size_t MR = kGemmMR;
  const std::size_t chunk = std::min(nq, kGemmChunkQueries);
  const std::size_t chunk_pad = (chunk + MR - 1) / MR * MR;
  // C block (chunk_pad × kGemmRowBlock), the rows' packed block and one
  // packed query tile; kGemmRowBlock is a multiple of NR on every target.
  auto c = hwy::AllocateAligned<float>(chunk_pad * kGemmRowBlock);
  auto rpack = hwy::AllocateAligned<float>(kGemmRowBlock * kGemmDepth);
  auto qpack = hwy::AllocateAligned<float>(MR * kGemmDepth);
  for (std::size_t a0 = 0; a0 < nq; a0 += kGemmChunkQueries) {
    const std::size_t a1 = std::min(nq, a0 + kGemmChunkQueries);
    const std::size_t tiles = (a1 - a0 + MR - 1) / MR;
    for (std::size_t b0 = r0; b0 < r1; b0 += kGemmRowBlock) {
      const std::size_t b1 = std::min(r1, b0 + kGemmRowBlock);
      const std::size_t panels = (b1 - b0 + NR - 1) / NR;
      std::memset(c.get(), 0, tiles * MR * kGemmRowBlock * sizeof(float));
      for (std::size_t d0 = 0; d0 < dim; d0 += kGemmDepth) {
        const std::size_t depth = std::min(kGemmDepth, dim - d0);
        // Rows panel p, component k, lane j = row b0 + p·NR + j (0 past b1).
        for (std::size_t p = 0; p < panels; ++p) {
          float* HWY_RESTRICT panel = rpack.get() + p * depth * NR;
          for (std::size_t j = 0; j < NR; ++j) {
            const std::size_t r = b0 + p * NR + j;
            if (r < b1) {
              const float* HWY_RESTRICT src = rows + r * r_stride + d0;
              for (std::size_t k = 0; k < depth; ++k) panel[k * NR + j] = src[k];
            } else {
              for (std::size_t k = 0; k < depth; ++k) panel[k * NR + j] = 0.0f;
            }
          }
        }
        for (std::size_t t = 0; t < tiles; ++t) {
          for (std::size_t a = 0; a < MR; ++a) {
            const std::size_t q = a0 + t * MR + a;
            if (q < a1) {
              const float* HWY_RESTRICT src = queries + q * q_stride + d0;
              for (std::size_t k = 0; k < depth; ++k) qpack[k * MR + a] = src[k];
            } else {
              for (std::size_t k = 0; k < depth; ++k) qpack[k * MR + a] = 0.0f;
            }
          }
          float* c_tile = c.get() + t * MR * kGemmRowBlock;
          for (std::size_t p = 0; p < panels; ++p) {
            GemmMicroKernel(qpack.get(), rpack.get() + p * depth * NR, depth, c_tile + p * NR,
                            kGemmRowBlock);
          }
        }
      }
      for (std::size_t q = a0; q < a1; ++q) {
        const float* line = c.get() + (q - a0) * kGemmRowBlock;
        cleanup::detail::TopK& heap = heaps[q];
        for (std::size_t r = b0; r < b1; ++r) {
          const auto v = static_cast<double>(line[r - b0]);
          heap.push(scale ? v * scale[r] : v, r);
        }
      }
    }
  }
}

}  // namespace hypervec::detail::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
#include "src/cleanup/kernels.hpp"

namespace hypervec {
namespace detail {
HWY_EXPORT(FloatGemmScan);
}  // namespace detail

namespace cleanup::detail {

void float_gemm_scan(const float* queries, std::size_t q_stride, std::size_t nq,
                     const float* rows, std::size_t r_stride, std::size_t r0, std::size_t r1,
                     std::size_t dim, const double* scale, TopK* heaps) {
  HWY_DYNAMIC_DISPATCH(hypervec::detail::FloatGemmScan)(queries, q_stride, nq, rows, r_stride,
                                                         r0, r1, dim, scale, heaps);
}

}  // namespace cleanup::detail
}  // namespace hypervec
#endif  // HWY_ONCE
