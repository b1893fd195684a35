// detail::parallel_for (src/parallel.hpp) and the pool
// under it (include/hypervec/executor.hpp): the split (non-empty, disjoint,
// in-order pieces covering [0, n)), the thread cap, graceful degradation when
// threads cannot be created (simulated through the launcher seam), exception
// propagation, thread reuse, nesting and concurrent callers.
#define BOOST_TEST_MODULE executor
#include <boost/test/unit_test.hpp>

#include "src/parallel.hpp"
#include <hypervec/executor.hpp>

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <mutex>
#include <set>
#include <string>
#include <stdexcept>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

namespace hd = hypervec::detail;

namespace {

using Range = std::pair<std::size_t, std::size_t>;

/// A launcher that creates at most `limit` threads, then throws as
/// std::thread does when the system is out of threads.
struct FailingLauncher {
  std::size_t limit;
  std::size_t* launched;
  template <typename Task>
  std::thread operator()(Task&& task) const {
    if (*launched >= limit) {
      throw std::system_error(std::make_error_code(std::errc::resource_unavailable_try_again),
                              "simulated thread creation failure");
    }
    ++*launched;
    return std::thread(std::forward<Task>(task));
  }
};

/// Runs parallel_for_with(launch, n, threads, min_chunk) and returns the
/// ranges body saw, sorted by begin.
template <typename Launch>
std::vector<Range> ranges_of(Launch&& launch, std::size_t n, unsigned threads,
                             std::size_t min_chunk = 1) {
  std::mutex mutex;
  std::vector<Range> seen;
  hd::parallel_for_with(std::forward<Launch>(launch), n, threads, min_chunk,
                        [&](std::size_t b, std::size_t e) {
                          const std::lock_guard<std::mutex> lock(mutex);
                          seen.emplace_back(b, e);
                        });
  std::sort(seen.begin(), seen.end());
  return seen;
}

/// Checks the pieces are non-empty, contiguous, in order, cover [0, n), and
/// that there are worker_count(n, threads, min_chunk) of them.
void check_split(const std::vector<Range>& seen, std::size_t n, unsigned threads,
                 std::size_t min_chunk = 1) {
  BOOST_TEST_CONTEXT("n=" << n << " threads=" << threads << " min_chunk=" << min_chunk) {
    BOOST_TEST(seen.size() == hd::worker_count(n, threads, min_chunk));
    std::size_t next = 0;
    for (const auto& [b, e] : seen) {
      BOOST_TEST(b == next);
      BOOST_TEST(b < e);
      next = e;
    }
    BOOST_TEST(next == n);
    if (!seen.empty()) {
      const auto size = [](const Range& r) { return r.second - r.first; };
      const auto [lo, hi] = std::minmax_element(
          seen.begin(), seen.end(), [&](const Range& a, const Range& c) { return size(a) < size(c); });
      BOOST_TEST(size(*hi) - size(*lo) <= 1U);  // nearly equal
      if (n >= min_chunk) BOOST_TEST(size(*lo) >= min_chunk);
    }
  }
}

const std::vector<unsigned> kLargeThreads = {64, 70, 128, 100000};

}  // namespace

BOOST_AUTO_TEST_CASE(pieces_are_non_empty_disjoint_and_cover_in_order) {
  for (std::size_t n = 0; n <= 64; ++n) {
    std::vector<unsigned> counts;
    for (unsigned t = 1; t <= 2 * n + 3; ++t) counts.push_back(t);
    counts.insert(counts.end(), kLargeThreads.begin(), kLargeThreads.end());
    counts.push_back(0);  // the default
    for (const unsigned t : counts) {
      check_split(ranges_of(hd::StdThreadLauncher{}, n, t), n, t);
    }
  }
}

BOOST_AUTO_TEST_CASE(min_chunk_and_cap) {
  for (const std::size_t n : {1, 63, 64, 65, 127, 128, 129, 1000, 5000}) {
    for (const std::size_t min_chunk : {0, 1, 16, 64, 256}) {
      for (const unsigned t : {1U, 3U, 8U, 70U, 100000U}) {
        check_split(ranges_of(hd::StdThreadLauncher{}, n, t, min_chunk), n, t, min_chunk);
      }
    }
  }
  // Never more workers than the documented cap, however many are asked for.
  BOOST_TEST(hd::worker_count(1000000, 100000, 1) == hd::max_thread_count());
  BOOST_TEST(hd::max_thread_count() == hd::kThreadsPerCore * hd::default_thread_count());
  BOOST_TEST(hd::worker_count(0, 8, 1) == 0U);
  BOOST_TEST(hd::worker_count(5, 0, 1) ==
             std::min<std::size_t>(5, hd::default_thread_count()));
}

