// Dense MAP vectors (include/hypervec/dense.hpp): float32 and int8 bind,
// dot/cosine, bundle and thresholding to packed, on every Highway target
// (dispatch pinned per benchmark) and their scalar references
// (src/reference/dense.hpp) in the same run, at D = 1024, 4096, 10000.
//
// Counters: bytes/s counts the dense operand bytes read (D · sizeof(T) per
// vector); items/s counts vectors read. Ratios: python3 bench/ratios.py on a
// --benchmark_format=json run. BM_BindF32Batch: N float32 row pairs as
// Python's map.bind binds them (bench/batch_util.hpp; wall time, items/s =
// pairs, best target, shared pool).
#include <hypervec/bipolar.hpp>
#include <hypervec/dense.hpp>

#include "bench/batch_util.hpp"
#include "bench/bench_util.hpp"
#include "src/reference/dense.hpp"

#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdint>
#include <random>
#include <span>
#include <vector>

namespace hv = hypervec;
namespace ref = hypervec::reference::dense;
using namespace hypervec::bench;

namespace {

constexpr std::uint64_t kSeed = 2024;
constexpr std::size_t kBundleRows = 8;

/// Gaussian floats (MAP-C values as an encoder emits them).
hv::DenseVector<float> floats(std::size_t dim, std::uint64_t row) {
  return gaussian_vector(dim, kSeed + row);
}

/// Uniform int8 in [-127, 127] (MAP-I clipped sums).
hv::DenseVector<std::int8_t> int8s(std::size_t dim, std::uint64_t row) {
  std::mt19937_64 rng(kSeed + row);
  hv::DenseVector<std::int8_t> v(dim);
  for (auto& x : v.values()) x = static_cast<std::int8_t>(static_cast<int>(rng() % 255) - 127);
  return v;
}

template <typename T>
hv::DenseVector<T> make(std::size_t dim, std::uint64_t row) {
  if constexpr (std::is_same_v<T, float>) {
    return floats(dim, row);
  } else {
    return int8s(dim, row);
  }
}

// --- bind ----------------------------------------------------------------------

template <typename T>
void bind_simd(benchmark::State& state) {
  const auto a = make<T>(dim_of(state), 0), b = make<T>(dim_of(state), 1);
  hv::DenseVector<T> out(dim_of(state));
  for (auto _ : state) {
    hv::dense::bind(a.values(), b.values(), out.values());
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  count_dense_reads<T>(state, 2);
}

template <typename T>
void bind_reference(benchmark::State& state) {
  const auto a = make<T>(dim_of(state), 0), b = make<T>(dim_of(state), 1);
  for (auto _ : state) {
    auto out = ref::bind(a.values(), b.values());
    benchmark::DoNotOptimize(out.data());
  }
  count_dense_reads<T>(state, 2);
}

/// map.bind of N float32 row pairs as Python calls it (bench/batch_util.hpp):
/// C-contiguous N x D matrices of ±1, multiplied row by row on the shared pool.
void bind_f32_batch(benchmark::State& state) {
  const std::size_t dim = dim_of(state), rows = batch_rows_of(state);
  std::mt19937_64 rng(kSeed);
  const std::size_t n = rows * dim;
  auto a = numpy_like_buffer<float>(n), b = numpy_like_buffer<float>(n);
  for (std::size_t k = 0; k < n; ++k) {
    a[k] = (rng() & 1) != 0 ? 1.0f : -1.0f;
    b[k] = (rng() & 1) != 0 ? 1.0f : -1.0f;
  }
  time_batch<float>(state, rows, dim, dim, fresh_output_of(state), [&](std::size_t i, float* out) {
    hv::dense::bind(std::span<const float>(a.get() + i * dim, dim),
                    std::span<const float>(b.get() + i * dim, dim), std::span<float>(out, dim));
  });
}

// --- similarity -------------------------------------------------------------------

template <typename T, typename Score>
void score(benchmark::State& state, Score&& f) {
  const auto a = make<T>(dim_of(state), 0), b = make<T>(dim_of(state), 1);
  for (auto _ : state) {
    auto s = f(a.values(), b.values());
    benchmark::DoNotOptimize(s);
  }
  count_dense_reads<T>(state, 2);
}

// --- bundle (8 weighted rows) -------------------------------------------------------

template <typename Bundle>
void bundle(benchmark::State& state, Bundle&& f) {
  hv::DenseMatrix<float> rows(kBundleRows, dim_of(state));
  for (std::size_t k = 0; k < kBundleRows; ++k) {
    const auto r = floats(dim_of(state), k);
    std::copy(r.values().begin(), r.values().end(), rows.row(k).begin());
  }
  const std::vector<float> weights = {1, 2, -1, 0.5f, 3, -2, 1, 1};
  for (auto _ : state) {
    auto out = f(rows.view(), std::span<const float>(weights));
    benchmark::DoNotOptimize(out.data());
  }
  count_dense_reads<float>(state, kBundleRows);
}

// --- thresholding to packed ----------------------------------------------------------

template <typename T, typename ToPacked>
void to_packed(benchmark::State& state, ToPacked&& f) {
  auto x = make<T>(dim_of(state), 0);
  for (std::size_t i = 0; i < x.dim(); i += 7) x[i] = 0;  // some ties
  const auto tie = hv::TieBreak::toward_negative();
  for (auto _ : state) {
    auto out = f(x.values(), tie);
    benchmark::DoNotOptimize(out.words());
  }
  count_dense_reads<T>(state, 1);
}

void register_all() {
  const auto run_score_f32 = [](benchmark::State& s, auto f) { score<float>(s, f); };
  const auto run_score_i8 = [](benchmark::State& s, auto f) { score<std::int8_t>(s, f); };
  const auto dot = [](auto a, auto b) { return hv::dense::dot(a, b); };
  const auto dot_ref = [](auto a, auto b) { return ref::dot(a, b); };
  const auto cosine = [](auto a, auto b) { return hv::dense::cosine(a, b); };
  const auto cosine_ref = [](auto a, auto b) { return ref::cosine(a, b); };
  const auto to_packed_simd = [](auto x, const hv::TieBreak& t) { return hv::dense::to_packed(x, t); };
  const auto to_packed_ref = [](auto x, const hv::TieBreak& t) { return ref::to_packed(x, t); };

  register_both("BM_BindF32", bind_simd<float>, bind_reference<float>);
  register_both("BM_BindI8", bind_simd<std::int8_t>, bind_reference<std::int8_t>);
  batch_args(benchmark::RegisterBenchmark("BM_BindF32Batch", bind_f32_batch), {4096, 8192});

  register_pair("BM_DotF32", run_score_f32, dot, dot_ref);
  register_pair("BM_CosineF32", run_score_f32, cosine, cosine_ref);
  register_pair("BM_DotI8", run_score_i8, dot, dot_ref);
  register_pair("BM_CosineI8", run_score_i8, cosine, cosine_ref);

  register_pair(
      "BM_Bundle8F32", [](benchmark::State& s, auto f) { bundle(s, f); },
      [](const hv::DenseMatrixView<float>& r, std::span<const float> w) { return hv::dense::bundle(r, w); },
      [](const hv::DenseMatrixView<float>& r, std::span<const float> w) { return ref::bundle(r, w); });

  register_pair(
      "BM_ToPackedF32", [](benchmark::State& s, auto f) { to_packed<float>(s, f); }, to_packed_simd,
      to_packed_ref);
  register_pair(
      "BM_ToPackedI8", [](benchmark::State& s, auto f) { to_packed<std::int8_t>(s, f); },
      to_packed_simd, to_packed_ref);
}

}  // namespace

int main(int argc, char** argv) {
  register_all();
  return run_main(argc, argv);
}
