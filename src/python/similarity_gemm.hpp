// Dense float32 dot / cosine similarity of a batch against a codebook through
// BLAS matrix products (OpenBLAS sgemm, Meson feature `blas`), for the bound
// verbs map/hrr.{dot,cosine}_similarity (ops.cpp). Without the feature
// gemm_pays() is false and ops.cpp scores pair by pair (Highway).
#pragma once

#include "src/python/arrays.hpp"

#include <cstddef>
#include <span>

namespace hypervec::python {

/// Which score a similarity verb computes, for the gemm route.
enum class GemmScore { none, dot, cosine };

/// True when scoring queries × rows through sgemm is built in, faster than
/// the pair-by-pair Highway kernel (crossover measured in similarity_gemm.cpp)
/// and the operands' layout suits BLAS.
bool gemm_pays(const DenseRows<float>& queries, const DenseRows<float>& rows) noexcept;

/// {"built": OpenBLAS linked, "min_queries", "min_rows": the crossover}:
/// hypervec._hypervec._similarity_gemm, for the tests.
py::dict gemm_info();

/// The pair kernel gemm_similarity falls back to for a pair whose float sum
/// is not finite (overflow, or NaN/Inf in the input, which it rejects).
using PairScore = double (*)(std::span<const float>, std::span<const float>);

/// out[i * rows.rows + j] = ⟨queries_i, rows_j⟩; cosine: divided by the
/// norms, clamped to [-1, 1], 0 when either vector is zero (dense::cosine's
/// contract). Releases the GIL. Call only when gemm_pays().
void gemm_similarity(const DenseRows<float>& queries, const DenseRows<float>& rows, bool cosine,
                     PairScore pair, double* out);

}  // namespace hypervec::python
