// Resonator network, written once over the model (include/hypervec/resonator.hpp).
//
// One sweep per iteration; for each factor f:
//   u   = s unbound by every other estimate       (Unbinder<M>)
//   a_c = dot(u, c) for every row c of codebook f  (M::dot)
//   x̂_f = quantise(Σ_c a_c c)                      (Projector<M>)
// The two hooks are where the models differ: packed MAP projects through the
// exact integer accumulator and thresholds; dense MAP and FHRR sum in float
// and take hard_quantize (±1, unit phasors); HRR keeps s and the estimates as
// spectra (the unbinding of F−1 estimates is one product of conjugate
// spectra and one inverse FFT) and normalises the projection to unit L2.
// Instantiated for the four models below (the header's extern templates).
#include <hypervec/resonator.hpp>

#include <hypervec/bipolar.hpp>
#include <hypervec/bundle.hpp>
#include <hypervec/dense.hpp>
#include <hypervec/error.hpp>
#include <hypervec/fhrr.hpp>
#include <hypervec/hrr.hpp>

#include "src/cleanup/search.hpp"

#include <algorithm>
#include <cmath>
#include <complex>
#include <cstdint>
#include <limits>
#include <type_traits>
#include <vector>

namespace hypervec::cleanup {
namespace {

using models::DenseMap;
using models::Fhrr;
using models::Hrr;
using models::PackedMap;

/// MAP models reach an exact fixed point (±1 estimates); HRR and FHRR
/// estimates are real or phasor vectors whose moves are compared to the
/// tolerance.
template <typename M>
constexpr bool kExactFixedPoint = std::is_same_v<M, PackedMap> || std::is_same_v<M, DenseMap>;

/// The components of a vector as reals (complex as interleaved re, im).
template <typename T>
std::span<const float> as_reals(std::span<const T> x) {
  if constexpr (std::is_same_v<T, std::complex<float>>) {
    return {reinterpret_cast<const float*>(x.data()), 2 * x.size()};
  } else {
    return x;
  }
}
template <typename T>
std::span<float> as_reals(std::span<T> x) {
  if constexpr (std::is_same_v<T, std::complex<float>>) {
    return {reinterpret_cast<float*>(x.data()), 2 * x.size()};
  } else {
    return x;
  }
}

/// Checks s before anything runs: a well-formed packed view, or finite
/// components that are not all zero.
template <typename M>
void check_input(typename M::View s, const char* where) {
  if constexpr (std::is_same_v<M, PackedMap>) {
    hypervec::detail::require_valid_dim(where, "s", s.dim);
    make_packed_view(s.words, s.num_words(), s.dim, "s");
  } else {
    hypervec::detail::require_valid_dim(where, "s", s.size());
    const std::span<const float> reals = as_reals(s);
    hypervec::detail::require(detail::checked_norm(reals.data(), reals.size(), where, "s", 0) > 0,
                              where, ": s is the zero vector; nothing to factorise");
  }
}

/// x̂ = quantise(Σ_c weights[c] · row c): the codebook projection followed by
/// the model's nonlinearity. Weight type: int64 for packed (exact integer
/// dots), double otherwise.
template <typename M>
struct Projector {
  using Weight = double;
  bool unitary = false;  // HRR's unitary_estimates option

  typename M::Vector operator()(const typename M::Memory& book,
                                std::span<const Weight> weights) const {
    typename M::Vector sum(book.dim());
    const std::span<float> acc = as_reals(sum.values());
    for (std::size_t c = 0; c < book.size(); ++c) {
      if (weights[c] != 0) {
        // Rows were checked finite when stored; the sum is the model's bundle.
        hrr::add_scaled<float>(as_reals(book.row(c)), static_cast<float>(weights[c]), acc);
      }
    }
    if constexpr (std::is_same_v<M, DenseMap>) {
      return dense::hard_quantize(sum.values());  // ±1, ties toward −1 (packed's rule)
    } else if constexpr (std::is_same_v<M, Fhrr>) {
      return fhrr::hard_quantize(sum.values());  // z/|z| (unit phasors)
    } else {
      normalise_in_place(sum.values());
      return unitary ? hrr::make_unitary<float>(sum.values()) : sum;
    }
  }

