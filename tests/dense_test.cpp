// Dense MAP vectors (include/hypervec/dense.hpp): SIMD vs scalar reference on
// every target (bit-exact for int8 and packed results, a derived tolerance
// for float sums), algebraic laws, agreement with the packed bipolar model on
// ±1 data, tie rules, zero vectors, statistics against theory and bad input.
//
// Float tolerances (u = 2^-24, the unit roundoff of float):
//  * dot: the kernel's bound (simd/real-inl.h) |err| <= γ_k Σ|a_i b_i| with
//    k <= D/4 + 32 on every target; the double reference adds <= D·2^-53 Σ|ab|.
//    We allow (D/4 + 32)·u·1.01·Σ|a_i b_i| + D·2^-149 (underflowed products).
//    Integer-valued inputs (exact in float) must match exactly, which catches
//    any lost or doubled term that the tolerance could hide.
//  * cosine: dot and both squared norms carry relative error <= γ_k (k <=
//    D/2 + 32, two accumulators each), so |cos err| <= 2γ_k/(1-γ_k) + a few
//    double roundings: we allow 2.1·(D/2 + 32)·u + 1e-14.
//  * add_scaled / bundle of K rows: one fused vs. unfused multiply-add per
//    row, so per component |err| <= 2K·u·Σ_k |w_k x_k,i| (both sides round);
//    we allow 4K·u·Σ_k |w_k x_k,i|.
#define BOOST_TEST_MODULE dense
#include <boost/test/unit_test.hpp>

#include <hypervec/bipolar.hpp>
#include <hypervec/bundle.hpp>
#include <hypervec/dense.hpp>

#include "src/reference/dense.hpp"
#include "tests/test_util.hpp"

#include <cmath>
#include <limits>
#include <random>
#include <vector>

namespace hv = hypervec;
using namespace hypervec::test;
namespace ref = hypervec::reference::dense;
using hv::TieBreak;

namespace {

constexpr double kU = 0x1p-24;  // unit roundoff of float

/// Small integers in [-range, range] with about 1/4 zeros: exact in float,
/// and full of ties for thresholding.
std::vector<float> integer_floats(std::size_t dim, std::mt19937_64& rng, int range) {
  std::vector<float> v(dim);
  for (auto& x : v) {
    x = (rng() % 4 == 0) ? 0.0f : static_cast<float>(static_cast<int>(rng() % (2 * range + 1)) - range);
  }
  return v;
}

/// Any int8 value including -128, with extra zeros and extremes.
std::vector<std::int8_t> random_int8(std::size_t dim, std::mt19937_64& rng) {
  std::vector<std::int8_t> v(dim);
  for (auto& x : v) {
    const auto r = rng();
    switch (r % 8) {
      case 0: x = 0; break;
      case 1: x = -128; break;
      case 2: x = 127; break;
      default: x = static_cast<std::int8_t>(static_cast<int>((r >> 8) % 256) - 128); break;
    }
  }
  return v;
}

template <typename T>
bool same(std::span<const T> a, std::span<const T> b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin());
}

double dot_tolerance(std::size_t dim, double abs_dot) {
  const double d = static_cast<double>(dim);
  return (d / 4 + 32) * kU * 1.01 * abs_dot + d * 0x1p-149;
}

double cosine_tolerance(std::size_t dim) {
  return 2.1 * (static_cast<double>(dim) / 2 + 32) * kU + 1e-14;
}


}  // namespace

