// Tests for include/hypervec/encode.hpp: exact agreement with the scalar
// baselines on every SIMD target, and the similarity profiles of the level,
// circular and projection encodings against their theoretical means with
// 5σ bounds derived in each test.
#define BOOST_TEST_MODULE encode
#include <hypervec/bipolar.hpp>
#include <hypervec/encode.hpp>
#include <hypervec/fhrr.hpp>

#include "src/reference/bipolar.hpp"
#include "src/reference/encode.hpp"
#include "tests/test_util.hpp"

#include <boost/test/unit_test.hpp>

#include <cmath>
#include <limits>
#include <numbers>
#include <random>
#include <string>
#include <vector>

namespace hv = hypervec;
namespace enc = hypervec::encode;
namespace ref = hypervec::reference;
using hypervec::test::for_each_target;
using hypervec::test::kDims;
using hypervec::test::test_seed;

namespace {

/// 5σ bound for the cosine of two bipolar vectors whose components agree
/// independently with probability a: cos = (2·agree - D)/D has mean 2a - 1
/// and variance 4a(1 - a)/D.
double five_sigma(double agree, std::size_t dim) {
  return 5.0 * std::sqrt(4.0 * agree * (1.0 - agree) / static_cast<double>(dim));
}

bool same_matrix(const hv::PackedMatrix& a, const hv::PackedMatrix& b) {
  if (a.rows() != b.rows() || a.dim() != b.dim()) return false;
  for (std::size_t r = 0; r < a.rows(); ++r) {
    for (std::size_t w = 0; w < hv::packed_words(a.dim()); ++w) {
      if (a.row(r).words[w] != b.row(r).words[w]) return false;
    }
  }
  return true;
}


}  // namespace

BOOST_AUTO_TEST_CASE(value_to_index_rounds_and_clamps) {
  BOOST_TEST(enc::value_to_index(0.0, 0.0, 1.0, 5) == 0U);
  BOOST_TEST(enc::value_to_index(1.0, 0.0, 1.0, 5) == 4U);
  BOOST_TEST(enc::value_to_index(0.5, 0.0, 1.0, 5) == 2U);
  BOOST_TEST(enc::value_to_index(0.37, 0.0, 1.0, 5) == 1U);  // 1.48 → 1
  BOOST_TEST(enc::value_to_index(0.38, 0.0, 1.0, 5) == 2U);  // 1.52 → 2
  BOOST_TEST(enc::value_to_index(-3.0, 0.0, 1.0, 5) == 0U);
  BOOST_TEST(enc::value_to_index(7.0, 0.0, 1.0, 5) == 4U);
  BOOST_TEST(enc::value_to_index(-std::numeric_limits<double>::infinity(), 0.0, 1.0, 5) == 0U);
  BOOST_TEST(enc::value_to_index(std::numeric_limits<double>::infinity(), 0.0, 1.0, 5) == 4U);
  BOOST_CHECK_THROW(enc::value_to_index(std::nan(""), 0.0, 1.0, 5), hv::InvalidArgument);
  BOOST_CHECK_THROW(enc::value_to_index(0.5, 1.0, 1.0, 5), hv::InvalidArgument);
  BOOST_CHECK_THROW(enc::value_to_index(0.5, 0.0, 1.0, 0), hv::InvalidArgument);
}

