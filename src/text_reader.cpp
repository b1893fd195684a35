// Internal: bounded text reading (src/text_reader.hpp).
#include "src/text_reader.hpp"

#include "src/file_io.hpp"

#include <hypervec/error.hpp>

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace hypervec::detail {
namespace {
constexpr std::size_t kChunk = 1 << 16;
}  // namespace

LineReader::LineReader(const std::string& path, std::size_t max_line, std::uint64_t max_bytes)
    : where_(path), max_line_(max_line), max_bytes_(max_bytes), buffer_(kChunk) {
  std::uint64_t size = 0;
  fd_ = open_input(path, InputKind::regular_or_pipe, size);
  if (size > max_bytes_) {
    ::close(fd_);
    throw IoError(concat(path, ": the file has ", size, " bytes, more than the limit of ", max_bytes_));
  }
}

LineReader::LineReader(std::string_view text, std::string where, std::size_t max_line)
    : where_(std::move(where)),
      max_line_(max_line),
      max_bytes_(kMaxTextBytes),
      memory_(text),
      from_memory_(true) {}

LineReader::~LineReader() {
  if (fd_ >= 0) ::close(fd_);
}

bool LineReader::fill() {
  if (eof_) return false;
  if (from_memory_) {
    eof_ = true;
    return false;
  }
  ssize_t n = 0;
  do {
    n = ::read(fd_, buffer_.data(), buffer_.size());
  } while (n < 0 && errno == EINTR);
  if (n < 0) throw IoError(concat(where_, ": read error: ", std::strerror(errno)));
  if (n == 0) {
    eof_ = true;
    return false;
  }
  consumed_ += static_cast<std::uint64_t>(n);
  if (consumed_ > max_bytes_) {
    throw IoError(concat(where_, ": more than ", max_bytes_, " bytes; the limit for a text input"));
  }
  pos_ = 0;
  end_ = static_cast<std::size_t>(n);
  return true;
}

bool LineReader::next(std::string& line) {
  line.clear();
  bool any = false;
  for (;;) {
    const char* data = from_memory_ ? memory_.data() : buffer_.data();
    const std::size_t end = from_memory_ ? memory_.size() : end_;
    if (pos_ >= end) {
      if (from_memory_ && !eof_) {
        eof_ = true;
        break;
      }
      if (!fill()) break;
      continue;
    }
    const char* start = data + pos_;
    const auto* nl = static_cast<const char*>(std::memchr(start, '\n', end - pos_));
    const std::size_t take = nl != nullptr ? static_cast<std::size_t>(nl - start) : end - pos_;
    if (line.size() + take > max_line_) {
      throw IoError(concat(where_, ":", line_ + 1, ": line longer than ", max_line_,
                           " bytes (not a text file of this kind?)"));
    }
    line.append(start, take);
    any = true;
    pos_ += take;
    if (nl != nullptr) {
      ++pos_;
      break;
    }
  }
  if (!any) return false;
  ++line_;
  if (!line.empty() && line.back() == '\r') line.pop_back();
  if (first_) {
    first_ = false;
    if (line.compare(0, 3, "\xEF\xBB\xBF") == 0) line.erase(0, 3);
  }
  return true;
}

bool valid_utf8(std::string_view s) noexcept {
  std::size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    std::size_t len = 0;
    std::uint32_t cp = 0;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xE0) == 0xC0) {
      len = 2;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      len = 3;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      len = 4;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (i + len > s.size()) return false;
    for (std::size_t k = 1; k < len; ++k) {
      const auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    const std::uint32_t min_cp = len == 2 ? 0x80 : (len == 3 ? 0x800 : 0x10000);
    if (cp < min_cp || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += len;
  }
  return true;
}

std::string terminal_safe(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  char buf[16];
  std::size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c == '\\') {
      out += "\\\\";
      ++i;
    } else if (c < 0x20 || c == 0x7F) {
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
      ++i;
    } else if (c < 0x80) {
      out += static_cast<char>(c);
      ++i;
    } else {
      // One UTF-8 sequence: kept if valid and not a C1 control (U+0080..U+009F).
      std::size_t len = (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
      if (len != 0 && i + len <= s.size() && valid_utf8(s.substr(i, len))) {
        if (len == 2 && c == 0xC2 && static_cast<unsigned char>(s[i + 1]) < 0xA0) {
          std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned char>(s[i + 1]));
          out += buf;
        } else {
          out.append(s.substr(i, len));
        }
        i += len;
      } else {
        std::snprintf(buf, sizeof buf, "\\x%02x", c);
        out += buf;
        ++i;
      }
    }
  }
  return out;
}

}  // namespace hypervec::detail
