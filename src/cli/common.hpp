// What the `hypervec` subcommands share: the error kinds and their exit
// codes, option validators, the codebook options, output safety checks and
// terminal output. Each subcommand lives in its own file (src/cli/<name>.cpp)
// and registers itself through a `<name>_command` function (main.cpp).
#pragma once

#include <hypervec/cleanup.hpp>
#include <hypervec/error.hpp>
#include <hypervec/random.hpp>

#include "src/cli/inputs.hpp"

#include <CLI/CLI.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace hypervec::cli {

/// A subcommand: its CLI11 app (options bound to state the command owns)
/// and what runs it once the command line is parsed; run() returns the
/// exit status (errors are thrown: InputError → 3, UsageError → 2, ...).
struct Command {
  CLI::App* app = nullptr;
  std::function<int()> run;
};

Command labels_command(CLI::App& app);
Command analogies_command(CLI::App& app);
Command codebook_command(CLI::App& app);
Command encode_command(CLI::App& app);
Command decode_command(CLI::App& app);
Command stats_command(CLI::App& app);

/// Ends the command with `code` and no message: the message was printed
/// already (a distributed decode's rank 0 prints what every rank agreed on).
struct QuietExit {
  int code;
};

/// The exit code of an exception (UsageError 2, InputError 3, WriteError 5,
/// another hypervec::Error 3, out of memory or anything else 1) and, in
/// `message`, what to print after "hypervec: ".
int exit_code_of(std::exception_ptr error, std::string& message);

template <typename... Parts>
[[noreturn]] void input_error(Parts&&... parts) {
  throw InputError(hypervec::detail::concat(std::forward<Parts>(parts)...));
}

template <typename... Parts>
[[noreturn]] void usage_error(Parts&&... parts) {
  throw UsageError(hypervec::detail::concat(std::forward<Parts>(parts)...));
}

/// A label or text as it may be shown on a terminal (control bytes escaped).
std::string shown(std::string_view text);

/// Refuses (UsageError) an output that is the same file as one of the inputs
/// (device and inode, so links and other spellings of the path are caught):
/// writing it would destroy the input before or while it is read. Inputs
/// are (what, path) pairs; empty paths are skipped.
void require_distinct(const std::string& option, const std::string& output,
                      std::initializer_list<std::pair<const char*, const std::string*>> inputs);

/// The labels of a codebook whose rows are held elsewhere (a decode over a
/// sharded codebook: every rank knows every label). find and label as
/// cleanup::PackedMemory's.
class CodebookLabels {
 public:
  /// Throws InvalidArgument for a repeated non-empty label.
  explicit CodebookLabels(std::vector<std::string> labels);
  // The index views the labels' own storage: movable, not copyable.
  CodebookLabels(CodebookLabels&&) = default;
  CodebookLabels(const CodebookLabels&) = delete;
  CodebookLabels& operator=(const CodebookLabels&) = delete;
  std::size_t size() const noexcept { return labels_.size(); }
  const std::string& label(std::size_t id) const { return labels_.at(id); }
  std::optional<std::size_t> find(std::string_view label) const;

 private:
  std::vector<std::string> labels_;
  std::unordered_map<std::string_view, std::size_t> ids_;
};

/// The codebook id of `label` (book: a cleanup::PackedMemory or
/// CodebookLabels), or an InputError naming the documents file, the line and
/// the document.
template <typename Book>
std::size_t id_of(const Book& book, const std::string& label, const std::string& path,
                  const DocumentLine& line, std::size_t doc) {
  const auto id = book.find(label);
  if (!id) {
    input_error(path, ":", line.line, " (document ", doc, "): label \"", shown(label),
                "\" is not in the codebook");
  }
  return *id;
}

// --- Option validators -----------------------------------------------------------

/// Rejects a negative value for an unsigned option (CLI11 would wrap "-1" to 2^64 - 1).
extern const CLI::Validator kUnsigned;
/// Rejects NaN and infinities for a real-valued option.
extern const CLI::Validator kFinite;
/// D from 1 to the library's bound (kMaxDim, storage.hpp).
extern const CLI::Validator kDimRange;
/// packbits | float32 | int8.
extern const CLI::Validator kFormats;

// --- The codebook options of encode, decode and stats ------------------------------

struct CodebookArgs {
  std::string npy;
  std::string labels;
  std::size_t dim = 0;
};

/// --codebook, --labels, --dim.
void add_codebook_options(CLI::App* cmd, CodebookArgs& a);
/// Loads the codebook and checks --dim against it.
cleanup::PackedMemory load_codebook(const CodebookArgs& a);

// --- Terminal output ---------------------------------------------------------------

/// A progress bar on stderr, drawn only when stderr is a terminal.
class Progress {
 public:
  Progress(std::size_t total, const char* what);
  void update(std::size_t done);

 private:
  std::size_t total_;
  const char* what_;
  bool active_;
};

/// Deterministic Fisher–Yates shuffle on hypervec's counter-based stream (the
/// same on every platform, unlike std::shuffle).
template <typename T>
void seeded_shuffle(std::vector<T>& v, std::uint64_t seed) {
  random::RowStream stream(seed, 0);
  for (std::size_t i = v.size(); i > 1; --i) {
    const std::size_t j = stream.next_u64() % i;
    std::swap(v[i - 1], v[j]);
  }
}

/// printf into a string.
template <typename... Args>
void appendf(std::string& out, const char* format, Args... args) {
  char buf[512];
  const int n = std::snprintf(buf, sizeof buf, format, args...);
  if (n < 0) return;
  if (static_cast<std::size_t>(n) < sizeof buf) {
    out.append(buf, static_cast<std::size_t>(n));
    return;
  }
  std::string big(static_cast<std::size_t>(n) + 1, '\0');
  std::snprintf(big.data(), big.size(), format, args...);
  out.append(big.data(), static_cast<std::size_t>(n));
}

}  // namespace hypervec::cli
