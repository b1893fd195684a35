// Encodings (include/hypervec/encode.hpp) on every Highway target (dispatch
// pinned per benchmark) next to their scalar baselines, at D = 1024, 4096,
// 10000:
//  * BM_IdLevel: ID-level record of a 64-feature vector (100 levels);
//    baseline: reference bind + per-bit vote majority. items/s = records/s.
//  * BM_Projection4096: sign(R x) of a D_in = 4096 float embedding (an LLM
//    hidden state) to D bits; baseline: reference::encode::project (unpacks R
//    one component at a time, double sums). items/s = embeddings/s,
//    bytes/s = bytes of R read (packed) + x.
//  * BM_ProjectionBatch64: the same for a batch of 64 embeddings through
//    Projection::encode_rows (per-lane lookup tables, R read once per tile);
//    baseline: reference::encode::project on each (D = 1024 and 4096 only:
//    at 10000 one reference batch takes ~13 s; its per-vector rate is
//    BM_Projection4096/reference/10000). items/s = embeddings/s, bytes/s =
//    (bytes of R + 64 embeddings) per batch.
//  * BM_ProjectionBatch64Threads: the batch of 64 with encode_rows split
//    over 1 or 2 threads (second argument); wall time (UseRealTime), so
//    read items/s or real_time, not bench/ratios.py's CPU times (those
//    count the calling thread only). No reference: the single-threaded
//    baseline is the 1-thread row.
//  * BM_TextTrigrams: byte trigrams of 4 KiB of text into an accumulator;
//    baseline: reference::encode::text_ngrams. bytes/s = text bytes/s.
// Ratios: python3 bench/ratios.py.
#include <hypervec/bipolar.hpp>
#include <hypervec/encode.hpp>

#include "bench/bench_util.hpp"
#include "src/reference/bipolar.hpp"
#include "src/reference/encode.hpp"

#include <benchmark/benchmark.h>

#include <cstdint>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

namespace hv = hypervec;
using hv::bench::dim_of;
using hv::bench::each_dim;
using hv::bench::packed_bytes;
using hv::bench::register_per_target;
using hv::bench::register_reference;

namespace {

constexpr std::uint64_t kSeed = 2025;
constexpr std::size_t kFeatures = 64;
constexpr std::size_t kInputDim = 4096;
constexpr std::size_t kTextBytes = 4096;
constexpr std::size_t kBatch = 64;

std::vector<float> features() {
  std::mt19937_64 rng(kSeed);
  std::uniform_real_distribution<float> unit(0.0f, 1.0f);
  std::vector<float> v(kFeatures);
  for (float& x : v) x = unit(rng);
  return v;
}

std::vector<float> embedding() {
  std::mt19937_64 rng(kSeed + 1);
  std::normal_distribution<float> g(0.0f, 1.0f);
  std::vector<float> v(kInputDim);
  for (float& x : v) x = g(rng);
  return v;
}

hv::DenseMatrix<float> embeddings() {
  std::mt19937_64 rng(kSeed + 3);
  std::normal_distribution<float> g(0.0f, 1.0f);
  hv::DenseMatrix<float> xs(kBatch, kInputDim);
  for (std::size_t r = 0; r < kBatch; ++r) {
    for (float& x : xs.row(r)) x = g(rng);
  }
  return xs;
}

std::string text() {
  const std::string words[] = {"the ", "quick ", "brown ", "fox ", "jumps ", "over ",
                               "lazy ", "dogs ", "and ", "cats ", "sleep ", "in ", "sun. "};
  std::mt19937_64 rng(kSeed + 2);
  std::string t;
  while (t.size() < kTextBytes) t += words[rng() % 13];
  t.resize(kTextBytes);
  return t;
}

template <typename T, typename Make>
const T& cached(std::size_t dim, Make make) {
  static std::map<std::size_t, std::unique_ptr<T>> cache;
  auto it = cache.find(dim);
  if (it == cache.end()) it = cache.emplace(dim, std::make_unique<T>(make(dim))).first;
  return *it->second;
}

const hv::encode::IdLevel& id_level(std::size_t dim) {
  return cached<hv::encode::IdLevel>(
      dim, [](std::size_t d) { return hv::encode::IdLevel(kFeatures, 100, d, kSeed); });
}
const hv::encode::Projection& projection(std::size_t dim) {
  return cached<hv::encode::Projection>(
      dim, [](std::size_t d) { return hv::encode::Projection(kInputDim, d, kSeed); });
}
const hv::PackedMatrix& letters(std::size_t dim) {
  return cached<hv::PackedMatrix>(
      dim, [](std::size_t d) { return hv::bipolar::random_matrix(256, d, kSeed); });
}

void id_level_simd(benchmark::State& state) {
  const auto& enc = id_level(dim_of(state));
  const std::vector<float> v = features();
  for (auto _ : state) benchmark::DoNotOptimize(enc(v));
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() *
                          static_cast<std::int64_t>(kFeatures) * 2 * packed_bytes(state.range(0)));
}

