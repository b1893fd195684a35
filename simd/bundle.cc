// Bundling for the packed bipolar model (include/hypervec/bundle.hpp):
// weighted MAP-I accumulation, thresholding with tie rules, and n-ary
// majority with bit-sliced counters. One dispatch per call.
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "simd/bundle.cc"
#include <hwy/foreach_target.h>  // IWYU pragma: keep

#include <hwy/highway.h>

#include "simd/bipolar-inl.h"  // LaneMaskFromBits, PackedBitsAt
#include <hypervec/storage.hpp>  // PackedView

#include <bit>
#include <cstddef>
#include <cstdint>
#include <utility>

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
/// Tie bits are tie[] or, when tie is null, tie_fill in every word; tie may
/// be out (each word is read before it is written).
void ThresholdSums(const std::int32_t* HWY_RESTRICT sums, std::size_t dim,
                   const std::uint64_t* tie, std::uint64_t tie_fill, std::uint64_t* out) {
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
    out[w] = negative | (zeros & (tie != nullptr ? tie[w] : tie_fill));
  }
  if (dim % 64 != 0) out[nw - 1] &= (std::uint64_t{1} << (dim % 64)) - 1;
}

/// Bitwise select: each bit from yes where mask has a 1, else from no.
/// One VPTERNLOG on AVX-512; Highway's IfVecThenElse elsewhere needs
/// all-0/all-1 lanes, so other targets use no ^ (mask & (yes ^ no)).
template <class V>
HWY_INLINE V BitSelect(V mask, V yes, V no) {
#if HWY_TARGET <= HWY_AVX3
  return hn::IfVecThenElse(mask, yes, no);
#else
  return hn::Xor(no, hn::And(mask, hn::Xor(yes, no)));
#endif
}

/// Carry-save (full) adder on bit vectors: sum = a ^ b ^ c, carry = maj(a, b, c)
/// (where a and b differ the majority is c, else a). Three ops on AVX-512.
template <class V>
HWY_INLINE void FullAdd(V a, V b, V c, V& sum, V& carry) {
  const V u = hn::Xor(a, b);
  sum = hn::Xor(u, c);
  carry = BitSelect(u, c, a);
}

/// Adds the bit vector `carry`, of weight 2^kFirst, into the counter planes
/// [kFirst, P) with ripple-carry half adders. P is chosen so that every count
/// fits, so the carry out of plane P - 1 is always 0 and is dropped.
template <int kFirst, int P, class V>
HWY_INLINE void RippleAdd(V (&planes)[P], V carry) {
  for (int p = kFirst; p < P; ++p) {
    const V next = hn::And(planes[p], carry);
    planes[p] = hn::Xor(planes[p], carry);
    carry = next;
  }
}

/// Bit-sliced vote count of the words [w, w + C * Lanes(d)) over n rows
/// (n < 2^P): planes[c][p] holds bit p of the number of rows whose bit is 1,
/// for the c-th vector of words. Harley–Seal: groups of 8 rows go through a
/// tree of 7 full adders into planes 0–2 and one carry of weight 8, which
/// ripples into planes 3 and up: about 3.5 vector ops per row and no counter
/// traffic to memory. The last n mod 8 rows ripple in one at a time. C > 1
/// columns share each row-pointer load and give independent dependency
/// chains. row_at(k) is row k's first word.
template <int P, int C, class D, class RowAt>
HWY_INLINE void CountColumns(D d, const RowAt& row_at, std::size_t n, std::size_t w,
                             hn::Vec<D> (&planes)[C][P]) {
  using V = hn::Vec<D>;
  const std::size_t N = hn::Lanes(d);
  for (int c = 0; c < C; ++c) {
    for (int p = 0; p < P; ++p) planes[c][p] = hn::Zero(d);
  }
  std::size_t k = 0;
  if constexpr (P >= 4) {
    for (; k + 8 <= n; k += 8) {
      const std::uint64_t* r[8];
      for (int i = 0; i < 8; ++i) r[i] = row_at(k + i) + w;
      for (int c = 0; c < C; ++c) {
        V(&pl)[P] = planes[c];
        const std::size_t at = c * N;
        V twos_a, twos_b, fours_a, fours_b, eights;
        FullAdd(pl[0], hn::LoadU(d, r[0] + at), hn::LoadU(d, r[1] + at), pl[0], twos_a);
        FullAdd(pl[0], hn::LoadU(d, r[2] + at), hn::LoadU(d, r[3] + at), pl[0], twos_b);
        FullAdd(pl[1], twos_a, twos_b, pl[1], fours_a);
        FullAdd(pl[0], hn::LoadU(d, r[4] + at), hn::LoadU(d, r[5] + at), pl[0], twos_a);
        FullAdd(pl[0], hn::LoadU(d, r[6] + at), hn::LoadU(d, r[7] + at), pl[0], twos_b);
        FullAdd(pl[1], twos_a, twos_b, pl[1], fours_b);
        FullAdd(pl[2], fours_a, fours_b, pl[2], eights);
        RippleAdd<3>(pl, eights);
      }
    }
  }
  for (; k < n; ++k) {
    const std::uint64_t* r = row_at(k) + w;
    for (int c = 0; c < C; ++c) RippleAdd<0>(planes[c], hn::LoadU(d, r + c * N));
  }
}

