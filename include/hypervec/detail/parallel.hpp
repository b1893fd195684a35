// Internal: a minimal fork-join loop over an index range. Results must never
// depend on the thread count, so callers give each index a fixed owner and
// write disjoint outputs.
//
// Contract of parallel_for(n, threads, min_chunk, body):
//  * n == 0: body is never called.
//  * Otherwise [0, n) is split into W = worker_count(n, threads, min_chunk)
//    contiguous pieces of nearly equal size (sizes differ by at most one,
//    larger pieces first), every piece non-empty, and body(begin, end) is
//    called exactly once per piece. W <= n, W <= n / min_chunk (at least 1),
//    W <= threads (0 = default_thread_count()), and W <= max_thread_count()
//    = kThreadsPerCore · default_thread_count(): more threads than that only
//    add creation cost and stacks (an oversubscribed CPU-bound loop is not
//    faster), so a request of 100000 threads runs with the cap.
//  * Piece 0 runs on the calling thread, pieces 1 .. W-1 each on a new
//    thread. If creating a thread fails (std::thread throws, e.g. a process
//    or memory limit), no further threads are created and every piece left
//    without a thread runs on the calling thread, in order: the same pieces,
//    so the same results; never std::terminate.
//  * Exceptions thrown by body are caught per piece; after every thread has
//    been joined the exception of the lowest-numbered failing piece is
//    rethrown. Pieces run to completion even when another one throws.
#pragma once

#include <algorithm>
#include <cstddef>
#include <exception>
#include <thread>
#include <utility>
#include <vector>

namespace hypervec::detail {

/// The default worker count: the machine's hardware threads (at least 1).
inline unsigned default_thread_count() noexcept {
  return std::max(1U, std::thread::hardware_concurrency());
}

/// Threads per hardware thread that parallel_for uses at most.
inline constexpr std::size_t kThreadsPerCore = 4;

/// The most workers parallel_for ever uses: kThreadsPerCore · hardware threads.
inline std::size_t max_thread_count() noexcept {
  return kThreadsPerCore * std::size_t{default_thread_count()};
}

/// The number of pieces parallel_for(n, threads, min_chunk, ...) splits
/// [0, n) into (0 for n == 0; see the file comment).
inline std::size_t worker_count(std::size_t n, unsigned threads, std::size_t min_chunk) noexcept {
  if (n == 0) return 0;
  const std::size_t requested = threads == 0 ? default_thread_count() : threads;
  const std::size_t by_size = std::max<std::size_t>(1, n / std::max<std::size_t>(min_chunk, 1));
  return std::max<std::size_t>(1, std::min({requested, by_size, max_thread_count(), n}));
}

/// The first index of piece w of `workers` nearly equal pieces of [0, n)
/// (w in [0, workers]; piece w is [piece_begin(w), piece_begin(w + 1))).
inline std::size_t piece_begin(std::size_t n, std::size_t workers, std::size_t w) noexcept {
  const std::size_t base = n / workers, extra = n % workers;
  return w * base + std::min(w, extra);
}

/// The default thread launcher: a new std::thread running `task` (throws
/// std::system_error when the thread cannot be created).
struct StdThreadLauncher {
  template <typename Task>
  std::thread operator()(Task&& task) const {
    return std::thread(std::forward<Task>(task));
  }
};

/// parallel_for with an injectable launcher (the test seam): launch(task)
/// returns a joinable std::thread running task() or throws; any exception
/// counts as a failure to create the thread (see the file comment).
template <typename Launch, typename Body>
void parallel_for_with(Launch&& launch, std::size_t n, unsigned threads, std::size_t min_chunk,
                       Body&& body) {
  const std::size_t workers = worker_count(n, threads, min_chunk);
  if (workers == 0) return;
  if (workers == 1) {
    body(std::size_t{0}, n);
    return;
  }
  std::vector<std::exception_ptr> errors(workers);
  auto run_piece = [&](std::size_t w) {
    try {
      body(piece_begin(n, workers, w), piece_begin(n, workers, w + 1));
    } catch (...) {
      errors[w] = std::current_exception();
    }
  };
  std::vector<std::thread> pool;
  pool.reserve(workers - 1);  // emplace_back below never reallocates
  std::size_t launched = 1;   // pieces [1, launched) have a thread
  for (; launched < workers; ++launched) {
    try {
      pool.emplace_back(launch([&run_piece, w = launched] { run_piece(w); }));
    } catch (...) {
      break;  // degrade: the remaining pieces run here
    }
  }
  run_piece(0);
  for (std::size_t w = launched; w < workers; ++w) run_piece(w);
  for (auto& t : pool) t.join();
  for (auto& e : errors) {
    if (e) std::rethrow_exception(e);
  }
}

/// Calls body(begin, end) once for each of worker_count(n, threads,
/// min_chunk) non-empty contiguous pieces covering [0, n), in parallel (see
/// the file comment for the split, the thread cap, thread-creation failures
/// and exceptions: the first failing piece's exception is rethrown).
template <typename Body>
void parallel_for(std::size_t n, unsigned threads, std::size_t min_chunk, Body&& body) {
  parallel_for_with(StdThreadLauncher{}, n, threads, min_chunk, std::forward<Body>(body));
}

}  // namespace hypervec::detail
