// Scalar baselines for the encodings; see encode.hpp.
#include "src/reference/encode.hpp"

namespace hypervec::reference::encode {

PackedVector project(const PackedMatrixView& r, std::span<const float> x) {
  PackedVector out(r.rows);
  for (std::size_t k = 0; k < r.rows; ++k) {
    const PackedView row = r.row(k);
    double s = 0.0;
    for (std::size_t j = 0; j < x.size(); ++j) s += static_cast<double>(x[j]) * row.component(j);
    if (!(s > 0.0)) out.set_component(k, true);
  }
  return out;
}

std::vector<std::int32_t> text_ngrams(std::string_view text, const PackedMatrixView& codebook,
                                      std::size_t n) {
  const std::size_t dim = codebook.dim;
  std::vector<std::int32_t> sums(dim, 0);
  if (text.size() < n) return sums;
  for (std::size_t i = 0; i + n <= text.size(); ++i) {
    for (std::size_t c = 0; c < dim; ++c) {
      int product = 1;
      for (std::size_t j = 0; j < n; ++j) {
        // ρ^k(a)[c] = a[(c - k) mod D], k = n-1-j.
        const std::size_t k = (n - 1 - j) % dim;
        const std::size_t src = (c + dim - k) % dim;
        const auto symbol = static_cast<unsigned char>(text[i + j]);
        product *= codebook.row(symbol).component(src);
      }
      sums[c] += product;
    }
  }
  return sums;
}

}  // namespace hypervec::reference::encode