BOOST_AUTO_TEST_CASE(level_codebook_is_identical_on_every_target) {
  const std::uint64_t seed = test_seed();
  BOOST_TEST_CONTEXT("seed " << seed) {
    for (const std::size_t dim : kDims) {
      BOOST_TEST_CONTEXT("D=" << dim) {
        const enc::Level expected(7, dim, seed);
        // Endpoints are the seeded random rows 0 and 1.
        const hv::PackedMatrix ends = hv::bipolar::random_matrix(2, dim, seed);
        BOOST_TEST(hv::bipolar::hamming(expected.level(0), ends.row(0)) == 0U);
        BOOST_TEST(hv::bipolar::hamming(expected.level(6), ends.row(1)) == 0U);
        // Nested: a component taken from B at level i stays from B later,
        // so dist(L_0, L_i) + dist(L_i, L_k) = dist(L_0, L_k) for i < k.
        for (std::size_t i = 1; i + 1 < 7; ++i) {
          BOOST_TEST(hv::bipolar::hamming(expected.level(0), expected.level(i)) +
                         hv::bipolar::hamming(expected.level(i), expected.level(6)) ==
                     hv::bipolar::hamming(expected.level(0), expected.level(6)));
        }
        for_each_target([&](const std::string&) {
          BOOST_TEST(same_matrix(enc::Level(7, dim, seed).codebook(), expected.codebook()));
          BOOST_TEST(same_matrix(enc::Circular(6, dim, seed).codebook(),
                                 enc::Circular(6, dim, seed).codebook()));
        });
      }
    }
  }
}

// With n = 5 levels each step lowers the similarity to L_0 by 1/(n-1) = 0.25.
// Component j of L_i differs from A_j only if u_j < p_i = i/4 and B_j ≠ A_j,
// probability p_i/2, so cos(L_0, L_i) has mean 1 - p_i and variance
// 4(p_i/2)(1 - p_i/2)/D. A step L_i → L_{i+1} changes cos(L_0, ·) by
// -2/D · #{j: p_i <= u_j < p_{i+1}, A_j ≠ B_j}: mean -0.25, variance
// 4·(1/8)(7/8)/D. Both get 5σ bounds (D = 10000: ±0.05 and ±0.033).
BOOST_AUTO_TEST_CASE(level_similarity_falls_linearly_by_a_quarter_per_step) {
  constexpr std::size_t kDim = 10000;
  constexpr std::size_t kLevels = 5;
  for (std::uint64_t s = 0; s < 4; ++s) {
    const std::uint64_t seed = test_seed() + s;
    BOOST_TEST_CONTEXT("seed " << seed) {
      const enc::Level level(kLevels, kDim, seed);
      double previous = 1.0;
      for (std::size_t i = 0; i < kLevels; ++i) {
        const double p = static_cast<double>(i) / (kLevels - 1);
        const double c = hv::bipolar::cosine(level.level(0), level.level(i));
        BOOST_TEST_CONTEXT("level " << i << " cos " << c) {
          BOOST_TEST(std::abs(c - (1.0 - p)) <= five_sigma(1.0 - p / 2, kDim) + 1e-12);
          if (i > 0) {
            const double step = previous - c;
            BOOST_TEST(std::abs(step - 0.25) <= five_sigma(1.0 - 0.125, kDim));
          }
        }
        previous = c;
      }
      // Value lookup: 0.3 → index round(1.2) = 1.
      BOOST_TEST(hv::bipolar::hamming(level(0.3), level.level(1)) == 0U);
    }
  }
}

BOOST_AUTO_TEST_CASE(thermometer_similarity_is_exact) {
  for (const std::size_t dim : kDims) {
    BOOST_TEST_CONTEXT("D=" << dim) {
      const enc::Thermometer t(5, dim);
      BOOST_TEST(hv::bipolar::hamming(t.level(0), hv::bipolar::identity(dim)) == dim);
      BOOST_TEST(hv::bipolar::hamming(t.level(4), hv::bipolar::identity(dim)) == 0U);
      for (std::size_t i = 0; i < 5; ++i) {
        // t_i = round(i·D/4) leading +1 components, then -1.
        const std::size_t plus = (i * dim * 2 + 4) / 8;
        BOOST_TEST(hv::bipolar::hamming(t.level(0), t.level(i)) == plus);
        if (plus > 0) BOOST_TEST(t.level(i).component(plus - 1) == 1);
        if (plus < dim) BOOST_TEST(t.level(i).component(plus) == -1);
      }
    }
  }
}

