// Holographic reduced representations (Plate 1995): real vectors of D
// components, bound by circular convolution
//   (a ⊛ b)[i] = Σ_j a[j] b[(i − j) mod D],
// which the DFT turns into a product of spectra: DFT(a ⊛ b) = A · B. Binding
// runs on FFTW real-to-complex transforms (D/2+1 complex bins, plans cached:
// fft.hpp) and Highway kernels for the element-wise spectral products.
//
// Inverses (unbinding, chosen per call with InverseMethod):
//  * involution  a†[0] = a[0], a†[i] = a[D−i]; spectrum conj(A). Unbinding with
//    it is circular correlation. Approximate for random keys, exact for
//    unitary keys (|A(k)| = 1 for every k).
//  * exact       1/A(k). Bins with |A(k)| ≤ guard·‖a‖₂ are set to 0 instead of
//    dividing (a pseudo-inverse) and counted in InverseReport::guarded_bins:
//    never a silent NaN or Inf.
//  * wiener      conj(A(k)) / (|A(k)|² + ε‖a‖₂²), the regularised inverse.
// (‖a‖₂² is the mean of |A(k)|² over all D bins, by Parseval, so guard and ε
// are relative to a typical bin and do not depend on the vectors' scale.)
//
// A Spectrum<T> keeps a vector's transform, so binding or unbinding many
// vectors with one key costs one forward and one inverse transform per
// vector; bind_batch / unbind_batch also use FFTW's many-transform plans.
//
// Conventions: T is float or double. D ≥ 1, any D (odd and prime too).
// Inputs with NaN or ±Inf (and results that overflow) make every function
// throw InvalidArgument; dimension mismatches and D = 0 throw DimensionError.
// cosine with a zero vector is 0. Outputs never alias inputs unless stated.
// Implementations: simd/hrr.cc; scalar references: src/reference/hrr.cpp.
#pragma once

#include <hypervec/random.hpp>
#include <hypervec/storage.hpp>

#include <complex>
#include <cstddef>
#include <cstdint>
#include <span>

namespace hypervec::hrr {

/// The DFT of a length-D real vector: bins k = 0 .. D/2 (D/2+1 complex values,
/// the rest follow from X(D−k) = conj X(k)), unnormalised:
/// X(k) = Σ_i x[i] e^{−2πi·ik/D}. Owning, 64-byte aligned, zero-initialised.
/// D <= kMaxDim (else DimensionError).
template <typename T>
class Spectrum {
 public:
  Spectrum() = default;
  explicit Spectrum(std::size_t dim)
      : buffer_((detail::require_dim_limit("hrr::Spectrum", "dim", dim), dim / 2 + 1)),
        dim_(dim) {}

  std::size_t dim() const noexcept { return dim_; }
  std::size_t bins() const noexcept { return buffer_.size(); }
  std::complex<T>* data() noexcept { return buffer_.data(); }
  const std::complex<T>* data() const noexcept { return buffer_.data(); }
  std::span<std::complex<T>> values() noexcept { return {buffer_.data(), buffer_.size()}; }
  std::span<const std::complex<T>> values() const noexcept {
    return {buffer_.data(), buffer_.size()};
  }

 private:
  AlignedBuffer<std::complex<T>> buffer_;
  std::size_t dim_ = 0;
};

/// How to invert a key when unbinding. Build with the factories.
struct InverseMethod {
  enum class Kind { involution, exact, wiener };
  Kind kind = Kind::involution;
  /// exact: the guard g (0 = the default for T: 1e-4 for float, 1e-10 for
  /// double); wiener: the regulariser ε (> 0).
  double parameter = 0.0;

