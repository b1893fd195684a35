// `hypervec codebook`: labels -> a seeded bipolar codebook .npy (row i = bipolar::random(D, seed, i)).
#include "src/cli/common.hpp"

#include <hypervec/codebook.hpp>

#include <iostream>
#include <string>

namespace hv = hypervec;

namespace hypervec::cli {
namespace {

struct CodebookCommandArgs {
  std::string labels;
  std::string out;
  std::string format = "packbits";
  std::size_t dim = 4096;
  std::uint64_t seed = 1;
};

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

}  // namespace

Command codebook_command(CLI::App& app) {
  auto a = std::make_shared<CodebookCommandArgs>();
  auto* cmd = app.add_subcommand("codebook", "labels -> seeded bipolar codebook .npy");
  cmd->add_option("labels", a->labels, "labels file")->required()->check(CLI::ExistingFile);
  cmd->add_option("--dim", a->dim, "D")->check(kUnsigned & kDimRange);
  cmd->add_option("--seed", a->seed, "seed: row i is bipolar::random(D, seed, i)")->check(kUnsigned);
  cmd->add_option("--format", a->format, "packbits | float32 | int8")->check(kFormats);
  cmd->add_option("-o,--out", a->out, ".npy to write")->required();
  return {cmd, [a] { return cmd_codebook(a->labels, a->dim, a->seed, a->format, a->out); }};
}

}  // namespace hypervec::cli
