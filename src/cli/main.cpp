// The `hypervec` command: codebooks, sample documents, encoding and the
// probe decoder from the shell. `hypervec --help` and `hypervec CMD --help`
// describe each subcommand; docs/probe.md describes the decoder.
//
// Exit codes: 0 success, 2 bad command line (an unknown option, a value out
// of range, an output that is also an input), 3 bad input (unreadable or
// malformed file, unknown label, dimension mismatch), 4 `stats` found rows
// far more similar than random vectors, 5 an output could not be written
// (disk full, permission; the old file is left as it was), 1 anything else.
//
// Outputs are written atomically (src/file_io.hpp): a failed command leaves
// every existing output file untouched. Documents are numbered from 0 (the
// "doc" field of decode's output), lines of a file from 1.
#include <hypervec/error.hpp>

#include "src/cli/common.hpp"
#include "src/cli/decode.hpp"

#include <CLI/CLI.hpp>

#include <cstdio>
#include <iostream>
#include <new>
#include <vector>

namespace hv = hypervec;

int main(int argc, char** argv) {
#if HYPERVEC_CLI_MPI
  // Under mpirun or srun: MPI for a distributed decode (docs/distributed.md).
  const hv::cli::MpiSession mpi(&argc, &argv);
#endif
  CLI::App app{"hypervec: hypervector codebooks, encoding and the probe decoder"};
  app.require_subcommand(1);
  const std::vector<hv::cli::Command> commands = {
      hv::cli::labels_command(app),   hv::cli::analogies_command(app),
      hv::cli::codebook_command(app), hv::cli::encode_command(app),
      hv::cli::decode_command(app),   hv::cli::stats_command(app),
  };

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : 2;
  }
  try {
#if HYPERVEC_CLI_MPI
    if (mpi.active() && mpi.size() > 1 && !app.got_subcommand("decode")) {
      if (mpi.rank() == 0) {
        std::cerr << "hypervec: error: only `hypervec decode` runs on several MPI ranks; run "
                     "this command without mpirun\n";
      }
      return 2;
    }
#endif
    int status = 1;
    for (const auto& c : commands) {
      if (*c.app) status = c.run();
    }
    // The report on standard output: a failed write is an error too.
    std::cout.flush();
    if (!std::cout || std::fflush(stdout) != 0 || std::ferror(stdout) != 0) {
      throw hv::WriteError("cannot write the report to standard output");
    }
    return status;
  } catch (const hv::cli::QuietExit& e) {
    return e.code;
  } catch (...) {
    std::string message;
    const int code = hv::cli::exit_code_of(std::current_exception(), message);
    std::cerr << "hypervec: " << message << "\n";
    return code;
  }
}
