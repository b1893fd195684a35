// Internal: a minimal fork-join loop over an index range. Results must never
// depend on the thread count, so callers give each index a fixed owner and
// write disjoint outputs.
#pragma once

#include <algorithm>
#include <cstddef>
#include <exception>
#include <thread>
#include <vector>

namespace hypervec::detail {

/// The default worker count: the machine's hardware threads (at least 1).
inline unsigned default_thread_count() noexcept {
  return std::max(1U, std::thread::hardware_concurrency());
}

/// Calls body(begin, end) on contiguous chunks covering [0, n), using up to
/// `threads` threads (0 = default_thread_count()). Chunks of fewer than
/// `min_chunk` indices are not split further. Rethrows the first exception.
template <typename Body>
void parallel_for(std::size_t n, unsigned threads, std::size_t min_chunk, Body&& body) {
  if (n == 0) return;
  if (threads == 0) threads = default_thread_count();
  min_chunk = std::max<std::size_t>(min_chunk, 1);
  const std::size_t max_workers = (n + min_chunk - 1) / min_chunk;
  const std::size_t workers = std::min<std::size_t>(threads, max_workers);
  if (workers <= 1) {
    body(std::size_t{0}, n);
    return;
  }
  std::vector<std::thread> pool;
  std::vector<std::exception_ptr> errors(workers);
  pool.reserve(workers - 1);
  const std::size_t chunk = (n + workers - 1) / workers;
  for (std::size_t w = 1; w < workers; ++w) {
    const std::size_t begin = std::min(n, w * chunk);
    const std::size_t end = std::min(n, begin + chunk);
    pool.emplace_back([&, w, begin, end] {
      try {
        body(begin, end);
      } catch (...) {
        errors[w] = std::current_exception();
      }
    });
  }
  try {
    body(std::size_t{0}, std::min(n, chunk));
  } catch (...) {
    errors[0] = std::current_exception();
  }
  for (auto& t : pool) t.join();
  for (auto& e : errors) {
    if (e) std::rethrow_exception(e);
  }
}

}  // namespace hypervec::detail
