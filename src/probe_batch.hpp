// Internal: the probe decoder's batch algorithm (subset queries, one blocked
// search, artefacts, selection, greedy key, polarity check), written once over
// the codebook it searches, so that the local decoder (src/probe.cpp, Book =
// cleanup::PackedMemory) and the MPI decoder over a sharded codebook
// (src/distributed/sharded_decode.cpp) are the same code. docs/probe.md is
// the map of the stages.
//
// A Book offers: size() and dim(); row(id), a PackedView of row id (the
// sharded book holds the rows the batch's contexts and targets name);
// label(id); and search(queries, cleanup::Options) for a PackedMatrixView and
// a DenseMatrixView<float> of queries, returning every query's Matches.
#pragma once

#include <hypervec/bipolar.hpp>
#include <hypervec/cleanup.hpp>
#include <hypervec/dense.hpp>
#include <hypervec/error.hpp>
#include <hypervec/mixed.hpp>
#include <hypervec/probe.hpp>
#include "src/parallel.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <optional>
#include <string>
#include <vector>

namespace hypervec::probe::detail {

inline constexpr double kNone = -std::numeric_limits<double>::infinity();

/// Documents decoded per round of a batch (queries, search, selection): 4096
/// documents of 8 queries at D = 4096 are 16 MiB of queries, and enough
/// queries per search for the query-lane kernel's full tiles on every core.
inline constexpr std::size_t kChunkDocuments = 4096;

/// A document after validation: context without repeats (first kept).
struct Prepared {
  std::vector<std::size_t> context;
  std::optional<std::size_t> target;
  const Document* original = nullptr;
};

inline Prepared prepare(const Document& document, std::size_t rows, std::size_t index,
                 const char* where) {
  Prepared p;
  p.original = &document;
  for (const std::size_t id : document.context) {
    hypervec::detail::require(id < rows, where, ": document ", index, ": context atom id ", id,
                              " is out of range (the codebook has ", rows, " rows)");
    if (std::find(p.context.begin(), p.context.end(), id) == p.context.end()) {
      p.context.push_back(id);
    }
  }
  hypervec::detail::require(p.context.size() <= kMaxContext, where, ": document ", index,
                            " has ", p.context.size(), " distinct context atoms; at most ",
                            kMaxContext, " are supported");
  if (document.target) {
    hypervec::detail::require(*document.target < rows, where, ": document ", index,
                              ": target id ", *document.target,
                              " is out of range (the codebook has ", rows, " rows)");
  }
  p.target = document.target;
  return p;
}

/// The context atoms in subset `mask` (bit i = context[i]), in context order.
inline std::vector<std::size_t> subset_atoms(const std::vector<std::size_t>& context, std::uint32_t mask) {
  std::vector<std::size_t> atoms;
  for (std::size_t i = 0; i < context.size(); ++i) {
    if ((mask >> i & 1U) != 0) atoms.push_back(context[i]);
  }
  return atoms;
}

/// out = Π_{i ∈ mask} context_i (the identity for mask 0).
template <typename Book>
void key_product(const Book& memory, const std::vector<std::size_t>& context,
                 std::uint32_t mask, PackedVector& out) {
  std::fill(out.words(), out.words() + out.num_words(), std::uint64_t{0});
  for (std::size_t i = 0; i < context.size(); ++i) {
    if ((mask >> i & 1U) == 0) continue;
    bipolar::bind(out, memory.row(context[i]), out.span());
  }
}

/// Query vectors of one batch, packed (sign input) or float (as-is input).
/// Both expose: set(j, document vector, key) = vector ⊙ key, cosine(j, row),
/// search(memory, options), dim() and row(j).
class PackedQueries {
 public:
  PackedQueries(std::size_t rows, std::size_t dim) : m_(rows, dim) {}
  std::size_t rows() const { return m_.rows(); }
  void set(std::size_t j, PackedView v, PackedView key) { bipolar::bind(v, key, m_.row_span(j)); }
  double cosine(std::size_t j, PackedView row) const { return bipolar::cosine(m_.row(j), row); }
  template <typename Book>
  std::vector<cleanup::Matches> search(const Book& memory, const cleanup::Options& options) const {
    return memory.search(m_.view(), options);
  }
  std::size_t dim() const { return m_.dim(); }
  PackedView row(std::size_t j) const { return m_.row(j); }

