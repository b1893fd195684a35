// NumPy .npy files: read (whole or memory-mapped) and write, so codebooks and
// batches move between hypervec and a Python probe without conversion tools.
//
// Supported: format versions 1.0, 2.0 and 3.0; dtypes float32, float64,
// complex64 ('<c8', torchhd's FHRR tensors), complex128 ('<c16'), int8, uint8
// and bool (complex values are (real, imaginary) pairs, each part byte-swapped
// on its own for big-endian files, as numpy does); C and Fortran order; little- and big-endian. read() always
// returns native byte order and C (row-major) order; map() gives zero-copy
// access to files that are already native and C-ordered (what numpy writes by
// default on x86) and refuses others with a message that says to use read().
//
// Hostile input: the header is parsed by a strict, bounded parser (at most
// kMaxHeaderBytes); shapes whose element or byte count overflows, data that is
// shorter or longer than the header promises, unknown dtypes and malformed
// dictionaries all throw IoError naming the file and the problem. Nothing is
// allocated before the size has been checked against the file.
//
// Packed bipolar codebooks travel as uint8 arrays in numpy.packbits order
// (bitorder='big'): component i of a row is bit (7 - i % 8) of byte i / 8,
// 1 meaning -1, so np.unpackbits(row)[:D] gives the bits and
// 1 - 2 * bits the ±1 values. See to_packbits / from_packbits.
// From Python, write a ±1 codebook x as np.packbits(x < 0, axis=1). The
// tempting np.packbits(x > 0) loads as the negated codebook -x without any
// error (every bit pattern is valid); the probe decoder flags it
// (probe.hpp Summary::inverted_polarity, docs/probe.md).
#pragma once

#include <hypervec/storage.hpp>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace hypervec::npy {

/// Element types. complex64/complex128 are std::complex<float>/<double>
/// (Array::values<std::complex<float>>, fhrr::Phasor).
enum class DType { float32, float64, int8, uint8, boolean, complex64, complex128 };

/// Bytes per element of a dtype.
std::size_t dtype_size(DType dtype) noexcept;
/// numpy's name for a dtype ("float32", "complex64", "int8", "bool", ...).
const char* dtype_name(DType dtype) noexcept;

/// Largest header this reader accepts (numpy writes a few hundred bytes).
inline constexpr std::size_t kMaxHeaderBytes = 1 << 20;
/// Most dimensions a shape may have (numpy's own limit is 32 or 64).
inline constexpr std::size_t kMaxRank = 32;

/// The parsed header of an .npy file.
struct Header {
  int major_version = 1;
  int minor_version = 0;
  DType dtype = DType::float32;
  bool big_endian = false;      // byte order of the stored data
  bool fortran_order = false;   // column-major storage
  std::vector<std::size_t> shape;
  std::size_t data_offset = 0;  // bytes from the file start to the data

  std::size_t num_elements() const;  // product of shape (1 for a 0-d array)
  std::size_t data_bytes() const;    // num_elements() * dtype_size(dtype)
};

/// Parses the header at the start of `bytes` (a whole file or a prefix of at
/// least data_offset bytes). `where` names the source in error messages.
/// Checks that the element and byte counts fit in size_t, but not the data.
Header parse_header(std::span<const std::byte> bytes, const std::string& where);

/// An array in memory, native byte order, C order.
struct Array {
  DType dtype = DType::float32;
  std::vector<std::size_t> shape;
  std::vector<std::byte> data;  // num_elements * dtype_size bytes

  /// Product of shape; throws IoError if it overflows size_t.
  std::size_t num_elements() const;
  /// The values as T (data.size() / sizeof(T) of them, whatever shape says); throws IoError unless T matches dtype (bool → uint8_t, complex64 → std::complex<float>, complex128 → std::complex<double>).
  template <typename T>
  std::span<const T> values() const&;
  /// Spans into a temporary Array would dangle: keep the Array in a variable.
  template <typename T>
  std::span<const T> values() const&& = delete;
};

/// Parses a whole file image (header and data); throws IoError on any defect.
Array parse(std::span<const std::byte> file, const std::string& where = "<memory>");

/// Reads a file into memory, converting to native byte order and C order.
Array read(const std::string& path);

/// A read-only memory mapping of a native-order, C-order .npy file.
class MappedArray {
 public:
  /// Maps `path`; throws IoError if it cannot be opened, is malformed, or is
  /// big-endian or Fortran-ordered (use read() for those).
  explicit MappedArray(const std::string& path);
  MappedArray(MappedArray&&) noexcept;
  MappedArray& operator=(MappedArray&&) noexcept;
  MappedArray(const MappedArray&) = delete;
  MappedArray& operator=(const MappedArray&) = delete;
  ~MappedArray();

  const Header& header() const noexcept { return header_; }
  DType dtype() const noexcept { return header_.dtype; }
  const std::vector<std::size_t>& shape() const noexcept { return header_.shape; }
  /// The raw data bytes (header_.data_bytes() of them).
  std::span<const std::byte> bytes() const noexcept;
  /// The values as T; throws IoError unless T matches the dtype.
  template <typename T>
  std::span<const T> values() const;

