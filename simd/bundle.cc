// Bundling for the packed bipolar model (include/hypervec/bundle.hpp):
// weighted MAP-I accumulation, thresholding with tie rules, and n-ary
// majority with bit-sliced counters. One dispatch per call.
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "simd/bundle.cc"
#include <hwy/foreach_target.h>  // IWYU pragma: keep

#include <hwy/highway.h>

#include "simd/bipolar-inl.h"  // LaneMaskFromBits, PackedBitsAt

#include <bit>
#include <cstddef>
#include <cstdint>

HWY_BEFORE_NAMESPACE();
namespace hypervec::detail::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

/// sums[i] += weight * (bit i ? -1 : +1) for i < dim.
void AddPackedWeighted(const std::uint64_t* HWY_RESTRICT words, std::size_t dim,
                       std::int32_t weight, std::int32_t* HWY_RESTRICT sums) {
  const hn::ScalableTag<std::int32_t> d;
  const std::size_t N = hn::Lanes(d);
  const auto pos = hn::Set(d, weight);
  const auto neg = hn::Set(d, -weight);
  std::size_t i = 0;
  for (; i + N <= dim; i += N) {
    const auto m = LaneMaskFromBits(d, PackedBitsAt(words, i, N));
    hn::StoreU(hn::Add(hn::LoadU(d, sums + i), hn::IfThenElse(m, neg, pos)), d, sums + i);
  }
  for (; i < dim; ++i) sums[i] += ((words[i / 64] >> (i % 64)) & 1) ? -weight : weight;
}

/// sums[i] += weight * v[i] for i < dim.
void AddInt8Weighted(const std::int8_t* HWY_RESTRICT v, std::size_t dim,
                     std::int32_t weight, std::int32_t* HWY_RESTRICT sums) {
  const hn::ScalableTag<std::int32_t> d;
  const hn::Rebind<std::int8_t, decltype(d)> d8;
  const std::size_t N = hn::Lanes(d);
  const auto w = hn::Set(d, weight);
  std::size_t i = 0;
  for (; i + N <= dim; i += N) {
    const auto x = hn::PromoteTo(d, hn::LoadU(d8, v + i));
    hn::StoreU(hn::Add(hn::LoadU(d, sums + i), hn::Mul(x, w)), d, sums + i);
  }
  for (; i < dim; ++i) sums[i] += weight * v[i];
}

/// Packed sign of the sums: bit i = 1 (-1) when sums[i] < 0, = tie bit i
/// when sums[i] == 0, else 0. Writes packed_words(dim) words; tail bits 0.
void ThresholdSums(const std::int32_t* HWY_RESTRICT sums, std::size_t dim,
                   const std::uint64_t* HWY_RESTRICT tie, std::uint64_t* HWY_RESTRICT out) {
  const hn::ScalableTag<std::int32_t> d;
  const std::size_t N = hn::Lanes(d);
  const auto zero = hn::Zero(d);
  const std::size_t nw = (dim + 63) / 64;
  for (std::size_t w = 0; w < nw; ++w) {
    const std::size_t begin = w * 64;
    const std::size_t end = begin + 64 < dim ? begin + 64 : dim;
    std::uint64_t negative = 0, zeros = 0;
    std::size_t i = begin;
    for (; i + N <= end; i += N) {
      const auto s = hn::LoadU(d, sums + i);
      std::uint64_t neg_bits = 0, zero_bits = 0;
      hn::StoreMaskBits(d, hn::Lt(s, zero), reinterpret_cast<std::uint8_t*>(&neg_bits));
      hn::StoreMaskBits(d, hn::Eq(s, zero), reinterpret_cast<std::uint8_t*>(&zero_bits));
      const std::uint64_t lane_mask = (N >= 64) ? ~std::uint64_t{0} : ((std::uint64_t{1} << N) - 1);
      negative |= (neg_bits & lane_mask) << (i - begin);
      zeros |= (zero_bits & lane_mask) << (i - begin);
    }
    for (; i < end; ++i) {
      negative |= std::uint64_t{sums[i] < 0} << (i - begin);
      zeros |= std::uint64_t{sums[i] == 0} << (i - begin);
    }
    out[w] = negative | (zeros & tie[w]);
  }
  if (dim % 64 != 0) out[nw - 1] &= (std::uint64_t{1} << (dim % 64)) - 1;
}

