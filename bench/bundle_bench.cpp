// Bundling (include/hypervec/bundle.hpp): MAP-I accumulation, thresholding and
// bit-sliced majority on every Highway target (dispatch pinned per benchmark)
// next to the scalar references (src/reference/bipolar.hpp) in the same run,
// at D = 1024, 4096, 10000.
//
// Counters: bytes/s counts the operand bytes read (packed words for packed
// inputs, 4 bytes per int32 sum for threshold); items/s counts hypervectors
// read (add_all / majority of 64: 64). BM_MajorityOfN_D8192 is the
// allocation-free majority of n = 3 .. 1000 items at D = 8192. Ratios: python3 bench/ratios.py on a
// --benchmark_format=json run.
#include <hypervec/bipolar.hpp>
#include <hypervec/bundle.hpp>

#include "bench/bench_util.hpp"
#include "src/reference/bipolar.hpp"

#include <benchmark/benchmark.h>

#include <cstdint>
#include <vector>

namespace hv = hypervec;
namespace ref = hypervec::reference::bipolar;
using namespace hypervec::bench;

namespace {

constexpr std::uint64_t kSeed = 2024;
constexpr std::size_t kSetSize = 64;

struct Items {
  std::vector<hv::PackedVector> vectors;
  std::vector<hv::PackedView> views;
};

Items some_items(std::size_t n, std::size_t dim) {
  Items items;
  for (std::size_t k = 0; k < n; ++k) items.vectors.push_back(hv::bipolar::random(dim, kSeed, k));
  items.views.assign(items.vectors.begin(), items.vectors.end());
  return items;
}

/// The accumulator refuses a total |weight| above INT32_MAX; clear it, off the
/// clock, long before that (after 2^30, i.e. millions of iterations).
void keep_in_range(benchmark::State& state, hv::bipolar::Accumulator& acc) {
  if (acc.total_weight() > (std::int64_t{1} << 30)) {
    state.PauseTiming();
    acc.clear();
    state.ResumeTiming();
  }
}

// --- Accumulator::add (one packed vector, weight 1) ---------------------------

void add_simd(benchmark::State& state) {
  const auto v = hv::bipolar::random(dim_of(state), kSeed, 0);
  hv::bipolar::Accumulator acc(dim_of(state));
  for (auto _ : state) {
    acc.add(v);
    benchmark::DoNotOptimize(acc.sums().data());
    benchmark::ClobberMemory();
    keep_in_range(state, acc);
  }
  count_packed_reads(state, 1);
}

void add_reference(benchmark::State& state) {
  const auto v = hv::bipolar::random(dim_of(state), kSeed, 0);
  std::vector<std::int32_t> sums(dim_of(state), 0);
  for (auto _ : state) {
    ref::accumulate(v, 1, sums);
    benchmark::DoNotOptimize(sums.data());
    benchmark::ClobberMemory();
  }
  count_packed_reads(state, 1);
}

// --- Accumulator::add_all of 64 (bit-sliced counters) ---------------------------

/// Adds the set of 64 into one Accumulator per iteration with `add_set`.
template <typename AddSet>
void accumulate_set(benchmark::State& state, AddSet&& add_set) {
  const auto items = some_items(kSetSize, dim_of(state));
  hv::bipolar::Accumulator acc(dim_of(state));
  for (auto _ : state) {
    add_set(acc, items.views);
    benchmark::DoNotOptimize(acc.sums().data());
    benchmark::ClobberMemory();
    keep_in_range(state, acc);
  }
  count_packed_reads(state, kSetSize);
}

using Views = std::vector<hv::PackedView>;

void add_all_simd(benchmark::State& state) {
  accumulate_set(state, [](hv::bipolar::Accumulator& acc, const Views& vs) { acc.add_all(vs); });
}

/// Baseline: the same sums from 64 calls of the SIMD Accumulator::add, which
/// shows what bit-slicing gains over vector-at-a-time accumulation.
void add_each_simd(benchmark::State& state) {
  accumulate_set(state, [](hv::bipolar::Accumulator& acc, const Views& vs) {
    for (const auto& v : vs) acc.add(v);
  });
}

void add_all_reference(benchmark::State& state) {
  const auto items = some_items(kSetSize, dim_of(state));
  std::vector<std::int32_t> sums(dim_of(state), 0);
  for (auto _ : state) {
    for (const auto& v : items.views) ref::accumulate(v, 1, sums);
    benchmark::DoNotOptimize(sums.data());
    benchmark::ClobberMemory();
  }
  count_packed_reads(state, kSetSize);
}

// --- majority of 64 --------------------------------------------------------------

void majority_simd(benchmark::State& state) {
  const auto items = some_items(kSetSize, dim_of(state));
  for (auto _ : state) {
    auto out = hv::bipolar::majority(items.views);
    benchmark::DoNotOptimize(out.words());
  }
  count_packed_reads(state, kSetSize);
}

/// Per-bit vote counting, then threshold (ties -> -1, as the SIMD default).
void majority_reference(benchmark::State& state) {
  const auto items = some_items(kSetSize, dim_of(state));
  for (auto _ : state) {
    auto out = ref::majority(items.views, hv::TieBreak::toward_negative());
    benchmark::DoNotOptimize(out.words());
  }
  count_packed_reads(state, kSetSize);
}

// --- majority of n at D = 8192, out form (CBHV's case) ----------------------------

constexpr std::size_t kMajorityDim = 8192;

/// Majority of n = range(0) items of D = 8192 into a preallocated output,
/// ties (even n) by `tie`: the allocation-free form, n = 3 .. 1000.
void majority_of_n(benchmark::State& state, const hv::TieBreak& tie) {
  const auto n = static_cast<std::size_t>(state.range(0));
  const auto items = some_items(n, kMajorityDim);
  hv::PackedVector out(kMajorityDim);
  for (auto _ : state) {
    hv::bipolar::majority(items.views, out.span(), tie);
    benchmark::DoNotOptimize(out.words());
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * n * kMajorityDim / 8));
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * n));
}