/// Majority of the words [w, w + C * Lanes(d)) of n rows (n < 2^P): bit = 1
/// when count > n/2, the tie bit when count == n/2 exactly (n even). The
/// compare against the constant n/2 runs on the bit planes, most significant
/// first. Tie bits are tie[w..] or, when tie is null, tie_fill in every word;
/// tie may be out (each word is read before it is written).
template <int P, int C, class D, class RowAt>
HWY_INLINE void MajorityColumns(D d, const RowAt& row_at, std::size_t n, std::size_t w,
                                const std::uint64_t* tie, std::uint64_t tie_fill,
                                std::uint64_t* out) {
  const std::size_t N = hn::Lanes(d);
  hn::Vec<D> planes[C][P];
  CountColumns<P, C>(d, row_at, n, w, planes);
  const std::size_t half = n / 2;
  for (int c = 0; c < C; ++c) {
    auto greater = hn::Zero(d);
    auto equal = hn::Not(hn::Zero(d));
    for (int p = P - 1; p >= 0; --p) {
      if ((half >> p) & 1) {
        equal = hn::And(equal, planes[c][p]);
      } else {
        greater = hn::Or(greater, hn::And(equal, planes[c][p]));
        equal = hn::AndNot(planes[c][p], equal);
      }
    }
    const std::size_t at = w + c * N;
    if (n % 2 == 0) {
      const auto ties = tie != nullptr ? hn::LoadU(d, tie + at) : hn::Set(d, tie_fill);
      greater = hn::Or(greater, hn::And(equal, ties));
    }
    hn::StoreU(greater, d, out + at);
  }
}

/// Majority of the words [w, w + C * Lanes(d)) of a few rows (2 <= kN <=
/// kMaxFewItems) by the threshold recurrence: after k rows, at_least[t] has
/// a 1 where at least t of them do; row x updates at_least[t] = x ?
/// at_least[t-1] : at_least[t] (one bitwise select, t descending, with
/// at_least[0] = all ones, so t = 1 is an OR). Only the thresholds that can
/// still reach n/2 + 1 (odd n) or n/2 (even n) are updated: about
/// (n/2 + 1)^2 selects per vector in all, fewer than the counter for n < 16.
/// Ties as in MajorityColumns: count >= n/2 + 1 is -1, count == n/2 the tie.
template <int kN, int C, class D, class RowAt>
HWY_INLINE void MajorityFewColumns(D d, const RowAt& row_at, std::size_t w,
                                   const std::uint64_t* tie, std::uint64_t tie_fill,
                                   std::uint64_t* out) {
  using V = hn::Vec<D>;
  const std::size_t N = hn::Lanes(d);
  constexpr int kHi = kN / 2 + 1;
  constexpr int kLo = kN % 2 == 0 ? kN / 2 : kHi;
  V at_least[C][kHi + 1];
  for (int c = 0; c < C; ++c) {
    for (int t = 0; t <= kHi; ++t) at_least[c][t] = hn::Zero(d);
  }
#pragma GCC unroll 16
  for (int k = 1; k <= kN; ++k) {
    const std::uint64_t* row = row_at(k - 1) + w;
    const int top = k < kHi ? k : kHi;
    const int bottom = kLo - (kN - k) > 1 ? kLo - (kN - k) : 1;
    for (int c = 0; c < C; ++c) {
      const V x = hn::LoadU(d, row + c * N);
#pragma GCC unroll 16
      for (int t = top; t >= bottom; --t) {
        at_least[c][t] = t == 1 ? hn::Or(x, at_least[c][1])
                                : BitSelect(x, at_least[c][t - 1], at_least[c][t]);
      }
    }
  }
  for (int c = 0; c < C; ++c) {
    const std::size_t at = w + c * N;
    V result = at_least[c][kHi];
    if constexpr (kN % 2 == 0) {
      const auto ties = tie != nullptr ? hn::LoadU(d, tie + at) : hn::Set(d, tie_fill);
      result = hn::Or(result, hn::And(at_least[c][kLo], ties));
    }
    hn::StoreU(result, d, out + at);
  }
}

