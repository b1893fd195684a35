// HRR (include/hypervec/hrr.hpp) and its FFT plan cache (fft.hpp): FFT
// binding against the O(D²) direct convolution on every SIMD target, the
// spectral product kernels bin by bin, algebraic laws, statistics and
// capacity against theory, and bad input.
#define BOOST_TEST_MODULE hrr
#include <boost/test/unit_test.hpp>

#include <hypervec/error.hpp>
#include <hypervec/fft.hpp>
#include <hypervec/hrr.hpp>

#include "src/reference/hrr.hpp"
#include "tests/test_util.hpp"

#include <algorithm>
#include <cmath>
#include <complex>
#include <cstdio>
#include <limits>
#include <random>
#include <string>
#include <type_traits>
#include <unistd.h>
#include <vector>

namespace hv = hypervec;
namespace hrr = hypervec::hrr;
namespace ref = hypervec::reference::hrr;
using hv::test::for_each_target;

namespace {

/// The dimensions of the issue: tiny, odd, prime (97), powers of two and not.
const std::vector<std::size_t> kFftDims = {1, 2, 3, 7, 64, 97, 1000, 1024, 4096, 10000};

template <typename T>
std::vector<double> to_double(std::span<const T> x) {
  return std::vector<double>(x.begin(), x.end());
}

double norm2(std::span<const double> x) {
  double s = 0;
  for (double v : x) s += v * v;
  return std::sqrt(s);
}

double max_abs_diff(std::span<const double> a, std::span<const double> b) {
  double m = 0;
  for (std::size_t i = 0; i < a.size(); ++i) m = std::max(m, std::abs(a[i] - b[i]));
  return m;
}

/// max_k |X(k)| of the half spectrum (the full one has the same maximum).
template <typename T>
double max_bin(const hrr::Spectrum<T>& s) {
  double m = 0;
  for (const auto& z : s.values()) m = std::max(m, std::abs(std::complex<double>(z)));
  return m;
}

/// Error bound for one FFT convolution c = IFFT(FFT a · FFT b)/D in precision
/// with unit roundoff u. Higham (Accuracy and Stability of Numerical
/// Algorithms, 2nd ed., Thm 24.2): a computed radix-2 FFT has
/// ‖ŷ − y‖₂ ≤ log₂D · η · ‖y‖₂ with η = μ + γ₄(√2 + μ) ≤ 8u for accurate
/// twiddles (FFTW's mixed-radix codelets behave alike; we allow ⌈log₂D⌉+1
/// levels for non-powers of two). With ‖FFT x‖₂ = √D‖x‖₂, the error of A
/// reaches c through B: ‖IFFT(δA·B)‖₂/D ≤ ‖B‖∞ ‖δA‖₂/√D ≤ L η ‖a‖₂‖B‖∞;
/// the same for δB, for the inverse transform and for the product rounding:
///   max_i |ĉ_i − c_i| ≤ ‖ĉ − c‖₂ ≤ (3L + 2) · 8u · max(‖a‖‖B‖∞, ‖b‖‖A‖∞),
/// L = ⌈log₂D⌉ + 1. Any indexing bug is off by the size of a component,
/// ~‖a‖‖b‖/√D, far above this bound (e.g. float, D = 10⁴: 1e-4 vs 1e-2).
template <typename T>
double conv_tolerance(std::size_t dim, double na, double nb, double max_a, double max_b) {
  const double u = std::numeric_limits<T>::epsilon() / 2;
  const double levels = std::ceil(std::log2(static_cast<double>(dim))) + 1;
  return (3 * levels + 2) * 8 * u * std::max(na * max_b, nb * max_a);
}

template <typename T>
void check_bind_against_direct_convolution(std::uint64_t seed) {
  for (const std::size_t dim : kFftDims) {
    const auto a = hrr::random<T>(dim, seed, 1);
    const auto b = hrr::random<T>(dim, seed, 2);
    const auto ad = to_double<T>(a.values());
    const auto bd = to_double<T>(b.values());
    const auto expected_conv = ref::convolve(ad, bd);
    const auto expected_corr = ref::correlate(ad, bd);
    const auto sa = hrr::spectrum<double>(ad);
    const auto sb = hrr::spectrum<double>(bd);
    const double tol = conv_tolerance<T>(dim, norm2(ad), norm2(bd), max_bin(sa), max_bin(sb));
    for_each_target([&](const std::string&) {
      BOOST_TEST_CONTEXT("D=" << dim << " seed " << seed << " tolerance " << tol) {
        const auto c = hrr::bind(a, b);
        BOOST_TEST(max_abs_diff(to_double<T>(c.values()), expected_conv) <= tol);
        // Spectral key path and the in-place form (out aliases a).
        const auto key = hrr::spectrum(b.values());
        BOOST_TEST(max_abs_diff(to_double<T>(hrr::bind(a, key).values()), expected_conv) <= tol);
        auto inplace = a;
        hrr::bind(inplace.values(), b.values(), inplace.values());
        BOOST_TEST(max_abs_diff(to_double<T>(inplace.values()), expected_conv) <= tol);
        // Unbinding with the involution is circular correlation.
        const auto u = hrr::unbind(a, b);
        BOOST_TEST(max_abs_diff(to_double<T>(u.values()), expected_corr) <= tol);
        BOOST_TEST(max_abs_diff(to_double<T>(hrr::unbind(a, key).values()), expected_corr) <=
                   tol);
      }
    });
  }
}

}  // namespace

BOOST_AUTO_TEST_CASE(fft_bind_equals_direct_circular_convolution_float) {
  check_bind_against_direct_convolution<float>(hv::test::test_seed());
}

BOOST_AUTO_TEST_CASE(fft_bind_equals_direct_circular_convolution_double) {
  check_bind_against_direct_convolution<double>(hv::test::test_seed());
}

