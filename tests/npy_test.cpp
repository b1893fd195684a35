// NumPy .npy I/O (include/hypervec/npy.hpp): round trips, every dtype, order
// and version, packbits codebooks, and hostile files that must fail cleanly.
#define BOOST_TEST_MODULE npy
#include <boost/test/unit_test.hpp>

#include <hypervec/bipolar.hpp>
#include <hypervec/npy.hpp>

#include "tests/test_util.hpp"

#include <cmath>
#include <complex>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <string>
#include <utility>
#include <vector>

namespace hv = hypervec;
using hypervec::test::message_has;
namespace npy = hypervec::npy;
namespace fs = std::filesystem;

namespace {

struct TempDir : hypervec::test::ScratchDir {
  TempDir() : ScratchDir("npy_test") {}
};

/// Builds an .npy image by hand: magic, version, little-endian header length,
/// the dictionary padded with spaces to a 64-byte boundary, then `data`.
std::vector<std::byte> npy_image(const std::string& dict, const std::vector<std::uint8_t>& data, int major = 1) {
  const std::size_t len_bytes = major == 1 ? 2 : 4;
  std::string header = dict;
  const std::size_t total = (8 + len_bytes + header.size() + 1 + 63) / 64 * 64;
  header.append(total - 8 - len_bytes - header.size() - 1, ' ');
  header += '\n';
  std::vector<std::byte> out;
  for (const unsigned char c : std::string("\x93NUMPY")) out.push_back(std::byte{c});
  out.push_back(std::byte(major));
  out.push_back(std::byte{0});
  for (std::size_t b = 0; b < len_bytes; ++b) out.push_back(std::byte((header.size() >> (8 * b)) & 0xFF));
  for (const char c : header) out.push_back(std::byte(static_cast<unsigned char>(c)));
  for (const auto v : data) out.push_back(std::byte{v});
  return out;
}


}  // namespace

BOOST_AUTO_TEST_CASE(round_trip_every_dtype_and_shape) {
  TempDir dir;
  const std::vector<float> f = {1.5f, -2.0f, 0.0f, 3.25f, -0.5f, 7.0f};
  const std::size_t shape23[2] = {2, 3};
  npy::write(dir.file("f.npy"), npy::DType::float32, shape23, f.data());
  const auto a = npy::read(dir.file("f.npy"));
  BOOST_CHECK(a.dtype == npy::DType::float32);
  BOOST_CHECK((a.shape == std::vector<std::size_t>{2, 3}));
  const auto fv = a.values<float>();
  BOOST_CHECK_EQUAL_COLLECTIONS(fv.begin(), fv.end(), f.begin(), f.end());
  BOOST_CHECK_THROW(a.values<double>(), hv::IoError);

  const std::vector<double> d = {1e300, -1e-300, 0.1};
  const std::size_t shape3[1] = {3};
  npy::write(dir.file("d.npy"), npy::DType::float64, shape3, d.data());
  const auto da = npy::read(dir.file("d.npy"));
  const auto dv = da.values<double>();
  BOOST_CHECK_EQUAL_COLLECTIONS(dv.begin(), dv.end(), d.begin(), d.end());

  const std::vector<std::int8_t> i8 = {-128, 127, 0, -1};
  const std::size_t shape4[1] = {4};
  npy::write(dir.file("i.npy"), npy::DType::int8, shape4, i8.data());
  const auto ia = npy::read(dir.file("i.npy"));
  const auto iv = ia.values<std::int8_t>();
  BOOST_CHECK_EQUAL_COLLECTIONS(iv.begin(), iv.end(), i8.begin(), i8.end());

  // Empty and 0-d arrays.
  const std::size_t shape0[2] = {0, 5};
  npy::write(dir.file("empty.npy"), npy::DType::uint8, shape0, nullptr);
  const auto e = npy::read(dir.file("empty.npy"));
  BOOST_CHECK_EQUAL(e.num_elements(), 0U);
  BOOST_CHECK((e.shape == std::vector<std::size_t>{0, 5}));
  const float scalar = 4.0f;
  npy::write(dir.file("scalar.npy"), npy::DType::float32, std::span<const std::size_t>{}, &scalar);
  const auto s = npy::read(dir.file("scalar.npy"));
  BOOST_CHECK(s.shape.empty());
  BOOST_CHECK_EQUAL(s.values<float>()[0], 4.0f);

  // Memory-mapped reading sees the same values, zero-copy.
  const npy::MappedArray mapped(dir.file("f.npy"));
  const auto mv = mapped.values<float>();
  BOOST_CHECK_EQUAL_COLLECTIONS(mv.begin(), mv.end(), f.begin(), f.end());
  BOOST_CHECK_EQUAL(mapped.header().data_offset % 64, 0U);
}

