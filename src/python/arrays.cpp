// Argument conversion, output arrays, broadcasting and the Packed holder
// (arrays.hpp has the rules).
#include "src/python/arrays.hpp"

#include <algorithm>
#include <cstdint>
#include <sstream>

namespace hypervec::python {

std::size_t shape_size(const Shape& shape) {
  std::size_t n = 1;
  for (const auto s : shape) n *= static_cast<std::size_t>(s);
  return n;
}

std::string shape_text(const Shape& shape) {
  std::ostringstream out;
  out << '(';
  for (std::size_t i = 0; i < shape.size(); ++i) {
    if (i != 0) out << ", ";
    out << shape[i];
  }
  if (shape.size() == 1) out << ',';
  out << ')';
  return out.str();
}

void value_error(const char* where, const std::string& message) {
  throw py::value_error(std::string(where) + ": " + message);
}

std::string dtype_name(const py::dtype& dtype) {
  return py::str(static_cast<const py::handle&>(dtype)).cast<std::string>();
}

namespace {

/// `obj` as a NumPy array (NumPy's own conversion: lists, __array__,
/// __array_interface__, buffer protocol); ValueError naming the argument.
py::array as_array(py::handle obj, const char* where, const char* arg) {
  if (py::isinstance<py::array>(obj)) return py::reinterpret_borrow<py::array>(obj);
  if (py::isinstance<Packed>(obj)) {
    value_error(where, std::string(arg) +
                           " is a hypervec.Packed (BSC); this operation takes dense arrays "
                           "(use .to_bipolar() or the BSC model)");
  }
  try {
    py::module_ np = py::module_::import("numpy");
    return np.attr("asarray")(obj);
  } catch (py::error_already_set& e) {
    // NumPy's (or the object's own __array__) reason, without pybind11's
    // traceback text, chained as __cause__.
    const std::string reason =
        py::str(e.type().attr("__name__")).cast<std::string>() + ": " +
        py::str(e.value()).cast<std::string>();
    py::raise_from(e, PyExc_ValueError,
                   (std::string(where) + ": " + arg + " is not an array (" +
                    py::str(obj.get_type().attr("__name__")).cast<std::string>() + "): " + reason)
                       .c_str());
    throw py::error_already_set();
  }
}

/// Whether converting dtype `from` to T loses something a caller would not
/// expect (docs/python.md, "Arrays").
template <typename T>
bool converts_quietly(char kind, std::size_t itemsize) {
  const bool real_number = kind == 'b' || kind == 'i' || kind == 'u' || kind == 'f';
  if constexpr (std::is_same_v<T, std::complex<float>>) {
    return kind == 'c' && itemsize <= 16;
  } else if constexpr (std::is_same_v<T, std::int8_t>) {
    return false;
  } else {
    return real_number;
  }
}

/// `a` itself, or an aligned C-order copy when its buffer starts at an
/// address that is not a multiple of alignof(T) (a view at an odd byte
/// offset, a field of a packed record): the kernels load whole elements, so
/// reading it in place would be undefined behaviour.
template <typename T>
py::array aligned(py::array a) {
  if (reinterpret_cast<std::uintptr_t>(a.data()) % alignof(T) == 0) return a;
  py::array_t<T, py::array::c_style> copy(Shape(a.shape(), a.shape() + a.ndim()));
  py::module_::import("numpy").attr("copyto")(copy, a);
  return std::move(copy);
}

/// Row stride (elements) when `a` is rows of its last axis at one stride
/// apart with a contiguous last axis; 0 otherwise.
std::size_t uniform_row_stride(const py::array& a) {
  const auto nd = static_cast<std::size_t>(a.ndim());
  const auto item = static_cast<py::ssize_t>(a.itemsize());
  const py::ssize_t dim = a.shape(nd - 1);
  if (dim > 1 && a.strides(nd - 1) != item) return 0;
  if (nd == 1) return static_cast<std::size_t>(dim);
  // Axes of extent 1 may carry any stride; the others must nest in C order.
  py::ssize_t row = 0;     // stride of one row, elements
  py::ssize_t expect = 0;  // the stride the next outer non-trivial axis must have
  for (std::size_t k = nd - 1; k-- > 0;) {
    if (a.shape(k) == 1) continue;
    const py::ssize_t s = a.strides(k);
    if (s <= 0 || s % item != 0) return 0;
    if (row == 0) {
      row = s / item;
      if (row < dim) return 0;
    } else if (s != expect) {
      return 0;
    }
    expect = s * a.shape(k);
  }
  return static_cast<std::size_t>(row == 0 ? dim : row);
}

}  // namespace

bool is_complex_array(py::handle obj) {
  if (py::isinstance<py::array>(obj)) {
    return py::reinterpret_borrow<py::array>(obj).dtype().kind() == 'c';
  }
  if (py::isinstance<Packed>(obj)) return false;
  py::object dtype = py::getattr(obj, "dtype", py::none());
  if (dtype.is_none()) return false;
  // torch.complex64 / numpy dtype objects: both spell "complex" in their name.
  return py::str(dtype).cast<std::string>().find("complex") != std::string::npos;
}

template <typename T>
DenseRows<T> dense_rows(py::handle obj, const char* where, const char* arg, bool allow_empty) {
  py::array a = as_array(obj, where, arg);
  if (!is_dtype<T>(a.dtype())) {
    const char kind = a.dtype().kind();
    if (!converts_quietly<T>(kind, static_cast<std::size_t>(a.itemsize()))) {
      value_error(where, std::string(arg) + " has dtype " + dtype_name(a.dtype()) +
                             "; this model computes in " + type_name<T>() +
                             " and will not convert it silently (convert it explicitly)");
    }
    a = py::array_t<T, py::array::c_style | py::array::forcecast>::ensure(a);
    if (!a) throw py::error_already_set();
  }
  if (a.ndim() == 0) {
    value_error(where, std::string(arg) + " is a scalar; expected an array of shape (..., D)");
  }
  const auto nd = static_cast<std::size_t>(a.ndim());
  DenseRows<T> r;
  r.dim = static_cast<std::size_t>(a.shape(nd - 1));
  if (r.dim == 0) value_error(where, std::string(arg) + " has D=0 (its last axis is empty)");
  if (r.dim > kMaxDim) {
    value_error(where, std::string(arg) + " has D=" + std::to_string(r.dim) +
                           ", above the limit " + std::to_string(kMaxDim));
  }
  r.lead.assign(a.shape(), a.shape() + nd - 1);
  r.rows = shape_size(r.lead);
  if (r.rows == 0 && !allow_empty) {
    value_error(where, std::string(arg) + " is empty (shape " +
                           shape_text(Shape(a.shape(), a.shape() + nd)) + ")");
  }
  a = aligned<T>(std::move(a));
  r.stride = uniform_row_stride(a);
  if (r.stride == 0) {
    a = py::array_t<T, py::array::c_style | py::array::forcecast>::ensure(a);
    if (!a) throw py::error_already_set();
    r.stride = r.dim;
  }
  r.data = static_cast<const T*>(a.data());
  r.owner = std::move(a);
  return r;
}

template DenseRows<float> dense_rows<float>(py::handle, const char*, const char*, bool);
template DenseRows<double> dense_rows<double>(py::handle, const char*, const char*, bool);
template DenseRows<std::int8_t> dense_rows<std::int8_t>(py::handle, const char*, const char*,
                                                        bool);
template DenseRows<std::complex<float>> dense_rows<std::complex<float>>(py::handle, const char*,
                                                                        const char*, bool);

Broadcast broadcast(const Shape& lead_a, const Shape& lead_b, const char* where,
                    const char* name_a, const char* name_b) {
  Broadcast out;
  if (lead_a == lead_b) {
    out.lead = lead_a;
    out.rows = shape_size(lead_a);
    return out;
  }
  const std::size_t na = shape_size(lead_a), nb = shape_size(lead_b);
  const std::size_t nd = std::max(lead_a.size(), lead_b.size());
  auto axis = [nd](const Shape& s, std::size_t k) -> py::ssize_t {
    const std::size_t off = nd - s.size();
    return k < off ? 1 : s[k - off];
  };
  out.lead.resize(nd);
  for (std::size_t k = 0; k < nd; ++k) {
    const py::ssize_t x = axis(lead_a, k), y = axis(lead_b, k);
    if (x != y && x != 1 && y != 1) {
      value_error(where, std::string(name_a) + " with batch shape " + shape_text(lead_a) +
                             " and " + name_b + " with batch shape " + shape_text(lead_b) +
                             " do not broadcast");
    }
    out.lead[k] = x == 1 ? y : x;
  }
  out.rows = shape_size(out.lead);
  // Row tables for each operand; the common cases need none.
  auto index_for = [&](const Shape& s, std::size_t n) {
    RowIndex idx;
    if (n == out.rows) {
      idx.kind = RowIndex::Kind::kSame;  // same count and broadcastable: same C order
      return idx;
    }
    if (n == 1) {
      idx.kind = RowIndex::Kind::kFirst;
      return idx;
    }
    idx.kind = RowIndex::Kind::kTable;
    idx.table.resize(out.rows);
    // Operand strides in rows, 0 along broadcast axes.
    std::vector<std::size_t> stride(nd, 0);
    std::size_t step = 1;
    for (std::size_t k = nd; k-- > 0;) {
      const py::ssize_t e = axis(s, k);
      stride[k] = e == 1 ? 0 : step;
      step *= static_cast<std::size_t>(e);
    }
    std::vector<py::ssize_t> pos(nd, 0);
    std::size_t src = 0;
    for (std::size_t i = 0; i < out.rows; ++i) {
      idx.table[i] = src;
      for (std::size_t k = nd; k-- > 0;) {
        if (++pos[k] < out.lead[k]) {
          src += stride[k];
          break;
        }
        src -= stride[k] * static_cast<std::size_t>(pos[k] - 1);
        pos[k] = 0;
      }
    }
    return idx;
  };
  out.a = index_for(lead_a, na);
  out.b = index_for(lead_b, nb);
  return out;
}

// ---------------------------------------------------------------------------
// Packed
// ---------------------------------------------------------------------------

Packed::Packed(py::array words, std::size_t dim, const char* where) : dim_(dim) {
  if (dim == 0) value_error(where, "dim is 0; D must be >= 1");
  if (dim > kMaxDim) {
    value_error(where, "dim=" + std::to_string(dim) + " is above the limit " +
                           std::to_string(kMaxDim));
  }
  if (!is_dtype<std::uint64_t>(words.dtype())) {
    value_error(where, "words has dtype " + dtype_name(words.dtype()) + "; expected uint64");
  }
  if (words.ndim() == 0) value_error(where, "words is a scalar; expected shape (..., W)");
  const auto nd = static_cast<std::size_t>(words.ndim());
  const auto w = static_cast<std::size_t>(words.shape(nd - 1));
  if (w != packed_words(dim)) {
    value_error(where, "words has " + std::to_string(w) + " words per vector; D=" +
                           std::to_string(dim) + " needs " + std::to_string(packed_words(dim)));
  }
  words = aligned<std::uint64_t>(std::move(words));
  stride_ = uniform_row_stride(words);
  if (stride_ == 0) {
    words = py::array_t<std::uint64_t, py::array::c_style | py::array::forcecast>::ensure(words);
    stride_ = w;
  }
  lead_.assign(words.shape(), words.shape() + nd - 1);
  rows_ = shape_size(lead_);
  // Read-only buffers are fine: only arrays this module made are written.
  data_ = static_cast<std::uint64_t*>(const_cast<void*>(words.data()));
  const std::uint64_t tail = ~packed_tail_mask(dim);
  for (std::size_t i = 0; i < rows_; ++i) {
    if ((data_[i * stride_ + w - 1] & tail) != 0) {
      value_error(where, "vector " + std::to_string(i) + " has bits set past D=" +
                             std::to_string(dim) + " in its last word");
    }
  }
  words_ = std::move(words);
}

Packed Packed::zeros(const Shape& lead, std::size_t dim) {
  Shape shape = lead;
  shape.push_back(static_cast<py::ssize_t>(packed_words(dim)));
  py::array_t<std::uint64_t> words(shape);
  std::fill_n(words.mutable_data(), words.size(), std::uint64_t{0});
  return Packed(std::move(words), dim);
}

Packed::Packed(py::array words, std::size_t dim, Unchecked)
    : words_(std::move(words)), dim_(dim), stride_(packed_words(dim)) {
  const auto nd = static_cast<std::size_t>(words_.ndim());
  lead_.assign(words_.shape(), words_.shape() + nd - 1);
  rows_ = shape_size(lead_);
  data_ = static_cast<std::uint64_t*>(words_.mutable_data());
}

Packed Packed::uninitialized(const Shape& lead, std::size_t dim) {
  Shape shape = lead;
  shape.push_back(static_cast<py::ssize_t>(packed_words(dim)));
  return Packed(py::array_t<std::uint64_t>(shape), dim, Unchecked{});
}

Packed Packed::from_matrix(PackedMatrix&& m) {
  auto* heap = new PackedMatrix(std::move(m));
  py::capsule free_when_done(heap, [](void* p) { delete static_cast<PackedMatrix*>(p); });
  py::array_t<std::uint64_t> words(
      {static_cast<py::ssize_t>(heap->rows()), static_cast<py::ssize_t>(packed_words(heap->dim()))},
      {static_cast<py::ssize_t>(heap->stride_words() * 8), py::ssize_t{8}}, heap->words(),
      free_when_done);
  return Packed(std::move(words), heap->dim());
}

Packed Packed::from_vector(PackedVector&& v) {
  auto* heap = new PackedVector(std::move(v));
  py::capsule free_when_done(heap, [](void* p) { delete static_cast<PackedVector*>(p); });
  py::array_t<std::uint64_t> words({static_cast<py::ssize_t>(heap->num_words())}, {py::ssize_t{8}},
                                   heap->words(), free_when_done);
  return Packed(std::move(words), heap->dim());
}

Shape Packed::shape() const {
  Shape s = lead_;
  s.push_back(static_cast<py::ssize_t>(dim_));
  return s;
}

const Packed& packed_arg(py::handle obj, const char* where, const char* arg) {
  if (!py::isinstance<Packed>(obj)) {
    value_error(where, std::string(arg) + " is " +
                           py::str(obj.get_type().attr("__name__")).cast<std::string>() +
                           ", not a hypervec.Packed (BSC vectors; make one with "
                           "hypervec.Packed.from_bipolar)");
  }
  return obj.cast<const Packed&>();
}

}  // namespace hypervec::python
