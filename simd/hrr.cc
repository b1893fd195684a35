// HRR (include/hypervec/hrr.hpp): per-target kernels for the element-wise
// spectral products, and the validating public wrappers around FFTW
// (src/fft_plan_cache.cpp) and the real reductions (simd/real.h). One
// dispatch per call, or per block of rows in the batched functions.
//
// Length (~710 lines): few kernels; most lines are the float/double wrappers
// of hrr.hpp's ~25 functions and the spectrum plumbing they share (plans,
// inverses, batches), in hrr.hpp's order.
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "simd/hrr.cc"
#include <hwy/foreach_target.h>  // IWYU pragma: keep

#include <hwy/highway.h>

#include "simd/hrr-inl.h"

HWY_BEFORE_NAMESPACE();
namespace hypervec::detail::HWY_NAMESPACE {

/// For r < rows: out row r = op(x row r, y) over n complex bins (ComplexOp in
/// hrr-inl.h; op is its integer value). Row r of x starts at x + r·x_stride,
/// of out at out + r·out_stride (strides in T, i.e. 2 per bin); y is shared.
/// Guarded counts add up over the rows; finite is false if any row's is.
template <typename T>
ComplexResult SpectralRows(int op, const T* x, std::size_t x_stride, const T* y, T* out,
                           std::size_t out_stride, std::size_t rows, std::size_t n, T scale,
                           T param) {
  ComplexResult total;
  for (std::size_t r = 0; r < rows; ++r) {
    const T* xr = x + r * x_stride;
    T* outr = out + r * out_stride;
    ComplexResult one;
    switch (static_cast<ComplexOp>(op)) {
      case ComplexOp::kMul:
        one = ComplexProduct<ComplexOp::kMul>(xr, y, outr, n, scale, param);
        break;
      case ComplexOp::kMulConj:
        one = ComplexProduct<ComplexOp::kMulConj>(xr, y, outr, n, scale, param);
        break;
      case ComplexOp::kDivide:
        one = ComplexProduct<ComplexOp::kDivide>(xr, y, outr, n, scale, param);
        break;
      case ComplexOp::kWiener:
        one = ComplexProduct<ComplexOp::kWiener>(xr, y, outr, n, scale, param);
        break;
    }
    total.guarded += one.guarded;
    total.finite = total.finite && one.finite;
  }
  return total;
}

ComplexResult SpectralRowsF(int op, const float* x, std::size_t x_stride, const float* y,
                            float* out, std::size_t out_stride, std::size_t rows, std::size_t n,
                            float scale, float param) {
  return SpectralRows<float>(op, x, x_stride, y, out, out_stride, rows, n, scale, param);
}
ComplexResult SpectralRowsD(int op, const double* x, std::size_t x_stride, const double* y,
                            double* out, std::size_t out_stride, std::size_t rows,
                            std::size_t n, double scale, double param) {
  return SpectralRows<double>(op, x, x_stride, y, out, out_stride, rows, n, scale, param);
}

}  // namespace hypervec::detail::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
#include "simd/static_dispatch.h"
#include "src/parallel.hpp"
#include <hypervec/error.hpp>
#include <hypervec/hrr.hpp>
#include <hypervec/random.hpp>

#include "simd/real.h"
#include "src/fft_plan_cache.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>
#include <type_traits>