BOOST_AUTO_TEST_CASE(batched_bind_and_unbind_equal_one_at_a_time) {
  const auto seed = hv::test::test_seed();
  for (const std::size_t dim : {std::size_t{7}, std::size_t{1000}, std::size_t{4096}}) {
    // 37 rows: several whole blocks plus a ragged last block.
    const auto rows = hrr::random_matrix<float>(37, dim, seed, {.first_row = 10});
    const auto key = hrr::random<float>(dim, seed, 3);
    const auto ks = hrr::spectrum(key.values());
    for_each_target([&](const std::string&) {
      for (const unsigned threads : {1U, 3U}) {
        BOOST_TEST_CONTEXT("D=" << dim << " threads=" << threads << " seed " << seed) {
          const auto bound = hrr::bind_batch(rows, ks, threads);
          const auto unbound = hrr::unbind_batch(bound, ks, hrr::InverseMethod::involution(),
                                                 nullptr, threads);
          // The writing-into form gives the same bits.
          hv::DenseMatrix<float> into(rows.rows(), dim);
          hrr::unbind_batch(bound, ks, into, hrr::InverseMethod::involution(), nullptr, threads);
          BOOST_TEST(std::equal(into.data(), into.data() + into.rows() * into.stride(),
                                unbound.data()));
          for (std::size_t r = 0; r < rows.rows(); ++r) {
            const auto one = hrr::bind(rows.row(r), key.values());
            // Same transforms, same kernel: equal up to FFTW choosing a
            // different algorithm for the batched plan (a few ulps).
            const auto c = to_double<float>(bound.row(r));
            const auto e = to_double<float>(one.values());
            BOOST_TEST(max_abs_diff(c, e) <= 64 * 6e-8 * norm2(e) + 1e-12);
            const auto u1 = hrr::unbind(one, key);
            BOOST_TEST(max_abs_diff(to_double<float>(unbound.row(r)),
                                    to_double<float>(u1.values())) <=
                       64 * 6e-8 * norm2(to_double<float>(u1.values())) + 1e-12);
          }
        }
      }
    });
  }
}

BOOST_AUTO_TEST_CASE(spectral_inverse_kernels_match_reference_bin_by_bin) {
  // Spectra with exact zeros, tiny bins, huge bins and ordinary ones, so the
  // guard, the division and the Wiener filter are each exercised on every
  // target's vector body and scalar tail (odd bin counts).
  const auto seed = hv::test::test_seed();
  for (const std::size_t dim : {std::size_t{1}, std::size_t{8}, std::size_t{63}, std::size_t{1000}}) {
    std::mt19937_64 rng(seed + dim);
    std::normal_distribution<double> normal;
    hrr::Spectrum<double> key(dim);
    for (std::size_t k = 0; k < key.bins(); ++k) {
      double scale = 1;
      if (k % 7 == 3) scale = 0;
      if (k % 11 == 5) scale = 1e-14;
      if (k % 13 == 6) scale = 1e3;
      key.data()[k] = {scale * normal(rng), (k == 0 ? 0.0 : scale * normal(rng))};
    }
    // ‖k‖² by Parseval, as the library computes it.
    double norm2_key = 0;
    for (std::size_t k = 0; k < key.bins(); ++k) {
      const bool single = k == 0 || (dim % 2 == 0 && k == key.bins() - 1);
      norm2_key += (single ? 1 : 2) * std::norm(key.data()[k]);
    }
    norm2_key /= static_cast<double>(dim);
    const double guard = 1e-6, eps = 0.05;
    std::vector<std::complex<double>> want_exact(key.bins()), want_wiener(key.bins());
    std::size_t want_guarded = 0;
    for (std::size_t k = 0; k < key.bins(); ++k) {
      want_exact[k] = ref::divide(1.0, key.data()[k], guard * guard * norm2_key, want_guarded);
      want_wiener[k] = ref::wiener(1.0, key.data()[k], eps * norm2_key);
    }
    for_each_target([&](const std::string&) {
      BOOST_TEST_CONTEXT("D=" << dim << " seed " << seed) {
        hrr::InverseReport report;
        const auto exact = hrr::inverse_spectrum(key, hrr::InverseMethod::exact(guard), &report);
        BOOST_TEST(report.guarded_bins == want_guarded);
        const auto w = hrr::inverse_spectrum(key, hrr::InverseMethod::wiener(eps));
        const auto inv = hrr::inverse_spectrum(key, hrr::InverseMethod::involution());
        const double u = std::numeric_limits<double>::epsilon();
        for (std::size_t k = 0; k < key.bins(); ++k) {
          // A few roundings per bin (|y|², one division, two products):
          // about 5 roundings per component, ≤ 16u of |exact value| in all.
          BOOST_TEST(std::abs(exact.data()[k] - want_exact[k]) <= 16 * u * std::abs(want_exact[k]));
          BOOST_TEST(std::abs(w.data()[k] - want_wiener[k]) <= 16 * u * std::abs(want_wiener[k]));
          BOOST_TEST(inv.data()[k] == std::conj(key.data()[k]));
        }
      }
    });
  }
}