BOOST_AUTO_TEST_CASE(float_kernels_match_reference_on_every_target) {
  for_each_target_and_dim(hv::test::test_seed(), [&](std::size_t dim, std::mt19937_64& rng) {
    const auto a = random_floats(dim, rng);
    const auto b = random_floats(dim, rng, 3.0f);
    std::span<const float> sa(a), sb(b);

    // bind: one IEEE multiplication per component, bit-exact.
    BOOST_CHECK(same<float>(hv::dense::bind(sa, sb), ref::bind(sa, sb)));
    std::vector<float> c = a;
    hv::dense::bind(c, sb, c);  // in place: out aliases a
    BOOST_CHECK(same<float>(c, ref::bind(sa, sb)));

    // dot and cosine within the derived bounds.
    const double expected_dot = ref::dot(sa, sb);
    BOOST_CHECK_LE(std::abs(hv::dense::dot(sa, sb) - expected_dot),
                   dot_tolerance(dim, ref::abs_dot(sa, sb)));
    BOOST_CHECK_LE(std::abs(hv::dense::cosine(sa, sb) - ref::cosine(sa, sb)),
                   cosine_tolerance(dim));

    // Integer-valued data: every partial sum is exact in float.
    const auto ia = integer_floats(dim, rng, 8);
    const auto ib = integer_floats(dim, rng, 8);
    BOOST_CHECK_EQUAL(hv::dense::dot(std::span<const float>(ia), ib),
                      ref::dot(ia, ib));

    // add_scaled and bundle.
    std::vector<float> acc = random_floats(dim, rng);
    std::vector<float> acc_ref = acc;
    hv::dense::add_scaled(sa, -2.5f, acc);
    ref::add_scaled(sa, -2.5f, acc_ref);
    bool close = true;
    for (std::size_t i = 0; i < dim; ++i) {
      const double bound = 4 * kU * (std::abs(2.5 * a[i]) + std::abs(acc_ref[i]));
      close = close && std::abs(double{acc[i]} - acc_ref[i]) <= bound;
    }
    BOOST_CHECK(close);

    const std::size_t k_rows = 5;
    hv::DenseMatrix<float> rows(k_rows, dim);
    for (std::size_t k = 0; k < k_rows; ++k) {
      const auto r = random_floats(dim, rng);
      std::copy(r.begin(), r.end(), rows.row(k).begin());
    }
    const std::vector<float> weights = {1.0f, -0.5f, 3.0f, 0.25f, -7.0f};
    for (const bool weighted : {false, true}) {
      std::span<const float> w = weighted ? std::span<const float>(weights)
                                          : std::span<const float>();
      const auto got = hv::dense::bundle(rows, w);
      const auto want = ref::bundle(rows, w);
      bool ok = true;
      for (std::size_t i = 0; i < dim; ++i) {
        double scale = 0;
        for (std::size_t k = 0; k < k_rows; ++k) {
          scale += std::abs(double{rows.row(k)[i]} * (weighted ? weights[k] : 1.0f));
        }
        ok = ok && std::abs(double{got[i]} - want[i]) <= 4.0 * k_rows * kU * scale;
      }
      BOOST_CHECK(ok);
    }

    // sign and clip: exact.
    BOOST_CHECK(same<float>(hv::dense::sign(ia), ref::sign(ia)));
    BOOST_CHECK(same<float>(hv::dense::sign(sa), ref::sign(sa)));
    BOOST_CHECK(same<float>(hv::dense::clip(sb, -1.5f, 0.75f), ref::clip(sb, -1.5f, 0.75f)));

    // Thresholding with every tie rule, on data full of zeros.
    const auto tie_vector = random_packed(dim, rng);
    for (const TieBreak& tie : all_tie_rules(tie_vector)) {
      BOOST_TEST_CONTEXT("tie kind " << static_cast<int>(tie.kind())) {
        BOOST_CHECK(hv::dense::to_packed(std::span<const float>(ia), tie) ==
                    ref::to_packed(ia, tie));
        BOOST_CHECK(same<float>(hv::dense::hard_quantize(ia, tie), ref::hard_quantize(ia, tie)));
        BOOST_CHECK(hv::dense::to_packed(sa, tie) == ref::to_packed(sa, tie));
      }
    }

    // Packed → float.
    const auto p = random_packed(dim, rng);
    BOOST_CHECK(same<float>(hv::dense::to_float(p), ref::to_float(p)));
  });
}

BOOST_AUTO_TEST_CASE(int8_kernels_match_reference_bit_exactly_on_every_target) {
  for_each_target_and_dim(hv::test::test_seed(), [&](std::size_t dim, std::mt19937_64& rng) {
    const auto a = random_int8(dim, rng);
    const auto b = random_int8(dim, rng);
    using S = std::span<const std::int8_t>;
    S sa(a), sb(b);
    BOOST_CHECK(same<std::int8_t>(hv::dense::bind(sa, sb), ref::bind(sa, sb)));
    std::vector<std::int8_t> c = b;
    hv::dense::bind(sa, c, c);  // in place: out aliases b
    BOOST_CHECK(same<std::int8_t>(c, ref::bind(sa, sb)));
    BOOST_CHECK_EQUAL(hv::dense::dot(sa, sb), ref::dot(sa, sb));
    BOOST_CHECK_EQUAL(hv::dense::dot(sa, sa), ref::dot(sa, sa));
    BOOST_CHECK_EQUAL(hv::dense::cosine(sa, sb), ref::cosine(sa, sb));
    BOOST_CHECK(same<std::int8_t>(hv::dense::sign(sa), ref::sign(sa)));

    std::vector<std::int32_t> sums(dim);
    for (auto& s : sums) s = static_cast<std::int32_t>(rng() % 2001) - 1000;
    sums[0] = std::numeric_limits<std::int32_t>::min();
    sums[dim - 1] = std::numeric_limits<std::int32_t>::max();
    for (const int kappa : {1, 3, 100, 127}) {
      BOOST_CHECK(same<std::int8_t>(hv::dense::clip(sums, kappa), ref::clip(sums, kappa)));
    }

    const auto tie_vector = random_packed(dim, rng);
    for (const TieBreak& tie : all_tie_rules(tie_vector)) {
      BOOST_CHECK(hv::dense::to_packed(sa, tie) == ref::to_packed(sa, tie));
    }
    const auto p = random_packed(dim, rng);
    BOOST_CHECK(same<std::int8_t>(hv::dense::to_int8(p), ref::to_int8(p)));
  });
}

