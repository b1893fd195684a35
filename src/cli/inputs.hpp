// The `hypervec` command's text inputs: documents (JSON Lines), facts files
// and word lists. Every reader is bounded (src/text_reader.hpp): a regular
// file or a pipe, lines of a capped length, a UTF-8 byte-order mark skipped,
// and every defect an InputError naming the file and the line.
//
// Numbering, the same everywhere in the command and in the library: documents
// are numbered from 0 in file order (the "doc" field of decode's output, the
// row of the vectors file); lines of a file are numbered from 1.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace hypervec::detail {
class LineReader;
}

namespace hypervec::cli {

/// A problem with the user's input data: exit code 3.
struct InputError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// A problem with the command line itself: exit code 2.
struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// Longest line of a documents file (one JSON object).
inline constexpr std::size_t kMaxDocumentLineBytes = std::size_t{16} << 20;

/// One line of a documents file: what `encode` bundles and `decode` reads.
struct DocumentLine {
  std::vector<std::pair<std::string, std::string>> pairs;  // bound key–value pairs
  std::vector<std::string> items;                          // unbound items
  std::vector<std::string> context;                        // known atoms, role order
  std::optional<std::string> target;
  std::string text;                                        // for worked examples
  std::size_t line = 0;                                    // 1-based line in the file
};

/// Reads a documents file one document at a time (blank lines skipped), so
/// that a decode of 10^8 documents holds only its current chunk.
class DocumentReader {
 public:
  explicit DocumentReader(const std::string& path);
  DocumentReader(std::string_view text, const std::string& where);
  ~DocumentReader();
  /// The next document; false at the end of the file.
  bool next(DocumentLine& doc);
  /// Passes over the next `count` documents without parsing them (blank
  /// lines are not documents, as for next()); returns how many there were
  /// (fewer at the end of the file).
  std::size_t skip(std::size_t count);
  /// Documents returned or skipped so far.
  std::size_t count() const noexcept { return count_; }
  const std::string& where() const noexcept;

 private:
  std::unique_ptr<hypervec::detail::LineReader> lines_;
  std::size_t count_ = 0;
};

/// Every document of a file; `text` overloads read memory and name it
/// `where` (tests and the fuzzer).
std::vector<DocumentLine> read_documents(const std::string& path);
std::vector<DocumentLine> parse_documents(std::string_view text, const std::string& where);

/// One line of a facts file: two words separated by one tab.
struct Fact {
  std::string a, b;
};

/// Reads a facts file ('#' comment lines and blank lines skipped). Each word
/// must be a valid label (codebook::check_labels): non-empty, valid UTF-8, no
/// carriage return, at most codebook::kMaxLabelBytes.
std::vector<Fact> read_facts(const std::string& path);
std::vector<Fact> parse_facts(std::string_view text, const std::string& where);

/// The lines of a word list (such as /usr/share/dict/american-english).
std::vector<std::string> read_word_list(const std::string& path);

}  // namespace hypervec::cli
