// `hypervec decode`: the probe decoder over a .npy of document vectors: vectors and
// documents read one chunk at a time, JSON Lines results, a summary with
// precision@1/3/5, worked examples on the terminal (docs/probe.md).
#include "src/cli/common.hpp"

#include <hypervec/npy.hpp>
#include <hypervec/probe.hpp>

#include "src/file_io.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <iostream>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace hv = hypervec;
using json = nlohmann::json;

namespace hypervec::cli {
namespace {

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

/// One line of decode's JSON Lines output: document d's answers, chosen
/// query, reason, and (with a target) its rank and role; with --per-query
/// every subset query's top-k and artefact check.
json decoding_json(std::size_t d, const hv::probe::Decoding& r, const hv::cleanup::PackedMemory& book,
                   bool per_query) {
  json j = {{"doc", d}, {"query", json::array()}, {"answers", answers_json(r.answers)}};
  for (const auto id : r.query) j["query"].push_back(book.label(id));
  if (r.greedy_key) j["greedy_key"] = book.label(*r.greedy_key);
  j["reason"] = r.reason;
  if (per_query) {
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
  return j;
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
    require_distinct("--summary", a.summary, {{"-o output", &out_path}});  // both exist
    if (a.summary == out_path) usage_error("--summary and -o name the same file ", a.summary);
  }

  const auto book = load_codebook(a.codebook);
  const std::size_t dim = book.dim();
  if (a.k == 0 || a.k > book.size()) {
    usage_error("-k ", a.k, " is out of range: the codebook has ", book.size(), " rows");
  }
  hv::probe::Options o;
  o.k = a.k;
  o.min_cosine = a.presence;
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
      const json j = decoding_json(d, r, book, a.per_query);
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

}  // namespace

Command decode_command(CLI::App& app) {
  auto a = std::make_shared<DecodeArgs>();
  auto* cmd = app.add_subcommand("decode", "the probe decoder over a .npy of vectors");
  add_codebook_options(cmd, a->codebook);
  cmd->add_option("vectors", a->vectors,
                  ".npy of document vectors (float32, float64, int8, bool, or packbits uint8)")
      ->required()
      ->check(CLI::ExistingFile);
  cmd->add_option("--documents", a->documents, "JSON Lines with each document's context and target")
      ->required()
      ->check(CLI::ExistingFile);
  cmd->add_option("-o,--out", a->out, "JSON Lines results (default: stdout)");
  cmd->add_option("--summary", a->summary, "write the summary as JSON here");
  cmd->add_option("-k,--top-k", a->k, "answers per document (1 to the codebook size)")
      ->check(kUnsigned & CLI::Range(std::size_t{1}, std::numeric_limits<std::size_t>::max()));
  cmd->add_option("--presence", a->presence, "answers need cos >= this")->check(kFinite);
  cmd->add_flag("--keep-context", a->keep_context, "do not drop the context atoms from answers");
  cmd->add_flag("--paper", a->paper, "the paper's selection rule (uses the target)");
  cmd->add_flag("--greedy", a->greedy, "search one extra key when the best cos < trigger");
  cmd->add_option("--greedy-trigger", a->greedy_trigger, "cos below which --greedy searches")
      ->check(kFinite);
  cmd->add_flag("--sign", a->sign, "sign-quantise float vectors (0 -> -1) before decoding");
  cmd->add_flag("--explain-away", a->explain_away, "context-free documents: explain-away decoding");
  cmd->add_flag("--per-query", a->per_query,
                "also write every subset query's top-k (not cut at --presence) and artefact check");
  cmd->add_option("--threads", a->threads, "worker threads (0 = all cores)")->check(kUnsigned);
  cmd->add_option("--examples", a->examples, "worked examples to print")->check(kUnsigned);
  cmd->add_option("--chunk", a->chunk, "documents per batch (1 to 1048576)")
      ->check(kUnsigned & CLI::Range(std::size_t{1}, std::size_t{1} << 20));
  return {cmd, [a] { return cmd_decode(*a); }};
}

}  // namespace hypervec::cli
