// Tests for include/hypervec/encode.hpp: exact agreement with the scalar
// baselines on every SIMD target (and of batched with single projections,
// and of every thread count), and the similarity profiles of the level and
// circular (both with randomness, circular also against a port of
// torchhd's construction), projection and fractional power (FHRR and HRR,
// sinc and gaussian) encodings against their theoretical means with 5σ
// bounds derived in each test. The last section runs the encoder templates
// on every model they take (dense MAP equal to packed unpacked, E[cos] per
// model, decoding by cleanup, the packed error messages).
// Length (~1330 lines): the one test module of encode.hpp (tests mirror
// headers one to one), a section per encoder as in the header.
#define BOOST_TEST_MODULE encode
#include <hypervec/bipolar.hpp>
#include <hypervec/dense.hpp>
#include <hypervec/encode.hpp>
#include <hypervec/fhrr.hpp>
#include <hypervec/hrr.hpp>
#include <hypervec/model.hpp>
#include <hypervec/random.hpp>

#include "src/reference/bipolar.hpp"
#include "src/reference/encode.hpp"
#include "tests/test_util.hpp"

#include <boost/mpl/list.hpp>
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cmath>
#include <concepts>
#include <deque>
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

// FHRR FPE: similarity mean_k cos(θ_k u), u = Δ/b, with θ uniform in
// [-π, π) (sinc, the default) or N(0, 1) (gaussian): mean κ(u), variance
// v(u)/D with v = (1 + κ(2u))/2 - κ(u)²; 5σ bound plus the float rounding
// of the phasors (|error| ≤ 1e-6 per component, summed in
// fhrr::similarity's float partial sums: ≤ 1e-5 overall at D = 10000). The
// two kernels differ by far more than 5σ at u = 1 (sinc 0, gaussian 0.61).
BOOST_AUTO_TEST_CASE(fractional_power_similarity_follows_its_kernel) {
  constexpr std::size_t kDim = 10000;
  const std::uint64_t seed = test_seed();
  BOOST_TEST(enc::fpe_kernel(enc::FpeKernel::sinc, 0.0) == 1.0);
  BOOST_TEST(std::abs(enc::fpe_kernel(enc::FpeKernel::sinc, 1.0)) < 1e-15);
  BOOST_TEST(std::abs(enc::fpe_kernel(enc::FpeKernel::sinc, 0.5) - 2 / std::numbers::pi) < 1e-15);
  BOOST_TEST(std::abs(enc::fpe_kernel(enc::FpeKernel::gaussian, 1.0) - std::exp(-0.5)) < 1e-15);
  BOOST_TEST_CONTEXT("seed " << seed) {
    for (const auto kernel : {enc::FpeKernel::sinc, enc::FpeKernel::gaussian}) {
      for (const double b : {0.5, 2.0}) {
        const enc::FractionalPower fpe(kDim, b, seed, kernel);
        BOOST_TEST((fpe.kernel() == kernel));
        const auto z0 = fpe(0.3);
        for (const double u : {0.0, 0.25, 0.5, 1.0, 1.5, 2.0, 4.0}) {
          const double k = enc::fpe_kernel(kernel, u);
          const double v = (1 + enc::fpe_kernel(kernel, 2 * u)) / 2 - k * k;
          const double sigma = std::sqrt(std::max(v, 0.0) / kDim);
          const double s = hv::fhrr::similarity(z0.values(), fpe(0.3 + u * b).values());
          BOOST_TEST_CONTEXT("kernel " << static_cast<int>(kernel) << " b=" << b << " u=" << u
                                       << " sim " << s << " kernel " << k) {
            BOOST_TEST(std::abs(s - k) <= 5 * sigma + 1e-5);
          }
        }
        // Homomorphism: z(x) ⊙ z(y) = z(x + y) up to float rounding.
        const auto bound = hv::fhrr::bind(fpe(1.25).values(), fpe(-0.5).values());
        const auto direct = fpe(0.75);
        double worst = 0;
        for (std::size_t k = 0; k < kDim; ++k) {
          worst = std::max(worst, double{std::abs(bound[k] - direct[k])});
        }
        BOOST_TEST(worst < 1e-5);
      }
    }
    // The default is torchhd's "sinc"; the gaussian frequencies are the
    // N(0, 1)/b stream the class drew before the kernel option.
    BOOST_TEST((enc::FractionalPower(16, 1.0, seed).kernel() == enc::FpeKernel::sinc));
    hv::random::RowStream stream(hv::random::mix64(seed ^ 0x6670655f66687272ULL), 0);
    double z0 = 0, z1 = 0;
    stream.next_normal_pair(z0, z1);
    const enc::FractionalPower g(2, 0.5, seed, enc::FpeKernel::gaussian);
    BOOST_TEST(g.frequencies()[0] == z0 / 0.5);
    BOOST_TEST(g.frequencies()[1] == z1 / 0.5);
  }
  BOOST_CHECK_THROW(enc::FractionalPower(0, 1.0, 1), hv::DimensionError);
  BOOST_CHECK_THROW(enc::FractionalPower(8, 0.0, 1), hv::InvalidArgument);
  BOOST_CHECK_THROW(enc::FractionalPower(8, 1.0, 1)(std::nan("")), hv::InvalidArgument);
}

// HRR FPE: ⟨z(x), z(x + Δ)⟩ = (c + 2 Σ_{k=1}^{m} cos(θ_k u))/D exactly (unit
// bins, Parseval), so mean (c + 2mκ(u))/D and variance 4m·v(u)/D², m free
// bins, c = D - 2m real bins. 5σ plus the float rounding of the two unit
// vectors (relative 2^-24 per component) and of hrr::dot's float sums
// (γ_k·Σ|a_i b_i| ≤ (D/4 + 32)·2^-24·1): 1e-4 at D ≤ 10000. Several base
// points x0 (the kernel depends on Δ only).
BOOST_AUTO_TEST_CASE(hrr_fractional_power_similarity_follows_its_kernel) {
  const std::uint64_t seed = test_seed();
  BOOST_TEST_CONTEXT("seed " << seed) {
    for (const std::size_t dim : {4096UL, 10000UL, 9999UL}) {
      for (const auto kernel : {enc::FpeKernel::sinc, enc::FpeKernel::gaussian}) {
        const double b = 1.5;
        const enc::HrrFractionalPower fpe(dim, b, seed, kernel);
        const std::size_t m = (dim + 1) / 2 - 1;
        BOOST_TEST(fpe.frequencies().size() == m);
        for (const double x0 : {-2.0, 0.0, 3.7}) {
          const hv::DenseVector<float> z0 = fpe(x0);
          BOOST_TEST(std::abs(hv::hrr::norm(z0.values()) - 1.0) < 1e-5);
          for (const double u : {0.0, 0.3, 0.5, 1.0, 1.5, 2.5}) {
            const double k = enc::fpe_kernel(kernel, u);
            const double v = (1 + enc::fpe_kernel(kernel, 2 * u)) / 2 - k * k;
            const double mean =
                (static_cast<double>(dim - 2 * m) + 2.0 * static_cast<double>(m) * k) / dim;
            BOOST_TEST(std::abs(fpe.expected_similarity(u * b) - mean) < 1e-12);
            const double sigma = std::sqrt(4.0 * m * std::max(v, 0.0)) / dim;
            const double s = hv::hrr::dot(z0.values(), fpe(x0 + u * b).values());
            BOOST_TEST_CONTEXT("D=" << dim << " kernel " << static_cast<int>(kernel) << " x0="
                                    << x0 << " u=" << u << " sim " << s << " mean " << mean) {
              BOOST_TEST(std::abs(s - mean) <= 5 * sigma + 1e-4);
            }
          }
        }
      }
    }
  }
  BOOST_CHECK_THROW(enc::HrrFractionalPower(0, 1.0, 1), hv::DimensionError);
  BOOST_CHECK_THROW(enc::HrrFractionalPower(8, -1.0, 1), hv::InvalidArgument);
  BOOST_CHECK_THROW(enc::HrrFractionalPower(8, 1.0, 1)(std::nan("")), hv::InvalidArgument);
}

