#include "src/reference/dense.hpp"

#include "src/reference/bipolar.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

namespace hypervec::reference::dense {

namespace {

/// The tie value (true = -1) at component i under `tie`, with the random
/// coin taken from hypervec::bipolar::random(D, seed) as bundle.hpp says.
/// Reuses the bipolar reference threshold on a vector of zero sums, so the
/// tie rule has a single reference.
PackedVector tie_bits(std::size_t dim, const TieBreak& tie) {
  const std::vector<std::int32_t> zeros(dim, 0);
  return reference::bipolar::threshold(zeros, tie);
}

template <typename T>
PackedVector threshold(std::span<const T> x, const TieBreak& tie) {
  const PackedVector ties = tie_bits(x.size(), tie);
  PackedVector out(x.size());
  for (std::size_t i = 0; i < x.size(); ++i) {
    const bool negative = x[i] < 0 || (x[i] == 0 && ties.component(i) < 0);
    out.set_component(i, negative);
  }
  return out;
}

double cosine_from(double ab, double aa, double bb) {
  if (aa == 0.0 || bb == 0.0) return 0.0;
  return std::clamp(ab / (std::sqrt(aa) * std::sqrt(bb)), -1.0, 1.0);
}

}  // namespace

// --- float32 ---------------------------------------------------------------

DenseVector<float> bind(std::span<const float> a, std::span<const float> b) {
  DenseVector<float> out(a.size());
  for (std::size_t i = 0; i < a.size(); ++i) out[i] = a[i] * b[i];
  return out;
}

DenseVector<float> bundle(const DenseMatrixView<float>& rows, std::span<const float> weights) {
  DenseVector<float> out(rows.dim);
  for (std::size_t k = 0; k < rows.rows; ++k) {
    const float w = weights.empty() ? 1.0f : weights[k];
    add_scaled(rows.row(k), w, out.values());
  }
  return out;
}

void add_scaled(std::span<const float> x, float weight, std::span<float> acc) {
  for (std::size_t i = 0; i < x.size(); ++i) acc[i] += weight * x[i];
}

double dot(std::span<const float> a, std::span<const float> b) {
  double s = 0.0;
  for (std::size_t i = 0; i < a.size(); ++i) s += static_cast<double>(a[i]) * b[i];
  return s;
}

double abs_dot(std::span<const float> a, std::span<const float> b) {
  double s = 0.0;
  for (std::size_t i = 0; i < a.size(); ++i) s += std::abs(static_cast<double>(a[i]) * b[i]);
  return s;
}

double cosine(std::span<const float> a, std::span<const float> b) {
  return cosine_from(dot(a, b), dot(a, a), dot(b, b));
}

DenseVector<float> sign(std::span<const float> x) {
  DenseVector<float> out(x.size());
  for (std::size_t i = 0; i < x.size(); ++i) out[i] = x[i] > 0 ? 1.0f : (x[i] < 0 ? -1.0f : 0.0f);
  return out;
}

DenseVector<float> clip(std::span<const float> x, float lo, float hi) {
  DenseVector<float> out(x.size());
  for (std::size_t i = 0; i < x.size(); ++i) out[i] = std::min(std::max(x[i], lo), hi);
  return out;
}

DenseVector<float> hard_quantize(std::span<const float> x, const TieBreak& tie) {
  const PackedVector bits = threshold(x, tie);
  DenseVector<float> out(x.size());
  for (std::size_t i = 0; i < x.size(); ++i) out[i] = static_cast<float>(bits.component(i));
  return out;
}

PackedVector to_packed(std::span<const float> x, const TieBreak& tie) { return threshold(x, tie); }

DenseVector<float> to_float(PackedView v) {
  DenseVector<float> out(v.dim);
  for (std::size_t i = 0; i < v.dim; ++i) out[i] = static_cast<float>(v.component(i));
  return out;
}

// --- int8 --------------------------------------------------------------------

DenseVector<std::int8_t> bind(std::span<const std::int8_t> a, std::span<const std::int8_t> b) {
  DenseVector<std::int8_t> out(a.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    out[i] = static_cast<std::int8_t>(std::clamp(int{a[i]} * int{b[i]}, -127, 127));
  }
  return out;
}

std::int64_t dot(std::span<const std::int8_t> a, std::span<const std::int8_t> b) {
  std::int64_t s = 0;
  for (std::size_t i = 0; i < a.size(); ++i) s += int{a[i]} * int{b[i]};
  return s;
}

double cosine(std::span<const std::int8_t> a, std::span<const std::int8_t> b) {
  return cosine_from(static_cast<double>(dot(a, b)), static_cast<double>(dot(a, a)),
                     static_cast<double>(dot(b, b)));
}

DenseVector<std::int8_t> sign(std::span<const std::int8_t> x) {
  DenseVector<std::int8_t> out(x.size());
  for (std::size_t i = 0; i < x.size(); ++i) out[i] = static_cast<std::int8_t>((x[i] > 0) - (x[i] < 0));
  return out;
}

DenseVector<std::int8_t> clip(std::span<const std::int32_t> sums, int kappa) {
  DenseVector<std::int8_t> out(sums.size());
  for (std::size_t i = 0; i < sums.size(); ++i) {
    out[i] = static_cast<std::int8_t>(std::clamp(sums[i], -kappa, kappa));
  }
  return out;
}

PackedVector to_packed(std::span<const std::int8_t> x, const TieBreak& tie) {
  return threshold(x, tie);
}

DenseVector<std::int8_t> to_int8(PackedView v) {
  DenseVector<std::int8_t> out(v.dim);
  for (std::size_t i = 0; i < v.dim; ++i) out[i] = static_cast<std::int8_t>(v.component(i));
  return out;
}

}  // namespace hypervec::reference::dense
