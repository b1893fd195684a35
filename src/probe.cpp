// The probe's decoder stage (include/hypervec/probe.hpp; docs/probe.md).
//
// Length (~670 lines): the decoder's stages (subset queries, artefact rule,
// greedy extra key, explain-away fallback, precision@k) share one per-chunk
// state; docs/probe.md is the map of them.
#include <hypervec/probe.hpp>

#include <hypervec/bipolar.hpp>
#include <hypervec/dense.hpp>
#include "src/parallel.hpp"
#include "src/probe_batch.hpp"
#include <hypervec/error.hpp>
#include <hypervec/mixed.hpp>
#include <hypervec/resonator.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <numeric>

namespace hypervec::probe {

std::vector<std::uint32_t> subset_order(std::size_t n) {
  hypervec::detail::require(n <= kMaxContext, "probe::subset_order: a context of ", n,
                            " atoms exceeds kMaxContext = ", kMaxContext);
  std::vector<std::uint32_t> order;
  order.reserve(std::size_t{1} << n);
  // Sizes 0..n, each in itertools.combinations (lexicographic) order ...
  for (std::size_t r = 0; r <= n; ++r) {
    std::vector<std::size_t> idx(r);
    std::iota(idx.begin(), idx.end(), std::size_t{0});
    for (;;) {
      std::uint32_t mask = 0;
      for (const std::size_t i : idx) mask |= std::uint32_t{1} << i;
      order.push_back(mask);
      std::size_t j = r;
      while (j > 0 && idx[j - 1] == n - r + (j - 1)) --j;
      if (j == 0) break;
      ++idx[j - 1];
      for (std::size_t k = j; k < r; ++k) idx[k] = idx[k - 1] + 1;
    }
  }
  // ... then reversed: most specific first, the empty subset last.
  std::reverse(order.begin(), order.end());
  return order;
}

double Summary::precision(std::size_t k) const {
  std::size_t slot = 0;
  if (k == 1) {
    slot = 0;
  } else if (k == 3) {
    slot = 1;
  } else if (k == 5) {
    slot = 2;
  } else {
    throw InvalidArgument(hypervec::detail::concat("probe::Summary::precision: k = ", k,
                                                   "; expected 1, 3 or 5"));
  }
  return evaluated == 0 ? 0.0 : static_cast<double>(hits[slot]) / static_cast<double>(evaluated);
}

Summary& Summary::operator+=(const Summary& other) {
  documents += other.documents;
  evaluated += other.evaluated;
  abstained += other.abstained;
  greedy += other.greedy;
  inverted += other.inverted;
  for (std::size_t k = 0; k < hits.size(); ++k) hits[k] += other.hits[k];
  return *this;
}

Summary summarize(std::span<const Decoding> decodings) {
  Summary s;
  s.documents = decodings.size();
  for (const auto& d : decodings) {
    if (d.answers.empty()) ++s.abstained;
    if (d.greedy_key) ++s.greedy;
    if (d.inverted_cosine < 0) ++s.inverted;
    if (!d.target) continue;
    ++s.evaluated;
    if (d.rank) {
      if (*d.rank <= 1) ++s.hits[0];
      if (*d.rank <= 3) ++s.hits[1];
      if (*d.rank <= 5) ++s.hits[2];
    }
  }
  return s;
}

std::string Decoder::role_of(std::optional<std::size_t> id, const Document& document) {
  if (!id) return "none";
  if (document.target && *document.target == *id) return "target";
  for (std::size_t i = 0; i < document.context.size(); ++i) {
    if (document.context[i] != *id) continue;
    if (document.context.size() == kAnalogyRoles.size()) return kAnalogyRoles[i];
    return hypervec::detail::concat("context[", i, "]");
  }
  return "out_of_context";
}

Decoder::Decoder(const cleanup::PackedMemory& codebook, Options options)
    : codebook_(&codebook), options_(options) {
  constexpr const char* where = "probe::Decoder";
  hypervec::detail::require(!codebook.empty(), where, ": the codebook is empty");
  hypervec::detail::require(options.k >= 1 && options.k <= codebook.size(), where,
                            ": k = ", options.k, " must be in 1..", codebook.size(),
                            " (the codebook's rows)");
  hypervec::detail::require(!std::isnan(options.min_cosine), where, ": min_cosine is NaN");
  hypervec::detail::require(!std::isnan(options.greedy_trigger), where,
                            ": greedy_trigger is NaN");
  hypervec::detail::require(!std::isnan(options.explain_min_z), where, ": explain_min_z is NaN");
}

namespace {

using namespace hypervec::probe::detail;  // decode_batch and its stages (src/probe_batch.hpp)

/// Explain-away decoding of a context-free document.
Decoding explain(const cleanup::PackedMemory& memory, const Options& options,
                 std::span<const float> v, const Document& document) {
  Decoding r;
  r.queries = 1;
  const auto items = cleanup::explain_away(
      memory, v, {.min_z = options.explain_min_z, .max_items = options.k,
                  .threads = options.threads});
  for (const auto& item : items) {
    const auto& m = item.match;
    r.answers.push_back(Answer{m.id, m.label, m.cosine, m.z, m.p});
  }
  r.reason = hypervec::detail::concat("explain-away decoding: ", r.answers.size(),
                                      " item(s) with z >= ", options.explain_min_z);
  evaluate(r, document);
  return r;
}

/// Both decode overloads: one vector per document, of the codebook's
/// dimension.
void check_vectors_shape(const char* where, std::size_t codebook_dim, std::size_t dim,
                         std::size_t rows, std::size_t documents) {
  hypervec::detail::require_same_dim(where, "the codebook", codebook_dim, "vectors", dim);
  hypervec::detail::require<DimensionError>(rows == documents, where, ": ", rows,
                                            " vectors but ", documents, " documents");
}

}  // namespace

std::vector<Decoding> Decoder::decode(const PackedMatrixView& vectors,
                                      std::span<const Document> documents) const {
  constexpr const char* where = "probe::Decoder::decode";
  check_vectors_shape(where, dim(), vectors.dim, vectors.rows, documents.size());
  for (std::size_t d = 0; d < vectors.rows; ++d) {
    make_packed_view(vectors.row(d).words, vectors.stride_words, vectors.dim, "a document vector");
  }
  if (options_.explain_away) {
    std::vector<Decoding> out(documents.size());
    std::vector<std::size_t> plain;
    for (std::size_t d = 0; d < documents.size(); ++d) {
      if (!documents[d].context.empty()) {
        plain.push_back(d);
        continue;
      }
      const DenseVector<float> f = dense::to_float(vectors.row(d));
      out[d] = explain(*codebook_, options_, f.values(), documents[d]);
    }
    if (!plain.empty()) {
      PackedMatrix sub(plain.size(), dim());
      std::vector<Document> sub_docs;
      for (std::size_t i = 0; i < plain.size(); ++i) {
        std::copy(vectors.row(plain[i]).words, vectors.row(plain[i]).words + packed_words(dim()),
                  sub.row_span(i).words);
        sub_docs.push_back(documents[plain[i]]);
      }
      Options o = options_;
      o.explain_away = false;
      auto decoded = Decoder(*codebook_, o).decode(sub.view(), sub_docs);
      for (std::size_t i = 0; i < plain.size(); ++i) out[plain[i]] = std::move(decoded[i]);
    }
    return out;
  }
  return decode_batch<PackedQueries>(
      *codebook_, options_, vectors, documents, where,
      [](PackedQueries& q, std::size_t j, const PackedMatrixView& v, std::size_t d,
         PackedView key) { q.set(j, v.row(d), key); });
}

std::vector<Decoding> Decoder::decode(const DenseMatrixView<float>& vectors,
                                      std::span<const Document> documents) const {
  constexpr const char* where = "probe::Decoder::decode";
  check_vectors_shape(where, dim(), vectors.dim, vectors.rows, documents.size());
  hypervec::detail::require(vectors.rows == 0 || vectors.data != nullptr, where,
                            ": vectors is a null pointer");
  if (const auto packed = packed_if_bipolar(vectors, options_.float_input, where)) {
    return decode(packed->view(), documents);
  }
  if (options_.explain_away) {
    std::vector<Decoding> out(documents.size());
    bool any_context = false;
    for (std::size_t d = 0; d < documents.size(); ++d) {
      if (documents[d].context.empty()) {
        out[d] = explain(*codebook_, options_, vectors.row(d), documents[d]);
      } else {
        any_context = true;
      }
    }
    if (!any_context) return out;
    Options o = options_;
    o.explain_away = false;
    const Decoder plain(*codebook_, o);
    for (std::size_t d = 0; d < documents.size(); ++d) {
      if (!documents[d].context.empty()) out[d] = plain.decode(vectors.row(d), documents[d]);
    }
    return out;
  }
  return decode_batch<FloatQueries>(
      *codebook_, options_, vectors, documents, where,
      [](FloatQueries& q, std::size_t j, const DenseMatrixView<float>& v, std::size_t d,
         PackedView key) { q.set(j, v.row(d), key); });
}

Decoding Decoder::decode(PackedView v, const Document& document) const {
  hypervec::detail::require_same_dim("probe::Decoder::decode", "the codebook", dim(), "v", v.dim);
  return std::move(decode(PackedMatrixView{v.words, 1, v.dim, v.num_words()},
                          std::span<const Document>(&document, 1))
                       .front());
}

Decoding Decoder::decode(std::span<const float> v, const Document& document) const {
  hypervec::detail::require_same_dim("probe::Decoder::decode", "the codebook", dim(), "v",
                                     v.size());
  return std::move(decode(DenseMatrixView<float>{v.data(), 1, v.size(), v.size()},
                          std::span<const Document>(&document, 1))
                       .front());
}

}  // namespace hypervec::probe
