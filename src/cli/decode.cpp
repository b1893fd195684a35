// `hypervec decode`: the probe decoder over a .npy of document vectors: vectors and
// documents read one chunk at a time, JSON Lines results, a summary with
// precision@1/3/5, worked examples on the terminal (docs/probe.md).
#include "src/cli/decode.hpp"

#include <hypervec/codebook.hpp>
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
template <typename Book>
json decoding_json(std::size_t d, const hv::probe::Decoding& r, const Book& book, bool per_query) {
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

/// The output checks: an output must not be an input.
void check_outputs(const DecodeArgs& a) {
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

}  // namespace

DecodeJob::DecodeJob(const DecodeArgs& args)
    : a_(args), out_path_(args.out.empty() ? std::string("-") : args.out) {
  check_outputs(a_);
  book_.emplace(load_codebook(a_.codebook));
  set_up(book_->size(), book_->dim());
  decoder_.emplace(*book_, options_);
}

#if HYPERVEC_CLI_MPI
DecodeJob::DecodeJob(const DecodeArgs& args, int shards, int shard)
    : a_(args), out_path_(args.out.empty() ? std::string("-") : args.out) {
  const DecodeArgs& a = a_;
  check_outputs(a);
  if (a.greedy) usage_error("--greedy unbinds with every codebook row, which --codebook-shards splits");
  if (a.explain_away) usage_error("--explain-away needs the whole codebook on each rank; drop --codebook-shards");
  std::vector<std::string> labels = hv::codebook::read_labels(a.codebook.labels);
  const hv::npy::RowReader reader(a.codebook.npy);
  if (reader.rows() == 0) throw hv::IoError(hv::detail::concat("codebook::load: ", a.codebook.npy, " has no rows"));
  const auto range = hv::distributed::shard_range(reader.rows(), shards, shard);
  shard_.emplace(hv::codebook::load_rows(reader, labels, a.codebook.labels, range.first, range.count,
                                         a.codebook.dim));
  labels_.emplace(std::move(labels));
  set_up(labels_->size(), shard_->dim());
}

void DecodeJob::attach(MPI_Comm comm) {
  sharded_ = std::make_unique<hv::distributed::ShardedPackedMemory>(comm, std::move(*shard_));
  shard_.reset();
}
#endif

void DecodeJob::set_up(std::size_t rows, std::size_t dim) {
  const DecodeArgs& a = a_;
  dim_ = dim;
  if (a.k == 0 || a.k > rows) {
    usage_error("-k ", a.k, " is out of range: the codebook has ", rows, " rows");
  }
  hv::probe::Options& o = options_;
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

  // Vectors are read one chunk at a time (npy::RowReader: pread, so a file
  // that shrinks while being read is an error, never SIGBUS): packbits rows
  // go to the packed decoder, every other dtype is converted to float, so
  // --sign and zero components behave the same whatever the dtype.
  vectors_.emplace(a.vectors);
  if (vectors_->header().shape.size() != 2) {
    input_error(a.vectors, ": expected a 2-D array (documents × D), not ",
                vectors_->header().shape.size(), "-D");
  }
  n_ = vectors_->rows();
  packbits_ = vectors_->dtype() == hv::npy::DType::uint8;
  const std::size_t row_bytes = hv::packbits_bytes(dim_);
  if (packbits_ && vectors_->cols() != row_bytes) {
    input_error(a.vectors, " has ", vectors_->cols(), " bytes per row; packbits of D = ", dim_,
                " needs ", row_bytes);
  }
  if (!packbits_ && vectors_->cols() != dim_) {
    input_error(a.vectors, " has D = ", vectors_->cols(), ", the codebook ", dim_);
  }
  const std::size_t shown_examples = std::min(a.examples, n_);
  for (std::size_t e = 0; e < shown_examples; ++e) example_docs_.push_back(e * n_ / shown_examples);
}

DecodedBlock DecodeJob::decode(DocumentReader& reader, std::size_t first, std::size_t count) const {
#if HYPERVEC_CLI_MPI
  if (labels_) return decode_block(*labels_, reader, first, count);
#endif
  return decode_block(*book_, reader, first, count);
}

template <typename Book>
DecodedBlock DecodeJob::decode_block(const Book& book, DocumentReader& reader, std::size_t first,
                                     std::size_t count) const {
  const DecodeArgs& a = a_;
  std::vector<DocumentLine> lines(count);
  std::vector<hv::probe::Document> docs(count);
  DecodedBlock block;
  block.texts.resize(count);
  for (std::size_t i = 0; i < count; ++i) {
    const std::size_t d = first + i;
    DocumentLine& line = lines[i];
    if (!reader.next(line)) {
      input_error(a.documents, " has ", reader.count(), " documents but ", a.vectors, " has ", n_,
                  " vectors");
    }
    for (const auto& c : line.context) docs[i].context.push_back(id_of(book, c, a.documents, line, d));
    if (line.target) docs[i].target = id_of(book, *line.target, a.documents, line, d);
    block.texts[i] = std::move(line.text);
  }
  const std::span<const hv::probe::Document> chunk_docs(docs);
  // One decoder for the whole codebook, or the collective one over the shards.
  const auto run = [&](const auto& vectors) {
#if HYPERVEC_CLI_MPI
    if (sharded_) return hv::distributed::decode(*sharded_, options_, vectors, chunk_docs);
#endif
    return decoder_->decode(vectors, chunk_docs);
  };
  if (packbits_) {
    const hv::PackedMatrix chunk = vectors_->read_packed(first, count, dim_);
    block.decodings = run(chunk.view());
  } else {
    std::vector<float> floats(count * dim_);
    vectors_->read_float(first, count, floats);
    check_float_chunk(floats, first, dim_, a.sign, a, lines);
    block.decodings = run(hv::DenseMatrixView<float>{floats.data(), count, dim_, dim_});
  }
  for (std::size_t i = 0; i < block.decodings.size(); ++i) {
    block.text += decoding_json(first + i, block.decodings[i], book, a.per_query).dump();
    block.text += '\n';
  }
  block.summary = hv::probe::summarize(block.decodings);
  return block;
}

void DecodeJob::require_end(DocumentReader& reader) const {
  if (DocumentLine extra; reader.next(extra)) {
    input_error(a_.documents, ":", extra.line, ": more documents than the ", n_, " vectors of ",
                a_.vectors);
  }
}

std::string DecodeJob::summary_json(const hv::probe::Summary& s, double seconds) const {
  json summary = {{"documents", s.documents},
                  {"evaluated", s.evaluated},
                  {"abstained", s.abstained},
                  {"greedy", s.greedy},
                  // Abstentions with a strongly negative match, and whether they
                  // are most documents: a flipped codebook (docs/probe.md).
                  {"inverted_polarity", s.inverted},
                  {"polarity_suspect", s.polarity_suspect()},
                  {"seconds", seconds},
                  {"documents_per_second", seconds > 0 ? static_cast<double>(n_) / seconds : 0.0}};
  if (s.evaluated != 0) {
    summary["precision@1"] = s.precision(1);
    summary["precision@3"] = s.precision(3);
    summary["precision@5"] = s.precision(5);
  }
  return summary.dump(2) + "\n";
}

std::string DecodeJob::report_head(const hv::probe::Summary& s, double seconds) const {
  std::string out;
  appendf(out, "decoded %zu documents in %.3f s (%.0f documents/s)\n", s.documents, seconds,
          seconds > 0 ? static_cast<double>(n_) / seconds : 0.0);
  if (s.evaluated != 0) {
    appendf(out,
            "precision@1 %.4f  precision@3 %.4f  precision@5 %.4f  (%zu with a target, "
            "%zu abstained)\n",
            s.precision(1), s.precision(3), s.precision(5), s.evaluated, s.abstained);
  }
  return out;
}

std::string DecodeJob::report_example(std::size_t d, const std::string& text,
                                      const hv::probe::Decoding& r) const {
  std::string out = "\n#" + std::to_string(d) + " " + shown(text) + "\n";
  out += "  " + shown(r.reason) + "\n";
  for (const auto& x : r.answers) {
    std::string label = shown(x.label);
    if (label.size() < 16) label.resize(16, ' ');
    out += "  " + label;
    appendf(out, " cos %.3f  z %6.1f%s\n", x.cosine, x.z,
            r.target && *r.target == x.id ? "  <- target" : "");
  }
  if (r.answers.empty()) out += "  (no concept above the presence threshold)\n";
  return out;
}

std::string DecodeJob::polarity_warning(const hv::probe::Summary& s) const {
  if (!s.polarity_suspect()) return {};
  std::string out;
  appendf(out,
          "warning: %zu of %zu documents abstained while a codebook row scored cos <= -%g: the "
          "codebook (or the vectors) most likely has the opposite sign convention. A packbits "
          "file must be written as np.packbits(x < 0) (bit 1 = -1), not np.packbits(x > 0); see "
          "docs/probe.md\n",
          s.inverted, s.documents, a_.presence);
  return out;
}

namespace {

int cmd_decode(const DecodeArgs& a) {
#if HYPERVEC_CLI_MPI
  if (const auto* mpi = mpi_session(); mpi != nullptr && mpi->active()) return decode_distributed(a);
#endif
  if (a.codebook_shards != 1) {
    usage_error("--codebook-shards ", a.codebook_shards, " splits the codebook over MPI ranks: run under "
                "mpirun (docs/distributed.md)");
  }
  const DecodeJob job(a);
  const std::size_t n = job.documents();
  DocumentReader doc_reader(a.documents);
  hv::detail::AtomicOutput jsonl(job.out_path(), "decode");
  std::ostream& report = job.out_path() == "-" ? std::cerr : std::cout;

  // Memory stays bounded for 10^6 documents: only the summary counts and the
  // decodings of the worked examples outlive their chunk.
  const auto& example_docs = job.example_docs();
  std::vector<std::string> examples(example_docs.size());
  hv::probe::Summary s;
  Progress progress(n, "decoding");
  const auto start = std::chrono::steady_clock::now();
  for (std::size_t d0 = 0; d0 < n; d0 += a.chunk) {
    const std::size_t d1 = std::min(n, d0 + a.chunk);
    const DecodedBlock block = job.decode(doc_reader, d0, d1 - d0);
    jsonl.write(block.text);
    s += block.summary;
    for (std::size_t e = 0; e < example_docs.size(); ++e) {
      const std::size_t d = example_docs[e];
      if (d >= d0 && d < d1) examples[e] = job.report_example(d, block.texts[d - d0], block.decodings[d - d0]);
    }
    progress.update(d1);
  }
  job.require_end(doc_reader);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  // Both outputs are complete before either replaces its old file.
  std::optional<hv::detail::AtomicOutput> summary_file;
  if (!a.summary.empty()) {
    summary_file.emplace(a.summary, "decode --summary");
    summary_file->write(job.summary_json(s, seconds));
  }
  // A direct output (a device, a pipe) cannot be rolled back: it goes first,
  // so that its failure leaves the atomic one uncommitted.
  if (summary_file && summary_file->direct()) summary_file->commit();
  jsonl.commit();
  if (summary_file && !summary_file->direct()) summary_file->commit();
  report << job.report_head(s, seconds);
  for (const auto& e : examples) report << e;
  std::cerr << job.polarity_warning(s);
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
  cmd->add_option("--codebook-shards", a->codebook_shards,
                  "under mpirun: split the codebook over groups of this many ranks, each group decoding "
                  "its own blocks (must divide the rank count; docs/distributed.md)")
      ->check(kUnsigned & CLI::Range(std::size_t{1}, std::size_t{1} << 20));
  return {cmd, [a] { return cmd_decode(*a); }};
}

}  // namespace hypervec::cli
