// The `hypervec` command: codebooks, sample documents, encoding and the
// probe decoder from the shell. `hypervec --help` and `hypervec CMD --help`
// describe each subcommand; docs/probe.md describes the decoder.
//
// Exit codes: 0 success, 2 bad command line (an unknown option, a value out
// of range, an output that is also an input), 3 bad input (unreadable or
// malformed file, unknown label, dimension mismatch), 4 `stats` found rows
// far more similar than random vectors, 5 an output could not be written
// (disk full, permission; the old file is left as it was), 1 anything else.
//
// Outputs are written atomically (src/file_io.hpp): a failed command leaves
// every existing output file untouched. Documents are numbered from 0 (the
// "doc" field of decode's output), lines of a file from 1.
#include <hypervec/bipolar.hpp>
#include <hypervec/bundle.hpp>
#include <hypervec/codebook.hpp>
#include <hypervec/error.hpp>
#include <hypervec/npy.hpp>
#include <hypervec/probe.hpp>
#include <hypervec/random.hpp>

#include "src/cli/inputs.hpp"
#include "src/file_io.hpp"
#include "src/text_reader.hpp"

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <limits>
#include <map>
#include <new>
#include <optional>
#include <set>
#include <span>
#include <sstream>
#include <string>
#include <vector>

namespace hv = hypervec;
using json = nlohmann::json;
using hv::cli::DocumentLine;
using hv::cli::Fact;
using hv::cli::InputError;
using hv::cli::UsageError;

namespace {

template <typename... Parts>
[[noreturn]] void input_error(Parts&&... parts) {
  throw InputError(hv::detail::concat(std::forward<Parts>(parts)...));
}

template <typename... Parts>
[[noreturn]] void usage_error(Parts&&... parts) {
  throw UsageError(hv::detail::concat(std::forward<Parts>(parts)...));
}

/// A label as it may be shown on a terminal (control bytes escaped).
std::string shown(std::string_view label) { return hv::detail::terminal_safe(label); }

/// Refuses an output that is the same file as one of the inputs (device and
/// inode, so links and other spellings of the path are caught): writing it
/// would destroy the input before or while it is read.
void require_distinct(const std::string& option, const std::string& output,
                      std::initializer_list<std::pair<const char*, const std::string*>> inputs) {
  const auto out_id = hv::detail::identify_file(output);
  if (!out_id) return;
  for (const auto& [what, path] : inputs) {
    if (path->empty()) continue;
    if (hv::detail::identify_file(*path) == out_id) {
      usage_error(option, " ", output, " is the same file as the ", what, " ", *path,
                  "; write the output elsewhere");
    }
  }
}

std::size_t id_of(const hv::cleanup::PackedMemory& book, const std::string& label,
                  const std::string& path, const DocumentLine& line, std::size_t doc) {
  const auto id = book.find(label);
  if (!id) {
    input_error(path, ":", line.line, " (document ", doc, "): label \"", shown(label),
                "\" is not in the codebook");
  }
  return *id;
}

// --- Shared options -------------------------------------------------------------

// --- Option validators -----------------------------------------------------------

/// Rejects a negative value for an unsigned option (CLI11 would wrap "-1" to 2^64 - 1).
const CLI::Validator kUnsigned(
    [](std::string& value) -> std::string {
      const auto first = value.find_first_not_of(" \t");
      if (first != std::string::npos && value[first] == '-') return "must not be negative: " + value;
      return {};
    },
    "UINT");

/// Rejects NaN and infinities for a real-valued option.
const CLI::Validator kFinite(
    [](std::string& value) -> std::string {
      try {
        std::size_t used = 0;
        const double x = std::stod(value, &used);
        if (!std::isfinite(x)) return "must be a finite number: " + value;
      } catch (const std::exception&) {
        return "not a number: " + value;
      }
      return {};
    },
    "FINITE");

/// D from 1 to the library's bound (storage.hpp).
const CLI::Range kDimRange(std::size_t{1}, hv::kMaxDim);

const CLI::IsMember kFormats({"packbits", "float32", "int8"});

struct CodebookArgs {
  std::string npy;
  std::string labels;
  std::size_t dim = 0;
};

void add_codebook_options(CLI::App* cmd, CodebookArgs& a) {
  cmd->add_option("--codebook", a.npy, "codebook .npy (float/int8 ±1 or packbits uint8)")
      ->required()
      ->check(CLI::ExistingFile);
  cmd->add_option("--labels", a.labels, "labels file, one per line, one per codebook row")
      ->required()
      ->check(CLI::ExistingFile);
  cmd->add_option("--dim", a.dim, "D; needed for packbits files, checked otherwise")
      ->check(kUnsigned & kDimRange);
}

hv::cleanup::PackedMemory load_codebook(const CodebookArgs& a) {
  hv::cleanup::PackedMemory book = hv::codebook::load(a.npy, a.labels, a.dim);
  if (a.dim != 0 && book.dim() != a.dim) {
    input_error(a.npy, " has D = ", book.dim(), " but --dim is ", a.dim);
  }
  return book;
}

/// A progress bar on stderr, drawn only when stderr is a terminal.
class Progress {
 public:
  Progress(std::size_t total, const char* what)
      : total_(total), what_(what), active_(::isatty(2) != 0 && total > 0) {}
  void update(std::size_t done) {
    if (!active_) return;
    const int width = 40;
    const auto filled = static_cast<int>(width * done / total_);
    std::fprintf(stderr, "\r%s [%.*s%*s] %zu/%zu", what_, filled,
                 "########################################", width - filled, "", done, total_);
    if (done == total_) std::fputc('\n', stderr);
    std::fflush(stderr);
  }

