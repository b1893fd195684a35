// Internal: exact power-of-two scaling of float queries whose values (or a
// memory's rows) lie outside 2^±kSafeExp, so float scores neither overflow
// nor underflow (src/cleanup/float_scaling.cpp).
#pragma once

#include <hypervec/cleanup.hpp>
#include <hypervec/storage.hpp>

#include <vector>

namespace hypervec::cleanup::detail {

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
/// The rows must be finite (every caller checks them first).
std::vector<int> max_exponents(const DenseMatrixView<float>& rows);

struct ScaledQueries {
  std::vector<int> shift;         // query a is scored as q_a · 2^-shift[a]
  DenseMatrix<float> storage;     // the scaled copy, when some shift != 0
  DenseMatrixView<float> view;    // what the kernels read
};

/// See kSafeExp. queries: finite (checked by the caller). row_hi, row_lo:
/// the memory's largest and smallest non-zero row exponents (0, 0 for ±1
/// rows or no non-zero row).
ScaledQueries scale_queries(const DenseMatrixView<float>& queries, int row_hi, int row_lo);

/// Undoes the query scaling on reported scores (cosines are scale-free).
void unscale_scores(std::vector<Matches>& matches, const std::vector<int>& shift);

}  // namespace hypervec::cleanup::detail
