// Pieces shared by the encoders of src/encode/ (include/hypervec/encode.hpp):
// the seed-stream layout, argument checks, the per-component selection
// written once for packed rows and for dense rows, and the span walk of
// Level and Circular. Private to the library.
#pragma once

#include <hypervec/encode.hpp>
#include <hypervec/error.hpp>
#include <hypervec/model.hpp>
#include <hypervec/random.hpp>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <span>
#include <type_traits>
#include <vector>

namespace hypervec::encode::detail_encode {

// Stream rows of a codebook seed: rows 0 and 1 are the random endpoints A
// and B, row 2 the per-component thresholds or phases. Level and Circular
// with randomness take endpoints V_s for s >= 2 from row s + 1, and the
// thresholds of spans s >= 1 from row s of a second seed (kSpanThresholdTag).
// The rows are the same for every model: only M::random differs.
inline constexpr std::uint64_t kThresholdRow = 2;
inline constexpr std::uint64_t kSpanThresholdTag = 0x6c6576656c5f7370ULL;  // "level_sp"

template <typename M>
inline constexpr bool kPacked = std::is_same_v<M, models::PackedMap>;

inline void check_range(const char* where, double low, double high) {
  detail::require(std::isfinite(low) && std::isfinite(high) && low < high, where,
                  ": value range [low, high] must be finite with low < high, got [", low, ", ",
                  high, "]");
}

inline void check_finite(const char* where, const char* what, std::span<const float> x) {
  for (std::size_t i = 0; i < x.size(); ++i) {
    if (!std::isfinite(x[i])) {
      throw InvalidArgument(detail::concat(where, ": ", what, "[", i, "] = ", x[i],
                                           " is not finite"));
    }
  }
}

inline std::vector<double> uniforms(std::size_t dim, std::uint64_t seed,
                                    std::uint64_t row = kThresholdRow) {
  random::RowStream stream(seed, row);
  std::vector<double> u(dim);
  for (double& x : u) x = stream.next_uniform();
  return u;
}

/// Row r of `out` (zeroed on entry) = v.
template <typename M>
void copy_row(typename M::Matrix& out, std::size_t r, typename M::View v) {
  if constexpr (kPacked<M>) {
    std::copy(v.words, v.words + packed_words(out.dim()), out.row_span(r).words);
  } else {
    std::copy(v.begin(), v.end(), out.row(r).begin());
  }
}

/// Row r of `out` (zeroed on entry) takes b_j where take_b(j), else a_j:
/// the selection of every model (packed: the bit of a or b).
template <typename M, typename TakeB>
void select_row(typename M::Matrix& out, std::size_t r, typename M::View a, typename M::View b,
                TakeB take_b) {
  const std::size_t dim = out.dim();
  if constexpr (kPacked<M>) {
    std::uint64_t* w = out.row_span(r).words;
    for (std::size_t j = 0; j < dim; ++j) {
      const std::uint64_t bit = ((take_b(j) ? b.words[j / 64] : a.words[j / 64]) >> (j % 64)) & 1U;
      w[j / 64] |= bit << (j % 64);
    }
  } else {
    const auto row = out.row(r);
    for (std::size_t j = 0; j < dim; ++j) row[j] = take_b(j) ? b[j] : a[j];
  }
}

/// Endpoint V_s of a span walk: seed rows 0, 1, 3, 4, ... (row 2 holds span
/// 0's thresholds).
template <typename M>
typename M::Vector span_endpoint(std::size_t dim, std::uint64_t seed, std::size_t s) {
  return M::random(dim, seed, s < 2 ? s : s + 1);
}

/// Span and fraction of step x in a walk of `spans` spans of λ steps
/// (torchhd: span ⌊x/λ⌋, fraction (x mod λ)/λ; a remainder within 1e-12 of 0
/// or λ is a span border, fraction 0).
struct SpanPosition {
  std::size_t span;
  double fraction;
};

inline SpanPosition span_position(double x, double lambda, std::size_t spans) {
  const double rem = std::fmod(x, lambda);
  if (rem < 1e-12 || lambda - rem < 1e-12) {
    const auto s = static_cast<std::size_t>(std::llround(x / lambda));
    return {std::min(s, spans), 0.0};
  }
  const auto s = static_cast<std::size_t>(std::floor(x / lambda));
  return {std::min(s, spans - 1), rem / lambda};
}

/// Row t of `out` (zeroed) = the walk's vector at position(t): V_s at a
/// border, else V_{s+1} where span s's threshold is < f and V_s elsewhere.
/// Endpoints per span_endpoint; span 0's thresholds are stream row 2 of the
/// seed, span s >= 1's row s of the seed family kSpanThresholdTag. Positions
/// must visit the spans in non-decreasing order, so each span's endpoints and
/// thresholds are generated once (never all spans' at a time).
template <typename M, typename Position>
void fill_span_walk(typename M::Matrix& out, std::uint64_t seed, Position position) {
  const std::size_t dim = out.dim();
  std::size_t have = static_cast<std::size_t>(-1);
  typename M::Vector start, end;
  std::vector<double> u;
  for (std::size_t t = 0; t < out.rows(); ++t) {
    const SpanPosition p = position(t);
    if (p.fraction == 0.0) {
      const typename M::Vector v = span_endpoint<M>(dim, seed, p.span);
      copy_row<M>(out, t, v);
      continue;
    }
    if (have != p.span) {
      start = span_endpoint<M>(dim, seed, p.span);
      end = span_endpoint<M>(dim, seed, p.span + 1);
      u = p.span == 0 ? uniforms(dim, seed)
                      : uniforms(dim, random::mix64(seed ^ kSpanThresholdTag), p.span);
      have = p.span;
    }
    const double f = p.fraction;
    select_row<M>(out, t, start, end, [&](std::size_t j) { return u[j] < f; });
  }
}

}  // namespace hypervec::encode::detail_encode
