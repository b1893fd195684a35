// The FFTW plan cache (include/hypervec/fft.hpp, src/fft_plan_cache.hpp).
//
// One process-wide LRU map from (D, precision, direction, batch shape,
// aligned?) to a shared FFTW plan, holding at most plan_cache_capacity()
// plans. Two locks, always taken in this order:
//  * `planner` serialises every FFTW call except execution (planning,
//    wisdom import/export, fftw_destroy_plan): FFTW's planner state is not
//    thread-safe.
//  * `mutex` guards the map and the capacity. Hits take it shared and stamp
//    the plan's last use (an atomic); a miss plans under `planner` alone (so
//    hits on other shapes go on), then inserts and evicts the least recently
//    used plans under `mutex` exclusively.
// Plans are reference-counted (std::shared_ptr): a caller keeps its plan
// alive while executing it, so evicting a plan another thread is running is
// safe; the last owner destroys it under `planner`. Evicted plans are moved
// out of the map and released only after both locks are dropped, so a
// destructor never waits for a lock its own thread holds. Execution uses the
// new-array functions (fftw_execute_dft_r2c / _c2r), which FFTW documents as
// thread-safe, on the caller's arrays.
#include "src/fft_plan_cache.hpp"

#include <hypervec/error.hpp>
#include <hypervec/fft.hpp>

#include <fftw3.h>

#include "src/file_io.hpp"

#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <mutex>
#include <shared_mutex>
#include <sstream>
#include <limits>
#include <memory>
#include <unordered_map>
#include <vector>

namespace hypervec {
namespace {

using detail::fft::bins;
using detail::fft::Shape;

// std::complex<T> is layout-compatible with T[2] (and so with fftw_complex).
template <typename T>
struct Fftw;

template <>
struct Fftw<double> {
  using Plan = fftw_plan;
  using Complex = fftw_complex;
  static constexpr bool kDouble = true;
  static Plan plan_r2c(int n, int howmany, double* in, int idist, Complex* out, int odist,
                       unsigned flags) {
    return fftw_plan_many_dft_r2c(1, &n, howmany, in, nullptr, 1, idist, out, nullptr, 1,
                                  odist, flags);
  }
  static Plan plan_c2r(int n, int howmany, Complex* in, int idist, double* out, int odist,
                       unsigned flags) {
    return fftw_plan_many_dft_c2r(1, &n, howmany, in, nullptr, 1, idist, out, nullptr, 1,
                                  odist, flags);
  }
  static void execute_r2c(Plan p, double* in, Complex* out) { fftw_execute_dft_r2c(p, in, out); }
  static void execute_c2r(Plan p, Complex* in, double* out) { fftw_execute_dft_c2r(p, in, out); }
  static int alignment_of(double* p) { return fftw_alignment_of(p); }
  static void* malloc(std::size_t bytes) { return fftw_malloc(bytes); }
  static void free(void* p) { fftw_free(p); }
  static void destroy(Plan p) { fftw_destroy_plan(p); }
};

template <>
struct Fftw<float> {
  using Plan = fftwf_plan;
  using Complex = fftwf_complex;
  static constexpr bool kDouble = false;
  static Plan plan_r2c(int n, int howmany, float* in, int idist, Complex* out, int odist,
                       unsigned flags) {
    return fftwf_plan_many_dft_r2c(1, &n, howmany, in, nullptr, 1, idist, out, nullptr, 1,
                                   odist, flags);
  }
  static Plan plan_c2r(int n, int howmany, Complex* in, int idist, float* out, int odist,
                       unsigned flags) {
    return fftwf_plan_many_dft_c2r(1, &n, howmany, in, nullptr, 1, idist, out, nullptr, 1,
                                   odist, flags);
  }
  static void execute_r2c(Plan p, float* in, Complex* out) { fftwf_execute_dft_r2c(p, in, out); }
  static void execute_c2r(Plan p, Complex* in, float* out) { fftwf_execute_dft_c2r(p, in, out); }
  static int alignment_of(float* p) { return fftwf_alignment_of(p); }
  static void* malloc(std::size_t bytes) { return fftwf_malloc(bytes); }
  static void free(void* p) { fftwf_free(p); }
  static void destroy(Plan p) { fftwf_destroy_plan(p); }
};

struct Key {
  std::size_t dim, howmany, real_stride, spec_stride;
  bool is_double, is_inverse, unaligned;
  bool operator==(const Key&) const = default;
};

struct KeyHash {
  std::size_t operator()(const Key& k) const noexcept {
    std::uint64_t h = 0x9e3779b97f4a7c15ULL;
    auto mix = [&h](std::uint64_t v) { h = (h ^ v) * 0xbf58476d1ce4e5b9ULL; h ^= h >> 29; };
    mix(k.dim);
    mix(k.howmany);
    mix(k.real_stride);
    mix(k.spec_stride);
    mix((k.is_double ? 1U : 0U) | (k.is_inverse ? 2U : 0U) | (k.unaligned ? 4U : 0U));
    return static_cast<std::size_t>(h);
  }
};

/// One cached plan (one precision set), destroyed under the planner lock
/// when its last owner (the cache or a caller executing it) lets go.
struct Plan {
  fftw_plan d = nullptr;
  fftwf_plan f = nullptr;
  std::mutex* planner = nullptr;
  std::atomic<std::uint64_t> last_use{0};  // Cache::clock at the latest look-up

