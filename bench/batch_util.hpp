// Batched calls as the Python module makes them (src/python/ops.cpp
// `binary`): N row pairs of C-contiguous N x row_len operand matrices,
// streamed from memory, one output row per pair, the rows split over
// Executor::shared() in pieces of the size for_each_row uses
// (src/python/arrays.hpp rows_per_piece over Ops::work). The output is a
// freshly allocated, uninitialised N x row_len buffer each iteration (as
// NumPy's / Packed's output array is) or, for reference, one buffer reused
// across iterations. Dispatch is not pinned: the best target runs, as from
// Python. Wall time (UseRealTime); items/s counts row pairs bound. Operands
// and outputs are allocated as NumPy allocates arrays (numpy_like_buffer:
// malloc, plus madvise(MADV_HUGEPAGE) from 4 MiB up, which NumPy >= 1.16 does
// on Linux and which, with transparent huge pages in `madvise` mode, cuts the
// page faults of writing a fresh 16-64 MiB output by up to 512x).
//
// Names: BM_<op>Batch.../<D>/rows:<N>/fresh:<0|1>.
#pragma once

#include <hypervec/executor.hpp>

#include <benchmark/benchmark.h>

#include <sys/mman.h>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <new>
#include <vector>

namespace hypervec::bench {

/// The batch sizes of the batched benchmarks (issue 14: N >= 1,000).
inline const std::vector<std::int64_t> kBatchRows = {1000, 2000};

/// Rows per parallel piece: the Python module's rows_per_piece(work), pieces
/// of at least ~64k units of work (one unit per dense component, two per
/// packed word).
inline std::size_t batch_rows_per_piece(std::size_t work_per_row) noexcept {
  return std::max<std::size_t>(1, (std::size_t{1} << 16) / std::max<std::size_t>(work_per_row, 1));
}

/// n uninitialised T as NumPy allocates an array's data: operator new
/// (malloc), and for 4 MiB or more madvise(MADV_HUGEPAGE) on the whole pages
/// inside it (NumPy's npy_alloc_cache, numpy/core/src/multiarray/alloc.c).
template <typename T>
std::unique_ptr<T[]> numpy_like_buffer(std::size_t n) {
  auto p = std::make_unique_for_overwrite<T[]>(n);
  const std::size_t bytes = n * sizeof(T);
  if (bytes >= (std::size_t{1} << 22)) {
    const auto addr = reinterpret_cast<std::uintptr_t>(p.get());
    const std::uintptr_t offset = 4096 - addr % 4096;
    madvise(reinterpret_cast<void*>(addr + offset), bytes - offset, MADV_HUGEPAGE);
  }
  return p;
}

/// Times row(i, out_row_i) for i in [0, rows) on Executor::shared(), into a
/// fresh uninitialised rows x row_len buffer per iteration when `fresh`, else
/// into one buffer allocated (and written once) before the loop.
template <typename T, typename Row>
void time_batch(benchmark::State& state, std::size_t rows, std::size_t row_len,
                std::size_t work_per_row, bool fresh, Row&& row) {
  const std::size_t piece = batch_rows_per_piece(work_per_row);
  const auto run = [&](T* out) {
    Executor::shared().parallel_for(rows, piece, [&](std::size_t b, std::size_t e) {
      for (std::size_t i = b; i < e; ++i) row(i, out + i * row_len);
    });
  };
  std::unique_ptr<T[]> kept;
  if (!fresh) {
    kept = numpy_like_buffer<T>(rows * row_len);
    run(kept.get());
  }
  for (auto _ : state) {
    std::unique_ptr<T[]> made;
    if (fresh) made = numpy_like_buffer<T>(rows * row_len);
    T* out = fresh ? made.get() : kept.get();
    run(out);
    benchmark::DoNotOptimize(out);
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(rows));
  state.counters["threads"] = static_cast<double>(Executor::shared().size());
}

/// Args {D, rows, fresh} for every D in `dims`, every N in kBatchRows and
/// both output kinds, in wall time (µs).
inline void batch_args(benchmark::internal::Benchmark* b, const std::vector<std::int64_t>& dims) {
  b->ArgNames({"", "rows", "fresh"})->UseRealTime()->Unit(benchmark::kMicrosecond);
  for (const std::int64_t dim : dims) {
    for (const std::int64_t rows : kBatchRows) {
      b->Args({dim, rows, 1});
      b->Args({dim, rows, 0});
    }
  }
}

/// The batch size (range 1) and output kind (range 2) of a batched benchmark.
inline std::size_t batch_rows_of(const benchmark::State& state) {
  return static_cast<std::size_t>(state.range(1));
}
inline bool fresh_output_of(const benchmark::State& state) { return state.range(2) != 0; }

}  // namespace hypervec::bench
