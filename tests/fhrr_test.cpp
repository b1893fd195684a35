// FHRR (include/hypervec/fhrr.hpp): kernels against plain loops on every
// target, exact inverse, statistics, HRR ↔ FHRR conversion and bad input.
#define BOOST_TEST_MODULE fhrr
#include <boost/test/unit_test.hpp>

#include <hypervec/error.hpp>
#include <hypervec/fhrr.hpp>
#include <hypervec/hrr.hpp>

#include "src/reference/hrr.hpp"
#include "tests/test_util.hpp"

#include <cmath>
#include <complex>
#include <limits>
#include <random>

namespace hv = hypervec;
namespace fhrr = hypervec::fhrr;
namespace hrr = hypervec::hrr;
namespace ref = hypervec::reference::hrr;
using hv::test::for_each_target;

namespace {

/// Random complex values (not phasors), some zero, from an independent RNG.
fhrr::Vector random_complex(std::size_t dim, std::mt19937_64& rng) {
  std::normal_distribution<float> normal;
  fhrr::Vector v(dim);
  for (std::size_t k = 0; k < dim; ++k) {
    v[k] = k % 9 == 4 ? fhrr::Phasor(0, 0) : fhrr::Phasor(normal(rng), normal(rng));
  }
  return v;
}

}  // namespace

BOOST_AUTO_TEST_CASE(kernels_match_plain_loops_on_every_target) {
  const auto seed = hv::test::test_seed();
  const float u = std::numeric_limits<float>::epsilon() / 2;
  hv::test::for_each_target_and_dim(seed, [&](std::size_t dim, std::mt19937_64& rng) {
    const auto a = random_complex(dim, rng);
    const auto b = random_complex(dim, rng);
    const auto p = fhrr::bind(a, b);
    const auto q = fhrr::unbind(a, b);
    const auto n = fhrr::hard_quantize(a);
    double abs_sum = 0;
    for (std::size_t k = 0; k < dim; ++k) {
      const std::complex<double> x(a[k]), y(b[k]);
      // Complex product: each component is two products and a sum (or
      // one FMA): ≤ 3u · (|xr yr| + |xi yi|) ≤ 3u |x||y| · √2.
      const double bound = 5 * u * std::abs(x) * std::abs(y);
      BOOST_TEST(std::abs(std::complex<double>(p[k]) - x * y) <= bound);
      BOOST_TEST(std::abs(std::complex<double>(q[k]) - x * std::conj(y)) <= bound);
      if (std::abs(x) == 0) {
        BOOST_TEST((n[k] == fhrr::Phasor(1, 0)));
      } else {
        BOOST_TEST(std::abs(std::complex<double>(n[k]) - x / std::abs(x)) <= 4 * u);
      }
      abs_sum += std::abs(x.real() * y.real()) + std::abs(x.imag() * y.imag());
    }
    // Float sum of 2D terms: ≤ 2D·u·Σ|terms| (any order), divided by D.
    BOOST_TEST(std::abs(fhrr::similarity(a, b) - ref::phasor_similarity(a.values(), b.values())) <=
               2 * dim * u * abs_sum / dim);
  });
}

