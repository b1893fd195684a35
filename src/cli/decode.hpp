// What the single-process and the distributed `hypervec decode` share
// (src/cli/decode.cpp, src/cli/decode_distributed.cpp): the arguments, the
// set-up (codebook, decoder, vectors file), one block of documents decoded
// to its JSON Lines text, and the summary and report.
#pragma once

#include "src/cli/common.hpp"

#include <hypervec/npy.hpp>
#include <hypervec/probe.hpp>
#if HYPERVEC_CLI_MPI
#include <hypervec/distributed.hpp>
#include <mpi.h>
#endif

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace hypervec::cli {

struct DecodeArgs {
  CodebookArgs codebook;
  std::string vectors;
  std::string documents;
  std::string out;
  std::string summary;
  std::size_t k = 5;
  double presence = 0.1;
  bool keep_context = false;
  bool paper = false;
  bool greedy = false;
  double greedy_trigger = 0.5;
  bool sign = false;
  bool explain_away = false;
  bool per_query = false;
  unsigned threads = 0;
  std::size_t examples = 3;
  std::size_t chunk = 4096;
  std::size_t codebook_shards = 1;  ///< under mpirun: ranks per document group (docs/distributed.md)
};

/// The documents [first, first + count) decoded: their output lines and counts.
struct DecodedBlock {
  std::string text;                         ///< JSON Lines, one per document
  probe::Summary summary;
  std::vector<probe::Decoding> decodings;   ///< kept for the worked examples
  std::vector<std::string> texts;           ///< each document's "text" field
};

/// A decode set up: arguments checked, codebook loaded, decoder built,
/// vectors file opened and checked against the codebook. Throws UsageError
/// / InputError / hypervec errors as the command reports them.
class DecodeJob {
 public:
  explicit DecodeJob(const DecodeArgs& args);
#if HYPERVEC_CLI_MPI
  /// The sharded set-up (--codebook-shards S under mpirun): every label, and
  /// only rows shard_range(M, shards, shard) of the codebook file. Local: it
  /// may throw on one rank; attach() then joins the shards of `comm` (the
  /// document group's ranks, collective), after which decode() is collective
  /// over `comm`. Throws UsageError for --greedy and --explain-away.
  DecodeJob(const DecodeArgs& args, int shards, int shard);
  void attach(MPI_Comm comm);
#endif

  const DecodeArgs& args() const noexcept { return a_; }
  std::size_t documents() const noexcept { return n_; }
  /// The output path ("-" = standard output).
  const std::string& out_path() const noexcept { return out_path_; }
  /// The documents whose decoding is printed as a worked example.
  const std::vector<std::size_t>& example_docs() const noexcept { return example_docs_; }

  /// Reads the next `count` documents of `reader` (documents first ..
  /// first + count - 1 of the file) and their vectors, and decodes them.
  /// Throws InputError naming the file, the line and the document for a
  /// missing document, an unknown label or a bad vector.
  DecodedBlock decode(DocumentReader& reader, std::size_t first, std::size_t count) const;

  /// The summary as written by --summary.
  std::string summary_json(const probe::Summary& s, double seconds) const;
  /// The report's first lines: documents/s and precision.
  std::string report_head(const probe::Summary& s, double seconds) const;
  /// The worked example of document d (its text and decoding).
  std::string report_example(std::size_t d, const std::string& text,
                             const probe::Decoding& r) const;
  /// The warning printed when the codebook's polarity looks flipped, or "".
  std::string polarity_warning(const probe::Summary& s) const;
  /// Refuses extra documents after the last vector (InputError).
  void require_end(DocumentReader& reader) const;

 private:
  /// What both set-ups share: options, the vectors file, the examples.
  void set_up(std::size_t rows, std::size_t dim);
  template <typename Book>
  DecodedBlock decode_block(const Book& labels, DocumentReader& reader, std::size_t first,
                            std::size_t count) const;

  DecodeArgs a_;
  std::string out_path_;
  probe::Options options_;
  std::optional<cleanup::PackedMemory> book_;  // the whole codebook (not when sharded)
  std::optional<probe::Decoder> decoder_;
#if HYPERVEC_CLI_MPI
  std::optional<CodebookLabels> labels_;       // sharded: every label
  std::optional<cleanup::PackedMemory> shard_;  // sharded: this rank's rows, until attach()
  std::unique_ptr<distributed::ShardedPackedMemory> sharded_;
#endif
  std::optional<npy::RowReader> vectors_;
  std::size_t n_ = 0, dim_ = 0;
  bool packbits_ = false;
  std::vector<std::size_t> example_docs_;
};

#if HYPERVEC_CLI_MPI
/// True when an MPI launcher (mpirun, srun) started this process: Open MPI's
/// OMPI_COMM_WORLD_SIZE, or PMIx's / PMI's PMIX_RANK / PMI_RANK.
bool launched_by_mpi();
/// MPI_Init when launched_by_mpi(), MPI_Finalize at the end (src/cli/main.cpp).
class MpiSession {
 public:
  MpiSession(int* argc, char*** argv);
  ~MpiSession();
  MpiSession(const MpiSession&) = delete;
  MpiSession& operator=(const MpiSession&) = delete;
  bool active() const noexcept { return active_; }
  int rank() const noexcept { return rank_; }
  int size() const noexcept { return size_; }

 private:
  bool active_ = false;
  int rank_ = 0, size_ = 1;
};
/// The session of this process (set by MpiSession), or null.
const MpiSession* mpi_session() noexcept;
/// `hypervec decode` on every rank of MPI_COMM_WORLD (src/cli/decode_distributed.cpp).
int decode_distributed(const DecodeArgs& a);
#endif

}  // namespace hypervec::cli
