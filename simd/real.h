// The real-vector kernels of simd/real-inl.h as entry points, exported once
// (simd/real.cc) and called by HRR (float and double vectors, simd/hrr.cc)
// and FHRR (the 2n interleaved re/im floats of n phasors, simd/fhrr.cc).
// Private to the library; ISA-free. Each call is one dispatch. Kernels trust
// their inputs: no checks, nothing read or written past n, no alignment
// assumed.
#pragma once

#include <cstddef>

namespace hypervec::detail::real {

/// Σ a_i b_i over n values, the scalar tail added into the running sum
/// (DotTail::kRunning; error bound at Dot in simd/real-inl.h).
float dot(const float* a, const float* b, std::size_t n);
double dot(const double* a, const double* b, std::size_t n);

/// acc[i] += w · x[i] for i < n; acc must not overlap x.
void add_scaled(const float* x, float w, float* acc, std::size_t n);
void add_scaled(const double* x, double w, double* acc, std::size_t n);

/// out[i] = s · x[i] for i < n; out may alias x (same index only).
void scale(const float* x, float s, float* out, std::size_t n);
void scale(const double* x, double s, double* out, std::size_t n);

/// True when every x[i] (i < n) is finite.
bool all_finite(const float* x, std::size_t n);
bool all_finite(const double* x, std::size_t n);

}  // namespace hypervec::detail::real
