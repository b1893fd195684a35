// Past one machine: a cleanup memory whose rows are split across the ranks of
// an MPI communicator, searched with the same contract as the local memory
// (cleanup.hpp). Built only with the Meson feature `mpi` (Open MPI from
// Debian: libopenmpi-dev); link the `hypervec_mpi` library (pkg-config
// hypervec-mpi). The core library never depends on MPI.
//
// Layout: rank r holds the contiguous global rows [first_row(r), first_row(r)
// + shard().size()), shards in rank order. load() splits an .npy file by
// shard_range (each rank reads only its own range with pread); a shard of 0
// rows is fine (more ranks than rows).
//
// Search (collective: every rank of the communicator calls it, in the same
// order): the queries of the root rank are broadcast (MPI_Bcast, Q × D/8
// bytes packed, Q × D × 4 float); each rank searches its shard with the
// local multithreaded kernels for its own top-min(k, rows) without
// thresholds; every rank gathers every rank's candidates (MPI_Allgatherv,
// k × (id, score, cosine, z, p, label) per query and rank) and keeps the k
// best by (score descending, global id ascending), then applies min_cosine
// and min_z. Every rank returns the same matches, and they equal a local
// Memory's on the concatenated codebook exactly for packed, mixed and int8
// rows (integer or fixed-order scores). Float rows score each (query, row)
// pair by the same kernel whatever the shard (the kernel is chosen by Q), so
// they agree too, except when a shard holds rows outside 2^±40 (scaled per
// memory, cleanup.hpp) or OpenBLAS scores a batch of >= 64 queries.
//
// Errors are collective: when any rank fails (a missing file, a bad row, a
// NaN query), every rank throws the same exception type with the message of
// the lowest failing rank, prefixed with "rank r: ". No rank is left waiting
// in a collective.
#pragma once

#include <hypervec/cleanup.hpp>
#include <hypervec/probe.hpp>

#include <mpi.h>

#include <cstddef>
#include <exception>
#include <optional>
#include <string>
#include <vector>

namespace hypervec::distributed {

/// A contiguous range of global rows.
struct Range {
  std::size_t first = 0;
  std::size_t count = 0;
};

/// The rows of `rank` when `rows` rows are split over `ranks` ranks in
/// contiguous ranges whose sizes differ by at most one: [rows·rank/ranks,
/// rows·(rank+1)/ranks). Throws InvalidArgument unless 0 <= rank < ranks.
Range shard_range(std::size_t rows, int ranks, int rank);

/// How load() reads a codebook file.
struct LoadOptions {
  std::string labels;  ///< labels file (one per row of the whole file); empty: no labels
  std::size_t dim = 0;  ///< packed rows from packbits uint8: D (required there); else 0 or D
  cleanup::Metric metric = cleanup::Metric::cosine;  ///< float, int8 and phasor rows
};

/// A cleanup memory sharded over the ranks of a communicator (the file
/// comment). Row is cleanup::Packed, float, std::int8_t or
/// std::complex<float>, as for cleanup::Memory.
template <typename Row>
class ShardedMemory {
 public:
  using Memory = cleanup::Memory<Row>;
  using MatrixView = typename Memory::MatrixView;

  /// Collective: rank r's `shard` holds the global rows that follow rank r -
  /// 1's. Throws (collectively) DimensionError when the shards' D differ or
  /// the global memory is empty. `comm` must outlive the memory.
  ShardedMemory(MPI_Comm comm, Memory shard);

  /// Collective: each rank reads shard_range(rows, ranks, rank) of the .npy
  /// at `path` — packbits uint8 (Row = Packed, options.dim = D), float32/
  /// float64/int8/bool (Row = float; bool: True → -1), int8 (Row = int8) —
  /// and its labels from options.labels. Complex rows: build the shards
  /// yourself and use the constructor. Throws collectively: IoError naming
  /// the file (missing, malformed, wrong dtype), DimensionError when the
  /// label count differs from the rows, InvalidArgument for a bad row.
  static ShardedMemory load(MPI_Comm comm, const std::string& path, const LoadOptions& options = {});

