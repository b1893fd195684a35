// The probe's greedy factor search (include/hypervec/resonator.hpp): every
// key's unbinding searched as one batch.
#include <hypervec/resonator.hpp>

#include <hypervec/bipolar.hpp>
#include <hypervec/error.hpp>
#include <hypervec/mixed.hpp>

#include "src/cleanup/search.hpp"

#include <utility>

namespace hypervec::cleanup {
namespace {

using detail::single;

void check_factor_inputs(const char* where, const PackedMemory& memory, const PackedMemory& keys,
                         std::size_t v_dim) {
  hypervec::detail::require_same_dim(where, "memory", memory.dim(), "keys", keys.dim());
  hypervec::detail::require_same_dim(where, "memory", memory.dim(), "v", v_dim);
  hypervec::detail::require(!memory.empty(), where, ": memory is empty");
  hypervec::detail::require(!keys.empty(), where, ": keys is empty");
}

/// The winner among per-key best matches: highest score, then lower key.
std::optional<FactorMatch> pick_factor(std::vector<Matches>&& per_key) {
  std::optional<FactorMatch> winner;
  for (std::size_t c = 0; c < per_key.size(); ++c) {
    if (per_key[c].empty()) continue;
    if (!winner || per_key[c].front().score > winner->match.score) {
      winner = FactorMatch{c, std::move(per_key[c].front())};
    }
  }
  return winner;
}

}  // namespace

std::optional<FactorMatch> greedy_factor_search(const PackedMemory& memory,
                                                const PackedMemory& keys, PackedView v,
                                                const Options& options) {
  constexpr const char* where = "cleanup::greedy_factor_search";
  check_factor_inputs(where, memory, keys, v.dim);
  make_packed_view(v.words, v.num_words(), v.dim, "v");
  PackedMatrix unbound(keys.size(), v.dim);
  for (std::size_t c = 0; c < keys.size(); ++c) bipolar::bind(v, keys.row(c), unbound.row_span(c));
  return pick_factor(memory.search(unbound.view(), single(options)));
}

std::optional<FactorMatch> greedy_factor_search(const PackedMemory& memory,
                                                const PackedMemory& keys,
                                                std::span<const float> v,
                                                const Options& options) {
  constexpr const char* where = "cleanup::greedy_factor_search";
  check_factor_inputs(where, memory, keys, v.size());
  DenseMatrix<float> unbound(keys.size(), v.size());
  for (std::size_t c = 0; c < keys.size(); ++c) mixed::bind(v, keys.row(c), unbound.row(c));
  return pick_factor(memory.search(unbound.view(), single(options)));
}

}  // namespace hypervec::cleanup
