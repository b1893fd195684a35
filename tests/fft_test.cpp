// The FFT plan cache (include/hypervec/fft.hpp): its capacity setting is
// validated, it never holds more plans than the capacity, it evicts the least
// recently used plan, and binds stay right (against the O(D²) reference)
// through eviction and re-planning.
#define BOOST_TEST_MODULE fft
#include <boost/test/unit_test.hpp>

#include <hypervec/error.hpp>
#include <hypervec/fft.hpp>
#include <hypervec/hrr.hpp>

#include "src/reference/hrr.hpp"
#include "tests/test_util.hpp"

#include <cmath>
#include <cstddef>
#include <vector>

namespace hv = hypervec;
namespace hrr = hypervec::hrr;
namespace fft = hypervec::fft;

namespace {

/// Restores the default capacity when a test ends.
struct CapacityGuard {
  ~CapacityGuard() { fft::set_plan_cache_capacity(fft::kDefaultPlanCacheCapacity); }
};

/// Binds two seeded vectors of length dim and checks the result against the
/// direct circular convolution.
void check_bind(std::size_t dim, std::uint64_t seed) {
  const auto a = hrr::random<double>(dim, seed, 1);
  const auto b = hrr::random<double>(dim, seed, 2);
  const auto got = hrr::bind<double>(a.values(), b.values());
  const auto want = hv::reference::hrr::convolve(
      std::vector<double>(a.values().begin(), a.values().end()),
      std::vector<double>(b.values().begin(), b.values().end()));
  double worst = 0;
  for (std::size_t i = 0; i < dim; ++i) worst = std::max(worst, std::abs(got.values()[i] - want[i]));
  BOOST_TEST_CONTEXT("D=" << dim << " seed " << seed) { BOOST_TEST(worst <= 1e-12); }
}

}  // namespace

BOOST_AUTO_TEST_CASE(capacity_is_validated_and_settable) {
  const CapacityGuard guard;
  BOOST_TEST(fft::plan_cache_capacity() == fft::kDefaultPlanCacheCapacity);
  BOOST_TEST(fft::kDefaultPlanCacheCapacity == 64U);
  try {
    fft::set_plan_cache_capacity(0);
    BOOST_FAIL("capacity 0 accepted");
  } catch (const hv::InvalidArgument& e) {
    BOOST_TEST(hv::test::message_has(e, "fft::set_plan_cache_capacity"));
    BOOST_TEST(hv::test::message_has(e, "capacity"));
  }
  BOOST_TEST(fft::plan_cache_capacity() == fft::kDefaultPlanCacheCapacity);
  fft::set_plan_cache_capacity(7);
  BOOST_TEST(fft::plan_cache_capacity() == 7U);
}

BOOST_AUTO_TEST_CASE(more_sizes_than_the_capacity_stay_bounded_and_right) {
  const CapacityGuard guard;
  const auto seed = hv::test::test_seed();
  BOOST_TEST_MESSAGE("seed " << seed);
  const std::size_t capacity = 4;
  fft::set_plan_cache_capacity(capacity);
  BOOST_TEST(fft::cached_plan_count() <= capacity);
  // 24 distinct sizes, each bind needing two plans (forward and inverse):
  // many more plans than the capacity. Twice, so evicted sizes are re-planned.
  for (int round = 0; round < 2; ++round) {
    for (std::size_t dim = 40; dim < 64; ++dim) {
      check_bind(dim, seed + dim);
      BOOST_TEST(fft::cached_plan_count() <= capacity);
    }
  }
  BOOST_TEST(fft::cached_plan_count() >= 1U);
  // Shrinking evicts at once.
  fft::set_plan_cache_capacity(1);
  BOOST_TEST(fft::cached_plan_count() <= 1U);
  check_bind(100, seed);
  BOOST_TEST(fft::cached_plan_count() == 1U);
}

BOOST_AUTO_TEST_CASE(least_recently_used_plan_is_evicted) {
  const CapacityGuard guard;
  const auto seed = hv::test::test_seed();
  // Single-precision spectra: one forward plan per size.
  const auto spec = [&](std::size_t dim) {
    (void)hrr::spectrum<float>(hrr::random<float>(dim, seed, 0).values());
  };
  fft::set_plan_cache_capacity(1);  // empty but one slot: start clean
  fft::set_plan_cache_capacity(3);
  spec(301);
  spec(302);
  spec(303);
  const std::size_t full = fft::cached_plan_count();
  BOOST_TEST(full == 3U);
  spec(301);  // 301 is now the most recent; 302 the least
  spec(304);  // LRU evicts 302 (FIFO would evict 301)
  BOOST_TEST(fft::cached_plan_count() == 3U);
  // One more slot: using 302 adds a plan only if 302 was evicted, and using
  // 301 afterwards adds none only if 301 was kept.
  fft::set_plan_cache_capacity(4);
  spec(302);
  BOOST_TEST(fft::cached_plan_count() == 4U);
  spec(301);
  spec(303);
  spec(304);
  BOOST_TEST(fft::cached_plan_count() == 4U);
}
