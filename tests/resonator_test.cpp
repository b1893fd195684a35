// Decoding beyond one-shot top-k (include/hypervec/resonator.hpp):
// explain-away against one-shot top-k, the greedy factor search, and the MAP
// and HRR resonator networks (recovery well inside capacity, convergence,
// bad input; the capacity tables are disabled by default). Thread-count
// independence of explain-away and the factor search is checked with the
// search kinds in tests/cleanup_test.cpp.
#define BOOST_TEST_MODULE resonator
#include <boost/mpl/list.hpp>
#include <boost/test/unit_test.hpp>

#include <hypervec/bipolar.hpp>
#include <hypervec/bundle.hpp>
#include <hypervec/cleanup.hpp>
#include <hypervec/dense.hpp>
#include <hypervec/error.hpp>
#include <hypervec/fhrr.hpp>
#include <hypervec/hrr.hpp>
#include <hypervec/model.hpp>
#include <hypervec/resonator.hpp>

#include "tests/test_util.hpp"

#include <algorithm>
#include <cmath>
#include <complex>
#include <limits>
#include <random>
#include <set>
#include <string>
#include <type_traits>
#include <utility>
#include <span>
#include <vector>

namespace hv = hypervec;
namespace cl = hypervec::cleanup;

BOOST_AUTO_TEST_CASE(explain_away_recovers_more_of_a_bundle_than_one_shot_top_k) {
  // Sizes: D = 1000, M = 1000 random atoms, bundles of n = 60 distinct atoms
  // summed (MAP-I, no thresholding), 5 bundles. Each item's z in the full
  // bundle is about √(D/n) ≈ 4.1 with σ ≈ 1, so one-shot top-k at z >= 4
  // finds roughly half; explain-away removes found items, which lowers ‖r‖
  // and lifts the rest above the threshold. A row outside the bundle passes
  // z >= 4 with p ≈ 3.2e-5 per look, so false items stay rare.
  const auto seed = hv::test::test_seed();
  BOOST_TEST_CONTEXT("seed " << seed) {
    const std::size_t dim = 1000, rows = 1000, n = 60, trials = 5;
    const auto book = hv::bipolar::random_matrix(rows, dim, seed);
    const cl::PackedMemory memory(book.view());
    std::mt19937_64 rng(seed + 4);
    std::size_t one_shot_true = 0, one_shot_false = 0, explain_true = 0, explain_false = 0;
    for (std::size_t t = 0; t < trials; ++t) {
      std::vector<std::size_t> ids(rows);
      for (std::size_t r = 0; r < rows; ++r) ids[r] = r;
      std::shuffle(ids.begin(), ids.end(), rng);
      ids.resize(n);
      const std::set<std::size_t> members(ids.begin(), ids.end());
      std::vector<float> sum(dim, 0.0F);
      for (const std::size_t id : ids) {
        for (std::size_t i = 0; i < dim; ++i) sum[i] += static_cast<float>(book.row(id).component(i));
      }
      for (const auto& m : memory.search(sum, {.k = 2 * n, .min_z = 4.0})) {
        (members.count(m.id) ? one_shot_true : one_shot_false) += 1;
      }
      for (const auto& d : cl::explain_away(memory, sum, {.min_z = 4.0})) {
        (members.count(d.match.id) ? explain_true : explain_false) += 1;
      }
    }
    BOOST_TEST_MESSAGE("explain-away found " << explain_true << " true / " << explain_false
                       << " false; one-shot " << one_shot_true << " / " << one_shot_false
                       << " of " << n * trials);
    BOOST_CHECK_GT(explain_true, one_shot_true + n * trials / 5);  // at least 20 points more
    BOOST_CHECK_LE(explain_false, trials);
    BOOST_CHECK_LE(one_shot_false, trials);
  }
}

