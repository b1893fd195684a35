// Decoding beyond one-shot top-k, built on the cleanup memories
// (include/hypervec/cleanup.hpp): explain-away decoding of a bundle
// (matching pursuit), the probe's greedy factor search, and the resonator
// network that factorises a bound product, one template over the model
// (model.hpp: packed MAP, dense MAP, HRR, FHRR).
//
// Implementations: src/cleanup/explain_away.cpp,
// src/cleanup/greedy_factor_search.cpp, src/cleanup/resonator.cpp.
#pragma once

#include <complex>

#include <hypervec/cleanup.hpp>
#include <hypervec/model.hpp>
#include <hypervec/storage.hpp>

#include <cstddef>
#include <optional>
#include <span>
#include <vector>

namespace hypervec::cleanup {

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
/// The same pursuit for real rows (dense MAP, HRR; float bundle) and FHRR
/// phasor rows (complex bundle), with w = Re⟨r, c⟩ / ‖c‖² (least squares for
/// any row norm) and r ← r - w c. The best row is the memory's (by its
/// metric; use Metric::cosine, the default, for rows of unequal norm); z is
/// the memory's, cosine · √D (phasors: √(2D)), the null statistic of search.
/// A best row of norm 0 ends the loop.
std::vector<Decoded> explain_away(const FloatMemory& memory, std::span<const float> bundle,
                                  const ExplainAwayOptions& options = {});
std::vector<Decoded> explain_away(const PhasorMemory& memory,
                                  std::span<const std::complex<float>> bundle,
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

// --- Resonator network, over every model ------------------------------------------

/// Options of resonate.
struct ResonatorOptions {
  std::size_t max_iterations = 200;  ///< sweeps over all factors before giving up
  /// HRR and FHRR: converged when no estimate moved by more than this (L2) in
  /// a sweep. >= 0; the float32 rounding floor is about 1e-6. (MAP estimates
  /// are ±1 and converge exactly, to a sweep that changes none of them.)
  double tolerance = 1e-4;
  /// HRR only (ignored elsewhere: FHRR estimates are unit phasors already):
  /// after the projection, replace each estimate by its unitary projection
  /// (hrr::make_unitary: every bin X(k)/|X(k)|), the per-bin phase
  /// nonlinearity of the FHRR phasor resonator. For unitary codebooks.
  bool unitary_estimates = false;
};

/// Result of resonate.
struct ResonatorResult {
  std::vector<std::size_t> factors;  ///< id of the decoded row in each codebook
  std::vector<Match> matches;        ///< each final estimate's best match
  std::size_t iterations = 0;        ///< sweeps run (1 ..= max_iterations)
  bool converged = false;            ///< see ResonatorOptions::tolerance
};

/// Resonator network (Frady, Kent, Olshausen, Sommer 2020) for model M:
/// factorises s = x_1 ⊗ … ⊗ x_F with x_f a row of codebooks[f]. Each
/// estimate starts at the quantised superposition of its codebook, q(Σ_c c);
/// one sweep updates f = 1..F in order, each with the others' newest
/// estimates:
///   u = unbind(s, ⊗_{g≠f} x̂_g),  a_c = dot(u, c) for every row c,
///   x̂_f = q(Σ_c a_c c)            (the codebook projection X_f X_fᵀ u)
/// with the model's quantiser q:
///   packed MAP   sign, ties toward −1 (exact integer sums); bind = XOR
///   dense MAP    hard_quantize (±1, ties toward −1); the same answers,
///                iterations and convergence as packed MAP for ±1 rows
///   HRR (float)  x / ‖x‖ (then make_unitary with options.unitary_estimates);
///                unbind by the involution x†, the adjoint of binding, so a
///                sweep is one step of the higher-order power method on
///                T[c_1..c_F] = ⟨s, c_1 ⊛ … ⊛ c_F⟩; exact inverse for unitary
///                rows (hrr::random_unitary), which are best. s and the
///                estimates are kept as spectra (one inverse FFT per update)
///   FHRR         fhrr::hard_quantize (z/|z|, Frady et al.'s phasor
///                resonator; a_c = Re⟨u, c⟩)
/// MAP converges when a sweep changes no estimate (a fixed point); HRR and
/// FHRR when no estimate moves by more than options.tolerance (they approach
/// a fixed point near the rows). Then, or after max_iterations, each factor
/// is decoded as its estimate's best match in codebooks[f] (by the memory's
/// metric). A projection of exactly 0 leaves a real estimate at 0 (its match
/// then has cosine 0); no NaN. Deterministic, single-threaded except the
/// final searches. Throws DimensionError if a codebook's D differs from s,
/// InvalidArgument if there are no codebooks, one is null or empty,
/// max_iterations is 0, tolerance is negative or NaN, s holds NaN/±Inf or is
/// the zero vector (real models), or (packed) a codebook has M·D >= 2^31.
/// Instantiated for models::PackedMap, DenseMap, Hrr<float> and Fhrr.
template <Model M>
ResonatorResult resonate(typename M::View s, std::span<const typename M::Memory* const> codebooks,
                         const ResonatorOptions& options = {});

/// resonate<models::PackedMap>.
ResonatorResult resonate(PackedView s, std::span<const PackedMemory* const> codebooks,
                         const ResonatorOptions& options = {});
/// resonate<models::Hrr<float>> (float s and float rows mean HRR here; call
/// resonate<models::DenseMap> for dense MAP).
ResonatorResult resonate(std::span<const float> s, std::span<const FloatMemory* const> codebooks,
                         const ResonatorOptions& options = {});

#define HYPERVEC_EXTERN_RESONATE(M)                                                        \
  extern template ResonatorResult resonate<M>(M::View, std::span<const M::Memory* const>, \
                                              const ResonatorOptions&);
HYPERVEC_EXTERN_RESONATE(models::PackedMap)
HYPERVEC_EXTERN_RESONATE(models::DenseMap)
HYPERVEC_EXTERN_RESONATE(models::Hrr<float>)
HYPERVEC_EXTERN_RESONATE(models::Fhrr)
#undef HYPERVEC_EXTERN_RESONATE

}  // namespace hypervec::cleanup
