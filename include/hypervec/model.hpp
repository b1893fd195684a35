// Models: one interface for every VSA model, so that code written once as a
// template runs on packed MAP, dense MAP, HRR and FHRR (torchhd's one
// VSATensor interface, as a C++20 concept).
//
// A model M is a struct of static functions that forward to its namespace
// (bipolar, dense, hrr, fhrr), plus the types they speak:
//   M::Vector      an owning vector           (PackedVector, DenseVector<T>)
//   M::View        a read-only view of one    (PackedView, std::span<const T>)
//   M::Matrix      an owning codebook of rows (PackedMatrix, DenseMatrix<T>)
//   M::MatrixView  a view of one
//   M::Accumulator the bundling accumulator   (bipolar::Accumulator, Sum<T>)
//   M::Memory      its cleanup memory         (cleanup::Memory<Row>)
// and the verbs, each with its namespace's meaning:
//   random(dim, seed, row)            row `row` of the seeded codebook
//   random_matrix(rows, dim, seed, o) rows first_row.. of it (RandomOptions)
//   identity(dim)                     bind(identity, a) == a
//   bind(a, b), unbind(c, b)          ⊗ and its inverse operation
//   inverse(a)                        unbind(c, b) == bind(c, inverse(b))
//   bundle(rows), bundle(acc)         superposition (+), of a matrix / accumulator
//   permute(a, k), inverse_permute    ρ^k, as torch.roll
//   dot(a, b), cosine(a, b)           similarity; cosine is always a true cosine
//
//   model            bind            unbind           bundle        cleanup rows
//   models::PackedMap  XOR           XOR (exact)      majority      1 bit each
//   models::DenseMap   a ⊙ b         a ⊙ b (exact ±1) sum           float
//   models::Hrr<T>     a ⊛ b (FFT)   c ⊛ b† (approx.) sum           float
//   models::Fhrr       a ⊙ b complex c ⊙ conj(b)      sum           complex float
//
// VectorModel<M> checks the verbs; Model<M> adds the cleanup memory
// (Memory(codebook, labels), search / best by a View). Hrr<double> is a
// VectorModel: its cleanup memory is the float one (convert first; see
// cleanup.hpp). tests/model_test.cpp static_asserts each model and runs the
// same algebra test on all of them; examples/record.cpp is one template
// program run on every model.
#pragma once

#include <hypervec/bipolar.hpp>
#include <hypervec/bundle.hpp>
#include <hypervec/cleanup.hpp>
#include <hypervec/dense.hpp>
#include <hypervec/fhrr.hpp>
#include <hypervec/hrr.hpp>
#include <hypervec/mixed.hpp>
#include <hypervec/random.hpp>
#include <hypervec/storage.hpp>
#include <hypervec/sum.hpp>

#include <algorithm>
#include <complex>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace hypervec {

/// The verbs every model offers (see the file comment).
template <typename M>
concept VectorModel = requires(std::size_t n, std::uint64_t seed, std::ptrdiff_t shifts,
                               typename M::View a, typename M::View b,
                               typename M::MatrixView rows, typename M::Accumulator& acc,
                               const typename M::Accumulator& cacc, const typename M::Vector& v,
                               const typename M::Matrix& m) {
  { M::name } -> std::convertible_to<std::string_view>;
  { M::random(n, seed, seed) } -> std::same_as<typename M::Vector>;
  { M::random_matrix(n, n, seed, RandomOptions{}) } -> std::same_as<typename M::Matrix>;
  { M::identity(n) } -> std::same_as<typename M::Vector>;
  { M::bind(a, b) } -> std::same_as<typename M::Vector>;
  { M::unbind(a, b) } -> std::same_as<typename M::Vector>;
  { M::inverse(a) } -> std::same_as<typename M::Vector>;
  { M::bundle(rows) } -> std::same_as<typename M::Vector>;
  { M::bundle(cacc) } -> std::same_as<typename M::Vector>;
  { M::permute(a, shifts) } -> std::same_as<typename M::Vector>;
  { M::inverse_permute(a, shifts) } -> std::same_as<typename M::Vector>;
  { M::dot(a, b) } -> std::convertible_to<double>;
  { M::cosine(a, b) } -> std::same_as<double>;
  { typename M::Accumulator(n) };
  { acc.add(a) };
  { acc.subtract(a) };
  { typename M::Vector(v) };
  // Vectors view as View, codebooks as MatrixView, rows of a codebook as View.
  { typename M::View(v) };
  { typename M::MatrixView(m) };
  { m.row(n) } -> std::convertible_to<typename M::View>;
  { m.rows() } -> std::convertible_to<std::size_t>;
};

