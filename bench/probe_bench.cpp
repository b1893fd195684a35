// Benchmarks of the probe decoder (include/hypervec/probe.hpp) at the
// paper's sizes: D = 4096, a 3,000-concept codebook, analogy documents with
// three context atoms (8 subset queries each), 6% encoder noise.
//
//   BM_Decode/packed/<docs>/threads:<t>     sign-quantised input (the probe's
//                                           sign(encoder output)), one batched call
//   BM_Decode/float_sign/<docs>/threads:<t> float ±1 input, sign-quantised by the decoder
//   BM_Decode/float_as_is/<docs>/threads:<t> float input scored by the mixed kernel
//   BM_Decode/one_by_one/<docs>             packed, one decode() call per document
//
// Every case decodes 100,000 documents per call, 3 repetitions by default
// (--benchmark_repetitions=N overrides; the aggregates include the median).
// float_real (the mixed kernel, ~1,000 documents/s) takes ~2 minutes per call.
// items/s = documents/s; bytes/s = codebook bytes scanned (8 queries × M rows
// × D/8 bytes per document). The NumPy peer runs side by side with this
// program in bench/peers/compare_probe.py (alternating rounds, same load).
#include <hypervec/bipolar.hpp>
#include <hypervec/bundle.hpp>
#include <hypervec/codebook.hpp>
#include <hypervec/dense.hpp>
#include <hypervec/probe.hpp>
#include <hypervec/random.hpp>

#include "bench/bench_util.hpp"

#include <benchmark/benchmark.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace hv = hypervec;
namespace probe = hypervec::probe;

