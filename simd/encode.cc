// Random projection signs (include/hypervec/encode.hpp, Projection): the
// per-target kernel sign(R x) for a batch of float inputs against the packed
// ±1 matrix R, exported once as detail::encode::project_signs (simd/encode.h).
// Projection's class code (validation, threads, the double fallback) is in
// src/encode/projection.cpp. One dispatch per call (per thread's share of a
// batch for encode_rows).
//
// Two paths, chosen by the batch size alone (never by the target, so a
// vector's bits are the same on every target):
//  * fewer than kLutInputs inputs: a block of R's rows (kRowBlockBytes of
//    packed bits, kept in L1/L2) is scored against every input in QT × RT
//    register tiles (cleanup-inl.h's MixedTile: each row bit flips the sign
//    bit of the input float; component i into partial sum i mod 16, then a
//    fixed tree), then the next block; R is read once per call.
//  * kLutInputs or more (ProjectLut): the inputs are the lanes of a vector,
//    a table of the 16 signed sums of every 4 components is built per
//    128-component block, and each row adds one table entry per 4 of its
//    bits: one load + add covers 4 components of N inputs. R is read once
//    per N inputs (once per tile of 16 inputs on AVX-512), from L2/L3.
// Projection::encode_rows splits a batch over threads in tasks of 16 inputs;
// the path is picked by the whole batch's size, so the bits do not depend
// on the thread count.
// Measured (docs/performance.md): 0.9 ms per input alone, 0.15 ms per input
// in a batch of 64 (AVX3_DL, D = D_in = 4096, one thread); the GEMM-like alternative
// (rows expanded to ±1 floats and FMAs on 48 × 48 panels) reached 0.48 ms:
// it is FMA-bound, the table needs a quarter of the vector operations.
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "simd/encode.cc"
#include <hwy/foreach_target.h>  // IWYU pragma: keep

#include <hwy/highway.h>

#include "simd/cleanup-inl.h"

#include <hwy/aligned_allocator.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>

HWY_BEFORE_NAMESPACE();
namespace hypervec::detail::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

/// Bytes of R's packed rows scored against all inputs before moving on.
constexpr std::size_t kRowBlockBytes = 64 * 1024;

// Register tiles (the cleanup memory's mixed shapes: accumulators plus
// operands fit each target's register file).
#if HWY_TARGET == HWY_SCALAR
constexpr std::size_t kQT = 1, kRT = 2, kRT1 = 2;
#else
constexpr std::size_t kLanes = hn::MaxLanes(hn::ScalableTag<float>());
constexpr std::size_t kQT = kLanes >= 16 ? 4 : (kLanes >= 8 ? 2 : 1);
constexpr std::size_t kRT = kLanes >= 16 ? 4 : 2;
constexpr std::size_t kRT1 = kLanes >= 16 ? 8 : (kLanes >= 8 ? 4 : 2);
#endif

/// Sets bit r of the packed output row (component -1) unless score > 0, and
/// folds the score's finiteness into `finite`.
HWY_INLINE void PutSign(float score, std::size_t r, std::uint64_t* HWY_RESTRICT out_row,
                        bool& finite) {
  finite = finite && (score - score == 0.0f);
  if (!(score > 0.0f)) out_row[r / 64] |= std::uint64_t{1} << (r % 64);
}

template <std::size_t QT, std::size_t RT>
bool ProjectTiles(const float* HWY_RESTRICT xs, std::size_t x_stride, std::size_t nx,
                  const std::uint64_t* HWY_RESTRICT rows, std::size_t r_stride,
                  std::size_t nrows, std::size_t dim_in, std::uint64_t* HWY_RESTRICT out,
                  std::size_t out_stride) {
  const std::size_t row_bytes = (dim_in + 63) / 64 * 8;
  std::size_t block = std::max<std::size_t>(1, kRowBlockBytes / row_bytes);
  block = (block + RT - 1) / RT * RT;
  bool finite = true;
  for (std::size_t b0 = 0; b0 < nrows; b0 += block) {
    const std::size_t b1 = std::min(nrows, b0 + block);
    for (std::size_t a0 = 0; a0 < nx; a0 += QT) {
      const float* qp[QT];
      // A ragged tile repeats its last input / row and drops those outputs.
      for (std::size_t a = 0; a < QT; ++a) qp[a] = xs + std::min(a0 + a, nx - 1) * x_stride;
      for (std::size_t t0 = b0; t0 < b1; t0 += RT) {
        const std::uint64_t* rp[RT];
        for (std::size_t b = 0; b < RT; ++b) rp[b] = rows + std::min(t0 + b, b1 - 1) * r_stride;
        float score[QT][RT];
        MixedTile<QT, RT>(qp, rp, dim_in, score);
        for (std::size_t a = 0; a < QT && a0 + a < nx; ++a) {
          for (std::size_t b = 0; b < RT && t0 + b < b1; ++b) {
            PutSign(score[a][b], t0 + b, out + (a0 + a) * out_stride, finite);
          }
        }
      }
    }
  }
  return finite;
}

