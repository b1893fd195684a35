// Encodings: scalars, feature vectors and symbol sequences to hypervectors,
// each encoder one class template over the model (model.hpp), as the
// structures of structures.hpp: Level<M>, Thermometer<M>, Circular<M>,
// IdLevel<M>, NGramEncoder<M>, Projection<M>, FractionalPower<M>. M defaults
// to packed MAP (FractionalPower: to FHRR), so `encode::Level lvl(n, D, seed)`
// is the packed codebook of before, bit for bit; a type spelled without
// arguments is `encode::Level<>`. SparseProjection and bind_sequence are
// packed MAP only. torchhd's embeddings (torchhd/embeddings.py,
// functional.py) are the reference semantics; differences are stated per
// class. Which models each encoder takes (torchhd's, checked by `requires`):
//   Level, IdLevel, NGramEncoder     PackedMap, DenseMap, Hrr<float>, Fhrr
//   Thermometer, Circular            PackedMap, DenseMap, Fhrr (torchhd: MAP,
//                                    BSC, FHRR; its circular raises for HRR)
//   Projection                       PackedMap (sign), DenseMap (sign, ±1),
//                                    Hrr<float> (R x/‖R x‖)
//   FractionalPower                  Fhrr, Hrr<float> (HrrFractionalPower)
//
// One selection for every model. Level and Circular pick, per component,
// which random endpoint a row takes, from thresholds that are the same
// random streams for every model; only the endpoints are the model's
// (M::random(D, seed, row) with the same rows). dense::random(D, seed, row)
// is bipolar::random(D, seed, row) as ±1 floats, so Level<DenseMap>,
// Circular<DenseMap>, Thermometer<DenseMap> and the IdLevel / Projection
// built on them are the packed codebooks unpacked (tests/encode_test.cpp
// checks it row by row).
//
// E[cos] per model. When rows L_i and L_k take the same endpoint component
// (the same source) with probability p per component, and independent
// endpoints otherwise,
//   cos(L_i, L_k) = Σ_j L_ij conj(L_kj) / (‖L_i‖ ‖L_k‖)
// has per shared component the contribution |V_j|²/(‖L_i‖‖L_k‖), and per
// unshared one a product of independent zero-mean components (mean 0), so
//   E[cos] ≈ D·p·E|V_j|² / (‖L_i‖‖L_k‖) = p
// exactly for ±1 and unit-phasor components (|V_j| = 1, norms √D), and up to
// O(1/D) for HRR's Gaussian components (E|V_j|² = 1/D, ‖L‖² = 1 ± √(2/D)).
// The spread is σ <= √(2/D): a component contributes X = 1 (shared, ±1 or
// phasor) or a fair ±1 / Re e^{iφ} (variance 1 / 1/2), so Var = (1 - p²)/D
// for ±1 and (1 - p)(1 + 2p)/(2D) for FHRR; for HRR X = D·x² (shared,
// E X² = 3) or D·x·y (E X² = 1), Var = (1 + 2p - p²)/D before dividing by
// the norms (which removes part of it: p = 1 gives cos = 1 exactly).
//
// All codebooks are pure functions of (seed, parameters): identical on every
// SIMD target, platform and thread count (random.hpp's counter-based streams).
// Encodings compose the dispatched ops of the models, dispatching once per
// vector or batch; the one kernel of their own is Projection's blocked
// sign(R x) (simd/encode.cc, behind simd/encode.h). Where things live:
//   src/encode/common.hpp      the shared span walk, thresholds, checks
//   src/encode/level.cpp       value_to_index, Level, Thermometer
//   src/encode/circular.cpp    Circular
//   src/encode/projection.cpp  Projection, SparseProjection
//   src/encode/id_level.cpp    IdLevel
//   src/encode/ngram.cpp       bind_sequence, NGramEncoder
//   src/encode/fractional_power.cpp  FpeKernel, FractionalPower
// each instantiating its templates for the models above (the `extern
// template` lines at the end of this file). Scalar baselines for tests and
// benchmarks: src/reference/encode.cpp. The math is in docs/cookbook.md.
#pragma once