namespace hypervec {
namespace detail {
HWY_EXPORT(SpectralRowsF);
HWY_EXPORT(SpectralRowsD);
}  // namespace detail

namespace hrr {
namespace {

using detail::ComplexOp;
using detail::ComplexResult;

template <typename T>
using Complex = std::complex<T>;

/// SpectralRows of one precision, over rows of n complex bins (strides in
/// complex values): one dispatch per call.
template <typename T>
ComplexResult spectral(ComplexOp op, const Complex<T>* x, std::size_t x_stride,
                       const Complex<T>* y, Complex<T>* out, std::size_t out_stride,
                       std::size_t rows, std::size_t n, T scale, T param) {
  const auto rows_kernel = [] {
    if constexpr (std::is_same_v<T, float>) {
      return HWY_DYNAMIC_DISPATCH(detail::SpectralRowsF);
    } else {
      return HWY_DYNAMIC_DISPATCH(detail::SpectralRowsD);
    }
  }();
  return rows_kernel(static_cast<int>(op), reinterpret_cast<const T*>(x), 2 * x_stride,
                     reinterpret_cast<const T*>(y), reinterpret_cast<T*>(out), 2 * out_stride,
                     rows, n, scale, param);
}

/// The default relative guard of the exact inverse, per precision.
template <typename T>
constexpr double kDefaultGuard = std::is_same_v<T, float> ? 1e-4 : 1e-10;

constexpr std::uint64_t kUnitaryStreamTag = 0x756e697461727931ULL;  // "unitary1"

/// Per-thread workspace: `slot` names one of three independent buffers of at
/// least n complex values, reused across calls (no allocation per bind).
template <typename T>
Complex<T>* scratch(int slot, std::size_t n) {
  thread_local AlignedBuffer<Complex<T>> buffers[3];
  auto& b = buffers[slot];
  if (b.size() < n) b = AlignedBuffer<Complex<T>>(n);
  return b.data();
}

template <typename T>
detail::fft::Shape single(std::size_t dim) {
  return {dim, 1, dim, detail::fft::bins(dim)};
}

template <typename T>
void check_vector(const char* where, const char* what, std::span<const T> x) {
  detail::require_valid_dim(where, what, x.size());
  detail::require(detail::real::all_finite(x.data(), x.size()), where, ": ", what,
                  " contains NaN or Inf (D=", x.size(), ")");
}

void check_finite_result(const char* where, bool finite) {
  detail::require(finite, where,
                  ": the result is not finite: an input contains NaN or Inf, or it overflowed");
}

void require_spectrum(const char* where, const char* what, std::size_t dim) {
  detail::require_valid_dim(where, what, dim);
}

/// ‖x‖² from a half spectrum by Parseval: (|X0|² + 2 Σ_{0<k<D/2} |Xk|²
/// + |X_{D/2}|² [even D]) / D.
template <typename T>
double norm2_from_spectrum(const Complex<T>* s, std::size_t dim) {
  const std::size_t nb = detail::fft::bins(dim);
  const T* v = reinterpret_cast<const T*>(s);
  double total = 2.0 * static_cast<double>(detail::real::dot(v, v, 2 * nb));
  total -= std::norm(std::complex<double>(s[0]));
  if (dim % 2 == 0 && dim > 1) total -= std::norm(std::complex<double>(s[nb - 1]));
  return std::max(0.0, total) / static_cast<double>(dim);
}

/// The kernel op and parameter that apply `method` to a key of squared norm
/// key_norm2 (as the y operand).
template <typename T>
std::pair<ComplexOp, T> inverse_op(const char* where, InverseMethod method, double key_norm2) {
  // exact and wiener scale by ‖key‖²: a NaN/Inf key would silently turn
  // every bin into "guarded" (NaN compares false), so reject it here.
  detail::require(method.kind == InverseMethod::Kind::involution || std::isfinite(key_norm2),
                  where, ": key contains NaN or Inf (its norm is ", key_norm2, ")");
  switch (method.kind) {
    case InverseMethod::Kind::involution:
      return {ComplexOp::kMulConj, T(0)};
    case InverseMethod::Kind::exact: {
      detail::require(method.parameter >= 0 && std::isfinite(method.parameter), where,
                      ": exact-inverse guard must be finite and >= 0, got ", method.parameter);
      const double g = method.parameter == 0 ? kDefaultGuard<T> : method.parameter;
      return {ComplexOp::kDivide, static_cast<T>(g * g * key_norm2)};
    }
    case InverseMethod::Kind::wiener:
      detail::require(method.parameter > 0 && std::isfinite(method.parameter), where,
                      ": Wiener epsilon must be finite and > 0, got ", method.parameter);
      return {ComplexOp::kWiener, static_cast<T>(method.parameter * key_norm2)};
  }
  throw InvalidArgument(detail::concat(where, ": unknown inverse method"));
}

/// out (D values) = IDFT(spec)/D. spec is destroyed. Checks the output.
template <typename T>
void inverse_to(const char* where, Complex<T>* spec, std::size_t dim, T* out) {
  detail::fft::inverse<T>(single<T>(dim), spec, out);
  detail::real::scale(out, T(1) / static_cast<T>(dim), out, dim);
  check_finite_result(where, detail::real::all_finite(out, dim));
}

/// Fills v (D values) with row `row` of the normal codebook, N(0, 1/D).
template <typename T>
void fill_random(T* v, std::size_t dim, std::uint64_t seed, std::uint64_t row, bool unit_norm) {
  random::RowStream stream(seed, row);
  const double s = 1.0 / std::sqrt(static_cast<double>(dim));
  double sum2 = 0;
  for (std::size_t i = 0; i < dim; i += 2) {
    double z0, z1;
    stream.next_normal_pair(z0, z1);
    v[i] = static_cast<T>(z0 * s);
    sum2 += static_cast<double>(v[i]) * v[i];
    if (i + 1 < dim) {
      v[i + 1] = static_cast<T>(z1 * s);
      sum2 += static_cast<double>(v[i + 1]) * v[i + 1];
    }
  }
  if (unit_norm && sum2 > 0) {
    const double inv = 1.0 / std::sqrt(sum2);
    for (std::size_t i = 0; i < dim; ++i) v[i] = static_cast<T>(v[i] * inv);
  }
}

}  // namespace

// --- Generation ---------------------------------------------------------------

template <typename T>
DenseVector<T> random(std::size_t dim, std::uint64_t seed, std::uint64_t row) {
  detail::require_valid_dim("hrr::random", "the vector", dim);
  DenseVector<T> v(dim);
  fill_random(v.data(), dim, seed, row, false);
  return v;
}

template <typename T>
DenseMatrix<T> random_matrix(std::size_t rows, std::size_t dim, std::uint64_t seed,
                             const RandomOptions& options) {
  detail::require_valid_dim("hrr::random_matrix", "the matrix", dim);
  detail::require_rows_limit("hrr::random_matrix", "the matrix", rows);
  DenseMatrix<T> m(rows, dim);
  detail::parallel_for(rows, options.threads, 16, [&](std::size_t begin, std::size_t end) {
    for (std::size_t r = begin; r < end; ++r) {
      fill_random(m.row(r).data(), dim, seed, options.first_row + r, options.unit_norm);
    }
  });
  return m;
}

template <typename T>
DenseVector<T> random_unitary(std::size_t dim, std::uint64_t seed, std::uint64_t row) {
  detail::require_valid_dim("hrr::random_unitary", "the vector", dim);
  Spectrum<T> s(dim);
  random::RowStream stream(seed ^ kUnitaryStreamTag, row);
  s.data()[0] = Complex<T>(1, 0);
  const std::size_t nb = s.bins();
  for (std::size_t k = 1; k < nb; ++k) {
    if (dim % 2 == 0 && k == nb - 1) {
      s.data()[k] = Complex<T>(1, 0);  // the Nyquist bin is real
    } else {
      const double phase = 2.0 * std::numbers::pi * stream.next_uniform();
      s.data()[k] = Complex<T>(static_cast<T>(std::cos(phase)), static_cast<T>(std::sin(phase)));
    }
  }
  return from_spectrum(s);
}

template <typename T>
DenseVector<T> make_unitary(std::span<const T> x) {
  check_vector("hrr::make_unitary", "x", x);
  Spectrum<T> s = spectrum(x);
  const double floor = 1e-6 * std::sqrt(norm2_from_spectrum(s.data(), x.size()));
  for (auto& bin : s.values()) {
    const double mag = std::abs(std::complex<double>(bin));
    bin = mag <= floor ? Complex<T>(1, 0)
                       : Complex<T>(static_cast<T>(bin.real() / mag),
                                    static_cast<T>(bin.imag() / mag));
  }
  return from_spectrum(s);
}

template <typename T>
DenseVector<T> identity(std::size_t dim) {
  detail::require_valid_dim("hrr::identity", "the vector", dim);
  DenseVector<T> v(dim);
  v[0] = T(1);
  return v;
}

// --- Spectra --------------------------------------------------------------------

template <typename T>
Spectrum<T> spectrum(std::span<const T> x) {
  check_vector("hrr::spectrum", "x", x);
  Spectrum<T> s(x.size());
  detail::fft::forward<T>(single<T>(x.size()), x.data(), s.data());
  return s;
}

template <typename T>
DenseVector<T> from_spectrum(const Spectrum<T>& s) {
  require_spectrum("hrr::from_spectrum", "the spectrum", s.dim());
  const std::size_t nb = s.bins();
  Complex<T>* work = scratch<T>(0, nb);
  std::copy(s.data(), s.data() + nb, work);
  DenseVector<T> out(s.dim());
  inverse_to("hrr::from_spectrum", work, s.dim(), out.data());
  return out;
}

template <typename T>
Spectrum<T> inverse_spectrum(const Spectrum<T>& key, InverseMethod method,
                             InverseReport* report) {
  constexpr const char* where = "hrr::inverse_spectrum";
  require_spectrum(where, "key", key.dim());
  const std::size_t nb = key.bins();
  const double key_norm2 =
      method.kind == InverseMethod::Kind::involution ? 0.0 : norm2_from_spectrum(key.data(), key.dim());
  const auto [op, param] = inverse_op<T>(where, method, key_norm2);
  Spectrum<T> out(key.dim());
  std::fill(out.data(), out.data() + nb, Complex<T>(1, 0));  // x = 1: out = op(1, key)
  const ComplexResult r =
      spectral<T>(op, out.data(), 0, key.data(), out.data(), 0, 1, nb, T(1), param);
  check_finite_result(where, r.finite);
  if (report != nullptr) report->guarded_bins = r.guarded;
  return out;
}

// --- Binding ----------------------------------------------------------------------

template <typename T>
void bind(std::span<const T> a, std::span<const T> b, std::span<T> out) {
  constexpr const char* where = "hrr::bind";
  detail::require_valid_dim(where, "a", a.size());
  detail::require_same_dim(where, "a", a.size(), "b", b.size());
  detail::require_same_dim(where, "a", a.size(), "out", out.size());
  const std::size_t dim = a.size(), nb = detail::fft::bins(dim);
  Complex<T>* sa = scratch<T>(0, nb);
  Complex<T>* sb = scratch<T>(1, nb);
  detail::fft::forward<T>(single<T>(dim), a.data(), sa);
  detail::fft::forward<T>(single<T>(dim), b.data(), sb);
  // 1/D folded into the product: inverse(forward(x)) = D x.
  const ComplexResult r = spectral<T>(ComplexOp::kMul, sa, 0, sb, sa, 0, 1, nb,
                                               T(1) / static_cast<T>(dim), T(0));
  check_finite_result(where, r.finite);
  detail::fft::inverse<T>(single<T>(dim), sa, out.data());
}

template <typename T>
DenseVector<T> bind(std::span<const T> a, std::span<const T> b) {
  DenseVector<T> out(a.size());
  bind(a, b, out.values());
  return out;
}

template <typename T>
void bind(std::span<const T> x, const Spectrum<T>& key, std::span<T> out) {
  constexpr const char* where = "hrr::bind";
  detail::require_valid_dim(where, "x", x.size());
  detail::require_same_dim(where, "x", x.size(), "key spectrum", key.dim());
  detail::require_same_dim(where, "x", x.size(), "out", out.size());
  const std::size_t dim = x.size(), nb = key.bins();
  Complex<T>* sx = scratch<T>(0, nb);
  detail::fft::forward<T>(single<T>(dim), x.data(), sx);
  const ComplexResult r = spectral<T>(ComplexOp::kMul, sx, 0, key.data(), sx, 0, 1, nb,
                                               T(1) / static_cast<T>(dim), T(0));
  check_finite_result(where, r.finite);
  detail::fft::inverse<T>(single<T>(dim), sx, out.data());
}

template <typename T>
DenseVector<T> bind(std::span<const T> x, const Spectrum<T>& key) {
  DenseVector<T> out(x.size());
  bind(x, key, out.values());
  return out;
}

namespace {

/// bound ⊛ key⁻¹ given the key's spectrum `sk` (not modified) and its
/// squared norm (needed by exact and wiener only).
template <typename T>
void unbind_with(const char* where, std::span<const T> bound, const Complex<T>* sk,
                 double key_norm2, InverseMethod method, InverseReport* report, T* out) {
  const std::size_t dim = bound.size(), nb = detail::fft::bins(dim);
  const auto [op, param] = inverse_op<T>(where, method, key_norm2);
  Complex<T>* sc = scratch<T>(0, nb);
  detail::fft::forward<T>(single<T>(dim), bound.data(), sc);
  const ComplexResult r =
      spectral<T>(op, sc, 0, sk, sc, 0, 1, nb, T(1) / static_cast<T>(dim), param);
  check_finite_result(where, r.finite);
  if (report != nullptr) report->guarded_bins = r.guarded;
  // bound was consumed by the forward transform: out may alias it.
  detail::fft::inverse<T>(single<T>(dim), sc, out);
}

/// unbind with a key vector, into out (D values; may alias bound or key: both
/// are transformed into scratch before out is written).
template <typename T>
void unbind_vector_key(std::span<const T> bound, std::span<const T> key, InverseMethod method,
                       InverseReport* report, T* out) {
  constexpr const char* where = "hrr::unbind";
  const std::size_t nb = detail::fft::bins(key.size());
  Complex<T>* sk = scratch<T>(1, nb);
  detail::fft::forward<T>(single<T>(key.size()), key.data(), sk);
  double key_norm2 = 0;
  if (method.kind != InverseMethod::Kind::involution) {
    key_norm2 = detail::real::dot(key.data(), key.data(), key.size());
  }
  unbind_with<T>(where, bound, sk, key_norm2, method, report, out);
}

template <typename T>
void unbind_spectrum_key(std::span<const T> bound, const Spectrum<T>& key, InverseMethod method,
                         InverseReport* report, T* out) {
  double key_norm2 = 0;
  if (method.kind != InverseMethod::Kind::involution) {
    key_norm2 = norm2_from_spectrum(key.data(), key.dim());
  }
  unbind_with<T>("hrr::unbind", bound, key.data(), key_norm2, method, report, out);
}

}  // namespace

template <typename T>
DenseVector<T> unbind(std::span<const T> bound, std::span<const T> key, InverseMethod method,
                      InverseReport* report) {
  constexpr const char* where = "hrr::unbind";
  detail::require_valid_dim(where, "bound", bound.size());
  detail::require_same_dim(where, "bound", bound.size(), "key", key.size());
  DenseVector<T> out(bound.size());
  unbind_vector_key<T>(bound, key, method, report, out.data());
  return out;
}

template <typename T>
void unbind(std::span<const T> bound, std::span<const T> key, std::span<T> out,
            InverseMethod method, InverseReport* report) {
  constexpr const char* where = "hrr::unbind";
  detail::require_valid_dim(where, "bound", bound.size());
  detail::require_same_dim(where, "bound", bound.size(), "key", key.size());
  detail::require_same_dim(where, "bound", bound.size(), "out", out.size());
  unbind_vector_key<T>(bound, key, method, report, out.data());
}

template <typename T>
DenseVector<T> unbind(std::span<const T> bound, const Spectrum<T>& key, InverseMethod method,
                      InverseReport* report) {
  constexpr const char* where = "hrr::unbind";
  detail::require_valid_dim(where, "bound", bound.size());
  detail::require_same_dim(where, "bound", bound.size(), "key spectrum", key.dim());
  DenseVector<T> out(bound.size());
  unbind_spectrum_key<T>(bound, key, method, report, out.data());
  return out;
}

template <typename T>
void unbind(std::span<const T> bound, const Spectrum<T>& key, std::span<T> out,
            InverseMethod method, InverseReport* report) {
  constexpr const char* where = "hrr::unbind";
  detail::require_valid_dim(where, "bound", bound.size());
  detail::require_same_dim(where, "bound", bound.size(), "key spectrum", key.dim());
  detail::require_same_dim(where, "bound", bound.size(), "out", out.size());
  unbind_spectrum_key<T>(bound, key, method, report, out.data());
}

template <typename T>
void bind_batch(const DenseMatrixView<T>& rows, const Spectrum<T>& key, DenseMatrix<T>& out,
                unsigned threads) {
  constexpr const char* where = "hrr::bind_batch";
  detail::require_valid_dim(where, "rows", rows.dim);
  detail::require_same_dim(where, "rows", rows.dim, "key spectrum", key.dim());
  detail::require_same_dim(where, "rows", rows.dim, "out", out.dim());
  detail::require_rows_limit(where, "rows", rows.rows);
  detail::require<DimensionError>(out.rows() == rows.rows, where, ": out has ", out.rows(),
                                  " rows, rows has ", rows.rows);
  detail::require(rows.rows == 0 || rows.data != nullptr, where, ": rows.data is null");
  detail::require<DimensionError>(rows.rows <= 1 || rows.stride >= rows.dim, where,
                                  ": rows.stride=", rows.stride, " is less than D=", rows.dim);
  if (rows.rows == 0) return;
  const std::size_t in_stride = rows.rows == 1 ? rows.dim : rows.stride;
  const T* in_end = rows.data + (rows.rows - 1) * in_stride + rows.dim;
  const T* out_end = out.data() + (out.rows() - 1) * out.stride() + out.dim();
  detail::require(in_end <= out.data() || out_end <= rows.data, where, ": out overlaps rows");
  const std::size_t dim = rows.dim, nb = key.bins();
  // Rows per block: the block's spectra fit in about 256 KiB (L2), at most 16.
  const std::size_t spec_stride = padded_length<Complex<T>>(nb);
  const std::size_t block = std::clamp<std::size_t>(
      (std::size_t{256} << 10) / (spec_stride * sizeof(Complex<T>)), 1, 16);
  const std::size_t blocks = (rows.rows + block - 1) / block;
  const T scale = T(1) / static_cast<T>(dim);
  detail::parallel_for(blocks, threads, 4, [&](std::size_t begin, std::size_t end) {
    AlignedBuffer<Complex<T>> work(block * spec_stride);
    for (std::size_t b = begin; b < end; ++b) {
      const std::size_t r0 = b * block;
      const std::size_t n = std::min(block, rows.rows - r0);
      detail::fft::forward<T>({dim, n, in_stride, spec_stride}, rows.data + r0 * in_stride,
                              work.data());
      const ComplexResult r = spectral<T>(ComplexOp::kMul, work.data(), spec_stride,
                                                   key.data(), work.data(), spec_stride, n, nb,
                                                   scale, T(0));
      check_finite_result(where, r.finite);
      detail::fft::inverse<T>({dim, n, out.stride(), spec_stride}, work.data(),
                              out.data() + r0 * out.stride());
    }
  });
}

template <typename T>
DenseMatrix<T> bind_batch(const DenseMatrixView<T>& rows, const Spectrum<T>& key,
                          unsigned threads) {
  detail::require_valid_dim("hrr::bind_batch", "rows", rows.dim);
  DenseMatrix<T> out(rows.rows, rows.dim);
  bind_batch(rows, key, out, threads);
  return out;
}

template <typename T>
void unbind_batch(const DenseMatrixView<T>& rows, const Spectrum<T>& key, DenseMatrix<T>& out,
                  InverseMethod method, InverseReport* report, unsigned threads) {
  detail::require_valid_dim("hrr::unbind_batch", "key spectrum", key.dim());
  const Spectrum<T> inv = inverse_spectrum(key, method, report);
  bind_batch(rows, inv, out, threads);
}

template <typename T>
DenseMatrix<T> unbind_batch(const DenseMatrixView<T>& rows, const Spectrum<T>& key,
                            InverseMethod method, InverseReport* report, unsigned threads) {
  detail::require_valid_dim("hrr::unbind_batch", "key spectrum", key.dim());
  const Spectrum<T> inv = inverse_spectrum(key, method, report);
  return bind_batch(rows, inv, threads);
}

template <typename T>
DenseVector<T> involution(std::span<const T> a) {
  check_vector("hrr::involution", "a", a);
  const std::size_t dim = a.size();
  DenseVector<T> out(dim);
  out[0] = a[0];
  for (std::size_t i = 1; i < dim; ++i) out[i] = a[dim - i];
  return out;
}

template <typename T>
DenseVector<T> inverse(std::span<const T> a, InverseMethod method, InverseReport* report) {
  if (method.kind == InverseMethod::Kind::involution) {
    if (report != nullptr) report->guarded_bins = 0;
    return involution(a);
  }
  check_vector("hrr::inverse", "a", a);
  return from_spectrum(inverse_spectrum(spectrum(a), method, report));
}

template <typename T>
DenseVector<T> power(std::span<const T> a, double p, InverseReport* report) {
  constexpr const char* where = "hrr::power";
  check_vector(where, "a", a);
  detail::require(std::isfinite(p), where, ": exponent p must be finite, got ", p);
  const std::size_t dim = a.size();
  Spectrum<T> s = spectrum(a);
  const double floor = kDefaultGuard<T> * std::sqrt(norm2_from_spectrum(s.data(), dim));
  const std::size_t nb = s.bins();
  std::size_t guarded = 0;
  for (std::size_t k = 0; k < nb; ++k) {
    const std::complex<double> x(s.data()[k]);
    const bool real_bin = k == 0 || (dim % 2 == 0 && k == nb - 1);
    std::complex<double> y;
    if (p == 0) {
      y = 1.0;
    } else if (p < 0 && std::abs(x) <= floor) {
      y = 0.0;
      ++guarded;
    } else {
      y = std::polar(std::pow(std::abs(x), p), p * std::arg(x));
      if (real_bin) y = y.real();
    }
    s.data()[k] = Complex<T>(static_cast<T>(y.real()), static_cast<T>(y.imag()));
  }
  if (report != nullptr) report->guarded_bins = guarded;
  return from_spectrum(s);
}

// --- Superposition, permutation, similarity --------------------------------------

template <typename T>
DenseVector<T> bundle(const DenseMatrixView<T>& rows, std::span<const T> weights) {
  constexpr const char* where = "hrr::bundle";
  detail::require(rows.rows > 0, where, ": rows is empty; need at least one vector");
  detail::require_valid_dim(where, "rows", rows.dim);
  detail::require(rows.data != nullptr, where, ": rows.data is null");
  detail::require<DimensionError>(weights.empty() || weights.size() == rows.rows, where,
                                  ": weights has ", weights.size(), " entries for ", rows.rows,
                                  " rows");
  DenseVector<T> acc(rows.dim);
  for (std::size_t k = 0; k < rows.rows; ++k) {
    detail::real::add_scaled(rows.row(k).data(), weights.empty() ? T(1) : weights[k], acc.data(),
                           rows.dim);
  }
  check_finite_result(where, detail::real::all_finite(acc.data(), rows.dim));
  return acc;
}

template <typename T>
void add_scaled(std::span<const T> x, T weight, std::span<T> acc) {
  constexpr const char* where = "hrr::add_scaled";
  detail::require_valid_dim(where, "x", x.size());
  detail::require_same_dim(where, "x", x.size(), "acc", acc.size());
  detail::require(acc.data() + acc.size() <= x.data() || x.data() + x.size() <= acc.data(),
                  where, ": acc overlaps x");
  detail::real::add_scaled(x.data(), weight, acc.data(), x.size());
  check_finite_result(where, detail::real::all_finite(acc.data(), acc.size()));
}

template <typename T>
DenseVector<T> permute(std::span<const T> a, std::ptrdiff_t shifts) {
  check_vector("hrr::permute", "a", a);
  const std::size_t s = detail::rotation_amount(shifts, a.size());  // no signed overflow
  DenseVector<T> out(a.size());
  // out[i] = a[(i - s) mod D]: a's last s values first.
  std::rotate_copy(a.begin(), a.end() - static_cast<std::ptrdiff_t>(s), a.end(), out.data());
  return out;
}

template <typename T>
DenseVector<T> inverse_permute(std::span<const T> a, std::ptrdiff_t shifts) {
  check_vector("hrr::inverse_permute", "a", a);
  const std::size_t s = detail::inverse_rotation_amount(shifts, a.size());
  DenseVector<T> out(a.size());
  std::rotate_copy(a.begin(), a.end() - static_cast<std::ptrdiff_t>(s), a.end(), out.data());
  return out;
}

template <typename T>
double dot(std::span<const T> a, std::span<const T> b) {
  detail::require_valid_dim("hrr::dot", "a", a.size());
  detail::require_same_dim("hrr::dot", "a", a.size(), "b", b.size());
  const double r = detail::real::dot(a.data(), b.data(), a.size());
  check_finite_result("hrr::dot", std::isfinite(r));
  return r;
}

template <typename T>
double norm(std::span<const T> a) {
  detail::require_valid_dim("hrr::norm", "a", a.size());
  const double r = detail::real::dot(a.data(), a.data(), a.size());
  check_finite_result("hrr::norm", std::isfinite(r));
  return std::sqrt(r);
}

template <typename T>
double cosine(std::span<const T> a, std::span<const T> b) {
  constexpr const char* where = "hrr::cosine";
  detail::require_valid_dim(where, "a", a.size());
  detail::require_same_dim(where, "a", a.size(), "b", b.size());
  const double ab = detail::real::dot(a.data(), b.data(), a.size());
  const double aa = detail::real::dot(a.data(), a.data(), a.size());
  const double bb = detail::real::dot(b.data(), b.data(), b.size());
  check_finite_result(where, std::isfinite(ab) && std::isfinite(aa) && std::isfinite(bb));
  if (aa == 0 || bb == 0) return 0.0;
  return std::clamp(ab / std::sqrt(aa * bb), -1.0, 1.0);
}

template <typename T>
DenseVector<T> normalize(std::span<const T> a) {
  const double n = norm(a);
  detail::require(n > 0, "hrr::normalize: a is the zero vector (D=", a.size(),
                  "); it has no direction");
  DenseVector<T> out(a.size());
  detail::real::scale(a.data(), static_cast<T>(1.0 / n), out.data(), a.size());
  return out;
}

// --- Explicit instantiations -------------------------------------------------------

#define HYPERVEC_HRR_INSTANTIATE(T)                                                          \
  template DenseVector<T> random<T>(std::size_t, std::uint64_t, std::uint64_t);             \
  template DenseMatrix<T> random_matrix<T>(std::size_t, std::size_t, std::uint64_t,         \
                                           const RandomOptions&);                            \
  template DenseVector<T> random_unitary<T>(std::size_t, std::uint64_t, std::uint64_t);     \
  template DenseVector<T> make_unitary<T>(std::span<const T>);                               \
  template DenseVector<T> identity<T>(std::size_t);                                          \
  template Spectrum<T> spectrum<T>(std::span<const T>);                                      \
  template DenseVector<T> from_spectrum<T>(const Spectrum<T>&);                              \
  template Spectrum<T> inverse_spectrum<T>(const Spectrum<T>&, InverseMethod, InverseReport*); \
  template void bind<T>(std::span<const T>, std::span<const T>, std::span<T>);               \
  template DenseVector<T> bind<T>(std::span<const T>, std::span<const T>);                   \
  template void bind<T>(std::span<const T>, const Spectrum<T>&, std::span<T>);               \
  template DenseVector<T> bind<T>(std::span<const T>, const Spectrum<T>&);                   \
  template DenseVector<T> unbind<T>(std::span<const T>, std::span<const T>, InverseMethod,   \
                                    InverseReport*);                                         \
  template DenseVector<T> unbind<T>(std::span<const T>, const Spectrum<T>&, InverseMethod,   \
                                    InverseReport*);                                         \
  template void unbind<T>(std::span<const T>, std::span<const T>, std::span<T>,              \
                          InverseMethod, InverseReport*);                                    \
  template void unbind<T>(std::span<const T>, const Spectrum<T>&, std::span<T>,              \
                          InverseMethod, InverseReport*);                                    \
  template DenseMatrix<T> bind_batch<T>(const DenseMatrixView<T>&, const Spectrum<T>&,       \
                                        unsigned);                                           \
  template DenseMatrix<T> unbind_batch<T>(const DenseMatrixView<T>&, const Spectrum<T>&,     \
                                          InverseMethod, InverseReport*, unsigned);          \
  template void bind_batch<T>(const DenseMatrixView<T>&, const Spectrum<T>&, DenseMatrix<T>&, \
                              unsigned);                                                     \
  template void unbind_batch<T>(const DenseMatrixView<T>&, const Spectrum<T>&, DenseMatrix<T>&, \
                                InverseMethod, InverseReport*, unsigned);                    \
  template DenseVector<T> inverse<T>(std::span<const T>, InverseMethod, InverseReport*);     \
  template DenseVector<T> involution<T>(std::span<const T>);                                 \
  template DenseVector<T> power<T>(std::span<const T>, double, InverseReport*);              \
  template DenseVector<T> bundle<T>(const DenseMatrixView<T>&, std::span<const T>);          \
  template void add_scaled<T>(std::span<const T>, T, std::span<T>);                          \
  template DenseVector<T> permute<T>(std::span<const T>, std::ptrdiff_t);                    \
  template DenseVector<T> inverse_permute<T>(std::span<const T>, std::ptrdiff_t);            \
  template double dot<T>(std::span<const T>, std::span<const T>);                            \
  template double cosine<T>(std::span<const T>, std::span<const T>);                         \
  template double norm<T>(std::span<const T>);                                               \
  template DenseVector<T> normalize<T>(std::span<const T>);

HYPERVEC_HRR_INSTANTIATE(float)
HYPERVEC_HRR_INSTANTIATE(double)
#undef HYPERVEC_HRR_INSTANTIATE

}  // namespace hrr
}  // namespace hypervec
#endif  // HWY_ONCE
