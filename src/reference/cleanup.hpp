// Scalar reference for the cleanup memory (cleanup.hpp): a brute-force scan
// that scores every row one component at a time (in double, or exactly in
// integers), sorts all M scores by the result order (higher score, then lower
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

}  // namespace hypervec::reference::cleanup
