// tests for include/hypervec/model.hpp: every model satisfies the concepts,
// and one algebra test, written once, holds for each of them.
#define BOOST_TEST_MODULE model
#include <hypervec/model.hpp>

#include "test_util.hpp"

#include <boost/mpl/list.hpp>
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cmath>
#include <string>
#include <type_traits>
#include <vector>

namespace hv = hypervec;
using hv::models::DenseMap;
using hv::models::Fhrr;
using hv::models::Hrr;
using hv::models::PackedMap;

// The concept check per model (the "every model offers the common verbs").
static_assert(hv::Model<PackedMap>);
static_assert(hv::Model<DenseMap>);
static_assert(hv::Model<Hrr<float>>);
static_assert(hv::Model<Fhrr>);
static_assert(hv::VectorModel<Hrr<double>>);  // no float64 cleanup memory:
static_assert(!hv::Model<Hrr<double>>);      // Hrr<double>::Memory is void
static_assert(!hv::VectorModel<int>);

namespace {

using AllModels = boost::mpl::list<PackedMap, DenseMap, Hrr<float>, Hrr<double>, Fhrr>;
using CleanupModels = boost::mpl::list<PackedMap, DenseMap, Hrr<float>, Fhrr>;

constexpr std::size_t kDim = 4096;

/// Exactly the same components.
template <typename M>
bool same(typename M::View a, typename M::View b) {
  if constexpr (std::is_same_v<M, PackedMap>) {
    return a.dim == b.dim && hv::bipolar::hamming(a, b) == 0;
  } else {
    return std::equal(a.begin(), a.end(), b.begin(), b.end());
  }
}

/// σ of the cosine of two independent random vectors: 1/√D for real and ±1
/// components; FHRR's Re Σ a conj(b) / D sums D terms cos(θ) of variance 1/2.
template <typename M>
double null_sigma(std::size_t dim) {
  const double d = static_cast<double>(dim);
  return std::is_same_v<M, Fhrr> ? 1.0 / std::sqrt(2.0 * d) : 1.0 / std::sqrt(d);
}

/// Binding exactness: 1 for self-inverse / phasor models, HRR's involution
/// leaves a ⊛ b ⊛ b† whose cosine with a is ≈ 1/√2 for Gaussian b.
template <typename M>
double unbind_floor() {
  if constexpr (std::is_same_v<M, Hrr<float>> || std::is_same_v<M, Hrr<double>>) {
    return 0.6;
  } else {
    return 1.0 - 1e-5;
  }
}

}  // namespace

BOOST_AUTO_TEST_CASE_TEMPLATE(random_rows_are_one_codebook, M, AllModels) {
  const std::uint64_t seed = hv::test::test_seed();
  BOOST_TEST_CONTEXT(M::name << ", seed " << seed) {
    hv::RandomOptions options;
    options.first_row = 5;
    const auto rows = M::random_matrix(4, 100, seed, options);
    BOOST_TEST(rows.rows() == 4u);
    for (std::size_t i = 0; i < 4; ++i) {
      BOOST_TEST(same<M>(rows.row(i), M::random(100, seed, 5 + i)));
    }
    BOOST_TEST(!same<M>(rows.row(0), rows.row(1)));
    options.threads = 1;
    BOOST_TEST(same<M>(M::random_matrix(4, 100, seed, options).row(3), rows.row(3)));
  }
}

BOOST_AUTO_TEST_CASE_TEMPLATE(bind_identity_inverse_unbind, M, AllModels) {
  const std::uint64_t seed = hv::test::test_seed();
  BOOST_TEST_CONTEXT(M::name << ", seed " << seed) {
    const auto a = M::random(kDim, seed, 0);
    const auto b = M::random(kDim, seed, 1);
    BOOST_TEST(M::cosine(M::bind(M::identity(kDim), a), a) > 1.0 - 1e-5);
    const auto c = M::bind(a, b);
    // A bound pair resembles neither factor.
    BOOST_TEST(std::abs(M::cosine(c, a)) < 6 * null_sigma<M>(kDim));
    BOOST_TEST(M::cosine(M::unbind(c, b), a) > unbind_floor<M>());
    // unbind(c, b) == bind(c, inverse(b)), up to rounding.
    BOOST_TEST(M::cosine(M::unbind(c, b), M::bind(c, M::inverse(b))) > 1.0 - 1e-5);
  }
}

