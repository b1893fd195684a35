// Explain-away decoding of a bundle (include/hypervec/resonator.hpp):
// matching pursuit, written once over the memory kind. Each step is one
// search of the residual and one dispatched add_scaled (packed rows are read
// as ±1 floats first).
#include <hypervec/resonator.hpp>

#include <hypervec/dense.hpp>
#include <hypervec/error.hpp>
#include <hypervec/hrr.hpp>

#include <cmath>
#include <complex>
#include <type_traits>
#include <unordered_map>

namespace hypervec::cleanup {
namespace {

/// The residual's components as reals: a complex vector is 2D interleaved
/// floats, where Re⟨a, b⟩ is the real dot product.
template <typename T>
std::span<const float> reals(std::span<const T> x) {
  return {reinterpret_cast<const float*>(x.data()), x.size() * sizeof(T) / sizeof(float)};
}

/// Matching pursuit on `memory`: r ← s; repeat { c = best row for r (z >=
/// min_z); w = Re⟨r, c⟩ / ‖c‖²; r ← r - w c }.
template <typename Row, typename T>
std::vector<Decoded> pursue(const Memory<Row>& memory, std::span<const T> bundle,
                            const ExplainAwayOptions& options) {
  constexpr const char* where = "cleanup::explain_away";
  hypervec::detail::require_same_dim(where, "the memory", memory.dim(), "bundle", bundle.size());
  hypervec::detail::require(!memory.empty(), where, ": the memory is empty");
  hypervec::detail::require(!std::isnan(options.min_z), where, ": min_z is NaN");
  const std::size_t max_items = options.max_items == 0 ? memory.size() : options.max_items;
  std::vector<T> residual(bundle.begin(), bundle.end());
  const std::span<float> r(reinterpret_cast<float*>(residual.data()), reals(bundle).size());
  std::vector<Decoded> found;
  std::unordered_map<std::size_t, std::size_t> slot;  // row id -> index in found
  const Options search_options{.k = 1, .min_z = options.min_z, .threads = options.threads};
  for (std::size_t step = 0; step < 2 * max_items && found.size() < max_items; ++step) {
    const auto best = memory.best(std::span<const T>(residual), search_options);
    if (!best) break;
    double weight = 0;
    if constexpr (std::is_same_v<Row, Packed>) {
      // ⟨r, c⟩ is the mixed score and ‖c‖² = D: w exactly as the packed
      // pursuit always computed it; r - w·c through one add_scaled of c as
      // ±1 floats (exact: w·(±1) = ±w).
      weight = best->score / static_cast<double>(memory.dim());
      dense::add_scaled(dense::to_float(memory.row(best->id)), static_cast<float>(-weight), r);
    } else {
      const std::span<const float> c = reals(memory.row(best->id));
      const double norm2 = hrr::dot(c, c);
      if (norm2 == 0) break;
      weight = hrr::dot(std::span<const float>(r), c) / norm2;
      hrr::add_scaled(c, static_cast<float>(-weight), r);
    }
    const auto [it, fresh] = slot.try_emplace(best->id, found.size());
    if (fresh) {
      found.push_back({*best, weight});
    } else {
      found[it->second].weight += weight;
    }
  }
  return found;
}

}  // namespace

std::vector<Decoded> explain_away(const PackedMemory& memory, std::span<const float> bundle,
                                  const ExplainAwayOptions& options) {
  return pursue(memory, bundle, options);
}

std::vector<Decoded> explain_away(const PackedMemory& memory, PackedView bundle,
                                  const ExplainAwayOptions& options) {
  hypervec::detail::require_same_dim("cleanup::explain_away", "the memory", memory.dim(),
                                     "bundle", bundle.dim);
  const DenseVector<float> values = dense::to_float(bundle);
  return pursue(memory, std::span<const float>(values), options);
}

std::vector<Decoded> explain_away(const FloatMemory& memory, std::span<const float> bundle,
                                  const ExplainAwayOptions& options) {
  return pursue(memory, bundle, options);
}

std::vector<Decoded> explain_away(const PhasorMemory& memory,
                                  std::span<const std::complex<float>> bundle,
                                  const ExplainAwayOptions& options) {
  return pursue(memory, bundle, options);
}

}  // namespace hypervec::cleanup
