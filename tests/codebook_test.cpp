// Tests for include/hypervec/codebook.hpp: labels files (round trip and every
// defect named with its line), seeded generation, and .npy + labels round
// trips in each on-disk format.
#define BOOST_TEST_MODULE codebook
#include <hypervec/bipolar.hpp>
#include <hypervec/npy.hpp>
#include <hypervec/codebook.hpp>

#include "tests/test_util.hpp"

#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <fstream>
#include <string>
#include <unistd.h>
#include <vector>

namespace hv = hypervec;
namespace cb = hypervec::codebook;
using hypervec::test::message_has;

namespace {

void expect_io_error(const std::string& path, const std::string& part) {
  try {
    cb::read_labels(path);
    BOOST_ERROR("no exception; expected one mentioning: " << part);
  } catch (const hv::IoError& e) {
    BOOST_TEST_CONTEXT(e.what()) { BOOST_TEST(message_has(e, part)); }
  }
}

}  // namespace

BOOST_AUTO_TEST_CASE(labels_round_trip) {
  const hypervec::test::ScratchDir s("codebook_test");
  const std::vector<std::string> labels = {"paris", "France", "naïve", "日本", "a b"};
  cb::write_labels(s.file("l.txt"), labels);
  BOOST_TEST(cb::read_labels(s.file("l.txt")) == labels, boost::test_tools::per_element());
  // CRLF line ends and a missing final newline read the same.
  const auto crlf = s.write("crlf.txt", "paris\r\nFrance\r\nna\xC3\xAFve\r\n\xE6\x97\xA5\xE6\x9C\xAC\r\na b");
  BOOST_TEST(cb::read_labels(crlf) == labels, boost::test_tools::per_element());
  BOOST_CHECK_THROW(cb::write_labels(s.file("x.txt"), std::vector<std::string>{"a", ""}),
                    hv::InvalidArgument);
  BOOST_CHECK_THROW(cb::write_labels(s.file("x.txt"), std::vector<std::string>{"a\nb"}),
                    hv::InvalidArgument);
}

BOOST_AUTO_TEST_CASE(bad_labels_files_name_the_line) {
  const hypervec::test::ScratchDir s("codebook_test");
  expect_io_error(s.write("blank.txt", "a\nb\n\nc\n"), "blank.txt:3: empty label");
  expect_io_error(s.write("dup.txt", "a\nb\nc\nb\n"), "dup.txt:4: duplicate label \"b\" (first on line 2)");
  expect_io_error(s.write("utf.txt", "a\n\xC3\x28\n"), "utf.txt:2: label is not valid UTF-8");
  expect_io_error(s.write("overlong.txt", "\xC0\xAF\n"), "not valid UTF-8");
  expect_io_error(s.write("surrogate.txt", "\xED\xA0\x80\n"), "not valid UTF-8");
  expect_io_error(s.file("missing.txt"), "cannot open");
}

BOOST_AUTO_TEST_CASE(generated_rows_are_the_seeded_stream) {
  const std::vector<std::string> labels = {"x", "y", "z"};
  const auto book = cb::generate(labels, 1000, 42);
  BOOST_TEST(book.size() == 3U);
  for (std::size_t i = 0; i < 3; ++i) {
    BOOST_TEST(book.label(i) == labels[i]);
    const auto expected = hv::bipolar::random(1000, 42, i);
    BOOST_TEST(hv::bipolar::hamming(book.row(i), expected) == 0U);
  }
  BOOST_CHECK_THROW(cb::generate(std::vector<std::string>{"a", "a"}, 64, 1), hv::InvalidArgument);
}

