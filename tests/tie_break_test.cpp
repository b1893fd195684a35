// tests for include/hypervec/tie_break.hpp: each rule means the same thing in
// every consumer (packed Accumulator::threshold, bipolar::majority and
// bipolar::bundle, dense::hard_quantize and dense::to_packed), the random rule
// is a fair, seeded coin, and the vector rule copies its vector.
#define BOOST_TEST_MODULE tie_break
#include <hypervec/bipolar.hpp>
#include <hypervec/bundle.hpp>
#include <hypervec/dense.hpp>
#include <hypervec/tie_break.hpp>

#include "test_util.hpp"

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <random>
#include <vector>

namespace hv = hypervec;
using hv::TieBreak;

namespace {

/// Sums with ties where `tie_mask` is +1 and a clear sign elsewhere: the sum
/// of a, b, x, −x ... built as the accumulator of {a, b} where a = −b on the
/// tie components (sum 0) and a = b elsewhere (sum ±2).
struct TieCase {
  hv::PackedVector a, b;
  std::vector<float> sums;  // a + b as floats
};

TieCase make_case(std::size_t dim, std::mt19937_64& rng) {
  TieCase c{hv::test::random_packed(dim, rng), hv::PackedVector(dim), {}};
  const auto flips = hv::test::random_packed(dim, rng);  // +1: tie, −1: agree
  // b = a ⊙ flips' : b_i = −a_i where flips_i = +1 (bind by the negation).
  hv::PackedVector negated_flips(dim);
  for (std::size_t i = 0; i < dim; ++i) negated_flips.set_component(i, flips.component(i) > 0);
  c.b = hv::bipolar::bind(c.a, negated_flips);
  const auto fa = hv::dense::to_float(c.a), fb = hv::dense::to_float(c.b);
  for (std::size_t i = 0; i < dim; ++i) c.sums.push_back(fa[i] + fb[i]);
  return c;
}

std::vector<TieBreak> rules(const hv::PackedVector& tie_vector) {
  return {TieBreak::toward_negative(), TieBreak::toward_positive(), TieBreak::random(91),
          TieBreak::from_vector(tie_vector)};
}

}  // namespace

BOOST_AUTO_TEST_CASE(every_consumer_resolves_ties_alike) {
  const auto seed = hv::test::test_seed();
  BOOST_TEST_CONTEXT("seed " << seed) {
    std::mt19937_64 rng(seed);
    for (const std::size_t dim : {1, 63, 64, 65, 1000, 4096}) {
      BOOST_TEST_CONTEXT("D " << dim) {
        const auto c = make_case(dim, rng);
        const auto tie_vector = hv::test::random_packed(dim, rng);
        for (const auto& tie : rules(tie_vector)) {
          BOOST_TEST_CONTEXT("rule " << static_cast<int>(tie.kind())) {
            hv::bipolar::Accumulator acc(dim);
            acc.add(c.a);
            acc.add(c.b);
            const auto from_acc = acc.threshold(tie);
            const std::vector<hv::PackedView> items = {c.a, c.b};
            const auto from_majority = hv::bipolar::majority(items, tie);
            const auto from_to_packed = hv::dense::to_packed(c.sums, tie);
            const auto from_quantize = hv::dense::hard_quantize(c.sums, tie);
            BOOST_CHECK(from_acc == from_majority);
            BOOST_CHECK(from_acc == from_to_packed);
            const auto as_float = hv::dense::to_float(from_acc);
            BOOST_CHECK_EQUAL_COLLECTIONS(as_float.values().begin(), as_float.values().end(),
                                          from_quantize.values().begin(),
                                          from_quantize.values().end());
            // Where the sum is not 0 every rule gives its sign; at a tie the
            // rule's own value.
            for (std::size_t i = 0; i < dim; ++i) {
              int want = c.sums[i] > 0 ? 1 : -1;
              if (c.sums[i] == 0) {
                switch (tie.kind()) {
                  case TieBreak::Kind::toward_negative: want = -1; break;
                  case TieBreak::Kind::toward_positive: want = 1; break;
                  case TieBreak::Kind::random:
                    want = hv::bipolar::random(dim, tie.seed()).component(i);
                    break;
                  case TieBreak::Kind::vector: want = tie_vector.component(i); break;
                }
              }
              if (from_acc.component(i) != want) {
                BOOST_ERROR("component " << i << ": " << from_acc.component(i) << ", want " << want);
                break;
              }
            }
          }
        }
      }
    }
    // The packed bundle verb is the majority with ties toward −1.
    const auto c = make_case(777, rng);
    hv::PackedMatrix rows(2, 777);
    std::copy(c.a.words(), c.a.words() + c.a.num_words(), rows.words());
    std::copy(c.b.words(), c.b.words() + c.b.num_words(), rows.words() + rows.stride_words());
    BOOST_CHECK(hv::bipolar::bundle(rows) ==
                hv::bipolar::majority(rows, TieBreak::toward_negative()));
  }
}

BOOST_AUTO_TEST_CASE(the_random_rule_is_a_fair_seeded_coin) {
  // All D = 100000 components tie (a + (−a)); the fraction of +1 under
  // TieBreak::random is a mean of D fair coins: 1/2 ± 1/(2√D) = ±0.0016, so
  // 5σ = 0.0079. Another seed gives an independent coin: the two outputs
  // agree on a fraction 1/2 ± 5σ as well.
  constexpr std::size_t kDim = 100000;
  const auto seed = hv::test::test_seed();
  BOOST_TEST_CONTEXT("seed " << seed) {
    std::mt19937_64 rng(seed);
    const auto a = hv::test::random_packed(kDim, rng);
    hv::bipolar::Accumulator acc(kDim);
    acc.add(a);
    acc.subtract(a);
    const auto one = acc.threshold(TieBreak::random(seed));
    const auto again = acc.threshold(TieBreak::random(seed));
    const auto other = acc.threshold(TieBreak::random(seed + 1));
    BOOST_CHECK(one == again);  // reproducible
    const double sigma = 0.5 / std::sqrt(static_cast<double>(kDim));
    std::size_t plus = 0;
    for (std::size_t i = 0; i < kDim; ++i) plus += one.component(i) > 0;
    BOOST_CHECK_LE(std::abs(static_cast<double>(plus) / kDim - 0.5), 5 * sigma);
    const double agree = 1.0 - static_cast<double>(hv::bipolar::hamming(one, other)) / kDim;
    BOOST_CHECK_LE(std::abs(agree - 0.5), 5 * sigma);
  }
}