BOOST_AUTO_TEST_CASE(int8_dot_stays_exact_past_the_int32_range) {
  // All -128: every product is 2^14, the largest; D > 2^21 makes each lane
  // pass several int32 flushes and the total (2^14 · D > 2^35) overflow int32.
  const std::size_t dim = (std::size_t{1} << 21) + 77;
  const std::vector<std::int8_t> a(dim, -128);
  std::vector<std::int8_t> b(dim, -128);
  b[5] = 127;  // one odd term, so a lost term or lane shows
  const std::int64_t expected = 16384 * static_cast<std::int64_t>(dim - 1) - 128 * 127;
  for_each_target([&](const std::string&) {
    BOOST_CHECK_EQUAL(hv::dense::dot(std::span<const std::int8_t>(a), b), expected);
    BOOST_CHECK_EQUAL(hv::dense::cosine(std::span<const std::int8_t>(a), a), 1.0);
  });
}

BOOST_AUTO_TEST_CASE(dense_results_equal_packed_bipolar_results_on_pm1_data) {
  for_each_target_and_dim(hv::test::test_seed(), [&](std::size_t dim, std::mt19937_64& rng) {
    const auto a = random_packed(dim, rng);
    const auto b = random_packed(dim, rng);
    const auto fa = hv::dense::to_float(a), fb = hv::dense::to_float(b);
    const auto ia = hv::dense::to_int8(a), ib = hv::dense::to_int8(b);
    // Sums of ±1 are exact in float below 2^24: equality, not closeness.
    BOOST_CHECK_EQUAL(hv::dense::dot(fa, fb), hv::bipolar::dot(a, b));
    BOOST_CHECK_EQUAL(hv::dense::dot(ia, ib), hv::bipolar::dot(a, b));
    // cosine = dot / (√D·√D), which may differ from dot / D in the last bit.
    BOOST_CHECK_LE(std::abs(hv::dense::cosine(fa, fb) - hv::bipolar::cosine(a, b)), 1e-15);
    BOOST_CHECK_LE(std::abs(hv::dense::cosine(ia, ib) - hv::bipolar::cosine(a, b)), 1e-15);
    // bind of ±1 is the XOR of the bits.
    BOOST_CHECK(hv::dense::to_packed(hv::dense::bind(fa, fb).values()) ==
                hv::bipolar::bind(a, b));
    BOOST_CHECK(hv::dense::to_packed(hv::dense::bind(ia, ib).values()) ==
                hv::bipolar::bind(a, b));
    // Round trips.
    BOOST_CHECK(hv::dense::to_packed(fa.values()) == a);
    BOOST_CHECK(hv::dense::to_packed(ia.values()) == a);
    // Bundling: the threshold of the float sum is the majority vote,
    // ties included (4 items: even, so ties occur).
    std::vector<hv::PackedVector> items;
    for (int k = 0; k < 4; ++k) items.push_back(random_packed(dim, rng));
    hv::DenseMatrix<float> rows(items.size(), dim);
    for (std::size_t k = 0; k < items.size(); ++k) {
      const auto f = hv::dense::to_float(items[k]);
      std::copy(f.values().begin(), f.values().end(), rows.row(k).begin());
    }
    const auto views = hv::test::views_of(items);
    for (const TieBreak& tie : {TieBreak::toward_negative(), TieBreak::random(5)}) {
      BOOST_CHECK(hv::dense::to_packed(hv::dense::bundle(rows).values(), tie) ==
                  hv::bipolar::majority(views, tie));
    }
    // MAP-I clipping at kappa = 1 then thresholding = Accumulator::threshold.
    hv::bipolar::Accumulator acc(dim);
    for (const auto& item : items) acc.add(item, 3);
    BOOST_CHECK(hv::dense::to_packed(hv::dense::clip(acc.sums(), 1).values()) ==
                acc.threshold());
  });
}

