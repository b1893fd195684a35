// Scalar references for mixed precision (mixed.hpp): binding one component
// at a time (the float sign bit flipped where the key bit is 1), and Σ q_i b_i
// one component at a time in double, reading b_i = ±1 from the packed bits.
// Internal: not installed; no input validation.
#pragma once

#include <hypervec/storage.hpp>

#include <span>

namespace hypervec::reference::mixed {

void bind(std::span<const float> q, PackedView key, std::span<float> out);
double dot(std::span<const float> q, PackedView b);
double cosine(std::span<const float> q, PackedView b);
void dot_rows(std::span<const float> q, const PackedMatrixView& rows, std::span<double> out);

}  // namespace hypervec::reference::mixed
