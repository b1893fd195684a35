// Cleanup memory (item memory): a labelled codebook of M rows and exact
// batched top-k search against it. Every decode in a VSA ("unbind, then find
// the nearest atom") ends here.
//
// One template, Memory<Row>, and the query kinds each Row answers:
//   PackedMemory  = Memory<Packed>      packed bipolar rows: packed queries
//                                       (Hamming / dot), float queries (mixed:
//                                       rows read at 1 bit per component,
//                                       never unpacked)
//   FloatMemory   = Memory<float>       float32 rows (MAP-C, HRR): float
//                                       queries (dot or cosine)
//   Int8Memory    = Memory<std::int8_t> int8 rows (MAP-B/I): int8 queries
//                                       (dot or cosine, exact)
//   PhasorMemory  = Memory<std::complex<float>>  FHRR phasor rows: phasor
//                                       queries, score Re Σ q_k conj(r_k)
//                                       (dot or cosine; see PhasorMemory)
//
// Search contract (all kinds):
//  * Exact: every row is scored; the result is the k best rows by `score`
//    (descending), ties broken by the lower id. Only a k-bounded heap per
//    query is kept: the Q×M score matrix is never materialised.
//  * Blocked like a GEMM: a tile of queries is scored against a tile of rows
//    so the rows stay in cache across queries; parallel over queries (or over
//    row ranges, merged by the same total order, when Q is small).
//  * Deterministic: identical results for every thread count. Packed, mixed
//    and int8 scores are also identical on every SIMD target (integer
//    arithmetic, and for mixed a fixed summation order); float-vs-
//    float scores use FMA where the target has it and may differ between
//    targets in the last bits (the ids agree unless two scores are that close).
//    Mixed batches of Q >= 3 float queries sum through per-query tables of
//    the 16 signed sums of 4 components (one lookup per 4 components of a
//    row, simd/cleanup-inl.h), single queries and pairs in 16 partial sums:
//    the same float bound, (D - 1) · 2^-24 · Σ|q_i|, but a query's mixed
//    score in a batch of >= 3 may differ in the last bits from the same query
//    searched alone (the kernel is chosen by the batch size, never by a
//    worker's share, so thread counts still agree).
//    FloatMemory batches of Q >= 64 queries are scored by OpenBLAS sgemm
//    (Meson feature `blas`) on a fixed grid of 1024-query × 1024-row tiles,
//    our workers splitting the tiles, but only while the host runs OpenBLAS
//    single-threaded (OPENBLAS_NUM_THREADS=1): hypervec never changes
//    OpenBLAS's thread count. Otherwise the Highway kernel scores them.
//    Either way results are thread-count independent, but a query's float
//    score in an sgemm batch may differ in the last bits from the same query
//    searched alone or in a batch of < 64 (Highway kernel), within the same
//    bound.
//  * Any finite float input gives finite scores and cosines: queries whose
//    values (or a FloatMemory whose rows) lie outside 2^±40 are scored
//    scaled by a power of two (exact), so float sums neither overflow nor
//    underflow (simd/cleanup.cc, kSafeExp); usual inputs are not copied and
//    score bit for bit as before. NaN or ±Inf in a query or row throws
//    InvalidArgument naming it and the component.
//  * Significance under the random-vector null (docs/concepts.md, "Cleanup memory"): a row drawn
//    independently of the query has cosine ≈ N(0, 1/D), so
//      z = cosine · √D,   p = P(N(0,1) > z) = erfc(z/√2)/2   (one-sided).
//    For packed rows this is exact up to the normal approximation of the
//    Binomial(D, 1/2) Hamming distance, for any query (float or packed), since
//    Σ q_i b_i with fair independent signs b_i has variance ‖q‖². For float
//    and int8 rows the null is an isotropic random row.
//  * HRR: FloatMemory with Metric::cosine is the HRR cleanup memory (HRR
//    vectors are real float vectors; see FloatMemory). Its null is the one
//    above, from the norms: for a query q and a row r with i.i.d. N(0, σ²)
//    components (hrr::random, any σ), r/‖r‖ is uniform on the sphere, so
//    cos = q·r/(‖q‖‖r‖) has mean 0 and variance exactly 1/D (σ and ‖q‖
//    cancel); for unitary rows (random phases) the variance is ≈ 1/D too.
//  * Thresholds: of the top-k, a match is reported only if cosine >=
//    min_cosine and z >= min_z; when none passes, the result is empty
//    (abstain). For packed, mixed and Metric::cosine searches cosine is
//    monotone in the score, so this equals thresholding every row first;
//    with Metric::dot a lower-dot row of higher cosine is not promoted.
//
// Labels: every row has a UTF-8 label, possibly empty. Non-empty labels are
// unique (adding a duplicate throws InvalidArgument), so find(label) is
// unambiguous; empty labels are not indexed.
//
// Implementations: src/cleanup/memory.cpp (the memories; Memory<Row> is
// explicitly instantiated there for the four Row types), src/cleanup/
// blas_scores.cpp (the sgemm path), kernels in simd/cleanup.cc; scalar
// references (brute-force scan): src/reference/cleanup.cpp. Decoding beyond
// one-shot top-k (explain-away, greedy factor search, resonators):
// include/hypervec/resonator.hpp.
#pragma once

