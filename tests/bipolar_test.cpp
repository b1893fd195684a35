// Packed bipolar MAP (include/hypervec/bipolar.hpp): SIMD vs scalar reference
// on every target, algebraic laws, statistics against theory, RNG golden
// values and bad input.
#define BOOST_TEST_MODULE bipolar
#include <boost/test/unit_test.hpp>

#include <hypervec/bipolar.hpp>
#include <hypervec/random.hpp>

#include "src/reference/bipolar.hpp"
#include "tests/test_util.hpp"

#include <cmath>
#include <limits>
#include <random>
#include <vector>

namespace hv = hypervec;
using namespace hypervec::test;
namespace ref = hypervec::reference::bipolar;

BOOST_AUTO_TEST_CASE(bind_hamming_dot_cosine_match_reference_on_every_target) {
  for_each_target_and_dim(hv::test::test_seed(), [&](std::size_t dim, std::mt19937_64& rng) {
    for (int trial = 0; trial < 4; ++trial) {
      const double p = trial == 0 ? 0.5 : (trial == 1 ? 0.02 : (trial == 2 ? 0.98 : 0.5));
      const auto a = hv::test::random_packed_biased(dim, p, rng);
      const auto b = random_packed(dim, rng);
      BOOST_CHECK(hv::bipolar::bind(a, b) == ref::bind(a, b));
      BOOST_CHECK_EQUAL(hv::bipolar::hamming(a, b), ref::hamming(a, b));
      BOOST_CHECK_EQUAL(hv::bipolar::dot(a, b), ref::dot(a, b));
      BOOST_CHECK_EQUAL(hv::bipolar::cosine(a, b), ref::cosine(a, b));
      // In-place bind (out aliases a).
      auto c = a;
      hv::bipolar::bind(c, b, c.span());
      BOOST_CHECK(c == ref::bind(a, b));
    }
  });
}

BOOST_AUTO_TEST_CASE(hamming_of_long_runs_exercises_every_accumulator_flush) {
  // 40,000 words: many 15-round u8 accumulator flushes, plus a ragged tail.
  const auto seed = hv::test::test_seed();
  for_each_target([&](const std::string&) {
    std::mt19937_64 rng(seed);
    for (const std::size_t dim : {std::size_t{64 * 30}, std::size_t{64 * 31}, std::size_t{64 * 32 + 5},
                                  std::size_t{2'560'003}}) {
      const auto a = random_packed(dim, rng);
      const auto b = random_packed(dim, rng);
      BOOST_TEST_CONTEXT("D=" << dim << " seed " << seed) {
        BOOST_CHECK_EQUAL(hv::bipolar::hamming(a, b), ref::hamming(a, b));
      }
    }
    // All ones vs all zeros: every byte counts 8, the worst case for u8 lanes.
    const std::size_t dim = 64 * 1000;
    hv::PackedVector ones(dim), zeros(dim);
    std::fill(ones.words(), ones.words() + ones.num_words(), ~std::uint64_t{0});
    BOOST_CHECK_EQUAL(hv::bipolar::hamming(ones, zeros), dim);
  });
}