#include <hypervec/bundle.hpp>
#include <hypervec/model.hpp>
#include <hypervec/storage.hpp>

#include <complex>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace hypervec::encode {

/// Models with ±1 values (packed or dense MAP) or ±1 as phasors (FHRR):
/// torchhd's thermometer (MAP, BSC, FHRR) and circular (not HRR: torchhd
/// raises; circular convolution does not cancel the walk's component-wise
/// steps).
template <typename M>
concept ComponentwiseModel = std::same_as<M, models::PackedMap> ||
                             std::same_as<M, models::DenseMap> || std::same_as<M, models::Fhrr>;

/// Models with a random projection (torchhd Projection: MAP, HRR).
template <typename M>
concept ProjectionModel = std::same_as<M, models::PackedMap> ||
                          std::same_as<M, models::DenseMap> || std::same_as<M, models::Hrr<float>>;

/// Models with a fractional power encoding (torchhd FractionalPower: HRR, FHRR).
template <typename M>
concept FractionalPowerModel = std::same_as<M, models::Fhrr> || std::same_as<M, models::Hrr<float>>;

/// Index of `value` among `levels` equally spaced points on [low, high]:
/// round((value - low) / (high - low) · (levels - 1)), clamped to
/// [0, levels - 1] (torchhd's value_to_index, which also clamps).
/// Throws InvalidArgument for NaN value, non-finite or empty range, levels 0.
std::size_t value_to_index(double value, double low, double high, std::size_t levels);

/// Level hypervectors (torchhd Level / functional.level) for every model, with torchhd's
/// `randomness` r ∈ [0, 1] interpolating from fully correlated levels (r = 0)
/// to independent random levels (r = 1).
///
/// r = 0: two random endpoints A = L_0 and B = L_{n-1}, and one uniform
/// threshold u_j ∈ [0, 1) per component; level i takes B_j where
/// u_j < i/(n-1), else A_j. So L_i and L_k differ from A in nested sets of
/// components and
///   E[cos(L_i, L_k)] = 1 - |i - k|/(n - 1),
///   Var = (1 - (1 - p)²)/D with p = |i - k|/(n - 1)   (each component agrees
/// with probability 1 - p/2, independently).
/// Similarity falls linearly from 1 to ≈0 (A, B are independent).
///
/// General r (torchhd's construction): the levels are split into spans of
/// λ = (1 - r)(n - 1) + r levels, S = ⌈(n-1)/λ⌉ spans with random endpoints
/// V_0 .. V_S and one threshold vector per span. Level i lies in span
/// s = ⌊i/λ⌋ at fraction f = (i mod λ)/λ and takes V_{s+1} where the span's
/// threshold is < f, else V_s (f = 0: exactly V_s). Hence, per component,
///   same span:      P(same source) = 1 - |f_i - f_k|
///   spans s, s + 1: P(same source) = f_i (1 - f_k)   (independent thresholds)
///   further apart:  0,
/// and E[cos] = P(same source), each component agreeing with probability
/// (1 + E[cos])/2. r = 1 gives n independent random vectors. r = 0 is
/// bit-identical to the codebook without the option. torchhd's i mod λ is a
/// float remainder; a remainder within 1e-12 of 0 or λ is taken as a span
/// border here (torchhd: within 1e-12 of 0 only, and a remainder of λ - ε
/// would pick V_{s+1} except with probability ε/λ).
/// Every model (file comment): the endpoints are M::random rows, the
/// selection the packed one, so E[cos] = expected_cosine for ±1 and phasor
/// components and up to O(1/D) for HRR.
/// Where level i sits: span s = ⌊i/λ⌋ and fraction f ∈ [0, 1) within it.
struct LevelPosition {
  std::size_t span;
  double fraction;
};

template <Model M = models::PackedMap>
class Level {
 public:
  using Vector = typename M::Vector;
  using View = typename M::View;
  using Matrix = typename M::Matrix;

  /// n = levels >= 2 over the value range [low, high] (low < high, finite);
  /// randomness in [0, 1] (InvalidArgument otherwise).
  Level(std::size_t levels, std::size_t dim, std::uint64_t seed, double low = 0.0,
        double high = 1.0, double randomness = 0.0);

