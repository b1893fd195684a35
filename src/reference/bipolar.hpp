// Scalar references for the packed bipolar model (bipolar.hpp) and its
// bundling (bundle.hpp): one component at a time, straight from the math.
// They define the expected results for the SIMD kernels in simd/ and are
// the baseline in the benchmarks. Internal: not installed.
#pragma once

#include <hypervec/bundle.hpp>
#include <hypervec/storage.hpp>

#include <cstdint>
#include <span>
#include <vector>

namespace hypervec::reference::bipolar {

PackedVector bind(PackedView a, PackedView b);
PackedVector permute(PackedView a, std::ptrdiff_t shifts);
std::uint64_t hamming(PackedView a, PackedView b);
std::int64_t dot(PackedView a, PackedView b);
double cosine(PackedView a, PackedView b);

/// sums[i] += weight · a_i, one component at a time.
void accumulate(PackedView v, std::int32_t weight, std::span<std::int32_t> sums);
/// Sign of each sum with the tie rule; ties of Kind::random use
/// hypervec::bipolar::random(D, seed) components.
PackedVector threshold(std::span<const std::int32_t> sums, const TieBreak& tie);
/// Per-bit vote counting, then threshold: the baseline for bit-sliced majority.
PackedVector majority(std::span<const PackedView> items, const TieBreak& tie);

}  // namespace hypervec::reference::bipolar
