// Packed bipolar MAP (include/hypervec/bipolar.hpp): every operation on every
// Highway target (dispatch pinned per benchmark) and its scalar reference
// (src/reference/bipolar.hpp) in the same run, at D = 1024, 4096, 10000.
//
// Counters: bytes/s counts the packed operand bytes read (whole words);
// items/s counts hypervectors read (bind: 2, multibind of 8: 8, ...), or
// rows written for random_matrix. Ratios: python3 bench/ratios.py on a
// --benchmark_format=json run. BM_BindBatch: N packed row pairs as
// Python's bsc.bind binds them (bench/batch_util.hpp; wall time, items/s =
// pairs, best target, shared pool).
#include <hypervec/bipolar.hpp>

#include "bench/batch_util.hpp"
#include "bench/bench_util.hpp"
#include "src/reference/bipolar.hpp"

#include <benchmark/benchmark.h>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace hv = hypervec;
namespace ref = hypervec::reference::bipolar;
using namespace hypervec::bench;

namespace {

constexpr std::uint64_t kSeed = 2024;
constexpr std::int64_t kMultibindItems = 8;

// --- bind --------------------------------------------------------------------

void bind_simd(benchmark::State& state) {
  const auto a = hv::bipolar::random(dim_of(state), kSeed, 0);
  const auto b = hv::bipolar::random(dim_of(state), kSeed, 1);
  hv::PackedVector out(dim_of(state));
  for (auto _ : state) {
    hv::bipolar::bind(a, b, out.span());
    benchmark::DoNotOptimize(out.words());
    benchmark::ClobberMemory();
  }
  count_packed_reads(state, 2);
}

void bind_reference(benchmark::State& state) {
  const auto a = hv::bipolar::random(dim_of(state), kSeed, 0);
  const auto b = hv::bipolar::random(dim_of(state), kSeed, 1);
  for (auto _ : state) {
    auto out = ref::bind(a, b);
    benchmark::DoNotOptimize(out.words());
  }
  count_packed_reads(state, 2);
}

/// bsc.bind of N row pairs as Python calls it (bench/batch_util.hpp): packed
/// N x W word matrices (W = ceil(D / 64), no row padding, as a Packed array
/// holds them), XOR row by row on the shared pool.
void bind_batch(benchmark::State& state) {
  const std::size_t dim = dim_of(state), rows = batch_rows_of(state);
  const std::size_t words = hv::packed_words(dim);
  std::mt19937_64 rng(kSeed);
  const std::size_t n = rows * words;
  auto a = numpy_like_buffer<std::uint64_t>(n), b = numpy_like_buffer<std::uint64_t>(n);
  for (std::size_t k = 0; k < n; ++k) a[k] = rng(), b[k] = rng();
  if (dim % 64 != 0) {  // bits past D are zero, as in every Packed
    for (std::size_t i = 0; i < rows; ++i) {
      a[i * words + words - 1] &= (std::uint64_t{1} << (dim % 64)) - 1;
      b[i * words + words - 1] &= (std::uint64_t{1} << (dim % 64)) - 1;
    }
  }
  time_batch<std::uint64_t>(state, rows, words, 2 * words, fresh_output_of(state),
                            [&](std::size_t i, std::uint64_t* out) {
                              hv::bipolar::bind(hv::PackedView{a.get() + i * words, dim},
                                                hv::PackedView{b.get() + i * words, dim},
                                                hv::PackedSpan{out, dim});
                            });
}

// --- similarity ---------------------------------------------------------------

template <typename Score>
void score(benchmark::State& state, Score&& f) {
  const auto a = hv::bipolar::random(dim_of(state), kSeed, 0);
  const auto b = hv::bipolar::random(dim_of(state), kSeed, 1);
  for (auto _ : state) {
    auto s = f(a.view(), b.view());
    benchmark::DoNotOptimize(s);
  }
  count_packed_reads(state, 2);
}

// --- permute -------------------------------------------------------------------

/// Shift amounts: word-aligned (64), a one-bit funnel shift (1) and a large
/// ragged one (D/3 + 1, which crosses the end of the vector).
void permute_args(benchmark::internal::Benchmark* b) {
  b->ArgNames({"", "shift"});
  for (const std::int64_t dim : kDims) {
    for (const std::int64_t shift : {std::int64_t{1}, std::int64_t{64}, dim / 3 + 1}) {
      b->Args({dim, shift});
    }
  }
}

void permute_simd(benchmark::State& state) {
  const auto a = hv::bipolar::random(dim_of(state), kSeed, 0);
  hv::PackedVector out(dim_of(state));
  for (auto _ : state) {
    hv::bipolar::permute(a, state.range(1), out.span());
    benchmark::DoNotOptimize(out.words());
    benchmark::ClobberMemory();
  }
  count_packed_reads(state, 1);
}

void permute_reference(benchmark::State& state) {
  const auto a = hv::bipolar::random(dim_of(state), kSeed, 0);
  for (auto _ : state) {
    auto out = ref::permute(a, state.range(1));
    benchmark::DoNotOptimize(out.words());
  }
  count_packed_reads(state, 1);
}

// --- multibind -------------------------------------------------------------------

std::vector<hv::PackedVector> some_vectors(std::size_t n, std::size_t dim) {
  std::vector<hv::PackedVector> vs;
  for (std::size_t k = 0; k < n; ++k) vs.push_back(hv::bipolar::random(dim, kSeed, k));
  return vs;
}

std::vector<hv::PackedView> views_of(const std::vector<hv::PackedVector>& vs) {
  return {vs.begin(), vs.end()};
}

void multibind_simd(benchmark::State& state) {
  const auto items = some_vectors(kMultibindItems, dim_of(state));
  const auto views = views_of(items);
  for (auto _ : state) {
    auto out = hv::bipolar::multibind(views);
    benchmark::DoNotOptimize(out.words());
  }
  count_packed_reads(state, kMultibindItems);
}

/// The reference has no multibind: a chain of 7 reference binds.
void multibind_reference(benchmark::State& state) {
  const auto items = some_vectors(kMultibindItems, dim_of(state));
  for (auto _ : state) {
    auto out = items[0];
    for (std::size_t k = 1; k < items.size(); ++k) out = ref::bind(out, items[k]);
    benchmark::DoNotOptimize(out.words());
  }
  count_packed_reads(state, kMultibindItems);
}

// --- random codebooks (scalar SplitMix64, not dispatched) -----------------------

/// random_matrix of 256 rows; range(1) = threads (0 = all cores).
void random_matrix(benchmark::State& state) {
  constexpr std::size_t kRows = 256;
  const auto threads = static_cast<unsigned>(state.range(1));
  for (auto _ : state) {
    auto m = hv::bipolar::random_matrix(kRows, dim_of(state), kSeed, {.threads = threads});
    benchmark::DoNotOptimize(m.words());
  }
  count_packed_reads(state, static_cast<std::int64_t>(kRows));
}

void register_all() {
  register_both("BM_Bind", bind_simd, bind_reference);
  batch_args(benchmark::RegisterBenchmark("BM_BindBatch", bind_batch), {4096, 8192});

  const auto run_score = [](benchmark::State& s, auto f) { score(s, f); };
  register_pair("BM_Hamming", run_score, hv::bipolar::hamming, ref::hamming);
  register_pair("BM_Cosine", run_score, hv::bipolar::cosine, ref::cosine);

  register_both("BM_Permute", permute_simd, permute_reference, permute_args);
  register_both("BM_Multibind8", multibind_simd, multibind_reference);

  auto* b = benchmark::RegisterBenchmark("BM_RandomMatrix256", random_matrix);
  b->ArgNames({"", "threads"})->UseRealTime();
  for (const std::int64_t dim : kDims) {
    b->Args({dim, 1});
    b->Args({dim, 0});
  }
}

}  // namespace

int main(int argc, char** argv) {
  register_all();
  return run_main(argc, argv);
}
