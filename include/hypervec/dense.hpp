// Dense MAP vectors: float32 (MAP-C: real values as a neural encoder emits
// them; MAP-B when the values are ±1) and int8 (MAP-B stored dense, or a
// clipped MAP-I sum). Operations follow torchhd's MAP semantics:
//   random = ±1 components (the packed codebook's rows, unpacked),
//   bind = unbind = element-wise product, inverse = the vector itself,
//   bundle = (weighted) sum, permute = cyclic shift, similarity = dot or
//   cosine, hard_quantize = threshold to ±1 with a TieBreak rule
//   (tie_break.hpp; torchhd's `hard_quantize`, and what torchhd's MAP
//   `normalize` does), normalize = x / ‖x‖₂ (as hrr::normalize; NOT
//   torchhd's MAP normalize: see docs/cookbook.md).
//
// Conventions:
//  * sign(0) = 0. cosine with a zero vector is defined as 0 (no NaN): a zero
//    vector is orthogonal to everything.
//  * Float inputs containing NaN or ±Inf make dot, cosine, norm, normalize,
//    hard_quantize and to_packed throw InvalidArgument (the check rides on
//    the result, so it is free); copies (inverse, permute) do not check.
//  * int8 products and clipping saturate to [-127, 127] (symmetric, so that
//    negation never overflows).
// Implementations: simd/dense.cc; scalar references: src/reference/dense.cpp.
#pragma once

#include <hypervec/random.hpp>
#include <hypervec/storage.hpp>
#include <hypervec/tie_break.hpp>

#include <cstddef>
#include <cstdint>
#include <span>

