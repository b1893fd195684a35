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
//
// Size limits (docs/concepts.md, "Size limits"): D <= kMaxDim, rows <=
// kMaxRows, and no owning buffer larger than kMaxBytes. Every constructor
// that takes a size checks them and throws DimensionError naming itself, the
// argument and the limit, before allocating; so every size product derived
// from a legal D and row count (words, padded strides, rows x stride, bytes)
// is computed without wrapping.
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

/// Largest dimension D (components per hypervector) hypervec accepts: 2^30.
/// At the bound a packed vector is 128 MiB and a float one 4 GiB, about a
/// thousand times the largest D used in practice (10^4..10^6); every D, every
/// component index, D + 64 and 2 D fit in an int (FFTW's plan sizes, int32
/// counters) and rows x D stays below 2^62.
inline constexpr std::size_t kMaxDim = std::size_t{1} << 30;

/// Largest number of rows of a matrix, codebook or batch: 2^32. With
/// D <= kMaxDim, rows x (padded) D <= 2^62 elements, so element counts and
/// offsets fit in std::ptrdiff_t; byte counts are bounded by kMaxBytes.
inline constexpr std::size_t kMaxRows = std::size_t{1} << 32;

/// Largest owning allocation, in bytes: 2^47 = 128 TiB, the user address
/// space of x86-64 with 4-level paging. No larger request can succeed, so a
/// larger size is a caller error (DimensionError), not an allocation failure;
/// a legal size that the machine cannot provide throws std::bad_alloc.
inline constexpr std::size_t kMaxBytes = std::size_t{1} << 47;

namespace detail {

[[noreturn, gnu::cold, gnu::noinline]] inline void throw_size_overflow(const char* where, const char* what,
                                             std::size_t a, const char* op, std::size_t b) {
  throw DimensionError(concat(where, ": ", what, " overflows: ", a, op, b,
                              " does not fit in size_t"));
}

/// a * b; throws DimensionError "<where>: <what> overflows: a x b ..." when
/// the product does not fit in size_t.
constexpr std::size_t checked_mul(std::size_t a, std::size_t b, const char* where,
                                  const char* what) {
  std::size_t r = 0;
  if (__builtin_mul_overflow(a, b, &r)) throw_size_overflow(where, what, a, " x ", b);
  return r;
}

/// a + b; throws DimensionError "<where>: <what> overflows: a + b ..." on
/// wrap-around.
constexpr std::size_t checked_add(std::size_t a, std::size_t b, const char* where,
                                  const char* what) {
  std::size_t r = 0;
  if (__builtin_add_overflow(a, b, &r)) throw_size_overflow(where, what, a, " + ", b);
  return r;
}

/// Throws DimensionError when dim > kMaxDim (D = 0 is allowed: empty storage).
inline void require_dim_limit(const char* where, const char* what, std::size_t dim) {
  if (dim > kMaxDim) [[unlikely]] {
    throw_error<DimensionError>(where, ": ", what, " has D=", dim, ", above the limit kMaxDim=",
                                kMaxDim);
  }
}

/// Throws DimensionError unless 1 <= dim <= kMaxDim: the check of every
/// public operation that takes a hypervector dimension.
inline void require_valid_dim(const char* where, const char* what, std::size_t dim) {
  require_nonzero_dim(where, what, dim);
  require_dim_limit(where, what, dim);
}

/// Throws DimensionError when rows > kMaxRows.
inline void require_rows_limit(const char* where, const char* what, std::size_t rows) {
  if (rows > kMaxRows) [[unlikely]] {
    throw_error<DimensionError>(where, ": ", what, " has ", rows,
                                " rows, above the limit kMaxRows=", kMaxRows);
  }
}

/// count elements of `size` bytes; throws DimensionError when the byte count
/// overflows or exceeds kMaxBytes. Returns the byte count.
inline std::size_t checked_bytes(std::size_t count, std::size_t size, const char* where,
                                 const char* what) {
  std::size_t bytes;
  if (__builtin_mul_overflow(count, size, &bytes) || bytes > kMaxBytes) [[unlikely]] {
    throw_error<DimensionError>(where, ": ", what, " of ", count, " elements of ", size,
                                " bytes exceeds the limit kMaxBytes=", kMaxBytes, " bytes");
  }
  return bytes;
}

/// shifts mod dim in [0, dim): the rotation amount of a cyclic shift by
/// `shifts` (any value, PTRDIFF_MIN too) of a dim-component vector, computed
/// without signed overflow. dim >= 1 (callers validate it).
constexpr std::size_t rotation_amount(std::ptrdiff_t shifts, std::size_t dim) noexcept {
  if (shifts >= 0) return static_cast<std::size_t>(shifts) % dim;
  // |shifts| in unsigned arithmetic: 0 - (size_t)shifts is exact, even for PTRDIFF_MIN.
  const std::size_t m = (std::size_t{0} - static_cast<std::size_t>(shifts)) % dim;
  return m == 0 ? 0 : dim - m;
}

/// The rotation amount of the inverse shift, (-shifts) mod dim, without
/// negating `shifts` (which overflows for PTRDIFF_MIN). dim >= 1.
constexpr std::size_t inverse_rotation_amount(std::ptrdiff_t shifts, std::size_t dim) noexcept {
  const std::size_t s = rotation_amount(shifts, dim);
  return s == 0 ? 0 : dim - s;
}

}  // namespace detail

