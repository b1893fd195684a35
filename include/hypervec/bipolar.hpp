// Bipolar MAP model, packed: components are +1/-1, stored 1 bit each
// (bit 1 = -1; layout in storage.hpp). With that encoding the MAP product is
// XOR, and similarity comes from the Hamming distance h:
//   dot(a, b) = D - 2h,   cosine(a, b) = dot / D   (both vectors have norm sqrt D).
// The model verbs (random, random_matrix, identity, bind, unbind, inverse,
// bundle, permute, inverse_permute, dot, cosine) are all declared here; the
// MAP-I Accumulator and majority() with its bit-sliced counters live in
// bundle.hpp (bundle() below is majority()); dense int8 and float vectors in
// dense.hpp; float-query-vs-packed scoring in mixed.hpp.
//
// All functions validate dimensions (1 <= D <= kMaxDim, rows <= kMaxRows;
// storage.hpp) and throw DimensionError naming the argument; implementations are in simd/bipolar.cc (scalar references in
// src/reference/bipolar.cpp).
#pragma once

#include <hypervec/random.hpp>
#include <hypervec/storage.hpp>
#include <hypervec/tie_break.hpp>

#include <cstddef>
#include <cstdint>
#include <span>

namespace hypervec::bipolar {

/// Random bipolar vector: row `row` of the codebook with seed `seed`
/// (random.hpp: packed word j = stream word j, masked past D). Each component
/// is -1 with probability 1/2, independently.
PackedVector random(std::size_t dim, std::uint64_t seed, std::uint64_t row = 0);

/// Rows options.first_row .. first_row+rows-1 of the seeded codebook; row i
/// equals random(dim, seed, options.first_row + i) whatever options.threads is
/// (0 = all cores). Throws InvalidArgument if options.unit_norm is set (HRR
/// only), DimensionError for a bad dim or rows past kMaxRows / kMaxBytes.
PackedMatrix random_matrix(std::size_t rows, std::size_t dim, std::uint64_t seed,
                           const RandomOptions& options = {});

/// The binding identity: all components +1 (all bits 0).
PackedVector identity(std::size_t dim);

/// out = a ⊗ b (element-wise product; XOR of the bits). out may alias a or b.
void bind(PackedView a, PackedView b, PackedSpan out);
PackedVector bind(PackedView a, PackedView b);

/// MAP binding is its own inverse: unbind(bound, key) = bound ⊗ key, and
/// unbind(bind(a, b), b) == a exactly. out may alias bound or key.
inline PackedVector unbind(PackedView bound, PackedView key) { return bind(bound, key); }
inline void unbind(PackedView bound, PackedView key, PackedSpan out) { bind(bound, key, out); }

/// The binding inverse: every ±1 vector is its own inverse (a ⊗ a = identity),
/// so inverse(a) is a copy of a. Throws DimensionError for an invalid view.
PackedVector inverse(PackedView a);

/// Product of all items (XOR of all). Throws InvalidArgument when empty.
PackedVector multibind(std::span<const PackedView> items);

/// The MAP bundle of packed vectors: their n-ary majority, exactly
/// majority(items, tie) of bundle.hpp (component i is -1 when more than half
/// the items are -1 there, +1 when fewer, `tie` on an exact half). Throws
/// InvalidArgument when there are no items, DimensionError on a mismatch.
/// For weights or incremental adding, use bundle.hpp's Accumulator.
PackedVector bundle(std::span<const PackedView> items,
                    const TieBreak& tie = TieBreak::toward_negative());
PackedVector bundle(const PackedMatrixView& rows,
                    const TieBreak& tie = TieBreak::toward_negative());
/// The same into `out` without allocating: majority(items, out, tie).
void bundle(std::span<const PackedView> items, PackedSpan out,
            const TieBreak& tie = TieBreak::toward_negative());
void bundle(const PackedMatrixView& rows, PackedSpan out,
            const TieBreak& tie = TieBreak::toward_negative());

/// Cyclic shift by `shifts` positions, as torch.roll / torchhd's permute:
/// out[i] = a[(i - shifts) mod D]. Any shifts, negative too. out must not
/// alias a.
void permute(PackedView a, std::ptrdiff_t shifts, PackedSpan out);
PackedVector permute(PackedView a, std::ptrdiff_t shifts);

/// Inverse of permute(., shifts): inverse_permute(permute(a, k), k) == a, for
/// every k including PTRDIFF_MIN (rotates by (-k) mod D without negating k).
/// out must not alias a.
void inverse_permute(PackedView a, std::ptrdiff_t shifts, PackedSpan out);
PackedVector inverse_permute(PackedView a, std::ptrdiff_t shifts);

/// Number of components where a and b differ.
std::uint64_t hamming(PackedView a, PackedView b);

/// Σ a_i b_i = D - 2 hamming(a, b), exact.
std::int64_t dot(PackedView a, PackedView b);

/// dot(a, b) / D, in [-1, 1]. For random pairs, mean 0 and σ = 1/√D.
double cosine(PackedView a, PackedView b);

}  // namespace hypervec::bipolar
