// Per-call overhead of the fork-join loop (src/parallel.hpp
// on the persistent pool of include/hypervec/executor.hpp) against the
// previous design, which created and joined fresh std::threads on every call
// (reproduced below as fresh_threads). The body is nearly empty, so the time
// per iteration is the cost of one parallel_for call.
//
//   BM_ParallelForOverhead/pool/<pieces>           detail::parallel_for (shared pool)
//   BM_ParallelForOverhead/fresh_threads/<pieces>  one std::thread per piece but the first
//   BM_ParallelForOverhead/inline/<pieces>         the pieces on the calling thread
#include "src/parallel.hpp"

#include "bench/bench_util.hpp"

#include <benchmark/benchmark.h>

#include <atomic>
#include <cstddef>
#include <thread>
#include <vector>

namespace hd = hypervec::detail;

namespace {

constexpr std::size_t kItems = 4096;

/// The pre-pool parallel_for: piece 0 here, pieces 1.. on new threads.
template <typename Body>
void fresh_threads_for(std::size_t n, std::size_t workers, Body&& body) {
  std::vector<std::thread> pool;
  pool.reserve(workers - 1);
  for (std::size_t w = 1; w < workers; ++w) {
    pool.emplace_back([&, w] { body(hd::piece_begin(n, workers, w), hd::piece_begin(n, workers, w + 1)); });
  }
  body(std::size_t{0}, hd::piece_begin(n, workers, 1));
  for (auto& t : pool) t.join();
}

std::atomic<std::size_t> g_sink{0};

void touch(std::size_t b, std::size_t e) { g_sink.fetch_add(e - b, std::memory_order_relaxed); }

void BM_Pool(benchmark::State& state) {
  const auto pieces = static_cast<unsigned>(state.range(0));
  for (auto _ : state) hd::parallel_for(kItems, pieces, 1, touch);
}

void BM_FreshThreads(benchmark::State& state) {
  const auto pieces = static_cast<std::size_t>(state.range(0));
  for (auto _ : state) fresh_threads_for(kItems, pieces, touch);
}

void BM_Inline(benchmark::State& state) {
  const auto pieces = static_cast<std::size_t>(state.range(0));
  for (auto _ : state) hd::run_pieces_inline(kItems, pieces, touch);
}

void pieces(benchmark::internal::Benchmark* b) {
  b->ArgName("pieces")->Arg(2)->Arg(4)->Arg(8)->UseRealTime()->Unit(benchmark::kMicrosecond);
}

}  // namespace

BENCHMARK(BM_Pool)->Name("BM_ParallelForOverhead/pool")->Apply(pieces);
BENCHMARK(BM_FreshThreads)->Name("BM_ParallelForOverhead/fresh_threads")->Apply(pieces);
BENCHMARK(BM_Inline)->Name("BM_ParallelForOverhead/inline")->Apply(pieces);

int main(int argc, char** argv) { return hypervec::bench::run_main(argc, argv); }