BOOST_AUTO_TEST_CASE(algebraic_laws) {
  for_each_dim(hv::test::test_seed(), [&](std::size_t dim, std::mt19937_64& rng) {
    // Float: products of small integers are exact, so associativity holds exactly.
    const auto a = integer_floats(dim, rng, 5), b = integer_floats(dim, rng, 5),
               c = integer_floats(dim, rng, 5);
    using F = std::span<const float>;
    BOOST_CHECK(same<float>(hv::dense::bind(F(a), F(b)), hv::dense::bind(F(b), F(a))));
    BOOST_CHECK(same<float>(hv::dense::bind(hv::dense::bind(F(a), F(b)).values(), F(c)),
                            hv::dense::bind(F(a), hv::dense::bind(F(b), F(c)).values())));
    // int8 values in [-5, 5]: |a b c| <= 125, no saturation anywhere.
    std::vector<std::int8_t> x(dim), y(dim), z(dim);
    for (std::size_t i = 0; i < dim; ++i) {
      x[i] = static_cast<std::int8_t>(a[i]);
      y[i] = static_cast<std::int8_t>(b[i]);
      z[i] = static_cast<std::int8_t>(c[i]);
    }
    using I = std::span<const std::int8_t>;
    BOOST_CHECK(same<std::int8_t>(hv::dense::bind(I(x), I(y)), hv::dense::bind(I(y), I(x))));
    BOOST_CHECK(same<std::int8_t>(hv::dense::bind(hv::dense::bind(I(x), I(y)).values(), I(z)),
                                  hv::dense::bind(I(x), hv::dense::bind(I(y), I(z)).values())));
    // ±1 keys are self-inverse: unbinding with the key recovers the item.
    const auto key = random_packed(dim, rng);
    const auto fk = hv::dense::to_float(key);
    const auto ik = hv::dense::to_int8(key);
    BOOST_CHECK(same<float>(hv::dense::bind(hv::dense::bind(F(a), fk).values(), fk), a));
    BOOST_CHECK(same<std::int8_t>(hv::dense::bind(hv::dense::bind(I(x), ik).values(), ik), x));
    // The saturation is symmetric: -128 · -1 → 127, -128 · 1 → -127.
    const std::vector<std::int8_t> m = {-128, -128, 127, -127};
    const std::vector<std::int8_t> s = {-1, 1, 127, 127};
    const std::vector<std::int8_t> want = {127, -127, 127, -127};
    BOOST_CHECK(same<std::int8_t>(hv::dense::bind(I(m), I(s)), want));
    // Dense ↔ packed round trips, and normalize = to_float ∘ to_packed.
    BOOST_CHECK(hv::dense::to_packed(hv::dense::to_float(key).values()) == key);
    const auto r = random_floats(dim, rng);
    BOOST_CHECK(same<float>(hv::dense::to_float(hv::dense::to_packed(F(r))),
                            hv::dense::hard_quantize(F(r))));
  });
}

BOOST_AUTO_TEST_CASE(tie_rules_for_zero_components) {
  for (const std::size_t dim : kDims) {
    BOOST_TEST_CONTEXT("D=" << dim) {
      const std::vector<float> zeros(dim, 0.0f);
      const std::vector<std::int8_t> zeros8(dim, 0);
      using F = std::span<const float>;
      using I = std::span<const std::int8_t>;
      // Default (torchhd's MAP normalize): ties go to -1.
      const auto neg = hv::dense::hard_quantize(F(zeros));
      BOOST_CHECK(std::all_of(neg.values().begin(), neg.values().end(),
                              [](float v) { return v == -1.0f; }));
      const auto pos = hv::dense::hard_quantize(F(zeros), TieBreak::toward_positive());
      BOOST_CHECK(std::all_of(pos.values().begin(), pos.values().end(),
                              [](float v) { return v == 1.0f; }));
      // Random ties are the components of bipolar::random(D, seed).
      const auto coin = hv::bipolar::random(dim, 1234);
      BOOST_CHECK(hv::dense::to_packed(F(zeros), TieBreak::random(1234)) == coin);
      BOOST_CHECK(hv::dense::to_packed(I(zeros8), TieBreak::random(1234)) == coin);
      BOOST_CHECK(same<float>(hv::dense::hard_quantize(F(zeros), TieBreak::random(1234)),
                              hv::dense::to_float(coin)));
      // Vector ties take the tie vector's components; nonzero inputs ignore it.
      const auto tv = hv::bipolar::random(dim, 77);
      BOOST_CHECK(hv::dense::to_packed(I(zeros8), TieBreak::from_vector(tv)) == tv);
      std::vector<float> x(dim, 0.0f);
      x[0] = 2.0f;  // +1 regardless of the tie vector
      const auto px = hv::dense::to_packed(F(x), TieBreak::toward_negative());
      BOOST_CHECK_EQUAL(px.component(0), 1);
      if (dim > 1) BOOST_CHECK_EQUAL(px.component(1), -1);
      // -0.0f is a zero too.
      x[0] = -0.0f;
      BOOST_CHECK_EQUAL(hv::dense::to_packed(F(x), TieBreak::toward_positive()).component(0), 1);
      // sign(0) = 0.
      BOOST_CHECK_EQUAL(hv::dense::sign(F(zeros))[0], 0.0f);
      BOOST_CHECK_EQUAL(hv::dense::sign(I(zeros8))[0], 0);
    }
  }
}

BOOST_AUTO_TEST_CASE(cosine_of_a_zero_vector_is_zero_and_of_itself_one) {
  std::mt19937_64 rng(hv::test::test_seed());
  for_each_target([&](const std::string&) {
    for (const std::size_t dim : kDims) {
      BOOST_TEST_CONTEXT("D=" << dim) {
        const std::vector<float> zero(dim, 0.0f);
        const auto a = random_floats(dim, rng);
        using F = std::span<const float>;
        BOOST_CHECK_EQUAL(hv::dense::cosine(F(zero), F(a)), 0.0);
        BOOST_CHECK_EQUAL(hv::dense::cosine(F(a), F(zero)), 0.0);
        BOOST_CHECK_EQUAL(hv::dense::cosine(F(zero), F(zero)), 0.0);
        BOOST_CHECK_LE(std::abs(hv::dense::cosine(F(a), F(a)) - 1.0), cosine_tolerance(dim));
        const std::vector<std::int8_t> zero8(dim, 0);
        const auto x = random_int8(dim, rng);
        using I = std::span<const std::int8_t>;
        BOOST_CHECK_EQUAL(hv::dense::cosine(I(zero8), I(x)), 0.0);
        BOOST_CHECK_EQUAL(hv::dense::cosine(I(x), I(zero8)), 0.0);
      }
    }
  });
}

