// A small persistent thread pool: threads are made once and reused, work is
// split into non-empty contiguous pieces by size, and the calling thread
// takes part. Every hypervec function with a `threads` argument runs on the
// process-wide Executor::shared() (through detail::parallel_for), so they
// never start threads per call.
//
//   hypervec::Executor pool(4);                  // 3 workers + the caller
//   pool.parallel_for(n, 1024, [&](std::size_t b, std::size_t e) { ... });
//   hypervec::Executor::shared().size();         // the default pool
//
// Contract of Executor::parallel_for(n, min_chunk, body):
//  * n == 0: body is never called.
//  * Otherwise [0, n) is split into W = detail::worker_count(n, size(),
//    min_chunk) contiguous pieces of nearly equal size (larger first, never
//    empty) and body(begin, end) is called exactly once per piece, on the
//    calling thread or a pool worker. Which thread runs a piece is not
//    fixed, the pieces are: a body writing disjoint outputs per index gives
//    the same results at every pool size.
//  * Nesting: a parallel_for called from inside a body (of any Executor)
//    runs all its pieces inline, in order, on that thread (no deadlock, no
//    oversubscription).
//  * Several host threads may call parallel_for on one Executor at once;
//    their jobs share the workers and each caller works on its own job, so
//    every call finishes even when all workers are busy elsewhere.
//  * Exceptions thrown by body are caught per piece; once every piece has
//    run, the exception of the lowest-numbered failing piece is rethrown.
//
// Thread-creation failure: the constructor creates as many workers as the
// system allows and stops at the first failure (size() reports what it got;
// at worst 1, the caller alone): never std::terminate.
//
// Lifetime: an Executor's destructor joins its workers; it must not run
// while a parallel_for on it is in progress. Executor::shared() is created on
// first use and deliberately never destroyed (its idle workers block on a
// condition variable until the process ends), so no static destructor can
// hang joining it or race with a late caller.
#pragma once

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#if defined(__linux__)
#include <sched.h>
#endif

namespace hypervec {

class Executor;

namespace detail {

/// The default worker count: the hardware threads this process may run on
/// (its CPU affinity on Linux, so that a rank that mpirun or taskset binds to
/// one core runs one worker; else every hardware thread), at least 1, read
/// once per process (glibc reads /sys/devices/system/cpu/online on every
/// hardware_concurrency() call: ~1.5 µs, twice per parallel_for).
inline unsigned default_thread_count() noexcept {
  static const unsigned count = [] {
#if defined(__linux__)
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) > 0) {
      return static_cast<unsigned>(CPU_COUNT(&set));
    }
#endif
    return std::max(1U, std::thread::hardware_concurrency());
  }();
  return count;
}

/// Pieces per hardware thread that parallel_for splits work into at most.
inline constexpr std::size_t kThreadsPerCore = 4;

/// The most pieces (and pool threads) ever used: kThreadsPerCore · hardware
/// threads.
inline std::size_t max_thread_count() noexcept {
  return kThreadsPerCore * std::size_t{default_thread_count()};
}

/// The number of pieces [0, n) is split into for `threads` workers (0 =
/// default_thread_count()) and at least min_chunk items per piece: 0 for
/// n == 0, else min(threads, n / min_chunk, max_thread_count(), n), at least 1.
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

/// True while this thread runs a parallel_for body (nested calls go inline).
inline thread_local bool t_in_parallel_body = false;

/// Runs every piece in order on this thread; rethrows the lowest failing
/// piece's exception after all ran.
template <typename Body>
void run_pieces_inline(std::size_t n, std::size_t pieces, Body& body) {
  std::exception_ptr first;
  for (std::size_t w = 0; w < pieces; ++w) {
    try {
      body(piece_begin(n, pieces, w), piece_begin(n, pieces, w + 1));
    } catch (...) {
      if (!first) first = std::current_exception();
    }
  }
  if (first) std::rethrow_exception(first);
}

template <typename Body>
void parallel_for_pieces(Executor& ex, std::size_t n, std::size_t pieces, Body&& body);

}  // namespace detail

/// A fixed set of worker threads reused by every parallel_for on it (see the
/// file comment for the contract).
class Executor {
 public:
  /// Starts a thread: launch(task) returns a joinable std::thread running
  /// task() or throws (any exception = the thread could not be created).
  using Launcher = std::function<std::thread(std::function<void()>)>;

  /// A pool of `threads` participants: the caller plus threads - 1 workers
  /// (0 = detail::default_thread_count(); capped at
  /// detail::max_thread_count()). Fewer if the system refuses threads.
  explicit Executor(unsigned threads = 0) : Executor(threads, Launcher{}) {}

  /// As above, creating the workers with `launch` (the test seam for
  /// thread-creation failures; empty = std::thread).
  Executor(unsigned threads, Launcher launch) {
    std::size_t want = threads == 0 ? detail::default_thread_count() : threads;
    want = std::min(want, detail::max_thread_count());
    workers_.reserve(want - 1);
    for (std::size_t i = 1; i < want; ++i) {
      try {
        std::function<void()> task = [this] { worker_loop(); };
        workers_.push_back(launch ? launch(std::move(task)) : std::thread(std::move(task)));
      } catch (...) {
        break;  // degrade: fewer workers
      }
    }
  }

