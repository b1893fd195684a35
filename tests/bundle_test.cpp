// Bundling (include/hypervec/bundle.hpp): accumulator and bit-sliced majority
// vs the per-bit counting reference on every target, tie rules, majority
// invariants, the similarity a bundle keeps to its items, and bad input.
#define BOOST_TEST_MODULE bundle
#include <boost/test/unit_test.hpp>

#include <hypervec/bipolar.hpp>
#include <hypervec/bundle.hpp>
#include <hypervec/tie_break.hpp>

#include "src/reference/bipolar.hpp"
#include "tests/test_util.hpp"

#include <cmath>
#include <limits>
#include <random>
#include <string>
#include <vector>

namespace hv = hypervec;
namespace ref = hypervec::reference::bipolar;
using hv::TieBreak;
using namespace hypervec::test;

BOOST_AUTO_TEST_CASE(accumulator_matches_reference_on_every_target) {
  for_each_target_and_dim(hv::test::test_seed(), [&](std::size_t dim, std::mt19937_64& rng) {
    hv::bipolar::Accumulator acc(dim);
    std::vector<std::int32_t> expected(dim, 0);
    const auto items = random_items(9, dim, rng);
    const std::int32_t weights[] = {1, 3, -2, 7, 1, 1, -5, 100, 2};
    for (std::size_t k = 0; k < items.size(); ++k) {
      acc.add(items[k], weights[k]);
      ref::accumulate(items[k], weights[k], expected);
    }
    acc.subtract(items[3], 7);
    ref::accumulate(items[3], -7, expected);
    const auto dense = hv::test::random_int8_symmetric(dim, rng);
    acc.add(std::span<const std::int8_t>(dense), 3);
    for (std::size_t i = 0; i < dim; ++i) expected[i] += 3 * dense[i];
    BOOST_CHECK_EQUAL_COLLECTIONS(acc.sums().begin(), acc.sums().end(), expected.begin(),
                                  expected.end());
    // Force plenty of exact ties, then threshold with each rule.
    hv::bipolar::Accumulator ties(dim);
    ties.add(items[0]);
    ties.add(items[1]);
    std::vector<std::int32_t> tie_sums(dim, 0);
    ref::accumulate(items[0], 1, tie_sums);
    ref::accumulate(items[1], 1, tie_sums);
    for (const TieBreak& rule : all_tie_rules(items[2])) {
      BOOST_CHECK(ties.threshold(rule) == ref::threshold(tie_sums, rule));
      BOOST_CHECK(acc.threshold(rule) == ref::threshold(expected, rule));
    }
  });
}

BOOST_AUTO_TEST_CASE(bit_sliced_majority_matches_per_bit_counting_on_every_target) {
  for_each_target_and_dim(hv::test::test_seed(), [&](std::size_t dim, std::mt19937_64& rng) {
    for (const std::size_t n : {1, 2, 3, 4, 5, 8, 64, 127, 128, 255, 256, 301}) {
      if (dim >= 4096 && n > 64 && n != 256) continue;  // keep the suite quick
      BOOST_TEST_CONTEXT("n=" << n) {
        const auto items = random_items(n, dim, rng);
        const auto views = hv::test::views_of(items);
        for (const TieBreak& rule : all_tie_rules(items[0])) {
          const auto expected = ref::majority(views, rule);
          BOOST_CHECK(hv::bipolar::majority(views, rule) == expected);
          hv::bipolar::Accumulator acc(dim);
          acc.add_all(views);
          BOOST_CHECK(acc.threshold(rule) == expected);
          BOOST_CHECK_EQUAL(acc.total_weight(), static_cast<std::int64_t>(n));
        }
      }
    }
  });
}

/// n random packed rows of D components drawn from rng, in one matrix.
hv::PackedMatrix random_rows(std::size_t n, std::size_t dim, std::mt19937_64& rng) {
  hv::PackedMatrix m(n, dim);
  for (std::size_t r = 0; r < n; ++r) {
    const auto row = m.row_span(r);
    for (std::size_t w = 0; w < row.num_words(); ++w) row.words[w] = rng();
    row.words[row.num_words() - 1] &= hv::packed_tail_mask(dim);
  }
  return m;
}

