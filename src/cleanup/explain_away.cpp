// Explain-away decoding of a bundle (include/hypervec/resonator.hpp):
// matching pursuit on the packed memory's mixed search.
#include <hypervec/resonator.hpp>

#include <hypervec/error.hpp>

#include <cmath>
#include <unordered_map>

namespace hypervec::cleanup {

std::vector<Decoded> explain_away(const PackedMemory& memory, std::span<const float> bundle,
                                  const ExplainAwayOptions& options) {
  constexpr const char* where = "cleanup::explain_away";
  hypervec::detail::require_same_dim(where, "the memory", memory.dim(), "bundle", bundle.size());
  hypervec::detail::require(!memory.empty(), where, ": the memory is empty");
  hypervec::detail::require(!std::isnan(options.min_z), where, ": min_z is NaN");
  const std::size_t dim = memory.dim();
  const std::size_t max_items = options.max_items == 0 ? memory.size() : options.max_items;
  std::vector<float> residual(bundle.begin(), bundle.end());
  std::vector<Decoded> found;
  std::unordered_map<std::size_t, std::size_t> slot;  // row id -> index in found
  const Options search_options{.k = 1, .min_z = options.min_z, .threads = options.threads};
  for (std::size_t step = 0; step < 2 * max_items && found.size() < max_items; ++step) {
    const auto best = memory.best(std::span<const float>(residual), search_options);
    if (!best) break;
    const double weight = best->score / static_cast<double>(dim);
    const PackedView row = memory.row(best->id);
    for (std::size_t i = 0; i < dim; ++i) {
      residual[i] -= static_cast<float>(weight * row.component(i));
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

std::vector<Decoded> explain_away(const PackedMemory& memory, PackedView bundle,
                                  const ExplainAwayOptions& options) {
  hypervec::detail::require_same_dim("cleanup::explain_away", "the memory", memory.dim(),
                                     "bundle", bundle.dim);
  std::vector<float> values(bundle.dim);
  for (std::size_t i = 0; i < bundle.dim; ++i) values[i] = static_cast<float>(bundle.component(i));
  return explain_away(memory, std::span<const float>(values), options);
}

}  // namespace hypervec::cleanup