// Circular, n = 8 points at D = 10000: for every starting point r and every
// offset k, cos(C_r, C_{r+k}) = 1 - 2d ± 5σ with d = min(k, n-k)/n and
// agreement probability 1 - d (components in different halves, probability
// 2d, agree half the time). 5σ ≤ 0.05 < half the step 2/n = 0.25, so the
// similarity strictly falls to the opposite point and rises back.
BOOST_AUTO_TEST_CASE(circular_similarity_falls_then_rises_from_every_point) {
  constexpr std::size_t kDim = 10000;
  constexpr std::size_t kPoints = 8;
  const std::uint64_t seed = test_seed();
  BOOST_TEST_CONTEXT("seed " << seed) {
    const enc::Circular circle(kPoints, kDim, seed);
    for (std::size_t r = 0; r < kPoints; ++r) {
      std::vector<double> profile;
      for (std::size_t k = 0; k < kPoints; ++k) {
        const double d = static_cast<double>(std::min(k, kPoints - k)) / kPoints;
        const double c = hv::bipolar::cosine(circle.point(r), circle.point((r + k) % kPoints));
        BOOST_TEST_CONTEXT("r=" << r << " k=" << k << " cos " << c) {
          BOOST_TEST(std::abs(c - (1.0 - 2.0 * d)) <= five_sigma(1.0 - d, kDim) + 1e-12);
        }
        profile.push_back(c);
      }
      for (std::size_t k = 1; k <= kPoints / 2; ++k) BOOST_TEST(profile[k] < profile[k - 1]);
      for (std::size_t k = kPoints / 2 + 1; k < kPoints; ++k) BOOST_TEST(profile[k] > profile[k - 1]);
    }
    // Angles wrap: 1.0 and 0.0 are the same point; 0.5 is point n/2.
    BOOST_TEST(hv::bipolar::hamming(circle(1.0), circle.point(0)) == 0U);
    BOOST_TEST(hv::bipolar::hamming(circle(0.5), circle.point(4)) == 0U);
    BOOST_TEST(hv::bipolar::hamming(circle(-0.125), circle.point(7)) == 0U);
  }
}

// Small-integer inputs make every partial sum exact, so sign(Rx) must match
// the scalar baseline bit for bit on every target.
BOOST_AUTO_TEST_CASE(projection_matches_reference_on_every_target) {
  const std::uint64_t seed = test_seed();
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<int> small(-3, 3);
  BOOST_TEST_CONTEXT("seed " << seed) {
    for (const std::size_t input_dim : kDims) {
      const std::size_t dim = 257;
      std::vector<float> x(input_dim);
      for (float& v : x) v = static_cast<float>(small(rng));
      BOOST_TEST_CONTEXT("D_in=" << input_dim) {
        const enc::Projection proj(input_dim, dim, seed);
        const hv::PackedVector expected = ref::encode::project(proj.matrix().view(), x);
        for_each_target([&](const std::string&) {
          BOOST_TEST((proj(x) == expected));
          hv::DenseMatrix<float> xs(2, input_dim);
          std::copy(x.begin(), x.end(), xs.row(1).begin());
          hv::PackedMatrix out(2, dim);
          proj.encode_rows(xs.view(), out);
          BOOST_TEST(hv::bipolar::hamming(out.row(1), expected) == 0U);
          // Row 0 is x = 0: every sum is a tie, and ties go to -1.
          BOOST_TEST(hv::bipolar::hamming(out.row(0), hv::bipolar::identity(dim)) == dim);
        });
      }
    }
  }
  const enc::Projection proj(4, 8, 1);
  std::vector<float> bad = {1.0f, std::nanf(""), 0.0f, 0.0f};
  BOOST_CHECK_THROW(proj(bad), hv::InvalidArgument);
  std::vector<float> short_x(3);
  BOOST_CHECK_THROW(proj(short_x), hv::DimensionError);
  BOOST_CHECK_THROW(enc::Projection(0, 8, 1), hv::DimensionError);
  BOOST_CHECK_THROW(enc::SparseProjection(4, 8, 0, 1), hv::InvalidArgument);
}