  std::size_t levels() const noexcept { return codebook_.rows(); }
  std::size_t dim() const noexcept { return codebook_.dim(); }
  double low() const noexcept { return low_; }
  double high() const noexcept { return high_; }
  double randomness() const noexcept { return randomness_; }
  /// Row i of the codebook (throws InvalidArgument for i >= levels).
  View level(std::size_t i) const;
  /// The level of value_to_index(value, low, high, levels).
  View operator()(double value) const;
  const Matrix& codebook() const noexcept { return codebook_; }

  /// Where level i sits (the construction above); levels i and k then have
  /// E[cos] as stated.
  using Position = LevelPosition;
  Position position(std::size_t i) const;
  /// E[cos(L_i, L_k)] from the positions (the formula above).
  double expected_cosine(std::size_t i, std::size_t k) const;

 private:
  Matrix codebook_;
  double low_;
  double high_;
  double randomness_;
};

/// Thermometer hypervectors (torchhd Thermometer; MAP, BSC and FHRR, where
/// the ±1 are phasors 1 and -1, as torchhd): level i is +1 on its
/// first t_i = round(i·D/(n-1)) components and -1 on the rest, so
///   cos(T_i, T_k) = 1 - 2|t_i - t_k|/D   exactly (no randomness, no seed),
/// from T_0 = all -1 to T_{n-1} = all +1 (cosine -1 between the ends).
/// torchhd uses t_i = i·⌊D/(n-1)⌋, which leaves the last level short of all
/// +1 when (n-1) does not divide D; rounding keeps the ends exact. torchhd's
/// Thermometer has no `randomness` option, and neither has this one.
template <Model M = models::PackedMap>
  requires ComponentwiseModel<M>
class Thermometer {
 public:
  using View = typename M::View;
  using Matrix = typename M::Matrix;

  Thermometer(std::size_t levels, std::size_t dim, double low = 0.0, double high = 1.0);

  std::size_t levels() const noexcept { return codebook_.rows(); }
  std::size_t dim() const noexcept { return codebook_.dim(); }
  View level(std::size_t i) const;
  View operator()(double value) const;
  const Matrix& codebook() const noexcept { return codebook_; }

 private:
  Matrix codebook_;
  double low_;
  double high_;
};

/// Circular hypervectors (torchhd Circular / functional.circular), with
/// torchhd's `randomness` r ∈ [0, 1]: n points on a circle, from a circle
/// whose similarity depends only on the circular distance (r = 0) to n
/// random vectors (r = 1).
///
/// r = 0: n points whose similarity depends only on their circular distance
/// d = min(|i - k|, n - |i - k|)/n ∈ [0, 1/2]:
///   E[cos(C_i, C_k)] = 1 - 2d,   Var = (1 - (1 - 2d)²)/D,
/// falling linearly to ≈0 at the opposite point and rising back, from every
/// starting point. Construction: random A, B and a uniform phase θ_j per
/// component; C_i takes A_j when frac(θ_j + i/n) < 1/2, else B_j: each
/// component holds B on a half-circle arc placed uniformly at random, which
/// is also what torchhd's r = 0 walk (below) gives, so the law is torchhd's;
/// the vectors are not (and this codebook is unchanged from before the
/// option).
///
/// r > 0: torchhd's walk. The circle is walked in 2n half-steps (point i sits
/// at half-step 2i). The first half, half-steps h = 0 .. n, is a Level walk
/// (see Level) with spans of λ = ((1 - r)·n/2 + r)·2 half-steps: span
/// s = ⌊h/λ⌋, fraction f = (h mod λ)/λ, endpoints V_0 .. V_S (S = ⌈n/λ⌉) and
/// one threshold vector per span; T(h) takes V_{s+1} where span s's
/// threshold is < f, else V_s. The second half retraces the same flips:
///   C_i = T(2i)                     for 2i <= n,
///   C_i = T(n) ⊗ T(0) ⊗ T(2i - n)   for 2i > n
/// (torchhd's mutation history, whose running product telescopes to this).
/// Per component every C_i is a product of endpoints V_s, and the endpoints
/// are independent random ±1, so C_i and C_k agree exactly when the endpoints
/// in their two products cancel in pairs; otherwise the component is a fair
/// coin. Hence E[cos(C_i, C_k)] = P(cancel) =: p (expected_cosine, exact over
/// the thresholds' joint law) and Var = (1 - p²)/D. r = 1 with n even gives
/// n pairwise independent random vectors; with n odd torchhd's walk leaves
/// some pairs correlated (e.g. n = 5: E[cos(C_2, C_3)] = 1/4), and so does
/// this. torchhd's float remainder is handled as in Level.
///
/// Models (torchhd: MAP, BSC, FHRR; its circular raises for HRR): the
/// endpoints are M::random rows and ⁻¹ is M::inverse (FHRR: conj). For FHRR
/// a component of C_i conj(C_k) is Π_s V_s^{e_s} with integer exponents,
/// whose mean is 1 when every e_s = 0 and 0 otherwise (a uniform phasor to a
/// non-zero power has mean 0), where MAP needs every e_s even. T(n) never
/// takes V_0 (half-step n lies in a span s >= 1), so the two events are the
/// same and p is one law for the three models (expected_cosine computes each
/// model's own event). Var: MAP (1 - p²)/D, FHRR (1 - p)(1 + 2p)/(2D).
template <Model M = models::PackedMap>
  requires ComponentwiseModel<M>