BOOST_AUTO_TEST_CASE(explain_away_of_a_packed_bundle_and_degenerate_cases) {
  const auto seed = hv::test::test_seed();
  const std::size_t dim = 4096, rows = 300;
  const auto book = hv::bipolar::random_matrix(rows, dim, seed);
  const cl::PackedMemory memory(book.view());
  // A single item: found once, weight 1, residual 0 stops the loop.
  const auto one = cl::explain_away(memory, book.row(17));
  BOOST_REQUIRE_EQUAL(one.size(), 1U);
  BOOST_CHECK_EQUAL(one[0].match.id, 17U);
  BOOST_CHECK_CLOSE(one[0].weight, 1.0, 1e-9);
  // Majority of 5 items at D = 4096: each has cosine ≈ 0.375 (z ≈ 24): all 5 found.
  std::vector<hv::PackedView> items;
  for (const std::size_t id : {3, 50, 99, 200, 299}) items.push_back(book.row(id));
  const auto bundle = hv::bipolar::majority(items);
  const auto found = cl::explain_away(memory, bundle.view(), {.min_z = 5.0});
  std::set<std::size_t> ids;
  for (const auto& d : found) ids.insert(d.match.id);
  BOOST_CHECK(ids == (std::set<std::size_t>{3, 50, 99, 200, 299}));
  BOOST_CHECK_EQUAL(cl::explain_away(memory, bundle.view(), {.min_z = 5.0, .max_items = 2}).size(), 2U);
  BOOST_CHECK_THROW(cl::explain_away(memory, hv::bipolar::random(100, seed)), hv::DimensionError);
  BOOST_CHECK_THROW(cl::explain_away(cl::PackedMemory(dim), bundle.view()), hv::InvalidArgument);
}

// The one pursuit on every memory kind. Float rows holding the packed
// book's ±1 values decode a sum exactly as the packed memory does: the same
// items in the same order, weights equal up to float rounding of the dots.
// HRR (Gaussian rows, norm ≈ 1) and FHRR (phasor rows) bundles of n = 12
// items with weights 1, 2, 3 (Σw² = 56) at D = 8192: every item has z ≈
// w·√(D/Σw²) >= 12 in the full bundle, so all 12 are found; a weight's error
// is the other items' cross terms, ≈ N(0, Σw²/D) (sd 0.083; FHRR half the
// variance), checked at 5 sd; a row outside the bundle passes z >= 5.5 with
// p ≈ 2e-8 per row and look (500 rows, ~13 looks).
BOOST_AUTO_TEST_CASE(explain_away_on_float_and_phasor_memories) {
  const auto seed = hv::test::test_seed();
  BOOST_TEST_CONTEXT("seed " << seed) {
    {
      const std::size_t dim = 1000, rows = 400;
      const auto book = hv::bipolar::random_matrix(rows, dim, seed);
      hv::DenseMatrix<float> floats(rows, dim);
      for (std::size_t r = 0; r < rows; ++r) {
        const auto v = hv::dense::to_float(book.row(r));
        std::copy(v.data(), v.data() + dim, floats.row(r).begin());
      }
      std::vector<float> sum(dim, 0.0f);
      for (const std::size_t id : {5, 17, 17, 230, 399, 64, 64, 64}) {
        hv::dense::add_scaled(floats.row(id), 1.0f, sum);
      }
      // Items' z >= √(D/Σw²) = 7.9; a random row passes 5.0 with p ≈ 3e-7.
      const auto packed = cl::explain_away(cl::PackedMemory(book.view()), sum, {.min_z = 5.0});
      const auto real = cl::explain_away(cl::FloatMemory(floats.view()), sum, {.min_z = 5.0});
      BOOST_REQUIRE_EQUAL(packed.size(), real.size());
      BOOST_TEST(packed.size() == 5U);
      for (std::size_t i = 0; i < packed.size(); ++i) {
        BOOST_TEST(packed[i].match.id == real[i].match.id);
        BOOST_TEST(std::abs(packed[i].weight - real[i].weight) < 1e-4);
      }
    }
    constexpr std::size_t kDim = 8192, kRows = 500, kItems = 12;
    const double tolerance = 5 * std::sqrt(56.0 / kDim);
    std::vector<std::size_t> ids;
    for (std::size_t i = 0; i < kItems; ++i) ids.push_back((37 * i + 11) % kRows);
    const auto check = [&](const std::vector<cl::Decoded>& found) {
      std::set<std::size_t> got;
      for (const auto& d : found) {
        const auto at = std::find(ids.begin(), ids.end(), d.match.id);
        BOOST_TEST_CONTEXT("row " << d.match.id << " weight " << d.weight) {
          BOOST_REQUIRE(at != ids.end());
          BOOST_TEST(std::abs(d.weight - double(1 + (at - ids.begin()) % 3)) < tolerance);
        }
        got.insert(d.match.id);
      }
      BOOST_TEST(got.size() == kItems);
    };
    BOOST_TEST_CONTEXT("HRR") {
      const auto rows = hv::hrr::random_matrix(kRows, kDim, seed);
      std::vector<float> sum(kDim, 0.0f);
      for (std::size_t i = 0; i < kItems; ++i) {
        hv::hrr::add_scaled(rows.row(ids[i]), float(1 + i % 3), std::span<float>(sum));
      }
      check(cl::explain_away(cl::FloatMemory(rows.view()), sum, {.min_z = 5.5}));
    }
    BOOST_TEST_CONTEXT("FHRR") {
      const auto rows = hv::fhrr::random_matrix(kRows, kDim, seed);
      std::vector<std::complex<float>> sum(kDim);
      for (std::size_t i = 0; i < kItems; ++i) {
        for (std::size_t k = 0; k < kDim; ++k) sum[k] += float(1 + i % 3) * rows.row(ids[i])[k];
      }
      check(cl::explain_away(cl::PhasorMemory(rows.view()), sum, {.min_z = 5.5}));
    }
    BOOST_CHECK_THROW(cl::explain_away(cl::FloatMemory(8), std::vector<float>(8, 1.0f)),
                      hv::InvalidArgument);
    BOOST_CHECK_THROW(cl::explain_away(cl::FloatMemory(8), std::vector<float>(9, 1.0f)),
                      hv::DimensionError);
  }
}

