// Reusable per-target pieces for HRR and FHRR: element-wise products of
// complex arrays stored interleaved (re, im, re, im, ...), the layout of
// std::complex<T>[] and of FFTW's spectra. The real reductions (dot,
// add_scaled, scale, all-finite) are not here: HRR and FHRR call the shared
// entry points of simd/real.h. Included by simd/hrr.cc and simd/fhrr.cc.
// Toggling include guard: compiled once per Highway target.
//
// Contract shared by the complex kernels: n complex values (2n T), no
// alignment or padding assumed: whole vectors with LoadInterleaved2, then a
// scalar loop for the last < Lanes bins. out may alias x or y (same index
// only). Each returns whether every output value is finite: the check rides
// on the results as acc += (v − v), which is NaN exactly when some v is NaN
// or ±Inf, so it costs one add per output vector.
// Types shared by every target (defined once, outside the toggle: the
// exported kernels of all targets must have the same signature).
#ifndef HYPERVEC_SIMD_HRR_TYPES_
#define HYPERVEC_SIMD_HRR_TYPES_
#include <cstddef>

namespace hypervec::detail {
/// Which complex product a kernel applies, per bin, with s = scale:
///   kMul:      s · x · y
///   kMulConj:  s · x · conj(y)
///   kDivide:   s · x / y            (0 where |y|² ≤ guard2; counted)
///   kWiener:   s · x · conj(y) / (|y|² + eps)
enum class ComplexOp { kMul, kMulConj, kDivide, kWiener };

struct ComplexResult {
  std::size_t guarded = 0;  // kDivide: bins set to 0
  bool finite = true;
};

}  // namespace hypervec::detail
#endif  // HYPERVEC_SIMD_HRR_TYPES_

#if defined(HYPERVEC_SIMD_HRR_INL_H_) == defined(HWY_TARGET_TOGGLE)
#ifdef HYPERVEC_SIMD_HRR_INL_H_
#undef HYPERVEC_SIMD_HRR_INL_H_
#else
#define HYPERVEC_SIMD_HRR_INL_H_
#endif

#include <hwy/highway.h>

#include <cmath>
#include <cstddef>

HWY_BEFORE_NAMESPACE();
namespace hypervec::detail::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

/// One bin, scalar: the tail loop and the reference for the vector body.
template <ComplexOp kOp, typename T>
HWY_INLINE void ComplexBinScalar(T xr, T xi, T yr, T yi, T scale, T param, T& out_r,
                                 T& out_i, std::size_t& guarded) {
  if constexpr (kOp == ComplexOp::kMul) {
    out_r = scale * (xr * yr - xi * yi);
    out_i = scale * (xr * yi + xi * yr);
  } else if constexpr (kOp == ComplexOp::kMulConj) {
    out_r = scale * (xr * yr + xi * yi);
    out_i = scale * (xi * yr - xr * yi);
  } else {
    const T mag2 = yr * yr + yi * yi;
    T inv;
    if constexpr (kOp == ComplexOp::kDivide) {
      if (!(mag2 > param)) {
        out_r = T(0);
        out_i = T(0);
        ++guarded;
        return;
      }
      inv = scale / mag2;
    } else {
      inv = scale / (mag2 + param);
    }
    out_r = inv * (xr * yr + xi * yi);
    out_i = inv * (xi * yr - xr * yi);
  }
}

/// out[k] = op(x[k], y[k]) for k < n (ComplexOp above; param is guard2 for
/// kDivide and eps for kWiener). x, y, out point at 2n interleaved values.
template <ComplexOp kOp, typename T>
HWY_INLINE ComplexResult ComplexProduct(const T* x, const T* y, T* out, std::size_t n, T scale,
                                        T param) {
  const hn::ScalableTag<T> d;
  const std::size_t N = hn::Lanes(d);
  const auto vscale = hn::Set(d, scale);
  const auto vparam = hn::Set(d, param);
  auto check = hn::Zero(d);
  ComplexResult result;
  std::size_t k = 0;
  for (; k + N <= n; k += N) {
    hn::Vec<decltype(d)> xr, xi, yr, yi;
    hn::LoadInterleaved2(d, x + 2 * k, xr, xi);
    hn::LoadInterleaved2(d, y + 2 * k, yr, yi);
    hn::Vec<decltype(d)> re, im;
    if constexpr (kOp == ComplexOp::kMul) {
      re = hn::Mul(vscale, hn::NegMulAdd(xi, yi, hn::Mul(xr, yr)));
      im = hn::Mul(vscale, hn::MulAdd(xr, yi, hn::Mul(xi, yr)));
    } else if constexpr (kOp == ComplexOp::kMulConj) {
      re = hn::Mul(vscale, hn::MulAdd(xi, yi, hn::Mul(xr, yr)));
      im = hn::Mul(vscale, hn::NegMulAdd(xr, yi, hn::Mul(xi, yr)));
    } else {
      const auto mag2 = hn::MulAdd(yi, yi, hn::Mul(yr, yr));
      auto inv = kOp == ComplexOp::kDivide ? hn::Div(vscale, mag2)
                                           : hn::Div(vscale, hn::Add(mag2, vparam));
      re = hn::MulAdd(xi, yi, hn::Mul(xr, yr));
      im = hn::NegMulAdd(xr, yi, hn::Mul(xi, yr));
      if constexpr (kOp == ComplexOp::kDivide) {
        const auto keep = hn::Gt(mag2, vparam);  // false for NaN too
        result.guarded += N - hn::CountTrue(d, keep);
        re = hn::IfThenElseZero(keep, hn::Mul(re, inv));
        im = hn::IfThenElseZero(keep, hn::Mul(im, inv));
      } else {
        re = hn::Mul(re, inv);
        im = hn::Mul(im, inv);
      }
    }
    check = hn::Add(check, hn::Add(hn::Sub(re, re), hn::Sub(im, im)));
    hn::StoreInterleaved2(re, im, d, out + 2 * k);
  }
  bool finite = hn::AllTrue(d, hn::Eq(check, check));
  for (; k < n; ++k) {
    T re, im;
    ComplexBinScalar<kOp>(x[2 * k], x[2 * k + 1], y[2 * k], y[2 * k + 1], scale, param, re, im,
                          result.guarded);
    out[2 * k] = re;
    out[2 * k + 1] = im;
    finite = finite && std::isfinite(re) && std::isfinite(im);
  }
  result.finite = finite;
  return result;
}

}  // namespace hypervec::detail::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#endif  // HYPERVEC_SIMD_HRR_INL_H_