class Circular {
 public:
  using View = typename M::View;
  using Matrix = typename M::Matrix;

  /// n = points >= 2; values are angles in [0, period) (wrapped modulo
  /// period); randomness in [0, 1] (InvalidArgument otherwise).
  Circular(std::size_t points, std::size_t dim, std::uint64_t seed, double period = 1.0,
           double randomness = 0.0);

  std::size_t points() const noexcept { return codebook_.rows(); }
  std::size_t dim() const noexcept { return codebook_.dim(); }
  double randomness() const noexcept { return randomness_; }
  View point(std::size_t i) const;
  /// The point nearest to `value` on the circle: round(frac(value/period)·n) mod n.
  View operator()(double value) const;
  const Matrix& codebook() const noexcept { return codebook_; }
  /// E[cos(C_i, C_k)] for this n, r and model (the law above; r = 0: 1 - 2d).
  /// Throws InvalidArgument for an index >= points.
  double expected_cosine(std::size_t i, std::size_t k) const;

 private:
  Matrix codebook_;
  double period_;
  double randomness_;
};

/// Random projection of float embeddings. Projection<PackedMap> (sign random
/// projection, SimHash):
///   y = sign(R x),  R ∈ {±1}^{D × D_in} seeded,  ties (R x)_k <= 0 → -1.
/// R is stored packed (row k = bipolar::random(D_in, seed, k)) and read at 1
/// bit per entry. For inputs x, y at angle φ, each output component differs
/// with probability ≈ φ/π (Charikar 2002; exact for Gaussian R, and for ±1 R
/// up to a correction of order Σx_j⁴/‖x‖⁴ from the CLT), so
/// E[cos(y(x), y(y))] ≈ 1 - 2φ/π.
/// The natural way to put an LLM embedding into VSA space without training.
/// torchhd's Projection is a real-valued Gaussian matrix without the sign
/// (MAP, HRR). The models:
///   PackedMap   sign(R x) packed (the kernel below)
///   DenseMap    the same signs as ±1 floats (dense::to_float of the packed)
///   Hrr<float>  R x / ‖R x‖, the real() projection below
/// (not FHRR: torchhd's Projection has no FHRR form). R is the same packed
/// ±1 matrix for every model.
///
/// The sign kernel (simd/encode.cc) reuses R from cache across inputs: a
/// single input (or two) is scored in register tiles against blocks of R's
/// rows; a batch of >= 3 inputs (encode_rows) takes the inputs as the lanes
/// of a vector and, per 4 components, looks up each row's 4 bits in a table
/// of the 16 signed sums of those components, so R is read once per 16
/// inputs (AVX-512) and each row costs one vector add per 4 components.
/// Every sum is accumulated in float in a fixed order that depends only on
/// the path (alone or in a batch of < 3, or in a batch of >= 3), never on
/// the SIMD target or on the input's place in the batch. The sign is exact
/// unless |(R x)_k| <= γ_m Σ_j |x_j|, γ_m = m u/(1 - m u), u = 2^-24,
/// m = ⌈D_in/4⌉ + 5 (the longest chain of float additions); inside that band
/// the two paths may give different signs for the same x.
template <Model M = models::PackedMap>
  requires ProjectionModel<M>
