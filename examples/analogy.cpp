// Analogies "A : B = C : D" as the Hyperdimensional Probe encodes them
// (our reading of Bronzini et al. 2025, arXiv:2509.25045: one MAP-Bipolar
// hypervector per analogy document, a bundle of the two bound pairs):
//   H = [A ⊗ B + C ⊗ D]
// Solving for a missing term is unbinding and cleanup: H ⊙ C = D + A⊗B⊗C,
// the second term a random vector, so cleanup over the vocabulary returns D;
// H ⊙ A returns B likewise. On the sums (MAP-I) the right atom has cosine
// 1/√2 with the query (norm √(2D)), z = cos·√D ≈ 71 at D = 10000, against
// N(0, 1) for the others; the thresholded
// bundle [.] of two items, ties broken by a seeded coin (TieBreak::random:
// the default tie → -1 biases an even bundle, see docs/concepts.md), keeps
// cosine 1/2 with each pair, so z ≈ 50 there.
//
// The word pairs are a subset of data/facts/*.tsv. Exits 1 on any wrong answer.
#include <hypervec/bipolar.hpp>
#include <hypervec/bundle.hpp>
#include <hypervec/cleanup.hpp>
#include <hypervec/structures.hpp>

#include <cstdio>
#include <string>
#include <utility>
#include <vector>

namespace hv = hypervec;

namespace {

using Pairs = std::vector<std::pair<std::string, std::string>>;

const std::vector<std::pair<const char*, Pairs>> kRelations = {
    {"capital_country",
     {{"paris", "france"}, {"rome", "italy"}, {"madrid", "spain"}, {"lisbon", "portugal"},
      {"berlin", "germany"}, {"vienna", "austria"}}},
    {"male_female",
     {{"king", "queen"}, {"man", "woman"}, {"boy", "girl"}, {"father", "mother"},
      {"son", "daughter"}, {"brother", "sister"}}},
    {"verb_past",
     {{"go", "went"}, {"eat", "ate"}, {"see", "saw"}, {"run", "ran"}, {"write", "wrote"},
      {"speak", "spoke"}}},
};

}  // namespace

int main() {
  constexpr std::size_t kDim = 10000;
  std::vector<std::string> vocabulary;
  for (const auto& [name, pairs] : kRelations) {
    for (const auto& [a, b] : pairs) {
      vocabulary.push_back(a);
      vocabulary.push_back(b);
    }
  }
  const hv::PackedMatrix atoms = hv::bipolar::random_matrix(vocabulary.size(), kDim, 2509);
  const hv::cleanup::PackedMemory memory(atoms.view(), vocabulary);
  auto atom = [&](const std::string& w) { return atoms.row(*memory.find(w)); };

  int solved = 0, failures = 0;
  for (const auto& [name, pairs] : kRelations) {
    for (std::size_t i = 0; i < pairs.size(); ++i) {
      for (std::size_t j = 0; j < pairs.size(); ++j) {
        if (i == j) continue;
        const auto& [a, b] = pairs[i];
        const auto& [c, d] = pairs[j];
        // The document's MAP-I sums, and its thresholded hypervector.
        hv::structures::HashTable doc(kDim);
        doc.insert(atom(a), atom(b));
        doc.insert(atom(c), atom(d));
        const hv::PackedVector h = doc.accumulator().threshold(hv::TieBreak::random(i * 31 + j));
        // D from H and C, on the sums; B from H and A, on the packed vector.
        const auto from_sums = memory.best(std::span<const float>(doc.query(atom(c))));
        const auto from_packed = memory.best(hv::bipolar::unbind(h, atom(a)));
        const bool ok = from_sums && from_sums->label == d && from_packed &&
                        from_packed->label == b;
        failures += ok ? 0 : 1;
        ++solved;
        if (j == (i + 1) % pairs.size() || !ok) {
          std::printf("%-15s %s : %s = %s : ?  -> %s (z=%.0f);  ? from H,%s -> %s (z=%.0f)%s\n",
                      name, a.c_str(), b.c_str(), c.c_str(), from_sums->label.c_str(),
                      from_sums->z, a.c_str(), from_packed->label.c_str(), from_packed->z,
                      ok ? "" : "  WRONG");
        }
      }
    }
  }
  std::printf("%d analogies, %d wrong\n", solved, failures);
  return failures == 0 ? 0 : 1;
}
