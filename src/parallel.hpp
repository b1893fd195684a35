// Internal: the fork-join loop every hypervec function with a `threads`
// argument uses. Results must never depend on the thread count, so callers
// give each index a fixed owner and write disjoint outputs.
//
// Contract of parallel_for(n, threads, min_chunk, body):
//  * n == 0: body is never called.
//  * Otherwise [0, n) is split into W = worker_count(n, threads, min_chunk)
//    contiguous pieces of nearly equal size (sizes differ by at most one,
//    larger pieces first), every piece non-empty, and body(begin, end) is
//    called exactly once per piece. W <= n, W <= n / min_chunk (at least 1),
//    W <= threads (0 = default_thread_count()), and W <= max_thread_count()
//    = kThreadsPerCore · default_thread_count(), so a request of 100000
//    threads runs with the cap.
//  * The pieces run on the persistent process-wide pool Executor::shared()
//    (include/hypervec/executor.hpp: default_thread_count() threads, made
//    once, the calling thread included); no thread is created per call.
//    Pieces are handed out dynamically, so W may exceed the pool size; the
//    pieces, and so the results, stay the same. A call from inside a body
//    (nesting) runs its pieces inline on that thread. If the pool could not
//    create all its threads it runs with fewer (at worst the caller alone).
//  * Exceptions thrown by body are caught per piece; after every piece has
//    run the exception of the lowest-numbered failing piece is rethrown.
//    Pieces run to completion even when another one throws.
#pragma once

#include <hypervec/executor.hpp>

#include <cstddef>
#include <thread>
#include <utility>

namespace hypervec::detail {

/// The default thread launcher: a new std::thread running `task` (throws
/// std::system_error when the thread cannot be created).
struct StdThreadLauncher {
  template <typename Task>
  std::thread operator()(Task&& task) const {
    return std::thread(std::forward<Task>(task));
  }
};

/// parallel_for on a private pool of worker_count(n, threads, min_chunk)
/// threads created with `launch` for this call (the test seam for
/// thread-creation failures): launch(task) returns a joinable std::thread
/// running task() or throws, and any exception counts as a failure to create
/// the thread; the pool then has fewer workers, the pieces stay the same.
template <typename Launch, typename Body>
void parallel_for_with(Launch&& launch, std::size_t n, unsigned threads, std::size_t min_chunk,
                       Body&& body) {
  const std::size_t workers = worker_count(n, threads, min_chunk);
  if (workers <= 1) {
    run_pieces_inline(n, workers, body);
    return;
  }
  Executor pool(static_cast<unsigned>(workers),
                [&launch](std::function<void()> task) { return launch(std::move(task)); });
  parallel_for_pieces(pool, n, workers, body);
}

/// Calls body(begin, end) once for each of worker_count(n, threads,
/// min_chunk) non-empty contiguous pieces covering [0, n), on the shared
/// pool (see the file comment; the first failing piece's exception is
/// rethrown).
template <typename Body>
void parallel_for(std::size_t n, unsigned threads, std::size_t min_chunk, Body&& body) {
  const std::size_t workers = worker_count(n, threads, min_chunk);
  if (workers <= 1) {
    run_pieces_inline(n, workers, body);  // no pool for one piece
    return;
  }
  parallel_for_pieces(Executor::shared(), n, workers, body);
}

}  // namespace hypervec::detail
