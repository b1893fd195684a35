// Labelled codebooks on disk: a .npy matrix of M bipolar rows plus a labels
// file (one UTF-8 label per line, M lines), the form in which a Python probe
// saves its concept atoms and in which `hypervec codebook` writes them.
//
// A codebook loads into a cleanup::PackedMemory (1 bit per component, labels
// attached), ready for search and for probe::Decoder. Every check names the
// file and the line or row at fault: label/row count mismatch, empty or
// duplicate labels, invalid UTF-8, non-bipolar values (see npy::load_bipolar).
#pragma once

#include <hypervec/cleanup.hpp>
#include <hypervec/npy.hpp>
#include <hypervec/storage.hpp>

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace hypervec::codebook {

/// Longest label a labels file may hold, in bytes (a longer line is refused
/// by the reader and by the writer alike).
inline constexpr std::size_t kMaxLabelBytes = 65536;

/// Reads a labels file: one label per line, '\n' or "\r\n" line ends, the
/// final line end optional, a leading UTF-8 byte-order mark skipped. The file
/// is a regular file or a pipe. Throws IoError naming the file and line if it
/// cannot be read, a line is empty, longer than kMaxLabelBytes, holds a
/// carriage return or invalid UTF-8, or a label repeats (naming both lines).
std::vector<std::string> read_labels(const std::string& path);

/// The same rules over text in memory; `where` names it in messages.
std::vector<std::string> parse_labels(std::string_view text, const std::string& where);

/// Throws InvalidArgument (prefixed by `where`) unless `labels` would read
/// back unchanged: each non-empty, valid UTF-8, without '\r' or '\n', at most
/// kMaxLabelBytes, no repeats, and the first not starting with a byte-order mark.
void check_labels(std::span<const std::string> labels, const char* where);

/// Writes labels one per line (each ends with '\n'), atomically: the old file
/// stays as it was unless the whole new one was written. Throws
/// InvalidArgument if check_labels refuses them, WriteError if the file
/// cannot be written.
void write_labels(const std::string& path, std::span<const std::string> labels);

/// A seeded bipolar codebook for `labels`: row i = bipolar::random(dim, seed, i)
/// (the counter-based generator of random.hpp, so row i depends only on seed
/// and i). Throws as PackedMemory does (duplicate labels, dim = 0).
cleanup::PackedMemory generate(std::span<const std::string> labels, std::size_t dim,
                               std::uint64_t seed);

/// Loads `npy_path` (float ±1, int8 ±1, or packbits uint8 with dim given; see
/// npy::load_bipolar) with the labels of `labels_path`. dim = 0 takes D from
/// the array (not allowed for packbits). Throws IoError on unreadable or
/// malformed files and DimensionError when the row and label counts differ.
cleanup::PackedMemory load(const std::string& npy_path, const std::string& labels_path,
                           std::size_t dim = 0);

/// Rows [first, first + count) of the codebook file open in `reader` (the
/// formats of load(), read by npy::RowReader::read_bipolar): a packed memory
/// whose row i is the file's row first + i, labelled labels[first + i] when
/// `labels` — one per row of the whole file, read from `labels_path` — is not
/// empty. A shard of a codebook split over processes. Throws DimensionError
/// when labels is not empty and does not have one label per row of the file;
/// IoError / InvalidArgument / DimensionError as read_bipolar.
cleanup::PackedMemory load_rows(const npy::RowReader& reader, std::span<const std::string> labels,
                                const std::string& labels_path, std::size_t first, std::size_t count,
                                std::size_t dim);

/// On-disk element type of a bipolar matrix.
enum class Format {
  packbits,  ///< uint8 (rows, ceil(D/8)), numpy packbits order: 1 bit per component
  float32,   ///< float32 (rows, D), ±1: what torch/numpy probes save
  int8,      ///< int8 (rows, D), ±1
};

/// Parses "packbits" / "float32" / "int8"; throws InvalidArgument otherwise.
Format parse_format(std::string_view name);

/// Writes a bipolar matrix as .npy in `format` (atomically, as npy::write).
void write_matrix(const std::string& path, const PackedMatrixView& rows, Format format);

/// Writes a memory's rows to `npy_path` and its labels to `labels_path`.
/// Throws InvalidArgument for an empty memory (load() would refuse it).
void save(const cleanup::PackedMemory& memory, const std::string& npy_path,
          const std::string& labels_path, Format format = Format::packbits);

}  // namespace hypervec::codebook
