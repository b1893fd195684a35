// Encodings for the packed bipolar MAP model: scalars and feature vectors to
// hypervectors. torchhd's embeddings (torchhd/embeddings.py, functional.py)
// are the reference semantics; differences are stated per class.
//
// All codebooks are pure functions of (seed, parameters): identical on every
// SIMD target, platform and thread count (random.hpp's counter-based streams).
// Nothing here needs a new SIMD kernel: encodings compose the dispatched ops
// of bipolar.hpp, bundle.hpp and mixed.hpp, dispatching once per vector or
// batch. Implementations: src/encode.cpp; scalar baselines for tests and
// benchmarks: src/reference/encode.cpp. The math is in docs/cookbook.md.
#pragma once

#include <hypervec/bundle.hpp>
#include <hypervec/storage.hpp>

#include <complex>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace hypervec::encode {

/// Index of `value` among `levels` equally spaced points on [low, high]:
/// round((value - low) / (high - low) · (levels - 1)), clamped to
/// [0, levels - 1] (torchhd's value_to_index, which also clamps).
/// Throws InvalidArgument for NaN value, non-finite or empty range, levels 0.
std::size_t value_to_index(double value, double low, double high, std::size_t levels);

/// Level hypervectors (torchhd Level / functional.level with randomness 0):
/// two random endpoints A = L_0 and B = L_{n-1}, and one uniform threshold
/// u_j ∈ [0, 1) per component; level i takes B_j where u_j < i/(n-1), else A_j.
/// So L_i and L_k differ from A in nested sets of components and
///   E[cos(L_i, L_k)] = 1 - |i - k|/(n - 1),
///   Var = (1 - (1 - p)²)/D with p = |i - k|/(n - 1)   (each component agrees
/// with probability 1 - p/2, independently).
/// Similarity falls linearly from 1 to ≈0 (A, B are independent).
class Level {
 public:
  /// n = levels >= 2 over the value range [low, high] (low < high, finite).
  Level(std::size_t levels, std::size_t dim, std::uint64_t seed, double low = 0.0,
        double high = 1.0);

  std::size_t levels() const noexcept { return codebook_.rows(); }
  std::size_t dim() const noexcept { return codebook_.dim(); }
  double low() const noexcept { return low_; }
  double high() const noexcept { return high_; }
  /// Row i of the codebook (throws InvalidArgument for i >= levels).
  PackedView level(std::size_t i) const;
  /// The level of value_to_index(value, low, high, levels).
  PackedView operator()(double value) const;
  const PackedMatrix& codebook() const noexcept { return codebook_; }

 private:
  PackedMatrix codebook_;
  double low_;
  double high_;
};

/// Thermometer hypervectors (torchhd Thermometer, MAP): level i is +1 on its
/// first t_i = round(i·D/(n-1)) components and -1 on the rest, so
///   cos(T_i, T_k) = 1 - 2|t_i - t_k|/D   exactly (no randomness, no seed),
/// from T_0 = all -1 to T_{n-1} = all +1 (cosine -1 between the ends).
/// torchhd uses t_i = i·⌊D/(n-1)⌋, which leaves the last level short of all
/// +1 when (n-1) does not divide D; rounding keeps the ends exact.
class Thermometer {
 public:
  Thermometer(std::size_t levels, std::size_t dim, double low = 0.0, double high = 1.0);

  std::size_t levels() const noexcept { return codebook_.rows(); }
  std::size_t dim() const noexcept { return codebook_.dim(); }
  PackedView level(std::size_t i) const;
  PackedView operator()(double value) const;
  const PackedMatrix& codebook() const noexcept { return codebook_; }

 private:
  PackedMatrix codebook_;
  double low_;
  double high_;
};

/// Circular hypervectors (torchhd Circular with randomness 0): n points on a
/// circle whose similarity depends only on their circular distance
/// d = min(|i - k|, n - |i - k|)/n ∈ [0, 1/2]:
///   E[cos(C_i, C_k)] = 1 - 2d,   Var = (1 - (1 - 2d)²)/D,
/// falling linearly to ≈0 at the opposite point and rising back, from every
/// starting point. Construction: random A, B and a uniform phase θ_j per
/// component; C_i takes A_j when frac(θ_j + i/n) < 1/2, else B_j. Two points
/// at distance d put component j in different halves with probability 2d.
/// torchhd builds the circle from bound transition vectors; its similarity
/// profile is the same, its vectors are not.
class Circular {
 public:
  /// n = points >= 2; values are angles in [0, period) (wrapped modulo period).
  Circular(std::size_t points, std::size_t dim, std::uint64_t seed, double period = 1.0);

