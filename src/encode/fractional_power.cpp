// Fractional power encoding (include/hypervec/encode.hpp): the kernels κ and
// FractionalPower<M> for FHRR (phasors e^{i x θ_k / b}) and HRR (the real
// vector whose spectrum holds those phasors). Each vector is computed in
// double and rounded to float once.
#include "src/encode/common.hpp"

#include <hypervec/encode.hpp>
#include <hypervec/error.hpp>
#include <hypervec/hrr.hpp>
#include <hypervec/random.hpp>

#include <cmath>
#include <complex>
#include <numbers>
#include <type_traits>
#include <vector>

namespace hypervec::encode {
namespace {

// Frequency streams of the fractional power encodings ("fpe_fhrr", "fpe_hrr_").
constexpr std::uint64_t kFhrrFpeTag = 0x6670655f66687272ULL;
constexpr std::uint64_t kHrrFpeTag = 0x6670655f6872725fULL;

template <typename M>
constexpr bool kHrr = std::is_same_v<M, models::Hrr<float>>;

/// The class's name in messages (the HRR one keeps its name from before the
/// template).
template <typename M>
constexpr const char* fpe_name() {
  return kHrr<M> ? "encode::HrrFractionalPower" : "encode::FractionalPower";
}

/// Frequencies θ_k / bandwidth, k < count, drawn per kernel from `stream`.
std::vector<double> fpe_frequencies(std::size_t count, double bandwidth, FpeKernel kernel,
                                    random::RowStream stream) {
  std::vector<double> theta(count);
  if (kernel == FpeKernel::gaussian) {
    for (std::size_t k = 0; k < count; k += 2) {
      double z0 = 0, z1 = 0;
      stream.next_normal_pair(z0, z1);
      theta[k] = z0 / bandwidth;
      if (k + 1 < count) theta[k + 1] = z1 / bandwidth;
    }
  } else {
    for (double& t : theta) t = (2.0 * stream.next_uniform() - 1.0) * std::numbers::pi / bandwidth;
  }
  return theta;
}

void check_fpe(const char* where, std::size_t dim, double bandwidth, FpeKernel kernel) {
  detail::require_valid_dim(where, "dim", dim);
  detail::require(std::isfinite(bandwidth) && bandwidth > 0.0, where,
                  ": bandwidth must be finite and > 0, got ", bandwidth);
  detail::require(kernel == FpeKernel::sinc || kernel == FpeKernel::gaussian, where,
                  ": unknown kernel ", static_cast<int>(kernel));
}

}  // namespace

double fpe_kernel(FpeKernel kernel, double u) {
  if (kernel == FpeKernel::gaussian) return std::exp(-0.5 * u * u);
  const double x = std::numbers::pi * u;
  // sin(x)/x = 1 - x²/6 + ...: below |x| = 1e-4 the quotient is 1 to 2e-9.
  return std::abs(x) < 1e-4 ? 1.0 - x * x / 6.0 : std::sin(x) / x;
}

template <Model M>
  requires FractionalPowerModel<M>
FractionalPower<M>::FractionalPower(std::size_t dim, double bandwidth, std::uint64_t seed,
                                    FpeKernel kernel)
    : dim_(dim), bandwidth_(bandwidth), kernel_(kernel) {
  check_fpe(fpe_name<M>(), dim, bandwidth, kernel);
  // A stream row no bipolar, HRR or FHRR codebook of this seed uses.
  if constexpr (kHrr<M>) {
    // m = ⌈D/2⌉ - 1 free bins; bin 0 and, for even D, bin D/2 stay 1.
    theta_ = fpe_frequencies((dim + 1) / 2 - 1, bandwidth, kernel,
                             random::RowStream(random::mix64(seed ^ kHrrFpeTag), 0));
  } else {
    theta_ = fpe_frequencies(dim, bandwidth, kernel,
                             random::RowStream(random::mix64(seed ^ kFhrrFpeTag), 0));
  }
}

template <Model M>
  requires FractionalPowerModel<M>
typename FractionalPower<M>::Vector FractionalPower<M>::operator()(double x) const {
  detail::require(std::isfinite(x), fpe_name<M>(), ": x = ", x, " is not finite");
  if constexpr (kHrr<M>) {
    hrr::Spectrum<double> spectrum(dim_);
    std::complex<double>* bins = spectrum.data();
    bins[0] = 1.0;
    for (std::size_t k = 0; k < theta_.size(); ++k) {
      const double phase = x * theta_[k];
      bins[k + 1] = {std::cos(phase), std::sin(phase)};
    }
    if (dim_ % 2 == 0 && dim_ >= 2) bins[dim_ / 2] = 1.0;
    const DenseVector<double> z = hrr::from_spectrum<double>(spectrum);
    DenseVector<float> out(dim_);
    for (std::size_t i = 0; i < dim_; ++i) out[i] = static_cast<float>(z[i]);
    return out;
  } else {
    DenseVector<std::complex<float>> out(dim_);
    for (std::size_t k = 0; k < dim_; ++k) {
      const double phase = x * theta_[k];
      out[k] = {static_cast<float>(std::cos(phase)), static_cast<float>(std::sin(phase))};
    }
    return out;
  }
}

template <Model M>
  requires FractionalPowerModel<M>
double FractionalPower<M>::expected_similarity(double delta) const {
  detail::require(std::isfinite(delta), fpe_name<M>(), "::expected_similarity: delta = ", delta,
                  " is not finite");
  const double kappa = fpe_kernel(kernel_, delta / bandwidth_);
  if constexpr (!kHrr<M>) return kappa;
  const double m = static_cast<double>(theta_.size());
  const double d = static_cast<double>(dim_);
  return ((d - 2.0 * m) + 2.0 * m * kappa) / d;
}

template class FractionalPower<models::Fhrr>;
template class FractionalPower<models::Hrr<float>>;

}  // namespace hypervec::encode
