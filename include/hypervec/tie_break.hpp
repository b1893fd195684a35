// TieBreak: how thresholding a sum to ±1 resolves a zero. Shared by packed
// bundling (bundle.hpp: Accumulator::threshold, majority, bipolar::bundle) and
// dense quantisation (dense.hpp: hard_quantize, to_packed).
#pragma once

#include <hypervec/storage.hpp>

#include <cstdint>

namespace hypervec {

/// How thresholding resolves a zero sum.
class TieBreak {
 public:
  enum class Kind { toward_negative, toward_positive, random, vector };

  /// Ties become -1 (torchhd's MAP normalize; the default).
  static TieBreak toward_negative() noexcept { return TieBreak(Kind::toward_negative); }
  /// Ties become +1.
  static TieBreak toward_positive() noexcept { return TieBreak(Kind::toward_positive); }
  /// Tie at component i takes component i of bipolar::random(D, seed): a fair,
  /// reproducible coin per component.
  static TieBreak random(std::uint64_t seed) noexcept {
    TieBreak t(Kind::random);
    t.seed_ = seed;
    return t;
  }
  /// Tie at component i takes component i of `tie_vector` (same D as the sums;
  /// the caller keeps it alive). Classic choice: an extra random item.
  static TieBreak from_vector(PackedView tie_vector) noexcept {
    TieBreak t(Kind::vector);
    t.vector_ = tie_vector;
    return t;
  }

  Kind kind() const noexcept { return kind_; }
  std::uint64_t seed() const noexcept { return seed_; }
  PackedView vector() const noexcept { return vector_; }

 private:
  explicit TieBreak(Kind kind) noexcept : kind_(kind) {}
  Kind kind_;
  std::uint64_t seed_ = 0;
  PackedView vector_{};
};

}  // namespace hypervec
