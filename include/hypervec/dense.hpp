// Dense MAP vectors: float32 (MAP-C: real values as a neural encoder emits
// them; MAP-B when the values are ±1) and int8 (MAP-B stored dense, or a
// clipped MAP-I sum). Operations follow torchhd's MAP semantics:
//   bind = element-wise product, bundle = (weighted) sum, similarity = dot or
//   cosine, normalise = threshold to ±1 with a TieBreak rule (bundle.hpp).
//
// Conventions:
//  * sign(0) = 0. cosine with a zero vector is defined as 0 (no NaN): a zero
//    vector is orthogonal to everything.
//  * Float inputs containing NaN or ±Inf make dot/cosine/normalise throw
//    InvalidArgument (the check rides on the result, so it is free).
//  * int8 products and clipping saturate to [-127, 127] (symmetric, so that
//    negation never overflows).
// Implementations: simd/dense.cc; scalar references: src/reference/dense.cpp.
#pragma once

#include <hypervec/bundle.hpp>
#include <hypervec/storage.hpp>

#include <cstddef>
#include <cstdint>
#include <span>

namespace hypervec::dense {

// --- float32 ---------------------------------------------------------------

/// out = a ⊙ b. out may alias a or b.
void bind(std::span<const float> a, std::span<const float> b, std::span<float> out);
DenseVector<float> bind(std::span<const float> a, std::span<const float> b);

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

/// Threshold to ±1 floats: x > 0 → +1, x < 0 → -1, x == 0 → tie rule.
DenseVector<float> normalize(std::span<const float> x,
                             const TieBreak& tie = TieBreak::toward_negative());

/// Threshold to packed bipolar (same rule as normalize; NaN/Inf throw).
PackedVector to_packed(std::span<const float> x,
                       const TieBreak& tie = TieBreak::toward_negative());

/// Packed → ±1 floats.
DenseVector<float> to_float(PackedView v);

// --- int8 --------------------------------------------------------------------

/// out = a ⊙ b, saturated to [-127, 127]. out may alias a or b.
void bind(std::span<const std::int8_t> a, std::span<const std::int8_t> b,
          std::span<std::int8_t> out);
DenseVector<std::int8_t> bind(std::span<const std::int8_t> a,
                              std::span<const std::int8_t> b);

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
