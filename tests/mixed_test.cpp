// Mixed precision (include/hypervec/mixed.hpp): bind (float ⊙ packed) bit for
// bit against the scalar reference on every target, in place and with NaN,
// ±Inf, ±0 and subnormals; float query vs packed bipolar on every target
// against the double reference, exactness on ±1 and integer-valued queries,
// dot_rows = dot per row, zero query, statistics and bad input.
//
// Tolerance (u = 2^-24): dot = Σq - 2 Σ_{bit=1} q, both sums in float lanes
// with the Dot bound (simd/real-inl.h, k <= D/4 + 32), so
// |err| <= γ_k Σ|q_i| + 2 γ_k Σ|q_i| = 3 γ_k Σ|q_i|; we allow
// 3.03·(D/4 + 32)·u·Σ|q_i|. cosine divides by ‖q‖√D with ‖q‖² accurate to
// γ_k relatively (k <= D/2 + 32): |cos err| <= 3γ_k Σ|q|/(‖q‖√D) + γ_k <= 4γ_k
// (Σ|q| <= ‖q‖√D); we allow 4.1·(D/2 + 32)·u + 1e-14.
#define BOOST_TEST_MODULE mixed
#include <boost/test/unit_test.hpp>

#include <hypervec/bipolar.hpp>
#include <hypervec/dense.hpp>
#include <hypervec/mixed.hpp>

#include "src/reference/mixed.hpp"
#include "tests/test_util.hpp"

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <vector>

namespace hv = hypervec;
using namespace hypervec::test;
namespace ref = hypervec::reference::mixed;
using F = std::span<const float>;

namespace {

constexpr double kU = 0x1p-24;

double abs_sum(const std::vector<float>& q) {
  double s = 0;
  for (const float x : q) s += std::abs(double{x});
  return s;
}

double dot_tolerance(std::size_t dim, double abs_sum_q) {
  return 3.03 * (static_cast<double>(dim) / 4 + 32) * kU * abs_sum_q;
}

double cosine_tolerance(std::size_t dim) {
  return 4.1 * (static_cast<double>(dim) / 2 + 32) * kU + 1e-14;
}


/// The bit patterns of v (compares NaN payloads and the sign of zero).
std::vector<std::uint32_t> bits_of(std::span<const float> v) {
  std::vector<std::uint32_t> out(v.size());
  for (std::size_t i = 0; i < v.size(); ++i) out[i] = std::bit_cast<std::uint32_t>(v[i]);
  return out;
}

/// Checks got and want hold the same bit patterns, element by element.
void check_same_bits(std::span<const float> got, std::span<const float> want) {
  const auto g = bits_of(got);
  const auto w = bits_of(want);
  BOOST_CHECK_EQUAL_COLLECTIONS(g.begin(), g.end(), w.begin(), w.end());
}

/// Normal floats with NaN (two payloads, both signs), ±Inf, ±0, subnormals
/// and ±FLT_MAX sprinkled in, so a kernel that computes -q (or q · ±1)
/// instead of flipping the sign bit would still have to match bit for bit.
std::vector<float> floats_with_specials(std::size_t dim, std::mt19937_64& rng) {
  auto q = normal_floats(dim, rng);
  const float specials[] = {std::numeric_limits<float>::quiet_NaN(),
                            -std::numeric_limits<float>::quiet_NaN(),
                            std::bit_cast<float>(0x7fa00001u),  // a signalling-NaN payload
                            std::numeric_limits<float>::infinity(),
                            -std::numeric_limits<float>::infinity(),
                            0.0f,
                            -0.0f,
                            std::numeric_limits<float>::denorm_min(),
                            -1e-40f,
                            std::numeric_limits<float>::max(),
                            -std::numeric_limits<float>::max()};
  for (std::size_t i = 0; i < dim; i += 3) q[i] = specials[rng() % std::size(specials)];
  return q;
}

}  // namespace

