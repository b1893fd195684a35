// The FFTW plan cache (include/hypervec/fft.hpp, src/fft_plan_cache.hpp).
//
// One process-wide map from (D, precision, direction, batch shape, aligned?)
// to an FFTW plan. Look-ups take a shared lock; a miss takes the exclusive
// lock, plans (FFTW's planner is not thread-safe, and wisdom import/export
// touch the same planner state, so all of them run under this one lock) and
// inserts. Plans are only destroyed at exit. Execution uses the new-array
// functions (fftw_execute_dft_r2c / _c2r), which FFTW documents as
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
#include <unordered_map>

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

struct Entry {
  fftw_plan d = nullptr;
  fftwf_plan f = nullptr;
};

struct Cache {
  std::shared_mutex mutex;  // guards `plans` and every call into FFTW's planner
  std::unordered_map<Key, Entry, KeyHash> plans;
  std::atomic<fft::Rigour> rigour{fft::Rigour::estimate};

  ~Cache() {
    for (auto& [key, entry] : plans) {
      if (entry.d != nullptr) fftw_destroy_plan(entry.d);
      if (entry.f != nullptr) fftwf_destroy_plan(entry.f);
    }
  }
};

Cache& cache() {
  static Cache instance;
  return instance;
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
typename Fftw<T>::Plan& slot(Entry& e) {
  if constexpr (Fftw<T>::kDouble) {
    return e.d;
  } else {
    return e.f;
  }
}

int to_int(std::size_t v, const char* what) {
  detail::require<DimensionError>(v <= 0x7fffffff, "hrr FFT: ", what, " = ", v,
                                  " exceeds FFTW's int range");
  return static_cast<int>(v);
}

/// The plan for `shape` in one direction, planning it on scratch arrays
/// (FFTW_MEASURE and above overwrite the arrays they plan on) when missing.
template <typename T>
typename Fftw<T>::Plan get_plan(Shape shape, bool is_inverse, bool unaligned) {
  using F = Fftw<T>;
  if (shape.howmany == 1) {
    shape.real_stride = shape.dim;
    shape.spec_stride = bins(shape.dim);
  }
  const Key key{shape.dim, shape.howmany, shape.real_stride, shape.spec_stride,
                F::kDouble, is_inverse, unaligned};
  Cache& c = cache();
  {
    std::shared_lock lock(c.mutex);
    const auto it = c.plans.find(key);
    if (it != c.plans.end()) return slot<T>(it->second);
  }
  std::unique_lock lock(c.mutex);
  auto& entry = c.plans[key];
  auto& plan = slot<T>(entry);
  if (plan != nullptr) return plan;  // another thread planned it meanwhile

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
    c.plans.erase(key);
    throw std::bad_alloc();
  }
  unsigned flags = rigour_flag(c.rigour.load(std::memory_order_relaxed));
  if (unaligned) flags |= FFTW_UNALIGNED;
  if (is_inverse) {
    flags |= FFTW_DESTROY_INPUT;
    plan = F::plan_c2r(n, howmany, spec, sdist, real, rdist, flags);
  } else {
    plan = F::plan_r2c(n, howmany, real, rdist, spec, sdist, flags);
  }
  F::free(real);
  F::free(spec);
  if (plan == nullptr) {
    c.plans.erase(key);
    throw Error(detail::concat("hrr FFT: FFTW could not plan a length-", shape.dim, " ",
                               is_inverse ? "c2r" : "r2c", " transform (batch ", shape.howmany,
                               ")"));
  }
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
  F::execute_r2c(get_plan<T>(shape, false, unaligned), src, dst);
}

template <typename T>
void inverse(const Shape& shape, std::complex<T>* in, T* out) {
  using F = Fftw<T>;
  auto* src = reinterpret_cast<typename F::Complex*>(in);
  const bool unaligned = F::alignment_of(reinterpret_cast<T*>(src)) != 0 || F::alignment_of(out) != 0;
  F::execute_c2r(get_plan<T>(shape, true, unaligned), src, out);
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
  std::unique_lock lock(c.mutex);
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
  std::unique_lock lock(c.mutex);
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

}  // namespace fft
}  // namespace hypervec