class Projection {
 public:
  using Vector = typename M::Vector;

  Projection(std::size_t input_dim, std::size_t dim, std::uint64_t seed);

  std::size_t input_dim() const noexcept { return matrix_.dim(); }
  std::size_t dim() const noexcept { return matrix_.rows(); }
  /// The model's projection of x (above). Throws DimensionError if
  /// x.size() != input_dim, InvalidArgument if x holds NaN or ±Inf.
  Vector operator()(std::span<const float> x) const;
  /// Row r of out = sign(R · row r of xs); out must be xs.rows × dim
  /// (DimensionError otherwise). Same validation as operator(), for every row
  /// before anything is written. The inputs are split over up to `threads`
  /// threads (0 = all cores) in tasks of 16 consecutive rows, one dispatch
  /// per thread; a thread gets at least ⌈2^20/(D·D_in)⌉ tasks, so small
  /// problems use fewer threads. The result is bit-identical for every
  /// thread count: the path is chosen by xs.rows, not by a thread's share.
  void encode_rows(const DenseMatrixView<float>& xs, PackedMatrix& out, unsigned threads = 0) const
    requires std::same_as<M, models::PackedMap>;
  /// The same, returning a new xs.rows × dim matrix.
  PackedMatrix encode_rows(const DenseMatrixView<float>& xs, unsigned threads = 0) const
    requires std::same_as<M, models::PackedMap>;
  /// The HRR (real-valued) projection R x / ‖R x‖: a unit-norm dense vector
  /// (the HRR convention, components ≈ N(0, 1/D)), zero when R x = 0. By
  /// Johnson–Lindenstrauss, ⟨y(x), y(x')⟩ estimates cos(x, x') with standard
  /// deviation ≈ (1 - cos²)/√D. Same validation as operator(). Every model
  /// offers it; Projection<Hrr<float>>::operator() is this.
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
/// Every model: K_j = M::random rows of `seed`, L = Level<M> of a second seed
/// (so IdLevel<DenseMap> is the packed one's bound pairs as ±1 floats);
/// packed MAP thresholds the sum (the majority), the others return the sum
/// itself (torchhd's hash_table / multiset without hard_quantize), whose
/// unbinding by K_j cleans up to L(v_j).
template <Model M = models::PackedMap>
class IdLevel {
 public:
  using Vector = typename M::Vector;
  using Matrix = typename M::Matrix;
  using Accumulator = typename M::Accumulator;

  IdLevel(std::size_t features, std::size_t levels, std::size_t dim, std::uint64_t seed,
          double low = 0.0, double high = 1.0);

  std::size_t features() const noexcept { return ids_.rows(); }
  std::size_t dim() const noexcept { return ids_.dim(); }
  const Level<M>& level() const noexcept { return level_; }
  const Matrix& ids() const noexcept { return ids_; }

  /// H(v): packed MAP the majority (ties toward -1), the others the sum.
  /// Throws DimensionError if v.size() != features, InvalidArgument on NaN.
  Vector operator()(std::span<const float> v) const;
  /// Packed MAP: the majority with ties by `tie`.
  Vector operator()(std::span<const float> v, const TieBreak& tie) const
    requires std::same_as<M, models::PackedMap>;
  /// Σ_j K_j ⊗ L(v_j) added to `acc` (MAP-I, before thresholding).
  void accumulate(std::span<const float> v, Accumulator& acc) const;

