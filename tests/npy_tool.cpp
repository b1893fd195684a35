// Helper for tests/npy_numpy_test.py: writes .npy files with hypervec for
// numpy to check (`write DIR`), and checks files numpy wrote (`check DIR`).
// Element k (C order) of every array follows value_at() below, which the
// Python side mirrors.
#include <hypervec/bipolar.hpp>
#include <hypervec/npy.hpp>

#include <complex>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

namespace npy = hypervec::npy;

namespace {
double value_at(npy::DType dtype, std::size_t k) {
  switch (dtype) {
    case npy::DType::float32:
    case npy::DType::float64:
    case npy::DType::complex64:  // the real part; imag_at() is the imaginary
    case npy::DType::complex128: return static_cast<double>(k % 97) * 0.25 - 12.0;
    case npy::DType::int8: return static_cast<double>(static_cast<int>(k * 7 % 256) - 128);
    case npy::DType::uint8: return static_cast<double>(k * 13 % 256);
    case npy::DType::boolean: return k % 3 == 0 ? 1.0 : 0.0;
  }
  return 0;
}

/// Imaginary part of complex element k.
double imag_at(std::size_t k) { return static_cast<double>(k % 5) * 0.5 - 1.0; }

template <typename T>
std::vector<std::complex<T>> make_complex(std::size_t n) {
  std::vector<std::complex<T>> v(n);
  for (std::size_t k = 0; k < n; ++k) {
    v[k] = {static_cast<T>(value_at(npy::DType::float64, k)), static_cast<T>(imag_at(k))};
  }
  return v;
}

template <typename T>
bool check_complex(const npy::Array& a, const std::string& name) {
  const auto v = a.values<std::complex<T>>();
  for (std::size_t k = 0; k < v.size(); ++k) {
    if (v[k].real() != value_at(a.dtype, k) || v[k].imag() != imag_at(k)) {
      std::fprintf(stderr, "%s: element %zu is %g%+gj, expected %g%+gj\n", name.c_str(), k,
                   static_cast<double>(v[k].real()), static_cast<double>(v[k].imag()),
                   value_at(a.dtype, k), imag_at(k));
      return false;
    }
  }
  return true;
}

template <typename T>
std::vector<T> make(npy::DType dtype, std::size_t n) {
  std::vector<T> v(n);
  for (std::size_t k = 0; k < n; ++k) v[k] = static_cast<T>(value_at(dtype, k));
  return v;
}

template <typename T>
bool check(const npy::Array& a, const std::string& name) {
  const auto v = a.values<T>();
  for (std::size_t k = 0; k < v.size(); ++k) {
    if (static_cast<double>(v[k]) != value_at(a.dtype, k)) {
      std::fprintf(stderr, "%s: element %zu is %g, expected %g\n", name.c_str(), k, static_cast<double>(v[k]),
                   value_at(a.dtype, k));
      return false;
    }
  }
  return true;
}
}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: npy_tool write|check DIR\n");
    return 2;
  }
  const std::string mode = argv[1], dir = argv[2];
  const std::size_t shape[2] = {3, 5};
  try {
    if (mode == "write") {
      npy::write(dir + "/f4.npy", npy::DType::float32, shape, make<float>(npy::DType::float32, 15).data());
      npy::write(dir + "/f8.npy", npy::DType::float64, shape, make<double>(npy::DType::float64, 15).data());
      npy::write(dir + "/i1.npy", npy::DType::int8, shape, make<std::int8_t>(npy::DType::int8, 15).data());
      npy::write(dir + "/u1.npy", npy::DType::uint8, shape, make<std::uint8_t>(npy::DType::uint8, 15).data());
      npy::write(dir + "/b1.npy", npy::DType::boolean, shape, make<std::uint8_t>(npy::DType::boolean, 15).data());
      npy::write(dir + "/c8.npy", npy::DType::complex64, shape, make_complex<float>(15).data());
      npy::write(dir + "/c16.npy", npy::DType::complex128, shape, make_complex<double>(15).data());
      // A packed bipolar codebook: rows 0..3 of seed 5 at D=100, packbits order.
      const auto book = hypervec::bipolar::random_matrix(4, 100, 5);
      const auto bytes = npy::to_packbits(book.view());
      std::vector<std::uint8_t> flat;
      for (std::size_t r = 0; r < bytes.rows(); ++r) flat.insert(flat.end(), bytes.row(r).begin(), bytes.row(r).end());
      const std::size_t pshape[2] = {bytes.rows(), bytes.dim()};
      npy::write(dir + "/packed.npy", npy::DType::uint8, pshape, flat.data());
      return 0;
    }
    if (mode == "check") {
      bool ok = true;
      for (const char* name : {"f4", "f8", "i1", "u1", "b1", "f4_fortran", "f8_big", "f4_v2", "f4_v3", "i1_fortran",
                               "c8", "c16", "c8_big", "c16_big", "c8_fortran", "c16_big_fortran"}) {
        const std::string path = dir + "/" + name + ".npy";
        const auto a = npy::read(path);
        bool this_ok = false;
        switch (a.dtype) {
          case npy::DType::float32: this_ok = check<float>(a, path); break;
          case npy::DType::float64: this_ok = check<double>(a, path); break;
          case npy::DType::int8: this_ok = check<std::int8_t>(a, path); break;
          case npy::DType::complex64: this_ok = check_complex<float>(a, path); break;
          case npy::DType::complex128: this_ok = check_complex<double>(a, path); break;
          default: this_ok = check<std::uint8_t>(a, path); break;
        }
        ok = ok && this_ok;
      }
      // numpy's ±1 float codebook from the documented RNG formula.
      const auto expected = hypervec::bipolar::random_matrix(4, 100, 5);
      const auto book = npy::load_bipolar(dir + "/bipolar_f4.npy");
      for (std::size_t r = 0; r < 4; ++r) {
        if (!std::equal(expected.row(r).words, expected.row(r).words + 2, book.row(r).words)) {
          std::fprintf(stderr, "bipolar_f4.npy row %zu differs from bipolar::random_matrix\n", r);
          ok = false;
        }
      }
      return ok ? 0 : 1;
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "npy_tool: %s\n", e.what());
    return 1;
  }
  std::fprintf(stderr, "unknown mode %s\n", mode.c_str());
  return 2;
}
