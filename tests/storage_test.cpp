// Storage (include/hypervec/storage.hpp): the size limits and overflow-checked
// size arithmetic every owning type and view wrapper relies on.
#define BOOST_TEST_MODULE storage
#include <boost/test/unit_test.hpp>

#include <hypervec/storage.hpp>

#include "tests/test_util.hpp"

#include <cstdint>
#include <limits>
#include <new>
#include <random>
#include <vector>

namespace hv = hypervec;
using hypervec::test::message_has;

namespace {

constexpr std::size_t kSizeMax = std::numeric_limits<std::size_t>::max();

// Sanitizers abort (instead of throwing std::bad_alloc) on allocations they
// cannot serve, so the "legal but too big for the machine" cases run only in
// plain builds.
#if defined(__SANITIZE_ADDRESS__)
constexpr bool kAsan = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr bool kAsan = true;
#else
constexpr bool kAsan = false;
#endif
#else
constexpr bool kAsan = false;
#endif

auto names(const char* where, const char* limit) {
  return [=](const hv::Error& e) { return message_has(e, where) && message_has(e, limit); };
}

}  // namespace

// The bounds are chosen so that every derived product is safe.
static_assert(hv::kMaxDim <= static_cast<std::size_t>(std::numeric_limits<int>::max()) / 2 + 1);
static_assert(hv::kMaxRows <= std::numeric_limits<std::uint32_t>::max() + std::size_t{1});
static_assert(hv::kMaxRows * hv::padded_length<std::uint8_t>(hv::kMaxDim) <=
              static_cast<std::size_t>(std::numeric_limits<std::ptrdiff_t>::max()));
static_assert(hv::kMaxBytes <= static_cast<std::size_t>(std::numeric_limits<std::ptrdiff_t>::max()));

BOOST_AUTO_TEST_CASE(word_and_byte_counts_do_not_wrap) {
  BOOST_CHECK_EQUAL(hv::packed_words(0), 0U);
  BOOST_CHECK_EQUAL(hv::packed_words(1), 1U);
  BOOST_CHECK_EQUAL(hv::packed_words(64), 1U);
  BOOST_CHECK_EQUAL(hv::packed_words(65), 2U);
  BOOST_CHECK_EQUAL(hv::packed_words(kSizeMax), kSizeMax / 64 + 1);  // (D + 63) / 64 wrapped to 0
  BOOST_CHECK_EQUAL(hv::packbits_bytes(9), 2U);
  BOOST_CHECK_EQUAL(hv::packbits_bytes(kSizeMax), kSizeMax / 8 + 1);
  BOOST_CHECK_EQUAL(hv::padded_length<float>(17), 32U);
  BOOST_CHECK_EQUAL(hv::padded_length<std::uint64_t>(8), 8U);
  BOOST_CHECK_EXCEPTION(hv::padded_length<std::uint64_t>(kSizeMax), hv::DimensionError,
                        [](const hv::Error& e) { return message_has(e, "padded_length"); });
  BOOST_CHECK_EXCEPTION(hv::detail::checked_mul(std::size_t{1} << 40, std::size_t{1} << 40, "f", "n"),
                        hv::DimensionError, [](const hv::Error& e) { return message_has(e, "f: n overflows"); });
  BOOST_CHECK_EQUAL(hv::detail::checked_mul(3, 5, "f", "n"), 15U);
  BOOST_CHECK_THROW(hv::detail::checked_add(kSizeMax, 1, "f", "n"), hv::DimensionError);
}

