// Counter-based random generation. Row r of a codebook with seed s is a pure
// function of (s, r): identical on every SIMD target, platform and thread
// count, so rows can be generated in any order and in parallel.
//
// The scheme (docs/concepts.md, "Random generation", has a Python version):
//   mix64(z)        = SplitMix64's finaliser:
//                     z ^= z >> 30; z *= 0xbf58476d1ce4e5b9;
//                     z ^= z >> 27; z *= 0x94d049bb133111eb; z ^= z >> 31
//   key(s, r)       = mix64(mix64(s) + r)                (mod 2^64)
//   word(s, r, j)   = mix64(key(s, r) + (j + 1) * 0x9e3779b97f4a7c15)
// i.e. row r is the SplitMix64 stream whose state starts at key(s, r).
// Bipolar rows use word j as packed word j (component i = bit i%64 of word
// i/64, 1 = -1), masked past D. Uniform doubles are (word >> 11) * 2^-53.
//
// RandomOptions is the one options struct of every model's random_matrix
// (bipolar, dense, hrr, fhrr).
#pragma once

#include <hypervec/error.hpp>

#include <cmath>
#include <cstdint>
#include <numbers>

namespace hypervec {

/// Options of random_matrix(rows, dim, seed, options) in every model.
///  * first_row: the matrix holds codebook rows first_row .. first_row+rows-1,
///    so row i equals random(dim, seed, first_row + i).
///  * threads:   0 = all cores; the result never depends on it.
///  * unit_norm: HRR only: scale each row to ‖x‖₂ = 1 (torchhd ≥ 5.5's HRR
///    random). Every other model throws InvalidArgument when it is set.
struct RandomOptions {
  std::uint64_t first_row = 0;
  unsigned threads = 0;
  bool unit_norm = false;
};

namespace detail {
/// The check of every non-HRR random_matrix: unit_norm means nothing there.
inline void require_no_unit_norm(const char* where, const RandomOptions& options) {
  require<InvalidArgument>(!options.unit_norm, where,
                           ": options.unit_norm is set; unit norm applies to HRR rows only "
                           "(this model's rows have a fixed norm)");
}
}  // namespace detail

}  // namespace hypervec

namespace hypervec::random {

inline constexpr std::uint64_t kGolden = 0x9e3779b97f4a7c15ULL;

/// SplitMix64's output finaliser: a bijection on 64-bit words.
constexpr std::uint64_t mix64(std::uint64_t z) noexcept {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

/// The stream key of row `row` under `seed`.
constexpr std::uint64_t row_key(std::uint64_t seed, std::uint64_t row) noexcept {
  return mix64(mix64(seed) + row);
}

/// Word `index` of the stream with key `key`.
constexpr std::uint64_t stream_word(std::uint64_t key, std::uint64_t index) noexcept {
  return mix64(key + (index + 1) * kGolden);
}

/// Sequential reader of one row's stream: the n-th call returns word n.
class RowStream {
 public:
  constexpr RowStream(std::uint64_t seed, std::uint64_t row) noexcept
      : key_(row_key(seed, row)) {}

  constexpr std::uint64_t next_u64() noexcept { return stream_word(key_, counter_++); }

  /// Uniform double in [0, 1) with 53 random bits.
  double next_uniform() noexcept {
    return static_cast<double>(next_u64() >> 11) * 0x1.0p-53;
  }

  /// Two independent standard normals from two words (Box-Muller):
  /// u1 = ((w0 >> 11) + 1) * 2^-53 in (0, 1], u2 = (w1 >> 11) * 2^-53,
  /// r = sqrt(-2 ln u1), returns (r cos 2 pi u2, r sin 2 pi u2).
  void next_normal_pair(double& z0, double& z1) noexcept {
    const double u1 = static_cast<double>((next_u64() >> 11) + 1) * 0x1.0p-53;
    const double u2 = static_cast<double>(next_u64() >> 11) * 0x1.0p-53;
    const double r = std::sqrt(-2.0 * std::log(u1));
    const double angle = 2.0 * std::numbers::pi * u2;
    z0 = r * std::cos(angle);
    z1 = r * std::sin(angle);
  }

 private:
  std::uint64_t key_;
  std::uint64_t counter_ = 0;
};

}  // namespace hypervec::random