  MPI_Comm comm() const noexcept { return comm_; }
  int rank() const noexcept { return rank_; }
  int ranks() const noexcept { return ranks_; }
  std::size_t dim() const noexcept { return shard_.dim(); }
  /// Rows of the whole memory (all shards).
  std::size_t size() const noexcept { return size_; }
  /// This rank's rows and the global id of its first row.
  const Memory& shard() const noexcept { return shard_; }
  std::size_t first_row() const noexcept { return first_row_; }

  /// Collective search (the file comment): `queries` is read on `root` only
  /// (other ranks may pass an empty view); every rank returns the matches of
  /// every query. Ids are global. Throws collectively as Memory::search does
  /// (k out of 1..size(), D mismatch, NaN).
  std::vector<cleanup::Matches> search(const MatrixView& queries, const cleanup::Options& options = {},
                                       int root = 0) const;
  /// Packed rows, float queries (the mixed kernel).
  std::vector<cleanup::Matches> search(const DenseMatrixView<float>& queries,
                                       const cleanup::Options& options = {}, int root = 0) const
    requires(std::same_as<Row, cleanup::Packed>);

 private:
  template <typename QueryView>
  std::vector<cleanup::Matches> search_impl(const QueryView& queries, const cleanup::Options& options,
                                            int root) const;

  MPI_Comm comm_;
  int rank_ = 0, ranks_ = 1;
  Memory shard_;
  std::size_t first_row_ = 0, size_ = 0;
  std::vector<std::size_t> shard_rows_;  // rows of every rank's shard, from the constructor
};

using ShardedPackedMemory = ShardedMemory<cleanup::Packed>;
using ShardedFloatMemory = ShardedMemory<float>;
using ShardedInt8Memory = ShardedMemory<std::int8_t>;
using ShardedPhasorMemory = ShardedMemory<std::complex<float>>;

/// Collective probe decode (probe.hpp, docs/probe.md) against a codebook
/// sharded over codebook.comm(): every rank passes the same vectors and
/// documents and returns the same decodings, equal to probe::Decoder on the
/// whole codebook with the same options (src/probe_batch.hpp is the one
/// algorithm of both). Each subset query is a collective sharded search; the
/// rows of the batch's context atoms and targets (the keys, the artefact and
/// target cosines) are gathered once per call from their owners (a bitwise-OR
/// all-reduce of |distinct ids| × D/8 bytes). Float batches: as
/// probe::Decoder (±1 or FloatInput::sign packed, else the mixed path).
/// Throws InvalidArgument, on every rank alike, for options.greedy and
/// options.explain_away (both need every row on one rank), k outside 1..M, a
/// context or target id outside the codebook; DimensionError for the
/// vectors' D or count.
std::vector<probe::Decoding> decode(const ShardedMemory<cleanup::Packed>& codebook,
                                    const probe::Options& options, const PackedMatrixView& vectors,
                                    std::span<const probe::Document> documents);
std::vector<probe::Decoding> decode(const ShardedMemory<cleanup::Packed>& codebook,
                                    const probe::Options& options, const DenseMatrixView<float>& vectors,
                                    std::span<const probe::Document> documents);

extern template class ShardedMemory<cleanup::Packed>;
extern template class ShardedMemory<float>;
extern template class ShardedMemory<std::int8_t>;
extern template class ShardedMemory<std::complex<float>>;

/// The failure of the lowest failing rank, as agreed by first_failure.
struct Failure {
  int rank = 0;
  int code = 0;         ///< caller-defined, nonzero
  std::string message;
};

/// Collective: every rank passes its local outcome (code 0 = success, else
/// a nonzero code and a message). Returns nothing when every rank succeeded,
/// else the code and message of the lowest failing rank, on every rank.
std::optional<Failure> first_failure(MPI_Comm comm, int code, const std::string& message);

/// Collective error agreement, for code that runs a local step on every rank
/// before a collective: call with the exception the local step threw (or
/// nullptr). When no rank failed, returns. Otherwise every rank throws the
/// same type (IoError, WriteError, DimensionError, InvalidArgument, else
/// Error) with the message of the lowest failing rank, prefixed "rank r: "
/// when the communicator has more than one rank.
void agree(MPI_Comm comm, std::exception_ptr local_error);

}  // namespace hypervec::distributed
