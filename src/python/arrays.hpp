// Arrays between NumPy and hypervec: the one place that turns a Python
// argument into rows of D components (zero-copy when it can), makes output
// arrays, broadcasts leading dimensions and holds packed vectors.
//
// Conventions every bound function follows (docs/python.md, "Arrays"):
//  * A batch of vectors is an array of shape (..., D): D is the last axis,
//    the leading axes are the batch. A single vector is shape (D,).
//  * Inputs are used in place when their dtype is the model's and their last
//    axis is contiguous with the leading axes at one row stride (C order, or
//    a row slice of it): no copy. Other layouts, and dtypes that convert
//    without surprise (integers and floats to float; complex128 to complex64;
//    float64 to float32), are converted once. Surprising conversions (complex
//    to real, real to complex, anything to int8) raise ValueError naming the
//    function and the argument.
//  * torch CPU tensors and other objects with __array__ / __array_interface__
//    come in through NumPy's own conversion, zero-copy for CPU tensors.
//  * Outputs are new C-contiguous NumPy arrays that the kernels write into,
//    or arrays that own a hypervec buffer (capsule): never a copy after the
//    result is computed.
#pragma once

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <hypervec/error.hpp>
#include <hypervec/storage.hpp>

#include <complex>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace hypervec::python {

namespace py = pybind11;

/// Leading (batch) shape of an argument: every axis but the last.
using Shape = std::vector<py::ssize_t>;

/// Product of the axes (1 for the empty shape).
std::size_t shape_size(const Shape& shape);

/// "(3, 4)"-style text of a shape, for messages.
std::string shape_text(const Shape& shape);

/// Throws py::value_error("<where>: <message>").
[[noreturn]] void value_error(const char* where, const std::string& message);

/// The dtype name NumPy prints ("float32", "complex64", ...).
std::string dtype_name(const py::dtype& dtype);

/// True when `d` is T in native byte order (kind and size, not identity: NumPy
/// has several equal dtype objects for one type).
template <typename T>
bool is_dtype(const py::dtype& d) {
  constexpr char kind = std::is_same_v<T, std::complex<float>> ? 'c'
                        : std::is_floating_point_v<T>          ? 'f'
                        : std::is_signed_v<T>                  ? 'i'
                                                               : 'u';
  return d.kind() == kind && static_cast<std::size_t>(d.itemsize()) == sizeof(T) &&
         (sizeof(T) == 1 || d.attr("isnative").template cast<bool>());
}

template <typename T>
constexpr const char* type_name();

/// is_dtype<T> of `obj.dtype` when `obj` has a NumPy dtype; for other dtype
/// objects (torch.float64, ...) whether the name after the last '.' is T's
/// NumPy name, so a torch tensor picks the same element type as its array.
template <typename T>
bool has_dtype(py::handle obj) {
  py::object d = py::getattr(obj, "dtype", py::none());
  if (d.is_none()) return false;
  if (py::isinstance<py::dtype>(d)) return is_dtype<T>(py::reinterpret_borrow<py::dtype>(d));
  const std::string name = py::str(d).cast<std::string>();
  return name.substr(name.rfind('.') + 1) == type_name<T>();
}

template <typename T>
constexpr const char* type_name() {
  if constexpr (std::is_same_v<T, float>) return "float32";
  if constexpr (std::is_same_v<T, double>) return "float64";
  if constexpr (std::is_same_v<T, std::int8_t>) return "int8";
  if constexpr (std::is_same_v<T, std::complex<float>>) return "complex64";
  if constexpr (std::is_same_v<T, std::uint8_t>) return "uint8";
  if constexpr (std::is_same_v<T, std::uint64_t>) return "uint64";
  return "?";
}

/// Rows of D components of type T viewed in (or converted from) a Python
/// argument: row i starts at data + i * stride. `owner` keeps the memory
/// alive; the view stays valid while the struct lives, with or without the
/// GIL.
template <typename T>
struct DenseRows {
  const T* data = nullptr;
  std::size_t rows = 0;
  std::size_t dim = 0;
  std::size_t stride = 0;  // elements between row starts
  Shape lead;
  py::array owner;

  std::span<const T> row(std::size_t i) const noexcept { return {data + i * stride, dim}; }
  DenseMatrixView<T> view() const noexcept { return {data, rows, dim, stride}; }
};

/// The argument `arg` of `where` as DenseRows<T> (see the file comment for
/// the copy and conversion rules). Throws ValueError for a non-array, a
/// scalar, D = 0 or a surprising dtype. `allow_empty`: a batch of zero rows.
template <typename T>
DenseRows<T> dense_rows(py::handle obj, const char* where, const char* arg,
                        bool allow_empty = true);

/// True when `obj` is (or converts to) an array whose dtype is a complex one.
bool is_complex_array(py::handle obj);

/// A new C-contiguous array of shape lead + (dim,), uninitialised.
template <typename T>
py::array_t<T> new_rows(const Shape& lead, std::size_t dim) {
  Shape shape = lead;
  shape.push_back(static_cast<py::ssize_t>(dim));
  return py::array_t<T>(shape);
}

/// Writable row i of an array made by new_rows.
template <typename T>
std::span<T> out_row(py::array_t<T>& out, std::size_t i, std::size_t dim) noexcept {
  return {out.mutable_data() + i * dim, dim};
}