// Every plane count of the Harley–Seal counter (n = 2 .. 2^16 - 1, groups
// of 8 and the rippled remainder), the summing fallback past 65,535 items,
// and the out forms (views and matrix, out = an item) against per-bit counting.
BOOST_AUTO_TEST_CASE(majority_out_forms_match_per_bit_counting_for_every_plane_count) {
  const std::uint64_t seed = hv::test::test_seed();
  BOOST_TEST_CONTEXT("seed " << seed) {
    for_each_target([&](const std::string&) {
      std::mt19937_64 rng(seed);
      struct Case { std::size_t dim; std::vector<std::size_t> counts; };
      const std::vector<Case> cases = {
          {130, {2, 3, 6, 7, 8, 9, 15, 16, 17, 24, 31, 32, 33, 100, 1023, 1024, 1025, 4096}},
          {1000, {3, 8, 64, 65, 1000}},
          {64, {40001, 65537}}};
      for (const Case& c : cases) {
        for (const std::size_t n : c.counts) {
          BOOST_TEST_CONTEXT("D=" << c.dim << " n=" << n) {
            const auto rows = random_rows(n, c.dim, rng);
            std::vector<hv::PackedView> views(n);
            for (std::size_t r = 0; r < n; ++r) views[r] = rows.row(r);
            const auto tie_vector = hv::test::random_packed(c.dim, rng);
            for (const TieBreak& rule : all_tie_rules(tie_vector)) {
              const auto expected = ref::majority(views, rule);
              hv::PackedVector out(c.dim);
              hv::bipolar::majority(views, out.span(), rule);
              BOOST_CHECK(out == expected);
              hv::PackedVector from_matrix(c.dim);
              hv::bipolar::bundle(rows.view(), from_matrix.span(), rule);
              BOOST_CHECK(from_matrix == expected);
              BOOST_CHECK(hv::bipolar::majority(rows.view(), rule) == expected);
              if (n > 1100) continue;
              // out may be one of the items (here the last, and a middle row).
              auto copy = rows;
              std::vector<hv::PackedView> copy_views(n);
              for (std::size_t r = 0; r < n; ++r) copy_views[r] = copy.row(r);
              hv::bipolar::majority(copy_views, copy.row_span(n - 1), rule);
              BOOST_CHECK(hv::PackedVector(copy.row(n - 1)) == expected);
              auto copy2 = rows;
              hv::bipolar::majority(copy2.view(), copy2.row_span(n / 2), rule);
              BOOST_CHECK(hv::PackedVector(copy2.row(n / 2)) == expected);
            }
          }
        }
      }
    });
  }
}

BOOST_AUTO_TEST_CASE(majority_out_form_rejects_a_bad_out) {
  auto rows = hv::bipolar::random_matrix(5, 300, 7);
  std::vector<hv::PackedView> views;
  for (std::size_t r = 0; r < 5; ++r) views.push_back(rows.row(r));
  const auto has = [](const char* text) {
    return [text](const hv::Error& e) { return std::string(e.what()).find(text) != std::string::npos; };
  };
  hv::PackedVector wrong(299);
  BOOST_CHECK_EXCEPTION(hv::bipolar::majority(views, wrong.span()), hv::DimensionError,
                        has("out has D=299"));
  BOOST_CHECK_EXCEPTION(hv::bipolar::majority(views, hv::PackedSpan{nullptr, 300}),
                        hv::InvalidArgument, has("out is a null span"));
  // Overlapping an item without being it: the votes would read a half-written out.
  const auto before = rows;
  const hv::PackedSpan shifted{rows.row_span(1).words + 1, 300};
  BOOST_CHECK_EXCEPTION(hv::bipolar::majority(views, shifted), hv::InvalidArgument,
                        has("out overlaps an item"));
  BOOST_CHECK_EXCEPTION(hv::bipolar::majority(rows.view(), shifted), hv::InvalidArgument,
                        has("out overlaps a row"));
  for (std::size_t r = 0; r < 5; ++r) BOOST_CHECK(hv::PackedVector(rows.row(r)) == hv::PackedVector(before.row(r)));
  hv::bipolar::Accumulator acc(300);
  BOOST_CHECK_THROW(acc.threshold(wrong.span()), hv::DimensionError);
}

