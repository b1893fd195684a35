#include "src/reference/mixed.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>

namespace hypervec::reference::mixed {

void bind(std::span<const float> q, PackedView key, std::span<float> out) {
  for (std::size_t i = 0; i < q.size(); ++i) {
    const std::uint32_t flip = key.component(i) < 0 ? 0x80000000u : 0u;
    out[i] = std::bit_cast<float>(std::bit_cast<std::uint32_t>(q[i]) ^ flip);
  }
}

double dot(std::span<const float> q, PackedView b) {
  double s = 0.0;
  for (std::size_t i = 0; i < q.size(); ++i) s += static_cast<double>(q[i]) * b.component(i);
  return s;
}

double cosine(std::span<const float> q, PackedView b) {
  double norm = 0.0;
  for (const float x : q) norm += static_cast<double>(x) * x;
  if (norm == 0.0) return 0.0;
  const double c = dot(q, b) / (std::sqrt(norm) * std::sqrt(static_cast<double>(q.size())));
  return std::clamp(c, -1.0, 1.0);
}

void dot_rows(std::span<const float> q, const PackedMatrixView& rows, std::span<double> out) {
  for (std::size_t r = 0; r < rows.rows; ++r) out[r] = dot(q, rows.row(r));
}

}  // namespace hypervec::reference::mixed