 private:
  Matrix ids_;
  Level<M> level_;
};

/// Π_j ρ^{n-1-j}(x_j) for items x_0 .. x_{n-1} (torchhd bind_sequence /
/// ngram of one window): the identity of an ordered tuple, similar to no
/// other tuple. Throws InvalidArgument when empty.
PackedVector bind_sequence(std::span<const PackedView> items);

/// The similarity kernel of a fractional power encoding: the distribution
/// its frequencies θ are drawn from (torchhd FractionalPower's
/// `distribution`, default "sinc").
///   sinc      θ uniform in [-π, π):  κ(u) = sin(πu)/(πu)   (κ(0) = 1)
///   gaussian  θ ~ N(0, 1):           κ(u) = e^{-u²/2}
/// with u = Δx / bandwidth. The bandwidth is the kernel's width here: the
/// phase of value x is θ·x/bandwidth (torchhd multiplies by its bandwidth
/// instead, so its bandwidth b_torchhd is 1/b here).
enum class FpeKernel { sinc, gaussian };

/// κ(u) of the kernel (above).
double fpe_kernel(FpeKernel kernel, double u);

/// Fractional power encoding, FractionalPower<M> for M = Fhrr (the default) and
/// Hrr<float> (HrrFractionalPower, below). FHRR (Plate 1994; Frady et al. 2022):
/// z(x)_k = e^{i x θ_k / b} with θ_k drawn per `kernel`, b = `bandwidth`.
/// It is a homomorphism, z(x) ⊙ z(y) = z(x + y) (fhrr::bind), and the
/// similarity Re Σ_k z(x)_k conj(z(y)_k)/D = mean_k cos(θ_k u), u = (x-y)/b,
/// estimates the kernel:
///   E = κ(u),  Var = v(u)/D,  v(u) = (1 + κ(2u))/2 - κ(u)²
/// (gaussian: v = (1 - e^{-u²})²/2; sinc: κ(2u) = sinc(2u)).
/// Values are fhrr::Vector (DenseVector<std::complex<float>>); each phasor is
/// computed in double and rounded once. The gaussian frequencies are those
/// of the class before the kernel option (same seed, same vectors).
/// FractionalPower<Hrr<float>>, directly in HRR (torchhd FractionalPower with
/// vsa="HRR"): a real vector whose spectrum has unit-magnitude bins
///   X_k(x) = e^{i θ_k x / b},  X_{D-k} = conj X_k   (k = 1 .. m, m = ⌈D/2⌉-1),
///   X_0 = 1 and, for even D, X_{D/2} = 1,
/// so z(x) = IDFT(X(x))/D is real, unitary (its involution is its exact
/// inverse) and ‖z(x)‖ = 1. Circular convolution multiplies spectra, so
///   hrr::bind(z(x), z(y)) = z(x + y)   (up to float rounding),
/// and by Parseval ⟨z(x), z(y)⟩ = (1/D)(c + 2 Σ_{k=1}^{m} cos(θ_k u)),
/// u = (x - y)/b, c = D - 2m real bins (1 or 2), so with θ per `kernel`
///   E = (c + 2m κ(u))/D ≈ κ(u),   Var = 4m v(u)/D² ≈ 2 v(u)/D
/// (κ, v as FractionalPower: half as many independent phases, each counted
/// twice, doubles the variance). Each vector is computed in double (phases,
/// inverse FFT) and rounded to float once. torchhd draws its m phases the
/// same way and zeroes the same real bins; its vector is not normalised.
template <Model M = models::Fhrr>
  requires FractionalPowerModel<M>
class FractionalPower {
 public:
  using Vector = typename M::Vector;

  /// Throws DimensionError for dim 0, InvalidArgument unless bandwidth is
  /// finite and > 0.
  FractionalPower(std::size_t dim, double bandwidth, std::uint64_t seed,
                  FpeKernel kernel = FpeKernel::sinc);

  std::size_t dim() const noexcept { return dim_; }
  double bandwidth() const noexcept { return bandwidth_; }
  FpeKernel kernel() const noexcept { return kernel_; }
  /// z(x) (unit phasors; HRR: unit norm); throws InvalidArgument for
  /// non-finite x.
  Vector operator()(double x) const;
  /// E sim(z(x), z(x + delta)): FHRR κ(delta/b), HRR (c + 2m κ(delta/b))/D.
  double expected_similarity(double delta) const;
  /// The frequencies θ_k / b: FHRR one per component (phase of value x at
  /// component k = x·θ_k/b), HRR one per free bin k = 1 .. m.
  std::span<const double> frequencies() const noexcept { return theta_; }