// bind(z(x), z(y)) = z(x + y): the spectra multiply, e^{iθx}e^{iθy} =
// e^{iθ(x+y)}, so the difference is float error only: the FPE vectors are
// rounded once from double (relative u = 2^-24 in ‖·‖₂), and hrr::bind's
// float FFT convolution adds at most (3L + 2)·8u·‖a‖‖B‖∞ with ‖a‖ = 1,
// ‖B‖∞ = 1 (tests/hrr_test.cpp, conv_tolerance), L = ⌈log₂D⌉ + 1. Any wrong
// phase or bin would be off by ~1/√D per component, far above this bound.
// Also the ⊛-inverse: z(x)† = z(-x) exactly up to rounding (unitary).
BOOST_AUTO_TEST_CASE(hrr_fractional_power_is_a_homomorphism) {
  const std::uint64_t seed = test_seed();
  BOOST_TEST_CONTEXT("seed " << seed) {
    for (const std::size_t dim : kDims) {
      for (const auto kernel : {enc::FpeKernel::sinc, enc::FpeKernel::gaussian}) {
        const enc::HrrFractionalPower fpe(dim, 0.7, seed, kernel);
        const double u = std::numeric_limits<float>::epsilon() / 2;
        const double levels = std::ceil(std::log2(static_cast<double>(dim))) + 1;
        const double tol = (3 * levels + 2) * 8 * u + 4 * u;
        for (const auto& [x, y] : {std::pair{1.25, -0.5}, std::pair{0.0, 3.0},
                                   std::pair{-7.5, 2.25}}) {
          const hv::DenseVector<float> bound = hv::hrr::bind(fpe(x).values(), fpe(y).values());
          const hv::DenseVector<float> direct = fpe(x + y);
          double worst = 0;
          for (std::size_t i = 0; i < dim; ++i) {
            worst = std::max(worst, std::abs(double{bound[i]} - double{direct[i]}));
          }
          const hv::DenseVector<float> inv = hv::hrr::involution(fpe(x).values());
          const hv::DenseVector<float> neg = fpe(-x);
          double worst_inv = 0;
          for (std::size_t i = 0; i < dim; ++i) {
            worst_inv = std::max(worst_inv, std::abs(double{inv[i]} - double{neg[i]}));
          }
          BOOST_TEST_CONTEXT("D=" << dim << " kernel " << static_cast<int>(kernel) << " x=" << x
                                  << " y=" << y << " tol " << tol) {
            BOOST_TEST(worst <= tol);
            BOOST_TEST(worst_inv <= 2 * u);
          }
        }
      }
    }
  }
}

// Level with torchhd's randomness r: the similarity profile over all pairs
// (i, k) of n = 9 levels at D = 10000 matches E[cos] from the span
// construction, each within 5σ (components agree independently with
// probability a = (1 + E[cos])/2). The expectations come from positions
// computed here independently of the library (torchhd's λ, spans and
// fractions), and a hand-worked case pins them.
namespace {

struct Expected {
  std::size_t span;
  double fraction;
};

/// torchhd functional.level: λ = (1 - r)(n - 1) + r; level i in span ⌊i/λ⌋ at
/// fraction (i mod λ)/λ (0 at span borders).
Expected torchhd_position(std::size_t i, std::size_t n, double r) {
  const double lambda = (1 - r) * static_cast<double>(n - 1) + r;
  const double rem = std::fmod(static_cast<double>(i), lambda);
  if (rem < 1e-9 || lambda - rem < 1e-9) {
    return {static_cast<std::size_t>(std::llround(i / lambda)), 0.0};
  }
  return {static_cast<std::size_t>(std::floor(i / lambda)), rem / lambda};
}

double torchhd_expected_cosine(std::size_t i, std::size_t k, std::size_t n, double r) {
  const Expected a = torchhd_position(i, n, r), b = torchhd_position(k, n, r);
  if (a.span == b.span) return 1 - std::abs(a.fraction - b.fraction);
  // P(both pick the same span endpoint), independent thresholds.
  const auto p = [](const Expected& e, std::size_t v) {
    return v == e.span ? 1 - e.fraction : (v == e.span + 1 ? e.fraction : 0.0);
  };
  return p(a, a.span) * p(b, a.span) + p(a, a.span + 1) * p(b, a.span + 1);
}

}  // namespace

BOOST_AUTO_TEST_CASE(level_randomness_interpolates_the_similarity_profile) {
  // n = 5, r = 0.5: λ = 2.5, fractions 0, .4, .8 | .2, .6 (span 1).
  const enc::Level hand(5, 64, 1, 0.0, 1.0, 0.5);
  BOOST_TEST(std::abs(hand.expected_cosine(1, 2) - 0.6) < 1e-12);
  BOOST_TEST(std::abs(hand.expected_cosine(1, 3) - 0.4 * 0.8) < 1e-12);
  BOOST_TEST(std::abs(hand.expected_cosine(2, 4) - 0.8 * 0.4) < 1e-12);
  BOOST_TEST(std::abs(hand.expected_cosine(0, 3)) < 1e-12);
  BOOST_TEST(std::abs(hand.expected_cosine(3, 4) - 0.6) < 1e-12);

  constexpr std::size_t kDim = 10000;
  constexpr std::size_t kLevels = 9;
  const std::uint64_t seed = test_seed();
  for (const double r : {0.0, 0.5, 1.0}) {
    const enc::Level level(kLevels, kDim, seed, 0.0, 1.0, r);
    BOOST_TEST(level.randomness() == r);
    BOOST_TEST_CONTEXT("seed " << seed << " randomness " << r) {
      for (std::size_t i = 0; i < kLevels; ++i) {
        for (std::size_t k = i; k < kLevels; ++k) {
          const double e = torchhd_expected_cosine(i, k, kLevels, r);
          BOOST_TEST(std::abs(level.expected_cosine(i, k) - e) < 1e-12);
          const double c = hv::bipolar::cosine(level.level(i), level.level(k));
          BOOST_TEST_CONTEXT("levels " << i << ", " << k << " cos " << c << " expected " << e) {
            BOOST_TEST(std::abs(c - e) <= five_sigma((1 + e) / 2, kDim) + 1e-12);
          }
        }
      }
    }
  }
  // r = 0 is the codebook without the option: endpoints rows 0 and 1, one
  // threshold per component from stream row 2, level i takes B where
  // u_j < i/(n-1).
  for (const std::size_t dim : kDims) {
    const enc::Level level(kLevels, dim, seed, 0.0, 1.0, 0.0);
    const hv::PackedVector a = hv::bipolar::random(dim, seed, 0);
    const hv::PackedVector b = hv::bipolar::random(dim, seed, 1);
    hv::random::RowStream stream(seed, 2);
    std::vector<double> u(dim);
    for (double& x : u) x = stream.next_uniform();
    bool same = true;
    for (std::size_t i = 0; i < kLevels; ++i) {
      for (std::size_t j = 0; j < dim; ++j) {
        const bool take_b = u[j] < static_cast<double>(i) / (kLevels - 1);
        same = same && level.level(i).component(j) == (take_b ? b : a).component(j);
      }
    }
    BOOST_TEST_CONTEXT("D=" << dim) { BOOST_TEST(same); }
  }
  // r = 1: every level is its own random vector (no two equal).
  const enc::Level independent(kLevels, 256, seed, 0.0, 1.0, 1.0);
  for (std::size_t i = 1; i < kLevels; ++i) {
    BOOST_TEST(hv::bipolar::hamming(independent.level(i - 1), independent.level(i)) > 0U);
  }
  BOOST_CHECK_THROW(enc::Level(5, 64, 1, 0.0, 1.0, -0.1), hv::InvalidArgument);
  BOOST_CHECK_THROW(enc::Level(5, 64, 1, 0.0, 1.0, 1.5), hv::InvalidArgument);
  BOOST_CHECK_THROW(enc::Level(5, 64, 1, 0.0, 1.0, std::nan("")), hv::InvalidArgument);
}

