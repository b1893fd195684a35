// Operands of the bound model verbs: one small traits struct per element
// type that says how to read an argument as rows of the model's View, how to
// make the output rows, and how to write one result row. The verbs in
// ops.cpp are written once over these (as the C++ structures are written
// once over model.hpp's models).
#pragma once

#include "src/python/arrays.hpp"

#include <hypervec/executor.hpp>
#include <hypervec/model.hpp>

#include <algorithm>
#include <complex>
#include <cstdint>
#include <type_traits>

namespace hypervec::python {

/// Rows of a packed argument, in the shape DenseRows has.
struct PackedRows {
  const Packed* packed = nullptr;
  py::object owner;
  Shape lead;
  std::size_t rows = 0;
  std::size_t dim = 0;
  PackedView row(std::size_t i) const noexcept { return packed->row(i); }
  PackedMatrixView view() const noexcept { return packed->view(); }
};

/// Dense element types: T is the component type, M the C++ model.
template <typename T, typename M>
struct DenseOperands {
  using Model = M;
  using Rows = DenseRows<T>;
  using View = std::span<const T>;
  using Out = py::array_t<T>;
  using OutRow = std::span<T>;

  static Rows in(py::handle obj, const char* where, const char* arg, bool allow_empty = true) {
    return dense_rows<T>(obj, where, arg, allow_empty);
  }
  /// Work per vector for for_each_row's piece size: one unit per component.
  static constexpr std::size_t work(std::size_t dim) noexcept { return dim; }
  static Out out(const Shape& lead, std::size_t dim) { return new_rows<T>(lead, dim); }
  static OutRow out_row(Out& out, std::size_t i, std::size_t dim) {
    return python::out_row(out, i, dim);
  }
  /// Copies an allocated result row into the output.
  template <typename V>
  static void store(const V& v, OutRow dst) {
    std::copy_n(v.data(), dst.size(), dst.data());
  }
  static py::object result(Out&& out) { return std::move(out); }
  static py::object result(DenseVector<T>&& v) { return owning_array(std::move(v)); }
  static py::object result(DenseMatrix<T>&& m) { return owning_array(std::move(m)); }
};

/// Packed bipolar rows (BSC).
struct PackedOperands {
  using Model = models::PackedMap;
  using Rows = PackedRows;
  using View = PackedView;
  using Out = Packed;
  using OutRow = PackedSpan;

  static Rows in(py::handle obj, const char* where, const char* arg, bool allow_empty = true) {
    const Packed& p = packed_arg(obj, where, arg);
    if (!allow_empty && p.rows() == 0) value_error(where, std::string(arg) + " is empty");
    return {&p, py::reinterpret_borrow<py::object>(obj), p.lead(), p.rows(), p.dim()};
  }
  /// Work per vector: a 64-bit word costs about two dense components (one
  /// SIMD XOR or popcount covers 8 words or 16 floats), so small packed
  /// batches stay on the calling thread instead of paying a pool dispatch.
  static constexpr std::size_t work(std::size_t dim) noexcept { return 2 * packed_words(dim); }
  /// Every verb writes all words of every output row (store, bipolar::bind).
  static Out out(const Shape& lead, std::size_t dim) { return Packed::uninitialized(lead, dim); }
  static OutRow out_row(Out& out, std::size_t i, std::size_t) { return out.row_span(i); }
  static void store(const PackedVector& v, OutRow dst) {
    std::copy_n(v.words(), v.num_words(), dst.words);
  }
  static py::object result(Out&& out) { return py::cast(std::move(out)); }
  static py::object result(PackedVector&& v) { return py::cast(Packed::from_vector(std::move(v))); }
  static py::object result(PackedMatrix&& m) { return py::cast(Packed::from_matrix(std::move(m))); }
};

/// Runs body(i) for every output row with the GIL released, split across
/// hypervec's shared pool when the work is large enough.
/// The groups of a bundle along axis -2: rows (..., n, D) bundle into
/// `count` vectors of batch shape `lead` (= the rows' lead without its last
/// axis), n rows each. Throws ValueError (naming `where`) for a single vector
/// (no axis -2) or n = 0.
struct BundleGroups {
  Shape lead;
  std::size_t n = 0;
  std::size_t count = 0;
};
template <typename Rows>
BundleGroups bundle_groups(const Rows& x, const char* where) {
  if (x.lead.empty()) {
    value_error(where, "input has shape (" + std::to_string(x.dim) +
                           ",); expected (..., n, D): the n vectors to bundle");
  }
  BundleGroups g;
  g.n = static_cast<std::size_t>(x.lead.back());
  if (g.n == 0) value_error(where, "input holds no vectors to bundle (n = 0 along axis -2)");
  g.lead = Shape(x.lead.begin(), x.lead.end() - 1);
  g.count = shape_size(g.lead);
  return g;
}

template <typename Body>
void for_each_row(std::size_t rows, std::size_t dim, Body&& body) {
  py::gil_scoped_release no_gil;
  if (rows == 0) return;
  Executor::shared().parallel_for(rows, rows_per_piece(dim), [&](std::size_t b, std::size_t e) {
    for (std::size_t i = b; i < e; ++i) body(i);
  });
}

}  // namespace hypervec::python