BOOST_AUTO_TEST_CASE(majority_invariants) {
  const auto seed = hv::test::test_seed();
  std::mt19937_64 rng(seed);
  for (const std::size_t dim : {std::size_t{65}, std::size_t{4096}}) {
    BOOST_TEST_CONTEXT("D=" << dim << " seed " << seed) {
      const auto a = random_packed(dim, rng);
      const auto b = random_packed(dim, rng);
      const auto c = random_packed(dim, rng);
      using hv::bipolar::majority;
      // A single item, and any odd number of copies, is its own majority.
      BOOST_CHECK(majority(std::vector<hv::PackedView>{a}) == a);
      BOOST_CHECK(majority(std::vector<hv::PackedView>{a, a, a}) == a);
      // Two votes out of three win.
      BOOST_CHECK(majority(std::vector<hv::PackedView>{a, b, a}) == a);
      // Order does not matter.
      BOOST_CHECK(majority(std::vector<hv::PackedView>{a, b, c}) ==
                  majority(std::vector<hv::PackedView>{c, a, b}));
      // Negation symmetry (odd n: no ties): maj(-x...) = -maj(x...).
      const auto minus = [&](const hv::PackedVector& x) {
        hv::PackedVector all_neg(dim);
        for (std::size_t i = 0; i < dim; ++i) all_neg.set_component(i, true);
        return hv::bipolar::bind(x, all_neg);
      };
      BOOST_CHECK(majority(std::vector<hv::PackedView>{minus(a), minus(b), minus(c)}) ==
                  minus(majority(std::vector<hv::PackedView>{a, b, c})));
      // Binding distributes over majority: maj(x⊗k...) = maj(x...)⊗k for odd n.
      BOOST_CHECK(majority(std::vector<hv::PackedView>{hv::bipolar::bind(a, c), hv::bipolar::bind(b, c),
                                                       hv::bipolar::bind(b, c)}) == hv::bipolar::bind(b, c));
      // Two items: they agree → that value; they differ → the tie rule.
      const auto neg = majority(std::vector<hv::PackedView>{a, b}, TieBreak::toward_negative());
      const auto pos = majority(std::vector<hv::PackedView>{a, b}, TieBreak::toward_positive());
      for (std::size_t i = 0; i < dim; ++i) {
        if (a.component(i) == b.component(i)) {
          BOOST_REQUIRE_EQUAL(neg.component(i), a.component(i));
          BOOST_REQUIRE_EQUAL(pos.component(i), a.component(i));
        } else {
          BOOST_REQUIRE_EQUAL(neg.component(i), -1);
          BOOST_REQUIRE_EQUAL(pos.component(i), 1);
        }
      }
      // Subtract undoes add.
      hv::bipolar::Accumulator acc(dim);
      acc.add(a, 2);
      acc.add(b, 3);
      acc.subtract(b, 3);
      BOOST_CHECK(acc.threshold() == a);
      acc.clear();
      BOOST_CHECK_EQUAL(acc.total_weight(), 0);
      BOOST_CHECK(acc.threshold(TieBreak::toward_positive()) == hv::bipolar::identity(dim));
    }
  }
}

namespace {
/// Exact E[cos(majority of k fair items, one item)] for odd k: the item agrees
/// with the majority iff at least (k-1)/2 of the other k-1 agree with it, so
/// E = 2 P(Bin(k-1, 1/2) >= (k-1)/2) - 1 = C(k-1, (k-1)/2) / 2^(k-1).
double expected_bundle_similarity(std::size_t k) {
  double log_c = std::lgamma(static_cast<double>(k)) -
                 2.0 * std::lgamma(static_cast<double>((k - 1) / 2 + 1));
  return std::exp(log_c - static_cast<double>(k - 1) * std::log(2.0));
}
}  // namespace

BOOST_AUTO_TEST_CASE(majority_bundle_keeps_each_item_at_the_binomial_similarity) {
  // Each component agrees independently with probability p = (1 + E)/2, so
  // one item's cosine has sd 2√(p(1-p)/D); the mean over the k items is
  // bounded by the same sd (conservatively, ignoring the averaging).
  const std::size_t dim = 10000;
  for (const std::size_t k : {3, 5, 9, 31, 101}) {
    const auto items = hv::bipolar::random_matrix(k, dim, /*seed=*/1000 + k);
    const auto bundle = hv::bipolar::majority(items.view());
    const double e = expected_bundle_similarity(k);
    const double p = (1 + e) / 2;
    const double sd = 2 * std::sqrt(p * (1 - p) / dim);
    double mean = 0;
    for (std::size_t j = 0; j < k; ++j) {
      const double c = hv::bipolar::cosine(bundle, items.row(j));
      BOOST_TEST_CONTEXT("k=" << k << " item " << j << " cos=" << c << " expected=" << e) {
        BOOST_CHECK_LT(std::abs(c - e), 5 * sd);
      }
      mean += c / k;
    }
    BOOST_TEST_CONTEXT("k=" << k << " mean=" << mean << " expected=" << e) {
      BOOST_CHECK_LT(std::abs(mean - e), 5 * sd);
    }
    // The large-k limit √(2/(πk)) is already within 1% at k = 101.
    if (k == 101) BOOST_CHECK_CLOSE(e, std::sqrt(2.0 / (M_PI * k)), 1.0);
    // A non-member stays at chance.
    const auto stranger = hv::bipolar::random(dim, 4242);
    BOOST_CHECK_LT(std::abs(hv::bipolar::cosine(bundle, stranger)), 5.0 / std::sqrt(double(dim)));
  }
  BOOST_CHECK_CLOSE(expected_bundle_similarity(3), 0.5, 1e-9);
  BOOST_CHECK_CLOSE(expected_bundle_similarity(5), 0.375, 1e-9);
}

