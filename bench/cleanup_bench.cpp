// Cleanup memory (include/hypervec/cleanup.hpp): batched exact top-k search,
// single thread unless the name says otherwise, against its peers in the same
// run: the plain scalar scan (src/reference/cleanup.hpp) and, when the build
// found Debian's libfaiss-dev, faiss IndexBinaryFlat (packed) and IndexFlatIP
// (float; BLAS sgemm for batches of >= 20 queries, so its speed is that of the
// libblas.so.3 the loader picks: see docs/performance.md, "Cleanup memory").
//
// Names: BM_<kind>/<impl>/<M>/<D>/<Q>, kind = packed | mixed | float,
// impl = hypervec | reference | faiss. Top-10 per query.
// Times are CPU time of the calling thread (the machine is shared and noisy;
// single-thread searches run on the caller), except *_2threads: real time.
// Run faiss single-threaded: OPENBLAS_NUM_THREADS=1 (omp is set to 1 here).
// Counters: items/s = queries/s; pairs/s = (query, row) pairs scored per
// second (Q · M per search); bytes/s = operand bytes per second with every
// row and every query counted once per search (M · row bytes + Q · query
// bytes: D/8 for packed, 4·D for float), the least memory traffic a search
// can have: the kernels' blocking re-reads rows from L1/L2 per query block,
// not from memory, so a "Q · M · row bytes" figure would count cache hits.
// Packed queries: BM_packed/hypervec (and faiss) use codebook rows with the
// 16 low bits flipped (one row at distance 16, which fills the top-k early);
// BM_packed/hypervec_uniform uses uniform random queries (every row near
// D/2: more candidates reach the top-k heap, the decoder's noise queries).
// Per-target: BM_<kind>_target/<target>/3000/4096/100 pins each Highway target.
// BM_packed_single/<impl>/<M>/<D>/<k>: one packed query, top-k (k = 1, 10),
// bytes/s = codebook bytes (M · D/8) per second; BM_packed_single_target pins
// each target at M = 10,000, D = 8192, k = 1.
#include <hypervec/cleanup.hpp>
#include <hypervec/random.hpp>

#include "bench/bench_util.hpp"
#include "src/reference/cleanup.hpp"

#include <benchmark/benchmark.h>

#ifdef HYPERVEC_HAVE_FAISS
#include <faiss/IndexBinaryFlat.h>
#include <faiss/IndexFlat.h>
#include <omp.h>
#endif

#include <cstdint>
#include <cstring>
#include <map>
#include <memory>
#include <string>
#include <tuple>
#include <vector>

namespace hv = hypervec;
namespace cl = hypervec::cleanup;
namespace ref = hypervec::reference::cleanup;