BOOST_AUTO_TEST_CASE(constructors_validate_their_arguments) {
  BOOST_CHECK_THROW(enc::Level(1, 64, 1), hv::InvalidArgument);
  BOOST_CHECK_THROW(enc::Level(5, 0, 1), hv::DimensionError);
  BOOST_CHECK_THROW(enc::Level(5, 64, 1, 1.0, 0.0), hv::InvalidArgument);
  BOOST_CHECK_THROW(enc::Thermometer(1, 64), hv::InvalidArgument);
  BOOST_CHECK_THROW(enc::Circular(4, 64, 1, 0.0), hv::InvalidArgument);
  BOOST_CHECK_THROW(enc::IdLevel(0, 4, 64, 1), hv::InvalidArgument);
  const enc::Level level(5, 64, 1);
  BOOST_CHECK_THROW(level.level(5), hv::InvalidArgument);
  BOOST_CHECK_THROW(level(std::nan("")), hv::InvalidArgument);
  const enc::Circular circle(4, 64, 1);
  BOOST_CHECK_THROW(circle(std::numeric_limits<double>::infinity()), hv::InvalidArgument);
}

namespace {

/// Unit vectors x, y at angle φ in R^n from Gaussian draws (Gram–Schmidt).
void pair_at_angle(std::size_t n, double phi, std::mt19937_64& rng, std::vector<float>& x,
                   std::vector<float>& y) {
  std::normal_distribution<double> g;
  std::vector<double> a(n), b(n);
  for (auto& v : a) v = g(rng);
  for (auto& v : b) v = g(rng);
  double aa = 0, ab = 0;
  for (std::size_t i = 0; i < n; ++i) aa += a[i] * a[i], ab += a[i] * b[i];
  for (std::size_t i = 0; i < n; ++i) b[i] -= ab / aa * a[i];
  double bb = 0;
  for (double v : b) bb += v * v;
  x.resize(n);
  y.resize(n);
  for (std::size_t i = 0; i < n; ++i) {
    const double ua = a[i] / std::sqrt(aa), ub = b[i] / std::sqrt(bb);
    x[i] = static_cast<float>(ua);
    y[i] = static_cast<float>(std::cos(phi) * ua + std::sin(phi) * ub);
  }
}

/// Σ v⁴ / (Σ v²)²: the size of the Rademacher sum's excess kurtosis (-2 × this),
/// the first correction to the Gaussian law of R·v.
double kurtosis_term(const std::vector<float>& v) {
  double s2 = 0, s4 = 0;
  for (float f : v) s2 += double{f} * f, s4 += double{f} * f * f * f;
  return s4 / (s2 * s2);
}

}  // namespace