BOOST_AUTO_TEST_CASE(greedy_factor_search_finds_the_key_and_the_item) {
  // v = key_c ⊗ item_r plus 20% bit noise: unbinding with key_c gives item_r
  // at cosine ≈ 0.6 (z ≈ 38 at D = 4096); every other key gives noise.
  const auto seed = hv::test::test_seed();
  const std::size_t dim = 4096;
  const auto items = hv::bipolar::random_matrix(500, dim, seed);
  const auto key_rows = hv::bipolar::random_matrix(40, dim, seed + 1);
  const cl::PackedMemory memory(items.view());
  const cl::PackedMemory keys(key_rows.view());
  std::mt19937_64 rng(seed + 5);
  std::bernoulli_distribution flip(0.2);
  for (const auto& [c, r] : {std::pair{std::size_t{7}, std::size_t{123}}, std::pair{std::size_t{0}, std::size_t{499}},
                            std::pair{std::size_t{39}, std::size_t{0}}}) {
    BOOST_TEST_CONTEXT("key " << c << " item " << r) {
      auto v = hv::bipolar::bind(key_rows.row(c), items.row(r));
      for (std::size_t i = 0; i < dim; ++i) {
        if (flip(rng)) v.set_component(i, v.component(i) > 0);
      }
      const auto packed = cl::greedy_factor_search(memory, keys, v, {.min_z = 5.0});
      BOOST_REQUIRE(packed.has_value());
      BOOST_CHECK_EQUAL(packed->key, c);
      BOOST_CHECK_EQUAL(packed->match.id, r);
      std::vector<float> fv(dim);
      for (std::size_t i = 0; i < dim; ++i) fv[i] = 0.25F * static_cast<float>(v.component(i));
      const auto mixed = cl::greedy_factor_search(memory, keys, fv, {.min_z = 5.0});
      BOOST_REQUIRE(mixed.has_value());
      BOOST_CHECK_EQUAL(mixed->key, c);
      BOOST_CHECK_EQUAL(mixed->match.id, r);
      BOOST_CHECK_CLOSE(mixed->match.cosine, packed->match.cosine, 1e-6);
    }
  }
  // Pure noise: no key passes z >= 6.
  BOOST_CHECK(!cl::greedy_factor_search(memory, keys, hv::bipolar::random(dim, seed + 9), {.min_z = 6.0})
                   .has_value());
  BOOST_CHECK_THROW(cl::greedy_factor_search(memory, cl::PackedMemory(dim), items.row(0)),
                    hv::InvalidArgument);
}