  /// x / ‖x‖ in place (norm in double); the zero vector stays zero.
  static void normalise_in_place(std::span<float> x) {
    double total = 0;
    for (const float v : x) total += static_cast<double>(v) * static_cast<double>(v);
    if (total == 0) return;
    const auto scale = static_cast<float>(1.0 / std::sqrt(total));
    for (float& v : x) v *= scale;
  }
};

template <>
struct Projector<PackedMap> {
  using Weight = std::int64_t;
  bool unitary = false;

  /// sign(Σ_c a_c c) through the exact MAP-I accumulator (ties toward −1).
  PackedVector operator()(const PackedMemory& book, std::span<const Weight> weights) const {
    bipolar::Accumulator acc(book.dim());
    for (std::size_t c = 0; c < book.size(); ++c) {
      if (weights[c] != 0) acc.add(book.row(c), static_cast<std::int32_t>(weights[c]));
    }
    return acc.threshold();
  }
};

/// u_f = s unbound by every estimate but f's: M::unbind applied F − 1 times
/// (exact for packed MAP, ±1 dense MAP and phasor FHRR estimates).
template <typename M>
class Unbinder {
 public:
  explicit Unbinder(typename M::View s) : s_(s) {}
  /// Called whenever estimate f changes (and once per estimate at the start).
  void update(std::size_t /*f*/, typename M::View /*estimate*/) {}

  typename M::Vector others(std::size_t f,
                            const std::vector<typename M::Vector>& estimate) const {
    typename M::Vector u(s_);
    for (std::size_t g = 0; g < estimate.size(); ++g) {
      if (g != f) u = M::unbind(u, estimate[g]);
    }
    return u;
  }

 private:
  typename M::View s_;
};

/// HRR: U = S · Π_{g≠f} conj(X̂_g) bin by bin (complex<double> products,
/// stored as float), then one inverse FFT; the spectra of s and of every
/// estimate are kept between updates (one forward FFT per changed estimate).
template <>
class Unbinder<Hrr<float>> {
 public:
  explicit Unbinder(std::span<const float> s) : s_spec_(hrr::spectrum<float>(s)), u_spec_(s.size()) {}

  void update(std::size_t f, std::span<const float> estimate) {
    if (spectra_.size() <= f) spectra_.resize(f + 1, hrr::Spectrum<float>(estimate.size()));
    spectra_[f] = hrr::spectrum<float>(estimate);
  }

  DenseVector<float> others(std::size_t f, const std::vector<DenseVector<float>>& estimate) {
    const std::size_t bins = s_spec_.bins();
    for (std::size_t k = 0; k < bins; ++k) {
      std::complex<double> u(s_spec_.data()[k]);
      for (std::size_t g = 0; g < estimate.size(); ++g) {
        if (g != f) u *= std::conj(std::complex<double>(spectra_[g].data()[k]));
      }
      u_spec_.data()[k] = std::complex<float>(u);
    }
    return hrr::from_spectrum<float>(u_spec_);
  }