// Circular with torchhd's randomness r. The library's expected_cosine(i, k)
// is checked three ways: hand-worked values; the closed forms at the ends
// (r = 0: 1 - 2d for circular distance d; r = 1 with n even: 0 off the
// diagonal); and a literal port of torchhd's circular_hv below (its loops,
// its threshold orientation, its mutation history), whose measured profile
// at D = 10000 must sit within 5σ of expected_cosine for every pair. The
// library's own codebook must do the same. Per component the two points
// agree with probability a = (1 + E)/2 (a product of endpoints that do not
// cancel is a fair coin), so σ² = 4a(1 - a)/D = (1 - E²)/D.
namespace {

/// torchhd.functional.circular_hv for MAP (±1 ints), line by line, with
/// std::mt19937_64 in place of torch's generator.
std::vector<std::vector<int>> torchhd_circular(std::size_t n, std::size_t dim, double r,
                                               std::mt19937_64& rng) {
  const double levels_per_span = ((1 - r) * (static_cast<double>(n) / 2) + r * 1) * 2;
  const double span = static_cast<double>(n) / levels_per_span;
  std::uniform_int_distribution<int> coin(0, 1);
  std::uniform_real_distribution<float> unit(0.0f, 1.0f);
  std::vector<std::vector<int>> span_hv(static_cast<std::size_t>(std::ceil(span + 1)),
                                        std::vector<int>(dim));
  for (auto& v : span_hv) {
    for (int& x : v) x = coin(rng) ? 1 : -1;
  }
  std::vector<std::vector<float>> threshold_v(static_cast<std::size_t>(std::ceil(span)),
                                              std::vector<float>(dim));
  for (auto& v : threshold_v) {
    for (float& x : v) x = unit(rng);
  }
  const auto mul = [](const std::vector<int>& a, const std::vector<int>& b) {
    std::vector<int> out(a.size());
    for (std::size_t j = 0; j < a.size(); ++j) out[j] = a[j] * b[j];
    return out;
  };
  std::vector<std::vector<int>> hv(n);
  std::deque<std::vector<int>> mutation_history;
  hv[0] = span_hv[0];
  std::vector<int> mutation_hv = span_hv[0];
  for (std::size_t i = 1; i < n + 1; ++i) {
    const double x = static_cast<double>(i);
    const auto span_idx = static_cast<std::size_t>(std::floor(x / levels_per_span));
    std::vector<int> temp_hv;
    if (std::abs(std::fmod(x, levels_per_span)) < 1e-12) {
      temp_hv = span_hv[span_idx];
    } else {
      const double level_within_span = std::fmod(x, levels_per_span);
      const double t = 1 - (level_within_span / levels_per_span);
      temp_hv.resize(dim);
      for (std::size_t j = 0; j < dim; ++j) {
        temp_hv[j] = threshold_v[span_idx][j] < t ? span_hv[span_idx][j] : span_hv[span_idx + 1][j];
      }
    }
    mutation_history.push_back(mul(temp_hv, mutation_hv));
    mutation_hv = temp_hv;
    if (i % 2 == 0) hv[i / 2] = mutation_hv;
  }
  for (std::size_t i = n + 1; i < n * 2 - 1; ++i) {
    const std::vector<int> mut = mutation_history.front();
    mutation_history.pop_front();
    mutation_hv = mul(mutation_hv, mut);
    if (i % 2 == 0) hv[i / 2] = mutation_hv;
  }
  return hv;
}

double int_cosine(const std::vector<int>& a, const std::vector<int>& b) {
  long long s = 0;
  for (std::size_t j = 0; j < a.size(); ++j) s += a[j] * b[j];
  return static_cast<double>(s) / static_cast<double>(a.size());
}

}  // namespace

