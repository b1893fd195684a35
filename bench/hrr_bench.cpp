// HRR (include/hypervec/hrr.hpp) against its baselines, in one run:
//  * bind / unbind (involution) / unbind (exact inverse) through the plan
//    cache, float and double, at D = 1024, 4096, 10000 (three transforms);
//  * bind and unbind with the key's spectrum kept (two transforms);
//  * unbind_batch of 10,000 vectors with one key (FFTW many-transform plans,
//    two transforms per vector, products in Highway);
//  * the "plan and three transforms per bind" baseline (a fresh FFTW_ESTIMATE
//    plan per call, as code calling FFTW without a cache does);
//  * BM_BindBatch<float>: N row pairs at D = 4096 as Python's hrr.bind binds
//    them, on the shared pool (bench/batch_util.hpp; wall time, items/s = pairs);
//  * the O(D²) direct circular convolution (src/reference) at D = 1024;
//  * the spectral product kernel alone (the exact inverse of a spectrum) on
//    every Highway target next to its scalar reference loop.
// Dispatch is the library's normal choice except in the per-target kernel
// benchmarks. Counters: items/s = vectors produced; bytes/s = bytes of the
// D-vector operands read and written (spectra for the kernel benchmark).
#include <hypervec/fft.hpp>
#include <hypervec/hrr.hpp>

#include "bench/batch_util.hpp"
#include "bench/bench_util.hpp"
#include "src/reference/hrr.hpp"

#include <benchmark/benchmark.h>

#include <algorithm>
#include <complex>
#include <cstdlib>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace hv = hypervec;
namespace hrr = hypervec::hrr;
namespace ref = hypervec::reference::hrr;
using namespace hypervec::bench;

