// Mixed precision (include/hypervec/mixed.hpp): a float query scored against
// packed bipolar vectors on every Highway target (dispatch pinned per
// benchmark) and the scalar reference (src/reference/mixed.hpp), at
// D = 1024, 4096, 10000. For the codebook case (dot_rows over 3000 rows) the
// same rows stored as float and scored with dense::dot run alongside
// (BM_FloatDotRows3000): the packed codebook is 1/32 of the bytes.
//
// Binding (BM_MixedBind, q ⊙ key into a separate out) runs per target, as the
// scalar reference and as BM_MixedBind/old_loop: the hand-written loop that
// src/probe.cpp and structures::unbind_in_place used before mixed::bind.
//
// Counters: bytes/s counts the bytes read: the query (4D) once, plus each
// scored vector in its own storage (packed: whole 64-bit words; float: 4D);
// for bind, the query and key read plus the 4D bytes written. items/s counts
// scored (or bound) vectors. Ratios: python3 bench/ratios.py.
#include <hypervec/bipolar.hpp>
#include <hypervec/dense.hpp>
#include <hypervec/mixed.hpp>

#include "bench/bench_util.hpp"
#include "src/reference/mixed.hpp"

#include <benchmark/benchmark.h>

#include <cstdint>
#include <map>
#include <span>
#include <vector>

namespace hv = hypervec;
namespace ref = hypervec::reference::mixed;
using namespace hypervec::bench;

namespace {

constexpr std::uint64_t kSeed = 2024;
constexpr std::size_t kRows = 3000;

hv::DenseVector<float> query(std::size_t dim) { return gaussian_vector(dim, kSeed); }

/// The packed codebook of kRows rows, built once per D.
const hv::PackedMatrix& packed_codebook(std::size_t dim) {
  static std::map<std::size_t, hv::PackedMatrix> cache;
  auto it = cache.find(dim);
  if (it == cache.end()) it = cache.emplace(dim, hv::bipolar::random_matrix(kRows, dim, kSeed)).first;
  return it->second;
}

/// The same codebook as ±1 floats (what an uncompressed codebook reads).
const hv::DenseMatrix<float>& float_codebook(std::size_t dim) {
  static std::map<std::size_t, hv::DenseMatrix<float>> cache;
  auto it = cache.find(dim);
  if (it == cache.end()) {
    const auto& packed = packed_codebook(dim);
    hv::DenseMatrix<float> m(kRows, dim);
    for (std::size_t r = 0; r < kRows; ++r) {
      const auto f = hv::dense::to_float(packed.row(r));
      std::copy(f.values().begin(), f.values().end(), m.row(r).begin());
    }
    it = cache.emplace(dim, std::move(m)).first;
  }
  return it->second;
}

void count(benchmark::State& state, std::int64_t rows, std::int64_t row_bytes) {
  count_per_iteration(state, rows, 4 * state.range(0) + rows * row_bytes);
}

// --- one vector ------------------------------------------------------------------

template <typename Score>
void score(benchmark::State& state, Score&& f) {
  const auto q = query(dim_of(state));
  const auto b = hv::bipolar::random(dim_of(state), kSeed, 1);
  for (auto _ : state) {
    auto s = f(q.values(), b.view());
    benchmark::DoNotOptimize(s);
  }
  count(state, 1, packed_bytes(state.range(0)));
}

// --- binding: out = q ⊙ key ----------------------------------------------------------

/// The loop mixed::bind replaced (src/probe.cpp's float queries and
/// structures::unbind_in_place), kept as the baseline it is measured against.
void old_bind_loop(std::span<const float> q, const std::uint64_t* key, std::span<float> out) {
  for (std::size_t i = 0; i < q.size(); ++i) {
    out[i] = (key[i / 64] >> (i % 64) & 1U) != 0 ? -q[i] : q[i];
  }
}

template <typename Bind>
void bind_into(benchmark::State& state, Bind&& f) {
  const auto q = query(dim_of(state));
  const auto key = hv::bipolar::random(dim_of(state), kSeed, 1);
  hv::DenseVector<float> out(dim_of(state));
  for (auto _ : state) {
    f(q.values(), key.view(), out.values());
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  count_per_iteration(state, 1, 8 * state.range(0) + packed_bytes(state.range(0)));
}

// --- a codebook of kRows rows ------------------------------------------------------

/// Scores the query against every row of `m` (kRows rows of `row_bytes`)
/// into one output vector per iteration with f(q, m, out).
template <typename Matrix, typename DotRows>
void dot_rows(benchmark::State& state, const Matrix& m, std::int64_t row_bytes, DotRows&& f) {
  const auto q = query(dim_of(state));
  std::vector<double> out(kRows);
  for (auto _ : state) {
    f(q.values(), m, std::span<double>(out));
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  count(state, kRows, row_bytes);
}

/// dot_rows over the packed codebook (per target, and the reference).
void packed_dot_rows(benchmark::State& state, auto f) {
  dot_rows(state, packed_codebook(dim_of(state)), packed_bytes(state.range(0)), f);
}

/// The float-vs-float comparison: dense::dot of the query with every row of
/// the same codebook stored as ±1 floats (32× the bytes).
void float_dot_rows(benchmark::State& state) {
  dot_rows(state, float_codebook(dim_of(state)), 4 * state.range(0),
           [](std::span<const float> q, const hv::DenseMatrix<float>& m, std::span<double> out) {
             for (std::size_t r = 0; r < kRows; ++r) out[r] = hv::dense::dot(q, m.row(r));
           });
}

void register_all() {
  using SF = std::span<const float>;
  using SO = std::span<float>;
  const auto run_score = [](benchmark::State& s, auto f) { score(s, f); };
  register_pair("BM_MixedDot", run_score, [](SF q, hv::PackedView b) { return hv::mixed::dot(q, b); },
                [](SF q, hv::PackedView b) { return ref::dot(q, b); });
  register_pair("BM_MixedCosine", run_score,
                [](SF q, hv::PackedView b) { return hv::mixed::cosine(q, b); },
                [](SF q, hv::PackedView b) { return ref::cosine(q, b); });
  register_pair(
      "BM_MixedBind", [](benchmark::State& s, auto f) { bind_into(s, f); },
      [](SF q, hv::PackedView k, SO out) { hv::mixed::bind(q, k, out); },
      [](SF q, hv::PackedView k, SO out) { ref::bind(q, k, out); });
  each_dim(benchmark::RegisterBenchmark("BM_MixedBind/old_loop", [](benchmark::State& s) {
    bind_into(s, [](SF q, hv::PackedView k, SO out) { old_bind_loop(q, k.words, out); });
  }));
  using PM = hv::PackedMatrix;
  register_pair(
      "BM_MixedDotRows3000", [](benchmark::State& s, auto f) { packed_dot_rows(s, f); },
      [](SF q, const PM& m, std::span<double> out) { hv::mixed::dot_rows(q, m, out); },
      [](SF q, const PM& m, std::span<double> out) { ref::dot_rows(q, m, out); });
  register_per_target("BM_FloatDotRows3000", float_dot_rows, each_dim);
}

}  // namespace

int main(int argc, char** argv) {
  register_all();
  return run_main(argc, argv);
}
