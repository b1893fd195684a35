// "Mary loves John" as an HRR record (Plate, 1995), at D = 1024 in float:
//   s = agent ⊛ Mary + verb ⊛ loves + patient ⊛ John
// Asking "who is the agent?" unbinds the role: s ⊛ agent† ≈ Mary + noise,
// where † is the involution (circular correlation). With three pairs the
// right filler's similarity is about 1/√(3 + 1) ≈ 0.5 (cosine; see
// docs/concepts.md, "HRR and FHRR"), unrelated items about 0 ± 1/√D ≈ ±0.03.
// The same query with the keys kept as spectra (hrr::Spectrum) costs one
// forward and one inverse transform per query, and FHRR gives the same
// answers with phasors.
//
// Prints the similarity of each query to every item; exits 1 if a nearest
// neighbour is not the expected answer.
#include <hypervec/fhrr.hpp>
#include <hypervec/hrr.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdio>

namespace hrr = hypervec::hrr;
namespace fhrr = hypervec::fhrr;

namespace {

constexpr std::size_t kDim = 1024;
constexpr std::uint64_t kSeed = 1995;  // the year of Plate's paper

enum Item : std::size_t { agent, verb, patient, Mary, John, loves, hates, Bill, kItems };
constexpr std::array<const char*, kItems> kNames = {"agent", "verb", "patient", "Mary",
                                                     "John",  "loves", "hates",  "Bill"};

/// Prints the cosine of `answer` with every item and returns the best one.
template <typename Similarity>
std::size_t report(const char* question, Similarity similarity) {
  std::printf("%s\n", question);
  std::size_t best = 0;
  double best_sim = -2;
  for (std::size_t i = 0; i < kItems; ++i) {
    const double s = similarity(i);
    std::printf("  %-8s %+.3f\n", kNames[i], s);
    if (s > best_sim) best_sim = s, best = i;
  }
  std::printf("  -> %s\n", kNames[best]);
  return best;
}

}  // namespace

int main() {
  int failures = 0;
  auto expect = [&](std::size_t got, Item want) {
    if (got != want) {
      std::printf("  WRONG: expected %s\n", kNames[want]);
      ++failures;
    }
  };

  // --- HRR --------------------------------------------------------------------
  const auto items = hrr::random_matrix<float>(kItems, kDim, kSeed);
  auto item = [&](Item i) { return items.row(i); };
  hypervec::DenseVector<float> sentence(kDim);
  for (const auto& [role, filler] : {std::pair{agent, Mary}, std::pair{verb, loves},
                                     std::pair{patient, John}}) {
    hrr::add_scaled<float>(hrr::bind(item(role), item(filler)).values(), 1.0f,
                           sentence.values());
  }
  std::printf("HRR, D=%zu: s = agent*Mary + verb*loves + patient*John\n\n", kDim);

  const auto who_agent = hrr::unbind(sentence.values(), item(agent));
  expect(report("Who is the agent?  unbind(s, agent)",
                [&](std::size_t i) { return hrr::cosine(who_agent.values(), items.row(i)); }),
         Mary);
  const auto who_loved = hrr::unbind(sentence.values(), item(patient));
  expect(report("Who is loved?      unbind(s, patient)",
                [&](std::size_t i) { return hrr::cosine(who_loved.values(), items.row(i)); }),
         John);

  // The same with the role kept as a spectrum: no transform of the key.
  const auto agent_spectrum = hrr::spectrum(item(agent));
  const auto again = hrr::unbind(sentence.values(), agent_spectrum);
  expect(report("Who is the agent?  (key spectrum kept)",
                [&](std::size_t i) { return hrr::cosine(again.values(), items.row(i)); }),
         Mary);

  // --- FHRR -------------------------------------------------------------------
  std::array<fhrr::Vector, kItems> phasors;
  for (std::size_t i = 0; i < kItems; ++i) phasors[i] = fhrr::random(kDim, kSeed, i);
  hypervec::DenseMatrix<fhrr::Phasor> pairs(3, kDim);
  std::size_t row = 0;
  for (const auto& [role, filler] : {std::pair{agent, Mary}, std::pair{verb, loves},
                                     std::pair{patient, John}}) {
    fhrr::bind(phasors[role].values(), phasors[filler].values(), pairs.row(row++));
  }
  const auto record = fhrr::bundle(pairs);
  std::printf("\nFHRR, D=%zu phasors: the same sentence\n\n", kDim);
  const auto f_loved = fhrr::unbind(record, phasors[patient]);
  expect(report("Who is loved?      s * conj(patient)",
                [&](std::size_t i) { return fhrr::similarity(f_loved, phasors[i]); }),
         John);

  std::printf("\n%s\n", failures == 0 ? "all answers correct" : "SOME ANSWERS WRONG");
  return failures == 0 ? 0 : 1;
}
