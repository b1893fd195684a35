// Included at the top of every simd/*.cc's HWY_ONCE section (after
// <hwy/highway.h>). With -Dsimd_targets=static (HWY_COMPILE_ONLY_STATIC) and
// one target, Highway 1.0.3 defines HWY_DYNAMIC_DISPATCH(F) as
// HWY_STATIC_DISPATCH(F) = N_<target>::F, which does not name our kernels:
// they live in hypervec::detail::N_<target>, and the callers write
// HWY_DYNAMIC_DISPATCH(detail::F) from namespace hypervec, as Highway's
// dynamic dispatch expects. Dispatching through HWY_EXPORT's one-entry table
// instead names F exactly as the multi-target build does, at the same cost
// (one indirect call).
#pragma once

#include <hwy/highway.h>

#if defined(HWY_COMPILE_ONLY_STATIC)
#undef HWY_DYNAMIC_DISPATCH
#define HWY_DYNAMIC_DISPATCH(FUNC_NAME) (*(HWY_DISPATCH_TABLE(FUNC_NAME)[0]))
#endif
