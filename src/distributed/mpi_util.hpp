// Internal: MPI collectives over byte buffers of any size (MPI counts are
// int: larger buffers go in pieces of at most 2^30 bytes).
#pragma once

#include <mpi.h>

#include <cstddef>
#include <string>

namespace hypervec::distributed::detail {

/// MPI_Bcast of `bytes` bytes at `data` from `root`.
void broadcast_bytes(void* data, std::size_t bytes, int root, MPI_Comm comm);

/// MPI_Bcast of a string from `root` (its length first).
void broadcast_string(std::string& s, int root, MPI_Comm comm);

/// Every rank's `mine`, concatenated in rank order, on every rank.
std::string allgather_string(const std::string& mine, MPI_Comm comm);

}  // namespace hypervec::distributed::detail
