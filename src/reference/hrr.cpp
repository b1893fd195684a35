#include "src/reference/hrr.hpp"

#include <fftw3.h>

#include <cmath>
#include <numbers>
#include <stdexcept>

namespace hypervec::reference::hrr {

std::vector<double> convolve(std::span<const double> a, std::span<const double> b) {
  const std::size_t d = a.size();
  std::vector<double> out(d, 0.0);
  for (std::size_t i = 0; i < d; ++i) {
    double s = 0;
    for (std::size_t j = 0; j < d; ++j) s += a[j] * b[(i + d - j) % d];
    out[i] = s;
  }
  return out;
}

std::vector<double> correlate(std::span<const double> bound, std::span<const double> key) {
  const std::size_t d = bound.size();
  std::vector<double> out(d, 0.0);
  for (std::size_t i = 0; i < d; ++i) {
    double s = 0;
    for (std::size_t j = 0; j < d; ++j) s += key[j] * bound[(i + j) % d];
    out[i] = s;
  }
  return out;
}

std::vector<std::complex<double>> dft(std::span<const double> x) {
  const std::size_t d = x.size();
  std::vector<std::complex<double>> out(d / 2 + 1);
  for (std::size_t k = 0; k < out.size(); ++k) {
    std::complex<double> s = 0;
    for (std::size_t i = 0; i < d; ++i) {
      const double angle =
          -2.0 * std::numbers::pi * static_cast<double>((i * k) % d) / static_cast<double>(d);
      s += x[i] * std::complex<double>(std::cos(angle), std::sin(angle));
    }
    out[k] = s;
  }
  return out;
}

std::complex<double> mul(std::complex<double> x, std::complex<double> y) { return x * y; }

std::complex<double> mul_conj(std::complex<double> x, std::complex<double> y) {
  return x * std::conj(y);
}

std::complex<double> divide(std::complex<double> x, std::complex<double> y, double guard2,
                            std::size_t& guarded) {
  if (!(std::norm(y) > guard2)) {
    ++guarded;
    return 0.0;
  }
  return x * std::conj(y) / std::norm(y);
}

std::complex<double> wiener(std::complex<double> x, std::complex<double> y, double eps) {
  return x * std::conj(y) / (std::norm(y) + eps);
}

double dot(std::span<const double> a, std::span<const double> b) {
  double s = 0;
  for (std::size_t i = 0; i < a.size(); ++i) s += a[i] * b[i];
  return s;
}

double cosine(std::span<const double> a, std::span<const double> b) {
  const double aa = dot(a, a), bb = dot(b, b);
  if (aa == 0 || bb == 0) return 0.0;
  return dot(a, b) / std::sqrt(aa * bb);
}

std::vector<double> involution(std::span<const double> a) {
  const std::size_t d = a.size();
  std::vector<double> out(d);
  for (std::size_t i = 0; i < d; ++i) out[i] = a[(d - i) % d];
  return out;
}

std::vector<double> permute(std::span<const double> a, std::ptrdiff_t shifts) {
  const auto d = static_cast<std::ptrdiff_t>(a.size());
  std::vector<double> out(a.size());
  for (std::ptrdiff_t i = 0; i < d; ++i) {
    out[static_cast<std::size_t>(i)] = a[static_cast<std::size_t>(((i - shifts) % d + d) % d)];
  }
  return out;
}

double phasor_similarity(std::span<const std::complex<float>> a,
                         std::span<const std::complex<float>> b) {
  double s = 0;
  for (std::size_t k = 0; k < a.size(); ++k) {
    s += static_cast<double>(a[k].real()) * b[k].real() +
         static_cast<double>(a[k].imag()) * b[k].imag();
  }
  return s / static_cast<double>(a.size());
}

template <>
void naive_fftw_bind<double>(const double* a, const double* b, double* out, std::size_t dim) {
  const int n = static_cast<int>(dim);
  const std::size_t nb = dim / 2 + 1;
  auto* in = fftw_alloc_real(dim);
  auto* sa = fftw_alloc_complex(nb);
  auto* sb = fftw_alloc_complex(nb);
  fftw_plan fwd = fftw_plan_dft_r2c_1d(n, in, sa, FFTW_ESTIMATE);
  fftw_plan inv = fftw_plan_dft_c2r_1d(n, sa, in, FFTW_ESTIMATE);
  if (fwd == nullptr || inv == nullptr) throw std::runtime_error("naive_fftw_bind: no plan");
  std::copy(a, a + dim, in);
  fftw_execute_dft_r2c(fwd, in, sa);
  std::copy(b, b + dim, in);
  fftw_execute_dft_r2c(fwd, in, sb);
  for (std::size_t k = 0; k < nb; ++k) {
    const double re = sa[k][0] * sb[k][0] - sa[k][1] * sb[k][1];
    const double im = sa[k][0] * sb[k][1] + sa[k][1] * sb[k][0];
    sa[k][0] = re / n;
    sa[k][1] = im / n;
  }
  fftw_execute_dft_c2r(inv, sa, in);
  std::copy(in, in + dim, out);
  fftw_destroy_plan(fwd);
  fftw_destroy_plan(inv);
  fftw_free(in);
  fftw_free(sa);
  fftw_free(sb);
}

template <>
void naive_fftw_bind<float>(const float* a, const float* b, float* out, std::size_t dim) {
  const int n = static_cast<int>(dim);
  const std::size_t nb = dim / 2 + 1;
  auto* in = fftwf_alloc_real(dim);
  auto* sa = fftwf_alloc_complex(nb);
  auto* sb = fftwf_alloc_complex(nb);
  fftwf_plan fwd = fftwf_plan_dft_r2c_1d(n, in, sa, FFTW_ESTIMATE);
  fftwf_plan inv = fftwf_plan_dft_c2r_1d(n, sa, in, FFTW_ESTIMATE);
  if (fwd == nullptr || inv == nullptr) throw std::runtime_error("naive_fftw_bind: no plan");
  std::copy(a, a + dim, in);
  fftwf_execute_dft_r2c(fwd, in, sa);
  std::copy(b, b + dim, in);
  fftwf_execute_dft_r2c(fwd, in, sb);
  for (std::size_t k = 0; k < nb; ++k) {
    const float re = sa[k][0] * sb[k][0] - sa[k][1] * sb[k][1];
    const float im = sa[k][0] * sb[k][1] + sa[k][1] * sb[k][0];
    sa[k][0] = re / static_cast<float>(n);
    sa[k][1] = im / static_cast<float>(n);
  }
  fftwf_execute_dft_c2r(inv, sa, in);
  std::copy(in, in + dim, out);
  fftwf_destroy_plan(fwd);
  fftwf_destroy_plan(inv);
  fftwf_free(in);
  fftwf_free(sa);
  fftwf_free(sb);
}

}  // namespace hypervec::reference::hrr