BOOST_AUTO_TEST_CASE(circular_randomness_follows_torchhds_walk) {
  // n = 8, r = 1/2: λ = 5 half-steps; half-steps 2, 4 sit in span 0 at
  // fractions .4, .8, half-steps 6, 8 in span 1 at .2, .6. C_0 = V_0,
  // C_1 = T(2), C_4 = T(8), C_5 = T(8) T(0) T(2), C_7 = T(8) T(0) T(6):
  //   E cos(C_0, C_1) = P(u_0 >= .4) = .6
  //   E cos(C_0, C_4) = 0                      (T(8) ∈ {V_1, V_2})
  //   E cos(C_0, C_5) = P(T(8) = T(2) = V_1) = .4 · .4
  //   E cos(C_1, C_7) = P(T(6)T(8) = V_0 T(2)) = .2 · .6 + .4 · .6
  //   E cos(C_7, C_0) = P(T(6) = T(8)) = .2 + .4
  const enc::Circular hand(8, 64, 1, 1.0, 0.5);
  BOOST_TEST(hand.randomness() == 0.5);
  BOOST_TEST(std::abs(hand.expected_cosine(0, 1) - 0.6) < 1e-12);
  BOOST_TEST(std::abs(hand.expected_cosine(0, 4)) < 1e-12);
  BOOST_TEST(std::abs(hand.expected_cosine(0, 5) - 0.16) < 1e-12);
  BOOST_TEST(std::abs(hand.expected_cosine(1, 7) - 0.36) < 1e-12);
  BOOST_TEST(std::abs(hand.expected_cosine(7, 0) - 0.6) < 1e-12);
  BOOST_TEST(std::abs(hand.expected_cosine(3, 3) - 1.0) < 1e-12);
  // n = 5, r = 1 (odd): C_2 = V_2 and C_3 = T(5) T(0) T(1) with T(5), T(1)
  // at fraction 1/2 of spans 2 and 0: equal when T(5) = V_2 and T(1) = V_0.
  const enc::Circular odd(5, 64, 1, 1.0, 1.0);
  BOOST_TEST(std::abs(odd.expected_cosine(2, 3) - 0.25) < 1e-12);

  constexpr std::size_t kDim = 10000;
  constexpr std::size_t kPoints = 12;
  const std::uint64_t seed = test_seed();
  std::mt19937_64 rng(seed);
  for (const double r : {0.0, 0.5, 1.0}) {
    const enc::Circular circle(kPoints, kDim, seed, 1.0, r);
    const std::vector<std::vector<int>> port = torchhd_circular(kPoints, kDim, r, rng);
    BOOST_TEST_CONTEXT("seed " << seed << " randomness " << r) {
      for (std::size_t i = 0; i < kPoints; ++i) {
        for (std::size_t k = i; k < kPoints; ++k) {
          const double e = circle.expected_cosine(i, k);
          BOOST_TEST(std::abs(circle.expected_cosine(k, i) - e) < 1e-12);
          const double d = static_cast<double>(std::min(k - i, kPoints - (k - i))) / kPoints;
          if (r == 0.0) BOOST_TEST(std::abs(e - (1 - 2 * d)) < 1e-12);
          if (r == 1.0) BOOST_TEST(std::abs(e - (i == k ? 1.0 : 0.0)) < 1e-12);
          const double bound = five_sigma((1 + e) / 2, kDim) + 1e-12;
          const double ours = hv::bipolar::cosine(circle.point(i), circle.point(k));
          const double theirs = int_cosine(port[i], port[k]);
          BOOST_TEST_CONTEXT("points " << i << ", " << k << " expected " << e << " ours "
                                       << ours << " torchhd " << theirs) {
            BOOST_TEST(std::abs(ours - e) <= bound);
            BOOST_TEST(std::abs(theirs - e) <= bound);
          }
        }
      }
    }
  }
  // Strictly between the ends: r = 1/2 is neither profile (at n = 12 the
  // neighbours' expectation lies between r = 1's 0 and r = 0's 1 - 2/12).
  const enc::Circular half(kPoints, 64, 1, 1.0, 0.5);
  BOOST_TEST(half.expected_cosine(0, 1) > 0.1);
  BOOST_TEST(half.expected_cosine(0, 1) < 1 - 2.0 / kPoints - 0.1);
  // r = 0 keeps the codebook it had before the option; r > 0 codebooks are
  // pure functions of the seed, identical on every target.
  for (const std::size_t dim : kDims) {
    const enc::Circular plain(6, dim, seed);
    const enc::Circular zero(6, dim, seed, 1.0, 0.0);
    BOOST_TEST(same_matrix(plain.codebook(), zero.codebook()));
    const enc::Circular walked(6, dim, seed, 1.0, 0.3);
    for_each_target([&](const std::string&) {
      BOOST_TEST(same_matrix(enc::Circular(6, dim, seed, 1.0, 0.3).codebook(), walked.codebook()));
    });
  }
  BOOST_CHECK_THROW(enc::Circular(8, 64, 1, 1.0, -0.1), hv::InvalidArgument);
  BOOST_CHECK_THROW(enc::Circular(8, 64, 1, 1.0, 1.01), hv::InvalidArgument);
  BOOST_CHECK_THROW(enc::Circular(8, 64, 1, 1.0, std::nan("")), hv::InvalidArgument);
  BOOST_CHECK_THROW(hand.expected_cosine(0, 8), hv::InvalidArgument);
}

// Batched projection. Both kernel paths (alone or in a batch of < 3: register
// tiles; batches of >= 3: lookup tables) give the exact sign wherever the
// exact sum is farther from 0 than the float bound γ_m Σ|x_j|,
// m = ⌈D_in/4⌉ + 5 (encode.hpp); the reference sums in double, whose own
// error is far below that bound. Within a path the bits do not depend on the
// target or on the batch: batches of 1 and 2 equal the one-input call, and
// batches of 3, 16 (one AVX-512 tile) and 37 (ragged tiles) give the same
// rows. D = 130 output bits: two words and a ragged third.
BOOST_AUTO_TEST_CASE(projection_batches_match_the_exact_signs_on_every_target) {
  const std::uint64_t seed = test_seed();
  std::mt19937_64 rng(seed);
  std::normal_distribution<float> g(0.0f, 1.0f);
  BOOST_TEST_CONTEXT("seed " << seed) {
    for (const std::size_t input_dim : kDims) {
      const std::size_t dim = 130;
      const enc::Projection proj(input_dim, dim, seed);
      constexpr std::size_t kBatch = 37;
      hv::DenseMatrix<float> xs(kBatch, input_dim);
      for (std::size_t r = 0; r < kBatch; ++r) {
        for (float& v : xs.row(r)) v = g(rng);
      }
      // Exact sums in double; the band where float may differ.
      const double uu = std::numeric_limits<float>::epsilon() / 2;
      const double m = std::ceil(input_dim / 4.0) + 5;
      const double gamma = m * uu / (1 - m * uu);
      std::vector<std::vector<double>> exact(kBatch, std::vector<double>(dim));
      std::vector<double> band(kBatch);
      for (std::size_t r = 0; r < kBatch; ++r) {
        double l1 = 0;
        for (const float v : xs.row(r)) l1 += std::abs(double{v});
        band[r] = gamma * l1;
        for (std::size_t k = 0; k < dim; ++k) {
          double s = 0;
          for (std::size_t j = 0; j < input_dim; ++j) {
            s += proj.matrix().row(k).component(j) * double{xs.row(r)[j]};
          }
          exact[r][k] = s;
        }
      }
      // Bits of row r that disagree with the exact sign outside the band.
      const auto wrong_outside_band = [&](hv::PackedView bits, std::size_t r) {
        std::size_t wrong = 0;
        for (std::size_t k = 0; k < dim; ++k) {
          const bool negative = bits.component(k) < 0;
          if (std::abs(exact[r][k]) > band[r] && negative != !(exact[r][k] > 0)) ++wrong;
        }
        return wrong;
      };
      BOOST_TEST_CONTEXT("D_in=" << input_dim) {
        for_each_target([&](const std::string&) {
          std::vector<hv::PackedVector> single;
          for (std::size_t r = 0; r < kBatch; ++r) {
            single.push_back(proj(xs.row(r)));
            BOOST_TEST(wrong_outside_band(single.back(), r) == 0U);
          }
          std::vector<hv::PackedMatrix> batches;
          for (const std::size_t batch : {1UL, 2UL, 3UL, 16UL, kBatch}) {
            const hv::DenseMatrixView<float> view{xs.data(), batch, input_dim, xs.stride()};
            batches.push_back(proj.encode_rows(view));
            const hv::PackedMatrix& out = batches.back();
            bool exact_signs = true, same_as_single = true;
            for (std::size_t r = 0; r < batch; ++r) {
              exact_signs = exact_signs && wrong_outside_band(out.row(r), r) == 0U;
              same_as_single = same_as_single && hv::bipolar::hamming(out.row(r), single[r]) == 0U;
            }
            BOOST_TEST_CONTEXT("batch " << batch) {
              BOOST_TEST(exact_signs);
              if (batch < 3) BOOST_TEST(same_as_single);
            }
          }
          // Batches of >= 3 share one summation order: rows agree bit for bit.
          const hv::PackedMatrix& largest = batches.back();
          for (std::size_t b = 2; b + 1 < batches.size(); ++b) {
            bool same = true;
            for (std::size_t r = 0; r < batches[b].rows(); ++r) {
              same = same && hv::bipolar::hamming(batches[b].row(r), largest.row(r)) == 0U;
            }
            BOOST_TEST_CONTEXT("batch " << batches[b].rows() << " vs " << kBatch) { BOOST_TEST(same); }
          }
        });
      }
    }
  }
  // Validation: NaN anywhere in the batch, wrong shapes.
  const enc::Projection proj(8, 16, 1);
  hv::DenseMatrix<float> xs(3, 8);
  xs.row(2)[5] = std::numeric_limits<float>::infinity();
  hv::PackedMatrix out(3, 16);
  BOOST_CHECK_THROW(proj.encode_rows(xs.view(), out), hv::InvalidArgument);
  hv::PackedMatrix wrong(2, 16);
  BOOST_CHECK_THROW(proj.encode_rows(xs.view(), wrong), hv::DimensionError);
  hv::DenseMatrix<float> narrow(3, 7);
  BOOST_CHECK_THROW(proj.encode_rows(narrow.view(), out), hv::DimensionError);
  // Sums past FLT_MAX: redone in double, so the signs stay right.
  hv::DenseMatrix<float> huge(1, 8);
  for (float& v : huge.row(0)) v = 3e38f;
  const hv::PackedMatrix big = proj.encode_rows(huge.view());
  const hv::PackedVector expected = ref::encode::project(proj.matrix().view(), huge.row(0));
  BOOST_TEST(hv::bipolar::hamming(big.row(0), expected) == 0U);
  BOOST_TEST(hv::bipolar::hamming(proj(huge.row(0)), expected) == 0U);
}