 private:
  hrr::Spectrum<float> s_spec_;
  hrr::Spectrum<float> u_spec_;
  std::vector<hrr::Spectrum<float>> spectra_;
};

/// ‖a − b‖₂ of two real or phasor estimates, differences taken in double.
template <typename T>
double distance(const DenseVector<T>& a, const DenseVector<T>& b) {
  using C = std::complex<double>;
  double total = 0;
  for (std::size_t i = 0; i < a.dim(); ++i) total += std::norm(C(a.data()[i]) - C(b.data()[i]));
  return std::sqrt(total);
}

/// The same components (MAP estimates are exactly ±1).
bool same(const PackedVector& a, const PackedVector& b) { return a == b; }
bool same(const DenseVector<float>& a, const DenseVector<float>& b) {
  return std::ranges::equal(a.values(), b.values());
}

}  // namespace

template <Model M>
ResonatorResult resonate(typename M::View s, std::span<const typename M::Memory* const> codebooks,
                         const ResonatorOptions& options) {
  const std::string where_text = hypervec::detail::concat("cleanup::resonate (", M::name, ")");
  const char* where = where_text.c_str();
  hypervec::detail::require(!codebooks.empty(), where, ": no codebooks; need at least one factor");
  hypervec::detail::require(options.max_iterations >= 1, where, ": max_iterations is 0");
  hypervec::detail::require(options.tolerance >= 0, where, ": tolerance=", options.tolerance,
                            " must be >= 0 (and not NaN)");
  check_input<M>(s, where);
  const std::size_t dim = M::dim(s), factors = codebooks.size();
  for (std::size_t f = 0; f < factors; ++f) {
    hypervec::detail::require(codebooks[f] != nullptr, where, ": codebooks[", f, "] is null");
    hypervec::detail::require_same_dim(where, "s", dim, "a codebook", codebooks[f]->dim());
    hypervec::detail::require(!codebooks[f]->empty(), where, ": codebooks[", f, "] is empty");
    if constexpr (std::is_same_v<M, PackedMap>) {
      hypervec::detail::require(codebooks[f]->size() * dim < (std::size_t{1} << 31), where,
                                ": codebooks[", f, "] has M·D >= 2^31 (int32 sums)");
    }
  }
  using Weight = typename Projector<M>::Weight;
  // The start is the plain superposition of each codebook; the sweeps apply
  // HRR's optional unitary projection.
  const Projector<M> start{}, project{.unitary = options.unitary_estimates};
  Unbinder<M> unbinder(s);
  std::vector<typename M::Vector> estimate;
  for (std::size_t f = 0; f < factors; ++f) {
    const std::vector<Weight> ones(codebooks[f]->size(), Weight{1});
    estimate.push_back(start(*codebooks[f], ones));
    unbinder.update(f, estimate.back());
  }
  ResonatorResult result;
  std::vector<Weight> weights;
  while (result.iterations < options.max_iterations) {
    ++result.iterations;
    double moved = 0;
    for (std::size_t f = 0; f < factors; ++f) {
      const typename M::Vector u = unbinder.others(f, estimate);
      const typename M::Memory& book = *codebooks[f];
      weights.resize(book.size());
      for (std::size_t c = 0; c < book.size(); ++c) {
        weights[c] = static_cast<Weight>(M::dot(u, book.row(c)));
      }
      typename M::Vector next = project(book, weights);
      if constexpr (kExactFixedPoint<M>) {
        if (same(next, estimate[f])) continue;
        moved = std::numeric_limits<double>::infinity();
      } else {
        moved = std::max(moved, distance(next, estimate[f]));
      }
      estimate[f] = std::move(next);
      unbinder.update(f, estimate[f]);
    }
    // MAP: a sweep that changed nothing; HRR/FHRR: no estimate moved by more
    // than the tolerance.
    if (kExactFixedPoint<M> ? moved == 0 : moved <= options.tolerance) {
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

#define HYPERVEC_INSTANTIATE_RESONATE(M)                                                      \
  template ResonatorResult resonate<M>(M::View, std::span<const M::Memory* const>,           \
                                       const ResonatorOptions&);
HYPERVEC_INSTANTIATE_RESONATE(models::PackedMap)
HYPERVEC_INSTANTIATE_RESONATE(models::DenseMap)
HYPERVEC_INSTANTIATE_RESONATE(models::Hrr<float>)
HYPERVEC_INSTANTIATE_RESONATE(models::Fhrr)
#undef HYPERVEC_INSTANTIATE_RESONATE

ResonatorResult resonate(PackedView s, std::span<const PackedMemory* const> codebooks,
                         const ResonatorOptions& options) {
  return resonate<models::PackedMap>(s, codebooks, options);
}

ResonatorResult resonate(std::span<const float> s, std::span<const FloatMemory* const> codebooks,
                         const ResonatorOptions& options) {
  return resonate<models::Hrr<float>>(s, codebooks, options);
}

}  // namespace hypervec::cleanup
