// Internal: files without losing any, and input that cannot hang or exhaust
// memory. Every writer of the library and of the `hypervec` command goes
// through AtomicOutput; every reader of a file opens it with open_input.
//
//  * AtomicOutput writes a regular file (or a path that does not exist yet)
//    to a temporary in the same folder, created exclusively (O_EXCL) under a
//    random name, and renames it over the target only in commit(), after every
//    write, fsync and close succeeded; the old file's permission bits are
//    kept. Not committed (an exception, a return), the temporary is removed
//    and the old file is untouched. A symbolic link is followed: its target
//    is replaced, the link stays. "-" is standard output, and an existing
//    non-regular file (a pipe, /dev/null, /dev/full, a terminal) is written
//    directly: no temporary, and a device node is never replaced.
//  * Every failure of open, write, fsync, close or rename throws WriteError
//    naming the path and the system's reason.
//  * Inputs: a FIFO is opened without blocking, a directory or a device is
//    refused where a regular file (or, for text, a pipe) is needed, and
//    reads that come up short (a file that shrank while being read) throw
//    IoError naming the file instead of failing later.
#pragma once

#include <hypervec/error.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace hypervec::detail {

/// An output file replaced atomically on commit() (see the file comment).
class AtomicOutput {
 public:
  /// Opens `path` for writing ("-" = standard output). `who` prefixes error
  /// messages (e.g. "npy::write"). Throws WriteError if the temporary (or the
  /// direct output) cannot be created, or if `path` is a directory.
  AtomicOutput(std::string path, std::string who);
  AtomicOutput(const AtomicOutput&) = delete;
  AtomicOutput& operator=(const AtomicOutput&) = delete;
  /// Without commit(): closes and removes the temporary; never throws.
  ~AtomicOutput();

  /// Appends bytes (buffered). Throws WriteError on a failed write.
  void write(const void* data, std::size_t size);
  void write(std::string_view text) { write(text.data(), text.size()); }
  /// Flushes, syncs and closes, then renames the temporary over the target.
  /// Throws WriteError on any failure (the temporary is then removed).
  void commit();

  const std::string& path() const noexcept { return path_; }
  /// True when writing straight to the target (standard output, a pipe, a device).
  bool direct() const noexcept { return direct_; }
  /// The temporary (in the target's folder) that commit() renames; empty
  /// when direct. Other processes may write it at offsets (pwrite) before
  /// commit: the distributed decode's ranks do (src/cli/decode_distributed.cpp).
  const std::string& temp_path() const noexcept { return temp_; }

 private:
  void flush_buffer();
  [[noreturn]] void fail(const std::string& what, int error);
  void discard() noexcept;

  std::string path_;    // as given, for messages
  std::string who_;
  std::string target_;  // what the temporary is renamed to (symlinks resolved)
  std::string temp_;    // empty when direct
  int fd_ = -1;
  bool owns_fd_ = false;
  bool direct_ = false;
  bool done_ = false;
  std::vector<char> buffer_;
};

/// Writes `text` to `path` atomically (AtomicOutput, then commit()).
void write_file_atomically(const std::string& path, std::string_view text, const std::string& who);

/// Device and inode of an existing file (symlinks followed), or nullopt if it
/// cannot be stat'ed (e.g. it does not exist). "-" has none.
struct FileIdentity {
  std::uint64_t device = 0;
  std::uint64_t inode = 0;
  friend bool operator==(const FileIdentity&, const FileIdentity&) = default;
};
std::optional<FileIdentity> identify_file(const std::string& path);

/// What open_input accepts besides regular files.
enum class InputKind {
  regular_only,     ///< binary data that is read at offsets (.npy)
  regular_or_pipe,  ///< text read once from start to end
};

/// Opens `path` for reading without blocking on a FIFO, and checks its kind:
/// a directory, device, socket, or (for regular_only) a pipe throws IoError
/// "<path>: <kind> ... a regular file is needed". Returns the descriptor
/// (blocking mode restored); the caller closes it. `size` receives the
/// size of a regular file (0 for a pipe).
int open_input(const std::string& path, InputKind kind, std::uint64_t& size);

/// Reads exactly `size` bytes at `offset` with pread. A short read (the file
/// shrank or was replaced while being read) or an I/O error throws IoError
/// naming `path`.
void read_at(int fd, void* data, std::size_t size, std::uint64_t offset, const std::string& path);

/// The whole content of a regular file (at most `max_bytes`; larger throws
/// IoError naming the file and the limit).
std::vector<std::byte> read_regular_file(const std::string& path, std::uint64_t max_bytes);

/// Closes a descriptor on scope exit.
class FdCloser {
 public:
  explicit FdCloser(int fd) noexcept : fd_(fd) {}
  FdCloser(const FdCloser&) = delete;
  FdCloser& operator=(const FdCloser&) = delete;
  ~FdCloser();
  int get() const noexcept { return fd_; }

 private:
  int fd_;
};

}  // namespace hypervec::detail
