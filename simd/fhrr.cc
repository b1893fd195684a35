// FHRR (include/hypervec/fhrr.hpp): per-target kernels on interleaved
// complex float phasors (simd/hrr-inl.h) and the validating wrappers; dot,
// bundle and the finite checks run the real kernels (simd/real.h) on the 2n
// interleaved floats. One dispatch per call.
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "simd/fhrr.cc"
#include <hwy/foreach_target.h>  // IWYU pragma: keep

#include <hwy/highway.h>

#include "simd/hrr-inl.h"

HWY_BEFORE_NAMESPACE();
namespace hypervec::detail::HWY_NAMESPACE {

/// out = x ⊙ y (conj_y: x ⊙ conj(y)) over n phasors; see ComplexProduct.
bool PhasorProduct(const float* x, const float* y, float* out, std::size_t n, bool conj_y) {
  return conj_y ? ComplexProduct<ComplexOp::kMulConj>(x, y, out, n, 1.0f, 0.0f).finite
                : ComplexProduct<ComplexOp::kMul>(x, y, out, n, 1.0f, 0.0f).finite;
}

/// out_k = x_k / |x_k|, or 1 where x_k = 0. out may alias x. Returns false
/// when some x_k is not finite.
bool PhasorNormalize(const float* x, float* out, std::size_t n) {
  const hn::ScalableTag<float> d;
  const std::size_t N = hn::Lanes(d);
  const auto zero = hn::Zero(d);
  const auto one = hn::Set(d, 1.0f);
  auto check = zero;
  std::size_t k = 0;
  for (; k + N <= n; k += N) {
    hn::Vec<decltype(d)> re, im;
    hn::LoadInterleaved2(d, x + 2 * k, re, im);
    const auto mag = hn::Sqrt(hn::MulAdd(im, im, hn::Mul(re, re)));
    const auto is_zero = hn::Eq(mag, zero);
    const auto inv = hn::Div(one, hn::IfThenElse(is_zero, one, mag));
    const auto nre = hn::IfThenElse(is_zero, one, hn::Mul(re, inv));
    const auto nim = hn::IfThenElseZero(hn::Not(is_zero), hn::Mul(im, inv));
    check = hn::Add(check, hn::Add(hn::Sub(nre, nre), hn::Sub(nim, nim)));
    hn::StoreInterleaved2(nre, nim, d, out + 2 * k);
  }
  bool finite = hn::AllTrue(d, hn::Eq(check, check));
  for (; k < n; ++k) {
    const float re = x[2 * k], im = x[2 * k + 1];
    const float mag = std::sqrt(re * re + im * im);
    out[2 * k] = mag == 0.0f ? 1.0f : re / mag;
    out[2 * k + 1] = mag == 0.0f ? 0.0f : im / mag;
    finite = finite && std::isfinite(out[2 * k]) && std::isfinite(out[2 * k + 1]);
  }
  return finite;
}

}  // namespace hypervec::detail::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
#include "simd/static_dispatch.h"
#include <hypervec/error.hpp>
#include <hypervec/fhrr.hpp>
#include <hypervec/random.hpp>

#include "src/parallel.hpp"

#include "simd/real.h"
#include "src/fft_plan_cache.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace hypervec {
namespace detail {
HWY_EXPORT(PhasorProduct);
HWY_EXPORT(PhasorNormalize);
}  // namespace detail