void id_level_reference(benchmark::State& state) {
  const auto& enc = id_level(dim_of(state));
  const std::vector<float> v = features();
  for (auto _ : state) {
    std::vector<hv::PackedVector> bound;
    bound.reserve(kFeatures);
    for (std::size_t j = 0; j < kFeatures; ++j) {
      bound.push_back(hv::reference::bipolar::bind(enc.ids().row(j), enc.level()(v[j])));
    }
    std::vector<hv::PackedView> views(bound.begin(), bound.end());
    benchmark::DoNotOptimize(
        hv::reference::bipolar::majority(views, hv::TieBreak::toward_negative()));
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() *
                          static_cast<std::int64_t>(kFeatures) * 2 * packed_bytes(state.range(0)));
}

void projection_counters(benchmark::State& state) {
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() *
                          (state.range(0) * packed_bytes(kInputDim) + 4 * kInputDim));
}

void projection_simd(benchmark::State& state) {
  const auto& proj = projection(dim_of(state));
  const std::vector<float> x = embedding();
  for (auto _ : state) benchmark::DoNotOptimize(proj(x));
  projection_counters(state);
}

void projection_reference(benchmark::State& state) {
  const auto& proj = projection(dim_of(state));
  const std::vector<float> x = embedding();
  for (auto _ : state) {
    benchmark::DoNotOptimize(hv::reference::encode::project(proj.matrix().view(), x));
  }
  projection_counters(state);
}

void batch_counters(benchmark::State& state) {
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(kBatch));
  state.SetBytesProcessed(state.iterations() *
                          (state.range(0) * packed_bytes(kInputDim) +
                           static_cast<std::int64_t>(4 * kInputDim * kBatch)));
}

void projection_batch_simd(benchmark::State& state) {
  const auto& proj = projection(dim_of(state));
  const hv::DenseMatrix<float> xs = embeddings();
  hv::PackedMatrix out(kBatch, dim_of(state));
  for (auto _ : state) {
    proj.encode_rows(xs.view(), out, 1);
    benchmark::DoNotOptimize(out.words());
  }
  batch_counters(state);
}

void projection_batch_threads(benchmark::State& state) {
  const auto& proj = projection(dim_of(state));
  const hv::DenseMatrix<float> xs = embeddings();
  hv::PackedMatrix out(kBatch, dim_of(state));
  const auto threads = static_cast<unsigned>(state.range(1));
  for (auto _ : state) {
    proj.encode_rows(xs.view(), out, threads);
    benchmark::DoNotOptimize(out.words());
  }
  batch_counters(state);
}

void projection_batch_reference(benchmark::State& state) {
  const auto& proj = projection(dim_of(state));
  const hv::DenseMatrix<float> xs = embeddings();
  for (auto _ : state) {
    for (std::size_t r = 0; r < kBatch; ++r) {
      benchmark::DoNotOptimize(hv::reference::encode::project(proj.matrix().view(), xs.row(r)));
    }
  }
  batch_counters(state);
}

void trigrams_simd(benchmark::State& state) {
  const std::size_t dim = dim_of(state);
  const hv::encode::NGramEncoder enc(letters(dim).view(), 3);
  const std::string t = text();
  hv::bipolar::Accumulator acc(dim);
  for (auto _ : state) {
    acc.clear();
    enc.add_text(t, acc);
    benchmark::DoNotOptimize(acc.sums().data());
  }
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(kTextBytes));
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(kTextBytes - 2));
}

void trigrams_reference(benchmark::State& state) {
  const std::size_t dim = dim_of(state);
  const std::string t = text();
  for (auto _ : state) {
    benchmark::DoNotOptimize(hv::reference::encode::text_ngrams(t, letters(dim).view(), 3));
  }
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(kTextBytes));
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(kTextBytes - 2));
}

const int registered = [] {
  register_per_target("BM_IdLevel", id_level_simd, each_dim);
  register_reference("BM_IdLevel", id_level_reference, each_dim);
  register_per_target("BM_Projection4096", projection_simd, each_dim);
  register_reference("BM_Projection4096", projection_reference, each_dim);
  register_per_target("BM_ProjectionBatch64", projection_batch_simd, each_dim);
  register_reference("BM_ProjectionBatch64", projection_batch_reference,
                     [](benchmark::internal::Benchmark* b) { b->Arg(1024)->Arg(4096); });
  register_per_target("BM_ProjectionBatch64Threads", projection_batch_threads,
                      [](benchmark::internal::Benchmark* b) {
                        for (const std::int64_t dim : hv::bench::kDims) {
                          for (const std::int64_t threads : {1, 2}) b->Args({dim, threads});
                        }
                        b->UseRealTime();
                      });
  register_per_target("BM_TextTrigrams", trigrams_simd, each_dim);
  register_reference("BM_TextTrigrams", trigrams_reference, each_dim);
  return 0;
}();

}  // namespace

int main(int argc, char** argv) { return hv::bench::run_main(argc, argv); }