// Threads. encode_rows splits a batch into tasks of 16 inputs; the path
// (register tiles for batches of < 3, tables for >= 3) is chosen by the
// batch, not by a thread's share, so every thread count gives the same bits.
// D_in = 1000, D = 1100: 1.1·10^6 bit-products per task, past the 2^20 at
// which encode_rows starts splitting, so 2+ threads really split a batch of
// 33 (tasks of 16, 16 and 1). Row 32, alone in its task, is built so that
// the two paths disagree: x_0 = x_1 = 2^24 cancel exactly in the tables
// (((±x_0 ∓ x_1) + …) for rows with R_r0 ≠ R_r1) but ride in separate
// partial sums of the tiles, where every later addition rounds to the ulp of
// 2^24 (2), so the sign of the small remainder (the other components,
// N(0, 1)) differs in some rows. The test requires such a row to exist, then
// that row 32 of every split equals the table bits, never the tile bits.
BOOST_AUTO_TEST_CASE(projection_batches_are_identical_for_every_thread_count) {
  constexpr std::size_t kIn = 1000;
  constexpr std::size_t kOut = 1100;
  constexpr std::size_t kBatch = 33;
  const std::uint64_t seed = test_seed();
  std::mt19937_64 rng(seed);
  std::normal_distribution<float> g(0.0f, 1.0f);
  const enc::Projection proj(kIn, kOut, seed);
  hv::DenseMatrix<float> xs(kBatch, kIn);
  for (std::size_t r = 0; r < kBatch; ++r) {
    for (float& v : xs.row(r)) v = g(rng);
  }
  xs.row(kBatch - 1)[0] = 16777216.0f;
  xs.row(kBatch - 1)[1] = 16777216.0f;
  BOOST_TEST_CONTEXT("seed " << seed) {
    for_each_target([&](const std::string&) {
      const hv::PackedVector tiles = proj(xs.row(kBatch - 1));  // alone: tile path
      hv::DenseMatrix<float> three(3, kIn);
      for (std::size_t r = 0; r < 3; ++r) {
        std::copy(xs.row(kBatch - 1).begin(), xs.row(kBatch - 1).end(), three.row(r).begin());
      }
      const hv::PackedMatrix tables = proj.encode_rows(three.view(), 1);
      BOOST_REQUIRE(hv::bipolar::hamming(tiles, tables.row(0)) > 0U);
      const hv::PackedMatrix one = proj.encode_rows(xs.view(), 1);
      BOOST_TEST(hv::bipolar::hamming(one.row(kBatch - 1), tables.row(0)) == 0U);
      for (const unsigned threads : {2U, 3U, 4U, 0U}) {
        const hv::PackedMatrix many = proj.encode_rows(xs.view(), threads);
        bool same = true;
        for (std::size_t r = 0; r < kBatch; ++r) {
          same = same && hv::bipolar::hamming(many.row(r), one.row(r)) == 0U;
        }
        BOOST_TEST_CONTEXT("threads " << threads) { BOOST_TEST(same); }
      }
    });
  }
}

BOOST_AUTO_TEST_CASE(sizes_past_the_limits_throw_before_allocating) {
  constexpr std::size_t kSizeMax = std::numeric_limits<std::size_t>::max();
  auto names = [](const char* where) {
    return [=](const hv::Error& e) { return std::string(e.what()).find(where) != std::string::npos; };
  };
  // dim x nonzeros wrapped (2^10 x (2^54 + 1) = 2^10 mod 2^64): a 1024-entry
  // table then written at k * nonzeros.
  BOOST_CHECK_EXCEPTION(enc::SparseProjection(4, 1024, (std::size_t{1} << 54) + 1, 1), hv::DimensionError,
                        names("encode::SparseProjection"));
  // n x rows wrapped to 0: an empty table then written.
  const auto book = hv::bipolar::random_matrix(4, 64, 1);
  BOOST_CHECK_EXCEPTION(enc::NGramEncoder(book.view(), std::size_t{1} << 62), hv::DimensionError,
                        names("encode::NGramEncoder"));
  BOOST_CHECK_EXCEPTION(enc::NGramEncoder(book.view(), hv::kMaxRows), hv::DimensionError,
                        names("encode::NGramEncoder"));
  // levels x stride x 8 wrapped to 0 bytes.
  BOOST_CHECK_EXCEPTION(enc::Level(std::size_t{1} << 58, 64, 1), hv::DimensionError, names("encode::Level"));
  BOOST_CHECK_EXCEPTION(enc::Thermometer(std::size_t{1} << 58, 64), hv::DimensionError,
                        names("encode::Thermometer"));
  BOOST_CHECK_EXCEPTION(enc::Circular(kSizeMax, 64, 1), hv::DimensionError, names("encode::Circular"));
  BOOST_CHECK_EXCEPTION(enc::Circular(hv::kMaxRows, 64, 1), hv::DimensionError, names("encode::Circular"));
  BOOST_CHECK_EXCEPTION(enc::Level(4, kSizeMax, 1), hv::DimensionError, names("kMaxDim"));
  BOOST_CHECK_EXCEPTION(enc::Projection(kSizeMax, 64, 1), hv::DimensionError, names("encode::Projection"));
  BOOST_CHECK_EXCEPTION(enc::Projection(64, kSizeMax, 1), hv::DimensionError, names("encode::Projection"));
  BOOST_CHECK_EXCEPTION(enc::FractionalPower(kSizeMax, 1.0, 1), hv::DimensionError, names("kMaxDim"));
  BOOST_CHECK_EXCEPTION(enc::HrrFractionalPower(kSizeMax, 1.0, 1), hv::DimensionError, names("kMaxDim"));
}

// ---------------------------------------------------------------------------
// Every model (encode.hpp's templates): the same selection as packed MAP, the
// E[cos] of the header per model, decoding by cleanup, and the packed errors.
// ---------------------------------------------------------------------------

