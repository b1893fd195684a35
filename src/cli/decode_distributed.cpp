// `mpirun -np N hypervec decode ...`: the probe decoder on every rank of
// MPI_COMM_WORLD, resumable, with the single-process output byte for byte
// (docs/distributed.md).
//
//  * Blocks: the documents are cut into blocks of --chunk documents (block b
//    = documents [b·chunk, (b+1)·chunk)); rank r decodes the contiguous blocks
//    shard_range(blocks, N, r), reading only its range of the vectors file
//    (pread) and skipping to its first document in the documents file
//    without parsing what it skips. Each rank decodes with all its threads
//    (--threads; 0 = the cores the rank may run on).
//  * --codebook-shards S: the ranks form N / S groups of S consecutive ranks;
//    the blocks are split over the groups, and the S ranks of a group decode
//    the same blocks against the codebook split over them (distributed::decode,
//    collective over the group); the group's first rank writes them.
//  * Checkpoints: every finished block is written to OUT.parts/ (its JSON
//    Lines, then its counts, each atomically); a block whose counts file
//    exists is done. OUT.parts/manifest.json records the inputs (path, size,
//    modification time) and every option that changes the output: a run of
//    the same command resumes from the blocks that are done, whatever N is;
//    another command's parts are discarded. Blocks do not depend on N.
//  * Output: when every rank is done, the counts are summed (MPI_Allreduce)
//    and each rank copies its blocks into one temporary next to OUT at its
//    offset (MPI_Exscan of the byte counts; pwrite); rank 0 then renames it
//    over OUT, writes --summary, and removes OUT.parts/. The folder of OUT
//    must be shared by the ranks (one node, or a cluster file system).
//  * Failures: an error during set-up is agreed on (every rank exits with the
//    code of the lowest failing rank, rank 0 prints its message); an error
//    while decoding (a NaN vector, an unknown label) prints the message, which
//    names the file and the document, and calls MPI_Abort, so no rank waits
//    for it. OUT is never touched before the last step; the blocks done so
//    far stay for the next run.
#include "src/cli/decode.hpp"

#include <hypervec/distributed.hpp>

#include "src/distributed/mpi_util.hpp"
#include "src/file_io.hpp"

#include <mpi.h>
#include <nlohmann/json.hpp>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

namespace hv = hypervec;
namespace fs = std::filesystem;
using json = nlohmann::json;

