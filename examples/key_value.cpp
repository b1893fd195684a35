// "What is the dollar of Mexico?" (Kanerva, 2010), with packed bipolar MAP
// vectors at D = 10000.
//
// Each country is a record: a bundle of role ⊗ filler pairs,
//   USA_rec    = [country⊗USA    + capital⊗WashingtonDC + currency⊗dollar]
//   Mexico_rec = [country⊗Mexico + capital⊗MexicoCity   + currency⊗peso]
// where [.] is the majority (3 pairs: an odd count, so no ties). Binding the
// two records gives a mapping F = USA_rec ⊗ Mexico_rec between them; since
// binding is its own inverse, dollar ⊗ F lands near peso, the filler that
// plays dollar's role in the Mexico record: each record keeps cosine 1/2 with
// each of its pairs, so the match has expected cosine 1/4, and unrelated
// atoms about 0 ± 1/√D = ±0.01.
//
// Prints the similarity of each query to every atom; exits 1 if a nearest
// neighbour is not the expected answer.
#include <hypervec/bipolar.hpp>
#include <hypervec/bundle.hpp>
#include <hypervec/cleanup.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

namespace hv = hypervec;

namespace {

constexpr std::size_t kDim = 10000;
constexpr std::uint64_t kSeed = 2010;  // the year of Kanerva's paper

// Atom indices: rows of one seeded codebook.
enum Atom : std::size_t {
  country, capital, currency, USA, Mexico, WashingtonDC, MexicoCity, dollar, peso, kAtoms
};
constexpr std::array<const char*, kAtoms> kNames = {
    "country", "capital", "currency", "USA", "Mexico", "WashingtonDC", "MexicoCity", "dollar",
    "peso"};

struct Query {
  const char* question;
  const char* label;  // column heading
  hv::PackedVector vector;
  Atom expected;
};

}  // namespace

int main() {
  const hv::PackedMatrix atoms = hv::bipolar::random_matrix(kAtoms, kDim, kSeed);
  const hv::cleanup::PackedMemory memory(atoms,
                                         std::vector<std::string>(kNames.begin(), kNames.end()));
  auto atom = [&](Atom a) { return atoms.row(a); };
  using hv::bipolar::bind;

  // A record: majority of its three role ⊗ filler pairs.
  auto record = [&](Atom name, Atom city, Atom money) {
    const std::array<hv::PackedVector, 3> pairs = {
        bind(atom(country), atom(name)), bind(atom(capital), atom(city)),
        bind(atom(currency), atom(money))};
    const std::array<hv::PackedView, 3> views = {pairs[0], pairs[1], pairs[2]};
    return hv::bipolar::majority(views);
  };
  const hv::PackedVector usa = record(USA, WashingtonDC, dollar);
  const hv::PackedVector mexico = record(Mexico, MexicoCity, peso);
  const hv::PackedVector mapping = bind(usa, mexico);  // F = USA_rec ⊗ Mexico_rec

  std::vector<Query> queries;
  queries.push_back(
      {"What is the dollar of Mexico?", "q = dollar*F", bind(atom(dollar), mapping), peso});
  queries.push_back({"What is the Washington DC of Mexico?", "q = WashingtonDC*F",
                     bind(atom(WashingtonDC), mapping), MexicoCity});

  std::printf("Packed bipolar MAP, D = %zu, codebook seed %llu\n", kDim,
              static_cast<unsigned long long>(kSeed));
  std::printf("USA    = [country*USA + capital*WashingtonDC + currency*dollar]\n");
  std::printf("Mexico = [country*Mexico + capital*MexicoCity + currency*peso]\n");
  std::printf("F = USA * Mexico; query q = X * F; answer = nearest atom to q\n\n");

  std::printf("%-14s", "cosine(q, .)");
  for (const Query& q : queries) std::printf("  %18s", q.label);
  std::printf("\n");
  for (std::size_t k = 0; k < kAtoms; ++k) {
    std::printf("%-14s", kNames[k]);
    for (const Query& q : queries) {
      std::printf("  %18.4f", hv::bipolar::cosine(atoms.row(k), q.vector));
    }
    std::printf("\n");
  }
  std::printf("\n");

  int wrong = 0;
  for (const Query& q : queries) {
    const std::size_t answer = memory.best(q.vector)->id;  // the nearest atom
    const bool ok = answer == q.expected;
    std::printf("%-38s -> %-10s (cosine %.4f)%s\n", q.question, kNames[answer],
                hv::bipolar::cosine(atoms.row(answer), q.vector), ok ? "" : "  WRONG");
    if (!ok) {
      std::fprintf(stderr, "key_value: %s expected %s, got %s\n", q.question,
                   kNames[q.expected], kNames[answer]);
      ++wrong;
    }
  }
  return wrong == 0 ? 0 : 1;
}