BOOST_AUTO_TEST_CASE(save_and_load_in_every_format) {
  const hypervec::test::ScratchDir s("codebook_test");
  std::vector<std::string> labels;
  for (int i = 0; i < 37; ++i) labels.push_back(std::to_string(i).insert(0, 1, 'c'));
  for (const std::size_t dim : {7UL, 64UL, 1000UL}) {
    const auto book = cb::generate(labels, dim, 9);
    for (const auto format : {cb::Format::packbits, cb::Format::float32, cb::Format::int8}) {
      BOOST_TEST_CONTEXT("D = " << dim << ", format " << static_cast<int>(format)) {
        cb::save(book, s.file("b.npy"), s.file("b.txt"), format);
        const auto back = cb::load(s.file("b.npy"), s.file("b.txt"),
                                   format == cb::Format::packbits ? dim : 0);
        BOOST_REQUIRE(back.size() == book.size());
        BOOST_TEST(back.dim() == dim);
        for (std::size_t i = 0; i < book.size(); ++i) {
          BOOST_TEST(hv::bipolar::hamming(back.row(i), book.row(i)) == 0U);
          BOOST_TEST(back.label(i) == book.label(i));
        }
      }
    }
  }
  BOOST_TEST((cb::parse_format("float32") == cb::Format::float32));
  BOOST_CHECK_THROW(cb::parse_format("float16"), hv::InvalidArgument);
}

BOOST_AUTO_TEST_CASE(row_and_label_counts_must_match) {
  const hypervec::test::ScratchDir s("codebook_test");
  const auto book = cb::generate(std::vector<std::string>{"a", "b", "c"}, 64, 1);
  cb::save(book, s.file("m.npy"), s.file("m.txt"));
  s.write("two.txt", "a\nb\n");
  try {
    cb::load(s.file("m.npy"), s.file("two.txt"), 64);
    BOOST_ERROR("no exception for 3 rows vs 2 labels");
  } catch (const hv::DimensionError& e) {
    BOOST_TEST_CONTEXT(e.what()) {
      BOOST_TEST(message_has(e, "3 rows"));
      BOOST_TEST(message_has(e, "2 labels"));
    }
  }
  BOOST_CHECK_THROW(cb::load(s.file("nothing.npy"), s.file("m.txt"), 64), hv::IoError);
}

// load_rows: a row range of the file with its labels, in every format, equal
// to the same rows of the whole codebook; the label count is the file's.
BOOST_AUTO_TEST_CASE(load_rows_reads_a_range_with_its_labels) {
  const hypervec::test::ScratchDir s("codebook_test");
  std::vector<std::string> labels;
  for (int i = 0; i < 11; ++i) labels.push_back(std::to_string(i).insert(0, 1, 'r'));
  const auto book = cb::generate(labels, 100, 4);
  for (const auto format : {cb::Format::packbits, cb::Format::float32, cb::Format::int8}) {
    cb::save(book, s.file("r.npy"), s.file("r.txt"), format);
    const hv::npy::RowReader reader(s.file("r.npy"));
    for (const auto& [first, count] : {std::pair<std::size_t, std::size_t>{0, 11}, {3, 5}, {10, 1}, {4, 0}}) {
      BOOST_TEST_CONTEXT("format " << static_cast<int>(format) << ", rows [" << first << ", +" << count << ")") {
        const auto part = cb::load_rows(reader, labels, s.file("r.txt"), first, count, 100);
        BOOST_REQUIRE(part.size() == count);
        BOOST_TEST(part.dim() == 100U);
        for (std::size_t i = 0; i < count; ++i) {
          BOOST_TEST(hv::bipolar::hamming(part.row(i), book.row(first + i)) == 0U);
          BOOST_TEST(part.label(i) == labels[first + i]);
        }
        if (count != 0) BOOST_TEST(cb::load_rows(reader, {}, "", first, count, 100).label(0).empty());
      }
    }
    const std::vector<std::string> two = {"a", "b"};
    try {
      cb::load_rows(reader, two, "two.txt", 0, 1, 100);
      BOOST_ERROR("no exception for 11 rows vs 2 labels");
    } catch (const hv::DimensionError& e) {
      BOOST_TEST_CONTEXT(e.what()) { BOOST_TEST(message_has(e, "11 rows but two.txt has 2 labels")); }
    }
    BOOST_CHECK_THROW(cb::load_rows(reader, labels, "r.txt", 8, 4, 100), hv::InvalidArgument);
  }
}

