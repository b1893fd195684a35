// Encoding codebooks for Python (hypervec._hypervec.encode): torchhd's
// functional.level / thermometer / circular as packed codebooks (BSC; the
// MAP forms are their ±1 float32 unpacking, done in hypervec/functional.py),
// and fractional power encoding for FHRR and HRR (encode.hpp). The codebooks
// are pure functions of (seed, parameters), as in C++.
#include "src/python/ops.hpp"

#include "src/python/arrays.hpp"
#include "src/python/seed.hpp"

#include <hypervec/encode.hpp>

#include <algorithm>
#include <cmath>
#include <optional>
#include <string>

namespace hypervec::python {
namespace {

std::size_t positive(py::ssize_t n, const char* where, const char* arg, py::ssize_t least) {
  if (n < least) {
    value_error(where, std::string(arg) + "=" + std::to_string(n) + " must be >= " +
                           std::to_string(least));
  }
  return static_cast<std::size_t>(n);
}

double unit_interval(double r, const char* where) {
  if (!(r >= 0.0 && r <= 1.0)) {
    value_error(where, "randomness=" + std::to_string(r) + " must be in [0, 1]");
  }
  return r;
}

/// A (rows, D) Packed holding a copy of `m`.
py::object packed_copy(const PackedMatrix& m) {
  Packed out = Packed::zeros(Shape{static_cast<py::ssize_t>(m.rows())}, m.dim());
  for (std::size_t i = 0; i < m.rows(); ++i) {
    std::copy_n(m.row(i).words, packed_words(m.dim()), out.row_span(i).words);
  }
  return py::cast(std::move(out));
}

py::object level(py::ssize_t n, py::ssize_t d, const py::object& seed, double randomness) {
  constexpr const char* where = "level";
  const std::size_t levels = positive(n, where, "num_vectors", 2);
  const std::size_t dim = positive(d, where, "dimensions", 1);
  const double r = unit_interval(randomness, where);
  const std::uint64_t s = seed_or_fresh(seed);
  std::optional<encode::Level<>> book;
  {
    py::gil_scoped_release no_gil;
    book.emplace(levels, dim, s, 0.0, 1.0, r);
  }
  return packed_copy(book->codebook());
}

py::object thermometer(py::ssize_t n, py::ssize_t d) {
  constexpr const char* where = "thermometer";
  const std::size_t levels = positive(n, where, "num_vectors", 2);
  const std::size_t dim = positive(d, where, "dimensions", 1);
  std::optional<encode::Thermometer<>> book;
  {
    py::gil_scoped_release no_gil;
    book.emplace(levels, dim);
  }
  return packed_copy(book->codebook());
}

py::object circular(py::ssize_t n, py::ssize_t d, const py::object& seed, double randomness) {
  constexpr const char* where = "circular";
  const std::size_t points = positive(n, where, "num_vectors", 2);
  const std::size_t dim = positive(d, where, "dimensions", 1);
  const double r = unit_interval(randomness, where);
  const std::uint64_t s = seed_or_fresh(seed);
  std::optional<encode::Circular<>> book;
  {
    py::gil_scoped_release no_gil;
    book.emplace(points, dim, s, 1.0, r);
  }
  return packed_copy(book->codebook());
}

encode::FpeKernel fpe_kernel(const std::string& name, const char* where) {
  if (name == "sinc") return encode::FpeKernel::sinc;
  if (name == "gaussian") return encode::FpeKernel::gaussian;
  value_error(where, "distribution='" + name + "'; expected 'sinc' or 'gaussian'");
}

/// z(x) for every value of `values` (any shape S) -> S + (D,).
template <typename Encoder, typename T>
py::object encode_values(const char* where, const Encoder& enc, py::handle values) {
  py::array_t<double, py::array::c_style | py::array::forcecast> v;
  try {
    v = py::array_t<double, py::array::c_style | py::array::forcecast>::ensure(values);
  } catch (const py::error_already_set&) {
    v = {};
  }
  if (!v) value_error(where, "values is not a real array of numbers");
  const Shape lead(v.shape(), v.shape() + v.ndim());
  const double* x = v.data();
  const std::size_t n = static_cast<std::size_t>(v.size());
  for (std::size_t i = 0; i < n; ++i) {
    if (!std::isfinite(x[i])) value_error(where, "values holds a NaN or infinity at flat index " + std::to_string(i));
  }
  auto out = new_rows<T>(lead, enc.dim());
  T* o = out.mutable_data();
  {
    py::gil_scoped_release no_gil;
    for (std::size_t i = 0; i < n; ++i) {
      const auto z = enc(x[i]);
      std::copy_n(z.data(), enc.dim(), o + i * enc.dim());
    }
  }
  return out;
}

py::object fractional_power(py::handle values, py::ssize_t d, double bandwidth, const py::object& seed,
                            const std::string& distribution, const std::string& vsa) {
  constexpr const char* where = "fractional_power";
  const std::size_t dim = positive(d, where, "dimensions", 1);
  if (!(std::isfinite(bandwidth) && bandwidth > 0)) {
    value_error(where, "bandwidth=" + std::to_string(bandwidth) + " must be finite and > 0");
  }
  const encode::FpeKernel kernel = fpe_kernel(distribution, where);
  const std::uint64_t s = seed_or_fresh(seed);
  if (vsa == "FHRR") {
    std::optional<encode::FractionalPower<>> enc;
    {
      py::gil_scoped_release no_gil;
      enc.emplace(dim, bandwidth, s, kernel);
    }
    return encode_values<encode::FractionalPower<>, std::complex<float>>(where, *enc, values);
  }
  if (vsa == "HRR") {
    std::optional<encode::HrrFractionalPower> enc;
    {
      py::gil_scoped_release no_gil;
      enc.emplace(dim, bandwidth, s, kernel);
    }
    return encode_values<encode::HrrFractionalPower, float>(where, *enc, values);
  }
  value_error(where, "vsa='" + vsa + "'; fractional power encoding exists for 'FHRR' and 'HRR'");
}

}  // namespace

void register_encodings(py::module_ m) {
  py::module_ e = m.def_submodule("encode", "Encoding codebooks (encode.hpp).");
  e.def("level", &level, py::arg("num_vectors"), py::arg("dimensions"), py::arg("seed") = py::none(),
        py::arg("randomness") = 0.0,
        "level(num_vectors, dimensions, seed=None, randomness=0.0) -> Packed (n, D): torchhd's\n"
        "level hypervectors; E[cos(L_i, L_k)] = 1 - |i - k|/(n - 1) at randomness 0.");
  e.def("thermometer", &thermometer, py::arg("num_vectors"), py::arg("dimensions"),
        "thermometer(num_vectors, dimensions) -> Packed (n, D): level i is +1 on its first\n"
        "round(i D/(n-1)) components, -1 elsewhere (deterministic).");
  e.def("circular", &circular, py::arg("num_vectors"), py::arg("dimensions"), py::arg("seed") = py::none(),
        py::arg("randomness") = 0.0,
        "circular(num_vectors, dimensions, seed=None, randomness=0.0) -> Packed (n, D): points on a\n"
        "circle; E[cos(C_i, C_k)] = 1 - 2 min(|i-k|, n-|i-k|)/n at randomness 0.");
  e.def("fractional_power", &fractional_power, py::arg("values"), py::arg("dimensions"),
        py::arg("bandwidth") = 1.0, py::arg("seed") = py::none(), py::arg("distribution") = "sinc",
        py::arg("vsa") = "FHRR",
        "fractional_power(values, dimensions, bandwidth=1.0, seed=None, distribution='sinc', vsa='FHRR')\n"
        "-> values.shape + (D,): z(x)_k = e^{i x θ_k / bandwidth} (FHRR, complex64) or its real\n"
        "unitary HRR form (float32); bind(z(x), z(y)) = z(x + y).");
}

}  // namespace hypervec::python