BOOST_AUTO_TEST_CASE(reads_big_endian_fortran_and_versions_2_and_3) {
  // 2x3 float32 big-endian, Fortran order: memory holds columns.
  // Logical C-order values 0 1 2 / 3 4 5 → Fortran memory 0 3 1 4 2 5.
  std::vector<std::uint8_t> data;
  for (const float v : {0.f, 3.f, 1.f, 4.f, 2.f, 5.f}) {
    std::uint32_t bits;
    std::memcpy(&bits, &v, 4);
    for (int b = 3; b >= 0; --b) data.push_back(static_cast<std::uint8_t>(bits >> (8 * b)));
  }
  for (const int major : {1, 2, 3}) {
    const auto image =
        npy_image("{'descr': '>f4', 'fortran_order': True, 'shape': (2, 3), }", data, major);
    const auto a = npy::parse(image, "be.npy");
    const auto v = a.values<float>();
    for (int i = 0; i < 6; ++i) BOOST_CHECK_EQUAL(v[i], static_cast<float>(i));
  }
  // Key order and quoting may vary.
  const auto image = npy_image("{\"shape\": (3,), \"fortran_order\": False, \"descr\": \"|b1\"}", {1, 0, 1});
  const auto b = npy::parse(image);
  BOOST_CHECK(b.dtype == npy::DType::boolean);
  BOOST_CHECK_EQUAL(b.values<std::uint8_t>()[2], 1);
}

BOOST_AUTO_TEST_CASE(hostile_and_broken_files_fail_cleanly) {
  const std::string good = "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }";
  const std::vector<std::uint8_t> eight(8, 0);
  BOOST_CHECK_NO_THROW(npy::parse(npy_image(good, eight)));

  auto check_error = [](const std::vector<std::byte>& image, const std::string& part) {
    BOOST_TEST_CONTEXT("expecting '" << part << "'") {
      BOOST_CHECK_EXCEPTION(npy::parse(image, "x.npy"), hv::IoError, [&](const hv::Error& e) {
        return message_has(e, part) && message_has(e, "x.npy");
      });
    }
  };
  // Bad magic, truncated everywhere.
  auto bad_magic = npy_image(good, eight);
  bad_magic[1] = std::byte{'X'};
  check_error(bad_magic, "bad magic");
  const auto full = npy_image(good, eight);
  for (const std::size_t cut : {0UL, 5UL, 9UL, 20UL, 63UL, 64UL, 70UL}) {
    check_error(std::vector<std::byte>(full.begin(), full.begin() + static_cast<std::ptrdiff_t>(cut)),
                cut < 10 ? "" : "truncated");
  }
  // Header lies about the shape or the dtype.
  check_error(npy_image("{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }", eight), "truncated data");
  check_error(npy_image("{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }", eight), "truncated data");
  check_error(npy_image("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }", eight), "bytes past");
  // Absurd sizes and overflow in the shape product: rejected before any allocation.
  check_error(npy_image("{'descr': '<f4', 'fortran_order': False, 'shape': (4294967296, 4294967296), }", eight),
              "overflow");
  check_error(npy_image("{'descr': '<f8', 'fortran_order': False, 'shape': (2305843009213693952,), }", eight),
              "overflow");
  check_error(npy_image("{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999999,), }", eight),
              "overflow");
  check_error(npy_image("{'descr': '<f4', 'fortran_order': False, 'shape': (1000000000,), }", eight),
              "truncated data");
  // Unknown dtypes and malformed dictionaries.
  check_error(npy_image("{'descr': '<i4', 'fortran_order': False, 'shape': (2,), }", eight), "unsupported dtype");
  check_error(npy_image("{'descr': '<f4', 'fortran_order': Maybe, 'shape': (2,), }", eight), "fortran_order");
  check_error(npy_image("{'descr': '<f4', 'fortran_order': False, 'shape': (2,-1), }", eight), "bad shape");
  check_error(npy_image("{'descr': '<f4', 'fortran_order': False, 'shape': (2,) ", eight), "malformed");
  check_error(npy_image("{'descr': '<f4', 'fortran_order': False}", eight), "lacks");
  check_error(npy_image("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), 'extra': 1}", eight), "unexpected key");
  check_error(npy_image("{'descr': '<f4, 'fortran_order': False, 'shape': (2,), }", eight), "");
  check_error(npy_image(good, eight, 4), "unsupported .npy format version");
  // bool values other than 0/1.
  check_error(npy_image("{'descr': '|b1', 'fortran_order': False, 'shape': (2,), }", {1, 2}), "bool element 1");
  // A header length beyond the limit.
  std::vector<std::byte> huge_len = npy_image(good, eight, 2);
  huge_len[8] = std::byte{0xFF};
  huge_len[9] = std::byte{0xFF};
  huge_len[10] = std::byte{0xFF};
  huge_len[11] = std::byte{0x7F};
  check_error(huge_len, "limit");
}

