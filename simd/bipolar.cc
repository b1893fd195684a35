// Packed bipolar MAP operations (include/hypervec/bipolar.hpp): per-target
// kernels and the validating public wrappers. One dispatch per call.
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "simd/bipolar.cc"
#include <hwy/foreach_target.h>  // IWYU pragma: keep

#include <hwy/highway.h>

#include "simd/bipolar-inl.h"

#include <algorithm>

HWY_BEFORE_NAMESPACE();
namespace hypervec::detail::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

/// out[i] = a[i] ^ b[i] for n words; out may alias a or b (same index only).
void XorWords(const std::uint64_t* a, const std::uint64_t* b, std::uint64_t* out,
              std::size_t n) {
  const hn::ScalableTag<std::uint64_t> d;
  const std::size_t N = hn::Lanes(d);
  std::size_t i = 0;
  for (; i + N <= n; i += N) {
    hn::StoreU(hn::Xor(hn::LoadU(d, a + i), hn::LoadU(d, b + i)), d, out + i);
  }
  for (; i < n; ++i) out[i] = a[i] ^ b[i];
}

std::uint64_t HammingWords(const std::uint64_t* HWY_RESTRICT a,
                           const std::uint64_t* HWY_RESTRICT b, std::size_t n) {
  return XorPopcount(a, b, n);
}

/// Funnel shift of a word array, as one big little-endian integer:
///   out[j] (op)= (src << bits)[j]   when `left`,
///   out[j] (op)= (src >> bits)[j]   otherwise,
/// for j in [0, n_out); src words outside [0, n_src) read as 0; op is `=` or
/// `|=` (`accumulate`). src and out must not overlap.
void ShiftWords(const std::uint64_t* HWY_RESTRICT src, std::size_t n_src,
                std::size_t bits, bool left, bool accumulate,
                std::uint64_t* HWY_RESTRICT out, std::size_t n_out) {
  const std::ptrdiff_t q = static_cast<std::ptrdiff_t>(bits / 64);
  const int r = static_cast<int>(bits % 64);
  const auto ns = static_cast<std::ptrdiff_t>(n_src);
  auto word = [&](std::ptrdiff_t k) -> std::uint64_t {
    return (k >= 0 && k < ns) ? src[k] : 0;
  };
  // Source words feeding out[j]: lo and hi with out = (hi << r) | (lo >> (64-r))
  // for the left shift (hi = j - q, lo = j - q - 1), and
  // out = (lo >> r) | (hi << (64 - r)) for the right shift (lo = j+q, hi = j+q+1).
  auto scalar = [&](std::ptrdiff_t j) -> std::uint64_t {
    if (left) {
      const std::uint64_t hi = word(j - q);
      if (r == 0) return hi;
      return (hi << r) | (word(j - q - 1) >> (64 - r));
    }
    const std::uint64_t lo = word(j + q);
    if (r == 0) return lo;
    return (lo >> r) | (word(j + q + 1) << (64 - r));
  };
  const hn::ScalableTag<std::uint64_t> d;
  const auto N = static_cast<std::ptrdiff_t>(hn::Lanes(d));
  const auto no = static_cast<std::ptrdiff_t>(n_out);
  // Vector range: every source index touched is inside [0, n_src).
  std::ptrdiff_t begin, end;
  if (left) {
    begin = q + 1;
    end = std::min(no, ns + q);  // j - q + N - 1 < ns
  } else {
    begin = 0;
    end = std::min(no, ns - q - 1);  // j + q + 1 + N - 1 < ns
  }
  std::ptrdiff_t j = 0;
  auto emit = [&](std::ptrdiff_t at, std::uint64_t v) {
    out[at] = accumulate ? (out[at] | v) : v;
  };
  // Words whose source words all lie outside [0, n_src) are 0: written as 0
  // (or left alone when accumulating) without the per-word scalar path. For
  // a rotation by s: floor(s/64) words of the left pass and about (D-s)/64 of
  // the right pass, nearly one whole pass in total.
  if (left) {  // out[j], j < q, reads src[j - q - 1], src[j - q]: both < 0
    const std::ptrdiff_t zeros = std::min(q, no);
    if (!accumulate) std::fill(out, out + zeros, std::uint64_t{0});
    j = zeros;
  }
  for (; j < std::min(begin, no); ++j) emit(j, scalar(j));
  for (; j + N <= end; j += N) {
    hn::Vec<decltype(d)> v;
    if (left) {
      const auto hi = hn::LoadU(d, src + (j - q));
      v = (r == 0) ? hi
                   : hn::Or(hn::ShiftLeftSame(hi, r),
                            hn::ShiftRightSame(hn::LoadU(d, src + (j - q - 1)), 64 - r));
    } else {
      const auto lo = hn::LoadU(d, src + (j + q));
      v = (r == 0) ? lo
                   : hn::Or(hn::ShiftRightSame(lo, r),
                            hn::ShiftLeftSame(hn::LoadU(d, src + (j + q + 1)), 64 - r));
    }
    if (accumulate) v = hn::Or(v, hn::LoadU(d, out + j));
    hn::StoreU(v, d, out + j);
  }
  // Right shift: out[j], j >= n_src - q, reads src[j + q] and up: all >= n_src.
  const std::ptrdiff_t nonzero_end = left ? no : std::max(j, std::min(no, ns - q));
  for (; j < nonzero_end; ++j) emit(j, scalar(j));
  if (!accumulate) std::fill(out + j, out + no, std::uint64_t{0});
}