#include <hypervec/storage.hpp>

#include <complex>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace hypervec::cleanup {

/// What the float, int8 and phasor memories rank by. Packed and mixed
/// searches rank by dot, which orders rows exactly as cosine does (all rows
/// have norm √D).
enum class Metric {
  dot,     ///< score = Σ q_i r_i
  cosine,  ///< score = Σ q_i r_i / ‖r‖ (the query norm does not change the order)
};

/// One search hit.
struct Match {
  std::size_t id = 0;   ///< row index in the memory
  std::string label;    ///< the row's label (empty if it has none)
  double score = 0;     ///< the ranking key: dot, or dot/‖r‖ for Metric::cosine
  double cosine = 0;    ///< dot / (‖q‖ ‖r‖); 0 when either is zero
  double z = 0;         ///< cosine · √D (phasors: √(2D)): standard normal under the null
  double p = 1;         ///< one-sided p-value P(N(0,1) > z)
};

/// Hits of one query, best first; empty means abstain.
using Matches = std::vector<Match>;

/// Search options.
struct Options {
  std::size_t k = 1;  ///< hits per query; 1 <= k <= M
  double min_cosine = -std::numeric_limits<double>::infinity();
  double min_z = -std::numeric_limits<double>::infinity();
  unsigned threads = 0;  ///< worker threads; 0 = all cores
};

/// The z-score and one-sided p-value of a cosine at dimension D.
double z_score(double cosine, std::size_t dim);
double p_value(double z);

/// Row tag of Memory<Packed>: rows are packed bipolar vectors (PackedView).
struct Packed {};

/// What a Memory<Row> stores and accepts: the view of one row (View) and of
/// a batch of rows or queries (MatrixView). Defined for the four Row types.
template <typename Row>
struct RowTraits;

template <>
struct RowTraits<Packed> {
  using View = PackedView;
  using MatrixView = PackedMatrixView;
};

template <>
struct RowTraits<float> {
  using View = std::span<const float>;
  using MatrixView = DenseMatrixView<float>;
};

template <>
struct RowTraits<std::int8_t> {
  using View = std::span<const std::int8_t>;
  using MatrixView = DenseMatrixView<std::int8_t>;
};

template <>
struct RowTraits<std::complex<float>> {
  using View = std::span<const std::complex<float>>;
  using MatrixView = DenseMatrixView<std::complex<float>>;
};

/// Cleanup memory over rows of type Row and dimension D: a labelled codebook
/// searched exactly (the contract in the file comment). Row is Packed, float,
/// std::int8_t or std::complex<float>; use the aliases below. Copyable (deep
/// copy) and movable (a moved-from memory is empty and can be added to).
///
/// Row-specific behaviour:
///  * Packed: packed queries score dot = D - 2·hamming, cosine = dot / D;
///    float queries (mixed) score Σ q_i b_i, cosine = score / (‖q‖ √D), and
///    throw InvalidArgument if a query holds NaN or ±Inf. No metric.
///  * float (FloatMemory, MAP-C): adding a row with NaN or ±Inf throws
///    InvalidArgument. Also the HRR cleanup memory: store hrr::random /
///    hrr::random_unitary rows (any norm) with Metric::cosine, search with
///    the unbound vector (e.g. hrr::unbind with the involution); cosine =
///    q·r/(‖q‖‖r‖) with both norms accumulated in double, z = cosine·√D (the
///    HRR null in the file comment). Double HRR vectors (hrr::* with T =
///    double) are searched by converting them to float first (std::copy into
///    a float vector): the relative rounding, 6·10⁻⁸, is far below the null's
///    σ = 1/√D, so only ties closer than that can reorder; there is no
///    float64 memory.
///  * std::int8_t (Int8Memory, MAP-B stored dense, clipped MAP-I): D <=
///    kMaxInt8Dim (exact int32 dot products, else DimensionError); the value
///    -128 is rejected in rows and queries (products stay symmetric).
///  * std::complex<float> (PhasorMemory, FHRR): score = Re Σ_k q_k conj(r_k),
///    which is the float dot of the 2D interleaved reals (Re, Im), so the
///    rows sit on the float path with 2D components internally (same
///    kernels, BLAS policy, scaling and bounds as FloatMemory at dimension
///    2D). cosine = Re⟨q, r⟩ / (‖q‖ ‖r‖) (fhrr::cosine, torchhd's FHRR
///    cosine). Null: for independent random phasor vectors Re⟨q, r⟩ / D has
///    mean 0 and σ = 1/√(2D) (each Re q_k conj(r_k) = cos(θ_k - φ_k) has
///    variance 1/2), so z = cosine · √(2D). A component with NaN or ±Inf is
///    reported by its real index (2k for Re z_k, 2k + 1 for Im z_k).
template <typename Row>
class Memory {
  static constexpr bool kPacked = std::same_as<Row, Packed>;