  std::size_t points() const noexcept { return codebook_.rows(); }
  std::size_t dim() const noexcept { return codebook_.dim(); }
  PackedView point(std::size_t i) const;
  /// The point nearest to `value` on the circle: round(frac(value/period)·n) mod n.
  PackedView operator()(double value) const;
  const PackedMatrix& codebook() const noexcept { return codebook_; }

 private:
  PackedMatrix codebook_;
  double period_;
};

/// Random projection of float embeddings (sign random projection, SimHash):
///   y = sign(R x),  R ∈ {±1}^{D × D_in} seeded,  ties (R x)_k = 0 → -1.
/// R is stored packed (row k = bipolar::random(D_in, seed, k)) and R x is
/// computed by mixed::dot_rows, reading R at 1 bit per entry. For inputs x, y
/// at angle φ, each output component differs with probability ≈ φ/π
/// (Charikar 2002; exact for Gaussian R, and for ±1 R up to a correction of
/// order Σx_j⁴/‖x‖⁴ from the CLT), so E[cos(y(x), y(y))] ≈ 1 - 2φ/π.
/// The natural way to put an LLM embedding into VSA space without training.
/// torchhd's Projection is a real-valued Gaussian matrix without the sign.
class Projection {
 public:
  Projection(std::size_t input_dim, std::size_t dim, std::uint64_t seed);

  std::size_t input_dim() const noexcept { return matrix_.dim(); }
  std::size_t dim() const noexcept { return matrix_.rows(); }
  /// sign(R x). Throws DimensionError if x.size() != input_dim, InvalidArgument
  /// if x holds NaN or ±Inf.
  PackedVector operator()(std::span<const float> x) const;
  /// Row r of out = sign(R · row r of xs); out must be xs.rows × dim.
  void encode_rows(const DenseMatrixView<float>& xs, PackedMatrix& out) const;
  /// The HRR (real-valued) projection R x / ‖R x‖: a unit-norm dense vector
  /// (the HRR convention, components ≈ N(0, 1/D)), zero when R x = 0. By
  /// Johnson–Lindenstrauss, ⟨y(x), y(x')⟩ estimates cos(x, x') with standard
  /// deviation ≈ (1 - cos²)/√D. Same validation as operator().
  DenseVector<float> real(std::span<const float> x) const;
  /// R itself (row k holds R_k·, packed).
  const PackedMatrix& matrix() const noexcept { return matrix_; }

 private:
  PackedMatrix matrix_;
};

/// Very sparse random projection (Li, Hastie & Church 2006): each output
/// component k sums `nonzeros` entries of x at seeded random positions (with
/// replacement) with seeded random signs, then takes the sign (ties → -1).
/// Costs D·nonzeros instead of D·D_in; same angle-preserving statistics as
/// Projection once nonzeros is large enough that every output sees many
/// inputs (the CLT term grows as 1/nonzeros instead of 1/D_in).
class SparseProjection {
 public:
  SparseProjection(std::size_t input_dim, std::size_t dim, std::size_t nonzeros,
                   std::uint64_t seed);

  std::size_t input_dim() const noexcept { return input_dim_; }
  std::size_t dim() const noexcept { return dim_; }
  std::size_t nonzeros() const noexcept { return nonzeros_; }
  PackedVector operator()(std::span<const float> x) const;

 private:
  std::size_t input_dim_;
  std::size_t dim_;
  std::size_t nonzeros_;
  std::vector<std::uint32_t> index_;  // dim × nonzeros input positions
  std::vector<std::uint8_t> negative_;  // dim × nonzeros sign bits (1 = -1)
};

/// ID-level record encoder (torchhd's classic "ID-level" / hash-table
/// encoding of a feature vector): feature j has a random ID vector K_j, its
/// value a Level vector L(v_j); the record is the majority bundle
///   H(v) = [ Σ_j K_j ⊗ L(v_j) ]
/// (ties, for an even feature count, by `tie`; torchhd's hard_quantize sends
/// them to -1, the default). Records of nearby feature vectors are similar:
/// each bound pair moves with its level.
class IdLevel {
 public:
  IdLevel(std::size_t features, std::size_t levels, std::size_t dim, std::uint64_t seed,
          double low = 0.0, double high = 1.0);

