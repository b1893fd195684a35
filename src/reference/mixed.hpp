// Scalar references for mixed-precision scoring (mixed.hpp): Σ q_i b_i one
// component at a time in double, reading b_i = ±1 from the packed bits.
// Internal: not installed; no input validation.
#pragma once

#include <hypervec/storage.hpp>

#include <span>

namespace hypervec::reference::mixed {

double dot(std::span<const float> q, PackedView b);
double cosine(std::span<const float> q, PackedView b);
void dot_rows(std::span<const float> q, const PackedMatrixView& rows, std::span<double> out);

}  // namespace hypervec::reference::mixed
