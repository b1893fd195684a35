// A program outside the project, built only from what `meson install` put in
// the prefix and what `pkg-config --cflags --libs hypervec` says: the umbrella
// header must be installed with everything it includes, and the link line
// must pull in libhypervec and its dependencies (Highway, FFTW, pthread).
// Binds two random vectors and checks the product component by component.
#include <hypervec/hypervec.hpp>

#include <cstdio>
#include <cstdlib>

namespace hv = hypervec;

namespace {
int fail(const char* what) {
  std::fprintf(stderr, "install consumer: %s\n", what);
  return EXIT_FAILURE;
}
}  // namespace

int main() {
  constexpr std::size_t kDim = 1000;
  // Two rows of a seeded codebook, generated on 2 threads (needs pthread).
  const hv::PackedMatrix atoms = hv::bipolar::random_matrix(2, kDim, /*seed=*/7, {.threads = 2});
  const hv::PackedVector a = hv::bipolar::random(kDim, 7, 0);
  const hv::PackedVector b = hv::bipolar::random(kDim, 7, 1);
  const hv::PackedVector c = hv::bipolar::bind(atoms.row(0), atoms.row(1));

  std::size_t negatives_in_b = 0;
  for (std::size_t i = 0; i < kDim; ++i) {
    if (c.component(i) != a.component(i) * b.component(i)) return fail("bind is not a_i * b_i");
    negatives_in_b += b.component(i) < 0;
  }
  if (!(hv::bipolar::unbind(c, b) == a)) return fail("unbind(bind(a, b), b) != a");
  // c differs from a exactly where b is -1.
  if (hv::bipolar::hamming(c, a) != negatives_in_b) return fail("hamming(a*b, a) != #(b = -1)");
  if (negatives_in_b == 0 || negatives_in_b == kDim) return fail("random() is not random");

  std::printf("install consumer OK: D=%zu, hamming(a*b, a)=%zu, SIMD target %s\n", kDim,
              negatives_in_b, hv::active_target().c_str());
  return EXIT_SUCCESS;
}
