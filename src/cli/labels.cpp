// `hypervec labels`: facts files + a word list -> a labels file (every word of the facts, then a
// seeded sample of plain words).
#include "src/cli/common.hpp"

#include <hypervec/codebook.hpp>

#include <algorithm>
#include <iostream>
#include <set>
#include <string>
#include <vector>

namespace hv = hypervec;

namespace hypervec::cli {
namespace {

struct LabelsArgs {
  std::vector<std::string> facts;
  std::string words = "/usr/share/dict/american-english";
  std::string out;
  std::size_t count = 3000;
  std::uint64_t seed = 1;
};

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

}  // namespace

Command labels_command(CLI::App& app) {
  auto a = std::make_shared<LabelsArgs>();
  auto* cmd = app.add_subcommand("labels", "facts + a word list -> a labels file");
  cmd->add_option("facts", a->facts, "facts files (word<TAB>word per line)")
      ->required()
      ->check(CLI::ExistingFile);
  cmd->add_option("--words", a->words, "word list to fill up with (Debian wamerican)")
      ->check(CLI::ExistingFile);
  cmd->add_option("--count", a->count, "labels in all")->check(kUnsigned);
  cmd->add_option("--seed", a->seed, "seed of the filler sample")->check(kUnsigned);
  cmd->add_option("-o,--out", a->out, "labels file to write")->required();
  return {cmd, [a] { return cmd_labels(a->facts, a->words, a->count, a->seed, a->out); }};
}

}  // namespace hypervec::cli
