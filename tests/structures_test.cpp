// Tests for include/hypervec/structures.hpp: exact insert/remove on the sums,
// correct retrieval well inside capacity, and measured retrieval accuracy
// against the capacity formula (retrieval_accuracy) at and beyond capacity,
// for packed MAP, dense MAP-C (±1 atoms) and HRR (Gaussian and unitary atoms);
// and why HRR needs its own ordering of graph edges, chain links and tree paths.
#define BOOST_TEST_MODULE structures
#include <hypervec/bipolar.hpp>
#include <hypervec/cleanup.hpp>
#include <hypervec/dense.hpp>
#include <hypervec/hrr.hpp>
#include <hypervec/structures.hpp>

#include "tests/test_util.hpp"

#include <boost/mpl/list.hpp>
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cmath>
#include <set>
#include <string>
#include <vector>

namespace hv = hypervec;
namespace st = hypervec::structures;
using hypervec::test::test_seed;

namespace {

constexpr std::size_t kDim = 10000;

hv::cleanup::PackedMemory memory_of(const hv::PackedMatrix& atoms) {
  return hv::cleanup::PackedMemory(atoms.view());
}

std::size_t best_id(const hv::cleanup::Matches& m) {
  BOOST_REQUIRE(!m.empty());
  return m.front().id;
}

bool all_zero(const hv::bipolar::Accumulator& acc) {
  return std::all_of(acc.sums().begin(), acc.sums().end(), [](std::int32_t s) { return s == 0; });
}

/// Appends ten atoms (3 twice) to an empty sequence and checks every
/// position's item, position_of, replace at position 6 and the bad index 10.
template <typename Sequence, typename Atoms, typename Memory>
void check_sequence_recall(Sequence& seq, const Atoms& atoms, const Memory& memory) {
  const std::vector<std::size_t> order = {5, 17, 3, 3, 22, 39, 0, 11, 8, 30};
  for (std::size_t id : order) seq.append(atoms.row(id));
  for (std::size_t i = 0; i < order.size(); ++i) {
    BOOST_TEST(best_id(seq.item_at(i, memory)) == order[i]);
  }
  BOOST_TEST(seq.position_of(atoms.row(22)) == 4U);
  BOOST_TEST(seq.position_of(atoms.row(30)) == 9U);
  seq.replace(6, atoms.row(0), atoms.row(1));
  BOOST_TEST(best_id(seq.item_at(6, memory)) == 1U);
  BOOST_CHECK_THROW(seq.query(10), hv::InvalidArgument);
}

/// Appends ten atoms to an empty chain and walks it. From 22 the chain is
/// deterministic: 22 → 14 → ... but 14 and 11 recur, so start where the
/// successor is unique: 7 → 4 → 11 (11 is followed by 11, 14 and 3, and
/// recall takes the strongest, a three-way tie broken by noise).
template <typename Chain, typename Atoms, typename Memory>
void check_chain_walk(Chain& chain, const Atoms& atoms, const Memory& memory) {
  const std::vector<std::size_t> order = {7, 4, 11, 11, 14, 22, 14, 17, 11, 3};
  for (std::size_t id : order) chain.append(atoms.row(id));
  hv::cleanup::Options options;
  options.min_z = 5.0;
  const auto walk = chain.recall(atoms.row(7), 2, memory, options);
  BOOST_REQUIRE(walk.size() == 2U);
  BOOST_TEST(walk[0].id == 4U);
  BOOST_TEST(walk[1].id == 11U);
  // The successors of 14 are 22 and 17: both in the top 2, well above chance.
  hv::cleanup::Options two = options;
  two.k = 2;
  const auto next = memory.search(chain.next_query(atoms.row(14)), two);
  BOOST_REQUIRE(next.size() == 2U);
  const std::set<std::size_t> got = {next[0].id, next[1].id};
  BOOST_TEST((got == std::set<std::size_t>{22, 17}));
  // 3 is last: nothing follows it (its query only holds noise), so the walk abstains.
  BOOST_TEST(chain.recall(atoms.row(3), 1, memory, options).empty());
}

/// Inserts key i → value 7i mod 50 for the 20 keys and checks every get,
/// then updates key 3 (remove its pair with value 21, insert value 42) and
/// checks the new value is returned.
template <typename Table, typename Keys, typename Values, typename Memory>
void fill_and_update_table(Table& table, const Keys& keys, const Values& values, const Memory& memory) {
  for (std::size_t i = 0; i < 20; ++i) table.insert(keys.row(i), values.row((7 * i) % 50));
  BOOST_TEST(table.size() == 20);
  for (std::size_t i = 0; i < 20; ++i) {
    BOOST_TEST(best_id(table.get(keys.row(i), memory)) == (7 * i) % 50);
  }
  table.remove(keys.row(3), values.row(21));
  table.insert(keys.row(3), values.row(42));
  BOOST_TEST(best_id(table.get(keys.row(3), memory)) == 42U);
}

}  // namespace

BOOST_AUTO_TEST_CASE(hash_table_gets_removes_and_restores_exactly) {
  const std::uint64_t seed = test_seed();
  const hv::PackedMatrix keys = hv::bipolar::random_matrix(20, kDim, seed);
  const hv::PackedMatrix values = hv::bipolar::random_matrix(50, kDim, seed + 1);
  const auto memory = memory_of(values);
  BOOST_TEST_CONTEXT("seed " << seed) {
    st::HashTable table(kDim);
    fill_and_update_table(table, keys, values, memory);
    // Thresholded record still decodes (20 pairs: cos ≈ √(2/(π·20)) ≈ 0.18).
    const hv::PackedVector record = table.vector();
    const hv::PackedVector unbound = hv::bipolar::unbind(record, keys.row(5));
    BOOST_TEST(best_id(memory.search(unbound)) == 35U);
    // Removing everything leaves exact zeros.
    table.remove(keys.row(3), values.row(42));
    for (std::size_t i = 0; i < 20; ++i) {
      if (i != 3) table.remove(keys.row(i), values.row((7 * i) % 50));
    }
    BOOST_TEST(table.size() == 0);
    BOOST_TEST(all_zero(table.accumulator()));
  }
  st::HashTable table(64);
  const hv::PackedVector wrong(65);
  BOOST_CHECK_THROW(table.insert(wrong, wrong), hv::DimensionError);
  BOOST_CHECK_THROW(table.get(hv::PackedVector(64), memory), hv::DimensionError);
}

