// The `hypervec` command: codebooks, sample documents, encoding and the
// probe decoder from the shell. `hypervec --help` and `hypervec CMD --help`
// describe each subcommand; docs/probe.md describes the decoder.
//
// Exit codes: 0 success, 2 bad command line, 3 bad input (unreadable or
// malformed file, unknown label, dimension mismatch), 4 `stats` found rows far
// more similar than random vectors, 1 anything else.
#include <hypervec/bipolar.hpp>
#include <hypervec/bundle.hpp>
#include <hypervec/codebook.hpp>
#include <hypervec/error.hpp>
#include <hypervec/npy.hpp>
#include <hypervec/probe.hpp>
#include <hypervec/random.hpp>

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
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <set>
#include <span>
#include <sstream>
#include <string>
#include <vector>

namespace hv = hypervec;
using json = nlohmann::json;

namespace {

/// A problem with the user's input: reported with exit code 3.
struct InputError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

template <typename... Parts>
[[noreturn]] void input_error(Parts&&... parts) {
  throw InputError(hv::detail::concat(std::forward<Parts>(parts)...));
}

// --- Documents (JSON Lines) ------------------------------------------------------

/// One line of a documents file: what `encode` bundles and `decode` reads.
struct DocumentLine {
  std::vector<std::pair<std::string, std::string>> pairs;  // bound key–value pairs
  std::vector<std::string> items;                          // unbound items
  std::vector<std::string> context;                        // known atoms, role order
  std::optional<std::string> target;
  std::string text;                                        // for worked examples
};

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

std::vector<DocumentLine> read_documents(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) input_error("cannot open documents file ", path);
  std::vector<DocumentLine> docs;
  std::string line;
  std::size_t number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    const std::string where = hv::detail::concat(path, ":", number);
    json j;
    try {
      j = json::parse(line);
    } catch (const json::parse_error& e) {
      input_error(where, ": not valid JSON (", e.what(), ")");
    }
    if (!j.is_object()) input_error(where, ": each line must be a JSON object");
    DocumentLine d;
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
    docs.push_back(std::move(d));
  }
  return docs;
}

std::size_t id_of(const hv::cleanup::PackedMemory& book, const std::string& label,
                  const std::string& path, std::size_t doc) {
  const auto id = book.find(label);
  if (!id) input_error(path, ": document ", doc + 1, ": label \"", label, "\" is not in the codebook");
  return *id;
}

// --- Shared options -------------------------------------------------------------

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
  cmd->add_option("--dim", a.dim, "D; needed for packbits files, checked otherwise");
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

struct Fact {
  std::string a, b;
};

std::vector<Fact> read_facts(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) input_error("cannot open facts file ", path);
  std::vector<Fact> facts;
  std::string line;
  std::size_t number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty() || line[0] == '#') continue;
    const auto tab = line.find('\t');
    if (tab == std::string::npos || line.find('\t', tab + 1) != std::string::npos) {
      input_error(path, ":", number, ": expected two words separated by one tab");
    }
    Fact f{line.substr(0, tab), line.substr(tab + 1)};
    if (f.a.empty() || f.b.empty()) input_error(path, ":", number, ": empty word");
    facts.push_back(std::move(f));
  }
  return facts;
}

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
    for (const auto& f : read_facts(p)) {
      for (const auto* w : {&f.a, &f.b}) {
        if (seen.insert(*w).second) labels.push_back(*w);
      }
    }
  }
  if (labels.size() > count) {
    input_error("the facts hold ", labels.size(), " distinct words, more than --count ", count);
  }
  std::ifstream in(words_path, std::ios::binary);
  if (!in) input_error("cannot open word list ", words_path);
  std::vector<std::string> pool;
  std::string w;
  while (std::getline(in, w)) {
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
  hv::codebook::write_labels(out, labels);
  std::cerr << "wrote " << labels.size() << " labels (" << (labels.size() - need)
            << " from the facts) to " << out << "\n";
  return 0;
}

