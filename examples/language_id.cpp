// Language identification by letter-trigram profiles (Joshi, Halseth &
// Kanerva 2016), packed bipolar at D = 10000.
//
// Each byte has a random atom C[b]; a trigram abc is ρ²(C[a]) ⊗ ρ(C[b]) ⊗ C[c]
// (encode::NGramEncoder), so different orders give unrelated vectors. A
// language profile is the MAP-I sum of all trigrams of its training text;
// an unseen sentence is classified by the cosine between its own trigram sum
// and each profile. Profiles share a trigram's direction in proportion to how
// often both texts use it, so the profile whose trigram statistics match
// wins.
//
// The texts are data: data/languages/<language>.txt (training) and
// <language>.test.txt (held-out sentences, one per line), read from the
// directory given as argv[1], else from the source tree's data/languages
// (path compiled in through the generated language_data.h, so `meson test`
// works from any build directory). Every language with both files is used.
// Exits 1 if fewer than 90% of the held-out sentences are classified
// correctly, or if the data cannot be read.
#include <hypervec/bipolar.hpp>
#include <hypervec/bundle.hpp>
#include <hypervec/cleanup.hpp>
#include <hypervec/encode.hpp>
#include <hypervec/error.hpp>

#include "language_data.h"  // HYPERVEC_LANGUAGES_DIR (examples/meson.build)

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace hv = hypervec;
namespace fs = std::filesystem;

namespace {

constexpr std::size_t kDim = 10000;
constexpr double kRequiredAccuracy = 0.90;

struct Language {
  std::string name;
  std::string training;
  std::vector<std::string> tests;
};

/// ASCII letters to lower case; other bytes (UTF-8 accents) unchanged.
std::string lower(std::string s) {
  for (char& c : s) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return s;
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw hv::IoError("language_id: cannot open " + path.string());
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

/// Every <name>.txt in `dir` with a matching <name>.test.txt, by name.
std::vector<Language> load(const fs::path& dir) {
  if (!fs::is_directory(dir)) throw hv::IoError("language_id: no directory " + dir.string());
  std::vector<Language> out;
  for (const auto& entry : fs::directory_iterator(dir)) {
    const fs::path path = entry.path();
    const std::string file = path.filename().string();
    if (path.extension() != ".txt" || file.ends_with(".test.txt")) continue;
    const std::string name = path.stem().string();
    const fs::path tests = dir / (name + ".test.txt");
    if (!fs::exists(tests)) continue;
    Language language{name, lower(read_file(path)), {}};
    std::istringstream lines(read_file(tests));
    for (std::string line; std::getline(lines, line);) {
      if (!line.empty() && line.back() == '\r') line.pop_back();
      if (!line.empty()) language.tests.push_back(lower(line));
    }
    out.push_back(std::move(language));
  }
  std::sort(out.begin(), out.end(),
            [](const Language& a, const Language& b) { return a.name < b.name; });
  if (out.size() < 2) {
    throw hv::IoError("language_id: need at least 2 languages with .txt and .test.txt in " +
                      dir.string());
  }
  return out;
}

/// The sums as floats (exact: trigram counts stay far below 2^24).
std::vector<float> as_floats(std::span<const std::int32_t> sums) {
  return std::vector<float>(sums.begin(), sums.end());
}

}  // namespace

int main(int argc, char** argv) {
  const fs::path dir = argc > 1 ? fs::path(argv[1]) : fs::path(HYPERVEC_LANGUAGES_DIR);
  std::vector<Language> languages;
  try {
    languages = load(dir);
  } catch (const hv::Error& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return 1;
  }

  const hv::PackedMatrix letters = hv::bipolar::random_matrix(256, kDim, 2016);
  const hv::encode::NGramEncoder trigrams(letters.view(), 3);

  // The language profiles, as the rows of a labelled cleanup memory ranked
  // by cosine.
  hv::cleanup::FloatMemory profiles(kDim);
  for (const auto& language : languages) {
    hv::bipolar::Accumulator profile(kDim);
    trigrams.add_text(language.training, profile);
    profiles.add(as_floats(profile.sums()), language.name);
  }
  hv::cleanup::Options all;
  all.k = languages.size();

  std::size_t correct = 0, total = 0;
  for (std::size_t truth = 0; truth < languages.size(); ++truth) {
    std::size_t language_correct = 0;
    for (const std::string& sentence : languages[truth].tests) {
      hv::bipolar::Accumulator query(kDim);
      trigrams.add_text(sentence, query);
      const hv::cleanup::Matches ranked = profiles.search(as_floats(query.sums()), all);
      if (ranked.front().id == truth) {
        ++language_correct;
      } else {
        const auto right = std::find_if(ranked.begin(), ranked.end(),
                                        [&](const hv::cleanup::Match& m) { return m.id == truth; });
        std::printf("  WRONG: \"%s\" (%s) taken for %s (%.3f vs %.3f)\n", sentence.c_str(),
                    languages[truth].name.c_str(), ranked.front().label.c_str(),
                    ranked.front().cosine, right->cosine);
      }
    }
    std::printf("%-8s %zu of %zu held-out sentences (training text %zu bytes)\n",
                languages[truth].name.c_str(), language_correct, languages[truth].tests.size(),
                languages[truth].training.size());
    correct += language_correct;
    total += languages[truth].tests.size();
  }
  const double accuracy = total == 0 ? 0.0 : static_cast<double>(correct) / total;
  std::printf("%zu of %zu held-out sentences classified correctly (%.1f%%; required %.0f%%)\n",
              correct, total, 100.0 * accuracy, 100.0 * kRequiredAccuracy);
  return accuracy >= kRequiredAccuracy ? 0 : 1;
}