BOOST_AUTO_TEST_CASE(bind_matches_reference_bit_for_bit_on_every_target) {
  for_each_target_and_dim(hv::test::test_seed(), [&](std::size_t dim, std::mt19937_64& rng) {
    const auto q = floats_with_specials(dim, rng);
    for (const double p : {0.5, 0.03, 0.97}) {
      const auto key = hv::test::random_packed_biased(dim, p, rng);
      std::vector<float> want(dim);
      ref::bind(q, key, want);
      check_same_bits(hv::mixed::bind(q, key).values(), want);
      std::vector<float> out(dim, 7.0f);
      hv::mixed::bind(q, key, out);
      check_same_bits(out, want);
      std::vector<float> inplace = q;  // out = q
      hv::mixed::bind(inplace, key, inplace);
      check_same_bits(inplace, want);
      hv::mixed::bind(inplace, key, inplace);  // self inverse
      check_same_bits(inplace, q);
    }
    // The identity key leaves q alone; the all -1 key flips every sign
    // bit (the sign of zero and of NaN included).
    check_same_bits(hv::mixed::bind(q, hv::bipolar::identity(dim)).values(), q);
    hv::PackedVector minus(dim);
    for (std::size_t i = 0; i < dim; ++i) minus.set_component(i, true);
    const auto neg = bits_of(hv::mixed::bind(q, minus).values());
    const auto q_bits = bits_of(q);
    for (std::size_t i = 0; i < dim; ++i) BOOST_CHECK_EQUAL(neg[i], q_bits[i] ^ 0x80000000u);
    // On ±1 queries binding agrees with packed binding.
    const auto a = random_packed(dim, rng);
    const auto b = random_packed(dim, rng);
    check_same_bits(hv::mixed::bind(hv::dense::to_float(a).values(), b).values(),
                    hv::dense::to_float(hv::bipolar::bind(a, b)).values());
  });
}

BOOST_AUTO_TEST_CASE(bind_bad_input_throws_with_a_message) {
  const std::vector<float> q(5, 1.0f);
  const auto key6 = hv::bipolar::random(6, 1);
  const auto key5 = hv::bipolar::random(5, 1);
  std::vector<float> out5(5), out4(4);
  auto dims_named = [](const std::string& a, const std::string& b) {
    return [=](const hv::Error& e) {
      return message_has(e, "mixed::bind") && message_has(e, a) && message_has(e, b);
    };
  };
  BOOST_CHECK_EXCEPTION(hv::mixed::bind(q, key6), hv::DimensionError, dims_named("D=5", "D=6"));
  BOOST_CHECK_EXCEPTION(hv::mixed::bind(q, key6, out5), hv::DimensionError,
                        dims_named("D=5", "D=6"));
  BOOST_CHECK_EXCEPTION(hv::mixed::bind(q, key5, out4), hv::DimensionError,
                        dims_named("D=5", "D=4"));
  BOOST_CHECK_EXCEPTION(hv::mixed::bind(F(), hv::PackedView{}), hv::DimensionError,
                        dims_named("D=0", "q"));
  BOOST_CHECK_EXCEPTION(hv::mixed::bind(q, hv::PackedView{nullptr, 5}), hv::InvalidArgument,
                        dims_named("null", "key"));
  BOOST_CHECK_EXCEPTION(hv::mixed::bind(q, hv::PackedView{nullptr, 5}, out5),
                        hv::InvalidArgument, dims_named("null", "key"));
  // A partial overlap of out and q would read components already flipped.
  std::vector<float> buf(6, 1.0f);
  BOOST_CHECK_EXCEPTION(hv::mixed::bind(std::span<const float>(buf.data(), 5), key5,
                                        std::span<float>(buf.data() + 1, 5)),
                        hv::InvalidArgument, dims_named("overlaps", "q"));
}

