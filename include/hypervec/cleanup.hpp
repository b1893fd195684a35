// Cleanup memory (item memory): a labelled codebook of M rows and exact
// batched top-k search against it. Every decode in a VSA ("unbind, then find
// the nearest atom") ends here.
//
// Memories and the query kinds they answer:
//   PackedMemory  packed bipolar rows:  packed queries (Hamming / dot),
//                                       float queries (mixed: rows read at
//                                       1 bit per component, never unpacked)
//   FloatMemory   float32 rows (MAP-C, HRR): float queries (dot or cosine)
//   Int8Memory    int8 rows (MAP-B/I):  int8 queries (dot or cosine, exact)
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
// Implementations: simd/cleanup.cc; scalar references (brute-force scan):
// src/reference/cleanup.cpp.
#pragma once

#include <hypervec/storage.hpp>

#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace hypervec::cleanup {

/// What FloatMemory / Int8Memory rank by. Packed and mixed searches rank by
/// dot, which orders rows exactly as cosine does (all rows have norm √D).
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
  double z = 0;         ///< cosine · √D: standard normal under the null
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

namespace detail {

/// Labels and their reverse index, shared by the memories.
class LabelIndex {
 public:
  /// Appends a label for row `id` (== size()). Throws InvalidArgument naming
  /// `where` if a non-empty label is already present.
  void add(std::string label, const char* where);
  /// Throws InvalidArgument if any non-empty label in `labels` is present or
  /// repeated, before anything is added.
  void check_new(std::span<const std::string> labels, const char* where) const;
  std::size_t size() const noexcept { return labels_.size(); }
  const std::string& operator[](std::size_t id) const { return labels_[id]; }
  std::optional<std::size_t> find(std::string_view label) const;

 private:
  std::vector<std::string> labels_;
  std::unordered_map<std::string, std::size_t> index_;
};

/// Growable row-major storage with kAlignment-aligned, zero-padded rows.
template <typename T>
class RowStore {
 public:
  RowStore() = default;
  explicit RowStore(std::size_t stride) : stride_(stride) {}
  std::size_t rows() const noexcept { return rows_; }
  std::size_t stride() const noexcept { return stride_; }
  const T* data() const noexcept { return buffer_.data(); }
  const T* row(std::size_t i) const noexcept { return buffer_.data() + i * stride_; }
  /// Appends n rows copied from src (row r at src + r·src_stride, `length`
  /// <= stride() elements each; the rest of each row stays zero) and returns
  /// a pointer to the first. src may point into this store (e.g. a row(i)
  /// of it): when the store grows, the rows are copied before the old
  /// buffer is released, so aliasing is safe.
  T* append(const T* src, std::size_t src_stride, std::size_t n, std::size_t length) {
    AlignedBuffer<T> old;  // keeps the previous buffer, and src, alive until the copy
    hypervec::detail::require_rows_limit("cleanup memory", "the memory after this add", n);
    const std::size_t need = hypervec::detail::checked_add(rows_, n, "cleanup memory", "rows");
    hypervec::detail::require_rows_limit("cleanup memory", "the memory after this add", need);
    if (need > capacity_) {
      std::size_t cap = capacity_ == 0 ? 16 : capacity_;
      while (cap < need) cap = cap > kMaxRows / 2 ? kMaxRows : cap * 2;
      AlignedBuffer<T> grown(hypervec::detail::checked_mul(cap, stride_, "cleanup memory", "the row store"));
      if (rows_ != 0) std::copy(buffer_.data(), buffer_.data() + rows_ * stride_, grown.data());
      old = std::move(buffer_);
      buffer_ = std::move(grown);
      capacity_ = cap;
    }
    T* first = buffer_.data() + rows_ * stride_;
    // New rows never overlap a source row: they start past every stored row.
    for (std::size_t r = 0; r < n; ++r) {
      std::copy(src + r * src_stride, src + r * src_stride + length, first + r * stride_);
    }
    rows_ += n;
    return first;
  }

 private:
  AlignedBuffer<T> buffer_;
  std::size_t rows_ = 0;
  std::size_t capacity_ = 0;
  std::size_t stride_ = 0;
};

}  // namespace detail

/// Cleanup memory over packed bipolar rows of dimension D.
class PackedMemory {
 public:
  /// An empty memory; throws DimensionError for dim == 0.
  explicit PackedMemory(std::size_t dim);
  /// A memory holding every row of `codebook`, labelled by `labels` (empty
  /// span: all labels empty; else exactly one per row).
  explicit PackedMemory(const PackedMatrixView& codebook,
                        std::span<const std::string> labels = {});

