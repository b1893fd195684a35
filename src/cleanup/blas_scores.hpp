// Internal: the OpenBLAS sgemm path of batched float search (Meson feature
// `blas`; src/cleanup/blas_scores.cpp). Without the feature blas_usable() is
// false and the Highway kernel scores every batch.
#pragma once

#include <hypervec/storage.hpp>

#include "simd/cleanup-topk.h"

#include <cstddef>
#include <vector>

namespace hypervec::cleanup::detail {

/// Float batches of at least this many queries go to sgemm when
/// blas_usable() (measurements in blas_scores.cpp).
constexpr std::size_t kBlasMinQueries = 64;

/// True when the sgemm path may run: built with OpenBLAS and OpenBLAS
/// reports one thread (the host's choice; hypervec never changes it).
bool blas_usable() noexcept;

/// The top-k heaps of queries × rows [0, nrows) scored by sgemm on the fixed
/// tile grid: (dot · scale[r], r), or (dot, r) when scale is null. Results do
/// not depend on `threads` (0 = all cores). Call only when blas_usable().
std::vector<TopK> blas_run(const DenseMatrixView<float>& queries, const float* rows,
                           std::size_t r_stride, std::size_t nrows, const double* scale,
                           std::size_t k, unsigned threads);

}  // namespace hypervec::cleanup::detail
