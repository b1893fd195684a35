// The significance of a search hit under the random-vector null
// (include/hypervec/cleanup.hpp, docs/concepts.md "Cleanup memory").
#include <hypervec/cleanup.hpp>

#include <cmath>
#include <numbers>

namespace hypervec::cleanup {

double z_score(double cosine, std::size_t dim) {
  return cosine * std::sqrt(static_cast<double>(dim));
}

double p_value(double z) { return 0.5 * std::erfc(z / std::numbers::sqrt2); }

}  // namespace hypervec::cleanup