  std::size_t dim() const noexcept { return dim_; }
  std::size_t size() const noexcept { return store_.rows(); }
  bool empty() const noexcept { return size() == 0; }

  /// Appends one row; returns its id.
  std::size_t add(PackedView row, std::string label = {});
  /// Appends every row of `rows` (labels as in the constructor).
  void add(const PackedMatrixView& rows, std::span<const std::string> labels = {});

  PackedView row(std::size_t id) const;
  const std::string& label(std::size_t id) const;
  std::optional<std::size_t> find(std::string_view label) const { return labels_.find(label); }
  /// The whole codebook as a matrix view (valid until the next add).
  PackedMatrixView view() const noexcept {
    return {store_.data(), store_.rows(), dim_, store_.stride()};
  }

  /// Packed query: score = dot = D - 2·hamming, cosine = dot / D.
  Matches search(PackedView query, const Options& options = {}) const;
  std::vector<Matches> search(const PackedMatrixView& queries, const Options& options = {}) const;
  /// Float query (mixed): score = Σ q_i b_i, cosine = score / (‖q‖ √D).
  /// Throws InvalidArgument if a query holds NaN or ±Inf.
  Matches search(std::span<const float> query, const Options& options = {}) const;
  std::vector<Matches> search(const DenseMatrixView<float>& queries,
                              const Options& options = {}) const;

  /// The single best match, or nullopt when it fails the thresholds.
  std::optional<Match> best(PackedView query, const Options& options = {}) const;
  std::optional<Match> best(std::span<const float> query, const Options& options = {}) const;

 private:
  std::size_t dim_;
  detail::RowStore<std::uint64_t> store_;
  detail::LabelIndex labels_;
};

/// Cleanup memory over float32 rows (MAP-C) of dimension D. Also the HRR
/// cleanup memory: store hrr::random / hrr::random_unitary rows (any norm)
/// with Metric::cosine, search with the unbound vector (e.g. hrr::unbind with
/// the involution); cosine = q·r/(‖q‖‖r‖) with both norms accumulated in
/// double, z = cosine·√D (the HRR null in the file comment above). Double
/// HRR vectors (hrr::* with T = double) are searched by converting them to
/// float first (std::copy into a float vector): the relative rounding,
/// 6·10⁻⁸, is far below the null's σ = 1/√D, so only ties closer than that
/// can reorder; there is no float64 memory.
class FloatMemory {
 public:
  explicit FloatMemory(std::size_t dim, Metric metric = Metric::cosine);
  explicit FloatMemory(const DenseMatrixView<float>& codebook,
                       std::span<const std::string> labels = {},
                       Metric metric = Metric::cosine);

  std::size_t dim() const noexcept { return dim_; }
  std::size_t size() const noexcept { return store_.rows(); }
  bool empty() const noexcept { return size() == 0; }
  Metric metric() const noexcept { return metric_; }

  /// Appends one row; throws InvalidArgument if it holds NaN or ±Inf.
  std::size_t add(std::span<const float> row, std::string label = {});
  void add(const DenseMatrixView<float>& rows, std::span<const std::string> labels = {});

  std::span<const float> row(std::size_t id) const;
  const std::string& label(std::size_t id) const;
  std::optional<std::size_t> find(std::string_view label) const { return labels_.find(label); }
  DenseMatrixView<float> view() const noexcept {
    return {store_.data(), store_.rows(), dim_, store_.stride()};
  }

  Matches search(std::span<const float> query, const Options& options = {}) const;
  std::vector<Matches> search(const DenseMatrixView<float>& queries,
                              const Options& options = {}) const;
  std::optional<Match> best(std::span<const float> query, const Options& options = {}) const;

 private:
  std::size_t dim_;
  Metric metric_;
  detail::RowStore<float> store_;
  std::vector<double> norms_;  // ‖row‖, accumulated in double
  // ilogb of the largest and smallest non-zero row maximum |r_i| (0, 0 when
  // no row is non-zero): search scales queries by powers of two from them so
  // float sums of huge or tiny rows neither overflow nor underflow.
  int row_exp_hi_ = 0;
  int row_exp_lo_ = 0;
  void note_row_exponents(std::size_t first);  // rows [first, size())
  detail::LabelIndex labels_;
};

/// Cleanup memory over int8 rows (MAP-B stored dense, clipped MAP-I) of
/// dimension D <= kMaxInt8Dim (exact int32 dot products).
class Int8Memory {
 public:
  /// 127² · D must fit in int32.
  static constexpr std::size_t kMaxInt8Dim = 2147483647 / (127 * 127);

