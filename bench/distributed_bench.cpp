// The sharded cleanup memory (include/hypervec/distributed.hpp) against the
// local memory in the same program, to measure what MPI itself costs:
//
//   mpirun -np 1 build/release/bench/distributed_bench --threads=2   # 1 rank x 2 threads
//   mpirun -np 2 --bind-to core build/release/bench/distributed_bench --threads=1
//
// BM_ShardedSearch/M/Q: Q packed queries (k = 5) against M random rows of
// D = 8192 split over the ranks; BM_LocalSearch/M/Q (only at -np 1): the same
// search on a cleanup::PackedMemory with no MPI. items/s are queries/s, bytes/s
// the codebook bytes scanned (M·D/8 per query, all ranks together). Every
// rank runs the same fixed iteration counts (the search is collective); only
// rank 0 reports. Results: docs/performance.md, "Past one machine".
#include <hypervec/bipolar.hpp>
#include <hypervec/cleanup.hpp>
#include <hypervec/distributed.hpp>

#include <benchmark/benchmark.h>
#include <mpi.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

namespace hv = hypervec;
namespace dist = hypervec::distributed;

namespace {

constexpr std::size_t kDim = 8192;
constexpr std::size_t kRows = 1'000'000;
constexpr std::uint64_t kSeed = 7;
unsigned g_threads = 0;  // --threads=T, 0 = the process's CPUs

/// Rank `rank`'s shard of the kRows-row random codebook (row i is
/// bipolar::random(kDim, kSeed, i) on whichever rank holds it).
hv::cleanup::PackedMemory make_shard(int ranks, int rank) {
  const dist::Range range = dist::shard_range(kRows, ranks, rank);
  hv::cleanup::PackedMemory shard(kDim);
  if (range.count != 0) {
    hv::RandomOptions options;
    options.first_row = range.first;
    shard.add(hv::bipolar::random_matrix(range.count, kDim, kSeed, options).view());
  }
  return shard;
}

/// Q queries: rows 0, 1, ... of another seed (noise: no row stands out).
hv::PackedMatrix make_queries(std::size_t q) { return hv::bipolar::random_matrix(q, kDim, kSeed + 1); }

const dist::ShardedMemory<hv::cleanup::Packed>& sharded() {
  static const auto memory = [] {
    int rank = 0, ranks = 1;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &ranks);
    return std::make_unique<dist::ShardedMemory<hv::cleanup::Packed>>(MPI_COMM_WORLD,
                                                                       make_shard(ranks, rank));
  }();
  return *memory;
}

/// Times memory.search of state.range(1) queries (k = 5) and reports
/// queries/s and codebook bytes/s (the whole codebook, all ranks together).
template <typename AnyMemory>
void time_search(benchmark::State& state, const AnyMemory& memory) {
  const std::size_t q = static_cast<std::size_t>(state.range(1));
  const hv::PackedMatrix queries = make_queries(q);
  hv::cleanup::Options options;
  options.k = 5;
  options.threads = g_threads;
  for (auto _ : state) benchmark::DoNotOptimize(memory.search(queries.view(), options));
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(q));
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(q * kRows * kDim / 8));
  state.counters["threads"] = static_cast<double>(g_threads);
}

int world_size() {
  int ranks = 1;
  MPI_Comm_size(MPI_COMM_WORLD, &ranks);
  return ranks;
}

void BM_ShardedSearch(benchmark::State& state) {
  time_search(state, sharded());
  state.counters["ranks"] = world_size();
}

void BM_LocalSearch(benchmark::State& state) {
  if (world_size() != 1) {
    state.SkipWithError("the local baseline runs at -np 1 only");
    return;
  }
  static const hv::cleanup::PackedMemory memory = make_shard(1, 0);
  time_search(state, memory);
}

// Fixed iteration counts: every rank must run the collective search equally often.
BENCHMARK(BM_ShardedSearch)->Args({kRows, 1})->Iterations(20)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ShardedSearch)->Args({kRows, 64})->Iterations(4)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_LocalSearch)->Args({kRows, 1})->Iterations(20)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_LocalSearch)->Args({kRows, 64})->Iterations(4)->UseRealTime()->Unit(benchmark::kMillisecond);

/// Ranks other than 0 run every benchmark but print nothing.
class SilentReporter : public benchmark::BenchmarkReporter {
 public:
  bool ReportContext(const Context&) override { return true; }
  void ReportRuns(const std::vector<Run>&) override {}
};

}  // namespace

int main(int argc, char** argv) {
  MPI_Init(&argc, &argv);
  benchmark::Initialize(&argc, argv);
  int kept = 1;
  for (int i = 1; i < argc; ++i) {
    if (std::strncmp(argv[i], "--threads=", 10) == 0) {
      g_threads = static_cast<unsigned>(std::strtoul(argv[i] + 10, nullptr, 10));
    } else {
      argv[kept++] = argv[i];
    }
  }
  if (benchmark::ReportUnrecognizedArguments(kept, argv)) {
    MPI_Finalize();
    return 1;
  }
  int rank = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  if (rank == 0) {
    benchmark::RunSpecifiedBenchmarks();
  } else {
    SilentReporter silent;
    benchmark::RunSpecifiedBenchmarks(&silent);
  }
  benchmark::Shutdown();
  MPI_Finalize();
  return 0;
}