BOOST_AUTO_TEST_CASE(thread_creation_failure_degrades_to_fewer_threads) {
  for (const std::size_t n : {1, 2, 5, 8, 17, 64, 1000}) {
    for (const unsigned t : {2U, 3U, 6U, 8U, 70U, 100000U}) {
      for (const std::size_t limit : {0, 1, 2, 3, 5, 100}) {
        BOOST_TEST_CONTEXT("thread limit " << limit) {
          std::size_t launched = 0;
          check_split(ranges_of(FailingLauncher{limit, &launched}, n, t), n, t);
          BOOST_TEST(launched <= limit);
          BOOST_TEST(launched == std::min(limit, hd::worker_count(n, t, 1) - 1));
        }
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(results_do_not_depend_on_failures) {
  // Every index written by its owner; the output equals the serial loop's.
  const std::size_t n = 1000;
  std::vector<std::size_t> want(n);
  for (std::size_t i = 0; i < n; ++i) want[i] = i * i + 7;
  for (const std::size_t limit : {0, 1, 4, 1000}) {
    std::vector<std::size_t> got(n, 0);
    std::size_t launched = 0;
    hd::parallel_for_with(FailingLauncher{limit, &launched}, n, 16, 1,
                          [&](std::size_t b, std::size_t e) {
                            for (std::size_t i = b; i < e; ++i) got[i] = i * i + 7;
                          });
    BOOST_TEST(got == want, boost::test_tools::per_element());
  }
}

BOOST_AUTO_TEST_CASE(first_exception_is_rethrown_after_all_pieces_ran) {
  for (const std::size_t limit : {0, 2, 100}) {
    for (const unsigned t : {1U, 4U, 8U}) {
      BOOST_TEST_CONTEXT("threads " << t << " thread limit " << limit) {
        const std::size_t n = 8;
        std::atomic<std::size_t> done{0};
        std::size_t launched = 0;
        std::string what;
        try {
          hd::parallel_for_with(FailingLauncher{limit, &launched}, n, t, 1,
                                [&](std::size_t b, std::size_t e) {
                                  done += e - b;
                                  if (e > 2) {
                                    throw std::runtime_error("piece ending at " +
                                                             std::to_string(e));
                                  }
                                });
        } catch (const std::runtime_error& e) {
          what = e.what();
        }
        // Every piece ran; the rethrown exception is the lowest failing piece's.
        BOOST_TEST(done.load() == n);
        const std::size_t workers = hd::worker_count(n, t, 1);
        std::size_t first_failing_end = 0;
        for (std::size_t w = 0; w < workers && first_failing_end == 0; ++w) {
          const std::size_t e = hd::piece_begin(n, workers, w + 1);
          if (e > 2) first_failing_end = e;
        }
        BOOST_TEST(what == "piece ending at " + std::to_string(first_failing_end));
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(real_thread_limit_is_survived) {
  // 100000 requested threads over 40000 items: capped, never terminates.
  std::vector<unsigned char> hit(40000, 0);
  hd::parallel_for(hit.size(), 100000, 1, [&](std::size_t b, std::size_t e) {
    for (std::size_t i = b; i < e; ++i) ++hit[i];
  });
  BOOST_TEST(std::count(hit.begin(), hit.end(), 1) == static_cast<long>(hit.size()));
}

BOOST_AUTO_TEST_CASE(shared_pool_reuses_a_fixed_set_of_threads) {
  // 500 calls of 8 pieces each: every piece runs on the caller or one of the
  // shared pool's workers, so at most size() distinct threads ever appear.
  std::mutex mutex;
  std::set<std::thread::id> ids;
  for (int call = 0; call < 500; ++call) {
    std::vector<int> hit(64, 0);
    hd::parallel_for(hit.size(), 8, 1, [&](std::size_t b, std::size_t e) {
      for (std::size_t i = b; i < e; ++i) ++hit[i];
      const std::lock_guard<std::mutex> lock(mutex);
      ids.insert(std::this_thread::get_id());
    });
    BOOST_TEST(std::count(hit.begin(), hit.end(), 1) == 64);
  }
  BOOST_TEST(ids.size() <= hypervec::Executor::shared().size());
  BOOST_TEST(ids.count(std::this_thread::get_id()) == 1U);  // the caller takes part
  BOOST_TEST(hypervec::Executor::shared().size() == hd::default_thread_count());
}

BOOST_AUTO_TEST_CASE(nested_calls_run_inline_without_deadlock) {
  // Every outer piece runs an inner parallel_for; the inner pieces run on
  // the outer piece's thread, and every (outer, inner) index is hit once.
  const std::size_t outer = 16, inner = 32;
  std::vector<int> hit(outer * inner, 0);
  std::atomic<int> foreign{0};
  hd::parallel_for(outer, 8, 1, [&](std::size_t b, std::size_t e) {
    const auto self = std::this_thread::get_id();
    for (std::size_t o = b; o < e; ++o) {
      hd::parallel_for(inner, 8, 1, [&](std::size_t ib, std::size_t ie) {
        if (std::this_thread::get_id() != self) ++foreign;
        for (std::size_t i = ib; i < ie; ++i) ++hit[o * inner + i];
      });
    }
  });
  BOOST_TEST(std::count(hit.begin(), hit.end(), 1) == static_cast<long>(hit.size()));
  BOOST_TEST(foreign.load() == 0);
  // Same for a private Executor nested in the shared pool and vice versa.
  hypervec::Executor pool(3);
  std::atomic<std::size_t> total{0};
  pool.parallel_for(12, 1, [&](std::size_t b, std::size_t e) {
    hd::parallel_for(100, 4, 1, [&](std::size_t ib, std::size_t ie) { total += (e - b) * (ie - ib); });
  });
  BOOST_TEST(total.load() == 1200U);
}

BOOST_AUTO_TEST_CASE(concurrent_callers_from_four_host_threads) {
  // Four host threads each make 200 calls on the shared pool (and on one
  // private Executor); each checks its own outputs. TSan runs this too.
  hypervec::Executor pool(3);
  std::atomic<int> bad{0};
  std::vector<std::thread> hosts;
  for (int h = 0; h < 4; ++h) {
    hosts.emplace_back([&, h] {
      for (int call = 0; call < 200; ++call) {
        const std::size_t n = 50 + static_cast<std::size_t>(h * 7 + call % 13);
        std::vector<std::size_t> out(n, 0);
        auto body = [&](std::size_t b, std::size_t e) {
          for (std::size_t i = b; i < e; ++i) out[i] = i * 3 + static_cast<std::size_t>(h);
        };
        if (call % 2 == 0) {
          hd::parallel_for(n, static_cast<unsigned>(1 + call % 9), 1, body);
        } else {
          pool.parallel_for(n, 4, body);
        }
        for (std::size_t i = 0; i < n; ++i) {
          if (out[i] != i * 3 + static_cast<std::size_t>(h)) ++bad;
        }
      }
    });
  }
  for (auto& t : hosts) t.join();
  BOOST_TEST(bad.load() == 0);
}

BOOST_AUTO_TEST_CASE(shared_pool_rethrows_the_lowest_failing_piece) {
  for (const unsigned t : {2U, 4U, 8U, 16U}) {
    BOOST_TEST_CONTEXT("threads " << t) {
      const std::size_t n = 16;
      std::atomic<std::size_t> done{0};
      std::string what;
      try {
        hd::parallel_for(n, t, 1, [&](std::size_t b, std::size_t e) {
          done += e - b;
          if (b >= 4) throw std::runtime_error("piece at " + std::to_string(b));
        });
      } catch (const std::runtime_error& e) {
        what = e.what();
      }
      BOOST_TEST(done.load() == n);
      const std::size_t workers = hd::worker_count(n, t, 1);
      std::size_t first = 0;
      for (std::size_t w = 0; w < workers; ++w) {
        if (hd::piece_begin(n, workers, w) >= 4) {
          first = hd::piece_begin(n, workers, w);
          break;
        }
      }
      BOOST_TEST(what == "piece at " + std::to_string(first));
      // The pool still works after a failing call.
      std::atomic<std::size_t> again{0};
      hd::parallel_for(n, t, 1, [&](std::size_t b, std::size_t e) { again += e - b; });
      BOOST_TEST(again.load() == n);
    }
  }
}

BOOST_AUTO_TEST_CASE(executor_size_split_and_thread_failures) {
  BOOST_TEST(hypervec::Executor(1).size() == 1U);
  BOOST_TEST(hypervec::Executor(3).size() == 3U);
  BOOST_TEST(hypervec::Executor(0).size() == hd::default_thread_count());
  BOOST_TEST(hypervec::Executor(100000).size() == hd::max_thread_count());
  for (const std::size_t limit : {0, 1, 2, 5}) {
    std::size_t launched = 0;
    hypervec::Executor pool(6, FailingLauncher{limit, &launched});
    BOOST_TEST(pool.size() == std::min<std::size_t>(6, limit + 1));
    BOOST_TEST(launched == std::min<std::size_t>(5, limit));
    for (const std::size_t n : {0, 1, 5, 6, 7, 100}) {
      std::mutex mutex;
      std::vector<Range> seen;
      pool.parallel_for(n, 1, [&](std::size_t b, std::size_t e) {
        const std::lock_guard<std::mutex> lock(mutex);
        seen.emplace_back(b, e);
      });
      std::sort(seen.begin(), seen.end());
      check_split(seen, n, static_cast<unsigned>(pool.size()));
    }
  }
}
