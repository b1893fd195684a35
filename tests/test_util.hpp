// Shared test helpers: the Highway target loop, seeds, dimension lists and
// random inputs independent of the library's own generator.
#pragma once

#include <hypervec/storage.hpp>
#include <hypervec/targets.hpp>
#include <hypervec/tie_break.hpp>

#include <boost/test/unit_test.hpp>
#include <hwy/targets.h>

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <unistd.h>
#include <vector>

namespace hypervec::test {

/// The dimensions every kernel is compared at: ragged tails on both sides of
/// the 64-bit word and of every SIMD width, and the sizes users run.
inline const std::vector<std::size_t> kDims = {1, 7, 63, 64, 65, 1000, 4096, 10000};

/// Seed for random tests: $HYPERVEC_TEST_SEED when set, else a fixed value.
/// Tests print it in their failure context so a failure can be replayed.
inline std::uint64_t test_seed() {
  if (const char* env = std::getenv("HYPERVEC_TEST_SEED")) return std::stoull(env);
  return 20251127;
}

/// Runs body(target_name) once per Highway target compiled into the library
/// and supported by this CPU, with the dispatcher pinned to that target, and
/// checks the pin took effect. Restores normal dispatch afterwards.
template <typename Body>
void for_each_target(Body&& body) {
  const std::vector<std::int64_t> targets = hwy::SupportedAndGeneratedTargets();
  BOOST_REQUIRE(!targets.empty());
  for (const std::int64_t target : targets) {
    hwy::SetSupportedTargetsForTest(target);
    const std::string name = hwy::TargetName(target);
    BOOST_TEST_CONTEXT("SIMD target " << name) {
      BOOST_REQUIRE_EQUAL(hypervec::active_target(), name);
      body(name);
    }
  }
  hwy::SetSupportedTargetsForTest(0);
}

/// The usual kernel-test loop: runs body(dim, rng) on every compiled target
/// (for_each_target) for every dimension in kDims, under the contexts
/// "seed <seed>" and "D=<dim>". One std::mt19937_64 is seeded with `seed` per
/// target and carries over from one dimension to the next, so every target
/// sees exactly the same data.
template <typename Body>
void for_each_target_and_dim(std::uint64_t seed, Body&& body) {
  BOOST_TEST_CONTEXT("seed " << seed) {
    for_each_target([&](const std::string&) {
      std::mt19937_64 rng(seed);
      for (const std::size_t dim : kDims) {
        BOOST_TEST_CONTEXT("D=" << dim) { body(dim, rng); }
      }
    });
  }
}

/// The host-side loop (no target pinning): runs body(dim, rng) for every
/// dimension in kDims under the contexts "seed <seed>" and "D=<dim>", with one
/// std::mt19937_64 seeded with `seed` carried from one dimension to the next.
template <typename Body>
void for_each_dim(std::uint64_t seed, Body&& body) {
  BOOST_TEST_CONTEXT("seed " << seed) {
    std::mt19937_64 rng(seed);
    for (const std::size_t dim : kDims) {
      BOOST_TEST_CONTEXT("D=" << dim) { body(dim, rng); }
    }
  }
}

/// Floats uniform in [-scale, scale].
inline std::vector<float> random_floats(std::size_t dim, std::mt19937_64& rng, float scale = 1.0f) {
  std::uniform_real_distribution<float> dist(-scale, scale);
  std::vector<float> v(dim);
  for (auto& x : v) x = dist(rng);
  return v;
}

/// Floats from the standard normal distribution.
inline std::vector<float> normal_floats(std::size_t dim, std::mt19937_64& rng) {
  std::normal_distribution<float> dist(0.0f, 1.0f);
  std::vector<float> v(dim);
  for (auto& x : v) x = dist(rng);
  return v;
}

/// A rows × dim matrix of standard normal floats, filled row by row.
inline DenseMatrix<float> gaussian_matrix(std::size_t rows, std::size_t dim, std::mt19937_64& rng) {
  DenseMatrix<float> m(rows, dim);
  std::normal_distribution<float> normal;
  for (std::size_t r = 0; r < rows; ++r) {
    for (auto& x : m.row(r)) x = normal(rng);
  }
  return m;
}

/// int8 values uniform in [-127, 127] (never -128), one rng() draw each.
inline std::vector<std::int8_t> random_int8_symmetric(std::size_t dim, std::mt19937_64& rng) {
  std::vector<std::int8_t> v(dim);
  for (auto& x : v) x = static_cast<std::int8_t>(static_cast<int>(rng() % 255) - 127);
  return v;
}

/// The sample moments of n cosines between independent random vectors, whose
/// theory is mean 0 and variance exactly 1/D (fair ±1 components, or any
/// query against fair ±1 rows). check() applies 5σ bounds: the sample mean
/// has σ = 1/√(nD), the sample variance sd ≈ (1/D)·√(2/(n-1)); a false
/// failure has probability < 1e-6.
struct OrthogonalCosines {
  double sum = 0, sum_sq = 0;
  void add(double c) {
    sum += c;
    sum_sq += c * c;
  }
  void check(std::size_t dim, std::size_t n) const {
    const double mean = sum / n;
    const double var = (sum_sq - n * mean * mean) / (n - 1);
    const double d = static_cast<double>(dim);
    BOOST_TEST_CONTEXT("D=" << dim << " mean=" << mean << " var*D=" << var * d) {
      BOOST_CHECK_LT(std::abs(mean), 5.0 / std::sqrt(n * d));
      BOOST_CHECK_LT(std::abs(var * d - 1.0), 5.0 * std::sqrt(2.0 / (n - 1)));
    }
  }
};

/// A packed vector with i.i.d. fair bits from `rng` (tail invariant kept).
inline PackedVector random_packed(std::size_t dim, std::mt19937_64& rng) {
  PackedVector v(dim);
  for (std::size_t j = 0; j < v.num_words(); ++j) v.words()[j] = rng();
  v.words()[v.num_words() - 1] &= packed_tail_mask(dim);
  return v;
}

/// A packed vector whose bits are 1 with probability p (skewed inputs).
inline PackedVector random_packed_biased(std::size_t dim, double p, std::mt19937_64& rng) {
  PackedVector v(dim);
  std::bernoulli_distribution bit(p);
  for (std::size_t i = 0; i < dim; ++i) v.set_component(i, bit(rng));
  return v;
}

/// n packed vectors with i.i.d. fair bits, drawn in order from `rng`.
inline std::vector<PackedVector> random_items(std::size_t n, std::size_t dim, std::mt19937_64& rng) {
  std::vector<PackedVector> items;
  for (std::size_t k = 0; k < n; ++k) items.push_back(random_packed(dim, rng));
  return items;
}

/// Every tie rule, with `tie_vector` for TieBreak::from_vector.
inline std::vector<TieBreak> all_tie_rules(const PackedVector& tie_vector) {
  return {TieBreak::toward_negative(), TieBreak::toward_positive(), TieBreak::random(99),
          TieBreak::from_vector(tie_vector)};
}

/// True when the exception's message contains `part` (error-message checks).
inline bool message_has(const std::exception& e, const std::string& part) {
  return std::string(e.what()).find(part) != std::string::npos;
}

inline std::vector<PackedView> views_of(const std::vector<PackedVector>& vs) {
  std::vector<PackedView> out;
  out.reserve(vs.size());
  for (const auto& v : vs) out.push_back(v.view());
  return out;
}

/// A scratch folder for one test program (named after it and the process),
/// removed at scope exit.
struct ScratchDir {
  std::filesystem::path dir;
  explicit ScratchDir(const std::string& name) {
    dir = std::filesystem::temp_directory_path() /
          ("hypervec_" + name + "_" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  ~ScratchDir() { std::filesystem::remove_all(dir); }
  std::string file(const std::string& name) const { return (dir / name).string(); }
  /// How many entries the folder holds (a temporary left behind shows).
  std::size_t entries() const {
    return static_cast<std::size_t>(
        std::distance(std::filesystem::directory_iterator(dir), std::filesystem::directory_iterator()));
  }
  /// Writes `bytes` to file(name) and returns its path.
  std::string write(const std::string& name, const std::string& bytes) const {
    std::ofstream(file(name), std::ios::binary) << bytes;
    return file(name);
  }
};

}  // namespace hypervec::test
