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

/// Throws E with the concatenated message when `condition` is false.
template <typename E = InvalidArgument, typename... Parts>
inline void require(bool condition, Parts&&... parts) {
  if (!condition) throw E(concat(std::forward<Parts>(parts)...));
}

/// Throws DimensionError unless a == b:
/// "<where>: dimension mismatch: <what_a> has D=<a>, <what_b> has D=<b>".
inline void require_same_dim(const char* where, const char* what_a,
                             std::size_t a, const char* what_b, std::size_t b) {
  if (a != b) {
    throw DimensionError(concat(where, ": dimension mismatch: ", what_a,
                                " has D=", a, ", ", what_b, " has D=", b));
  }
}

/// Throws DimensionError when dim == 0.
inline void require_nonzero_dim(const char* where, const char* what,
                                std::size_t dim) {
  if (dim == 0) {
    throw DimensionError(concat(where, ": ", what, " has D=0; D must be >= 1"));
  }
}

}  // namespace detail
}  // namespace hypervec
