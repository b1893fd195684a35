// The OpenBLAS sgemm path of batched float search (blas_scores.hpp).
#include "src/cleanup/blas_scores.hpp"

#include "src/parallel.hpp"
#include <hypervec/error.hpp>

#ifndef HYPERVEC_HAVE_OPENBLAS
#define HYPERVEC_HAVE_OPENBLAS 0
#endif
#if HYPERVEC_HAVE_OPENBLAS
#include <cblas.h>  // OpenBLAS (Meson feature `blas`): batched float scores
#endif

#include <algorithm>
#include <memory>

namespace hypervec::cleanup::detail {

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
// (kBlasMinQueries = 64: blas_scores.hpp)
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
static void blas_tile(const DenseMatrixView<float>& queries, std::size_t a0, std::size_t a1,
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

#else  // !HYPERVEC_HAVE_OPENBLAS

bool blas_usable() noexcept { return false; }

std::vector<TopK> blas_run(const DenseMatrixView<float>&, const float*, std::size_t,
                           std::size_t, const double*, std::size_t, unsigned) {
  throw InvalidArgument("cleanup: the sgemm path needs the Meson feature `blas`");
}

#endif  // HYPERVEC_HAVE_OPENBLAS

}  // namespace hypervec::cleanup::detail
