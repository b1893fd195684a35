// What the `hypervec` subcommands share (src/cli/common.hpp).
#include "src/cli/common.hpp"

#include <hypervec/codebook.hpp>
#include <hypervec/storage.hpp>

#include "src/file_io.hpp"
#include "src/text_reader.hpp"

#include <unistd.h>

#include <cmath>
#include <exception>

namespace hypervec::cli {

std::string shown(std::string_view text) { return hypervec::detail::terminal_safe(text); }

void require_distinct(const std::string& option, const std::string& output,
                      std::initializer_list<std::pair<const char*, const std::string*>> inputs) {
  const auto out_id = hypervec::detail::identify_file(output);
  if (!out_id) return;
  for (const auto& [what, path] : inputs) {
    if (path->empty()) continue;
    if (hypervec::detail::identify_file(*path) == out_id) {
      usage_error(option, " ", output, " is the same file as the ", what, " ", *path,
                  "; write the output elsewhere");
    }
  }
}

CodebookLabels::CodebookLabels(std::vector<std::string> labels) : labels_(std::move(labels)) {
  for (std::size_t i = 0; i < labels_.size(); ++i) {
    if (labels_[i].empty()) continue;
    if (!ids_.emplace(labels_[i], i).second) {
      throw InvalidArgument(hypervec::detail::concat("the label \"", shown(labels_[i]), "\" of row ", i,
                                                     " repeats row ", ids_.at(labels_[i])));
    }
  }
}

std::optional<std::size_t> CodebookLabels::find(std::string_view label) const {
  const auto it = ids_.find(label);
  if (it == ids_.end()) return std::nullopt;
  return it->second;
}

const CLI::Validator kUnsigned(
    [](std::string& value) -> std::string {
      const auto first = value.find_first_not_of(" \t");
      if (first != std::string::npos && value[first] == '-') return "must not be negative: " + value;
      return {};
    },
    "UINT");

const CLI::Validator kFinite(
    [](std::string& value) -> std::string {
      try {
        std::size_t used = 0;
        const double x = std::stod(value, &used);
        if (!std::isfinite(x)) return "must be a finite number: " + value;
      } catch (const std::exception&) {
        return "not a number: " + value;
      }
      return {};
    },
    "FINITE");

const CLI::Validator kDimRange = CLI::Range(std::size_t{1}, kMaxDim);

const CLI::Validator kFormats = CLI::IsMember({"packbits", "float32", "int8"});

void add_codebook_options(CLI::App* cmd, CodebookArgs& a) {
  cmd->add_option("--codebook", a.npy, "codebook .npy (float/int8 ±1 or packbits uint8)")
      ->required()
      ->check(CLI::ExistingFile);
  cmd->add_option("--labels", a.labels, "labels file, one per line, one per codebook row")
      ->required()
      ->check(CLI::ExistingFile);
  cmd->add_option("--dim", a.dim, "D; needed for packbits files, checked otherwise")
      ->check(kUnsigned & kDimRange);
}

cleanup::PackedMemory load_codebook(const CodebookArgs& a) {
  cleanup::PackedMemory book = codebook::load(a.npy, a.labels, a.dim);
  if (a.dim != 0 && book.dim() != a.dim) {
    input_error(a.npy, " has D = ", book.dim(), " but --dim is ", a.dim);
  }
  return book;
}

int exit_code_of(std::exception_ptr error, std::string& message) {
  try {
    std::rethrow_exception(error);
  } catch (const UsageError& e) {
    message = std::string("error: ") + e.what();
    return 2;
  } catch (const InputError& e) {
    message = std::string("error: ") + e.what();
    return 3;
  } catch (const hypervec::WriteError& e) {
    message = std::string("error: ") + e.what();
    return 5;
  } catch (const hypervec::Error& e) {
    message = std::string("error: ") + e.what();
    return 3;
  } catch (const std::bad_alloc&) {
    message = "error: out of memory";
    return 1;
  } catch (const std::exception& e) {
    message = std::string("internal error: ") + e.what();
    return 1;
  } catch (...) {
    message = "internal error: unknown exception";
    return 1;
  }
}

Progress::Progress(std::size_t total, const char* what)
    : total_(total), what_(what), active_(::isatty(2) != 0 && total > 0) {}

void Progress::update(std::size_t done) {
  if (!active_) return;
  const int width = 40;
  const auto filled = static_cast<int>(width * done / total_);
  std::fprintf(stderr, "\r%s [%.*s%*s] %zu/%zu", what_, filled,
               "########################################", width - filled, "", done, total_);
  if (done == total_) std::fputc('\n', stderr);
  std::fflush(stderr);
}

}  // namespace hypervec::cli
