// Labels of a cleanup memory and their reverse index (label_index.hpp).
#include "src/cleanup/label_index.hpp"

#include <hypervec/error.hpp>

namespace hypervec::cleanup::detail {

void LabelIndex::check_new(std::span<const std::string> labels, const char* where) const {
  std::unordered_map<std::string_view, std::size_t> seen;
  for (std::size_t i = 0; i < labels.size(); ++i) {
    if (labels[i].empty()) continue;
    if (index_.count(labels[i]) != 0 || !seen.emplace(labels[i], i).second) {
      throw InvalidArgument(hypervec::detail::concat(
          where, ": duplicate label \"", labels[i], "\" (labels[", i,
          "]); non-empty labels must be unique"));
    }
  }
}

void LabelIndex::add(std::string label, const char* where) {
  if (!label.empty()) {
    if (index_.count(label) != 0) {
      throw InvalidArgument(hypervec::detail::concat(
          where, ": duplicate label \"", label, "\" (already row ", index_.at(label),
          "); non-empty labels must be unique"));
    }
    index_.emplace(label, labels_.size());
  }
  labels_.push_back(std::move(label));
}

std::optional<std::size_t> LabelIndex::find(std::string_view label) const {
  if (label.empty()) return std::nullopt;
  const auto it = index_.find(std::string(label));
  if (it == index_.end()) return std::nullopt;
  return it->second;
}

}  // namespace hypervec::cleanup::detail
