// libFuzzer target for the `hypervec` command's JSON Lines documents reader
// (src/cli/inputs.cpp over src/text_reader.cpp). Every input must either
// parse or throw InputError / hypervec::IoError; anything else (crash, other
// exception, sanitizer report, huge allocation) is a bug. Run for a bounded
// time by `scripts/dev test` over tests/fuzz/documents_corpus/.
#include <hypervec/error.hpp>

#include "src/cli/inputs.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    const auto docs = hypervec::cli::parse_documents(text, "fuzz");
    for (const auto& d : docs) {
      if (d.line == 0) __builtin_trap();  // every document knows its line
    }
  } catch (const hypervec::cli::InputError&) {
  } catch (const hypervec::IoError&) {
  }
  return 0;
}
