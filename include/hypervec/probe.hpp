// The Hyperdimensional Probe's decoder stage (Bronzini et al., 2025): read the
// concepts out of a bipolar document vector by unbinding it with subsets of
// its known context atoms and cleaning each result up against a labelled
// codebook. docs/probe.md states the algorithm, where it follows the paper's
// code and where it differs (answers exclude the context atoms, so the query
// can be chosen without knowing the target), and the precision it predicts.
//
// The decoder holds a reference to a cleanup::PackedMemory (the codebook, 1 bit
// per component); it never copies or unpacks it. Packed input is scored by
// XOR + popcount; float input either as is (the mixed kernel) or after
// sign-quantisation. Batches run every query of every document as one blocked,
// multithreaded search; results do not depend on the thread count.
#pragma once

#include <hypervec/cleanup.hpp>
#include <hypervec/storage.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace hypervec::probe {

/// Largest context: 2^16 subset queries per document.
inline constexpr std::size_t kMaxContext = 16;

/// How the decoder picks one of the subset queries.
enum class Selection {
  /// The non-artefact query whose best answer scores highest (ties: the more
  /// specific query). Needs no target. The default.
  best_score,
  /// The paper's evaluation loop, which uses the document's target (see
  /// docs/probe.md); a document without a target falls back to best_score.
  paper,
};

/// What a float document vector is scored as.
enum class FloatInput {
  /// real weights, mixed float-vs-packed cosine (zeros count as 0). A batch
  /// whose components are all exactly ±1 (what sign(encoder output) saves)
  /// takes the packed path instead: the same cosines (Σu·r/(‖u‖√D) with
  /// ‖u‖ = √D is (D − 2·hamming)/D), ~8× faster.
  as_is,
  sign,      ///< sign first (0 → -1, as the probe's normalize), then packed
};

/// Decoder settings; the defaults are the paper's.
struct Options {
  // k and min_cosine are named as in cleanup::Options (they were top_k and
  // presence before issue 13); min_cosine is the paper's presence threshold.
  std::size_t k = 5;               ///< answers per document (1 ..= M)
  double min_cosine = 0.1;         ///< answers need cos >= min_cosine; artefact: own atom cos > min_cosine
  bool exclude_context = true;     ///< drop the context atoms from the answers
  Selection selection = Selection::best_score;
  bool greedy = false;             ///< search one extra key when the best cos < greedy_trigger
  double greedy_trigger = 0.5;
  FloatInput float_input = FloatInput::as_is;
  /// Context-free documents: explain-away decoding (cleanup::explain_away,
  /// stopping below explain_min_z) instead of one top-k search.
  bool explain_away = false;
  double explain_min_z = 4.0;
  /// Fill Decoding::per_query: every subset query's own top-k, for
  /// inspecting why a query was chosen or skipped. Costs the answer lists
  /// (labels included) of all 2^n queries per document.
  bool report_queries = false;
  unsigned threads = 0;            ///< worker threads; 0 = all cores
};

/// One reported concept.
struct Answer {
  std::size_t id = 0;   ///< codebook row
  std::string label;
  double cosine = 0;
  double z = 0;         ///< cosine · √D, standard normal for an unrelated row
  double p = 1;         ///< one-sided p-value of z
};

/// One document to decode: its context atoms (codebook ids, in role order)
/// and, in evaluation, its target.
struct Document {
  std::vector<std::size_t> context;
  std::optional<std::size_t> target;
};

/// One subset query of a document, as scored (Options::report_queries).
struct QueryReport {
  std::vector<std::size_t> atoms;  ///< the query's key atoms (codebook ids, context order)
  /// The query's own atom whose cosine exceeded min_cosine (the
  /// highest, if several): the query is an artefact and is skipped by the
  /// best_score selection. Empty when it is not an artefact.
  std::optional<std::size_t> artefact_atom;
  double artefact_cosine = 0;
  /// The k rows (context excluded when Options::exclude_context), best
  /// first, NOT cut at min_cosine: low scores show why a query
  /// lost. (The greedy key's query is not listed here; see Decoding::reason.)
  std::vector<Answer> answers;
};

