// Storage for hypervectors: aligned owning vectors and matrices, and
// non-owning views over caller memory.
//
// Layout contract (every kernel relies on it):
//  * Owning storage is aligned to kAlignment (64 bytes, one AVX-512 vector).
//  * A matrix is row-major; each row is padded to a multiple of kAlignment
//    bytes, so every row starts aligned. Padding is zero and stays zero.
//  * Packed bipolar vectors hold component i in bit (i % 64) of 64-bit word
//    (i / 64), least significant bit first; bit 1 means -1, bit 0 means +1.
//    Bits at positions >= D in the last word are zero (the tail invariant),
//    so XOR/popcount kernels may run over whole words.
#pragma once

#include <hypervec/error.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <new>
#include <span>
#include <utility>

namespace hypervec {

/// Alignment, in bytes, of owning storage and of every padded row.
inline constexpr std::size_t kAlignment = 64;

/// n elements of T rounded up to a whole number of kAlignment-byte blocks.
template <typename T>
constexpr std::size_t padded_length(std::size_t n) {
  constexpr std::size_t per_block = kAlignment / sizeof(T);
  return (n + per_block - 1) / per_block * per_block;
}

/// Number of 64-bit words that hold D packed components.
constexpr std::size_t packed_words(std::size_t dim) { return (dim + 63) / 64; }

/// Mask of the valid bits in the last word of a D-component packed vector.
constexpr std::uint64_t packed_tail_mask(std::size_t dim) {
  return (dim % 64 == 0) ? ~std::uint64_t{0}
                         : ((std::uint64_t{1} << (dim % 64)) - 1);
}

/// Owning, zero-initialised, kAlignment-aligned array of trivially copyable T.
template <typename T>
class AlignedBuffer {
 public:
  AlignedBuffer() = default;
  explicit AlignedBuffer(std::size_t size) : size_(size) {
    if (size_ == 0) return;
    data_ = static_cast<T*>(
        ::operator new(size_ * sizeof(T), std::align_val_t{kAlignment}));
    std::memset(static_cast<void*>(data_), 0, size_ * sizeof(T));
  }
  AlignedBuffer(const AlignedBuffer& other) : AlignedBuffer(other.size_) {
    if (size_ != 0) std::memcpy(data_, other.data_, size_ * sizeof(T));
  }
  AlignedBuffer(AlignedBuffer&& other) noexcept
      : data_(std::exchange(other.data_, nullptr)),
        size_(std::exchange(other.size_, 0)) {}
  AlignedBuffer& operator=(AlignedBuffer other) noexcept {
    std::swap(data_, other.data_);
    std::swap(size_, other.size_);
    return *this;
  }
  ~AlignedBuffer() {
    if (data_ != nullptr) ::operator delete(data_, std::align_val_t{kAlignment});
  }

  T* data() noexcept { return data_; }
  const T* data() const noexcept { return data_; }
  std::size_t size() const noexcept { return size_; }

 private:
  T* data_ = nullptr;
  std::size_t size_ = 0;
};

// ---------------------------------------------------------------------------
// Dense vectors (int8 MAP-B / MAP-I values, float MAP-C and HRR values)
// ---------------------------------------------------------------------------

/// An owning dense hypervector of D values, padded with zeros to kAlignment.
template <typename T>
class DenseVector {
 public:
  DenseVector() = default;
  explicit DenseVector(std::size_t dim) : buffer_(padded_length<T>(dim)), dim_(dim) {}
  /// Copies `values` (D = values.size()).
  explicit DenseVector(std::span<const T> values) : DenseVector(values.size()) {
    std::copy(values.begin(), values.end(), buffer_.data());
  }

  std::size_t dim() const noexcept { return dim_; }
  T* data() noexcept { return buffer_.data(); }
  const T* data() const noexcept { return buffer_.data(); }
  std::span<T> values() noexcept { return {buffer_.data(), dim_}; }
  std::span<const T> values() const noexcept { return {buffer_.data(), dim_}; }
  operator std::span<const T>() const noexcept { return values(); }
  T& operator[](std::size_t i) noexcept { return buffer_.data()[i]; }
  const T& operator[](std::size_t i) const noexcept { return buffer_.data()[i]; }

 private:
  AlignedBuffer<T> buffer_;
  std::size_t dim_ = 0;
};

/// A non-owning view of `rows` dense rows of D values, `stride` elements apart.
template <typename T>
struct DenseMatrixView {
  const T* data = nullptr;
  std::size_t rows = 0;
  std::size_t dim = 0;
  std::size_t stride = 0;  // elements between row starts, >= dim

  std::span<const T> row(std::size_t i) const noexcept {
    return {data + i * stride, dim};
  }
};

/// An owning row-major matrix of dense hypervectors (a codebook or a batch).
template <typename T>
class DenseMatrix {
 public:
  DenseMatrix() = default;
  DenseMatrix(std::size_t rows, std::size_t dim)
      : buffer_(rows * padded_length<T>(dim)),
        rows_(rows),
        dim_(dim),
        stride_(padded_length<T>(dim)) {}

  std::size_t rows() const noexcept { return rows_; }
  std::size_t dim() const noexcept { return dim_; }
  std::size_t stride() const noexcept { return stride_; }
  T* data() noexcept { return buffer_.data(); }
  const T* data() const noexcept { return buffer_.data(); }
  std::span<T> row(std::size_t i) noexcept { return {buffer_.data() + i * stride_, dim_}; }
  std::span<const T> row(std::size_t i) const noexcept {
    return {buffer_.data() + i * stride_, dim_};
  }
  DenseMatrixView<T> view() const noexcept { return {buffer_.data(), rows_, dim_, stride_}; }
  operator DenseMatrixView<T>() const noexcept { return view(); }