void majority_counts(benchmark::internal::Benchmark* b) {
  for (const std::int64_t n : {3, 5, 16, 64, 255, 1000}) b->Arg(n);
}

// --- threshold ----------------------------------------------------------------------

/// Sums of 64 random vectors: ties (sum 0) at about 10% of the components.
std::vector<std::int32_t> some_sums(std::size_t dim) {
  const auto items = some_items(kSetSize, dim);
  std::vector<std::int32_t> sums(dim, 0);
  for (const auto& v : items.views) ref::accumulate(v, 1, sums);
  return sums;
}

void count_sum_reads(benchmark::State& state) { count_dense_reads<std::int32_t>(state, 1); }

void threshold_simd(benchmark::State& state) {
  hv::bipolar::Accumulator acc(dim_of(state));
  acc.add_all(some_items(kSetSize, dim_of(state)).views);
  for (auto _ : state) {
    auto out = acc.threshold();
    benchmark::DoNotOptimize(out.words());
  }
  count_sum_reads(state);
}

void threshold_reference(benchmark::State& state) {
  const auto sums = some_sums(dim_of(state));
  for (auto _ : state) {
    auto out = ref::threshold(sums, hv::TieBreak::toward_negative());
    benchmark::DoNotOptimize(out.words());
  }
  count_sum_reads(state);
}

void register_all() {
  register_both("BM_AccumulatorAdd", add_simd, add_reference);
  register_per_target("BM_AddAll64", add_all_simd, each_dim);
  register_per_target("BM_AddEach64", add_each_simd, each_dim);
  register_reference("BM_AddAll64", add_all_reference, each_dim);
  register_both("BM_Majority64", majority_simd, majority_reference);
  register_both("BM_Threshold", threshold_simd, threshold_reference);
  register_per_target(
      "BM_MajorityOfN_D8192",
      [](benchmark::State& s) { majority_of_n(s, hv::TieBreak::toward_positive()); },
      majority_counts);
  register_per_target(
      "BM_MajorityOfN_D8192_RandomTie",
      [](benchmark::State& s) { majority_of_n(s, hv::TieBreak::random(7)); },
      [](benchmark::internal::Benchmark* b) { b->Arg(16)->Arg(64); });
}

}  // namespace

int main(int argc, char** argv) {
  register_all();
  return run_main(argc, argv);
}
