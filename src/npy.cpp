// NumPy .npy reading and writing (include/hypervec/npy.hpp).
//
// Length (~690 lines): the header parser, dtype conversions and writer of one
// file format, which share the dtype table; the chunked row reader is
// src/npy_rows.cpp.
#include <hypervec/error.hpp>
#include <hypervec/npy.hpp>

#include "src/file_io.hpp"
#include "src/packbits.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cerrno>
#include <cstdio>
#include <complex>
#include <cstring>
#include <fstream>
#include <limits>
#include <string_view>

namespace hypervec::npy {
namespace {

constexpr unsigned char kMagic[6] = {0x93, 'N', 'U', 'M', 'P', 'Y'};

[[noreturn]] void fail(const std::string& where, const std::string& what) {
  throw IoError(detail::concat(where, ": ", what));
}

std::size_t checked_mul(std::size_t a, std::size_t b, const std::string& where) {
  std::size_t r;
  if (__builtin_mul_overflow(a, b, &r)) fail(where, "shape too large: element count overflows");
  return r;
}

/// A strict parser for the Python-literal dict numpy writes, e.g.
/// {'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }
class DictParser {
 public:
  DictParser(std::string_view text, const std::string& where) : s_(text), where_(where) {}

  void parse(Header& h) {
    bool have_descr = false, have_order = false, have_shape = false;
    skip_space();
    expect('{');
    while (true) {
      skip_space();
      if (peek() == '}') {
        ++pos_;
        break;
      }
      const std::string key = string_literal();
      skip_space();
      expect(':');
      skip_space();
      // A key given twice is malformed (Python's literal_eval would keep the
      // last one silently; we refuse rather than guess which one was meant).
      auto first = [&](bool& seen) {
        if (seen) fail(where_, "duplicate key '" + key + "' in the header dictionary");
        seen = true;
      };
      if (key == "descr") {
        first(have_descr);
        parse_descr(string_literal(), h);
      } else if (key == "fortran_order") {
        first(have_order);
        h.fortran_order = boolean();
      } else if (key == "shape") {
        first(have_shape);
        h.shape = shape_tuple();
      } else {
        fail(where_, "unexpected key '" + key + "' in the header");
      }
      skip_space();
      if (peek() == ',') {
        ++pos_;
        continue;
      }
      skip_space();
      expect('}');
      break;
    }
    skip_space();
    if (pos_ != s_.size()) fail(where_, "trailing characters after the header dictionary");
    if (!have_descr || !have_order || !have_shape) {
      fail(where_, "header lacks one of 'descr', 'fortran_order', 'shape'");
    }
  }