 private:
  AlignedBuffer<T> buffer_;
  std::size_t rows_ = 0;
  std::size_t dim_ = 0;
  std::size_t stride_ = 0;
};

// ---------------------------------------------------------------------------
// Packed bipolar vectors (1 bit per component, bit 1 = -1)
// ---------------------------------------------------------------------------

/// Read-only view of a packed bipolar vector: packed_words(dim) words.
struct PackedView {
  const std::uint64_t* words = nullptr;
  std::size_t dim = 0;

  std::size_t num_words() const noexcept { return packed_words(dim); }
  /// Component i as +1 or -1.
  int component(std::size_t i) const noexcept {
    return ((words[i / 64] >> (i % 64)) & 1U) ? -1 : 1;
  }
};

/// Writable view of a packed bipolar vector. Writers keep the tail invariant.
struct PackedSpan {
  std::uint64_t* words = nullptr;
  std::size_t dim = 0;

  std::size_t num_words() const noexcept { return packed_words(dim); }
  operator PackedView() const noexcept { return {words, dim}; }
};

/// Wraps caller memory as a packed vector after checking it: `available_words`
/// must cover packed_words(dim), and the bits past D in the last word must be
/// zero. Throws DimensionError / InvalidArgument naming `what` otherwise.
inline PackedView make_packed_view(const std::uint64_t* words,
                                   std::size_t available_words, std::size_t dim,
                                   const char* what = "packed vector") {
  detail::require_nonzero_dim("make_packed_view", what, dim);
  if (words == nullptr) {
    throw InvalidArgument(detail::concat("make_packed_view: ", what, " is a null pointer"));
  }
  if (available_words < packed_words(dim)) {
    throw DimensionError(detail::concat("make_packed_view: ", what, " holds ", available_words,
                                        " words, D=", dim, " needs ", packed_words(dim)));
  }
  if ((words[packed_words(dim) - 1] & ~packed_tail_mask(dim)) != 0) {
    throw InvalidArgument(detail::concat("make_packed_view: ", what, " has nonzero bits past D=",
                                         dim, " in its last word (tail invariant)"));
  }
  return {words, dim};
}

/// An owning packed bipolar hypervector; all components start at +1.
class PackedVector {
 public:
  PackedVector() = default;
  explicit PackedVector(std::size_t dim)
      : buffer_(padded_length<std::uint64_t>(packed_words(dim))), dim_(dim) {}

  std::size_t dim() const noexcept { return dim_; }
  std::size_t num_words() const noexcept { return packed_words(dim_); }
  std::uint64_t* words() noexcept { return buffer_.data(); }
  const std::uint64_t* words() const noexcept { return buffer_.data(); }
  PackedView view() const noexcept { return {buffer_.data(), dim_}; }
  PackedSpan span() noexcept { return {buffer_.data(), dim_}; }
  operator PackedView() const noexcept { return view(); }

  /// Component i as +1 or -1 (unchecked).
  int component(std::size_t i) const noexcept { return view().component(i); }
  /// Sets component i to -1 when `negative`, else +1 (unchecked).
  void set_component(std::size_t i, bool negative) noexcept {
    const std::uint64_t bit = std::uint64_t{1} << (i % 64);
    if (negative) {
      buffer_.data()[i / 64] |= bit;
    } else {
      buffer_.data()[i / 64] &= ~bit;
    }
  }
  friend bool operator==(const PackedVector& a, const PackedVector& b) noexcept {
    return a.dim_ == b.dim_ &&
           std::equal(a.words(), a.words() + a.num_words(), b.words());
  }

 private:
  AlignedBuffer<std::uint64_t> buffer_;
  std::size_t dim_ = 0;
};

/// Non-owning view of `rows` packed vectors, `stride_words` words apart.
struct PackedMatrixView {
  const std::uint64_t* words = nullptr;
  std::size_t rows = 0;
  std::size_t dim = 0;
  std::size_t stride_words = 0;

  PackedView row(std::size_t i) const noexcept { return {words + i * stride_words, dim}; }
};

/// An owning row-major matrix of packed bipolar vectors (a codebook).
class PackedMatrix {
 public:
  PackedMatrix() = default;
  PackedMatrix(std::size_t rows, std::size_t dim)
      : buffer_(rows * padded_length<std::uint64_t>(packed_words(dim))),
        rows_(rows),
        dim_(dim),
        stride_words_(padded_length<std::uint64_t>(packed_words(dim))) {}

  std::size_t rows() const noexcept { return rows_; }
  std::size_t dim() const noexcept { return dim_; }
  std::size_t stride_words() const noexcept { return stride_words_; }
  std::uint64_t* words() noexcept { return buffer_.data(); }
  const std::uint64_t* words() const noexcept { return buffer_.data(); }
  PackedView row(std::size_t i) const noexcept {
    return {buffer_.data() + i * stride_words_, dim_};
  }
  PackedSpan row_span(std::size_t i) noexcept {
    return {buffer_.data() + i * stride_words_, dim_};
  }
  PackedMatrixView view() const noexcept {
    return {buffer_.data(), rows_, dim_, stride_words_};
  }
  operator PackedMatrixView() const noexcept { return view(); }

 private:
  AlignedBuffer<std::uint64_t> buffer_;
  std::size_t rows_ = 0;
  std::size_t dim_ = 0;
  std::size_t stride_words_ = 0;
};

}  // namespace hypervec
