// Tests for include/hypervec/targets.hpp: the reported targets are the ones
// Highway dispatches to, best first, and pinning one shows in active_target().
#define BOOST_TEST_MODULE targets
#include <hypervec/targets.hpp>

#include "tests/test_util.hpp"

#include <boost/test/unit_test.hpp>

#include <hwy/targets.h>

#include <set>
#include <string>
#include <vector>

BOOST_AUTO_TEST_CASE(available_targets_match_highway_best_first) {
  const std::vector<std::string> names = hypervec::available_targets();
  BOOST_REQUIRE(!names.empty());
  BOOST_TEST(std::set<std::string>(names.begin(), names.end()).size() == names.size());
  // Highway's list (best first, as hwy::SupportedAndGeneratedTargets gives it).
  std::vector<std::string> expected;
  for (const auto t : hwy::SupportedAndGeneratedTargets()) expected.push_back(hwy::TargetName(t));
  BOOST_TEST(names == expected, boost::test_tools::per_element());
  // Unpinned, the dispatcher picks the best one.
  BOOST_TEST(hypervec::active_target() == names.front());
#ifdef HWY_COMPILE_ALL_ATTAINABLE
  // simd_targets=all (the default) compiles the portable fallback too.
  BOOST_TEST((names.back() == "SCALAR" || names.back() == "EMU128"));
#endif
}

BOOST_AUTO_TEST_CASE(pinning_a_target_shows_in_active_target) {
  std::vector<std::string> seen;
  hypervec::test::for_each_target([&](const std::string& name) {
    BOOST_TEST(hypervec::active_target() == name);
    seen.push_back(name);
  });
  BOOST_TEST(seen == hypervec::available_targets(), boost::test_tools::per_element());
  BOOST_TEST(hypervec::active_target() == hypervec::available_targets().front());  // restored
}
