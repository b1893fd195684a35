// Scalar reference for the cleanup memory (cleanup.hpp): a brute-force scan
// that scores every row one component at a time (in double, or exactly in
// integers), ranks all M scores by the result order (higher score, then lower
// id) and keeps the first k. The expected result of every cleanup search and
// the plain-scan peer in bench/cleanup_bench.cpp. Internal: not installed.
#pragma once

#include <hypervec/cleanup.hpp>
#include <hypervec/storage.hpp>

#include "simd/cleanup-topk.h"

#include <cstdint>
#include <span>
#include <vector>

namespace hypervec::reference::cleanup {

using hypervec::cleanup::detail::Hit;
using hypervec::cleanup::Metric;

/// score = D - 2·hamming(q, row).
std::vector<Hit> search_packed(PackedView query, const PackedMatrixView& rows, std::size_t k);
/// score = Σ q_i b_i in double, index order.
std::vector<Hit> search_mixed(std::span<const float> query, const PackedMatrixView& rows,
                              std::size_t k);
/// score = Σ q_i r_i in double (Metric::dot) or that / ‖r‖ (Metric::cosine).
std::vector<Hit> search_float(std::span<const float> query, const DenseMatrixView<float>& rows,
                              std::size_t k, Metric metric);
/// score = Σ q_i r_i exactly (Metric::dot) or that / ‖r‖ (Metric::cosine).
std::vector<Hit> search_int8(std::span<const std::int8_t> query,
                             const DenseMatrixView<std::int8_t>& rows, std::size_t k,
                             Metric metric);

// --- Batches: the score of every (query, row) pair ---------------------------
//
// scores[a·M + r] for query a and row r, each the same value as the
// single-query functions above give (same float/double arithmetic in the
// same order, so the same bits; int8 sums are exact either way); only the
// loops are blocked, 4 queries × 4 rows, so the codebook is read Q/4 times
// instead of Q times. top_k ranks one query's scores.

std::vector<double> score_packed(const PackedMatrixView& queries, const PackedMatrixView& rows);
std::vector<double> score_mixed(const DenseMatrixView<float>& queries,
                                const PackedMatrixView& rows);
std::vector<double> score_float(const DenseMatrixView<float>& queries,
                                const DenseMatrixView<float>& rows, Metric metric);
std::vector<double> score_int8(const DenseMatrixView<std::int8_t>& queries,
                               const DenseMatrixView<std::int8_t>& rows, Metric metric);

/// The k best of scores[0..M) (row id = index) under the result order,
/// best first.
std::vector<Hit> top_k(std::span<const double> scores, std::size_t k);

}  // namespace hypervec::reference::cleanup
