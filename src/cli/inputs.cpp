// The `hypervec` command's text inputs (src/cli/inputs.hpp).
#include "src/cli/inputs.hpp"

#include <hypervec/codebook.hpp>
#include <hypervec/error.hpp>

#include "src/text_reader.hpp"

#include <nlohmann/json.hpp>

namespace hypervec::cli {
namespace {

using json = nlohmann::json;

template <typename... Parts>
[[noreturn]] void input_error(Parts&&... parts) {
  throw InputError(hypervec::detail::concat(std::forward<Parts>(parts)...));
}

std::vector<std::string> string_array(const json& j, const char* field, const std::string& where) {
  if (!j.contains(field)) return {};
  const json& a = j.at(field);
  if (!a.is_array()) input_error(where, ": \"", field, "\" must be an array of labels");
  std::vector<std::string> out;
  for (const auto& e : a) {
    if (!e.is_string()) input_error(where, ": \"", field, "\" must hold strings only");
    out.push_back(e.get<std::string>());
  }
  return out;
}

/// Parses one non-blank line as document number `count`.
DocumentLine parse_document(const std::string& line, const hypervec::detail::LineReader& in,
                            std::size_t count) {
  const std::string where = hypervec::detail::concat(in.where(), ":", in.line_number(),
                                                     " (document ", count, ")");
  json j;
  try {
    j = json::parse(line);
  } catch (const json::exception& e) {
    // parse_error, and out_of_range for numbers such as 1e999.
    input_error(where, ": not valid JSON (", e.what(), ")");
  }
  if (!j.is_object()) input_error(where, ": each line must be a JSON object");
  DocumentLine d;
  d.line = in.line_number();
  if (j.contains("pairs")) {
    const json& p = j.at("pairs");
    if (!p.is_array()) input_error(where, ": \"pairs\" must be an array of [key, value]");
    for (const auto& kv : p) {
      if (!kv.is_array() || kv.size() != 2 || !kv[0].is_string() || !kv[1].is_string()) {
        input_error(where, ": each entry of \"pairs\" must be [\"key\", \"value\"]");
      }
      d.pairs.emplace_back(kv[0].get<std::string>(), kv[1].get<std::string>());
    }
  }
  d.items = string_array(j, "items", where);
  d.context = string_array(j, "context", where);
  if (j.contains("target")) {
    if (!j.at("target").is_string()) input_error(where, ": \"target\" must be a label");
    d.target = j.at("target").get<std::string>();
  }
  if (j.contains("text") && j.at("text").is_string()) d.text = j.at("text").get<std::string>();
  return d;
}

std::vector<Fact> facts_from(hypervec::detail::LineReader& in) {
  std::vector<Fact> facts;
  std::string line;
  while (in.next(line)) {
    if (line.empty() || line[0] == '#') continue;
    const std::string where = hypervec::detail::concat(in.where(), ":", in.line_number());
    const auto tab = line.find('\t');
    if (tab == std::string::npos || line.find('\t', tab + 1) != std::string::npos) {
      input_error(where, ": expected two words separated by one tab");
    }
    Fact f{line.substr(0, tab), line.substr(tab + 1)};
    const std::string words[2] = {f.a, f.b};
    try {
      hypervec::codebook::check_labels(words, "word");
    } catch (const hypervec::InvalidArgument& e) {
      // "word: label 1 is ..." → which word and why.
      input_error(where, ": ", e.what(), " (word 0 is before the tab, word 1 after)");
    }
    facts.push_back(std::move(f));
  }
  return facts;
}

constexpr std::size_t kMaxFactLine = 2 * hypervec::codebook::kMaxLabelBytes + 1;

}  // namespace

DocumentReader::DocumentReader(const std::string& path)
    : lines_(std::make_unique<hypervec::detail::LineReader>(path, kMaxDocumentLineBytes)) {}

DocumentReader::DocumentReader(std::string_view text, const std::string& where)
    : lines_(std::make_unique<hypervec::detail::LineReader>(text, where, kMaxDocumentLineBytes)) {}

DocumentReader::~DocumentReader() = default;

const std::string& DocumentReader::where() const noexcept { return lines_->where(); }

bool DocumentReader::next(DocumentLine& doc) {
  std::string line;
  while (lines_->next(line)) {
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    doc = parse_document(line, *lines_, count_);
    ++count_;
    return true;
  }
  return false;
}

std::size_t DocumentReader::skip(std::size_t count) {
  std::string line;
  std::size_t skipped = 0;
  while (skipped < count && lines_->next(line)) {
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    ++skipped;
    ++count_;
  }
  return skipped;
}

namespace {
std::vector<DocumentLine> all_documents(DocumentReader& in) {
  std::vector<DocumentLine> docs;
  DocumentLine d;
  while (in.next(d)) docs.push_back(std::move(d));
  return docs;
}
}  // namespace

std::vector<DocumentLine> read_documents(const std::string& path) {
  DocumentReader in(path);
  return all_documents(in);
}

std::vector<DocumentLine> parse_documents(std::string_view text, const std::string& where) {
  DocumentReader in(text, where);
  return all_documents(in);
}

std::vector<Fact> read_facts(const std::string& path) {
  hypervec::detail::LineReader in(path, kMaxFactLine);
  return facts_from(in);
}

std::vector<Fact> parse_facts(std::string_view text, const std::string& where) {
  hypervec::detail::LineReader in(text, where, kMaxFactLine);
  return facts_from(in);
}

std::vector<std::string> read_word_list(const std::string& path) {
  hypervec::detail::LineReader in(path, hypervec::codebook::kMaxLabelBytes);
  std::vector<std::string> words;
  std::string w;
  while (in.next(w)) words.push_back(w);
  return words;
}

}  // namespace hypervec::cli