/// Most rows the threshold recurrence takes; the counter takes the rest.
constexpr int kMaxFewItems = 15;

/// Columns per step of the majority kernels: 2 where 32 vector registers
/// hold two sets of counter planes (AVX-512), else 1.
#if HWY_TARGET <= HWY_AVX3
constexpr int kMajorityColumns = 2;
#else
constexpr int kMajorityColumns = 1;
#endif

/// out = majority of n rows (1 <= n < 2^P) of n_words words each; whole
/// vectors, then one word at a time. n == 3 is one select per vector:
/// maj(a, b, c) = (a ^ b) ? c : a.
template <int P, class RowAt>
HWY_INLINE void MajorityRows(const RowAt& row_at, std::size_t n, std::size_t n_words,
                             const std::uint64_t* tie, std::uint64_t tie_fill,
                             std::uint64_t* out) {
  const hn::ScalableTag<std::uint64_t> d;
  const hn::CappedTag<std::uint64_t, 1> d1;
  const std::size_t N = hn::Lanes(d);
  std::size_t w = 0;
  if (n == 3) {
    auto maj3 = [&](auto tag, std::size_t at) HWY_ATTR {
      const auto a = hn::LoadU(tag, row_at(0) + at);
      hn::StoreU(BitSelect(hn::Xor(a, hn::LoadU(tag, row_at(1) + at)),
                           hn::LoadU(tag, row_at(2) + at), a),
                 tag, out + at);
    };
    for (; w + N <= n_words; w += N) maj3(d, w);
    for (; w < n_words; ++w) maj3(d1, w);
    return;
  }
  constexpr int C = kMajorityColumns;
  for (; w + C * N <= n_words; w += C * N) {
    MajorityColumns<P, C>(d, row_at, n, w, tie, tie_fill, out);
  }
  for (; w + N <= n_words; w += N) MajorityColumns<P, 1>(d, row_at, n, w, tie, tie_fill, out);
  for (; w < n_words; ++w) MajorityColumns<P, 1>(d1, row_at, n, w, tie, tie_fill, out);
}

/// out = majority of kN rows (2 <= kN <= kMaxFewItems), by the recurrence.
template <int kN, class RowAt>
HWY_INLINE void MajorityFewRows(const RowAt& row_at, std::size_t n_words,
                                const std::uint64_t* tie, std::uint64_t tie_fill,
                                std::uint64_t* out) {
  static_assert(kN >= 2 && kN <= kMaxFewItems);
  const hn::ScalableTag<std::uint64_t> d;
  const hn::CappedTag<std::uint64_t, 1> d1;
  const std::size_t N = hn::Lanes(d);
  constexpr int C = kMajorityColumns;
  std::size_t w = 0;
  for (; w + C * N <= n_words; w += C * N) {
    MajorityFewColumns<kN, C>(d, row_at, w, tie, tie_fill, out);
  }
  for (; w + N <= n_words; w += N) MajorityFewColumns<kN, 1>(d, row_at, w, tie, tie_fill, out);
  for (; w < n_words; ++w) MajorityFewColumns<kN, 1>(d1, row_at, w, tie, tie_fill, out);
}