namespace {

/// One resonator trial: random factors from F codebooks of M rows at D;
/// true when every factor is recovered.
struct ResonatorTrial {
  bool correct;
  std::size_t iterations;
  bool converged;
};

ResonatorTrial resonator_trial(std::size_t dim, std::size_t factors, std::size_t rows,
                               std::uint64_t seed, std::mt19937_64& rng) {
  std::vector<hv::PackedMatrix> books;
  std::vector<cl::PackedMemory> memories;
  for (std::size_t f = 0; f < factors; ++f) {
    books.push_back(hv::bipolar::random_matrix(rows, dim, seed, {.first_row = f * rows}));
  }
  for (const auto& b : books) memories.emplace_back(b.view());
  std::vector<const cl::PackedMemory*> pointers;
  for (const auto& m : memories) pointers.push_back(&m);
  std::uniform_int_distribution<std::size_t> pick(0, rows - 1);
  std::vector<std::size_t> truth;
  hv::PackedVector s = hv::bipolar::identity(dim);
  for (std::size_t f = 0; f < factors; ++f) {
    truth.push_back(pick(rng));
    s = hv::bipolar::bind(s, books[f].row(truth.back()));
  }
  const auto result = cl::resonate(s, pointers);
  return {result.factors == truth, result.iterations, result.converged};
}

}  // namespace

BOOST_AUTO_TEST_CASE(resonator_recovers_factors_well_inside_capacity) {
  // F = 3 codebooks of M = 10 at D = 1000: a search space of 10^3, the
  // smallest cell of the accuracy table in docs/concepts.md, where 50 of 50
  // trials were recovered (accuracy falls to 82 % at M = 20, 44 % at M = 40).
  // 20 trials must all succeed and converge.
  const auto seed = hv::test::test_seed();
  BOOST_TEST_CONTEXT("seed " << seed) {
    std::mt19937_64 rng(seed + 6);
    for (std::size_t t = 0; t < 20; ++t) {
      BOOST_TEST_CONTEXT("trial " << t) {
        const auto trial = resonator_trial(1000, 3, 10, seed + t, rng);
        BOOST_CHECK(trial.correct);
        BOOST_CHECK(trial.converged);
        BOOST_CHECK_GE(trial.iterations, 1U);
      }
    }
    // max_iterations bounds the work and is reported.
    const auto books = hv::bipolar::random_matrix(8, 256, seed);
    const cl::PackedMemory memory(books.view());
    const cl::PackedMemory* one[] = {&memory};
    const auto single = cl::resonate(books.row(5), one, {.max_iterations = 1});
    BOOST_CHECK_EQUAL(single.iterations, 1U);
    BOOST_CHECK_EQUAL(single.factors.at(0), 5U);  // F = 1: one projection recovers it
    BOOST_CHECK_THROW(cl::resonate(books.row(0), one, {.max_iterations = 0}), hv::InvalidArgument);
    BOOST_CHECK_THROW(cl::resonate(books.row(0), std::span<const cl::PackedMemory* const>{}),
                      hv::InvalidArgument);
    BOOST_CHECK_THROW(cl::resonate(hv::bipolar::random(100, seed), one), hv::DimensionError);
  }
}

