// Resonator network for HRR (include/hypervec/resonator.hpp): estimates kept
// as spectra, codebook projections on the float memories.
#include <hypervec/resonator.hpp>

#include <hypervec/error.hpp>
#include <hypervec/hrr.hpp>

#include "src/cleanup/search.hpp"

#include <algorithm>
#include <cmath>
#include <complex>
#include <vector>

namespace hypervec::cleanup {
namespace {

using detail::checked_norm;

/// x / ‖x‖ in place (norm in double); the zero vector stays zero.
void normalise_in_place(std::span<float> x) {
  double sum = 0;
  for (const float v : x) sum += static_cast<double>(v) * static_cast<double>(v);
  if (sum == 0) return;
  const auto scale = static_cast<float>(1.0 / std::sqrt(sum));
  for (float& v : x) v *= scale;
}

/// Σ_c weights[c] · row c of `book`, normalised (the codebook projection).
DenseVector<float> project_rows(const FloatMemory& book, const double* weights) {
  DenseVector<float> out(book.dim());
  for (std::size_t c = 0; c < book.size(); ++c) {
    if (weights[c] != 0) {
      hrr::add_scaled<float>(book.row(c), static_cast<float>(weights[c]), out.values());
    }
  }
  normalise_in_place(out.values());
  return out;
}

}  // namespace

ResonatorResult resonate(std::span<const float> s,
                         std::span<const FloatMemory* const> codebooks,
                         const ResonatorOptions& options) {
  constexpr const char* where = "cleanup::resonate (HRR)";
  hypervec::detail::require(!codebooks.empty(), where, ": no codebooks; need at least one factor");
  hypervec::detail::require(options.max_iterations >= 1, where, ": max_iterations is 0");
  hypervec::detail::require(options.tolerance >= 0, where, ": tolerance=", options.tolerance,
                            " must be >= 0 (and not NaN)");
  hypervec::detail::require_valid_dim(where, "s", s.size());
  for (std::size_t f = 0; f < codebooks.size(); ++f) {
    hypervec::detail::require(codebooks[f] != nullptr, where, ": codebooks[", f, "] is null");
    hypervec::detail::require_same_dim(where, "s", s.size(), "a codebook", codebooks[f]->dim());
    hypervec::detail::require(!codebooks[f]->empty(), where, ": codebooks[", f, "] is empty");
  }
  hypervec::detail::require(checked_norm(s.data(), s.size(), where, "s", 0) > 0, where,
                            ": s is the zero vector; nothing to factorise");
  const std::size_t dim = s.size(), factors = codebooks.size();
  const hrr::Spectrum<float> s_spec = hrr::spectrum<float>(s);
  const std::size_t bins = s_spec.bins();
  std::vector<DenseVector<float>> estimate;
  std::vector<hrr::Spectrum<float>> spectra;
  for (std::size_t f = 0; f < factors; ++f) {
    const std::vector<double> ones(codebooks[f]->size(), 1.0);
    estimate.push_back(project_rows(*codebooks[f], ones.data()));
    spectra.push_back(hrr::spectrum<float>(estimate.back().values()));
  }
  ResonatorResult result;
  hrr::Spectrum<float> u_spec(dim);
  std::vector<double> weights;
  while (result.iterations < options.max_iterations) {
    ++result.iterations;
    double moved = 0;
    for (std::size_t f = 0; f < factors; ++f) {
      // U = S · Π_{g≠f} conj(X̂_g): unbinding every other estimate by its
      // involution, bin by bin (complex<double> products, stored as float).
      for (std::size_t k = 0; k < bins; ++k) {
        std::complex<double> u(s_spec.data()[k]);
        for (std::size_t g = 0; g < factors; ++g) {
          if (g != f) u *= std::conj(std::complex<double>(spectra[g].data()[k]));
        }
        u_spec.data()[k] = std::complex<float>(u);
      }
      const DenseVector<float> u = hrr::from_spectrum<float>(u_spec);
      const FloatMemory& book = *codebooks[f];
      weights.resize(book.size());
      for (std::size_t c = 0; c < book.size(); ++c) {
        weights[c] = hrr::dot<float>(u.values(), book.row(c));
      }
      DenseVector<float> next = project_rows(book, weights.data());
      if (options.unitary_estimates) next = hrr::make_unitary<float>(next.values());
      double change = 0;
      for (std::size_t i = 0; i < dim; ++i) {
        const double d = static_cast<double>(next.data()[i]) - estimate[f].data()[i];
        change += d * d;
      }
      moved = std::max(moved, std::sqrt(change));
      spectra[f] = hrr::spectrum<float>(next.values());
      estimate[f] = std::move(next);
    }
    if (moved <= options.tolerance) {
      result.converged = true;
      break;
    }
  }
  for (std::size_t f = 0; f < factors; ++f) {
    auto best = codebooks[f]->best(estimate[f].values());
    result.factors.push_back(best->id);
    result.matches.push_back(std::move(*best));
  }
  return result;
}

}  // namespace hypervec::cleanup
