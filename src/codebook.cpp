// Labelled codebooks on disk (include/hypervec/codebook.hpp).
#include <hypervec/codebook.hpp>

#include <hypervec/bipolar.hpp>
#include <hypervec/error.hpp>
#include <hypervec/npy.hpp>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <unordered_map>

namespace hypervec::codebook {
namespace {

/// True when `s` is well-formed UTF-8 (no overlongs, surrogates or code
/// points above U+10FFFF).
bool valid_utf8(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    std::size_t len = 0;
    std::uint32_t cp = 0;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xE0) == 0xC0) {
      len = 2;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      len = 3;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      len = 4;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (i + len > s.size()) return false;
    for (std::size_t k = 1; k < len; ++k) {
      const auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    const std::uint32_t min_cp = len == 2 ? 0x80 : (len == 3 ? 0x800 : 0x10000);
    if (cp < min_cp || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += len;
  }
  return true;
}

}  // namespace

std::vector<std::string> read_labels(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw IoError(detail::concat("codebook::read_labels: cannot open ", path));
  std::vector<std::string> labels;
  std::unordered_map<std::string, std::size_t> first_line;
  std::string line;
  std::size_t number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) {
      throw IoError(detail::concat(path, ":", number, ": empty label (one label per line, ",
                                   "no blank lines)"));
    }
    if (!valid_utf8(line)) {
      throw IoError(detail::concat(path, ":", number, ": label is not valid UTF-8"));
    }
    const auto [it, fresh] = first_line.try_emplace(line, number);
    if (!fresh) {
      throw IoError(detail::concat(path, ":", number, ": duplicate label \"", line,
                                   "\" (first on line ", it->second, ")"));
    }
    labels.push_back(std::move(line));
  }
  if (in.bad()) throw IoError(detail::concat("codebook::read_labels: error reading ", path));
  return labels;
}

void write_labels(const std::string& path, std::span<const std::string> labels) {
  for (std::size_t i = 0; i < labels.size(); ++i) {
    detail::require(!labels[i].empty(), "codebook::write_labels: label ", i, " is empty");
    detail::require(labels[i].find_first_of("\r\n") == std::string::npos,
                    "codebook::write_labels: label ", i, " contains a line break");
  }
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) throw IoError(detail::concat("codebook::write_labels: cannot create ", tmp));
    for (const auto& label : labels) out << label << '\n';
    out.flush();
    if (!out) {
      std::remove(tmp.c_str());
      throw IoError(detail::concat("codebook::write_labels: error writing ", tmp));
    }
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    std::remove(tmp.c_str());
    throw IoError(detail::concat("codebook::write_labels: cannot rename ", tmp, " to ", path));
  }
}

cleanup::PackedMemory generate(std::span<const std::string> labels, std::size_t dim,
                               std::uint64_t seed) {
  detail::require_nonzero_dim("codebook::generate", "the codebook", dim);
  const PackedMatrix rows = bipolar::random_matrix(labels.size(), dim, seed);
  return cleanup::PackedMemory(rows.view(), labels);
}

cleanup::PackedMemory load(const std::string& npy_path, const std::string& labels_path,
                           std::size_t dim) {
  const PackedMatrix rows = npy::load_bipolar(npy_path, dim);
  const std::vector<std::string> labels = read_labels(labels_path);
  detail::require<DimensionError>(rows.rows() == labels.size(), "codebook::load: ", npy_path,
                                  " has ", rows.rows(), " rows but ", labels_path, " has ",
                                  labels.size(), " labels; they must match one to one");
  detail::require<IoError>(rows.rows() > 0, "codebook::load: ", npy_path, " has no rows");
  return cleanup::PackedMemory(rows.view(), labels);
}

Format parse_format(std::string_view name) {
  if (name == "packbits") return Format::packbits;
  if (name == "float32") return Format::float32;
  if (name == "int8") return Format::int8;
  throw InvalidArgument(detail::concat("unknown matrix format \"", name,
                                       "\" (expected packbits, float32 or int8)"));
}

void write_matrix(const std::string& path, const PackedMatrixView& rows, Format format) {
  const std::size_t dim = rows.dim;
  switch (format) {
    case Format::packbits: {
      const DenseMatrix<std::uint8_t> bytes = npy::to_packbits(rows);
      std::vector<std::uint8_t> flat(bytes.rows() * bytes.dim());
      for (std::size_t r = 0; r < bytes.rows(); ++r) {
        std::copy(bytes.row(r).begin(), bytes.row(r).end(), flat.begin() + r * bytes.dim());
      }
      const std::size_t shape[2] = {bytes.rows(), bytes.dim()};
      npy::write(path, npy::DType::uint8, shape, flat.data());
      return;
    }
    case Format::float32: {
      DenseMatrix<float> m(rows.rows, dim);
      for (std::size_t r = 0; r < rows.rows; ++r) {
        const PackedView row = rows.row(r);
        auto out = m.row(r);
        for (std::size_t i = 0; i < dim; ++i) out[i] = static_cast<float>(row.component(i));
      }
      npy::write(path, m);
      return;
    }
    case Format::int8: {
      DenseMatrix<std::int8_t> m(rows.rows, dim);
      for (std::size_t r = 0; r < rows.rows; ++r) {
        const PackedView row = rows.row(r);
        auto out = m.row(r);
        for (std::size_t i = 0; i < dim; ++i) out[i] = static_cast<std::int8_t>(row.component(i));
      }
      npy::write(path, m);
      return;
    }
  }
}

void save(const cleanup::PackedMemory& memory, const std::string& npy_path,
          const std::string& labels_path, Format format) {
  std::vector<std::string> labels(memory.size());
  for (std::size_t i = 0; i < memory.size(); ++i) labels[i] = memory.label(i);
  write_labels(labels_path, labels);
  write_matrix(npy_path, memory.view(), format);
}

}  // namespace hypervec::codebook
