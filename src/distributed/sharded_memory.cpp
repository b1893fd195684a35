// ShardedMemory (include/hypervec/distributed.hpp): shards, collective
// loading, and the search — broadcast the queries, search the shard, gather
// every rank's candidates, merge to the exact global top-k.
#include <hypervec/distributed.hpp>

#include <hypervec/codebook.hpp>
#include <hypervec/error.hpp>
#include <hypervec/npy.hpp>

#include "src/distributed/mpi_util.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <cstring>
#include <type_traits>

namespace hypervec::distributed {
namespace {

using cleanup::Match;
using cleanup::Matches;

/// A candidate as sent between ranks (homogeneous cluster: sent as bytes).
struct Candidate {
  std::uint64_t id;
  double score, cosine, z, p;
  std::uint64_t label_bytes;
};
static_assert(std::is_trivially_copyable_v<Candidate>);

/// The merge order of the local memory: score descending, then lower id.
bool better(const Match& a, const Match& b) {
  if (a.score != b.score) return a.score > b.score;
  return a.id < b.id;
}

/// Queries per round, so that no message count passes MPI's int range: the
/// gathered candidates of a round stay below 2^30 bytes.
std::size_t round_queries(std::size_t k, int ranks) {
  const std::size_t per_query = k * static_cast<std::size_t>(ranks) * sizeof(Candidate);
  return std::max<std::size_t>(1, (std::size_t{1} << 30) / per_query);
}

// Copies of the root's queries on every rank (dense rows or packed words).
template <typename T>
DenseMatrix<T> broadcast_rows(const DenseMatrixView<T>& q, std::size_t first, std::size_t count,
                              std::size_t dim, bool is_root, int root, MPI_Comm comm) {
  DenseMatrix<T> m(count, dim);
  if (is_root) {
    for (std::size_t i = 0; i < count; ++i) {
      std::copy_n(q.row(first + i).data(), dim, m.row(i).data());
    }
  }
  detail::broadcast_bytes(m.data(), count * m.stride() * sizeof(T), root, comm);
  return m;
}

PackedMatrix broadcast_rows(const PackedMatrixView& q, std::size_t first, std::size_t count,
                            std::size_t dim, bool is_root, int root, MPI_Comm comm) {
  PackedMatrix m(count, dim);
  if (is_root) {
    for (std::size_t i = 0; i < count; ++i) {
      std::copy_n(q.row(first + i).words, packed_words(dim), m.words() + i * m.stride_words());
    }
  }
  detail::broadcast_bytes(m.words(), count * m.stride_words() * sizeof(std::uint64_t), root, comm);
  return m;
}

template <typename QueryView>
std::size_t dim_of(const QueryView& q) {
  return q.dim;
}

}  // namespace

Range shard_range(std::size_t rows, int ranks, int rank) {
  if (ranks < 1 || rank < 0 || rank >= ranks) {
    throw InvalidArgument(hypervec::detail::concat("distributed::shard_range: rank ", rank,
                                                   " of ", ranks, " ranks"));
  }
  // rows * rank can pass 2^64 only for rows > 2^32 and 2^32 ranks: use 128 bits.
  const auto at = [&](int r) {
    return static_cast<std::size_t>(static_cast<unsigned __int128>(rows) *
                                    static_cast<unsigned>(r) / static_cast<unsigned>(ranks));
  };
  return {at(rank), at(rank + 1) - at(rank)};
}

template <typename Row>
ShardedMemory<Row>::ShardedMemory(MPI_Comm comm, Memory shard)
    : comm_(comm), shard_(std::move(shard)) {
  MPI_Comm_rank(comm_, &rank_);
  MPI_Comm_size(comm_, &ranks_);
  // Every shard's D must agree, and the shards follow in rank order.
  std::uint64_t mine[2] = {shard_.dim(), shard_.size()};
  std::vector<std::uint64_t> all(2 * static_cast<std::size_t>(ranks_));
  MPI_Allgather(mine, 2, MPI_UINT64_T, all.data(), 2, MPI_UINT64_T, comm_);
  for (int r = 0; r < ranks_; ++r) {
    const std::uint64_t dim = all[2 * static_cast<std::size_t>(r)];
    if (dim != all[0]) {
      throw DimensionError(hypervec::detail::concat("ShardedMemory: rank ", r, "'s shard has D = ",
                                                    dim, ", rank 0's D = ", all[0]));
    }
    const std::size_t rows = all[2 * static_cast<std::size_t>(r) + 1];
    shard_rows_.push_back(rows);
    if (r < rank_) first_row_ += rows;
    size_ += rows;
  }
  if (size_ == 0) throw DimensionError("ShardedMemory: every shard is empty");
}

template <typename Row>
ShardedMemory<Row> ShardedMemory<Row>::load(MPI_Comm comm, const std::string& path,
                                            const LoadOptions& options) {
  int rank = 0, ranks = 1;
  MPI_Comm_rank(comm, &rank);
  MPI_Comm_size(comm, &ranks);
  std::optional<Memory> shard;
  std::exception_ptr error;
  try {
    const npy::RowReader reader(path);
    if (reader.header().shape.size() != 2) {
      throw IoError(hypervec::detail::concat(path, ": expected a 2-D array (rows × D), not ",
                                             reader.header().shape.size(), "-D"));
    }
    std::vector<std::string> labels;
    if (!options.labels.empty()) {
      labels = codebook::read_labels(options.labels);
      if (labels.size() != reader.rows()) {
        throw DimensionError(hypervec::detail::concat(options.labels, " has ", labels.size(),
                                                      " labels, ", path, " has ", reader.rows(),
                                                      " rows"));
      }
    }
    const Range range = shard_range(reader.rows(), ranks, rank);
    const std::span<const std::string> my_labels =
        labels.empty() ? std::span<const std::string>{}
                       : std::span<const std::string>(labels).subspan(range.first, range.count);
    if constexpr (std::is_same_v<Row, cleanup::Packed>) {
      if (options.dim == 0) {
        throw InvalidArgument("ShardedMemory::load: packed rows need LoadOptions::dim (packbits)");
      }
      const PackedMatrix rows = reader.read_packed(range.first, range.count, options.dim);
      shard.emplace(options.dim);
      if (range.count != 0) shard->add(rows.view(), my_labels);
    } else if constexpr (std::is_same_v<Row, float> || std::is_same_v<Row, std::int8_t>) {
      const std::size_t dim = reader.cols();
      if (options.dim != 0 && options.dim != dim) {
        throw DimensionError(hypervec::detail::concat(path, " has D = ", dim,
                                                      ", LoadOptions::dim is ", options.dim));
      }
      if (std::is_same_v<Row, std::int8_t> && reader.dtype() != npy::DType::int8) {
        throw IoError(hypervec::detail::concat(path, ": an int8 memory needs an int8 file"));
      }
      DenseMatrix<float> values(range.count, dim);
      std::vector<float> packed_rows(range.count * dim);
      reader.read_float(range.first, range.count, packed_rows);
      shard.emplace(dim, options.metric);
      if (range.count != 0) {
        DenseMatrix<Row> rows(range.count, dim);
        for (std::size_t i = 0; i < range.count; ++i) {
          // int8 → float → int8 is exact.
          std::transform(packed_rows.begin() + i * dim, packed_rows.begin() + (i + 1) * dim,
                         rows.row(i).data(), [](float v) { return static_cast<Row>(v); });
        }
        shard->add(rows.view(), my_labels);
      }
    } else {
      throw InvalidArgument("ShardedMemory::load: phasor rows are not loaded from .npy; "
                            "build the shards and use the constructor");
    }
  } catch (...) {
    error = std::current_exception();
  }
  agree(comm, error);
  return ShardedMemory(comm, std::move(*shard));
}

template <typename Row>
template <typename QueryView>
std::vector<Matches> ShardedMemory<Row>::search_impl(const QueryView& queries,
                                                     const cleanup::Options& options,
                                                     int root) const {
  if (root < 0 || root >= ranks_) {
    throw InvalidArgument(hypervec::detail::concat("ShardedMemory::search: root ", root, " of ",
                                                   ranks_, " ranks"));
  }
  if (options.k == 0 || options.k > size_) {
    throw InvalidArgument(hypervec::detail::concat("ShardedMemory::search: k = ", options.k,
                                                   " is out of range 1..", size_));
  }
  if (std::isnan(options.min_cosine) || std::isnan(options.min_z)) {
    throw InvalidArgument("ShardedMemory::search: min_cosine / min_z is NaN");
  }
  const bool is_root = rank_ == root;
  std::uint64_t shape[2] = {is_root ? queries.rows : 0, is_root ? dim_of(queries) : 0};
  MPI_Bcast(shape, 2, MPI_UINT64_T, root, comm_);
  const std::size_t q_total = shape[0], q_dim = shape[1];

  // Every rank's candidates per query: min(k, its rows), known to all (the
  // shard sizes were gathered once, by the constructor).
  std::vector<std::size_t> per_query(shard_rows_.size());
  for (std::size_t r = 0; r < shard_rows_.size(); ++r) {
    per_query[r] = std::min<std::size_t>(options.k, shard_rows_[r]);
  }
  cleanup::Options local = options;
  local.k = per_query[static_cast<std::size_t>(rank_)];
  local.min_cosine = -std::numeric_limits<double>::infinity();
  local.min_z = -std::numeric_limits<double>::infinity();

  std::vector<Matches> result;
  result.reserve(q_total);
  const std::size_t step = round_queries(options.k, ranks_);
  for (std::size_t q0 = 0; q0 < q_total || (q_total == 0 && q0 == 0); q0 += step) {
    const std::size_t count = std::min(step, q_total - q0);
    // The root's queries of this round, on every rank.
    std::vector<Matches> found;
    std::exception_ptr error;
    try {
      if (q_dim == 0) {
        throw DimensionError("ShardedMemory::search: the queries have D=0; D must be >= 1");
      }
      const auto copy = broadcast_rows(queries, q0, count, q_dim, is_root, root, comm_);
      if (local.k != 0) found = shard_.search(copy.view(), local);
    } catch (...) {
      error = std::current_exception();
    }
    agree(comm_, error);
    if (count == 0) break;

    // Gather the candidates (fixed records) and their labels (bytes).
    std::vector<Candidate> send;
    std::string send_labels;
    send.reserve(count * local.k);
    for (const auto& matches : found) {
      for (const auto& m : matches) {
        send.push_back({first_row_ + m.id, m.score, m.cosine, m.z, m.p, m.label.size()});
        send_labels += m.label;
      }
    }
    std::vector<int> counts(static_cast<std::size_t>(ranks_)), displs(counts.size());
    std::size_t total = 0;
    for (std::size_t r = 0; r < counts.size(); ++r) {
      counts[r] = static_cast<int>(count * per_query[r] * sizeof(Candidate));
      displs[r] = static_cast<int>(total);
      total += static_cast<std::size_t>(counts[r]);
    }
    std::vector<Candidate> all(total / sizeof(Candidate));
    MPI_Allgatherv(send.data(), counts[static_cast<std::size_t>(rank_)], MPI_BYTE, all.data(),
                   counts.data(), displs.data(), MPI_BYTE, comm_);
    const std::string labels = detail::allgather_string(send_labels, comm_);

    // Merge: per query, the k best of every rank's candidates.
    std::vector<std::size_t> label_at(all.size() + 1, 0);
    for (std::size_t i = 0; i < all.size(); ++i) label_at[i + 1] = label_at[i] + all[i].label_bytes;
    for (std::size_t q = 0; q < count; ++q) {
      Matches merged;
      std::size_t base = 0;
      for (std::size_t r = 0; r < per_query.size(); ++r) {
        for (std::size_t j = 0; j < per_query[r]; ++j) {
          const std::size_t i = base + q * per_query[r] + j;
          const Candidate& c = all[i];
          merged.push_back({static_cast<std::size_t>(c.id),
                            labels.substr(label_at[i], static_cast<std::size_t>(c.label_bytes)),
                            c.score, c.cosine, c.z, c.p});
        }
        base += count * per_query[r];
      }
      const std::size_t k = std::min(options.k, merged.size());
      std::partial_sort(merged.begin(), merged.begin() + static_cast<std::ptrdiff_t>(k), merged.end(),
                        better);
      merged.resize(k);
      std::erase_if(merged, [&](const Match& m) {
        return !(m.cosine >= options.min_cosine && m.z >= options.min_z);
      });
      result.push_back(std::move(merged));
    }
  }
  return result;
}

template <typename Row>
std::vector<Matches> ShardedMemory<Row>::search(const MatrixView& queries,
                                                const cleanup::Options& options, int root) const {
  return search_impl(queries, options, root);
}

template <typename Row>
std::vector<Matches> ShardedMemory<Row>::search(const DenseMatrixView<float>& queries,
                                                const cleanup::Options& options, int root) const
  requires(std::same_as<Row, cleanup::Packed>)
{
  return search_impl(queries, options, root);
}

template class ShardedMemory<cleanup::Packed>;
template class ShardedMemory<float>;
template class ShardedMemory<std::int8_t>;
template class ShardedMemory<std::complex<float>>;

}  // namespace hypervec::distributed
