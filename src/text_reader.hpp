// Internal: bounded line-by-line reading of text inputs (labels, facts, word
// lists, JSON Lines documents), shared by the library and the `hypervec`
// command so that every reader applies the same rules:
//  * lines end in '\n'; one '\r' before it is dropped ("\r\n" files), a '\r'
//    anywhere else stays in the line for the caller to judge;
//  * a UTF-8 byte-order mark at the very start is skipped;
//  * a line longer than `max_line` bytes, or a source longer than
//    `max_bytes`, throws IoError naming the source and the line, so that
//    /dev/zero or an endless pipe cannot grow memory without bound;
//  * the source is a regular file or a pipe (never a directory or device),
//    or a string in memory (tests and fuzzers).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace hypervec::detail {

/// Largest text input any reader accepts (labels, facts, documents).
inline constexpr std::uint64_t kMaxTextBytes = std::uint64_t{16} << 30;  // 16 GiB

class LineReader {
 public:
  /// Reads the file at `path` (a regular file or a pipe).
  LineReader(const std::string& path, std::size_t max_line, std::uint64_t max_bytes = kMaxTextBytes);
  /// Reads `text`; `where` names it in messages.
  LineReader(std::string_view text, std::string where, std::size_t max_line);
  LineReader(const LineReader&) = delete;
  LineReader& operator=(const LineReader&) = delete;
  ~LineReader();

  /// The next line, without its line end; false at the end of the input.
  bool next(std::string& line);
  /// 1-based number of the line last returned by next().
  std::size_t line_number() const noexcept { return line_; }
  const std::string& where() const noexcept { return where_; }

 private:
  bool fill();

  std::string where_;
  int fd_ = -1;
  std::size_t max_line_;
  std::uint64_t max_bytes_;
  std::uint64_t consumed_ = 0;
  std::string_view memory_;
  bool from_memory_ = false;
  std::vector<char> buffer_;
  std::size_t pos_ = 0, end_ = 0;
  bool eof_ = false;
  bool first_ = true;
  std::size_t line_ = 0;
};

/// True when `s` is well-formed UTF-8 (no overlongs, surrogates or code
/// points above U+10FFFF).
bool valid_utf8(std::string_view s) noexcept;

/// `s` made safe to print on a terminal: control characters (C0, DEL, and
/// the C1 range when encoded in UTF-8) become \xNN or \uNNNN escapes, a
/// backslash becomes "\\", and bytes that are not valid UTF-8 become \xNN.
std::string terminal_safe(std::string_view s);

}  // namespace hypervec::detail