/// The decoding of one document.
struct Decoding {
  /// The selected query's atoms (codebook ids, context order; a greedy key last).
  std::vector<std::size_t> query;
  std::size_t query_index = 0;          ///< position in the query order (greedy: of its base)
  std::optional<std::size_t> greedy_key; ///< the extra key, when greedy search won
  std::size_t queries = 0;              ///< subset queries scored
  std::size_t artefacts = 0;            ///< of which skipped as artefacts
  std::string reason;                   ///< why this query, in words
  std::vector<Answer> answers;          ///< best first; empty = abstain
  // Evaluation (document with a target):
  std::optional<std::size_t> target;
  std::optional<std::size_t> rank;      ///< 1-based rank of the target in answers
  std::string role;                     ///< of the top answer: see role_of
  /// Polarity check, abstaining documents only: the strongest negative
  /// cosine (≤ −min_cosine) of a row outside the context over every subset
  /// query, found by one extra search of the negated queries; 0 when there is
  /// none or the document has an answer. Random rows stay near 0 (σ = 1/√D),
  /// so a value here means the codebook (or the vectors) most likely has the
  /// opposite sign convention: a packbits file written as np.packbits(x > 0)
  /// instead of np.packbits(x < 0) (npy.hpp) loads as the negated codebook.
  /// Not computed by explain-away decoding.
  double inverted_cosine = 0;
  /// Every subset query in the paper's order (query_index indexes it), when
  /// Options::report_queries is set; empty otherwise and for context-free
  /// explain-away decoding.
  std::vector<QueryReport> per_query;
};

/// The context role names the paper uses for a three-atom context.
inline constexpr std::array<const char*, 3> kAnalogyRoles = {"example_key", "example_value",
                                                            "key"};

/// The subset order of docs/probe.md for n context atoms: bit i of an entry
/// set = atom i in the query. Most specific first; the last entry is 0 (the
/// document vector itself). Throws InvalidArgument if n > kMaxContext.
std::vector<std::uint32_t> subset_order(std::size_t n);

/// Precision@1/3/5 over decoded documents with a target.
struct Summary {
  std::size_t documents = 0;     ///< all decoded documents
  std::size_t evaluated = 0;     ///< of which had a target
  std::size_t abstained = 0;     ///< documents with no answer
  std::size_t greedy = 0;        ///< documents answered through a greedy key
  std::array<std::size_t, 3> hits{};  ///< target within the first 1, 3, 5 answers
  std::size_t inverted = 0;      ///< abstained with a strongly negative match (Decoding::inverted_cosine)
  double precision(std::size_t k) const;  ///< k ∈ {1, 3, 5}; 0 when nothing was evaluated
  /// True when most documents (more than half) abstained with a strongly
  /// negative match: the codebook's polarity is most likely flipped
  /// (np.packbits(x > 0) instead of np.packbits(x < 0)).
  bool polarity_suspect() const noexcept { return documents > 0 && 2 * inverted > documents; }
  /// Adds another summary's counts (e.g. of the next chunk of documents).
  Summary& operator+=(const Summary& other);
};

Summary summarize(std::span<const Decoding> decodings);

/// The probe decoder over a packed codebook (kept by reference: it must
/// outlive the decoder and not change while it decodes).
class Decoder {
 public:
  /// Throws InvalidArgument if the codebook is empty or k is 0 or > M, or
  /// a threshold is NaN.
  explicit Decoder(const cleanup::PackedMemory& codebook, Options options = {});

  const Options& options() const noexcept { return options_; }
  std::size_t dim() const noexcept { return codebook_->dim(); }

  /// Decodes one document vector. Throws DimensionError if D differs,
  /// InvalidArgument for a context id or target out of range, a context
  /// longer than kMaxContext, or a float vector with NaN/Inf or all zeros.
  Decoding decode(PackedView v, const Document& document) const;
  Decoding decode(std::span<const float> v, const Document& document) const;

  /// Decodes row i of `vectors` with documents[i]; all queries of the batch
  /// run as one search. Same errors, naming the document index.
  std::vector<Decoding> decode(const PackedMatrixView& vectors,
                               std::span<const Document> documents) const;
  std::vector<Decoding> decode(const DenseMatrixView<float>& vectors,
                               std::span<const Document> documents) const;

  /// The role of answer `id` for `document`: "target", the context role
  /// (kAnalogyRoles for three atoms, "context[i]" otherwise),
  /// "out_of_context"; "none" for no answer.
  static std::string role_of(std::optional<std::size_t> id, const Document& document);

 private:
  const cleanup::PackedMemory* codebook_;
  Options options_;
};

}  // namespace hypervec::probe
