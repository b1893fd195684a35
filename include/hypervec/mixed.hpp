// Mixed precision: a float query bound to, or scored against, packed bipolar
// vectors without unpacking them. With b_i = ±1 stored as bit β_i (1 = -1):
//   (q ⊙ b)_i = q_i with its sign flipped where β_i = 1
//   dot(q, b) = Σ_i q_i b_i = Σ_i q_i - 2 Σ_{β_i = 1} q_i
// so the key or codebook is read at 1 bit per component. The Hyperdimensional
// Probe unbinds float documents and scores them against bipolar atoms this way.
// Implementations: simd/mixed.cc; scalar references: src/reference/mixed.cpp.
#pragma once

#include <hypervec/storage.hpp>

#include <cstddef>
#include <span>

namespace hypervec::mixed {

/// out = q ⊙ key (MAP binding of a float vector with a packed bipolar one):
/// out_i = -q_i where bit i of key is 1 (key_i = -1), else q_i. The flip is
/// exact, an XOR of the float sign bit, so it never rounds and NaN, ±Inf and
/// ±0 pass through with only their sign bit changed (-0 ⊙ -1 = +0). Self
/// inverse: bind(bind(q, key), key) == q bit for bit, so this is also unbind.
/// out may alias q (the same span; a partial overlap throws
/// InvalidArgument). Throws DimensionError if D = 0 or q, key and out differ
/// in D; InvalidArgument if key is a null view.
void bind(std::span<const float> q, PackedView key, std::span<float> out);
DenseVector<float> bind(std::span<const float> q, PackedView key);

/// Σ q_i b_i for a float query q and a packed bipolar b of the same D.
/// Throws InvalidArgument if q holds NaN or ±Inf. Both sums accumulate in
/// float lanes: |error| <= 3γ_k Σ|q_i|, γ_k as dense::dot (k <= D/4 + 32);
/// exact when every partial sum is (e.g. q = ±1 or small integers).
double dot(std::span<const float> q, PackedView b);

/// dot(q, b) / (‖q‖ √D), clamped to [-1, 1]; 0 when q is the zero vector.
double cosine(std::span<const float> q, PackedView b);

/// out[r] = dot(q, rows.row(r)) for every row, Σ q computed once.
/// out.size() must equal rows.rows (DimensionError). out[r] equals
/// dot(q, rows.row(r)) bit for bit while the float sums stay finite (past the
/// float range all rows are redone in double). Throws like dot on NaN/Inf.
void dot_rows(std::span<const float> q, const PackedMatrixView& rows,
              std::span<double> out);

}  // namespace hypervec::mixed
