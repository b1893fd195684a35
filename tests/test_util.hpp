// Shared test helpers: the Highway target loop, seeds, dimension lists and
// random inputs independent of the library's own generator.
#pragma once

#include <hypervec/storage.hpp>
#include <hypervec/targets.hpp>

#include <boost/test/unit_test.hpp>
#include <hwy/targets.h>

#include <cstdint>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <fstream>
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
  /// Writes `bytes` to file(name) and returns its path.
  std::string write(const std::string& name, const std::string& bytes) const {
    std::ofstream(file(name), std::ios::binary) << bytes;
    return file(name);
  }
};

}  // namespace hypervec::test
