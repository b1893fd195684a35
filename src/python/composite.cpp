// BSC bundling with a tie rule, for torchhd's bundle / multiset on packed
// vectors: hypervec._hypervec.bsc.majority. The other composite verbs
// (multibind, negative, bind_sequence, ngrams, ...) are compositions written
// in hypervec/functional.py over the model verbs and NumPy.
#include "src/python/ops.hpp"

#include "src/python/operands.hpp"
#include "src/python/seed.hpp"

#include <hypervec/bundle.hpp>
#include <hypervec/model.hpp>

#include <string>

namespace hypervec::python {
namespace {

/// The tie rule named by `tie`; "random" is decided per group by the caller.
TieBreak::Kind tie_kind(const std::string& tie, const char* where) {
  if (tie == "negative") return TieBreak::Kind::toward_negative;
  if (tie == "positive") return TieBreak::Kind::toward_positive;
  if (tie == "random") return TieBreak::Kind::random;
  value_error(where, "tie='" + tie + "'; expected 'random', 'negative' or 'positive'");
}

/// majority(input, tie, seed): (..., n, D) -> (..., D). Component-wise
/// majority of the n vectors of each group; an exact tie (even n) is -1
/// ("negative"), +1 ("positive") or, for "random", component j of row g of
/// bsc.random(groups, D, seed) for group g (groups numbered in C order), so
/// the coin is independent per group and reproducible per seed.
py::object majority(py::handle x, const std::string& tie, const py::object& seed) {
  constexpr const char* where = "bsc.majority";
  const TieBreak::Kind kind = tie_kind(tie, where);
  const PackedRows X = PackedOperands::in(x, where, "input");
  const BundleGroups bundle = bundle_groups(X, where);
  const std::size_t n = bundle.n, groups = bundle.count;
  const Shape& lead = bundle.lead;
  PackedMatrix coins;
  if (kind == TieBreak::Kind::random) {
    const std::uint64_t s = seed_or_fresh(seed);
    py::gil_scoped_release no_gil;
    coins = models::PackedMap::random_matrix(groups, X.dim, s, RandomOptions{});
  }
  Packed out = Packed::zeros(lead, X.dim);
  const PackedMatrixView all = X.view();
  for_each_row(groups, X.dim * n, [&](std::size_t g) {
    const PackedMatrixView rows{all.words + g * n * all.stride_words, n, all.dim, all.stride_words};
    const TieBreak rule = kind == TieBreak::Kind::random ? TieBreak::from_vector(coins.row(g))
                          : kind == TieBreak::Kind::toward_positive ? TieBreak::toward_positive()
                                                                     : TieBreak::toward_negative();
    bipolar::majority(rows, out.row_span(g), rule);
  });
  return py::cast(std::move(out));
}

}  // namespace

void register_composite(py::module_ m) {
  py::module_ bsc = m.attr("bsc").cast<py::module_>();
  bsc.def("majority", &majority, py::arg("input"), py::arg("tie") = "negative",
          py::arg("seed") = py::none(),
          "majority(input, tie='negative', seed=None) -> (..., D): the majority of the vectors\n"
          "along axis -2 of (..., n, D). Ties (even n) go to -1 ('negative'), +1 ('positive')\n"
          "or, for 'random', to component j of row g of bsc.random(groups, D, seed) in group g\n"
          "(seed=None: a fresh seed).");
}

}  // namespace hypervec::python
