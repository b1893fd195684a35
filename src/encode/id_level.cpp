// ID-level record encoder (include/hypervec/encode.hpp) for every model:
// Σ_j K_j ⊗ L(v_j) into the model's accumulator. Packed MAP binds by XOR
// into a batch and counts 255 rows per bit-sliced add_all pass; the others
// bind with M::bind and add each pair.
#include "src/encode/common.hpp"

#include <hypervec/bipolar.hpp>
#include <hypervec/encode.hpp>
#include <hypervec/error.hpp>
#include <hypervec/random.hpp>

#include <algorithm>
#include <cmath>
#include <vector>

namespace hypervec::encode {

template <Model M>
IdLevel<M>::IdLevel(std::size_t features, std::size_t levels, std::size_t dim, std::uint64_t seed,
                    double low, double high)
    // IDs and levels come from different seeds of one family (seed, seed + 1
    // mixed), so no ID equals a level endpoint.
    : level_(levels, dim, random::mix64(seed ^ random::kGolden), low, high) {
  detail::require(features >= 1, "encode::IdLevel: features must be >= 1");
  ids_ = M::random_matrix(features, dim, seed);
}

template <Model M>
void IdLevel<M>::accumulate(std::span<const float> v, Accumulator& acc) const {
  detail::require_same_dim("encode::IdLevel", "v", v.size(), "features", features());
  detail::require_same_dim("encode::IdLevel::accumulate", "acc", acc.dim(), "encoder", dim());
  for (std::size_t j = 0; j < v.size(); ++j) {
    detail::require(!std::isnan(v[j]), "encode::IdLevel: v[", j, "] is NaN");
  }
  if constexpr (detail_encode::kPacked<M>) {
    constexpr std::size_t kBatch = 255;
    PackedMatrix bound(std::min(kBatch, v.size()), dim());
    std::vector<PackedView> views;
    for (std::size_t first = 0; first < v.size(); first += kBatch) {
      const std::size_t count = std::min(kBatch, v.size() - first);
      views.clear();
      for (std::size_t t = 0; t < count; ++t) {
        const std::size_t j = first + t;
        bipolar::bind(ids_.row(j), level_(v[j]), bound.row_span(t));
        views.push_back(bound.row(t));
      }
      acc.add_all(views);
    }
  } else {
    for (std::size_t j = 0; j < v.size(); ++j) {
      const typename M::Vector pair = M::bind(ids_.row(j), level_(v[j]));
      acc.add(pair);
    }
  }
}

template <Model M>
typename IdLevel<M>::Vector IdLevel<M>::operator()(std::span<const float> v) const {
  Accumulator acc(dim());
  accumulate(v, acc);
  return M::bundle(acc);
}

template <Model M>
typename IdLevel<M>::Vector IdLevel<M>::operator()(std::span<const float> v,
                                                   const TieBreak& tie) const
  requires std::same_as<M, models::PackedMap>
{
  bipolar::Accumulator acc(dim());
  accumulate(v, acc);
  return acc.threshold(tie);
}

template class IdLevel<models::PackedMap>;
template class IdLevel<models::DenseMap>;
template class IdLevel<models::Hrr<float>>;
template class IdLevel<models::Fhrr>;

}  // namespace hypervec::encode
