// Tests for include/hypervec/random.hpp: the counter-based generator is
// SplitMix64 (golden values from its published reference stream), rows are
// pure functions of (seed, row), and its uniform and normal draws have the
// moments theory gives, within 5σ bands.
#define BOOST_TEST_MODULE random
#include <hypervec/random.hpp>

#include "tests/test_util.hpp"

#include <boost/test/unit_test.hpp>

#include <bit>
#include <cmath>
#include <cstdint>

namespace rnd = hypervec::random;

BOOST_AUTO_TEST_CASE(stream_words_are_splitmix64) {
  // SplitMix64 from state 0 (Steele, Lea, Flood 2014; Vigna's splitmix64.c)
  // outputs these words; stream_word(key, j) is its word j from state key.
  BOOST_TEST(rnd::stream_word(0, 0) == 0xE220A8397B1DCDAFULL);
  BOOST_TEST(rnd::stream_word(0, 1) == 0x6E789E6AA1B965F4ULL);
  BOOST_TEST(rnd::stream_word(0, 2) == 0x06C45D188009454FULL);
  rnd::RowStream s(0, 0);  // key(0, 0) = mix64(mix64(0) + 0) = 0: mix64 fixes 0
  BOOST_TEST(rnd::row_key(0, 0) == 0U);
  BOOST_TEST(s.next_u64() == 0xE220A8397B1DCDAFULL);
  BOOST_TEST(s.next_u64() == 0x6E789E6AA1B965F4ULL);
}

BOOST_AUTO_TEST_CASE(rows_are_pure_functions_of_seed_and_row) {
  rnd::RowStream a(42, 7), b(42, 7), c(42, 8), d(43, 7);
  for (int i = 0; i < 100; ++i) {
    const auto x = a.next_u64();
    BOOST_TEST(x == b.next_u64());
    BOOST_TEST(x == rnd::stream_word(rnd::row_key(42, 7), static_cast<std::uint64_t>(i)));
    BOOST_TEST(x != c.next_u64());  // a collision has probability 2^-64
    BOOST_TEST(x != d.next_u64());
  }
}

BOOST_AUTO_TEST_CASE(bits_uniforms_and_normals_have_their_moments) {
  const std::uint64_t seed = hypervec::test::test_seed();
  BOOST_TEST_CONTEXT("seed " << seed) {
    constexpr int n = 200000;
    rnd::RowStream s(seed, 3);
    // Bits: n·64 fair coins, σ of the count = √(n·64)/2.
    double ones = 0;
    for (int i = 0; i < n; ++i) ones += std::popcount(s.next_u64());
    const double bits = 64.0 * n;
    BOOST_TEST(std::abs(ones - bits / 2) < 5 * std::sqrt(bits) / 2);
    // Uniform [0, 1): mean 1/2 (σ² = 1/12), and never 1.
    double sum = 0, sum_sq = 0;
    for (int i = 0; i < n; ++i) {
      const double u = s.next_uniform();
      BOOST_REQUIRE(u >= 0.0);
      BOOST_REQUIRE(u < 1.0);
      sum += u;
      sum_sq += u * u;
    }
    BOOST_TEST(std::abs(sum / n - 0.5) < 5 * std::sqrt(1.0 / 12 / n));
    // E[u²] = 1/3, Var(u²) = 1/5 - 1/9 = 4/45.
    BOOST_TEST(std::abs(sum_sq / n - 1.0 / 3) < 5 * std::sqrt(4.0 / 45 / n));
    // Normals: mean 0 (σ² = 1/m), variance 1 (Var(z²) = 2, so σ = √(2/m)).
    double zs = 0, zsq = 0, cross = 0;
    for (int i = 0; i < n; ++i) {
      double z0 = 0, z1 = 0;
      s.next_normal_pair(z0, z1);
      BOOST_REQUIRE(std::isfinite(z0));
      BOOST_REQUIRE(std::isfinite(z1));
      zs += z0 + z1;
      zsq += z0 * z0 + z1 * z1;
      cross += z0 * z1;  // the pair is independent: E = 0, Var = 1
    }
    const double m = 2.0 * n;
    BOOST_TEST(std::abs(zs / m) < 5 / std::sqrt(m));
    BOOST_TEST(std::abs(zsq / m - 1) < 5 * std::sqrt(2 / m));
    BOOST_TEST(std::abs(cross / n) < 5 / std::sqrt(static_cast<double>(n)));
  }
}

BOOST_AUTO_TEST_CASE(random_options_defaults_and_the_unit_norm_check) {
  const hypervec::RandomOptions options;
  BOOST_TEST(options.first_row == 0U);
  BOOST_TEST(options.threads == 0U);  // 0 = all cores, as everywhere
  BOOST_TEST(!options.unit_norm);
  BOOST_CHECK_NO_THROW(hypervec::detail::require_no_unit_norm("x::random_matrix", options));
  BOOST_CHECK_EXCEPTION(
      hypervec::detail::require_no_unit_norm("x::random_matrix", {.unit_norm = true}),
      hypervec::InvalidArgument, [](const hypervec::InvalidArgument& e) {
        return hypervec::test::message_has(e, "x::random_matrix") &&
               hypervec::test::message_has(e, "unit_norm");
      });
}