BOOST_AUTO_TEST_CASE(rotation_amount_is_exact_for_every_shift) {
  const auto seed = hv::test::test_seed();
  std::mt19937_64 rng(seed);
  constexpr auto kMin = std::numeric_limits<std::ptrdiff_t>::min();
  constexpr auto kMax = std::numeric_limits<std::ptrdiff_t>::max();
  std::vector<std::ptrdiff_t> shifts = {0, 1, -1, kMin, kMin + 1, kMax, kMax - 1};
  for (int i = 0; i < 50; ++i) shifts.push_back(static_cast<std::ptrdiff_t>(rng()));
  for (const std::size_t dim : {std::size_t{1}, std::size_t{2}, std::size_t{7}, std::size_t{64},
                                std::size_t{1000}, hv::kMaxDim, kSizeMax}) {
    for (const std::ptrdiff_t k : shifts) {
      BOOST_TEST_CONTEXT("D=" << dim << " shifts=" << k << " seed " << seed) {
        const __int128 d = static_cast<__int128>(dim);
        const auto want = static_cast<std::size_t>(((static_cast<__int128>(k) % d) + d) % d);
        const auto want_inv = static_cast<std::size_t>(((-static_cast<__int128>(k) % d) + d) % d);
        BOOST_CHECK_EQUAL(hv::detail::rotation_amount(k, dim), want);
        BOOST_CHECK_EQUAL(hv::detail::inverse_rotation_amount(k, dim), want_inv);
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(owning_types_refuse_sizes_past_the_limits_before_allocating) {
  // AlignedBuffer: size x sizeof(T) used to wrap (2^61 words -> 0 bytes).
  BOOST_CHECK_EXCEPTION(hv::AlignedBuffer<std::uint64_t>(std::size_t{1} << 61), hv::DimensionError,
                        names("AlignedBuffer", "kMaxBytes"));
  BOOST_CHECK_EXCEPTION(hv::AlignedBuffer<std::uint8_t>(hv::kMaxBytes + 1), hv::DimensionError,
                        names("AlignedBuffer", "kMaxBytes"));
  // PackedMatrix(2^61, 64) used to "succeed" with a null buffer.
  BOOST_CHECK_EXCEPTION(hv::PackedMatrix(std::size_t{1} << 61, 64), hv::DimensionError,
                        names("PackedMatrix", "kMaxRows"));
  BOOST_CHECK_EXCEPTION(hv::PackedMatrix(1, hv::kMaxDim + 1), hv::DimensionError,
                        names("PackedMatrix", "kMaxDim"));
  BOOST_CHECK_EXCEPTION(hv::PackedMatrix(hv::kMaxRows, hv::kMaxDim), hv::DimensionError,
                        names("PackedMatrix", "kMaxBytes"));
  BOOST_CHECK_EXCEPTION(hv::PackedMatrix(hv::kMaxRows + 1, 1), hv::DimensionError,
                        names("PackedMatrix", "kMaxRows"));
  BOOST_CHECK_EXCEPTION(hv::PackedVector{kSizeMax}, hv::DimensionError,
                        names("PackedVector", "kMaxDim"));
  BOOST_CHECK_EXCEPTION(hv::PackedVector(hv::kMaxDim + 1), hv::DimensionError,
                        names("PackedVector", "kMaxDim"));
  BOOST_CHECK_EXCEPTION(hv::DenseVector<float>{kSizeMax}, hv::DimensionError,
                        names("DenseVector", "kMaxDim"));
  BOOST_CHECK_EXCEPTION(hv::DenseVector<double>(std::size_t{1} << 62), hv::DimensionError,
                        names("DenseVector", "kMaxDim"));
  BOOST_CHECK_EXCEPTION(hv::DenseMatrix<float>(std::size_t{1} << 62, 16), hv::DimensionError,
                        names("DenseMatrix", "kMaxRows"));
  BOOST_CHECK_EXCEPTION(hv::DenseMatrix<float>(1, kSizeMax), hv::DimensionError,
                        names("DenseMatrix", "kMaxDim"));
  BOOST_CHECK_EXCEPTION(hv::DenseMatrix<double>(hv::kMaxRows, hv::kMaxDim), hv::DimensionError,
                        names("DenseMatrix", "kMaxBytes"));
  BOOST_CHECK_EXCEPTION(hv::DenseMatrix<float>(hv::kMaxRows, std::size_t{1} << 20), hv::DimensionError,
                        names("DenseMatrix", "kMaxBytes"));
}

BOOST_AUTO_TEST_CASE(sizes_at_the_limits_are_legal) {
  const hv::PackedVector v(hv::kMaxDim);  // 128 MiB
  BOOST_CHECK_EQUAL(v.num_words(), hv::kMaxDim / 64);
  BOOST_CHECK_EQUAL(v.words()[v.num_words() - 1], 0U);
  const hv::PackedMatrix tall(std::size_t{1} << 16, 1);  // rows are 64 bytes
  BOOST_CHECK_EQUAL(tall.stride_words(), 8U);
  const hv::DenseMatrix<float> empty(hv::kMaxRows, 0);  // no storage at all
  BOOST_CHECK_EQUAL(empty.rows(), hv::kMaxRows);
  BOOST_CHECK(empty.data() == nullptr);
  if (!kAsan) {
    // Legal by the limits (exactly kMaxBytes) but beyond this machine:
    // std::bad_alloc, never a null buffer or undefined behaviour.
    BOOST_CHECK_THROW(hv::PackedMatrix(std::size_t{1} << 20, hv::kMaxDim), std::bad_alloc);
  }
}

BOOST_AUTO_TEST_CASE(make_packed_view_refuses_dims_past_the_limit) {
  std::vector<std::uint64_t> words(4, 0);
  // D = SIZE_MAX used to wrap packed_words to 0 and read words[-1].
  BOOST_CHECK_EXCEPTION(hv::make_packed_view(words.data(), words.size(), kSizeMax), hv::DimensionError,
                        names("make_packed_view", "kMaxDim"));
  BOOST_CHECK_EXCEPTION(hv::make_packed_view(words.data(), words.size(), hv::kMaxDim + 1),
                        hv::DimensionError, names("make_packed_view", "kMaxDim"));
  BOOST_CHECK_NO_THROW(hv::make_packed_view(words.data(), words.size(), 256));
}
