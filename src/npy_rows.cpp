// Block-wise reading of .npy rows with conversion (npy::RowReader in
// include/hypervec/npy.hpp).
#include <hypervec/error.hpp>
#include <hypervec/npy.hpp>

#include "src/file_io.hpp"
#include "src/packbits.hpp"

#include <unistd.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstring>
#include <utility>

namespace hypervec::npy {
namespace {

template <typename T>
T load_value(const std::byte* p, bool swap) {
  std::array<std::byte, sizeof(T)> b;
  std::memcpy(b.data(), p, sizeof(T));
  if (swap) std::reverse(b.begin(), b.end());
  return std::bit_cast<T>(b);
}

}  // namespace

RowReader::RowReader(const std::string& path) : path_(path) {
  std::uint64_t size = 0;
  fd_ = detail::open_input(path, detail::InputKind::regular_only, size);
  try {
    std::vector<std::byte> head(static_cast<std::size_t>(std::min<std::uint64_t>(size, 12 + kMaxHeaderBytes)));
    detail::read_at(fd_, head.data(), head.size(), 0, path);
    header_ = parse_header(head, path);
    const std::uint64_t have = size - header_.data_offset;
    if (have != header_.data_bytes()) {
      throw IoError(detail::concat(path, ": data size mismatch: the header promises ",
                                   header_.data_bytes(), " bytes, the file has ", have));
    }
    if (header_.shape.size() == 1) {
      rows_ = 1;
      cols_ = header_.shape[0];
    } else if (header_.shape.size() == 2) {
      rows_ = header_.shape[0];
      cols_ = header_.shape[1];
    } else {
      throw IoError(detail::concat(path, ": expected a 1-D or 2-D array, not ", header_.shape.size(), "-D"));
    }
    if (header_.fortran_order && header_.shape.size() == 2) {
      whole_ = read(path).data;  // converted to native byte order and C order
      ::close(std::exchange(fd_, -1));
    }
  } catch (...) {
    if (fd_ >= 0) ::close(fd_);
    throw;
  }
}

RowReader::RowReader(RowReader&& other) noexcept
    : path_(std::move(other.path_)),
      header_(std::move(other.header_)),
      rows_(other.rows_),
      cols_(other.cols_),
      fd_(std::exchange(other.fd_, -1)),
      whole_(std::move(other.whole_)) {}

RowReader& RowReader::operator=(RowReader&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    path_ = std::move(other.path_);
    header_ = std::move(other.header_);
    rows_ = other.rows_;
    cols_ = other.cols_;
    fd_ = std::exchange(other.fd_, -1);
    whole_ = std::move(other.whole_);
  }
  return *this;
}

RowReader::~RowReader() {
  if (fd_ >= 0) ::close(fd_);
}

std::vector<std::byte> RowReader::raw(std::size_t first, std::size_t count) const {
  detail::require(first <= rows_ && count <= rows_ - first, "npy::RowReader: rows [", first, ", ",
                  first, " + ", count, ") are past the ", rows_, " rows of ", path_);
  const std::size_t row_bytes = cols_ * dtype_size(header_.dtype);  // fits: checked by parse_header
  std::vector<std::byte> bytes(count * row_bytes);
  if (bytes.empty()) return bytes;
  if (fd_ < 0) {
    std::memcpy(bytes.data(), whole_.data() + first * row_bytes, bytes.size());
  } else {
    detail::read_at(fd_, bytes.data(), bytes.size(), header_.data_offset + std::uint64_t{first} * row_bytes,
                    path_);
  }
  return bytes;
}