// The resonator accuracy table of docs/concepts.md ("Cleanup memory"). Not run by default (it takes
// minutes); run: cleanup_test --run_test=resonator_capacity_table --log_level=message
BOOST_AUTO_TEST_CASE(resonator_capacity_table, *boost::unit_test::disabled()) {
  const auto seed = hv::test::test_seed();
  std::mt19937_64 rng(seed + 7);
  const std::size_t trials = 50;
  std::size_t smallest_correct = 0;  // D = 2000, M = 10: must be perfect
  for (const std::size_t dim : {500, 1000, 2000}) {
    for (const std::size_t rows : {10, 20, 40, 80, 160}) {
      std::size_t correct = 0, converged = 0, iterations = 0;
      for (std::size_t t = 0; t < trials; ++t) {
        const auto trial = resonator_trial(dim, 3, rows, seed + 1000 * t, rng);
        correct += trial.correct;
        converged += trial.converged;
        iterations += trial.iterations;
      }
      if (dim == 2000 && rows == 10) smallest_correct = correct;
      BOOST_TEST_MESSAGE("| " << dim << " | 3 | " << rows << " | " << rows * rows * rows << " | "
                              << 100.0 * correct / trials << " % | "
                              << 100.0 * converged / trials << " % | "
                              << static_cast<double>(iterations) / trials << " |");
    }
  }
  BOOST_CHECK_EQUAL(smallest_correct, trials);
}

namespace {

/// One HRR resonator trial: F codebooks of M unitary rows at D (row streams
/// disjoint per codebook), random true factors, s = x_1 ⊛ … ⊛ x_F.
ResonatorTrial hrr_resonator_trial(std::size_t dim, std::size_t factors, std::size_t rows,
                                   std::uint64_t seed, std::mt19937_64& rng,
                                   const cl::ResonatorOptions& options = {}) {
  std::vector<cl::FloatMemory> memories;
  memories.reserve(factors);
  for (std::size_t f = 0; f < factors; ++f) {
    memories.emplace_back(dim);
    for (std::size_t c = 0; c < rows; ++c) {
      memories.back().add(hv::hrr::random_unitary<float>(dim, seed, f * rows + c).values());
    }
  }
  std::vector<const cl::FloatMemory*> pointers;
  for (const auto& m : memories) pointers.push_back(&m);
  std::uniform_int_distribution<std::size_t> pick(0, rows - 1);
  std::vector<std::size_t> truth;
  hv::DenseVector<float> s = hv::hrr::identity<float>(dim);
  for (std::size_t f = 0; f < factors; ++f) {
    truth.push_back(pick(rng));
    s = hv::hrr::bind(s.values(), memories[f].row(truth.back()));
  }
  const auto result = cl::resonate(s.values(), pointers, options);
  return {result.factors == truth, result.iterations, result.converged};
}

}  // namespace

