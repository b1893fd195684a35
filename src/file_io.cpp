// Internal: atomic outputs and checked inputs (src/file_io.hpp).
#include "src/file_io.hpp"

#include <fcntl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace hypervec::detail {
namespace {

constexpr std::size_t kBufferBytes = 1 << 20;

std::string reason(int error) { return std::strerror(error); }

/// 16 random hex digits for a temporary's name (getrandom; falls back to the
/// address of a stack variable and the clock only if getrandom fails).
std::string random_suffix() {
  std::uint64_t r = 0;
  if (::getrandom(&r, sizeof r, 0) != static_cast<ssize_t>(sizeof r)) {
    int probe = 0;
    r = reinterpret_cast<std::uintptr_t>(&probe) ^
        static_cast<std::uint64_t>(::time(nullptr)) * 0x9E3779B97F4A7C15ULL ^
        static_cast<std::uint64_t>(::getpid());
  }
  static const char* hex = "0123456789abcdef";
  std::string s(16, '0');
  for (int i = 0; i < 16; ++i) s[i] = hex[(r >> (4 * i)) & 15];
  return s;
}

const char* kind_of(mode_t mode) {
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISFIFO(mode)) return "a pipe (FIFO)";
  if (S_ISSOCK(mode)) return "a socket";
  return "not a regular file";
}

}  // namespace

// --- AtomicOutput ----------------------------------------------------------------

AtomicOutput::AtomicOutput(std::string path, std::string who)
    : path_(std::move(path)), who_(std::move(who)) {
  buffer_.reserve(kBufferBytes);
  if (path_ == "-") {
    fd_ = STDOUT_FILENO;
    direct_ = true;
    return;
  }
  if (path_.empty()) fail("the output path is empty", 0);
  target_ = path_;
  struct stat st {};
  mode_t mode = 0666;
  bool keep_mode = false;
  if (::stat(path_.c_str(), &st) == 0) {
    if (S_ISDIR(st.st_mode)) fail("is a directory", 0);
    if (!S_ISREG(st.st_mode)) {
      // A pipe or a device: written in place, never replaced by a file.
      fd_ = ::open(path_.c_str(), O_WRONLY | O_CLOEXEC | O_NOCTTY);
      if (fd_ < 0) fail("cannot open for writing", errno);
      owns_fd_ = true;
      direct_ = true;
      return;
    }
    // A regular file, perhaps behind symbolic links: replace the final target.
    std::error_code ec;
    const auto resolved = std::filesystem::canonical(path_, ec);
    if (!ec) target_ = resolved.string();
    mode = st.st_mode & 07777;
    keep_mode = true;
  }
  const std::filesystem::path target(target_);
  const std::string folder = target.has_parent_path() ? target.parent_path().string() : ".";
  const std::string base = target.filename().string();
  for (int attempt = 0; attempt < 100; ++attempt) {
    std::string candidate = folder + "/." + base + "." + random_suffix() + ".tmp";
    // O_EXCL: never follows or reuses anything planted at this name.
    fd_ = ::open(candidate.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0666);
    if (fd_ >= 0) {
      temp_ = std::move(candidate);
      owns_fd_ = true;
      break;
    }
    if (errno != EEXIST) fail("cannot create a temporary file in " + folder, errno);
  }
  if (fd_ < 0) fail("cannot create a temporary file in " + folder, EEXIST);
  // A new file gets 0666 less the umask (applied by open); an existing one keeps its bits.
  if (keep_mode && ::fchmod(fd_, mode) != 0) fail("cannot set the permissions of " + temp_, errno);
}

AtomicOutput::~AtomicOutput() {
  if (!done_) discard();
}

void AtomicOutput::discard() noexcept {
  if (owns_fd_ && fd_ >= 0) ::close(fd_);
  fd_ = -1;
  if (!temp_.empty()) ::unlink(temp_.c_str());
  temp_.clear();
  done_ = true;
}

void AtomicOutput::fail(const std::string& what, int error) {
  std::string message = concat(who_, ": ", path_ == "-" ? "standard output" : path_, ": ", what);
  if (error != 0) message += concat(": ", reason(error));
  discard();
  throw WriteError(message);
}

