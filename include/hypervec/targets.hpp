// SIMD target reporting. Every kernel dispatches at run time (Highway's
// HWY_DYNAMIC_DISPATCH) to the best target this CPU supports among those the
// library was compiled for (meson option simd_targets).
#pragma once

#include <string>
#include <vector>

namespace hypervec {

/// Names of the targets compiled into the library and supported by this CPU,
/// best first, e.g. {"AVX3_DL", "AVX3", "AVX2", "SSE4", "SSSE3", "SCALAR"}
/// (GCC < 12.3 builds Highway's one-lane SCALAR fallback; newer compilers
/// build EMU128 instead).
std::vector<std::string> available_targets();

/// Name of the target the dispatcher currently selects.
std::string active_target();

}  // namespace hypervec
