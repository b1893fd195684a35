// Sum<T>: the bundling accumulator of the real and complex models (dense MAP,
// HRR, FHRR), the counterpart of bipolar::Accumulator for packed MAP.
//
// It keeps s = Σ_k w_k x_k over the vectors added, exactly as a running sum
// in T (float, double or std::complex<float>): add and subtract undo each
// other up to T's rounding (exactly for ±1 components while |s_i| < 2^24 in
// float). value() is the bundle torchhd's `multiset` / `bundle` returns for
// these models (a sum, not normalised; HRR and FHRR cleanup is by cosine, so
// the scale does not matter).
//
// x may be a view of the sum itself (add(sums()) doubles it). Every add
// runs the dispatched add_scaled kernel (simd/hrr.cc): a complex
// vector with a real weight is added as 2D interleaved reals, which is the
// same arithmetic. Inputs with NaN or ±Inf (or a non-finite weight) throw
// InvalidArgument before anything changes; a sum that overflows T throws
// InvalidArgument too and is then unspecified (clear() it). A vector of
// another dimension throws DimensionError. Implementation: src/sum.cpp.
#pragma once

#include <hypervec/storage.hpp>

#include <complex>
#include <cstddef>
#include <span>

namespace hypervec {

template <typename T>
class Sum {
 public:
  /// A zero sum of dimension dim (DimensionError for 0 or > kMaxDim).
  explicit Sum(std::size_t dim);

  std::size_t dim() const noexcept { return sums_.dim(); }
  /// s += weight · x.
  void add(std::span<const T> x, double weight = 1.0);
  /// s -= weight · x: undoes add(x, weight).
  void subtract(std::span<const T> x, double weight = 1.0) { add(x, -weight); }
  /// s = 0.
  void clear() noexcept;
  /// The running sum s.
  std::span<const T> sums() const noexcept { return sums_.values(); }
  /// A copy of s: the bundle of everything added.
  DenseVector<T> value() const { return sums_; }

 private:
  DenseVector<T> sums_;
};

extern template class Sum<float>;
extern template class Sum<double>;
extern template class Sum<std::complex<float>>;

}  // namespace hypervec
