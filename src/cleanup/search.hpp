// Internal: the pieces every cleanup search shares (src/cleanup/memory.cpp,
// src/cleanup/blas_scores.cpp): the worker split over queries or rows, the
// heaps-to-matches step with the thresholds, and the input checks.
#pragma once

#include <hypervec/cleanup.hpp>
#include "src/parallel.hpp"
#include <hypervec/error.hpp>

#include "simd/cleanup-topk.h"
#include "src/cleanup/label_index.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace hypervec::cleanup::detail {

/// Runs scan(q_begin, q_end, r_begin, r_end, heaps) over Q queries and M rows
/// with up to `threads` workers and returns one heap per query. With at least
/// as many queries as workers, each worker owns a query range; otherwise each
/// owns a row range of at least 256 rows with its own heaps, merged
/// afterwards. Either way the result is the unique top-k under
/// detail::better, so it does not depend on the thread count. scan is never
/// called with an empty query or row range (Q == 0 or M == 0: empty heaps).
template <typename Scan>
std::vector<TopK> run(std::size_t nq, std::size_t rows, std::size_t k, unsigned threads,
                      const Scan& scan) {
  constexpr std::size_t kMinRowsPerWorker = 256;
  std::vector<TopK> heaps(nq, TopK(k));
  if (nq == 0 || rows == 0) return heaps;
  const std::size_t t = std::min<std::size_t>(
      threads == 0 ? hypervec::detail::default_thread_count() : threads,
      hypervec::detail::max_thread_count());
  if (nq >= t || rows < kMinRowsPerWorker * t) {
    hypervec::detail::parallel_for(nq, threads, 1, [&](std::size_t b, std::size_t e) {
      scan(b, e, std::size_t{0}, rows, heaps.data() + b);
    });
    return heaps;
  }
  // Row pieces are indices of the loop below, so each has a fixed owner.
  const std::size_t pieces = hypervec::detail::worker_count(rows, static_cast<unsigned>(t),
                                                            kMinRowsPerWorker);
  std::vector<std::vector<TopK>> partial(pieces, std::vector<TopK>(nq, TopK(k)));
  hypervec::detail::parallel_for(pieces, static_cast<unsigned>(pieces), 1,
                                 [&](std::size_t b, std::size_t e) {
    for (std::size_t w = b; w < e; ++w) {
      scan(std::size_t{0}, nq, hypervec::detail::piece_begin(rows, pieces, w),
           hypervec::detail::piece_begin(rows, pieces, w + 1), partial[w].data());
    }
  });
  for (auto& part : partial) {
    for (std::size_t a = 0; a < nq; ++a) heaps[a].merge(part[a]);
  }
  return heaps;
}

/// Mixed batches of at least this many queries run MixedLutScan (sign
/// tables), smaller ones MixedScan (sign flips per pair). Measured at M =
/// 100,000, D = 4096, one thread, AVX3_DL (ms per batch, flips → tables):
/// Q = 1: 24 → 61; 2: 46 → 58; 3: 66 → 59; 4: 55 → 58; 5..8: 102 → 60. The
/// table cost hardly depends on Q up to one panel (16 or 32 queries).
constexpr std::size_t kMixedLutMinQueries = 3;

inline void check_options(const char* where, std::size_t rows, const Options& options) {
  hypervec::detail::require(rows != 0, where, ": the memory is empty; add rows before searching");
  hypervec::detail::require(options.k >= 1 && options.k <= rows, where, ": k=", options.k,
                            " is out of range; need 1 <= k <= M=", rows);
  hypervec::detail::require(!std::isnan(options.min_cosine) && !std::isnan(options.min_z), where,
                            ": min_cosine / min_z is NaN");
}

