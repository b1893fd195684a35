// hypervec.Memory: the cleanup memories (include/hypervec/cleanup.hpp) for
// Python, with batched exact top-k search, explain-away decoding, the greedy
// factor search and the resonator networks (resonator.hpp). memory.hpp has
// the locking rule that makes concurrent searches safe.
#include "src/python/memory.hpp"

#include "src/python/arrays.hpp"
#include "src/python/operands.hpp"
#include "src/python/ops.hpp"

#include <hypervec/codebook.hpp>
#include <hypervec/npy.hpp>
#include <hypervec/model.hpp>
#include <hypervec/resonator.hpp>

#include <pybind11/stl.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>
#include <mutex>
#include <optional>
#include <type_traits>

namespace hypervec::python {

const char* MemoryHolder::kind() const noexcept {
  static constexpr const char* kNames[] = {"packed", "float32", "int8", "complex64"};
  return kNames[memory.index()];
}

std::size_t MemoryHolder::dim() const noexcept {
  return std::visit([](const auto& m) { return m.dim(); }, memory);
}

std::size_t MemoryHolder::size() const {
  std::shared_lock guard(lock);
  return std::visit([](const auto& m) { return m.size(); }, memory);
}

const cleanup::PackedMemory& MemoryHolder::packed(const char* where) const {
  if (const auto* p = std::get_if<cleanup::PackedMemory>(&memory)) return *p;
  value_error(where, std::string("the memory holds ") + kind() +
                         " rows; this needs a packed (BSC) memory");
}

unsigned thread_count(long long threads, const char* where) {
  if (threads < 0 || threads > std::numeric_limits<unsigned>::max()) {
    value_error(where, "threads=" + std::to_string(threads) + "; expected >= 0 (0 = all cores)");
  }
  return static_cast<unsigned>(threads);
}

void check_dim(std::size_t got, std::size_t want, const char* where, const char* arg) {
  if (got == want) return;
  std::string hint;
  if (got == packbits_bytes(want)) {
    hint = " (np.packbits bytes? convert them with hypervec.Packed.from_packbits(bits, " +
           std::to_string(want) + ", one=\"negative\"))";
  }
  value_error(where, std::string(arg) + " has D=" + std::to_string(got) +
                         " but the memory has D=" + std::to_string(want) + hint);
}

namespace {

using Holder = std::shared_ptr<MemoryHolder>;

/// The namedtuple types of the results, made once at registration (leaked on
/// purpose: they must outlive every result, and Python's teardown order).
py::object* search_result_type = nullptr;
py::object* explained_type = nullptr;
py::object* resonance_type = nullptr;
py::object* factor_match_type = nullptr;

cleanup::Metric parse_metric(const std::string& name, const char* where) {
  if (name == "cosine") return cleanup::Metric::cosine;
  if (name == "dot") return cleanup::Metric::dot;
  value_error(where, "metric='" + name + "'; expected 'cosine' or 'dot'");
}

/// `labels` (None or a sequence of str) for `rows` rows: empty for None.
std::vector<std::string> labels_arg(py::handle labels, std::size_t rows, const char* where,
                                    const char* what) {
  std::vector<std::string> out;
  if (labels.is_none()) return out;
  if (py::isinstance<py::str>(labels)) {
    value_error(where, "labels is a str; expected a list of str, one per row");
  }
  for (py::handle l : labels) {
    if (!py::isinstance<py::str>(l)) {
      value_error(where, "labels[" + std::to_string(out.size()) + "] is a " +
                             py::str(l.get_type().attr("__name__")).cast<std::string>() +
                             ", not a str");
    }
    out.push_back(l.cast<std::string>());
  }
  if (out.size() != rows) {
    value_error(where, "labels has " + std::to_string(out.size()) + " entries but " + what +
                           " has " + std::to_string(rows) + " rows");
  }
  return out;
}

/// Requires a batch of shape (M, D).
void require_matrix(const Shape& lead, const char* where, const char* arg) {
  if (lead.size() != 1) {
    value_error(where, std::string(arg) + " has " + std::to_string(lead.size() + 1) +
                           " axes; expected a matrix of shape (M, D)");
  }
}

/// A memory of the kind `codebook` calls for (see the class docstring).
AnyMemory make_memory(py::handle codebook, py::handle labels_obj, const std::string& metric_name) {
  constexpr const char* where = "Memory";
  const cleanup::Metric metric = parse_metric(metric_name, where);
  if (py::isinstance<Packed>(codebook)) {
    const Packed& p = packed_arg(codebook, where, "codebook");
    require_matrix(p.lead(), where, "codebook");
    const auto labels = labels_arg(labels_obj, p.rows(), where, "the codebook");
    py::gil_scoped_release no_gil;
    if (p.rows() == 0) return cleanup::PackedMemory(p.dim());
    return cleanup::PackedMemory(p.view(), labels);
  }
  // torch tensors, DataFrame values, lists: NumPy's view of them picks the kind.
  py::object array = py::reinterpret_borrow<py::object>(codebook);
  if (!py::isinstance<py::array>(codebook)) {
    try {
      array = py::module_::import("numpy").attr("asarray")(codebook);
    } catch (py::error_already_set&) {
      // dense_rows names the argument and its type.
    }
  }
  auto build = [&](auto tag) -> AnyMemory {
    using T = decltype(tag);
    const DenseRows<T> rows = dense_rows<T>(array, where, "codebook");
    require_matrix(rows.lead, where, "codebook");
    const auto labels = labels_arg(labels_obj, rows.rows, where, "the codebook");
    py::gil_scoped_release no_gil;
    if (rows.rows == 0) return cleanup::Memory<T>(rows.dim, metric);
    return cleanup::Memory<T>(rows.view(), labels, metric);
  };
  if (has_dtype<std::int8_t>(array)) return build(std::int8_t{});
  if (is_complex_array(array)) return build(std::complex<float>{});
  return build(float{});
}

/// Labels of rows by id, each made into a Python str once.
class LabelCache {
 public:
  explicit LabelCache(std::size_t rows) : strings_(rows) {}
  py::object get(std::size_t id, const std::string& label) {
    if (!strings_[id]) strings_[id] = py::str(label);
    return strings_[id];
  }