BOOST_AUTO_TEST_CASE(dot_cosine_norm_bundle_permute_match_reference) {
  const auto seed = hv::test::test_seed();
  hv::test::for_each_target_and_dim(seed, [&](std::size_t dim, std::mt19937_64&) {
    const auto a = hrr::random<float>(dim, seed, 1);
    const auto b = hrr::random<float>(dim, seed, 2);
    const auto ad = to_double<float>(a.values());
    const auto bd = to_double<float>(b.values());
    // Float summation, any order: |error| ≤ (D − 1)·u·Σ|a_i b_i| (+ the
    // product roundings, u·Σ|a_i b_i|), so D·u·Σ|a_i b_i|.
    double abs_sum = 0;
    for (std::size_t i = 0; i < dim; ++i) abs_sum += std::abs(ad[i] * bd[i]);
    const double u = std::numeric_limits<float>::epsilon() / 2;
    BOOST_TEST(std::abs(hrr::dot(a, b) - ref::dot(ad, bd)) <= dim * u * abs_sum);
    BOOST_TEST(std::abs(hrr::cosine(a, b) - ref::cosine(ad, bd)) <= 4 * dim * u + 1e-12);
    BOOST_TEST(std::abs(hrr::norm(a) - norm2(ad)) <= dim * u * norm2(ad));
    BOOST_TEST(std::abs(hrr::norm(hrr::normalize(a)) - 1.0) <= (dim + 2) * u);
    for (const std::ptrdiff_t k : {std::ptrdiff_t{0}, std::ptrdiff_t{1}, std::ptrdiff_t{-3},
                                   static_cast<std::ptrdiff_t>(dim) + 5}) {
      BOOST_TEST(to_double<float>(hrr::permute(a, k).values()) == ref::permute(ad, k),
                 boost::test_tools::per_element());
    }
    BOOST_TEST(to_double<float>(hrr::involution(a).values()) == ref::involution(ad),
               boost::test_tools::per_element());
    hv::DenseMatrix<float> rows(3, dim);
    std::copy(a.values().begin(), a.values().end(), rows.row(0).begin());
    std::copy(b.values().begin(), b.values().end(), rows.row(1).begin());
    std::copy(a.values().begin(), a.values().end(), rows.row(2).begin());
    const std::vector<float> weights = {0.5f, -2.0f, 0.25f};
    const auto s = hrr::bundle(rows, weights);
    for (std::size_t i = 0; i < dim; ++i) {
      const double want = 0.5 * ad[i] - 2.0 * bd[i] + 0.25 * ad[i];
      BOOST_TEST(std::abs(s[i] - want) <= 4 * u * (0.75 * std::abs(ad[i]) + 2 * std::abs(bd[i])));
    }
  });
}

BOOST_AUTO_TEST_CASE(algebraic_laws_hold_within_fft_tolerance) {
  const auto seed = hv::test::test_seed();
  for (const std::size_t dim : {std::size_t{1}, std::size_t{2}, std::size_t{97}, std::size_t{1024},
                                std::size_t{10000}}) {
    BOOST_TEST_CONTEXT("D=" << dim << " seed " << seed) {
      const auto a = hrr::random<double>(dim, seed, 1);
      const auto b = hrr::random<double>(dim, seed, 2);
      const auto c = hrr::random<double>(dim, seed, 3);
      const auto id = hrr::identity<double>(dim);
      // tol(x, y): conv_tolerance of one bind x ⊛ y from the operands' norms
      // and spectra. A chain adds the bounds of its steps, each earlier
      // error amplified by at most ‖Y‖∞ of the later operand.
      auto inf = [](const hv::DenseVector<double>& x) { return max_bin(hrr::spectrum(x.values())); };
      auto tol = [&](const hv::DenseVector<double>& x, const hv::DenseVector<double>& y) {
        return conv_tolerance<double>(dim, hrr::norm(x), hrr::norm(y), inf(x), inf(y));
      };
      const auto ab = hrr::bind(a, b);
      const auto bc = hrr::bind(b, c);
      BOOST_TEST(max_abs_diff(ab.values(), hrr::bind(b, a).values()) <= 2 * tol(a, b));
      BOOST_TEST(max_abs_diff(hrr::bind(ab, c).values(), hrr::bind(a, bc).values()) <=
                 tol(ab, c) + tol(a, b) * inf(c) + tol(a, bc) + tol(b, c) * inf(a));
      // The involution is an involution, exactly (a permutation of values).
      BOOST_TEST(to_double<double>(hrr::involution(hrr::involution(a)).values()) ==
                     to_double<double>(a.values()),
                 boost::test_tools::per_element());
      BOOST_TEST(max_abs_diff(hrr::bind(a, id).values(), a.values()) <= tol(a, id));
      BOOST_TEST(max_abs_diff(hrr::power(a, 0).values(), id.values()) <= tol(id, id));
      BOOST_TEST(max_abs_diff(hrr::power(a, 1).values(), a.values()) <= 2 * tol(a, id));
      // Binding power 2 equals binding with itself; 3 the chain of two.
      const auto aa = hrr::bind(a, a);
      BOOST_TEST(max_abs_diff(hrr::power(a, 2).values(), aa.values()) <= 2 * tol(a, a));
      BOOST_TEST(max_abs_diff(hrr::power(a, 3).values(), hrr::bind(aa, a).values()) <=
                 2 * (tol(aa, a) + tol(a, a) * inf(a)));
      // Square roots: of s = b ⊛ b (bins 0 and D/2 are squares, ≥ 0) and of
      // a unitary vector (those bins are 1): root ⊛ root returns the original.
      const auto s = hrr::bind(b, b);
      const auto r = hrr::power(s, 0.5);
      BOOST_TEST(max_abs_diff(hrr::bind(r, r).values(), s.values()) <= 4 * (tol(r, r) + tol(s, id)));
      const auto q = hrr::random_unitary<double>(dim, seed, 4);
      const auto qr = hrr::power(q, 0.5);
      BOOST_TEST(max_abs_diff(hrr::bind(qr, qr).values(), q.values()) <= 4 * (tol(qr, qr) + tol(q, id)));
      // Convolution is shift-equivariant: permute(a ⊛ b, k) = permute(a, k) ⊛ b.
      BOOST_TEST(max_abs_diff(hrr::permute(ab, 5).values(),
                              hrr::bind(hrr::permute(a, 5), b).values()) <= 2 * tol(a, b));
    }
  }
}

