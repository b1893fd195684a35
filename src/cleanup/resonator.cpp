// Resonator network for MAP bipolar (include/hypervec/resonator.hpp).
#include <hypervec/resonator.hpp>

#include <hypervec/bipolar.hpp>
#include <hypervec/bundle.hpp>
#include <hypervec/error.hpp>

#include <algorithm>
#include <cstdint>
#include <vector>

namespace hypervec::cleanup {

ResonatorResult resonate(PackedView s, std::span<const PackedMemory* const> codebooks,
                         const ResonatorOptions& options) {
  constexpr const char* where = "cleanup::resonate";
  hypervec::detail::require(!codebooks.empty(), where, ": no codebooks; need at least one factor");
  hypervec::detail::require(options.max_iterations >= 1, where, ": max_iterations is 0");
  hypervec::detail::require_valid_dim(where, "s", s.dim);
  make_packed_view(s.words, s.num_words(), s.dim, "s");
  for (std::size_t f = 0; f < codebooks.size(); ++f) {
    hypervec::detail::require(codebooks[f] != nullptr, where, ": codebooks[", f, "] is null");
    hypervec::detail::require_same_dim(where, "s", s.dim, "a codebook", codebooks[f]->dim());
    hypervec::detail::require(!codebooks[f]->empty(), where, ": codebooks[", f, "] is empty");
    hypervec::detail::require(codebooks[f]->size() * s.dim < (std::size_t{1} << 31), where,
                              ": codebooks[", f, "] has M·D >= 2^31 (int32 sums)");
  }
  const std::size_t dim = s.dim, nw = packed_words(dim), factors = codebooks.size();
  // x̂_f = sign(Σ_c a_c c) through the exact MAP-I accumulator.
  auto project = [&](const PackedMemory& book, const std::int64_t* weights) {
    bipolar::Accumulator acc(dim);
    for (std::size_t c = 0; c < book.size(); ++c) {
      if (weights[c] != 0) acc.add(book.row(c), static_cast<std::int32_t>(weights[c]));
    }
    return acc.threshold();
  };
  std::vector<PackedVector> estimate;
  for (std::size_t f = 0; f < factors; ++f) {
    const std::vector<std::int64_t> ones(codebooks[f]->size(), 1);
    estimate.push_back(project(*codebooks[f], ones.data()));
  }
  ResonatorResult result;
  PackedVector u(dim);
  std::vector<std::int64_t> weights;
  while (result.iterations < options.max_iterations) {
    ++result.iterations;
    bool changed = false;
    for (std::size_t f = 0; f < factors; ++f) {
      std::copy(s.words, s.words + nw, u.words());
      for (std::size_t g = 0; g < factors; ++g) {
        if (g != f) bipolar::bind(u, estimate[g], u.span());
      }
      const PackedMemory& book = *codebooks[f];
      weights.assign(book.size(), 0);
      for (std::size_t c = 0; c < book.size(); ++c) weights[c] = bipolar::dot(u, book.row(c));
      PackedVector next = project(book, weights.data());
      if (!(next == estimate[f])) {
        changed = true;
        estimate[f] = std::move(next);
      }
    }
    if (!changed) {
      result.converged = true;
      break;
    }
  }
  for (std::size_t f = 0; f < factors; ++f) {
    auto best = codebooks[f]->best(estimate[f]);
    result.factors.push_back(best->id);
    result.matches.push_back(std::move(*best));
  }
  return result;
}

}  // namespace hypervec::cleanup