/// A 1-D array that takes ownership of `v`'s buffer (no copy).
template <typename T>
py::array_t<T> owning_array(DenseVector<T>&& v) {
  auto* heap = new DenseVector<T>(std::move(v));
  py::capsule free_when_done(heap, [](void* p) { delete static_cast<DenseVector<T>*>(p); });
  return py::array_t<T>({static_cast<py::ssize_t>(heap->dim())}, {sizeof(T)}, heap->data(),
                        free_when_done);
}

/// A (rows, D) array that takes ownership of `m`'s buffer (no copy). Rows are
/// padded to 64 bytes, so for D not a multiple of 64 / sizeof(T) the row
/// stride exceeds D (dense_rows reads such arrays in place).
template <typename T>
py::array_t<T> owning_array(DenseMatrix<T>&& m) {
  auto* heap = new DenseMatrix<T>(std::move(m));
  py::capsule free_when_done(heap, [](void* p) { delete static_cast<DenseMatrix<T>*>(p); });
  return py::array_t<T>(
      {static_cast<py::ssize_t>(heap->rows()), static_cast<py::ssize_t>(heap->dim())},
      {static_cast<py::ssize_t>(heap->stride() * sizeof(T)), static_cast<py::ssize_t>(sizeof(T))},
      heap->data(), free_when_done);
}

/// Maps a row of a broadcast result to the row of one operand.
struct RowIndex {
  enum class Kind { kSame, kFirst, kTable } kind = Kind::kSame;
  std::vector<std::size_t> table;
  std::size_t operator()(std::size_t i) const noexcept {
    return kind == Kind::kSame ? i : kind == Kind::kFirst ? 0 : table[i];
  }
};

/// NumPy broadcasting of two leading shapes: `lead` is the result's, `a` and
/// `b` map its rows (C order) to the operands' rows. Throws ValueError naming
/// both arguments when the shapes do not broadcast.
struct Broadcast {
  Shape lead;
  std::size_t rows = 0;
  RowIndex a, b;
};
Broadcast broadcast(const Shape& lead_a, const Shape& lead_b, const char* where,
                    const char* name_a, const char* name_b);

/// Rows per parallel piece for element-wise work on D components: pieces of
/// at least ~64k components, so small batches stay on the calling thread.
inline std::size_t rows_per_piece(std::size_t dim) noexcept {
  return std::max<std::size_t>(1, (std::size_t{1} << 16) / std::max<std::size_t>(dim, 1));
}

// ---------------------------------------------------------------------------
// Packed bipolar vectors ("BSC")
// ---------------------------------------------------------------------------

/// hypervec.Packed: packed bipolar vectors of shape lead + (D,), held as a
/// uint64 array of shape lead + (W,), W = ceil(D / 64), component i in bit
/// i % 64 of word i / 64, bit 1 meaning -1 (the C++ layout, storage.hpp).
/// The words array is the buffer the object exposes (read-only, as is the
/// `words` view, so Python cannot set bits past D); its last axis is
/// contiguous and its rows are one stride apart; the bits past D are zero.
class Packed {
 public:
  /// Wraps `words` (uint64, shape lead + (W,)) without copying after checking
  /// it (W = packed_words(dim), tail bits zero). Throws ValueError.
  Packed(py::array words, std::size_t dim, const char* where = "Packed");
  /// New zeroed (all +1) vectors of shape lead + (dim,).
  static Packed zeros(const Shape& lead, std::size_t dim);
  /// New vectors of shape lead + (dim,) with unspecified words, for outputs
  /// whose every word (tail bits zero) the caller writes before Python sees
  /// them: one write pass fewer than zeros().
  static Packed uninitialized(const Shape& lead, std::size_t dim);
  /// Takes ownership of a PackedMatrix's buffer (shape (rows, D)).
  static Packed from_matrix(PackedMatrix&& m);
  /// Takes ownership of a PackedVector's buffer (shape (D,)).
  static Packed from_vector(PackedVector&& v);

  std::size_t dim() const noexcept { return dim_; }
  std::size_t num_words() const noexcept { return packed_words(dim_); }
  std::size_t rows() const noexcept { return rows_; }
  const Shape& lead() const noexcept { return lead_; }
  Shape shape() const;
  const py::array& words() const noexcept { return words_; }

  PackedView row(std::size_t i) const noexcept { return {data_ + i * stride_, dim_}; }
  /// Writable row (only for arrays this module made).
  PackedSpan row_span(std::size_t i) const noexcept { return {data_ + i * stride_, dim_}; }
  PackedMatrixView view() const noexcept { return {data_, rows_, dim_, stride_}; }

 private:
  struct Unchecked {};
  /// A C-order words array this module made: no checks.
  Packed(py::array words, std::size_t dim, Unchecked);

  py::array words_;
  std::uint64_t* data_ = nullptr;
  std::size_t dim_ = 0;
  std::size_t rows_ = 0;
  std::size_t stride_ = 0;  // words between row starts
  Shape lead_;
};

/// `obj` as a Packed argument of `where`; ValueError naming `arg` otherwise.
const Packed& packed_arg(py::handle obj, const char* where, const char* arg);

}  // namespace hypervec::python