// Sign random projection preserves angles: components disagree with
// probability φ/π (exact for Gaussian R), so cos = 1 - 2φ/π ± 5σ with
// agreement 1 - φ/π. R is ±1, not Gaussian: the allowance 2(κ_x + κ_y)
// covers the kurtosis correction to P(disagree) (κ = Σv⁴/‖v‖⁴ ≈ 3/D_in).
BOOST_AUTO_TEST_CASE(projection_preserves_angles) {
  constexpr std::size_t kIn = 1024;
  constexpr std::size_t kDim = 8192;
  const std::uint64_t seed = test_seed();
  std::mt19937_64 rng(seed);
  const enc::Projection dense(kIn, kDim, seed);
  const enc::SparseProjection sparse(kIn, kDim, 256, seed + 1);
  BOOST_TEST_CONTEXT("seed " << seed) {
    for (const double phi : {std::numbers::pi / 6, std::numbers::pi / 3, std::numbers::pi / 2,
                             2 * std::numbers::pi / 3}) {
      std::vector<float> x, y;
      pair_at_angle(kIn, phi, rng, x, y);
      const double p = phi / std::numbers::pi;
      const double allowance = 2.0 * (kurtosis_term(x) + kurtosis_term(y));
      const double c = hv::bipolar::cosine(dense(x), dense(y));
      BOOST_TEST_CONTEXT("phi " << phi << " dense cos " << c) {
        BOOST_TEST(std::abs(c - (1.0 - 2.0 * p)) <= five_sigma(1.0 - p, kDim) + allowance);
      }
      // HRR projection: ⟨y(x), y(y)⟩ estimates cos φ with σ ≈ (1 - cos²φ)/√D
      // (the sample correlation of D Gaussian pairs), same ±1 allowance.
      const hv::DenseVector<float> rx = dense.real(x), ry = dense.real(y);
      double inner = 0;
      for (std::size_t k = 0; k < kDim; ++k) inner += double{rx[k]} * ry[k];
      BOOST_TEST_CONTEXT("phi " << phi << " real inner " << inner) {
        const double rho = std::cos(phi);
        BOOST_TEST(std::abs(inner - rho) <= 5 * (1 - rho * rho) / std::sqrt(double{kDim}) + allowance);
      }
      // Sparse: each output sees 256 sampled inputs, whose own angle
      // fluctuates around φ by O(1/√256); the mean of θ/π over outputs moves
      // only by the second-order term, allowance 1/256. (Over 6 seeds × these
      // 4 angles the dense and sparse deviations all stayed within 2.3σ.)
      const double cs = hv::bipolar::cosine(sparse(x), sparse(y));
      BOOST_TEST_CONTEXT("phi " << phi << " sparse cos " << cs) {
        BOOST_TEST(std::abs(cs - (1.0 - 2.0 * p)) <=
                   five_sigma(1.0 - p, kDim) + 1.0 / 256 + 2 * allowance);
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(id_level_is_the_majority_of_bound_pairs) {
  const std::uint64_t seed = test_seed();
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<float> unit(0.0f, 1.0f);
  BOOST_TEST_CONTEXT("seed " << seed) {
    for (const std::size_t dim : kDims) {
      for (const std::size_t features : {1UL, 4UL, 9UL, 300UL}) {
        BOOST_TEST_CONTEXT("D=" << dim << " features=" << features) {
          const enc::IdLevel encoder(features, 8, dim, seed);
          std::vector<float> v(features);
          for (float& f : v) f = unit(rng);
          std::vector<hv::PackedVector> bound;
          for (std::size_t j = 0; j < features; ++j) {
            bound.push_back(ref::bipolar::bind(encoder.ids().row(j), encoder.level()(v[j])));
          }
          const hv::PackedVector expected =
              ref::bipolar::majority(hypervec::test::views_of(bound), hv::TieBreak::toward_negative());
          for_each_target([&](const std::string&) { BOOST_TEST((encoder(v) == expected)); });
        }
      }
    }
  }
  const enc::IdLevel encoder(3, 4, 64, 1);
  std::vector<float> nan_v = {0.0f, std::nanf(""), 1.0f};
  BOOST_CHECK_THROW(encoder(nan_v), hv::InvalidArgument);
  std::vector<float> short_v = {0.0f};
  BOOST_CHECK_THROW(encoder(short_v), hv::DimensionError);
}

BOOST_AUTO_TEST_CASE(ngrams_match_the_scalar_reference_on_every_target) {
  const std::uint64_t seed = test_seed();
  std::string text;
  std::mt19937_64 rng(seed);
  for (int i = 0; i < 300; ++i) text.push_back(static_cast<char>('a' + rng() % 26));
  text += "\xff\x80 tail";  // bytes >= 128 index the upper codebook rows
  BOOST_TEST_CONTEXT("seed " << seed) {
    for (const std::size_t dim : kDims) {
      const hv::PackedMatrix codebook = hv::bipolar::random_matrix(256, dim, seed);
      for (const std::size_t n : {1UL, 3UL}) {
        BOOST_TEST_CONTEXT("D=" << dim << " n=" << n) {
          const std::vector<std::int32_t> expected =
              ref::encode::text_ngrams(text, codebook.view(), n);
          for_each_target([&](const std::string&) {
            const enc::NGramEncoder ngrams(codebook.view(), n);
            hv::bipolar::Accumulator acc(dim);
            ngrams.add_text(text, acc);
            BOOST_TEST(acc.total_weight() == static_cast<std::int64_t>(text.size() - n + 1));
            BOOST_TEST(std::equal(expected.begin(), expected.end(), acc.sums().begin()));
          });
        }
      }
    }
  }
  const hv::PackedMatrix small = hv::bipolar::random_matrix(4, 64, 1);
  const enc::NGramEncoder ngrams(small.view(), 2);
  hv::bipolar::Accumulator acc(64);
  const std::vector<std::uint32_t> bad = {0, 1, 4};
  BOOST_CHECK_THROW(ngrams.add(bad, acc), hv::InvalidArgument);
  BOOST_CHECK_THROW(ngrams.add_text("ab", acc), hv::InvalidArgument);
  hv::bipolar::Accumulator wrong(65);
  const std::vector<std::uint32_t> ok = {0, 1, 3};
  BOOST_CHECK_THROW(ngrams.add(ok, wrong), hv::DimensionError);
  ngrams.add(ok, acc);
  BOOST_TEST(acc.total_weight() == 2);
}

BOOST_AUTO_TEST_CASE(bind_sequence_is_the_permuted_product) {
  const std::uint64_t seed = test_seed();
  for (const std::size_t dim : kDims) {
    const hv::PackedMatrix items = hv::bipolar::random_matrix(4, dim, seed);
    std::vector<hv::PackedView> views;
    for (std::size_t i = 0; i < 4; ++i) views.push_back(items.row(i));
    hv::PackedVector expected = ref::bipolar::permute(items.row(0), 3);
    for (std::size_t j = 1; j < 4; ++j) {
      expected = ref::bipolar::bind(expected, ref::bipolar::permute(items.row(j), 3 - j));
    }
    BOOST_TEST_CONTEXT("D=" << dim) { BOOST_TEST((enc::bind_sequence(views) == expected)); }
  }
  BOOST_CHECK_THROW(enc::bind_sequence({}), hv::InvalidArgument);
}

// FPE: similarity mean_k cos(Δθ_k) with θ ~ N(0, 1/b²) has mean e^{-u/2} and
// variance (1 - e^{-u})²/(2D), u = Δ²/b²; 5σ bound plus the float rounding
// of the phasors (|error| ≤ 1e-6 per component, summed in fhrr::similarity's
// float partial sums: ≤ 1e-5 overall at D = 10000).
BOOST_AUTO_TEST_CASE(fractional_power_similarity_is_a_gaussian_kernel) {
  constexpr std::size_t kDim = 10000;
  const std::uint64_t seed = test_seed();
  BOOST_TEST_CONTEXT("seed " << seed) {
    for (const double b : {0.5, 2.0}) {
      const enc::FractionalPower fpe(kDim, b, seed);
      const auto z0 = fpe(0.3);
      for (const double delta : {0.0, 0.25 * b, 0.5 * b, b, 2.0 * b, 4.0 * b}) {
        const double u = delta * delta / (b * b);
        const double expected = std::exp(-u / 2);
        const double sigma = (1 - std::exp(-u)) / std::sqrt(2.0 * kDim);
        const double s = hv::fhrr::similarity(z0.values(), fpe(0.3 + delta).values());
        BOOST_TEST_CONTEXT("b=" << b << " delta=" << delta << " sim " << s) {
          BOOST_TEST(std::abs(s - expected) <= 5 * sigma + 1e-5);
        }
      }
      // Homomorphism: z(x) ⊙ z(y) = z(x + y) up to float rounding.
      const auto bound = hv::fhrr::bind(fpe(1.25).values(), fpe(-0.5).values());
      const auto direct = fpe(0.75);
      double worst = 0;
      for (std::size_t k = 0; k < kDim; ++k) worst = std::max(worst, double{std::abs(bound[k] - direct[k])});
      BOOST_TEST(worst < 1e-5);
    }
  }
  BOOST_CHECK_THROW(enc::FractionalPower(0, 1.0, 1), hv::DimensionError);
  BOOST_CHECK_THROW(enc::FractionalPower(8, 0.0, 1), hv::InvalidArgument);
  BOOST_CHECK_THROW(enc::FractionalPower(8, 1.0, 1)(std::nan("")), hv::InvalidArgument);
}