namespace {

using hv::models::DenseMap;
using hv::models::Fhrr;
using hv::models::Hrr;
using hv::models::PackedMap;
using EveryModel = boost::mpl::list<PackedMap, DenseMap, Hrr<float>, Fhrr>;
using ComponentwiseModels = boost::mpl::list<PackedMap, DenseMap, Fhrr>;

// torchhd's VSA support, enforced by `requires` (a compile error elsewhere).
template <typename M>
concept HasThermometer = requires { typename enc::Thermometer<M>; };
template <typename M>
concept HasCircular = requires { typename enc::Circular<M>; };
template <typename M>
concept HasProjection = requires { typename enc::Projection<M>; };
template <typename M>
concept HasFractionalPower = requires { typename enc::FractionalPower<M>; };
static_assert(HasThermometer<Fhrr> && !HasThermometer<Hrr<float>>);
static_assert(HasCircular<DenseMap> && !HasCircular<Hrr<float>>);
static_assert(HasProjection<Hrr<float>> && !HasProjection<Fhrr>);
static_assert(HasFractionalPower<Hrr<float>> && !HasFractionalPower<PackedMap>);
static_assert(std::same_as<enc::HrrFractionalPower, enc::FractionalPower<Hrr<float>>>);
// CTAD keeps the packed spelling: the defaulted model.
static_assert(std::same_as<decltype(enc::Level(4, 64, 1)), enc::Level<PackedMap>>);
static_assert(std::same_as<decltype(enc::FractionalPower(64, 1.0, 1)), enc::FractionalPower<Fhrr>>);

/// v as ±1 floats (packed) or its values.
template <typename M>
std::vector<float> floats_of(typename M::View v) {
  if constexpr (std::is_same_v<M, PackedMap>) {
    const hv::DenseVector<float> f = hv::dense::to_float(v);
    return {f.data(), f.data() + v.dim};
  } else {
    return {v.begin(), v.end()};
  }
}

/// σ of cos(L_i, L_k) with E = p per model (encode.hpp's file comment): ±1
/// (1 - p²)/D, FHRR (1 - p)(1 + 2p)/(2D), HRR (1 + 2p - p²)/D (an upper
/// bound: dividing by the norms removes part of it).
template <typename M>
double cosine_sigma(double p, std::size_t dim) {
  const double d = static_cast<double>(dim);
  if constexpr (std::is_same_v<M, Fhrr>) {
    return std::sqrt(std::max(0.0, (1.0 - p) * (1.0 + 2.0 * p)) / (2.0 * d));
  } else if constexpr (std::is_same_v<M, Hrr<float>>) {
    return std::sqrt((1.0 + 2.0 * p - p * p) / d);
  } else {
    return std::sqrt(std::max(0.0, 1.0 - p * p) / d);
  }
}

/// HRR's E[cos] is p up to O(1/D) (the norms); float rounding elsewhere.
template <typename M>
double cosine_bias(std::size_t dim) {
  return std::is_same_v<M, Hrr<float>> ? 4.0 / static_cast<double>(dim) : 1e-5;
}

/// Index of the row of `rows` with the largest M::cosine to q.
template <typename M, typename Rows>
std::size_t nearest(typename M::View q, std::size_t count, Rows rows) {
  std::size_t best = 0;
  double best_cos = -2.0;
  for (std::size_t r = 0; r < count; ++r) {
    const double c = M::cosine(q, rows(r));
    if (c > best_cos) best_cos = c, best = r;
  }
  return best;
}

}  // namespace

BOOST_AUTO_TEST_CASE(dense_map_encoders_are_the_packed_ones_unpacked) {
  // dense::random(D, seed, row) is bipolar::random as ±1 floats, so every
  // dense MAP encoder must equal its packed twin component for component:
  // this pins the generic code to the tested packed one.
  const std::uint64_t seed = test_seed();
  for (const std::size_t dim : {std::size_t{1}, std::size_t{63}, std::size_t{65}, std::size_t{1000}}) {
    BOOST_TEST_CONTEXT("seed " << seed << " D=" << dim) {
      for (const double r : {0.0, 0.3, 1.0}) {
        BOOST_TEST_CONTEXT("randomness " << r) {
          const enc::Level packed(9, dim, seed, 0.0, 1.0, r);
          const enc::Level<DenseMap> dense(9, dim, seed, 0.0, 1.0, r);
          for (std::size_t i = 0; i < 9; ++i) {
            BOOST_TEST(floats_of<PackedMap>(packed.level(i)) == floats_of<DenseMap>(dense.level(i)),
                       boost::test_tools::per_element());
          }
          const enc::Circular cp(8, dim, seed, 1.0, r);
          const enc::Circular<DenseMap> cd(8, dim, seed, 1.0, r);
          for (std::size_t i = 0; i < 8; ++i) {
            BOOST_TEST(floats_of<PackedMap>(cp.point(i)) == floats_of<DenseMap>(cd.point(i)),
                       boost::test_tools::per_element());
          }
        }
      }
      const enc::Thermometer tp(5, dim);
      const enc::Thermometer<DenseMap> td(5, dim);
      for (std::size_t i = 0; i < 5; ++i) {
        BOOST_TEST(floats_of<PackedMap>(tp.level(i)) == floats_of<DenseMap>(td.level(i)),
                   boost::test_tools::per_element());
      }
      // IdLevel and n-grams: the packed accumulator's integer sums are the
      // dense sums exactly.
      std::mt19937_64 rng(seed);
      const std::vector<float> v = hv::test::random_floats(7, rng);
      const enc::IdLevel ip(7, 6, dim, seed, -1.0, 1.0);
      const enc::IdLevel<DenseMap> id(7, 6, dim, seed, -1.0, 1.0);
      hv::bipolar::Accumulator acc(dim);
      ip.accumulate(v, acc);
      const hv::DenseVector<float> record = id(v);
      const std::vector<float> sums(acc.sums().begin(), acc.sums().end());
      BOOST_TEST(sums == floats_of<DenseMap>(record), boost::test_tools::per_element());
      const hv::PackedMatrix book = hv::bipolar::random_matrix(5, dim, seed);
      const hv::DenseMatrix<float> dense_book = hv::dense::random_matrix(5, dim, seed);
      std::vector<std::uint32_t> symbols(40);
      for (auto& c : symbols) c = static_cast<std::uint32_t>(rng() % 5);
      hv::bipolar::Accumulator ngram_acc(dim);
      enc::NGramEncoder(book.view(), 3).add(symbols, ngram_acc);
      hv::Sum<float> ngram_sum(dim);
      enc::NGramEncoder<DenseMap>(dense_book.view(), 3).add(symbols, ngram_sum);
      const std::vector<float> ngram_sums(ngram_acc.sums().begin(), ngram_acc.sums().end());
      BOOST_TEST(ngram_sums == floats_of<DenseMap>(ngram_sum.value()), boost::test_tools::per_element());
      // Projection: the same signs.
      const std::vector<float> x = hv::test::normal_floats(33, rng);
      const enc::Projection pp(33, dim, seed);
      const enc::Projection<DenseMap> pd(33, dim, seed);
      BOOST_TEST(floats_of<PackedMap>(pp(x)) == floats_of<DenseMap>(pd(x)), boost::test_tools::per_element());
    }
  }
}

