// Batch search of packed cleanup memories: packed queries (XOR + popcount)
// and float queries (mixed), memory_state.hpp.
#include "src/cleanup/kernels.hpp"
#include "src/cleanup/float_scaling.hpp"
#include "src/cleanup/memory_state.hpp"
#include "src/cleanup/search.hpp"

#include <cmath>

namespace hypervec::cleanup::detail {

std::vector<Matches> packed_search(const char* where, const Rows<std::uint64_t>& rows,
                                   std::size_t dim, const PackedMatrixView& queries,
                                   const Options& options) {
  const RowStore<std::uint64_t>& store = rows.store;
  hypervec::detail::require_same_dim(where, "the memory", dim, "queries", queries.dim);
  check_options(where, store.rows(), options);
  const std::size_t nw = packed_words(dim);
  check_batch(where, "queries", queries, nw, queries.stride_words);
  for (std::size_t a = 0; a < queries.rows; ++a) {
    make_packed_view(queries.row(a).words, nw, dim, "a query");
  }
  const auto heaps = run(queries.rows, store.rows(), options.k, options.threads,
                         [&](std::size_t a0, std::size_t a1, std::size_t r0, std::size_t r1,
                             TopK* heaps_out) {
                           packed_scan(queries.words + a0 * queries.stride_words,
                                       queries.stride_words, a1 - a0, store.data(),
                                       store.stride(), r0, r1, dim, heaps_out);
                         });
  const double d = static_cast<double>(dim);
  return finish(heaps, dim, options, rows.labels,
                [d](std::size_t, const Hit& h) { return h.score / d; });
}

std::vector<Matches> mixed_search(const char* where, const Rows<std::uint64_t>& rows,
                                  std::size_t dim, const DenseMatrixView<float>& queries,
                                  const Options& options) {
  const RowStore<std::uint64_t>& store = rows.store;
  const std::vector<double> norms = checked_queries(where, dim, store.rows(), queries, options);
  // Huge queries are scored scaled (rows are ±1: exponent 0), see kSafeExp.
  const ScaledQueries scaled = scale_queries(queries, 0, 0);
  const DenseMatrixView<float>& kq = scaled.view;
  // One kernel per batch, chosen by the batch size (never by the share of a
  // worker), so the results do not depend on the thread count.
  const bool tables = queries.rows >= kMixedLutMinQueries;
  const auto heaps = run(queries.rows, store.rows(), options.k, options.threads,
                         [&](std::size_t a0, std::size_t a1, std::size_t r0, std::size_t r1,
                             TopK* heaps_out) {
                           const float* q = kq.data + a0 * kq.stride;
                           if (tables) {
                             mixed_lut_scan(q, kq.stride, a1 - a0, store.data(), store.stride(),
                                            r0, r1, dim, heaps_out);
                           } else {
                             mixed_scan(q, kq.stride, a1 - a0, store.data(), store.stride(), r0,
                                        r1, dim, heaps_out);
                           }
                         });
  const double sqrt_d = std::sqrt(static_cast<double>(dim));
  auto out = finish(heaps, dim, options, rows.labels, [&](std::size_t a, const Hit& h) {
    return norms[a] == 0 ? 0.0 : h.score / (std::ldexp(norms[a], -scaled.shift[a]) * sqrt_d);
  });
  unscale_scores(out, scaled.shift);
  return out;
}

}  // namespace hypervec::cleanup::detail
