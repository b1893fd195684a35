#include "src/reference/bipolar.hpp"

#include <hypervec/bipolar.hpp>

namespace hypervec::reference::bipolar {

namespace {
bool is_negative(PackedView v, std::size_t i) { return v.component(i) < 0; }
}  // namespace

PackedVector bind(PackedView a, PackedView b) {
  PackedVector out(a.dim);
  for (std::size_t i = 0; i < a.dim; ++i) {
    out.set_component(i, (a.component(i) * b.component(i)) < 0);
  }
  return out;
}

PackedVector permute(PackedView a, std::ptrdiff_t shifts) {
  const auto d = static_cast<std::ptrdiff_t>(a.dim);
  PackedVector out(a.dim);
  for (std::ptrdiff_t i = 0; i < d; ++i) {
    const std::ptrdiff_t src = ((i - shifts) % d + d) % d;
    out.set_component(static_cast<std::size_t>(i),
                      is_negative(a, static_cast<std::size_t>(src)));
  }
  return out;
}

std::uint64_t hamming(PackedView a, PackedView b) {
  std::uint64_t h = 0;
  for (std::size_t i = 0; i < a.dim; ++i) h += a.component(i) != b.component(i);
  return h;
}

std::int64_t dot(PackedView a, PackedView b) {
  std::int64_t s = 0;
  for (std::size_t i = 0; i < a.dim; ++i) s += a.component(i) * b.component(i);
  return s;
}

double cosine(PackedView a, PackedView b) {
  return static_cast<double>(dot(a, b)) / static_cast<double>(a.dim);
}

void accumulate(PackedView v, std::int32_t weight, std::span<std::int32_t> sums) {
  for (std::size_t i = 0; i < v.dim; ++i) sums[i] += weight * v.component(i);
}

PackedVector threshold(std::span<const std::int32_t> sums, const TieBreak& tie) {
  const std::size_t dim = sums.size();
  PackedVector coin;
  if (tie.kind() == TieBreak::Kind::random) coin = hypervec::bipolar::random(dim, tie.seed());
  PackedVector out(dim);
  for (std::size_t i = 0; i < dim; ++i) {
    bool negative = sums[i] < 0;
    if (sums[i] == 0) {
      switch (tie.kind()) {
        case TieBreak::Kind::toward_negative: negative = true; break;
        case TieBreak::Kind::toward_positive: negative = false; break;
        case TieBreak::Kind::random: negative = coin.component(i) < 0; break;
        case TieBreak::Kind::vector: negative = tie.vector().component(i) < 0; break;
      }
    }
    out.set_component(i, negative);
  }
  return out;
}

PackedVector majority(std::span<const PackedView> items, const TieBreak& tie) {
  const std::size_t dim = items.front().dim;
  std::vector<std::int32_t> votes(dim, 0);
  for (const PackedView& item : items) {
    for (std::size_t i = 0; i < dim; ++i) votes[i] += item.component(i);
  }
  return threshold(votes, tie);
}

}  // namespace hypervec::reference::bipolar