BOOST_AUTO_TEST_CASE_TEMPLATE(level_selection_is_the_packed_one_for_every_model, M, EveryModel) {
  // Where the packed endpoints A, B differ, the packed level shows which one
  // component j took; the model's level must take the same endpoint.
  const std::uint64_t seed = test_seed();
  constexpr std::size_t kDim = 2000;
  BOOST_TEST_CONTEXT(M::name << ", seed " << seed) {
    const enc::Level packed(6, kDim, seed);
    const enc::Level<M> level(6, kDim, seed);
    const hv::PackedVector a = hv::bipolar::random(kDim, seed, 0);
    const typename M::Vector ma = M::random(kDim, seed, 0);
    const typename M::Vector mb = M::random(kDim, seed, 1);
    std::size_t checked = 0, mismatched = 0;
    for (std::size_t i = 0; i < 6; ++i) {
      const std::vector<float> row = floats_of<PackedMap>(packed.level(i));
      const typename M::View v = level.level(i);
      for (std::size_t j = 0; j < kDim; ++j) {
        if (hv::bipolar::random(kDim, seed, 1).component(j) == a.component(j)) continue;
        const bool packed_took_a = row[j] == static_cast<float>(a.component(j));
        bool took_a = false, took_b = false;
        if constexpr (std::is_same_v<M, PackedMap>) {
          took_a = v.component(j) == a.component(j);
          took_b = !took_a;
        } else {
          took_a = v[j] == ma[j];
          took_b = v[j] == mb[j];
        }
        ++checked;
        if (!(took_a != took_b && took_a == packed_took_a)) ++mismatched;
      }
    }
    BOOST_TEST(checked > 0u);
    BOOST_TEST(mismatched == 0u);
  }
}

BOOST_AUTO_TEST_CASE_TEMPLATE(level_cosines_follow_the_selection_law_per_model, M, EveryModel) {
  // E[cos(L_i, L_k)] = expected_cosine (the fraction of shared components)
  // for every model, within 5σ of the header's per-model σ plus HRR's O(1/D).
  const std::uint64_t seed = test_seed();
  constexpr std::size_t kDim = 10000;
  for (const double r : {0.0, 0.5}) {
    BOOST_TEST_CONTEXT(M::name << ", seed " << seed << ", randomness " << r) {
      const enc::Level<M> level(7, kDim, seed, 0.0, 1.0, r);
      for (std::size_t i = 0; i < 7; ++i) {
        for (std::size_t k = i + 1; k < 7; ++k) {
          const double e = level.expected_cosine(i, k);
          const double c = M::cosine(level.level(i), level.level(k));
          BOOST_TEST_CONTEXT("levels " << i << ", " << k << ": E " << e << ", cos " << c) {
            BOOST_TEST(std::abs(c - e) <= 5.0 * cosine_sigma<M>(e, kDim) + cosine_bias<M>(kDim));
          }
        }
      }
    }
  }
}

BOOST_AUTO_TEST_CASE_TEMPLATE(circular_cosines_follow_the_walk_law_per_model, M, ComponentwiseModels) {
  // Circular's expected_cosine is the model's own (FHRR: the exponents must
  // balance, MAP: pairs cancel); the measured cosine sits within 5σ of it.
  const std::uint64_t seed = test_seed();
  constexpr std::size_t kDim = 10000;
  for (const double r : {0.0, 0.4, 1.0}) {
    for (const std::size_t n : {std::size_t{6}, std::size_t{7}}) {
      BOOST_TEST_CONTEXT(M::name << ", seed " << seed << ", n " << n << ", randomness " << r) {
        const enc::Circular<M> circle(n, kDim, seed, 1.0, r);
        for (std::size_t i = 0; i < n; ++i) {
          for (std::size_t k = i + 1; k < n; ++k) {
            const double e = circle.expected_cosine(i, k);
            const double c = M::cosine(circle.point(i), circle.point(k));
            BOOST_TEST_CONTEXT("points " << i << ", " << k << ": E " << e << ", cos " << c) {
              BOOST_TEST(std::abs(c - e) <= 5.0 * cosine_sigma<M>(e, kDim) + cosine_bias<M>(kDim));
            }
          }
        }
      }
    }
  }
}

BOOST_AUTO_TEST_CASE_TEMPLATE(thermometer_cosines_are_exact_per_model, M, ComponentwiseModels) {
  for (const std::size_t dim : {std::size_t{10}, std::size_t{1000}}) {
    BOOST_TEST_CONTEXT(M::name << " D=" << dim) {
      const enc::Thermometer<M> t(6, dim);
      for (std::size_t i = 0; i < 6; ++i) {
        for (std::size_t k = 0; k < 6; ++k) {
          const double ti = std::round(static_cast<double>(i * dim) / 5.0);
          const double tk = std::round(static_cast<double>(k * dim) / 5.0);
          const double e = 1.0 - 2.0 * std::abs(ti - tk) / static_cast<double>(dim);
          BOOST_TEST(std::abs(M::cosine(t.level(i), t.level(k)) - e) < 1e-6);
        }
      }
    }
  }
}

BOOST_AUTO_TEST_CASE_TEMPLATE(id_level_records_decode_to_their_levels, M, EveryModel) {
  // Unbinding a record by feature j's ID and cleaning up against the level
  // codebook gives back the level of v_j (F = 5 features, 5 levels, D = 10000:
  // the right level beats its neighbour, at cosine 0.75, by > 10σ).
  const std::uint64_t seed = test_seed();
  constexpr std::size_t kDim = 10000, kFeatures = 5, kLevels = 5;
  std::mt19937_64 rng(seed);
  BOOST_TEST_CONTEXT(M::name << ", seed " << seed) {
    const enc::IdLevel<M> encoder(kFeatures, kLevels, kDim, seed);
    for (int trial = 0; trial < 4; ++trial) {
      std::vector<float> v(kFeatures);
      std::vector<std::size_t> want(kFeatures);
      for (std::size_t j = 0; j < kFeatures; ++j) {
        want[j] = static_cast<std::size_t>(rng() % kLevels);
        v[j] = static_cast<float>(want[j]) / static_cast<float>(kLevels - 1);
      }
      const typename M::Vector record = encoder(v);
      for (std::size_t j = 0; j < kFeatures; ++j) {
        const typename M::Vector q = M::unbind(record, encoder.ids().row(j));
        const std::size_t got = nearest<M>(q, kLevels, [&](std::size_t l) {
          return encoder.level().level(l);
        });
        BOOST_TEST_CONTEXT("trial " << trial << " feature " << j) { BOOST_TEST(got == want[j]); }
      }
    }
  }
}

BOOST_AUTO_TEST_CASE_TEMPLATE(ngram_prefixes_unbind_to_their_last_symbol, M, EveryModel) {
  // The sum of the trigrams of a 6-symbol sequence, unbound by a window's
  // bound prefix ρ²(C[s_i]) ⊗ ρ(C[s_{i+1}]), cleans up to C[s_{i+2}] (HRR:
  // or to s_{i-1}, below).
  const std::uint64_t seed = test_seed();
  constexpr std::size_t kDim = 10000, kSymbols = 20;
  std::mt19937_64 rng(seed);
  BOOST_TEST_CONTEXT(M::name << ", seed " << seed) {
    const typename M::Matrix book = M::random_matrix(kSymbols, kDim, seed);
    const enc::NGramEncoder<M> trigrams(book, 3);
    BOOST_TEST(trigrams.symbols() == kSymbols);
    for (int trial = 0; trial < 3; ++trial) {
      std::vector<std::uint32_t> s(6);
      for (auto& c : s) c = static_cast<std::uint32_t>(rng() % kSymbols);
      typename M::Accumulator acc(kDim);
      trigrams.add(s, acc);
      const typename M::Query sum = M::query(acc);
      for (std::size_t i = 0; i + 3 <= s.size(); ++i) {
        const typename M::Vector prefix =
            M::bind(M::permute(book.row(s[i]), 2), M::permute(book.row(s[i + 1]), 1));
        const typename M::Query q = M::unbind(sum, prefix);
        std::size_t best = 0;
        double best_dot = -1e300;
        for (std::size_t c = 0; c < kSymbols; ++c) {
          const double d = static_cast<double>(M::dot(q, book.row(c)));
          if (d > best_dot) best_dot = d, best = c;
        }
        // HRR: ρ commutes with ⊛, so a window is ρ³(C[a] ⊛ C[b] ⊛ C[c]),
        // order-blind, and the previous window (s_{i-1}, s_i, s_{i+1}) holds
        // the same pair: the prefix decodes to s_{i-1} as strongly.
        const bool hrr_previous = std::is_same_v<M, Hrr<float>> && i > 0 && best == s[i - 1];
        BOOST_TEST_CONTEXT("trial " << trial << " window " << i) {
          BOOST_TEST((best == s[i + 2] || hrr_previous));
        }
      }
    }
  }
}

