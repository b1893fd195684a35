// Internal, ISA-free: the bounded top-k selection every cleanup kernel feeds.
// Shared by the per-target kernels in simd/cleanup.cc (one type for all
// targets, so it crosses the dispatch boundary by pointer) and the scalar
// reference in src/reference/cleanup.cpp.
#pragma once

#include <algorithm>
#include <cstddef>
#include <vector>

namespace hypervec::cleanup::detail {

/// A scored row.
struct Hit {
  double score;
  std::size_t id;
};

/// The total order of results: higher score first, then lower id.
inline bool better(const Hit& a, const Hit& b) noexcept {
  return a.score > b.score || (a.score == b.score && a.id < b.id);
}

/// The k best hits seen so far under `better`. A binary heap whose front is
/// the worst kept hit, so a push costs O(1) when it is rejected (the common
/// case) and O(log k) otherwise. The kept set is a pure function of the set
/// of pushed hits, whatever their order: this is what makes blocked and
/// multithreaded searches agree exactly.
class TopK {
 public:
  explicit TopK(std::size_t k = 1) : k_(k) { heap_.reserve(k); }

  void push(double score, std::size_t id) {
    if (heap_.size() < k_) {
      heap_.push_back({score, id});
      std::push_heap(heap_.begin(), heap_.end(), better);
      return;
    }
    const Hit& worst = heap_.front();
    if (score < worst.score) return;
    const Hit hit{score, id};
    if (!better(hit, worst)) return;
    std::pop_heap(heap_.begin(), heap_.end(), better);
    heap_.back() = hit;
    std::push_heap(heap_.begin(), heap_.end(), better);
  }

  void merge(const TopK& other) {
    for (const Hit& h : other.heap_) push(h.score, h.id);
  }

  /// The kept hits, best first.
  std::vector<Hit> sorted() const {
    std::vector<Hit> out = heap_;
    std::sort(out.begin(), out.end(), better);
    return out;
  }

 private:
  std::size_t k_;
  std::vector<Hit> heap_;
};

}  // namespace hypervec::cleanup::detail
