// Labels files (codebook::read_labels / parse_labels / check_labels /
// write_labels in include/hypervec/codebook.hpp): one UTF-8 label per line.
// Kept apart from the codebook matrices so the fuzzer links it alone.
#include <hypervec/codebook.hpp>
#include <hypervec/error.hpp>

#include "src/file_io.hpp"
#include "src/text_reader.hpp"

#include <string_view>
#include <unordered_map>

namespace hypervec::codebook {
namespace {

/// Parses the labels of one source: shared by read_labels and parse_labels.
std::vector<std::string> read_label_lines(detail::LineReader& in) {
  const std::string& path = in.where();
  std::vector<std::string> labels;
  std::unordered_map<std::string, std::size_t> first_line;
  std::string line;
  while (in.next(line)) {
    const std::size_t number = in.line_number();
    if (line.empty()) {
      throw IoError(detail::concat(path, ":", number, ": empty label (one label per line, ",
                                   "no blank lines)"));
    }
    if (line.find('\r') != std::string::npos) {
      throw IoError(detail::concat(path, ":", number, ": label contains a carriage return ",
                                   "(line ends are \"\\n\" or \"\\r\\n\")"));
    }
    if (number == 1 && line.compare(0, 3, "\xEF\xBB\xBF") == 0) {
      throw IoError(detail::concat(path, ":1: label starts with a second byte-order mark"));
    }
    if (!detail::valid_utf8(line)) {
      throw IoError(detail::concat(path, ":", number, ": label is not valid UTF-8"));
    }
    const auto [it, fresh] = first_line.try_emplace(line, number);
    if (!fresh) {
      throw IoError(detail::concat(path, ":", number, ": duplicate label \"",
                                   detail::terminal_safe(line), "\" (first on line ", it->second,
                                   ")"));
    }
    labels.push_back(std::move(line));
  }
  return labels;
}

}  // namespace

std::vector<std::string> read_labels(const std::string& path) {
  detail::LineReader in(path, kMaxLabelBytes);
  return read_label_lines(in);
}

std::vector<std::string> parse_labels(std::string_view text, const std::string& where) {
  detail::LineReader in(text, where, kMaxLabelBytes);
  return read_label_lines(in);
}

void check_labels(std::span<const std::string> labels, const char* where) {
  std::unordered_map<std::string_view, std::size_t> first;
  for (std::size_t i = 0; i < labels.size(); ++i) {
    const std::string& l = labels[i];
    detail::require(!l.empty(), where, ": label ", i, " is empty");
    detail::require(l.find_first_of("\r\n") == std::string::npos, where, ": label ", i,
                    " contains a line break");
    detail::require(l.size() <= kMaxLabelBytes, where, ": label ", i, " has ", l.size(),
                    " bytes, more than ", kMaxLabelBytes);
    detail::require(detail::valid_utf8(l), where, ": label ", i, " is not valid UTF-8");
    detail::require(i != 0 || l.compare(0, 3, "\xEF\xBB\xBF") != 0, where,
                    ": label 0 starts with a UTF-8 byte-order mark, which readers skip");
    const auto [it, fresh] = first.try_emplace(l, i);
    detail::require(fresh, where, ": label ", i, " \"", detail::terminal_safe(l),
                    "\" repeats label ", it->second);
  }
}

void write_labels(const std::string& path, std::span<const std::string> labels) {
  check_labels(labels, "codebook::write_labels");
  detail::AtomicOutput out(path, "codebook::write_labels");
  for (const auto& label : labels) {
    out.write(label);
    out.write("\n");
  }
  out.commit();
}

}  // namespace hypervec::codebook