/// Picks the kernel at compile time: the recurrence for n = 2 and 4..15
/// (kN = n), else the counter with P = bit_width(n) planes (1..16), so the
/// counters stay in registers.
template <class RowAt, int... kPlanes>
HWY_INLINE void MajorityByPlanes(std::integer_sequence<int, kPlanes...>, const RowAt& row_at,
                                 std::size_t n, std::size_t n_words, const std::uint64_t* tie,
                                 std::uint64_t tie_fill, std::uint64_t* out) {
  if ((n == 2 || n >= 4) && n <= static_cast<std::size_t>(kMaxFewItems)) {
    const auto few = [&](auto count) HWY_ATTR {
      constexpr int kN = decltype(count)::value;
      if constexpr (kN >= 2 && kN <= kMaxFewItems) {
        if (n == static_cast<std::size_t>(kN)) MajorityFewRows<kN>(row_at, n_words, tie, tie_fill, out);
      }
    };
    (few(std::integral_constant<int, kPlanes>()), ...);
    return;
  }
  const int planes = std::bit_width(n);
  ((planes == kPlanes + 1 ? MajorityRows<kPlanes + 1>(row_at, n, n_words, tie, tie_fill, out)
                          : void()),
   ...);
}

/// out = majority of the n_items (1..65535) packed vectors items[0..n) of n_words
/// words each; ties as in MajorityColumns. out may be one of the rows.
void MajorityOfViews(const PackedView* items, std::size_t n_items, std::size_t n_words,
                     const std::uint64_t* tie, std::uint64_t tie_fill, std::uint64_t* out) {
  const auto row_at = [items](std::size_t k) { return items[k].words; };
  MajorityByPlanes(std::make_integer_sequence<int, 16>(), row_at, n_items, n_words, tie,
                   tie_fill, out);
}

