// Decoding beyond one-shot top-k, built on the cleanup memories
// (include/hypervec/cleanup.hpp): explain-away decoding of a bundle
// (matching pursuit), the probe's greedy factor search, and resonator
// networks that factorise a bound product (MAP bipolar and HRR).
//
// Implementations: src/cleanup/explain_away.cpp,
// src/cleanup/greedy_factor_search.cpp, src/cleanup/resonator.cpp (MAP) and
// src/cleanup/resonator_hrr.cpp (HRR).
#pragma once

#include <complex>

#include <hypervec/cleanup.hpp>
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
