// One key-value record program, written once, run on every model: packed
// MAP, dense MAP, HRR and FHRR (include/hypervec/model.hpp).
//
// A record binds three roles to their fillers and bundles the pairs:
//   r = country ⊗ Mexico + capital ⊗ MexicoCity + currency ⊗ peso
// Unbinding a role gives its filler plus noise from the other two pairs:
//   unbind(r, currency) = peso + (two unrelated terms)
// so its nearest filler in a labelled cleanup memory of 100 fillers (the
// three plus 97 distractors) is "peso": cosine ≈ 1/√3 ≈ 0.58 for the
// bundled models (packed MAP: the majority of three keeps 1/2 of each pair),
// against 0 ± 1/√D for every other filler.
//
// The torchhd equivalent, for comparison:
//   keys, values = torchhd.random(3, D, vsa), torchhd.random(100, D, vsa)
//   record = torchhd.hash_table(keys, values[:3])
//   torchhd.cosine_similarity(torchhd.bind(record, keys[2].inverse()), values).argmax()
//
// Prints the answer and its cosine for each model; exits 1 if any is wrong.
#include <hypervec/model.hpp>

#include <cstdio>
#include <string>
#include <vector>

namespace hv = hypervec;

namespace {

constexpr std::size_t kDim = 4096;
constexpr std::size_t kFillers = 100;

/// Builds the record, asks for the currency, cleans the answer up.
template <hv::Model M>
bool currency_of_mexico() {
  std::vector<std::string> labels = {"Mexico", "MexicoCity", "peso"};
  for (std::size_t i = labels.size(); i < kFillers; ++i) {
    labels.push_back("filler" + std::to_string(i));
  }
  const auto roles = M::random_matrix(3, kDim, /*seed=*/1);  // country, capital, currency
  const auto fillers = M::random_matrix(kFillers, kDim, /*seed=*/2);
  const typename M::Memory memory(fillers, labels);

  typename M::Accumulator record(kDim);
  for (std::size_t i = 0; i < 3; ++i) record.add(M::bind(roles.row(i), memory.row(labels[i])));
  const auto answer = memory.best(M::unbind(M::bundle(record), roles.row(2)));

  const bool right = answer && answer->label == "peso";
  std::printf("%-10s currency of Mexico = %-8s cosine %.3f  z %.1f  %s\n", M::name.data(),
              answer ? answer->label.c_str() : "(none)", answer ? answer->cosine : 0.0,
              answer ? answer->z : 0.0, right ? "ok" : "WRONG");
  return right;
}

}  // namespace

int main() {
  bool ok = currency_of_mexico<hv::models::PackedMap>();
  ok &= currency_of_mexico<hv::models::DenseMap>();
  ok &= currency_of_mexico<hv::models::Hrr<>>();
  ok &= currency_of_mexico<hv::models::Fhrr>();
  return ok ? 0 : 1;
}
