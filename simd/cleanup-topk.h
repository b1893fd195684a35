// Internal, ISA-free: the bounded top-k selection every cleanup kernel feeds.
// Shared by the per-target kernels in simd/cleanup.cc (one type for all
// targets, so it crosses the dispatch boundary by pointer) and the scalar
// reference in src/reference/cleanup.cpp.
#pragma once

#include <algorithm>
#include <cstddef>
#include <limits>
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
    const Hit hit{score, id};
    if (heap_.size() < k_) {
      heap_.push_back(hit);
      std::push_heap(heap_.begin(), heap_.end(), WorstFirst{});
      return;
    }
    if (score < heap_.front().score || !better(hit, heap_.front())) return;
    // Replace the worst kept hit and sift it down: one pass of at most
    // log2 k levels (instead of pop_heap + push_heap).
    const std::size_t n = heap_.size();
    std::size_t i = 0;
    for (;;) {
      std::size_t child = 2 * i + 1;
      if (child >= n) break;
      if (child + 1 < n && better(heap_[child], heap_[child + 1])) ++child;  // the worse child
      if (!better(hit, heap_[child])) break;  // no better than the worse child: stays at i
      heap_[i] = heap_[child];
      i = child;
    }
    heap_[i] = hit;
  }

  /// The score a new hit must reach to be kept: the worst kept score once k
  /// hits are kept (an equal score is kept only with a lower id than that
  /// hit's), else -inf. Kernels compare against it before calling push, so a
  /// rejected row costs one comparison and no heap work.
  double bar() const noexcept {
    return heap_.size() < k_ ? -std::numeric_limits<double>::infinity() : heap_.front().score;
  }

  void merge(const TopK& other) {
    for (const Hit& h : other.heap_) push(h.score, h.id);
  }

  /// The kept hits, best first.
  std::vector<Hit> sorted() const {
    std::vector<Hit> out = heap_;
    std::sort(out.begin(), out.end(), [](const Hit& a, const Hit& b) { return better(a, b); });
    return out;
  }

 private:
  /// std heap order with the worst hit at the front: a "less than" b when a
  /// is better (an inlinable comparator, unlike a function pointer).
  struct WorstFirst {
    bool operator()(const Hit& a, const Hit& b) const noexcept { return better(a, b); }
  };

  std::size_t k_;
  std::vector<Hit> heap_;
};

}  // namespace hypervec::cleanup::detail
