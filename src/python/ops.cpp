// The model verbs for Python: hypervec._hypervec.{bsc,map,hrr,fhrr}, each
// with the same verbs (random, identity, bind, unbind, inverse, bundle,
// multiset, permute, inverse_permute, dot_similarity, cosine_similarity,
// ...) over batches of shape (..., D) with NumPy broadcasting of the leading
// axes. Each verb is written once over the operand traits (operands.hpp);
// a model's submodule picks the element type from its arguments (MAP: int8
// when every argument is int8, else float32; HRR: float64 when any argument
// is float64, else float32) and forwards to the C++ namespace.
#include "src/python/ops.hpp"

#include "src/python/operands.hpp"
#include "src/python/similarity_gemm.hpp"

#include <hypervec/bipolar.hpp>
#include <hypervec/dense.hpp>
#include <hypervec/fhrr.hpp>
#include <hypervec/hrr.hpp>
#include <hypervec/model.hpp>

#include <random>

namespace hypervec::python {
namespace {

/// `seed` as a 64-bit seed: an integer in [0, 2**64) (Python int or anything
/// with __index__, such as np.int64); None draws a fresh one from the OS.
/// ValueError naming `where` otherwise.
std::uint64_t seed_or_random(const py::object& seed, const char* where) {
  if (!seed.is_none()) {
    PyObject* index = PyNumber_Index(seed.ptr());  // int, np.integer; float and str fail
    if (index == nullptr) PyErr_Clear();
    const py::object owns_index = py::reinterpret_steal<py::object>(index);
    const unsigned long long value = index == nullptr ? 0 : PyLong_AsUnsignedLongLong(index);
    if (index == nullptr || (value == static_cast<unsigned long long>(-1) && PyErr_Occurred())) {
      PyErr_Clear();
      value_error(where, "seed=" + py::repr(seed).cast<std::string>() +
                             " is not an integer in [0, 2**64) (or None for a fresh seed)");
    }
    return value;
  }
  std::random_device rd;
  return (std::uint64_t{rd()} << 32) ^ rd();
}

std::size_t checked_count(py::ssize_t n, const char* where, const char* arg, bool allow_zero) {
  if (n < 0 || (!allow_zero && n == 0)) {
    value_error(where, std::string(arg) + "=" + std::to_string(n) + " must be " +
                           (allow_zero ? ">= 0" : ">= 1"));
  }
  return static_cast<std::size_t>(n);
}

template <typename RowsA, typename RowsB>
void require_same_dim(const RowsA& a, const RowsB& b, const char* where, const char* name_a,
                      const char* name_b) {
  if (a.dim != b.dim) {
    value_error(where, std::string(name_a) + " has D=" + std::to_string(a.dim) + " and " +
                           name_b + " has D=" + std::to_string(b.dim));
  }
}

/// Rows [first, first + n) of a batch as the model's MatrixView.
template <typename T>
DenseMatrixView<T> sub_view(const DenseRows<T>& r, std::size_t first, std::size_t n) {
  return {r.data + first * r.stride, n, r.dim, r.stride};
}
inline PackedMatrixView sub_view(const PackedRows& r, std::size_t first, std::size_t n) {
  const PackedMatrixView all = r.view();
  return {all.words + first * all.stride_words, n, all.dim, all.stride_words};
}

// --- The verbs, written once over Ops (operands.hpp) -------------------------

/// (num_vectors, D) rows first_row.. of the model's seeded random codebook.
template <typename Ops>
py::object random(const char* where, py::ssize_t num_vectors, py::ssize_t dimensions,
                  const py::object& seed, std::uint64_t first_row) {
  const std::size_t n = checked_count(num_vectors, where, "num_vectors", true);
  const std::size_t d = checked_count(dimensions, where, "dimensions", false);
  const std::uint64_t s = seed_or_random(seed, where);
  typename Ops::Model::Matrix m;
  {
    py::gil_scoped_release no_gil;
    m = Ops::Model::random_matrix(n, d, s, RandomOptions{first_row, 0, false});
  }
  return Ops::result(std::move(m));
}

/// (num_vectors, D) copies of the identity of bind.
template <typename Ops>
py::object identity(const char* where, py::ssize_t num_vectors, py::ssize_t dimensions) {
  const std::size_t n = checked_count(num_vectors, where, "num_vectors", true);
  const std::size_t d = checked_count(dimensions, where, "dimensions", false);
  auto out = Ops::out(Shape{static_cast<py::ssize_t>(n)}, d);
  const auto one = Ops::Model::identity(d);
  for_each_row(n, Ops::work(d), [&](std::size_t i) { Ops::store(one, Ops::out_row(out, i, d)); });
  return Ops::result(std::move(out));
}

/// out[i] = fn(a[ia(i)], b[ib(i)]) over the broadcast batch.
template <typename Ops, typename Fn>
py::object binary(const char* where, py::handle a, py::handle b, Fn fn) {
  const auto A = Ops::in(a, where, "a");
  const auto B = Ops::in(b, where, "b");
  require_same_dim(A, B, where, "a", "b");
  const Broadcast bc = broadcast(A.lead, B.lead, where, "a", "b");
  auto out = Ops::out(bc.lead, A.dim);
  for_each_row(bc.rows, Ops::work(A.dim), [&](std::size_t i) {
    fn(A.row(bc.a(i)), B.row(bc.b(i)), Ops::out_row(out, i, A.dim));
  });
  return Ops::result(std::move(out));
}

/// out[i] = fn(a[i]) (fn returns the model's Vector).
template <typename Ops, typename Fn>
py::object unary(const char* where, py::handle a, Fn fn) {
  const auto A = Ops::in(a, where, "input");
  auto out = Ops::out(A.lead, A.dim);
  for_each_row(A.rows, Ops::work(A.dim),
               [&](std::size_t i) { Ops::store(fn(A.row(i)), Ops::out_row(out, i, A.dim)); });
  return Ops::result(std::move(out));
}

/// The bundle of the rows along axis -2: (..., n, D) -> (..., D).
template <typename Ops>
py::object multiset(const char* where, py::handle x) {
  const auto X = Ops::in(x, where, "input");
  const BundleGroups groups = bundle_groups(X, where);
  const std::size_t n = groups.n;
  auto out = Ops::out(groups.lead, X.dim);
  for_each_row(groups.count, Ops::work(X.dim) * n, [&](std::size_t g) {
    Ops::store(Ops::Model::bundle(sub_view(X, g * n, n)), Ops::out_row(out, g, X.dim));
  });
  return Ops::result(std::move(out));
}

/// score(input[i], others[j]) for every pair: shape input.lead + (n,), or
/// input.lead when `others` is one vector (torchhd's similarity shapes).
/// kGemm: score is that dense dot / cosine, which large float32 batches may
/// take through BLAS instead (similarity_gemm.hpp).
template <typename Ops, GemmScore kGemm = GemmScore::none, typename Fn>
py::object similarity(const char* where, py::handle input, py::handle others, Fn score) {
  const auto A = Ops::in(input, where, "input");
  const auto B = Ops::in(others, where, "others");
  require_same_dim(A, B, where, "input", "others");
  if (B.lead.size() > 1) {
    value_error(where, "others has batch shape " + shape_text(B.lead) +
                           "; expected one vector (D,) or a codebook (n, D)");
  }
  Shape lead = A.lead;
  if (!B.lead.empty()) lead.push_back(B.lead[0]);
  py::array_t<double> out(lead);
  double* o = out.mutable_data();
  // Large float32 batches: BLAS products (similarity_gemm.hpp).
  if constexpr (kGemm != GemmScore::none && std::is_same_v<typename Ops::Rows, DenseRows<float>>) {
    if (gemm_pays(A, B)) {
      gemm_similarity(A, B, kGemm == GemmScore::cosine, PairScore(score), o);
      return std::move(out);
    }
  }
  // Tiles of kTile inputs against one row of others at a time, so each row of
  // others is read from memory once per tile (the tile's rows stay in cache),
  // not once per input.
  constexpr std::size_t kTile = 16;
  const std::size_t n = B.rows, tiles = (A.rows + kTile - 1) / kTile;
  for_each_row(tiles * n, Ops::work(A.dim) * std::min(A.rows, kTile), [&](std::size_t t) {
    const std::size_t j = t % n, first = (t / n) * kTile, last = std::min(A.rows, first + kTile);
    for (std::size_t i = first; i < last; ++i) {
      o[i * n + j] = static_cast<double>(score(A.row(i), B.row(j)));
    }
  });
  return std::move(out);
}

// --- Element type per call ----------------------------------------------------

/// The MAP model's element type for these arguments: int8 when all are int8.
bool all_int8(std::initializer_list<py::handle> args) {
  for (auto a : args) {
    if (!has_dtype<std::int8_t>(a)) return false;
  }
  return true;
}

/// The HRR element type for these arguments: float64 when any is float64.
bool any_float64(std::initializer_list<py::handle> args) {
  for (auto a : args) {
    if (has_dtype<double>(a)) return true;
  }
  return false;
}

/// dense MAP on int8 components (MAP-B with int8 storage): dense.hpp's int8
/// overloads in model form, for the verbs above.
struct DenseMapInt8 {
  using Vector = DenseVector<std::int8_t>;
  using View = std::span<const std::int8_t>;
  using Matrix = DenseMatrix<std::int8_t>;
  using MatrixView = DenseMatrixView<std::int8_t>;
  static Vector identity(std::size_t dim) {
    Vector v(dim);
    std::fill_n(v.data(), dim, std::int8_t{1});
    return v;
  }
};

using BscOps = PackedOperands;
using MapOps = DenseOperands<float, models::DenseMap>;
using MapInt8Ops = DenseOperands<std::int8_t, DenseMapInt8>;
template <typename T>
using HrrOps = DenseOperands<T, models::Hrr<T>>;
using FhrrOps = DenseOperands<fhrr::Phasor, models::Fhrr>;

// Shared docstrings: the verbs mean the same in every model.
constexpr const char* kRandomDoc =
    "random(num_vectors, dimensions, seed=None, first_row=0) -> (num_vectors, dimensions)\n\n"
    "Rows first_row.. of the model's random codebook for `seed` (None: a fresh seed from the\n"
    "OS). The same (seed, row) gives the same vector at any num_vectors and thread count.";
constexpr const char* kIdentityDoc =
    "identity(num_vectors, dimensions) -> (num_vectors, dimensions)\n\n"
    "The identity of bind: bind(identity, a) == a.";
constexpr const char* kBindDoc =
    "bind(a, b) -> a ⊗ b, shapes (..., D) broadcast over the leading axes.";
constexpr const char* kUnbindDoc =
    "unbind(c, key) -> c ⊗ key⁻¹ (exact for MAP, BSC and FHRR; approximate for HRR).";
constexpr const char* kInverseDoc = "inverse(input) -> input⁻¹: bind(c, inverse(k)) == unbind(c, k).";
constexpr const char* kPermuteDoc =
    "permute(input, shifts=1) -> ρ^shifts(input): a cyclic shift of the last axis by `shifts`\n"
    "positions, as torch.roll(input, shifts, -1).";
constexpr const char* kInversePermuteDoc =
    "inverse_permute(input, shifts=1) -> ρ^-shifts(input): undoes permute(input, shifts).";
constexpr const char* kMultisetDoc =
    "multiset(input) -> the bundle of the vectors along axis -2: (..., n, D) -> (..., D).";
constexpr const char* kDotDoc =
    "dot_similarity(input, others) -> float64: ⟨input_i, others_j⟩ for every pair. input (..., D),\n"
    "others (n, D) -> (..., n); others (D,) -> (...).";
constexpr const char* kCosineDoc =
    "cosine_similarity(input, others) -> float64: the cosine ⟨a, b⟩ / (‖a‖ ‖b‖) for every pair\n"
    "(0 when either vector is zero). Shapes as dot_similarity.";

void register_bsc(py::module_ m) {
  m.def("random", [](py::ssize_t n, py::ssize_t d, py::object seed, std::uint64_t first_row) {
    return random<BscOps>("bsc.random", n, d, seed, first_row);
  }, py::arg("num_vectors"), py::arg("dimensions"), py::arg("seed") = py::none(),
     py::arg("first_row") = 0, kRandomDoc);
  m.def("identity", [](py::ssize_t n, py::ssize_t d) { return identity<BscOps>("bsc.identity", n, d); },
        py::arg("num_vectors"), py::arg("dimensions"), kIdentityDoc);
  auto xor_into = [](PackedView a, PackedView b, PackedSpan out) { bipolar::bind(a, b, out); };
  m.def("bind", [xor_into](py::handle a, py::handle b) { return binary<BscOps>("bsc.bind", a, b, xor_into); },
        py::arg("a"), py::arg("b"), "bind(a, b) -> a XOR b (component-wise product of ±1).");
  m.def("unbind", [xor_into](py::handle a, py::handle b) { return binary<BscOps>("bsc.unbind", a, b, xor_into); },
        py::arg("c"), py::arg("key"), "unbind(c, key) -> c XOR key (exact: XOR is its own inverse).");
  m.def("inverse", [](py::handle a) {
    return unary<BscOps>("bsc.inverse", a, [](PackedView v) { return bipolar::inverse(v); });
  }, py::arg("input"), "inverse(input) -> input (XOR is self-inverse).");
  m.def("permute", [](py::handle a, std::ptrdiff_t k) {
    return unary<BscOps>("bsc.permute", a, [k](PackedView v) { return bipolar::permute(v, k); });
  }, py::arg("input"), py::arg("shifts") = 1, kPermuteDoc);
  m.def("inverse_permute", [](py::handle a, std::ptrdiff_t k) {
    return unary<BscOps>("bsc.inverse_permute", a,
                         [k](PackedView v) { return bipolar::inverse_permute(v, k); });
  }, py::arg("input"), py::arg("shifts") = 1, kInversePermuteDoc);
  m.def("multiset", [](py::handle x) { return multiset<BscOps>("bsc.multiset", x); }, py::arg("input"),
        "multiset(input) -> the majority of the vectors along axis -2, ties toward -1:\n"
        "(..., n, D) -> (..., D).");
  m.def("dot_similarity", [](py::handle a, py::handle b) {
    return similarity<BscOps>("bsc.dot_similarity", a, b, [](PackedView x, PackedView y) {
      return bipolar::dot(x, y);
    });
  }, py::arg("input"), py::arg("others"), kDotDoc);
  m.def("cosine_similarity", [](py::handle a, py::handle b) {
    return similarity<BscOps>("bsc.cosine_similarity", a, b, [](PackedView x, PackedView y) {
      return bipolar::cosine(x, y);
    });
  }, py::arg("input"), py::arg("others"), kCosineDoc);
  m.def("hamming_similarity", [](py::handle a, py::handle b) {
    return similarity<BscOps>("bsc.hamming_similarity", a, b, [](PackedView x, PackedView y) {
      return static_cast<double>(x.dim - bipolar::hamming(x, y));
    });
  }, py::arg("input"), py::arg("others"),
     "hamming_similarity(input, others) -> float64: the number of equal components, D - hamming.\n"
     "Shapes as dot_similarity.");
}

void register_map(py::module_ m) {
  m.def("random", [](py::ssize_t n, py::ssize_t d, py::object seed, std::uint64_t first_row) {
    return random<MapOps>("map.random", n, d, seed, first_row);
  }, py::arg("num_vectors"), py::arg("dimensions"), py::arg("seed") = py::none(),
     py::arg("first_row") = 0, kRandomDoc);
  m.def("identity", [](py::ssize_t n, py::ssize_t d) { return identity<MapOps>("map.identity", n, d); },
        py::arg("num_vectors"), py::arg("dimensions"), kIdentityDoc);
  m.def("bind", [](py::handle a, py::handle b) -> py::object {
    if (all_int8({a, b})) {
      return binary<MapInt8Ops>("map.bind", a, b, [](auto x, auto y, auto o) { dense::bind(x, y, o); });
    }
    return binary<MapOps>("map.bind", a, b, [](auto x, auto y, auto o) { dense::bind(x, y, o); });
  }, py::arg("a"), py::arg("b"), "bind(a, b) -> a ⊙ b (component-wise product), float32 or int8.");
  m.def("unbind", [](py::handle a, py::handle b) -> py::object {
    if (all_int8({a, b})) {
      return binary<MapInt8Ops>("map.unbind", a, b, [](auto x, auto y, auto o) { dense::unbind(x, y, o); });
    }
    return binary<MapOps>("map.unbind", a, b, [](auto x, auto y, auto o) { dense::unbind(x, y, o); });
  }, py::arg("c"), py::arg("key"), "unbind(c, key) -> c ⊙ key (exact for ±1 keys).");
  m.def("inverse", [](py::handle a) -> py::object {
    if (all_int8({a})) return unary<MapInt8Ops>("map.inverse", a, [](auto v) { return dense::inverse(v); });
    return unary<MapOps>("map.inverse", a, [](auto v) { return dense::inverse(v); });
  }, py::arg("input"), "inverse(input) -> 1 / input component-wise (input itself for ±1).");
  m.def("permute", [](py::handle a, std::ptrdiff_t k) -> py::object {
    if (all_int8({a})) return unary<MapInt8Ops>("map.permute", a, [k](auto v) { return dense::permute(v, k); });
    return unary<MapOps>("map.permute", a, [k](auto v) { return dense::permute(v, k); });
  }, py::arg("input"), py::arg("shifts") = 1, kPermuteDoc);
  m.def("inverse_permute", [](py::handle a, std::ptrdiff_t k) -> py::object {
    if (all_int8({a})) {
      return unary<MapInt8Ops>("map.inverse_permute", a, [k](auto v) { return dense::inverse_permute(v, k); });
    }
    return unary<MapOps>("map.inverse_permute", a, [k](auto v) { return dense::inverse_permute(v, k); });
  }, py::arg("input"), py::arg("shifts") = 1, kInversePermuteDoc);
  m.def("multiset", [](py::handle x) { return multiset<MapOps>("map.multiset", x); }, py::arg("input"),
        "multiset(input) -> the sum of the vectors along axis -2 (float32; int8 input is summed\n"
        "as float32): (..., n, D) -> (..., D).");
  m.def("dot_similarity", [](py::handle a, py::handle b) -> py::object {
    if (all_int8({a, b})) {
      return similarity<MapInt8Ops>("map.dot_similarity", a, b, [](auto x, auto y) { return dense::dot(x, y); });
    }
    return similarity<MapOps, GemmScore::dot>("map.dot_similarity", a, b, [](auto x, auto y) { return dense::dot(x, y); });
  }, py::arg("input"), py::arg("others"), kDotDoc);
  m.def("cosine_similarity", [](py::handle a, py::handle b) -> py::object {
    if (all_int8({a, b})) {
      return similarity<MapInt8Ops>("map.cosine_similarity", a, b, [](auto x, auto y) { return dense::cosine(x, y); });
    }
    return similarity<MapOps, GemmScore::cosine>("map.cosine_similarity", a, b, [](auto x, auto y) { return dense::cosine(x, y); });
  }, py::arg("input"), py::arg("others"), kCosineDoc);
  m.def("hard_quantize", [](py::handle a) {
    return unary<MapOps>("map.hard_quantize", a, [](auto v) { return dense::hard_quantize(v); });
  }, py::arg("input"),
     "hard_quantize(input) -> float32 ±1: +1 where input > 0, else -1 (torchhd's hard_quantize;\n"
     "ties at 0 go to -1).");
}

template <typename T>
struct TypeTag {
  using type = T;
};
/// call(TypeTag<double>) when `f64`, else call(TypeTag<float>).
template <typename Call>
py::object hrr_typed(bool f64, Call&& call) {
  if (f64) return call(TypeTag<double>{});
  return call(TypeTag<float>{});
}

void register_hrr(py::module_ m) {
  m.def("random", [](py::ssize_t n, py::ssize_t d, py::object seed, std::uint64_t first_row, py::object dtype) {
    if (!dtype.is_none() && is_dtype<double>(py::dtype::from_args(dtype))) {
      return random<HrrOps<double>>("hrr.random", n, d, seed, first_row);
    }
    return random<HrrOps<float>>("hrr.random", n, d, seed, first_row);
  }, py::arg("num_vectors"), py::arg("dimensions"), py::arg("seed") = py::none(),
     py::arg("first_row") = 0, py::arg("dtype") = py::none(),
     "random(num_vectors, dimensions, seed=None, first_row=0, dtype=float32)\n\n"
     "Rows of N(0, 1/D) components (torchhd HRR), float32 or float64.");
  m.def("identity", [](py::ssize_t n, py::ssize_t d) { return identity<HrrOps<float>>("hrr.identity", n, d); },
        py::arg("num_vectors"), py::arg("dimensions"), kIdentityDoc);
m.def("bind", [](py::handle a, py::handle b) -> py::object {
    return hrr_typed(any_float64({a, b}), [&](auto tag) -> py::object {
      using T = typename decltype(tag)::type;
      using Ops = HrrOps<T>;
      return binary<Ops>("hrr.bind", a, b, [](auto x, auto y, auto o) { hrr::bind<T>(x, y, o); });
    });
  }, py::arg("a"), py::arg("b"), "bind(a, b) -> a ⊛ b, circular convolution (FFTW).");
  m.def("unbind", [](py::handle a, py::handle b) -> py::object {
    return hrr_typed(any_float64({a, b}), [&](auto tag) -> py::object {
      using T = typename decltype(tag)::type;
      using Ops = HrrOps<T>;
      return binary<Ops>("hrr.unbind", a, b, [](auto x, auto y, auto o) { hrr::unbind<T>(x, y, o); });
    });
  }, py::arg("c"), py::arg("key"),
     "unbind(c, key) -> c ⊛ key†, the involution (approximate; exact for unitary keys).");
  m.def("inverse", [](py::handle a) -> py::object {
    return hrr_typed(any_float64({a}), [&](auto tag) -> py::object {
      using T = typename decltype(tag)::type;
      using Ops = HrrOps<T>;
      return unary<Ops>("hrr.inverse", a, [](auto v) { return hrr::inverse<T>(v); });
    });
  }, py::arg("input"), "inverse(input) -> the involution a† (a_{-i mod D}), torchhd HRR's inverse.");
  m.def("permute", [](py::handle a, std::ptrdiff_t k) -> py::object {
    return hrr_typed(any_float64({a}), [&](auto tag) -> py::object {
      using T = typename decltype(tag)::type;
      using Ops = HrrOps<T>;
      return unary<Ops>("hrr.permute", a, [k](auto v) { return hrr::permute<T>(v, k); });
    });
  }, py::arg("input"), py::arg("shifts") = 1, kPermuteDoc);
  m.def("inverse_permute", [](py::handle a, std::ptrdiff_t k) -> py::object {
    return hrr_typed(any_float64({a}), [&](auto tag) -> py::object {
      using T = typename decltype(tag)::type;
      using Ops = HrrOps<T>;
      return unary<Ops>("hrr.inverse_permute", a, [k](auto v) { return hrr::inverse_permute<T>(v, k); });
    });
  }, py::arg("input"), py::arg("shifts") = 1, kInversePermuteDoc);
  m.def("multiset", [](py::handle x) -> py::object {
    return hrr_typed(any_float64({x}), [&](auto tag) -> py::object {
      using T = typename decltype(tag)::type;
      using Ops = HrrOps<T>;
      return multiset<Ops>("hrr.multiset", x);
    });
  }, py::arg("input"), kMultisetDoc);
  m.def("dot_similarity", [](py::handle a, py::handle b) -> py::object {
    return hrr_typed(any_float64({a, b}), [&](auto tag) -> py::object {
      using T = typename decltype(tag)::type;
      using Ops = HrrOps<T>;
      return similarity<Ops, GemmScore::dot>("hrr.dot_similarity", a, b, [](auto x, auto y) { return hrr::dot<T>(x, y); });
    });
  }, py::arg("input"), py::arg("others"), kDotDoc);
  m.def("cosine_similarity", [](py::handle a, py::handle b) -> py::object {
    return hrr_typed(any_float64({a, b}), [&](auto tag) -> py::object {
      using T = typename decltype(tag)::type;
      using Ops = HrrOps<T>;
      return similarity<Ops, GemmScore::cosine>("hrr.cosine_similarity", a, b, [](auto x, auto y) { return hrr::cosine<T>(x, y); });
    });
  }, py::arg("input"), py::arg("others"), kCosineDoc);
  m.def("normalize", [](py::handle a) -> py::object {
    return hrr_typed(any_float64({a}), [&](auto tag) -> py::object {
      using T = typename decltype(tag)::type;
      using Ops = HrrOps<T>;
      return unary<Ops>("hrr.normalize", a, [](auto v) { return hrr::normalize<T>(v); });
    });
  }, py::arg("input"), "normalize(input) -> input / ‖input‖₂ (L2; not a quantiser).");
}

void register_fhrr(py::module_ m) {
  m.def("random", [](py::ssize_t n, py::ssize_t d, py::object seed, std::uint64_t first_row) {
    return random<FhrrOps>("fhrr.random", n, d, seed, first_row);
  }, py::arg("num_vectors"), py::arg("dimensions"), py::arg("seed") = py::none(),
     py::arg("first_row") = 0,
     "random(num_vectors, dimensions, seed=None, first_row=0) -> complex64 unit phasors e^{iθ},\n"
     "θ uniform on [-π, π) (torchhd FHRR).");
  m.def("identity", [](py::ssize_t n, py::ssize_t d) { return identity<FhrrOps>("fhrr.identity", n, d); },
        py::arg("num_vectors"), py::arg("dimensions"), kIdentityDoc);
  m.def("bind", [](py::handle a, py::handle b) {
    return binary<FhrrOps>("fhrr.bind", a, b, [](auto x, auto y, auto o) { fhrr::bind(x, y, o); });
  }, py::arg("a"), py::arg("b"), "bind(a, b) -> a ⊙ b (component-wise complex product).");
  m.def("unbind", [](py::handle a, py::handle b) {
    return binary<FhrrOps>("fhrr.unbind", a, b, [](auto x, auto y, auto o) { fhrr::unbind(x, y, o); });
  }, py::arg("c"), py::arg("key"), "unbind(c, key) -> c ⊙ conj(key) (exact for unit phasors).");
  m.def("inverse", [](py::handle a) {
    return unary<FhrrOps>("fhrr.inverse", a, [](auto v) { return fhrr::inverse(v); });
  }, py::arg("input"), "inverse(input) -> conj(input) (torchhd FHRR's inverse).");
  m.def("permute", [](py::handle a, std::ptrdiff_t k) {
    return unary<FhrrOps>("fhrr.permute", a, [k](auto v) { return fhrr::permute(v, k); });
  }, py::arg("input"), py::arg("shifts") = 1, kPermuteDoc);
  m.def("inverse_permute", [](py::handle a, std::ptrdiff_t k) {
    return unary<FhrrOps>("fhrr.inverse_permute", a, [k](auto v) { return fhrr::inverse_permute(v, k); });
  }, py::arg("input"), py::arg("shifts") = 1, kInversePermuteDoc);
  m.def("multiset", [](py::handle x) { return multiset<FhrrOps>("fhrr.multiset", x); }, py::arg("input"),
        kMultisetDoc);
  m.def("dot_similarity", [](py::handle a, py::handle b) {
    return similarity<FhrrOps>("fhrr.dot_similarity", a, b, [](auto x, auto y) { return fhrr::dot(x, y); });
  }, py::arg("input"), py::arg("others"),
     "dot_similarity(input, others) -> float64: Re Σ a_k conj(b_k) for every pair (torchhd FHRR's\n"
     "dot_similarity). Shapes as in the other models.");
  m.def("cosine_similarity", [](py::handle a, py::handle b) {
    return similarity<FhrrOps>("fhrr.cosine_similarity", a, b, [](auto x, auto y) { return fhrr::cosine(x, y); });
  }, py::arg("input"), py::arg("others"),
     "cosine_similarity(input, others) -> float64: Re⟨a, b⟩ / (‖a‖ ‖b‖) for every pair.");
  m.def("hard_quantize", [](py::handle a) {
    return unary<FhrrOps>("fhrr.hard_quantize", a, [](auto v) { return fhrr::hard_quantize(v); });
  }, py::arg("input"), "hard_quantize(input) -> input / |input| component-wise (unit phasors).");
}

}  // namespace

void register_ops(py::module_ m) {
  register_bsc(m.def_submodule("bsc", "BSC: packed bipolar vectors (hypervec.Packed), bind = XOR."));
  register_map(m.def_submodule("map", "MAP: dense bipolar / real vectors (float32 or int8), bind = ⊙."));
  register_hrr(m.def_submodule("hrr", "HRR: real vectors (float32 or float64), bind = circular convolution."));
  register_fhrr(m.def_submodule("fhrr", "FHRR: complex64 phasors, bind = ⊙."));
  m.attr("_similarity_gemm") = gemm_info();  // tests: is the sgemm route built in
}

}  // namespace hypervec::python
