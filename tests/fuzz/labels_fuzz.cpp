// libFuzzer target for the labels reader (codebook::parse_labels in
// src/labels.cpp). Every input must parse or throw hypervec::IoError; what it
// accepts must be accepted by the writer's check (codebook::check_labels) and
// read back unchanged from the writer's format. Run for a bounded time by
// `scripts/dev test` over tests/fuzz/labels_corpus/.
#include <hypervec/codebook.hpp>
#include <hypervec/error.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  std::vector<std::string> labels;
  try {
    labels = hypervec::codebook::parse_labels(text, "fuzz");
  } catch (const hypervec::IoError&) {
    return 0;
  }
  try {
    hypervec::codebook::check_labels(labels, "fuzz");
  } catch (const hypervec::InvalidArgument&) {
    __builtin_trap();  // the reader accepted labels the writer refuses
  }
  std::string written;
  for (const auto& l : labels) written += l + "\n";
  if (hypervec::codebook::parse_labels(written, "fuzz-again") != labels) __builtin_trap();
  return 0;
}