/// Bit-sliced vote count over the words [w, w + Lanes(d)) of n_items rows
/// (n_items <= 255): plane p holds bit p of the number of rows whose bit is 1.
/// Ripple-carry addition of each row into the planes, Lanes(d) * 64
/// components per vector operation.
template <class D>
HWY_INLINE void CountBlock(D d, const std::uint64_t* const* rows, std::size_t n_items,
                           std::size_t w, int planes_used, hn::Vec<D>* planes) {
  for (int p = 0; p < planes_used; ++p) planes[p] = hn::Zero(d);
  for (std::size_t k = 0; k < n_items; ++k) {
    auto carry = hn::LoadU(d, rows[k] + w);
    for (int p = 0; p < planes_used; ++p) {
      const auto next = hn::And(planes[p], carry);
      planes[p] = hn::Xor(planes[p], carry);
      carry = next;
    }
  }
}

/// Majority of the words [w, w + Lanes(d)): bit = count > n/2, or the tie bit
/// when count == n/2 exactly (n even). The comparison against the constant
/// n/2 runs on the bit planes, most significant first.
template <class D>
HWY_INLINE void MajorityBlock(D d, const std::uint64_t* const* rows, std::size_t n_items,
                              std::size_t w, const std::uint64_t* tie, std::uint64_t* out) {
  const int planes_used = std::bit_width(n_items);
  hn::Vec<D> planes[8];
  CountBlock(d, rows, n_items, w, planes_used, planes);
  const std::size_t half = n_items / 2;
  auto greater = hn::Zero(d);
  auto equal = hn::Not(hn::Zero(d));
  for (int p = planes_used - 1; p >= 0; --p) {
    if ((half >> p) & 1) {
      equal = hn::And(equal, planes[p]);
    } else {
      greater = hn::Or(greater, hn::And(equal, planes[p]));
      equal = hn::AndNot(planes[p], equal);
    }
  }
  if (n_items % 2 == 0) greater = hn::Or(greater, hn::And(equal, hn::LoadU(d, tie + w)));
  hn::StoreU(greater, d, out + w);
}

/// out = majority of n_items (1..255) packed rows of n_words words each.
void MajorityWords(const std::uint64_t* const* rows, std::size_t n_items,
                   std::size_t n_words, const std::uint64_t* tie, std::uint64_t* out) {
  const hn::ScalableTag<std::uint64_t> d;
  const hn::CappedTag<std::uint64_t, 1> d1;
  const std::size_t N = hn::Lanes(d);
  std::size_t w = 0;
  for (; w + N <= n_words; w += N) MajorityBlock(d, rows, n_items, w, tie, out);
  for (; w < n_words; ++w) MajorityBlock(d1, rows, n_items, w, tie, out);
}

/// sums[i] += n_items - 2 * count_i, where count_i is the number of rows
/// (n_items <= 255) with bit i set: the same as adding each row with
/// weight 1, counted bit-sliced. `planes` is scratch of 8 * n_words words.
void AddRowsSliced(const std::uint64_t* const* rows, std::size_t n_items, std::size_t dim,
                   std::uint64_t* HWY_RESTRICT planes, std::int32_t* HWY_RESTRICT sums) {
  const std::size_t n_words = (dim + 63) / 64;
  const int planes_used = std::bit_width(n_items);
  {
    const hn::ScalableTag<std::uint64_t> d;
    const hn::CappedTag<std::uint64_t, 1> d1;
    const std::size_t N = hn::Lanes(d);
    auto count_into = [&](auto tag, std::size_t w) HWY_ATTR {
      hn::Vec<decltype(tag)> block[8];
      CountBlock(tag, rows, n_items, w, planes_used, block);
      for (int p = 0; p < planes_used; ++p) hn::StoreU(block[p], tag, planes + p * n_words + w);
    };
    std::size_t w = 0;
    for (; w + N <= n_words; w += N) count_into(d, w);
    for (; w < n_words; ++w) count_into(d1, w);
  }
  const hn::ScalableTag<std::int32_t> d;
  const std::size_t N = hn::Lanes(d);
  const auto n = hn::Set(d, static_cast<std::int32_t>(n_items));
  std::size_t i = 0;
  for (; i + N <= dim; i += N) {
    auto count = hn::Zero(d);
    for (int p = 0; p < planes_used; ++p) {
      const auto m = LaneMaskFromBits(d, PackedBitsAt(planes + p * n_words, i, N));
      count = hn::Add(count, hn::IfThenElseZero(m, hn::Set(d, 1 << p)));
    }
    hn::StoreU(hn::Add(hn::LoadU(d, sums + i), hn::Sub(n, hn::Add(count, count))), d, sums + i);
  }
  for (; i < dim; ++i) {
    std::int32_t count = 0;
    for (int p = 0; p < planes_used; ++p) {
      count += static_cast<std::int32_t>((planes[p * n_words + i / 64] >> (i % 64)) & 1) << p;
    }
    sums[i] += static_cast<std::int32_t>(n_items) - 2 * count;
  }
}

}  // namespace hypervec::detail::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
#include "simd/static_dispatch.h"
#include <hypervec/bipolar.hpp>
#include <hypervec/bundle.hpp>
#include <hypervec/error.hpp>

