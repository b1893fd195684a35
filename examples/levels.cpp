// Classify a synthetic data set by nearest class prototype, with the
// ID-level record encoder (encode::IdLevel):
//   H(v) = [ Σ_j K_j ⊗ L(v_j) ]
// K_j a random ID per feature, L a Level codebook over [0, 1] (similarity
// falls linearly with the level distance), so nearby feature vectors get
// similar records. A class prototype is the MAP-I sum of its training
// records; a test record goes to the prototype of highest cosine.
//
// Data: 3 classes in 16 features; class c has feature means μ_c,j in
// [0.2, 0.8] and every feature is μ + N(0, 0.1²) (drawn with hypervec's
// counter-based normals, so the data are the same on every platform).
// Nearest-mean on the raw features would be near-perfect (class means are
// ≥ 0.3·√(16/3) apart per σ = 0.1); the encoded classifier must reach 95%.
//
// Exits 1 if test accuracy is below 95%.
#include <hypervec/bipolar.hpp>
#include <hypervec/bundle.hpp>
#include <hypervec/encode.hpp>
#include <hypervec/cleanup.hpp>
#include <hypervec/dense.hpp>
#include <hypervec/random.hpp>

#include <array>
#include <cstdio>
#include <string>
#include <vector>

namespace hv = hypervec;

namespace {

constexpr std::size_t kFeatures = 16;
constexpr std::size_t kClasses = 3;
constexpr std::size_t kDim = 10000;

std::array<std::array<float, kFeatures>, kClasses> class_means() {
  std::array<std::array<float, kFeatures>, kClasses> mu{};
  for (std::size_t c = 0; c < kClasses; ++c) {
    hv::random::RowStream stream(99, c);
    for (std::size_t j = 0; j < kFeatures; ++j) {
      mu[c][j] = static_cast<float>(0.2 + 0.6 * stream.next_uniform());
    }
  }
  return mu;
}

std::vector<float> sample(const std::array<float, kFeatures>& mu, hv::random::RowStream& stream) {
  std::vector<float> v(kFeatures);
  for (std::size_t j = 0; j < kFeatures; j += 2) {
    double z0, z1;
    stream.next_normal_pair(z0, z1);
    v[j] = static_cast<float>(mu[j] + 0.1 * z0);
    if (j + 1 < kFeatures) v[j + 1] = static_cast<float>(mu[j + 1] + 0.1 * z1);
  }
  return v;
}

}  // namespace

int main() {
  const auto mu = class_means();
  const hv::encode::IdLevel encoder(kFeatures, 21, kDim, 5, 0.0, 1.0);

  // Train: 50 samples per class into one accumulator each.
  std::vector<hv::bipolar::Accumulator> prototypes(kClasses, hv::bipolar::Accumulator(kDim));
  for (std::size_t c = 0; c < kClasses; ++c) {
    hv::random::RowStream stream(1, c);
    for (int i = 0; i < 50; ++i) prototypes[c].add(encoder(sample(mu[c], stream)));
  }
  // The class prototypes (their sums as floats) in a cleanup memory: a
  // packed query is scored by cosine against them.
  hv::cleanup::FloatMemory classes(kDim);
  for (std::size_t c = 0; c < kClasses; ++c) {
    const std::vector<float> sums(prototypes[c].sums().begin(), prototypes[c].sums().end());
    classes.add(sums, "class " + std::to_string(c));
  }

  // Test: 200 unseen samples per class.
  std::size_t right = 0, total = 0;
  std::array<std::array<int, kClasses>, kClasses> confusion{};
  for (std::size_t c = 0; c < kClasses; ++c) {
    hv::random::RowStream stream(2, c);
    for (int i = 0; i < 200; ++i) {
      const hv::PackedVector h = encoder(sample(mu[c], stream));
      const std::size_t best = classes.best(hv::dense::to_float(h))->id;
      ++confusion[c][best];
      right += best == c;
      ++total;
    }
  }
  std::printf("confusion (rows: true class, columns: predicted)\n");
  for (std::size_t c = 0; c < kClasses; ++c) {
    std::printf("  class %zu:", c);
    for (std::size_t k = 0; k < kClasses; ++k) std::printf(" %4d", confusion[c][k]);
    std::printf("\n");
  }
  const double accuracy = static_cast<double>(right) / static_cast<double>(total);
  std::printf("test accuracy %.3f (need >= 0.95)\n", accuracy);
  return accuracy >= 0.95 ? 0 : 1;
}
