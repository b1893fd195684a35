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
using namespace hypervec::bench;

namespace {

constexpr std::uint64_t kSeed = 2025;
constexpr std::size_t kFeatures = 64;
constexpr std::size_t kInputDim = 4096;
constexpr std::size_t kTextBytes = 4096;
constexpr std::size_t kBatch = 64;

/// Feature values, uniform in [0, 1).
std::vector<float> features() {
  return RandomFloats<std::uniform_real_distribution<float>>(kSeed).take(kFeatures);
}

/// One Gaussian embedding of kInputDim.
std::vector<float> embedding() { return RandomFloats<>(kSeed + 1).take(kInputDim); }

/// kBatch Gaussian embeddings, one stream row after row.
hv::DenseMatrix<float> embeddings() {
  RandomFloats<> g(kSeed + 3);
  hv::DenseMatrix<float> xs(kBatch, kInputDim);
  for (std::size_t r = 0; r < kBatch; ++r) g.fill(xs.row(r));
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

const hv::encode::IdLevel<>& id_level(std::size_t dim) {
  return cached<hv::encode::IdLevel<>>(
      dim, [](std::size_t d) { return hv::encode::IdLevel(kFeatures, 100, d, kSeed); });
}
const hv::encode::Projection<>& projection(std::size_t dim) {
  return cached<hv::encode::Projection<>>(
      dim, [](std::size_t d) { return hv::encode::Projection(kInputDim, d, kSeed); });
}
const hv::PackedMatrix& letters(std::size_t dim) {
  return cached<hv::PackedMatrix>(
      dim, [](std::size_t d) { return hv::bipolar::random_matrix(256, d, kSeed); });
}

/// Per record: kFeatures ID rows and kFeatures level rows read.
void id_level_counters(benchmark::State& state) {
  count_per_iteration(state, 1, static_cast<std::int64_t>(kFeatures) * 2 * packed_bytes(state.range(0)));
}

/// Times f(encoder, features) for the IdLevel encoder of D.
void id_level_record(benchmark::State& state, auto f) {
  const auto& enc = id_level(dim_of(state));
  const std::vector<float> v = features();
  for (auto _ : state) benchmark::DoNotOptimize(f(enc, v));
  id_level_counters(state);
}

/// The baseline record: reference bind of each ID with its level, then the
/// per-bit vote majority.
hv::PackedVector id_level_by_reference(const hv::encode::IdLevel<>& enc, const std::vector<float>& v) {
  std::vector<hv::PackedVector> bound;
  bound.reserve(kFeatures);
  for (std::size_t j = 0; j < kFeatures; ++j) {
    bound.push_back(hv::reference::bipolar::bind(enc.ids().row(j), enc.level()(v[j])));
  }
  std::vector<hv::PackedView> views(bound.begin(), bound.end());
  return hv::reference::bipolar::majority(views, hv::TieBreak::toward_negative());
}

void projection_counters(benchmark::State& state) {
  count_per_iteration(state, 1, state.range(0) * packed_bytes(kInputDim) + 4 * kInputDim);
}

/// Times f(projection, embedding) for the Projection to D bits.
void project_one(benchmark::State& state, auto f) {
  const auto& proj = projection(dim_of(state));
  const std::vector<float> x = embedding();
  for (auto _ : state) benchmark::DoNotOptimize(f(proj, x));
  projection_counters(state);
}

void batch_counters(benchmark::State& state) {
  count_per_iteration(state, static_cast<std::int64_t>(kBatch),
                      state.range(0) * packed_bytes(kInputDim) +
                          static_cast<std::int64_t>(4 * kInputDim * kBatch));
}

/// Projection::encode_rows of the batch on `threads` threads.
void projection_batch(benchmark::State& state, unsigned threads) {
  const auto& proj = projection(dim_of(state));
  const hv::DenseMatrix<float> xs = embeddings();
  hv::PackedMatrix out(kBatch, dim_of(state));
  for (auto _ : state) {
    proj.encode_rows(xs.view(), out, threads);
    benchmark::DoNotOptimize(out.words());
  }
  batch_counters(state);
}

void projection_batch_simd(benchmark::State& state) { projection_batch(state, 1); }

void projection_batch_threads(benchmark::State& state) {
  projection_batch(state, static_cast<unsigned>(state.range(1)));
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

/// Per iteration: kTextBytes text bytes read, kTextBytes - 2 trigrams.
void trigram_counters(benchmark::State& state) {
  count_per_iteration(state, static_cast<std::int64_t>(kTextBytes - 2),
                      static_cast<std::int64_t>(kTextBytes));
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
  trigram_counters(state);
}

void trigrams_reference(benchmark::State& state) {
  const std::size_t dim = dim_of(state);
  const std::string t = text();
  for (auto _ : state) {
    benchmark::DoNotOptimize(hv::reference::encode::text_ngrams(t, letters(dim).view(), 3));
  }
  trigram_counters(state);
}

const int registered = [] {
  using Features = std::vector<float>;
  register_pair(
      "BM_IdLevel", [](benchmark::State& s, auto f) { id_level_record(s, f); },
      [](const hv::encode::IdLevel<>& enc, const Features& v) { return enc(v); }, id_level_by_reference);
  register_pair(
      "BM_Projection4096", [](benchmark::State& s, auto f) { project_one(s, f); },
      [](const hv::encode::Projection<>& p, const Features& x) { return p(x); },
      [](const hv::encode::Projection<>& p, const Features& x) {
        return hv::reference::encode::project(p.matrix().view(), x);
      });
  register_per_target("BM_ProjectionBatch64", projection_batch_simd, each_dim);
  register_reference("BM_ProjectionBatch64", projection_batch_reference,
                     [](benchmark::internal::Benchmark* b) { b->Arg(1024)->Arg(4096); });
  register_per_target("BM_ProjectionBatch64Threads", projection_batch_threads,
                      [](benchmark::internal::Benchmark* b) {
                        for (const std::int64_t dim : kDims) {
                          for (const std::int64_t threads : {1, 2}) b->Args({dim, threads});
                        }
                        b->UseRealTime();
                      });
  register_both("BM_TextTrigrams", trigrams_simd, trigrams_reference);
  return 0;
}();

}  // namespace

int main(int argc, char** argv) { return run_main(argc, argv); }