 public:
  using View = typename RowTraits<Row>::View;
  using MatrixView = typename RowTraits<Row>::MatrixView;

  /// Largest D of an int8 memory: 127² · D must fit in int32 (int8 rows only).
  static constexpr std::size_t kMaxInt8Dim = 2147483647 / (127 * 127);

  /// An empty memory; throws DimensionError for dim == 0.
  explicit Memory(std::size_t dim) requires(kPacked);
  explicit Memory(std::size_t dim, Metric metric = Metric::cosine) requires(!kPacked);
  /// A memory holding every row of `codebook`, labelled by `labels` (empty
  /// span: all labels empty; else exactly one per row).
  explicit Memory(const MatrixView& codebook, std::span<const std::string> labels = {})
    requires(kPacked);
  explicit Memory(const MatrixView& codebook, std::span<const std::string> labels = {},
                  Metric metric = Metric::cosine) requires(!kPacked);

  Memory(const Memory& other);
  Memory(Memory&& other) noexcept;
  Memory& operator=(const Memory& other);
  Memory& operator=(Memory&& other) noexcept;
  ~Memory();

  std::size_t dim() const noexcept { return dim_; }
  std::size_t size() const noexcept;
  bool empty() const noexcept { return size() == 0; }
  Metric metric() const noexcept requires(!kPacked) { return metric_; }

  /// Appends one row; returns its id. Throws DimensionError if its D
  /// differs, InvalidArgument for a duplicate non-empty label or a bad value
  /// (see the Row notes above); nothing is added then.
  std::size_t add(View row, std::string label = {});
  /// Appends every row of `rows` (labels as in the constructor); all rows
  /// and labels are checked before anything is added.
  void add(const MatrixView& rows, std::span<const std::string> labels = {});

  /// Row `id`; throws InvalidArgument if id >= size(). Valid until the next add.
  View row(std::size_t id) const;
  /// The row labelled `label`; throws InvalidArgument naming the label when
  /// no row has it (the empty label never matches).
  View row(std::string_view label) const;
  const std::string& label(std::size_t id) const;
  /// The id of the row labelled `label`, or nullopt.
  std::optional<std::size_t> find(std::string_view label) const;
  /// The whole codebook as a matrix view (valid until the next add).
  MatrixView view() const noexcept;

  Matches search(View query, const Options& options = {}) const;
  std::vector<Matches> search(const MatrixView& queries, const Options& options = {}) const;
  /// The single best match, or nullopt when it fails the thresholds.
  std::optional<Match> best(View query, const Options& options = {}) const;

  /// Packed rows, float queries (mixed): score = Σ q_i b_i, cosine = score /
  /// (‖q‖ √D). Throws InvalidArgument if a query holds NaN or ±Inf.
  Matches search(std::span<const float> query, const Options& options = {}) const
    requires(kPacked);
  std::vector<Matches> search(const DenseMatrixView<float>& queries,
                              const Options& options = {}) const requires(kPacked);
  std::optional<Match> best(std::span<const float> query, const Options& options = {}) const
    requires(kPacked);

 private:
  struct State;  // rows, labels, norms: src/cleanup/memory_state.hpp
  static std::unique_ptr<State> make_state(std::size_t dim);

  std::size_t dim_;
  Metric metric_ = Metric::dot;
  std::unique_ptr<State> state_;  // null only when moved from (then empty)
};

using PackedMemory = Memory<Packed>;
using FloatMemory = Memory<float>;
using Int8Memory = Memory<std::int8_t>;
using PhasorMemory = Memory<std::complex<float>>;

// Instantiated in src/cleanup/memory.cpp: the kernels stay out of this header.
extern template class Memory<Packed>;
extern template class Memory<float>;
extern template class Memory<std::int8_t>;
extern template class Memory<std::complex<float>>;

}  // namespace hypervec::cleanup