  std::size_t features() const noexcept { return ids_.rows(); }
  std::size_t dim() const noexcept { return ids_.dim(); }
  const Level& level() const noexcept { return level_; }
  const PackedMatrix& ids() const noexcept { return ids_; }

  /// H(v). Throws DimensionError if v.size() != features, InvalidArgument on NaN.
  PackedVector operator()(std::span<const float> v,
                          const TieBreak& tie = TieBreak::toward_negative()) const;
  /// Σ_j K_j ⊗ L(v_j) added to `acc` (MAP-I, before thresholding).
  void accumulate(std::span<const float> v, bipolar::Accumulator& acc) const;

 private:
  PackedMatrix ids_;
  Level level_;
};

/// Π_j ρ^{n-1-j}(x_j) for items x_0 .. x_{n-1} (torchhd bind_sequence /
/// ngram of one window): the identity of an ordered tuple, similar to no
/// other tuple. Throws InvalidArgument when empty.
PackedVector bind_sequence(std::span<const PackedView> items);

/// Fractional power encoding for FHRR (Plate 1994; Frady et al. 2022):
/// z(x)_k = e^{i x θ_k} with θ_k ~ N(0, 1/b²) seeded, b = `bandwidth`. It is
/// a homomorphism, z(x) ⊙ z(y) = z(x + y) (fhrr::bind), and the similarity
/// Re Σ_k z(x)_k conj(z(y)_k)/D = mean_k cos((x - y)θ_k) is a Gaussian kernel:
///   E = e^{-u/2},  Var = (1 - e^{-u})²/(2D),   u = (x - y)²/b².
/// Values are fhrr::Vector (DenseVector<std::complex<float>>); each phasor is
/// computed in double and rounded once. HRR vectors: fhrr::to_hrr(z).
/// torchhd's FractionalPower has the same kernel ("gaussian"); its default
/// "sinc" kernel (θ uniform in [-π, π]) is not offered here.
class FractionalPower {
 public:
  /// Throws DimensionError for dim 0, InvalidArgument unless bandwidth is
  /// finite and > 0.
  FractionalPower(std::size_t dim, double bandwidth, std::uint64_t seed);

  std::size_t dim() const noexcept { return theta_.size(); }
  double bandwidth() const noexcept { return bandwidth_; }
  /// z(x); throws InvalidArgument for non-finite x.
  DenseVector<std::complex<float>> operator()(double x) const;
  /// The frequencies θ_k.
  std::span<const double> frequencies() const noexcept { return theta_; }

 private:
  std::vector<double> theta_;
  double bandwidth_;
};

/// n-gram encoder (torchhd functional.ngrams): adds every window of n
/// consecutive symbols, as a bound tuple, to an accumulator:
///   Σ_{i=0}^{len-n} Π_{j=0}^{n-1} ρ^{n-1-j}(C[s_{i+j}])
/// where C is the symbol codebook (one row per symbol value). The permuted
/// codebooks ρ^{n-1-j}(C) are built once here, so a window costs n-1 XORs of
/// rows, and windows are counted with the bit-sliced add_all, 255 per pass.
class NGramEncoder {
 public:
  /// Copies `codebook` (rows >= 1) and pre-permutes it; n >= 1.
  NGramEncoder(const PackedMatrixView& codebook, std::size_t n);

  std::size_t n() const noexcept { return n_; }
  std::size_t dim() const noexcept { return dim_; }
  std::size_t symbols() const noexcept { return symbols_; }

  /// Adds the windows of `symbols` (each < symbols(), InvalidArgument
  /// otherwise; nothing when fewer than n). acc.dim() must equal dim().
  void add(std::span<const std::uint32_t> symbols, bipolar::Accumulator& acc) const;
  /// Byte n-grams of text: symbols are the bytes (needs symbols() >= 256).
  void add_text(std::string_view text, bipolar::Accumulator& acc) const;

 private:
  template <typename Symbol>
  void add_impl(const Symbol* s, std::size_t len, bipolar::Accumulator& acc) const;

  std::size_t n_;
  std::size_t dim_;
  std::size_t symbols_;
  PackedMatrix permuted_;  // row j·symbols + c = ρ^{n-1-j}(C[c])
};

}  // namespace hypervec::encode