BOOST_AUTO_TEST_CASE(file_errors_name_the_file_and_leave_nothing_behind) {
  TempDir dir;
  BOOST_CHECK_EXCEPTION(npy::read(dir.file("missing.npy")), hv::IoError,
                        [&](const hv::Error& e) { return message_has(e, "missing.npy"); });
  BOOST_CHECK_THROW(npy::MappedArray(dir.file("missing.npy")), hv::IoError);
  const float x = 1;
  const std::size_t shape[1] = {1};
  BOOST_CHECK_THROW(npy::write(dir.file("no/such/dir/x.npy"), npy::DType::float32, shape, &x), hv::IoError);
  // A truncated file on disk: read and map both refuse it.
  const auto image = npy_image("{'descr': '<f4', 'fortran_order': False, 'shape': (4,), }",
                               std::vector<std::uint8_t>(10, 0));
  {
    std::ofstream out(dir.file("short.npy"), std::ios::binary);
    out.write(reinterpret_cast<const char*>(image.data()), static_cast<std::streamsize>(image.size()));
  }
  BOOST_CHECK_EXCEPTION(npy::read(dir.file("short.npy")), hv::IoError,
                        [](const hv::Error& e) { return message_has(e, "truncated"); });
  BOOST_CHECK_THROW(npy::MappedArray(dir.file("short.npy")), hv::IoError);
  // Big-endian files are read, but not mapped.
  const auto be = npy_image("{'descr': '>f4', 'fortran_order': False, 'shape': (1,), }", {0x3f, 0x80, 0, 0});
  {
    std::ofstream out(dir.file("be.npy"), std::ios::binary);
    out.write(reinterpret_cast<const char*>(be.data()), static_cast<std::streamsize>(be.size()));
  }
  const auto bea = npy::read(dir.file("be.npy"));
  BOOST_CHECK_EQUAL(bea.values<float>()[0], 1.0f);
  BOOST_CHECK_EXCEPTION(npy::MappedArray(dir.file("be.npy")), hv::IoError,
                        [](const hv::Error& e) { return message_has(e, "npy::read"); });
}

BOOST_AUTO_TEST_CASE(packbits_codebooks_round_trip_in_numpy_bit_order) {
  TempDir dir;
  for (const std::size_t dim : {1UL, 7UL, 8UL, 65UL, 4096UL, 4099UL}) {
    const auto book = hv::bipolar::random_matrix(5, dim, /*seed=*/3);
    const auto bytes = npy::to_packbits(book.view());
    BOOST_REQUIRE_EQUAL(bytes.dim(), (dim + 7) / 8);
    // numpy packbits order: component 0 is the most significant bit of byte 0.
    BOOST_CHECK_EQUAL((bytes.row(0)[0] >> 7) & 1, book.row(0).component(0) < 0 ? 1 : 0);
    const std::size_t shape[2] = {bytes.rows(), bytes.dim()};
    std::vector<std::uint8_t> flat;
    for (std::size_t r = 0; r < bytes.rows(); ++r) flat.insert(flat.end(), bytes.row(r).begin(), bytes.row(r).end());
    npy::write(dir.file("book.npy"), npy::DType::uint8, shape, flat.data());
    const auto back = npy::load_bipolar(dir.file("book.npy"), dim);
    for (std::size_t r = 0; r < 5; ++r) {
      BOOST_CHECK(std::equal(book.row(r).words, book.row(r).words + hv::packed_words(dim), back.row(r).words));
    }
    BOOST_CHECK_THROW(npy::load_bipolar(dir.file("book.npy")), hv::IoError);  // D missing
  }
  // Nonzero padding bits are rejected.
  const auto image = npy_image("{'descr': '|u1', 'fortran_order': False, 'shape': (1, 1), }", {0x01});
  BOOST_CHECK_EXCEPTION(npy::from_packbits(npy::parse(image), 7), hv::IoError,
                        [](const hv::Error& e) { return message_has(e, "padding"); });
}

