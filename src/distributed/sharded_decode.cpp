// The probe decoder over a sharded codebook (distributed::decode in
// include/hypervec/distributed.hpp): the local decoder's algorithm
// (src/probe_batch.hpp) with a Book whose searches are ShardedMemory's
// collective searches and whose rows are the batch's context and target rows,
// gathered once per call from the ranks that own them.
#include <hypervec/distributed.hpp>
#include <hypervec/error.hpp>

#include "src/distributed/mpi_util.hpp"
#include "src/probe_batch.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>
#include <string>
#include <vector>

namespace hypervec::distributed {
namespace {

using probe::Decoding;
using probe::Document;

/// The Book of src/probe_batch.hpp over a sharded codebook: size, dim and
/// search are the whole codebook's; row and label answer for the `needed` ids
/// only (the contexts and targets of the batch), gathered by the constructor.
class ShardedBook {
 public:
  ShardedBook(const ShardedPackedMemory& memory, std::vector<std::size_t> needed)
      : memory_(memory), needed_(std::move(needed)), rows_(needed_.size(), memory.dim()) {
    // Rows: each rank writes the rows it owns into a zeroed buffer; a bitwise-OR
    // all-reduce gives every rank all of them (each row has one owner).
    const std::size_t first = memory.first_row(), end = first + memory.shard().size();
    std::string mine;
    for (std::size_t i = 0; i < needed_.size(); ++i) {
      const std::size_t id = needed_[i];
      if (id < first || id >= end) continue;
      const PackedView row = memory.shard().row(id - first);
      std::copy(row.words, row.words + row.num_words(), rows_.row_span(i).words);
      const std::string& label = memory.shard().label(id - first);
      mine += std::to_string(i) + ' ' + std::to_string(label.size()) + ' ' + label;
    }
    const std::size_t words = needed_.size() * rows_.stride_words();
    for (std::size_t at = 0; at < words;) {
      const int count = static_cast<int>(std::min<std::size_t>(words - at, std::size_t{1} << 27));
      MPI_Allreduce(MPI_IN_PLACE, rows_.words() + at, count, MPI_UINT64_T, MPI_BOR, memory.comm());
      at += static_cast<std::size_t>(count);
    }
    // Labels: "index length label" records from every rank.
    labels_.resize(needed_.size());
    const std::string all = detail::allgather_string(mine, memory.comm());
    const char* at = all.data();
    const char* const end_of_all = all.data() + all.size();
    while (at < end_of_all) {
      std::size_t index = 0, length = 0;
      at = std::from_chars(at, end_of_all, index).ptr + 1;
      at = std::from_chars(at, end_of_all, length).ptr + 1;
      labels_[index].assign(at, length);
      at += length;
    }
  }

  std::size_t size() const { return memory_.size(); }
  std::size_t dim() const { return memory_.dim(); }
  PackedView row(std::size_t id) const { return rows_.row(index_of(id)); }
  const std::string& label(std::size_t id) const { return labels_[index_of(id)]; }
  template <typename Queries>
  std::vector<cleanup::Matches> search(const Queries& queries, const cleanup::Options& options) const {
    return memory_.search(queries, options);
  }

 private:
  std::size_t index_of(std::size_t id) const {
    const auto it = std::lower_bound(needed_.begin(), needed_.end(), id);
    if (it == needed_.end() || *it != id) {
      throw Error(hypervec::detail::concat("distributed::decode: row ", id, " was not gathered"));
    }
    return static_cast<std::size_t>(it - needed_.begin());
  }

  const ShardedPackedMemory& memory_;
  std::vector<std::size_t> needed_;
  PackedMatrix rows_;
  std::vector<std::string> labels_;
};

/// The ids the batch's decode reads rows of: every context atom and target
/// inside the codebook (prepare() rejects the others, on every rank alike).
std::vector<std::size_t> needed_rows(std::span<const Document> documents, std::size_t rows) {
  std::vector<std::size_t> ids;
  for (const auto& d : documents) {
    for (const std::size_t id : d.context) {
      if (id < rows) ids.push_back(id);
    }
    if (d.target && *d.target < rows) ids.push_back(*d.target);
  }
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  return ids;
}

void check_options(const ShardedPackedMemory& memory, const probe::Options& o, std::size_t dim,
                   std::size_t rows, std::size_t docs, const char* where) {
  hypervec::detail::require(o.k >= 1 && o.k <= memory.size(), where, ": k = ", o.k, " must be in 1..",
                            memory.size(), " (the codebook's rows)");
  hypervec::detail::require(!std::isnan(o.min_cosine), where, ": min_cosine is NaN");
  hypervec::detail::require(!o.greedy, where,
                            ": the greedy extra key unbinds with every codebook row, which a sharded "
                            "codebook does not hold on one rank; decode without it");
  hypervec::detail::require(!o.explain_away, where,
                            ": explain-away needs the whole codebook on one rank; decode without it");
  hypervec::detail::require_same_dim(where, "the codebook", memory.dim(), "the vectors", dim);
  hypervec::detail::require<DimensionError>(rows == docs, where, ": ", rows, " vectors but ", docs,
                                            " documents");
}

std::vector<Decoding> decode_packed(const ShardedPackedMemory& memory, const probe::Options& options,
                                    const PackedMatrixView& vectors, std::span<const Document> documents,
                                    const char* where) {
  const ShardedBook book(memory, needed_rows(documents, memory.size()));
  return probe::detail::decode_batch<probe::detail::PackedQueries>(
      book, options, vectors, documents, where,
      [](probe::detail::PackedQueries& q, std::size_t j, const PackedMatrixView& v, std::size_t d,
         PackedView key) { q.set(j, v.row(d), key); });
}

}  // namespace

std::vector<Decoding> decode(const ShardedPackedMemory& codebook, const probe::Options& options,
                             const PackedMatrixView& vectors, std::span<const Document> documents) {
  constexpr const char* where = "distributed::decode";
  check_options(codebook, options, vectors.dim, vectors.rows, documents.size(), where);
  return decode_packed(codebook, options, vectors, documents, where);
}

std::vector<Decoding> decode(const ShardedPackedMemory& codebook, const probe::Options& options,
                             const DenseMatrixView<float>& vectors, std::span<const Document> documents) {
  constexpr const char* where = "distributed::decode";
  check_options(codebook, options, vectors.dim, vectors.rows, documents.size(), where);
  if (const auto packed = probe::detail::packed_if_bipolar(vectors, options.float_input, where)) {
    return decode_packed(codebook, options, packed->view(), documents, where);
  }
  const ShardedBook book(codebook, needed_rows(documents, codebook.size()));
  return probe::detail::decode_batch<probe::detail::FloatQueries>(
      book, options, vectors, documents, where,
      [](probe::detail::FloatQueries& q, std::size_t j, const DenseMatrixView<float>& v, std::size_t d,
         PackedView key) { q.set(j, v.row(d), key); });
}

}  // namespace hypervec::distributed