namespace hypervec::cli {
namespace {

const MpiSession* g_session = nullptr;

/// Summary counts as one line of numbers (a block's counts file).
constexpr std::size_t kCounts = 8;
std::array<std::uint64_t, kCounts> counts_of(const hv::probe::Summary& s) {
  return {s.documents, s.evaluated, s.abstained, s.greedy, s.hits[0], s.hits[1], s.hits[2], s.inverted};
}
hv::probe::Summary summary_of(const std::array<std::uint64_t, kCounts>& c) {
  hv::probe::Summary s;
  s.documents = c[0], s.evaluated = c[1], s.abstained = c[2], s.greedy = c[3];
  s.hits = {c[4], c[5], c[6]};
  s.inverted = c[7];
  return s;
}

/// What identifies an input file for resuming: path, size, modification time.
json file_identity(const std::string& path) {
  if (path.empty()) return nullptr;
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return {{"path", path}};
  return {{"path", path},
          {"size", static_cast<std::uint64_t>(st.st_size)},
          {"mtime_ns", static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec}};
}

/// The manifest of OUT.parts/: the inputs and every option that changes the
/// output (not --threads, --examples or the rank count).
std::string manifest_of(const DecodeArgs& a, std::size_t documents) {
  const json m = {{"format", "hypervec decode parts 1"},
                  {"vectors", file_identity(a.vectors)},
                  {"documents_file", file_identity(a.documents)},
                  {"codebook", file_identity(a.codebook.npy)},
                  {"labels", file_identity(a.codebook.labels)},
                  {"dim", a.codebook.dim},
                  {"documents", documents},
                  {"k", a.k},
                  {"presence", a.presence},
                  {"keep_context", a.keep_context},
                  {"paper", a.paper},
                  {"greedy", a.greedy},
                  {"greedy_trigger", a.greedy_trigger},
                  {"sign", a.sign},
                  {"explain_away", a.explain_away},
                  {"per_query", a.per_query},
                  {"chunk", a.chunk}};
  return m.dump(2) + "\n";
}

std::string block_path(const std::string& parts, std::size_t b, const char* ext) {
  char name[64];
  std::snprintf(name, sizeof name, "/block-%010zu.%s", b, ext);
  return parts + name;
}

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

/// The counts of a finished block, or nullopt if it is not finished.
std::optional<std::array<std::uint64_t, kCounts>> finished_block(const std::string& parts,
                                                                 std::size_t b) {
  std::ifstream in(block_path(parts, b, "counts"));
  if (!in) return std::nullopt;
  std::array<std::uint64_t, kCounts> c{};
  for (auto& x : c) {
    if (!(in >> x)) return std::nullopt;
  }
  if (!fs::exists(block_path(parts, b, "jsonl"))) return std::nullopt;
  return c;
}

/// Agrees on the outcome of a step on every rank; on failure rank 0 prints
/// the lowest failing rank's message and every rank ends with its code.
void agree_or_exit(int code, const std::string& message) {
  const auto f = hv::distributed::first_failure(MPI_COMM_WORLD, code, message);
  if (!f) return;
  if (g_session->rank() == 0) {
    std::cerr << "hypervec: " << f->message;
    if (g_session->size() > 1) std::cerr << " (rank " << f->rank << ")";
    std::cerr << "\n";
  }
  throw QuietExit{f->code};
}

template <typename Step>
void collectively(Step&& step) {
  int code = 0;
  std::string message;
  try {
    step();
  } catch (...) {
    code = exit_code_of(std::current_exception(), message);
  }
  agree_or_exit(code, message);
}

/// Appends the file at `path` to the descriptor at `offset` (pwrite, every
/// write checked); returns the bytes written.
std::uint64_t copy_into(const std::string& path, int fd, std::uint64_t offset,
                        const std::string& target) {
  std::uint64_t size = 0;
  const int in = hv::detail::open_input(path, hv::detail::InputKind::regular_only, size);
  const hv::detail::FdCloser close_in(in);
  std::vector<char> buffer(std::size_t{8} << 20);
  for (std::uint64_t done = 0; done < size;) {
    const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(buffer.size(), size - done));
    hv::detail::read_at(in, buffer.data(), n, done, path);
    for (std::size_t w = 0; w < n;) {
      const ssize_t r = ::pwrite(fd, buffer.data() + w, n - w, static_cast<off_t>(offset + done + w));
      if (r < 0 && errno == EINTR) continue;
      if (r <= 0) {
        throw hv::WriteError(hv::detail::concat("decode: cannot write ", target, ": ",
                                                std::strerror(r < 0 ? errno : ENOSPC)));
      }
      w += static_cast<std::size_t>(r);
    }
    done += n;
  }
  return size;
}

}  // namespace