 private:
  char peek() const { return pos_ < s_.size() ? s_[pos_] : '\0'; }
  void skip_space() {
    while (pos_ < s_.size() && (s_[pos_] == ' ' || s_[pos_] == '\t' || s_[pos_] == '\n')) ++pos_;
  }
  void expect(char c) {
    if (peek() != c) fail(where_, detail::concat("malformed header: expected '", c, "' at byte ", pos_));
    ++pos_;
  }
  std::string string_literal() {
    const char quote = peek();
    if (quote != '\'' && quote != '"') fail(where_, detail::concat("malformed header: expected a string at byte ", pos_));
    ++pos_;
    const std::size_t start = pos_;
    while (pos_ < s_.size() && s_[pos_] != quote) {
      if (s_[pos_] == '\\') fail(where_, "malformed header: escapes are not supported");
      ++pos_;
    }
    if (pos_ >= s_.size()) fail(where_, "malformed header: unterminated string");
    std::string out(s_.substr(start, pos_ - start));
    ++pos_;
    return out;
  }
  bool boolean() {
    if (s_.substr(pos_, 4) == "True") {
      pos_ += 4;
      return true;
    }
    if (s_.substr(pos_, 5) == "False") {
      pos_ += 5;
      return false;
    }
    fail(where_, "malformed header: fortran_order must be True or False");
  }
  std::vector<std::size_t> shape_tuple() {
    std::vector<std::size_t> shape;
    expect('(');
    while (true) {
      skip_space();
      if (peek() == ')') {
        ++pos_;
        return shape;
      }
      if (peek() < '0' || peek() > '9') fail(where_, detail::concat("malformed header: bad shape at byte ", pos_));
      std::size_t value = 0;
      while (peek() >= '0' && peek() <= '9') {
        value = checked_mul(value, 10, where_);
        const std::size_t digit = static_cast<std::size_t>(peek() - '0');
        if (value > std::numeric_limits<std::size_t>::max() - digit) fail(where_, "shape too large: a dimension overflows");
        value += digit;
        ++pos_;
      }
      if (peek() == 'L') ++pos_;  // Python 2 long suffix
      shape.push_back(value);
      if (shape.size() > kMaxRank) fail(where_, detail::concat("shape has more than ", kMaxRank, " dimensions"));
      skip_space();
      if (peek() == ',') {
        ++pos_;
      } else if (peek() != ')') {
        fail(where_, detail::concat("malformed header: bad shape at byte ", pos_));
      }
    }
  }
  void parse_descr(const std::string& d, Header& h) {
    if (d.size() != 3 && d != "<c16" && d != ">c16" && d != "=c16") {
      fail(where_, "unsupported dtype '" + d + "' (supported: f4 f8 c8 c16 i1 u1 b1)");
    }
    const char order = d[0];
    const std::string code = d.substr(1);
    if (code == "f4") {
      h.dtype = DType::float32;
    } else if (code == "f8") {
      h.dtype = DType::float64;
    } else if (code == "c8") {
      h.dtype = DType::complex64;
    } else if (code == "c16") {
      h.dtype = DType::complex128;
    } else if (code == "i1") {
      h.dtype = DType::int8;
    } else if (code == "u1") {
      h.dtype = DType::uint8;
    } else if (code == "b1") {
      h.dtype = DType::boolean;
    } else {
      fail(where_, "unsupported dtype '" + d + "' (supported: f4 f8 c8 c16 i1 u1 b1)");
    }
    if (order == '<' || order == '|') {
      h.big_endian = false;
    } else if (order == '>') {
      h.big_endian = true;
    } else if (order == '=') {
      h.big_endian = std::endian::native == std::endian::big;
    } else {
      fail(where_, "unsupported byte order in dtype '" + d + "'");
    }
  }