/// The same for the rows of a matrix: row k starts at base + k * stride_words.
void MajorityOfMatrix(const std::uint64_t* base, std::size_t stride_words, std::size_t n_items,
                      std::size_t n_words, const std::uint64_t* tie, std::uint64_t tie_fill,
                      std::uint64_t* out) {
  const auto row_at = [base, stride_words](std::size_t k) { return base + k * stride_words; };
  MajorityByPlanes(std::make_integer_sequence<int, 16>(), row_at, n_items, n_words, tie,
                   tie_fill, out);
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
    const auto row_at = [rows](std::size_t k) { return rows[k]; };
    auto count_into = [&](auto tag, std::size_t w) HWY_ATTR {
      hn::Vec<decltype(tag)> block[1][8];
      CountColumns<8, 1>(tag, row_at, n_items, w, block);
      for (int p = 0; p < planes_used; ++p) hn::StoreU(block[0][p], tag, planes + p * n_words + w);
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
#include <hypervec/random.hpp>

#include <algorithm>
#include <limits>
#include <vector>

namespace hypervec {
namespace detail {
/// Most inputs one bit-sliced pass of AddRowsSliced counts (8 planes).
constexpr std::size_t kMaxSlicedItems = 255;
/// Most inputs the majority kernels count in registers (16 planes).
constexpr std::size_t kMaxCountedItems = 65535;

HWY_EXPORT(AddPackedWeighted);
HWY_EXPORT(AddInt8Weighted);
HWY_EXPORT(ThresholdSums);
HWY_EXPORT(MajorityOfViews);
HWY_EXPORT(MajorityOfMatrix);
HWY_EXPORT(AddRowsSliced);

namespace {
/// Writes the bits of bipolar::random(dim, seed) into words.
void fill_random_tie(std::uint64_t* words, std::size_t dim, std::uint64_t seed) {
  const std::uint64_t key = hypervec::random::row_key(seed, 0);
  const std::size_t nw = packed_words(dim);
  for (std::size_t j = 0; j < nw; ++j) words[j] = hypervec::random::stream_word(key, j);
  words[nw - 1] &= packed_tail_mask(dim);
}

/// A TieBreak as the kernels take it: a word array, or (words == nullptr)
/// one word repeated. Only the random rule generates bits: into `scratch`
/// (a D-component output the kernel writes after reading each tie word)
/// when given, else into `owned`. Checks a from_vector rule's vector. With
/// `needed` false (an odd number of votes has no ties) only checks.
struct TieBits {
  const std::uint64_t* words = nullptr;
  std::uint64_t fill = 0;
  PackedVector owned;

  TieBits(const TieBreak& tie, std::size_t dim, const char* where, std::uint64_t* scratch,
          bool needed = true) {
    if (!needed && tie.kind() != TieBreak::Kind::vector) return;
    switch (tie.kind()) {
      case TieBreak::Kind::toward_negative:
        fill = ~std::uint64_t{0};  // only bits where a tie is, all inside D
        return;
      case TieBreak::Kind::toward_positive:
        return;
      case TieBreak::Kind::random:
        if (scratch == nullptr) {
          owned = PackedVector(dim);
          scratch = owned.words();
        }
        fill_random_tie(scratch, dim, tie.seed());
        words = scratch;
        return;
      case TieBreak::Kind::vector: {
        const PackedView v = tie.vector();
        require<InvalidArgument>(v.words != nullptr, where,
                                 ": TieBreak::from_vector holds a null vector");
        require_same_dim(where, "the sums", dim, "the tie-break vector", v.dim);
        if (needed) words = v.words;
        return;
      }
    }
    throw InvalidArgument(concat(where, ": unknown TieBreak kind"));
  }
};
}  // namespace

/// The tie bits a TieBreak stands for, as a packed vector of D components.
PackedVector tie_words(const TieBreak& tie, std::size_t dim, const char* where) {
  PackedVector out(dim);
  const TieBits bits(tie, dim, where, out.words());
  if (bits.words == nullptr) {
    std::fill(out.words(), out.words() + out.num_words(), bits.fill);
    out.words()[out.num_words() - 1] &= packed_tail_mask(dim);
  } else if (bits.words != out.words()) {
    std::copy(bits.words, bits.words + packed_words(dim), out.words());
  }
  return out;
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

/// Checks an output of D components for a majority whose inputs span
/// [begin, begin + n) words (`input` names them); returns whether out is
/// exactly one of the inputs (`is_row(offset)`: an input starts `offset` words
/// after begin), which the kernels allow. Any other overlap throws.
template <class IsRow>
bool check_out(const char* where, std::size_t dim, PackedSpan out, const std::uint64_t* begin,
               std::size_t n, const IsRow& is_row, const char* input) {
  require<InvalidArgument>(out.words != nullptr, where, ": out is a null span");
  require_same_dim(where, "the items", dim, "out", out.dim);
  const std::uint64_t* o = out.words;
  const std::size_t nw = packed_words(dim);
  const auto addr = [](const std::uint64_t* q) { return reinterpret_cast<std::uintptr_t>(q); };
  if (addr(o) + nw * 8 <= addr(begin) || addr(begin) + n * 8 <= addr(o)) return false;
  if (addr(o) >= addr(begin) && (addr(o) - addr(begin)) % 8 == 0 &&
      is_row(static_cast<std::size_t>(o - begin))) {
    return true;
  }
  throw InvalidArgument(concat(where, ": out overlaps ", input,
                               " without being one of them; use a separate output"));
}

/// The majority of more than kMaxCountedItems vectors: exact int32 sums.
void majority_by_sums(std::span<const PackedView> items, std::size_t dim, const TieBreak& tie,
                      std::uint64_t* out);

/// out = majority(items): validated, out checked by the caller; `out_aliased`
/// when out is one of the items (random ties then need their own words).
void majority_views(const char* where, std::span<const PackedView> items, std::size_t dim,
                    const TieBreak& tie, std::uint64_t* out, bool out_aliased) {
  const std::size_t nw = packed_words(dim);
  const std::size_t n = items.size();
  if (n > kMaxCountedItems) {
    majority_by_sums(items, dim, tie, out);
    return;
  }
  // Odd n has no ties: the rule is checked, no bits generated.
  const TieBits bits(tie, dim, where, out_aliased ? nullptr : out, n % 2 == 0);
  if (n == 1) {
    if (items[0].words != out) std::copy(items[0].words, items[0].words + nw, out);
    return;
  }
  HWY_DYNAMIC_DISPATCH(MajorityOfViews)(items.data(), n, nw, bits.words, bits.fill, out);
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
  PackedVector out(dim_);
  threshold(out.span(), tie);
  return out;
}

void Accumulator::threshold(PackedSpan out, const TieBreak& tie) const {
  const char* where = "bipolar::Accumulator::threshold";
  detail::require<InvalidArgument>(out.words != nullptr, where, ": out is a null span");
  detail::require_same_dim(where, "the accumulator", dim_, "out", out.dim);
  const detail::TieBits bits(tie, dim_, where, out.words);
  HWY_DYNAMIC_DISPATCH(detail::ThresholdSums)(sums_.data(), dim_, bits.words, bits.fill,
                                              out.words);
}

void majority(std::span<const PackedView> items, PackedSpan out, const TieBreak& tie) {
  const char* where = "bipolar::majority";
  const std::size_t dim = detail::check_items(where, items);
  bool aliased = false;
  for (std::size_t k = 0; k < items.size(); ++k) {
    aliased |= detail::check_out(where, dim, out, items[k].words, packed_words(dim),
                                 [](std::size_t offset) { return offset == 0; }, "an item");
  }
  detail::majority_views(where, items, dim, tie, out.words, aliased);
}

PackedVector majority(std::span<const PackedView> items, const TieBreak& tie) {
  const char* where = "bipolar::majority";
  const std::size_t dim = detail::check_items(where, items);
  PackedVector out(dim);
  detail::majority_views(where, items, dim, tie, out.words(), false);
  return out;
}

void majority(const PackedMatrixView& rows, PackedSpan out, const TieBreak& tie) {
  const char* where = "bipolar::majority";
  detail::require_rows_limit(where, "rows", rows.rows);
  detail::require(rows.rows > 0, where, ": rows is empty; need at least one vector");
  detail::require_valid_dim(where, "rows", rows.dim);
  detail::require<InvalidArgument>(rows.words != nullptr, where, ": rows is a null view");
  const std::size_t nw = packed_words(rows.dim);
  const std::size_t span_words =
      detail::checked_mul(rows.rows - 1, rows.stride_words, where, "rows x stride") + nw;
  const bool aliased = detail::check_out(
      where, rows.dim, out, rows.words, span_words,
      [&](std::size_t offset) {
        return rows.stride_words == 0 ? offset == 0
                                      : offset % rows.stride_words == 0 &&
                                            offset / rows.stride_words < rows.rows;
      },
      "a row");
  if (rows.rows > detail::kMaxCountedItems || rows.rows == 1) {
    std::vector<PackedView> items(rows.rows);
    for (std::size_t r = 0; r < rows.rows; ++r) items[r] = rows.row(r);
    detail::majority_views(where, items, rows.dim, tie, out.words, aliased);
    return;
  }
  const detail::TieBits bits(tie, rows.dim, where, aliased ? nullptr : out.words,
                             rows.rows % 2 == 0);
  HWY_DYNAMIC_DISPATCH(detail::MajorityOfMatrix)(rows.words, rows.stride_words, rows.rows, nw,
                                                 bits.words, bits.fill, out.words);
}

PackedVector majority(const PackedMatrixView& rows, const TieBreak& tie) {
  detail::require_rows_limit("bipolar::majority", "rows", rows.rows);
  detail::require_valid_dim("bipolar::majority", "rows", rows.dim);
  PackedVector out(rows.dim);
  majority(rows, out.span(), tie);
  return out;
}

PackedVector bundle(std::span<const PackedView> items, const TieBreak& tie) {
  return majority(items, tie);
}

PackedVector bundle(const PackedMatrixView& rows, const TieBreak& tie) {
  return majority(rows, tie);
}

void bundle(std::span<const PackedView> items, PackedSpan out, const TieBreak& tie) {
  majority(items, out, tie);
}

void bundle(const PackedMatrixView& rows, PackedSpan out, const TieBreak& tie) {
  majority(rows, out, tie);
}

}  // namespace bipolar

namespace detail {
namespace {
void majority_by_sums(std::span<const PackedView> items, std::size_t dim, const TieBreak& tie,
                      std::uint64_t* out) {
  bipolar::Accumulator acc(dim);
  acc.add_all(items);
  acc.threshold(PackedSpan{out, dim}, tie);
}
}  // namespace
}  // namespace detail
}  // namespace hypervec
#endif  // HWY_ONCE