BOOST_AUTO_TEST_CASE(load_bipolar_accepts_float_int8_and_bool_codebooks) {
  TempDir dir;
  const std::size_t dim = 70;
  const auto book = hv::bipolar::random_matrix(3, dim, 9);
  std::vector<float> f;
  std::vector<std::int8_t> i8;
  std::vector<std::uint8_t> bits;
  for (std::size_t r = 0; r < 3; ++r) {
    for (std::size_t i = 0; i < dim; ++i) {
      const int c = book.row(r).component(i);
      f.push_back(static_cast<float>(c) * 0.5f);
      i8.push_back(static_cast<std::int8_t>(c));
      bits.push_back(c < 0 ? 1 : 0);
    }
  }
  const std::size_t shape[2] = {3, dim};
  npy::write(dir.file("f.npy"), npy::DType::float32, shape, f.data());
  npy::write(dir.file("i.npy"), npy::DType::int8, shape, i8.data());
  npy::write(dir.file("b.npy"), npy::DType::boolean, shape, bits.data());
  for (const char* name : {"f.npy", "i.npy", "b.npy"}) {
    const auto back = npy::load_bipolar(dir.file(name));
    BOOST_REQUIRE_EQUAL(back.dim(), dim);
    for (std::size_t r = 0; r < 3; ++r) {
      BOOST_CHECK(std::equal(book.row(r).words, book.row(r).words + 2, back.row(r).words));
    }
  }
  BOOST_CHECK_THROW(npy::load_bipolar(dir.file("f.npy"), 71), hv::DimensionError);
  // Zeros and NaN are not signs.
  f[5] = 0.0f;
  npy::write(dir.file("zero.npy"), npy::DType::float32, shape, f.data());
  BOOST_CHECK_EXCEPTION(npy::load_bipolar(dir.file("zero.npy")), hv::IoError,
                        [](const hv::Error& e) { return message_has(e, "component 5"); });
  f[5] = std::numeric_limits<float>::quiet_NaN();
  npy::write(dir.file("nan.npy"), npy::DType::float32, shape, f.data());
  BOOST_CHECK_THROW(npy::load_bipolar(dir.file("nan.npy")), hv::IoError);
  const std::size_t shape1[1] = {dim};
  npy::write(dir.file("vec.npy"), npy::DType::float32, shape1, f.data());
  BOOST_CHECK_EXCEPTION(npy::load_bipolar(dir.file("vec.npy")), hv::IoError,
                        [](const hv::Error& e) { return message_has(e, "2-d"); });
}

BOOST_AUTO_TEST_CASE(duplicate_header_keys_are_rejected) {
  // Python's dict literal keeps the last duplicate silently; a header that
  // says two things is malformed, whichever key repeats.
  const std::vector<std::uint8_t> eight(8, 0);
  for (const auto& [dict, key] : std::vector<std::pair<std::string, std::string>>{
           {"{'descr': '<f4', 'descr': '<f8', 'fortran_order': False, 'shape': (1,), }", "descr"},
           {"{'descr': '<f4', 'fortran_order': True, 'fortran_order': False, 'shape': (2,), }", "fortran_order"},
           {"{'descr': '<f4', 'fortran_order': False, 'shape': (4,), 'shape': (2,), }", "shape"},
           {"{'shape': (2,), 'descr': '<f4', 'fortran_order': False, 'shape': (2,)}", "shape"}}) {
    BOOST_TEST_CONTEXT(dict) {
      BOOST_CHECK_EXCEPTION(npy::parse(npy_image(dict, eight), "dup.npy"), hv::IoError, [&](const hv::Error& e) {
        return message_has(e, "dup.npy") && message_has(e, "duplicate key '" + key + "'");
      });
    }
  }
}