/// Writes a rotated copy: out[i] = a[(i - s) mod D] for 0 <= s < D, as
/// (a << s) | (a >> (D - s)) on the D-bit integer, then clears the tail.
void RotateBits(const std::uint64_t* HWY_RESTRICT a, std::size_t dim, std::size_t s,
                std::uint64_t* HWY_RESTRICT out) {
  const std::size_t nw = (dim + 63) / 64;
  ShiftWords(a, nw, s, /*left=*/true, /*accumulate=*/false, out, nw);
  if (s != 0) ShiftWords(a, nw, dim - s, /*left=*/false, /*accumulate=*/true, out, nw);
  if (dim % 64 != 0) out[nw - 1] &= (std::uint64_t{1} << (dim % 64)) - 1;
}

}  // namespace hypervec::detail::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
#include "simd/static_dispatch.h"
#include <hypervec/bipolar.hpp>
#include "src/parallel.hpp"
#include <hypervec/error.hpp>
#include <hypervec/random.hpp>

namespace hypervec {
namespace detail {
HWY_EXPORT(XorWords);
HWY_EXPORT(HammingWords);
HWY_EXPORT(RotateBits);
}  // namespace detail

namespace bipolar {
namespace {

void fill_random_row(std::uint64_t* words, std::size_t dim, std::uint64_t seed,
                     std::uint64_t row) {
  const std::uint64_t key = hypervec::random::row_key(seed, row);
  const std::size_t nw = packed_words(dim);
  for (std::size_t j = 0; j < nw; ++j) words[j] = hypervec::random::stream_word(key, j);
  words[nw - 1] &= packed_tail_mask(dim);
}

void check_pair(const char* where, PackedView a, PackedView b) {
  detail::require_valid_dim(where, "a", a.dim);
  detail::require_same_dim(where, "a", a.dim, "b", b.dim);
}

}  // namespace

PackedVector random(std::size_t dim, std::uint64_t seed, std::uint64_t row) {
  detail::require_valid_dim("bipolar::random", "the vector", dim);
  PackedVector v(dim);
  fill_random_row(v.words(), dim, seed, row);
  return v;
}

PackedMatrix random_matrix(std::size_t rows, std::size_t dim, std::uint64_t seed,
                           const RandomOptions& options) {
  detail::require_no_unit_norm("bipolar::random_matrix", options);
  const std::uint64_t first_row = options.first_row;
  const unsigned threads = options.threads;
  // D and rows are checked against kMaxDim / kMaxRows / kMaxBytes before
  // anything is allocated (a legal size too big for the machine: bad_alloc).
  detail::require_valid_dim("bipolar::random_matrix", "the matrix", dim);
  detail::require_rows_limit("bipolar::random_matrix", "the matrix", rows);
  detail::checked_bytes(detail::checked_mul(rows, padded_length<std::uint64_t>(packed_words(dim)),
                                            "bipolar::random_matrix", "rows x stride"),
                        sizeof(std::uint64_t), "bipolar::random_matrix", "the matrix");
  PackedMatrix m(rows, dim);
  // Starting a thread costs tens of µs (more on a loaded machine); it pays
  // off past ~256k generated words (~0.25 ms of work on one core).
  const std::size_t min_rows = std::max<std::size_t>(1, (std::size_t{1} << 18) / packed_words(dim));
  detail::parallel_for(rows, threads, min_rows, [&](std::size_t begin, std::size_t end) {
    for (std::size_t r = begin; r < end; ++r) {
      fill_random_row(m.row_span(r).words, dim, seed, first_row + r);
    }
  });
  return m;
}

PackedVector identity(std::size_t dim) {
  detail::require_valid_dim("bipolar::identity", "the vector", dim);
  return PackedVector(dim);
}

void bind(PackedView a, PackedView b, PackedSpan out) {
  check_pair("bipolar::bind", a, b);
  detail::require_same_dim("bipolar::bind", "a", a.dim, "out", out.dim);
  HWY_DYNAMIC_DISPATCH(detail::XorWords)(a.words, b.words, out.words, a.num_words());
}

PackedVector bind(PackedView a, PackedView b) {
  check_pair("bipolar::bind", a, b);
  PackedVector out(a.dim);
  HWY_DYNAMIC_DISPATCH(detail::XorWords)(a.words, b.words, out.words(), a.num_words());
  return out;
}

PackedVector inverse(PackedView a) {
  detail::require_valid_dim("bipolar::inverse", "a", a.dim);
  detail::require<InvalidArgument>(a.words != nullptr, "bipolar::inverse: a is a null view");
  PackedVector out(a.dim);
  std::copy(a.words, a.words + packed_words(a.dim), out.words());
  return out;
}

PackedVector multibind(std::span<const PackedView> items) {
  detail::require(!items.empty(), "bipolar::multibind: items is empty; need at least one vector");
  const std::size_t dim = items.front().dim;
  detail::require_valid_dim("bipolar::multibind", "items[0]", dim);
  for (std::size_t k = 1; k < items.size(); ++k) {
    if (items[k].dim != dim) {
      throw DimensionError(detail::concat("bipolar::multibind: dimension mismatch: items[0] has D=",
                                          dim, ", items[", k, "] has D=", items[k].dim));
    }
  }
  PackedVector out(dim);
  std::copy(items[0].words, items[0].words + packed_words(dim), out.words());
  for (std::size_t k = 1; k < items.size(); ++k) {
    HWY_DYNAMIC_DISPATCH(detail::XorWords)(out.words(), items[k].words, out.words(),
                                           packed_words(dim));
  }
  return out;
}

namespace {
/// Validates a permute call and rotates a by s in [0, D) into out.
void rotate_checked(const char* where, PackedView a, std::size_t s, PackedSpan out) {
  const std::size_t nw = a.num_words();
  detail::require<InvalidArgument>(out.words + nw <= a.words || a.words + nw <= out.words,
                                   where, ": out overlaps a; permute needs a separate output");
  HWY_DYNAMIC_DISPATCH(detail::RotateBits)(a.words, a.dim, s, out.words);
}
}  // namespace

void permute(PackedView a, std::ptrdiff_t shifts, PackedSpan out) {
  detail::require_valid_dim("bipolar::permute", "a", a.dim);
  detail::require_same_dim("bipolar::permute", "a", a.dim, "out", out.dim);
  rotate_checked("bipolar::permute", a, detail::rotation_amount(shifts, a.dim), out);
}

PackedVector permute(PackedView a, std::ptrdiff_t shifts) {
  detail::require_valid_dim("bipolar::permute", "a", a.dim);
  PackedVector out(a.dim);
  permute(a, shifts, out.span());
  return out;
}

void inverse_permute(PackedView a, std::ptrdiff_t shifts, PackedSpan out) {
  detail::require_valid_dim("bipolar::inverse_permute", "a", a.dim);
  detail::require_same_dim("bipolar::inverse_permute", "a", a.dim, "out", out.dim);
  rotate_checked("bipolar::inverse_permute", a, detail::inverse_rotation_amount(shifts, a.dim),
                 out);
}

PackedVector inverse_permute(PackedView a, std::ptrdiff_t shifts) {
  detail::require_valid_dim("bipolar::inverse_permute", "a", a.dim);
  PackedVector out(a.dim);
  inverse_permute(a, shifts, out.span());
  return out;
}

std::uint64_t hamming(PackedView a, PackedView b) {
  check_pair("bipolar::hamming", a, b);
  return HWY_DYNAMIC_DISPATCH(detail::HammingWords)(a.words, b.words, a.num_words());
}

std::int64_t dot(PackedView a, PackedView b) {
  check_pair("bipolar::dot", a, b);
  const auto h = HWY_DYNAMIC_DISPATCH(detail::HammingWords)(a.words, b.words, a.num_words());
  return static_cast<std::int64_t>(a.dim) - 2 * static_cast<std::int64_t>(h);
}

double cosine(PackedView a, PackedView b) {
  check_pair("bipolar::cosine", a, b);
  const auto h = HWY_DYNAMIC_DISPATCH(detail::HammingWords)(a.words, b.words, a.num_words());
  return static_cast<double>(static_cast<std::int64_t>(a.dim) - 2 * static_cast<std::int64_t>(h)) /
         static_cast<double>(a.dim);
}

}  // namespace bipolar
}  // namespace hypervec
#endif  // HWY_ONCE