namespace hypervec::dense {

// --- float32 ---------------------------------------------------------------

/// Random MAP vector as ±1 floats: exactly to_float(bipolar::random(dim, seed,
/// row)), so a dense and a packed codebook with one seed hold the same rows.
/// Throws DimensionError for dim = 0 or dim > kMaxDim.
DenseVector<float> random(std::size_t dim, std::uint64_t seed, std::uint64_t row = 0);

/// Rows options.first_row .. first_row+rows-1 of that codebook as ±1 floats:
/// row i equals random(dim, seed, options.first_row + i) whatever
/// options.threads is (0 = all cores). Throws InvalidArgument if
/// options.unit_norm is set (HRR only), DimensionError for a bad dim or rows
/// past kMaxRows / kMaxBytes.
DenseMatrix<float> random_matrix(std::size_t rows, std::size_t dim, std::uint64_t seed,
                                 const RandomOptions& options = {});

/// The binding identity: all components +1.
DenseVector<float> identity(std::size_t dim);

/// out = a ⊙ b. out may alias a or b.
void bind(std::span<const float> a, std::span<const float> b, std::span<float> out);
DenseVector<float> bind(std::span<const float> a, std::span<const float> b);

/// MAP unbinding is binding: bound ⊙ key. Exact for ±1 keys
/// (unbind(bind(a, k), k) == a); for real-valued keys it is torchhd's MAP
/// unbind too (bind with inverse(key) = key), not a division. out may alias.
void unbind(std::span<const float> bound, std::span<const float> key, std::span<float> out);
DenseVector<float> unbind(std::span<const float> bound, std::span<const float> key);

/// The MAP inverse: a copy of a. Exact for ±1 vectors (a ⊙ a = identity); for
/// real-valued vectors it is what torchhd's MAPTensor.inverse returns as well
/// (the identity map), not the element-wise reciprocal.
DenseVector<float> inverse(std::span<const float> a);

/// Cyclic shift, as torch.roll: out[i] = a[(i - shifts) mod D], any shifts.
DenseVector<float> permute(std::span<const float> a, std::ptrdiff_t shifts);
/// inverse_permute(permute(a, k), k) == a for every k (PTRDIFF_MIN too).
DenseVector<float> inverse_permute(std::span<const float> a, std::ptrdiff_t shifts);

/// Σ_k weights[k] · rows[k]; weights empty means all 1. Throws on no rows or
/// a weights/rows count mismatch.
DenseVector<float> bundle(const DenseMatrixView<float>& rows,
                          std::span<const float> weights = {});

/// acc += weight · x (the building block of weighted bundling). acc must not
/// overlap x (InvalidArgument).
void add_scaled(std::span<const float> x, float weight, std::span<float> acc);

/// Σ a_i b_i, accumulated in float with several partial sums, returned as double.
/// |error| <= γ_k Σ|a_i b_i|, γ_k = k u/(1 - k u), u = 2^-24, k <= D/4 + 32
/// (simd/dense-inl.h). Sums past the float range are redone in double.
double dot(std::span<const float> a, std::span<const float> b);

/// dot / (‖a‖ ‖b‖), clamped to [-1, 1]; 0 when either vector is zero.
/// Float sums as dot (k <= D/2 + 32): |error| <= 2γ_k + a few double ulps.
double cosine(std::span<const float> a, std::span<const float> b);

/// sign(x) element-wise: -1, 0 or +1 (±Inf → ±1). NaN throws InvalidArgument.
DenseVector<float> sign(std::span<const float> x);

/// min(max(x, lo), hi) element-wise; requires lo <= hi.
DenseVector<float> clip(std::span<const float> x, float lo, float hi);

/// Threshold to ±1 floats: x > 0 → +1, x < 0 → -1, x == 0 → tie rule
/// (torchhd's hard_quantize, which is torchhd MAP's `normalize`). NaN/Inf
/// throw InvalidArgument. (Named dense::normalize before this release.)
DenseVector<float> hard_quantize(std::span<const float> x,
                                 const TieBreak& tie = TieBreak::toward_negative());

/// ‖x‖₂, accumulated as dot(x, x). NaN/Inf throw InvalidArgument.
double norm(std::span<const float> x);

/// x / ‖x‖₂ (unit L2 norm, as hrr::normalize). Throws InvalidArgument for the
/// zero vector (no direction) and for NaN/Inf. Not a quantiser: for ±1
/// outputs use hard_quantize.
DenseVector<float> normalize(std::span<const float> x);

/// Threshold to packed bipolar (same rule as hard_quantize; NaN/Inf throw).
PackedVector to_packed(std::span<const float> x,
                       const TieBreak& tie = TieBreak::toward_negative());

/// Packed → ±1 floats.
DenseVector<float> to_float(PackedView v);

// --- int8 --------------------------------------------------------------------

/// Random MAP vector as ±1 int8: exactly to_int8(bipolar::random(dim, seed, row)).
DenseVector<std::int8_t> random_int8(std::size_t dim, std::uint64_t seed,
                                     std::uint64_t row = 0);

/// out = a ⊙ b, saturated to [-127, 127]. out may alias a or b.
void bind(std::span<const std::int8_t> a, std::span<const std::int8_t> b,
          std::span<std::int8_t> out);
DenseVector<std::int8_t> bind(std::span<const std::int8_t> a,
                              std::span<const std::int8_t> b);

/// bound ⊙ key, saturated (the MAP unbind = bind; exact for ±1). out may alias.
void unbind(std::span<const std::int8_t> bound, std::span<const std::int8_t> key,
            std::span<std::int8_t> out);
DenseVector<std::int8_t> unbind(std::span<const std::int8_t> bound,
                                std::span<const std::int8_t> key);

/// The MAP inverse of an int8 vector: a copy of a (exact for ±1).
DenseVector<std::int8_t> inverse(std::span<const std::int8_t> a);

/// Cyclic shifts as for float: out[i] = a[(i - shifts) mod D], and its inverse.
DenseVector<std::int8_t> permute(std::span<const std::int8_t> a, std::ptrdiff_t shifts);
DenseVector<std::int8_t> inverse_permute(std::span<const std::int8_t> a, std::ptrdiff_t shifts);

/// Σ a_i b_i, exact (int64).
std::int64_t dot(std::span<const std::int8_t> a, std::span<const std::int8_t> b);

/// dot / (‖a‖ ‖b‖) from exact integer sums, clamped to [-1, 1]; 0 when
/// either vector is zero.
double cosine(std::span<const std::int8_t> a, std::span<const std::int8_t> b);

/// sign(x) element-wise: -1, 0 or +1.
DenseVector<std::int8_t> sign(std::span<const std::int8_t> x);

/// Clip int32 sums (an Accumulator's) to [-kappa, kappa] as int8 (MAP-I with
/// clipping, as torchhd's `clipping`); requires 1 <= kappa <= 127.
DenseVector<std::int8_t> clip(std::span<const std::int32_t> sums, int kappa);

/// Threshold to packed bipolar: x > 0 → +1, x < 0 → -1, 0 → tie rule.
PackedVector to_packed(std::span<const std::int8_t> x,
                       const TieBreak& tie = TieBreak::toward_negative());

/// Packed → ±1 int8.
DenseVector<std::int8_t> to_int8(PackedView v);

}  // namespace hypervec::dense
