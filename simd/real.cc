// The real-vector kernels (simd/real.h): simd/real-inl.h compiled per target
// and exported once, for HRR and FHRR. Dense MAP keeps its own entry points
// (simd/dense.cc: a different dot tail order and fused batch kernels).
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "simd/real.cc"
#include <hwy/foreach_target.h>  // IWYU pragma: keep

#include <hwy/highway.h>

#include "simd/real-inl.h"

HWY_BEFORE_NAMESPACE();
namespace hypervec::detail::HWY_NAMESPACE {

// HRR's and FHRR's dot adds the scalar tail into the running sum
// (DotTail::kRunning), as it always has.
float DotF(const float* a, const float* b, std::size_t n) {
  return Dot<DotTail::kRunning>(a, b, n);
}
double DotD(const double* a, const double* b, std::size_t n) {
  return Dot<DotTail::kRunning>(a, b, n);
}
void AddScaledF(const float* x, float w, float* acc, std::size_t n) { AddScaled(x, w, acc, n); }
void AddScaledD(const double* x, double w, double* acc, std::size_t n) {
  AddScaled(x, w, acc, n);
}
void ScaleF(const float* x, float s, float* out, std::size_t n) { Scale(x, s, out, n); }
void ScaleD(const double* x, double s, double* out, std::size_t n) { Scale(x, s, out, n); }
bool AllFiniteF(const float* x, std::size_t n) { return AllFinite(x, n); }
bool AllFiniteD(const double* x, std::size_t n) { return AllFinite(x, n); }

}  // namespace hypervec::detail::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
#include "simd/static_dispatch.h"
#include "simd/real.h"

namespace hypervec::detail {
HWY_EXPORT(DotF);
HWY_EXPORT(DotD);
HWY_EXPORT(AddScaledF);
HWY_EXPORT(AddScaledD);
HWY_EXPORT(ScaleF);
HWY_EXPORT(ScaleD);
HWY_EXPORT(AllFiniteF);
HWY_EXPORT(AllFiniteD);

namespace real {

float dot(const float* a, const float* b, std::size_t n) {
  return HWY_DYNAMIC_DISPATCH(DotF)(a, b, n);
}
double dot(const double* a, const double* b, std::size_t n) {
  return HWY_DYNAMIC_DISPATCH(DotD)(a, b, n);
}
void add_scaled(const float* x, float w, float* acc, std::size_t n) {
  HWY_DYNAMIC_DISPATCH(AddScaledF)(x, w, acc, n);
}
void add_scaled(const double* x, double w, double* acc, std::size_t n) {
  HWY_DYNAMIC_DISPATCH(AddScaledD)(x, w, acc, n);
}
void scale(const float* x, float s, float* out, std::size_t n) {
  HWY_DYNAMIC_DISPATCH(ScaleF)(x, s, out, n);
}
void scale(const double* x, double s, double* out, std::size_t n) {
  HWY_DYNAMIC_DISPATCH(ScaleD)(x, s, out, n);
}
bool all_finite(const float* x, std::size_t n) { return HWY_DYNAMIC_DISPATCH(AllFiniteF)(x, n); }
bool all_finite(const double* x, std::size_t n) {
  return HWY_DYNAMIC_DISPATCH(AllFiniteD)(x, n);
}

}  // namespace real
}  // namespace hypervec::detail
#endif  // HWY_ONCE