 private:
  std::vector<py::object> strings_;
};

/// The SearchResult of `hits` (one Matches per query): arrays of shape
/// lead + (k,), missing hits (thresholds) as id -1, NaN, label None.
py::object search_result(const std::vector<cleanup::Matches>& hits, const Shape& lead,
                         std::size_t k, std::size_t memory_rows) {
  Shape shape = lead;
  shape.push_back(static_cast<py::ssize_t>(k));
  py::array_t<std::int64_t> ids(shape);
  py::array_t<double> cosines(shape), z(shape), p(shape), scores(shape);
  py::array labels = py::array(py::dtype("O"), shape);
  auto* id_out = ids.mutable_data();
  auto* cos_out = cosines.mutable_data();
  auto* z_out = z.mutable_data();
  auto* p_out = p.mutable_data();
  auto* score_out = scores.mutable_data();
  auto** label_out = static_cast<PyObject**>(labels.mutable_data());
  LabelCache cache(memory_rows);
  const double nan = std::numeric_limits<double>::quiet_NaN();
  for (std::size_t q = 0; q < hits.size(); ++q) {
    for (std::size_t j = 0; j < k; ++j) {
      const std::size_t at = q * k + j;
      if (j < hits[q].size()) {
        const auto& m = hits[q][j];
        id_out[at] = static_cast<std::int64_t>(m.id);
        cos_out[at] = m.cosine, z_out[at] = m.z, p_out[at] = m.p, score_out[at] = m.score;
        py::object s = cache.get(m.id, m.label);
        Py_XDECREF(label_out[at]);
        label_out[at] = s.release().ptr();
      } else {
        id_out[at] = -1;
        cos_out[at] = z_out[at] = p_out[at] = score_out[at] = nan;
        Py_XDECREF(label_out[at]);  // a new object array may hold NULLs, not None
        Py_INCREF(Py_None);
        label_out[at] = Py_None;
      }
    }
  }
  return (*search_result_type)(ids, cosines, z, p, scores, labels);
}

void check_threshold(double x, const char* where, const char* name) {
  if (std::isnan(x)) value_error(where, std::string(name) + " is NaN");
}

/// The search options; ValueError for k outside 1..M or NaN thresholds.
cleanup::Options search_options(std::size_t k, std::optional<double> min_cosine,
                                std::optional<double> min_z, unsigned threads, std::size_t rows,
                                const char* where) {
  if (rows == 0) value_error(where, "the memory is empty; add rows before searching");
  if (k == 0 || k > rows) {
    value_error(where, "k=" + std::to_string(k) + " is out of range: the memory has " +
                           std::to_string(rows) + " rows (1 <= k <= " + std::to_string(rows) + ")");
  }
  cleanup::Options o;
  o.k = k;
  if (min_cosine) check_threshold(*min_cosine, where, "min_cosine"), o.min_cosine = *min_cosine;
  if (min_z) check_threshold(*min_z, where, "min_z"), o.min_z = *min_z;
  o.threads = threads;
  return o;
}

/// Searches `rows` (anything with .view(), .rows, .dim, .lead) against `m`
/// with the GIL released under the shared lock.
template <typename M, typename Rows>
py::object run_search(const MemoryHolder& h, const M& m, const Rows& rows,
                      const cleanup::Options& o) {
  check_dim(rows.dim, m.dim(), "Memory.search", "queries");
  std::vector<cleanup::Matches> hits;
  if (rows.rows != 0) {
    py::gil_scoped_release no_gil;
    std::shared_lock guard(h.lock);
    hits = m.search(rows.view(), o);
  }
  return search_result(hits, rows.lead, o.k, m.size());
}

py::object search(const Holder& h, py::handle queries, std::size_t k,
                  std::optional<double> min_cosine, std::optional<double> min_z,
                  long long threads_arg) {
  constexpr const char* where = "Memory.search";
  const unsigned threads = thread_count(threads_arg, where);
  const cleanup::Options o = search_options(k, min_cosine, min_z, threads, h->size(), where);
  return std::visit(
      [&](const auto& m) -> py::object {
        using M = std::decay_t<decltype(m)>;
        if constexpr (std::is_same_v<M, cleanup::PackedMemory>) {
          if (py::isinstance<Packed>(queries)) {
            const Packed& p = packed_arg(queries, where, "queries");
            const PackedRows rows{&p, py::reinterpret_borrow<py::object>(queries), p.lead(),
                                  p.rows(), p.dim()};
            return run_search(*h, m, rows, o);
          }
          // Mixed: float queries against the packed rows.
          return run_search(*h, m, dense_rows<float>(queries, where, "queries"), o);
        } else {
          using T = std::remove_cvref_t<typename M::View::element_type>;
          return run_search(*h, m, dense_rows<T>(queries, where, "queries"), o);
        }
      },
      h->memory);
}

/// Appends rows (a matrix, with `labels`) or one row (a vector, with a str
/// label); returns the new ids.
py::array_t<std::int64_t> add(const Holder& h, py::handle rows_obj, py::handle labels_obj) {
  constexpr const char* where = "Memory.add";
  return std::visit(
      [&](auto& m) -> py::array_t<std::int64_t> {
        using M = std::decay_t<decltype(m)>;
        auto append = [&](const auto& rows) {
          check_dim(rows.dim, m.dim(), where, "rows");
          if (rows.lead.size() > 1) require_matrix(rows.lead, where, "rows");
          std::vector<std::string> labels;
          if (rows.lead.empty()) {  // one vector
            if (!labels_obj.is_none() && !py::isinstance<py::str>(labels_obj)) {
              value_error(where, "one row takes one label (a str)");
            }
            if (!labels_obj.is_none()) labels.push_back(labels_obj.cast<std::string>());
          } else {
            labels = labels_arg(labels_obj, rows.rows, where, "rows");
          }
          std::size_t first = 0;
          {
            py::gil_scoped_release no_gil;
            std::unique_lock guard(h->lock);
            first = m.size();
            if (rows.rows != 0) m.add(rows.view(), labels);
          }
          py::array_t<std::int64_t> ids(static_cast<py::ssize_t>(rows.rows));
          for (std::size_t i = 0; i < rows.rows; ++i) {
            ids.mutable_data()[i] = static_cast<std::int64_t>(first + i);
          }
          return ids;
        };
        if constexpr (std::is_same_v<M, cleanup::PackedMemory>) {
          const Packed& p = packed_arg(rows_obj, where, "rows");
          return append(PackedRows{&p, py::reinterpret_borrow<py::object>(rows_obj), p.lead(),
                                   p.rows(), p.dim()});
        } else {
          using T = std::remove_cvref_t<typename M::View::element_type>;
          return append(dense_rows<T>(rows_obj, where, "rows"));
        }
      },
      h->memory);
}

/// Every label, as a NumPy object array of length M (so labels[ids] works).
py::array labels_array(const MemoryHolder& h) {
  std::vector<std::string> labels;
  {
    py::gil_scoped_release no_gil;
    std::shared_lock guard(h.lock);
    std::visit([&](const auto& m) {
      for (std::size_t i = 0; i < m.size(); ++i) labels.push_back(m.label(i));
    }, h.memory);
  }
  py::array out(py::dtype("O"), Shape{static_cast<py::ssize_t>(labels.size())});
  auto** o = static_cast<PyObject**>(out.mutable_data());
  for (std::size_t i = 0; i < labels.size(); ++i) {
    Py_XDECREF(o[i]);
    o[i] = py::str(labels[i]).release().ptr();
  }
  return out;
}

/// A copy of the rows: Packed (M, D) or an ndarray (M, D).
py::object codebook_copy(const MemoryHolder& h) {
  return std::visit(
      [&](const auto& m) -> py::object {
        using M = std::decay_t<decltype(m)>;
        if constexpr (std::is_same_v<M, cleanup::PackedMemory>) {
          PackedMatrix copy;
          {
            py::gil_scoped_release no_gil;
            std::shared_lock guard(h.lock);
            const auto v = m.view();
            copy = PackedMatrix(v.rows, m.dim());
            for (std::size_t i = 0; i < v.rows; ++i) {
              std::copy_n(v.row(i).words, packed_words(m.dim()), copy.row_span(i).words);
            }
          }
          return py::cast(Packed::from_matrix(std::move(copy)));
        } else {
          using T = std::remove_cvref_t<typename M::View::element_type>;
          DenseMatrix<T> copy;
          {
            py::gil_scoped_release no_gil;
            std::shared_lock guard(h.lock);
            const auto v = m.view();
            copy = DenseMatrix<T>(v.rows, m.dim());
            for (std::size_t i = 0; i < v.rows; ++i) {
              const auto r = v.row(i);
              std::copy(r.begin(), r.end(), copy.row(i).begin());
            }
          }
          return owning_array(std::move(copy));
        }
      },
      h.memory);
}

/// The explain-away items as an Explained namedtuple of arrays.
py::object explained(const std::vector<cleanup::Decoded>& items) {
  const auto n = static_cast<py::ssize_t>(items.size());
  py::array_t<std::int64_t> ids(n);
  py::array_t<double> weights(n), cosines(n), z(n);
  py::list labels;
  for (py::ssize_t i = 0; i < n; ++i) {
    const auto& d = items[static_cast<std::size_t>(i)];
    ids.mutable_data()[i] = static_cast<std::int64_t>(d.match.id);
    weights.mutable_data()[i] = d.weight;
    cosines.mutable_data()[i] = d.match.cosine;
    z.mutable_data()[i] = d.match.z;
    labels.append(py::str(d.match.label));
  }
  return (*explained_type)(ids, weights, cosines, z, labels);
}

/// One vector argument (shape (D,)) of `where`.
template <typename Rows>
void require_vector(const Rows& rows, std::size_t dim, const char* where, const char* arg) {
  if (!rows.lead.empty()) {
    value_error(where, std::string(arg) + " has shape " + shape_text(rows.lead) +
                           " + (D,); expected one vector of shape (D,)");
  }
  check_dim(rows.dim, dim, where, arg);
}

py::object explain_away(const Holder& h, py::handle bundle, double min_z, std::size_t max_items,
                        long long threads_arg) {
  constexpr const char* where = "Memory.explain_away";
  const unsigned threads = thread_count(threads_arg, where);
  check_threshold(min_z, where, "min_z");
  if (h->size() == 0) value_error(where, "the memory is empty");
  cleanup::ExplainAwayOptions o;
  o.min_z = min_z, o.max_items = max_items, o.threads = threads;
  return std::visit(
      [&](const auto& m) -> py::object {
        using M = std::decay_t<decltype(m)>;
        std::vector<cleanup::Decoded> items;
        if constexpr (std::is_same_v<M, cleanup::Int8Memory>) {
          value_error(where, "int8 memories have no explain-away decoding; use a float32 memory");
        } else if constexpr (std::is_same_v<M, cleanup::PackedMemory>) {
          if (py::isinstance<Packed>(bundle)) {
            const Packed& p = packed_arg(bundle, where, "bundle");
            require_vector(PackedRows{&p, {}, p.lead(), p.rows(), p.dim()}, m.dim(), where, "bundle");
            py::gil_scoped_release no_gil;
            std::shared_lock guard(h->lock);
            items = cleanup::explain_away(m, p.row(0), o);
          } else {
            const auto rows = dense_rows<float>(bundle, where, "bundle");
            require_vector(rows, m.dim(), where, "bundle");
            py::gil_scoped_release no_gil;
            std::shared_lock guard(h->lock);
            items = cleanup::explain_away(m, rows.row(0), o);
          }
        } else {
          using T = std::remove_cvref_t<typename M::View::element_type>;
          const auto rows = dense_rows<T>(bundle, where, "bundle");
          require_vector(rows, m.dim(), where, "bundle");
          py::gil_scoped_release no_gil;
          std::shared_lock guard(h->lock);
          items = cleanup::explain_away(m, rows.row(0), o);
        }
        return explained(items);
      },
      h->memory);
}

py::object greedy_factor_search(const Holder& h, const Holder& keys, py::handle v,
                                std::optional<double> min_cosine, std::optional<double> min_z,
                                long long threads_arg) {
  constexpr const char* where = "Memory.greedy_factor_search";
  const unsigned threads = thread_count(threads_arg, where);
  const auto& m = h->packed(where);
  const auto& k = keys->packed(where);
  if (h->size() == 0 || keys->size() == 0) value_error(where, "a memory is empty");
  cleanup::Options o = search_options(1, min_cosine, min_z, threads, h->size(), where);
  check_dim(k.dim(), m.dim(), where, "keys");
  std::optional<cleanup::FactorMatch> found;
  if (py::isinstance<Packed>(v)) {
    const Packed& p = packed_arg(v, where, "v");
    require_vector(PackedRows{&p, {}, p.lead(), p.rows(), p.dim()}, m.dim(), where, "v");
    py::gil_scoped_release no_gil;
    std::shared_lock g1(h->lock);
    std::shared_lock g2(keys->lock, std::defer_lock);
    if (keys != h) g2.lock();
    found = cleanup::greedy_factor_search(m, k, p.row(0), o);
  } else {
    const auto rows = dense_rows<float>(v, where, "v");
    require_vector(rows, m.dim(), where, "v");
    py::gil_scoped_release no_gil;
    std::shared_lock g1(h->lock);
    std::shared_lock g2(keys->lock, std::defer_lock);
    if (keys != h) g2.lock();
    found = cleanup::greedy_factor_search(m, k, rows.row(0), o);
  }
  if (!found) return py::none();
  const auto& x = found->match;
  return (*factor_match_type)(found->key, x.id, x.label, x.cosine, x.z);
}

/// Every codebook read-locked for a whole resonator run (in list order; shared
/// locks cannot deadlock each other, and writers never hold the GIL). A
/// memory given twice is locked once.
std::vector<std::shared_lock<std::shared_mutex>> lock_all(const std::vector<Holder>& codebooks) {
  std::vector<std::shared_lock<std::shared_mutex>> locks;
  std::vector<const MemoryHolder*> seen;
  for (const auto& c : codebooks) {
    if (std::find(seen.begin(), seen.end(), c.get()) != seen.end()) continue;
    seen.push_back(c.get());
    locks.emplace_back(c->lock);
  }
  return locks;
}

/// resonate<M> for a dense model: s as M's components, every codebook a
/// memory of M's rows (ValueError naming the codebook otherwise).
template <typename M>
cleanup::ResonatorResult resonate_dense(py::handle s, const std::vector<Holder>& codebooks,
                                        const std::string& vsa,
                                        const cleanup::ResonatorOptions& options) {
  constexpr const char* where = "resonate";
  using T = std::remove_const_t<typename M::View::element_type>;
  using Book = typename M::Memory;
  const auto rows = dense_rows<T>(s, where, "s");
  std::vector<const Book*> books;
  for (std::size_t f = 0; f < codebooks.size(); ++f) {
    const auto* b = std::get_if<Book>(&codebooks[f]->memory);
    if (!b) {
      value_error(where, "vsa=" + vsa + " needs " + (std::is_same_v<T, float> ? "float32" :
                                                     "complex64") +
                             " memories, but codebooks[" + std::to_string(f) + "] holds " +
                             codebooks[f]->kind() + " rows");
    }
    books.push_back(b);
  }
  require_vector(rows, books[0]->dim(), where, "s");
  py::gil_scoped_release no_gil;
  const auto locks = lock_all(codebooks);
  return cleanup::resonate<M>(rows.row(0), books, options);
}

/// resonate(s, codebooks, vsa=None): the model is vsa, or s's (Packed: BSC,
/// the packed memories; complex: FHRR; float32: HRR, as before vsa existed;
/// vsa="MAP" for dense MAP on float32 memories).
py::object resonate(py::handle s, const std::vector<Holder>& codebooks, py::object vsa_arg,
                    std::size_t max_iterations, double tolerance, bool unitary_estimates) {
  constexpr const char* where = "resonate";
  if (codebooks.empty()) value_error(where, "codebooks is empty; give one memory per factor");
  for (std::size_t f = 0; f < codebooks.size(); ++f) {
    if (!codebooks[f]) value_error(where, "codebooks[" + std::to_string(f) + "] is None");
    if (codebooks[f]->size() == 0) {
      value_error(where, "codebooks[" + std::to_string(f) + "] is empty");
    }
  }
  if (max_iterations == 0) value_error(where, "max_iterations is 0");
  if (!(tolerance >= 0)) value_error(where, "tolerance must be >= 0 (not NaN)");
  cleanup::ResonatorOptions o;
  o.max_iterations = max_iterations, o.tolerance = tolerance;
  o.unitary_estimates = unitary_estimates;
  const bool packed = py::isinstance<Packed>(s);
  const bool complex = !packed && is_complex_array(s);
  const std::string inferred = packed ? "BSC" : complex ? "FHRR" : "HRR";
  std::string vsa = inferred;
  if (!vsa_arg.is_none()) {
    vsa = py::cast<std::string>(vsa_arg);
    const bool known = vsa == "BSC" || vsa == "MAP" || vsa == "HRR" || vsa == "FHRR";
    if (!known) value_error(where, "vsa='" + vsa + "' is not one of 'BSC', 'MAP', 'HRR', 'FHRR'");
    const bool fits = packed ? vsa == "BSC" : complex ? vsa == "FHRR" : vsa == "MAP" || vsa == "HRR";
    if (!fits) {
      value_error(where, "vsa='" + vsa + "' does not match s (" +
                             (packed ? "Packed: BSC" : complex ? "complex: FHRR" :
                                                               "float: MAP or HRR") + ")");
    }
  }
  cleanup::ResonatorResult r;
  if (packed) {
    const Packed& p = packed_arg(s, where, "s");
    std::vector<const cleanup::PackedMemory*> books;
    for (std::size_t f = 0; f < codebooks.size(); ++f) {
      const std::string name = "resonate (codebooks[" + std::to_string(f) + "])";
      books.push_back(&codebooks[f]->packed(name.c_str()));
    }
    require_vector(PackedRows{&p, {}, p.lead(), p.rows(), p.dim()}, books[0]->dim(), where, "s");
    py::gil_scoped_release no_gil;
    const auto locks = lock_all(codebooks);
    r = cleanup::resonate(p.row(0), books, o);
  } else if (vsa == "FHRR") {
    r = resonate_dense<models::Fhrr>(s, codebooks, vsa, o);
  } else if (vsa == "MAP") {
    r = resonate_dense<models::DenseMap>(s, codebooks, vsa, o);
  } else {
    r = resonate_dense<models::Hrr<float>>(s, codebooks, vsa, o);
  }
  py::list labels;
  py::array_t<double> cosines(static_cast<py::ssize_t>(r.matches.size()));
  for (std::size_t f = 0; f < r.matches.size(); ++f) {
    labels.append(py::str(r.matches[f].label));
    cosines.mutable_data()[f] = r.matches[f].cosine;
  }
  py::array_t<std::int64_t> factors(static_cast<py::ssize_t>(r.factors.size()));
  for (std::size_t f = 0; f < r.factors.size(); ++f) {
    factors.mutable_data()[f] = static_cast<std::int64_t>(r.factors[f]);
  }
  return (*resonance_type)(factors, labels, cosines, r.iterations, r.converged);
}

/// Memory.load: a codebook .npy as the CLI reads it (codebook.hpp), whole
/// or, with `rows` (a slice or range, step 1), only rows [start, stop) of the
/// file with their labels, read with npy::RowReader (a shard of a codebook
/// split over processes: hypervec.distributed).
Holder load(const std::string& path, std::optional<std::string> labels_path, std::size_t dim,
            py::object rows) {
  const char* where = "Memory.load";
  if (rows.is_none()) {
    py::gil_scoped_release no_gil;
    if (labels_path) return std::make_shared<MemoryHolder>(codebook::load(path, *labels_path, dim));
    const PackedMatrix all = npy::load_bipolar(path, dim);
    if (all.rows() == 0) return std::make_shared<MemoryHolder>(cleanup::PackedMemory(all.dim()));
    return std::make_shared<MemoryHolder>(cleanup::PackedMemory(all.view()));
  }
  if (!py::isinstance<py::slice>(rows) && !py::isinstance(rows, py::module_::import("builtins").attr("range"))) {
    value_error(where, "rows is a " + std::string(py::str(rows.get_type().attr("__name__"))) +
                           "; expected a slice or range of row numbers, e.g. slice(1000, 2000)");
  }
  auto bound = [&](const char* name) -> std::optional<py::ssize_t> {
    const py::object v = rows.attr(name);
    if (v.is_none()) return std::nullopt;
    if (!py::isinstance<py::int_>(v)) value_error(where, std::string("rows.") + name + " is not an int");
    return v.cast<py::ssize_t>();
  };
  const auto start = bound("start"), stop = bound("stop"), step = bound("step");
  if (step && *step != 1) value_error(where, "rows has step " + std::to_string(*step) + "; only step 1 is read");
  if ((start && *start < 0) || (stop && *stop < 0)) {
    value_error(where, "rows has a negative bound; give row numbers from 0");
  }
  py::gil_scoped_release no_gil;
  const npy::RowReader reader(path);
  const std::size_t first = start ? static_cast<std::size_t>(*start) : 0;
  const std::size_t last = stop ? static_cast<std::size_t>(*stop) : reader.rows();
  if (first > last) {
    throw InvalidArgument(hypervec::detail::concat(where, ": rows [", first, ", ", last, ") is reversed"));
  }
  const std::vector<std::string> labels =
      labels_path ? codebook::read_labels(*labels_path) : std::vector<std::string>{};
  cleanup::PackedMemory memory =
      codebook::load_rows(reader, labels, labels_path.value_or(""), first, last - first, dim);
  return std::make_shared<MemoryHolder>(std::move(memory));
}

std::string repr(const MemoryHolder& h) {
  return "hypervec.Memory(" + std::string(h.kind()) + ", M=" + std::to_string(h.size()) +
         ", D=" + std::to_string(h.dim()) + ")";
}

py::object make_namedtuple(const char* name, std::vector<const char*> fields, const char* doc) {
  py::object t = py::module_::import("collections").attr("namedtuple")(name, py::cast(fields));
  t.attr("__doc__") = doc;
  t.attr("__module__") = "hypervec";
  return t;
}

}  // namespace

void register_memory(py::module_ m) {
  search_result_type = new py::object(make_namedtuple(
      "SearchResult", {"ids", "cosines", "z", "p", "scores", "labels"},
      "Top-k of a batch of queries: arrays of shape (..., k), best first. ids (int64), cosines,\n"
      "z (= cosine * sqrt(D); phasors sqrt(2D)), p (one-sided p-value of z) and scores (the\n"
      "ranking key: dot, or dot/|r| for metric='cosine'), all float64; labels (object array of\n"
      "str). A hit that fails min_cosine/min_z is id -1, NaN, label None (abstain)."));
  explained_type = new py::object(make_namedtuple(
      "Explained", {"ids", "weights", "cosines", "z", "labels"},
      "Explain-away items in the order found: row ids, fitted weights, and each match's\n"
      "cosine and z against the residual when it was taken."));
  resonance_type = new py::object(make_namedtuple(
      "Resonance", {"factors", "labels", "cosines", "iterations", "converged"},
      "Resonator result: the decoded row id and label per codebook, each final estimate's\n"
      "cosine with it, the sweeps run and whether a fixed point was reached."));
  factor_match_type = new py::object(make_namedtuple(
      "FactorMatch", {"key", "id", "label", "cosine", "z"},
      "Greedy factor search: the winning key (row of keys) and its best match."));
  m.attr("SearchResult") = *search_result_type;
  m.attr("Explained") = *explained_type;
  m.attr("Resonance") = *resonance_type;
  m.attr("FactorMatch") = *factor_match_type;

  py::class_<MemoryHolder, Holder>(m, "Memory", R"doc(
Cleanup memory: a labelled codebook of M rows searched exactly (top-k by cosine).

Memory(codebook, labels=None, *, metric="cosine")

codebook (M, D) picks the memory kind:
  hypervec.Packed       packed bipolar rows (BSC, or MAP bipolar at 1 bit per component)
  float32 ndarray       real rows (MAP-C, HRR); other real dtypes convert
  int8 ndarray          int8 rows (MAP-B/I), exact integer scores; D <= 133152
  complex64 ndarray     FHRR phasor rows; score Re sum q conj(r), z = cosine * sqrt(2D)
labels: None (all empty) or M distinct str. metric ('cosine' or 'dot') ranks float,
int8 and phasor rows; packed rows always rank by dot (= cosine order).

Searches release the GIL and may run from several threads at once; add() waits for
running searches (a reader-writer lock), so the memory never changes under a search.
)doc")
      .def(py::init([](py::handle codebook, py::handle labels, const std::string& metric) {
             return std::make_shared<MemoryHolder>(make_memory(codebook, labels, metric));
           }),
           py::arg("codebook"), py::arg("labels") = py::none(), py::kw_only(),
           py::arg("metric") = "cosine")
      .def_static("load", &load, py::arg("path"), py::arg("labels_path") = py::none(),
                  py::kw_only(), py::arg("dim") = 0, py::arg("rows") = py::none(), R"doc(
A packed memory from a codebook .npy, read as `hypervec decode --codebook` does:
float32/float64 or int8 +-1 rows, or np.packbits uint8 rows with bit 1 = -1
(np.packbits(x < 0, axis=1)) and dim=D given. labels_path: a labels file, one
label per line, one per row (the CLI's --labels); None leaves the labels empty.
rows: None (all) or a slice/range [start, stop) of the file's rows, step 1: only
those rows are read (with their labels; the labels file still has one per row of
the file), and the memory's row i is the file's row start + i. An empty range
gives an empty memory of the file's D. hypervec.distributed shards a codebook so.
Raises OSError for unreadable or malformed files, ValueError for a row/label
mismatch or rows outside the file.)doc")
      .def("search", &search, py::arg("queries"), py::arg("k") = 1, py::kw_only(),
           py::arg("min_cosine") = py::none(), py::arg("min_z") = py::none(),
           py::arg("threads") = 0, R"doc(
Exact top-k of every query of a batch (..., D): a SearchResult of arrays (..., k),
best first, ties to the lower id; identical for every thread count.

Queries: Packed for a packed memory, or float32 (mixed: float queries against the
packed rows at 1 bit per component); float32 for float rows, int8 for int8 rows,
complex64 for phasor rows. A hit below min_cosine or min_z is reported as id -1
(NaN scores, label None). ValueError for k outside 1..M, an empty memory, D not the
memory's, NaN/Inf in a query. threads: worker threads, 0 = all cores. The GIL is
released while searching.)doc")
      .def("add", &add, py::arg("rows"), py::arg("labels") = py::none(), R"doc(
Appends rows (M', D) with labels (None or M' str), or one row (D,) with one label
(str or None); returns the new ids. Duplicate non-empty labels raise ValueError and
add nothing. Waits for running searches.)doc")
      .def("find", [](const MemoryHolder& h, const std::string& label) {
             std::shared_lock guard(h.lock);
             return std::visit([&](const auto& m) { return m.find(label); }, h.memory);
           }, py::arg("label"), "The id of the row labelled `label`, or None.")
      .def("codebook", &codebook_copy, "A copy of the rows: Packed or ndarray of shape (M, D).")
      .def("explain_away", &explain_away, py::arg("bundle"), py::kw_only(),
           py::arg("min_z") = 4.0, py::arg("max_items") = 0, py::arg("threads") = 0, R"doc(
Explain-away decoding (matching pursuit) of one bundle s ~ sum_k w_k c_k of rows:
r <- s; repeat { c = best row for r; stop if its z < min_z; w = <r, c> / |c|^2;
r <- r - w c }. Returns an Explained namedtuple (ids, weights, cosines, z, labels)
in the order found. bundle: float32 (D,) or Packed (D,) for a packed memory (e.g.
the integer sums of a bundle as float), float32 for float rows, complex64 for
phasor rows. max_items: 0 = M. int8 memories raise ValueError.)doc")
      .def("greedy_factor_search", &greedy_factor_search, py::arg("keys"), py::arg("v"),
           py::kw_only(), py::arg("min_cosine") = py::none(), py::arg("min_z") = py::none(),
           py::arg("threads") = 0, R"doc(
The probe's greedy factor search (packed memories): for every row c of `keys`
(a packed Memory) unbind u = v * c and find u's best match here; returns the
FactorMatch (key, id, label, cosine, z) of the best key, or None when no match
passes the thresholds. v: Packed (D,) or float32 (D,).)doc")
      .def("__len__", &MemoryHolder::size)
      .def("__repr__", &repr)
      .def_property_readonly("dim", &MemoryHolder::dim, "D, the components per row.")
      .def_property_readonly("kind", &MemoryHolder::kind,
                             "'packed', 'float32', 'int8' or 'complex64'.")
      .def_property_readonly("metric", [](const MemoryHolder& h) -> py::object {
             if (std::holds_alternative<cleanup::PackedMemory>(h.memory)) return py::none();
             const auto metric = std::visit(
                 [](const auto& m) {
                   if constexpr (std::is_same_v<std::decay_t<decltype(m)>, cleanup::PackedMemory>) {
                     return cleanup::Metric::dot;
                   } else {
                     return m.metric();
                   }
                 },
                 h.memory);
             return py::str(metric == cleanup::Metric::cosine ? "cosine" : "dot");
           }, "'cosine' or 'dot' (None for packed rows, which rank by dot).")
      .def_property_readonly("labels", &labels_array,
                             "Every row's label: an object array of length M (labels[ids] works).");

  m.def("resonate", &resonate, py::arg("s"), py::arg("codebooks"), py::kw_only(),
        py::arg("vsa") = py::none(), py::arg("max_iterations") = 200, py::arg("tolerance") = 1e-4,
        py::arg("unitary_estimates") = false, R"doc(
Resonator network (Frady et al. 2020): factorises s = x_1 * ... * x_F with x_f a row of
codebooks[f] (a list of Memory), for every model. vsa=None takes the model from s:
Packed (D,) -> BSC (packed memories, bind = XOR); complex64 (D,) -> FHRR (complex64
memories, phasor estimates); float32 (D,) -> HRR (float32 memories of unit-norm,
best unitary, rows; bind = circular convolution). vsa="MAP" runs dense MAP on a
float32 s and float32 ±1 memories (the same steps as BSC on the packed rows).
tolerance applies to HRR and FHRR, unitary_estimates to HRR. Returns a Resonance
namedtuple (factors, labels, cosines, iterations, converged). Deterministic; the GIL
is released.)doc");
}

}  // namespace hypervec::python
