// Byte-buffer collectives (src/distributed/mpi_util.hpp) and the collective
// error agreement of include/hypervec/distributed.hpp.
#include "src/distributed/mpi_util.hpp"

#include <hypervec/distributed.hpp>
#include <hypervec/error.hpp>

#include <algorithm>
#include <cstdint>
#include <vector>

namespace hypervec::distributed {
namespace detail {

constexpr std::size_t kPiece = std::size_t{1} << 30;

void broadcast_bytes(void* data, std::size_t bytes, int root, MPI_Comm comm) {
  auto* p = static_cast<char*>(data);
  for (std::size_t done = 0; done < bytes; done += kPiece) {
    const std::size_t n = std::min(kPiece, bytes - done);
    MPI_Bcast(p + done, static_cast<int>(n), MPI_BYTE, root, comm);
  }
}

void broadcast_string(std::string& s, int root, MPI_Comm comm) {
  std::uint64_t n = s.size();
  MPI_Bcast(&n, 1, MPI_UINT64_T, root, comm);
  s.resize(static_cast<std::size_t>(n));
  broadcast_bytes(s.data(), s.size(), root, comm);
}

std::string allgather_string(const std::string& mine, MPI_Comm comm) {
  int ranks = 1;
  MPI_Comm_size(comm, &ranks);
  const int n = static_cast<int>(mine.size());
  if (mine.size() > kPiece) {
    throw InvalidArgument("distributed: a gathered message is larger than 1 GiB");
  }
  std::vector<int> counts(static_cast<std::size_t>(ranks)), displs(counts.size());
  MPI_Allgather(&n, 1, MPI_INT, counts.data(), 1, MPI_INT, comm);
  std::size_t total = 0;
  for (std::size_t r = 0; r < counts.size(); ++r) {
    if (total > kPiece) throw InvalidArgument("distributed: gathered messages exceed 1 GiB");
    displs[r] = static_cast<int>(total);
    total += static_cast<std::size_t>(counts[r]);
  }
  std::string all(total, '\0');
  MPI_Allgatherv(mine.data(), n, MPI_CHAR, all.data(), counts.data(), displs.data(), MPI_CHAR, comm);
  return all;
}

}  // namespace detail

std::optional<Failure> first_failure(MPI_Comm comm, int code, const std::string& message) {
  int rank = 0, ranks = 1;
  MPI_Comm_rank(comm, &rank);
  MPI_Comm_size(comm, &ranks);
  int mine = code != 0 ? rank : ranks;
  int first = ranks;
  MPI_Allreduce(&mine, &first, 1, MPI_INT, MPI_MIN, comm);
  if (first == ranks) return std::nullopt;
  Failure f{first, code, message};
  MPI_Bcast(&f.code, 1, MPI_INT, first, comm);
  detail::broadcast_string(f.message, first, comm);
  return f;
}

void agree(MPI_Comm comm, std::exception_ptr local_error) {
  // The kind travels as a code; the most specific class first.
  enum Kind : int { none = 0, write = 1, io = 2, dimension = 3, invalid = 4, other = 5 };
  int kind = none;
  std::string message;
  if (local_error) {
    try {
      std::rethrow_exception(local_error);
    } catch (const WriteError& e) {
      kind = write, message = e.what();
    } catch (const IoError& e) {
      kind = io, message = e.what();
    } catch (const DimensionError& e) {
      kind = dimension, message = e.what();
    } catch (const InvalidArgument& e) {
      kind = invalid, message = e.what();
    } catch (const std::exception& e) {
      kind = other, message = e.what();
    } catch (...) {
      kind = other, message = "unknown exception";
    }
  }
  const auto f = first_failure(comm, kind, message);
  if (!f) return;
  int ranks = 1;
  MPI_Comm_size(comm, &ranks);
  const std::string text =
      ranks > 1 ? hypervec::detail::concat("rank ", f->rank, ": ", f->message) : f->message;
  switch (f->code) {
    case write: throw WriteError(text);
    case io: throw IoError(text);
    case dimension: throw DimensionError(text);
    case invalid: throw InvalidArgument(text);
    default: throw Error(text);
  }
}

}  // namespace hypervec::distributed