namespace {

constexpr std::uint64_t kSeed = 1995;
constexpr std::size_t kBatchRows = 10000;

template <typename T>
void count(benchmark::State& state, std::int64_t vectors_out, std::int64_t vectors_touched) {
  count_per_iteration(state, vectors_out,
                      vectors_touched * state.range(0) * static_cast<std::int64_t>(sizeof(T)));
}

/// out = a ⊛ b into a reused vector with f(a, b, out), on random a and b.
template <typename T, typename BindInto>
void bind_into(benchmark::State& state, BindInto&& f) {
  const auto a = hrr::random<T>(dim_of(state), kSeed, 0);
  const auto b = hrr::random<T>(dim_of(state), kSeed, 1);
  hv::DenseVector<T> out(dim_of(state));
  for (auto _ : state) {
    f(a, b, out);
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  count<T>(state, 1, 3);
}

template <typename T>
void BM_Bind(benchmark::State& state) {
  bind_into<T>(state, [](const auto& a, const auto& b, hv::DenseVector<T>& out) {
    hrr::bind<T>(a.values(), b.values(), out.values());
  });
}

/// hrr.bind of N row pairs as Python calls it (bench/batch_util.hpp):
/// C-contiguous N x D matrices of N(0, 1/D) values (hrr::random rows),
/// convolved row by row on the shared pool.
template <typename T>
void BM_BindBatch(benchmark::State& state) {
  const std::size_t dim = dim_of(state), rows = batch_rows_of(state);
  auto a = numpy_like_buffer<T>(rows * dim), b = numpy_like_buffer<T>(rows * dim);
  for (std::size_t i = 0; i < rows; ++i) {
    const auto ra = hrr::random<T>(dim, kSeed, 2 * i), rb = hrr::random<T>(dim, kSeed, 2 * i + 1);
    std::copy_n(ra.data(), dim, a.get() + i * dim);
    std::copy_n(rb.data(), dim, b.get() + i * dim);
  }
  time_batch<T>(state, rows, dim, dim, fresh_output_of(state), [&](std::size_t i, T* out) {
    hrr::bind<T>(std::span<const T>(a.get() + i * dim, dim),
                 std::span<const T>(b.get() + i * dim, dim), std::span<T>(out, dim));
  });
}

template <typename T>
void BM_NaiveFftwBind(benchmark::State& state) {
  bind_into<T>(state, [](const auto& a, const auto& b, hv::DenseVector<T>& out) {
    ref::naive_fftw_bind<T>(a.data(), b.data(), out.data(), a.dim());
  });
}

void BM_DirectConvolution(benchmark::State& state) {
  const auto a = hrr::random<double>(dim_of(state), kSeed, 0);
  const auto b = hrr::random<double>(dim_of(state), kSeed, 1);
  for (auto _ : state) {
    auto out = ref::convolve(a.values(), b.values());
    benchmark::DoNotOptimize(out.data());
  }
  count<double>(state, 1, 3);
}

template <typename T>
void BM_Unbind(benchmark::State& state, hrr::InverseMethod method) {
  const auto key = hrr::random<T>(dim_of(state), kSeed, 0);
  const auto bound = hrr::bind<T>(hrr::random<T>(dim_of(state), kSeed, 1).values(), key.values());
  for (auto _ : state) {
    auto out = hrr::unbind<T>(bound.values(), key.values(), method);
    benchmark::DoNotOptimize(out.data());
  }
  count<T>(state, 1, 3);
}

template <typename T>
void BM_UnbindKeptSpectrum(benchmark::State& state) {
  const auto key = hrr::random<T>(dim_of(state), kSeed, 0);
  const auto ks = hrr::spectrum<T>(key.values());
  const auto bound = hrr::bind<T>(hrr::random<T>(dim_of(state), kSeed, 1).values(), key.values());
  for (auto _ : state) {
    auto out = hrr::unbind<T>(bound.values(), ks);
    benchmark::DoNotOptimize(out.data());
  }
  count<T>(state, 1, 2);
}

template <typename T>
void BM_UnbindBatch(benchmark::State& state) {
  const std::size_t dim = dim_of(state);
  const auto rows = hrr::random_matrix<T>(kBatchRows, dim, kSeed, {.first_row = 10});
  const auto ks = hrr::spectrum<T>(hrr::random<T>(dim, kSeed, 0).values());
  hv::DenseMatrix<T> out(kBatchRows, dim);  // reused: no page faults in the loop
  for (auto _ : state) {
    hrr::unbind_batch<T>(rows, ks, out, {}, nullptr, /*threads=*/1);  // benchmarks are single-threaded
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  count<T>(state, static_cast<std::int64_t>(kBatchRows), 2 * static_cast<std::int64_t>(kBatchRows));
}

/// The 10,000 rows of BM_UnbindBatch, each bound with the key's involution
/// by bind_row(row, key_inv, out_row) into a reused output matrix.
template <typename T, typename BindRow>
void unbind_rows(benchmark::State& state, BindRow&& bind_row) {
  const std::size_t dim = dim_of(state);
  const auto rows = hrr::random_matrix<T>(kBatchRows, dim, kSeed, {.first_row = 10});
  const auto key_inv = hrr::involution<T>(hrr::random<T>(dim, kSeed, 0).values());
  hv::DenseMatrix<T> out(kBatchRows, dim);
  for (auto _ : state) {
    for (std::size_t r = 0; r < kBatchRows; ++r) bind_row(rows.row(r), key_inv, out.row(r));
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  count<T>(state, static_cast<std::int64_t>(kBatchRows), 2 * static_cast<std::int64_t>(kBatchRows));
}

/// The same 10,000 rows unbound one call at a time through the plan cache:
/// the three-transform path (forward row, forward key, inverse) per vector,
/// on the same cold data as BM_UnbindBatch and writing into the same kind of
/// output matrix (unbinding by the involution = binding with key†).
template <typename T>
void BM_UnbindRowsThreeTransforms(benchmark::State& state) {
  unbind_rows<T>(state, [](auto row, const auto& key_inv, auto out) {
    hrr::bind<T>(row, key_inv.values(), out);
  });
}

/// The same rows with the uncached baseline: plan and three transforms per
/// vector (unbinding = binding with the involution of the key).
template <typename T>
void BM_UnbindRowsNaiveFftw(benchmark::State& state) {
  unbind_rows<T>(state, [](auto row, const auto& key_inv, auto out) {
    ref::naive_fftw_bind<T>(row.data(), key_inv.data(), out.data(), row.size());
  });
}

/// The spectral product kernel alone: inverse_spectrum(exact) is one pass of
/// the guarded division over D/2+1 bins (no transform).
void exact_inverse_spectrum_simd(benchmark::State& state) {
  const auto ks = hrr::spectrum<float>(hrr::random<float>(dim_of(state), kSeed, 0).values());
  for (auto _ : state) {
    auto out = hrr::inverse_spectrum(ks, hrr::InverseMethod::exact());
    benchmark::DoNotOptimize(out.data());
  }
  count_reads(state, 1, 2 * static_cast<std::int64_t>(ks.bins() * 8));
}

void exact_inverse_spectrum_reference(benchmark::State& state) {
  const auto ks = hrr::spectrum<float>(hrr::random<float>(dim_of(state), kSeed, 0).values());
  std::vector<std::complex<float>> out(ks.bins());
  for (auto _ : state) {
    std::size_t guarded = 0;
    for (std::size_t k = 0; k < ks.bins(); ++k) {
      out[k] = std::complex<float>(ref::divide(1.0, std::complex<double>(ks.data()[k]), 1e-20, guarded));
    }
    benchmark::DoNotOptimize(out.data());
    benchmark::DoNotOptimize(guarded);
  }
  count_reads(state, 1, 2 * static_cast<std::int64_t>(ks.bins() * 8));
}

void dims(benchmark::internal::Benchmark* b) {
  each_dim(b);
  b->Unit(benchmark::kMicrosecond);
}

}  // namespace

BENCHMARK_TEMPLATE(BM_Bind, float)->Apply(dims);
BENCHMARK_TEMPLATE(BM_Bind, double)->Apply(dims);
BENCHMARK_TEMPLATE(BM_BindBatch, float)->Apply([](benchmark::internal::Benchmark* b) {
  batch_args(b, {4096});
});
BENCHMARK_TEMPLATE(BM_NaiveFftwBind, float)->Apply(dims);
BENCHMARK_TEMPLATE(BM_NaiveFftwBind, double)->Apply(dims);
BENCHMARK(BM_DirectConvolution)->Arg(1024)->Unit(benchmark::kMicrosecond);
void BM_UnbindInvolution_f32(benchmark::State& s) { BM_Unbind<float>(s, hrr::InverseMethod::involution()); }
void BM_UnbindInvolution_f64(benchmark::State& s) { BM_Unbind<double>(s, hrr::InverseMethod::involution()); }
void BM_UnbindExact_f32(benchmark::State& s) { BM_Unbind<float>(s, hrr::InverseMethod::exact()); }
void BM_UnbindExact_f64(benchmark::State& s) { BM_Unbind<double>(s, hrr::InverseMethod::exact()); }
BENCHMARK(BM_UnbindInvolution_f32)->Apply(dims);
BENCHMARK(BM_UnbindInvolution_f64)->Apply(dims);
BENCHMARK(BM_UnbindExact_f32)->Apply(dims);
BENCHMARK(BM_UnbindExact_f64)->Apply(dims);
BENCHMARK_TEMPLATE(BM_UnbindKeptSpectrum, float)->Apply(dims);
BENCHMARK_TEMPLATE(BM_UnbindKeptSpectrum, double)->Apply(dims);
BENCHMARK_TEMPLATE(BM_UnbindBatch, float)->Apply(dims)->Unit(benchmark::kMillisecond);
BENCHMARK_TEMPLATE(BM_UnbindBatch, double)->Apply(dims)->Unit(benchmark::kMillisecond);
BENCHMARK_TEMPLATE(BM_UnbindRowsThreeTransforms, float)->Apply(dims)->Unit(benchmark::kMillisecond);
BENCHMARK_TEMPLATE(BM_UnbindRowsThreeTransforms, double)->Apply(dims)->Unit(benchmark::kMillisecond);
BENCHMARK_TEMPLATE(BM_UnbindRowsNaiveFftw, float)->Apply(dims)->Unit(benchmark::kMillisecond);
BENCHMARK_TEMPLATE(BM_UnbindRowsNaiveFftw, double)->Apply(dims)->Unit(benchmark::kMillisecond);

int main(int argc, char** argv) {
  // HYPERVEC_FFT_RIGOUR=measure|patient plans with more rigour (default:
  // the library's default, estimate).
  if (const char* r = std::getenv("HYPERVEC_FFT_RIGOUR")) {
    const std::string rigour(r);
    if (rigour == "measure") hv::fft::set_planning_rigour(hv::fft::Rigour::measure);
    if (rigour == "patient") hv::fft::set_planning_rigour(hv::fft::Rigour::patient);
  }
  register_both("BM_ExactInverseSpectrum", exact_inverse_spectrum_simd,
                exact_inverse_spectrum_reference);
  return run_main(argc, argv);
}
