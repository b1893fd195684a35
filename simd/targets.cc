// Target reporting (include/hypervec/targets.hpp): asks the dispatcher which
// per-target function it would call.
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "simd/targets.cc"
#include <hwy/foreach_target.h>  // IWYU pragma: keep

#include <hwy/highway.h>

HWY_BEFORE_NAMESPACE();
namespace hypervec::detail::HWY_NAMESPACE {

/// The target this copy of the code was compiled for.
const char* CompiledTargetName() { return hwy::TargetName(HWY_TARGET); }

}  // namespace hypervec::detail::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
#include "simd/static_dispatch.h"
#include <hypervec/targets.hpp>

#include <hwy/targets.h>

namespace hypervec {
namespace detail {
HWY_EXPORT(CompiledTargetName);
}  // namespace detail

std::vector<std::string> available_targets() {
  std::vector<std::string> names;
  for (const std::int64_t target : hwy::SupportedAndGeneratedTargets()) {
    names.emplace_back(hwy::TargetName(target));
  }
  return names;
}

std::string active_target() { return HWY_DYNAMIC_DISPATCH(detail::CompiledTargetName)(); }

}  // namespace hypervec
#endif  // HWY_ONCE
