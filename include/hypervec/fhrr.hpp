// Fourier holographic reduced representations (Plate 2003): D unit phasors
// z_k = e^{iθ_k} in complex float. FHRR is HRR seen in the frequency domain:
//   bind(a, b)     = a ⊙ b           (element-wise complex product)
//   inverse(a)     = conj(a)         (exact: a ⊙ conj(a) = 1)
//   unbind(c, b)   = c ⊙ conj(b)
//   bundle         = Σ (weighted) sum; hard_quantize projects back to
//                    phasors (z/|z|, the phasor "sign"; torchhd's FHRR has
//                    no such verb, its bundle is the plain sum too)
//   similarity     = Re Σ_k a_k conj(b_k) / D: the cosine only while both
//                    inputs are unit phasors (|a_k| = |b_k| = 1); for random
//                    pairs mean 0 and σ = 1/√(2D). Unnormalised bundles are
//                    not phasors and it leaves [−1, 1] (two bundles of 3 with
//                    2 in common give ≈ 2, their cosine ≈ 0.67).
//   cosine         = Re Σ_k a_k conj(b_k) / (‖a‖ ‖b‖), always in [−1, 1]:
//                    the one to compare with the other models and torchhd.
// Conversion: from_hrr(x) = DFT(x) projected to unit magnitude (all D bins,
// Hermitian: z[D−k] = conj z[k]); to_hrr(z) = Re IDFT(z). For unitary HRR
// vectors the two are inverse and turn circular convolution into ⊙:
// from_hrr(a ⊛ b) = from_hrr(a) ⊙ from_hrr(b).
//
// Inputs with NaN or ±Inf make the functions throw InvalidArgument; dimension
// mismatches and D = 0 throw DimensionError. Implementations: simd/fhrr.cc.
#pragma once

#include <hypervec/random.hpp>
#include <hypervec/storage.hpp>

#include <complex>
#include <cstddef>
#include <cstdint>
#include <span>

namespace hypervec::fhrr {

using Phasor = std::complex<float>;
using Vector = DenseVector<Phasor>;

/// Random FHRR vector: θ_k uniform in [0, 2π) from row `row` of the seeded
/// stream (random.hpp RowStream, seed tagged so it differs from HRR rows).
Vector random(std::size_t dim, std::uint64_t seed, std::uint64_t row = 0);

/// Rows options.first_row .. first_row+rows−1 of the seeded codebook: row i
/// equals random(dim, seed, first_row + i) whatever options.threads is
/// (0 = all cores). Throws DimensionError for dim = 0 or too many rows,
/// InvalidArgument for options.unit_norm (phasor rows already have |z_k| = 1).
DenseMatrix<Phasor> random_matrix(std::size_t rows, std::size_t dim, std::uint64_t seed,
                                  const RandomOptions& options = {});

/// All phasors 1: the binding identity.
Vector identity(std::size_t dim);

/// out = a ⊙ b. out may alias a or b.
void bind(std::span<const Phasor> a, std::span<const Phasor> b, std::span<Phasor> out);
Vector bind(std::span<const Phasor> a, std::span<const Phasor> b);

/// conj(a), the exact inverse of a phasor vector.
Vector inverse(std::span<const Phasor> a);

/// bound ⊙ conj(key) (exact for phasor keys). out may alias bound or key.
void unbind(std::span<const Phasor> bound, std::span<const Phasor> key, std::span<Phasor> out);
Vector unbind(std::span<const Phasor> bound, std::span<const Phasor> key);

/// Σ_k weights[k] · rows.row(k) (not normalised; weights empty = all 1).
Vector bundle(const DenseMatrixView<Phasor>& rows, std::span<const float> weights = {});

/// z / |z| per component; a zero component becomes 1: the nearest phasor
/// vector, FHRR's quantiser (named fhrr::normalize before this release; it is
/// not an L2 normalisation).
Vector hard_quantize(std::span<const Phasor> a);

/// out[i] = a[(i − shifts) mod D], as torch.roll; any shifts.
Vector permute(std::span<const Phasor> a, std::ptrdiff_t shifts);
/// inverse_permute(permute(a, k), k) == a for every k (PTRDIFF_MIN too).
Vector inverse_permute(std::span<const Phasor> a, std::ptrdiff_t shifts);

/// Re Σ a_k conj(b_k), the real part of the Hermitian inner product
/// (torchhd's FHRRTensor.dot_similarity), accumulated in float with several
/// partial sums. D for a phasor vector with itself.
double dot(std::span<const Phasor> a, std::span<const Phasor> b);

/// Re Σ a_k conj(b_k) / D, accumulated in float with several partial sums.
/// Equals cosine(a, b) only when every |a_k| = |b_k| = 1 (random, bind,
/// hard_quantize outputs); on bundles it is a scaled dot product, not bounded by
/// 1. Use cosine to compare across models. (torchhd's FHRR dot_similarity
/// is the undivided Re Σ a_k conj(b_k).)
double similarity(std::span<const Phasor> a, std::span<const Phasor> b);

/// Re⟨a, b⟩ / (‖a‖ ‖b‖) = Re Σ a_k conj(b_k) / √(Σ|a_k|² · Σ|b_k|²), clamped
/// to [−1, 1]; 0 when a or b is the zero vector. The same definition as
/// torchhd's FHRRTensor.cosine_similarity (real part of the Hermitian inner
/// product over the product of the magnitudes; torchhd divides by
/// max(‖a‖‖b‖, 1e-8), which is also 0 for a zero vector). Scale invariant,
/// symmetric, and a true cosine for any vectors, bundles included.
double cosine(std::span<const Phasor> a, std::span<const Phasor> b);

/// DFT(x)/|DFT(x)| over all D bins; bins with |X(k)| ≤ 1e-6·‖x‖ (the rms
/// of |X| is ‖x‖) have no phase to keep and become 1.
Vector from_hrr(std::span<const float> x);

/// Re IDFT(z) (length D real vector), via the Hermitian part of z.
DenseVector<float> to_hrr(std::span<const Phasor> z);

}  // namespace hypervec::fhrr