bool launched_by_mpi() {
  for (const char* v : {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_RANK", "PMI_SIZE"}) {
    if (std::getenv(v) != nullptr) return true;
  }
  return false;
}

MpiSession::MpiSession(int* argc, char*** argv) {
  if (!launched_by_mpi()) return;
  MPI_Init(argc, argv);
  MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
  MPI_Comm_size(MPI_COMM_WORLD, &size_);
  active_ = true;
  g_session = this;
}

MpiSession::~MpiSession() {
  if (!active_) return;
  g_session = nullptr;
  MPI_Finalize();
}

const MpiSession* mpi_session() noexcept { return g_session; }

int decode_distributed(const DecodeArgs& a) {
  const int rank = g_session->rank(), ranks = g_session->size();
  const std::string parts = a.out + ".parts";

  // 1. Set-up on every rank, agreed on. With --codebook-shards S the ranks
  // form G = N / S document groups of S consecutive ranks; group g holds the
  // whole codebook split over its ranks and decodes its blocks together, and
  // its first rank (the lead) writes them.
  // Capped at N + 1 so that the int cannot overflow; any S > N fails the divide check.
  const int shards = static_cast<int>(std::min<std::size_t>(a.codebook_shards, ranks + std::size_t{1}));
  std::optional<DecodeJob> job;
  collectively([&] {
    if (a.out.empty() || a.out == "-") {
      usage_error("a distributed decode (", ranks, " ranks) writes its output to a file: pass -o FILE");
    }
    if (ranks % shards != 0) {
      usage_error("--codebook-shards ", a.codebook_shards, " must divide the ", ranks, " ranks");
    }
    if (shards == 1) {
      job.emplace(a);
    } else {
      job.emplace(a, shards, rank % shards);
    }
  });
  const int groups = ranks / shards, group = rank / shards;
  const bool lead = rank % shards == 0;
  MPI_Comm group_comm = MPI_COMM_SELF;
  if (shards > 1) {
    MPI_Comm_split(MPI_COMM_WORLD, group, rank, &group_comm);  // lives until MPI_Finalize
    collectively([&] { job->attach(group_comm); });
  }
  const std::size_t n = job->documents();
  const std::size_t blocks = (n + a.chunk - 1) / a.chunk;

  // 2. The checkpoint folder: resumed when its manifest matches this command.
  collectively([&] {
    if (rank != 0) return;
    const std::string manifest = manifest_of(a, n);
    const std::string manifest_path = parts + "/manifest.json";
    if (fs::exists(parts) && !fs::is_directory(parts)) {
      usage_error(parts, " exists and is not a folder (decode keeps its checkpoints there)");
    }
    std::error_code error;
    if (fs::exists(parts) && read_text(manifest_path) != manifest) {
      std::cerr << "hypervec: " << parts << " holds the checkpoints of another decode "
                << "(other inputs or options): starting over\n";
      if (fs::remove_all(parts, error); error) {
        throw hv::WriteError(hv::detail::concat("decode: cannot remove ", parts, ": ", error.message()));
      }
    }
    if (!fs::exists(parts)) {
      if (fs::create_directory(parts, error); error) {
        throw hv::WriteError(hv::detail::concat("decode: cannot create ", parts, ": ", error.message()));
      }
      hv::detail::write_file_atomically(manifest_path, manifest, "decode");
    }
  });

  // 3. This group's blocks; an error here ends every rank (MPI_Abort).
  const auto mine = hv::distributed::shard_range(blocks, groups, group);
  std::array<std::uint64_t, kCounts> counts{};
  std::uint64_t resumed = 0, my_bytes = 0;
  std::string examples;
  const double start = MPI_Wtime();
  try {
    DocumentReader reader(a.documents);
    const std::size_t first_doc = mine.first * a.chunk;
    // Skips `count` documents; the documents file ending first is an input error.
    auto skip = [&](std::size_t count) {
      if (reader.skip(count) != count) {
        input_error(a.documents, " has ", reader.count(), " documents but ", a.vectors, " has ", n,
                    " vectors");
      }
    };
    skip(first_doc);
    for (std::size_t b = mine.first; b < mine.first + mine.count; ++b) {
      const std::size_t d0 = b * a.chunk, count = std::min(a.chunk, n - d0);
      bool has_example = false;
      for (const std::size_t d : job->example_docs()) has_example |= d >= d0 && d < d0 + count;
      std::array<std::uint64_t, kCounts> c{};
      std::optional<DecodedBlock> block;
      // The lead's view of the checkpoint, for the whole group: its ranks
      // decode a block together or not at all.
      auto done = lead ? finished_block(parts, b) : std::nullopt;
      if (shards > 1) {
        std::array<std::uint64_t, kCounts + 1> shared{};
        if (done) std::copy(done->begin(), done->end(), shared.begin()), shared[kCounts] = 1;
        MPI_Bcast(shared.data(), kCounts + 1, MPI_UINT64_T, 0, group_comm);
        done.reset();
        if (shared[kCounts] != 0) done.emplace(), std::copy_n(shared.begin(), kCounts, done->begin());
      }
      if (done) {
        c = *done;
        if (lead) ++resumed;
        // A worked example is printed from its decoding: decode its block again.
        if (has_example) {
          block = job->decode(reader, d0, count);
        } else {
          skip(count);
        }
      } else {
        block = job->decode(reader, d0, count);
        c = counts_of(block->summary);
        if (lead) {
          hv::detail::write_file_atomically(block_path(parts, b, "jsonl"), block->text, "decode");
          std::string line;
          for (const auto x : c) line += std::to_string(x) + " ";
          line.back() = '\n';
          hv::detail::write_file_atomically(block_path(parts, b, "counts"), line, "decode");
        }
      }
      if (!lead) continue;  // the lead counts, writes and reports the group's blocks
      for (std::size_t i = 0; i < kCounts; ++i) counts[i] += c[i];
      my_bytes += fs::file_size(block_path(parts, b, "jsonl"));
      if (block && has_example) {
        for (const std::size_t d : job->example_docs()) {
          if (d >= d0 && d < d0 + count) {
            examples += job->report_example(d, block->texts[d - d0], block->decodings[d - d0]);
          }
        }
      }
    }
    // The rank with the last block (rank 0 when there is none) checks that
    // the documents end with the vectors.
    if ((mine.count != 0 && mine.first + mine.count == blocks) || (blocks == 0 && rank == 0)) {
      job->require_end(reader);
    }
  } catch (...) {
    std::string message;
    const int code = exit_code_of(std::current_exception(), message);
    std::cerr << "hypervec: " << message;
    if (ranks > 1) std::cerr << " (rank " << rank << " of " << ranks << ")";
    std::cerr << std::endl;
    MPI_Abort(MPI_COMM_WORLD, code);
    return code;  // not reached
  }

  // 4. Counts, examples and the resume tally, on rank 0.
  std::array<std::uint64_t, kCounts> total{};
  MPI_Allreduce(counts.data(), total.data(), kCounts, MPI_UINT64_T, MPI_SUM, MPI_COMM_WORLD);
  std::uint64_t resumed_total = 0;
  MPI_Reduce(&resumed, &resumed_total, 1, MPI_UINT64_T, MPI_SUM, 0, MPI_COMM_WORLD);
  const std::string all_examples = hv::distributed::detail::allgather_string(examples, MPI_COMM_WORLD);
  const double seconds = MPI_Wtime() - start;
  const hv::probe::Summary s = summary_of(total);

  // 5. One output: every rank's blocks at its offset in rank 0's temporary.
  std::uint64_t offset = 0;
  MPI_Exscan(&my_bytes, &offset, 1, MPI_UINT64_T, MPI_SUM, MPI_COMM_WORLD);
  if (rank == 0) offset = 0;  // MPI_Exscan leaves rank 0's result undefined
  std::optional<hv::detail::AtomicOutput> out;
  std::string temp;
  collectively([&] {
    if (rank != 0) return;
    out.emplace(a.out, "decode");
    if (out->direct()) usage_error("-o ", a.out, ": a distributed decode needs a regular file");
    temp = out->temp_path();
  });
  hv::distributed::detail::broadcast_string(temp, 0, MPI_COMM_WORLD);
  collectively([&] {
    const int fd = ::open(temp.c_str(), O_WRONLY | O_CLOEXEC);
    if (fd < 0) {
      throw hv::WriteError(hv::detail::concat("decode: cannot open ", temp, ": ", std::strerror(errno)));
    }
    const hv::detail::FdCloser close_fd(fd);
    std::uint64_t at = offset;
    for (std::size_t b = mine.first; lead && b < mine.first + mine.count; ++b) {
      at += copy_into(block_path(parts, b, "jsonl"), fd, at, a.out);
    }
    if (::fsync(fd) != 0) {
      throw hv::WriteError(hv::detail::concat("decode: cannot sync ", temp, ": ", std::strerror(errno)));
    }
  });

  // 6. Rank 0 commits (summary and output, as the single-process decode) and
  // removes the checkpoints.
  collectively([&] {
    if (rank != 0) return;
    std::optional<hv::detail::AtomicOutput> summary_file;
    if (!a.summary.empty()) {
      summary_file.emplace(a.summary, "decode --summary");
      summary_file->write(job->summary_json(s, seconds));
    }
    if (summary_file && summary_file->direct()) summary_file->commit();
    out->commit();
    if (summary_file && !summary_file->direct()) summary_file->commit();
    std::error_code ignored;
    fs::remove_all(parts, ignored);
  });
  if (rank == 0) {
    if (resumed_total != 0) {
      std::cerr << "hypervec: resumed: " << resumed_total << " of " << blocks
                << " blocks were already decoded in " << parts << "\n";
    }
    std::cout << job->report_head(s, seconds) << all_examples;
    std::cerr << job->polarity_warning(s);
  }
  return 0;
}

}  // namespace hypervec::cli
