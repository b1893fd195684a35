// Internal: the tie bits a TieBreak stands for, shared by every thresholding
// kernel so that all of them resolve ties the same way. Defined in
// simd/bundle.cc (the bundling model owns the tie rule); declared here for
// simd/dense.cc and any other thresholding code.
#pragma once

#include <hypervec/bundle.hpp>
#include <hypervec/storage.hpp>

#include <cstddef>

namespace hypervec::detail {

/// Packed vector of D components whose bit i is the value (1 = -1) a zero at
/// component i thresholds to under `tie`. Throws naming `where` when a
/// TieBreak::from_vector has a null vector or a different D.
PackedVector tie_words(const TieBreak& tie, std::size_t dim, const char* where);

}  // namespace hypervec::detail