BOOST_AUTO_TEST_CASE_TEMPLATE(model_encoders_throw_the_packed_errors, M, EveryModel) {
  auto has = [](const char* part) {
    return [=](const hv::Error& e) { return hv::test::message_has(e, part); };
  };
  BOOST_TEST_CONTEXT(M::name) {
    BOOST_CHECK_EXCEPTION(enc::Level<M>(1, 64, 1), hv::InvalidArgument,
                          has("encode::Level: levels must be >= 2"));
    BOOST_CHECK_EXCEPTION(enc::Level<M>(4, 64, 1, 0.0, 1.0, 1.5), hv::InvalidArgument,
                          has("encode::Level: randomness must be in [0, 1]"));
    BOOST_CHECK_EXCEPTION(enc::Level<M>(4, 0, 1), hv::DimensionError, has("encode::Level"));
    const enc::Level<M> level(4, 64, 1);
    BOOST_CHECK_EXCEPTION(level.level(4), hv::InvalidArgument, has("encode::Level::level: index 4"));
    const enc::IdLevel<M> encoder(3, 4, 64, 1);
    const std::vector<float> nan_v = {0.0f, std::nanf(""), 1.0f};
    BOOST_CHECK_EXCEPTION(encoder(nan_v), hv::InvalidArgument, has("encode::IdLevel: v[1] is NaN"));
    const std::vector<float> short_v = {0.0f};
    BOOST_CHECK_EXCEPTION(encoder(short_v), hv::DimensionError, has("encode::IdLevel"));
    const typename M::Matrix book = M::random_matrix(4, 64, 1);
    BOOST_CHECK_EXCEPTION(enc::NGramEncoder<M>(book, 0), hv::InvalidArgument,
                          has("encode::NGramEncoder: n must be >= 1"));
    const enc::NGramEncoder<M> ngrams(book, 2);
    typename M::Accumulator acc(64), wrong(65);
    const std::vector<std::uint32_t> bad = {1, 4};
    BOOST_CHECK_EXCEPTION(ngrams.add(bad, acc), hv::InvalidArgument,
                          has("encode::NGramEncoder::add: symbols[1] = 4 >= codebook rows 4"));
    BOOST_CHECK_EXCEPTION(ngrams.add(std::vector<std::uint32_t>{1, 2}, wrong), hv::DimensionError,
                          has("encode::NGramEncoder::add"));
    BOOST_CHECK_EXCEPTION(ngrams.add_text("ab", acc), hv::InvalidArgument,
                          has("byte symbols need 256"));
    if constexpr (HasCircular<M>) {
      BOOST_CHECK_EXCEPTION(enc::Circular<M>(1, 64, 1), hv::InvalidArgument,
                            has("encode::Circular: points must be >= 2"));
      BOOST_CHECK_EXCEPTION(enc::Circular<M>(4, 64, 1)(std::nan("")), hv::InvalidArgument,
                            has("encode::Circular: value"));
      BOOST_CHECK_EXCEPTION(enc::Thermometer<M>(1, 64), hv::InvalidArgument,
                            has("encode::Thermometer: levels must be >= 2"));
    }
    if constexpr (HasProjection<M>) {
      const enc::Projection<M> proj(8, 64, 1);
      const std::vector<float> x7(7, 1.0f);
      std::vector<float> x8(8, 1.0f);
      BOOST_CHECK_EXCEPTION(proj(x7), hv::DimensionError, has("input_dim"));
      x8[3] = std::numeric_limits<float>::infinity();
      BOOST_CHECK_EXCEPTION(proj(x8), hv::InvalidArgument, has("is not finite"));
    }
    if constexpr (HasFractionalPower<M>) {
      const char* name = std::is_same_v<M, Fhrr> ? "encode::FractionalPower" : "encode::HrrFractionalPower";
      BOOST_CHECK_EXCEPTION(enc::FractionalPower<M>(16, 0.0, 1), hv::InvalidArgument, has(name));
      BOOST_CHECK_EXCEPTION(enc::FractionalPower<M>(16, 1.0, 1)(INFINITY), hv::InvalidArgument,
                            has("is not finite"));
    }
  }
}

BOOST_AUTO_TEST_CASE(projection_models_share_one_matrix) {
  // Projection<Hrr<float>> is the real projection of the packed matrix; the
  // packed and dense signs are the signs of that real vector (away from 0).
  const std::uint64_t seed = test_seed();
  std::mt19937_64 rng(seed);
  BOOST_TEST_CONTEXT("seed " << seed) {
    const enc::Projection packed(50, 500, seed);
    const enc::Projection<Hrr<float>> hrr(50, 500, seed);
    const std::vector<float> x = hv::test::normal_floats(50, rng);
    const hv::DenseVector<float> y = hrr(x);
    const hv::DenseVector<float> r = packed.real(x);
    BOOST_TEST(floats_of<DenseMap>(y) == floats_of<DenseMap>(r), boost::test_tools::per_element());
    const hv::PackedVector s = packed(x);
    std::size_t disagree = 0;
    for (std::size_t k = 0; k < 500; ++k) {
      if (std::abs(y[k]) > 1e-4f && (y[k] > 0) != (s.component(k) > 0)) ++disagree;
    }
    BOOST_TEST(disagree == 0u);
  }
}

BOOST_AUTO_TEST_CASE(fractional_power_expected_similarity_per_model) {
  // FHRR: E = κ(u); HRR: (c + 2m κ(u))/D with c real bins (formula checked
  // against the measured mean in hrr_fractional_power_similarity_follows_its_kernel).
  const enc::FractionalPower<Fhrr> f(1000, 2.0, 7);
  const enc::HrrFractionalPower h(1000, 2.0, 7);
  for (const double delta : {0.0, 0.5, 3.0}) {
    BOOST_TEST(std::abs(f.expected_similarity(delta) - enc::fpe_kernel(enc::FpeKernel::sinc, delta / 2.0)) < 1e-12);
    BOOST_TEST(std::abs(h.expected_similarity(delta) -
                        (2.0 + 998.0 * enc::fpe_kernel(enc::FpeKernel::sinc, delta / 2.0)) / 1000.0) < 1e-12);
  }
  // Measured FHRR similarity Re Σ z(x) conj z(x + δ)/D within 5σ of κ, σ² = v(u)/D ≤ 1/D.
  for (const double delta : {0.3, 1.0, 2.5}) {
    const double s = hv::fhrr::similarity(f(1.0), f(1.0 + delta));
    BOOST_TEST(std::abs(s - f.expected_similarity(delta)) < 5.0 / std::sqrt(1000.0));
  }
}
