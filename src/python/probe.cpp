// hypervec.probe.Decoder: the Hyperdimensional Probe's decoder stage
// (include/hypervec/probe.hpp, docs/probe.md) over a packed hypervec.Memory.
// One decode call runs every subset query of every document as one search,
// the GIL released and the memory read-locked (memory.hpp); results are the
// CLI's (`hypervec decode`) answers as Python dicts.
#include "src/python/arrays.hpp"
#include "src/python/memory.hpp"
#include "src/python/ops.hpp"

#include <hypervec/probe.hpp>

#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <memory>
#include <mutex>
#include <optional>

namespace hypervec::python {
namespace {

using Holder = std::shared_ptr<MemoryHolder>;

/// The decoder and the memory it reads (kept alive by the Python object).
struct ProbeDecoder {
  Holder memory;
  std::unique_ptr<probe::Decoder> decoder;
};

probe::Selection parse_selection(const std::string& name) {
  if (name == "best_score") return probe::Selection::best_score;
  if (name == "paper") return probe::Selection::paper;
  value_error("probe.Decoder", "selection='" + name + "'; expected 'best_score' or 'paper'");
}

probe::FloatInput parse_float_input(const std::string& name) {
  if (name == "as_is") return probe::FloatInput::as_is;
  if (name == "sign") return probe::FloatInput::sign;
  value_error("probe.Decoder", "float_input='" + name + "'; expected 'as_is' or 'sign'");
}

ProbeDecoder make_decoder(const Holder& memory, std::size_t k, double min_cosine,
                          bool exclude_context, const std::string& selection, bool greedy,
                          double greedy_trigger, const std::string& float_input,
                          bool explain_away, double explain_min_z, bool report_queries,
                          long long threads_arg) {
  constexpr const char* where = "probe.Decoder";
  const unsigned threads = thread_count(threads_arg, where);
  if (!memory) value_error(where, "memory is None");
  const auto& book = memory->packed(where);
  const std::size_t rows = memory->size();
  if (rows == 0) value_error(where, "the memory is empty");
  if (k == 0 || k > rows) {
    value_error(where, "k=" + std::to_string(k) + " is out of range: the memory has " +
                           std::to_string(rows) + " rows");
  }
  for (const auto& [name, x] : {std::pair{"min_cosine", min_cosine},
                                std::pair{"greedy_trigger", greedy_trigger},
                                std::pair{"explain_min_z", explain_min_z}}) {
    if (!std::isfinite(x)) value_error(where, std::string(name) + " must be finite");
  }
  probe::Options o;
  o.k = k;
  o.min_cosine = min_cosine;
  o.exclude_context = exclude_context;
  o.selection = parse_selection(selection);
  o.greedy = greedy;
  o.greedy_trigger = greedy_trigger;
  o.float_input = parse_float_input(float_input);
  o.explain_away = explain_away;
  o.explain_min_z = explain_min_z;
  o.report_queries = report_queries;
  o.threads = threads;
  std::shared_lock guard(memory->lock);
  return {memory, std::make_unique<probe::Decoder>(book, o)};
}

/// `obj` as a Python sequence (NumPy arrays through tolist()).
py::object as_list(py::handle obj) {
  if (py::hasattr(obj, "tolist")) return obj.attr("tolist")();
  return py::reinterpret_borrow<py::object>(obj);
}

/// A document's atom as given: an id, or a label still to look up.
struct AtomRef {
  std::size_t id = 0;
  std::optional<std::string> label;
  std::string what;  // "contexts[3][1]", for messages
};

/// One codebook reference of a document: an id (int >= 0) or a label (str).
AtomRef atom_ref(py::handle x, std::string what, const char* where) {
  if (py::isinstance<py::str>(x)) return {0, x.cast<std::string>(), std::move(what)};
  py::object i = py::reinterpret_steal<py::object>(PyNumber_Index(x.ptr()));
  if (!i) {
    PyErr_Clear();
    value_error(where, what + " is a " + py::str(x.get_type().attr("__name__")).cast<std::string>() +
                           "; expected a codebook id (int) or label (str)");
  }
  const auto v = i.cast<long long>();
  if (v < 0) value_error(where, what + " is " + std::to_string(v) + "; ids are >= 0");
  return {static_cast<std::size_t>(v), std::nullopt, std::move(what)};
}

/// The documents' contexts and targets as given (Python objects read, no lookup yet).
struct DocumentRefs {
  std::vector<std::vector<AtomRef>> contexts;
  std::vector<std::optional<AtomRef>> targets;
};

DocumentRefs document_refs(py::handle contexts_obj, py::handle targets_obj, std::size_t n,
                           const char* where) {
  const py::object contexts = as_list(contexts_obj);
  if (py::len(contexts) != n) {
    value_error(where, "contexts has " + std::to_string(py::len(contexts)) +
                           " entries but vectors has " + std::to_string(n) + " documents");
  }
  DocumentRefs refs;
  refs.contexts.resize(n);
  refs.targets.resize(n);
  std::size_t d = 0;
  for (py::handle context : contexts) {
    if (py::isinstance<py::str>(context)) {
      value_error(where, "contexts[" + std::to_string(d) + "] is a str; expected a list of atoms");
    }
    std::size_t j = 0;
    for (py::handle atom : context) {
      refs.contexts[d].push_back(
          atom_ref(atom, "contexts[" + std::to_string(d) + "][" + std::to_string(j) + "]", where));
      ++j;
    }
    ++d;
  }
  if (!targets_obj.is_none()) {
    const py::object targets = as_list(targets_obj);
    if (py::len(targets) != n) {
      value_error(where, "targets has " + std::to_string(py::len(targets)) +
                             " entries but vectors has " + std::to_string(n) + " documents");
    }
    d = 0;
    for (py::handle t : targets) {
      // None (or -1 in an int array) means no target.
      const bool none = t.is_none() || (py::isinstance<py::int_>(t) && t.cast<long long>() == -1);
      if (!none) refs.targets[d] = atom_ref(t, "targets[" + std::to_string(d) + "]", where);
      ++d;
    }
  }
  return refs;
}

/// The documents, labels looked up in `book` (pure C++: called under the
/// memory's lock without the GIL). An unknown label sets `error`.
std::vector<probe::Document> resolve(const DocumentRefs& refs, const cleanup::PackedMemory& book,
                                     std::string& error) {
  std::vector<probe::Document> docs(refs.contexts.size());
  auto id_of = [&](const AtomRef& a) -> std::size_t {
    if (!a.label) return a.id;
    const auto id = book.find(*a.label);
    if (!id && error.empty()) error = a.what + " '" + *a.label + "' is not a label of the memory";
    return id.value_or(0);
  };
  for (std::size_t d = 0; d < docs.size(); ++d) {
    for (const auto& a : refs.contexts[d]) docs[d].context.push_back(id_of(a));
    if (refs.targets[d]) docs[d].target = id_of(*refs.targets[d]);
  }
  return docs;
}

/// The labels a decoding's dict names besides its answers' (copied under the lock).
struct DecodingLabels {
  std::vector<std::string> query;
  std::optional<std::string> greedy_key, target;
  std::vector<std::vector<std::string>> per_query_atoms;
  std::vector<std::optional<std::string>> artefacts;
};

DecodingLabels labels_of(const probe::Decoding& r, const cleanup::PackedMemory& book) {
  DecodingLabels l;
  for (const auto id : r.query) l.query.push_back(book.label(id));
  if (r.greedy_key) l.greedy_key = book.label(*r.greedy_key);
  if (r.target) l.target = book.label(*r.target);
  for (const auto& q : r.per_query) {
    l.per_query_atoms.emplace_back();
    for (const auto id : q.atoms) l.per_query_atoms.back().push_back(book.label(id));
    l.artefacts.push_back(q.artefact_atom ? std::optional(book.label(*q.artefact_atom))
                                          : std::nullopt);
  }
  return l;
}

/// Builds decode()'s dicts (and decode_columns()' label strs) with the GIL held, at C-API speed: 10^5 documents
/// make ~10^6 dicts, and pybind11's `d["key"] = value` creates the key's str on
/// every call. Keys are made once per decode call, and each codebook label's
/// str once per call (answers and queries repeat a few thousand labels).
class DictBuilder {
 public:
  explicit DictBuilder(std::size_t rows) : labels_(rows) {}