BOOST_AUTO_TEST_CASE(involution_unbinding_recovers_with_the_cosine_theory_predicts) {
  // c = a ⊛ b, â = c ⊛ b† has spectrum A·|B|². For i.i.d. N(0, 1/D)
  // components, the bins (k ≠ 0, D/2) are independent complex Gaussians, so
  // |A|², |B|² are i.i.d. Exp(1): E|B|² = 1, E|B|⁴ = 2. By Parseval
  //   cos(â, a) = Σ|A|²|B|² / √(Σ|A|² · Σ|A|²|B|⁴) → 1/√2 as D → ∞.
  // The delta method over m = D/2 independent bins, with the Exp(1) moments
  // (Var u = 3, Var v = 44, Var w = 1, Cov(u,v) = 10, Cov(u,w) = 1,
  // Cov(v,w) = 2 for u = |A|²|B|², v = |A|²|B|⁴, w = |A|²), gives
  // Var cos ≈ 0.25/m, σ ≈ 0.71/√D. We test |cos − 1/√2| ≤ 5σ.
  const auto seed = hv::test::test_seed();
  for (const std::size_t dim : {std::size_t{1024}, std::size_t{4096}, std::size_t{10000}}) {
    for (std::uint64_t trial = 0; trial < 4; ++trial) {
      const auto a = hrr::random<float>(dim, seed, 100 + 2 * trial);
      const auto b = hrr::random<float>(dim, seed, 101 + 2 * trial);
      const double cos = hrr::cosine(hrr::unbind(hrr::bind(a, b), b), a);
      const double sigma = 0.71 / std::sqrt(static_cast<double>(dim));
      BOOST_TEST_CONTEXT("D=" << dim << " trial " << trial << " seed " << seed) {
        BOOST_TEST(std::abs(cos - 1 / std::sqrt(2.0)) <= 5 * sigma);
      }
      // For comparison, a random pair: cosine ~ N(0, 1/D).
      BOOST_TEST(std::abs(hrr::cosine(a, b)) <= 5 / std::sqrt(static_cast<double>(dim)));
    }
  }
}

BOOST_AUTO_TEST_CASE(unitary_keys_invert_exactly_and_keep_their_norm) {
  const auto seed = hv::test::test_seed();
  for (const std::size_t dim : {std::size_t{2}, std::size_t{97}, std::size_t{1024}, std::size_t{10000}}) {
    BOOST_TEST_CONTEXT("D=" << dim << " seed " << seed) {
      const auto key = hrr::random_unitary<float>(dim, seed, 1);
      const auto x = hrr::random<float>(dim, seed, 2);
      BOOST_TEST(std::abs(hrr::norm(key) - 1.0) <= 1e-5);
      hrr::InverseReport report;
      const auto back = hrr::unbind(hrr::bind(x, key), key, hrr::InverseMethod::exact(), &report);
      BOOST_TEST(report.guarded_bins == 0U);
      BOOST_TEST(hrr::cosine(back, x) > 0.99999);
      // For a unitary key the involution is the exact inverse too.
      BOOST_TEST(hrr::cosine(hrr::unbind(hrr::bind(x, key), key), x) > 0.99999);
      // make_unitary of a random vector is unitary: every bin has |X| = 1.
      const auto mu = hrr::make_unitary(x);
      const auto mu_spectrum = hrr::spectrum(mu.values());
      for (const auto& z : mu_spectrum.values()) {
        BOOST_TEST(std::abs(std::abs(std::complex<double>(z)) - 1.0) <= 1e-5);
      }
      // 100 repeated binds with unitary vectors keep the unit norm: each bind
      // multiplies every |bin| by 1 (plus rounding: 100 binds × the float
      // convolution bound, relative, well under 1e-3).
      auto acc = hrr::random_unitary<float>(dim, seed, 3);
      for (int i = 0; i < 100; ++i) acc = hrr::bind(acc, hrr::random_unitary<float>(dim, seed, 10 + i));
      BOOST_TEST(std::abs(hrr::norm(acc) - 1.0) <= 1e-3);
      // Negative powers invert: key^-1 ⊛ key = identity.
      const auto kinv = hrr::power(key, -1.0);
      BOOST_TEST(hrr::cosine(hrr::bind(kinv, key), hrr::identity<float>(dim)) > 0.99999);
    }
  }
}

BOOST_AUTO_TEST_CASE(exact_inverse_guards_near_zero_bins_and_wiener_regularises) {
  // key = [1, 1] (D = 2): spectrum (2, 0). The exact inverse must not divide
  // by the zero Nyquist bin: it zeroes it and reports one guarded bin.
  const std::vector<double> key = {1.0, 1.0};
  const std::vector<double> x = {3.0, -1.0};
  hrr::InverseReport report;
  const auto inv = hrr::inverse<double>(key, hrr::InverseMethod::exact(), &report);
  BOOST_TEST(report.guarded_bins == 1U);
  BOOST_TEST(std::isfinite(inv[0]));
  BOOST_TEST(std::isfinite(inv[1]));
  // Pseudo-inverse: X = (2, 4) → (2/2, 0) → x̂ = (0.5, 0.5).
  const auto u = hrr::unbind<double>(x, key, hrr::InverseMethod::exact(), &report);
  BOOST_TEST(report.guarded_bins == 1U);
  BOOST_TEST(std::abs(u[0] - 0.5) <= 1e-15);
  BOOST_TEST(std::abs(u[1] - 0.5) <= 1e-15);
  // Wiener: bin 0: 2·2/(4 + ε‖k‖²) with ‖k‖² = 2.
  const double eps = 0.1;
  const auto w = hrr::unbind<double>(x, key, hrr::InverseMethod::wiener(eps));
  const double bin0 = 2.0 * 2.0 / (4.0 + eps * 2.0);
  BOOST_TEST(std::abs(w[0] - bin0 / 2) <= 1e-15);
  // On a random key with no tiny bins the Wiener inverse with small ε is
  // close to the exact one, which beats the involution.
  const auto seed = hv::test::test_seed();
  const std::size_t dim = 1024;
  const auto k = hrr::random<double>(dim, seed, 1);
  const auto v = hrr::random<double>(dim, seed, 2);
  const auto bound = hrr::bind(k, v);
  const double c_inv = hrr::cosine(hrr::unbind(bound, k), v);
  const double c_wiener = hrr::cosine(hrr::unbind(bound, k, hrr::InverseMethod::wiener(1e-3)), v);
  const double c_exact = hrr::cosine(hrr::unbind(bound, k, hrr::InverseMethod::exact()), v);
  BOOST_TEST(c_exact > 0.999999);
  BOOST_TEST(c_wiener > c_inv);
}

