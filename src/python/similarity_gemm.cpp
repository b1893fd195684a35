// Dense float32 similarity through BLAS products (similarity_gemm.hpp).
//
// What it computes: C = Q · Rᵀ on a fixed grid of tiles (kQueryTile queries ×
// kRowTile rows, tile edges at multiples of the tile sizes counted from query
// 0 and row 0), each tile as a sum over fixed chunks of kDepthChunk
// components: one sgemm per chunk (a float sum), the chunk results added in
// order in double. Cosine then divides by ‖q‖ ‖r‖ (dense::norm, which also
// rejects NaN/Inf), clamps to [-1, 1] and gives 0 for a zero vector, as
// dense::cosine does.
//
// Threads (the rule of src/cleanup/blas_scores.cpp): hypervec never changes
// OpenBLAS's process-wide thread count (the host program, NumPy included,
// shares that library). When OpenBLAS runs single-threaded, the tiles are
// spread over hypervec's pool, one single-threaded sgemm per tile on each
// worker; otherwise the tiles run one after another on the calling thread
// and OpenBLAS uses its own threads inside each call (never both pools at
// once: no oversubscription). The grid depends only on the two row counts,
// and OpenBLAS splits one sgemm between its threads over C's rows and
// columns; the sum itself it splits (K blocking) differently in its serial
// and threaded drivers, which is why the sum is chunked here, short enough
// that it never does. So the results do not depend on hypervec's thread
// count nor on OpenBLAS's (tests/python/test_similarity_gemm.py compares
// OpenBLAS at 1 and 2 threads bit for bit). dgemm (float64 HRR) is not routed
// here: with the same chunking OpenBLAS 0.3.21's threaded dgemm still
// differed from its serial one in the last bit at tile edges (396 of 630,000
// scores at 300 × 2100, D = 1000), so float64 stays on the Highway kernel.
//
// Accuracy: each chunk is a float sum of ≤ kDepthChunk products (FMA, in
// OpenBLAS's order), |error| <= γ_c Σ|q_i r_i| with c = kDepthChunk,
// γ_c = c u / (1 - c u), u = 2^-24; adding the chunks in double costs
// < D/c · 2^-53 relative more. So |dot error| <= (γ_256 + 2^-40) Σ|q_i r_i|
// <= (γ_256 + 2^-40) ‖q‖ ‖r‖ (tighter than dense::dot's γ_{D/4+32} for
// D >= 1024), and a cosine is within that + the norms' bound (dense.hpp) of
// the true one. For ±1 vectors every partial sum is an integer of magnitude
// <= D, exact in float and double: dot is exact and cosine is dot / D with
// one rounding, bit-equal to the Highway kernel. Real-valued scores differ
// from the pair-by-pair kernel's (another summation order) in the last bits,
// within both bounds. A score that is not finite (float overflow, or NaN/Inf
// input) is recomputed by the pair kernel, which redoes overflowing sums in
// double and throws InvalidArgument for NaN/Inf.
#include "src/python/similarity_gemm.hpp"

#include <hypervec/dense.hpp>
#include <hypervec/error.hpp>
#include <hypervec/executor.hpp>

#ifndef HYPERVEC_HAVE_OPENBLAS
#define HYPERVEC_HAVE_OPENBLAS 0
#endif
#if HYPERVEC_HAVE_OPENBLAS
#include <cblas.h>
#endif

#include <algorithm>
#include <climits>
#include <cmath>
#include <memory>
#include <vector>

namespace hypervec::python {

#if HYPERVEC_HAVE_OPENBLAS
namespace {

// Crossover: gemm from this many queries and codebook rows on (measured
// below gemm_pays).
constexpr std::size_t kGemmMinQueries = 16;
constexpr std::size_t kGemmMinRows = 4;
// The fixed tile grid; float scratch 256 × 1024 = 1 MiB per worker.
constexpr std::size_t kQueryTile = 256;
constexpr std::size_t kRowTile = 1024;
// Components per sgemm call (see the file comment: OpenBLAS then never
// blocks the sum itself, serial or threaded; at most the sgemm K block of
// OpenBLAS's x86 kernels, checked bit for bit on its SkylakeX kernel, 0.3.21).
constexpr std::size_t kDepthChunk = 256;

/// ‖v‖ for every row (dense::norm; throws InvalidArgument for NaN/Inf).
std::vector<double> row_norms(const DenseRows<float>& m) {
  std::vector<double> n(m.rows);
  Executor::shared().parallel_for(m.rows, 64, [&](std::size_t b, std::size_t e) {
    for (std::size_t i = b; i < e; ++i) n[i] = dense::norm(m.row(i));
  });
  return n;
}

/// One tile, queries [a0, a1) × rows [r0, r1), into out (row length R.rows):
/// one sgemm per depth chunk into `scratch` (kQueryTile × kRowTile floats),
/// the chunks summed in order in double, then the cosine or the fallback.
void gemm_tile(const DenseRows<float>& Q, const DenseRows<float>& R, std::size_t a0,
               std::size_t a1, std::size_t r0, std::size_t r1, const double* qn,
               const double* rn, PairScore pair, bool cosine, float* scratch, double* out) {
  const std::size_t m = a1 - a0, n = r1 - r0, n_out = R.rows;
  const auto bi = [](std::size_t v) { return static_cast<blasint>(v); };
  double* c = out + a0 * n_out + r0;
  for (std::size_t k0 = 0; k0 < Q.dim; k0 += kDepthChunk) {
    const std::size_t k = std::min(kDepthChunk, Q.dim - k0);
    // beta = 0: sgemm writes every element of the scratch tile.
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, bi(m), bi(n), bi(k), 1.0F,
                Q.data + a0 * Q.stride + k0, bi(Q.stride), R.data + r0 * R.stride + k0,
                bi(R.stride), 0.0F, scratch, bi(n));
    for (std::size_t a = 0; a < m; ++a) {
      double* line = c + a * n_out;
      const float* part = scratch + a * n;
      if (k0 == 0) {
        for (std::size_t j = 0; j < n; ++j) line[j] = static_cast<double>(part[j]);
      } else {
        for (std::size_t j = 0; j < n; ++j) line[j] += static_cast<double>(part[j]);
      }
    }
  }
  for (std::size_t a = 0; a < m; ++a) {
    double* line = c + a * n_out;
    for (std::size_t j = 0; j < n; ++j) {
      const double dot = line[j];
      if (!std::isfinite(dot)) {  // overflow or NaN/Inf input: the pair kernel decides
        line[j] = pair(Q.row(a0 + a), R.row(r0 + j));
      } else if (cosine) {
        const double na = qn[a0 + a], nb = rn[r0 + j];
        line[j] = (na == 0.0 || nb == 0.0) ? 0.0 : std::clamp(dot / (na * nb), -1.0, 1.0);
      }
    }
  }
}

}  // namespace

