// Internal: the dispatch entry points of the cleanup kernels, defined in
// simd/cleanup.cc (one HWY_DYNAMIC_DISPATCH each). ISA-free; only
// src/cleanup/ includes it.
//
// Every scan scores queries [0, nq) (query a at queries + a·q_stride) against
// rows [r0, r1) of a store (row r at rows + r·r_stride) and pushes (score,
// row id) into heaps[a]. Nothing happens for nq == 0 or r0 >= r1. Callers
// validate: dimensions agree, pointers are non-null, values are finite, and
// the rows are zero-padded to whole kAlignment blocks (r_stride elements, as
// RowStore keeps them); queries may have any stride that covers a row.
#pragma once

#include "simd/cleanup-topk.h"

#include <cstddef>
#include <cstdint>

namespace hypervec::cleanup::detail {

/// Packed queries × packed rows: score D - 2·hamming (PackedScan).
void packed_scan(const std::uint64_t* queries, std::size_t q_stride, std::size_t nq,
                 const std::uint64_t* rows, std::size_t r_stride, std::size_t r0, std::size_t r1,
                 std::size_t dim, TopK* heaps);

/// Float queries × packed rows, sign flips per pair: score Σ q_i b_i
/// (MixedScan; for batches of fewer than kMixedLutMinQueries queries).
void mixed_scan(const float* queries, std::size_t q_stride, std::size_t nq,
                const std::uint64_t* rows, std::size_t r_stride, std::size_t r0, std::size_t r1,
                std::size_t dim, TopK* heaps);

/// Float queries × packed rows through per-query sign tables: score Σ q_i b_i
/// (MixedLutScan; may differ from mixed_scan in the last bits).
void mixed_lut_scan(const float* queries, std::size_t q_stride, std::size_t nq,
                    const std::uint64_t* rows, std::size_t r_stride, std::size_t r0,
                    std::size_t r1, std::size_t dim, TopK* heaps);

/// Float queries × float rows: score dot · scale[r], or dot when scale is
/// null (FloatScan; fixed blocking, so a query scores the same alone or in a
/// batch).
void float_scan(const float* queries, std::size_t q_stride, std::size_t nq, const float* rows,
                std::size_t r_stride, std::size_t r0, std::size_t r1, std::size_t dim,
                const double* scale, TopK* heaps);

/// Int8 queries × int8 rows: exact int32 dot · scale[r], or dot when scale is
/// null (Int8Scan). Values in [-127, 127], 127²·D < 2^31.
void int8_scan(const std::int8_t* queries, std::size_t q_stride, std::size_t nq,
               const std::int8_t* rows, std::size_t r_stride, std::size_t r0, std::size_t r1,
               std::size_t dim, const double* scale, TopK* heaps);

}  // namespace hypervec::cleanup::detail