BOOST_AUTO_TEST_CASE_TEMPLATE(permute_round_trip_is_exact, M, AllModels) {
  const std::uint64_t seed = hv::test::test_seed();
  BOOST_TEST_CONTEXT(M::name << ", seed " << seed) {
    const auto a = M::random(1000, seed, 0);
    for (const std::ptrdiff_t k : {std::ptrdiff_t{-3}, std::ptrdiff_t{0}, std::ptrdiff_t{1},
                                   std::ptrdiff_t{1002}}) {
      BOOST_TEST_CONTEXT("shifts " << k) {
        BOOST_TEST(same<M>(M::inverse_permute(M::permute(a, k), k), a));
        BOOST_TEST(same<M>(M::permute(a, k), M::inverse_permute(a, -k)));
      }
    }
    BOOST_TEST(std::abs(M::cosine(M::permute(a, 1), a)) < 6 * null_sigma<M>(1000));
  }
}

// Random pairs: mean 0 and σ from theory, tested as statistics. With n pairs
// the sample mean has sd σ/√n and the sample variance / σ² has sd ≈ √(2/n)
// (normal components); both are checked at 5 sd.
BOOST_AUTO_TEST_CASE_TEMPLATE(random_cosines_follow_the_null, M, AllModels) {
  const std::uint64_t seed = hv::test::test_seed();
  BOOST_TEST_CONTEXT(M::name << ", seed " << seed) {
    constexpr std::size_t kPairs = 400;
    const std::size_t dim = 1000;
    const auto rows = M::random_matrix(2 * kPairs, dim, seed);
    double sum = 0, sum2 = 0;
    for (std::size_t i = 0; i < kPairs; ++i) {
      const double c = M::cosine(rows.row(2 * i), rows.row(2 * i + 1));
      sum += c;
      sum2 += c * c;
    }
    const double n = kPairs, sigma = null_sigma<M>(dim);
    const double mean = sum / n;
    const double variance = (sum2 - n * mean * mean) / (n - 1);
    BOOST_TEST(std::abs(mean) < 5 * sigma / std::sqrt(n));
    BOOST_TEST(std::abs(variance / (sigma * sigma) - 1.0) < 5 * std::sqrt(2.0 / n));
  }
}

// Bundling: bundle(rows) and the accumulator agree, and each of three items
// keeps its share: 1/√3 of a real sum, 1/2 of a majority of three ±1 vectors
// (each component agrees with the majority with probability 3/4).
BOOST_AUTO_TEST_CASE_TEMPLATE(bundle_keeps_each_item, M, AllModels) {
  const std::uint64_t seed = hv::test::test_seed();
  BOOST_TEST_CONTEXT(M::name << ", seed " << seed) {
    const auto items = M::random_matrix(3, kDim, seed);
    typename M::Accumulator acc(kDim);
    for (std::size_t i = 0; i < 3; ++i) acc.add(items.row(i));
    const auto from_rows = M::bundle(items);
    const auto from_acc = M::bundle(acc);
    BOOST_TEST(M::cosine(from_rows, from_acc) > 1.0 - 1e-6);
    const double share = std::is_same_v<M, PackedMap> ? 0.5 : 1.0 / std::sqrt(3.0);
    for (std::size_t i = 0; i < 3; ++i) {
      BOOST_TEST(std::abs(M::cosine(from_acc, items.row(i)) - share) < 6 * null_sigma<M>(kDim));
    }
    acc.subtract(items.row(2));
    const double pair_share = std::is_same_v<M, PackedMap> ? 0.5 : 1.0 / std::sqrt(2.0);
    BOOST_TEST(std::abs(M::cosine(M::bundle(acc), items.row(2))) < 6 * null_sigma<M>(kDim));
    BOOST_TEST(std::abs(M::cosine(M::bundle(acc), items.row(0)) - pair_share) <
               6 * null_sigma<M>(kDim));
  }
}

BOOST_AUTO_TEST_CASE_TEMPLATE(memory_cleans_up_by_label, M, CleanupModels) {
  const std::uint64_t seed = hv::test::test_seed();
  BOOST_TEST_CONTEXT(M::name << ", seed " << seed) {
    const auto atoms = M::random_matrix(50, kDim, seed);
    std::vector<std::string> labels;
    for (std::size_t i = 0; i < 50; ++i) labels.push_back("atom" + std::to_string(i));
    const typename M::Memory memory(atoms, labels);
    BOOST_TEST(same<M>(memory.row("atom7"), atoms.row(7)));
    // atom7 bound with a key and unbound again, under two other pairs' noise.
    const auto keys = M::random_matrix(3, kDim, seed + 1);
    typename M::Accumulator record(kDim);
    for (std::size_t i = 0; i < 3; ++i) record.add(M::bind(keys.row(i), atoms.row(7 + i)));
    const auto match = memory.best(M::unbind(M::bundle(record), keys.row(0)));
    BOOST_REQUIRE(match.has_value());
    BOOST_TEST(match->label == "atom7");
    BOOST_TEST(match->z > 10.0);
  }
}