// --- analogies -------------------------------------------------------------------

int cmd_analogies(const std::vector<std::string>& facts_paths, std::size_t per_relation,
                  std::uint64_t seed, const std::string& out_path) {
  std::ofstream out(out_path, std::ios::binary | std::ios::trunc);
  if (!out) input_error("cannot create ", out_path);
  std::size_t total = 0;
  for (std::size_t r = 0; r < facts_paths.size(); ++r) {
    const std::string relation = std::filesystem::path(facts_paths[r]).stem().string();
    std::vector<Fact> facts;
    for (auto& f : read_facts(facts_paths[r])) {
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
      out << doc.dump() << '\n';
      ++total;
    }
  }
  out.flush();
  if (!out) input_error("error writing ", out_path);
  std::cerr << "wrote " << total << " analogy documents to " << out_path << "\n";
  return 0;
}

// --- codebook --------------------------------------------------------------------

int cmd_codebook(const std::string& labels_path, std::size_t dim, std::uint64_t seed,
                 const std::string& format, const std::string& out) {
  const auto labels = hv::codebook::read_labels(labels_path);
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
  if (!(noise >= 0 && noise <= 1)) input_error("--noise must be in [0, 1], got ", noise);
  const auto book = load_codebook(cba);
  const auto docs = read_documents(docs_path);
  const std::size_t dim = book.dim();
  hv::TieBreak tie = hv::TieBreak::toward_negative();
  if (ties == "positive") {
    tie = hv::TieBreak::toward_positive();
  } else if (ties == "random") {
    tie = hv::TieBreak::random(hv::random::row_key(seed, 0xC0FFEE));
  } else if (ties != "negative") {
    input_error("--ties must be negative, positive or random, got \"", ties, "\"");
  }
  hv::PackedMatrix vectors(docs.size(), dim);
  std::size_t flipped = 0;
  for (std::size_t d = 0; d < docs.size(); ++d) {
    std::vector<hv::PackedVector> terms;
    for (const auto& [k, v] : docs[d].pairs) {
      terms.push_back(hv::bipolar::bind(book.row(id_of(book, k, docs_path, d)),
                                        book.row(id_of(book, v, docs_path, d))));
    }
    for (const auto& item : docs[d].items) {
      terms.push_back(hv::PackedVector(dim));
      const auto row = book.row(id_of(book, item, docs_path, d));
      std::copy(row.words, row.words + row.num_words(), terms.back().words());
    }
    if (terms.empty()) input_error(docs_path, ": document ", d + 1, " has no pairs and no items");
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

int cmd_decode(const DecodeArgs& a) {
  const auto book = load_codebook(a.codebook);
  const std::size_t dim = book.dim();
  const auto lines = read_documents(a.documents);
  std::vector<hv::probe::Document> docs(lines.size());
  for (std::size_t d = 0; d < lines.size(); ++d) {
    for (const auto& c : lines[d].context) docs[d].context.push_back(id_of(book, c, a.documents, d));
    if (lines[d].target) docs[d].target = id_of(book, *lines[d].target, a.documents, d);
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

  // Vectors: native-order C-order files are memory-mapped and read chunk by
  // chunk (float32 without a copy, packbits unpacked, float64 / int8 / bool
  // converted to float); Fortran-ordered or foreign-byte-order files are read
  // whole by npy::read(), which converts them. Every non-packbits dtype goes
  // through the float decoder, so --sign and zero components behave the same
  // whatever the dtype.
  std::optional<hv::npy::MappedArray> mapped;
  std::optional<hv::npy::Array> whole;
  try {
    mapped.emplace(a.vectors);
  } catch (const hv::IoError&) {
    whole = hv::npy::read(a.vectors);  // throws its own, clearer error if the file is broken
  }
  const hv::npy::DType dtype = mapped ? mapped->dtype() : whole->dtype;
  const std::vector<std::size_t> shape = mapped ? mapped->shape() : whole->shape;
  const std::span<const std::byte> data =
      mapped ? mapped->bytes() : std::span<const std::byte>(whole->data);
  if (shape.size() != 2) {
    input_error(a.vectors, ": expected a 2-D array (documents × D), not ", shape.size(), "-D");
  }
  const std::size_t n = shape[0];
  const bool packbits = dtype == hv::npy::DType::uint8;
  if (packbits && shape[1] != (dim + 7) / 8) {
    input_error(a.vectors, " has ", shape[1], " bytes per row; packbits of D = ", dim, " needs ",
                (dim + 7) / 8);
  }
  if (!packbits && shape[1] != dim) {
    input_error(a.vectors, " has D = ", shape[1], ", the codebook ", dim);
  }
  if (n != docs.size()) {
    input_error(a.vectors, " has ", n, " vectors but ", a.documents, " has ", docs.size(),
                " documents");
  }

  std::ofstream file;
  if (!a.out.empty()) {
    file.open(a.out, std::ios::binary | std::ios::trunc);
    if (!file) input_error("cannot create ", a.out);
  }
  std::ostream& jsonl = a.out.empty() ? std::cout : file;
  std::ostream& report = a.out.empty() ? std::cerr : std::cout;

  // Memory stays bounded for 10^6 documents: only the summary counts and the
  // decodings of the worked examples outlive their chunk.
  const std::size_t shown = std::min(a.examples, n);
  std::vector<std::size_t> example_docs(shown);
  for (std::size_t e = 0; e < shown; ++e) example_docs[e] = e * n / shown;  // spread over the file
  std::vector<hv::probe::Decoding> examples(shown);
  hv::probe::Summary s;

  Progress progress(n, "decoding");
  const auto start = std::chrono::steady_clock::now();
  std::vector<float> floats;
  for (std::size_t d0 = 0; d0 < n; d0 += a.chunk) {
    const std::size_t d1 = std::min(n, d0 + a.chunk);
    const std::span<const hv::probe::Document> chunk_docs(docs.data() + d0, d1 - d0);
    std::vector<hv::probe::Decoding> out;
    if (packbits) {
      const std::size_t row_bytes = (dim + 7) / 8;
      hv::PackedMatrix chunk(d1 - d0, dim);
      for (std::size_t d = d0; d < d1; ++d) {
        auto words = chunk.row_span(d - d0).words;
        for (std::size_t i = 0; i < dim; ++i) {
          const auto byte = std::to_integer<unsigned>(data[d * row_bytes + i / 8]);
          if ((byte >> (7 - i % 8) & 1U) != 0) words[i / 64] |= std::uint64_t{1} << (i % 64);
        }
        for (std::size_t i = dim; i < row_bytes * 8; ++i) {
          if ((std::to_integer<unsigned>(data[d * row_bytes + i / 8]) >> (7 - i % 8) & 1U) != 0) {
            input_error(a.vectors, ": row ", d, " has padding bits set past D = ", dim);
          }
        }
      }
      out = decoder.decode(chunk.view(), chunk_docs);
    } else {
      const std::size_t count = (d1 - d0) * dim;
      const std::byte* first = data.data() + d0 * dim * hv::npy::dtype_size(dtype);
      const float* values = nullptr;
      if (dtype == hv::npy::DType::float32 &&
          reinterpret_cast<std::uintptr_t>(first) % alignof(float) == 0) {
        values = reinterpret_cast<const float*>(first);  // the mapping itself, no copy
      } else {
        floats.resize(count);
        auto convert = [&]<typename T>(T, auto to_float) {
          for (std::size_t i = 0; i < count; ++i) {
            T x;
            std::memcpy(&x, first + i * sizeof(T), sizeof(T));  // no alignment assumed
            floats[i] = to_float(x);
          }
        };
        switch (dtype) {
          case hv::npy::DType::float32: convert(float{}, [](float x) { return x; }); break;
          case hv::npy::DType::float64:
            convert(double{}, [](double x) { return static_cast<float>(x); });
            break;
          case hv::npy::DType::int8:
            convert(std::int8_t{}, [](std::int8_t x) { return static_cast<float>(x); });
            break;
          case hv::npy::DType::boolean:  // unpacked bits, as in codebooks: True = bit 1 = -1
            convert(std::uint8_t{}, [](std::uint8_t x) { return x != 0 ? -1.0F : 1.0F; });
            break;
          case hv::npy::DType::uint8: break;  // packbits, above
        }
        values = floats.data();
      }
      out = decoder.decode(hv::DenseMatrixView<float>{values, d1 - d0, dim, dim}, chunk_docs);
    }
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
      jsonl << j.dump() << '\n';
    }
    s += hv::probe::summarize(out);
    for (std::size_t e = 0; e < shown; ++e) {
      const std::size_t d = example_docs[e];
      if (d >= d0 && d < d1) examples[e] = std::move(out[d - d0]);
    }
    progress.update(d1);
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  jsonl.flush();
  if (!jsonl) input_error("error writing the results");

  json summary = {{"documents", s.documents},
                  {"evaluated", s.evaluated},
                  {"abstained", s.abstained},
                  {"greedy", s.greedy},
                  {"seconds", seconds},
                  {"documents_per_second", seconds > 0 ? static_cast<double>(n) / seconds : 0.0}};
  if (s.evaluated != 0) {
    summary["precision@1"] = s.precision(1);
    summary["precision@3"] = s.precision(3);
    summary["precision@5"] = s.precision(5);
  }
  if (!a.summary.empty()) {
    std::ofstream sf(a.summary, std::ios::binary | std::ios::trunc);
    sf << summary.dump(2) << '\n';
    if (!sf) input_error("cannot write ", a.summary);
  }

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
  for (std::size_t e = 0; e < shown; ++e) {
    const std::size_t d = example_docs[e];
    const auto& r = examples[e];
    report << "\n#" << d << " " << (lines[d].text.empty() ? "" : lines[d].text) << "\n";
    report << "  " << r.reason << "\n";
    for (const auto& x : r.answers) {
      std::snprintf(line, sizeof line, "  %-16s cos %.3f  z %6.1f%s\n", x.label.c_str(), x.cosine,
                    x.z, r.target && *r.target == x.id ? "  <- target" : "");
      report << line;
    }
    if (r.answers.empty()) report << "  (no concept above the presence threshold)\n";
  }
  return 0;
}

// --- stats -----------------------------------------------------------------------

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
  std::printf("codebook: %zu rows, D = %zu, %.0f pairs\n", m, dim, pairs);
  std::printf("mean |cos| %.5f  (random rows: sigma*sqrt(2/pi) = %.5f)\n", sum_abs / pairs,
              expected_mean);
  std::printf("max  |cos| %.5f  between \"%s\" and \"%s\"  (random rows: about %.5f)\n", max_abs,
              book.label(max_i).c_str(), book.label(max_j).c_str(), expected_max);
  std::size_t peak = *std::max_element(histogram.begin(), histogram.end());
  for (std::size_t b = 0; b < bins; ++b) {
    const double lo = -range + 2 * range * static_cast<double>(b) / static_cast<double>(bins);
    const auto bar = static_cast<int>(50.0 * static_cast<double>(histogram[b]) /
                                      static_cast<double>(std::max<std::size_t>(peak, 1)));
    std::printf("%+8.4f %10zu %.*s\n", lo, histogram[b], bar,
                "##################################################");
  }
  const bool healthy = max_abs <= expected_max + 1.5 * sigma;
  std::printf("%s\n", healthy ? "healthy: rows are as orthogonal as random vectors"
                              : "WARNING: some rows are far more similar than random vectors");
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
  labels_cmd->add_option("--count", count, "labels in all");
  labels_cmd->add_option("--seed", seed, "seed of the filler sample");
  labels_cmd->add_option("-o,--out", out, "labels file to write")->required();

  auto* analogies_cmd =
      app.add_subcommand("analogies", "facts -> analogy documents 'A : B = C : D' (JSON Lines)");
  analogies_cmd->add_option("facts", facts, "facts files; the file name is the relation")
      ->required()
      ->check(CLI::ExistingFile);
  analogies_cmd->add_option("--per-relation", per_relation, "documents per facts file");
  analogies_cmd->add_option("--seed", seed, "seed of the sample");
  analogies_cmd->add_option("-o,--out", out, "JSON Lines file to write")->required();

  std::string labels_path, format = "packbits";
  auto* codebook_cmd = app.add_subcommand("codebook", "labels -> seeded bipolar codebook .npy");
  codebook_cmd->add_option("labels", labels_path, "labels file")->required()->check(CLI::ExistingFile);
  codebook_cmd->add_option("--dim", dim, "D")->check(CLI::PositiveNumber);
  codebook_cmd->add_option("--seed", seed, "seed: row i is bipolar::random(D, seed, i)");
  codebook_cmd->add_option("--format", format, "packbits | float32 | int8");
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
  encode_cmd->add_option("--noise", noise, "flip each sign with this probability (encoder noise)");
  encode_cmd->add_option("--seed", seed, "seed of the noise and of random ties");
  encode_cmd->add_option("--ties", ties, "where the sum is 0: negative (the probe) | positive | random");
  encode_cmd->add_option("--format", format, "packbits | float32 | int8");
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
  decode_cmd->add_option("-k,--top-k", da.k, "answers per document");
  decode_cmd->add_option("--presence", da.presence, "answers need cos >= this");
  decode_cmd->add_flag("--keep-context", da.keep_context, "do not drop the context atoms from answers");
  decode_cmd->add_flag("--paper", da.paper, "the paper's selection rule (uses the target)");
  decode_cmd->add_flag("--greedy", da.greedy, "search one extra key when the best cos < trigger");
  decode_cmd->add_option("--greedy-trigger", da.greedy_trigger, "cos below which --greedy searches");
  decode_cmd->add_flag("--sign", da.sign, "sign-quantise float vectors (0 -> -1) before decoding");
  decode_cmd->add_flag("--explain-away", da.explain_away, "context-free documents: explain-away decoding");
  decode_cmd->add_flag("--per-query", da.per_query,
                       "also write every subset query's top-k (not cut at --presence) and artefact check");
  decode_cmd->add_option("--threads", da.threads, "worker threads (0 = all cores)");
  decode_cmd->add_option("--examples", da.examples, "worked examples to print");
  decode_cmd->add_option("--chunk", da.chunk, "documents per batch")->check(CLI::PositiveNumber);

  std::size_t bins = 24;
  auto* stats_cmd = app.add_subcommand("stats", "codebook health: |cos| between rows");
  add_codebook_options(stats_cmd, cba);
  stats_cmd->add_option("--bins", bins, "histogram bins")->check(CLI::PositiveNumber);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : 2;
  }
  try {
    if (*labels_cmd) return cmd_labels(facts, words, count, seed, out);
    if (*analogies_cmd) return cmd_analogies(facts, per_relation, seed, out);
    if (*codebook_cmd) return cmd_codebook(labels_path, dim, seed, format, out);
    if (*encode_cmd) return cmd_encode(cba, docs_path, noise, seed, ties, format, out);
    if (*decode_cmd) return cmd_decode(da);
    if (*stats_cmd) return cmd_stats(cba, bins);
  } catch (const InputError& e) {
    std::cerr << "hypervec: error: " << e.what() << "\n";
    return 3;
  } catch (const hv::Error& e) {
    std::cerr << "hypervec: error: " << e.what() << "\n";
    return 3;
  } catch (const std::exception& e) {
    std::cerr << "hypervec: internal error: " << e.what() << "\n";
    return 1;
  }
  return 1;
}