BOOST_AUTO_TEST_CASE(hrr_resonator_recovers_factors_well_inside_capacity) {
  // F = 3 unitary codebooks of M = 10 at D = 1024: search space 10^3, a cell
  // of the HRR tables in docs/concepts.md where every one of 50 trials was
  // recovered and converged. 20 trials must all succeed and converge.
  const auto seed = hv::test::test_seed();
  BOOST_TEST_CONTEXT("seed " << seed) {
    // Both variants (linear estimates, unitary estimates) were 50 of 50 there.
    std::mt19937_64 rng(seed + 8);
    for (const bool unitary : {false, true}) {
      for (std::size_t t = 0; t < 20; ++t) {
        BOOST_TEST_CONTEXT("unitary_estimates " << unitary << " trial " << t) {
          const auto trial = hrr_resonator_trial(1024, 3, 10, seed + t, rng,
                                                 {.unitary_estimates = unitary});
          BOOST_CHECK(trial.correct);
          BOOST_CHECK(trial.converged);
          BOOST_CHECK_GE(trial.iterations, 1U);
          BOOST_CHECK_LE(trial.iterations, 200U);
        }
      }
    }
    // max_iterations bounds the work and is reported; a zero tolerance is
    // reached only by chance, so one sweep is never reported as converged
    // from the superposition start.
    const auto capped = hrr_resonator_trial(1024, 3, 10, seed, rng, {.max_iterations = 1});
    BOOST_CHECK_EQUAL(capped.iterations, 1U);
    BOOST_CHECK(!capped.converged);
    // F = 1: s is a row; one projection already points at it.
    cl::FloatMemory book(256);
    for (std::size_t c = 0; c < 8; ++c) {
      book.add(hv::hrr::random_unitary<float>(256, seed, c).values());
    }
    const cl::FloatMemory* one[] = {&book};
    const auto single = cl::resonate(book.row(5), one);
    BOOST_CHECK_EQUAL(single.factors.at(0), 5U);
    BOOST_CHECK(single.converged);
    BOOST_CHECK_EQUAL(single.matches.at(0).id, 5U);
    BOOST_CHECK_GT(single.matches.at(0).cosine, 0.9);
    // Bad input.
    const auto s = hv::hrr::random<float>(256, seed);
    BOOST_CHECK_THROW(cl::resonate(s.values(), one, {.max_iterations = 0}), hv::InvalidArgument);
    BOOST_CHECK_THROW(cl::resonate(s.values(), one, {.tolerance = -1.0}), hv::InvalidArgument);
    BOOST_CHECK_THROW(
        cl::resonate(s.values(), one, {.tolerance = std::numeric_limits<double>::quiet_NaN()}),
        hv::InvalidArgument);
    BOOST_CHECK_THROW(cl::resonate(s.values(), std::span<const cl::FloatMemory* const>{}),
                      hv::InvalidArgument);
    const cl::FloatMemory* null_book[] = {nullptr};
    BOOST_CHECK_THROW(cl::resonate(s.values(), null_book), hv::InvalidArgument);
    const cl::FloatMemory empty(256);
    const cl::FloatMemory* empty_book[] = {&empty};
    BOOST_CHECK_THROW(cl::resonate(s.values(), empty_book), hv::InvalidArgument);
    BOOST_CHECK_THROW(cl::resonate(hv::hrr::random<float>(100, seed).values(), one),
                      hv::DimensionError);
    const hv::DenseVector<float> zero(256);
    BOOST_CHECK_THROW(cl::resonate(zero.values(), one), hv::InvalidArgument);
    hv::DenseVector<float> bad{std::span<const float>(s.values())};
    bad.values()[3] = std::numeric_limits<float>::quiet_NaN();
    BOOST_CHECK_THROW(cl::resonate(bad.values(), one), hv::InvalidArgument);
  }
}

// The HRR resonator accuracy table of docs/concepts.md ("Cleanup memory"). Not
// run by default; run: cleanup_test --run_test=hrr_resonator_capacity_table --log_level=message
BOOST_AUTO_TEST_CASE(hrr_resonator_capacity_table, *boost::unit_test::disabled()) {
  const auto seed = hv::test::test_seed();
  std::mt19937_64 rng(seed + 9);
  const std::size_t trials = 50;
  std::size_t smallest_correct = 0;  // D = 1024, M = 10, both variants: must be perfect
  for (const bool unitary : {false, true}) {
    for (const std::size_t dim : {256, 512, 1024, 2048}) {
      for (const std::size_t rows : {10, 20, 40, 80, 160}) {
        std::size_t correct = 0, converged = 0, iterations = 0;
        for (std::size_t t = 0; t < trials; ++t) {
          const auto trial = hrr_resonator_trial(dim, 3, rows, seed + 1000 * t, rng,
                                                 {.unitary_estimates = unitary});
          correct += trial.correct;
          converged += trial.converged;
          iterations += trial.iterations;
        }
        if (dim == 1024 && rows == 10) smallest_correct += correct;
        BOOST_TEST_MESSAGE("| " << (unitary ? "unitary" : "linear") << " | " << dim << " | 3 | "
                                << rows << " | " << rows * rows * rows << " | "
                                << 100.0 * correct / trials << " % | "
                                << 100.0 * converged / trials << " % | "
                                << static_cast<double>(iterations) / trials << " |");
      }
    }
  }
  BOOST_CHECK_EQUAL(smallest_correct, 2 * trials);
}

