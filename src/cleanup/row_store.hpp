// Internal: growable row-major storage of a cleanup memory, rows aligned and
// zero-padded to whole kAlignment blocks, as the kernels (src/cleanup/
// kernels.hpp) require.
#pragma once

#include <hypervec/storage.hpp>

#include <algorithm>
#include <cstddef>
#include <utility>

namespace hypervec::cleanup::detail {

/// Growable row-major storage with kAlignment-aligned, zero-padded rows.
template <typename T>
class RowStore {
 public:
  RowStore() = default;
  explicit RowStore(std::size_t stride) : stride_(stride) {}
  std::size_t rows() const noexcept { return rows_; }
  std::size_t stride() const noexcept { return stride_; }
  const T* data() const noexcept { return buffer_.data(); }
  const T* row(std::size_t i) const noexcept { return buffer_.data() + i * stride_; }
  /// Appends n rows copied from src (row r at src + r·src_stride, `length`
  /// <= stride() elements each; the rest of each row stays zero) and returns
  /// a pointer to the first. src may point into this store (e.g. a row(i)
  /// of it): when the store grows, the rows are copied before the old
  /// buffer is released, so aliasing is safe.
  T* append(const T* src, std::size_t src_stride, std::size_t n, std::size_t length) {
    AlignedBuffer<T> old;  // keeps the previous buffer, and src, alive until the copy
    hypervec::detail::require_rows_limit("cleanup memory", "the memory after this add", n);
    const std::size_t need = hypervec::detail::checked_add(rows_, n, "cleanup memory", "rows");
    hypervec::detail::require_rows_limit("cleanup memory", "the memory after this add", need);
    if (need > capacity_) {
      std::size_t cap = capacity_ == 0 ? 16 : capacity_;
      while (cap < need) cap = cap > kMaxRows / 2 ? kMaxRows : cap * 2;
      AlignedBuffer<T> grown(hypervec::detail::checked_mul(cap, stride_, "cleanup memory", "the row store"));
      if (rows_ != 0) std::copy(buffer_.data(), buffer_.data() + rows_ * stride_, grown.data());
      old = std::move(buffer_);
      buffer_ = std::move(grown);
      capacity_ = cap;
    }
    T* first = buffer_.data() + rows_ * stride_;
    // New rows never overlap a source row: they start past every stored row.
    for (std::size_t r = 0; r < n; ++r) {
      std::copy(src + r * src_stride, src + r * src_stride + length, first + r * stride_);
    }
    rows_ += n;
    return first;
  }

 private:
  AlignedBuffer<T> buffer_;
  std::size_t rows_ = 0;
  std::size_t capacity_ = 0;
  std::size_t stride_ = 0;
};

}  // namespace hypervec::cleanup::detail