BOOST_AUTO_TEST_CASE(mixed_matches_reference_on_every_target) {
  for_each_target_and_dim(hv::test::test_seed(), [&](std::size_t dim, std::mt19937_64& rng) {
    const auto seed = hv::test::test_seed();
    const auto q = normal_floats(dim, rng);
    for (const double p : {0.5, 0.03, 0.97}) {
      const auto b = hv::test::random_packed_biased(dim, p, rng);
      BOOST_CHECK_LE(std::abs(hv::mixed::dot(q, b) - ref::dot(q, b)),
                     dot_tolerance(dim, abs_sum(q)));
      BOOST_CHECK_LE(std::abs(hv::mixed::cosine(q, b) - ref::cosine(q, b)),
                     cosine_tolerance(dim));
    }
    // Integer-valued query: all partial sums exact in float.
    std::vector<float> iq(dim);
    for (auto& x : iq) x = static_cast<float>(static_cast<int>(rng() % 201) - 100);
    const auto b = random_packed(dim, rng);
    BOOST_CHECK_EQUAL(hv::mixed::dot(iq, b), ref::dot(iq, b));

    // dot_rows: one score per row, equal to dot on each row (same
    // kernel, Σq computed once), over a padded matrix with ragged D.
    const std::size_t rows = 37;
    const auto m = hv::bipolar::random_matrix(rows, dim, seed);
    std::vector<double> out(rows), want(rows);
    hv::mixed::dot_rows(q, m, out);
    ref::dot_rows(q, m, want);
    for (std::size_t r = 0; r < rows; ++r) {
      BOOST_CHECK_EQUAL(out[r], hv::mixed::dot(q, m.row(r)));
      BOOST_CHECK_LE(std::abs(out[r] - want[r]), dot_tolerance(dim, abs_sum(q)));
    }
    hv::mixed::dot_rows(iq, m, out);
    ref::dot_rows(iq, m, want);
    BOOST_CHECK_EQUAL_COLLECTIONS(out.begin(), out.end(), want.begin(), want.end());
  });
}

BOOST_AUTO_TEST_CASE(pm1_query_scores_equal_packed_bipolar_scores) {
  for_each_target_and_dim(hv::test::test_seed(), [&](std::size_t dim, std::mt19937_64& rng) {
    const auto a = random_packed(dim, rng);
    const auto b = random_packed(dim, rng);
    const auto q = hv::dense::to_float(a);
    BOOST_CHECK_EQUAL(hv::mixed::dot(q, b), hv::bipolar::dot(a, b));
    BOOST_CHECK_EQUAL(hv::mixed::dot(q, a), static_cast<double>(dim));
    BOOST_CHECK_LE(std::abs(hv::mixed::cosine(q, b) - hv::bipolar::cosine(a, b)), 1e-15);
    BOOST_CHECK_LE(std::abs(hv::mixed::cosine(q, a) - 1.0), 1e-15);
  });
}

BOOST_AUTO_TEST_CASE(zero_query_has_cosine_zero) {
  for_each_target([&](const std::string&) {
    for (const std::size_t dim : kDims) {
      const std::vector<float> zero(dim, 0.0f);
      const auto b = hv::bipolar::random(dim, 3);
      BOOST_CHECK_EQUAL(hv::mixed::cosine(zero, b), 0.0);
      BOOST_CHECK_EQUAL(hv::mixed::dot(zero, b), 0.0);
    }
  });
}

BOOST_AUTO_TEST_CASE(float_overflow_falls_back_to_double) {
  // 1e38 · 100 overflows float but not double: the answer is still right.
  for_each_target([&](const std::string&) {
    const std::size_t dim = 100;
    const std::vector<float> q(dim, 1e38f);
    const auto b = hv::bipolar::identity(dim);  // all +1
    const double want = dim * double{1e38f};
    BOOST_CHECK_LE(std::abs(hv::mixed::dot(q, b) - want), 1e-12 * want);
    BOOST_CHECK_LE(std::abs(hv::mixed::cosine(q, b) - 1.0), 1e-12);
    const auto m = hv::bipolar::random_matrix(3, dim, 1);
    std::vector<double> out(3);
    hv::mixed::dot_rows(q, m, out);
    for (std::size_t r = 0; r < 3; ++r) {
      BOOST_CHECK_LE(std::abs(out[r] - ref::dot(q, m.row(r))), 1e-12 * want);
    }
  });
}