/// Lookup-table path for batches: the inputs of a tile are the lanes of one
/// vector (N of them), and for every group of 4 components the table holds,
/// per lane, the 16 signed sums
///   T[g][m] = ((s_0 x_{4g} + s_1 x_{4g+1}) + s_2 x_{4g+2}) + s_3 x_{4g+3},
/// s_l = -1 where bit l of m is set (computed in float in that order, with
/// zeros past D_in and in idle lanes). A row's score for all N inputs is then
/// Σ_g T[g][m_g(row)] with m_g the row's 4 bits of group g. The table covers
/// kLutDepth components (32 × 16 × N floats: 32 KiB on AVX-512, in L1) and
/// is rebuilt per depth block; each row's N running sums wait in `acc`
/// between blocks. Summation order per (row, input): the table sums, then
/// one sequential chain over the groups in index order; N only changes how
/// many inputs share a pass, so the bits are the same on every target and
/// for every batch of >= kLutInputs inputs.
constexpr std::size_t kLutDepth = 128;
constexpr std::size_t kLutGroups = kLutDepth / 4;
/// Rows accumulated side by side (independent add chains hide the latency;
/// 8 measured a little faster than 4).
constexpr std::size_t kLutRows = 8;
/// Batches of at least this many inputs take the table path, smaller ones
/// the register tiles. At D = D_in = 4096 one table pass costs ~2.4 ms
/// (AVX3_DL) or ~1.9 ms (AVX2) whatever its lanes hold, one input on the
/// tiles 0.9 ms or 1.4 ms: the crossover is 2-3 inputs.
constexpr std::size_t kLutInputs = 3;

bool ProjectLut(const float* HWY_RESTRICT xs, std::size_t x_stride, std::size_t nx,
                const std::uint64_t* HWY_RESTRICT rows, std::size_t r_stride,
                std::size_t nrows, std::size_t dim_in, std::uint64_t* HWY_RESTRICT out,
                std::size_t out_stride) {
  if (nrows == 0 || nx == 0) return true;  // nothing to do (and no 0-byte allocation)
  const hn::ScalableTag<float> d;
  const std::size_t N = hn::Lanes(d);
  const auto table = hwy::AllocateAligned<float>(kLutGroups * 16 * N);
  const auto acc = hwy::AllocateAligned<float>(nrows * N);
  bool finite = true;
  for (std::size_t a0 = 0; a0 < nx; a0 += N) {
    const std::size_t lanes = std::min(N, nx - a0);
    std::fill(acc.get(), acc.get() + nrows * N, 0.0f);
    for (std::size_t d0 = 0; d0 < dim_in; d0 += kLutDepth) {
      const std::size_t depth = std::min(kLutDepth, dim_in - d0);
      const std::size_t groups = (depth + 3) / 4;
      // Build the table, lane by lane (idle lanes and components past D_in
      // are zeros, so they add nothing whatever the bits are).
      for (std::size_t lane = 0; lane < N; ++lane) {
        const float* x = lane < lanes ? xs + (a0 + lane) * x_stride + d0 : nullptr;
        for (std::size_t g = 0; g < groups; ++g) {
          float v[4];
          for (std::size_t l = 0; l < 4; ++l) {
            v[l] = (x != nullptr && 4 * g + l < depth) ? x[4 * g + l] : 0.0f;
          }
          float* t = table.get() + g * 16 * N + lane;
          for (std::size_t m = 0; m < 16; ++m) {
            const float s0 = (m & 1) ? -v[0] : v[0];
            const float s1 = (m & 2) ? -v[1] : v[1];
            const float s2 = (m & 4) ? -v[2] : v[2];
            const float s3 = (m & 8) ? -v[3] : v[3];
            t[m * N] = ((s0 + s1) + s2) + s3;
          }
        }
      }
      // Scan every row against the table. d0 is a multiple of 128, so the
      // block's bits are words d0/64 and d0/64 + 1 (the second only when the
      // block reaches past its first 64 components).
      const std::size_t w0 = d0 / 64;
      const std::size_t words = (depth + 63) / 64;
      const float* HWY_RESTRICT tab = table.get();
      std::size_t r = 0;
      for (; r + kLutRows <= nrows; r += kLutRows) {
        hn::Vec<decltype(d)> sum[kLutRows];
        std::uint64_t bits[kLutRows][2];
        for (std::size_t j = 0; j < kLutRows; ++j) {
          sum[j] = hn::Load(d, acc.get() + (r + j) * N);
          const std::uint64_t* row = rows + (r + j) * r_stride + w0;
          bits[j][0] = row[0];
          bits[j][1] = words > 1 ? row[1] : 0;
        }
        const float* HWY_RESTRICT group = tab;  // T[g], 16 entries of N lanes
        for (std::size_t h = 0; h < words; ++h) {
          std::uint64_t w[kLutRows];
          for (std::size_t j = 0; j < kLutRows; ++j) w[j] = bits[j][h];
          const std::size_t count = std::min<std::size_t>(16, groups - 16 * h);
          for (std::size_t k = 0; k < count; ++k, group += 16 * N) {
            for (std::size_t j = 0; j < kLutRows; ++j) {
              const auto m = static_cast<std::size_t>(w[j] & 15U);
              w[j] >>= 4;
              sum[j] = hn::Add(sum[j], hn::Load(d, group + m * N));
            }
          }
        }
        for (std::size_t j = 0; j < kLutRows; ++j) hn::Store(sum[j], d, acc.get() + (r + j) * N);
      }
      for (; r < nrows; ++r) {
        auto sum = hn::Load(d, acc.get() + r * N);
        const std::uint64_t* row = rows + r * r_stride + w0;
        const std::uint64_t bits[2] = {row[0], words > 1 ? row[1] : 0};
        for (std::size_t g = 0; g < groups; ++g) {
          const auto m = static_cast<std::size_t>((bits[g / 16] >> (4 * (g % 16))) & 15U);
          sum = hn::Add(sum, hn::Load(d, tab + (g * 16 + m) * N));
        }
        hn::Store(sum, d, acc.get() + r * N);
      }
    }
    for (std::size_t r = 0; r < nrows; ++r) {
      for (std::size_t lane = 0; lane < lanes; ++lane) {
        PutSign(acc[r * N + lane], r, out + (a0 + lane) * out_stride, finite);
      }
    }
  }
  return finite;
}