  static InverseMethod involution() noexcept { return {Kind::involution, 0.0}; }
  static InverseMethod exact(double guard = 0.0) noexcept { return {Kind::exact, guard}; }
  static InverseMethod wiener(double epsilon = 1e-2) noexcept { return {Kind::wiener, epsilon}; }
};

/// What an inverse did: bins the exact inverse (or a negative power) left at
/// 0 because |A(k)| ≤ guard·‖a‖. Counted over the D/2+1 stored bins.
struct InverseReport {
  std::size_t guarded_bins = 0;
};

// --- Generation --------------------------------------------------------------

/// Random HRR vector: row `row` of the seeded codebook (random.hpp stream,
/// RowStream::next_normal_pair), components i.i.d. N(0, 1/D), so E‖x‖² = 1.
/// T defaults to float: hrr::random(dim, seed) needs no <float>. For rows of
/// norm exactly 1 (torchhd ≥ 5.5), use random_matrix with
/// RandomOptions::unit_norm, or normalize(random(...)) (equal up to
/// rounding: the two scale in different precisions).
template <typename T = float>
DenseVector<T> random(std::size_t dim, std::uint64_t seed, std::uint64_t row = 0);

/// Rows options.first_row .. first_row+rows−1 of the seeded codebook; row i
/// equals random(dim, seed, first_row + i) (scaled to ‖x‖₂ = 1 when
/// options.unit_norm) whatever options.threads is (0 = all cores).
template <typename T = float>
DenseMatrix<T> random_matrix(std::size_t rows, std::size_t dim, std::uint64_t seed,
                             const RandomOptions& options = {});

/// Random unitary vector: |X(k)| = 1 for every bin, phases of bins
/// 1 .. ⌈D/2⌉−1 uniform in [0, 2π) from the row's stream, X(0) = 1 and, for
/// even D, X(D/2) = 1 (positive real bins make every fractional power real).
/// ‖x‖₂ = 1; its involution is its exact inverse.
template <typename T = float>
DenseVector<T> random_unitary(std::size_t dim, std::uint64_t seed, std::uint64_t row = 0);

/// The unitary projection X(k)/|X(k)|: a key that binding cannot blur. Bins
/// with |X(k)| ≤ 1e-6·‖x‖ (no phase to keep) become 1.
template <typename T>
DenseVector<T> make_unitary(std::span<const T> x);

/// The binding identity δ: x[0] = 1, others 0 (every bin is 1).
template <typename T = float>
DenseVector<T> identity(std::size_t dim);

// --- Spectra ------------------------------------------------------------------

/// The DFT of x (D/2+1 bins).
template <typename T>
Spectrum<T> spectrum(std::span<const T> x);

/// The real vector with spectrum s: x = IDFT(s) / D (inverse of spectrum()).
/// The imaginary parts of bin 0 and, for even D, bin D/2 are ignored.
template <typename T>
DenseVector<T> from_spectrum(const Spectrum<T>& s);

/// The spectrum that unbinding with `key` multiplies by: conj(K), 1/K
/// (guarded) or conj(K)/(|K|² + ε‖k‖²). Compute once, then bind with it.
template <typename T>
Spectrum<T> inverse_spectrum(const Spectrum<T>& key, InverseMethod method = {},
                             InverseReport* report = nullptr);

// --- Binding -------------------------------------------------------------------

/// a ⊛ b, circular convolution through three transforms (two forward, one
/// inverse). Commutative and associative up to rounding: with FFT error the
/// result differs from the exact convolution by O(ε_T · log₂D · ‖a‖‖b‖) per
/// component (tests/hrr_test.cpp states the bound it checks).
/// out may alias a or b.
template <typename T>
void bind(std::span<const T> a, std::span<const T> b, std::span<T> out);
template <typename T>
DenseVector<T> bind(std::span<const T> a, std::span<const T> b);

/// x ⊛ key with the key's spectrum kept: one forward, one inverse transform.
template <typename T>
void bind(std::span<const T> x, const Spectrum<T>& key, std::span<T> out);
template <typename T>
DenseVector<T> bind(std::span<const T> x, const Spectrum<T>& key);

/// bound ⊛ key⁻¹ with the chosen inverse; report (optional) receives the
/// exact inverse's guarded-bin count. The `out` forms write the result into
/// out (out.size() == D; out may alias bound or key).
template <typename T>
DenseVector<T> unbind(std::span<const T> bound, std::span<const T> key,
                      InverseMethod method = {}, InverseReport* report = nullptr);
template <typename T>
DenseVector<T> unbind(std::span<const T> bound, const Spectrum<T>& key,
                      InverseMethod method = {}, InverseReport* report = nullptr);
template <typename T>
void unbind(std::span<const T> bound, std::span<const T> key, std::span<T> out,
            InverseMethod method = {}, InverseReport* report = nullptr);
template <typename T>
void unbind(std::span<const T> bound, const Spectrum<T>& key, std::span<T> out,
            InverseMethod method = {}, InverseReport* report = nullptr);

/// Row i of the result = rows.row(i) ⊛ key, for all rows: FFTW many-transform
/// plans over blocks of rows, one forward and one inverse transform per row,
/// the spectral product in one dispatch per block. Split over `threads`
/// threads (0 = all cores); the result does not depend on `threads`.
template <typename T>
DenseMatrix<T> bind_batch(const DenseMatrixView<T>& rows, const Spectrum<T>& key,
                          unsigned threads = 0);

/// Row i = rows.row(i) ⊛ key⁻¹: inverse_spectrum(key, method) once, then
/// bind_batch.
template <typename T>
DenseMatrix<T> unbind_batch(const DenseMatrixView<T>& rows, const Spectrum<T>& key,
                            InverseMethod method = {}, InverseReport* report = nullptr,
                            unsigned threads = 0);

/// The same, writing into `out` (out.rows() == rows.rows, out.dim() == D), so
/// a loop over batches reuses one output matrix: no allocation, no page
/// faults. out must not overlap rows.
template <typename T>
void bind_batch(const DenseMatrixView<T>& rows, const Spectrum<T>& key, DenseMatrix<T>& out,
                unsigned threads = 0);
template <typename T>
void unbind_batch(const DenseMatrixView<T>& rows, const Spectrum<T>& key, DenseMatrix<T>& out,
                  InverseMethod method = {}, InverseReport* report = nullptr,
                  unsigned threads = 0);

/// The key's inverse as a vector: the involution (exact copy, no FFT), or
/// IDFT of the guarded 1/A or of the Wiener spectrum.
template <typename T>
DenseVector<T> inverse(std::span<const T> a, InverseMethod method = {},
                       InverseReport* report = nullptr);

/// a†[0] = a[0], a†[i] = a[D−i]. involution(involution(a)) == a exactly.
template <typename T>
DenseVector<T> involution(std::span<const T> a);

/// Binding power a^p through the spectrum: bin k becomes |A(k)|^p e^{ipθ_k}.
/// p = 0 gives the identity, p = 1 a, integer p the p-fold self-binding (up to
/// rounding), p = 1/2 a square root. Bins 0 and D/2 (even D) are real: a
/// negative one has no real fractional power, and the result keeps the real
/// part |A|^p cos(pπ) there, so fractional powers are exact roots only when
/// those bins are positive (true for random_unitary keys and for any b ⊛ b).
/// Negative p inverts: bins with |A(k)| ≤ guard·‖a‖ (exact's default guard)
/// become 0 and are counted in report.
template <typename T>
DenseVector<T> power(std::span<const T> a, double p, InverseReport* report = nullptr);

// --- Superposition, permutation, similarity ---------------------------------------

/// Σ_k weights[k] · rows.row(k); weights empty means all 1. Throws on no rows
/// or a weights/rows count mismatch.
template <typename T>
DenseVector<T> bundle(const DenseMatrixView<T>& rows, std::span<const T> weights = {});

/// acc += weight · x.
template <typename T>
void add_scaled(std::span<const T> x, T weight, std::span<T> acc);

/// Cyclic shift, as torch.roll: out[i] = a[(i − shifts) mod D]. Any shifts.
template <typename T>
DenseVector<T> permute(std::span<const T> a, std::ptrdiff_t shifts);

/// Inverse of permute(., shifts): inverse_permute(permute(a, k), k) == a
/// exactly, for every k including PTRDIFF_MIN.
template <typename T>
DenseVector<T> inverse_permute(std::span<const T> a, std::ptrdiff_t shifts);

/// Σ a_i b_i, accumulated in T with several partial sums, returned as double.
template <typename T>
double dot(std::span<const T> a, std::span<const T> b);

/// dot / (‖a‖ ‖b‖), 0 when either is zero. For independent random vectors
/// mean 0 and σ ≈ 1/√D.
template <typename T>
double cosine(std::span<const T> a, std::span<const T> b);

/// ‖a‖₂.
template <typename T>
double norm(std::span<const T> a);

/// a / ‖a‖₂. Throws InvalidArgument for the zero vector (no direction).
template <typename T>
DenseVector<T> normalize(std::span<const T> a);

// Non-template overloads for float and double, so that DenseVector<T>,
// DenseMatrix<T> and spans convert without naming T (hrr::bind(a, b) for two
// DenseVector<float>). Each forwards to the template above.
#define HYPERVEC_HRR_OVERLOADS(T)                                                          \
  inline DenseVector<T> make_unitary(std::span<const T> x) { return make_unitary<T>(x); } \
  inline Spectrum<T> spectrum(std::span<const T> x) { return spectrum<T>(x); }            \
  inline void bind(std::span<const T> a, std::span<const T> b, std::span<T> out) {        \
    bind<T>(a, b, out);                                                                    \
  }                                                                                        \
  inline DenseVector<T> bind(std::span<const T> a, std::span<const T> b) {                \
    return bind<T>(a, b);                                                                  \
  }                                                                                        \
  inline void bind(std::span<const T> x, const Spectrum<T>& key, std::span<T> out) {      \
    bind<T>(x, key, out);                                                                  \
  }                                                                                        \
  inline DenseVector<T> bind(std::span<const T> x, const Spectrum<T>& key) {              \
    return bind<T>(x, key);                                                                \
  }                                                                                        \
  inline DenseVector<T> unbind(std::span<const T> bound, std::span<const T> key,          \
                               InverseMethod method = {}, InverseReport* report = nullptr) { \
    return unbind<T>(bound, key, method, report);                                          \
  }                                                                                        \
  inline DenseVector<T> unbind(std::span<const T> bound, const Spectrum<T>& key,          \
                               InverseMethod method = {}, InverseReport* report = nullptr) { \
    return unbind<T>(bound, key, method, report);                                          \
  }                                                                                        \
  inline void unbind(std::span<const T> bound, std::span<const T> key, std::span<T> out,  \
                     InverseMethod method = {}, InverseReport* report = nullptr) {         \
    unbind<T>(bound, key, out, method, report);                                            \
  }                                                                                        \
  inline void unbind(std::span<const T> bound, const Spectrum<T>& key, std::span<T> out,  \
                     InverseMethod method = {}, InverseReport* report = nullptr) {         \
    unbind<T>(bound, key, out, method, report);                                            \
  }                                                                                        \
  inline DenseMatrix<T> bind_batch(const DenseMatrixView<T>& rows, const Spectrum<T>& key, \
                                   unsigned threads = 0) {                                 \
    return bind_batch<T>(rows, key, threads);                                              \
  }                                                                                        \
  inline DenseMatrix<T> unbind_batch(const DenseMatrixView<T>& rows, const Spectrum<T>& key, \
                                     InverseMethod method = {},                            \
                                     InverseReport* report = nullptr, unsigned threads = 0) { \
    return unbind_batch<T>(rows, key, method, report, threads);                            \
  }                                                                                        \
  inline void bind_batch(const DenseMatrixView<T>& rows, const Spectrum<T>& key,          \
                         DenseMatrix<T>& out, unsigned threads = 0) {                      \
    bind_batch<T>(rows, key, out, threads);                                                \
  }                                                                                        \
  inline void unbind_batch(const DenseMatrixView<T>& rows, const Spectrum<T>& key,        \
                           DenseMatrix<T>& out, InverseMethod method = {},                 \
                           InverseReport* report = nullptr, unsigned threads = 0) {        \
    unbind_batch<T>(rows, key, out, method, report, threads);                              \
  }                                                                                        \
  inline DenseVector<T> inverse(std::span<const T> a, InverseMethod method = {},          \
                                InverseReport* report = nullptr) {                         \
    return inverse<T>(a, method, report);                                                  \
  }                                                                                        \
  inline DenseVector<T> involution(std::span<const T> a) { return involution<T>(a); }     \
  inline DenseVector<T> power(std::span<const T> a, double p,                             \
                              InverseReport* report = nullptr) {                           \
    return power<T>(a, p, report);                                                         \
  }                                                                                        \
  inline DenseVector<T> bundle(const DenseMatrixView<T>& rows,                            \
                               std::span<const T> weights = {}) {                          \
    return bundle<T>(rows, weights);                                                       \
  }                                                                                        \
  inline void add_scaled(std::span<const T> x, T weight, std::span<T> acc) {              \
    add_scaled<T>(x, weight, acc);                                                         \
  }                                                                                        \
  inline DenseVector<T> permute(std::span<const T> a, std::ptrdiff_t shifts) {            \
    return permute<T>(a, shifts);                                                          \
  }                                                                                        \
  inline DenseVector<T> inverse_permute(std::span<const T> a, std::ptrdiff_t shifts) {    \
    return inverse_permute<T>(a, shifts);                                                  \
  }                                                                                        \
  inline double dot(std::span<const T> a, std::span<const T> b) { return dot<T>(a, b); }  \
  inline double cosine(std::span<const T> a, std::span<const T> b) {                      \
    return cosine<T>(a, b);                                                                \
  }                                                                                        \
  inline double norm(std::span<const T> a) { return norm<T>(a); }                         \
  inline DenseVector<T> normalize(std::span<const T> a) { return normalize<T>(a); }

HYPERVEC_HRR_OVERLOADS(float)
HYPERVEC_HRR_OVERLOADS(double)
#undef HYPERVEC_HRR_OVERLOADS

}  // namespace hypervec::hrr