/// n elements of T rounded up to a whole number of kAlignment-byte blocks.
/// Throws DimensionError if the rounded value does not fit in size_t (any
/// n <= kMaxBytes is safe).
template <typename T>
constexpr std::size_t padded_length(std::size_t n) {
  constexpr std::size_t per_block = kAlignment / sizeof(T);
  const std::size_t blocks = n / per_block + (n % per_block != 0 ? 1 : 0);
  return detail::checked_mul(blocks, per_block, "padded_length", "the padded length");
}

/// Number of 64-bit words that hold D packed components: ceil(D / 64),
/// computed without wrapping for every D.
constexpr std::size_t packed_words(std::size_t dim) {
  return dim / 64 + (dim % 64 != 0 ? 1 : 0);
}

/// Number of bytes that hold D components in numpy packbits order:
/// ceil(D / 8), computed without wrapping for every D.
constexpr std::size_t packbits_bytes(std::size_t dim) {
  return dim / 8 + (dim % 8 != 0 ? 1 : 0);
}

/// Mask of the valid bits in the last word of a D-component packed vector.
constexpr std::uint64_t packed_tail_mask(std::size_t dim) {
  return (dim % 64 == 0) ? ~std::uint64_t{0}
                         : ((std::uint64_t{1} << (dim % 64)) - 1);
}

/// Owning, zero-initialised, kAlignment-aligned array of trivially copyable T.
/// size x sizeof(T) must be <= kMaxBytes (else DimensionError); a legal size
/// the allocator cannot provide throws std::bad_alloc. Never a null buffer
/// for size > 0.
template <typename T>
class AlignedBuffer {
 public:
  AlignedBuffer() = default;
  explicit AlignedBuffer(std::size_t size) : size_(size) {
    if (size_ == 0) return;
    const std::size_t bytes =
        detail::checked_bytes(size_, sizeof(T), "AlignedBuffer", "the buffer (size)");
    data_ = static_cast<T*>(::operator new(bytes, std::align_val_t{kAlignment}));
    std::memset(static_cast<void*>(data_), 0, bytes);
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
/// D <= kMaxDim (else DimensionError).
template <typename T>
class DenseVector {
 public:
  DenseVector() = default;
  explicit DenseVector(std::size_t dim)
      : buffer_(checked_length(dim)), dim_(dim) {}
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
  static std::size_t checked_length(std::size_t dim) {
    detail::require_dim_limit("DenseVector", "dim", dim);
    return padded_length<T>(dim);
  }

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
/// rows <= kMaxRows, D <= kMaxDim and the whole buffer <= kMaxBytes, else
/// DimensionError (checked before allocating).
template <typename T>
class DenseMatrix {
 public:
  DenseMatrix() = default;
  DenseMatrix(std::size_t rows, std::size_t dim)
      : buffer_(checked_size(rows, dim)),
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
  static std::size_t checked_size(std::size_t rows, std::size_t dim) {
    detail::require_rows_limit("DenseMatrix", "rows", rows);
    detail::require_dim_limit("DenseMatrix", "dim", dim);
    const std::size_t n = detail::checked_mul(rows, padded_length<T>(dim), "DenseMatrix",
                                              "rows x stride");
    detail::checked_bytes(n, sizeof(T), "DenseMatrix", "the matrix (rows x stride)");
    return n;
  }

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
  detail::require_valid_dim("make_packed_view", what, dim);
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
/// D <= kMaxDim (else DimensionError).
class PackedVector {
 public:
  PackedVector() = default;
  explicit PackedVector(std::size_t dim) : buffer_(checked_words(dim)), dim_(dim) {}
  /// Copies `v` (as DenseVector's span constructor copies its values).
  explicit PackedVector(PackedView v) : PackedVector(v.dim) {
    std::copy(v.words, v.words + packed_words(v.dim), buffer_.data());
  }

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
  static std::size_t checked_words(std::size_t dim) {
    detail::require_dim_limit("PackedVector", "dim", dim);
    return padded_length<std::uint64_t>(packed_words(dim));
  }

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
/// rows <= kMaxRows, D <= kMaxDim and the whole buffer <= kMaxBytes, else
/// DimensionError (checked before allocating).
class PackedMatrix {
 public:
  PackedMatrix() = default;
  PackedMatrix(std::size_t rows, std::size_t dim)
      : buffer_(checked_words(rows, dim)),
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
  static std::size_t checked_words(std::size_t rows, std::size_t dim) {
    detail::require_rows_limit("PackedMatrix", "rows", rows);
    detail::require_dim_limit("PackedMatrix", "dim", dim);
    const std::size_t n = detail::checked_mul(
        rows, padded_length<std::uint64_t>(packed_words(dim)), "PackedMatrix", "rows x stride");
    detail::checked_bytes(n, sizeof(std::uint64_t), "PackedMatrix", "the matrix (rows x stride)");
    return n;
  }

  AlignedBuffer<std::uint64_t> buffer_;
  std::size_t rows_ = 0;
  std::size_t dim_ = 0;
  std::size_t stride_words_ = 0;
};

}  // namespace hypervec