  explicit Int8Memory(std::size_t dim, Metric metric = Metric::cosine);
  explicit Int8Memory(const DenseMatrixView<std::int8_t>& codebook,
                      std::span<const std::string> labels = {},
                      Metric metric = Metric::cosine);

  std::size_t dim() const noexcept { return dim_; }
  std::size_t size() const noexcept { return store_.rows(); }
  bool empty() const noexcept { return size() == 0; }
  Metric metric() const noexcept { return metric_; }

  /// Appends one row. The value -128 is rejected (products stay symmetric).
  std::size_t add(std::span<const std::int8_t> row, std::string label = {});
  void add(const DenseMatrixView<std::int8_t>& rows, std::span<const std::string> labels = {});

  std::span<const std::int8_t> row(std::size_t id) const;
  const std::string& label(std::size_t id) const;
  std::optional<std::size_t> find(std::string_view label) const { return labels_.find(label); }
  DenseMatrixView<std::int8_t> view() const noexcept {
    return {store_.data(), store_.rows(), dim_, store_.stride()};
  }

  Matches search(std::span<const std::int8_t> query, const Options& options = {}) const;
  std::vector<Matches> search(const DenseMatrixView<std::int8_t>& queries,
                              const Options& options = {}) const;
  std::optional<Match> best(std::span<const std::int8_t> query,
                            const Options& options = {}) const;

 private:
  std::size_t dim_;
  Metric metric_;
  detail::RowStore<std::int8_t> store_;
  std::vector<double> norms_;
  detail::LabelIndex labels_;
};

// --- Decoding beyond one-shot top-k ------------------------------------------

/// Options of explain_away.
struct ExplainAwayOptions {
  double min_z = 4.0;         ///< stop when the best residual match has z below this
  std::size_t max_items = 0;  ///< stop after this many items; 0 = M
  unsigned threads = 0;       ///< worker threads per search; 0 = all cores
};

/// One item of an explain-away decoding.
struct Decoded {
  Match match;    ///< the match against the residual when the item was taken
  double weight;  ///< the item's fitted coefficient w (Σ over re-selections)
};

/// Explain-away decoding of a bundle s ≈ Σ_k w_k c_k of rows of `memory`
/// (matching pursuit on the mixed kernel): r ← s; repeat { c = best row for
/// r; stop if its z = ⟨r, c⟩ / ‖r‖ < min_z; w = ⟨r, c⟩ / D (least squares,
/// ‖c‖² = D); r ← r - w c }. z is the same null statistic as in search: for a
/// row independent of the residual, ⟨r, c⟩ / ‖r‖ ~ N(0, 1). Returns the
/// items in the order found (a row found again adds to its weight; the loop
/// runs at most 2·max_items searches). s: any real vector, e.g. the int32
/// sums of a bipolar::Accumulator converted to float. Throws as search does.
std::vector<Decoded> explain_away(const PackedMemory& memory, std::span<const float> bundle,
                                  const ExplainAwayOptions& options = {});
/// The same for a packed (thresholded) bundle, read as ±1.
std::vector<Decoded> explain_away(const PackedMemory& memory, PackedView bundle,
                                  const ExplainAwayOptions& options = {});

/// Result of greedy_factor_search.
struct FactorMatch {
  std::size_t key;  ///< id of the key (row of `keys`) whose unbinding won
  Match match;      ///< best match of v ⊙ key in `memory`
};

/// The probe's greedy factor search: for every key c in `keys`, unbind
/// (MAP: u_c = v ⊙ c, its own inverse) and find the best match of u_c in
/// `memory`, all C unbindings as one batched search; returns the key whose
/// best match has the highest score (ties: lower key id), or nullopt when no
/// match passes options' thresholds (options.k is ignored: 1). Throws
/// DimensionError if D differs, InvalidArgument if a memory is empty.
std::optional<FactorMatch> greedy_factor_search(const PackedMemory& memory,
                                                const PackedMemory& keys, PackedView v,
                                                const Options& options = {});
/// Float v (mixed): u_c = v ⊙ c flips the signs of v where c is -1.
std::optional<FactorMatch> greedy_factor_search(const PackedMemory& memory,
                                                const PackedMemory& keys,
                                                std::span<const float> v,
                                                const Options& options = {});

// --- Resonator network (MAP, packed bipolar) ------------------------------------

