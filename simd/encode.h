// The random projection sign kernel of simd/encode.cc as an entry point,
// exported once there and called by encode::Projection
// (src/encode/projection.cpp). Private to the library; ISA-free. One
// dispatch per call. The kernel trusts its inputs (finite floats, strides
// >= their row lengths, out rows of packed_words(nrows) words).
#pragma once

#include <cstddef>
#include <cstdint>

namespace hypervec::detail::encode {

/// out row a (packed, out_stride words, packed_words(nrows) of them written)
/// = sign(R · xs row a) for a < nx: bit r set (-1) unless the float sum
/// Σ_i xs_a[i] R_r[i] is > 0. R: nrows packed rows of dim_in bits,
/// r_stride words apart. `batch_rows` (the size of the whole batch these nx
/// inputs belong to) alone picks the path (simd/encode.cc), so the bits do
/// not depend on how a batch is split. Returns false when some sum is not
/// finite (an overflow).
bool project_signs(const float* xs, std::size_t x_stride, std::size_t nx,
                   const std::uint64_t* rows, std::size_t r_stride, std::size_t nrows,
                   std::size_t dim_in, std::uint64_t* out, std::size_t out_stride,
                   std::size_t batch_rows);

}  // namespace hypervec::detail::encode