/// Turns heaps into matches: cosine_of(hit) gives the cosine; thresholds
/// filter; labels are copied.
template <typename CosineOf>
std::vector<Matches> finish(const std::vector<TopK>& heaps, std::size_t dim,
                            const Options& options, const LabelIndex& labels,
                            const CosineOf& cosine_of) {
  std::vector<Matches> out(heaps.size());
  for (std::size_t a = 0; a < heaps.size(); ++a) {
    for (const Hit& hit : heaps[a].sorted()) {
      Match m;
      m.id = hit.id;
      m.score = hit.score;
      m.cosine = cosine_of(a, hit);
      m.z = z_score(m.cosine, dim);
      m.p = p_value(m.z);
      if (m.cosine < options.min_cosine || m.z < options.min_z) continue;
      m.label = labels[hit.id];
      out[a].push_back(std::move(m));
    }
  }
  return out;
}

/// ‖v‖ in double; throws InvalidArgument naming `what` on NaN or ±Inf.
template <typename T>
double checked_norm(const T* v, std::size_t dim, const char* where, const char* what,
                    std::size_t index) {
  // Four partial sums (a fixed order, independent add chains).
  double part[4] = {0, 0, 0, 0};
  std::size_t i = 0;
  for (; i + 4 <= dim; i += 4) {
    for (std::size_t l = 0; l < 4; ++l) {
      part[l] += static_cast<double>(v[i + l]) * static_cast<double>(v[i + l]);
    }
  }
  for (; i < dim; ++i) part[0] += static_cast<double>(v[i]) * static_cast<double>(v[i]);
  const double sum = (part[0] + part[1]) + (part[2] + part[3]);
  if (!std::isfinite(sum)) {  // finite floats cannot overflow a double sum of squares
    std::size_t bad = 0;
    while (bad + 1 < dim && std::isfinite(static_cast<double>(v[bad]))) ++bad;
    throw InvalidArgument(hypervec::detail::concat(where, ": ", what, " ", index, " holds ",
                                                   static_cast<double>(v[bad]), " at component ",
                                                   bad, "; values must be finite"));
  }
  return std::sqrt(sum);
}

/// A batch view must have a data pointer (when non-empty) and a stride that
/// covers a row.
template <typename View>
void check_batch(const char* where, const char* what, const View& v, std::size_t need_stride,
                 std::size_t stride) {
  hypervec::detail::require(v.rows == 0 || stride >= need_stride, where, ": ", what,
                            " has stride ", stride, ", a row needs ", need_stride);
  if constexpr (requires { v.words; }) {
    hypervec::detail::require(v.rows == 0 || v.words != nullptr, where, ": ", what,
                              " is a null pointer");
  } else {
    hypervec::detail::require(v.rows == 0 || v.data != nullptr, where, ": ", what,
                              " is a null pointer");
  }
}

/// The checks of a search with dense queries (float, int8, or float against
/// packed rows): queries of the memory's dimension, options valid for `rows`
/// stored rows, a well-formed batch. Returns ‖q‖ per query (checked_norm:
/// throws on NaN or ±Inf).
template <typename T>
std::vector<double> checked_queries(const char* where, std::size_t dim, std::size_t rows,
                                    const DenseMatrixView<T>& queries, const Options& options) {
  hypervec::detail::require_same_dim(where, "the memory", dim, "queries", queries.dim);
  check_options(where, rows, options);
  check_batch(where, "queries", queries, dim, queries.stride);
  std::vector<double> norms(queries.rows);
  for (std::size_t a = 0; a < queries.rows; ++a) {
    norms[a] = checked_norm(queries.data + a * queries.stride, dim, where, "query", a);
  }
  return norms;
}

inline void check_labels(const char* where, std::size_t rows, std::span<const std::string> labels) {
  hypervec::detail::require<DimensionError>(labels.empty() || labels.size() == rows, where,
                                            ": labels has ", labels.size(), " entries, rows has ",
                                            rows, "; need one label per row or none");
}

template <typename M>
std::optional<Match> first_of(M&& matches) {
  if (matches.empty()) return std::nullopt;
  return std::move(matches.front());
}

inline Options single(Options options) {
  options.k = 1;
  return options;
}

}  // namespace hypervec::cleanup::detail
