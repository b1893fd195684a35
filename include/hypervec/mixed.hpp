// Mixed precision: a float query scored against packed bipolar vectors
// without unpacking them. With b_i = ±1 stored as bit β_i (1 = -1):
//   dot(q, b) = Σ_i q_i b_i = Σ_i q_i - 2 Σ_{β_i = 1} q_i
// so the codebook is read at 1 bit per component. The Hyperdimensional Probe
// scores the encoder's float output against bipolar atoms this way.
// Implementations: simd/mixed.cc; scalar references: src/reference/mixed.cpp.
#pragma once

#include <hypervec/storage.hpp>

#include <cstddef>
#include <span>

namespace hypervec::mixed {

/// Σ q_i b_i for a float query q and a packed bipolar b of the same D.
/// Throws InvalidArgument if q holds NaN or ±Inf.
double dot(std::span<const float> q, PackedView b);

/// dot(q, b) / (‖q‖ √D); 0 when q is the zero vector.
double cosine(std::span<const float> q, PackedView b);

/// out[r] = dot(q, rows.row(r)) for every row, Σ q computed once.
/// out.size() must equal rows.rows.
void dot_rows(std::span<const float> q, const PackedMatrixView& rows,
              std::span<double> out);

}  // namespace hypervec::mixed