// Readers and writers agree (issue 12): what read_labels accepts, the writer
// accepts and reads back unchanged; what it refuses, the writer refuses.
BOOST_AUTO_TEST_CASE(labels_reader_and_writer_agree) {
  const hypervec::test::ScratchDir s("codebook_test");
  // A UTF-8 byte-order mark is skipped, not glued to the first label.
  BOOST_TEST(cb::read_labels(s.write("bom.txt", "\xEF\xBB\xBFparis\nrome\n")) ==
                 (std::vector<std::string>{"paris", "rome"}),
             boost::test_tools::per_element());
  expect_io_error(s.write("bom2.txt", "\xEF\xBB\xBF\xEF\xBB\xBFparis\n"), "byte-order mark");
  // A lone carriage return inside a label is refused by both sides.
  expect_io_error(s.write("cr.txt", "paris\nro\rme\n"), ":2: label contains a carriage return");
  BOOST_CHECK_THROW(cb::write_labels(s.file("x.txt"), std::vector<std::string>{"ro\rme"}),
                    hv::InvalidArgument);
  // Invalid UTF-8, duplicates, over-long labels and a leading BOM: the writer refuses.
  for (const std::vector<std::string>& bad :
       {std::vector<std::string>{"a", "\xC3\x28"}, std::vector<std::string>{"a", "b", "a"},
        std::vector<std::string>{std::string(cb::kMaxLabelBytes + 1, 'x')},
        std::vector<std::string>{"\xEF\xBB\xBF" "a"}}) {
    BOOST_CHECK_THROW(cb::write_labels(s.file("x.txt"), bad), hv::InvalidArgument);
    BOOST_CHECK_THROW(cb::check_labels(bad, "test"), hv::InvalidArgument);
  }
  expect_io_error(s.write("long.txt", "a\n" + std::string(cb::kMaxLabelBytes + 1, 'x') + "\n"),
                  ":2: line longer than");
  // The longest allowed label round-trips.
  const std::vector<std::string> longest = {std::string(cb::kMaxLabelBytes, 'y'), "z"};
  cb::write_labels(s.file("longest.txt"), longest);
  BOOST_TEST(cb::read_labels(s.file("longest.txt")) == longest, boost::test_tools::per_element());
  // parse_labels applies the same rules to text in memory.
  BOOST_TEST(cb::parse_labels("\xEF\xBB\xBF" "a\r\nb", "mem") == (std::vector<std::string>{"a", "b"}),
             boost::test_tools::per_element());
  BOOST_CHECK_THROW(cb::parse_labels("a\n\nb\n", "mem"), hv::IoError);
}

// Devices and directories are not labels files: a clear error, no endless read.
BOOST_AUTO_TEST_CASE(labels_from_devices_are_refused) {
  const hypervec::test::ScratchDir s("codebook_test");
  expect_io_error("/dev/zero", "character device");
  expect_io_error(s.dir.string(), "");
}

// A failed write leaves the old file as it was (atomic replacement).
BOOST_AUTO_TEST_CASE(failed_writes_keep_the_old_file) {
  const hypervec::test::ScratchDir s("codebook_test");
  const std::string path = s.write("keep.txt", "old\n");
  BOOST_CHECK_THROW(cb::write_labels(path, std::vector<std::string>{"a", ""}), hv::InvalidArgument);
  BOOST_TEST(cb::read_labels(path) == std::vector<std::string>{"old"}, boost::test_tools::per_element());
  BOOST_CHECK_THROW(cb::write_labels("/dev/full", std::vector<std::string>{"a"}), hv::WriteError);
  BOOST_TEST(!std::filesystem::is_regular_file("/dev/full"));
  BOOST_CHECK_THROW(cb::save(cb::generate(std::vector<std::string>{}, 64, 1), s.file("e.npy"),
                             s.file("e.txt")),
                    hv::InvalidArgument);
}