 private:
  std::size_t total_;
  const char* what_;
  bool active_;
};

// --- labels ----------------------------------------------------------------------

/// Deterministic Fisher–Yates shuffle on hypervec's counter-based stream (the
/// same on every platform, unlike std::shuffle).
template <typename T>
void seeded_shuffle(std::vector<T>& v, std::uint64_t seed) {
  hv::random::RowStream stream(seed, 0);
  for (std::size_t i = v.size(); i > 1; --i) {
    const std::size_t j = stream.next_u64() % i;
    std::swap(v[i - 1], v[j]);
  }
}

int cmd_labels(const std::vector<std::string>& facts_paths, const std::string& words_path,
               std::size_t count, std::uint64_t seed, const std::string& out) {
  std::vector<std::string> labels;
  std::set<std::string> seen;
  for (const auto& p : facts_paths) {
    for (const auto& f : hv::cli::read_facts(p)) {
      for (const auto* w : {&f.a, &f.b}) {
        if (seen.insert(*w).second) labels.push_back(*w);
      }
    }
  }
  if (labels.size() > count) {
    input_error("the facts hold ", labels.size(), " distinct words, more than --count ", count);
  }
  std::vector<std::string> pool;
  for (const std::string& w : hv::cli::read_word_list(words_path)) {
    const bool plain = w.size() >= 3 && w.size() <= 12 &&
                       std::all_of(w.begin(), w.end(), [](char c) { return c >= 'a' && c <= 'z'; });
    if (plain && seen.count(w) == 0) pool.push_back(w);
  }
  std::sort(pool.begin(), pool.end());
  pool.erase(std::unique(pool.begin(), pool.end()), pool.end());
  const std::size_t need = count - labels.size();
  if (pool.size() < need) {
    input_error(words_path, " has only ", pool.size(), " usable words; ", need, " are needed");
  }
  seeded_shuffle(pool, seed);
  pool.resize(need);
  std::sort(pool.begin(), pool.end());
  labels.insert(labels.end(), pool.begin(), pool.end());
  for (const auto& p : facts_paths) require_distinct("-o", out, {{"facts file", &p}});
  require_distinct("-o", out, {{"word list", &words_path}});
  hv::codebook::write_labels(out, labels);
  std::cerr << "wrote " << labels.size() << " labels (" << (labels.size() - need)
            << " from the facts) to " << out << "\n";
  return 0;
}

// --- analogies -------------------------------------------------------------------

int cmd_analogies(const std::vector<std::string>& facts_paths, std::size_t per_relation,
                  std::uint64_t seed, const std::string& out_path) {
  for (const auto& p : facts_paths) require_distinct("-o", out_path, {{"facts file", &p}});
  hv::detail::AtomicOutput out(out_path, "analogies");
  std::size_t total = 0;
  for (std::size_t r = 0; r < facts_paths.size(); ++r) {
    const std::string relation = std::filesystem::path(facts_paths[r]).stem().string();
    std::vector<Fact> facts;
    for (auto& f : hv::cli::read_facts(facts_paths[r])) {
      if (f.a != f.b) facts.push_back(std::move(f));
    }
    // Every ordered pair of facts over four distinct words, then a seeded sample.
    std::vector<std::pair<std::size_t, std::size_t>> combos;
    for (std::size_t i = 0; i < facts.size(); ++i) {
      for (std::size_t j = 0; j < facts.size(); ++j) {
        if (i == j) continue;
        const std::set<std::string> words = {facts[i].a, facts[i].b, facts[j].a, facts[j].b};
        if (words.size() == 4) combos.emplace_back(i, j);
      }
    }
    if (combos.size() < per_relation) {
      input_error(facts_paths[r], " gives only ", combos.size(), " analogies; ", per_relation,
                  " were asked for");
    }
    seeded_shuffle(combos, hv::random::row_key(seed, r));
    combos.resize(per_relation);
    for (const auto& [i, j] : combos) {
      const Fact& x = facts[i];
      const Fact& y = facts[j];
      json doc = {{"relation", relation},
                  {"text", x.a + " : " + x.b + " = " + y.a + " : " + y.b},
                  {"pairs", json::array({json::array({x.a, x.b}), json::array({y.a, y.b})})},
                  {"context", json::array({x.a, x.b, y.a})},
                  {"target", y.b}};
      out.write(doc.dump());
      out.write("\n");
      ++total;
    }
  }
  out.commit();
  std::cerr << "wrote " << total << " analogy documents to " << out_path << "\n";
  return 0;
}

// --- codebook --------------------------------------------------------------------

int cmd_codebook(const std::string& labels_path, std::size_t dim, std::uint64_t seed,
                 const std::string& format, const std::string& out) {
  require_distinct("-o", out, {{"labels file", &labels_path}});
  const auto labels = hv::codebook::read_labels(labels_path);
  if (labels.empty()) input_error(labels_path, ": no labels; a codebook needs at least one row");
  const auto book = hv::codebook::generate(labels, dim, seed);
  hv::codebook::write_matrix(out, book.view(), hv::codebook::parse_format(format));
  std::cerr << "wrote a " << labels.size() << " x " << dim << " bipolar codebook (seed " << seed
            << ", " << format << ") to " << out << "\n";
  return 0;
}

// --- encode ----------------------------------------------------------------------

int cmd_encode(const CodebookArgs& cba, const std::string& docs_path, double noise,
               std::uint64_t seed, const std::string& ties, const std::string& format,
               const std::string& out) {
  require_distinct("-o", out, {{"codebook", &cba.npy}, {"labels file", &cba.labels},
                               {"documents file", &docs_path}});
  const auto book = load_codebook(cba);
  const auto docs = hv::cli::read_documents(docs_path);
  const std::size_t dim = book.dim();
  hv::TieBreak tie = hv::TieBreak::toward_negative();
  if (ties == "positive") {
    tie = hv::TieBreak::toward_positive();
  } else if (ties == "random") {
    tie = hv::TieBreak::random(hv::random::row_key(seed, 0xC0FFEE));
  } else if (ties != "negative") {
    usage_error("--ties must be negative, positive or random, got \"", ties, "\"");
  }
  hv::PackedMatrix vectors(docs.size(), dim);
  std::size_t flipped = 0;
  for (std::size_t d = 0; d < docs.size(); ++d) {
    std::vector<hv::PackedVector> terms;
    for (const auto& [k, v] : docs[d].pairs) {
      terms.push_back(hv::bipolar::bind(book.row(id_of(book, k, docs_path, docs[d], d)),
                                        book.row(id_of(book, v, docs_path, docs[d], d))));
    }
    for (const auto& item : docs[d].items) {
      terms.push_back(hv::PackedVector(dim));
      const auto row = book.row(id_of(book, item, docs_path, docs[d], d));
      std::copy(row.words, row.words + row.num_words(), terms.back().words());
    }
    if (terms.empty()) {
      input_error(docs_path, ":", docs[d].line, " (document ", d, "): no pairs and no items");
    }
    std::vector<hv::PackedView> views;
    for (const auto& t : terms) views.push_back(t.view());
    hv::PackedVector v = hv::bipolar::majority(views, tie);
    // Encoder noise: each sign flipped independently with probability `noise`,
    // drawn from document d's own stream (so documents are independent of order).
    if (noise > 0) {
      hv::random::RowStream stream(seed, d);
      for (std::size_t i = 0; i < dim; ++i) {
        if (stream.next_uniform() < noise) {
          v.set_component(i, v.component(i) > 0);
          ++flipped;
        }
      }
    }
    std::copy(v.words(), v.words() + v.num_words(), vectors.row_span(d).words);
  }
  hv::codebook::write_matrix(out, vectors.view(), hv::codebook::parse_format(format));
  std::cerr << "encoded " << docs.size() << " documents at D = " << dim;
  if (noise > 0) {
    std::cerr << " with " << flipped << " signs flipped ("
              << 100.0 * static_cast<double>(flipped) / static_cast<double>(docs.size() * dim)
              << "%)";
  }
  std::cerr << " to " << out << "\n";
  return 0;
}

// --- decode ----------------------------------------------------------------------

struct DecodeArgs {
  CodebookArgs codebook;
  std::string vectors;
  std::string documents;
  std::string out;
  std::string summary;
  std::size_t k = 5;
  double presence = 0.1;
  bool keep_context = false;
  bool paper = false;
  bool greedy = false;
  double greedy_trigger = 0.5;
  bool sign = false;
  bool explain_away = false;
  bool per_query = false;
  unsigned threads = 0;
  std::size_t examples = 3;
  std::size_t chunk = 4096;
};

json answers_json(const std::vector<hv::probe::Answer>& answers) {
  json a = json::array();
  for (const auto& x : answers) {
    a.push_back({{"label", x.label},
                 {"id", x.id},
                 {"cosine", std::round(x.cosine * 1e6) / 1e6},
                 {"z", std::round(x.z * 1e6) / 1e6}});
  }
  return a;
}

/// The worked examples and the summary lines, as printed on the terminal.
void print_report(std::ostream& report, const hv::probe::Summary& s, double seconds, std::size_t n,
                  const std::vector<std::size_t>& example_docs,
                  const std::vector<std::string>& example_texts,
                  const std::vector<hv::probe::Decoding>& examples) {
  char line[256];
  std::snprintf(line, sizeof line, "decoded %zu documents in %.3f s (%.0f documents/s)\n",
                s.documents, seconds, seconds > 0 ? static_cast<double>(n) / seconds : 0.0);
  report << line;
  if (s.evaluated != 0) {
    std::snprintf(line, sizeof line,
                  "precision@1 %.4f  precision@3 %.4f  precision@5 %.4f  (%zu with a target, "
                  "%zu abstained)\n",
                  s.precision(1), s.precision(3), s.precision(5), s.evaluated, s.abstained);
    report << line;
  }
  for (std::size_t e = 0; e < example_docs.size(); ++e) {
    const std::size_t d = example_docs[e];
    const auto& r = examples[e];
    report << "\n#" << d << " " << shown(example_texts[e]) << "\n";
    report << "  " << shown(r.reason) << "\n";
    for (const auto& x : r.answers) {
      std::snprintf(line, sizeof line, " cos %.3f  z %6.1f%s\n", x.cosine, x.z,
                    r.target && *r.target == x.id ? "  <- target" : "");
      std::string label = shown(x.label);
      if (label.size() < 16) label.resize(16, ' ');
      report << "  " << label << line;
    }
    if (r.answers.empty()) report << "  (no concept above the presence threshold)\n";
  }
}

/// Checks a chunk of float document vectors before decoding, so that a
/// defect names the file and the document's number in the whole file:
/// every component finite, and (unless sign-quantised) not all zero.
void check_float_chunk(std::span<const float> values, std::size_t d0, std::size_t dim,
                       bool sign, const DecodeArgs& a, const std::vector<DocumentLine>& lines) {
  // lines[r] is document d0 + r.
  for (std::size_t r = 0; r * dim < values.size(); ++r) {
    const std::span<const float> v = values.subspan(r * dim, dim);
    bool nonzero = false;
    for (std::size_t i = 0; i < dim; ++i) {
      if (!std::isfinite(v[i])) {
        input_error(a.vectors, ": document ", d0 + r, " (line ", lines[r].line, " of ",
                    a.documents, "): component ", i, " is ", v[i], "; vectors must be finite");
      }
      nonzero = nonzero || v[i] != 0.0F;
    }
    if (!nonzero && !sign) {
      input_error(a.vectors, ": document ", d0 + r, " (line ", lines[r].line, " of ",
                  a.documents, ") is the zero vector; its cosine with any row is undefined "
                  "(--sign maps it to all -1)");
    }
  }
}

int cmd_decode(const DecodeArgs& a) {
  const std::string out_path = a.out.empty() ? std::string("-") : a.out;
  const std::initializer_list<std::pair<const char*, const std::string*>> inputs = {
      {"vectors file", &a.vectors}, {"documents file", &a.documents},
      {"codebook", &a.codebook.npy}, {"labels file", &a.codebook.labels}};
  require_distinct("-o", out_path, inputs);
  if (!a.summary.empty()) {
    require_distinct("--summary", a.summary, inputs);
    if (out_path != "-" && hv::detail::identify_file(a.summary) &&
        hv::detail::identify_file(a.summary) == hv::detail::identify_file(out_path)) {
      usage_error("--summary ", a.summary, " is the same file as -o ", out_path);
    }
    if (a.summary == out_path) usage_error("--summary and -o name the same file ", a.summary);
  }

  const auto book = load_codebook(a.codebook);
  const std::size_t dim = book.dim();
  if (a.k == 0 || a.k > book.size()) {
    usage_error("-k ", a.k, " is out of range: the codebook has ", book.size(), " rows");
  }
  hv::probe::Options o;
  o.top_k = a.k;
  o.presence = a.presence;
  o.exclude_context = !a.keep_context;
  o.selection = a.paper ? hv::probe::Selection::paper : hv::probe::Selection::best_score;
  o.greedy = a.greedy;
  o.greedy_trigger = a.greedy_trigger;
  o.float_input = a.sign ? hv::probe::FloatInput::sign : hv::probe::FloatInput::as_is;
  o.explain_away = a.explain_away;
  o.report_queries = a.per_query;
  o.threads = a.threads;
  const hv::probe::Decoder decoder(book, o);

  // Vectors are read one chunk at a time (npy::RowReader: pread, so a file
  // that shrinks while being read is an error, never SIGBUS): packbits rows
  // go to the packed decoder, every other dtype is converted to float, so
  // --sign and zero components behave the same whatever the dtype.
  const hv::npy::RowReader vectors(a.vectors);
  if (vectors.header().shape.size() != 2) {
    input_error(a.vectors, ": expected a 2-D array (documents × D), not ",
                vectors.header().shape.size(), "-D");
  }
  const std::size_t n = vectors.rows();
  const bool packbits = vectors.dtype() == hv::npy::DType::uint8;
  const std::size_t row_bytes = hv::packbits_bytes(dim);
  if (packbits && vectors.cols() != row_bytes) {
    input_error(a.vectors, " has ", vectors.cols(), " bytes per row; packbits of D = ", dim,
                " needs ", row_bytes);
  }
  if (!packbits && vectors.cols() != dim) {
    input_error(a.vectors, " has D = ", vectors.cols(), ", the codebook ", dim);
  }
  // Documents are read along with the vectors, one chunk at a time.
  hv::cli::DocumentReader doc_reader(a.documents);

  hv::detail::AtomicOutput jsonl(out_path, "decode");
  std::ostream& report = out_path == "-" ? std::cerr : std::cout;

  // Memory stays bounded for 10^6 documents: only the summary counts and the
  // decodings of the worked examples outlive their chunk.
  const std::size_t shown_examples = std::min(a.examples, n);
  std::vector<std::size_t> example_docs(shown_examples);
  for (std::size_t e = 0; e < shown_examples; ++e) example_docs[e] = e * n / shown_examples;
  std::vector<hv::probe::Decoding> examples(shown_examples);
  std::vector<std::string> example_texts(shown_examples);
  hv::probe::Summary s;

  Progress progress(n, "decoding");
  const auto start = std::chrono::steady_clock::now();
  std::vector<float> floats;
  std::string text;
  std::vector<DocumentLine> lines;
  std::vector<hv::probe::Document> docs;
  for (std::size_t d0 = 0; d0 < n; d0 += a.chunk) {
    const std::size_t d1 = std::min(n, d0 + a.chunk);
    lines.resize(d1 - d0);
    docs.assign(d1 - d0, {});
    for (std::size_t d = d0; d < d1; ++d) {
      DocumentLine& line = lines[d - d0];
      if (!doc_reader.next(line)) {
        input_error(a.documents, " has ", doc_reader.count(), " documents but ", a.vectors,
                    " has ", n, " vectors");
      }
      for (const auto& c : line.context) {
        docs[d - d0].context.push_back(id_of(book, c, a.documents, line, d));
      }
      if (line.target) docs[d - d0].target = id_of(book, *line.target, a.documents, line, d);
      for (std::size_t e = 0; e < shown_examples; ++e) {
        if (example_docs[e] == d) example_texts[e] = line.text;
      }
    }
    const std::span<const hv::probe::Document> chunk_docs(docs);
    std::vector<hv::probe::Decoding> out;
    if (packbits) {
      const hv::PackedMatrix chunk = vectors.read_packed(d0, d1 - d0, dim);
      out = decoder.decode(chunk.view(), chunk_docs);
    } else {
      floats.resize((d1 - d0) * dim);
      vectors.read_float(d0, d1 - d0, floats);
      check_float_chunk(floats, d0, dim, a.sign, a, lines);
      out = decoder.decode(hv::DenseMatrixView<float>{floats.data(), d1 - d0, dim, dim}, chunk_docs);
    }
    text.clear();
    for (std::size_t i = 0; i < out.size(); ++i) {
      const auto& r = out[i];
      const std::size_t d = d0 + i;
      json j = {{"doc", d}, {"query", json::array()}, {"answers", answers_json(r.answers)}};
      for (const auto id : r.query) j["query"].push_back(book.label(id));
      if (r.greedy_key) j["greedy_key"] = book.label(*r.greedy_key);
      j["reason"] = r.reason;
      if (a.per_query) {
        json queries = json::array();
        for (const auto& q : r.per_query) {
          json atoms = json::array();
          for (const auto id : q.atoms) atoms.push_back(book.label(id));
          json artefact = nullptr;
          if (q.artefact_atom) {
            artefact = {{"atom", book.label(*q.artefact_atom)},
                        {"cosine", std::round(q.artefact_cosine * 1e6) / 1e6}};
          }
          queries.push_back({{"atoms", atoms}, {"artefact", artefact}, {"answers", answers_json(q.answers)}});
        }
        j["query_index"] = r.query_index;  // into per_query
        j["per_query"] = std::move(queries);
      }
      if (r.target) {
        j["target"] = book.label(*r.target);
        j["rank"] = r.rank ? json(*r.rank) : json(nullptr);
        j["role"] = r.role;
      }
      text += j.dump();
      text += '\n';
    }
    jsonl.write(text);
    s += hv::probe::summarize(out);
    for (std::size_t e = 0; e < shown_examples; ++e) {
      const std::size_t d = example_docs[e];
      if (d >= d0 && d < d1) examples[e] = std::move(out[d - d0]);
    }
    progress.update(d1);
  }
  if (DocumentLine extra; doc_reader.next(extra)) {
    input_error(a.documents, ":", extra.line, ": more documents than the ", n, " vectors of ",
                a.vectors);
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  json summary = {{"documents", s.documents},
                  {"evaluated", s.evaluated},
                  {"abstained", s.abstained},
                  {"greedy", s.greedy},
                  // Abstentions with a strongly negative match, and whether they
                  // are most documents: a flipped codebook (docs/probe.md).
                  {"inverted_polarity", s.inverted},
                  {"polarity_suspect", s.polarity_suspect()},
                  {"seconds", seconds},
                  {"documents_per_second", seconds > 0 ? static_cast<double>(n) / seconds : 0.0}};
  if (s.evaluated != 0) {
    summary["precision@1"] = s.precision(1);
    summary["precision@3"] = s.precision(3);
    summary["precision@5"] = s.precision(5);
  }
  // Both outputs are complete before either replaces its old file.
  std::optional<hv::detail::AtomicOutput> summary_file;
  if (!a.summary.empty()) {
    summary_file.emplace(a.summary, "decode --summary");
    summary_file->write(summary.dump(2) + "\n");
  }
  // A direct output (a device, a pipe) cannot be rolled back: it goes first,
  // so that its failure leaves the atomic one uncommitted.
  if (summary_file && summary_file->direct()) summary_file->commit();
  jsonl.commit();
  if (summary_file && !summary_file->direct()) summary_file->commit();
  print_report(report, s, seconds, n, example_docs, example_texts, examples);
  if (s.polarity_suspect()) {
    std::cerr << "warning: " << s.inverted << " of " << s.documents
              << " documents abstained while a codebook row scored cos <= -" << a.presence
              << ": the codebook (or the vectors) most likely has the opposite sign convention. "
                 "A packbits file must be written as np.packbits(x < 0) (bit 1 = -1), not "
                 "np.packbits(x > 0); see docs/probe.md\n";
  }
  return 0;
}

// --- stats -----------------------------------------------------------------------

/// printf into a string.
template <typename... Args>
void appendf(std::string& out, const char* format, Args... args) {
  char buf[512];
  const int n = std::snprintf(buf, sizeof buf, format, args...);
  if (n < 0) return;
  if (static_cast<std::size_t>(n) < sizeof buf) {
    out.append(buf, static_cast<std::size_t>(n));
    return;
  }
  std::string big(static_cast<std::size_t>(n) + 1, '\0');
  std::snprintf(big.data(), big.size(), format, args...);
  out.append(big.data(), static_cast<std::size_t>(n));
}

int cmd_stats(const CodebookArgs& cba, std::size_t bins) {
  const auto book = load_codebook(cba);
  const std::size_t m = book.size();
  const std::size_t dim = book.dim();
  if (m < 2) input_error("the codebook has ", m, " row; stats need at least 2");
  const double sigma = 1 / std::sqrt(static_cast<double>(dim));
  std::vector<std::size_t> histogram(bins, 0);
  double max_abs = 0, sum_abs = 0;
  std::size_t max_i = 0, max_j = 1;
  const double range = 6 * sigma;  // histogram of cos over [-6σ, 6σ], outliers in the end bins
  for (std::size_t i = 0; i < m; ++i) {
    for (std::size_t j = i + 1; j < m; ++j) {
      const double c = hv::bipolar::cosine(book.row(i), book.row(j));
      sum_abs += std::abs(c);
      if (std::abs(c) > max_abs) {
        max_abs = std::abs(c);
        max_i = i;
        max_j = j;
      }
      const double t = (c + range) / (2 * range) * static_cast<double>(bins);
      const auto b = static_cast<std::size_t>(std::clamp(t, 0.0, static_cast<double>(bins) - 1));
      ++histogram[b];
    }
  }
  const double pairs = static_cast<double>(m) * static_cast<double>(m - 1) / 2;
  const double expected_mean = sigma * std::sqrt(2 / std::acos(-1.0));
  // Largest |cos| of P independent N(0, σ²) pairs: ≈ σ √(2 ln(2P)) (two tails).
  const double expected_max = sigma * std::sqrt(2 * std::log(2 * pairs));
  std::string text;
  appendf(text, "codebook: %zu rows, D = %zu, %.0f pairs\n", m, dim, pairs);
  appendf(text, "mean |cos| %.5f  (random rows: sigma*sqrt(2/pi) = %.5f)\n", sum_abs / pairs,
          expected_mean);
  appendf(text, "max  |cos| %.5f  between \"%s\" and \"%s\"  (random rows: about %.5f)\n", max_abs,
          shown(book.label(max_i)).c_str(), shown(book.label(max_j)).c_str(), expected_max);
  std::size_t peak = *std::max_element(histogram.begin(), histogram.end());
  for (std::size_t b = 0; b < bins; ++b) {
    const double lo = -range + 2 * range * static_cast<double>(b) / static_cast<double>(bins);
    const auto bar = static_cast<int>(50.0 * static_cast<double>(histogram[b]) /
                                      static_cast<double>(std::max<std::size_t>(peak, 1)));
    appendf(text, "%+8.4f %10zu %.*s\n", lo, histogram[b], bar,
            "##################################################");
  }
  const bool healthy = max_abs <= expected_max + 1.5 * sigma;
  appendf(text, "%s\n", healthy ? "healthy: rows are as orthogonal as random vectors"
                                : "WARNING: some rows are far more similar than random vectors");
  hv::detail::AtomicOutput out("-", "stats");
  out.write(text);
  out.commit();
  return healthy ? 0 : 4;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"hypervec: hypervector codebooks, encoding and the probe decoder"};
  app.require_subcommand(1);

  std::vector<std::string> facts;
  std::string words = "/usr/share/dict/american-english", out;
  std::size_t count = 3000, per_relation = 100, dim = 4096;
  std::uint64_t seed = 1;
  auto* labels_cmd = app.add_subcommand("labels", "facts + a word list -> a labels file");
  labels_cmd->add_option("facts", facts, "facts files (word<TAB>word per line)")
      ->required()
      ->check(CLI::ExistingFile);
  labels_cmd->add_option("--words", words, "word list to fill up with (Debian wamerican)")
      ->check(CLI::ExistingFile);
  labels_cmd->add_option("--count", count, "labels in all")->check(kUnsigned);
  labels_cmd->add_option("--seed", seed, "seed of the filler sample")->check(kUnsigned);
  labels_cmd->add_option("-o,--out", out, "labels file to write")->required();

  auto* analogies_cmd =
      app.add_subcommand("analogies", "facts -> analogy documents 'A : B = C : D' (JSON Lines)");
  analogies_cmd->add_option("facts", facts, "facts files; the file name is the relation")
      ->required()
      ->check(CLI::ExistingFile);
  analogies_cmd->add_option("--per-relation", per_relation, "documents per facts file")
      ->check(kUnsigned);
  analogies_cmd->add_option("--seed", seed, "seed of the sample")->check(kUnsigned);
  analogies_cmd->add_option("-o,--out", out, "JSON Lines file to write")->required();

  std::string labels_path, format = "packbits";
  auto* codebook_cmd = app.add_subcommand("codebook", "labels -> seeded bipolar codebook .npy");
  codebook_cmd->add_option("labels", labels_path, "labels file")->required()->check(CLI::ExistingFile);
  codebook_cmd->add_option("--dim", dim, "D")->check(kUnsigned & kDimRange);
  codebook_cmd->add_option("--seed", seed, "seed: row i is bipolar::random(D, seed, i)")
      ->check(kUnsigned);
  codebook_cmd->add_option("--format", format, "packbits | float32 | int8")->check(kFormats);
  codebook_cmd->add_option("-o,--out", out, ".npy to write")->required();

  CodebookArgs cba;
  std::string docs_path, ties = "negative";
  double noise = 0;
  auto* encode_cmd =
      app.add_subcommand("encode", "documents (JSON Lines) -> bundled vectors .npy");
  add_codebook_options(encode_cmd, cba);
  encode_cmd->add_option("documents", docs_path, "JSON Lines: {\"pairs\": [[k, v], ...], \"items\": [...]}")
      ->required()
      ->check(CLI::ExistingFile);
  encode_cmd->add_option("--noise", noise, "flip each sign with this probability (encoder noise)")
      ->check(kFinite & CLI::Range(0.0, 1.0));
  encode_cmd->add_option("--seed", seed, "seed of the noise and of random ties")->check(kUnsigned);
  encode_cmd->add_option("--ties", ties, "where the sum is 0: negative (the probe) | positive | random")
      ->check(CLI::IsMember({"negative", "positive", "random"}));
  encode_cmd->add_option("--format", format, "packbits | float32 | int8")->check(kFormats);
  encode_cmd->add_option("-o,--out", out, ".npy to write")->required();

  DecodeArgs da;
  auto* decode_cmd = app.add_subcommand("decode", "the probe decoder over a .npy of vectors");
  add_codebook_options(decode_cmd, da.codebook);
  decode_cmd->add_option("vectors", da.vectors,
                         ".npy of document vectors (float32, float64, int8, bool, or packbits uint8)")
      ->required()
      ->check(CLI::ExistingFile);
  decode_cmd->add_option("--documents", da.documents, "JSON Lines with each document's context and target")
      ->required()
      ->check(CLI::ExistingFile);
  decode_cmd->add_option("-o,--out", da.out, "JSON Lines results (default: stdout)");
  decode_cmd->add_option("--summary", da.summary, "write the summary as JSON here");
  decode_cmd->add_option("-k,--top-k", da.k, "answers per document (1 to the codebook size)")
      ->check(kUnsigned & CLI::Range(std::size_t{1}, std::numeric_limits<std::size_t>::max()));
  decode_cmd->add_option("--presence", da.presence, "answers need cos >= this")->check(kFinite);
  decode_cmd->add_flag("--keep-context", da.keep_context, "do not drop the context atoms from answers");
  decode_cmd->add_flag("--paper", da.paper, "the paper's selection rule (uses the target)");
  decode_cmd->add_flag("--greedy", da.greedy, "search one extra key when the best cos < trigger");
  decode_cmd->add_option("--greedy-trigger", da.greedy_trigger, "cos below which --greedy searches")
      ->check(kFinite);
  decode_cmd->add_flag("--sign", da.sign, "sign-quantise float vectors (0 -> -1) before decoding");
  decode_cmd->add_flag("--explain-away", da.explain_away, "context-free documents: explain-away decoding");
  decode_cmd->add_flag("--per-query", da.per_query,
                       "also write every subset query's top-k (not cut at --presence) and artefact check");
  decode_cmd->add_option("--threads", da.threads, "worker threads (0 = all cores)")->check(kUnsigned);
  decode_cmd->add_option("--examples", da.examples, "worked examples to print")->check(kUnsigned);
  decode_cmd->add_option("--chunk", da.chunk, "documents per batch (1 to 1048576)")
      ->check(kUnsigned & CLI::Range(std::size_t{1}, std::size_t{1} << 20));

  std::size_t bins = 24;
  auto* stats_cmd = app.add_subcommand("stats", "codebook health: |cos| between rows");
  add_codebook_options(stats_cmd, cba);
  stats_cmd->add_option("--bins", bins, "histogram bins (1 to 10000)")
      ->check(kUnsigned & CLI::Range(std::size_t{1}, std::size_t{10000}));

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : 2;
  }
  try {
    int status = 1;
    if (*labels_cmd) status = cmd_labels(facts, words, count, seed, out);
    if (*analogies_cmd) status = cmd_analogies(facts, per_relation, seed, out);
    if (*codebook_cmd) status = cmd_codebook(labels_path, dim, seed, format, out);
    if (*encode_cmd) status = cmd_encode(cba, docs_path, noise, seed, ties, format, out);
    if (*decode_cmd) status = cmd_decode(da);
    if (*stats_cmd) status = cmd_stats(cba, bins);
    // The report on standard output: a failed write is an error too.
    std::cout.flush();
    if (!std::cout || std::fflush(stdout) != 0 || std::ferror(stdout) != 0) {
      throw hv::WriteError("cannot write the report to standard output");
    }
    return status;
  } catch (const UsageError& e) {
    std::cerr << "hypervec: error: " << e.what() << "\n";
    return 2;
  } catch (const InputError& e) {
    std::cerr << "hypervec: error: " << e.what() << "\n";
    return 3;
  } catch (const hv::WriteError& e) {
    std::cerr << "hypervec: error: " << e.what() << "\n";
    return 5;
  } catch (const hv::Error& e) {
    std::cerr << "hypervec: error: " << e.what() << "\n";
    return 3;
  } catch (const std::bad_alloc&) {
    std::cerr << "hypervec: error: out of memory\n";
    return 1;
  } catch (const std::exception& e) {
    std::cerr << "hypervec: internal error: " << e.what() << "\n";
    return 1;
  }
  return 1;
}