BOOST_AUTO_TEST_CASE(float_sums_out_of_float_range_fall_back_to_double) {
  // Finite inputs whose products overflow (1e25² = 1e50 > FLT_MAX) or
  // underflow (1e-25² < FLT_MIN) float: the result is still right.
  for_each_target([&](const std::string&) {
    for (const std::size_t dim : {std::size_t{1}, std::size_t{100}}) {
      std::vector<float> big(dim, 1e25f), tiny(dim, 1e-25f);
      using F = std::span<const float>;
      const double d = static_cast<double>(dim);
      const double big_dot = d * double{1e25f} * double{1e25f};
      BOOST_CHECK_LE(std::abs(hv::dense::dot(F(big), F(big)) - big_dot), 1e-12 * big_dot);
      BOOST_CHECK_LE(std::abs(hv::dense::cosine(F(big), F(big)) - 1.0), 1e-12);
      BOOST_CHECK_LE(std::abs(hv::dense::cosine(F(tiny), F(tiny)) - 1.0), 1e-12);
      tiny[0] = -1e-25f;
      BOOST_CHECK_LE(std::abs(hv::dense::cosine(F(tiny), F(big)) - (d - 2) / d), 1e-12);
    }
  });
}

BOOST_AUTO_TEST_CASE(cosine_of_random_pm1_float_vectors_has_sigma_one_over_sqrt_d) {
  // Independent fair ±1 vectors: dot is a sum of D independent ±1, so
  // cos = dot/D has mean 0 and variance exactly 1/D. n pairs: the sample mean
  // has σ = 1/√(nD), the sample variance sd ≈ (1/D)√(2/(n-1)). 5σ bounds.
  std::mt19937_64 rng(hv::test::test_seed());
  for (const std::size_t dim : {std::size_t{1000}, std::size_t{4096}}) {
    const std::size_t n = 2000;
    hv::test::OrthogonalCosines cosines;
    for (std::size_t i = 0; i < n; ++i) {
      const auto a = hv::dense::to_float(random_packed(dim, rng));
      const auto b = hv::dense::to_float(random_packed(dim, rng));
      cosines.add(hv::dense::cosine(a, b));
    }
    cosines.check(dim, n);
  }
}

BOOST_AUTO_TEST_CASE(nan_and_inf_inputs_throw_naming_the_component) {
  using F = std::span<const float>;
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const float inf = std::numeric_limits<float>::infinity();
  for_each_target([&](const std::string&) {
    for (const std::size_t dim : {std::size_t{7}, std::size_t{100}}) {
      for (const float bad : {nan, inf, -inf}) {
        BOOST_TEST_CONTEXT("D=" << dim << " bad=" << bad) {
          std::vector<float> x(dim, 1.0f), ok(dim, 1.0f);
          x[3] = bad;
          auto names = [](const char* fn, const char* arg) {
            return [=](const hv::Error& e) { return message_has(e, fn) && message_has(e, arg); };
          };
          BOOST_CHECK_EXCEPTION(hv::dense::dot(F(x), F(ok)), hv::InvalidArgument,
                                names("dense::dot", "a[3]"));
          BOOST_CHECK_EXCEPTION(hv::dense::dot(F(ok), F(x)), hv::InvalidArgument,
                                names("dense::dot", "b[3]"));
          BOOST_CHECK_EXCEPTION(hv::dense::cosine(F(ok), F(x)), hv::InvalidArgument,
                                names("dense::cosine", "b[3]"));
          BOOST_CHECK_EXCEPTION(hv::dense::hard_quantize(F(x)), hv::InvalidArgument,
                                names("dense::hard_quantize", "x[3]"));
          BOOST_CHECK_EXCEPTION(hv::dense::to_packed(F(x)), hv::InvalidArgument,
                                names("dense::to_packed", "x[3]"));
          // Zeros elsewhere must not hide the bad value (Inf · 0 = NaN is
          // non-finite too, but a NaN in a zero-weighted lane must still count).
          std::vector<float> zeros(dim, 0.0f);
          BOOST_CHECK_THROW(hv::dense::dot(F(x), F(zeros)), hv::InvalidArgument);
          BOOST_CHECK_THROW(hv::dense::cosine(F(zeros), F(x)), hv::InvalidArgument);
        }
      }
      std::vector<float> x(dim, 1.0f);
      x[dim - 1] = nan;
      BOOST_CHECK_EXCEPTION(hv::dense::sign(F(x)), hv::InvalidArgument,
                            [](const hv::Error& e) { return message_has(e, "NaN"); });
      x[dim - 1] = inf;
      BOOST_CHECK_EQUAL(hv::dense::sign(F(x))[dim - 1], 1.0f);  // ±Inf has a sign
    }
  });
}