BOOST_AUTO_TEST_CASE(from_packbits_checks_a_hand_made_array) {
  auto names = [](const char* part) {
    return [=](const hv::Error& e) { return message_has(e, "npy::from_packbits") && message_has(e, part); };
  };
  // Data shorter than the shape says: used to read past the end of `data`.
  npy::Array short_data;
  short_data.dtype = npy::DType::uint8;
  short_data.shape = {1000, 8};
  short_data.data.assign(8, std::byte{0});
  BOOST_CHECK_EXCEPTION(npy::from_packbits(short_data, 64), hv::IoError, names("holds 8"));
  npy::Array long_data = short_data;
  long_data.shape = {0, 8};
  BOOST_CHECK_EXCEPTION(npy::from_packbits(long_data, 64), hv::IoError, names("needs 0 bytes"));
  // A shape whose byte count overflows.
  npy::Array overflow = short_data;
  overflow.shape = {std::size_t{1} << 62, 8};
  BOOST_CHECK_THROW(npy::from_packbits(overflow, 64), hv::Error);
  // D = 2^64 - 1: (D + 7) / 8 wrapped to 0 bytes per row.
  npy::Array empty_rows;
  empty_rows.dtype = npy::DType::uint8;
  empty_rows.shape = {1, 0};
  BOOST_CHECK_EXCEPTION(npy::from_packbits(empty_rows, std::numeric_limits<std::size_t>::max()),
                        hv::DimensionError, names("kMaxDim"));
  BOOST_CHECK_EXCEPTION(npy::from_packbits(short_data, hv::kMaxDim + 1), hv::DimensionError, names("kMaxDim"));
  // The right size still works.
  npy::Array good = short_data;
  good.shape = {1, 8};
  BOOST_CHECK_EQUAL(npy::from_packbits(good, 64).rows(), 1U);
  // num_elements of a hand-made shape does not wrap.
  npy::Array wide;
  wide.shape = {std::size_t{1} << 40, std::size_t{1} << 40};
  BOOST_CHECK_THROW(wide.num_elements(), hv::IoError);
}

BOOST_AUTO_TEST_CASE(load_bipolar_with_an_absurd_dim_throws) {
  TempDir dir;
  // A packbits file of 0 bytes per row: D = 2^64 - 1 made row_bytes wrap to 0.
  const std::size_t shape[2] = {2, 0};
  npy::write(dir.file("zero_width.npy"), npy::DType::uint8, shape, nullptr);
  BOOST_CHECK_THROW(npy::load_bipolar(dir.file("zero_width.npy"), std::numeric_limits<std::size_t>::max()),
                    hv::DimensionError);
  BOOST_CHECK_THROW(npy::load_bipolar(dir.file("zero_width.npy"), hv::kMaxDim + 1), hv::DimensionError);
}