BOOST_AUTO_TEST_CASE(bad_input_throws) {
  const auto a = hv::bipolar::random(100, 1);
  const auto b = hv::bipolar::random(64, 1);
  BOOST_CHECK_THROW(hv::bipolar::majority(std::vector<hv::PackedView>{}), hv::InvalidArgument);
  BOOST_CHECK_EXCEPTION(hv::bipolar::majority(std::vector<hv::PackedView>{a, b}), hv::DimensionError,
                        [](const hv::Error& e) {
                          return std::string(e.what()).find("items[1] has D=64") != std::string::npos;
                        });
  BOOST_CHECK_THROW(hv::bipolar::Accumulator(0), hv::DimensionError);
  hv::bipolar::Accumulator acc(100);
  BOOST_CHECK_THROW(acc.add(b), hv::DimensionError);
  BOOST_CHECK_THROW(acc.add(std::vector<std::int8_t>(99)), hv::DimensionError);
  BOOST_CHECK_THROW(acc.threshold(TieBreak::from_vector(b)), hv::DimensionError);
  BOOST_CHECK_THROW(acc.threshold(TieBreak::from_vector(hv::PackedView{})), hv::InvalidArgument);
  acc.add(a, 2'000'000'000);
  BOOST_CHECK_EXCEPTION(acc.add(a, 200'000'000), hv::InvalidArgument, [](const hv::Error& e) {
    return std::string(e.what()).find("INT32_MAX") != std::string::npos;
  });
  // The failed add changed nothing.
  for (const auto s : acc.sums()) BOOST_REQUIRE_EQUAL(std::abs(s), 2'000'000'000);
}

BOOST_AUTO_TEST_CASE(sizes_past_the_limits_throw) {
  constexpr std::size_t kSizeMax = std::numeric_limits<std::size_t>::max();
  // padded_length(D) wrapped to 0: an accumulator with D = 2^64 - 1 and no sums.
  for (const std::size_t dim : {kSizeMax, std::size_t{1} << 62, hv::kMaxDim + 1}) {
    BOOST_TEST_CONTEXT("D=" << dim) {
      BOOST_CHECK_EXCEPTION(hv::bipolar::Accumulator{dim}, hv::DimensionError, [](const hv::Error& e) {
        return std::string(e.what()).find("bipolar::Accumulator") != std::string::npos &&
               std::string(e.what()).find("kMaxDim") != std::string::npos;
      });
    }
  }
  std::vector<std::uint64_t> words(4, 0);
  const hv::PackedView huge{words.data(), kSizeMax};
  BOOST_CHECK_THROW(hv::bipolar::majority(std::vector<hv::PackedView>{huge, huge, huge}), hv::DimensionError);
  const hv::PackedMatrixView many{words.data(), kSizeMax, 64, 0};
  BOOST_CHECK_THROW(hv::bipolar::majority(many), hv::DimensionError);
}

BOOST_AUTO_TEST_CASE(tie_break_factories_keep_their_rule) {
  // TieBreak lives in tie_break.hpp (shared by bundle.hpp and dense.hpp).
  using hypervec::TieBreak;
  BOOST_TEST((TieBreak::toward_negative().kind() == TieBreak::Kind::toward_negative));
  BOOST_TEST((TieBreak::toward_positive().kind() == TieBreak::Kind::toward_positive));
  const auto r = TieBreak::random(77);
  BOOST_TEST((r.kind() == TieBreak::Kind::random));
  BOOST_TEST(r.seed() == 77U);
  const auto v = hypervec::bipolar::random(65, 3);
  const auto t = TieBreak::from_vector(v);
  BOOST_TEST((t.kind() == TieBreak::Kind::vector));
  BOOST_TEST(t.vector().words == v.words());
  BOOST_TEST(t.vector().dim == 65U);
}