BOOST_AUTO_TEST_CASE(bad_shapes_and_arguments_throw_with_a_message) {
  using F = std::span<const float>;
  using I = std::span<const std::int8_t>;
  const std::vector<float> a(5, 1.0f), b(6, 1.0f);
  const std::vector<std::int8_t> x(5, 1), y(6, 1);
  auto dims_named = [](const char* fn) {
    return [=](const hv::Error& e) {
      return message_has(e, fn) && message_has(e, "D=5") && message_has(e, "D=6");
    };
  };
  BOOST_CHECK_EXCEPTION(hv::dense::dot(F(a), F(b)), hv::DimensionError, dims_named("dense::dot"));
  BOOST_CHECK_EXCEPTION(hv::dense::cosine(F(a), F(b)), hv::DimensionError,
                        dims_named("dense::cosine"));
  BOOST_CHECK_EXCEPTION(hv::dense::bind(F(a), F(b)), hv::DimensionError, dims_named("dense::bind"));
  std::vector<float> out(6);
  BOOST_CHECK_EXCEPTION(hv::dense::bind(F(a), F(a), out), hv::DimensionError,
                        dims_named("dense::bind"));
  BOOST_CHECK_EXCEPTION(hv::dense::add_scaled(F(a), 1.0f, out), hv::DimensionError,
                        dims_named("dense::add_scaled"));
  std::vector<float> acc(5);
  BOOST_CHECK_EXCEPTION(hv::dense::add_scaled(F(acc), 1.0f, acc), hv::InvalidArgument,
                        [](const hv::Error& e) { return message_has(e, "overlaps"); });
  BOOST_CHECK_EXCEPTION(hv::dense::dot(I(x), I(y)), hv::DimensionError, dims_named("dense::dot"));
  BOOST_CHECK_EXCEPTION(hv::dense::cosine(I(x), I(y)), hv::DimensionError,
                        dims_named("dense::cosine"));
  BOOST_CHECK_EXCEPTION(hv::dense::bind(I(x), I(y)), hv::DimensionError, dims_named("dense::bind"));
  BOOST_CHECK_EXCEPTION(hv::dense::dot(F(), F()), hv::DimensionError,
                        [](const hv::Error& e) { return message_has(e, "D=0"); });
  BOOST_CHECK_THROW(hv::dense::hard_quantize(F()), hv::DimensionError);
  BOOST_CHECK_THROW(hv::dense::to_float(hv::PackedView{}), hv::DimensionError);

  // bundle: counts.
  hv::DenseMatrix<float> rows(3, 5);
  const std::vector<float> two_weights = {1.0f, 2.0f};
  BOOST_CHECK_EXCEPTION(hv::dense::bundle(rows, two_weights), hv::DimensionError,
                        [](const hv::Error& e) {
                          return message_has(e, "dense::bundle") && message_has(e, "3 rows") &&
                                 message_has(e, "2 values");
                        });
  BOOST_CHECK_EXCEPTION(hv::dense::bundle(hv::DenseMatrix<float>(0, 5)), hv::InvalidArgument,
                        [](const hv::Error& e) { return message_has(e, "empty"); });

  // clip arguments.
  BOOST_CHECK_EXCEPTION(hv::dense::clip(F(a), 1.0f, -1.0f), hv::InvalidArgument,
                        [](const hv::Error& e) { return message_has(e, "lo <= hi"); });
  const std::vector<std::int32_t> sums(5, 0);
  for (const int kappa : {0, 128, -3}) {
    BOOST_CHECK_EXCEPTION(hv::dense::clip(sums, kappa), hv::InvalidArgument,
                          [](const hv::Error& e) { return message_has(e, "kappa"); });
  }

  // Tie vector of the wrong D.
  const auto tv = hv::bipolar::random(6, 1);
  BOOST_CHECK_EXCEPTION(hv::dense::to_packed(F(a), TieBreak::from_vector(tv)), hv::DimensionError,
                        [](const hv::Error& e) { return message_has(e, "dense::to_packed"); });
  BOOST_CHECK_THROW(hv::dense::hard_quantize(F(a), TieBreak::from_vector(tv)), hv::DimensionError);
}

// --- The common model verbs (issue 13) -------------------------------------------