BOOST_AUTO_TEST_CASE(role_filler_record_decodes_up_to_the_capacity_theory_predicts) {
  // Record s = Σ_{j=1..k} r_j ⊛ f_j at D = 1024, roles and fillers i.i.d.
  // N(0, 1/D). Unbinding role j: ŷ = s ⊛ r_j† = f_j ⊛ (r_j ⊛ r_j†) + Σ_{i≠j}
  // f_i ⊛ r_i ⊛ r_j†. Each term has E‖·‖² ≈ 1 except the first (≈ 2: its
  // spectrum is F·|R|² with E|R|⁴ = 2), so ‖ŷ‖² ≈ k + 1, and against a unit
  // candidate g the dot is ≈ N(1, (k+1)/D) for g = f_j and N(0, (k+1)/D)
  // for any other of the M vocabulary items. Nearest neighbour fails for
  // filler j when some wrong item beats the right one; the difference of two
  // such dots has σ = √(2(k+1)/D), so by the union bound
  //   P(any of the k fillers wrong) ≤ k (M − 1) Q(√(D / (2(k + 1)))).
  // Capacity k_max(D, M, δ): the largest k with that bound ≤ δ. At D = 1024,
  // M = 64, δ = 1e-3 the formula gives k_max = 17 (computed below), and
  // every k up to it must decode every filler.
  const auto seed = hv::test::test_seed();
  const std::size_t dim = 1024, vocabulary = 64;
  const double delta = 1e-3;
  auto q = [](double z) { return 0.5 * std::erfc(z / std::sqrt(2.0)); };
  std::size_t k_max = 0;
  for (std::size_t k = 1; k < vocabulary; ++k) {
    const double bound = static_cast<double>(k * (vocabulary - 1)) *
                         q(std::sqrt(static_cast<double>(dim) / (2.0 * static_cast<double>(k + 1))));
    if (bound <= delta) k_max = k;
  }
  BOOST_TEST_MESSAGE("HRR capacity at D=1024, M=64, delta=1e-3: k_max = " << k_max);
  BOOST_REQUIRE(k_max >= 10);  // the formula itself: 17 for these numbers
  const auto roles = hrr::random_matrix<float>(k_max, dim, seed);
  const auto items = hrr::random_matrix<float>(vocabulary, dim, seed, {.first_row = 1000});
  for (std::size_t k = 1; k <= k_max; ++k) {
    BOOST_TEST_CONTEXT("k=" << k << " seed " << seed) {
      hv::DenseVector<float> record(dim);
      for (std::size_t j = 0; j < k; ++j) {
        // Filler of role j: item (7j + k) mod M, distinct for j < M (gcd(7, 64) = 1).
        const auto pair = hrr::bind(roles.row(j), items.row((7 * j + k) % vocabulary));
        hrr::add_scaled<float>(pair.values(), 1.0f, record.values());
      }
      const double sigma = std::sqrt(static_cast<double>(k + 1) / static_cast<double>(dim));
      for (std::size_t j = 0; j < k; ++j) {
        const auto guess = hrr::unbind(record.values(), roles.row(j));
        std::size_t best = 0;
        double best_dot = -1e300;
        for (std::size_t m = 0; m < vocabulary; ++m) {
          const double d = hrr::dot(guess.values(), items.row(m));
          if (d > best_dot) best_dot = d, best = m;
        }
        BOOST_TEST(best == (7 * j + k) % vocabulary);
        // The right item's dot is 1 ± 5σ, widened by the spread of ‖f‖²
        // itself (mean 1, σ = √(2/D)).
        BOOST_TEST(std::abs(best_dot - 1.0) <=
                   5 * sigma + 5 * std::sqrt(2.0 / static_cast<double>(dim)));
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(random_vectors_follow_n_0_1_over_d) {
  const auto seed = hv::test::test_seed();
  for (const std::size_t dim : {std::size_t{1000}, std::size_t{10000}}) {
    BOOST_TEST_CONTEXT("D=" << dim << " seed " << seed) {
      const auto x = hrr::random<double>(dim, seed, 5);
      // ‖x‖² = Σ z²/D with z ~ N(0,1): mean 1, σ = √(2/D).
      BOOST_TEST(std::abs(hrr::norm(x) * hrr::norm(x) - 1.0) <= 5 * std::sqrt(2.0 / dim));
      const auto unit = hrr::random_matrix<double>(1, dim, seed, {.first_row = 5, .unit_norm = true});
      BOOST_TEST(std::abs(hrr::norm(unit.row(0)) - 1.0) <= 1e-12);
      // unit_norm scales the same row: its cosine with the plain row is 1.
      BOOST_TEST(hrr::cosine(unit.row(0), x.values()) >= 1.0 - 1e-12);
      const auto m = hrr::random_matrix<float>(9, dim, seed, {.first_row = 3, .threads = 4});
      for (std::size_t r = 0; r < m.rows(); ++r) {
        const auto one = hrr::random<float>(dim, seed, 3 + r);
        BOOST_TEST(std::equal(one.values().begin(), one.values().end(), m.row(r).begin()));
      }
      BOOST_TEST(std::abs(hrr::cosine(m.row(0), m.row(1))) <= 5 / std::sqrt(static_cast<double>(dim)));
    }
  }
}

BOOST_AUTO_TEST_CASE(plan_cache_plans_each_shape_once_and_wisdom_round_trips) {
  const std::size_t dim = 1536;  // a size no other test uses
  const auto a = hrr::random<float>(dim, 1, 1);
  const auto b = hrr::random<float>(dim, 1, 2);
  (void)hrr::bind(a, b);
  const std::size_t plans = hv::fft::cached_plan_count();
  for (int i = 0; i < 10; ++i) (void)hrr::bind(a, b);
  BOOST_TEST(hv::fft::cached_plan_count() == plans);
  // Unaligned spans use the FFTW_UNALIGNED plans, with the same result.
  std::vector<float> shifted(dim + 1);
  std::copy(a.values().begin(), a.values().end(), shifted.begin() + 1);
  const std::span<const float> unaligned(shifted.data() + 1, dim);
  const auto c0 = hrr::bind(a, b);
  const auto c1 = hrr::bind(unaligned, b.values());
  const auto c0d = to_double<float>(c0.values());
  BOOST_TEST(max_abs_diff(c0d, to_double<float>(c1.values())) <= 1e-5 * norm2(c0d));
  BOOST_TEST(hv::fft::cached_plan_count() > plans);

  hv::fft::set_planning_rigour(hv::fft::Rigour::measure);
  BOOST_TEST((hv::fft::planning_rigour() == hv::fft::Rigour::measure));
  (void)hrr::bind(hrr::random<double>(384, 1, 1), hrr::random<double>(384, 1, 2));
  hv::fft::set_planning_rigour(hv::fft::Rigour::estimate);
  const std::string wisdom = hv::fft::export_wisdom(hv::fft::Precision::double_);
  BOOST_TEST(wisdom.find("fftw") != std::string::npos);
  hv::fft::import_wisdom(hv::fft::Precision::double_, wisdom);
  BOOST_CHECK_THROW(hv::fft::import_wisdom(hv::fft::Precision::single, "(not wisdom"),
                    hv::InvalidArgument);
  const std::string path = "hrr_test_wisdom_" + std::to_string(::getpid()) + ".txt";
  hv::fft::save_wisdom(path);
  hv::fft::load_wisdom(path);
  std::FILE* f = std::fopen(path.c_str(), "w");
  BOOST_REQUIRE(f != nullptr);
  std::fputs("hypervec-fft-wisdom 1\ndouble 99999\n(short", f);
  std::fclose(f);
  BOOST_CHECK_THROW(hv::fft::load_wisdom(path), hv::IoError);
  std::remove(path.c_str());
  BOOST_CHECK_THROW(hv::fft::load_wisdom(path), hv::IoError);
}

BOOST_AUTO_TEST_CASE(bad_input_throws_with_a_message_naming_the_problem) {
  const auto a = hrr::random<float>(64, 1, 1);
  const auto b = hrr::random<float>(65, 1, 2);
  const std::span<const float> empty;
  BOOST_CHECK_THROW(hrr::bind(a, b), hv::DimensionError);
  BOOST_CHECK_THROW(hrr::unbind(a, b), hv::DimensionError);
  BOOST_CHECK_THROW(hrr::bind(a, hrr::spectrum(b.values())), hv::DimensionError);
  BOOST_CHECK_THROW(hrr::cosine(a, b), hv::DimensionError);
  BOOST_CHECK_THROW(hrr::dot(a, b), hv::DimensionError);
  BOOST_CHECK_THROW(hrr::bind(empty, empty), hv::DimensionError);
  BOOST_CHECK_THROW(hrr::spectrum(empty), hv::DimensionError);
  BOOST_CHECK_THROW(hrr::random<float>(0, 1), hv::DimensionError);
  BOOST_CHECK_THROW(hrr::identity<double>(0), hv::DimensionError);
  BOOST_CHECK_THROW(hrr::random_unitary<double>(0, 1), hv::DimensionError);
  hv::DenseVector<float> out(63);
  BOOST_CHECK_THROW(hrr::bind(a.values(), a.values(), out.values()), hv::DimensionError);
  hv::DenseMatrix<float> rows(3, 65);
  BOOST_CHECK_THROW(hrr::bind_batch(rows, hrr::spectrum(a.values())), hv::DimensionError);
  hv::DenseMatrix<float> rows64(3, 64), out2(2, 64);
  BOOST_CHECK_THROW(hrr::bind_batch(rows64, hrr::spectrum(a.values()), out2), hv::DimensionError);
  BOOST_CHECK_THROW(hrr::bind_batch(rows64.view(), hrr::spectrum(a.values()), rows64),
                    hv::InvalidArgument);  // out overlaps rows
  const std::vector<float> two_weights = {1, 2};
  BOOST_CHECK_THROW(hrr::bundle(rows, two_weights), hv::DimensionError);
  BOOST_CHECK_THROW(hrr::bundle(hv::DenseMatrix<float>(0, 64)), hv::InvalidArgument);
  BOOST_CHECK_THROW(hrr::normalize(hv::DenseVector<float>(8)), hv::InvalidArgument);
  BOOST_CHECK_THROW(hrr::unbind(a, a, hrr::InverseMethod::wiener(0.0)), hv::InvalidArgument);
  BOOST_CHECK_THROW(hrr::unbind(a, a, hrr::InverseMethod::exact(-1.0)), hv::InvalidArgument);
  BOOST_CHECK_THROW(hrr::power(a, std::nan("")), hv::InvalidArgument);
  for (const float bad : {std::numeric_limits<float>::quiet_NaN(),
                          std::numeric_limits<float>::infinity(),
                          -std::numeric_limits<float>::infinity()}) {
    for (const std::size_t where : {std::size_t{0}, std::size_t{37}}) {
      auto x = a;
      x[where] = bad;
      BOOST_TEST_CONTEXT("bad value " << bad << " at " << where) {
        BOOST_CHECK_THROW(hrr::bind(x, a), hv::InvalidArgument);
        BOOST_CHECK_THROW(hrr::bind(a, x), hv::InvalidArgument);
        BOOST_CHECK_THROW(hrr::unbind(x, a), hv::InvalidArgument);
        BOOST_CHECK_THROW(hrr::unbind(a, x, hrr::InverseMethod::exact()), hv::InvalidArgument);
        BOOST_CHECK_THROW(hrr::spectrum(x.values()), hv::InvalidArgument);
        BOOST_CHECK_THROW(hrr::dot(x, a), hv::InvalidArgument);
        BOOST_CHECK_THROW(hrr::cosine(a, x), hv::InvalidArgument);
        BOOST_CHECK_THROW(hrr::normalize(x), hv::InvalidArgument);
        BOOST_CHECK_THROW(hrr::permute(x, 3), hv::InvalidArgument);
        BOOST_CHECK_THROW(hrr::power(x, 0.5), hv::InvalidArgument);
        hv::DenseMatrix<float> m(2, 64);
        std::copy(x.values().begin(), x.values().end(), m.row(1).begin());
        BOOST_CHECK_THROW(hrr::bundle(m), hv::InvalidArgument);
        BOOST_CHECK_THROW(hrr::bind_batch(m, hrr::spectrum(a.values())), hv::InvalidArgument);
      }
    }
  }
  try {
    (void)hrr::bind(a, b);
  } catch (const hv::DimensionError& e) {
    const std::string what = e.what();
    BOOST_TEST(what.find("hrr::bind") != std::string::npos);
    BOOST_TEST(what.find("D=64") != std::string::npos);
    BOOST_TEST(what.find("D=65") != std::string::npos);
  }
}

BOOST_AUTO_TEST_CASE(sizes_past_the_limits_and_extreme_shifts) {
  constexpr std::size_t kSizeMax = std::numeric_limits<std::size_t>::max();
  auto names = [](const char* where) {
    return [=](const hv::Error& e) {
      return std::string(e.what()).find(where) != std::string::npos &&
             std::string(e.what()).find("kMaxDim") != std::string::npos;
    };
  };
  // DenseVector(2^64 - 1) used to get a null buffer that random then filled.
  BOOST_CHECK_EXCEPTION(hrr::random<float>(kSizeMax, 1), hv::DimensionError, names("hrr::random"));
  BOOST_CHECK_EXCEPTION(hrr::identity<double>(hv::kMaxDim + 1), hv::DimensionError, names("hrr::identity"));
  BOOST_CHECK_EXCEPTION(hrr::random_matrix<float>(2, kSizeMax, 1), hv::DimensionError,
                        names("hrr::random_matrix"));
  BOOST_CHECK_THROW(hrr::random_matrix<float>(std::size_t{1} << 62, 16, 1), hv::DimensionError);
  BOOST_CHECK_EXCEPTION(hrr::random_unitary<float>(kSizeMax, 1), hv::DimensionError,
                        names("hrr::random_unitary"));
  // Spectrum(2^64 - 1) used to allocate 2^63 complex values in 0 bytes.
  BOOST_CHECK_EXCEPTION(hrr::Spectrum<float>{kSizeMax}, hv::DimensionError, names("hrr::Spectrum"));
  // permute by PTRDIFF_MIN / MAX matches the reference at the reduced shift.
  const auto seed = hv::test::test_seed();
  for (const std::size_t dim : {std::size_t{1}, std::size_t{7}, std::size_t{64}, std::size_t{1000}}) {
    const auto a = hrr::random<double>(dim, seed);
    const std::vector<double> ad(a.values().begin(), a.values().end());
    for (const std::ptrdiff_t k : {std::numeric_limits<std::ptrdiff_t>::min(), std::numeric_limits<std::ptrdiff_t>::max()}) {
      BOOST_TEST_CONTEXT("D=" << dim << " shifts=" << k << " seed " << seed) {
        const __int128 d = static_cast<__int128>(dim);
        const auto reduced = static_cast<std::ptrdiff_t>(((static_cast<__int128>(k) % d) + d) % d);
        const auto got = hrr::permute(a, k);
        BOOST_TEST(std::vector<double>(got.values().begin(), got.values().end()) == ref::permute(ad, reduced),
                   boost::test_tools::per_element());
      }
    }
  }
}

// --- The common model verbs (issue 13) -------------------------------------------

// T defaults to float where it cannot be deduced: no <float> needed.
static_assert(std::is_same_v<decltype(hrr::random(8, 1)), hv::DenseVector<float>>);
static_assert(std::is_same_v<decltype(hrr::random_unitary(8, 1)), hv::DenseVector<float>>);
static_assert(std::is_same_v<decltype(hrr::identity(8)), hv::DenseVector<float>>);
static_assert(std::is_same_v<decltype(hrr::random_matrix(2, 8, 1)), hv::DenseMatrix<float>>);

BOOST_AUTO_TEST_CASE(float_defaults_equal_the_explicit_float_forms) {
  const auto seed = hv::test::test_seed();
  BOOST_TEST_CONTEXT("seed " << seed) {
    const auto a = hrr::random(100, seed, 2), b = hrr::random<float>(100, seed, 2);
    BOOST_TEST(std::equal(a.values().begin(), a.values().end(), b.values().begin()));
    const auto u = hrr::random_unitary(100, seed), v = hrr::random_unitary<float>(100, seed);
    BOOST_TEST(std::equal(u.values().begin(), u.values().end(), v.values().begin()));
    const auto m = hrr::random_matrix(3, 100, seed, {.first_row = 2});
    BOOST_TEST(std::equal(a.values().begin(), a.values().end(), m.row(0).begin()));
  }
}

BOOST_AUTO_TEST_CASE(unit_norm_rows_are_the_plain_rows_scaled) {
  const auto seed = hv::test::test_seed();
  for (const std::size_t dim : {std::size_t{1}, std::size_t{7}, std::size_t{1000}}) {
    BOOST_TEST_CONTEXT("D=" << dim << " seed " << seed) {
      const auto plain = hrr::random_matrix<double>(4, dim, seed, {.first_row = 9});
      const auto unit = hrr::random_matrix<double>(4, dim, seed, {.first_row = 9, .unit_norm = true});
      for (std::size_t r = 0; r < 4; ++r) {
        const double n = hrr::norm(plain.row(r));
        BOOST_TEST(std::abs(hrr::norm(unit.row(r)) - 1.0) <= 1e-12);
        for (std::size_t i = 0; i < dim; ++i) {
          BOOST_REQUIRE(std::abs(unit.row(r)[i] - plain.row(r)[i] / n) <= 1e-15);
        }
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(unbind_into_out_equals_allocating_unbind_even_in_place) {
  const auto seed = hv::test::test_seed();
  for (const std::size_t dim : {std::size_t{1}, std::size_t{7}, std::size_t{64}, std::size_t{1000}}) {
    BOOST_TEST_CONTEXT("D=" << dim << " seed " << seed) {
      const auto a = hrr::random(dim, seed, 1), key = hrr::random(dim, seed, 2);
      const auto bound = hrr::bind(a.values(), key.values());
      const auto ks = hrr::spectrum(key.values());
      for (const auto method : {hrr::InverseMethod::involution(), hrr::InverseMethod::exact(),
                                hrr::InverseMethod::wiener()}) {
        const auto want = hrr::unbind(bound.values(), key.values(), method);
        hv::DenseVector<float> out(dim);
        hrr::unbind(bound.values(), key.values(), out.values(), method);
        BOOST_CHECK(std::equal(want.values().begin(), want.values().end(), out.values().begin()));
        hv::DenseVector<float> in_place = bound;  // out aliases bound
        hrr::unbind(in_place.values(), key.values(), in_place.values(), method);
        BOOST_CHECK(std::equal(want.values().begin(), want.values().end(),
                               in_place.values().begin()));
        hv::DenseVector<float> key_alias = key;  // out aliases key
        hrr::unbind(bound.values(), key_alias.values(), key_alias.values(), method);
        BOOST_CHECK(std::equal(want.values().begin(), want.values().end(),
                               key_alias.values().begin()));
        const auto want_s = hrr::unbind(bound.values(), ks, method);
        hv::DenseVector<float> out_s = bound;
        hrr::InverseReport report{12345};
        hrr::unbind(out_s.values(), ks, out_s.values(), method, &report);
        BOOST_CHECK(std::equal(want_s.values().begin(), want_s.values().end(),
                               out_s.values().begin()));
        BOOST_CHECK(report.guarded_bins != 12345u);  // the report was written
      }
    }
  }
  const auto a = hrr::random(8, 1);
  hv::DenseVector<float> out(9);
  BOOST_CHECK_THROW(hrr::unbind(a.values(), a.values(), out.values()), hv::DimensionError);
  BOOST_CHECK_THROW(hrr::unbind(a.values(), hrr::spectrum(a.values()), out.values()),
                    hv::DimensionError);
}

BOOST_AUTO_TEST_CASE(inverse_permute_undoes_permute_for_every_shift) {
  const auto seed = hv::test::test_seed();
  for (const std::size_t dim : {std::size_t{1}, std::size_t{7}, std::size_t{1000}}) {
    const auto x = hrr::random<double>(dim, seed, 4);
    const auto d = static_cast<std::ptrdiff_t>(dim);
    for (const std::ptrdiff_t k : {std::ptrdiff_t{0}, std::ptrdiff_t{1}, std::ptrdiff_t{-5}, d + 3,
                                   std::numeric_limits<std::ptrdiff_t>::min(),
                                   std::numeric_limits<std::ptrdiff_t>::max()}) {
      BOOST_TEST_CONTEXT("D=" << dim << " shifts=" << k << " seed " << seed) {
        const auto y = hrr::permute(x.values(), k);
        const auto back = hrr::inverse_permute(y.values(), k);
        BOOST_CHECK(std::equal(back.values().begin(), back.values().end(), x.values().begin()));
        // inverse_permute(., k) is a roll by -k: out[i] = x[(i + k) mod D].
        const auto z = hrr::inverse_permute(x.values(), k);
        for (std::size_t i = 0; i < dim; ++i) {
          const auto m = static_cast<__int128>(dim);
          const auto j = static_cast<std::size_t>((((static_cast<__int128>(i) + k) % m) + m) % m);
          BOOST_REQUIRE_EQUAL(z[i], x[j]);
        }
      }
    }
  }
  std::vector<float> bad(4, 1.0f);
  bad[1] = std::numeric_limits<float>::quiet_NaN();
  BOOST_CHECK_THROW(hrr::inverse_permute(std::span<const float>(bad), 1), hv::InvalidArgument);
}

BOOST_AUTO_TEST_CASE(batch_functions_default_to_all_cores_with_the_same_result) {
  const auto seed = hv::test::test_seed();
  BOOST_TEST_CONTEXT("seed " << seed) {
    const std::size_t dim = 256;
    const auto rows = hrr::random_matrix(40, dim, seed);
    const auto key = hrr::spectrum(hrr::random(dim, seed, 999).values());
    const auto all = hrr::bind_batch(rows, key);
    const auto one = hrr::bind_batch(rows, key, 1);
    BOOST_TEST(std::equal(all.row(0).begin(), all.row(0).end(), one.row(0).begin()));
    BOOST_TEST(std::equal(all.row(39).begin(), all.row(39).end(), one.row(39).begin()));
    const auto uall = hrr::unbind_batch(rows, key);
    const auto uone = hrr::unbind_batch(rows, key, {}, nullptr, 1);
    BOOST_TEST(std::equal(uall.row(17).begin(), uall.row(17).end(), uone.row(17).begin()));
  }
}
