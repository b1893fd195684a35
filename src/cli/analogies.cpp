// `hypervec analogies`: facts files -> analogy documents "A : B = C : D" (JSON Lines), a
// seeded sample of every ordered pair of facts over four distinct words.
#include "src/cli/common.hpp"

#include "src/file_io.hpp"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <iostream>
#include <set>
#include <string>
#include <vector>

namespace hv = hypervec;
using json = nlohmann::json;

namespace hypervec::cli {
namespace {

struct AnalogiesArgs {
  std::vector<std::string> facts;
  std::string out;
  std::size_t per_relation = 100;
  std::uint64_t seed = 1;
};

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

}  // namespace

Command analogies_command(CLI::App& app) {
  auto a = std::make_shared<AnalogiesArgs>();
  auto* cmd =
      app.add_subcommand("analogies", "facts -> analogy documents 'A : B = C : D' (JSON Lines)");
  cmd->add_option("facts", a->facts, "facts files; the file name is the relation")
      ->required()
      ->check(CLI::ExistingFile);
  cmd->add_option("--per-relation", a->per_relation, "documents per facts file")->check(kUnsigned);
  cmd->add_option("--seed", a->seed, "seed of the sample")->check(kUnsigned);
  cmd->add_option("-o,--out", a->out, "JSON Lines file to write")->required();
  return {cmd, [a] { return cmd_analogies(a->facts, a->per_relation, a->seed, a->out); }};
}

}  // namespace hypervec::cli
