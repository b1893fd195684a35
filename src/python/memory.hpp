// hypervec.Memory's C++ side: one cleanup memory of any row kind behind a
// reader-writer lock, shared by memory.cpp (the Memory class) and probe.cpp
// (the probe decoder, which searches a packed memory).
//
// Locking rule (no deadlock with the GIL): whoever holds the lock never waits
// for the GIL. Searches release the GIL first, then take the lock shared;
// add converts its arguments with the GIL, then releases it and takes the
// lock exclusively. Python objects are built only after the lock is let go.
#pragma once

#include <pybind11/pybind11.h>

#include <hypervec/cleanup.hpp>

#include <complex>
#include <cstdint>
#include <shared_mutex>
#include <string>
#include <variant>

namespace hypervec::python {

/// The four cleanup memories, by row kind.
using AnyMemory = std::variant<cleanup::PackedMemory, cleanup::FloatMemory, cleanup::Int8Memory,
                               cleanup::PhasorMemory>;

/// hypervec.Memory: a cleanup memory and the lock that keeps searches (any
/// number at once) apart from adds.
struct MemoryHolder {
  explicit MemoryHolder(AnyMemory m) : memory(std::move(m)) {}

  AnyMemory memory;
  mutable std::shared_mutex lock;

  /// "packed", "float32", "int8" or "complex64".
  const char* kind() const noexcept;
  std::size_t dim() const noexcept;
  std::size_t size() const;
  /// The packed memory, or ValueError naming `where` for another kind.
  const cleanup::PackedMemory& packed(const char* where) const;
};

/// A threads= argument (0 = all cores); ValueError naming `where` if negative.
unsigned thread_count(long long threads, const char* where);

/// Throws ValueError for a dimension mismatch of `arg` (D=got) against the
/// memory (D=want), with a hint when `arg` looks like np.packbits bytes.
void check_dim(std::size_t got, std::size_t want, const char* where, const char* arg);

}  // namespace hypervec::python