  py::dict answers_item(const probe::Answer& a) {
    py::dict x;
    set(x, k_id, size(a.id));
    set(x, k_label, label(a.id, a.label));
    set(x, k_cosine, real(a.cosine));
    set(x, k_z, real(a.z));
    set(x, k_p, real(a.p));
    return x;
  }

  py::list answers(const std::vector<probe::Answer>& answers) {
    py::list out(answers.size());
    for (std::size_t i = 0; i < answers.size(); ++i) put(out, i, answers_item(answers[i]));
    return out;
  }

  py::dict decoding(std::size_t doc, const probe::Decoding& r, const DecodingLabels& l,
                    bool per_query) {
    py::dict j;
    set(j, k_doc, size(doc));
    set(j, k_query, labels(r.query, l.query));
    set(j, k_query_ids, sizes(r.query));
    set(j, k_answers, answers(r.answers));
    set(j, k_reason, py::str(r.reason));
    set(j, k_greedy_key, r.greedy_key ? label(*r.greedy_key, *l.greedy_key) : py::none());
    set(j, k_greedy_key_id, r.greedy_key ? size(*r.greedy_key) : py::none());
    set(j, k_query_index, size(r.query_index));
    set(j, k_queries, size(r.queries));
    set(j, k_artefacts, size(r.artefacts));
    set(j, k_target, r.target ? label(*r.target, *l.target) : py::none());
    set(j, k_target_id, r.target ? size(*r.target) : py::none());
    set(j, k_rank, r.rank ? size(*r.rank) : py::none());
    set(j, k_role, r.target ? role(r.role) : py::none());
    set(j, k_inverted_cosine, real(r.inverted_cosine));
    if (per_query) {
      py::list queries(r.per_query.size());
      for (std::size_t i = 0; i < r.per_query.size(); ++i) {
        const auto& q = r.per_query[i];
        py::dict x;
        set(x, k_atoms, labels(q.atoms, l.per_query_atoms[i]));
        set(x, k_atom_ids, sizes(q.atoms));
        if (q.artefact_atom) {
          py::dict a;
          set(a, k_atom, label(*q.artefact_atom, *l.artefacts[i]));
          set(a, k_id, size(*q.artefact_atom));
          set(a, k_cosine, real(q.artefact_cosine));
          set(x, k_artefact, a);
        } else {
          set(x, k_artefact, py::none());
        }
        set(x, k_answers, answers(q.answers));
        put(queries, i, x);
      }
      set(j, k_per_query, queries);
    }
    return j;
  }

