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
#include <type_traits>

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

// The verbs every model forwards to its namespace `ns` (template arguments
// `targs`, e.g. <T>, or nothing): one list, so the four models cannot drift
// apart. Each model adds its types and what is its own below.
#define HYPERVEC_MODEL_VERBS(ns, targs)                                                     \
  static Vector random(std::size_t dim, std::uint64_t seed, std::uint64_t row = 0) {       \
    return ns::random targs(dim, seed, row);                                               \
  }                                                                                        \
  static Matrix random_matrix(std::size_t rows, std::size_t dim, std::uint64_t seed,       \
                              const RandomOptions& options = {}) {                         \
    return ns::random_matrix targs(rows, dim, seed, options);                              \
  }                                                                                        \
  static Vector identity(std::size_t dim) { return ns::identity targs(dim); }              \
  static Vector bind(View a, View b) { return ns::bind targs(a, b); }                      \
  static Vector unbind(View bound, View key) { return ns::unbind targs(bound, key); }      \
  static Vector inverse(View a) { return ns::inverse targs(a); }                           \
  static Vector bundle(const MatrixView& rows) { return ns::bundle targs(rows); }          \
  static Vector permute(View a, std::ptrdiff_t shifts) { return ns::permute targs(a, shifts); } \
  static Vector inverse_permute(View a, std::ptrdiff_t shifts) {                           \
    return ns::inverse_permute targs(a, shifts);                                           \
  }                                                                                        \
  static auto dot(View a, View b) { return ns::dot targs(a, b); }                          \
  static double cosine(View a, View b) { return ns::cosine targs(a, b); }

/// The types of a model on DenseVector<T> components (dense MAP, HRR, FHRR),
/// whose bundling accumulator is Sum<T> and whose queries are its vectors.
template <typename T, typename CleanupMemory>
struct RealComponents {
  using Vector = DenseVector<T>;
  using View = std::span<const T>;
  using Matrix = DenseMatrix<T>;
  using MatrixView = DenseMatrixView<T>;
  using Accumulator = Sum<T>;
  using Memory = CleanupMemory;
  using Query = Vector;
  using QueryView = View;
  static std::size_t dim(View a) noexcept { return a.size(); }
  /// The bundle of what was added: the sum itself.
  static Vector bundle(const Accumulator& acc) { return acc.value(); }
  /// Decoding from sums: the sum is a vector of the model.
  static Query query(const Accumulator& acc) { return acc.value(); }
};

/// Packed bipolar MAP (bipolar.hpp, bundle.hpp): 1 bit per component;
/// bundle is the majority, ties toward -1 (torchhd MAP).
struct PackedMap {
  static constexpr std::string_view name = "packed MAP";
  using Vector = PackedVector;
  using View = PackedView;
  using Matrix = PackedMatrix;
  using MatrixView = PackedMatrixView;
  using Accumulator = bipolar::Accumulator;
  using Memory = cleanup::PackedMemory;
  HYPERVEC_MODEL_VERBS(bipolar, )
  static Vector bundle(const Accumulator& acc) { return acc.threshold(); }
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
/// floats (random rows are ±1); unbind = bind, exact for ±1 keys.
struct DenseMap : RealComponents<float, cleanup::FloatMemory> {
  static constexpr std::string_view name = "dense MAP";
  using RealComponents::bundle;
  HYPERVEC_MODEL_VERBS(dense, )
};

/// HRR (hrr.hpp): circular convolution; unbinding and inverse with the
/// involution (approximate for Gaussian keys, exact for unitary ones). The
/// cleanup memory holds float rows (there is no float64 memory), so Hrr<double>
/// is a VectorModel only.
template <typename T = float>
struct Hrr : RealComponents<T, std::conditional_t<std::is_same_v<T, float>, cleanup::FloatMemory,
                                                  void>> {
  static constexpr std::string_view name = "HRR";
  // Memory is void for T = double: no memory takes double rows.
  using Base = RealComponents<T, std::conditional_t<std::is_same_v<T, float>,
                                                    cleanup::FloatMemory, void>>;
  using typename Base::Vector;
  using typename Base::View;
  using typename Base::Matrix;
  using typename Base::MatrixView;
  using Base::bundle;
  HYPERVEC_MODEL_VERBS(hrr, <T>)
};

/// FHRR (fhrr.hpp): unit phasors, bind = element-wise complex product,
/// dot = Re Σ a_k conj(b_k) (fhrr::similarity is dot / D).
struct Fhrr : RealComponents<fhrr::Phasor, cleanup::PhasorMemory> {
  static constexpr std::string_view name = "FHRR";
  using RealComponents::bundle;
  HYPERVEC_MODEL_VERBS(fhrr, )
};

#undef HYPERVEC_MODEL_VERBS

}  // namespace models
}  // namespace hypervec
