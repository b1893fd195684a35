// Encodings (include/hypervec/encode.hpp). ISA-free: composes the dispatched
// kernels of bipolar.hpp, bundle.hpp, mixed.hpp and hrr.hpp, one dispatch per
// vector or batch. Codebook construction is a one-off scalar loop per
// component. Projection's sign wrappers live with their kernel in
// simd/encode.cc.
//
// Length (~660 lines): one self-contained section per encoder of encode.hpp
// (Level, Thermometer, Circular, Projection, SparseProjection, IdLevel,
// fractional powers, n-grams), in the header's order.
#include <hypervec/bipolar.hpp>
#include <hypervec/encode.hpp>
#include <hypervec/error.hpp>
#include <hypervec/hrr.hpp>
#include <hypervec/mixed.hpp>
#include <hypervec/random.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>

namespace hypervec::encode {
namespace {

// Stream rows of a codebook seed: rows 0 and 1 are the random endpoints A
// and B, row 2 the per-component thresholds or phases. Level and Circular
// with randomness take endpoints V_s for s >= 2 from row s + 1, and the
// thresholds of spans s >= 1 from row s of a second seed (kSpanThresholdTag).
constexpr std::uint64_t kThresholdRow = 2;
constexpr std::uint64_t kSpanThresholdTag = 0x6c6576656c5f7370ULL;  // "level_sp"
// Frequency streams of the fractional power encodings ("fpe_fhrr", "fpe_hrr_").
constexpr std::uint64_t kFhrrFpeTag = 0x6670655f66687272ULL;
constexpr std::uint64_t kHrrFpeTag = 0x6670655f6872725fULL;

void check_range(const char* where, double low, double high) {
  detail::require(std::isfinite(low) && std::isfinite(high) && low < high, where,
                  ": value range [low, high] must be finite with low < high, got [", low, ", ",
                  high, "]");
}

void check_finite(const char* where, const char* what, std::span<const float> x) {
  for (std::size_t i = 0; i < x.size(); ++i) {
    if (!std::isfinite(x[i])) {
      throw InvalidArgument(detail::concat(where, ": ", what, "[", i, "] = ", x[i],
                                           " is not finite"));
    }
  }
}

/// Row i of `out` takes B_j where u_j < fraction(i), else A_j.
template <typename Fraction>
void fill_from_thresholds(PackedMatrix& out, PackedView a, PackedView b,
                          std::span<const double> u, Fraction fraction) {
  for (std::size_t i = 0; i < out.rows(); ++i) {
    std::uint64_t* w = out.row_span(i).words;
    for (std::size_t j = 0; j < out.dim(); ++j) {
      const bool take_b = fraction(i, u[j]);
      const std::uint64_t bit =
          ((take_b ? b.words[j / 64] : a.words[j / 64]) >> (j % 64)) & 1U;
      w[j / 64] |= bit << (j % 64);
    }
  }
}

std::vector<double> uniforms(std::size_t dim, std::uint64_t seed,
                             std::uint64_t row = kThresholdRow) {
  random::RowStream stream(seed, row);
  std::vector<double> u(dim);
  for (double& x : u) x = stream.next_uniform();
  return u;
}

/// Frequencies θ_k / bandwidth, k < count, drawn per kernel from `stream`.
std::vector<double> fpe_frequencies(std::size_t count, double bandwidth, FpeKernel kernel,
                                    random::RowStream stream) {
  std::vector<double> theta(count);
  if (kernel == FpeKernel::gaussian) {
    for (std::size_t k = 0; k < count; k += 2) {
      double z0 = 0, z1 = 0;
      stream.next_normal_pair(z0, z1);
      theta[k] = z0 / bandwidth;
      if (k + 1 < count) theta[k + 1] = z1 / bandwidth;
    }
  } else {
    for (double& t : theta) t = (2.0 * stream.next_uniform() - 1.0) * std::numbers::pi / bandwidth;
  }
  return theta;
}

void check_fpe(const char* where, std::size_t dim, double bandwidth, FpeKernel kernel) {
  detail::require_valid_dim(where, "dim", dim);
  detail::require(std::isfinite(bandwidth) && bandwidth > 0.0, where,
                  ": bandwidth must be finite and > 0, got ", bandwidth);
  detail::require(kernel == FpeKernel::sinc || kernel == FpeKernel::gaussian, where,
                  ": unknown kernel ", static_cast<int>(kernel));
}

}  // namespace

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

/// Endpoint V_s of a Level codebook: seed rows 0, 1, 3, 4, ... (row 2 holds
/// span 0's thresholds).
PackedVector span_endpoint(std::size_t dim, std::uint64_t seed, std::size_t s) {
  return bipolar::random(dim, seed, s < 2 ? s : s + 1);
}

/// Span and fraction of step x in a walk of `spans` spans of λ steps
/// (torchhd: span ⌊x/λ⌋, fraction (x mod λ)/λ; a remainder within 1e-12 of 0
/// or λ is a span border, fraction 0).
struct SpanPosition {
  std::size_t span;
  double fraction;
};

SpanPosition span_position(double x, double lambda, std::size_t spans) {
  const double rem = std::fmod(x, lambda);
  if (rem < 1e-12 || lambda - rem < 1e-12) {
    const auto s = static_cast<std::size_t>(std::llround(x / lambda));
    return {std::min(s, spans), 0.0};
  }
  const auto s = static_cast<std::size_t>(std::floor(x / lambda));
  return {std::min(s, spans - 1), rem / lambda};
}

/// Row t of `out` = the walk's vector at position(t): V_s at a border, else
/// V_{s+1} where span s's threshold is < f and V_s elsewhere. Endpoints V_s
/// per span_endpoint; span 0's thresholds are stream row 2 of the seed, span
/// s >= 1's row s of the seed family kSpanThresholdTag. Positions must visit
/// the spans in non-decreasing order, so each span's endpoints and
/// thresholds are generated once (never all spans' at a time).
template <typename Position>
void fill_span_walk(PackedMatrix& out, std::uint64_t seed, Position position) {
  const std::size_t dim = out.dim();
  const std::size_t words = packed_words(dim);
  std::size_t have = static_cast<std::size_t>(-1);
  PackedVector start, end;
  std::vector<double> u;
  for (std::size_t t = 0; t < out.rows(); ++t) {
    const SpanPosition p = position(t);
    std::uint64_t* w = out.row_span(t).words;
    if (p.fraction == 0.0) {
      const PackedVector v = span_endpoint(dim, seed, p.span);
      std::copy(v.words(), v.words() + words, w);
      continue;
    }
    if (have != p.span) {
      start = span_endpoint(dim, seed, p.span);
      end = span_endpoint(dim, seed, p.span + 1);
      u = p.span == 0 ? uniforms(dim, seed)
                      : uniforms(dim, random::mix64(seed ^ kSpanThresholdTag), p.span);
      have = p.span;
    }
    for (std::size_t j = 0; j < dim; ++j) {
      const bool take_end = u[j] < p.fraction;
      const std::uint64_t bit =
          ((take_end ? end.words()[j / 64] : start.words()[j / 64]) >> (j % 64)) & 1U;
      w[j / 64] |= bit << (j % 64);
    }
  }
}

}  // namespace

