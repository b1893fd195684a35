// FFT plan cache configuration. HRR binding (hrr.hpp) runs on FFTW real-to-
// complex / complex-to-real transforms whose plans live in one process-wide
// cache keyed by what FFTW bakes into a plan: D, precision, direction, batch
// size and the batch's row distances (single transforms ignore distances),
// and alignment. A plan is created once, under a mutex (FFTW's planner is not
// thread-safe), and then executed from any thread with FFTW's new-array
// functions (which are).
//
// Bounded: the cache holds at most plan_cache_capacity() plans (default
// kDefaultPlanCacheCapacity = 64) and evicts the least recently used one
// when a new plan would exceed it, as pocketfft's get_plan does. Plans are
// shared: a thread executing an evicted plan keeps it alive until it is
// done, and the plan is destroyed (under the planner mutex) by its last user.
// An evicted shape is simply planned again on its next use.
//
// Alignment: every hypervec buffer is 64-byte aligned, so the cache plans on
// aligned scratch arrays and the plans may use FFTW's SSE2/AVX codelets. When
// a caller's span is not aligned as FFTW wants (fftw_alignment_of != 0), the
// call uses a second plan made with FFTW_UNALIGNED for that shape instead.
//
// Rigour: plans made after set_planning_rigour() use that rigour. The default
// is Rigour::estimate (no measuring, so the first bind at a new D costs
// microseconds, not milliseconds). A long-running user can pick measure or
// patient, run the sizes they need once, export the wisdom and import it at
// the next start: with wisdom loaded, even estimate-rigour planning reuses
// the measured plans. Plans already in the cache are kept as they are.
//
// ISA-free: no fftw3.h here. Implementation: src/fft_plan_cache.cpp.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace hypervec::fft {

/// FFTW planning rigour (FFTW_ESTIMATE, FFTW_MEASURE, FFTW_PATIENT,
/// FFTW_EXHAUSTIVE): more rigour, slower planning, possibly faster plans.
enum class Rigour { estimate, measure, patient, exhaustive };

/// Rigour of plans created from now on (thread-safe).
void set_planning_rigour(Rigour rigour) noexcept;
Rigour planning_rigour() noexcept;

/// Floating-point precision of a transform: float (fftwf) or double (fftw).
enum class Precision { single, double_ };

/// FFTW's wisdom for one precision as text (fftw_export_wisdom_to_string).
std::string export_wisdom(Precision precision);

/// Adds wisdom text from export_wisdom to FFTW's store. Throws
/// InvalidArgument when FFTW cannot parse it.
void import_wisdom(Precision precision, std::string_view wisdom);

/// Writes the wisdom of both precisions to one file (a small framed text
/// format: a header line, then each precision's length and text),
/// atomically: the old file stays unless the new one was written whole.
/// Throws WriteError (an IoError) when the file cannot be written.
void save_wisdom(const std::string& path);

/// Reads a file written by save_wisdom and imports both precisions. Throws
/// IoError when the file is missing or malformed.
void load_wisdom(const std::string& path);

/// Number of plans in the cache (both precisions, both directions, every
/// batch shape; at most plan_cache_capacity()). Useful to check that
/// repeated calls plan only once.
std::size_t cached_plan_count();

/// The default bound of the plan cache.
inline constexpr std::size_t kDefaultPlanCacheCapacity = 64;

/// Sets the most plans the cache keeps (thread-safe) and evicts the least
/// recently used ones beyond it at once. Throws InvalidArgument when
/// capacity is 0.
void set_plan_cache_capacity(std::size_t capacity);

/// The current bound (kDefaultPlanCacheCapacity unless set).
std::size_t plan_cache_capacity();

}  // namespace hypervec::fft
