// tests for include/hypervec/error.hpp: the exception hierarchy users catch
// (Python maps InvalidArgument/DimensionError to ValueError, IoError to
// OSError) and the message shapes of the validation helpers, which the CLI
// and the tests match on.
#define BOOST_TEST_MODULE error
#include <hypervec/bipolar.hpp>
#include <hypervec/error.hpp>

#include <boost/test/unit_test.hpp>

#include <string>
#include <type_traits>

namespace hv = hypervec;

static_assert(std::is_base_of_v<std::runtime_error, hv::Error>);
static_assert(std::is_base_of_v<hv::Error, hv::DimensionError>);
static_assert(std::is_base_of_v<hv::Error, hv::InvalidArgument>);
static_assert(std::is_base_of_v<hv::Error, hv::IoError>);
static_assert(std::is_base_of_v<hv::IoError, hv::WriteError>);
// A dimension mismatch is not an "invalid value", and a read error is not a
// write error: callers can tell them apart.
static_assert(!std::is_base_of_v<hv::InvalidArgument, hv::DimensionError>);
static_assert(!std::is_base_of_v<hv::WriteError, hv::IoError>);

BOOST_AUTO_TEST_CASE(helpers_throw_the_documented_type_and_message) {
  try {
    hv::detail::require_same_dim("op", "a", 3, "b", 4);
    BOOST_ERROR("no throw");
  } catch (const hv::DimensionError& e) {
    BOOST_TEST(std::string(e.what()) == "op: dimension mismatch: a has D=3, b has D=4");
  }
  BOOST_CHECK_NO_THROW(hv::detail::require_same_dim("op", "a", 5, "b", 5));
  try {
    hv::detail::require_nonzero_dim("op", "x", 0);
    BOOST_ERROR("no throw");
  } catch (const hv::DimensionError& e) {
    BOOST_TEST(std::string(e.what()) == "op: x has D=0; D must be >= 1");
  }
  try {
    hv::detail::require(false, "op: k=", 7, " > M=", 2.5);
    BOOST_ERROR("no throw");
  } catch (const hv::InvalidArgument& e) {
    BOOST_TEST(std::string(e.what()) == "op: k=7 > M=2.5");
  }
  BOOST_CHECK_THROW(hv::detail::require<hv::IoError>(false, "x"), hv::IoError);
  BOOST_CHECK_NO_THROW(hv::detail::require(true, "never built"));
}

BOOST_AUTO_TEST_CASE(public_entry_points_throw_the_hierarchy) {
  // One public call per kind, caught by the base class a user would write.
  const auto a = hv::bipolar::random(64, 1), b = hv::bipolar::random(65, 1);
  BOOST_CHECK_THROW(hv::bipolar::bind(a, b), hv::Error);
  BOOST_CHECK_THROW(hv::bipolar::bind(a, b), hv::DimensionError);
  BOOST_CHECK_THROW(hv::bipolar::random(0, 1), hv::DimensionError);
}
