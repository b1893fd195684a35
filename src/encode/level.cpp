// Level and Thermometer codebooks (include/hypervec/encode.hpp), for every
// model: the selection is computed once per component from the model-free
// thresholds (src/encode/common.hpp) and applied to the model's endpoints.
// Codebook construction is a one-off scalar loop per component.
#include "src/encode/common.hpp"

#include <hypervec/encode.hpp>
#include <hypervec/error.hpp>

#include <cmath>
#include <complex>

namespace hypervec::encode {

using detail_encode::check_range;
using detail_encode::SpanPosition;

std::size_t value_to_index(double value, double low, double high, std::size_t levels) {
  detail::require(levels >= 1, "encode::value_to_index: levels must be >= 1");
  check_range("encode::value_to_index", low, high);
  detail::require(!std::isnan(value), "encode::value_to_index: value is NaN");
  const double t = (value - low) / (high - low) * static_cast<double>(levels - 1);
  if (!(t > 0.0)) return 0;  // also -Inf
  if (t >= static_cast<double>(levels - 1)) return levels - 1;
  return static_cast<std::size_t>(std::lround(t));
}

// ---------------------------------------------------------------------------
// Level
// ---------------------------------------------------------------------------

namespace {

/// torchhd's span length λ = (1 - r)(n - 1) + r.
double levels_per_span(std::size_t levels, double randomness) {
  return (1.0 - randomness) * static_cast<double>(levels - 1) + randomness;
}

}  // namespace

template <Model M>
Level<M>::Level(std::size_t levels, std::size_t dim, std::uint64_t seed, double low, double high,
                double randomness)
    : low_(low), high_(high), randomness_(randomness) {
  detail::require_valid_dim("encode::Level", "dim", dim);
  detail::require(levels >= 2, "encode::Level: levels must be >= 2, got ", levels);
  detail::require_rows_limit("encode::Level", "levels", levels);
  check_range("encode::Level", low, high);
  detail::require(randomness >= 0.0 && randomness <= 1.0,
                  "encode::Level: randomness must be in [0, 1], got ", randomness);
  codebook_ = Matrix(levels, dim);
  // Levels in index order visit the spans in order.
  detail_encode::fill_span_walk<M>(codebook_, seed, [this](std::size_t i) {
    const Position p = position(i);
    return SpanPosition{p.span, p.fraction};
  });
}

template <Model M>
LevelPosition Level<M>::position(std::size_t i) const {
  detail::require(i < levels(), "encode::Level::position: index ", i, " >= levels ", levels());
  const double lambda = levels_per_span(levels(), randomness_);
  const auto spans =
      static_cast<std::size_t>(std::ceil(static_cast<double>(levels() - 1) / lambda));
  const SpanPosition p = detail_encode::span_position(static_cast<double>(i), lambda, spans);
  return {p.span, p.fraction};
}

template <Model M>
double Level<M>::expected_cosine(std::size_t i, std::size_t k) const {
  const Position a = position(i);
  const Position b = position(k);
  if (a.span == b.span) return 1.0 - std::abs(a.fraction - b.fraction);
  // Different spans: independent choices between V_s (1 - f) and V_{s+1} (f).
  const auto weight = [](const Position& p, std::size_t v) {
    if (v == p.span) return 1.0 - p.fraction;
    if (v == p.span + 1) return p.fraction;
    return 0.0;
  };
  double same = 0.0;
  for (const std::size_t v : {a.span, a.span + 1}) same += weight(a, v) * weight(b, v);
  return same;
}

template <Model M>
typename Level<M>::View Level<M>::level(std::size_t i) const {
  detail::require(i < levels(), "encode::Level::level: index ", i, " >= levels ", levels());
  return codebook_.row(i);
}

template <Model M>
typename Level<M>::View Level<M>::operator()(double value) const {
  return codebook_.row(value_to_index(value, low_, high_, levels()));
}

// ---------------------------------------------------------------------------
// Thermometer
// ---------------------------------------------------------------------------

template <Model M>
  requires ComponentwiseModel<M>
Thermometer<M>::Thermometer(std::size_t levels, std::size_t dim, double low, double high)
    : low_(low), high_(high) {
  detail::require_valid_dim("encode::Thermometer", "dim", dim);
  detail::require(levels >= 2, "encode::Thermometer: levels must be >= 2, got ", levels);
  // levels <= kMaxRows and D <= kMaxDim keep i * D * 2 + levels below 2^64.
  detail::require_rows_limit("encode::Thermometer", "levels", levels);
  check_range("encode::Thermometer", low, high);
  codebook_ = Matrix(levels, dim);
  for (std::size_t i = 0; i < levels; ++i) {
    // t_i = round(i·D/(n-1)) leading +1 components (packed: bit 0), the rest -1.
    const std::size_t plus = (i * dim * 2 + (levels - 1)) / (2 * (levels - 1));
    if constexpr (detail_encode::kPacked<M>) {
      std::uint64_t* w = codebook_.row_span(i).words;
      for (std::size_t j = plus; j < dim; ++j) w[j / 64] |= std::uint64_t{1} << (j % 64);
    } else {
      const auto row = codebook_.row(i);
      for (std::size_t j = 0; j < dim; ++j) row[j] = j < plus ? 1.0f : -1.0f;
    }
  }
}

template <Model M>
  requires ComponentwiseModel<M>
typename Thermometer<M>::View Thermometer<M>::level(std::size_t i) const {
  detail::require(i < levels(), "encode::Thermometer::level: index ", i, " >= levels ",
                  levels());
  return codebook_.row(i);
}

template <Model M>
  requires ComponentwiseModel<M>
typename Thermometer<M>::View Thermometer<M>::operator()(double value) const {
  return codebook_.row(value_to_index(value, low_, high_, levels()));
}

template class Level<models::PackedMap>;
template class Level<models::DenseMap>;
template class Level<models::Hrr<float>>;
template class Level<models::Fhrr>;
template class Thermometer<models::PackedMap>;
template class Thermometer<models::DenseMap>;
template class Thermometer<models::Fhrr>;

}  // namespace hypervec::encode