Level::Level(std::size_t levels, std::size_t dim, std::uint64_t seed, double low, double high,
             double randomness)
    : low_(low), high_(high), randomness_(randomness) {
  detail::require_valid_dim("encode::Level", "dim", dim);
  detail::require(levels >= 2, "encode::Level: levels must be >= 2, got ", levels);
  detail::require_rows_limit("encode::Level", "levels", levels);
  check_range("encode::Level", low, high);
  detail::require(randomness >= 0.0 && randomness <= 1.0,
                  "encode::Level: randomness must be in [0, 1], got ", randomness);
  codebook_ = PackedMatrix(levels, dim);
  // Levels in index order visit the spans in order.
  fill_span_walk(codebook_, seed, [this](std::size_t i) {
    const Position p = position(i);
    return SpanPosition{p.span, p.fraction};
  });
}

Level::Position Level::position(std::size_t i) const {
  detail::require(i < levels(), "encode::Level::position: index ", i, " >= levels ", levels());
  const double lambda = levels_per_span(levels(), randomness_);
  const auto spans =
      static_cast<std::size_t>(std::ceil(static_cast<double>(levels() - 1) / lambda));
  const SpanPosition p = span_position(static_cast<double>(i), lambda, spans);
  return {p.span, p.fraction};
}

double Level::expected_cosine(std::size_t i, std::size_t k) const {
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

PackedView Level::level(std::size_t i) const {
  detail::require(i < levels(), "encode::Level::level: index ", i, " >= levels ", levels());
  return codebook_.row(i);
}

PackedView Level::operator()(double value) const {
  return codebook_.row(value_to_index(value, low_, high_, levels()));
}

// ---------------------------------------------------------------------------
// Thermometer
// ---------------------------------------------------------------------------

Thermometer::Thermometer(std::size_t levels, std::size_t dim, double low, double high)
    : low_(low), high_(high) {
  detail::require_valid_dim("encode::Thermometer", "dim", dim);
  detail::require(levels >= 2, "encode::Thermometer: levels must be >= 2, got ", levels);
  // levels <= kMaxRows and D <= kMaxDim keep i * D * 2 + levels below 2^64.
  detail::require_rows_limit("encode::Thermometer", "levels", levels);
  check_range("encode::Thermometer", low, high);
  codebook_ = PackedMatrix(levels, dim);
  for (std::size_t i = 0; i < levels; ++i) {
    // t_i = round(i·D/(n-1)) leading +1 components (bit 0), the rest -1.
    const std::size_t plus = (i * dim * 2 + (levels - 1)) / (2 * (levels - 1));
    std::uint64_t* w = codebook_.row_span(i).words;
    for (std::size_t j = plus; j < dim; ++j) w[j / 64] |= std::uint64_t{1} << (j % 64);
  }
}

PackedView Thermometer::level(std::size_t i) const {
  detail::require(i < levels(), "encode::Thermometer::level: index ", i, " >= levels ",
                  levels());
  return codebook_.row(i);
}

PackedView Thermometer::operator()(double value) const {
  return codebook_.row(value_to_index(value, low_, high_, levels()));
}

// ---------------------------------------------------------------------------
// Circular
// ---------------------------------------------------------------------------

namespace {

/// torchhd circular's span length in half-steps: λ = ((1 - r)·n/2 + r)·2.
double circular_span(std::size_t points, double randomness) {
  return ((1.0 - randomness) * (static_cast<double>(points) / 2.0) + randomness) * 2.0;
}

/// The half-steps whose walk vectors T(h) make point i (their product):
/// {2i} in the first half, {n, 0, 2i - n} in the second.
std::vector<std::size_t> circular_terms(std::size_t i, std::size_t points) {
  if (2 * i <= points) return {2 * i};
  return {points, 0, 2 * i - points};
}

/// P(the endpoints of the products behind two points cancel in pairs), over
/// the thresholds (one uniform per span, shared by all half-steps of that
/// span). `pos` maps a half-step to its span position.
template <typename Pos>
double cancel_probability(const std::vector<std::size_t>& steps, Pos pos) {
  std::vector<SpanPosition> terms;
  for (const std::size_t h : steps) terms.push_back(pos(h));
  // Spans whose threshold matters, each with the sorted cut points of [0, 1).
  std::vector<std::size_t> spans;
  for (const SpanPosition& t : terms) {
    if (t.fraction > 0.0 && std::find(spans.begin(), spans.end(), t.span) == spans.end()) {
      spans.push_back(t.span);
    }
  }
  std::vector<std::vector<double>> cuts(spans.size());
  for (std::size_t a = 0; a < spans.size(); ++a) {
    cuts[a] = {0.0, 1.0};
    for (const SpanPosition& t : terms) {
      if (t.fraction > 0.0 && t.span == spans[a]) cuts[a].push_back(t.fraction);
    }
    std::sort(cuts[a].begin(), cuts[a].end());
    cuts[a].erase(std::unique(cuts[a].begin(), cuts[a].end()), cuts[a].end());
  }
  // Every combination of one threshold interval per span (at most 2^6 for
  // the 6 half-steps of a pair): within an interval each half-step's choice
  // V_s / V_{s+1} is fixed; the pair agrees when every endpoint index occurs
  // an even number of times.
  std::vector<std::size_t> pick(spans.size(), 0);
  double total = 0.0;
  std::vector<std::size_t> index;
  while (true) {
    double weight = 1.0;
    std::vector<double> u(spans.size());
    for (std::size_t a = 0; a < spans.size(); ++a) {
      weight *= cuts[a][pick[a] + 1] - cuts[a][pick[a]];
      u[a] = 0.5 * (cuts[a][pick[a]] + cuts[a][pick[a] + 1]);
    }
    index.clear();
    for (const SpanPosition& t : terms) {
      std::size_t v = t.span;
      if (t.fraction > 0.0) {
        const std::size_t a = static_cast<std::size_t>(
            std::find(spans.begin(), spans.end(), t.span) - spans.begin());
        if (u[a] < t.fraction) v = t.span + 1;
      }
      index.push_back(v);
    }
    std::sort(index.begin(), index.end());
    bool even = index.size() % 2 == 0;
    for (std::size_t q = 0; even && q < index.size(); q += 2) even = index[q] == index[q + 1];
    if (even) total += weight;
    // Next combination (odometer).
    std::size_t a = 0;
    while (a < spans.size() && ++pick[a] == cuts[a].size() - 1) pick[a++] = 0;
    if (a == spans.size()) break;
  }
  return total;
}

}  // namespace

Circular::Circular(std::size_t points, std::size_t dim, std::uint64_t seed, double period,
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
  codebook_ = PackedMatrix(points, dim);
  if (randomness == 0.0) {
    const PackedMatrix ends = bipolar::random_matrix(2, dim, seed);
    const std::vector<double> theta = uniforms(dim, seed);
    const double n = static_cast<double>(points);
    // C_i takes B_j when frac(θ_j + i/n) >= 1/2.
    fill_from_thresholds(codebook_, ends.row(0), ends.row(1), theta,
                         [n](std::size_t i, double tj) {
                           double phase = tj + static_cast<double>(i) / n;
                           phase -= std::floor(phase);
                           return phase >= 0.5;
                         });
    return;
  }
  // torchhd's walk: T(h) for the half-steps h = 0 .. n, then each point is
  // T(2i) or T(n) ⊗ T(0) ⊗ T(2i - n) (XOR of packed rows).
  const double lambda = circular_span(points, randomness);
  const auto spans = static_cast<std::size_t>(std::ceil(static_cast<double>(points) / lambda));
  PackedMatrix walk(points + 1, dim);
  fill_span_walk(walk, seed, [&](std::size_t h) {
    return span_position(static_cast<double>(h), lambda, spans);
  });
  for (std::size_t i = 0; i < points; ++i) {
    const PackedSpan w = codebook_.row_span(i);
    for (const std::size_t h : circular_terms(i, points)) bipolar::bind(w, walk.row(h), w);
  }
}

double Circular::expected_cosine(std::size_t i, std::size_t k) const {
  detail::require(i < points() && k < points(), "encode::Circular::expected_cosine: index (", i,
                  ", ", k, ") not below points ", points());
  const double lambda = circular_span(points(), randomness_);
  const auto spans = static_cast<std::size_t>(std::ceil(static_cast<double>(points()) / lambda));
  std::vector<std::size_t> steps = circular_terms(i, points());
  for (const std::size_t h : circular_terms(k, points())) steps.push_back(h);
  return cancel_probability(steps, [&](std::size_t h) {
    return span_position(static_cast<double>(h), lambda, spans);
  });
}

PackedView Circular::point(std::size_t i) const {
  detail::require(i < points(), "encode::Circular::point: index ", i, " >= points ", points());
  return codebook_.row(i);
}

PackedView Circular::operator()(double value) const {
  detail::require(std::isfinite(value), "encode::Circular: value ", value, " is not finite");
  double turn = value / period_;
  turn -= std::floor(turn);
  const auto i = static_cast<std::size_t>(std::lround(turn * static_cast<double>(points())));
  return codebook_.row(i % points());
}

// ---------------------------------------------------------------------------
// Projection
// ---------------------------------------------------------------------------

Projection::Projection(std::size_t input_dim, std::size_t dim, std::uint64_t seed) {
  detail::require_valid_dim("encode::Projection", "input_dim", input_dim);
  detail::require_valid_dim("encode::Projection", "dim", dim);
  matrix_ = bipolar::random_matrix(dim, input_dim, seed);
}

// operator() and encode_rows: simd/encode.cc, next to their kernel.

DenseVector<float> Projection::real(std::span<const float> x) const {
  detail::require_same_dim("encode::Projection::real", "x", x.size(), "input_dim", input_dim());
  check_finite("encode::Projection::real", "x", x);
  std::vector<double> dots(dim());
  mixed::dot_rows(x, matrix_.view(), dots);
  double norm2 = 0.0;
  for (const double d : dots) norm2 += d * d;
  DenseVector<float> out(dim());
  if (norm2 == 0.0) return out;
  const double scale = 1.0 / std::sqrt(norm2);
  for (std::size_t k = 0; k < dim(); ++k) out[k] = static_cast<float>(dots[k] * scale);
  return out;
}

// ---------------------------------------------------------------------------
// SparseProjection
// ---------------------------------------------------------------------------

SparseProjection::SparseProjection(std::size_t input_dim, std::size_t dim, std::size_t nonzeros,
                                   std::uint64_t seed)
    : input_dim_(input_dim), dim_(dim), nonzeros_(nonzeros) {
  detail::require_valid_dim("encode::SparseProjection", "input_dim", input_dim);
  detail::require_valid_dim("encode::SparseProjection", "dim", dim);
  detail::require(nonzeros >= 1, "encode::SparseProjection: nonzeros must be >= 1");
  detail::require(input_dim <= std::numeric_limits<std::uint32_t>::max(),
                  "encode::SparseProjection: input_dim ", input_dim, " exceeds 2^32 - 1");
  // D * nonzeros entries of index_ (uint32) and negative_ (uint8).
  const std::size_t entries =
      detail::checked_mul(dim, nonzeros, "encode::SparseProjection", "dim x nonzeros");
  detail::checked_bytes(entries, sizeof(std::uint32_t) + sizeof(std::uint8_t),
                        "encode::SparseProjection", "the projection (dim x nonzeros)");
  index_.resize(entries);
  negative_.resize(entries);
  for (std::size_t k = 0; k < dim; ++k) {
    random::RowStream stream(seed, k);
    for (std::size_t t = 0; t < nonzeros; ++t) {
      const std::uint64_t w = stream.next_u64();
      // Multiply-shift maps the high 32 bits uniformly onto [0, input_dim).
      index_[k * nonzeros + t] =
          static_cast<std::uint32_t>(((w >> 32) * static_cast<std::uint64_t>(input_dim)) >> 32);
      negative_[k * nonzeros + t] = static_cast<std::uint8_t>(w & 1U);
    }
  }
}

PackedVector SparseProjection::operator()(std::span<const float> x) const {
  detail::require_same_dim("encode::SparseProjection", "x", x.size(), "input_dim", input_dim_);
  check_finite("encode::SparseProjection", "x", x);
  PackedVector out(dim_);
  for (std::size_t k = 0; k < dim_; ++k) {
    double s = 0.0;
    const std::size_t base = k * nonzeros_;
    for (std::size_t t = 0; t < nonzeros_; ++t) {
      const double v = x[index_[base + t]];
      s += negative_[base + t] ? -v : v;
    }
    if (!(s > 0.0)) out.set_component(k, true);
  }
  return out;
}

// ---------------------------------------------------------------------------
// IdLevel
// ---------------------------------------------------------------------------

IdLevel::IdLevel(std::size_t features, std::size_t levels, std::size_t dim, std::uint64_t seed,
                 double low, double high)
    // IDs and levels come from different seeds of one family (seed, seed + 1
    // mixed), so no ID equals a level endpoint.
    : level_(levels, dim, random::mix64(seed ^ random::kGolden), low, high) {
  detail::require(features >= 1, "encode::IdLevel: features must be >= 1");
  ids_ = bipolar::random_matrix(features, dim, seed);
}

void IdLevel::accumulate(std::span<const float> v, bipolar::Accumulator& acc) const {
  detail::require_same_dim("encode::IdLevel", "v", v.size(), "features", features());
  detail::require_same_dim("encode::IdLevel::accumulate", "acc", acc.dim(), "encoder", dim());
  for (std::size_t j = 0; j < v.size(); ++j) {
    detail::require(!std::isnan(v[j]), "encode::IdLevel: v[", j, "] is NaN");
  }
  constexpr std::size_t kBatch = 255;
  PackedMatrix bound(std::min(kBatch, v.size()), dim());
  std::vector<PackedView> views;
  for (std::size_t first = 0; first < v.size(); first += kBatch) {
    const std::size_t count = std::min(kBatch, v.size() - first);
    views.clear();
    for (std::size_t t = 0; t < count; ++t) {
      const std::size_t j = first + t;
      bipolar::bind(ids_.row(j), level_(v[j]), bound.row_span(t));
      views.push_back(bound.row(t));
    }
    acc.add_all(views);
  }
}

PackedVector IdLevel::operator()(std::span<const float> v, const TieBreak& tie) const {
  bipolar::Accumulator acc(dim());
  accumulate(v, acc);
  return acc.threshold(tie);
}

// ---------------------------------------------------------------------------
// FractionalPower
// ---------------------------------------------------------------------------

double fpe_kernel(FpeKernel kernel, double u) {
  if (kernel == FpeKernel::gaussian) return std::exp(-0.5 * u * u);
  const double x = std::numbers::pi * u;
  // sin(x)/x = 1 - x²/6 + ...: below |x| = 1e-4 the quotient is 1 to 2e-9.
  return std::abs(x) < 1e-4 ? 1.0 - x * x / 6.0 : std::sin(x) / x;
}

FractionalPower::FractionalPower(std::size_t dim, double bandwidth, std::uint64_t seed,
                                 FpeKernel kernel)
    : bandwidth_(bandwidth), kernel_(kernel) {
  check_fpe("encode::FractionalPower", dim, bandwidth, kernel);
  // A stream row no bipolar or FHRR codebook of this seed uses.
  theta_ = fpe_frequencies(dim, bandwidth, kernel,
                           random::RowStream(random::mix64(seed ^ kFhrrFpeTag), 0));
}

DenseVector<std::complex<float>> FractionalPower::operator()(double x) const {
  detail::require(std::isfinite(x), "encode::FractionalPower: x = ", x, " is not finite");
  DenseVector<std::complex<float>> out(dim());
  for (std::size_t k = 0; k < dim(); ++k) {
    const double phase = x * theta_[k];
    out[k] = {static_cast<float>(std::cos(phase)), static_cast<float>(std::sin(phase))};
  }
  return out;
}

HrrFractionalPower::HrrFractionalPower(std::size_t dim, double bandwidth, std::uint64_t seed,
                                       FpeKernel kernel)
    : dim_(dim), bandwidth_(bandwidth), kernel_(kernel) {
  check_fpe("encode::HrrFractionalPower", dim, bandwidth, kernel);
  // m = ⌈D/2⌉ - 1 free bins; bin 0 and, for even D, bin D/2 stay 1.
  theta_ = fpe_frequencies((dim + 1) / 2 - 1, bandwidth, kernel,
                           random::RowStream(random::mix64(seed ^ kHrrFpeTag), 0));
}

DenseVector<float> HrrFractionalPower::operator()(double x) const {
  detail::require(std::isfinite(x), "encode::HrrFractionalPower: x = ", x, " is not finite");
  hrr::Spectrum<double> spectrum(dim_);
  std::complex<double>* bins = spectrum.data();
  bins[0] = 1.0;
  for (std::size_t k = 0; k < theta_.size(); ++k) {
    const double phase = x * theta_[k];
    bins[k + 1] = {std::cos(phase), std::sin(phase)};
  }
  if (dim_ % 2 == 0 && dim_ >= 2) bins[dim_ / 2] = 1.0;
  const DenseVector<double> z = hrr::from_spectrum<double>(spectrum);
  DenseVector<float> out(dim_);
  for (std::size_t i = 0; i < dim_; ++i) out[i] = static_cast<float>(z[i]);
  return out;
}

double HrrFractionalPower::expected_similarity(double delta) const {
  detail::require(std::isfinite(delta), "encode::HrrFractionalPower::expected_similarity: delta = ",
                  delta, " is not finite");
  const double m = static_cast<double>(theta_.size());
  const double d = static_cast<double>(dim_);
  return ((d - 2.0 * m) + 2.0 * m * fpe_kernel(kernel_, delta / bandwidth_)) / d;
}

// ---------------------------------------------------------------------------
// Sequences of bound items
// ---------------------------------------------------------------------------

PackedVector bind_sequence(std::span<const PackedView> items) {
  detail::require(!items.empty(), "encode::bind_sequence: items is empty");
  const std::size_t dim = items[0].dim;
  detail::require_valid_dim("encode::bind_sequence", "items[0]", dim);
  const std::size_t n = items.size();
  // Shifts reduced mod D first: n - 1 may not fit in ptrdiff_t (D does).
  PackedVector out = bipolar::permute(items[0], static_cast<std::ptrdiff_t>((n - 1) % dim));
  PackedVector tmp(dim);
  for (std::size_t j = 1; j < n; ++j) {
    detail::require_same_dim("encode::bind_sequence", "items[j]", items[j].dim, "items[0]", dim);
    bipolar::permute(items[j], static_cast<std::ptrdiff_t>((n - 1 - j) % dim), tmp.span());
    bipolar::bind(out, tmp, out.span());
  }
  return out;
}

NGramEncoder::NGramEncoder(const PackedMatrixView& codebook, std::size_t n)
    : n_(n), dim_(codebook.dim), symbols_(codebook.rows) {
  detail::require(n >= 1, "encode::NGramEncoder: n must be >= 1");
  detail::require(codebook.rows >= 1, "encode::NGramEncoder: codebook has no rows");
  detail::require_valid_dim("encode::NGramEncoder", "codebook", codebook.dim);
  // n x rows permuted copies: checked before allocating.
  const std::size_t copies =
      detail::checked_mul(n, symbols_, "encode::NGramEncoder", "n x codebook rows");
  detail::require_rows_limit("encode::NGramEncoder", "n x codebook rows", copies);
  permuted_ = PackedMatrix(copies, dim_);
  for (std::size_t j = 0; j < n; ++j) {
    for (std::size_t c = 0; c < symbols_; ++c) {
      bipolar::permute(codebook.row(c), static_cast<std::ptrdiff_t>((n - 1 - j) % dim_),
                       permuted_.row_span(j * symbols_ + c));
    }
  }
}

template <typename Symbol>
void NGramEncoder::add_impl(const Symbol* s, std::size_t len, bipolar::Accumulator& acc) const {
  if (len < n_) return;
  const std::size_t windows = len - n_ + 1;
  constexpr std::size_t kBatch = 255;  // add_all's bit-sliced pass
  PackedMatrix batch(std::min(kBatch, windows), dim_);
  std::vector<PackedView> views;
  const std::size_t words = packed_words(dim_);
  for (std::size_t first = 0; first < windows; first += kBatch) {
    const std::size_t count = std::min(kBatch, windows - first);
    views.clear();
    for (std::size_t t = 0; t < count; ++t) {
      const std::size_t i = first + t;
      const PackedSpan out = batch.row_span(t);
      const PackedView r0 = permuted_.row(static_cast<std::size_t>(s[i]));
      std::copy(r0.words, r0.words + words, out.words);
      for (std::size_t j = 1; j < n_; ++j) {
        bipolar::bind(out, permuted_.row(j * symbols_ + static_cast<std::size_t>(s[i + j])), out);
      }
      views.push_back(batch.row(t));
    }
    acc.add_all(views);
  }
}

void NGramEncoder::add(std::span<const std::uint32_t> symbols, bipolar::Accumulator& acc) const {
  detail::require_same_dim("encode::NGramEncoder::add", "acc", acc.dim(), "codebook", dim_);
  for (std::size_t i = 0; i < symbols.size(); ++i) {
    detail::require(symbols[i] < symbols_, "encode::NGramEncoder::add: symbols[", i, "] = ",
                    symbols[i], " >= codebook rows ", symbols_);
  }
  add_impl(symbols.data(), symbols.size(), acc);
}

void NGramEncoder::add_text(std::string_view text, bipolar::Accumulator& acc) const {
  detail::require_same_dim("encode::NGramEncoder::add_text", "acc", acc.dim(), "codebook", dim_);
  detail::require(symbols_ >= 256, "encode::NGramEncoder::add_text: codebook has ", symbols_,
                  " rows, byte symbols need 256");
  add_impl(reinterpret_cast<const unsigned char*>(text.data()), text.size(), acc);
}

}  // namespace hypervec::encode