/// Options of resonate.
struct ResonatorOptions {
  std::size_t max_iterations = 200;  ///< sweeps over all factors before giving up
  /// HRR only: converged when no unit-norm estimate moved by more than this
  /// (L2) in a sweep. >= 0; the float32 rounding floor is about 1e-6.
  double tolerance = 1e-4;
  /// HRR only: after the projection, replace each estimate by its unitary
  /// projection (hrr::make_unitary: every bin X(k)/|X(k)|), the per-bin phase
  /// nonlinearity of the FHRR phasor resonator. For unitary codebooks.
  bool unitary_estimates = false;
};

/// Result of resonate.
struct ResonatorResult {
  std::vector<std::size_t> factors;  ///< id of the decoded row in each codebook
  std::vector<Match> matches;        ///< each final estimate's best match
  std::size_t iterations = 0;        ///< sweeps run (1 ..= max_iterations)
  bool converged = false;            ///< true when a sweep changed no estimate (HRR: by > tolerance)
};

/// Resonator network (Frady, Kent, Olshausen, Sommer 2020) for MAP bipolar:
/// factorises s = x_1 ⊙ … ⊙ x_F with x_f a row of codebooks[f]. Estimates
/// start at sign(Σ_c c) over each codebook; one sweep updates f = 1..F in
/// order, each with the others' newest estimates:
///   u = s ⊙ Π_{g≠f} x̂_g,  a_c = ⟨u, c⟩ for every row c,  x̂_f = sign(Σ_c a_c c)
/// (ties toward -1, as bipolar thresholding). Converged when a sweep leaves
/// every estimate unchanged (a fixed point); then, or after max_iterations,
/// each factor is decoded as its estimate's best match. Deterministic.
/// Throws DimensionError if a codebook's D differs from s, InvalidArgument
/// if there are no codebooks, one is empty, or max_iterations is 0.
ResonatorResult resonate(PackedView s, std::span<const PackedMemory* const> codebooks,
                         const ResonatorOptions& options = {});

// --- Resonator network (HRR, float32) ---------------------------------------------

/// Resonator network for HRR (Frady et al. 2020; Kent et al. 2020): factorises
/// s = x_1 ⊛ … ⊛ x_F (circular convolution, hrr::bind) with x_f a row of
/// codebooks[f]; rows should be unit-norm HRR vectors, best unitary
/// (hrr::random_unitary, hrr::make_unitary), whose involution is their exact
/// inverse. Estimates start at the normalised superposition Σ_c c / ‖Σ_c c‖;
/// one sweep updates f = 1..F in order, each with the others' newest
/// estimates:
///   u = s ⊛ (⊛_{g≠f} x̂_g)†,  a_c = ⟨u, c⟩ for every row c,
///   x̂_f = Σ_c a_c c / ‖Σ_c a_c c‖      (the codebook projection X_f X_fᵀ u)
/// with † the involution (spectrum conj X̂_g), the adjoint of binding:
/// ⟨s, x_1 ⊛ … ⊛ x_F⟩ = ⟨s ⊛ (⊛_{g≠f} x_g)†, x_f⟩, so a sweep is one step of
/// the higher-order power method on the tensor T[c_1..c_F] = ⟨s, c_1 ⊛ … ⊛ c_F⟩
/// in codebook coordinates; for unitary x_g the involution is the exact
/// inverse. s and every estimate are kept as spectra (one inverse and one
/// forward FFT per update). Converged when a sweep moves no estimate by more
/// than options.tolerance (the estimates do not land exactly on rows, they
/// approach a fixed point near them). With options.unitary_estimates, each
/// new x̂_f is then made unitary (X̂_f(k)/|X̂_f(k)|; two more FFTs): the
/// nonlinearity of Frady et al.'s complex phasor resonator, since unitary
/// HRR vectors are FHRR phasors with conjugate symmetry. Then, or after
/// max_iterations, each
/// factor is decoded as its estimate's best match in codebooks[f] (by the
/// memory's metric). A projection of exactly 0 leaves the estimate at 0 (its
/// match then has cosine 0); no NaN. Deterministic, single-threaded except
/// the final searches. Throws DimensionError if a codebook's D differs from
/// s, InvalidArgument if there are no codebooks, one is null or empty,
/// max_iterations is 0, tolerance is negative or NaN, or s holds NaN/±Inf or
/// is the zero vector.
ResonatorResult resonate(std::span<const float> s, std::span<const FloatMemory* const> codebooks,
                         const ResonatorOptions& options = {});

}  // namespace hypervec::cleanup
