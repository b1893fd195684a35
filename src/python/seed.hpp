// The `seed=` argument of the Python functions: an int, or None for a fresh
// seed from the OS entropy source (the rule of every random verb).
#pragma once

#include <pybind11/pybind11.h>

#include <cstdint>
#include <random>

namespace hypervec::python {

/// seed as uint64, or a fresh one from std::random_device when None.
inline std::uint64_t seed_or_fresh(const pybind11::object& seed) {
  if (!seed.is_none()) return seed.cast<std::uint64_t>();
  std::random_device rd;
  return (std::uint64_t{rd()} << 32) ^ rd();
}

}  // namespace hypervec::python
