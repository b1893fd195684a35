// Scalar reference for the cleanup memory: see cleanup.hpp.
#include "src/reference/cleanup.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <type_traits>

namespace hypervec::reference::cleanup {
namespace {

std::vector<Hit> keep_best(std::vector<Hit> all, std::size_t k) {
  k = std::min(k, all.size());
  std::partial_sort(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(k), all.end(),
                    hypervec::cleanup::detail::better);
  all.resize(k);
  return all;
}

/// scores[a·M + r] = Σ_i q_a[i] · v_r(i), summed in double in index order,
/// where value(r, i) gives v_r(i) as a double: for every pair exactly the
/// additions of the single-query loop, in the same order. Blocked 4 queries ×
/// 4 rows with local accumulators only to read each value once per block
/// (the single-query loops reread the codebook for every query).
template <typename T, typename Value>
std::vector<double> score_batch(const DenseMatrixView<T>& queries, std::size_t nrows,
                                std::size_t dim, const Value& value) {
  constexpr std::size_t kQ = 4, kR = 4;
  const std::size_t nq = queries.rows;
  std::vector<double> scores(nq * nrows);
  if (nq == 0) return scores;
  std::vector<double> qd(nq * dim);  // the queries as doubles (exact)
  for (std::size_t a = 0; a < nq; ++a) {
    for (std::size_t i = 0; i < dim; ++i) qd[a * dim + i] = static_cast<double>(queries.row(a)[i]);
  }
  std::vector<double> rv(kR * dim);  // v_r(i) of the block's rows, row-major
  for (std::size_t r0 = 0; r0 < nrows; r0 += kR) {
    const std::size_t rb = std::min(kR, nrows - r0);
    for (std::size_t b = 0; b < kR; ++b) {
      for (std::size_t i = 0; i < dim; ++i) rv[b * dim + i] = b < rb ? value(r0 + b, i) : 0.0;
    }
    for (std::size_t a0 = 0; a0 < nq; a0 += kQ) {
      const double* q[kQ];
      for (std::size_t a = 0; a < kQ; ++a) q[a] = qd.data() + std::min(a0 + a, nq - 1) * dim;
      double acc[kQ][kR] = {};
      for (std::size_t i = 0; i < dim; ++i) {
        // Unrolled (also at -O2), so the accumulators live in registers.
#pragma GCC unroll 4
        for (std::size_t a = 0; a < kQ; ++a) {
#pragma GCC unroll 4
          for (std::size_t b = 0; b < kR; ++b) acc[a][b] += q[a][i] * rv[b * dim + i];
        }
      }
      for (std::size_t a = 0; a < kQ && a0 + a < nq; ++a) {
        for (std::size_t b = 0; b < rb; ++b) scores[(a0 + a) * nrows + r0 + b] = acc[a][b];
      }
    }
  }
  return scores;
}

/// Divides each row's column of scores by ‖r‖ (Metric::cosine), the norm
/// accumulated as in search_dense.
template <typename Acc, typename T>
void scale_by_norms(std::vector<double>& scores, std::size_t nq,
                    const DenseMatrixView<T>& rows) {
  for (std::size_t r = 0; r < rows.rows; ++r) {
    const auto row = rows.row(r);
    Acc norm2 = 0;
    for (std::size_t i = 0; i < rows.dim; ++i) norm2 += static_cast<Acc>(row[i]) * static_cast<Acc>(row[i]);
    for (std::size_t a = 0; a < nq; ++a) {
      double& score = scores[a * rows.rows + r];
      score = norm2 == 0 ? 0.0 : score / std::sqrt(static_cast<double>(norm2));
    }
  }
}

template <typename T>
std::vector<Hit> search_dense(std::span<const T> query, const DenseMatrixView<T>& rows,
                              std::size_t k, Metric metric) {
  // int8: exact int64 sums; float: double sums, index order.
  using Acc = std::conditional_t<std::is_same_v<T, float>, double, std::int64_t>;
  std::vector<Hit> all;
  for (std::size_t r = 0; r < rows.rows; ++r) {
    const auto row = rows.row(r);
    Acc dot = 0;
    for (std::size_t i = 0; i < rows.dim; ++i) dot += static_cast<Acc>(query[i]) * static_cast<Acc>(row[i]);
    auto score = static_cast<double>(dot);
    if (metric == Metric::cosine) {
      Acc norm2 = 0;
      for (std::size_t i = 0; i < rows.dim; ++i) norm2 += static_cast<Acc>(row[i]) * static_cast<Acc>(row[i]);
      score = norm2 == 0 ? 0.0 : score / std::sqrt(static_cast<double>(norm2));
    }
    all.push_back({score, r});
  }
  return keep_best(std::move(all), k);
}

/// The dot products accumulate in double for int8 too: every product and
/// partial sum is an integer of magnitude <= 127² · D < 2^53, so double
/// addition is exact and equals the int64 sum of search_int8 (and the loop
/// vectorises on plain SSE2, which has no 64-bit integer multiply).
template <typename T>
std::vector<double> score_dense(const DenseMatrixView<T>& queries, const DenseMatrixView<T>& rows,
                                Metric metric) {
  using NormAcc = std::conditional_t<std::is_same_v<T, float>, double, std::int64_t>;
  auto scores = score_batch(queries, rows.rows, rows.dim, [&](std::size_t r, std::size_t i) {
    return static_cast<double>(rows.row(r)[i]);
  });
  if (metric == Metric::cosine) scale_by_norms<NormAcc>(scores, queries.rows, rows);
  return scores;
}

}  // namespace

std::vector<Hit> search_packed(PackedView query, const PackedMatrixView& rows, std::size_t k) {
  std::vector<Hit> all;
  const auto d = static_cast<std::int64_t>(rows.dim);
  for (std::size_t r = 0; r < rows.rows; ++r) {
    std::int64_t h = 0;  // dot = D - 2·hamming; bits past D are zero in both
    for (std::size_t j = 0; j < query.num_words(); ++j) {
      h += std::popcount(query.words[j] ^ rows.row(r).words[j]);
    }
    all.push_back({static_cast<double>(d - 2 * h), r});
  }
  return keep_best(std::move(all), k);
}

std::vector<Hit> search_mixed(std::span<const float> query, const PackedMatrixView& rows,
                              std::size_t k) {
  std::vector<Hit> all;
  for (std::size_t r = 0; r < rows.rows; ++r) {
    const std::uint64_t* bits = rows.row(r).words;
    double dot = 0;
    for (std::size_t i = 0; i < rows.dim; ++i) {
      const auto bit = static_cast<int>((bits[i / 64] >> (i % 64)) & 1U);
      dot += static_cast<double>(query[i]) * (1 - 2 * bit);  // b_i = ±1, exact
    }
    all.push_back({dot, r});
  }
  return keep_best(std::move(all), k);
}

std::vector<Hit> search_float(std::span<const float> query, const DenseMatrixView<float>& rows,
                              std::size_t k, Metric metric) {
  return search_dense(query, rows, k, metric);
}

std::vector<Hit> search_int8(std::span<const std::int8_t> query,
                             const DenseMatrixView<std::int8_t>& rows, std::size_t k,
                             Metric metric) {
  return search_dense(query, rows, k, metric);
}

std::vector<double> score_packed(const PackedMatrixView& queries, const PackedMatrixView& rows) {
  const auto d = static_cast<std::int64_t>(rows.dim);
  const std::size_t nw = packed_words(rows.dim);
  std::vector<double> scores(queries.rows * rows.rows);
  for (std::size_t a = 0; a < queries.rows; ++a) {
    const std::uint64_t* q = queries.row(a).words;
    for (std::size_t r = 0; r < rows.rows; ++r) {
      const std::uint64_t* w = rows.row(r).words;
      std::int64_t h = 0;
      for (std::size_t j = 0; j < nw; ++j) h += std::popcount(q[j] ^ w[j]);
      scores[a * rows.rows + r] = static_cast<double>(d - 2 * h);
    }
  }
  return scores;
}

std::vector<double> score_mixed(const DenseMatrixView<float>& queries,
                                const PackedMatrixView& rows) {
  return score_batch(queries, rows.rows, rows.dim, [&](std::size_t r, std::size_t i) {
    const auto bit = static_cast<int>((rows.row(r).words[i / 64] >> (i % 64)) & 1U);
    return static_cast<double>(1 - 2 * bit);  // b_i = ±1, exact
  });
}

std::vector<double> score_float(const DenseMatrixView<float>& queries,
                                const DenseMatrixView<float>& rows, Metric metric) {
  return score_dense(queries, rows, metric);
}

std::vector<double> score_int8(const DenseMatrixView<std::int8_t>& queries,
                               const DenseMatrixView<std::int8_t>& rows, Metric metric) {
  return score_dense(queries, rows, metric);
}

std::vector<Hit> top_k(std::span<const double> scores, std::size_t k) {
  std::vector<Hit> all(scores.size());
  for (std::size_t r = 0; r < scores.size(); ++r) all[r] = {scores[r], r};
  return keep_best(std::move(all), k);
}

}  // namespace hypervec::reference::cleanup