// --- One resonator over every model (resonate<M>) -----------------------------

namespace {

using AllModels = boost::mpl::list<hv::models::PackedMap, hv::models::DenseMap,
                                   hv::models::Hrr<float>, hv::models::Fhrr>;

/// F codebooks of M::random_matrix rows, s bound from one random row of each;
/// returns the resonator's result and the truth.
template <typename M>
std::pair<cl::ResonatorResult, std::vector<std::size_t>> model_trial(
    std::size_t dim, std::size_t factors, std::size_t rows, std::uint64_t seed,
    std::mt19937_64& rng, const cl::ResonatorOptions& options = {}) {
  std::vector<typename M::Memory> memories;
  memories.reserve(factors);
  for (std::size_t f = 0; f < factors; ++f) {
    const auto book = M::random_matrix(rows, dim, seed, {.first_row = f * rows});
    memories.emplace_back(book, std::span<const std::string>{});
  }
  std::vector<const typename M::Memory*> pointers;
  for (const auto& m : memories) pointers.push_back(&m);
  std::uniform_int_distribution<std::size_t> pick(0, rows - 1);
  std::vector<std::size_t> truth;
  typename M::Vector s = M::identity(dim);
  for (std::size_t f = 0; f < factors; ++f) {
    truth.push_back(pick(rng));
    s = M::bind(s, memories[f].row(truth.back()));
  }
  return {cl::resonate<M>(s, pointers, options), truth};
}

}  // namespace

BOOST_AUTO_TEST_CASE_TEMPLATE(every_model_resonates_well_inside_capacity, M, AllModels) {
  // F = 2 codebooks of 8 rows at D = 2048: 64 combinations, far inside every
  // model's capacity (a wrong factor would need a row with cosine ≈ 1 by
  // chance; the null σ is 1/√D ≈ 0.02). HRR rows are Gaussian here, not
  // unitary, so its unbinding is approximate: still far inside capacity.
  const auto seed = hv::test::test_seed();
  BOOST_TEST_CONTEXT("model " << M::name << " seed " << seed) {
    std::mt19937_64 rng(seed + 11);
    for (std::size_t t = 0; t < 10; ++t) {
      BOOST_TEST_CONTEXT("trial " << t) {
        const auto [result, truth] = model_trial<M>(2048, 2, 8, seed + t, rng);
        BOOST_CHECK(result.factors == truth);
        BOOST_CHECK(result.converged);
        BOOST_CHECK_LT(result.iterations, 200U);
        for (const auto& m : result.matches) BOOST_CHECK_GT(m.cosine, 0.5);
      }
    }
    // Bad input is refused by every model with the same errors.
    const auto book = M::random_matrix(4, 64, seed);
    const typename M::Memory memory(book, std::span<const std::string>{});
    const typename M::Memory empty(64);
    const typename M::Memory* one[] = {&memory};
    const typename M::Memory* none[] = {nullptr};
    const typename M::Memory* hollow[] = {&empty};
    const auto s = M::random(64, seed, 1);
    BOOST_CHECK_THROW(cl::resonate<M>(s, one, {.max_iterations = 0}), hv::InvalidArgument);
    BOOST_CHECK_THROW(cl::resonate<M>(s, one, {.tolerance = -1}), hv::InvalidArgument);
    BOOST_CHECK_THROW(cl::resonate<M>(s, std::span<const typename M::Memory* const>{}),
                      hv::InvalidArgument);
    BOOST_CHECK_THROW(cl::resonate<M>(s, none), hv::InvalidArgument);
    BOOST_CHECK_THROW(cl::resonate<M>(s, hollow), hv::InvalidArgument);
    BOOST_CHECK_THROW(cl::resonate<M>(M::random(65, seed), one), hv::DimensionError);
    if constexpr (!std::is_same_v<M, hv::models::PackedMap>) {
      auto bad = M::random(64, seed, 2);
      bad.data()[3] = std::numeric_limits<float>::quiet_NaN();
      BOOST_CHECK_THROW(cl::resonate<M>(bad, one), hv::InvalidArgument);
      const typename M::Vector zero(64);
      BOOST_CHECK_THROW(cl::resonate<M>(zero, one), hv::InvalidArgument);
    }
  }
}