namespace fhrr {
namespace {

constexpr std::uint64_t kFhrrStreamTag = 0x6668727270686173ULL;  // "fhrrphas"

const float* floats(std::span<const Phasor> v) { return reinterpret_cast<const float*>(v.data()); }
float* floats(std::span<Phasor> v) { return reinterpret_cast<float*>(v.data()); }

void check_pair(const char* where, std::span<const Phasor> a, std::span<const Phasor> b) {
  detail::require_valid_dim(where, "a", a.size());
  detail::require_same_dim(where, "a", a.size(), "b", b.size());
}

void check_finite(const char* where, bool finite) {
  detail::require(finite, where,
                  ": the result is not finite: an input contains NaN or Inf, or it overflowed");
}

bool all_finite(std::span<const Phasor> v) {
  return detail::real::all_finite(floats(v), 2 * v.size());
}

void fill_random(Phasor* v, std::size_t dim, std::uint64_t seed, std::uint64_t row) {
  hypervec::random::RowStream stream(seed ^ kFhrrStreamTag, row);
  for (std::size_t k = 0; k < dim; ++k) {
    const double theta = 2.0 * std::numbers::pi * stream.next_uniform();
    v[k] = Phasor(static_cast<float>(std::cos(theta)), static_cast<float>(std::sin(theta)));
  }
}

}  // namespace

Vector random(std::size_t dim, std::uint64_t seed, std::uint64_t row) {
  detail::require_valid_dim("fhrr::random", "the vector", dim);
  Vector v(dim);
  fill_random(v.data(), dim, seed, row);
  return v;
}

DenseMatrix<Phasor> random_matrix(std::size_t rows, std::size_t dim, std::uint64_t seed,
                                  const RandomOptions& options) {
  detail::require_no_unit_norm("fhrr::random_matrix", options);
  const std::uint64_t first_row = options.first_row;
  const unsigned threads = options.threads;
  detail::require_valid_dim("fhrr::random_matrix", "the matrix", dim);
  detail::require_rows_limit("fhrr::random_matrix", "the matrix", rows);
  DenseMatrix<Phasor> m(rows, dim);
  detail::parallel_for(rows, threads, 16, [&](std::size_t begin, std::size_t end) {
    for (std::size_t r = begin; r < end; ++r) fill_random(m.row(r).data(), dim, seed, first_row + r);
  });
  return m;
}

Vector identity(std::size_t dim) {
  detail::require_valid_dim("fhrr::identity", "the vector", dim);
  Vector v(dim);
  std::fill(v.data(), v.data() + dim, Phasor(1.0f, 0.0f));
  return v;
}

void bind(std::span<const Phasor> a, std::span<const Phasor> b, std::span<Phasor> out) {
  check_pair("fhrr::bind", a, b);
  detail::require_same_dim("fhrr::bind", "a", a.size(), "out", out.size());
  check_finite("fhrr::bind", HWY_DYNAMIC_DISPATCH(detail::PhasorProduct)(
                                 floats(a), floats(b), floats(out), a.size(), false));
}

Vector bind(std::span<const Phasor> a, std::span<const Phasor> b) {
  Vector out(a.size());
  bind(a, b, out.values());
  return out;
}

Vector inverse(std::span<const Phasor> a) {
  detail::require_valid_dim("fhrr::inverse", "a", a.size());
  check_finite("fhrr::inverse", all_finite(a));
  Vector out(a.size());
  for (std::size_t k = 0; k < a.size(); ++k) out[k] = std::conj(a[k]);
  return out;
}

void unbind(std::span<const Phasor> bound, std::span<const Phasor> key, std::span<Phasor> out) {
  check_pair("fhrr::unbind", bound, key);
  detail::require_same_dim("fhrr::unbind", "bound", bound.size(), "out", out.size());
  check_finite("fhrr::unbind", HWY_DYNAMIC_DISPATCH(detail::PhasorProduct)(
                                   floats(bound), floats(key), floats(out), bound.size(), true));
}

Vector unbind(std::span<const Phasor> bound, std::span<const Phasor> key) {
  check_pair("fhrr::unbind", bound, key);
  Vector out(bound.size());
  unbind(bound, key, out.values());
  return out;
}

Vector bundle(const DenseMatrixView<Phasor>& rows, std::span<const float> weights) {
  constexpr const char* where = "fhrr::bundle";
  detail::require(rows.rows > 0, where, ": rows is empty; need at least one vector");
  detail::require_valid_dim(where, "rows", rows.dim);
  detail::require(rows.data != nullptr, where, ": rows.data is null");
  detail::require<DimensionError>(weights.empty() || weights.size() == rows.rows, where,
                                  ": weights has ", weights.size(), " entries for ", rows.rows,
                                  " rows");
  Vector acc(rows.dim);
  for (std::size_t k = 0; k < rows.rows; ++k) {
    // acc += w · row k over the 2·D interleaved floats.
    detail::real::add_scaled(reinterpret_cast<const float*>(rows.row(k).data()),
                             weights.empty() ? 1.0f : weights[k], floats(acc.values()),
                             2 * rows.dim);
  }
  check_finite(where, all_finite(acc.values()));
  return acc;
}

Vector hard_quantize(std::span<const Phasor> a) {
  detail::require_valid_dim("fhrr::hard_quantize", "a", a.size());
  Vector out(a.size());
  check_finite("fhrr::hard_quantize", HWY_DYNAMIC_DISPATCH(detail::PhasorNormalize)(
                                      floats(a), floats(out.values()), a.size()));
  return out;
}

Vector permute(std::span<const Phasor> a, std::ptrdiff_t shifts) {
  detail::require_valid_dim("fhrr::permute", "a", a.size());
  check_finite("fhrr::permute", all_finite(a));
  const std::size_t s = detail::rotation_amount(shifts, a.size());  // no signed overflow
  Vector out(a.size());
  std::rotate_copy(a.begin(), a.end() - static_cast<std::ptrdiff_t>(s), a.end(), out.data());
  return out;
}

Vector inverse_permute(std::span<const Phasor> a, std::ptrdiff_t shifts) {
  detail::require_valid_dim("fhrr::inverse_permute", "a", a.size());
  check_finite("fhrr::inverse_permute", all_finite(a));
  const std::size_t s = detail::inverse_rotation_amount(shifts, a.size());
  Vector out(a.size());
  std::rotate_copy(a.begin(), a.end() - static_cast<std::ptrdiff_t>(s), a.end(), out.data());
  return out;
}

double dot(std::span<const Phasor> a, std::span<const Phasor> b) {
  check_pair("fhrr::dot", a, b);
  const double s = detail::real::dot(floats(a), floats(b), 2 * a.size());
  check_finite("fhrr::dot", std::isfinite(s));
  return s;
}

double similarity(std::span<const Phasor> a, std::span<const Phasor> b) {
  check_pair("fhrr::similarity", a, b);
  const double s = detail::real::dot(floats(a), floats(b), 2 * a.size());
  check_finite("fhrr::similarity", std::isfinite(s));
  return s / static_cast<double>(a.size());
}

double cosine(std::span<const Phasor> a, std::span<const Phasor> b) {
  constexpr const char* where = "fhrr::cosine";
  check_pair(where, a, b);
  // Re Σ a conj(b) and Σ |a|² are dot products of the 2D interleaved floats.
  const double ab = detail::real::dot(floats(a), floats(b), 2 * a.size());
  const double aa = detail::real::dot(floats(a), floats(a), 2 * a.size());
  const double bb = detail::real::dot(floats(b), floats(b), 2 * b.size());
  check_finite(where, std::isfinite(ab) && std::isfinite(aa) && std::isfinite(bb));
  if (aa == 0 || bb == 0) return 0.0;
  return std::clamp(ab / std::sqrt(aa * bb), -1.0, 1.0);
}

Vector from_hrr(std::span<const float> x) {
  constexpr const char* where = "fhrr::from_hrr";
  detail::require_valid_dim(where, "x", x.size());
  detail::require(detail::real::all_finite(x.data(), x.size()), where,
                  ": x contains NaN or Inf (D=", x.size(), ")");
  const std::size_t dim = x.size(), nb = detail::fft::bins(dim);
  Vector out(dim);
  // The half spectrum lands in the first nb slots, then is extended.
  detail::fft::forward<float>({dim, 1, dim, nb}, x.data(), out.data());
  double norm2 = 0;
  for (std::size_t i = 0; i < dim; ++i) norm2 += static_cast<double>(x[i]) * x[i];
  const double floor = 1e-6 * std::sqrt(norm2);
  for (std::size_t k = 0; k < nb; ++k) {
    const std::complex<double> z(out[k]);
    const double mag = std::abs(z);
    out[k] = mag <= floor ? Phasor(1.0f, 0.0f)
                          : Phasor(static_cast<float>(z.real() / mag),
                                   static_cast<float>(z.imag() / mag));
  }
  for (std::size_t k = nb; k < dim; ++k) out[k] = std::conj(out[dim - k]);
  return out;
}

DenseVector<float> to_hrr(std::span<const Phasor> z) {
  constexpr const char* where = "fhrr::to_hrr";
  detail::require_valid_dim(where, "z", z.size());
  check_finite(where, all_finite(z));
  const std::size_t dim = z.size(), nb = detail::fft::bins(dim);
  AlignedBuffer<Phasor> half(nb);
  for (std::size_t k = 0; k < nb; ++k) {
    half.data()[k] = 0.5f * (z[k] + std::conj(z[(dim - k) % dim]));
  }
  DenseVector<float> out(dim);
  detail::fft::inverse<float>({dim, 1, dim, nb}, half.data(), out.data());
  const float scale = 1.0f / static_cast<float>(dim);
  for (std::size_t i = 0; i < dim; ++i) out[i] *= scale;
  return out;
}

}  // namespace fhrr
}  // namespace hypervec
#endif  // HWY_ONCE
