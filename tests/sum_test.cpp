// tests for include/hypervec/sum.hpp: the real and complex bundling accumulator.
#define BOOST_TEST_MODULE sum
#include <hypervec/sum.hpp>

#include <hypervec/error.hpp>

#include "test_util.hpp"

#include <boost/mpl/list.hpp>
#include <boost/test/unit_test.hpp>

#include <complex>
#include <limits>
#include <random>
#include <vector>

namespace hv = hypervec;

namespace {

using Types = boost::mpl::list<float, double, std::complex<float>>;

template <typename T>
std::vector<T> random_signs(std::size_t dim, std::mt19937_64& rng) {
  std::vector<T> v(dim);
  for (auto& x : v) x = T(rng() & 1 ? 1.0f : -1.0f);
  return v;
}

}  // namespace

// ±1 components sum exactly, so add and subtract undo each other bit for bit.
BOOST_AUTO_TEST_CASE_TEMPLATE(add_subtract_exact, T, Types) {
  const std::uint64_t seed = hv::test::test_seed();
  BOOST_TEST_CONTEXT("seed " << seed) {
    for (const std::size_t dim : hv::test::kDims) {
      BOOST_TEST_CONTEXT("D " << dim) {
        std::mt19937_64 rng(seed + dim);
        const auto a = random_signs<T>(dim, rng), b = random_signs<T>(dim, rng);
        hv::Sum<T> sum(dim);
        sum.add(a);
        sum.add(b, 3.0);
        for (std::size_t i = 0; i < dim; ++i) {
          BOOST_TEST((sum.sums()[i] == a[i] + T(3) * b[i]));
        }
        sum.subtract(b, 3.0);
        const auto value = sum.value();
        BOOST_TEST(std::equal(a.begin(), a.end(), value.data()));
        sum.clear();
        for (std::size_t i = 0; i < dim; ++i) BOOST_TEST((sum.sums()[i] == T(0)));
      }
    }
  }
}

// Bad input throws and leaves the sum as it was.
BOOST_AUTO_TEST_CASE_TEMPLATE(bad_input_changes_nothing, T, Types) {
  hv::Sum<T> sum(8);
  std::vector<T> x(8, T(1));
  sum.add(x);
  x[5] = T(std::numeric_limits<float>::quiet_NaN());
  BOOST_CHECK_EXCEPTION(sum.add(x), hv::InvalidArgument,
                        [](const auto& e) { return hv::test::message_has(e, "component 5"); });
  x[5] = T(1);
  BOOST_CHECK_THROW(sum.add(x, std::numeric_limits<double>::infinity()), hv::InvalidArgument);
  BOOST_CHECK_THROW(sum.add(std::vector<T>(7, T(1))), hv::DimensionError);
  for (const T v : sum.sums()) BOOST_TEST((v == T(1)));
  BOOST_CHECK_THROW(hv::Sum<T>(0), hv::DimensionError);
}

// A sum's own values may be added back (s += s): the copy is taken first.
BOOST_AUTO_TEST_CASE_TEMPLATE(own_sums_may_be_added, T, Types) {
  hv::Sum<T> sum(5);
  const std::vector<T> x = {T(1), T(-2), T(3), T(0), T(5)};
  sum.add(x);
  sum.add(sum.sums(), 2.0);
  for (std::size_t i = 0; i < x.size(); ++i) BOOST_TEST((sum.sums()[i] == T(3) * x[i]));
}