  Plan() = default;
  Plan(const Plan&) = delete;
  Plan& operator=(const Plan&) = delete;
  ~Plan() {
    const std::lock_guard<std::mutex> lock(*planner);
    if (d != nullptr) fftw_destroy_plan(d);
    if (f != nullptr) fftwf_destroy_plan(f);
  }
};

using PlanPtr = std::shared_ptr<Plan>;

struct Cache {
  // Declared before `plans`: the plans destroyed with the cache lock it.
  std::mutex planner;       // every FFTW call but execution
  std::shared_mutex mutex;  // guards `plans` and `capacity`
  std::unordered_map<Key, PlanPtr, KeyHash> plans;
  std::size_t capacity = fft::kDefaultPlanCacheCapacity;
  std::atomic<std::uint64_t> clock{0};
  std::atomic<fft::Rigour> rigour{fft::Rigour::estimate};
};

Cache& cache() {
  static Cache instance;
  return instance;
}

/// Moves the least recently used plans beyond `capacity` out of the map into
/// `out` (never `keep`). Caller holds c.mutex exclusively.
void evict_over_capacity(Cache& c, const Key* keep, std::vector<PlanPtr>& out) {
  while (c.plans.size() > c.capacity) {
    auto victim = c.plans.end();
    std::uint64_t oldest = std::numeric_limits<std::uint64_t>::max();
    for (auto it = c.plans.begin(); it != c.plans.end(); ++it) {
      if (keep != nullptr && it->first == *keep) continue;
      const std::uint64_t t = it->second->last_use.load(std::memory_order_relaxed);
      if (t < oldest) {
        oldest = t;
        victim = it;
      }
    }
    if (victim == c.plans.end()) return;
    out.push_back(std::move(victim->second));
    c.plans.erase(victim);
  }
}

unsigned rigour_flag(fft::Rigour r) {
  switch (r) {
    case fft::Rigour::estimate: return FFTW_ESTIMATE;
    case fft::Rigour::measure: return FFTW_MEASURE;
    case fft::Rigour::patient: return FFTW_PATIENT;
    case fft::Rigour::exhaustive: return FFTW_EXHAUSTIVE;
  }
  return FFTW_ESTIMATE;
}

template <typename T>
typename Fftw<T>::Plan& slot(Plan& p) {
  if constexpr (Fftw<T>::kDouble) {
    return p.d;
  } else {
    return p.f;
  }
}

int to_int(std::size_t v, const char* what) {
  detail::require<DimensionError>(v <= 0x7fffffff, "hrr FFT: ", what, " = ", v,
                                  " exceeds FFTW's int range");
  return static_cast<int>(v);
}

/// The plan for `shape` in one direction, shared with the cache (keep it
/// while executing), planning it on scratch arrays (FFTW_MEASURE and above
/// overwrite the arrays they plan on) when missing. The key is what FFTW
/// bakes into a plan: length, precision, direction, batch size and the
/// batch's row distances (for one transform the distances do not matter and
/// are normalised away), and whether the arrays are SIMD-aligned.
template <typename T>
PlanPtr get_plan(Shape shape, bool is_inverse, bool unaligned) {
  using F = Fftw<T>;
  if (shape.howmany == 1) {
    shape.real_stride = shape.dim;
    shape.spec_stride = bins(shape.dim);
  }
  const Key key{shape.dim, shape.howmany, shape.real_stride, shape.spec_stride,
                F::kDouble, is_inverse, unaligned};
  Cache& c = cache();
  auto lookup = [&]() -> PlanPtr {
    std::shared_lock lock(c.mutex);
    const auto it = c.plans.find(key);
    if (it == c.plans.end()) return nullptr;
    it->second->last_use.store(c.clock.fetch_add(1, std::memory_order_relaxed) + 1,
                               std::memory_order_relaxed);
    return it->second;
  };
  if (PlanPtr hit = lookup()) return hit;

  std::vector<PlanPtr> evicted;  // released after both locks below
  const std::lock_guard<std::mutex> planner_lock(c.planner);
  if (PlanPtr hit = lookup()) return hit;  // another thread planned it meanwhile

  const int n = to_int(shape.dim, "D");
  const int howmany = to_int(shape.howmany, "batch size");
  const int rdist = to_int(shape.real_stride, "real row stride");
  const int sdist = to_int(shape.spec_stride, "spectrum row stride");
  const std::size_t real_len = (shape.howmany - 1) * shape.real_stride + shape.dim;
  const std::size_t spec_len = (shape.howmany - 1) * shape.spec_stride + bins(shape.dim);
  auto* real = static_cast<T*>(F::malloc(real_len * sizeof(T)));
  auto* spec = static_cast<typename F::Complex*>(F::malloc(spec_len * sizeof(typename F::Complex)));
  if (real == nullptr || spec == nullptr) {
    F::free(real);
    F::free(spec);
    throw std::bad_alloc();
  }
  unsigned flags = rigour_flag(c.rigour.load(std::memory_order_relaxed));
  if (unaligned) flags |= FFTW_UNALIGNED;
  typename F::Plan made = nullptr;
  if (is_inverse) {
    flags |= FFTW_DESTROY_INPUT;
    made = F::plan_c2r(n, howmany, spec, sdist, real, rdist, flags);
  } else {
    made = F::plan_r2c(n, howmany, real, rdist, spec, sdist, flags);
  }
  F::free(real);
  F::free(spec);
  if (made == nullptr) {
    throw Error(detail::concat("hrr FFT: FFTW could not plan a length-", shape.dim, " ",
                               is_inverse ? "c2r" : "r2c", " transform (batch ", shape.howmany,
                               ")"));
  }
  PlanPtr plan;
  try {
    plan = std::make_shared<Plan>();
  } catch (...) {
    F::destroy(made);  // planner lock held
    throw;
  }
  plan->planner = &c.planner;
  slot<T>(*plan) = made;
  plan->last_use.store(c.clock.fetch_add(1, std::memory_order_relaxed) + 1,
                       std::memory_order_relaxed);
  {
    std::unique_lock lock(c.mutex);
    c.plans.emplace(key, plan);
    evict_over_capacity(c, &key, evicted);
  }
  // Unlock the planner before `evicted` is released (reverse declaration order).
  return plan;
}

}  // namespace

namespace detail::fft {

template <typename T>
void forward(const Shape& shape, const T* in, std::complex<T>* out) {
  using F = Fftw<T>;
  auto* src = const_cast<T*>(in);  // r2c out-of-place only reads its input
  auto* dst = reinterpret_cast<typename F::Complex*>(out);
  const bool unaligned = F::alignment_of(src) != 0 || F::alignment_of(reinterpret_cast<T*>(dst)) != 0;
  const PlanPtr plan = get_plan<T>(shape, false, unaligned);  // alive while executing
  F::execute_r2c(slot<T>(*plan), src, dst);
}

template <typename T>
void inverse(const Shape& shape, std::complex<T>* in, T* out) {
  using F = Fftw<T>;
  auto* src = reinterpret_cast<typename F::Complex*>(in);
  const bool unaligned = F::alignment_of(reinterpret_cast<T*>(src)) != 0 || F::alignment_of(out) != 0;
  const PlanPtr plan = get_plan<T>(shape, true, unaligned);  // alive while executing
  F::execute_c2r(slot<T>(*plan), src, out);
}

template void forward<float>(const Shape&, const float*, std::complex<float>*);
template void forward<double>(const Shape&, const double*, std::complex<double>*);
template void inverse<float>(const Shape&, std::complex<float>*, float*);
template void inverse<double>(const Shape&, std::complex<double>*, double*);

}  // namespace detail::fft

namespace fft {

void set_planning_rigour(Rigour rigour) noexcept {
  cache().rigour.store(rigour, std::memory_order_relaxed);
}

Rigour planning_rigour() noexcept { return cache().rigour.load(std::memory_order_relaxed); }

std::string export_wisdom(Precision precision) {
  Cache& c = cache();
  const std::lock_guard<std::mutex> lock(c.planner);
  char* text = precision == Precision::double_ ? fftw_export_wisdom_to_string()
                                               : fftwf_export_wisdom_to_string();
  if (text == nullptr) throw Error("fft::export_wisdom: FFTW could not export its wisdom");
  std::string out(text);
  std::free(text);  // FFTW documents free() for this string
  return out;
}

void import_wisdom(Precision precision, std::string_view wisdom) {
  const std::string text(wisdom);
  Cache& c = cache();
  const std::lock_guard<std::mutex> lock(c.planner);
  const int ok = precision == Precision::double_ ? fftw_import_wisdom_from_string(text.c_str())
                                                 : fftwf_import_wisdom_from_string(text.c_str());
  detail::require(ok != 0, "fft::import_wisdom: FFTW could not parse the ",
                  precision == Precision::double_ ? "double" : "float", " wisdom (",
                  text.size(), " characters)");
}

namespace {
constexpr std::string_view kWisdomHeader = "hypervec-fft-wisdom 1";
}

void save_wisdom(const std::string& path) {
  const std::string d = export_wisdom(Precision::double_);
  const std::string f = export_wisdom(Precision::single);
  std::ostringstream text;
  text << kWisdomHeader << '\n' << "double " << d.size() << '\n' << d << '\n'
       << "float " << f.size() << '\n' << f << '\n';
  detail::write_file_atomically(path, text.str(), "fft::save_wisdom");  // WriteError on failure
}

void load_wisdom(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw IoError(detail::concat("fft::load_wisdom: cannot open '", path, "'"));
  std::string header;
  std::getline(in, header);
  if (header != kWisdomHeader) {
    throw IoError(detail::concat("fft::load_wisdom: '", path, "' does not start with '",
                                 kWisdomHeader, "'"));
  }
  std::string parts[2];
  const char* names[2] = {"double", "float"};
  for (int p = 0; p < 2; ++p) {
    std::string name;
    std::size_t size = 0;
    in >> name >> size;
    if (!in || name != names[p] || in.get() != '\n' || size > (std::size_t{1} << 30)) {
      throw IoError(detail::concat("fft::load_wisdom: '", path, "': malformed ", names[p],
                                   " section header"));
    }
    parts[p].resize(size);
    in.read(parts[p].data(), static_cast<std::streamsize>(size));
    if (!in || in.get() != '\n') {
      throw IoError(detail::concat("fft::load_wisdom: '", path, "': ", names[p],
                                   " section is truncated"));
    }
  }
  try {
    import_wisdom(Precision::double_, parts[0]);
    import_wisdom(Precision::single, parts[1]);
  } catch (const InvalidArgument& e) {
    throw IoError(detail::concat("fft::load_wisdom: '", path, "': ", e.what()));
  }
}

std::size_t cached_plan_count() {
  Cache& c = cache();
  std::shared_lock lock(c.mutex);
  return c.plans.size();
}

void set_plan_cache_capacity(std::size_t capacity) {
  detail::require(capacity >= 1, "fft::set_plan_cache_capacity: capacity must be >= 1, got ",
                  capacity);
  Cache& c = cache();
  std::vector<PlanPtr> evicted;  // released after the lock
  std::unique_lock lock(c.mutex);
  c.capacity = capacity;
  evict_over_capacity(c, nullptr, evicted);
  lock.unlock();
}

std::size_t plan_cache_capacity() {
  Cache& c = cache();
  std::shared_lock lock(c.mutex);
  return c.capacity;
}

}  // namespace fft
}  // namespace hypervec