BOOST_AUTO_TEST_CASE(write_refuses_what_parse_would_refuse) {
  TempDir dir;
  const float x[4] = {1, 2, 3, 4};
  // Null data with elements to write used to segfault; with none it is fine.
  const std::size_t two[1] = {2};
  BOOST_CHECK_EXCEPTION(npy::write(dir.file("null.npy"), npy::DType::float32, two, nullptr), hv::InvalidArgument,
                        [](const hv::Error& e) { return message_has(e, "npy::write") && message_has(e, "data"); });
  BOOST_CHECK(!fs::exists(dir.file("null.npy")));
  const std::size_t none[2] = {3, 0};
  BOOST_CHECK_NO_THROW(npy::write(dir.file("none.npy"), npy::DType::float32, none, nullptr));
  // More dimensions than the reader accepts: used to write a file that
  // parse() then refused.
  const std::vector<std::size_t> rank33(npy::kMaxRank + 1, 1);
  BOOST_CHECK_EXCEPTION(npy::write(dir.file("rank33.npy"), npy::DType::float32, rank33, x), hv::InvalidArgument,
                        [](const hv::Error& e) { return message_has(e, "npy::write") && message_has(e, "32"); });
  BOOST_CHECK(!fs::exists(dir.file("rank33.npy")));
  const std::vector<std::size_t> rank32(npy::kMaxRank, 1);
  npy::write(dir.file("rank32.npy"), npy::DType::float32, rank32, x);
  BOOST_CHECK_EQUAL(npy::read(dir.file("rank32.npy")).shape.size(), npy::kMaxRank);
  // Element or byte counts that overflow, or no buffer could hold.
  const std::size_t wrap[2] = {std::size_t{1} << 32, std::size_t{1} << 32};
  BOOST_CHECK_THROW(npy::write(dir.file("wrap.npy"), npy::DType::uint8, wrap, x), hv::IoError);
  const std::size_t bytes_wrap[1] = {std::size_t{1} << 62};
  BOOST_CHECK_THROW(npy::write(dir.file("bytes.npy"), npy::DType::float32, bytes_wrap, x), hv::IoError);
  const std::size_t too_big[1] = {hv::kMaxBytes + 1};
  BOOST_CHECK_EXCEPTION(npy::write(dir.file("big.npy"), npy::DType::uint8, too_big, x), hv::IoError,
                        [](const hv::Error& e) { return message_has(e, "kMaxBytes"); });
  BOOST_CHECK(!fs::exists(dir.file("big.npy")));
}

BOOST_AUTO_TEST_CASE(to_packbits_checks_its_view) {
  std::vector<std::uint64_t> words(8, 0);
  const hv::PackedMatrixView huge{words.data(), 1, std::numeric_limits<std::size_t>::max(), 8};
  BOOST_CHECK_THROW(npy::to_packbits(huge), hv::DimensionError);
  const hv::PackedMatrixView null_rows{nullptr, 2, 64, 8};
  BOOST_CHECK_THROW(npy::to_packbits(null_rows), hv::InvalidArgument);
  const hv::PackedMatrixView narrow{words.data(), 2, 256, 2};
  BOOST_CHECK_THROW(npy::to_packbits(narrow), hv::DimensionError);
}

