// Scalar references for the HRR model (hrr.hpp) and FHRR (fhrr.hpp): the
// O(D²) direct circular convolution and correlation, the O(D²) DFT, the
// spectral products one bin at a time, and plain-loop similarity, all in
// double. They define the expected results for simd/hrr.cc and simd/fhrr.cc.
// naive_fftw_bind is the "plan and three transforms per bind" baseline for
// the benchmarks (what a user calling FFTW directly without a plan cache
// writes; its planning is NOT thread-safe). Internal: not installed.
#pragma once

#include <complex>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace hypervec::reference::hrr {

/// (a ⊛ b)[i] = Σ_j a[j] b[(i − j) mod D], D² multiply-adds in double.
std::vector<double> convolve(std::span<const double> a, std::span<const double> b);

/// Unbinding by the involution: out[i] = Σ_j key[j] bound[(i + j) mod D]
/// = (bound ⊛ key†)[i] with key†[j] = key[(D − j) mod D].
std::vector<double> correlate(std::span<const double> bound, std::span<const double> key);

/// X(k) = Σ_i x[i] e^{−2πi·ik/D} for k = 0 .. D/2, D²/2 terms, angles reduced
/// exactly (ik mod D) before the cosine.
std::vector<std::complex<double>> dft(std::span<const double> x);

/// One bin of each spectral product (simd/hrr-inl.h's ComplexOp):
/// x·y, x·conj(y), x/y with |y|² ≤ guard2 → 0 (and ++guarded),
/// x·conj(y)/(|y|² + eps).
std::complex<double> mul(std::complex<double> x, std::complex<double> y);
std::complex<double> mul_conj(std::complex<double> x, std::complex<double> y);
std::complex<double> divide(std::complex<double> x, std::complex<double> y, double guard2,
                            std::size_t& guarded);
std::complex<double> wiener(std::complex<double> x, std::complex<double> y, double eps);

double dot(std::span<const double> a, std::span<const double> b);
double cosine(std::span<const double> a, std::span<const double> b);
std::vector<double> involution(std::span<const double> a);
std::vector<double> permute(std::span<const double> a, std::ptrdiff_t shifts);

/// Re Σ a_k conj(b_k) / D (FHRR similarity), in double.
double phasor_similarity(std::span<const std::complex<float>> a,
                         std::span<const std::complex<float>> b);

/// a ⊛ b through FFTW with a fresh FFTW_ESTIMATE plan per transform: plan,
/// r2c a, r2c b, multiply, c2r, destroy. The uncached baseline. T = float or
/// double; out has D values.
template <typename T>
void naive_fftw_bind(const T* a, const T* b, T* out, std::size_t dim);
template <>
void naive_fftw_bind<float>(const float* a, const float* b, float* out, std::size_t dim);
template <>
void naive_fftw_bind<double>(const double* a, const double* b, double* out, std::size_t dim);

}  // namespace hypervec::reference::hrr
