// Error policy: every public entry point validates its arguments once, at the
// door, and throws one of these with a message that names the function, the
// argument and the sizes involved. Kernels behind the door carry no checks.
#pragma once

#include <cstddef>
#include <sstream>
#include <stdexcept>
#include <string>
#include <utility>

namespace hypervec {

/// Base of every exception hypervec throws.
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Operands whose dimensions (or counts) do not fit together, or D = 0.
class DimensionError : public Error {
 public:
  using Error::Error;
};

/// An argument with a bad value: empty set, NaN/Inf, k out of range, ...
class InvalidArgument : public Error {
 public:
  using Error::Error;
};

/// A file that cannot be read or written, or whose contents are malformed.
class IoError : public Error {
 public:
  using Error::Error;
};

/// An output that cannot be created, written, synced, closed or renamed into
/// place (disk full, permission, a directory in the way). The old file, if
/// any, is left as it was.
class WriteError : public IoError {
 public:
  using IoError::IoError;
};

namespace detail {

template <typename... Parts>
std::string concat(Parts&&... parts) {
  std::ostringstream out;
  (out << ... << std::forward<Parts>(parts));
  return out.str();
}

/// Builds the message and throws E. Out of line and cold, with its parts
/// taken by value (string literals decay to const char*): the checks at the
/// door of every kernel then cost a compare and a branch, not the stack
/// set-up of a message on every call (measured: ~60 instructions per
/// bipolar::bind at D = 8192, about as many as the XOR loop itself).
template <typename E, typename... Parts>
[[noreturn, gnu::cold, gnu::noinline]] void throw_error(Parts... parts) {
  throw E(concat(parts...));
}

/// Throws E with the concatenated message when `condition` is false.
template <typename E = InvalidArgument, typename... Parts>
inline void require(bool condition, const Parts&... parts) {
  if (!condition) [[unlikely]] throw_error<E>(parts...);
}

/// Throws DimensionError unless a == b:
/// "<where>: dimension mismatch: <what_a> has D=<a>, <what_b> has D=<b>".
inline void require_same_dim(const char* where, const char* what_a,
                             std::size_t a, const char* what_b, std::size_t b) {
  if (a != b) [[unlikely]] {
    throw_error<DimensionError>(where, ": dimension mismatch: ", what_a, " has D=", a, ", ",
                                what_b, " has D=", b);
  }
}

/// Throws DimensionError when dim == 0.
inline void require_nonzero_dim(const char* where, const char* what,
                                std::size_t dim) {
  if (dim == 0) [[unlikely]] {
    throw_error<DimensionError>(where, ": ", what, " has D=0; D must be >= 1");
  }
}

}  // namespace detail
}  // namespace hypervec