// Multiplicity estimate ⟨s, x⟩/D = m_x + Σ_{y≠x} m_y⟨y, x⟩/D: noise variance
// Σ_{y≠x} m_y²/D; 5σ bound.
BOOST_AUTO_TEST_CASE(multiset_estimates_multiplicities_within_five_sigma) {
  const std::uint64_t seed = test_seed();
  const hv::PackedMatrix atoms = hv::bipolar::random_matrix(30, kDim, seed);
  st::Multiset bag(kDim);
  std::vector<int> m(30, 0);
  for (std::size_t i = 0; i < 20; ++i) {
    m[i] = static_cast<int>(i % 4);  // 0..3 copies
    if (m[i] > 0) bag.add(atoms.row(i), m[i]);
  }
  bag.add(atoms.row(25));
  bag.remove(atoms.row(25));
  double total_sq = 0;
  for (int c : m) total_sq += c * c;
  BOOST_TEST_CONTEXT("seed " << seed) {
    for (std::size_t i = 0; i < 30; ++i) {
      const double sigma = std::sqrt((total_sq - m[i] * m[i]) / kDim);
      const double est = bag.multiplicity(atoms.row(i));
      BOOST_TEST_CONTEXT("item " << i << " m=" << m[i] << " est " << est) {
        BOOST_TEST(std::abs(est - m[i]) <= 5 * sigma);
        BOOST_TEST(bag.contains(atoms.row(i)) == (m[i] > 0));
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(sequence_recalls_items_and_positions) {
  const std::uint64_t seed = test_seed();
  const hv::PackedMatrix atoms = hv::bipolar::random_matrix(40, kDim, seed);
  const auto memory = memory_of(atoms);
  st::Sequence seq(kDim);
  BOOST_TEST_CONTEXT("seed " << seed) { check_sequence_recall(seq, atoms, memory); }
  st::Sequence empty(64);
  BOOST_CHECK_THROW(empty.position_of(hv::PackedVector(64)), hv::InvalidArgument);
}

BOOST_AUTO_TEST_CASE(chain_sequence_walks_from_a_cue) {
  const std::uint64_t seed = test_seed();
  const hv::PackedMatrix atoms = hv::bipolar::random_matrix(26, kDim, seed);
  const auto memory = memory_of(atoms);
  st::ChainSequence chain(kDim);
  BOOST_TEST_CONTEXT("seed " << seed) { check_chain_walk(chain, atoms, memory); }
}

namespace {

/// The edges every graph test stores (12 nodes): a path, a triangle, and two
/// edges into node 0.
const std::vector<std::pair<std::size_t, std::size_t>> kGraphEdges = {
    {0, 1}, {0, 2}, {1, 2}, {2, 3}, {3, 4}, {5, 6}, {6, 7}, {7, 5}, {8, 0}, {9, 0}};

/// Stores kGraphEdges over the 12 rows of `nodes` in an undirected and a
/// directed Graph, and checks every node's neighbours, edge weights (1 for a
/// stored edge, 0 otherwise, within `weight_tol`), predecessors and removal.
/// A neighbour of u scores z ≈ 30; a non-neighbour z ~ N(0, 1), so z >= 6
/// passes by chance with p ≈ 1e-9.
template <typename Graph, typename Nodes, typename Memory>
void check_graph_neighbours(const Nodes& nodes, const Memory& memory, double weight_tol) {
  hv::cleanup::Options options;
  options.k = 12;
  options.min_z = 6.0;
  for (const bool directed : {false, true}) {
    Graph graph(kDim, directed);
    for (auto [u, v] : kGraphEdges) graph.add_edge(nodes.row(u), nodes.row(v));
    BOOST_TEST_CONTEXT("directed " << directed) {
      for (std::size_t u = 0; u < 12; ++u) {
        std::set<std::size_t> expected;
        for (auto [a, b] : kGraphEdges) {
          if (a == u) expected.insert(b);
          if (!directed && b == u) expected.insert(a);
        }
        std::set<std::size_t> got;
        for (const auto& m : graph.neighbours(nodes.row(u), memory, options)) got.insert(m.id);
        BOOST_TEST_CONTEXT("node " << u) { BOOST_TEST((got == expected)); }
      }
      BOOST_TEST(std::abs(graph.edge_weight(nodes.row(0), nodes.row(1)) - 1.0) < weight_tol);
      BOOST_TEST(std::abs(graph.edge_weight(nodes.row(4), nodes.row(9))) < weight_tol);
      if (directed) {
        // The reverse of a stored edge is not stored (HRR: marked by †, not ρ).
        BOOST_TEST(std::abs(graph.edge_weight(nodes.row(1), nodes.row(0))) < weight_tol);
        std::set<std::size_t> preds;
        for (const auto& m : memory.search(graph.predecessors_query(nodes.row(0)), options)) {
          preds.insert(m.id);
        }
        BOOST_TEST((preds == std::set<std::size_t>{8, 9}));
      }
      graph.remove_edge(nodes.row(0), nodes.row(1));
      BOOST_TEST(graph.edges() == 9);
      BOOST_TEST(std::abs(graph.edge_weight(nodes.row(0), nodes.row(1))) < weight_tol);
    }
  }
}

/// Pushes 30 of the 64 atoms, pops 10, pushes 2 more, pops the rest: every
/// pop must return the last item pushed, and the stack ends empty.
template <typename Stack, typename Atoms, typename Memory>
void check_stack_pops_in_reverse_order(Stack& stack, const Atoms& atoms, const Memory& memory) {
  std::vector<std::size_t> pushed;
  for (std::size_t i = 0; i < 30; ++i) {
    pushed.push_back((i * 13 + 5) % 64);
    stack.push(atoms.row(pushed.back()));
  }
  for (int i = 0; i < 10; ++i) {
    const auto m = stack.pop(memory);
    BOOST_REQUIRE(m.has_value());
    BOOST_TEST(m->id == pushed.back());
    pushed.pop_back();
  }
  for (std::size_t id : {60UL, 61UL}) {
    stack.push(atoms.row(id));
    pushed.push_back(id);
  }
  while (!stack.empty()) {
    const auto m = stack.pop(memory);
    BOOST_REQUIRE(m.has_value());
    BOOST_TEST(m->id == pushed.back());
    pushed.pop_back();
  }
  BOOST_TEST(pushed.empty());
}

}  // namespace

BOOST_AUTO_TEST_CASE(graph_answers_neighbour_queries) {
  const std::uint64_t seed = test_seed();
  const hv::PackedMatrix nodes = hv::bipolar::random_matrix(12, kDim, seed);
  // Edge weights: 1 for stored edges, ≈ 0 ± 5√(10/D) = ±0.16 otherwise.
  BOOST_TEST_CONTEXT("seed " << seed) {
    check_graph_neighbours<st::Graph<>>(nodes, memory_of(nodes), 0.16);
  }
}

BOOST_AUTO_TEST_CASE(binary_tree_stores_leaves_by_path) {
  const std::uint64_t seed = test_seed();
  const hv::PackedMatrix leaves = hv::bipolar::random_matrix(8, kDim, seed);
  const auto memory = memory_of(leaves);
  st::BinaryTree tree(kDim, seed + 1);
  const std::vector<std::string> paths = {"ll", "lr", "rl", "rr", "lll", "llr", "r", "rrrl"};
  for (std::size_t i = 0; i < paths.size(); ++i) tree.add_leaf(leaves.row(i), paths[i]);
  BOOST_TEST_CONTEXT("seed " << seed) {
    for (std::size_t i = 0; i < paths.size(); ++i) {
      BOOST_TEST(best_id(tree.get(paths[i], memory)) == i);
    }
    // "lr" and "rl" differ: the permutation makes the path ordered.
    BOOST_TEST(hv::bipolar::cosine(tree.path_vector("lr"), tree.path_vector("rl")) < 0.05);
    tree.remove_leaf(leaves.row(0), "ll");
    hv::cleanup::Options strict;
    strict.min_z = 6.0;
    BOOST_TEST(tree.get("ll", memory, strict).empty());
  }
  BOOST_CHECK_THROW(tree.path_vector(""), hv::InvalidArgument);
  BOOST_CHECK_THROW(tree.path_vector("lx"), hv::InvalidArgument);
}

BOOST_AUTO_TEST_CASE(stack_pops_in_reverse_order) {
  const std::uint64_t seed = test_seed();
  const hv::PackedMatrix atoms = hv::bipolar::random_matrix(64, kDim, seed);
  const auto memory = memory_of(atoms);
  st::Stack stack(kDim);
  BOOST_TEST_CONTEXT("seed " << seed) { check_stack_pops_in_reverse_order(stack, atoms, memory); }
  BOOST_CHECK_THROW(stack.top_query(), hv::InvalidArgument);
  BOOST_CHECK_THROW(stack.pop(atoms.row(0)), hv::InvalidArgument);
}

BOOST_AUTO_TEST_CASE(retrieval_accuracy_formula_limits) {
  // One item: the right atom scores D exactly, wrong ones N(0, D).
  BOOST_TEST(st::retrieval_accuracy(10000, 1, 1000) > 1 - 1e-12);
  BOOST_TEST(st::retrieval_accuracy(1000, 1, 1) == 1.0);
  // Monotone in n, and near chance (1/M) when n ≫ D.
  double previous = 1.0;
  for (std::size_t n : {1UL, 10UL, 50UL, 100UL, 200UL, 400UL}) {
    const double a = st::retrieval_accuracy(1024, n, 64);
    BOOST_TEST(a <= previous + 1e-9);
    previous = a;
  }
  BOOST_TEST(st::retrieval_accuracy(64, 100000, 16) < 0.1);
  const std::size_t cap = st::capacity(1024, 64);
  BOOST_TEST(st::retrieval_accuracy(1024, cap, 64) >= 0.99);
  BOOST_TEST(st::retrieval_accuracy(1024, cap + 1, 64) < 0.99);
  BOOST_CHECK_THROW(st::capacity(1024, 64, 1.0), hv::InvalidArgument);
  BOOST_CHECK_THROW(st::retrieval_accuracy(0, 1, 1), hv::InvalidArgument);
}

namespace {

/// Measured fraction of correct gets over `tables` hash tables of n pairs
/// (keys and values fresh per table, values from a memory of M atoms).
template <typename Fill, typename Query>
double measure(std::size_t dim, std::size_t n, std::size_t m, std::size_t trials,
               std::uint64_t seed, Fill fill, Query query) {
  std::size_t right = 0, total = 0;
  for (std::size_t t = 0; t < trials; ++t) {
    const hv::PackedMatrix atoms = hv::bipolar::random_matrix(m, dim, seed + 2 * t);
    const hv::PackedMatrix keys = hv::bipolar::random_matrix(n, dim, seed + 2 * t + 1);
    const hv::cleanup::PackedMemory memory(atoms.view());
    std::vector<std::size_t> stored(n);
    for (std::size_t i = 0; i < n; ++i) stored[i] = (i * 7 + t) % m;
    auto structure = fill(atoms, keys, stored);
    for (std::size_t i = 0; i < n; ++i) {
      right += query(structure, memory, keys, i) == stored[i];
      ++total;
    }
  }
  return static_cast<double>(right) / static_cast<double>(total);
}

}  // namespace

// Capacity: the measured accuracy agrees with retrieval_accuracy() at the
// 99% capacity and at three times it. Queries in one structure share noise,
// so the binomial σ uses the number of structures (a conservative effective
// sample size), and the formula's independence approximation is allowed 0.01.
BOOST_AUTO_TEST_CASE(measured_capacity_matches_theory) {
  constexpr std::size_t kD = 1024;
  constexpr std::size_t kM = 64;
  constexpr std::size_t kTrials = 30;
  const std::uint64_t seed = test_seed();
  const std::size_t cap = st::capacity(kD, kM);
  BOOST_TEST_MESSAGE("capacity(D=1024, M=64, 99%) = " << cap);
  for (const std::size_t n : {cap, 3 * cap}) {
    const double theory = st::retrieval_accuracy(kD, n, kM);
    const double bound =
        5.0 * std::sqrt(std::max(theory * (1 - theory), 1e-4) / kTrials) + 0.01;
    const double table = measure(
        kD, n, kM, kTrials, seed,
        [&](const hv::PackedMatrix& atoms, const hv::PackedMatrix& keys,
            const std::vector<std::size_t>& stored) {
          st::HashTable h(kD);
          for (std::size_t i = 0; i < stored.size(); ++i) h.insert(keys.row(i), atoms.row(stored[i]));
          return h;
        },
        [](const st::HashTable<>& h, const hv::cleanup::PackedMemory& memory,
           const hv::PackedMatrix& keys, std::size_t i) { return best_id(h.get(keys.row(i), memory)); });
    const double sequence = measure(
        kD, n, kM, kTrials, seed + 1000,
        [&](const hv::PackedMatrix& atoms, const hv::PackedMatrix&,
            const std::vector<std::size_t>& stored) {
          st::Sequence s(kD);
          for (std::size_t id : stored) s.append(atoms.row(id));
          return s;
        },
        [](const st::Sequence<>& s, const hv::cleanup::PackedMemory& memory, const hv::PackedMatrix&,
           std::size_t i) { return best_id(s.item_at(i, memory)); });
    BOOST_TEST_MESSAGE("n=" << n << " theory " << theory << " hash table " << table
                            << " sequence " << sequence);
    BOOST_TEST_CONTEXT("seed " << seed << " n=" << n << " theory " << theory) {
      BOOST_TEST(std::abs(table - theory) <= bound);
      BOOST_TEST(std::abs(sequence - theory) <= bound);
    }
  }
}

// ===========================================================================
// Dense MAP-C and HRR structures
// ===========================================================================

namespace {

namespace dense = hypervec::dense;
namespace hrr = hypervec::hrr;

/// M bipolar atoms as ±1 floats (dense MAP): row r = bipolar::random(D, seed, r).
hv::DenseMatrix<float> bipolar_atoms(std::size_t m, std::size_t dim, std::uint64_t seed) {
  hv::DenseMatrix<float> out(m, dim);
  for (std::size_t r = 0; r < m; ++r) {
    const hv::DenseVector<float> v = dense::to_float(hv::bipolar::random(dim, seed, r));
    std::copy(v.values().begin(), v.values().end(), out.row(r).begin());
  }
  return out;
}

/// M Gaussian HRR atoms, components N(0, 1/D).
hv::DenseMatrix<float> hrr_atoms(std::size_t m, std::size_t dim, std::uint64_t seed) {
  return hrr::random_matrix<float>(m, dim, seed);
}

/// M unitary HRR atoms (|X(k)| = 1): the involution is their exact inverse.
hv::DenseMatrix<float> unitary_atoms(std::size_t m, std::size_t dim, std::uint64_t seed) {
  hv::DenseMatrix<float> out(m, dim);
  for (std::size_t r = 0; r < m; ++r) {
    const hv::DenseVector<float> v = hrr::random_unitary<float>(dim, seed, r);
    std::copy(v.values().begin(), v.values().end(), out.row(r).begin());
  }
  return out;
}

hv::cleanup::FloatMemory float_memory(const hv::DenseMatrix<float>& atoms) {
  return hv::cleanup::FloatMemory(atoms.view());
}

/// One model under test: how its atoms are drawn and how its tables are made.
struct RealCase {
  const char* name;
  hv::DenseMatrix<float> (*atoms)(std::size_t, std::size_t, std::uint64_t);
  hv::DenseMatrix<float> (*keys)(std::size_t, std::size_t, std::uint64_t);
};

const RealCase kDenseCase{"dense MAP, ±1 atoms", bipolar_atoms, bipolar_atoms};
const RealCase kHrrCase{"HRR, Gaussian atoms", hrr_atoms, hrr_atoms};

template <typename Model>
void check_hash_table_round_trip(const RealCase& c, const Model& /*model*/, std::uint64_t seed) {
  const hv::DenseMatrix<float> keys = c.keys(20, kDim, seed);
  const hv::DenseMatrix<float> values = c.atoms(50, kDim, seed + 1);
  const auto memory = float_memory(values);
  st::HashTable<Model> table(kDim);
  fill_and_update_table(table, keys, values, memory);
  // Emptying the table leaves the sums at zero up to float rounding of the
  // n adds and n subtracts: |s_i| <= 2n·u·max_i Σ|bound pairs| (a loose 1e-4
  // for 21 pairs of components O(1) (MAP) or O(1/√D) (HRR)).
  table.remove(keys.row(3), values.row(42));
  for (std::size_t i = 0; i < 20; ++i) {
    if (i != 3) table.remove(keys.row(i), values.row((7 * i) % 50));
  }
  BOOST_TEST(table.size() == 0);
  float worst = 0;
  for (const float x : table.sums()) worst = std::max(worst, std::abs(x));
  BOOST_TEST(worst < 1e-4f);
}

}  // namespace

BOOST_AUTO_TEST_CASE(real_hash_tables_get_remove_and_restore) {
  const std::uint64_t seed = test_seed();
  BOOST_TEST_CONTEXT("seed " << seed) {
    BOOST_TEST_CONTEXT(kDenseCase.name) { check_hash_table_round_trip(kDenseCase, hv::models::DenseMap(), seed); }
    BOOST_TEST_CONTEXT(kHrrCase.name) { check_hash_table_round_trip(kHrrCase, hv::models::Hrr<>(), seed); }
    // Unitary keys: the involution is their exact inverse, so the stored
    // value comes back with only the other pairs' noise.
    const RealCase unitary{"HRR, unitary keys", hrr_atoms, unitary_atoms};
    BOOST_TEST_CONTEXT(unitary.name) {
      check_hash_table_round_trip(unitary, hv::models::Hrr<>(), seed);
    }
  }
  // Dense MAP with ±1 atoms is the packed table on floats: same query, exactly.
  const hv::PackedMatrix keys = hv::bipolar::random_matrix(5, 1000, seed);
  const hv::PackedMatrix values = hv::bipolar::random_matrix(5, 1000, seed + 1);
  st::HashTable packed(1000);
  st::DenseHashTable real(1000);
  for (std::size_t i = 0; i < 5; ++i) {
    packed.insert(keys.row(i), values.row(i));
    real.insert(dense::to_float(keys.row(i)), dense::to_float(values.row(i)));
  }
  const hv::DenseVector<float> q_packed = packed.query(keys.row(2));
  const hv::DenseVector<float> q_real = real.query(dense::to_float(keys.row(2)));
  BOOST_TEST(std::equal(q_packed.values().begin(), q_packed.values().end(), q_real.values().begin()));
  // Validation at the door.
  st::HrrHashTable table(64);
  const std::vector<float> short_key(63, 0.1f);
  std::vector<float> nan_key(64, 0.1f);
  nan_key[5] = std::nanf("");
  const std::vector<float> ok(64, 0.1f);
  BOOST_CHECK_THROW(table.insert(short_key, ok), hv::DimensionError);
  BOOST_CHECK_THROW(table.insert(nan_key, ok), hv::InvalidArgument);
  BOOST_CHECK_THROW(table.get(ok, hv::cleanup::FloatMemory(64)), hv::InvalidArgument);
  BOOST_CHECK_THROW(table.get(ok, hv::cleanup::FloatMemory(65)), hv::DimensionError);
  BOOST_CHECK_THROW(st::DenseHashTable(0), hv::DimensionError);
  try {
    table.insert(short_key, ok);
  } catch (const hv::DimensionError& e) {
    BOOST_TEST(hypervec::test::message_has(e, "structures::HashTable<HRR>::insert"));
    BOOST_TEST(hypervec::test::message_has(e, "key has D=63"));
  }
}

// multiplicity(x) = m_x + Σ_{y≠x} m_y⟨y, x⟩/⟨x, x⟩: for ±1 atoms each
// cosine has variance exactly 1/D; for Gaussian atoms ⟨y, x⟩/‖x‖² has
// variance ‖y‖²/(D‖x‖²) ≈ 1/D. 5σ with σ² = Σ_{y≠x} m_y²/D, widened by
// 5√(2/D) relative for the Gaussian norms (‖·‖² = 1 ± √(2/D)).
BOOST_AUTO_TEST_CASE(real_multiset_estimates_multiplicities_within_five_sigma) {
  const std::uint64_t seed = test_seed();
  for (const RealCase* c : {&kDenseCase, &kHrrCase}) {
    const hv::DenseMatrix<float> atoms = c->atoms(30, kDim, seed);
    st::DenseMultiset bag(kDim);
    std::vector<int> m(30, 0);
    for (std::size_t i = 0; i < 20; ++i) {
      m[i] = static_cast<int>(i % 4);
      if (m[i] > 0) bag.add(atoms.row(i), m[i]);
    }
    bag.add(atoms.row(25));
    bag.remove(atoms.row(25));
    double total_sq = 0;
    for (int k : m) total_sq += k * k;
    BOOST_TEST_CONTEXT("seed " << seed << " " << c->name) {
      BOOST_TEST(bag.size() == 30);
      for (std::size_t i = 0; i < 30; ++i) {
        const double sigma = std::sqrt((total_sq - m[i] * m[i]) / kDim) *
                             (1 + 5 * std::sqrt(2.0 / kDim));
        const double est = bag.multiplicity(atoms.row(i));
        BOOST_TEST_CONTEXT("item " << i << " m=" << m[i] << " est " << est) {
          BOOST_TEST(std::abs(est - m[i]) <= 5 * sigma + 1e-4);
          BOOST_TEST(bag.contains(atoms.row(i)) == (m[i] > 0));
        }
      }
    }
  }
  st::DenseMultiset bag(8);
  BOOST_CHECK_THROW(bag.multiplicity(std::vector<float>(8, 0.0f)), hv::InvalidArgument);
  std::vector<float> nan_item(8, 1.0f);
  nan_item[2] = std::nanf("");
  BOOST_CHECK_THROW(bag.add(nan_item), hv::InvalidArgument);
  BOOST_TEST(bag.size() == 0);
}

BOOST_AUTO_TEST_CASE(real_sequence_and_stack_recall_in_both_models) {
  const std::uint64_t seed = test_seed();
  for (const RealCase* c : {&kDenseCase, &kHrrCase}) {
    const hv::DenseMatrix<float> atoms = c->atoms(64, kDim, seed);
    const auto memory = float_memory(atoms);
    BOOST_TEST_CONTEXT("seed " << seed << " " << c->name) {
      st::DenseSequence seq(kDim);
      check_sequence_recall(seq, atoms, memory);

      st::DenseStack stack(kDim);
      check_stack_pops_in_reverse_order(stack, atoms, memory);
      BOOST_CHECK_THROW(stack.top_query(), hv::InvalidArgument);
    }
  }
  st::DenseSequence empty(64);
  BOOST_CHECK_THROW(empty.position_of(std::vector<float>(64, 1.0f)), hv::InvalidArgument);
}

namespace {

template <typename Model>
void check_graph(const RealCase& c, const Model&, std::uint64_t seed) {
  const hv::DenseMatrix<float> nodes = c.atoms(12, kDim, seed);
  // Edge weight ⟨s, e⟩/⟨e, e⟩: 1 + N(0, ≈(m-1)/D) for a stored edge, N(0,
  // ≈m/D) otherwise; HRR edge norms add a relative ±5√(6/D): bound 0.2.
  check_graph_neighbours<st::Graph<Model>>(nodes, float_memory(nodes), 0.2);
}

template <typename Model>
void check_chain(const RealCase& c, const Model& /*model*/, std::uint64_t seed) {
  const hv::DenseMatrix<float> atoms = c.atoms(26, kDim, seed);
  const auto memory = float_memory(atoms);
  st::ChainSequence<Model> chain(kDim);
  check_chain_walk(chain, atoms, memory);
}

}  // namespace

BOOST_AUTO_TEST_CASE(real_structures_accept_their_own_sums_as_an_item) {
  // s.add(s.sums()), seq.append(seq.sums()) at shift D/2 (the two halves of
  // the shifted add then read what the other just wrote), stack.push, and
  // replace with the sums as both items: each must act like the same call
  // with a copy of the sums taken first (it used to throw on overlap, or at
  // shift D/2 silently read overwritten sums).
  const std::uint64_t seed = test_seed();
  BOOST_TEST_CONTEXT("seed " << seed) {
    const std::size_t dim = 64;
    const hv::DenseMatrix<float> atoms = kDenseCase.atoms(4, dim, seed);
    auto copy_of = [](std::span<const float> x) { return std::vector<float>(x.begin(), x.end()); };
    auto equal = [](std::span<const float> a, std::span<const float> b) {
      return std::equal(a.begin(), a.end(), b.begin(), b.end());
    };
    st::DenseMultiset bag(dim), bag_ref(dim);
    for (auto* b : {&bag, &bag_ref}) b->add(atoms.row(0), 2);
    bag.add(bag.sums());
    bag_ref.add(copy_of(bag_ref.sums()));
    BOOST_TEST(equal(bag.sums(), bag_ref.sums()));
    bag.remove(bag.sums());
    bag_ref.remove(copy_of(bag_ref.sums()));
    BOOST_TEST(equal(bag.sums(), bag_ref.sums()));

    st::DenseSequence seq(dim), seq_ref(dim);
    for (auto* q : {&seq, &seq_ref}) {
      for (std::size_t i = 0; i < dim / 2; ++i) q->append(atoms.row(i % 4));
    }
    seq.append(seq.sums());  // position D/2: shift D/2
    seq_ref.append(copy_of(seq_ref.sums()));
    BOOST_TEST(equal(seq.sums(), seq_ref.sums()));
    seq.append(seq.sums());  // shift D/2 + 1
    seq_ref.append(copy_of(seq_ref.sums()));
    BOOST_TEST(equal(seq.sums(), seq_ref.sums()));
    seq.replace(3, seq.sums(), seq.sums());
    {
      const auto snapshot = copy_of(seq_ref.sums());
      seq_ref.replace(3, snapshot, snapshot);
    }
    BOOST_TEST(equal(seq.sums(), seq_ref.sums()));

    st::DenseStack stack(dim), stack_ref(dim);
    for (auto* k : {&stack, &stack_ref}) {
      for (std::size_t i = 0; i < dim / 2; ++i) k->push(atoms.row(i % 4));
    }
    stack.push(stack.sums());
    stack_ref.push(copy_of(stack_ref.sums()));
    BOOST_TEST(equal(stack.sums(), stack_ref.sums()));
    stack.pop(stack.sums());
    stack_ref.pop(copy_of(stack_ref.sums()));
    BOOST_TEST(equal(stack.sums(), stack_ref.sums()));
  }
}

BOOST_AUTO_TEST_CASE(real_graphs_and_chains_are_directed_in_both_models) {
  const std::uint64_t seed = test_seed();
  BOOST_TEST_CONTEXT("seed " << seed) {
    BOOST_TEST_CONTEXT(kDenseCase.name) {
      check_graph(kDenseCase, hv::models::DenseMap(), seed);
      check_chain(kDenseCase, hv::models::DenseMap(), seed);
    }
    BOOST_TEST_CONTEXT(kHrrCase.name) {
      check_graph(kHrrCase, hv::models::Hrr<>(), seed);
      check_chain(kHrrCase, hv::models::Hrr<>(), seed);
    }
  }
  // Why HRR marks with a dilation M: with ρ, u ⊛ ρ(v) and v ⊛ ρ(u) are the
  // same vector (shift commutes with convolution), up to FFT rounding; with
  // the involution, u ⊛ u† ≈ ‖u‖²δ, so a repeated item (the chain above has
  // 11, 11) would answer every query with the query itself. M avoids both:
  // the cosines below are of independent-looking vectors, |cos| < 5√(1/D)
  // up to the ≤ 4 fixed bins (4/D) and the vectors' norm spread.
  constexpr std::size_t kSmall = 1000;
  BOOST_TEST(st::hrr_dilation(kSmall) == 3U);
  BOOST_TEST(st::hrr_dilation(6) == 0U);
  BOOST_TEST(st::hrr_dilation(5) == 2U);
  const hv::DenseMatrix<float> nodes = hrr_atoms(2, kSmall, seed);
  const auto uv = hrr::bind(nodes.row(0), hrr::permute(nodes.row(1), 1));
  const auto vu = hrr::bind(nodes.row(1), hrr::permute(nodes.row(0), 1));
  BOOST_TEST(hrr::cosine(uv, vu) > 0.9999);
  hv::DenseVector<float> delta(kSmall);
  delta[0] = 1.0f;
  const auto self_involution = hrr::bind(nodes.row(0), hrr::involution(nodes.row(0)));
  BOOST_TEST(hrr::cosine(self_involution, delta) > 0.3);  // ≈ 1/√(1 + 2) for Gaussian u
  using Order = st::Order<hv::models::Hrr<>>;
  const double tol = 5 * std::sqrt(2.0 / kSmall) + 4.0 / kSmall;
  const auto marked_uv = hrr::bind(nodes.row(0), Order::mark(nodes.row(1)));
  const auto marked_vu = hrr::bind(nodes.row(1), Order::mark(nodes.row(0)));
  BOOST_TEST(std::abs(hrr::cosine(marked_uv, marked_vu)) < tol);
  const auto self_marked = hrr::bind(nodes.row(0), Order::mark(nodes.row(0)));
  BOOST_TEST(std::abs(hrr::cosine(self_marked, delta)) < tol);
  // unmark undoes mark exactly (a permutation of the components).
  const auto back = Order::unmark(Order::mark(nodes.row(1)));
  BOOST_TEST(std::equal(back.values().begin(), back.values().end(), nodes.row(1).begin()));
  BOOST_TEST(std::abs(hrr::cosine(Order::mark(nodes.row(1)), nodes.row(1))) < tol);
}

// ---------------------------------------------------------------------------
// BinaryTree on dense MAP and HRR
// ---------------------------------------------------------------------------

namespace {

/// Every path of length k over {l, r}, in binary order (l = 0).
std::vector<std::string> all_paths(std::size_t k) {
  std::vector<std::string> out;
  for (std::size_t code = 0; code < (std::size_t{1} << k); ++code) {
    std::string p(k, 'l');
    for (std::size_t i = 0; i < k; ++i) {
      if ((code >> (k - 1 - i)) & 1U) p[i] = 'r';
    }
    out.push_back(p);
  }
  return out;
}

/// Full trees of depth 1..5 (2 to 32 leaves, atoms from a memory of M = 64):
/// every leaf comes back. The normalised score of the right leaf,
/// ⟨q, x⟩/⟨x, x⟩ = 1 + Σ_{other leaves} ⟨noise, x⟩/‖x‖², has variance
/// (n - 1)/D for ±1 leaves and ±1 roles (each other leaf bound to an
/// unrelated ±1 vector) and ≈ (n - 1)/D for Gaussian leaves behind unitary
/// roles (U ⊛ x_o keeps x_o's norm), widened by 5√(2/D) relative for the
/// Gaussian norms (‖x‖² = 1 ± √(2/D)) as in the multiset test; 5σ plus 1e-4
/// for float rounding. A wrong atom scores N(0, ≈ n/D): 5σ on the best of the
/// 63 wrong ones too. n = 32 at D = 10000 is far inside capacity (411 at
/// M = 64): the formula gives P(correct) > 1 - 1e-9.
template <typename Model>
void check_tree_depths(const RealCase& c, const Model& /*model*/, st::RetrievalNoise noise,
                       std::uint64_t seed) {
  constexpr std::size_t kM = 64;
  const hv::DenseMatrix<float> atoms = c.atoms(kM, kDim, seed);
  const auto memory = float_memory(atoms);
  const double widen = 1 + 5 * std::sqrt(2.0 / kDim);
  for (std::size_t depth = 1; depth <= 5; ++depth) {
    const std::vector<std::string> paths = all_paths(depth);
    const std::size_t n = paths.size();
    BOOST_TEST(st::retrieval_accuracy(kDim, n, kM, noise) > 1 - 1e-9);
    st::BinaryTree<Model> tree(kDim, seed + depth);
    const auto leaf_of = [&](std::size_t p) { return (11 * p + depth) % kM; };  // distinct
    for (std::size_t p = 0; p < n; ++p) tree.add_leaf(atoms.row(leaf_of(p)), paths[p]);
    BOOST_TEST(tree.size() == static_cast<std::int64_t>(n));
    const double sigma_right = std::sqrt((n - 1.0) / kDim) * widen;
    const double sigma_wrong = std::sqrt(static_cast<double>(n) / kDim) * widen;
    hv::cleanup::Options two;
    two.k = 2;
    for (std::size_t p = 0; p < n; ++p) {
      const auto x = atoms.row(leaf_of(p));
      const hv::DenseVector<float> q = tree.query(paths[p]);
      const double right = dense::dot(q, x) / dense::dot(x, x);
      double worst_wrong = 0;
      for (std::size_t a = 0; a < kM; ++a) {
        if (a == leaf_of(p)) continue;
        const auto w = atoms.row(a);
        worst_wrong = std::max(worst_wrong, std::abs(dense::dot(q, w) / dense::dot(w, w)));
      }
      BOOST_TEST_CONTEXT("depth " << depth << " path " << paths[p] << " right " << right
                                  << " worst wrong " << worst_wrong) {
        BOOST_TEST(std::abs(right - 1.0) <= 5 * sigma_right + 1e-4);
        BOOST_TEST(worst_wrong <= 5 * sigma_wrong + 1e-4);
        const auto m = tree.get(paths[p], memory, two);
        BOOST_REQUIRE(m.size() == 2U);
        BOOST_TEST(m[0].id == leaf_of(p));
      }
    }
  }
}

}  // namespace

BOOST_AUTO_TEST_CASE(real_binary_trees_retrieve_every_leaf_at_depths_1_to_5) {
  const std::uint64_t seed = test_seed();
  BOOST_TEST_CONTEXT("seed " << seed) {
    BOOST_TEST_CONTEXT(kDenseCase.name) {
      check_tree_depths(kDenseCase, hv::models::DenseMap(), st::RetrievalNoise::bipolar(), seed);
    }
    BOOST_TEST_CONTEXT(kHrrCase.name) {
      check_tree_depths(kHrrCase, hv::models::Hrr<>(), st::RetrievalNoise::gaussian_atoms(), seed);
    }
  }
}

BOOST_AUTO_TEST_CASE(real_binary_trees_mix_depths_remove_and_validate) {
  const std::uint64_t seed = test_seed();
  const std::vector<std::string> paths = {"ll", "lr", "rl", "rr", "lll", "llr", "r", "rrrl"};
  BOOST_TEST_CONTEXT("seed " << seed) {
    for (const RealCase* c : {&kDenseCase, &kHrrCase}) {
      const hv::DenseMatrix<float> leaves = c->atoms(paths.size(), kDim, seed);
      const auto memory = float_memory(leaves);
      const auto run = [&](auto model) {
        st::BinaryTree<decltype(model)> tree(kDim, seed + 1);
        for (std::size_t i = 0; i < paths.size(); ++i) tree.add_leaf(leaves.row(i), paths[i]);
        for (std::size_t i = 0; i < paths.size(); ++i) {
          BOOST_TEST(best_id(tree.get(paths[i], memory)) == i);
        }
        // A prefix ("ll" of "lll") and a path nobody stored hold only noise:
        // z ~ N(0, 1) over 8 atoms, min_z = 6 passes by chance with p < 1e-8.
        tree.remove_leaf(leaves.row(0), "ll");
        BOOST_TEST(tree.size() == 7);
        hv::cleanup::Options strict;
        strict.min_z = 6.0;
        BOOST_TEST(tree.get("ll", memory, strict).empty());
        BOOST_TEST(tree.get("rrr", memory, strict).empty());
        BOOST_TEST(best_id(tree.get("lll", memory, strict)) == 4U);
        // Removing every leaf leaves the sums at zero up to float rounding.
        for (std::size_t i = 1; i < paths.size(); ++i) tree.remove_leaf(leaves.row(i), paths[i]);
        float worst = 0;
        for (const float x : tree.sums()) worst = std::max(worst, std::abs(x));
        BOOST_TEST(worst < 1e-4f);
      };
      BOOST_TEST_CONTEXT(c->name) {
        if (c == &kDenseCase) {
          run(hv::models::DenseMap());
        } else {
          run(hv::models::Hrr<>());
        }
      }
    }
  }
  // Dense MAP with ±1 leaves is the packed tree on floats: same path vector
  // (same seed), same query, exactly.
  const hv::PackedMatrix leaves = hv::bipolar::random_matrix(5, 1000, seed);
  st::BinaryTree packed(1000, seed + 7);
  st::DenseBinaryTree real(1000, seed + 7);
  const std::vector<std::string> few = {"l", "rl", "lrr", "rrlrl", "lr"};
  for (std::size_t i = 0; i < few.size(); ++i) {
    packed.add_leaf(leaves.row(i), few[i]);
    real.add_leaf(dense::to_float(leaves.row(i)), few[i]);
  }
  for (const std::string& p : few) {
    const hv::DenseVector<float> pv = dense::to_float(packed.path_vector(p));
    const hv::DenseVector<float> rv = real.path_vector(p);
    BOOST_TEST(std::equal(pv.values().begin(), pv.values().end(), rv.values().begin()));
    const hv::DenseVector<float> q_packed = packed.query(p);
    const hv::DenseVector<float> q_real = real.query(p);
    BOOST_TEST_CONTEXT("path " << p) {
      BOOST_TEST(std::equal(q_packed.values().begin(), q_packed.values().end(), q_real.values().begin()));
    }
  }
  // Validation at the door.
  st::HrrBinaryTree tree(64, 1);
  const std::vector<float> ok(64, 0.1f);
  std::vector<float> nan_leaf(64, 0.1f);
  nan_leaf[3] = std::nanf("");
  BOOST_CHECK_THROW(tree.path_vector(""), hv::InvalidArgument);
  BOOST_CHECK_THROW(tree.path_vector("lx"), hv::InvalidArgument);
  BOOST_CHECK_THROW(tree.add_leaf(std::vector<float>(63, 0.1f), "l"), hv::DimensionError);
  BOOST_CHECK_THROW(tree.add_leaf(nan_leaf, "l"), hv::InvalidArgument);
  BOOST_CHECK_THROW(tree.get("l", hv::cleanup::FloatMemory(64)), hv::InvalidArgument);
  BOOST_CHECK_THROW(tree.get("l", hv::cleanup::FloatMemory(65)), hv::DimensionError);
  BOOST_CHECK_THROW(st::DenseBinaryTree(0, 1), hv::DimensionError);
  try {
    tree.path_vector("lrq");
    BOOST_ERROR("path_vector accepted 'q'");
  } catch (const hv::InvalidArgument& e) {
    BOOST_TEST(hypervec::test::message_has(e, "structures::BinaryTree<HRR>::path_vector"));
    BOOST_TEST(hypervec::test::message_has(e, "path[2] = 'q'"));
  }
  tree.add_leaf(ok, "r");
  BOOST_TEST(tree.size() == 1);
}

// Why HRR trees do not use torchhd's path Π_i ρ^i(D_{d_i}): ρ commutes with
// ⊛, so the path is ρ^{Σi}(⊛_i D_{d_i}) and depends only on how many l and
// r steps it has. "lr" and "rl" (and "llr", "lrl", "rll") are the same
// vector up to FFT rounding, and a tree storing x at "lr" and y at "rl"
// gives both queries the same answer. The per-depth unitary roles give
// unrelated paths: ⟨P(p), P(q)⟩ = (c + 2 Σ_{k≤m} cos φ_k)/D with m free
// spectral bins of independent uniform phases φ_k and c = D - 2m real bins
// (always 1 in unitary vectors): mean c/D, σ = √(2m)/D; 5σ plus 1e-5 for
// float rounding. In MAP ρ does not commute with ⊙: the same test on the
// dense model gives |cos| ≤ 5/√D.
BOOST_AUTO_TEST_CASE(hrr_tree_paths_need_per_depth_roles) {
  constexpr std::size_t kSmall = 1000;
  const std::uint64_t seed = test_seed();
  const hv::DenseMatrix<float> dirs = hrr_atoms(2, kSmall, seed);  // D_l, D_r
  const auto naive = [&](const std::string& path) {
    hv::DenseVector<float> p = hrr::permute(dirs.row(path[0] == 'r'), 0);
    for (std::size_t i = 1; i < path.size(); ++i) {
      p = hrr::bind(p, hrr::permute(dirs.row(path[i] == 'r'), static_cast<std::ptrdiff_t>(i)));
    }
    return p;
  };
  BOOST_TEST_CONTEXT("seed " << seed) {
    BOOST_TEST(hrr::cosine(naive("lr"), naive("rl")) > 0.9999);
    BOOST_TEST(hrr::cosine(naive("llr"), naive("rll")) > 0.9999);
    BOOST_TEST(hrr::cosine(naive("lrl"), naive("rll")) > 0.9999);
    // A naive tree cannot tell "lr" from "rl": the two queries are the same
    // vector (P† ⊛ P ⊛ (x + y)), so no cleanup can answer them differently.
    const hv::DenseMatrix<float> xy = hrr_atoms(2, kSmall, seed + 1);
    hv::DenseVector<float> s = hrr::bind(xy.row(0), naive("lr"));
    hrr::add_scaled(hrr::bind(xy.row(1), naive("rl")), 1.0f, s.values());
    BOOST_TEST(hrr::cosine(hrr::unbind(s, naive("lr")), hrr::unbind(s, naive("rl"))) > 0.9999);

    // Per-depth roles: unrelated paths, and the two leaves come apart.
    const st::HrrBinaryTree tree(kSmall, seed + 2);
    const std::size_t m = (kSmall + 1) / 2 - 1;
    const double mean = static_cast<double>(kSmall - 2 * m) / kSmall;
    const double bound = 5 * std::sqrt(2.0 * m) / kSmall + 1e-5;
    for (const auto& [a, b] : {std::pair{"lr", "rl"}, std::pair{"llr", "rll"},
                               std::pair{"lrl", "rll"}, std::pair{"l", "ll"}}) {
      const double c = hrr::dot(tree.path_vector(a), tree.path_vector(b));
      BOOST_TEST_CONTEXT(a << " vs " << b << " dot " << c) {
        BOOST_TEST(std::abs(c - mean) <= bound);
      }
    }
    // Unitary paths: ‖P‖ = 1 and P† is the exact inverse.
    BOOST_TEST(std::abs(hrr::norm(tree.path_vector("rlrlr")) - 1.0) < 1e-5);
    st::HrrBinaryTree two(kSmall, seed + 2);
    two.add_leaf(xy.row(0), "lr");
    two.add_leaf(xy.row(1), "rl");
    const auto memory = float_memory(xy);
    BOOST_TEST(best_id(two.get("lr", memory)) == 0U);
    BOOST_TEST(best_id(two.get("rl", memory)) == 1U);
    const hv::DenseVector<float> q_lr = two.query("lr");
    BOOST_TEST(hrr::cosine(q_lr, xy.row(0)) - hrr::cosine(q_lr, xy.row(1)) > 0.4);
    // Dense MAP keeps torchhd's ρ^i path: ordered there.
    const st::DenseBinaryTree dense_tree(kSmall, seed + 3);
    const double lr_rl = dense::cosine(dense_tree.path_vector("lr"), dense_tree.path_vector("rl"));
    BOOST_TEST(std::abs(lr_rl) <= 5 / std::sqrt(double{kSmall}));
  }
}

// HRR capacity: the measured accuracy of Gaussian-key HRR tables (involution
// unbinding, cosine cleanup) agrees with retrieval_accuracy(..., hrr_involution())
// at its 99% capacity and at three times it; so does the dense MAP table
// with ±1 atoms against the bipolar formula, and the HRR sequence against
// gaussian_atoms(). Bounds as in measured_capacity_matches_theory.
BOOST_AUTO_TEST_CASE(measured_real_capacity_matches_theory) {
  constexpr std::size_t kD = 1024;
  constexpr std::size_t kM = 64;
  constexpr std::size_t kTrials = 30;
  const std::uint64_t seed = test_seed();
  const auto measure_table = [&](auto model, const RealCase& c, std::size_t n, std::uint64_t s0) {
    using Model = decltype(model);
    std::size_t right = 0, total = 0;
    for (std::size_t t = 0; t < kTrials; ++t) {
      const hv::DenseMatrix<float> atoms = c.atoms(kM, kD, s0 + 2 * t);
      const hv::DenseMatrix<float> keys = c.keys(n, kD, s0 + 2 * t + 1);
      const auto memory = float_memory(atoms);
      st::HashTable<Model> table(kD);
      for (std::size_t i = 0; i < n; ++i) table.insert(keys.row(i), atoms.row((i * 7 + t) % kM));
      for (std::size_t i = 0; i < n; ++i) {
        right += best_id(table.get(keys.row(i), memory)) == (i * 7 + t) % kM;
        ++total;
      }
    }
    return static_cast<double>(right) / static_cast<double>(total);
  };
  const auto measure_sequence = [&](const RealCase& c, std::size_t n, std::uint64_t s0) {
    std::size_t right = 0, total = 0;
    for (std::size_t t = 0; t < kTrials; ++t) {
      const hv::DenseMatrix<float> atoms = c.atoms(kM, kD, s0 + t);
      const auto memory = float_memory(atoms);
      st::HrrSequence seq(kD);
      for (std::size_t i = 0; i < n; ++i) seq.append(atoms.row((i * 7 + t) % kM));
      for (std::size_t i = 0; i < n; ++i) {
        right += best_id(seq.item_at(i, memory)) == (i * 7 + t) % kM;
        ++total;
      }
    }
    return static_cast<double>(right) / static_cast<double>(total);
  };
  struct Row {
    const char* what;
    st::RetrievalNoise noise;
  };
  for (const Row& row : {Row{"HRR hash table", st::RetrievalNoise::hrr_involution()},
                         Row{"dense MAP hash table", st::RetrievalNoise::bipolar()},
                         Row{"HRR sequence", st::RetrievalNoise::gaussian_atoms()}}) {
    const std::size_t cap = st::capacity(kD, kM, 0.99, row.noise);
    BOOST_TEST_MESSAGE(row.what << ": capacity(D=1024, M=64, 99%) = " << cap);
    for (const std::size_t n : {cap, 3 * cap}) {
      const double theory = st::retrieval_accuracy(kD, n, kM, row.noise);
      const double bound =
          5.0 * std::sqrt(std::max(theory * (1 - theory), 1e-4) / kTrials) + 0.01;
      const std::string what = row.what;
      const double measured =
          what == "HRR hash table"   ? measure_table(hv::models::Hrr<>(), kHrrCase, n, seed)
          : what == "dense MAP hash table" ? measure_table(hv::models::DenseMap(), kDenseCase, n, seed)
                                     : measure_sequence(kHrrCase, n, seed);
      BOOST_TEST_MESSAGE("  n=" << n << " theory " << theory << " measured " << measured);
      BOOST_TEST_CONTEXT("seed " << seed << " " << what << " n=" << n << " theory " << theory) {
        BOOST_TEST(std::abs(measured - theory) <= bound);
      }
    }
  }
  // HRR's extra noise costs capacity against ±1 atoms, and more items fit at
  // larger D; the formula's limits for the new noise terms.
  BOOST_TEST(st::capacity(kD, kM, 0.99, st::RetrievalNoise::hrr_involution()) <
             st::capacity(kD, kM, 0.99, st::RetrievalNoise::bipolar()));
  BOOST_TEST(st::retrieval_accuracy(10000, 1, 1000, st::RetrievalNoise::gaussian_atoms()) >
             1 - 1e-9);
  BOOST_CHECK_THROW(st::retrieval_accuracy(64, 1, 4, st::RetrievalNoise{-1.0, 0.0}),
                    hv::InvalidArgument);
}

// ---------------------------------------------------------------------------
// One test, every model: each structure, written once over the model, stores
// and recalls on packed MAP, dense MAP, HRR and FHRR alike.
// ---------------------------------------------------------------------------

namespace {
using EveryModel = boost::mpl::list<hv::models::PackedMap, hv::models::DenseMap,
                                    hv::models::Hrr<>, hv::models::Fhrr>;
}  // namespace

BOOST_AUTO_TEST_CASE_TEMPLATE(every_structure_on_every_model, M, EveryModel) {
  constexpr std::size_t kD = 2048;
  const std::uint64_t seed = test_seed();
  BOOST_TEST_CONTEXT(M::name << ", seed " << seed) {
    const auto atoms = M::random_matrix(40, kD, seed);
    const typename M::Memory memory(atoms);
    // Record: 5 pairs, each value recalled, removal undoes an insert.
    st::HashTable<M> table(kD);
    for (std::size_t i = 0; i < 5; ++i) table.insert(atoms.row(i), atoms.row(20 + i));
    for (std::size_t i = 0; i < 5; ++i) {
      BOOST_TEST(best_id(table.get(atoms.row(i), memory)) == 20 + i);
    }
    table.remove(atoms.row(0), atoms.row(20));
    BOOST_TEST(table.size() == 4);
    // Multiset: multiplicities 0..3 within 6σ (σ² = Σ m² / D, FHRR half of it).
    st::Multiset<M> bag(kD);
    for (std::size_t i = 0; i < 8; ++i) bag.add(atoms.row(i), static_cast<std::int32_t>(i % 4));
    const double sigma = std::sqrt(28.0 / kD) * (1 + 5 * std::sqrt(2.0 / kD));
    for (std::size_t i = 0; i < 8; ++i) {
      BOOST_TEST(std::abs(bag.multiplicity(atoms.row(i)) - double(i % 4)) < 6 * sigma);
    }
    // Sequence and stack.
    st::Sequence<M> seq(kD);
    st::Stack<M> stack(kD);
    const std::vector<std::size_t> order = {3, 9, 9, 1, 30, 12};
    for (const std::size_t id : order) {
      seq.append(atoms.row(id));
      stack.push(atoms.row(id));
    }
    for (std::size_t i = 0; i < order.size(); ++i) {
      BOOST_TEST(best_id(seq.item_at(i, memory)) == order[i]);
    }
    BOOST_TEST(seq.position_of(atoms.row(30)) == 4U);
    for (std::size_t i = order.size(); i-- > 0;) {
      const auto m = stack.pop(memory);
      BOOST_REQUIRE(m.has_value());
      BOOST_TEST(m->id == order[i]);
    }
    BOOST_TEST(stack.empty());
    // Chain, directed graph, tree.
    st::ChainSequence<M> chain(kD);
    for (const std::size_t id : {5, 6, 7, 8}) chain.append(atoms.row(id));
    const auto walk = chain.recall(atoms.row(5), 3, memory);
    BOOST_REQUIRE(walk.size() == 3U);
    BOOST_TEST(walk[2].id == 8U);
    st::Graph<M> graph(kD, /*directed=*/true);
    graph.add_edge(atoms.row(0), atoms.row(1));
    graph.add_edge(atoms.row(2), atoms.row(0));
    BOOST_TEST(std::abs(graph.edge_weight(atoms.row(0), atoms.row(1)) - 1.0) < 0.2);
    BOOST_TEST(std::abs(graph.edge_weight(atoms.row(1), atoms.row(0))) < 0.2);
    BOOST_TEST(best_id(memory.search(graph.successors_query(atoms.row(0)))) == 1U);
    BOOST_TEST(best_id(memory.search(graph.predecessors_query(atoms.row(0)))) == 2U);
    st::BinaryTree<M> tree(kD, seed + 1);
    tree.add_leaf(atoms.row(10), "lr");
    tree.add_leaf(atoms.row(11), "rl");
    tree.add_leaf(atoms.row(12), "lll");
    BOOST_TEST(best_id(tree.get("lr", memory)) == 10U);
    BOOST_TEST(best_id(tree.get("rl", memory)) == 11U);
    BOOST_TEST(best_id(tree.get("lll", memory)) == 12U);
    // An item of the wrong dimension is refused, naming the structure and model.
    const auto short_item = M::random(kD - 1, seed);
    try {
      table.insert(short_item, atoms.row(1));
      BOOST_ERROR("insert accepted a short key");
    } catch (const hv::DimensionError& e) {
      BOOST_TEST(hypervec::test::message_has(e, "structures::HashTable<" + std::string(M::name)));
    }
    BOOST_TEST(table.size() == 4);
  }
}