namespace {

constexpr std::size_t kDim = 4096;
constexpr std::size_t kRows = 3000;
constexpr double kNoise = 0.06;

struct Workload {
  hv::cleanup::PackedMemory book{kDim};
  hv::PackedMatrix packed;
  hv::DenseMatrix<float> floats;
  std::vector<probe::Document> docs;
};

/// n analogy documents over random distinct atoms, normalize(AB + CD) with
/// ties → -1, each sign flipped with probability kNoise. Built once per size.
const Workload& workload(std::size_t n) {
  static std::map<std::size_t, std::unique_ptr<Workload>> cache;
  auto& slot = cache[n];
  if (slot) return *slot;
  slot = std::make_unique<Workload>();
  Workload& w = *slot;
  std::vector<std::string> labels(kRows);
  for (std::size_t i = 0; i < kRows; ++i) labels[i] = std::to_string(i).insert(0, 1, 'w');
  w.book = hv::codebook::generate(labels, kDim, 2025);
  w.packed = hv::PackedMatrix(n, kDim);
  w.floats = hv::DenseMatrix<float>(n, kDim);
  hv::random::RowStream rng(7, 0);
  for (std::size_t d = 0; d < n; ++d) {
    std::size_t a[4];
    for (std::size_t k = 0; k < 4; ++k) {
      bool fresh = false;
      while (!fresh) {
        a[k] = rng.next_u64() % kRows;
        fresh = true;
        for (std::size_t j = 0; j < k; ++j) fresh = fresh && a[j] != a[k];
      }
    }
    const auto ab = hv::bipolar::bind(w.book.row(a[0]), w.book.row(a[1]));
    const auto cd = hv::bipolar::bind(w.book.row(a[2]), w.book.row(a[3]));
    const std::vector<hv::PackedView> pair = {ab.view(), cd.view()};
    auto v = hv::bipolar::majority(pair, hv::TieBreak::toward_negative());
    for (std::size_t i = 0; i < kDim; ++i) {
      if (rng.next_uniform() < kNoise) v.set_component(i, v.component(i) > 0);
    }
    std::copy(v.words(), v.words() + v.num_words(), w.packed.row_span(d).words);
    auto f = w.floats.row(d);
    for (std::size_t i = 0; i < kDim; ++i) f[i] = static_cast<float>(v.component(i));
    w.docs.push_back(probe::Document{{a[0], a[1], a[2]}, a[3]});
  }
  return w;
}

void report(benchmark::State& state, std::size_t docs, double precision) {
  hypervec::bench::count_per_iteration(state, static_cast<std::int64_t>(docs),
                                       static_cast<std::int64_t>(docs * 8 * kRows * kDim / 8));
  state.counters["precision@1"] = precision;
}

// float_as_is: the ±1 floats as is, which the decoder packs itself (same
// path as float_sign since the ±1 check); float_real: the same vectors × 0.5,
// real weights with the same answers, which take the mixed float-vs-packed path.
enum class Input { packed, float_sign, float_as_is, float_real };

void BM_Decode(benchmark::State& state, Input input) {
  const auto n = static_cast<std::size_t>(state.range(0));
  const auto threads = static_cast<unsigned>(state.range(1));
  const Workload& w = workload(n);
  probe::Options o;
  o.threads = threads;
  o.float_input = input == Input::float_sign ? probe::FloatInput::sign : probe::FloatInput::as_is;
  const probe::Decoder decoder(w.book, o);
  hv::DenseMatrix<float> halves(input == Input::float_real ? n : 0, kDim);
  for (std::size_t d = 0; d < halves.rows(); ++d) {
    for (std::size_t i = 0; i < kDim; ++i) halves.row(d)[i] = 0.5F * w.floats.row(d)[i];
  }
  double precision = 0;
  for (auto _ : state) {
    const auto out = input == Input::packed       ? decoder.decode(w.packed.view(), w.docs)
                     : input == Input::float_real ? decoder.decode(halves.view(), w.docs)
                                                  : decoder.decode(w.floats.view(), w.docs);
    precision = probe::summarize(out).precision(1);
    benchmark::DoNotOptimize(out.data());
  }
  report(state, n, precision);
}

void BM_DecodeOneByOne(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  const Workload& w = workload(n);
  probe::Options o;
  o.threads = 1;
  const probe::Decoder decoder(w.book, o);
  double hits = 0;
  for (auto _ : state) {
    hits = 0;
    for (std::size_t d = 0; d < n; ++d) {
      const auto r = decoder.decode(w.packed.row(d), w.docs[d]);
      hits += r.rank && *r.rank == 1 ? 1 : 0;
    }
  }
  report(state, n, hits / static_cast<double>(n));
}

constexpr std::int64_t kDocs = 100000;

void threads_1_and_2(benchmark::internal::Benchmark* b, std::int64_t docs) {
  b->ArgNames({"docs", "threads"})->Args({docs, 1})->Args({docs, 2});
  b->Unit(benchmark::kMillisecond)->UseRealTime();
}

}  // namespace

int main(int argc, char** argv) {
  threads_1_and_2(benchmark::RegisterBenchmark("BM_Decode/packed", BM_Decode, Input::packed),
                  kDocs);
  threads_1_and_2(
      benchmark::RegisterBenchmark("BM_Decode/float_sign", BM_Decode, Input::float_sign), kDocs);
  threads_1_and_2(
      benchmark::RegisterBenchmark("BM_Decode/float_as_is", BM_Decode, Input::float_as_is),
      kDocs);
  threads_1_and_2(
      benchmark::RegisterBenchmark("BM_Decode/float_real", BM_Decode, Input::float_real), kDocs);
  benchmark::RegisterBenchmark("BM_Decode/one_by_one", BM_DecodeOneByOne)
      ->ArgNames({"docs"})
      ->Arg(kDocs)
      ->Unit(benchmark::kMillisecond)
      ->UseRealTime();
  // Default repetitions, before the caller's flags so that theirs win.
  std::vector<char*> args(argv, argv + argc);
  static char repetitions[] = "--benchmark_repetitions=3";
  args.insert(args.begin() + 1, repetitions);
  int n = static_cast<int>(args.size());
  return hypervec::bench::run_main(n, args.data());
}
