// libFuzzer target for the facts reader of `hypervec labels` / `analogies`
// (src/cli/inputs.cpp). Every input must parse or throw InputError /
// hypervec::IoError, and every word it accepts must be a label that
// codebook::write_labels accepts (readers and writers agree). Run for a
// bounded time by `scripts/dev test` over tests/fuzz/facts_corpus/.
#include <hypervec/codebook.hpp>
#include <hypervec/error.hpp>

#include "src/cli/inputs.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    for (const auto& f : hypervec::cli::parse_facts(text, "fuzz")) {
      const std::string words[2] = {f.a, f.b};
      if (f.a == f.b) continue;  // a repeat is fine in facts, not in a labels file
      try {
        hypervec::codebook::check_labels(words, "fuzz");
      } catch (const hypervec::InvalidArgument&) {
        __builtin_trap();  // the facts reader let through a word no labels file can hold
      }
    }
  } catch (const hypervec::cli::InputError&) {
  } catch (const hypervec::IoError&) {
  }
  return 0;
}