BOOST_AUTO_TEST_CASE(random_rows_are_the_packed_codebook_unpacked) {
  const auto seed = hv::test::test_seed();
  BOOST_TEST_CONTEXT("seed " << seed) {
    for_each_target([&](const std::string&) {
      for (const std::size_t dim : kDims) {
        BOOST_TEST_CONTEXT("D=" << dim) {
          for (const std::uint64_t row : {std::uint64_t{0}, std::uint64_t{5}}) {
            const auto packed = hv::bipolar::random(dim, seed, row);
            const auto f = hv::dense::random(dim, seed, row);
            const auto i8 = hv::dense::random_int8(dim, seed, row);
            for (std::size_t i = 0; i < dim; ++i) {
              BOOST_REQUIRE_EQUAL(f[i], static_cast<float>(packed.component(i)));
              BOOST_REQUIRE_EQUAL(i8[i], packed.component(i));
            }
          }
          for (const unsigned threads : {1u, 3u, 0u}) {
            const auto m = hv::dense::random_matrix(9, dim, seed, {.first_row = 4, .threads = threads});
            BOOST_REQUIRE_EQUAL(m.rows(), 9u);
            for (std::size_t r = 0; r < m.rows(); ++r) {
              const auto one = hv::dense::random(dim, seed, 4 + r);
              BOOST_CHECK(same<float>(one.values(), m.row(r)));
            }
          }
        }
      }
    });
  }
  BOOST_CHECK_EXCEPTION(hv::dense::random_matrix(2, 10, 1, {.unit_norm = true}), hv::InvalidArgument,
                        [](const hv::Error& e) {
                          return message_has(e, "dense::random_matrix") && message_has(e, "unit_norm");
                        });
  BOOST_CHECK_THROW(hv::dense::random(0, 1), hv::DimensionError);
  BOOST_CHECK_THROW(hv::dense::random_int8(0, 1), hv::DimensionError);
  BOOST_CHECK_THROW(hv::dense::random_matrix(2, 0, 1), hv::DimensionError);
  BOOST_CHECK_THROW(hv::dense::identity(0), hv::DimensionError);
}

BOOST_AUTO_TEST_CASE(identity_unbind_and_inverse_follow_map_algebra) {
  const auto seed = hv::test::test_seed();
  for_each_dim(seed, [&](std::size_t dim, std::mt19937_64& rng) {
    const auto a = hv::dense::random(dim, seed, 1);
    const auto k = hv::dense::random(dim, seed, 2);
    const auto one = hv::dense::identity(dim);
    for (std::size_t i = 0; i < dim; ++i) BOOST_REQUIRE_EQUAL(one[i], 1.0f);
    BOOST_CHECK(same<float>(hv::dense::bind(a.values(), one.values()).values(), a.values()));
    // ±1 keys: unbinding is exact, and a ⊙ inverse(a) is the identity.
    const auto bound = hv::dense::bind(a.values(), k.values());
    BOOST_CHECK(same<float>(hv::dense::unbind(bound.values(), k.values()).values(), a.values()));
    const auto inv = hv::dense::inverse(k.values());
    BOOST_CHECK(same<float>(inv.values(), k.values()));
    BOOST_CHECK(same<float>(hv::dense::bind(k.values(), inv.values()).values(), one.values()));
    hv::DenseVector<float> in_place = bound;  // out aliases bound
    hv::dense::unbind(in_place.values(), k.values(), in_place.values());
    BOOST_CHECK(same<float>(in_place.values(), a.values()));
    // Real-valued data: unbind is the element-wise product (torchhd's MAP).
    const auto x = random_floats(dim, rng), y = random_floats(dim, rng);
    const auto u = hv::dense::unbind(std::span<const float>(x), std::span<const float>(y));
    for (std::size_t i = 0; i < dim; ++i) BOOST_REQUIRE_EQUAL(u[i], x[i] * y[i]);
    // int8.
    const auto a8 = hv::dense::random_int8(dim, seed, 1), k8 = hv::dense::random_int8(dim, seed, 2);
    const auto b8 = hv::dense::bind(a8.values(), k8.values());
    BOOST_CHECK(same<std::int8_t>(hv::dense::unbind(b8.values(), k8.values()).values(),
                                  a8.values()));
    const auto inv8 = hv::dense::inverse(k8.values());
    BOOST_CHECK(same<std::int8_t>(inv8.values(), k8.values()));
    hv::DenseVector<std::int8_t> out8(dim);
    hv::dense::unbind(b8.values(), k8.values(), out8.values());
    BOOST_CHECK(same<std::int8_t>(out8.values(), a8.values()));
  });
  using F = std::span<const float>;
  std::vector<float> a(8, 1.0f), b(9, 1.0f), out(9);
  BOOST_CHECK_THROW(hv::dense::unbind(F(a), F(b)), hv::DimensionError);
  BOOST_CHECK_THROW(hv::dense::unbind(F(a), F(a), std::span<float>(out)), hv::DimensionError);
  BOOST_CHECK_THROW(hv::dense::inverse(F()), hv::DimensionError);
}