 private:
  Header header_;
  void* map_ = nullptr;
  std::size_t map_size_ = 0;
};

/// Writes an array in C order, native (little-endian) byte order, format 1.0
/// (2.0 when the header would exceed 65535 bytes). `data` holds
/// product(shape) elements of dtype. Writes only what parse() reads back:
/// throws InvalidArgument for more than kMaxRank dimensions or a null `data`
/// with a nonzero element count, and IoError when the element or byte count
/// overflows size_t or exceeds kMaxBytes, or if the file cannot be written
/// (nothing is left behind: data goes to a temporary file that is renamed
/// into place).
void write(const std::string& path, DType dtype, std::span<const std::size_t> shape,
           const void* data);

/// Convenience writers for matrices and vectors.
void write(const std::string& path, const DenseMatrix<float>& m);
void write(const std::string& path, const DenseMatrix<std::int8_t>& m);
void write(const std::string& path, std::span<const float> v);

/// A packed codebook as numpy packbits bytes: uint8 (rows, ceil(D/8)).
/// Throws DimensionError for D > kMaxDim or rows > kMaxRows.
DenseMatrix<std::uint8_t> to_packbits(const PackedMatrixView& m);
/// Inverse of to_packbits: `bytes` is (rows, ceil(dim/8)) uint8 whose data
/// holds exactly rows * ceil(dim/8) bytes (a hand-made Array is checked);
/// padding bits past D must be zero (np.packbits writes zeros). Throws
/// IoError for a bad array, DimensionError unless 1 <= dim <= kMaxDim and
/// rows <= kMaxRows.
PackedMatrix from_packbits(const Array& bytes, std::size_t dim);

/// Loads a codebook of bipolar rows saved by Python in any of the forms a
/// probe uses: float32/float64 ±1 (any value > 0 is +1, < 0 is -1; 0 is
/// rejected as ambiguous), int8 ±1, or packbits uint8 with `dim` given
/// (np.packbits(x < 0): bit 1 = -1). Complex arrays throw IoError.
/// `dim` = 0 means "take D from the array" (not allowed for packbits).
PackedMatrix load_bipolar(const std::string& path, std::size_t dim = 0);

}  // namespace hypervec::npy

namespace hypervec::npy {

/// Reads the rows of a 1-D or 2-D .npy file a block at a time, for inputs
/// larger than memory. Reads go through pread, not a memory mapping: a file
/// that shrinks or is truncated while being read throws IoError naming the
/// file and the byte, never SIGBUS, and memory stays bounded by the block.
/// Every dtype and byte order is converted on the fly; Fortran-ordered 2-D
/// files (their rows are not contiguous; numpy writes C order by default) are
/// read whole at construction. A 1-D file is one row. The file must be a
/// regular file (a FIFO or device throws IoError).
class RowReader {
 public:
  explicit RowReader(const std::string& path);
  RowReader(RowReader&&) noexcept;
  RowReader& operator=(RowReader&&) noexcept;
  ~RowReader();

  const std::string& path() const noexcept { return path_; }
  const Header& header() const noexcept { return header_; }
  DType dtype() const noexcept { return header_.dtype; }
  std::size_t rows() const noexcept { return rows_; }
  std::size_t cols() const noexcept { return cols_; }

  /// Rows [first, first + count) as float32 into `out` (count × cols()
  /// values, row-major): float32 as is, float64 rounded to nearest, int8
  /// exact, bool True → -1 and False → +1 (the packed-bit convention of
  /// codebooks). Throws IoError for a uint8 file (packbits: read_packed), a
  /// complex file (no real value to give: use read()) or a bool byte other
  /// than 0/1, InvalidArgument for a range past rows() or a
  /// wrong `out` size.
  void read_float(std::size_t first, std::size_t count, std::span<float> out) const;

  /// Rows [first, first + count) of a packbits uint8 file (cols() ==
  /// ceil(dim / 8), numpy.packbits order: bit (7 - i % 8) of byte i / 8 is
  /// component i, 1 meaning -1) as packed vectors of D = dim. Throws IoError
  /// if the file is not uint8, cols() does not match dim, or a row has
  /// padding bits set past D (naming the row).
  PackedMatrix read_packed(std::size_t first, std::size_t count, std::size_t dim) const;

  /// Rows [first, first + count) of a bipolar codebook as packed vectors,
  /// the row range of what load_bipolar reads whole: packbits uint8 with D =
  /// dim (read_packed), or float32/float64/int8 ±1 and bool rows (read_float;
  /// float64 is rounded to float32 first) whose D is cols() (dim 0 or equal).
  /// Throws IoError naming the file and the global row and component of a
  /// zero, NaN or infinite component, DimensionError for a dim that is not the
  /// file's, InvalidArgument for a range past rows().
  PackedMatrix read_bipolar(std::size_t first, std::size_t count, std::size_t dim) const;

 private:
  std::vector<std::byte> raw(std::size_t first, std::size_t count) const;

  std::string path_;
  Header header_;
  std::size_t rows_ = 0, cols_ = 0;
  int fd_ = -1;
  std::vector<std::byte> whole_;  // Fortran-ordered files, converted to C order
};

}  // namespace hypervec::npy
