// Sum<T> (include/hypervec/sum.hpp): every add is one dispatched add_scaled
// kernel call (hrr::add_scaled, simd/hrr.cc); complex vectors are added as
// their interleaved real and imaginary parts.
#include <hypervec/sum.hpp>

#include <hypervec/error.hpp>
#include <hypervec/hrr.hpp>

#include <algorithm>
#include <cmath>
#include <functional>
#include <vector>

namespace hypervec {
namespace {

template <typename T>
struct Real {
  using type = T;
  static constexpr std::size_t kParts = 1;
};
template <typename R>
struct Real<std::complex<R>> {
  using type = R;
  static constexpr std::size_t kParts = 2;  // std::complex<R> is laid out as R[2]
};

}  // namespace

template <typename T>
Sum<T>::Sum(std::size_t dim)
    : sums_((hypervec::detail::require_valid_dim("Sum", "dim", dim), dim)) {}

template <typename T>
void Sum<T>::add(std::span<const T> x, double weight) {
  using R = typename Real<T>::type;
  constexpr const char* where = "Sum::add";
  hypervec::detail::require_same_dim(where, "x", x.size(), "the sum", dim());
  hypervec::detail::require(std::isfinite(weight), where, ": the weight is not finite");
  const std::size_t n = x.size() * Real<T>::kParts;
  const std::span<const R> parts(reinterpret_cast<const R*>(x.data()), n);
  const std::span<R> acc(reinterpret_cast<R*>(sums_.data()), n);
  // A non-finite input would spoil every later value; refuse it first, so a
  // bad call leaves the sum as it was.
  const auto bad = std::find_if(parts.begin(), parts.end(), [](R v) { return !std::isfinite(v); });
  hypervec::detail::require(bad == parts.end(), where, ": x holds NaN or Inf at component ",
                            (bad - parts.begin()) / Real<T>::kParts);
  // x may be a view of sums() itself (s.add(s.sums())): add what x held at
  // the call, from a copy.
  const std::less<const R*> before;
  const bool overlap = n != 0 && before(parts.data(), acc.data() + n) &&
                       before(acc.data(), parts.data() + n);
  if (overlap) {
    const std::vector<R> copy(parts.begin(), parts.end());
    hrr::add_scaled<R>(copy, static_cast<R>(weight), acc);
  } else {
    hrr::add_scaled<R>(parts, static_cast<R>(weight), acc);
  }
}

template <typename T>
void Sum<T>::clear() noexcept {
  std::fill(sums_.data(), sums_.data() + dim(), T{});
}

template class Sum<float>;
template class Sum<double>;
template class Sum<std::complex<float>>;

}  // namespace hypervec
