// Scalar reference for the cleanup memory: see cleanup.hpp.
#include "src/reference/cleanup.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <type_traits>

namespace hypervec::reference::cleanup {
namespace {

std::vector<Hit> keep_best(std::vector<Hit> all, std::size_t k) {
  std::sort(all.begin(), all.end(), hypervec::cleanup::detail::better);
  all.resize(std::min(k, all.size()));
  return all;
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

}  // namespace hypervec::reference::cleanup