BOOST_AUTO_TEST_CASE(complex64_and_complex128_round_trip_big_endian_and_fortran) {
  TempDir dir;
  // complex64: a 2x3 matrix round trips through write/read and map.
  std::vector<std::complex<float>> c(6);
  for (int k = 0; k < 6; ++k) c[k] = {0.5f * static_cast<float>(k) - 1.0f, static_cast<float>(k * k) - 3.0f};
  const std::size_t shape23[2] = {2, 3};
  npy::write(dir.file("c8.npy"), npy::DType::complex64, shape23, c.data());
  const auto a = npy::read(dir.file("c8.npy"));
  BOOST_CHECK(a.dtype == npy::DType::complex64);
  BOOST_CHECK_EQUAL(npy::dtype_size(a.dtype), 8u);
  BOOST_CHECK_EQUAL(std::string(npy::dtype_name(a.dtype)), "complex64");
  const auto av = a.values<std::complex<float>>();
  BOOST_REQUIRE_EQUAL(av.size(), 6u);
  for (int k = 0; k < 6; ++k) BOOST_CHECK(av[k] == c[k]);
  BOOST_CHECK_THROW(a.values<float>(), hv::IoError);
  BOOST_CHECK_THROW(a.values<std::complex<double>>(), hv::IoError);
  const npy::MappedArray m(dir.file("c8.npy"));
  BOOST_CHECK(m.values<std::complex<float>>()[5] == c[5]);
  // The header numpy would write.
  std::ifstream in(dir.file("c8.npy"), std::ios::binary);
  std::string head(80, '\0');
  in.read(head.data(), 80);
  BOOST_CHECK(head.find("'descr': '<c8'") != std::string::npos);

  // complex128: round trip.
  std::vector<std::complex<double>> z = {{1.25, -2.5}, {-0.125, 1e300}, {0.0, -0.0}};
  const std::size_t shape3[1] = {3};
  npy::write(dir.file("c16.npy"), npy::DType::complex128, shape3, z.data());
  const auto b = npy::read(dir.file("c16.npy"));
  BOOST_CHECK(b.dtype == npy::DType::complex128);
  BOOST_CHECK_EQUAL(npy::dtype_size(b.dtype), 16u);
  BOOST_CHECK_EQUAL(std::string(npy::dtype_name(b.dtype)), "complex128");
  for (int k = 0; k < 3; ++k) BOOST_CHECK(b.values<std::complex<double>>()[k] == z[k]);

  // Big-endian '>c8', Fortran order: each part is swapped on its own (a
  // whole-element swap would exchange and scramble real and imaginary).
  // Logical C-order (k, -k) for k = 0..5 of a 2x3 → Fortran memory 0 3 1 4 2 5.
  std::vector<std::uint8_t> data;
  for (const float k : {0.f, 3.f, 1.f, 4.f, 2.f, 5.f}) {
    for (const float part : {k + 0.5f, -k}) {
      std::uint32_t bits;
      std::memcpy(&bits, &part, 4);
      for (int byte = 3; byte >= 0; --byte) data.push_back(static_cast<std::uint8_t>(bits >> (8 * byte)));
    }
  }
  const auto be = npy::parse(npy_image("{'descr': '>c8', 'fortran_order': True, 'shape': (2, 3), }", data),
                             "be_c8.npy");
  const auto bv = be.values<std::complex<float>>();
  for (int k = 0; k < 6; ++k) {
    BOOST_CHECK(bv[k] == std::complex<float>(static_cast<float>(k) + 0.5f, -static_cast<float>(k)));
  }
  // '>c16', C order.
  std::vector<std::uint8_t> data16;
  for (const double part : {3.5, -7.25}) {
    std::uint64_t bits;
    std::memcpy(&bits, &part, 8);
    for (int byte = 7; byte >= 0; --byte) data16.push_back(static_cast<std::uint8_t>(bits >> (8 * byte)));
  }
  const auto be16 = npy::parse(npy_image("{'descr': '>c16', 'fortran_order': False, 'shape': (1,), }", data16));
  BOOST_CHECK(be16.values<std::complex<double>>()[0] == std::complex<double>(3.5, -7.25));
  // Truncated complex data: 12 bytes for one complex64 … of two.
  BOOST_CHECK_THROW(npy::parse(npy_image("{'descr': '<c8', 'fortran_order': False, 'shape': (2,), }",
                                         std::vector<std::uint8_t>(12))),
                    hv::IoError);
  // Still unsupported: c32 (long double) and malformed complex codes.
  for (const char* bad : {"<c32", "<c4", "<c1", ">c160"}) {
    BOOST_TEST_CONTEXT(bad) {
      const auto image = npy_image(std::string("{'descr': '") + bad + "', 'fortran_order': False, 'shape': (1,), }",
                                   std::vector<std::uint8_t>(16));
      BOOST_CHECK_THROW(npy::parse(image), hv::IoError);
    }
  }
}

BOOST_AUTO_TEST_CASE(row_reader_and_load_bipolar_refuse_complex) {
  TempDir dir;
  const std::vector<std::complex<float>> c(8, {1.0f, 0.0f});
  const std::size_t shape[2] = {2, 4};
  npy::write(dir.file("c.npy"), npy::DType::complex64, shape, c.data());
  const npy::RowReader reader(dir.file("c.npy"));
  BOOST_CHECK(reader.dtype() == npy::DType::complex64);
  BOOST_CHECK_EQUAL(reader.rows(), 2u);
  BOOST_CHECK_EQUAL(reader.cols(), 4u);
  std::vector<float> out(8);
  try {
    reader.read_float(0, 2, out);
    BOOST_FAIL("read_float accepted complex64");
  } catch (const hv::IoError& e) {
    BOOST_CHECK(message_has(e, "complex64"));
    BOOST_CHECK(message_has(e, "npy::read"));
  }
  try {
    (void)reader.read_packed(0, 2, 32);
    BOOST_FAIL("read_packed accepted complex64");
  } catch (const hv::IoError& e) {
    BOOST_CHECK(message_has(e, "complex64"));
  }
  try {
    (void)npy::load_bipolar(dir.file("c.npy"));
    BOOST_FAIL("load_bipolar accepted complex64");
  } catch (const hv::IoError& e) {
    BOOST_CHECK(message_has(e, "complex64"));
  }
}
