// Shared benchmark helpers: the dimension list, and registration of one
// benchmark per Highway target (dispatch pinned to that target around the
// timed loop) next to its scalar reference, so one run shows the SIMD gain
// of every target as a ratio.
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

/// Reports `vectors` packed vectors of D = range(0) components read per
/// iteration, as bytes/s and items/s.
inline void count_packed_reads(benchmark::State& state, std::int64_t vectors) {
  state.SetBytesProcessed(state.iterations() * vectors * packed_bytes(state.range(0)));
  state.SetItemsProcessed(state.iterations() * vectors);
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

/// Runs the registered benchmarks (the body of every bench main()).
inline int run_main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}

}  // namespace hypervec::bench