  std::string_view s_;
  const std::string& where_;
  std::size_t pos_ = 0;
};

std::uint32_t read_le(const std::byte* p, int bytes) {
  std::uint32_t v = 0;
  for (int i = bytes - 1; i >= 0; --i) v = (v << 8) | std::to_integer<std::uint32_t>(p[i]);
  return v;
}

/// Reverses the byte order of every element in place.
void swap_bytes(std::span<std::byte> data, std::size_t item) {
  if (item == 1) return;
  for (std::size_t off = 0; off + item <= data.size(); off += item) {
    std::reverse(data.begin() + static_cast<std::ptrdiff_t>(off),
                 data.begin() + static_cast<std::ptrdiff_t>(off + item));
  }
}

/// Fortran (column-major) → C (row-major) element order. rank <= 32 (the
/// header parser enforces it).
std::vector<std::byte> fortran_to_c(std::span<const std::byte> src,
                                    const std::vector<std::size_t>& shape, std::size_t item) {
  std::vector<std::byte> dst(src.size());
  const std::size_t n = src.size() / item;
  const std::size_t rank = shape.size();
  std::array<std::size_t, 32> index{};    // current C-order multi-index
  std::array<std::size_t, 32> fstride{};  // Fortran strides, in elements
  std::size_t stride = 1;
  for (std::size_t k = 0; k < rank; ++k) {
    fstride[k] = stride;
    stride *= shape[k];
  }
  for (std::size_t e = 0; e < n; ++e) {
    std::size_t src_index = 0;
    for (std::size_t k = 0; k < rank; ++k) src_index += index[k] * fstride[k];
    std::memcpy(dst.data() + e * item, src.data() + src_index * item, item);
    for (std::size_t k = rank; k-- > 0;) {
      if (++index[k] < shape[k]) break;
      index[k] = 0;
    }
  }
  return dst;
}

void check_bool_values(std::span<const std::byte> data, const std::string& where) {
  for (std::size_t i = 0; i < data.size(); ++i) {
    if (std::to_integer<unsigned>(data[i]) > 1) {
      fail(where, detail::concat("bool element ", i, " holds ", std::to_integer<unsigned>(data[i]),
                                 "; .npy bools are 0 or 1"));
    }
  }
}

template <typename T>
constexpr bool matches(DType d) {
  if constexpr (std::is_same_v<T, float>) return d == DType::float32;
  if constexpr (std::is_same_v<T, double>) return d == DType::float64;
  if constexpr (std::is_same_v<T, std::complex<float>>) return d == DType::complex64;
  if constexpr (std::is_same_v<T, std::complex<double>>) return d == DType::complex128;
  if constexpr (std::is_same_v<T, std::int8_t>) return d == DType::int8;
  if constexpr (std::is_same_v<T, std::uint8_t>) return d == DType::uint8 || d == DType::boolean;
  return false;
}

template <typename T>
constexpr const char* type_name() {
  if constexpr (std::is_same_v<T, float>) return "float32";
  if constexpr (std::is_same_v<T, double>) return "float64";
  if constexpr (std::is_same_v<T, std::complex<float>>) return "complex64";
  if constexpr (std::is_same_v<T, std::complex<double>>) return "complex128";
  if constexpr (std::is_same_v<T, std::int8_t>) return "int8";
  return "uint8";
}

}  // namespace

std::size_t dtype_size(DType dtype) noexcept {
  switch (dtype) {
    case DType::float32: return 4;
    case DType::float64: return 8;
    case DType::complex64: return 8;
    case DType::complex128: return 16;
    case DType::int8:
    case DType::uint8:
    case DType::boolean: return 1;
  }
  return 1;
}

/// The unit byte swapping reverses: a complex value is two floats, each
/// swapped on its own.
static std::size_t dtype_swap_unit(DType dtype) noexcept {
  switch (dtype) {
    case DType::complex64: return 4;    // real and imaginary float32 each
    case DType::complex128: return 8;   // ... float64 each
    default: return dtype_size(dtype);
  }
}

const char* dtype_name(DType dtype) noexcept {
  switch (dtype) {
    case DType::float32: return "float32";
    case DType::float64: return "float64";
    case DType::complex64: return "complex64";
    case DType::complex128: return "complex128";
    case DType::int8: return "int8";
    case DType::uint8: return "uint8";
    case DType::boolean: return "bool";
  }
  return "?";
}

std::size_t Header::num_elements() const {
  std::size_t n = 1;
  for (const std::size_t d : shape) n = checked_mul(n, d, "npy header");
  return n;
}

std::size_t Header::data_bytes() const {
  return checked_mul(num_elements(), dtype_size(dtype), "npy header");
}

Header parse_header(std::span<const std::byte> bytes, const std::string& where) {
  if (bytes.size() < 10 || std::memcmp(bytes.data(), kMagic, sizeof kMagic) != 0) {
    fail(where, "not an .npy file (bad magic; expected \\x93NUMPY)");
  }
  Header h;
  h.major_version = std::to_integer<int>(bytes[6]);
  h.minor_version = std::to_integer<int>(bytes[7]);
  std::size_t len_bytes;
  if (h.major_version == 1) {
    len_bytes = 2;
  } else if (h.major_version == 2 || h.major_version == 3) {
    len_bytes = 4;
  } else {
    fail(where, detail::concat("unsupported .npy format version ", h.major_version, ".", h.minor_version));
  }
  if (bytes.size() < 8 + len_bytes) fail(where, "truncated header");
  const std::size_t header_len = read_le(bytes.data() + 8, static_cast<int>(len_bytes));
  if (header_len > kMaxHeaderBytes) {
    fail(where, detail::concat("header of ", header_len, " bytes exceeds the ", kMaxHeaderBytes, "-byte limit"));
  }
  h.data_offset = 8 + len_bytes + header_len;
  if (bytes.size() < h.data_offset) {
    fail(where, detail::concat("truncated header: needs ", h.data_offset, " bytes, have ", bytes.size()));
  }
  const std::string_view text(reinterpret_cast<const char*>(bytes.data()) + 8 + len_bytes, header_len);
  if (h.major_version < 3) {
    for (const char c : text) {
      if (static_cast<unsigned char>(c) >= 0x80) fail(where, "non-ASCII byte in a version 1/2 header");
    }
  }
  DictParser(text, where).parse(h);
  // Overflow checks with the file name in the message.
  std::size_t n = 1;
  for (const std::size_t d : h.shape) n = checked_mul(n, d, where);
  checked_mul(n, dtype_size(h.dtype), where);
  return h;
}

std::size_t Array::num_elements() const {
  std::size_t n = 1;
  for (const std::size_t d : shape) n = checked_mul(n, d, "npy::Array::num_elements");
  return n;
}

template <typename T>
std::span<const T> Array::values() const& {
  if (!matches<T>(dtype)) {
    throw IoError(detail::concat("npy::Array::values: array holds ", dtype_name(dtype), ", not ", type_name<T>()));
  }
  return {reinterpret_cast<const T*>(data.data()), data.size() / sizeof(T)};
}
template std::span<const float> Array::values<float>() const&;
template std::span<const double> Array::values<double>() const&;
template std::span<const std::complex<float>> Array::values<std::complex<float>>() const&;
template std::span<const std::complex<double>> Array::values<std::complex<double>>() const&;
template std::span<const std::int8_t> Array::values<std::int8_t>() const&;
template std::span<const std::uint8_t> Array::values<std::uint8_t>() const&;

Array parse(std::span<const std::byte> file, const std::string& where) {
  const Header h = parse_header(file, where);
  const std::size_t need = h.data_bytes();
  const std::size_t have = file.size() - h.data_offset;
  if (have < need) {
    fail(where, detail::concat("truncated data: the header promises ", need, " bytes (shape and dtype ",
                               dtype_name(h.dtype), "), the file has ", have));
  }
  if (have > need) {
    fail(where, detail::concat("the file has ", have - need, " bytes past the ", need,
                               " the header promises; shape or dtype in the header is wrong"));
  }
  Array a;
  a.dtype = h.dtype;
  a.shape = h.shape;
  const auto data = file.subspan(h.data_offset, need);
  a.data.assign(data.begin(), data.end());
  if (h.big_endian != (std::endian::native == std::endian::big)) swap_bytes(a.data, dtype_swap_unit(h.dtype));
  if (h.fortran_order && h.shape.size() > 1) a.data = fortran_to_c(a.data, h.shape, dtype_size(h.dtype));
  if (h.dtype == DType::boolean) check_bool_values(a.data, where);
  return a;
}

Array read(const std::string& path) {
  std::uint64_t file_size = 0;
  const detail::FdCloser fd(detail::open_input(path, detail::InputKind::regular_only, file_size));
  const auto size = static_cast<std::size_t>(file_size);
  // Read and check the header before allocating for the data.
  std::vector<std::byte> head(std::min<std::size_t>(size, 12 + kMaxHeaderBytes));
  detail::read_at(fd.get(), head.data(), head.size(), 0, path);
  const Header h = parse_header(head, path);
  if (size - h.data_offset != h.data_bytes()) {
    const std::size_t have = size - h.data_offset, need = h.data_bytes();
    if (have < need) {
      fail(path, detail::concat("truncated data: the header promises ", need, " bytes (shape and dtype ",
                                dtype_name(h.dtype), "), the file has ", have));
    }
    fail(path, detail::concat("the file has ", have - need, " bytes past the ", need,
                              " the header promises; shape or dtype in the header is wrong"));
  }
  std::vector<std::byte> file(size);
  detail::read_at(fd.get(), file.data(), size, 0, path);
  return parse(file, path);
}

// --- MappedArray ---------------------------------------------------------------

MappedArray::MappedArray(const std::string& path) {
  std::uint64_t file_size = 0;
  const int fd = detail::open_input(path, detail::InputKind::regular_only, file_size);
  const auto size = static_cast<std::size_t>(file_size);
  if (size == 0) {
    ::close(fd);
    fail(path, "not an .npy file (empty)");
  }
  void* map = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
  ::close(fd);
  if (map == MAP_FAILED) fail(path, std::string("mmap failed: ") + std::strerror(errno));
  map_ = map;
  map_size_ = size;
  try {
    header_ = parse_header({static_cast<const std::byte*>(map_), size}, path);
    const std::size_t have = size - header_.data_offset;
    if (have != header_.data_bytes()) {
      fail(path, detail::concat("data size mismatch: the header promises ", header_.data_bytes(),
                                " bytes, the file has ", have));
    }
    if (header_.big_endian != (std::endian::native == std::endian::big)) {
      fail(path, "big-endian data cannot be memory-mapped; use npy::read()");
    }
    if (header_.fortran_order && header_.shape.size() > 1) {
      fail(path, "Fortran-ordered data cannot be memory-mapped; use npy::read()");
    }
    if (header_.dtype == DType::boolean) check_bool_values(bytes(), path);
  } catch (...) {
    ::munmap(map_, map_size_);
    map_ = nullptr;
    throw;
  }
}

MappedArray::MappedArray(MappedArray&& other) noexcept
    : header_(std::move(other.header_)),
      map_(std::exchange(other.map_, nullptr)),
      map_size_(std::exchange(other.map_size_, 0)) {}

MappedArray& MappedArray::operator=(MappedArray&& other) noexcept {
  if (this != &other) {
    if (map_ != nullptr) ::munmap(map_, map_size_);
    header_ = std::move(other.header_);
    map_ = std::exchange(other.map_, nullptr);
    map_size_ = std::exchange(other.map_size_, 0);
  }
  return *this;
}

MappedArray::~MappedArray() {
  if (map_ != nullptr) ::munmap(map_, map_size_);
}

std::span<const std::byte> MappedArray::bytes() const noexcept {
  return {static_cast<const std::byte*>(map_) + header_.data_offset, header_.data_bytes()};
}

template <typename T>
std::span<const T> MappedArray::values() const {
  if (!matches<T>(header_.dtype)) {
    throw IoError(detail::concat("npy::MappedArray::values: file holds ", dtype_name(header_.dtype), ", not ",
                                 type_name<T>()));
  }
  // The data offset is a multiple of 64 for numpy-written files; our element
  // types need at most 8-byte alignment.
  if (reinterpret_cast<std::uintptr_t>(bytes().data()) % alignof(T) != 0) {
    throw IoError("npy::MappedArray::values: data is not aligned for its type; use npy::read()");
  }
  return {reinterpret_cast<const T*>(bytes().data()), bytes().size() / sizeof(T)};
}
template std::span<const float> MappedArray::values<float>() const;
template std::span<const double> MappedArray::values<double>() const;
template std::span<const std::complex<float>> MappedArray::values<std::complex<float>>() const;
template std::span<const std::complex<double>> MappedArray::values<std::complex<double>>() const;
template std::span<const std::int8_t> MappedArray::values<std::int8_t>() const;
template std::span<const std::uint8_t> MappedArray::values<std::uint8_t>() const;

// --- Writing -------------------------------------------------------------------

void write(const std::string& path, DType dtype, std::span<const std::size_t> shape, const void* data) {
  // Refuse what parse() would refuse, so every file written reads back: at
  // most kMaxRank dimensions, an element and byte count that fit in size_t.
  // Also a byte count no buffer can hold (kMaxBytes), and null data unless
  // there are no elements.
  if (shape.size() > kMaxRank) {
    throw InvalidArgument(detail::concat("npy::write: ", path, ": shape has ", shape.size(),
                                         " dimensions; .npy readers accept at most ", kMaxRank));
  }
  std::size_t count = 1;
  for (const std::size_t d : shape) count = checked_mul(count, d, path);
  const std::size_t data_bytes = checked_mul(count, dtype_size(dtype), path);
  if (data_bytes > kMaxBytes) {
    fail(path, detail::concat("npy::write: data of ", data_bytes, " bytes exceeds the limit kMaxBytes=",
                              kMaxBytes));
  }
  if (data == nullptr && count != 0) {
    throw InvalidArgument(detail::concat("npy::write: ", path, ": data is a null pointer but shape has ",
                                         count, " elements"));
  }
  std::string descr;
  switch (dtype) {
    case DType::float32: descr = "<f4"; break;
    case DType::float64: descr = "<f8"; break;
    case DType::complex64: descr = "<c8"; break;
    case DType::complex128: descr = "<c16"; break;
    case DType::int8: descr = "|i1"; break;
    case DType::uint8: descr = "|u1"; break;
    case DType::boolean: descr = "|b1"; break;
  }
  std::string dict = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': (";
  std::size_t n = 1;
  for (std::size_t k = 0; k < shape.size(); ++k) {
    dict += std::to_string(shape[k]);
    if (shape.size() == 1 || k + 1 < shape.size()) dict += ",";
    if (k + 1 < shape.size()) dict += " ";
    n = checked_mul(n, shape[k], path);
  }
  dict += "), }";
  const std::size_t bytes = checked_mul(n, dtype_size(dtype), path);
  // Pad so the data starts at a multiple of 64 bytes; the header ends in '\n'.
  int major = 1;
  std::size_t prefix = 10;
  if (dict.size() + 1 + prefix > 65535 + 10) {
    major = 2;
    prefix = 12;
  }
  const std::size_t total = (prefix + dict.size() + 1 + 63) / 64 * 64;
  dict.append(total - prefix - dict.size() - 1, ' ');
  dict += '\n';
  std::string head(reinterpret_cast<const char*>(kMagic), sizeof kMagic);
  head += static_cast<char>(major);
  head += '\0';
  const std::size_t len = dict.size();
  for (std::size_t b = 0; b < (major == 1 ? 2U : 4U); ++b) head += static_cast<char>((len >> (8 * b)) & 0xFF);
  head += dict;

  // Atomically (src/file_io.hpp): the old file stays unless all was written.
  detail::AtomicOutput out(path, "npy::write");
  out.write(head);
  if (bytes != 0) out.write(data, bytes);
  out.commit();
}

namespace {
template <typename T>
void write_matrix(const std::string& path, DType dtype, const DenseMatrix<T>& m) {
  std::vector<T> rows(m.rows() * m.dim());
  for (std::size_t r = 0; r < m.rows(); ++r) std::copy(m.row(r).begin(), m.row(r).end(), rows.data() + r * m.dim());
  const std::size_t shape[2] = {m.rows(), m.dim()};
  write(path, dtype, shape, rows.data());
}
}  // namespace

void write(const std::string& path, const DenseMatrix<float>& m) { write_matrix(path, DType::float32, m); }
void write(const std::string& path, const DenseMatrix<std::int8_t>& m) { write_matrix(path, DType::int8, m); }
void write(const std::string& path, std::span<const float> v) {
  const std::size_t shape[1] = {v.size()};
  write(path, DType::float32, shape, v.data());
}

// --- Packed codebooks ------------------------------------------------------------

DenseMatrix<std::uint8_t> to_packbits(const PackedMatrixView& m) {
  constexpr const char* where = "npy::to_packbits";
  detail::require_dim_limit(where, "m", m.dim);
  detail::require_rows_limit(where, "m", m.rows);
  detail::require<InvalidArgument>(m.rows == 0 || m.words != nullptr, where, ": m.words is null");
  detail::require<DimensionError>(m.rows <= 1 || m.stride_words >= packed_words(m.dim), where,
                                  ": m.stride_words=", m.stride_words, " is less than the ",
                                  packed_words(m.dim), " words of D=", m.dim);
  const std::size_t row_bytes = packbits_bytes(m.dim);
  DenseMatrix<std::uint8_t> out(m.rows, row_bytes);
  for (std::size_t r = 0; r < m.rows; ++r) {
    const PackedView v = m.row(r);
    auto dst = out.row(r);
    for (std::size_t i = 0; i < m.dim; ++i) {
      if (v.component(i) < 0) dst[i / 8] = static_cast<std::uint8_t>(dst[i / 8] | (0x80U >> (i % 8)));
    }
  }
  return out;
}

PackedMatrix from_packbits(const Array& bytes, std::size_t dim) {
  constexpr const char* where = "npy::from_packbits";
  detail::require_valid_dim(where, "the codebook", dim);
  if (bytes.dtype != DType::uint8 || bytes.shape.size() != 2) {
    throw IoError(detail::concat("npy::from_packbits: expected a 2-d uint8 array, got ", dtype_name(bytes.dtype),
                                 " with ", bytes.shape.size(), " dimensions"));
  }
  const std::size_t row_bytes = packbits_bytes(dim);
  if (bytes.shape[1] != row_bytes) {
    throw IoError(detail::concat("npy::from_packbits: D=", dim, " needs ", row_bytes, " bytes per row, the array has ",
                                 bytes.shape[1]));
  }
  detail::require_rows_limit(where, "the codebook", bytes.shape[0]);
  // The Array may be hand-made: its data must hold exactly what shape says.
  const std::size_t need = checked_mul(bytes.shape[0], row_bytes, where);
  if (bytes.data.size() != need) {
    throw IoError(detail::concat("npy::from_packbits: shape (", bytes.shape[0], ", ", bytes.shape[1], ") needs ",
                                 need, " bytes of data, the array holds ", bytes.data.size()));
  }
  const auto values = bytes.values<std::uint8_t>();
  PackedMatrix m(bytes.shape[0], dim);
  for (std::size_t r = 0; r < m.rows(); ++r) {
    if (!detail::unpack_packbits_row(values.data() + r * row_bytes, dim, m.row_span(r).words)) {
      throw IoError(detail::concat("npy::from_packbits: row ", r, " has nonzero padding bits past D=", dim));
    }
  }
  return m;
}

PackedMatrix load_bipolar(const std::string& path, std::size_t dim) {
  const Array a = read(path);
  if (a.shape.size() != 2) {
    fail(path, detail::concat("a codebook must be a 2-d array (rows, D); this one has ", a.shape.size(),
                              " dimensions"));
  }
  const std::size_t rows = a.shape[0];
  if (a.dtype == DType::uint8) {
    if (dim == 0) fail(path, "a packbits (uint8) codebook needs D given explicitly");
    try {
      return from_packbits(a, dim);
    } catch (const IoError& e) {
      fail(path, e.what());
    }
  }
  const std::size_t d = a.shape[1];
  if (dim != 0 && dim != d) {
    throw DimensionError(detail::concat(path, ": codebook has D=", d, ", expected D=", dim));
  }
  detail::require_valid_dim(path.c_str(), "the codebook", d);
  detail::require_rows_limit(path.c_str(), "the codebook", rows);
  PackedMatrix m(rows, d);
  auto load = [&](auto values, auto is_negative) {
    for (std::size_t r = 0; r < rows; ++r) {
      PackedSpan row = m.row_span(r);
      for (std::size_t i = 0; i < d; ++i) {
        const auto x = values[r * d + i];
        if (is_negative(x, r, i)) row.words[i / 64] |= std::uint64_t{1} << (i % 64);
      }
    }
  };
  auto sign_of = [&](auto x, std::size_t r, std::size_t i) {
    if (!std::isfinite(static_cast<double>(x)) || x == 0) {
      fail(path, detail::concat("row ", r, " component ", i, " is ", static_cast<double>(x),
                                "; a bipolar codebook needs nonzero, finite signs"));
    }
    return x < 0;
  };
  switch (a.dtype) {
    case DType::float32: load(a.values<float>(), sign_of); break;
    case DType::float64: load(a.values<double>(), sign_of); break;
    case DType::int8: load(a.values<std::int8_t>(), sign_of); break;
    case DType::boolean:  // unpacked bits: True = bit 1 = -1
      load(a.values<std::uint8_t>(), [](std::uint8_t x, std::size_t, std::size_t) { return x != 0; });
      break;
    case DType::uint8: break;  // handled above
    case DType::complex64:
    case DType::complex128:
      fail(path, detail::concat("a bipolar codebook cannot be ", dtype_name(a.dtype),
                                " (complex values are FHRR phasors, not ±1 signs)"));
  }
  return m;
}

}  // namespace hypervec::npy