/// A VectorModel with a labelled cleanup memory searched by its vectors.
/// Decoding from sums: M::Query is what the memory searches (packed MAP: the
/// accumulator's integer sums as floats, never thresholded; the others: their
/// vectors), with unbind, permute and dot defined on it.
template <typename M>
concept Model = VectorModel<M> &&
                requires(typename M::View v, typename M::QueryView q, std::ptrdiff_t shifts,
                         typename M::MatrixView rows, std::span<const std::string> labels,
                         const typename M::Accumulator& acc, const typename M::Memory& memory) {
                  { typename M::Memory(rows, labels) };
                  { memory.best(v) } -> std::same_as<std::optional<cleanup::Match>>;
                  { memory.search(v) } -> std::same_as<cleanup::Matches>;
                  { memory.search(q) } -> std::same_as<cleanup::Matches>;
                  { memory.row(std::string_view{}) } -> std::convertible_to<typename M::View>;
                  { M::dim(v) } -> std::same_as<std::size_t>;
                  { M::query(acc) } -> std::same_as<typename M::Query>;
                  { M::unbind(q, v) } -> std::same_as<typename M::Query>;
                  { M::permute(q, shifts) } -> std::same_as<typename M::Query>;
                  { M::dot(q, v) } -> std::convertible_to<double>;
                };

namespace models {

/// Packed bipolar MAP (bipolar.hpp, bundle.hpp): 1 bit per component.
struct PackedMap {
  static constexpr std::string_view name = "packed MAP";
  using Vector = PackedVector;
  using View = PackedView;
  using Matrix = PackedMatrix;
  using MatrixView = PackedMatrixView;
  using Accumulator = bipolar::Accumulator;
  using Memory = cleanup::PackedMemory;

  static Vector random(std::size_t dim, std::uint64_t seed, std::uint64_t row = 0) {
    return bipolar::random(dim, seed, row);
  }
  static Matrix random_matrix(std::size_t rows, std::size_t dim, std::uint64_t seed,
                              const RandomOptions& options = {}) {
    return bipolar::random_matrix(rows, dim, seed, options);
  }
  static Vector identity(std::size_t dim) { return bipolar::identity(dim); }
  static Vector bind(View a, View b) { return bipolar::bind(a, b); }
  static Vector unbind(View bound, View key) { return bipolar::unbind(bound, key); }
  static Vector inverse(View a) { return bipolar::inverse(a); }
  /// Majority, ties toward -1 (torchhd MAP).
  static Vector bundle(const MatrixView& rows) { return bipolar::bundle(rows); }
  static Vector bundle(const Accumulator& acc) { return acc.threshold(); }
  static Vector permute(View a, std::ptrdiff_t shifts) { return bipolar::permute(a, shifts); }
  static Vector inverse_permute(View a, std::ptrdiff_t shifts) {
    return bipolar::inverse_permute(a, shifts);
  }
  static std::int64_t dot(View a, View b) { return bipolar::dot(a, b); }
  static double cosine(View a, View b) { return bipolar::cosine(a, b); }
  static std::size_t dim(View a) noexcept { return a.dim; }

  // Decoding from sums: the queries are float (searched by the mixed kernel).
  using Query = DenseVector<float>;
  using QueryView = std::span<const float>;
  /// The integer sums s_i as floats (exact while |s_i| < 2^24).
  static Query query(const Accumulator& acc) {
    Query q(acc.dim());
    std::copy(acc.sums().begin(), acc.sums().end(), q.data());
    return q;
  }
  /// q ⊙ key: q_i negated where key_i = -1.
  static Query unbind(QueryView q, View key) { return mixed::bind(q, key); }
  static Query permute(QueryView q, std::ptrdiff_t shifts) { return dense::permute(q, shifts); }
  /// Σ q_i b_i.
  static double dot(QueryView q, View b) { return mixed::dot(q, b); }
};

/// Dense MAP on float components (dense.hpp): MAP-C, or MAP-B stored as ±1
/// floats (random rows are ±1).
struct DenseMap {
  static constexpr std::string_view name = "dense MAP";
  using Vector = DenseVector<float>;
  using View = std::span<const float>;
  using Matrix = DenseMatrix<float>;
  using MatrixView = DenseMatrixView<float>;
  using Accumulator = Sum<float>;
  using Memory = cleanup::FloatMemory;