// Crossover measured 2026-12-02 18:12 UTC on the 2-core KVM guest of
// docs/performance.md (AVX3_DL; OpenBLAS 0.3.21 pthread at its default 2
// threads; load average 4-5 from other builds, so ±30 %), ms per call, best
// of 5, pair kernel → sgemm. Queries: map.cosine_similarity of N ±1 queries ×
// M = 10,000 rows, D = 4096: N = 1: 28 → 45; 4: 48 → 75; 8: 81 → 95; 12: 122
// → 112; 16: 124 → 72; 32: 325 → 90; 100: 1012 → 254. Rows: N = 1000
// queries × M rows, D = 4096, best of 7: M = 1: 0.59 → 1.23; 2: 1.03 →
// 1.23; 4: 1.78 → 1.26; 8: 3.6 → 2.5; 16: 11 → 2.8; 64: 41 → 6.2. sgemm
// packs both operands per call, which the pair kernel (each codebook row read
// once per 16 queries) wins below ~12 queries or ~4 rows.
bool gemm_pays(const DenseRows<float>& queries, const DenseRows<float>& rows) noexcept {
  const auto fits = [](std::size_t v) { return v <= static_cast<std::size_t>(INT_MAX); };
  return queries.rows >= kGemmMinQueries && rows.rows >= kGemmMinRows &&
         queries.stride >= queries.dim && rows.stride >= rows.dim && fits(queries.stride) &&
         fits(rows.stride) && fits(rows.rows);
}

void gemm_similarity(const DenseRows<float>& Q, const DenseRows<float>& R, bool cosine,
                     PairScore pair, double* out) {
  py::gil_scoped_release no_gil;
  std::vector<double> qn, rn;
  if (cosine) {
    qn = row_norms(Q);
    rn = row_norms(R);
  }
  const std::size_t q_tiles = (Q.rows + kQueryTile - 1) / kQueryTile;
  const std::size_t r_tiles = (R.rows + kRowTile - 1) / kRowTile;
  // Runs tiles [b, e) of the grid, numbered query tile-major.
  auto run = [&](std::size_t b, std::size_t e) {
    const std::unique_ptr<float[]> scratch(new float[kQueryTile * kRowTile]);
    for (std::size_t t = b; t < e; ++t) {
      const std::size_t a0 = (t / r_tiles) * kQueryTile, r0 = (t % r_tiles) * kRowTile;
      gemm_tile(Q, R, a0, std::min(Q.rows, a0 + kQueryTile), r0,
                std::min(R.rows, r0 + kRowTile), qn.data(), rn.data(), pair, cosine,
                scratch.get(), out);
    }
  };
  if (openblas_get_num_threads() == 1) {
    Executor::shared().parallel_for(q_tiles * r_tiles, 1, run);
  } else {
    run(0, q_tiles * r_tiles);  // OpenBLAS threads each call itself
  }
}

py::dict gemm_info() {
  py::dict d;
  d["built"] = true;
  d["min_queries"] = kGemmMinQueries;
  d["min_rows"] = kGemmMinRows;
  return d;
}

#else  // !HYPERVEC_HAVE_OPENBLAS

py::dict gemm_info() {
  py::dict d;
  d["built"] = false;
  return d;
}

bool gemm_pays(const DenseRows<float>&, const DenseRows<float>&) noexcept { return false; }

void gemm_similarity(const DenseRows<float>&, const DenseRows<float>&, bool, PairScore,
                     double*) {
  throw InvalidArgument("similarity: the sgemm path needs the Meson feature `blas`");
}

#endif  // HYPERVEC_HAVE_OPENBLAS

}  // namespace hypervec::python