BOOST_AUTO_TEST_CASE(dense_map_resonator_follows_the_packed_one_step_for_step) {
  // Dense MAP rows are the packed rows as ±1 floats (dense::random_matrix ==
  // to_float(bipolar::random_matrix)); every dot and projection sum is an
  // integer below 2^24, so the float resonator must take the same steps:
  // same factors, iterations and convergence, including near capacity
  // (M = 40 at D = 1000, F = 3: about half the trials fail there) where
  // failures and non-convergence are the interesting part.
  const auto seed = hv::test::test_seed();
  BOOST_TEST_CONTEXT("seed " << seed) {
    std::size_t failures = 0;
    for (const std::size_t rows : {10, 40}) {
      for (std::size_t t = 0; t < 10; ++t) {
        BOOST_TEST_CONTEXT("rows " << rows << " trial " << t) {
          std::mt19937_64 packed_rng(seed + t), dense_rng(seed + t);
          const cl::ResonatorOptions options{.max_iterations = 40};
          const auto [p, truth] = model_trial<hv::models::PackedMap>(1000, 3, rows, seed + t,
                                                                     packed_rng, options);
          const auto [d, same_truth] = model_trial<hv::models::DenseMap>(1000, 3, rows, seed + t,
                                                                         dense_rng, options);
          BOOST_REQUIRE(truth == same_truth);
          BOOST_CHECK(p.factors == d.factors);
          BOOST_CHECK_EQUAL(p.iterations, d.iterations);
          BOOST_CHECK_EQUAL(p.converged, d.converged);
          for (std::size_t f = 0; f < 3; ++f) {
            BOOST_CHECK_CLOSE(p.matches[f].cosine, d.matches[f].cosine, 1e-4);
          }
          failures += p.factors != truth;
        }
      }
    }
    // The near-capacity trials exercise failure paths (not all recovered).
    BOOST_TEST_MESSAGE("packed/dense failures near capacity: " << failures);
  }
}

BOOST_AUTO_TEST_CASE(fhrr_resonator_recovers_three_factors) {
  // Frady et al.'s phasor resonator: F = 3 codebooks of M = 10 at D = 1024
  // (search space 10^3), far inside capacity; 20 of 20 trials must be
  // recovered and converge (to the tolerance) with estimates on the rows.
  const auto seed = hv::test::test_seed();
  BOOST_TEST_CONTEXT("seed " << seed) {
    std::mt19937_64 rng(seed + 12);
    for (std::size_t t = 0; t < 20; ++t) {
      BOOST_TEST_CONTEXT("trial " << t) {
        const auto [result, truth] = model_trial<hv::models::Fhrr>(1024, 3, 10, seed + t, rng);
        BOOST_CHECK(result.factors == truth);
        BOOST_CHECK(result.converged);
        for (const auto& m : result.matches) BOOST_CHECK_GT(m.cosine, 0.9);
      }
    }
    // max_iterations = 1 from the superposition start cannot have converged.
    const auto [capped, truth] = model_trial<hv::models::Fhrr>(1024, 3, 10, seed, rng,
                                                               {.max_iterations = 1});
    BOOST_CHECK_EQUAL(capped.iterations, 1U);
    BOOST_CHECK(!capped.converged);
  }
}
