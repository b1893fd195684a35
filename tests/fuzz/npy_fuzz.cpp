// libFuzzer target for the .npy parser (src/npy.cpp). Every input must either
// parse or throw hypervec::IoError; anything else (crash, other exception,
// sanitizer report, huge allocation) is a bug. Built and run for a bounded
// time by `scripts/dev test` with clang -fsanitize=fuzzer,address,undefined
// over the seed corpus in tests/fuzz/npy_corpus/.
#include <hypervec/error.hpp>
#include <hypervec/npy.hpp>

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::span<const std::byte> bytes(reinterpret_cast<const std::byte*>(data), size);
  try {
    const auto array = hypervec::npy::parse(bytes, "fuzz");
    if (array.dtype == hypervec::npy::DType::uint8 && array.shape.size() == 2 && array.shape[1] > 0 &&
        array.shape[1] < 64) {
      (void)hypervec::npy::from_packbits(array, array.shape[1] * 8);
    }
  } catch (const hypervec::IoError&) {
  } catch (const hypervec::DimensionError&) {
  }
  return 0;
}
