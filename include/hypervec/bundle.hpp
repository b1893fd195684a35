// Bundling for the bipolar MAP model: superposition by summing components,
// then thresholding back to ±1.
//
// * Accumulator (MAP-I): exact int32 sums s_i = Σ_k w_k x_k,i over added
//   vectors (packed or int8), with add and subtract and integer weights.
// * majority(): n-ary bundle of packed vectors that counts every vote once and
//   thresholds once (pairwise majority would add tie noise at every step),
//   using bit-sliced carry-save counters: the counts live as bit planes, so
//   64 components are counted per word operation, and groups of 8 votes are
//   added by a Harley–Seal tree of full adders (about 3.5 ops per vote).
// * Thresholding maps s_i > 0 to +1, s_i < 0 to -1 and ties (s_i = 0) by a
//   TieBreak rule (tie_break.hpp). torchhd's MAP `normalize` sends ties to -1;
//   that is the default here, and the Hyperdimensional Probe depends on it.
// bipolar::bundle (bipolar.hpp) is majority() under the common model verb.
#pragma once

#include <hypervec/storage.hpp>
#include <hypervec/tie_break.hpp>

#include <cstddef>
#include <cstdint>
#include <span>

namespace hypervec {

namespace bipolar {

/// MAP-I accumulator: exact integer sums of weighted bipolar vectors.
/// Throws InvalidArgument if the total |weight| would exceed INT32_MAX
/// (the sums could overflow).
class Accumulator {
 public:
  /// Throws DimensionError for dim == 0.
  explicit Accumulator(std::size_t dim);

  std::size_t dim() const noexcept { return dim_; }
  /// Σ of the weights added (subtractions count negative).
  std::int64_t total_weight() const noexcept { return total_weight_; }
  /// The sums s_i, one per component.
  std::span<const std::int32_t> sums() const noexcept { return {sums_.data(), dim_}; }

  /// s += weight · v (v as ±1).
  void add(PackedView v, std::int32_t weight = 1);
  /// s -= weight · v: undoes add(v, weight) exactly.
  void subtract(PackedView v, std::int32_t weight = 1);
  /// s += weight · v for a dense int8 vector (any values, e.g. a MAP-I sum).
  void add(std::span<const std::int8_t> v, std::int32_t weight = 1);
  /// Adds every item with weight 1 using bit-sliced counters (the fast path
  /// for many packed inputs); same result as add() on each.
  void add_all(std::span<const PackedView> items);
  /// Resets all sums to 0.
  void clear() noexcept;

  /// Sign of each sum as a packed vector, ties resolved by `tie`.
  PackedVector threshold(const TieBreak& tie = TieBreak::toward_negative()) const;
  /// The same into `out` (D components), allocating nothing unless `tie` is
  /// random.
  void threshold(PackedSpan out, const TieBreak& tie = TieBreak::toward_negative()) const;

 private:
  void account(std::int64_t magnitude, const char* where);

  std::size_t dim_;
  AlignedBuffer<std::int32_t> sums_;
  std::int64_t total_weight_ = 0;
  std::int64_t total_magnitude_ = 0;
};

/// n-ary majority of packed vectors: component i is -1 when more than half of
/// the items have -1 there, +1 when fewer, `tie` when exactly half (only for
/// even n). Throws InvalidArgument when items is empty, DimensionError on a
/// dimension mismatch.
PackedVector majority(std::span<const PackedView> items,
                      const TieBreak& tie = TieBreak::toward_negative());
/// Majority of every row of a matrix.
PackedVector majority(const PackedMatrixView& rows,
                      const TieBreak& tie = TieBreak::toward_negative());
/// The same into `out` (D components) without allocating (up to 65,535 items;
/// past that the votes are summed in an Accumulator). `out` may be one of the
/// items but must not otherwise overlap them (InvalidArgument). A random tie
/// rule writes its bits into `out` before the votes overwrite them (it
/// allocates only when `out` is an item); odd n skips the tie bits.
void majority(std::span<const PackedView> items, PackedSpan out,
              const TieBreak& tie = TieBreak::toward_negative());
void majority(const PackedMatrixView& rows, PackedSpan out,
              const TieBreak& tie = TieBreak::toward_negative());

}  // namespace bipolar
}  // namespace hypervec
