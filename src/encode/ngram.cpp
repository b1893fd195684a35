// Sequences of bound items (include/hypervec/encode.hpp): bind_sequence
// (packed) and NGramEncoder<M>. The permuted codebooks ρ^{n-1-j}(C) are built
// once; packed MAP binds a window by XOR into a batch and counts 255 windows
// per bit-sliced add_all pass, the other models bind with M::bind and add
// each window to their Sum.
#include "src/encode/common.hpp"

#include <hypervec/bipolar.hpp>
#include <hypervec/encode.hpp>
#include <hypervec/error.hpp>

#include <algorithm>
#include <vector>

namespace hypervec::encode {

PackedVector bind_sequence(std::span<const PackedView> items) {
  detail::require(!items.empty(), "encode::bind_sequence: items is empty");
  const std::size_t dim = items[0].dim;
  detail::require_valid_dim("encode::bind_sequence", "items[0]", dim);
  const std::size_t n = items.size();
  // Shifts reduced mod D first: n - 1 may not fit in ptrdiff_t (D does).
  PackedVector out = bipolar::permute(items[0], static_cast<std::ptrdiff_t>((n - 1) % dim));
  PackedVector tmp(dim);
  for (std::size_t j = 1; j < n; ++j) {
    detail::require_same_dim("encode::bind_sequence", "items[j]", items[j].dim, "items[0]", dim);
    bipolar::permute(items[j], static_cast<std::ptrdiff_t>((n - 1 - j) % dim), tmp.span());
    bipolar::bind(out, tmp, out.span());
  }
  return out;
}

template <Model M>
NGramEncoder<M>::NGramEncoder(const MatrixView& codebook, std::size_t n)
    : n_(n), dim_(codebook.dim), symbols_(codebook.rows) {
  detail::require(n >= 1, "encode::NGramEncoder: n must be >= 1");
  detail::require(codebook.rows >= 1, "encode::NGramEncoder: codebook has no rows");
  detail::require_valid_dim("encode::NGramEncoder", "codebook", codebook.dim);
  // n x rows permuted copies: checked before allocating.
  const std::size_t copies =
      detail::checked_mul(n, symbols_, "encode::NGramEncoder", "n x codebook rows");
  detail::require_rows_limit("encode::NGramEncoder", "n x codebook rows", copies);
  permuted_ = typename M::Matrix(copies, dim_);
  for (std::size_t j = 0; j < n; ++j) {
    const auto shift = static_cast<std::ptrdiff_t>((n - 1 - j) % dim_);
    for (std::size_t c = 0; c < symbols_; ++c) {
      if constexpr (detail_encode::kPacked<M>) {
        bipolar::permute(codebook.row(c), shift, permuted_.row_span(j * symbols_ + c));
      } else {
        const typename M::Vector p = M::permute(codebook.row(c), shift);
        detail_encode::copy_row<M>(permuted_, j * symbols_ + c, p);
      }
    }
  }
}

template <Model M>
template <typename Symbol>
void NGramEncoder<M>::add_impl(const Symbol* s, std::size_t len, Accumulator& acc) const {
  if (len < n_) return;
  const std::size_t windows = len - n_ + 1;
  const auto row = [&](std::size_t j, std::size_t i) {
    return permuted_.row(j * symbols_ + static_cast<std::size_t>(s[i + j]));
  };
  if constexpr (detail_encode::kPacked<M>) {
    constexpr std::size_t kBatch = 255;  // add_all's bit-sliced pass
    PackedMatrix batch(std::min(kBatch, windows), dim_);
    std::vector<PackedView> views;
    const std::size_t words = packed_words(dim_);
    for (std::size_t first = 0; first < windows; first += kBatch) {
      const std::size_t count = std::min(kBatch, windows - first);
      views.clear();
      for (std::size_t t = 0; t < count; ++t) {
        const std::size_t i = first + t;
        const PackedSpan out = batch.row_span(t);
        const PackedView r0 = row(0, i);
        std::copy(r0.words, r0.words + words, out.words);
        for (std::size_t j = 1; j < n_; ++j) bipolar::bind(out, row(j, i), out);
        views.push_back(batch.row(t));
      }
      acc.add_all(views);
    }
  } else {
    for (std::size_t i = 0; i < windows; ++i) {
      if (n_ == 1) {
        acc.add(row(0, i));
        continue;
      }
      typename M::Vector w = M::bind(row(0, i), row(1, i));
      for (std::size_t j = 2; j < n_; ++j) w = M::bind(w, row(j, i));
      acc.add(w);
    }
  }
}

template <Model M>
void NGramEncoder<M>::add(std::span<const std::uint32_t> symbols, Accumulator& acc) const {
  detail::require_same_dim("encode::NGramEncoder::add", "acc", acc.dim(), "codebook", dim_);
  for (std::size_t i = 0; i < symbols.size(); ++i) {
    detail::require(symbols[i] < symbols_, "encode::NGramEncoder::add: symbols[", i, "] = ",
                    symbols[i], " >= codebook rows ", symbols_);
  }
  add_impl(symbols.data(), symbols.size(), acc);
}

template <Model M>
void NGramEncoder<M>::add_text(std::string_view text, Accumulator& acc) const {
  detail::require_same_dim("encode::NGramEncoder::add_text", "acc", acc.dim(), "codebook", dim_);
  detail::require(symbols_ >= 256, "encode::NGramEncoder::add_text: codebook has ", symbols_,
                  " rows, byte symbols need 256");
  add_impl(reinterpret_cast<const unsigned char*>(text.data()), text.size(), acc);
}

template class NGramEncoder<models::PackedMap>;
template class NGramEncoder<models::DenseMap>;
template class NGramEncoder<models::Hrr<float>>;
template class NGramEncoder<models::Fhrr>;

}  // namespace hypervec::encode