BOOST_AUTO_TEST_CASE(permute_matches_reference_for_every_shift_kind) {
  for_each_target_and_dim(hv::test::test_seed(), [&](std::size_t dim, std::mt19937_64& rng) {
    const auto a = random_packed(dim, rng);
    const auto d = static_cast<std::ptrdiff_t>(dim);
    for (const std::ptrdiff_t k : {std::ptrdiff_t{0}, std::ptrdiff_t{1}, std::ptrdiff_t{-1},
                                   std::ptrdiff_t{5}, std::ptrdiff_t{63}, std::ptrdiff_t{64},
                                   std::ptrdiff_t{65}, std::ptrdiff_t{127}, std::ptrdiff_t{129},
                                   std::ptrdiff_t{1000}, d - 1, d, d + 3, -d - 5,
                                   std::ptrdiff_t{1'000'003}, std::ptrdiff_t{-777'777}}) {
      BOOST_TEST_CONTEXT("shifts=" << k) { BOOST_CHECK(hv::bipolar::permute(a, k) == ref::permute(a, k)); }
    }
  });
}

BOOST_AUTO_TEST_CASE(algebraic_laws) {
  for_each_dim(hv::test::test_seed(), [&](std::size_t dim, std::mt19937_64& rng) {
    const auto a = random_packed(dim, rng);
    const auto b = random_packed(dim, rng);
    const auto c = random_packed(dim, rng);
    const auto id = hv::bipolar::identity(dim);
    using hv::bipolar::bind;
    using hv::bipolar::permute;
    BOOST_CHECK(hv::bipolar::unbind(bind(a, b), b) == a);          // self-inverse
    BOOST_CHECK(bind(a, a) == id);                                  // a ⊗ a = 1
    BOOST_CHECK(bind(a, b) == bind(b, a));                          // commutative
    BOOST_CHECK(bind(bind(a, b), c) == bind(a, bind(b, c)));        // associative
    BOOST_CHECK(bind(a, id) == a);                                  // identity
    const std::vector<hv::PackedView> abc = {a, b, c};
    BOOST_CHECK(hv::bipolar::multibind(abc) == bind(bind(a, b), c));
    for (const std::ptrdiff_t j : {3, -70, 1000}) {
      for (const std::ptrdiff_t k : {1, 64, -9}) {
        BOOST_CHECK(permute(permute(a, j), k) == permute(a, j + k));  // composition
      }
      BOOST_CHECK(hv::bipolar::inverse_permute(permute(a, j), j) == a);  // inverse
      // Permutation preserves similarity and distributes over binding.
      BOOST_CHECK_EQUAL(hv::bipolar::cosine(permute(a, j), permute(b, j)),
                        hv::bipolar::cosine(a, b));
      BOOST_CHECK(permute(bind(a, b), j) == bind(permute(a, j), permute(b, j)));
    }
    BOOST_CHECK(permute(a, static_cast<std::ptrdiff_t>(dim)) == a);
    BOOST_CHECK_EQUAL(hv::bipolar::dot(a, a), static_cast<std::int64_t>(dim));
  });
}

BOOST_AUTO_TEST_CASE(random_pairs_are_orthogonal_with_sigma_one_over_sqrt_d) {
  // For independent fair vectors h ~ Binomial(D, 1/2), so cos = 1 - 2h/D has
  // mean 0 and variance exactly 1/D. With n pairs the sample mean has
  // σ = 1/√(nD) and the sample variance s² has sd ≈ (1/D)·√(2/(n-1)).
  // Bounds at 5 sd: a false failure has probability < 1e-6.
  for (const std::size_t dim : {std::size_t{1000}, std::size_t{4096}, std::size_t{10000}}) {
    const std::size_t n = 2000;
    const auto codebook = hv::bipolar::random_matrix(2 * n, dim, /*seed=*/7);
    hv::test::OrthogonalCosines cosines;
    for (std::size_t i = 0; i < n; ++i) {
      cosines.add(hv::bipolar::cosine(codebook.row(2 * i), codebook.row(2 * i + 1)));
    }
    cosines.check(dim, n);
  }
}

BOOST_AUTO_TEST_CASE(bound_pair_is_dissimilar_to_its_factors) {
  // cos(a⊗b, a) = cos(b, 1) for random b: again mean 0, σ = 1/√D.
  const std::size_t dim = 4096;
  const auto atoms = hv::bipolar::random_matrix(200, dim, /*seed=*/11);
  for (std::size_t i = 0; i + 1 < atoms.rows(); i += 2) {
    const auto bound = hv::bipolar::bind(atoms.row(i), atoms.row(i + 1));
    BOOST_CHECK_LT(std::abs(hv::bipolar::cosine(bound, atoms.row(i))), 5.0 / std::sqrt(4096.0));
    BOOST_CHECK_LT(std::abs(hv::bipolar::cosine(bound, atoms.row(i + 1))), 5.0 / std::sqrt(4096.0));
    BOOST_CHECK(hv::bipolar::unbind(bound, atoms.row(i + 1)) == hv::PackedVector(hv::bipolar::random(dim, 11, i)));
  }
}

BOOST_AUTO_TEST_CASE(rng_golden_values_pin_the_stream) {
  // Computed independently from the formula in random.hpp / docs/concepts.md
  // (Python, arbitrary-precision integers masked to 64 bits).
  BOOST_CHECK_EQUAL(hv::random::stream_word(hv::random::row_key(0, 0), 0), 0xe220a8397b1dcdafULL);
  BOOST_CHECK_EQUAL(hv::random::stream_word(hv::random::row_key(0, 0), 1), 0x6e789e6aa1b965f4ULL);
  const auto v = hv::bipolar::random(192, /*seed=*/42, /*row=*/0);
  BOOST_CHECK_EQUAL(v.words()[0], 0x9d591bb7266b13f3ULL);
  BOOST_CHECK_EQUAL(v.words()[1], 0x733a550e28bd9590ULL);
  BOOST_CHECK_EQUAL(v.words()[2], 0x34d61dbd015a27d8ULL);
  const auto r1 = hv::bipolar::random(128, 42, 1);
  BOOST_CHECK_EQUAL(r1.words()[0], 0x196e01eba8e0a0d4ULL);
  BOOST_CHECK_EQUAL(r1.words()[1], 0xf9c2c0931cd997a5ULL);
  const auto r3000 = hv::bipolar::random(70, 42, 3000);  // tail masked to 6 bits
  BOOST_CHECK_EQUAL(r3000.words()[0], 0x2f599583336353adULL);
  BOOST_CHECK_EQUAL(r3000.words()[1], 0x8f41cacdb6ea43a9ULL & 0x3FULL);
}

BOOST_AUTO_TEST_CASE(random_matrix_rows_do_not_depend_on_threads_or_offset) {
  // D = 65536 (1024 words a row) so that 300 rows really split over threads.
  const std::size_t dim = 65536, words = dim / 64;
  const auto one = hv::bipolar::random_matrix(300, dim, 5, {.threads = 1});
  const auto two = hv::bipolar::random_matrix(300, dim, 5, {.threads = 2});
  const auto many = hv::bipolar::random_matrix(300, dim, 5, {.threads = 7});
  const auto tail = hv::bipolar::random_matrix(100, dim, 5, {.first_row = 200, .threads = 3});
  for (std::size_t r = 0; r < 300; ++r) {
    const auto expected = hv::bipolar::random(dim, 5, r);
    BOOST_CHECK(std::equal(expected.words(), expected.words() + words, one.row(r).words));
    BOOST_CHECK(std::equal(expected.words(), expected.words() + words, two.row(r).words));
    BOOST_CHECK(std::equal(expected.words(), expected.words() + words, many.row(r).words));
    if (r >= 200) BOOST_CHECK(std::equal(expected.words(), expected.words() + words, tail.row(r - 200).words));
  }
}

BOOST_AUTO_TEST_CASE(bad_input_throws_with_a_message_naming_the_problem) {
  const auto a = hv::bipolar::random(100, 1);
  const auto b = hv::bipolar::random(101, 1);
  BOOST_CHECK_EXCEPTION(hv::bipolar::bind(a, b), hv::DimensionError, [](const hv::Error& e) {
    return message_has(e, "bipolar::bind") && message_has(e, "D=100") && message_has(e, "D=101");
  });
  BOOST_CHECK_THROW(hv::bipolar::hamming(a, b), hv::DimensionError);
  BOOST_CHECK_THROW(hv::bipolar::cosine(a, b), hv::DimensionError);
  BOOST_CHECK_THROW(hv::bipolar::dot(a, b), hv::DimensionError);
  BOOST_CHECK_EXCEPTION(hv::bipolar::random(0, 1), hv::DimensionError,
                        [](const hv::Error& e) { return message_has(e, "D=0"); });
  BOOST_CHECK_THROW(hv::bipolar::identity(0), hv::DimensionError);
  BOOST_CHECK_EXCEPTION(hv::bipolar::multibind({}), hv::InvalidArgument,
                        [](const hv::Error& e) { return message_has(e, "empty"); });
  const std::vector<hv::PackedView> mixed = {a, b};
  BOOST_CHECK_EXCEPTION(hv::bipolar::multibind(mixed), hv::DimensionError,
                        [](const hv::Error& e) { return message_has(e, "items[1]"); });
  hv::PackedVector out(101);
  BOOST_CHECK_THROW(hv::bipolar::bind(a, a, out.span()), hv::DimensionError);
  hv::PackedVector same = a;
  BOOST_CHECK_THROW(hv::bipolar::permute(same, 3, same.span()), hv::InvalidArgument);

  // Views over caller memory are checked at the door.
  std::vector<std::uint64_t> words = {~0ULL, 0x7ULL};
  BOOST_CHECK_NO_THROW(hv::make_packed_view(words.data(), words.size(), 67));
  BOOST_CHECK_EXCEPTION(hv::make_packed_view(words.data(), 1, 67), hv::DimensionError,
                        [](const hv::Error& e) { return message_has(e, "needs 2"); });
  BOOST_CHECK_EXCEPTION(hv::make_packed_view(words.data(), words.size(), 66), hv::InvalidArgument,
                        [](const hv::Error& e) { return message_has(e, "tail"); });
  BOOST_CHECK_THROW(hv::make_packed_view(nullptr, 2, 66), hv::InvalidArgument);
  BOOST_CHECK_THROW(hv::make_packed_view(words.data(), 2, 0), hv::DimensionError);
}

BOOST_AUTO_TEST_CASE(permute_and_inverse_permute_take_extreme_shifts) {
  // inverse_permute negated its shift: -PTRDIFF_MIN is signed overflow.
  constexpr auto kMin = std::numeric_limits<std::ptrdiff_t>::min();
  constexpr auto kMax = std::numeric_limits<std::ptrdiff_t>::max();
  const auto seed = hv::test::test_seed();
  std::mt19937_64 rng(seed);
  for (const std::size_t dim : kDims) {
    const auto a = random_packed(dim, rng);
    const __int128 d = static_cast<__int128>(dim);
    for (const std::ptrdiff_t k : {kMin, kMin + 1, kMax, kMax - 1}) {
      BOOST_TEST_CONTEXT("D=" << dim << " shifts=" << k << " seed " << seed) {
        const auto forward = static_cast<std::ptrdiff_t>(((static_cast<__int128>(k) % d) + d) % d);
        const auto backward = static_cast<std::ptrdiff_t>(((-static_cast<__int128>(k) % d) + d) % d);
        BOOST_CHECK(hv::bipolar::permute(a, k) == ref::permute(a, forward));
        BOOST_CHECK(hv::bipolar::inverse_permute(a, k) == ref::permute(a, backward));
        BOOST_CHECK(hv::bipolar::inverse_permute(hv::bipolar::permute(a, k), k) == a);
        hv::PackedVector out(dim);
        hv::bipolar::inverse_permute(a, k, out.span());
        BOOST_CHECK(out == ref::permute(a, backward));
      }
    }
  }
  hv::PackedVector same = hv::bipolar::random(100, 1);
  BOOST_CHECK_EXCEPTION(hv::bipolar::inverse_permute(same, kMin, same.span()), hv::InvalidArgument,
                        [](const hv::Error& e) { return message_has(e, "bipolar::inverse_permute"); });
}

BOOST_AUTO_TEST_CASE(sizes_past_the_limits_throw_before_allocating) {
  constexpr std::size_t kSizeMax = std::numeric_limits<std::size_t>::max();
  auto names = [](const char* where, const char* limit) {
    return [=](const hv::Error& e) { return message_has(e, where) && message_has(e, limit); };
  };
  // D = 2^64 - 1 (a CLI "--dim -1"): packed_words wrapped to 0 and
  // random_matrix divided by it.
  BOOST_CHECK_EXCEPTION(hv::bipolar::random_matrix(3, kSizeMax, 1), hv::DimensionError,
                        names("bipolar::random_matrix", "kMaxDim"));
  BOOST_CHECK_EXCEPTION(hv::bipolar::random(kSizeMax, 1), hv::DimensionError,
                        names("bipolar::random", "kMaxDim"));
  BOOST_CHECK_EXCEPTION(hv::bipolar::random(hv::kMaxDim + 1, 1), hv::DimensionError,
                        names("bipolar::random", "kMaxDim"));
  BOOST_CHECK_EXCEPTION(hv::bipolar::identity(kSizeMax), hv::DimensionError,
                        names("bipolar::identity", "kMaxDim"));
  // rows x stride x 8 wrapped to 0 bytes: a null buffer then filled.
  BOOST_CHECK_EXCEPTION(hv::bipolar::random_matrix(std::size_t{1} << 58, 64, 1), hv::DimensionError,
                        names("bipolar::random_matrix", "kMaxRows"));
  BOOST_CHECK_EXCEPTION(hv::bipolar::random_matrix(hv::kMaxRows, hv::kMaxDim, 1), hv::DimensionError,
                        names("bipolar::random_matrix", "kMaxBytes"));
#if !defined(__SANITIZE_ADDRESS__)
  // D at the bound times rows: legal, but more than this machine has.
  BOOST_CHECK_THROW(hv::bipolar::random_matrix(std::size_t{1} << 20, hv::kMaxDim, 1), std::bad_alloc);
#endif
  // Views whose D is past the limit are refused, not read.
  std::vector<std::uint64_t> words(4, 0);
  const hv::PackedView huge{words.data(), kSizeMax};
  BOOST_CHECK_EXCEPTION(hv::bipolar::hamming(huge, huge), hv::DimensionError,
                        names("bipolar::hamming", "kMaxDim"));
  BOOST_CHECK_THROW(hv::bipolar::dot(huge, huge), hv::DimensionError);
  BOOST_CHECK_THROW(hv::bipolar::cosine(huge, huge), hv::DimensionError);
  BOOST_CHECK_THROW(hv::bipolar::bind(huge, huge), hv::DimensionError);
  BOOST_CHECK_THROW(hv::bipolar::permute(huge, 1), hv::DimensionError);
  BOOST_CHECK_THROW(hv::bipolar::inverse_permute(huge, 1), hv::DimensionError);
  const std::vector<hv::PackedView> items = {huge};
  BOOST_CHECK_THROW(hv::bipolar::multibind(items), hv::DimensionError);
}

// --- The common model verbs (issue 13): bundle, inverse, unbind into out,
// random_matrix options. ---------------------------------------------------------

BOOST_AUTO_TEST_CASE(bundle_is_majority_inverse_is_self_and_unbind_into_out) {
  const auto seed = hv::test::test_seed();
  for_each_dim(seed, [&](std::size_t dim, std::mt19937_64& rng) {
    // Even count: ties occur, so the tie rule must reach majority.
    const auto items = hv::test::random_items(4, dim, rng);
    const auto views = hv::test::views_of(items);
    for (const auto& tie : {hv::TieBreak::toward_negative(), hv::TieBreak::toward_positive(),
                            hv::TieBreak::random(seed)}) {
      const auto expected = hv::bipolar::majority(views, tie);
      BOOST_CHECK(hv::bipolar::bundle(views, tie) == expected);
      hv::PackedMatrix m(items.size(), dim);
      for (std::size_t r = 0; r < items.size(); ++r) {
        std::copy(items[r].words(), items[r].words() + items[r].num_words(),
                  m.row_span(r).words);
      }
      BOOST_CHECK(hv::bipolar::bundle(m.view(), tie) == expected);
    }
    // Componentwise check of one bundle against counting the votes.
    const auto b = hv::bipolar::bundle(views);
    for (std::size_t i = 0; i < dim; ++i) {
      int minus = 0;
      for (const auto& v : items) minus += v.component(i) < 0;
      const int want = minus > 2 ? -1 : (minus < 2 ? 1 : -1);  // tie → -1 (default)
      BOOST_REQUIRE_EQUAL(b.component(i), want);
    }

    const auto& a = items[0];
    const auto& key = items[1];
    const auto inv = hv::bipolar::inverse(a);
    BOOST_CHECK(inv == a);
    BOOST_CHECK(hv::bipolar::bind(a, inv) == hv::bipolar::identity(dim));

    const auto bound = hv::bipolar::bind(a, key);
    hv::PackedVector out(dim);
    hv::bipolar::unbind(bound, key, out.span());
    BOOST_CHECK(out == a);
    hv::PackedVector in_place = bound;  // out aliases bound
    hv::bipolar::unbind(in_place, key, in_place.span());
    BOOST_CHECK(in_place == a);
  });
  BOOST_CHECK_THROW(hv::bipolar::bundle(std::span<const hv::PackedView>{}), hv::InvalidArgument);
  const auto a = hv::bipolar::random(64, 1), b = hv::bipolar::random(65, 1);
  hv::PackedVector out(65);
  BOOST_CHECK_THROW(hv::bipolar::unbind(a, a, out.span()), hv::DimensionError);
  const std::vector<hv::PackedView> mixed = {a.view(), b.view()};
  BOOST_CHECK_THROW(hv::bipolar::bundle(mixed), hv::DimensionError);
}

BOOST_AUTO_TEST_CASE(random_matrix_options_and_unit_norm_refused) {
  const auto m = hv::bipolar::random_matrix(3, 100, 9, {.first_row = 7});
  for (std::size_t r = 0; r < 3; ++r) {
    const auto expected = hv::bipolar::random(100, 9, 7 + r);
    BOOST_CHECK(std::equal(expected.words(), expected.words() + expected.num_words(),
                           m.row(r).words));
  }
  BOOST_CHECK_EXCEPTION(hv::bipolar::random_matrix(3, 100, 9, {.unit_norm = true}),
                        hv::InvalidArgument, [](const hv::InvalidArgument& e) {
                          return message_has(e, "bipolar::random_matrix") &&
                                 message_has(e, "unit_norm");
                        });
}
