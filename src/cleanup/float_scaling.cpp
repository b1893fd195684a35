// Exact power-of-two scaling of extreme float queries (float_scaling.hpp).
#include "src/cleanup/float_scaling.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>

namespace hypervec::cleanup::detail {

std::vector<int> max_exponents(const DenseMatrixView<float>& rows) {
  std::vector<int> out(rows.rows, std::numeric_limits<int>::min());
  for (std::size_t a = 0; a < rows.rows; ++a) {
    // max |x| as the largest bit pattern with the sign cleared: for finite
    // floats (the callers have checked) the bits order like the values, and
    // an integer max vectorises where a float max (NaN rules) does not.
    std::uint32_t m = 0;
    for (const float x : rows.row(a)) m = std::max(m, std::bit_cast<std::uint32_t>(x) & 0x7fffffffU);
    if (m > 0) out[a] = std::ilogb(std::bit_cast<float>(m));
  }
  return out;
}

ScaledQueries scale_queries(const DenseMatrixView<float>& queries, int row_hi, int row_lo) {
  ScaledQueries out;
  out.view = queries;
  const std::vector<int> e = max_exponents(queries);
  out.shift.assign(queries.rows, 0);
  const bool rows_in_range = row_hi <= kSafeExp && row_lo >= -kSafeExp;
  // |q| < 2, |r| < 2^(row_hi+1), D terms: sums below 2^(row_hi + 2 + log2 D) < 2^126.
  const int extra = std::max(0, row_hi + 3 + static_cast<int>(std::bit_width(queries.dim)) - 126);
  bool any = false;
  for (std::size_t a = 0; a < queries.rows; ++a) {
    if (e[a] == std::numeric_limits<int>::min()) continue;  // zero query
    if (rows_in_range && e[a] >= -kSafeExp && e[a] <= kSafeExp) continue;
    out.shift[a] = e[a] + extra;
    any = any || out.shift[a] != 0;
  }
  if (!any) return out;
  out.storage = DenseMatrix<float>(queries.rows, queries.dim);
  for (std::size_t a = 0; a < queries.rows; ++a) {
    const auto src = queries.row(a);
    auto dst = out.storage.row(a);
    for (std::size_t i = 0; i < queries.dim; ++i) dst[i] = std::ldexp(src[i], -out.shift[a]);
  }
  out.view = out.storage.view();
  return out;
}

void unscale_scores(std::vector<Matches>& matches, const std::vector<int>& shift) {
  for (std::size_t a = 0; a < matches.size(); ++a) {
    if (shift[a] == 0) continue;
    for (Match& m : matches[a]) m.score = std::ldexp(m.score, shift[a]);
  }
}

}  // namespace hypervec::cleanup::detail
