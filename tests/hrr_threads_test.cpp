// The FFT plan cache under contention (include/hypervec/fft.hpp): many
// threads bind, unbind and batch-bind at once with several sizes, both
// precisions, aligned and unaligned spans, while plans are still being
// created. Every result must equal the single-threaded one bit for bit (the
// same plan and kernel run on the same data). scripts/dev test also runs this
// binary under ThreadSanitizer (build/tsan).
#define BOOST_TEST_MODULE hrr_threads
#include <boost/test/unit_test.hpp>

#include <hypervec/fft.hpp>
#include <hypervec/hrr.hpp>

#include "tests/test_util.hpp"

#include <atomic>
#include <cmath>
#include <thread>
#include <vector>

namespace hv = hypervec;
namespace hrr = hypervec::hrr;

namespace {

template <typename T>
struct Case {
  hv::DenseVector<T> a, b, bound, unbound;
  hv::DenseMatrix<T> rows, batch;
  hrr::Spectrum<T> key;
};

template <typename T>
Case<T> make_case(std::size_t dim, std::uint64_t seed) {
  Case<T> c;
  c.a = hrr::random<T>(dim, seed, 1);
  c.b = hrr::random<T>(dim, seed, 2);
  c.rows = hrr::random_matrix<T>(5, dim, seed, {.first_row = 3, .threads = 1});
  return c;
}

template <typename T>
void compute(Case<T>& c) {
  c.bound = hrr::bind<T>(c.a.values(), c.b.values());
  c.unbound = hrr::unbind<T>(c.bound.values(), c.b.values());
  c.key = hrr::spectrum<T>(c.b.values());
  c.batch = hrr::bind_batch<T>(c.rows, c.key, 1);
}

template <typename T>
bool same(const hv::DenseVector<T>& x, const hv::DenseVector<T>& y) {
  return std::equal(x.values().begin(), x.values().end(), y.values().begin());
}

}  // namespace

BOOST_AUTO_TEST_CASE(concurrent_binds_with_several_sizes_match_single_threaded_results) {
  const auto seed = hv::test::test_seed();
  // Sizes no other test in this binary plans first: every thread races to
  // create the plans, and the later threads race on look-ups.
  const std::vector<std::size_t> dims = {5, 96, 97, 1000, 1024, 2310, 4096};
  const unsigned threads = 8;
  const int rounds = 6;
  std::vector<std::vector<Case<float>>> got_f(threads);
  std::vector<std::vector<Case<double>>> got_d(threads);
  std::atomic<int> ready{0};
  std::vector<std::thread> pool;
  for (unsigned t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      ready.fetch_add(1);
      while (ready.load() < static_cast<int>(threads)) std::this_thread::yield();
      for (int r = 0; r < rounds; ++r) {
        for (std::size_t i = 0; i < dims.size(); ++i) {
          // Each thread walks the sizes in its own order.
          const std::size_t dim = dims[(i + t) % dims.size()];
          got_f[t].push_back(make_case<float>(dim, seed + dim));
          compute(got_f[t].back());
          got_d[t].push_back(make_case<double>(dim, seed + dim));
          compute(got_d[t].back());
        }
        if (t == 0 && r == 2) {
          // Wisdom export while other threads plan: same lock, no race.
          (void)hv::fft::export_wisdom(hv::fft::Precision::single);
        }
      }
    });
  }
  for (auto& th : pool) th.join();
  BOOST_TEST_CONTEXT("seed " << seed) {
    for (unsigned t = 0; t < threads; ++t) {
      for (std::size_t n = 0; n < got_f[t].size(); ++n) {
        auto expect_f = make_case<float>(got_f[t][n].a.dim(), seed + got_f[t][n].a.dim());
        compute(expect_f);
        BOOST_TEST(same(got_f[t][n].bound, expect_f.bound));
        BOOST_TEST(same(got_f[t][n].unbound, expect_f.unbound));
        BOOST_TEST(std::equal(got_f[t][n].batch.data(),
                              got_f[t][n].batch.data() + 5 * got_f[t][n].batch.stride(),
                              expect_f.batch.data()));
        auto expect_d = make_case<double>(got_d[t][n].a.dim(), seed + got_d[t][n].a.dim());
        compute(expect_d);
        BOOST_TEST(same(got_d[t][n].bound, expect_d.bound));
        BOOST_TEST(same(got_d[t][n].unbound, expect_d.unbound));
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(threaded_batch_equals_single_threaded_batch) {
  const auto seed = hv::test::test_seed();
  const std::size_t dim = 1000;
  const auto rows = hrr::random_matrix<float>(100, dim, seed);
  const auto key = hrr::spectrum(hrr::random<float>(dim, seed, 999).values());
  const auto one = hrr::bind_batch(rows, key, 1);
  const auto many = hrr::bind_batch(rows, key, 4);
  BOOST_TEST(std::equal(one.data(), one.data() + one.rows() * one.stride(), many.data()));
}

BOOST_AUTO_TEST_CASE(eviction_while_other_threads_execute_is_safe) {
  // A 3-plan cache and 8 threads cycling through 10 sizes: plans are evicted
  // constantly, often while another thread is executing them (it holds its
  // own reference). Results must stay right; TSan checks the locking.
  const auto seed = hv::test::test_seed();
  const std::vector<std::size_t> dims = {33, 34, 35, 36, 37, 38, 39, 40, 41, 42};
  std::vector<Case<double>> want;
  for (const std::size_t dim : dims) {
    want.push_back(make_case<double>(dim, seed + dim));
    compute(want.back());
  }
  hv::fft::set_plan_cache_capacity(3);
  std::atomic<int> bad{0};
  std::vector<std::thread> pool;
  for (unsigned t = 0; t < 8; ++t) {
    pool.emplace_back([&, t] {
      for (int r = 0; r < 20; ++r) {
        const std::size_t i = (r * 3 + t) % dims.size();
        auto c = make_case<double>(dims[i], seed + dims[i]);
        compute(c);
        for (std::size_t k = 0; k < dims[i]; ++k) {
          if (std::abs(c.bound.values()[k] - want[i].bound.values()[k]) > 1e-12 ||
              std::abs(c.unbound.values()[k] - want[i].unbound.values()[k]) > 1e-12) {
            ++bad;
          }
        }
        if (hv::fft::cached_plan_count() > 3) ++bad;
      }
    });
  }
  for (auto& th : pool) th.join();
  hv::fft::set_plan_cache_capacity(hv::fft::kDefaultPlanCacheCapacity);
  BOOST_TEST_CONTEXT("seed " << seed) { BOOST_TEST(bad.load() == 0); }
}