void RowReader::read_float(std::size_t first, std::size_t count, std::span<float> out) const {
  detail::require(out.size() == count * cols_, "npy::RowReader::read_float: out holds ", out.size(),
                  " values, ", count, " rows of ", cols_, " need ", count * cols_);
  const std::vector<std::byte> bytes = raw(first, count);
  const std::size_t n = out.size();
  if (n == 0) return;  // an empty shard: no bytes, and memcpy must not see null
  // Fortran files were converted by read(); the others are in the file's order.
  const bool swap = whole_.empty() && header_.big_endian != (std::endian::native == std::endian::big);
  const std::byte* p = bytes.data();
  switch (header_.dtype) {
    case DType::float32:
      if (!swap) {
        std::memcpy(out.data(), p, n * sizeof(float));
      } else {
        for (std::size_t i = 0; i < n; ++i) out[i] = load_value<float>(p + 4 * i, true);
      }
      return;
    case DType::float64:
      for (std::size_t i = 0; i < n; ++i) out[i] = static_cast<float>(load_value<double>(p + 8 * i, swap));
      return;
    case DType::int8:
      for (std::size_t i = 0; i < n; ++i) out[i] = static_cast<float>(static_cast<std::int8_t>(p[i]));
      return;
    case DType::boolean:
      for (std::size_t i = 0; i < n; ++i) {
        const auto b = std::to_integer<unsigned>(p[i]);
        if (b > 1) {
          throw IoError(detail::concat(path_, ": row ", first + i / cols_, ": bool value ", b,
                                       " is neither 0 nor 1"));
        }
        out[i] = b != 0 ? -1.0F : 1.0F;
      }
      return;
    case DType::uint8:
      throw IoError(detail::concat(path_, ": uint8 data is packbits; read it with read_packed"));
    case DType::complex64:
    case DType::complex128:
      throw IoError(detail::concat(path_, ": ", dtype_name(header_.dtype),
                                   " data has no real float value per component (FHRR phasors?); "
                                   "load it whole with npy::read"));
  }
}

PackedMatrix RowReader::read_packed(std::size_t first, std::size_t count, std::size_t dim) const {
  detail::require_valid_dim("npy::RowReader::read_packed", "the vectors", dim);
  if (header_.dtype != DType::uint8) {
    throw IoError(detail::concat(path_, ": expected packbits uint8 rows, the file holds ",
                                 dtype_name(header_.dtype)));
  }
  const std::size_t row_bytes = packbits_bytes(dim);
  if (cols_ != row_bytes) {
    throw IoError(detail::concat(path_, " has ", cols_, " bytes per row; packbits of D = ", dim,
                                 " needs ", row_bytes));
  }
  const std::vector<std::byte> bytes = raw(first, count);
  PackedMatrix m(count, dim);
  for (std::size_t r = 0; r < count; ++r) {
    const auto* src = reinterpret_cast<const std::uint8_t*>(bytes.data()) + r * row_bytes;
    if (!detail::unpack_packbits_row(src, dim, m.row_span(r).words)) {
      throw IoError(detail::concat(path_, ": row ", first + r, " has padding bits set past D = ", dim));
    }
  }
  return m;
}

PackedMatrix RowReader::read_bipolar(std::size_t first, std::size_t count, std::size_t dim) const {
  if (header_.shape.size() != 2) {
    throw IoError(detail::concat(path_, ": a codebook must be a 2-d array (rows, D); this one has ",
                                 header_.shape.size(), " dimensions"));
  }
  detail::require(first <= rows_ && count <= rows_ - first, path_, ": rows [", first, ", ", first + count,
                  ") are outside the file's ", rows_, " rows");
  if (header_.dtype == DType::uint8) {
    if (dim == 0) throw IoError(detail::concat(path_, ": a packbits (uint8) codebook needs D given explicitly"));
    return read_packed(first, count, dim);
  }
  if (dim != 0 && dim != cols_) {
    throw DimensionError(detail::concat(path_, ": codebook has D=", cols_, ", expected D=", dim));
  }
  detail::require_valid_dim(path_.c_str(), "the codebook", cols_);
  std::vector<float> values(count * cols_);
  read_float(first, count, values);
  PackedMatrix m(count, cols_);
  for (std::size_t r = 0; r < count; ++r) {
    PackedSpan row = m.row_span(r);
    const float* x = values.data() + r * cols_;
    for (std::size_t i = 0; i < cols_; ++i) {
      if (!std::isfinite(x[i]) || x[i] == 0) {
        throw IoError(detail::concat(path_, ": row ", first + r, " component ", i, " is ", x[i],
                                     "; a bipolar codebook needs nonzero, finite signs"));
      }
      if (x[i] < 0) row.words[i / 64] |= std::uint64_t{1} << (i % 64);
    }
  }
  return m;
}

}  // namespace hypervec::npy
