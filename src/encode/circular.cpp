// Circular codebooks (include/hypervec/encode.hpp) for the component-wise
// models (packed and dense MAP, FHRR): the r = 0 half-circle selection and
// torchhd's walk for r > 0, and the exact E[cos] of the walk per model.
#include "src/encode/common.hpp"

#include <hypervec/encode.hpp>
#include <hypervec/error.hpp>

#include <algorithm>
#include <cmath>
#include <vector>

namespace hypervec::encode {

using detail_encode::SpanPosition;
using detail_encode::span_position;

namespace {

/// torchhd circular's span length in half-steps: λ = ((1 - r)·n/2 + r)·2.
double circular_span(std::size_t points, double randomness) {
  return ((1.0 - randomness) * (static_cast<double>(points) / 2.0) + randomness) * 2.0;
}

/// A walk vector T(h) in the product behind a point, with its exponent
/// (+1, or -1 for the inverse).
struct Term {
  std::size_t step;
  int sign;
};

/// The walk vectors whose product makes point i: T(2i) in the first half,
/// T(n) ⊗ T(0) ⊗ T(2i - n)⁻¹ in the second (torchhd's mutation history).
std::vector<Term> circular_terms(std::size_t i, std::size_t points) {
  if (2 * i <= points) return {{2 * i, 1}};
  return {{points, 1}, {0, 1}, {2 * i - points, -1}};
}

/// P(the product of the endpoints behind `steps` is 1 in every component),
/// over the thresholds (one uniform per span, shared by all half-steps of
/// that span). `pos` maps a half-step to its span position. ±1 endpoints
/// (phasor = false): every endpoint index must occur an even number of
/// times; phasor endpoints: every index's exponents must sum to 0.
template <typename Pos>
double cancel_probability(const std::vector<Term>& steps, Pos pos, bool phasor) {
  struct Placed {
    SpanPosition at;
    int sign;
  };
  std::vector<Placed> terms;
  for (const Term& h : steps) terms.push_back({pos(h.step), h.sign});
  // Spans whose threshold matters, each with the sorted cut points of [0, 1).
  std::vector<std::size_t> spans;
  for (const Placed& t : terms) {
    if (t.at.fraction > 0.0 && std::find(spans.begin(), spans.end(), t.at.span) == spans.end()) {
      spans.push_back(t.at.span);
    }
  }
  std::vector<std::vector<double>> cuts(spans.size());
  for (std::size_t a = 0; a < spans.size(); ++a) {
    cuts[a] = {0.0, 1.0};
    for (const Placed& t : terms) {
      if (t.at.fraction > 0.0 && t.at.span == spans[a]) cuts[a].push_back(t.at.fraction);
    }
    std::sort(cuts[a].begin(), cuts[a].end());
    cuts[a].erase(std::unique(cuts[a].begin(), cuts[a].end()), cuts[a].end());
  }
  // Every combination of one threshold interval per span (at most 2^6 for
  // the 6 half-steps of a pair): within an interval each half-step's choice
  // V_s / V_{s+1} is fixed.
  std::vector<std::size_t> pick(spans.size(), 0);
  double total = 0.0;
  std::vector<std::pair<std::size_t, int>> index;
  while (true) {
    double weight = 1.0;
    std::vector<double> u(spans.size());
    for (std::size_t a = 0; a < spans.size(); ++a) {
      weight *= cuts[a][pick[a] + 1] - cuts[a][pick[a]];
      u[a] = 0.5 * (cuts[a][pick[a]] + cuts[a][pick[a] + 1]);
    }
    index.clear();
    for (const Placed& t : terms) {
      std::size_t v = t.at.span;
      if (t.at.fraction > 0.0) {
        const std::size_t a = static_cast<std::size_t>(
            std::find(spans.begin(), spans.end(), t.at.span) - spans.begin());
        if (u[a] < t.at.fraction) v = t.at.span + 1;
      }
      index.push_back({v, phasor ? t.sign : 1});
    }
    std::sort(index.begin(), index.end());
    bool balanced = true;
    for (std::size_t q = 0; balanced && q < index.size();) {
      std::size_t r = q;
      int sum = 0;
      for (; r < index.size() && index[r].first == index[q].first; ++r) sum += index[r].second;
      balanced = phasor ? sum == 0 : sum % 2 == 0;
      q = r;
    }
    if (balanced) total += weight;
    // Next combination (odometer).
    std::size_t a = 0;
    while (a < spans.size() && ++pick[a] == cuts[a].size() - 1) pick[a++] = 0;
    if (a == spans.size()) break;
  }
  return total;
}

}  // namespace

template <Model M>
  requires ComponentwiseModel<M>
Circular<M>::Circular(std::size_t points, std::size_t dim, std::uint64_t seed, double period,
                      double randomness)
    : period_(period), randomness_(randomness) {
  detail::require_valid_dim("encode::Circular", "dim", dim);
  detail::require(points >= 2, "encode::Circular: points must be >= 2, got ", points);
  // The walk has points + 1 rows.
  detail::require<DimensionError>(points < kMaxRows, "encode::Circular: points=", points,
                                  " needs points + 1 rows, above the limit kMaxRows=", kMaxRows);
  detail::require(std::isfinite(period) && period > 0.0,
                  "encode::Circular: period must be finite and > 0, got ", period);
  detail::require(randomness >= 0.0 && randomness <= 1.0,
                  "encode::Circular: randomness must be in [0, 1], got ", randomness);
  codebook_ = Matrix(points, dim);
  if (randomness == 0.0) {
    const Matrix ends = M::random_matrix(2, dim, seed);
    const std::vector<double> theta = detail_encode::uniforms(dim, seed);
    const double n = static_cast<double>(points);
    // C_i takes B_j when frac(θ_j + i/n) >= 1/2.
    for (std::size_t i = 0; i < points; ++i) {
      const double step = static_cast<double>(i) / n;
      detail_encode::select_row<M>(codebook_, i, ends.row(0), ends.row(1), [&](std::size_t j) {
        double phase = theta[j] + step;
        phase -= std::floor(phase);
        return phase >= 0.5;
      });
    }
    return;
  }
  // torchhd's walk: T(h) for the half-steps h = 0 .. n, then each point is
  // T(2i) or T(n) ⊗ T(0) ⊗ T(2i - n)⁻¹ (packed: XOR of the rows).
  const double lambda = circular_span(points, randomness);
  const auto spans = static_cast<std::size_t>(std::ceil(static_cast<double>(points) / lambda));
  Matrix walk(points + 1, dim);
  detail_encode::fill_span_walk<M>(walk, seed, [&](std::size_t h) {
    return span_position(static_cast<double>(h), lambda, spans);
  });
  for (std::size_t i = 0; i < points; ++i) {
    const std::vector<Term> terms = circular_terms(i, points);
    if constexpr (detail_encode::kPacked<M>) {
      const PackedSpan w = codebook_.row_span(i);
      for (const Term& t : terms) bipolar::bind(w, walk.row(t.step), w);
    } else if (terms.size() == 1) {
      detail_encode::copy_row<M>(codebook_, i, walk.row(terms[0].step));
    } else {
      const typename M::Vector v =
          M::bind(M::bind(walk.row(terms[0].step), walk.row(terms[1].step)),
                  M::inverse(walk.row(terms[2].step)));
      detail_encode::copy_row<M>(codebook_, i, v);
    }
  }
}

template <Model M>
  requires ComponentwiseModel<M>
double Circular<M>::expected_cosine(std::size_t i, std::size_t k) const {
  detail::require(i < points() && k < points(), "encode::Circular::expected_cosine: index (", i,
                  ", ", k, ") not below points ", points());
  const double lambda = circular_span(points(), randomness_);
  const auto spans = static_cast<std::size_t>(std::ceil(static_cast<double>(points()) / lambda));
  // C_i conj(C_k): point k's terms with their exponents negated.
  std::vector<Term> steps = circular_terms(i, points());
  for (const Term& t : circular_terms(k, points())) steps.push_back({t.step, -t.sign});
  return cancel_probability(
      steps, [&](std::size_t h) { return span_position(static_cast<double>(h), lambda, spans); },
      std::is_same_v<M, models::Fhrr>);
}

template <Model M>
  requires ComponentwiseModel<M>
typename Circular<M>::View Circular<M>::point(std::size_t i) const {
  detail::require(i < points(), "encode::Circular::point: index ", i, " >= points ", points());
  return codebook_.row(i);
}

template <Model M>
  requires ComponentwiseModel<M>
typename Circular<M>::View Circular<M>::operator()(double value) const {
  detail::require(std::isfinite(value), "encode::Circular: value ", value, " is not finite");
  double turn = value / period_;
  turn -= std::floor(turn);
  const auto i = static_cast<std::size_t>(std::lround(turn * static_cast<double>(points())));
  return codebook_.row(i % points());
}

template class Circular<models::PackedMap>;
template class Circular<models::DenseMap>;
template class Circular<models::Fhrr>;

}  // namespace hypervec::encode
