// `hypervec encode`: documents (JSON Lines of key-value pairs and items) -> bundled bipolar
// vectors .npy, as the probe encodes them, with optional sign-flip noise.
#include "src/cli/common.hpp"

#include <hypervec/bipolar.hpp>
#include <hypervec/bundle.hpp>
#include <hypervec/codebook.hpp>
#include <hypervec/random.hpp>

#include <algorithm>
#include <iostream>
#include <string>
#include <vector>

namespace hv = hypervec;

namespace hypervec::cli {
namespace {

struct EncodeArgs {
  CodebookArgs codebook;
  std::string documents;
  std::string out;
  std::string ties = "negative";
  std::string format = "packbits";
  double noise = 0;
  std::uint64_t seed = 1;
};

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

}  // namespace

Command encode_command(CLI::App& app) {
  auto a = std::make_shared<EncodeArgs>();
  auto* cmd = app.add_subcommand("encode", "documents (JSON Lines) -> bundled vectors .npy");
  add_codebook_options(cmd, a->codebook);
  cmd->add_option("documents", a->documents,
                  "JSON Lines: {\"pairs\": [[k, v], ...], \"items\": [...]}")
      ->required()
      ->check(CLI::ExistingFile);
  cmd->add_option("--noise", a->noise, "flip each sign with this probability (encoder noise)")
      ->check(kFinite & CLI::Range(0.0, 1.0));
  cmd->add_option("--seed", a->seed, "seed of the noise and of random ties")->check(kUnsigned);
  cmd->add_option("--ties", a->ties, "where the sum is 0: negative (the probe) | positive | random")
      ->check(CLI::IsMember({"negative", "positive", "random"}));
  cmd->add_option("--format", a->format, "packbits | float32 | int8")->check(kFormats);
  cmd->add_option("-o,--out", a->out, ".npy to write")->required();
  return {cmd, [a] {
            return cmd_encode(a->codebook, a->documents, a->noise, a->seed, a->ties, a->format,
                              a->out);
          }};
}

}  // namespace hypervec::cli
