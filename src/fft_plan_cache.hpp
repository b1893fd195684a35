// Internal: cached FFTW real-to-complex / complex-to-real transforms for the
// HRR model (include/hypervec/fft.hpp describes the policy). Not installed.
//
// Layout: a batch is `howmany` transforms of length D; real rows are
// `real_stride` elements apart, spectra (D/2+1 complex bins each) are
// `spec_stride` complex elements apart. FFTW's transforms are unnormalised:
// inverse(forward(x)) = D x.
#pragma once

#include <complex>
#include <cstddef>

namespace hypervec::detail::fft {

struct Shape {
  std::size_t dim = 0;
  std::size_t howmany = 1;
  std::size_t real_stride = 0;  // >= dim; ignored when howmany == 1
  std::size_t spec_stride = 0;  // >= dim / 2 + 1; ignored when howmany == 1
};

/// Number of spectrum bins of a length-D real transform.
constexpr std::size_t bins(std::size_t dim) noexcept { return dim / 2 + 1; }

/// out = DFT(in) for each row (r2c). `in` is only read. Thread-safe.
template <typename T>
void forward(const Shape& shape, const T* in, std::complex<T>* out);

/// out = unnormalised inverse DFT(in) for each row (c2r). `in` is
/// destroyed (used as workspace), as FFTW's c2r transforms do. Thread-safe.
template <typename T>
void inverse(const Shape& shape, std::complex<T>* in, T* out);

}  // namespace hypervec::detail::fft
