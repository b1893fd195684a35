// Internal: the labels of a cleanup memory and their reverse index
// (src/cleanup/label_index.cpp). Non-empty labels are unique; empty labels
// are kept but not indexed.
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace hypervec::cleanup::detail {

/// Labels and their reverse index, shared by the memories.
class LabelIndex {
 public:
  /// Appends a label for row `id` (== size()). Throws InvalidArgument naming
  /// `where` if a non-empty label is already present.
  void add(std::string label, const char* where);
  /// Throws InvalidArgument if any non-empty label in `labels` is present or
  /// repeated, before anything is added.
  void check_new(std::span<const std::string> labels, const char* where) const;
  std::size_t size() const noexcept { return labels_.size(); }
  const std::string& operator[](std::size_t id) const { return labels_[id]; }
  std::optional<std::size_t> find(std::string_view label) const;

 private:
  std::vector<std::string> labels_;
  std::unordered_map<std::string, std::size_t> index_;
};

}  // namespace hypervec::cleanup::detail
