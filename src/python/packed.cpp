// hypervec.Packed: packed bipolar vectors for Python (arrays.hpp has the
// layout). Conversions to and from bipolar arrays and np.packbits bytes,
// with the polarity always explicit.
#include "src/python/arrays.hpp"
#include "src/python/operands.hpp"
#include "src/python/ops.hpp"

#include <hypervec/dense.hpp>

#include "src/packbits.hpp"

#include <cmath>
#include <string_view>

namespace hypervec::python {
namespace {

/// "negative" (bit 1 = -1, hypervec's own) or "positive" (bit 1 = +1).
bool one_means_negative(const std::string& one, const char* where) {
  if (one == "negative") return true;
  if (one == "positive") return false;
  value_error(where, "one='" + one + "'; expected 'negative' (bit 1 = -1, as np.packbits(x < 0)) "
                     "or 'positive' (bit 1 = +1, as np.packbits(x > 0))");
}

bool big_bit_order(const std::string& bitorder, const char* where) {
  if (bitorder == "big") return true;
  if (bitorder == "little") return false;
  value_error(where, "bitorder='" + bitorder + "'; expected 'big' or 'little' (as np.packbits)");
}

/// Packs x (..., D) of ±1 values; any other value raises ValueError naming
/// the vector and component.
template <typename T>
Packed from_bipolar_rows(const DenseRows<T>& x, const char* where) {
  Packed out = Packed::zeros(x.lead, x.dim);
  std::size_t bad_row = 0, bad_col = 0;
  bool bad = false;
  {
    py::gil_scoped_release no_gil;
    for (std::size_t i = 0; i < x.rows && !bad; ++i) {
      const auto r = x.row(i);
      for (std::size_t j = 0; j < x.dim; ++j) {
        if (r[j] != T(1) && r[j] != T(-1)) {
          bad = true, bad_row = i, bad_col = j;
          break;
        }
      }
      if (!bad) {
        const PackedVector p = dense::to_packed(r);
        std::copy_n(p.words(), p.num_words(), out.row_span(i).words);
      }
    }
  }
  if (bad) {
    const double v = static_cast<double>(x.row(bad_row)[bad_col]);
    value_error(where, "input is not bipolar: vector " + std::to_string(bad_row) +
                           ", component " + std::to_string(bad_col) + " is " +
                           (std::isnan(v) ? std::string("nan") : std::to_string(v)) +
                           " (only -1 and +1 pack; quantise first with hard_quantize)");
  }
  return out;
}

Packed from_bipolar(py::handle x) {
  constexpr const char* where = "Packed.from_bipolar";
  if (has_dtype<std::int8_t>(x)) {
    return from_bipolar_rows(dense_rows<std::int8_t>(x, where, "input"), where);
  }
  return from_bipolar_rows(dense_rows<float>(x, where, "input"), where);
}

py::array to_bipolar(const Packed& p, py::object dtype_arg) {
  const py::dtype dtype = dtype_arg.is_none() ? py::dtype::of<float>() : py::dtype::from_args(dtype_arg);
  const std::size_t d = p.dim();
  auto fill = [&](auto* out) {
    using T = std::remove_pointer_t<decltype(out)>;
    for_each_row(p.rows(), d, [&](std::size_t i) {
      const PackedView v = p.row(i);
      T* o = out + i * d;
      for (std::size_t w = 0; w < v.num_words(); ++w) {
        const std::uint64_t bits = v.words[w];
        const std::size_t end = std::min(d, (w + 1) * 64);
        for (std::size_t j = w * 64; j < end; ++j) o[j] = ((bits >> (j % 64)) & 1U) ? T(-1) : T(1);
      }
    });
  };
  if (is_dtype<float>(dtype)) {
    auto out = new_rows<float>(p.lead(), d);
    fill(out.mutable_data());
    return std::move(out);
  }
  if (is_dtype<double>(dtype)) {
    auto out = new_rows<double>(p.lead(), d);
    fill(out.mutable_data());
    return std::move(out);
  }
  if (is_dtype<std::int8_t>(dtype)) {
    auto out = new_rows<std::int8_t>(p.lead(), d);
    fill(out.mutable_data());
    return std::move(out);
  }
  value_error("Packed.to_bipolar", "dtype " + dtype_name(dtype) +
                                       " is not float32, float64 or int8");
}

/// np.packbits-compatible bytes, shape lead + (ceil(D / 8),).
py::array_t<std::uint8_t> to_packbits(const Packed& p, const std::string& one,
                                      const std::string& bitorder) {
  constexpr const char* where = "Packed.to_packbits";
  const bool negative = one_means_negative(one, where);
  const bool big = big_bit_order(bitorder, where);
  const std::size_t d = p.dim(), nbytes = packbits_bytes(d);
  auto out = new_rows<std::uint8_t>(p.lead(), nbytes);
  std::uint8_t* o = out.mutable_data();
  for_each_row(p.rows(), d, [&](std::size_t i) {
    const PackedView v = p.row(i);
    std::uint8_t* row = o + i * nbytes;
    for (std::size_t j = 0; j < nbytes; ++j) {
      std::uint8_t b = static_cast<std::uint8_t>(v.words[j / 8] >> (8 * (j % 8)));  // LSB first
      if (!negative) b = static_cast<std::uint8_t>(~b);
      if (j == nbytes - 1 && d % 8 != 0) b &= static_cast<std::uint8_t>((1U << (d % 8)) - 1);
      row[j] = big ? detail::kReversedBits[b] : b;
    }
  });
  return out;
}

Packed from_packbits(py::handle bits, std::size_t dim, const std::string& one,
                     const std::string& bitorder) {
  constexpr const char* where = "Packed.from_packbits";
  const bool negative = one_means_negative(one, where);
  const bool big = big_bit_order(bitorder, where);
  if (dim == 0) value_error(where, "dim is 0; D must be >= 1");
  py::array a = py::reinterpret_borrow<py::object>(bits).is_none()
                    ? py::array()
                    : py::module_::import("numpy").attr("asarray")(bits);
  if (!is_dtype<std::uint8_t>(a.dtype())) {
    value_error(where, "bits has dtype " + dtype_name(a.dtype()) + "; expected uint8 (np.packbits output)");
  }
  a = py::array_t<std::uint8_t, py::array::c_style>::ensure(a);
  if (a.ndim() == 0) value_error(where, "bits is a scalar; expected shape (..., ceil(dim / 8))");
  const auto nd = static_cast<std::size_t>(a.ndim());
  const std::size_t nbytes = packbits_bytes(dim);
  if (static_cast<std::size_t>(a.shape(nd - 1)) != nbytes) {
    value_error(where, "bits has " + std::to_string(a.shape(nd - 1)) +
                           " bytes per vector; dim=" + std::to_string(dim) + " needs " +
                           std::to_string(nbytes));
  }
  const Shape lead(a.shape(), a.shape() + nd - 1);
  Packed out = Packed::zeros(lead, dim);
  const auto* src = static_cast<const std::uint8_t*>(a.data());
  const std::uint8_t pad = dim % 8 == 0 ? 0 : static_cast<std::uint8_t>(0xFFU >> (dim % 8));
  std::size_t bad_row = out.rows();
  {
    py::gil_scoped_release no_gil;
    for (std::size_t i = 0; i < out.rows(); ++i) {
      const std::uint8_t* row = src + i * nbytes;
      const std::uint8_t last = big ? row[nbytes - 1] : detail::kReversedBits[row[nbytes - 1]];
      if ((last & pad) != 0) {
        bad_row = i;
        break;
      }
      std::uint64_t* w = out.row_span(i).words;
      for (std::size_t j = 0; j < nbytes; ++j) {
        std::uint8_t b = big ? detail::kReversedBits[row[j]] : row[j];  // now LSB first
        if (!negative) b = static_cast<std::uint8_t>(~b);
        w[j / 8] |= std::uint64_t{b} << (8 * (j % 8));
      }
      w[packed_words(dim) - 1] &= packed_tail_mask(dim);
    }
  }
  if (bad_row != out.rows()) {
    value_error(where, "vector " + std::to_string(bad_row) + " has padding bits set past dim=" +
                           std::to_string(dim) + " (np.packbits writes zeros there; wrong dim?)");
  }
  return out;
}

/// Packed[index]: indexes the leading (batch) axes; the D axis stays whole.
Packed get_item(const Packed& p, py::object index) {
  py::tuple t = py::isinstance<py::tuple>(index) ? py::reinterpret_borrow<py::tuple>(index)
                                                 : py::make_tuple(index);
  for (auto item : t) {
    if (item.is(py::ellipsis())) {
      value_error("Packed.__getitem__", "Ellipsis is not supported; index the batch axes explicitly");
    }
  }
  if (t.size() > p.lead().size()) {
    throw py::index_error("Packed.__getitem__: too many indices: " + std::to_string(t.size()) +
                          " for " + std::to_string(p.lead().size()) + " batch axes (the D axis " +
                          "cannot be indexed; use to_bipolar() for components)");
  }
  py::list full;
  for (auto item : t) full.append(item);
  full.append(py::slice(py::none(), py::none(), py::none()));
  py::array sub = p.words().attr("__getitem__")(py::tuple(full));
  return Packed(std::move(sub), p.dim(), "Packed.__getitem__");
}

/// A view of `a` that cannot be written through (the bits past D stay 0).
py::array read_only_view(const py::array& a) {
  py::array view = a.attr("view")();
  view.attr("flags").attr("writeable") = false;
  return view;
}

std::string repr(const Packed& p) {
  return "hypervec.Packed(shape=" + shape_text(p.shape()) + ")";
}

}  // namespace

void register_packed(py::module_ m) {
  py::class_<Packed>(m, "Packed", py::buffer_protocol(), R"doc(
Packed bipolar (BSC) vectors: shape (..., D), one bit per component.

Component i of a vector is bit i % 64 of 64-bit word i // 64, least significant bit
first; bit 1 means -1, bit 0 means +1. The words are a uint64 array of shape
(..., ceil(D / 64)) (`words`, and the buffer protocol), shared, never copied.

Make them with hypervec.random(n, D, "BSC"), Packed.from_bipolar(x) or
Packed.from_packbits(bits, D, one=...); read them back with to_bipolar() or
to_packbits(one=...).)doc")
      .def(py::init([](py::array words, std::size_t dim) { return Packed(std::move(words), dim); }),
           py::arg("words"), py::arg("dim"),
           "Packed(words, dim): wraps a uint64 array (..., ceil(dim / 64)) without copying; bits\n"
           "past dim in each last word must be 0.")
      .def_buffer([](Packed& p) -> py::buffer_info {
        const py::array& w = p.words();
        return py::buffer_info(const_cast<void*>(w.data()), sizeof(std::uint64_t),
                               py::format_descriptor<std::uint64_t>::format(), w.ndim(),
                               std::vector<py::ssize_t>(w.shape(), w.shape() + w.ndim()),
                               std::vector<py::ssize_t>(w.strides(), w.strides() + w.ndim()),
                               /*readonly=*/true);  // writes could set bits past D
      })
      .def_property_readonly("dim", &Packed::dim, "D, the components per vector.")
      .def_property_readonly("shape", [](const Packed& p) {
        py::tuple t(p.shape().size());
        for (std::size_t i = 0; i < p.shape().size(); ++i) t[i] = p.shape()[i];
        return t;
      },
                             "(..., D): the batch axes and D.")
      .def_property_readonly("ndim", [](const Packed& p) { return p.lead().size() + 1; })
      .def_property_readonly("words", [](const Packed& p) { return read_only_view(p.words()); },
                             "The uint64 words (..., ceil(D / 64)): a read-only view sharing memory\n"
                             "with this object (writes could set bits past D; use .words.copy()).")
      .def("__len__", [](const Packed& p) {
        if (p.lead().empty()) throw py::type_error("len() of a single Packed vector (shape (D,))");
        return p.lead()[0];
      })
      .def("__getitem__", &get_item, py::arg("index"))
      .def("__repr__", &repr)
      .def("__eq__", [](const Packed& a, py::object other) -> py::object {
        if (!py::isinstance<Packed>(other)) return py::reinterpret_borrow<py::object>(Py_NotImplemented);
        const Packed& b = other.cast<const Packed&>();
        if (a.dim() != b.dim() || a.lead() != b.lead()) return py::bool_(false);
        for (std::size_t i = 0; i < a.rows(); ++i) {
          if (!std::equal(a.row(i).words, a.row(i).words + a.num_words(), b.row(i).words)) {
            return py::bool_(false);
          }
        }
        return py::bool_(true);
      })
      .def("copy", [](const Packed& p) {
        Packed out = Packed::zeros(p.lead(), p.dim());
        for (std::size_t i = 0; i < p.rows(); ++i) {
          std::copy_n(p.row(i).words, p.num_words(), out.row_span(i).words);
        }
        return out;
      }, "A copy that owns its words.")
      .def("to_bipolar", &to_bipolar, py::arg("dtype") = py::none(),
           "to_bipolar(dtype=float32) -> ndarray (..., D) of ±1 (float32, float64 or int8).")
      .def("to_packbits", &to_packbits, py::kw_only(), py::arg("one"), py::arg("bitorder") = "big",
           "to_packbits(*, one, bitorder='big') -> uint8 (..., ceil(D / 8)) as np.packbits writes.\n"
           "one='negative': a set bit is -1 (np.packbits(x < 0)); one='positive': +1\n"
           "(np.packbits(x > 0)). Padding bits past D are 0.")
      .def_static("from_bipolar", &from_bipolar, py::arg("input"),
                  "from_bipolar(input) -> Packed: packs an array (..., D) whose values are all -1 or +1\n"
                  "(any real dtype; torch tensors too). Other values raise ValueError.")
      .def_static("from_packbits", &from_packbits, py::arg("bits"), py::arg("dim"), py::kw_only(),
                  py::arg("one"), py::arg("bitorder") = "big",
                  "from_packbits(bits, dim, *, one, bitorder='big') -> Packed from np.packbits output\n"
                  "(uint8 (..., ceil(dim / 8))). `one` is required: 'negative' when the bits were\n"
                  "np.packbits(x < 0), 'positive' for np.packbits(x > 0).")
      .def(py::pickle(
          [](const Packed& p) { return py::make_tuple(p.words().attr("copy")(), p.dim()); },
          [](py::tuple t) { return Packed(t[0].cast<py::array>(), t[1].cast<std::size_t>()); }));
}

}  // namespace hypervec::python