BOOST_AUTO_TEST_CASE(cosine_of_a_random_query_against_random_bipolar_has_sigma_one_over_sqrt_d) {
  // For a fixed q and independent fair ±1 components, Σ q_i b_i has mean 0
  // and variance Σ q_i², so cos = Σ q_i b_i / (‖q‖√D) has mean 0 and variance
  // exactly 1/D. n rows: sample mean σ = 1/√(nD), sample variance sd ≈
  // (1/D)√(2/(n-1)) (the sum is near-Gaussian for D >= 1000). 5σ bounds.
  std::mt19937_64 rng(hv::test::test_seed());
  for (const std::size_t dim : {std::size_t{1000}, std::size_t{4096}}) {
    const std::size_t n = 2000;
    const auto q = normal_floats(dim, rng);
    const auto m = hv::bipolar::random_matrix(n, dim, hv::test::test_seed());
    std::vector<double> dots(n);
    hv::mixed::dot_rows(q, m, dots);
    double norm = 0;
    for (const float x : q) norm += double{x} * x;
    const double scale = 1.0 / (std::sqrt(norm) * std::sqrt(static_cast<double>(dim)));
    hv::test::OrthogonalCosines cosines;
    for (std::size_t r = 0; r < n; ++r) cosines.add(dots[r] * scale);
    cosines.check(dim, n);
  }
}

BOOST_AUTO_TEST_CASE(bad_input_throws_with_a_message) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const float inf = std::numeric_limits<float>::infinity();
  for_each_target([&](const std::string&) {
    for (const std::size_t dim : {std::size_t{7}, std::size_t{200}}) {
      const auto b = hv::bipolar::random(dim, 1);
      const auto m = hv::bipolar::random_matrix(4, dim, 2);
      std::vector<double> out(4);
      for (const float bad : {nan, inf, -inf}) {
        BOOST_TEST_CONTEXT("D=" << dim << " bad=" << bad) {
          std::vector<float> q(dim, 0.5f);
          q[5] = bad;
          auto names = [](const char* fn) {
            return [=](const hv::Error& e) { return message_has(e, fn) && message_has(e, "q[5]"); };
          };
          BOOST_CHECK_EXCEPTION(hv::mixed::dot(q, b), hv::InvalidArgument, names("mixed::dot"));
          BOOST_CHECK_EXCEPTION(hv::mixed::cosine(q, b), hv::InvalidArgument,
                                names("mixed::cosine"));
          BOOST_CHECK_EXCEPTION(hv::mixed::dot_rows(q, m, out), hv::InvalidArgument,
                                names("mixed::dot_rows"));
        }
      }
    }
  });
  const std::vector<float> q(5, 1.0f);
  const auto b = hv::bipolar::random(6, 1);
  auto dims_named = [](const char* fn) {
    return [=](const hv::Error& e) {
      return message_has(e, fn) && message_has(e, "D=5") && message_has(e, "D=6");
    };
  };
  BOOST_CHECK_EXCEPTION(hv::mixed::dot(q, b), hv::DimensionError, dims_named("mixed::dot"));
  BOOST_CHECK_EXCEPTION(hv::mixed::cosine(q, b), hv::DimensionError, dims_named("mixed::cosine"));
  const auto m = hv::bipolar::random_matrix(3, 6, 1);
  std::vector<double> out(3);
  BOOST_CHECK_EXCEPTION(hv::mixed::dot_rows(q, m, out), hv::DimensionError,
                        dims_named("mixed::dot_rows"));
  const auto m5 = hv::bipolar::random_matrix(3, 5, 1);
  std::vector<double> out2(2);
  BOOST_CHECK_EXCEPTION(hv::mixed::dot_rows(q, m5, out2), hv::DimensionError,
                        [](const hv::Error& e) {
                          return message_has(e, "3 rows") && message_has(e, "2 values");
                        });
  BOOST_CHECK_EXCEPTION(hv::mixed::dot(F(), hv::PackedView{}), hv::DimensionError,
                        [](const hv::Error& e) { return message_has(e, "D=0"); });
}
