// A small directed graph (flights between cities) as one bundle of edges:
//   s = Σ_{u → v} u ⊗ ρ(v)
// The permutation ρ makes u → v differ from v → u. Successors of u:
// ρ^{-1}(s ⊙ u) = Σ_{u → v} v + noise; predecessors of v: s ⊙ ρ(v). Each is
// searched in the node memory for every match with z >= 6 (a non-neighbour
// reaches z = 6 with probability 1e-9; a neighbour sits at z ≈ √(D/m) ≈ 26
// for m = 15 edges at D = 10000). The undirected version binds u ⊗ v.
//
// Exits 1 if any neighbour set differs from the graph's.
#include <hypervec/bipolar.hpp>
#include <hypervec/cleanup.hpp>
#include <hypervec/structures.hpp>

#include <cstdio>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace hv = hypervec;

int main() {
  constexpr std::size_t kDim = 10000;
  const std::vector<std::string> cities = {"Rome", "Milan", "Paris", "Berlin", "Madrid",
                                           "Lisbon", "Vienna", "Prague", "Oslo"};
  const std::vector<std::pair<int, int>> flights = {
      {0, 1}, {1, 0}, {0, 2}, {2, 3}, {3, 6}, {6, 7}, {7, 3}, {4, 5},
      {5, 4}, {2, 4}, {1, 6}, {8, 3}, {3, 8}, {6, 0}, {2, 0}};
  const hv::PackedMatrix atoms = hv::bipolar::random_matrix(cities.size(), kDim, 7);
  const hv::cleanup::PackedMemory memory(atoms.view(), cities);

  int failures = 0;
  hv::cleanup::Options options;
  options.k = cities.size();
  options.min_z = 6.0;
  for (const bool directed : {true, false}) {
    hv::structures::Graph graph(kDim, directed);
    for (auto [u, v] : flights) graph.add_edge(atoms.row(u), atoms.row(v));
    std::printf("%s graph, %zu edges\n", directed ? "directed" : "undirected", flights.size());
    for (std::size_t u = 0; u < cities.size(); ++u) {
      std::set<std::string> expected;
      for (auto [a, b] : flights) {
        if (static_cast<std::size_t>(a) == u) expected.insert(cities[b]);
        if (!directed && static_cast<std::size_t>(b) == u) expected.insert(cities[a]);
      }
      std::set<std::string> got;
      for (const auto& m : graph.neighbours(atoms.row(u), memory, options)) got.insert(m.label);
      const bool ok = got == expected;
      failures += ok ? 0 : 1;
      std::printf("  %-7s ->", cities[u].c_str());
      for (const auto& name : got) std::printf(" %s", name.c_str());
      std::printf("%s\n", ok ? "" : "   WRONG");
    }
    if (directed) {
      // Who flies to Berlin (3)? Paris, Prague, Oslo.
      std::set<std::string> got;
      for (const auto& m : memory.search(graph.predecessors_query(atoms.row(3)), options)) {
        got.insert(m.label);
      }
      const bool ok = got == std::set<std::string>{"Paris", "Prague", "Oslo"};
      failures += ok ? 0 : 1;
      std::printf("  flights into Berlin from:");
      for (const auto& name : got) std::printf(" %s", name.c_str());
      std::printf("%s\n", ok ? "" : "   WRONG");
    }
  }
  std::printf("%s\n", failures == 0 ? "all neighbour sets correct" : "FAILED");
  return failures == 0 ? 0 : 1;
}
