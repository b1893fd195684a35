// Scalar baselines for the encodings (encode.hpp): one component at a time,
// straight from the math. Tests compare against them; benchmarks show the
// gain of composing the SIMD kernels. Internal: not installed.
#pragma once

#include <hypervec/storage.hpp>

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace hypervec::reference::encode {

/// sign(R x) with R's rows packed (bit 1 = -1), sums in double, ties → -1.
PackedVector project(const PackedMatrixView& r, std::span<const float> x);

/// Σ over windows of Π_j ρ^{n-1-j}(C[text[i+j]]) as int32 sums, one
/// component at a time (C has >= 256 rows).
std::vector<std::int32_t> text_ngrams(std::string_view text, const PackedMatrixView& codebook,
                                      std::size_t n);

}  // namespace hypervec::reference::encode
