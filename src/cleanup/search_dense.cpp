// Batch search of float, phasor and int8 cleanup memories (memory_state.hpp):
// the Highway kernels, or OpenBLAS sgemm for big float batches
// (blas_scores.hpp).
#include "src/cleanup/blas_scores.hpp"
#include "src/cleanup/float_scaling.hpp"
#include "src/cleanup/kernels.hpp"
#include "src/cleanup/memory_state.hpp"
#include "src/cleanup/search.hpp"

#include <algorithm>
#include <cmath>

namespace hypervec::cleanup::detail {
namespace {

/// 1 / ‖r‖ per row (0 for a zero row): the Metric::cosine score scale.
std::vector<double> row_scales(const std::vector<double>& norms) {
  std::vector<double> scale(norms.size());
  for (std::size_t r = 0; r < norms.size(); ++r) scale[r] = norms[r] == 0 ? 0.0 : 1.0 / norms[r];
  return scale;
}

}  // namespace

std::vector<Matches> float_search(const char* where, const FloatRows& rows, Metric metric,
                                  std::size_t dim, const DenseMatrixView<float>& queries,
                                  const Options& options) {
  const std::vector<double> qnorms = checked_queries(where, dim, rows.count, queries, options);
  const std::vector<double> scale = row_scales(rows.norms);
  const double* scale_ptr = metric == Metric::cosine ? scale.data() : nullptr;
  // Huge or tiny queries or rows: queries scored scaled (see kSafeExp).
  const ScaledQueries scaled = scale_queries(queries, rows.row_exp_hi, rows.row_exp_lo);
  const DenseMatrixView<float>& kq = scaled.view;
  auto highway = [&] {
    return run(queries.rows, rows.count, options.k, options.threads,
               [&](std::size_t a0, std::size_t a1, std::size_t r0, std::size_t r1,
                   TopK* heaps_out) {
                 float_scan(kq.data + a0 * kq.stride, kq.stride, a1 - a0, rows.data, rows.stride,
                            r0, r1, dim, scale_ptr, heaps_out);
               });
  };
  // blas_usable() is false without the Meson feature `blas`.
  const auto heaps = queries.rows >= kBlasMinQueries && blas_usable()
                         ? blas_run(kq, rows.data, rows.stride, rows.count, scale_ptr, options.k,
                                    options.threads)
                         : highway();
  const std::vector<double>& norms = rows.norms;
  auto out = finish(heaps, dim, options, rows.labels, [&](std::size_t a, const Hit& h) {
    if (qnorms[a] == 0 || norms[h.id] == 0) return 0.0;
    const double qn = std::ldexp(qnorms[a], -scaled.shift[a]);
    return metric == Metric::cosine ? h.score / qn : h.score / (qn * norms[h.id]);
  });
  unscale_scores(out, scaled.shift);
  return out;
}

std::vector<Matches> int8_search(const char* where, const Rows<std::int8_t>& rows, Metric metric,
                                 std::size_t dim, const DenseMatrixView<std::int8_t>& queries,
                                 const Options& options) {
  const RowStore<std::int8_t>& store = rows.store;
  // An int8 norm cannot fail, so checking -128 after the norms throws what
  // checking it query by query did.
  const std::vector<double> qnorms = checked_queries(where, dim, store.rows(), queries, options);
  for (std::size_t a = 0; a < queries.rows; ++a) {
    const std::int8_t* q = queries.data + a * queries.stride;
    hypervec::detail::require(std::find(q, q + dim, std::int8_t{-128}) == q + dim, where,
                              ": query ", a, " holds -128; int8 values must be in [-127, 127]");
  }
  const std::vector<double> scale = row_scales(rows.norms);
  const double* scale_ptr = metric == Metric::cosine ? scale.data() : nullptr;
  const auto heaps = run(queries.rows, store.rows(), options.k, options.threads,
                         [&](std::size_t a0, std::size_t a1, std::size_t r0, std::size_t r1,
                             TopK* heaps_out) {
                           int8_scan(queries.data + a0 * queries.stride, queries.stride, a1 - a0,
                                     store.data(), store.stride(), r0, r1, dim, scale_ptr,
                                     heaps_out);
                         });
  const std::vector<double>& norms = rows.norms;
  return finish(heaps, dim, options, rows.labels, [&](std::size_t a, const Hit& h) {
    if (qnorms[a] == 0 || norms[h.id] == 0) return 0.0;
    return metric == Metric::cosine ? h.score / qnorms[a] : h.score / (qnorms[a] * norms[h.id]);
  });
}

}  // namespace hypervec::cleanup::detail