/// out row a (packed, out_stride words, packed_words(nrows) of them written)
/// = sign(R · xs row a) for a < nx: bit r set (-1) unless the float sum
/// Σ_i xs_a[i] R_r[i] is > 0. R: nrows packed rows of dim_in bits,
/// r_stride words apart. `batch_rows` is the size of the whole batch these
/// nx inputs belong to (a thread's share may be smaller): it alone picks the
/// path, so a share of 1 or 2 inputs of a large batch still takes the
/// tables and its bits do not depend on how the batch was split. Returns
/// false when some sum is not finite (an overflow; the inputs were checked
/// finite by the caller).
bool ProjectSigns(const float* HWY_RESTRICT xs, std::size_t x_stride, std::size_t nx,
                  const std::uint64_t* HWY_RESTRICT rows, std::size_t r_stride,
                  std::size_t nrows, std::size_t dim_in, std::uint64_t* HWY_RESTRICT out,
                  std::size_t out_stride, std::size_t batch_rows) {
  const std::size_t out_words = (nrows + 63) / 64;
  for (std::size_t a = 0; a < nx; ++a) std::fill(out + a * out_stride, out + a * out_stride + out_words, 0);
  if (batch_rows >= kLutInputs) {
    return ProjectLut(xs, x_stride, nx, rows, r_stride, nrows, dim_in, out, out_stride);
  }
  if (nx >= kQT) {
    return ProjectTiles<kQT, kRT>(xs, x_stride, nx, rows, r_stride, nrows, dim_in, out,
                                  out_stride);
  }
  return ProjectTiles<1, kRT1>(xs, x_stride, nx, rows, r_stride, nrows, dim_in, out, out_stride);
}

}  // namespace hypervec::detail::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
#include "simd/static_dispatch.h"
#include "simd/encode.h"

namespace hypervec::detail {
HWY_EXPORT(ProjectSigns);

namespace encode {

bool project_signs(const float* xs, std::size_t x_stride, std::size_t nx,
                   const std::uint64_t* rows, std::size_t r_stride, std::size_t nrows,
                   std::size_t dim_in, std::uint64_t* out, std::size_t out_stride,
                   std::size_t batch_rows) {
  return HWY_DYNAMIC_DISPATCH(ProjectSigns)(xs, x_stride, nx, rows, r_stride, nrows, dim_in, out,
                                            out_stride, batch_rows);
}

}  // namespace encode
}  // namespace hypervec::detail
#endif  // HWY_ONCE