#include "simd/tie_words.h"

#include <algorithm>
#include <limits>
#include <vector>

namespace hypervec {
namespace detail {
/// Most inputs one bit-sliced pass counts: 8 bit planes hold counts <= 255.
constexpr std::size_t kMaxSlicedItems = 255;

HWY_EXPORT(AddPackedWeighted);
HWY_EXPORT(AddInt8Weighted);
HWY_EXPORT(ThresholdSums);
HWY_EXPORT(MajorityWords);
HWY_EXPORT(AddRowsSliced);

/// The tie bits a TieBreak stands for, as a packed vector of D components.
PackedVector tie_words(const TieBreak& tie, std::size_t dim, const char* where) {
  switch (tie.kind()) {
    case TieBreak::Kind::toward_negative: {
      PackedVector all(dim);
      std::fill(all.words(), all.words() + all.num_words(), ~std::uint64_t{0});
      all.words()[all.num_words() - 1] &= packed_tail_mask(dim);
      return all;
    }
    case TieBreak::Kind::toward_positive:
      return PackedVector(dim);
    case TieBreak::Kind::random:
      return bipolar::random(dim, tie.seed());
    case TieBreak::Kind::vector: {
      const PackedView v = tie.vector();
      require<InvalidArgument>(v.words != nullptr, where, ": TieBreak::from_vector holds a null vector");
      require_same_dim(where, "the sums", dim, "the tie-break vector", v.dim);
      PackedVector copy(dim);
      std::copy(v.words, v.words + packed_words(dim), copy.words());
      return copy;
    }
  }
  throw InvalidArgument(concat(where, ": unknown TieBreak kind"));
}

namespace {
/// Checks a non-empty list of packed vectors of one nonzero D; returns D.
std::size_t check_items(const char* where, std::span<const PackedView> items) {
  require(!items.empty(), where, ": items is empty; need at least one vector");
  const std::size_t dim = items.front().dim;
  require_valid_dim(where, "items[0]", dim);
  for (std::size_t k = 0; k < items.size(); ++k) {
    require<InvalidArgument>(items[k].words != nullptr, where, ": items[", k, "] is null");
    if (items[k].dim != dim) {
      throw DimensionError(concat(where, ": dimension mismatch: items[0] has D=", dim,
                                  ", items[", k, "] has D=", items[k].dim));
    }
  }
  return dim;
}
}  // namespace
}  // namespace detail

namespace bipolar {

// D is checked (1 <= D <= kMaxDim) before the sums are allocated.
Accumulator::Accumulator(std::size_t dim)
    : dim_(dim),
      sums_((detail::require_valid_dim("bipolar::Accumulator", "the accumulator", dim),
             padded_length<std::int32_t>(dim))) {}

void Accumulator::account(std::int64_t magnitude, const char* where) {
  // Every |sum| is bounded by the total |weight| added; keep that in int32.
  const std::int64_t limit = std::numeric_limits<std::int32_t>::max();
  detail::require(magnitude >= 0 && total_magnitude_ <= limit - magnitude, where,
                  ": total |weight| would exceed INT32_MAX (", total_magnitude_, " + ", magnitude,
                  "); the int32 sums could overflow");
  total_magnitude_ += magnitude;
}

void Accumulator::add(PackedView v, std::int32_t weight) {
  detail::require_same_dim("bipolar::Accumulator::add", "the accumulator", dim_, "v", v.dim);
  detail::require(weight != std::numeric_limits<std::int32_t>::min(),
                  "bipolar::Accumulator::add: weight INT32_MIN cannot be negated");
  account(weight < 0 ? -std::int64_t{weight} : weight, "bipolar::Accumulator::add");
  HWY_DYNAMIC_DISPATCH(detail::AddPackedWeighted)(v.words, dim_, weight, sums_.data());
  total_weight_ += weight;
}

void Accumulator::subtract(PackedView v, std::int32_t weight) {
  detail::require(weight != std::numeric_limits<std::int32_t>::min(),
                  "bipolar::Accumulator::subtract: weight INT32_MIN cannot be negated");
  add(v, -weight);
}

void Accumulator::add(std::span<const std::int8_t> v, std::int32_t weight) {
  detail::require_same_dim("bipolar::Accumulator::add", "the accumulator", dim_, "v", v.size());
  detail::require(weight != std::numeric_limits<std::int32_t>::min(),
                  "bipolar::Accumulator::add: weight INT32_MIN cannot be negated");
  account(128 * (weight < 0 ? -std::int64_t{weight} : weight), "bipolar::Accumulator::add");
  HWY_DYNAMIC_DISPATCH(detail::AddInt8Weighted)(v.data(), dim_, weight, sums_.data());
  total_weight_ += weight;
}

void Accumulator::add_all(std::span<const PackedView> items) {
  const std::size_t dim = detail::check_items("bipolar::Accumulator::add_all", items);
  detail::require_same_dim("bipolar::Accumulator::add_all", "the accumulator", dim_, "items", dim);
  account(static_cast<std::int64_t>(items.size()), "bipolar::Accumulator::add_all");
  std::vector<const std::uint64_t*> rows(items.size());
  for (std::size_t k = 0; k < items.size(); ++k) rows[k] = items[k].words;
  AlignedBuffer<std::uint64_t> planes(8 * packed_words(dim_));
  for (std::size_t begin = 0; begin < rows.size(); begin += detail::kMaxSlicedItems) {
    const std::size_t n = std::min(detail::kMaxSlicedItems, rows.size() - begin);
    HWY_DYNAMIC_DISPATCH(detail::AddRowsSliced)(rows.data() + begin, n, dim_, planes.data(),
                                                sums_.data());
  }
  total_weight_ += static_cast<std::int64_t>(items.size());
}

void Accumulator::clear() noexcept {
  std::fill(sums_.data(), sums_.data() + sums_.size(), 0);
  total_weight_ = 0;
  total_magnitude_ = 0;
}

PackedVector Accumulator::threshold(const TieBreak& tie) const {
  const PackedVector ties = detail::tie_words(tie, dim_, "bipolar::Accumulator::threshold");
  PackedVector out(dim_);
  HWY_DYNAMIC_DISPATCH(detail::ThresholdSums)(sums_.data(), dim_, ties.words(), out.words());
  return out;
}

PackedVector majority(std::span<const PackedView> items, const TieBreak& tie) {
  const std::size_t dim = detail::check_items("bipolar::majority", items);
  const PackedVector ties = detail::tie_words(tie, dim, "bipolar::majority");
  if (items.size() <= detail::kMaxSlicedItems) {
    std::vector<const std::uint64_t*> rows(items.size());
    for (std::size_t k = 0; k < items.size(); ++k) rows[k] = items[k].words;
    PackedVector out(dim);
    HWY_DYNAMIC_DISPATCH(detail::MajorityWords)(rows.data(), rows.size(), packed_words(dim),
                                                ties.words(), out.words());
    return out;
  }
  Accumulator acc(dim);
  acc.add_all(items);
  return acc.threshold(tie);
}

PackedVector majority(const PackedMatrixView& rows, const TieBreak& tie) {
  detail::require_rows_limit("bipolar::majority", "rows", rows.rows);
  std::vector<PackedView> items(rows.rows);
  for (std::size_t r = 0; r < rows.rows; ++r) items[r] = rows.row(r);
  return majority(std::span<const PackedView>(items), tie);
}

PackedVector bundle(std::span<const PackedView> items, const TieBreak& tie) {
  return majority(items, tie);
}

PackedVector bundle(const PackedMatrixView& rows, const TieBreak& tie) {
  return majority(rows, tie);
}

}  // namespace bipolar
}  // namespace hypervec
#endif  // HWY_ONCE
