// Shared benchmark helpers: the dimension list, the items/s and bytes/s
// counters, seeded random inputs, and registration of one benchmark per
// Highway target (dispatch pinned to that target around the timed loop) next
// to its scalar reference, so one run shows the SIMD gain of every target as
// a ratio. Bench files say `using namespace hypervec::bench;`.
//
// Names: <op>/<target>/<D>[/<extra args>] for the SIMD path, e.g.
// BM_Hamming/AVX2/4096, and <op>/reference/<D>... for the scalar reference
// (src/reference/). bench/ratios.py turns a JSON run into ratio tables.
#pragma once

#include <hypervec/storage.hpp>
#include <hypervec/targets.hpp>

#include <benchmark/benchmark.h>
#include <hwy/targets.h>

#include <cstdint>
#include <functional>
#include <random>
#include <span>
#include <string>
#include <vector>

namespace hypervec::bench {

/// The dimensions every operation is measured at.
inline const std::vector<std::int64_t> kDims = {1024, 4096, 10000};

/// The benchmark's dimension argument (range 0) as a size.
inline std::size_t dim_of(const benchmark::State& state) {
  return static_cast<std::size_t>(state.range(0));
}

/// Bytes of one packed vector of D components (whole 64-bit words).
inline std::int64_t packed_bytes(std::int64_t dim) {
  return static_cast<std::int64_t>(packed_words(static_cast<std::size_t>(dim)) * 8);
}

/// Reports `items` items and `bytes` bytes per iteration, as items/s and
/// bytes/s (the two counters every bench file shows).
inline void count_per_iteration(benchmark::State& state, std::int64_t items, std::int64_t bytes) {
  state.SetItemsProcessed(state.iterations() * items);
  state.SetBytesProcessed(state.iterations() * bytes);
}

/// Reports `vectors` vectors of `bytes_each` bytes read per iteration.
inline void count_reads(benchmark::State& state, std::int64_t vectors, std::int64_t bytes_each) {
  count_per_iteration(state, vectors, vectors * bytes_each);
}

/// Reports `vectors` packed vectors of D = range(0) components read per
/// iteration, as bytes/s and items/s.
inline void count_packed_reads(benchmark::State& state, std::int64_t vectors) {
  count_reads(state, vectors, packed_bytes(state.range(0)));
}

/// Reports `vectors` dense vectors of D = range(0) elements of T read (or
/// touched) per iteration: D · sizeof(T) bytes each.
template <typename T>
inline void count_dense_reads(benchmark::State& state, std::int64_t vectors) {
  count_reads(state, vectors, state.range(0) * static_cast<std::int64_t>(sizeof(T)));
}

/// Floats drawn in order from Dist(0, 1) over mt19937_64(seed), one stream
/// across fill() calls: N(0, 1) by default (MAP-C values as an encoder emits
/// them, LLM-like embeddings), or e.g. std::uniform_real_distribution<float>.
template <typename Dist = std::normal_distribution<float>>
class RandomFloats {
 public:
  explicit RandomFloats(std::uint64_t seed) : rng_(seed) {}
  void fill(std::span<float> out) {
    for (float& x : out) x = dist_(rng_);
  }
  std::vector<float> take(std::size_t n) {
    std::vector<float> v(n);
    fill(v);
    return v;
  }

 private:
  std::mt19937_64 rng_;
  Dist dist_{0.0f, 1.0f};
};

/// D Gaussian N(0, 1) floats from mt19937_64(seed).
inline DenseVector<float> gaussian_vector(std::size_t dim, std::uint64_t seed) {
  DenseVector<float> v(dim);
  RandomFloats<>(seed).fill(v.values());
  return v;
}

/// Pins the dispatcher to one Highway target while alive, and restores normal
/// dispatch (SetSupportedTargetsForTest(0)) on destruction. ok() is false,
/// with the benchmark marked as errored, if the pin did not take effect.
class TargetPin {
 public:
  TargetPin(benchmark::State& state, std::int64_t target) {
    hwy::SetSupportedTargetsForTest(target);
    const std::string want = hwy::TargetName(target);
    const std::string got = hypervec::active_target();
    if (got != want) {
      error_ = "dispatch pinned to " + want + " but selects " + got;
      state.SkipWithError(error_.c_str());
    }
  }
  ~TargetPin() { hwy::SetSupportedTargetsForTest(0); }
  TargetPin(const TargetPin&) = delete;
  TargetPin& operator=(const TargetPin&) = delete;

  bool ok() const noexcept { return error_.empty(); }

 private:
  std::string error_;  // SkipWithError keeps the pointer: must outlive the run
};

using Body = std::function<void(benchmark::State&)>;
using Configure = std::function<void(benchmark::internal::Benchmark*)>;

/// Registers `body` as <op>/<target> for every Highway target compiled into
/// the library and supported by this CPU, each run with dispatch pinned to
/// its target. `configure` sets the arguments (e.g. ->Arg(D)).
inline void register_per_target(const std::string& op, const Body& body,
                                const Configure& configure) {
  for (const std::int64_t target : hwy::SupportedAndGeneratedTargets()) {
    const std::string name = op + "/" + hwy::TargetName(target);
    auto* b = benchmark::RegisterBenchmark(name.c_str(), [target, body](benchmark::State& state) {
      TargetPin pin(state, target);
      if (pin.ok()) body(state);
    });
    configure(b);
  }
}

/// Registers the scalar reference of an operation as <op>/reference.
inline void register_reference(const std::string& op, const Body& body,
                               const Configure& configure) {
  configure(benchmark::RegisterBenchmark((op + "/reference").c_str(), body));
}

/// ->Arg(D) for every D in kDims.
inline void each_dim(benchmark::internal::Benchmark* b) {
  for (const std::int64_t dim : kDims) b->Arg(dim);
}

/// Registers an operation once per compiled target (`simd`, as
/// register_per_target) and once as <op>/reference (`reference`), with the
/// same arguments.
inline void register_both(const std::string& op, const Body& simd, const Body& reference,
                          const Configure& configure = each_dim) {
  register_per_target(op, simd, configure);
  register_reference(op, reference, configure);
}

/// register_both for a shared harness: `run(state, f)` sets up the inputs
/// and times f, called with the SIMD entry point per target and with the
/// scalar reference entry point (both usually generic lambdas, so one
/// harness serves overloaded functions).
template <typename Run, typename Simd, typename Ref>
void register_pair(const std::string& op, Run run, Simd simd, Ref reference,
                   const Configure& configure = each_dim) {
  register_both(
      op, [run, simd](benchmark::State& s) { run(s, simd); },
      [run, reference](benchmark::State& s) { run(s, reference); }, configure);
}

/// Runs the registered benchmarks (the body of every bench main()).
inline int run_main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}

}  // namespace hypervec::bench