void AtomicOutput::flush_buffer() {
  std::size_t done = 0;
  while (done < buffer_.size()) {
    const ssize_t n = ::write(fd_, buffer_.data() + done, buffer_.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      fail("write failed", errno);
    }
    if (n == 0) fail("write failed", ENOSPC);
    done += static_cast<std::size_t>(n);
  }
  buffer_.clear();
}

void AtomicOutput::write(const void* data, std::size_t size) {
  if (done_) throw WriteError(concat(who_, ": ", path_, ": written after commit or failure"));
  const char* p = static_cast<const char*>(data);
  while (size > 0) {
    const std::size_t room = kBufferBytes - buffer_.size();
    const std::size_t take = std::min(room, size);
    buffer_.insert(buffer_.end(), p, p + take);
    p += take;
    size -= take;
    if (buffer_.size() == kBufferBytes) flush_buffer();
  }
}

void AtomicOutput::commit() {
  if (done_) throw WriteError(concat(who_, ": ", path_, ": committed twice or after a failure"));
  flush_buffer();
  if (!direct_) {
    if (::fsync(fd_) != 0) fail("fsync failed", errno);
  }
  if (owns_fd_) {
    const int fd = std::exchange(fd_, -1);
    if (::close(fd) != 0) fail("close failed", errno);
  }
  if (!direct_) {
    if (::rename(temp_.c_str(), target_.c_str()) != 0) {
      fail("cannot rename " + temp_ + " into place", errno);
    }
    temp_.clear();
  }
  done_ = true;
}

void write_file_atomically(const std::string& path, std::string_view text, const std::string& who) {
  AtomicOutput out(path, who);
  out.write(text);
  out.commit();
}

// --- Inputs ----------------------------------------------------------------------

std::optional<FileIdentity> identify_file(const std::string& path) {
  if (path == "-") return std::nullopt;
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return std::nullopt;
  return FileIdentity{static_cast<std::uint64_t>(st.st_dev), static_cast<std::uint64_t>(st.st_ino)};
}

int open_input(const std::string& path, InputKind kind, std::uint64_t& size) {
  // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer.
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
  if (fd < 0) throw IoError(concat(path, ": cannot open for reading: ", reason(errno)));
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    const int e = errno;
    ::close(fd);
    throw IoError(concat(path, ": cannot stat: ", reason(e)));
  }
  const bool regular = S_ISREG(st.st_mode);
  const bool pipe = S_ISFIFO(st.st_mode);
  if (!regular && !(pipe && kind == InputKind::regular_or_pipe)) {
    ::close(fd);
    throw IoError(concat(path, ": is ", kind_of(st.st_mode), "; a regular file is needed"));
  }
  const int flags = ::fcntl(fd, F_GETFL);
  if (flags < 0 || ::fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) != 0) {
    const int e = errno;
    ::close(fd);
    throw IoError(concat(path, ": cannot set blocking mode: ", reason(e)));
  }
  size = regular ? static_cast<std::uint64_t>(st.st_size) : 0;
  return fd;
}

void read_at(int fd, void* data, std::size_t size, std::uint64_t offset, const std::string& path) {
  char* p = static_cast<char*>(data);
  std::size_t done = 0;
  while (done < size) {
    const ssize_t n = ::pread(fd, p + done, size - done, static_cast<off_t>(offset + done));
    if (n < 0) {
      if (errno == EINTR) continue;
      throw IoError(concat(path, ": read error at byte ", offset + done, ": ", reason(errno)));
    }
    if (n == 0) {
      throw IoError(concat(path, ": the file ended at byte ", offset + done, " while ",
                           offset + size, " were expected (it shrank while being read?)"));
    }
    done += static_cast<std::size_t>(n);
  }
}

std::vector<std::byte> read_regular_file(const std::string& path, std::uint64_t max_bytes) {
  std::uint64_t size = 0;
  const FdCloser fd(open_input(path, InputKind::regular_only, size));
  if (size > max_bytes) {
    throw IoError(concat(path, ": the file has ", size, " bytes, more than the limit of ", max_bytes));
  }
  std::vector<std::byte> bytes(static_cast<std::size_t>(size));
  read_at(fd.get(), bytes.data(), bytes.size(), 0, path);
  return bytes;
}

FdCloser::~FdCloser() {
  if (fd_ >= 0) ::close(fd_);
}

}  // namespace hypervec::detail