 private:
  std::size_t dim_;
  std::vector<double> theta_;
  double bandwidth_;
  FpeKernel kernel_;
};

/// The HRR fractional power encoding by its name before the template.
using HrrFractionalPower = FractionalPower<models::Hrr<float>>;

/// n-gram encoder (torchhd functional.ngrams): adds every window of n
/// consecutive symbols, as a bound tuple, to an accumulator:
///   Σ_{i=0}^{len-n} Π_{j=0}^{n-1} ρ^{n-1-j}(C[s_{i+j}])
/// where C is the symbol codebook (one row per symbol value). The permuted
/// codebooks ρ^{n-1-j}(C) are built once here, so a window costs n-1 XORs of
/// rows, and windows are counted with the bit-sliced add_all, 255 per pass.
/// Every model: the codebook is an M::MatrixView, a window is bound with
/// M::bind and added to M::Accumulator (packed MAP keeps the XOR and add_all
/// path above). A window's prefix unbinds from the sum to its last symbol
/// (exactly for MAP and FHRR, approximately for HRR's involution). HRR: ρ
/// commutes with circular convolution, so a window is ρ^{n(n-1)/2}(⊛_j
/// C[s_j]), blind to the order within it (torchhd's ngrams on HRR alike):
/// the prefix of window i also decodes window i - 1's first symbol. Use MAP
/// or FHRR for ordered n-grams.
template <Model M = models::PackedMap>
class NGramEncoder {
 public:
  using MatrixView = typename M::MatrixView;
  using Accumulator = typename M::Accumulator;

  /// Copies `codebook` (rows >= 1) and pre-permutes it; n >= 1.
  NGramEncoder(const MatrixView& codebook, std::size_t n);

  std::size_t n() const noexcept { return n_; }
  std::size_t dim() const noexcept { return dim_; }
  std::size_t symbols() const noexcept { return symbols_; }

  /// Adds the windows of `symbols` (each < symbols(), InvalidArgument
  /// otherwise; nothing when fewer than n). acc.dim() must equal dim().
  void add(std::span<const std::uint32_t> symbols, Accumulator& acc) const;
  /// Byte n-grams of text: symbols are the bytes (needs symbols() >= 256).
  void add_text(std::string_view text, Accumulator& acc) const;

 private:
  template <typename Symbol>
  void add_impl(const Symbol* s, std::size_t len, Accumulator& acc) const;

  std::size_t n_;
  std::size_t dim_;
  std::size_t symbols_;
  typename M::Matrix permuted_;  // row j·symbols + c = ρ^{n-1-j}(C[c])
};

// Instantiated in src/encode/ for the models of the file comment.
#define HYPERVEC_ENCODE_ALL_MODELS(X) \
  X(models::PackedMap) X(models::DenseMap) X(models::Hrr<float>) X(models::Fhrr)
#define HYPERVEC_ENCODE_EXTERN(M)    \
  extern template class Level<M>;    \
  extern template class IdLevel<M>;  \
  extern template class NGramEncoder<M>;
HYPERVEC_ENCODE_ALL_MODELS(HYPERVEC_ENCODE_EXTERN)
#undef HYPERVEC_ENCODE_EXTERN
#undef HYPERVEC_ENCODE_ALL_MODELS
extern template class Thermometer<models::PackedMap>;
extern template class Thermometer<models::DenseMap>;
extern template class Thermometer<models::Fhrr>;
extern template class Circular<models::PackedMap>;
extern template class Circular<models::DenseMap>;
extern template class Circular<models::Fhrr>;
extern template class Projection<models::PackedMap>;
extern template class Projection<models::DenseMap>;
extern template class Projection<models::Hrr<float>>;
extern template class FractionalPower<models::Fhrr>;
extern template class FractionalPower<models::Hrr<float>>;

}  // namespace hypervec::encode
