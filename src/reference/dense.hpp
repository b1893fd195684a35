// Scalar references for dense MAP vectors (dense.hpp): one component at a
// time, straight from the math. Float sums accumulate in double, so they are
// the accuracy baseline for the float-lane SIMD kernels; int8 results are
// exact. They define the expected results for simd/dense.cc and are the
// baseline in the benchmarks. Internal: not installed. No input validation
// (the tests call them with valid, finite inputs).
#pragma once

#include <hypervec/bundle.hpp>
#include <hypervec/storage.hpp>

#include <cstdint>
#include <span>

namespace hypervec::reference::dense {

// --- float32 ---------------------------------------------------------------
DenseVector<float> bind(std::span<const float> a, std::span<const float> b);
/// Σ_k w_k rows[k], row by row, each term rounded to float as a[i] += w·x[i].
DenseVector<float> bundle(const DenseMatrixView<float>& rows, std::span<const float> weights);
void add_scaled(std::span<const float> x, float weight, std::span<float> acc);
/// Σ a_i b_i in double (products of floats are exact in double).
double dot(std::span<const float> a, std::span<const float> b);
/// {Σ |a_i b_i|} in double: the scale of the float dot's error bound.
double abs_dot(std::span<const float> a, std::span<const float> b);
double cosine(std::span<const float> a, std::span<const float> b);
DenseVector<float> sign(std::span<const float> x);
DenseVector<float> clip(std::span<const float> x, float lo, float hi);
DenseVector<float> hard_quantize(std::span<const float> x, const TieBreak& tie);
PackedVector to_packed(std::span<const float> x, const TieBreak& tie);
DenseVector<float> to_float(PackedView v);

// --- int8 --------------------------------------------------------------------
DenseVector<std::int8_t> bind(std::span<const std::int8_t> a, std::span<const std::int8_t> b);
std::int64_t dot(std::span<const std::int8_t> a, std::span<const std::int8_t> b);
double cosine(std::span<const std::int8_t> a, std::span<const std::int8_t> b);
DenseVector<std::int8_t> sign(std::span<const std::int8_t> x);
DenseVector<std::int8_t> clip(std::span<const std::int32_t> sums, int kappa);
PackedVector to_packed(std::span<const std::int8_t> x, const TieBreak& tie);
DenseVector<std::int8_t> to_int8(PackedView v);

}  // namespace hypervec::reference::dense
