// Tests for src/file_io.hpp and src/text_reader.hpp (internal): atomic
// outputs, checked inputs and bounded line reading, which every writer and
// reader of the library and the command go through.
#define BOOST_TEST_MODULE file_io
#include <hypervec/error.hpp>

#include "src/file_io.hpp"
#include "src/text_reader.hpp"
#include "tests/test_util.hpp"

#include <boost/test/unit_test.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace fs = std::filesystem;
namespace hv = hypervec;
namespace d = hypervec::detail;
using hypervec::test::message_has;

namespace {

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::vector<std::string> lines_of(d::LineReader& in) {
  std::vector<std::string> out;
  std::string line;
  while (in.next(line)) out.push_back(line);
  return out;
}

}  // namespace

BOOST_AUTO_TEST_CASE(commit_replaces_and_abandon_keeps) {
  const hypervec::test::ScratchDir s("file_io_test");
  const std::string path = s.write("out.txt", "old");
  {
    d::AtomicOutput out(path, "test");
    out.write("new content");
    BOOST_TEST(slurp(path) == "old");  // nothing visible before commit
    BOOST_TEST(s.entries() == 2U);     // the target and one temporary
  }
  BOOST_TEST(slurp(path) == "old");  // abandoned: old file kept, temporary gone
  BOOST_TEST(s.entries() == 1U);
  {
    d::AtomicOutput out(path, "test");
    out.write(std::string(3 << 20, 'x'));  // several buffer flushes
    out.commit();
  }
  BOOST_TEST(slurp(path) == std::string(3 << 20, 'x'));
  BOOST_TEST(s.entries() == 1U);
  BOOST_CHECK_THROW(d::AtomicOutput(s.dir.string(), "test"), hv::WriteError);  // a directory
}

BOOST_AUTO_TEST_CASE(mode_symlinks_and_planted_names) {
  const hypervec::test::ScratchDir s("file_io_test");
  const std::string path = s.write("m.txt", "x");
  ::chmod(path.c_str(), 0640);
  d::write_file_atomically(path, "y", "test");
  struct stat st {};
  BOOST_REQUIRE(::stat(path.c_str(), &st) == 0);
  BOOST_TEST((st.st_mode & 0777) == 0640U);
  // Through a symlink: the target is replaced, the link stays a link.
  const std::string target = s.write("target.txt", "t");
  fs::create_symlink(target, s.file("link.txt"));
  d::write_file_atomically(s.file("link.txt"), "via link", "test");
  BOOST_TEST(fs::is_symlink(s.file("link.txt")));
  BOOST_TEST(slurp(target) == "via link");
  // A symlink planted at the old predictable name "<out>.tmp" is never followed.
  const std::string precious = s.write("precious.txt", "precious");
  fs::create_symlink(precious, s.file("o.txt.tmp"));
  d::write_file_atomically(s.file("o.txt"), "out", "test");
  BOOST_TEST(slurp(precious) == "precious");
  BOOST_TEST(slurp(s.file("o.txt")) == "out");
}

BOOST_AUTO_TEST_CASE(devices_are_written_in_place_and_errors_are_errors) {
  d::write_file_atomically("/dev/null", "discarded", "test");
  BOOST_TEST(!fs::is_regular_file("/dev/null"));
  try {
    d::write_file_atomically("/dev/full", "x", "test");
    BOOST_ERROR("no WriteError writing /dev/full");
  } catch (const hv::WriteError& e) {
    BOOST_TEST(message_has(e, "/dev/full"));
  }
  BOOST_TEST(!fs::is_regular_file("/dev/full"));
  BOOST_CHECK_THROW(d::write_file_atomically("/no/such/folder/x", "x", "test"), hv::WriteError);
}

BOOST_AUTO_TEST_CASE(inputs_that_are_not_regular_files) {
  const hypervec::test::ScratchDir s("file_io_test");
  std::uint64_t size = 0;
  BOOST_REQUIRE(::mkfifo(s.file("fifo").c_str(), 0600) == 0);
  // A FIFO: refused where a regular file is needed, and opening never blocks.
  try {
    d::open_input(s.file("fifo"), d::InputKind::regular_only, size);
    BOOST_ERROR("a FIFO was accepted");
  } catch (const hv::IoError& e) {
    BOOST_TEST(message_has(e, "pipe"));
  }
  // As text, a FIFO without a writer reads as empty, without blocking.
  d::LineReader fifo(s.file("fifo"), 100);
  BOOST_TEST(lines_of(fifo).empty());
  BOOST_CHECK_THROW(d::open_input("/dev/zero", d::InputKind::regular_or_pipe, size), hv::IoError);
  BOOST_CHECK_THROW(d::open_input(s.dir.string(), d::InputKind::regular_or_pipe, size), hv::IoError);
  // A short read (the file is shorter than asked for) names the file.
  const std::string path = s.write("short.bin", "12345");
  const d::FdCloser fd(d::open_input(path, d::InputKind::regular_only, size));
  BOOST_TEST(size == 5U);
  char buf[8];
  try {
    d::read_at(fd.get(), buf, 8, 0, path);
    BOOST_ERROR("no error for a short read");
  } catch (const hv::IoError& e) {
    BOOST_TEST(message_has(e, "short.bin"));
  }
}

BOOST_AUTO_TEST_CASE(line_reader_rules) {
  d::LineReader in("\xEF\xBB\xBF" "a\r\nb\n\nc\rd\ne", "mem", 10);
  BOOST_TEST(lines_of(in) == (std::vector<std::string>{"a", "b", "", "c\rd", "e"}),
             boost::test_tools::per_element());
  BOOST_TEST(in.line_number() == 5U);
  d::LineReader long_line("ok\n0123456789A\n", "mem", 10);
  std::string line;
  BOOST_TEST(long_line.next(line));
  try {
    long_line.next(line);
    BOOST_ERROR("no error for an over-long line");
  } catch (const hv::IoError& e) {
    BOOST_TEST(message_has(e, "mem:2: line longer than 10 bytes"));
  }
  // A file read in chunks smaller than its lines gives the same lines.
  const hypervec::test::ScratchDir s("file_io_test");
  std::string big;
  for (int i = 0; i < 5000; ++i) big += std::string(static_cast<std::size_t>(i % 97), 'q') + "\n";
  d::LineReader file(s.write("big.txt", big), 200);
  const auto got = lines_of(file);
  BOOST_REQUIRE(got.size() == 5000U);
  for (int i = 0; i < 5000; ++i) BOOST_TEST(got[static_cast<std::size_t>(i)].size() == static_cast<std::size_t>(i % 97));
}

BOOST_AUTO_TEST_CASE(terminal_escaping) {
  BOOST_TEST(d::terminal_safe("plain naïve 日本") == "plain naïve 日本");
  BOOST_TEST(d::terminal_safe("red\x1b[31m") == "red\\x1b[31m");
  BOOST_TEST(d::terminal_safe("a\\b") == "a\\\\b");
  BOOST_TEST(d::terminal_safe("\xC2\x9B" "x") == "\\u009bx");  // C1 control (CSI)
  BOOST_TEST(d::terminal_safe("\xFF") == "\\xff");              // not UTF-8
  BOOST_TEST(d::terminal_safe("\x7F") == "\\x7f");
}