namespace {

constexpr std::size_t kTopK = 10;
constexpr std::uint64_t kSeed = 77;

/// Uniform floats in [-1, 1) from the counter-based generator (fast enough
/// for a 4 GB codebook).
void fill_uniform(float* out, std::size_t n, std::uint64_t row) {
  const std::uint64_t key = hv::random::row_key(kSeed, row);
  for (std::size_t i = 0; i < n; ++i) {
    out[i] = static_cast<float>(static_cast<double>(hv::random::stream_word(key, i) >> 11) *
                                    0x1.0p-52 - 1.0);
  }
}

/// Data sets, built once per (M, D) and kept for the run.
struct PackedData {
  hv::PackedMatrix book, queries, uniform;
  std::unique_ptr<cl::PackedMemory> memory;
};
struct FloatData {
  hv::DenseMatrix<float> book, queries;
  std::unique_ptr<cl::FloatMemory> memory;
};

constexpr std::size_t kMaxQueries = 1000;

PackedData& packed_data(std::size_t rows, std::size_t dim) {
  static std::map<std::pair<std::size_t, std::size_t>, PackedData> cache;
  auto [it, fresh] = cache.try_emplace({rows, dim});
  if (fresh) {
    auto& d = it->second;
    d.book = hv::PackedMatrix(rows, dim);
    d.queries = hv::PackedMatrix(kMaxQueries, dim);
    auto fill = [dim](hv::PackedMatrix& m, std::size_t n, std::uint64_t first_row) {
      for (std::size_t r = 0; r < n; ++r) {
        const auto key = hv::random::row_key(kSeed, first_row + r);
        auto row = m.row_span(r);
        for (std::size_t j = 0; j < row.num_words(); ++j) row.words[j] = hv::random::stream_word(key, j);
        row.words[row.num_words() - 1] &= hv::packed_tail_mask(dim);
      }
    };
    fill(d.book, rows, 0);
    d.uniform = hv::PackedMatrix(kMaxQueries, dim);
    fill(d.uniform, kMaxQueries, 2'000'000'000);
    for (std::size_t a = 0; a < kMaxQueries; ++a) {
      std::memcpy(d.queries.row_span(a).words, d.book.row((a * 7919) % rows).words,
                  d.book.stride_words() * 8);
      d.queries.row_span(a).words[0] ^= 0xFFFF;  // near a row, not equal
    }
    d.memory = std::make_unique<cl::PackedMemory>(d.book.view());
  }
  return it->second;
}

FloatData& float_data(std::size_t rows, std::size_t dim, bool build_float_memory) {
  static std::map<std::pair<std::size_t, std::size_t>, FloatData> cache;
  auto [it, fresh] = cache.try_emplace({rows, dim});
  auto& d = it->second;
  if (fresh) {
    d.queries = hv::DenseMatrix<float>(kMaxQueries, dim);
    for (std::size_t a = 0; a < kMaxQueries; ++a) fill_uniform(d.queries.row(a).data(), dim, 1'000'000'000 + a);
  }
  if (build_float_memory && !d.memory) {
    d.book = hv::DenseMatrix<float>(rows, dim);
    for (std::size_t r = 0; r < rows; ++r) fill_uniform(d.book.row(r).data(), dim, r);
    d.memory = std::make_unique<cl::FloatMemory>(d.book.view(), std::span<const std::string>{},
                                                 cl::Metric::dot);
    d.book = hv::DenseMatrix<float>();  // the memory holds its own copy
  }
  return d;
}

struct Shape {
  std::size_t rows, dim, nq;
};
Shape shape(const benchmark::State& state) {
  return {static_cast<std::size_t>(state.range(0)), static_cast<std::size_t>(state.range(1)),
          static_cast<std::size_t>(state.range(2))};
}

void count(benchmark::State& state, const Shape& s, double row_bytes) {
  hv::bench::count_per_iteration(
      state, static_cast<std::int64_t>(s.nq),
      static_cast<std::int64_t>(static_cast<double>(s.nq + s.rows) * row_bytes));
  // Rows scored per second (query-row pairs): Q · M per search.
  state.counters["pairs/s"] = benchmark::Counter(
      static_cast<double>(state.iterations()) * static_cast<double>(s.nq * s.rows),
      benchmark::Counter::kIsRate);
}

// --- hypervec --------------------------------------------------------------------

/// One batched search of the first Q queries per iteration.
template <typename Memory, typename Queries>
void search_batch(benchmark::State& state, const Shape& s, const Memory& memory,
                  const Queries& q, unsigned threads, double row_bytes) {
  for (auto _ : state) {
    auto result = memory.search(q, {.k = kTopK, .threads = threads});
    benchmark::DoNotOptimize(result.data());
  }
  count(state, s, row_bytes);
}

void packed_hypervec(benchmark::State& state, unsigned threads, bool uniform = false) {
  const Shape s = shape(state);
  auto& d = packed_data(s.rows, s.dim);
  const hv::PackedMatrix& m = uniform ? d.uniform : d.queries;
  const hv::PackedMatrixView q{m.words(), s.nq, s.dim, m.stride_words()};
  search_batch(state, s, *d.memory, q, threads, static_cast<double>(s.dim) / 8);
}

void mixed_hypervec(benchmark::State& state, unsigned threads) {
  const Shape s = shape(state);
  auto& p = packed_data(s.rows, s.dim);
  auto& f = float_data(s.rows, s.dim, false);
  const hv::DenseMatrixView<float> q{f.queries.data(), s.nq, s.dim, f.queries.stride()};
  search_batch(state, s, *p.memory, q, threads, static_cast<double>(s.dim) / 8);
}

void float_hypervec(benchmark::State& state, unsigned threads) {
  const Shape s = shape(state);
  auto& f = float_data(s.rows, s.dim, true);
  const hv::DenseMatrixView<float> q{f.queries.data(), s.nq, s.dim, f.queries.stride()};
  search_batch(state, s, *f.memory, q, threads, 4.0 * static_cast<double>(s.dim));
}

/// One packed query searched per iteration (issue 17): top-k of range(2) over
/// M = range(0) rows of D = range(1) bits. bytes/s counts the codebook only
/// (M · D/8 bytes, every row read once), the figure to set against the
/// plain XOR + popcount scan of bench/popcount_peak_bench.cpp (BM_Scan).
void packed_single(benchmark::State& state, bool uniform) {
  const auto rows = static_cast<std::size_t>(state.range(0));
  const auto dim = static_cast<std::size_t>(state.range(1));
  const auto k = static_cast<std::size_t>(state.range(2));
  auto& d = packed_data(rows, dim);
  const auto q = (uniform ? d.uniform : d.queries).row(0);
  for (auto _ : state) {
    auto result = d.memory->search(q, {.k = k, .threads = 1});
    benchmark::DoNotOptimize(result.data());
  }
  hv::bench::count_per_iteration(state, 1,
                                 static_cast<std::int64_t>(rows * hv::packed_words(dim) * 8));
}

// --- scalar reference (plain scan) ---------------------------------------------------

/// The plain scan, one query at a time: search(a) returns query a's hits.
template <typename Search>
void scan_each(benchmark::State& state, const Shape& s, double row_bytes, Search&& search) {
  for (auto _ : state) {
    for (std::size_t a = 0; a < s.nq; ++a) {
      auto hits = search(a);
      benchmark::DoNotOptimize(hits.data());
    }
  }
  count(state, s, row_bytes);
}

void packed_reference(benchmark::State& state) {
  const Shape s = shape(state);
  auto& d = packed_data(s.rows, s.dim);
  scan_each(state, s, static_cast<double>(s.dim) / 8, [&](std::size_t a) {
    return ref::search_packed(d.queries.row(a), d.book.view(), kTopK);
  });
}

void mixed_reference(benchmark::State& state) {
  const Shape s = shape(state);
  auto& p = packed_data(s.rows, s.dim);
  auto& f = float_data(s.rows, s.dim, false);
  scan_each(state, s, static_cast<double>(s.dim) / 8, [&](std::size_t a) {
    return ref::search_mixed(f.queries.row(a), p.book.view(), kTopK);
  });
}

void float_reference(benchmark::State& state) {
  const Shape s = shape(state);
  auto& f = float_data(s.rows, s.dim, true);
  scan_each(state, s, 4.0 * static_cast<double>(s.dim), [&](std::size_t a) {
    return ref::search_float(f.queries.row(a), f.memory->view(), kTopK, cl::Metric::dot);
  });
}

// --- faiss -----------------------------------------------------------------------------

#ifdef HYPERVEC_HAVE_FAISS
void packed_faiss(benchmark::State& state) {
  const Shape s = shape(state);
  auto& d = packed_data(s.rows, s.dim);
  omp_set_num_threads(1);
  const std::size_t code = (s.dim + 7) / 8;  // faiss: d bits, d % 8 == 0
  faiss::IndexBinaryFlat index(static_cast<int>(code * 8));
  std::vector<std::uint8_t> buf(s.rows * code);
  for (std::size_t r = 0; r < s.rows; ++r) std::memcpy(&buf[r * code], d.book.row(r).words, code);
  index.add(static_cast<faiss::Index::idx_t>(s.rows), buf.data());
  std::vector<std::uint8_t> qbuf(s.nq * code);
  for (std::size_t a = 0; a < s.nq; ++a) std::memcpy(&qbuf[a * code], d.queries.row(a).words, code);
  std::vector<std::int32_t> dist(s.nq * kTopK);
  std::vector<faiss::Index::idx_t> ids(s.nq * kTopK);
  for (auto _ : state) {
    index.search(static_cast<faiss::Index::idx_t>(s.nq), qbuf.data(), kTopK, dist.data(), ids.data());
    benchmark::DoNotOptimize(ids.data());
  }
  count(state, s, static_cast<double>(s.dim) / 8);
}

void float_faiss(benchmark::State& state) {
  const Shape s = shape(state);
  auto& f = float_data(s.rows, s.dim, true);
  omp_set_num_threads(1);
  faiss::IndexFlatIP index(static_cast<faiss::Index::idx_t>(s.dim));
  {
    // faiss wants contiguous rows.
    std::vector<float> buf(s.rows * s.dim);
    for (std::size_t r = 0; r < s.rows; ++r) {
      std::memcpy(&buf[r * s.dim], f.memory->view().row(r).data(), s.dim * 4);
    }
    index.add(static_cast<faiss::Index::idx_t>(s.rows), buf.data());
  }
  std::vector<float> qbuf(s.nq * s.dim);
  for (std::size_t a = 0; a < s.nq; ++a) std::memcpy(&qbuf[a * s.dim], f.queries.row(a).data(), s.dim * 4);
  std::vector<float> dist(s.nq * kTopK);
  std::vector<faiss::Index::idx_t> ids(s.nq * kTopK);
  for (auto _ : state) {
    index.search(static_cast<faiss::Index::idx_t>(s.nq), qbuf.data(), kTopK, dist.data(), ids.data());
    benchmark::DoNotOptimize(ids.data());
  }
  count(state, s, 4.0 * static_cast<double>(s.dim));
}
#endif

/// The grid: M = 3000 and 100,000, D = 4096 and 10000, Q = 1000
/// (Q = 100 for float and mixed at M = 100,000, where one batch of 1000 is
/// 10^12 multiply-adds), plus single queries at M = 100,000.
void grid(benchmark::internal::Benchmark* b, bool big_q) {
  for (const std::int64_t dim : {4096, 10000}) {
    b->Args({3000, dim, 1000});
    b->Args({100000, dim, big_q ? 1000 : 100});
  }
  b->Unit(benchmark::kMillisecond);
}
/// Small batches: the probe decoder's 8 queries per document (packed), and
/// 8 float queries (mixed and float below the sgemm threshold).
void batch8(benchmark::internal::Benchmark* b) {
  for (const std::int64_t dim : {4096, 10000}) {
    b->Args({3000, dim, 8});
    b->Args({100000, dim, 8});
  }
  b->Unit(benchmark::kMillisecond);
}
void single_query(benchmark::internal::Benchmark* b) {
  for (const std::int64_t dim : {4096, 10000}) b->Args({100000, dim, 1});
  b->Unit(benchmark::kMillisecond);
}
/// Single packed queries over a codebook in cache: D = 8192 (1 KiB a row),
/// M = 1000 (L2) and 10,000 (L3), top-1 and top-10.
void single_packed(benchmark::internal::Benchmark* b) {
  for (const std::int64_t rows : {1000, 10000}) {
    for (const std::int64_t k : {1, 10}) b->Args({rows, 8192, k});
  }
  b->Unit(benchmark::kMicrosecond);
}
void small(benchmark::internal::Benchmark* b) {
  b->Args({3000, 4096, 10})->Unit(benchmark::kMillisecond);
}

void register_all() {
  using B = benchmark::State;
  benchmark::RegisterBenchmark("BM_packed/hypervec", [](B& s) { packed_hypervec(s, 1); })
      ->Apply([](auto* b) { grid(b, true); })
      ->Apply(batch8);
  benchmark::RegisterBenchmark("BM_packed/hypervec_uniform", [](B& s) { packed_hypervec(s, 1, true); })
      ->Apply([](auto* b) { grid(b, true); })
      ->Apply(batch8);
  benchmark::RegisterBenchmark("BM_packed/hypervec_2threads", [](B& s) { packed_hypervec(s, 2); })
      ->Apply([](auto* b) { grid(b, true); })
      ->UseRealTime();
  benchmark::RegisterBenchmark("BM_packed/reference", packed_reference)->Apply(small);
  benchmark::RegisterBenchmark("BM_packed_single/hypervec", [](B& s) { packed_single(s, false); })
      ->Apply(single_packed);
  benchmark::RegisterBenchmark("BM_packed_single/hypervec_uniform",
                               [](B& s) { packed_single(s, true); })
      ->Apply(single_packed);
  benchmark::RegisterBenchmark("BM_mixed/hypervec", [](B& s) { mixed_hypervec(s, 1); })
      ->Apply([](auto* b) { grid(b, false); })
      ->Apply(single_query)
      ->Apply(batch8);
  benchmark::RegisterBenchmark("BM_mixed/reference", mixed_reference)->Apply(small);
  benchmark::RegisterBenchmark("BM_float/hypervec", [](B& s) { float_hypervec(s, 1); })
      ->Apply([](auto* b) { grid(b, false); })
      ->Apply(single_query)
      ->Apply(batch8);
  benchmark::RegisterBenchmark("BM_float/reference", float_reference)->Apply(small);
#ifdef HYPERVEC_HAVE_FAISS
  benchmark::RegisterBenchmark("BM_packed/faiss", packed_faiss)->Apply([](auto* b) { grid(b, true); });
  benchmark::RegisterBenchmark("BM_float/faiss", float_faiss)
      ->Apply([](auto* b) { grid(b, false); })
      ->Apply(single_query);
#endif
  // Every Highway target at one size, to show the SIMD gain per target.
  auto per_target = [](benchmark::internal::Benchmark* b) {
    b->Args({3000, 4096, 100})->Unit(benchmark::kMillisecond);
  };
  hv::bench::register_per_target("BM_packed_target", [](B& s) { packed_hypervec(s, 1); }, per_target);
  hv::bench::register_per_target(
      "BM_packed_single_target", [](B& s) { packed_single(s, false); },
      [](benchmark::internal::Benchmark* b) {
        b->Args({10000, 8192, 1})->Unit(benchmark::kMicrosecond);
      });
  hv::bench::register_per_target("BM_mixed_target", [](B& s) { mixed_hypervec(s, 1); }, per_target);
  hv::bench::register_per_target("BM_float_target", [](B& s) { float_hypervec(s, 1); }, per_target);
}

}  // namespace

int main(int argc, char** argv) {
  register_all();
  return hv::bench::run_main(argc, argv);
}