  /// The str of codebook row `id`, whose label is `text` (copied under the lock).
  py::object label(std::size_t id, const std::string& text) {
    if (id >= labels_.size()) return py::str(text);
    py::object& s = labels_[id];
    if (!s) s = py::str(text);
    return s;
  }
  /// Roles are a handful of names ("target", "example_key", ...): one str each.
  py::object role(const std::string& name) {
    for (const auto& [text, s] : roles_) {
      if (text == name) return s;
    }
    roles_.emplace_back(name, py::str(name));
    return roles_.back().second;
  }

 private:
  static py::str key(const char* name) {
    return py::reinterpret_steal<py::str>(PyUnicode_InternFromString(name));
  }
  static void set(py::dict& d, const py::str& k, const py::object& v) {
    if (PyDict_SetItem(d.ptr(), k.ptr(), v.ptr()) != 0) throw py::error_already_set();
  }
  static void put(py::list& list, std::size_t i, const py::object& v) {
    PyList_SET_ITEM(list.ptr(), static_cast<Py_ssize_t>(i), v.inc_ref().ptr());  // steals
  }
  static py::object size(std::size_t x) { return py::int_(x); }
  static py::object real(double x) { return py::float_(x); }
  py::list sizes(const std::vector<std::size_t>& ids) {
    py::list out(ids.size());
    for (std::size_t i = 0; i < ids.size(); ++i) put(out, i, size(ids[i]));
    return out;
  }
  py::list labels(const std::vector<std::size_t>& ids, const std::vector<std::string>& texts) {
    py::list out(ids.size());
    for (std::size_t i = 0; i < ids.size(); ++i) put(out, i, label(ids[i], texts[i]));
    return out;
  }
  std::vector<py::object> labels_;
  std::vector<std::pair<std::string, py::object>> roles_;
  const py::str k_doc = key("doc"), k_query = key("query"), k_query_ids = key("query_ids"),
                k_answers = key("answers"), k_reason = key("reason"),
                k_greedy_key = key("greedy_key"), k_greedy_key_id = key("greedy_key_id"),
                k_query_index = key("query_index"), k_queries = key("queries"),
                k_artefacts = key("artefacts"), k_target = key("target"),
                k_target_id = key("target_id"), k_rank = key("rank"), k_role = key("role"),
                k_inverted_cosine = key("inverted_cosine"), k_per_query = key("per_query"),
                k_atoms = key("atoms"), k_atom_ids = key("atom_ids"), k_atom = key("atom"),
                k_artefact = key("artefact"), k_id = key("id"), k_label = key("label"),
                k_cosine = key("cosine"), k_z = key("z"), k_p = key("p");
};

/// A decode call's results, with the labels they name (copied under the lock).
struct Decoded {
  std::vector<probe::Decoding> out;
  std::vector<DecodingLabels> labels;
  std::size_t book_rows = 0;  // the memory's size while decoding
};

Decoded run_decode(const ProbeDecoder& self, py::handle vectors, py::handle contexts,
                   py::handle targets, const char* where) {
  const MemoryHolder& h = *self.memory;
  const auto& book = h.packed(where);
  auto check_shape = [&](const Shape& lead, std::size_t dim) {
    if (lead.size() != 1) {
      value_error(where, "vectors has " + std::to_string(lead.size() + 1) +
                             " axes; expected (N, D), one row per document");
    }
    check_dim(dim, book.dim(), where, "vectors");
  };
  Decoded d;
  std::string error;
  // Everything that reads the memory runs without the GIL under its lock
  // (memory.hpp): label lookups, the decode, the labels of the results.
  auto run = [&](const auto& view, std::size_t rows, const DocumentRefs& refs) {
    py::gil_scoped_release no_gil;
    std::shared_lock guard(h.lock);
    d.book_rows = book.size();
    const auto docs = resolve(refs, book, error);
    if (!error.empty() || rows == 0) return;
    d.out = self.decoder->decode(view, docs);
    d.labels.reserve(d.out.size());
    for (const auto& r : d.out) d.labels.push_back(labels_of(r, book));
  };
  if (py::isinstance<Packed>(vectors)) {
    const Packed& p = packed_arg(vectors, where, "vectors");
    check_shape(p.lead(), p.dim());
    run(p.view(), p.rows(), document_refs(contexts, targets, p.rows(), where));
  } else {
    const auto rows = dense_rows<float>(vectors, where, "vectors");
    check_shape(rows.lead, rows.dim);
    run(rows.view(), rows.rows, document_refs(contexts, targets, rows.rows, where));
  }
  if (!error.empty()) value_error(where, error);
  return d;
}

py::list decode(const ProbeDecoder& self, py::handle vectors, py::handle contexts,
                py::handle targets) {
  const Decoded d = run_decode(self, vectors, contexts, targets, "probe.Decoder.decode");
  py::list result(d.out.size());
  const bool per_query = self.decoder->options().report_queries;
  DictBuilder build(d.book_rows);
  for (std::size_t i = 0; i < d.out.size(); ++i) {
    PyList_SET_ITEM(result.ptr(), static_cast<Py_ssize_t>(i),
                    build.decoding(i, d.out[i], d.labels[i], per_query).release().ptr());
  }
  return result;
}

/// An object array of `shape` filled with None (NumPy's own fill).
py::array none_array(const std::vector<py::ssize_t>& shape) {
  return py::module_::import("numpy").attr("full")(py::tuple(py::cast(shape)), py::none(),
                                                   py::dtype("O"));
}

/// Stores a new reference to `v` at flat index i of object array `a`.
void put_object(py::array& a, std::size_t i, const py::object& v) {
  auto** slot = static_cast<PyObject**>(a.mutable_data()) + i;
  PyObject* old = *slot;
  *slot = v.inc_ref().ptr();
  Py_XDECREF(old);
}

/// decode()'s results as per-document columns, the same as
/// probe.columns(decode(...), k=self.k) without the N dicts in between.
py::dict decode_columns(const ProbeDecoder& self, py::handle vectors, py::handle contexts,
                        py::handle targets) {
  const Decoded d = run_decode(self, vectors, contexts, targets, "probe.Decoder.decode_columns");
  const std::size_t n = d.out.size(), k = self.decoder->options().k;
  const auto sn = static_cast<py::ssize_t>(n), sk = static_cast<py::ssize_t>(k);
  const double nan = std::numeric_limits<double>::quiet_NaN();
  py::array_t<std::int64_t> top_id(sn), rank(sn), ids({sn, sk});
  py::array_t<double> top_cosine(sn), top_z(sn), cosines({sn, sk}), z({sn, sk});
  py::array top_label = none_array({sn}), role = none_array({sn}), query = none_array({sn}),
            labels = none_array({sn, sk});
  auto* top_id_p = top_id.mutable_data();
  auto* rank_p = rank.mutable_data();
  auto* ids_p = ids.mutable_data();
  auto* top_cosine_p = top_cosine.mutable_data();
  auto* top_z_p = top_z.mutable_data();
  auto* cosines_p = cosines.mutable_data();
  auto* z_p = z.mutable_data();
  DictBuilder build(d.book_rows);
  for (std::size_t i = 0; i < n; ++i) {
    const auto& r = d.out[i];
    const auto& answers = r.answers;
    for (std::size_t j = 0; j < k; ++j) {
      const bool has = j < answers.size();
      ids_p[i * k + j] = has ? static_cast<std::int64_t>(answers[j].id) : -1;
      cosines_p[i * k + j] = has ? answers[j].cosine : nan;
      z_p[i * k + j] = has ? answers[j].z : nan;
      if (has) put_object(labels, i * k + j, build.label(answers[j].id, answers[j].label));
    }
    top_id_p[i] = answers.empty() ? -1 : static_cast<std::int64_t>(answers[0].id);
    top_cosine_p[i] = answers.empty() ? nan : answers[0].cosine;
    top_z_p[i] = answers.empty() ? nan : answers[0].z;
    if (!answers.empty()) put_object(top_label, i, build.label(answers[0].id, answers[0].label));
    rank_p[i] = r.rank ? static_cast<std::int64_t>(*r.rank) : 0;
    if (r.target) put_object(role, i, build.role(r.role));
    std::string joined;
    for (const auto& label : d.labels[i].query) {
      if (!joined.empty()) joined += ' ';
      joined += label;
    }
    put_object(query, i, py::str(joined));
  }
  py::dict c;
  c["top_id"] = top_id, c["top_label"] = top_label, c["top_cosine"] = top_cosine;
  c["top_z"] = top_z, c["role"] = role, c["rank"] = rank, c["query"] = query;
  c["ids"] = ids, c["labels"] = labels, c["cosines"] = cosines, c["z"] = z;
  return c;
}

}  // namespace

void register_probe(py::module_ m) {
  py::module_ probe = m.def_submodule("probe", "The probe decoder (hypervec.probe).");
  py::class_<ProbeDecoder>(probe, "Decoder", R"doc(
The Hyperdimensional Probe's decoder stage (docs/probe.md) over a packed Memory.

Decoder(memory, k=5, min_cosine=0.1, exclude_context=True, selection="best_score",
        greedy=False, greedy_trigger=0.5, float_input="as_is", explain_away=False,
        explain_min_z=4.0, report_queries=False, threads=0)

The options are `hypervec decode`'s: k = -k, min_cosine = --presence,
exclude_context=False = --keep-context, selection="paper" = --paper, greedy =
--greedy, greedy_trigger = --greedy-trigger, float_input="sign" = --sign,
explain_away = --explain-away, report_queries = --per-query, threads = --threads.
The decoder keeps `memory` alive; adds to it wait for a running decode.)doc")
      .def(py::init(&make_decoder), py::arg("memory"), py::kw_only(), py::arg("k") = 5,
           py::arg("min_cosine") = 0.1, py::arg("exclude_context") = true,
           py::arg("selection") = "best_score", py::arg("greedy") = false,
           py::arg("greedy_trigger") = 0.5, py::arg("float_input") = "as_is",
           py::arg("explain_away") = false, py::arg("explain_min_z") = 4.0,
           py::arg("report_queries") = false, py::arg("threads") = 0)
      .def("decode", &decode, py::arg("vectors"), py::arg("contexts"),
           py::arg("targets") = py::none(), R"doc(
Decodes a batch of document vectors, Packed (N, D) or float32 (N, D), with their
contexts (N lists of codebook ids or labels, in role order; or an int array (N, n))
and optional targets (N ids/labels/None; -1 in an int array = none). Returns one dict
per document: doc, query (labels) and query_ids, answers (list of {id, label, cosine,
z, p}, best first; empty = abstain), reason, greedy_key(_id), query_index, queries,
artefacts, target(_id), rank (1-based, None if missed), role (of the top answer, when
there is a target), inverted_cosine, and per_query with report_queries. The GIL is
released while decoding.)doc")
      .def("decode_columns", &decode_columns, py::arg("vectors"), py::arg("contexts"),
           py::arg("targets") = py::none(), R"doc(
Decodes as decode() does and returns the results as per-document columns, the
same as probe.columns(decode(...), k=self.k) but without building N dicts
(the fast path for 10^5 documents): top_id (N,) int64 (-1 = abstain), top_label
(N,) object (None), top_cosine, top_z (N,) float64 (NaN), role (N,) object (None
without a target), rank (N,) int64 (0 = missed or no target), query (N,) object
(the chosen query's labels joined by " "), ids (N, k) int64 (-1 padded), labels
(N, k) object (None padded), cosines and z (N, k) float64 (NaN padded).)doc")
      .def_property_readonly("dim", [](const ProbeDecoder& d) { return d.decoder->dim(); })
      .def_property_readonly("memory", [](const ProbeDecoder& d) { return d.memory; })
      .def_property_readonly("k", [](const ProbeDecoder& d) { return d.decoder->options().k; })
      .def_property_readonly("min_cosine",
                             [](const ProbeDecoder& d) { return d.decoder->options().min_cosine; });
}

}  // namespace hypervec::python