BOOST_AUTO_TEST_CASE(phasor_algebra_and_statistics) {
  const auto seed = hv::test::test_seed();
  for (const std::size_t dim : {std::size_t{1}, std::size_t{97}, std::size_t{1024}, std::size_t{10000}}) {
    BOOST_TEST_CONTEXT("D=" << dim << " seed " << seed) {
      const auto a = fhrr::random(dim, seed, 1);
      const auto b = fhrr::random(dim, seed, 2);
      const double u = std::numeric_limits<float>::epsilon() / 2;
      // Unit phasors: similarity with itself is 1 (up to float rounding of
      // cos²+sin² and the sum: ≤ (2D + 4)·u).
      BOOST_TEST(std::abs(fhrr::similarity(a, a) - 1.0) <= (2.0 * dim + 4) * u);
      // The conjugate is the exact inverse: unbind(bind(a, b), b) = a up to
      // two complex products of unit values (≤ 10u per component).
      const auto back = fhrr::unbind(fhrr::bind(a, b), b);
      for (std::size_t k = 0; k < dim; ++k) {
        BOOST_TEST(std::abs(std::complex<double>(back[k]) - std::complex<double>(a[k])) <= 10 * u);
      }
      const auto inv = fhrr::inverse(a);
      BOOST_TEST(std::abs(fhrr::similarity(fhrr::bind(a, inv), fhrr::identity(dim)) - 1.0) <=
                 (2.0 * dim + 8) * u);
      if (dim >= 1024) {
        // Random pair: Re(a conj b) = cos(θ) with θ uniform: mean 0,
        // variance 1/2, so the similarity has σ = 1/√(2D). 5σ bound.
        BOOST_TEST(std::abs(fhrr::similarity(a, b)) <= 5 / std::sqrt(2.0 * dim));
        // A bundle of 3 is similar to each member: E = 1, σ = √(2/(2D)).
        hv::DenseMatrix<fhrr::Phasor> rows(3, dim);
        const auto c = fhrr::random(dim, seed, 3);
        std::copy(a.values().begin(), a.values().end(), rows.row(0).begin());
        std::copy(b.values().begin(), b.values().end(), rows.row(1).begin());
        std::copy(c.values().begin(), c.values().end(), rows.row(2).begin());
        const auto s = fhrr::bundle(rows);
        BOOST_TEST(std::abs(fhrr::similarity(s, a) - 1.0) <= 5 * std::sqrt(1.0 / dim));
        // Permutation preserves similarity and composes.
        BOOST_TEST(std::abs(fhrr::similarity(fhrr::permute(a, 7), fhrr::permute(b, 7)) -
                            fhrr::similarity(a, b)) <= 4.0 * dim * u);
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(hrr_and_fhrr_convert_and_binding_commutes_with_conversion) {
  const auto seed = hv::test::test_seed();
  for (const std::size_t dim : {std::size_t{1}, std::size_t{2}, std::size_t{7}, std::size_t{64},
                                std::size_t{97}, std::size_t{1024}, std::size_t{10000}}) {
    BOOST_TEST_CONTEXT("D=" << dim << " seed " << seed) {
      const auto x = hrr::random_unitary<float>(dim, seed, 1);
      const auto y = hrr::random_unitary<float>(dim, seed, 2);
      const auto zx = fhrr::from_hrr(x.values());
      const auto zy = fhrr::from_hrr(y.values());
      // Hermitian and unit magnitude.
      for (std::size_t k = 0; k < dim; ++k) {
        BOOST_TEST(std::abs(std::abs(std::complex<double>(zx[k])) - 1.0) <= 1e-6);
        BOOST_TEST(std::abs(std::complex<double>(zx[(dim - k) % dim]) -
                            std::conj(std::complex<double>(zx[k]))) <= 1e-6);
      }
      // Round trip: to_hrr(from_hrr(x)) = x for unitary x.
      BOOST_TEST(hrr::cosine(fhrr::to_hrr(zx), x) > 0.9999);
      // Homomorphism: from_hrr(x ⊛ y) = from_hrr(x) ⊙ from_hrr(y), and the
      // FHRR similarity of converted unitary vectors is their HRR cosine.
      const auto zxy = fhrr::from_hrr(hrr::bind(x, y).values());
      BOOST_TEST(fhrr::similarity(zxy, fhrr::bind(zx, zy)) > 0.9999);
      BOOST_TEST(std::abs(fhrr::similarity(zx, zy) - hrr::cosine(x, y)) <= 1e-4);
    }
  }
}

BOOST_AUTO_TEST_CASE(bad_input_throws) {
  const auto a = fhrr::random(64, 1, 1);
  const auto b = fhrr::random(65, 1, 2);
  BOOST_CHECK_THROW(fhrr::bind(a, b), hv::DimensionError);
  BOOST_CHECK_THROW(fhrr::unbind(a, b), hv::DimensionError);
  BOOST_CHECK_THROW(fhrr::similarity(a, b), hv::DimensionError);
  BOOST_CHECK_THROW(fhrr::random(0, 1), hv::DimensionError);
  BOOST_CHECK_THROW(fhrr::identity(0), hv::DimensionError);
  BOOST_CHECK_THROW(fhrr::from_hrr(std::span<const float>()), hv::DimensionError);
  BOOST_CHECK_THROW(fhrr::bundle(hv::DenseMatrix<fhrr::Phasor>(0, 4)), hv::InvalidArgument);
  for (const float bad : {std::numeric_limits<float>::quiet_NaN(),
                          std::numeric_limits<float>::infinity()}) {
    auto x = a;
    x[13] = fhrr::Phasor(bad, 0);
    BOOST_CHECK_THROW(fhrr::bind(x, a), hv::InvalidArgument);
    BOOST_CHECK_THROW(fhrr::unbind(a, x), hv::InvalidArgument);
    BOOST_CHECK_THROW(fhrr::similarity(x, a), hv::InvalidArgument);
    BOOST_CHECK_THROW(fhrr::hard_quantize(x), hv::InvalidArgument);
    BOOST_CHECK_THROW(fhrr::inverse(x), hv::InvalidArgument);
    BOOST_CHECK_THROW(fhrr::to_hrr(x), hv::InvalidArgument);
    std::vector<float> r(10, 0.1f);
    r[3] = bad;
    BOOST_CHECK_THROW(fhrr::from_hrr(r), hv::InvalidArgument);
  }
}

BOOST_AUTO_TEST_CASE(sizes_past_the_limits_and_extreme_shifts) {
  constexpr std::size_t kSizeMax = std::numeric_limits<std::size_t>::max();
  BOOST_CHECK_THROW(fhrr::random(kSizeMax, 1), hv::DimensionError);
  BOOST_CHECK_THROW(fhrr::random(hv::kMaxDim + 1, 1), hv::DimensionError);
  BOOST_CHECK_THROW(fhrr::identity(kSizeMax), hv::DimensionError);
  const auto a = fhrr::random(7, 3);
  // PTRDIFF_MIN mod 7 = 6 and PTRDIFF_MAX mod 7 = 0 (2^63 = 1 mod 7).
  const auto lo = fhrr::permute(a, std::numeric_limits<std::ptrdiff_t>::min());
  const auto hi = fhrr::permute(a, std::numeric_limits<std::ptrdiff_t>::max());
  const auto six = fhrr::permute(a, 6);
  for (std::size_t i = 0; i < 7; ++i) {
    BOOST_CHECK(lo[i] == six[i]);
    BOOST_CHECK(hi[i] == a[i]);
  }
}

namespace {

/// Re Σ a conj(b) / (‖a‖ ‖b‖) in double, the definition cosine must meet.
double cosine_double(std::span<const fhrr::Phasor> a, std::span<const fhrr::Phasor> b) {
  double ab = 0, aa = 0, bb = 0;
  for (std::size_t k = 0; k < a.size(); ++k) {
    const std::complex<double> x(a[k]), y(b[k]);
    ab += (x * std::conj(y)).real();
    aa += std::norm(x);
    bb += std::norm(y);
  }
  return ab / std::sqrt(aa * bb);
}

}  // namespace

BOOST_AUTO_TEST_CASE(cosine_of_bundles_is_a_true_cosine) {
  const auto seed = hv::test::test_seed();
  const std::size_t dim = 4096;
  BOOST_TEST_CONTEXT("seed " << seed) {
    // Bundle of x0, x1, x2 against the bundle of x0, x1, x3: cosine ≈ 2/3,
    // similarity ≈ 2 (it divides by D, not by the norms).
    const auto atoms = fhrr::random_matrix(4, dim, seed);
    hv::DenseMatrix<fhrr::Phasor> first(3, dim), second(3, dim);
    for (std::size_t r = 0; r < 3; ++r) {
      std::copy_n(atoms.row(r).data(), dim, first.row(r).data());
      std::copy_n(atoms.row(r == 2 ? 3 : r).data(), dim, second.row(r).data());
    }
    const auto a = fhrr::bundle(first), b = fhrr::bundle(second);
    const double expected = cosine_double(a.values(), b.values());
    for_each_target([&](const std::string& target) {
      BOOST_TEST_CONTEXT(target) {
        const double c = fhrr::cosine(a, b);
        BOOST_TEST(std::abs(c - expected) <= 1e-5);
        BOOST_TEST(std::abs(c - 2.0 / 3.0) <= 0.05);
        BOOST_TEST(fhrr::similarity(a, b) > 1.5);  // what cosine fixes
        BOOST_TEST(fhrr::cosine(b, a) == c);        // symmetric: Re⟨a,b⟩ = Re⟨b,a⟩
        BOOST_TEST(std::abs(fhrr::cosine(a, a) - 1.0) <= 1e-6);
      }
    });
    // Scale invariant: 3.5·a and a complex rotation of b change nothing.
    auto a_scaled = a, b_rot = b;
    for (auto& z : a_scaled.values()) z *= 3.5f;
    for (auto& z : b_rot.values()) z *= fhrr::Phasor(0.6f, 0.8f) * fhrr::Phasor(0.6f, -0.8f);
    BOOST_TEST(std::abs(fhrr::cosine(a_scaled, b_rot) - expected) <= 1e-5);
    // -a: exactly the negated cosine.
    auto neg = a;
    for (auto& z : neg.values()) z = -z;
    BOOST_TEST(fhrr::cosine(neg, b) == -fhrr::cosine(a, b));
    // On unit phasors cosine and similarity agree.
    BOOST_TEST(std::abs(fhrr::cosine(atoms.row(0), atoms.row(1)) -
                        fhrr::similarity(atoms.row(0), atoms.row(1))) <= 1e-6);
  }
}

BOOST_AUTO_TEST_CASE(cosine_range_zero_vector_and_bad_input) {
  const auto seed = hv::test::test_seed();
  std::mt19937_64 rng(seed);
  BOOST_TEST_CONTEXT("seed " << seed) {
    for (const std::size_t dim : hv::test::kDims) {
      const auto a = random_complex(dim, rng), b = random_complex(dim, rng);
      const double c = fhrr::cosine(a, b);
      BOOST_TEST((c >= -1.0 && c <= 1.0));
      BOOST_TEST(std::abs(c - cosine_double(a.values(), b.values())) <= 1e-5);
    }
  }
  const fhrr::Vector zero(16);
  BOOST_TEST(fhrr::cosine(zero, fhrr::random(16, 1)) == 0.0);
  BOOST_CHECK_THROW(fhrr::cosine(fhrr::random(64, 1), fhrr::random(65, 1)), hv::DimensionError);
  BOOST_CHECK_THROW(fhrr::cosine(std::span<const fhrr::Phasor>(), std::span<const fhrr::Phasor>()),
                    hv::DimensionError);
  auto x = fhrr::random(64, 1);
  x[5] = fhrr::Phasor(std::numeric_limits<float>::quiet_NaN(), 0);
  BOOST_CHECK_THROW(fhrr::cosine(x, fhrr::random(64, 2)), hv::InvalidArgument);
}

BOOST_AUTO_TEST_CASE(random_matrix_rows_are_random_rows) {
  const auto seed = hv::test::test_seed();
  BOOST_TEST_CONTEXT("seed " << seed) {
    for (const unsigned threads : {1u, 3u, 0u}) {
      const auto m = fhrr::random_matrix(37, 65, seed, {.first_row = 5, .threads = threads});
      BOOST_TEST(m.rows() == 37u);
      for (std::size_t r = 0; r < m.rows(); ++r) {
        const auto v = fhrr::random(65, seed, 5 + r);
        BOOST_TEST(std::equal(v.values().begin(), v.values().end(), m.row(r).begin()));
      }
    }
  }
  BOOST_CHECK_THROW(fhrr::random_matrix(2, 0, 1), hv::DimensionError);
}

// --- The common model verbs (issue 13) -------------------------------------------

BOOST_AUTO_TEST_CASE(unbind_into_out_inverse_permute_and_options) {
  const auto seed = hv::test::test_seed();
  for (const std::size_t dim : {std::size_t{1}, std::size_t{7}, std::size_t{1000}}) {
    BOOST_TEST_CONTEXT("D=" << dim << " seed " << seed) {
      const auto a = fhrr::random(dim, seed, 1), key = fhrr::random(dim, seed, 2);
      const auto bound = fhrr::bind(a.values(), key.values());
      const auto want = fhrr::unbind(bound.values(), key.values());
      fhrr::Vector out(dim);
      fhrr::unbind(bound.values(), key.values(), out.values());
      BOOST_CHECK(std::equal(want.values().begin(), want.values().end(), out.values().begin()));
      fhrr::Vector in_place = bound;  // out aliases bound
      fhrr::unbind(in_place.values(), key.values(), in_place.values());
      BOOST_CHECK(std::equal(want.values().begin(), want.values().end(),
                             in_place.values().begin()));
      // dot is the undivided similarity (torchhd's dot_similarity).
      const double ab = fhrr::dot(a.values(), key.values());
      BOOST_TEST(std::abs(ab - fhrr::similarity(a.values(), key.values()) * static_cast<double>(dim)) <=
                 1e-12 * (std::abs(ab) + 1.0));
      BOOST_TEST(std::abs(fhrr::dot(a.values(), a.values()) - static_cast<double>(dim)) <=
                 1e-5 * static_cast<double>(dim));
      // Phasor keys unbind exactly up to float rounding of one product.
      BOOST_TEST(fhrr::cosine(want.values(), a.values()) >= 1.0 - 1e-5);

      const auto d = static_cast<std::ptrdiff_t>(dim);
      for (const std::ptrdiff_t k : {std::ptrdiff_t{0}, std::ptrdiff_t{3}, -d - 1,
                                     std::numeric_limits<std::ptrdiff_t>::min()}) {
        const auto y = fhrr::permute(a.values(), k);
        const auto back = fhrr::inverse_permute(y.values(), k);
        BOOST_CHECK(std::equal(back.values().begin(), back.values().end(), a.values().begin()));
        // inverse_permute(., k) = permute(., -k) where -k does not overflow.
        if (k != std::numeric_limits<std::ptrdiff_t>::min()) {
          const auto z = fhrr::permute(a.values(), -k);
          const auto w = fhrr::inverse_permute(a.values(), k);
          BOOST_CHECK(std::equal(z.values().begin(), z.values().end(), w.values().begin()));
        }
      }
      // hard_quantize (formerly normalize): unit magnitudes, phases kept.
      fhrr::Vector scaled(dim);
      for (std::size_t i = 0; i < dim; ++i) scaled[i] = a[i] * 3.0f;
      const auto q = fhrr::hard_quantize(scaled.values());
      for (std::size_t i = 0; i < dim; ++i) BOOST_REQUIRE(std::abs(q[i] - a[i]) <= 1e-6f);
    }
  }
  fhrr::Vector out(9);
  const auto a = fhrr::random(8, 1);
  BOOST_CHECK_THROW(fhrr::unbind(a.values(), a.values(), out.values()), hv::DimensionError);
  BOOST_CHECK_THROW(fhrr::inverse_permute(std::span<const fhrr::Phasor>(), 1), hv::DimensionError);
  BOOST_CHECK_THROW(fhrr::random_matrix(2, 8, 1, {.unit_norm = true}), hv::InvalidArgument);
}
