// Internal: one row of numpy packbits bytes (bitorder='big': component i is
// bit 7 - i % 8 of byte i / 8, 1 meaning -1) to packed words (component i is
// bit i % 64 of word i / 64). Shared by npy::from_packbits and
// npy::RowReader::read_packed.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

namespace hypervec::detail {

/// byte → the same byte with its bit order reversed.
inline constexpr std::array<std::uint8_t, 256> kReversedBits = [] {
  std::array<std::uint8_t, 256> t{};
  for (unsigned b = 0; b < 256; ++b) {
    unsigned r = 0;
    for (unsigned k = 0; k < 8; ++k) r |= ((b >> k) & 1U) << (7 - k);
    t[b] = static_cast<std::uint8_t>(r);
  }
  return t;
}();

/// False when the padding bits of the last byte (past D) are set, which
/// np.packbits never writes; otherwise ORs the row's ceil(dim / 8) bytes into
/// `words` (zeroed by the caller, packed_words(dim) of them) and returns true.
inline bool unpack_packbits_row(const std::uint8_t* src, std::size_t dim, std::uint64_t* words) {
  const std::size_t row_bytes = dim / 8 + (dim % 8 != 0 ? 1 : 0);
  const std::uint8_t pad_mask = dim % 8 == 0 ? 0 : static_cast<std::uint8_t>(0xFFU >> (dim % 8));
  if ((src[row_bytes - 1] & pad_mask) != 0) return false;
  for (std::size_t j = 0; j < row_bytes; ++j) {
    words[j / 8] |= std::uint64_t{kReversedBits[src[j]]} << (8 * (j % 8));
  }
  return true;
}

}  // namespace hypervec::detail