 private:
  PackedMatrix m_;
};

class FloatQueries {
 public:
  FloatQueries(std::size_t rows, std::size_t dim) : m_(rows, dim) {}
  std::size_t rows() const { return m_.rows(); }
  void set(std::size_t j, std::span<const float> v, PackedView key) {
    mixed::bind(v, key, m_.row(j));
  }
  double cosine(std::size_t j, PackedView row) const { return mixed::cosine(m_.row(j), row); }
  template <typename Book>
  std::vector<cleanup::Matches> search(const Book& memory, const cleanup::Options& options) const {
    return memory.search(m_.view(), options);
  }
  std::size_t dim() const { return m_.dim(); }
  std::span<const float> row(std::size_t j) const { return m_.row(j); }

 private:
  DenseMatrix<float> m_;
};

/// The greedy batch: row c = query j ⊙ keys[c] (either representation).
template <typename Queries, typename Book>
Queries greedy_queries(const Queries& q, std::size_t j, const Book& memory,
                       std::span<const std::size_t> keys) {
  Queries g(keys.size(), q.dim());
  for (std::size_t c = 0; c < keys.size(); ++c) g.set(c, q.row(j), memory.row(keys[c]));
  return g;
}

/// A one-row batch holding query j.
template <typename Queries>
Queries single_query(const Queries& q, std::size_t j) {
  Queries s(1, q.dim());
  s.set(0, q.row(j), bipolar::identity(q.dim()));
  return s;
}

/// Fills the evaluation fields of r: the top answer's role and, when the
/// document has a target, the target's 1-based rank among the answers.
inline void evaluate(Decoding& r, const Document& document) {
  r.role = Decoder::role_of(r.answers.empty() ? std::nullopt
                                              : std::optional<std::size_t>(r.answers[0].id),
                            document);
  if (!document.target) return;
  r.target = document.target;
  for (std::size_t i = 0; i < r.answers.size(); ++i) {
    if (r.answers[i].id == *document.target) {
      r.rank = i + 1;
      break;
    }
  }
}

/// Per query of a document: candidates after exclusion, artefact flag and
/// (paper mode) the target's cosine.
struct Scored {
  std::vector<cleanup::Match> candidates;
  bool artefact = false;
  std::size_t artefact_atom = 0;  // the own atom (codebook id) that made it one
  double artefact_cosine = 0;
  double target_cosine = kNone;
  double top() const { return candidates.empty() ? kNone : candidates.front().cosine; }
  double second() const { return candidates.size() < 2 ? kNone : candidates[1].cosine; }
};

inline bool in(const std::vector<std::size_t>& v, std::size_t x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

template <typename Book>
std::string subset_name(const Book& memory, const std::vector<std::size_t>& ids) {
  if (ids.empty()) return "{} (the vector itself)";
  std::string s = "{";
  for (std::size_t i = 0; i < ids.size(); ++i) {
    if (i != 0) s += ", ";
    s += memory.label(ids[i]);
  }
  return s + "}";
}

inline std::string fixed3(double x) {
  if (!std::isfinite(x)) return "none";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", x);
  return buf;
}

/// Index (into order) of the query the paper's evaluation loop keeps.
inline std::size_t paper_selection(const std::vector<Scored>& scored, std::size_t target,
                            double min_cosine, std::size_t* skipped) {
  const auto target_on_top = [&](const Scored& s) {
    return !s.candidates.empty() && s.candidates.front().id == target;
  };
  std::optional<std::size_t> best;
  for (std::size_t j = 0; j < scored.size(); ++j) {
    const Scored& s = scored[j];
    if (s.artefact && !target_on_top(s)) {
      ++*skipped;
      continue;
    }
    if (!best) best = j;
    const Scored& b = scored[*best];
    const bool a = target_on_top(s) && s.target_cosine > b.target_cosine;
    const bool higher = s.top() > b.top() && !target_on_top(b);
    const bool equal = s.top() == b.top() && b.second() < min_cosine;
    if (a || higher || equal) best = j;
  }
  const std::size_t empty_query = scored.size() - 1;
  if (!best) best = empty_query;
  if (scored[*best].top() < min_cosine && !target_on_top(scored[*best])) best = empty_query;
  return *best;
}

template <typename Queries, typename Book, typename Vectors, typename SetVector>
std::vector<Decoding> decode_batch(const Book& memory, const Options& options,
                                   const Vectors& vectors, std::span<const Document> documents,
                                   const char* where, const SetVector& set_vector) {
  const std::size_t m = memory.size();
  const std::size_t dim = memory.dim();
  const std::size_t words = packed_words(dim);
  const std::size_t n_docs = documents.size();

  std::vector<Prepared> docs;
  docs.reserve(n_docs);
  std::size_t max_context = 0;
  std::vector<std::size_t> first_query(n_docs + 1, 0);
  for (std::size_t d = 0; d < n_docs; ++d) {
    docs.push_back(prepare(documents[d], m, d, where));
    max_context = std::max(max_context, docs.back().context.size());
    first_query[d + 1] = first_query[d] + (std::size_t{1} << docs.back().context.size());
  }
  std::vector<std::vector<std::uint32_t>> orders(max_context + 1);
  for (const auto& p : docs) {
    if (orders[p.context.size()].empty()) orders[p.context.size()] = subset_order(p.context.size());
  }

  const std::size_t keep = std::max<std::size_t>(options.k, 2);
  const std::size_t search_k = std::min(m, keep + (options.exclude_context ? max_context : 0));
  const cleanup::Options search_options{.k = search_k, .threads = options.threads};
  std::vector<Decoding> out(n_docs);
  std::vector<std::uint8_t> wants_greedy(n_docs, 0);
  std::vector<double> selected_top(n_docs, kNone);  // greedy's bar to beat

  // Documents [c0, c1) at a time (every document was validated above), so the
  // queries and their matches take O(kChunkDocuments) memory, not O(N).
  for (std::size_t c0 = 0; c0 < n_docs; c0 += kChunkDocuments) {
    const std::size_t c1 = std::min(n_docs, c0 + kChunkDocuments);
    const std::size_t q0 = first_query[c0];  // the chunk's first query

    // 1. Every subset query of every document of the chunk, as one batch.
    Queries queries(first_query[c1] - q0, dim);
    hypervec::detail::parallel_for(c1 - c0, options.threads, 64, [&](std::size_t b, std::size_t e) {
      PackedVector key(dim);
      for (std::size_t d = c0 + b; d < c0 + e; ++d) {
        const auto& order = orders[docs[d].context.size()];
        for (std::size_t j = 0; j < order.size(); ++j) {
          key_product(memory, docs[d].context, order[j], key);
          set_vector(queries, first_query[d] - q0 + j, vectors, d, key.view());
        }
      }
    });

    // 2. One blocked search: enough candidates to survive the exclusion.
    std::vector<cleanup::Matches> matches = queries.search(memory, search_options);

    // 3. Per document: artefacts, selection, answers.
    hypervec::detail::parallel_for(c1 - c0, options.threads, 64, [&](std::size_t b, std::size_t e) {
      for (std::size_t d = c0 + b; d < c0 + e; ++d) {
        const Prepared& doc = docs[d];
        const auto& order = orders[doc.context.size()];
        std::vector<Scored> scored(order.size());
        std::size_t artefacts = 0;
        for (std::size_t j = 0; j < order.size(); ++j) {
          const std::size_t q = first_query[d] - q0 + j;
          Scored& s = scored[j];
          for (auto& match : matches[q]) {
            if (options.exclude_context && in(doc.context, match.id)) continue;
            if (s.candidates.size() == keep) break;
            s.candidates.push_back(std::move(match));
          }
          for (std::size_t i = 0; i < doc.context.size(); ++i) {
            if ((order[j] >> i & 1U) == 0) continue;
            const double c = queries.cosine(q, memory.row(doc.context[i]));
            if (c > options.min_cosine && (!s.artefact || c > s.artefact_cosine)) {
              s.artefact = true;
              s.artefact_atom = doc.context[i];
              s.artefact_cosine = c;
            }
          }
          if (doc.target) s.target_cosine = queries.cosine(q, memory.row(*doc.target));
          if (s.artefact) ++artefacts;
        }

        std::size_t chosen = 0;
        std::string why;
        if (options.selection == Selection::paper && doc.target) {
          std::size_t skipped = 0;
          chosen = paper_selection(scored, *doc.target, options.min_cosine, &skipped);
          artefacts = skipped;
          why = "the paper's rule (uses the target)";
        } else {
          std::optional<std::size_t> best;
          for (std::size_t j = 0; j < scored.size(); ++j) {
            if (scored[j].artefact) continue;
            if (!best || scored[j].top() > scored[*best].top()) best = j;
          }
          chosen = *best;  // the empty query is never an artefact
          why = hypervec::detail::concat("highest best cosine of ", order.size() - artefacts,
                                         " non-artefact queries");
        }

        Decoding& r = out[d];
        if (options.report_queries) {
          r.per_query.resize(order.size());
          for (std::size_t j = 0; j < order.size(); ++j) {
            QueryReport& report = r.per_query[j];
            report.atoms = subset_atoms(doc.context, order[j]);
            if (scored[j].artefact) {
              report.artefact_atom = scored[j].artefact_atom;
              report.artefact_cosine = scored[j].artefact_cosine;
            }
            for (const auto& c : scored[j].candidates) {
              if (report.answers.size() == options.k) break;
              report.answers.push_back(Answer{c.id, c.label, c.cosine, c.z, c.p});
            }
          }
        }
        r.queries = order.size();
        r.artefacts = artefacts;
        r.query_index = chosen;
        r.query = subset_atoms(doc.context, order[chosen]);
        const Scored& s = scored[chosen];
        r.reason = hypervec::detail::concat("query ", chosen + 1, "/", order.size(), " ",
                                            subset_name(memory, r.query), ": best cos ",
                                            fixed3(s.top()), ", ", why);
        if (artefacts != 0) {
          r.reason += hypervec::detail::concat("; ", artefacts, " artefact",
                                               artefacts == 1 ? "" : "s", " skipped");
        }
        for (const auto& c : s.candidates) {
          if (r.answers.size() == options.k) break;
          if (c.cosine < options.min_cosine) break;
          r.answers.push_back(Answer{c.id, c.label, c.cosine, c.z, c.p});
        }
        const bool target_top = doc.target && !s.candidates.empty() &&
                                s.candidates.front().id == *doc.target &&
                                options.selection == Selection::paper;
        if (options.greedy && s.top() < options.greedy_trigger && !target_top) {
          wants_greedy[d] = 1;
          selected_top[d] = s.top();
        }
      }
    });

    // 4. Greedy extra key, one batched search of M unbindings per document.
    for (std::size_t d = c0; d < c1; ++d) {
      if (wants_greedy[d] == 0) continue;
      const Prepared& doc = docs[d];
      Decoding& r = out[d];
      const std::size_t q = first_query[d] - q0 + r.query_index;
      std::vector<std::size_t> keys;
      keys.reserve(m);
      for (std::size_t c = 0; c < m; ++c) {
        if (!in(doc.context, c)) keys.push_back(c);
      }
      if (keys.empty()) continue;
      const Queries g = greedy_queries(queries, q, memory, keys);
      const std::size_t gk = std::min(m, doc.context.size() + 2);
      const auto per_key = g.search(memory, {.k = gk, .threads = options.threads});
      std::optional<std::size_t> win;
      double win_cos = kNone;
      for (std::size_t c = 0; c < keys.size(); ++c) {
        for (const auto& match : per_key[c]) {
          if (match.id == keys[c] || (options.exclude_context && in(doc.context, match.id))) {
            continue;
          }
          if (!win || match.cosine > win_cos) {
            win = c;
            win_cos = match.cosine;
          }
          break;
        }
      }
      const double before = selected_top[d];
      if (!win || win_cos <= before) continue;
      // Re-run the winner for its full candidate list.
      const Queries one = single_query(g, *win);
      auto full = one.search(memory, {.k = std::min(m, options.k + doc.context.size() + 1),
                                      .threads = options.threads});
      r.answers.clear();
      for (const auto& c : full[0]) {
        if (c.id == keys[*win] || (options.exclude_context && in(doc.context, c.id))) continue;
        if (r.answers.size() == options.k || c.cosine < options.min_cosine) break;
        r.answers.push_back(Answer{c.id, c.label, c.cosine, c.z, c.p});
      }
      r.greedy_key = keys[*win];
      r.query.push_back(keys[*win]);
      r.reason += hypervec::detail::concat("; greedy key ", memory.label(keys[*win]),
                                           " raised the best cos from ", fixed3(before), " to ",
                                           fixed3(win_cos));
    }

    // 5. Polarity check, abstaining documents only (free when decodes
    // succeed): every query of theirs negated, one batched search; its best
    // non-context rows are the original queries' most negative ones.
    std::vector<std::size_t> abstainers;
    std::size_t negated_rows = 0;
    for (std::size_t d = c0; d < c1; ++d) {
      if (!out[d].answers.empty()) continue;
      abstainers.push_back(d);
      negated_rows += first_query[d + 1] - first_query[d];
    }
    if (!abstainers.empty()) {
      PackedVector minus_one(dim);  // every component -1: negates a query
      std::fill(minus_one.words(), minus_one.words() + words, ~std::uint64_t{0});
      minus_one.words()[words - 1] &= packed_tail_mask(dim);
      Queries negated(negated_rows, dim);
      std::size_t row = 0;
      for (const std::size_t d : abstainers) {
        for (std::size_t q = first_query[d]; q < first_query[d + 1]; ++q) {
          negated.set(row++, queries.row(q - q0), minus_one);
        }
      }
      const std::size_t nk = std::min(m, 1 + (options.exclude_context ? max_context : 0));
      const auto neg = negated.search(memory, {.k = nk, .threads = options.threads});
      row = 0;
      for (const std::size_t d : abstainers) {
        double strongest = 0;
        for (std::size_t q = first_query[d]; q < first_query[d + 1]; ++q, ++row) {
          for (const auto& match : neg[row]) {
            if (options.exclude_context && in(docs[d].context, match.id)) continue;
            if (match.cosine >= options.min_cosine) strongest = std::max(strongest, match.cosine);
            break;
          }
        }
        out[d].inverted_cosine = -strongest;
      }
    }
  }  // chunk

  // 6. Evaluation labels.
  for (std::size_t d = 0; d < n_docs; ++d) {
    evaluate(out[d], *docs[d].original);
  }
  return out;
}

/// Checks a float document vector: finite, and not all zeros (as-is input).
inline void check_float(std::span<const float> v, std::size_t index, bool need_nonzero,
                 const char* where) {
  bool nonzero = false;
  for (std::size_t i = 0; i < v.size(); ++i) {
    hypervec::detail::require(std::isfinite(v[i]), where, ": document ", index,
                              " has a NaN or Inf at component ", i);
    nonzero = nonzero || v[i] != 0.0F;
  }
  hypervec::detail::require(nonzero || !need_nonzero, where, ": document ", index,
                            " is the zero vector (its cosine with any row is undefined)");
}


/// Checks every float document (check_float; zero vectors are allowed with
/// FloatInput::sign) and returns the batch packed when it is to be decoded
/// packed: FloatInput::sign, or every component exactly +1 or -1 (then as is
/// equals its sign: the packed path, no slower route by accident); else
/// nullopt (real weights: the mixed path).
inline std::optional<PackedMatrix> packed_if_bipolar(const DenseMatrixView<float>& vectors, FloatInput input,
                                                     const char* where) {
  const bool sign = input == FloatInput::sign;
  bool bipolar = vectors.rows != 0;
  for (std::size_t d = 0; d < vectors.rows; ++d) {
    check_float(vectors.row(d), d, !sign, where);
    if (bipolar) {
      bipolar = std::all_of(vectors.row(d).begin(), vectors.row(d).end(),
                            [](float x) { return x == 1.0F || x == -1.0F; });
    }
  }
  if (!sign && !bipolar) return std::nullopt;
  PackedMatrix packed(vectors.rows, vectors.dim);
  for (std::size_t d = 0; d < vectors.rows; ++d) {
    const PackedVector p = dense::to_packed(vectors.row(d));
    std::copy(p.words(), p.words() + packed_words(vectors.dim), packed.row_span(d).words);
  }
  return packed;
}

}  // namespace hypervec::probe::detail