BOOST_AUTO_TEST_CASE(permute_is_torch_roll_and_inverse_permute_undoes_it) {
  const auto seed = hv::test::test_seed();
  BOOST_TEST_CONTEXT("seed " << seed) {
    std::mt19937_64 rng(seed);
    for (const std::size_t dim : kDims) {
      const auto x = random_floats(dim, rng);
      const auto x8 = random_int8(dim, rng);
      const auto p = random_packed(dim, rng);
      const auto pf = hv::dense::to_float(p);
      const std::ptrdiff_t d = static_cast<std::ptrdiff_t>(dim);
      for (const std::ptrdiff_t k : {std::ptrdiff_t{0}, std::ptrdiff_t{1}, std::ptrdiff_t{-1},
                                     std::ptrdiff_t{3}, d, d + 2, -3 * d - 1,
                                     std::numeric_limits<std::ptrdiff_t>::min(),
                                     std::numeric_limits<std::ptrdiff_t>::max()}) {
        BOOST_TEST_CONTEXT("D=" << dim << " shifts=" << k) {
          const auto y = hv::dense::permute(std::span<const float>(x), k);
          const auto y8 = hv::dense::permute(std::span<const std::int8_t>(x8), k);
          // torch.roll: out[i] = x[(i - k) mod D], computed here in __int128.
          for (std::size_t i = 0; i < dim; ++i) {
            const auto m = static_cast<__int128>(dim);
            const auto j = static_cast<std::size_t>((((static_cast<__int128>(i) - k) % m) + m) % m);
            BOOST_REQUIRE_EQUAL(y[i], x[j]);
            BOOST_REQUIRE_EQUAL(y8[i], x8[j]);
          }
          BOOST_CHECK(same<float>(hv::dense::inverse_permute(y.values(), k).values(),
                                  std::span<const float>(x)));
          BOOST_CHECK(same<std::int8_t>(hv::dense::inverse_permute(y8.values(), k).values(),
                                        std::span<const std::int8_t>(x8)));
          // Same permutation as the packed model's.
          BOOST_CHECK(same<float>(hv::dense::permute(pf.values(), k).values(),
                                  hv::dense::to_float(hv::bipolar::permute(p, k)).values()));
        }
      }
    }
  }
  BOOST_CHECK_THROW(hv::dense::permute(std::span<const float>(), 1), hv::DimensionError);
  BOOST_CHECK_THROW(hv::dense::inverse_permute(std::span<const std::int8_t>(), 1),
                    hv::DimensionError);
}

BOOST_AUTO_TEST_CASE(normalize_is_unit_l2_and_hard_quantize_is_the_threshold) {
  using F = std::span<const float>;
  const auto seed = hv::test::test_seed();
  BOOST_TEST_CONTEXT("seed " << seed) {
    std::mt19937_64 rng(seed);
    for_each_target([&](const std::string&) {
      for (const std::size_t dim : kDims) {
        // Scales from tiny (squares underflow float) to huge (squares overflow it).
        for (const float scale : {1.0f, 1e-30f, 1e30f}) {
          BOOST_TEST_CONTEXT("D=" << dim << " scale=" << scale) {
            const auto x = random_floats(dim, rng, scale);
            if (std::all_of(x.begin(), x.end(), [](float v) { return v == 0.0f; })) continue;
            const auto n = hv::dense::normalize(F(x));
            // Norm from the float dot (relative error <= γ_k, k <= D/4 + 32),
            // then D divisions and the check's own sum: (D/2 + 40)·u covers it.
            const double tol = (static_cast<double>(dim) / 2 + 40) * kU;
            double nn = 0, xx = 0;
            for (std::size_t i = 0; i < dim; ++i) {
              nn += static_cast<double>(n[i]) * n[i];
              xx += static_cast<double>(x[i]) * x[i];
            }
            BOOST_TEST(std::abs(std::sqrt(nn) - 1.0) <= tol);
            BOOST_TEST(std::abs(hv::dense::norm(F(x)) - std::sqrt(xx)) <= tol * std::sqrt(xx));
            // Same direction, component by component.
            const double inv = 1.0 / std::sqrt(xx);
            for (std::size_t i = 0; i < dim; ++i) {
              BOOST_REQUIRE(std::abs(n[i] - x[i] * inv) <= tol * std::abs(x[i] * inv) + 1e-37);
            }
          }
        }
        // On ±1 data the two verbs differ: normalize gives ±1/√D, hard_quantize ±1.
        const auto v = hv::dense::random(dim, seed, 3);
        const auto q = hv::dense::hard_quantize(v.values());
        BOOST_CHECK(same<float>(q.values(), v.values()));
        const auto u = hv::dense::normalize(v.values());
        const float want = 1.0f / std::sqrt(static_cast<float>(dim));
        for (std::size_t i = 0; i < dim; ++i) {
          BOOST_REQUIRE(std::abs(u[i] - v[i] * want) <= 2 * kU * want);
        }
      }
    });
  }
  std::vector<float> zeros(16, 0.0f);
  BOOST_CHECK_EXCEPTION(hv::dense::normalize(F(zeros)), hv::InvalidArgument, [](const hv::Error& e) {
    return message_has(e, "dense::normalize") && message_has(e, "zero vector");
  });
  std::vector<float> bad(16, 1.0f);
  bad[5] = std::numeric_limits<float>::quiet_NaN();
  BOOST_CHECK_EXCEPTION(hv::dense::normalize(F(bad)), hv::InvalidArgument,
                        [](const hv::Error& e) { return message_has(e, "dense::normalize") && message_has(e, "x[5]"); });
  bad[5] = std::numeric_limits<float>::infinity();
  BOOST_CHECK_THROW(hv::dense::norm(F(bad)), hv::InvalidArgument);
  BOOST_CHECK_THROW(hv::dense::normalize(F()), hv::DimensionError);
}