  static Vector random(std::size_t dim, std::uint64_t seed, std::uint64_t row = 0) {
    return dense::random(dim, seed, row);
  }
  static Matrix random_matrix(std::size_t rows, std::size_t dim, std::uint64_t seed,
                              const RandomOptions& options = {}) {
    return dense::random_matrix(rows, dim, seed, options);
  }
  static Vector identity(std::size_t dim) { return dense::identity(dim); }
  static Vector bind(View a, View b) { return dense::bind(a, b); }
  static Vector unbind(View bound, View key) { return dense::unbind(bound, key); }
  static Vector inverse(View a) { return dense::inverse(a); }
  static Vector bundle(const MatrixView& rows) { return dense::bundle(rows); }
  static Vector bundle(const Accumulator& acc) { return acc.value(); }
  static Vector permute(View a, std::ptrdiff_t shifts) { return dense::permute(a, shifts); }
  static Vector inverse_permute(View a, std::ptrdiff_t shifts) {
    return dense::inverse_permute(a, shifts);
  }
  static double dot(View a, View b) { return dense::dot(a, b); }
  static double cosine(View a, View b) { return dense::cosine(a, b); }
  static std::size_t dim(View a) noexcept { return a.size(); }
  // Decoding from sums: the sums are vectors of the model.
  using Query = Vector;
  using QueryView = View;
  static Query query(const Accumulator& acc) { return acc.value(); }
};

/// HRR (hrr.hpp): circular convolution; unbinding with the involution
/// (approximate for Gaussian keys, exact for unitary ones).
template <typename T = float>
struct Hrr {
  static constexpr std::string_view name = "HRR";
  using Vector = DenseVector<T>;
  using View = std::span<const T>;
  using Matrix = DenseMatrix<T>;
  using MatrixView = DenseMatrixView<T>;
  using Accumulator = Sum<T>;
  /// float rows only (there is no float64 memory; cleanup.hpp).
  using Memory = cleanup::FloatMemory;

  static Vector random(std::size_t dim, std::uint64_t seed, std::uint64_t row = 0) {
    return hrr::random<T>(dim, seed, row);
  }
  static Matrix random_matrix(std::size_t rows, std::size_t dim, std::uint64_t seed,
                              const RandomOptions& options = {}) {
    return hrr::random_matrix<T>(rows, dim, seed, options);
  }
  static Vector identity(std::size_t dim) { return hrr::identity<T>(dim); }
  static Vector bind(View a, View b) { return hrr::bind<T>(a, b); }
  static Vector unbind(View bound, View key) { return hrr::unbind<T>(bound, key); }
  /// The involution (the default unbinding inverse).
  static Vector inverse(View a) { return hrr::inverse<T>(a); }
  static Vector bundle(const MatrixView& rows) { return hrr::bundle<T>(rows); }
  static Vector bundle(const Accumulator& acc) { return acc.value(); }
  static Vector permute(View a, std::ptrdiff_t shifts) { return hrr::permute<T>(a, shifts); }
  static Vector inverse_permute(View a, std::ptrdiff_t shifts) {
    return hrr::inverse_permute<T>(a, shifts);
  }
  static double dot(View a, View b) { return hrr::dot<T>(a, b); }
  static double cosine(View a, View b) { return hrr::cosine<T>(a, b); }
  static std::size_t dim(View a) noexcept { return a.size(); }
  // Decoding from sums: the sums are vectors of the model.
  using Query = Vector;
  using QueryView = View;
  static Query query(const Accumulator& acc) { return acc.value(); }
};

/// FHRR (fhrr.hpp): unit phasors, bind = element-wise complex product.
struct Fhrr {
  static constexpr std::string_view name = "FHRR";
  using Vector = fhrr::Vector;
  using View = std::span<const fhrr::Phasor>;
  using Matrix = DenseMatrix<fhrr::Phasor>;
  using MatrixView = DenseMatrixView<fhrr::Phasor>;
  using Accumulator = Sum<fhrr::Phasor>;
  using Memory = cleanup::PhasorMemory;

  static Vector random(std::size_t dim, std::uint64_t seed, std::uint64_t row = 0) {
    return fhrr::random(dim, seed, row);
  }
  static Matrix random_matrix(std::size_t rows, std::size_t dim, std::uint64_t seed,
                              const RandomOptions& options = {}) {
    return fhrr::random_matrix(rows, dim, seed, options);
  }
  static Vector identity(std::size_t dim) { return fhrr::identity(dim); }
  static Vector bind(View a, View b) { return fhrr::bind(a, b); }
  static Vector unbind(View bound, View key) { return fhrr::unbind(bound, key); }
  static Vector inverse(View a) { return fhrr::inverse(a); }
  static Vector bundle(const MatrixView& rows) { return fhrr::bundle(rows); }
  static Vector bundle(const Accumulator& acc) { return acc.value(); }
  static Vector permute(View a, std::ptrdiff_t shifts) { return fhrr::permute(a, shifts); }
  static Vector inverse_permute(View a, std::ptrdiff_t shifts) {
    return fhrr::inverse_permute(a, shifts);
  }
  /// Re Σ a_k conj(b_k) (fhrr::similarity is this over D).
  static double dot(View a, View b) { return fhrr::dot(a, b); }
  static double cosine(View a, View b) { return fhrr::cosine(a, b); }
  static std::size_t dim(View a) noexcept { return a.size(); }
  // Decoding from sums: the sums are vectors of the model.
  using Query = Vector;
  using QueryView = View;
  static Query query(const Accumulator& acc) { return acc.value(); }
};

}  // namespace models
}  // namespace hypervec