  Executor(const Executor&) = delete;
  Executor& operator=(const Executor&) = delete;

  /// Joins the workers. Precondition: no parallel_for on this pool is running.
  ~Executor() {
    {
      const std::lock_guard<std::mutex> lock(mutex_);
      stop_ = true;
    }
    work_cv_.notify_all();
    for (auto& t : workers_) t.join();
  }

  /// Threads that run pieces: the workers started plus the calling thread.
  [[nodiscard]] std::size_t size() const noexcept { return workers_.size() + 1; }

  /// Calls body(begin, end) once for each of detail::worker_count(n, size(),
  /// min_chunk) non-empty contiguous pieces covering [0, n), on this pool
  /// and the calling thread; rethrows the lowest failing piece's exception.
  template <typename Body>
  void parallel_for(std::size_t n, std::size_t min_chunk, Body&& body) {
    detail::parallel_for_pieces(
        *this, n, detail::worker_count(n, static_cast<unsigned>(size()), min_chunk), body);
  }

  /// The process-wide pool (default_thread_count() threads), created on the
  /// first call (thread-safe) and never destroyed (see the file comment).
  static Executor& shared() {
    static Executor* const pool = new Executor(0);
    return *pool;
  }

 private:
  template <typename Body>
  friend void detail::parallel_for_pieces(Executor&, std::size_t, std::size_t, Body&&);

  /// One parallel_for call, living on its caller's stack. `next` hands out
  /// piece numbers; `attached` (guarded by mutex_) counts workers that may
  /// still touch the job.
  struct Job {
    void (*run)(void* ctx, std::size_t piece) = nullptr;
    void* ctx = nullptr;
    std::size_t pieces = 0;
    std::atomic<std::size_t> next{0};
    std::size_t attached = 0;
  };

  /// Claims and runs pieces of `job` until none is left.
  static void drain(Job& job) {
    const bool outer = detail::t_in_parallel_body;
    detail::t_in_parallel_body = true;
    for (;;) {
      const std::size_t w = job.next.fetch_add(1, std::memory_order_relaxed);
      if (w >= job.pieces) break;
      job.run(job.ctx, w);  // catches the body's exceptions itself
    }
    detail::t_in_parallel_body = outer;
  }

  /// Removes `job` from the queue if it is still there (mutex_ held).
  void unqueue(Job* job) {
    const auto it = std::find(queue_.begin(), queue_.end(), job);
    if (it != queue_.end()) queue_.erase(it);
  }

  void worker_loop() {
    std::unique_lock<std::mutex> lock(mutex_);
    for (;;) {
      work_cv_.wait(lock, [this] { return stop_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stop_ and nothing left
      Job* job = queue_.front();
      ++job->attached;
      lock.unlock();
      drain(*job);
      lock.lock();
      unqueue(job);  // every piece is claimed: no one else needs to look
      if (--job->attached == 0) done_cv_.notify_all();
    }
  }

  /// Runs `job` with the workers' help and returns once every piece has run.
  void run(Job& job) {
    {
      const std::lock_guard<std::mutex> lock(mutex_);
      queue_.push_back(&job);
    }
    const std::size_t helpers = std::min(job.pieces - 1, workers_.size());
    for (std::size_t i = 0; i < helpers; ++i) work_cv_.notify_one();
    drain(job);  // the caller takes part
    std::unique_lock<std::mutex> lock(mutex_);
    unqueue(&job);  // no new worker can attach from now on
    done_cv_.wait(lock, [&job] { return job.attached == 0; });
  }

  std::vector<std::thread> workers_;
  std::mutex mutex_;  // guards queue_, stop_ and every Job::attached
  std::condition_variable work_cv_;
  std::condition_variable done_cv_;
  std::deque<Job*> queue_;
  bool stop_ = false;
};

namespace detail {

/// Runs body(piece_begin(n, pieces, w), piece_begin(n, pieces, w + 1)) for
/// every w in [0, pieces) on `ex` and the calling thread (inline when nested
/// in another body, or when there is one piece or no worker); rethrows the
/// lowest failing piece's exception after all pieces ran. pieces <= n.
template <typename Body>
void parallel_for_pieces(Executor& ex, std::size_t n, std::size_t pieces, Body&& body) {
  if (pieces == 0) return;
  if (pieces == 1 || ex.size() == 1 || t_in_parallel_body) {
    run_pieces_inline(n, pieces, body);
    return;
  }
  struct Ctx {
    std::size_t n, pieces;
    std::remove_reference_t<Body>* body;
    std::vector<std::exception_ptr> errors;
  } ctx{n, pieces, &body, std::vector<std::exception_ptr>(pieces)};
  Executor::Job job;
  job.pieces = pieces;
  job.ctx = &ctx;
  job.run = [](void* p, std::size_t w) {
    auto& c = *static_cast<Ctx*>(p);
    try {
      (*c.body)(piece_begin(c.n, c.pieces, w), piece_begin(c.n, c.pieces, w + 1));
    } catch (...) {
      c.errors[w] = std::current_exception();
    }
  };
  ex.run(job);
  for (auto& e : ctx.errors) {
    if (e) std::rethrow_exception(e);
  }
}

}  // namespace detail
}  // namespace hypervec
