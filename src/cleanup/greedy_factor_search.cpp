// The probe's greedy factor search (include/hypervec/resonator.hpp): every
// key's unbinding searched as one batch.
#include <hypervec/resonator.hpp>

#include <hypervec/error.hpp>

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
  // TODO(i13): mixed::bind (the packed XOR loop below)
  for (std::size_t c = 0; c < keys.size(); ++c) {
    const std::uint64_t* key = keys.row(c).words;
    std::uint64_t* out = unbound.row_span(c).words;
    for (std::size_t j = 0; j < v.num_words(); ++j) out[j] = v.words[j] ^ key[j];
  }
  return pick_factor(memory.search(unbound.view(), single(options)));
}

std::optional<FactorMatch> greedy_factor_search(const PackedMemory& memory,
                                                const PackedMemory& keys,
                                                std::span<const float> v,
                                                const Options& options) {
  constexpr const char* where = "cleanup::greedy_factor_search";
  check_factor_inputs(where, memory, keys, v.size());
  DenseMatrix<float> unbound(keys.size(), v.size());
  // TODO(i13): mixed::bind (the float ⊙ packed loop below)
  for (std::size_t c = 0; c < keys.size(); ++c) {
    const PackedView key = keys.row(c);
    auto out = unbound.row(c);
    for (std::size_t i = 0; i < v.size(); ++i) out[i] = key.component(i) < 0 ? -v[i] : v[i];
  }
  return pick_factor(memory.search(unbound.view(), single(options)));
}

}  // namespace hypervec::cleanup
