// Labelled codebooks on disk (include/hypervec/codebook.hpp).
#include <hypervec/codebook.hpp>

#include <hypervec/dense.hpp>

#include <hypervec/bipolar.hpp>
#include <hypervec/error.hpp>
#include <hypervec/npy.hpp>

namespace hypervec::codebook {

cleanup::PackedMemory generate(std::span<const std::string> labels, std::size_t dim,
                               std::uint64_t seed) {
  detail::require_valid_dim("codebook::generate", "the codebook", dim);
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

cleanup::PackedMemory load_rows(const npy::RowReader& reader, std::span<const std::string> labels,
                                const std::string& labels_path, std::size_t first, std::size_t count,
                                std::size_t dim) {
  const PackedMatrix rows = reader.read_bipolar(first, count, dim);
  detail::require<DimensionError>(labels.empty() || labels.size() == reader.rows(), "codebook::load_rows: ",
                                  reader.path(), " has ", reader.rows(), " rows but ", labels_path, " has ",
                                  labels.size(), " labels; they must match one to one");
  cleanup::PackedMemory memory(rows.dim());
  if (count != 0) memory.add(rows.view(), labels.empty() ? labels : labels.subspan(first, count));
  return memory;
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
        const DenseVector<float> row = dense::to_float(rows.row(r));  // dispatched unpack
        std::copy(row.data(), row.data() + dim, m.row(r).begin());
      }
      npy::write(path, m);
      return;
    }
    case Format::int8: {
      DenseMatrix<std::int8_t> m(rows.rows, dim);
      for (std::size_t r = 0; r < rows.rows; ++r) {
        const DenseVector<std::int8_t> row = dense::to_int8(rows.row(r));  // dispatched unpack
        std::copy(row.data(), row.data() + dim, m.row(r).begin());
      }
      npy::write(path, m);
      return;
    }
  }
}

void save(const cleanup::PackedMemory& memory, const std::string& npy_path,
          const std::string& labels_path, Format format) {
  detail::require(memory.size() > 0, "codebook::save: the memory is empty; load() refuses a ",
                  "codebook without rows");
  std::vector<std::string> labels(memory.size());
  for (std::size_t i = 0; i < memory.size(); ++i) labels[i] = memory.label(i);
  write_labels(labels_path, labels);
  write_matrix(npy_path, memory.view(), format);
}

}  // namespace hypervec::codebook
