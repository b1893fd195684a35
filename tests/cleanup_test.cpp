// Cleanup memory (include/hypervec/cleanup.hpp): exact top-k against the
// brute-force scalar scan (src/reference/cleanup.cpp) for every kind on every
// target, thread-count and target independence, significance calibration
// against the exact null, labels, and bad input.
#define BOOST_TEST_MODULE cleanup
#include <boost/test/unit_test.hpp>

#include <hypervec/bipolar.hpp>
#include <hypervec/bundle.hpp>
#include <hypervec/cleanup.hpp>
#include <hypervec/dense.hpp>
#include <hypervec/error.hpp>
#include <hypervec/hrr.hpp>

#include "src/reference/cleanup.hpp"
#include "tests/test_util.hpp"

#include <cmath>
#include <cstring>
#include <functional>
#include <limits>
#include <random>
#include <set>
#include <span>

namespace hv = hypervec;
namespace cl = hypervec::cleanup;
namespace ref = hypervec::reference::cleanup;
using hv::test::for_each_target;
using hv::test::random_packed;

namespace {

// The exactness grid: every (M, D) cell runs a batch of Q = 33 queries and a
// single query (Q = 1), for every kind, on every target.
const std::vector<std::size_t> kRows = {1, 7, 1000, 3000};
const std::vector<std::size_t> kSearchDims = {64, 1000, 4096, 10000};
constexpr std::size_t kBatch = 33;

std::size_t k_for(std::size_t rows) { return std::min<std::size_t>(rows, 5); }

/// Rows of i.i.d. fair bits; every 10th row from 3 on is a copy of the row
/// before it, so exact score ties (broken by id) are always present.
hv::PackedMatrix packed_codebook(std::size_t rows, std::size_t dim, std::mt19937_64& rng) {
  hv::PackedMatrix m(rows, dim);
  for (std::size_t r = 0; r < rows; ++r) {
    auto row = m.row_span(r);
    if (r % 10 == 3) {
      std::memcpy(row.words, m.row(r - 1).words, row.num_words() * 8);
      continue;
    }
    const auto v = random_packed(dim, rng);
    std::memcpy(row.words, v.words(), row.num_words() * 8);
  }
  return m;
}

hv::DenseMatrix<float> gaussian_matrix(std::size_t rows, std::size_t dim, std::mt19937_64& rng) {
  hv::DenseMatrix<float> m(rows, dim);
  std::normal_distribution<float> normal;
  for (std::size_t r = 0; r < rows; ++r) {
    for (auto& x : m.row(r)) x = normal(rng);
  }
  return m;
}

/// Uniform floats in [-1, 1) on a 2^-23 grid, two per 64-bit draw: the grid's
/// inputs (their distribution does not matter for exactness, and at 3·10^7
/// values per codebook a normal generator would dominate the test's time).
hv::DenseMatrix<float> uniform_matrix(std::size_t rows, std::size_t dim, std::mt19937_64& rng) {
  hv::DenseMatrix<float> m(rows, dim);
  for (std::size_t r = 0; r < rows; ++r) {
    auto row = m.row(r);
    for (std::size_t i = 0; i < dim; i += 2) {
      const std::uint64_t bits = rng();
      row[i] = static_cast<float>(static_cast<std::int32_t>(bits >> 40) - (1 << 23)) * 0x1.0p-23F;
      if (i + 1 < dim) {
        row[i + 1] = static_cast<float>(static_cast<std::int32_t>((bits >> 8) & 0xFFFFFF) - (1 << 23)) *
                     0x1.0p-23F;
      }
    }
  }
  return m;
}

/// Int8 values in [-127, 127] (a byte b gives b mod 255 - 127), eight per
/// 64-bit draw; every 10th row from 3 on repeats the row before it (ties).
hv::DenseMatrix<std::int8_t> int8_matrix(std::size_t rows, std::size_t dim, std::mt19937_64& rng) {
  hv::DenseMatrix<std::int8_t> m(rows, dim);
  for (std::size_t r = 0; r < rows; ++r) {
    if (r % 10 == 3) {
      std::copy(m.row(r - 1).begin(), m.row(r - 1).end(), m.row(r).begin());
      continue;
    }
    auto row = m.row(r);
    for (std::size_t i = 0; i < dim; i += 8) {
      std::uint64_t bits = rng();
      for (std::size_t t = i; t < std::min(dim, i + 8); ++t, bits >>= 8) {
        row[t] = static_cast<std::int8_t>(static_cast<int>(bits & 0xFF) % 255 - 127);
      }
    }
  }
  return m;
}

/// A query near row `row` of the codebook (so the top hit is meaningful),
/// packed: flip each bit with probability 0.3.
hv::PackedMatrix packed_queries(const hv::PackedMatrixView& book, std::size_t n,
                                std::mt19937_64& rng) {
  hv::PackedMatrix q(n, book.dim);
  std::bernoulli_distribution flip(0.3);
  for (std::size_t a = 0; a < n; ++a) {
    const auto src = book.row((a * 7919) % book.rows);
    auto dst = q.row_span(a);
    for (std::size_t i = 0; i < book.dim; ++i) {
      const bool bit = src.component(i) < 0;
      if (bit != flip(rng)) dst.words[i / 64] |= std::uint64_t{1} << (i % 64);
    }
  }
  return q;
}

/// Compares a search result with the reference scores of every row
/// (`scores[id]`): the expected result is their top k (ref::top_k). Exact
/// mode: same ids and scores. Otherwise |score - ref| <= tol(id) rank by
/// rank, and an id may differ from the reference's only if the reference
/// scores of the two ids are within tol of each other (a near-tie the
/// rounding may flip).
template <typename Tol>
void check_against_reference(const cl::Matches& got, std::span<const double> scores,
                             std::size_t k, bool exact, const Tol& tol) {
  const auto want = ref::top_k(scores, k);
  BOOST_REQUIRE_EQUAL(got.size(), k);
  for (std::size_t j = 0; j < k; ++j) {
    BOOST_TEST_CONTEXT("rank " << j) {
      if (exact) {
        BOOST_CHECK_EQUAL(got[j].id, want[j].id);
        BOOST_CHECK_EQUAL(got[j].score, want[j].score);
      } else {
        BOOST_REQUIRE_LT(got[j].id, scores.size());
        const double t = tol(want[j].id) + tol(got[j].id);
        BOOST_CHECK_LE(std::abs(got[j].score - want[j].score), t);
        if (got[j].id != want[j].id) {
          BOOST_CHECK_LE(std::abs(scores[got[j].id] - want[j].score), t);
        }
        BOOST_CHECK_LE(std::abs(got[j].score - scores[got[j].id]), tol(got[j].id));
      }
    }
  }
}

/// Query a's row of a Q × M score matrix.
std::span<const double> scores_of(const std::vector<double>& scores, std::size_t rows,
                                  std::size_t a) {
  return std::span<const double>(scores).subspan(a * rows, rows);
}

/// Rigorous bound on the float rounding error of a dot product of length D
/// whose terms have absolute sum `abs_sum`: (D + 16) · 2^-24 · abs_sum
/// (any summation order with at most D + 16 additions, Higham Thm 3.1),
/// plus the float rounding of the result itself.
double dot_tolerance(std::size_t dim, double abs_sum) {
  return (static_cast<double>(dim) + 17.0) * 0x1.0p-24 * abs_sum;
}

/// The float tolerance of query a against row id: the dot bound from
/// Σ|q_i r_i|, divided by ‖r‖ for Metric::cosine.
double float_tolerance(std::span<const float> q, std::span<const float> row, cl::Metric metric) {
  double abs_sum = 0, norm2 = 0;
  for (std::size_t i = 0; i < q.size(); ++i) {
    abs_sum += std::abs(static_cast<double>(q[i]) * row[i]);
    norm2 += static_cast<double>(row[i]) * row[i];
  }
  const double t = dot_tolerance(q.size(), abs_sum);
  return metric == cl::Metric::dot ? t : t / std::sqrt(norm2) * (1 + 1e-12);
}

bool same_matches(const cl::Matches& a, const cl::Matches& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t j = 0; j < a.size(); ++j) {
    if (a[j].id != b[j].id || a[j].score != b[j].score || a[j].cosine != b[j].cosine ||
        a[j].z != b[j].z || a[j].p != b[j].p || a[j].label != b[j].label) {
      return false;
    }
  }
  return true;
}

/// The batch references agree with the single-query ones bit for bit (they
/// are loop interchanges of the same sums): checked on query 0 of a cell.
template <typename Single>
void check_batch_reference(const std::vector<double>& scores, std::size_t rows,
                           const Single& single) {
  const std::vector<ref::Hit> all = single();
  BOOST_REQUIRE_EQUAL(all.size(), rows);
  for (const ref::Hit& h : all) BOOST_CHECK_EQUAL(scores[h.id], h.score);
}

}  // namespace

BOOST_AUTO_TEST_CASE(packed_and_mixed_top_k_match_brute_force_on_every_target) {
  // Packed scores are exact integers: the same ids and scores as the brute
  // force, on every target, alone (Q = 1) or in the batch. Mixed scores are
  // float sums within dot_tolerance of the double brute force; a batch (Q >=
  // 3: sign tables) and a single query (sign flips) sum in different orders,
  // but each is bit-identical on every target.
  const auto seed = hv::test::test_seed();
  BOOST_TEST_CONTEXT("seed " << seed) {
    std::mt19937_64 rng(seed);
    for (const std::size_t dim : kSearchDims) {
      for (const std::size_t rows : kRows) {
        BOOST_TEST_CONTEXT("D=" << dim << " M=" << rows) {
          const auto book = packed_codebook(rows, dim, rng);
          const cl::PackedMemory memory(book.view());
          const std::size_t nq = kBatch, k = k_for(rows);
          const auto pq = packed_queries(book.view(), nq, rng);
          const auto fq = uniform_matrix(nq, dim, rng);
          const auto want_packed = ref::score_packed(pq.view(), book.view());
          const auto want_mixed = ref::score_mixed(fq.view(), book.view());
          check_batch_reference(want_packed, rows, [&] {
            return ref::search_packed(pq.row(0), book.view(), rows);
          });
          check_batch_reference(want_mixed, rows, [&] {
            return ref::search_mixed(fq.row(0), book.view(), rows);
          });
          std::vector<double> abs_sum(nq);
          for (std::size_t a = 0; a < nq; ++a) {
            for (const float x : fq.row(a)) abs_sum[a] += std::abs(x);
          }
          std::vector<cl::Matches> first_packed, first_mixed;
          cl::Matches first_one_mixed;
          for_each_target([&](const std::string&) {
            const cl::Options options{.k = k};
            const auto got_packed = memory.search(pq.view(), options);
            const auto got_mixed = memory.search(fq.view(), options);
            const auto one_packed = memory.search(pq.row(0), options);
            const auto one_mixed = memory.search(fq.row(0), options);
            BOOST_REQUIRE_EQUAL(got_packed.size(), nq);
            BOOST_REQUIRE_EQUAL(got_mixed.size(), nq);
            for (std::size_t a = 0; a < nq; ++a) {
              BOOST_TEST_CONTEXT("query " << a) {
                check_against_reference(got_packed[a], scores_of(want_packed, rows, a), k, true,
                                        [](std::size_t) { return 0.0; });
                check_against_reference(got_mixed[a], scores_of(want_mixed, rows, a), k, false,
                                        [&](std::size_t) { return dot_tolerance(dim, abs_sum[a]); });
              }
            }
            BOOST_CHECK(same_matches(one_packed, got_packed[0]));
            BOOST_TEST_CONTEXT("single mixed query") {
              check_against_reference(one_mixed, scores_of(want_mixed, rows, 0), k, false,
                                      [&](std::size_t) { return dot_tolerance(dim, abs_sum[0]); });
            }
            // Packed and mixed scores are bit-identical on every target.
            if (first_packed.empty()) {
              first_packed = got_packed;
              first_mixed = got_mixed;
              first_one_mixed = one_mixed;
            } else {
              for (std::size_t a = 0; a < nq; ++a) {
                BOOST_CHECK(same_matches(got_packed[a], first_packed[a]));
                BOOST_CHECK(same_matches(got_mixed[a], first_mixed[a]));
              }
              BOOST_CHECK(same_matches(one_mixed, first_one_mixed));
            }
          });
        }
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(float_and_int8_top_k_match_brute_force_on_every_target) {
  const auto seed = hv::test::test_seed();
  BOOST_TEST_CONTEXT("seed " << seed) {
    std::mt19937_64 rng(seed + 1);
    for (const std::size_t dim : kSearchDims) {
      for (const std::size_t rows : kRows) {
        BOOST_TEST_CONTEXT("D=" << dim << " M=" << rows) {
          const auto fbook = uniform_matrix(rows, dim, rng);
          const std::size_t nq = kBatch, k = k_for(rows);
          const auto fq = uniform_matrix(nq, dim, rng);
          const auto ibook = int8_matrix(rows, dim, rng);
          const auto iq = int8_matrix(nq, dim, rng);
          for (const cl::Metric metric : {cl::Metric::dot, cl::Metric::cosine}) {
            // Metric::cosine only rescales the key; its cells up to M = 1000.
            if (metric == cl::Metric::cosine && rows > 1000) continue;
            BOOST_TEST_CONTEXT("metric " << (metric == cl::Metric::dot ? "dot" : "cosine")) {
              const cl::FloatMemory fmem(fbook.view(), {}, metric);
              const cl::Int8Memory imem(ibook.view(), {}, metric);
              const auto want_f = ref::score_float(fq.view(), fbook.view(), metric);
              const auto want_i = ref::score_int8(iq.view(), ibook.view(), metric);
              check_batch_reference(want_f, rows, [&] {
                return ref::search_float(fq.row(0), fbook.view(), rows, metric);
              });
              check_batch_reference(want_i, rows, [&] {
                return ref::search_int8(iq.row(0), ibook.view(), rows, metric);
              });
              std::vector<cl::Matches> first_int8;
              for_each_target([&](const std::string&) {
                const cl::Options options{.k = k};
                const auto got_f = fmem.search(fq.view(), options);
                const auto got_i = imem.search(iq.view(), options);
                for (std::size_t a = 0; a < nq; ++a) {
                  BOOST_TEST_CONTEXT("query " << a) {
                    check_against_reference(got_f[a], scores_of(want_f, rows, a), k, false,
                                            [&, a](std::size_t id) {
                                              return float_tolerance(fq.row(a), fbook.row(id),
                                                                     metric);
                                            });
                    if (metric == cl::Metric::dot) {
                      check_against_reference(got_i[a], scores_of(want_i, rows, a), k, true,
                                              [](std::size_t) { return 0.0; });
                    } else {
                      // The ranking key dot · (1/‖r‖) is rounded once in double.
                      // |score| <= ‖q‖ (Cauchy-Schwarz), so 1e-15·‖q‖ covers a few ulps.
                      double qnorm2 = 0;
                      for (const auto x : iq.row(a)) qnorm2 += static_cast<double>(x) * x;
                      const double t = 1e-15 * std::sqrt(qnorm2);
                      check_against_reference(got_i[a], scores_of(want_i, rows, a), k, false,
                                              [t](std::size_t) { return t; });
                    }
                  }
                }
                // Batches below 64 queries (Q = 33 here) run the same Highway
                // kernel as a single query, so the scores agree exactly.
                BOOST_CHECK(same_matches(fmem.search(fq.row(0), options), got_f[0]));
                BOOST_CHECK(same_matches(imem.search(iq.row(0), options), got_i[0]));
                if (first_int8.empty()) {
                  first_int8 = got_i;
                } else {
                  for (std::size_t a = 0; a < nq; ++a) {
                    BOOST_CHECK(same_matches(got_i[a], first_int8[a]));
                  }
                }
              });
            }
          }
        }
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(packed_batches_spanning_several_query_blocks_match_brute_force) {
  // Packed batches of at least two vectors of u64 lanes of queries run the
  // query-lane kernel, which interleaves the queries one L2-sized block (1 MiB)
  // at a time: at D = 10000 a block holds 104 groups of 8 queries on AVX-512
  // (208 groups of 4 on AVX2, 416 of 2 on SSE4), so Q = 1699 spans three
  // blocks and ends in a partial group on every target (and in a single-group
  // tile on AVX-512 and AVX2; the Q = 33 grid has one on every target).
  // M = 130 rows: two row blocks and a ragged row tile.
  const auto seed = hv::test::test_seed();
  BOOST_TEST_CONTEXT("seed " << seed) {
    std::mt19937_64 rng(seed + 11);
    const std::size_t rows = 130, dim = 10000, nq = 1699, k = 5;
    const auto book = packed_codebook(rows, dim, rng);
    const cl::PackedMemory memory(book.view());
    const auto pq = packed_queries(book.view(), nq, rng);
    const auto want = ref::score_packed(pq.view(), book.view());
    for_each_target([&](const std::string&) {
      const auto got = memory.search(pq.view(), cl::Options{.k = k, .threads = 1});
      BOOST_REQUIRE_EQUAL(got.size(), nq);
      for (std::size_t a = 0; a < nq; ++a) {
        BOOST_TEST_CONTEXT("query " << a) {
          check_against_reference(got[a], scores_of(want, rows, a), k, true,
                                  [](std::size_t) { return 0.0; });
        }
      }
    });
  }
}

BOOST_AUTO_TEST_CASE(float_batches_spanning_several_blas_tiles_match_brute_force) {
  // Float batches of Q >= 64 run sgemm (the Q = 33 grid above runs the
  // Highway kernel); its grid is 1024 queries × 1024 rows: Q = 1100 and M = 1100
  // give full and partial tiles in both directions; D = 65 makes the row
  // stride differ from D. Both metrics, one and two workers.
  const auto seed = hv::test::test_seed();
  BOOST_TEST_CONTEXT("seed " << seed) {
    std::mt19937_64 rng(seed + 7);
    const std::size_t rows = 1100, dim = 65, nq = 1100, k = 5;
    const auto fbook = gaussian_matrix(rows, dim, rng);
    const auto fq = gaussian_matrix(nq, dim, rng);
    for (const cl::Metric metric : {cl::Metric::dot, cl::Metric::cosine}) {
      const cl::FloatMemory fmem(fbook.view(), {}, metric);
      const auto want = ref::score_float(fq.view(), fbook.view(), metric);
      for (const unsigned threads : {1U, 2U}) {
        BOOST_TEST_CONTEXT("threads " << threads << " metric "
                                      << (metric == cl::Metric::dot ? "dot" : "cosine")) {
          const auto got = fmem.search(fq.view(), cl::Options{.k = k, .threads = threads});
          for (std::size_t a = 0; a < nq; ++a) {
            BOOST_TEST_CONTEXT("query " << a) {
              check_against_reference(got[a], scores_of(want, rows, a), k, false,
                                      [&, a](std::size_t id) {
                                        return float_tolerance(fq.row(a), fbook.row(id), metric);
                                      });
            }
          }
        }
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(results_do_not_depend_on_the_thread_count) {
  // Q = 1 splits rows between workers (merged heaps); Q = 5 is a mixed
  // table batch (Q >= 3) whose workers get 1 to 3 queries each (fewer than
  // 3 would mean sign flips if the share chose the kernel), or split rows;
  // Q = 33 splits queries.
  const auto seed = hv::test::test_seed();
  BOOST_TEST_CONTEXT("seed " << seed) {
    std::mt19937_64 rng(seed + 2);
    const std::size_t dim = 1000, rows = 3000;
    const auto book = packed_codebook(rows, dim, rng);
    const cl::PackedMemory pmem(book.view());
    const auto fbook = gaussian_matrix(rows, dim, rng);
    const cl::FloatMemory fmem(fbook.view());
    const auto ibook = int8_matrix(rows, dim, rng);
    const cl::Int8Memory imem(ibook.view());
    for (const std::size_t nq : {std::size_t{1}, std::size_t{5}, std::size_t{kBatch}}) {
      const auto pq = packed_queries(book.view(), nq, rng);
      const auto fq = gaussian_matrix(nq, dim, rng);
      const auto iq = int8_matrix(nq, dim, rng);
      std::vector<std::vector<cl::Matches>> base;
      for (const unsigned threads : {1U, 2U, 3U, 7U, 0U}) {
        BOOST_TEST_CONTEXT("Q=" << nq << " threads=" << threads) {
          const cl::Options options{.k = 10, .threads = threads};
          std::vector<std::vector<cl::Matches>> now = {
              pmem.search(pq.view(), options), pmem.search(fq.view(), options),
              fmem.search(fq.view(), options), imem.search(iq.view(), options)};
          if (base.empty()) {
            base = now;
            continue;
          }
          for (std::size_t kind = 0; kind < now.size(); ++kind) {
            for (std::size_t a = 0; a < nq; ++a) {
              BOOST_CHECK(same_matches(now[kind][a], base[kind][a]));
            }
          }
        }
      }
    }
    // Float batches of Q >= 64 run sgemm on 1024-query × 1024-row tiles:
    // Q = 1100 spans two query tiles and M = 3000 three row tiles, so threads
    // 1 and 2 split query tiles while 3 and 7 split row tiles (D = 65: the
    // tiling, not the depth, is under test).
    const auto sbook = gaussian_matrix(rows, 65, rng);
    const cl::FloatMemory smem(sbook.view());
    const auto fq = gaussian_matrix(1100, 65, rng);
    std::vector<cl::Matches> base;
    for (const unsigned threads : {1U, 2U, 3U, 7U, 0U}) {
      BOOST_TEST_CONTEXT("float Q=1100 threads=" << threads) {
        const auto now = smem.search(fq.view(), cl::Options{.k = 10, .threads = threads});
        if (base.empty()) {
          base = now;
          continue;
        }
        for (std::size_t a = 0; a < now.size(); ++a) BOOST_CHECK(same_matches(now[a], base[a]));
      }
    }
  }
}

namespace {

/// Thread counts 1 .. 2·items + 3 (every split of `items` work items,
/// including the counts that used to leave workers an empty range), then
/// 64, 70 and 128, past any worker cap.
std::vector<unsigned> every_thread_count(std::size_t items) {
  std::vector<unsigned> out;
  for (unsigned t = 1; t <= 2 * items + 3; ++t) out.push_back(t);
  for (const unsigned t : {64U, 70U, 128U}) {
    if (t > 2 * items + 3) out.push_back(t);
  }
  return out;
}

void check_same_batch(const std::vector<cl::Matches>& now, const std::vector<cl::Matches>& base) {
  BOOST_REQUIRE_EQUAL(now.size(), base.size());
  for (std::size_t a = 0; a < now.size(); ++a) {
    BOOST_TEST_CONTEXT("query " << a) { BOOST_CHECK(same_matches(now[a], base[a])); }
  }
}

}  // namespace

BOOST_AUTO_TEST_CASE(every_search_kind_at_every_thread_count) {
  // M = 2100 rows: a single query splits rows between up to 8 workers
  // (>= 256 rows each), so both the query split and the row split run;
  // Q = 1, 3, 8 queries at every thread count 1 .. 2·max(Q, 8) + 3.
  // Float Q = 70 runs sgemm over three 1024-row tiles. Results must equal
  // threads = 1 exactly.
  const auto seed = hv::test::test_seed();
  BOOST_TEST_CONTEXT("seed " << seed) {
    std::mt19937_64 rng(seed + 21);
    const std::size_t dim = 200, rows = 2100;
    const auto book = packed_codebook(rows, dim, rng);
    const cl::PackedMemory pmem(book.view());
    const auto fbook = gaussian_matrix(rows, dim, rng);
    const cl::FloatMemory fmem(fbook.view());
    const cl::FloatMemory fdot(fbook.view(), {}, cl::Metric::dot);
    const auto ibook = int8_matrix(rows, dim, rng);
    const cl::Int8Memory imem(ibook.view());
    for (const std::size_t nq : {std::size_t{1}, std::size_t{3}, std::size_t{8}}) {
      const auto pq = packed_queries(book.view(), nq, rng);
      const auto fq = gaussian_matrix(nq, dim, rng);
      const auto iq = int8_matrix(nq, dim, rng);
      auto all = [&](unsigned threads) {
        const cl::Options o{.k = 4, .threads = threads};
        return std::vector<std::vector<cl::Matches>>{
            pmem.search(pq.view(), o),  {pmem.search(pq.row(0), o)},
            pmem.search(fq.view(), o),  {pmem.search(fq.row(0), o)},
            fmem.search(fq.view(), o),  {fmem.search(fq.row(0), o)},
            fdot.search(fq.view(), o),  imem.search(iq.view(), o),
            {imem.search(iq.row(0), o)}};
      };
      const auto base = all(1);
      for (const unsigned threads : every_thread_count(std::max<std::size_t>(nq, 8))) {
        BOOST_TEST_CONTEXT("Q=" << nq << " threads=" << threads) {
          const auto now = all(threads);
          for (std::size_t kind = 0; kind < now.size(); ++kind) {
            BOOST_TEST_CONTEXT("kind " << kind) { check_same_batch(now[kind], base[kind]); }
          }
        }
      }
    }
    // sgemm path (Q >= 64): 1 query tile × 3 row tiles.
    const auto fq = gaussian_matrix(70, dim, rng);
    const auto blas_base = fmem.search(fq.view(), {.k = 3, .threads = 1});
    for (const unsigned threads : every_thread_count(3)) {
      BOOST_TEST_CONTEXT("float sgemm Q=70 threads=" << threads) {
        check_same_batch(fmem.search(fq.view(), {.k = 3, .threads = threads}), blas_base);
      }
    }
    // Explain-away and greedy factor search over an 8-key memory.
    std::vector<float> bundle(dim, 0.0F);
    for (const std::size_t r : {5, 77, 1500}) {
      for (std::size_t i = 0; i < dim; ++i) bundle[i] += static_cast<float>(pmem.row(r).component(i));
    }
    const auto key_rows = hv::bipolar::random_matrix(8, dim, seed + 22);
    const cl::PackedMemory keys(key_rows.view());
    const auto v = hv::bipolar::bind(key_rows.row(3), book.row(42));
    const auto fv = hv::dense::to_float(v.view());
    auto decode = [&](unsigned threads) {
      const auto found = cl::explain_away(pmem, bundle, {.min_z = 2.0, .threads = threads});
      const auto packed = cl::greedy_factor_search(pmem, keys, v, {.threads = threads});
      const auto mixed = cl::greedy_factor_search(pmem, keys, fv.values(), {.threads = threads});
      cl::Matches out;
      for (const auto& d : found) out.push_back(d.match);
      BOOST_REQUIRE(packed.has_value() && mixed.has_value());
      out.push_back(packed->match);
      out.push_back(mixed->match);
      out.back().id += 1000000 * mixed->key;
      out[out.size() - 2].id += 1000000 * packed->key;
      return out;
    };
    const auto decode_base = decode(1);
    BOOST_TEST(decode_base.size() >= 3U);
    for (const unsigned threads : every_thread_count(8)) {
      BOOST_TEST_CONTEXT("explain-away / greedy threads=" << threads) {
        BOOST_CHECK(same_matches(decode(threads), decode_base));
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(adding_a_memorys_own_rows_is_safe) {
  // add(memory.row(i)) and add(memory.view()) read the memory's own storage,
  // which the append may reallocate (capacities 16, 32, 64, ...): the copy
  // must come from the live rows. Contents are compared with copies kept
  // outside the memory.
  const auto seed = hv::test::test_seed();
  BOOST_TEST_CONTEXT("seed " << seed) {
    std::mt19937_64 rng(seed + 23);
    const std::size_t dim = 130;
    const auto book = packed_codebook(3, dim, rng);
    const auto fbook = gaussian_matrix(3, dim, rng);
    const auto ibook = int8_matrix(3, dim, rng);
    cl::PackedMemory pmem(book.view());
    cl::FloatMemory fmem(fbook.view());
    cl::Int8Memory imem(ibook.view());
    std::vector<std::size_t> source = {0, 1, 2};  // row r is a copy of row source[r]
    // One row at a time across the boundaries at 16, 32 and 64 rows ...
    for (std::size_t r = 3; r < 70; ++r) {
      const std::size_t from = r * 5 / 7;  // an earlier row, often a copy itself
      source.push_back(source[from]);
      BOOST_CHECK_EQUAL(pmem.add(pmem.row(from)), r);
      BOOST_CHECK_EQUAL(fmem.add(fmem.row(from)), r);
      BOOST_CHECK_EQUAL(imem.add(imem.row(from)), r);
    }
    // ... then the whole memory, twice (70 → 140 → 280 rows, growing each time).
    for (int twice = 0; twice < 2; ++twice) {
      const std::vector<std::size_t> copy = source;
      source.insert(source.end(), copy.begin(), copy.end());
      pmem.add(pmem.view());
      fmem.add(fmem.view());
      imem.add(imem.view());
    }
    BOOST_REQUIRE_EQUAL(pmem.size(), source.size());
    BOOST_REQUIRE_EQUAL(fmem.size(), source.size());
    BOOST_REQUIRE_EQUAL(imem.size(), source.size());
    for (std::size_t r = 0; r < source.size(); ++r) {
      BOOST_TEST_CONTEXT("row " << r << " (a copy of " << source[r] << ")") {
        const auto p = pmem.row(r);
        BOOST_CHECK(std::equal(p.words, p.words + p.num_words(), book.row(source[r]).words));
        const auto f = fmem.row(r);
        const auto fs = fbook.row(source[r]);
        BOOST_CHECK(std::equal(f.begin(), f.end(), fs.begin()));
        const auto i = imem.row(r);
        const auto is = ibook.row(source[r]);
        BOOST_CHECK(std::equal(i.begin(), i.end(), is.begin()));
        // The norm kept for the row is the original's: cosine 1 with itself.
        BOOST_CHECK_CLOSE(fmem.search(fs, {.k = 1})[0].cosine, 1.0, 1e-4);
      }
    }
  }
}

namespace {

/// Long-double reference of q·r, ‖q‖, ‖r‖ (r_i = ±1 for a packed row).
struct LongDot {
  long double dot = 0, qq = 0, rr = 0;
};
LongDot long_dot(std::span<const float> q, std::span<const float> r) {
  LongDot d;
  for (std::size_t i = 0; i < q.size(); ++i) {
    d.dot += static_cast<long double>(q[i]) * r[i];
    d.qq += static_cast<long double>(q[i]) * q[i];
    d.rr += static_cast<long double>(r[i]) * r[i];
  }
  return d;
}

/// Checks every hit of `got` against the long-double reference: cosine and
/// score finite and within the float dot bound (D + 17)·2^-24 (relative to
/// ‖q‖‖r‖, which bounds Σ|q_i r_i|).
void check_finite_and_close(const cl::Matches& got, std::span<const float> q,
                            const std::function<std::vector<float>(std::size_t)>& row_of,
                            cl::Metric metric) {
  BOOST_REQUIRE(!got.empty());
  const double tol = (static_cast<double>(q.size()) + 17.0) * 0x1.0p-24 + 1e-12;
  for (const cl::Match& m : got) {
    BOOST_TEST_CONTEXT("id " << m.id) {
      const auto r = row_of(m.id);
      const LongDot d = long_dot(q, r);
      const long double qn = std::sqrt(d.qq), rn = std::sqrt(d.rr);
      const double cos = qn == 0 || rn == 0 ? 0.0 : static_cast<double>(d.dot / (qn * rn));
      BOOST_TEST(std::isfinite(m.cosine));
      BOOST_TEST(std::isfinite(m.score));
      BOOST_TEST(std::abs(m.cosine - cos) <= tol);
      const long double unit = metric == cl::Metric::dot ? qn * rn : qn;  // score of cosine 1
      const long double want = metric == cl::Metric::dot ? d.dot : (rn == 0 ? 0 : d.dot / rn);
      BOOST_TEST(static_cast<double>(std::abs(m.score - want) / unit) <= tol);
    }
  }
}

}  // namespace

BOOST_AUTO_TEST_CASE(huge_and_tiny_finite_values_give_finite_correct_cosines) {
  // Components up to ±3e38 (near FLT_MAX) made float sums overflow: NaN
  // cosines for packed memories searched with floats, Inf for float
  // memories. Every finite input must give a finite cosine within the float
  // bound of the long-double value; the planted row must still win.
  const auto seed = hv::test::test_seed();
  BOOST_TEST_CONTEXT("seed " << seed) {
    std::mt19937_64 rng(seed + 31);
    const std::size_t dim = 100, rows = 40;
    const auto book = packed_codebook(rows, dim, rng);
    const cl::PackedMemory pmem(book.view());
    std::uniform_real_distribution<float> unit(0.5F, 1.0F);
    // Queries near row 7 (signs), magnitudes: 1e35, 3e38, -3e38 scaled signs,
    // a mix of 3e38 and 1e-30 components, 1e-40 (subnormal) and 1e-30.
    const std::vector<std::pair<float, float>> scales = {
        {1e35F, 1e35F}, {3e38F, 3e38F}, {3e38F, 1e-30F}, {1e-30F, 1e-30F}, {1e-40F, 1e-38F},
        {1.0F, 1.0F}};
    hv::DenseMatrix<float> fq(scales.size(), dim);
    for (std::size_t a = 0; a < scales.size(); ++a) {
      for (std::size_t i = 0; i < dim; ++i) {
        const float mag = (i % 3 == 0 ? scales[a].first : scales[a].second) * unit(rng);
        fq.row(a)[i] = static_cast<float>(book.row(7).component(i)) * mag;
      }
    }
    const auto packed_row = [&](std::size_t id) {
      std::vector<float> r(dim);
      for (std::size_t i = 0; i < dim; ++i) r[i] = static_cast<float>(pmem.row(id).component(i));
      return r;
    };
    for_each_target([&](const std::string&) {
      const auto batch = pmem.search(fq.view(), {.k = rows});  // sign tables
      for (std::size_t a = 0; a < fq.rows(); ++a) {
        BOOST_TEST_CONTEXT("packed memory, float query " << a) {
          const auto single = pmem.search(fq.row(a), {.k = rows});  // sign flips
          BOOST_TEST(single.front().id == 7U);
          BOOST_TEST(batch[a].front().id == 7U);
          check_finite_and_close(single, fq.row(a), packed_row, cl::Metric::dot);
          check_finite_and_close(batch[a], fq.row(a), packed_row, cl::Metric::dot);
        }
      }
    });
    // Float memories: normal rows plus rows of ±3e38, 1e35, tiny and mixed.
    auto fbook = gaussian_matrix(rows, dim, rng);
    for (std::size_t i = 0; i < dim; ++i) {
      fbook.row(1)[i] = (i % 2 ? 3e38F : -3e38F) * unit(rng);
      fbook.row(2)[i] = -3e38F;
      fbook.row(3)[i] = 1e35F * fbook.row(10)[i];
      fbook.row(4)[i] = i % 5 == 0 ? 3e38F * unit(rng) : 1e-30F * unit(rng);
      fbook.row(5)[i] = 1e-30F * fbook.row(11)[i];
    }
    const auto float_row = [&](std::size_t id) {
      const auto r = fbook.row(id);
      return std::vector<float>(r.begin(), r.end());
    };
    // 70 queries (sgemm) and 3 (Highway): copies of rows 1..5, normal ones, fq.
    hv::DenseMatrix<float> q70(70, dim);
    for (std::size_t a = 0; a < 70; ++a) {
      const auto src = a < 6 ? fbook.row(a) : (a < 12 ? fq.row(a - 6) : fbook.row(a % rows));
      std::copy(src.begin(), src.end(), q70.row(a).begin());
    }
    const hv::DenseMatrixView<float> q3{q70.data(), 6, dim, q70.view().stride};
    for (const auto metric : {cl::Metric::cosine, cl::Metric::dot}) {
      const cl::FloatMemory fmem(fbook.view(), {}, metric);
      for_each_target([&](const std::string&) {
        for (const auto& queries : {q70.view(), q3}) {
          const auto got = fmem.search(queries, {.k = rows});
          for (std::size_t a = 0; a < queries.rows; ++a) {
            BOOST_TEST_CONTEXT("float memory, metric " << static_cast<int>(metric) << ", Q="
                                                       << queries.rows << ", query " << a) {
              check_finite_and_close(got[a], queries.row(a), float_row, metric);
              if (a >= 1 && a < 6 && metric == cl::Metric::cosine) {
                BOOST_TEST(got[a].front().cosine >= 1 - 1e-5);
              }
            }
          }
        }
      });
    }
  }
}

namespace {

/// P(Binomial(D, 1/2) <= h), exactly enough (log-space terms).
double binomial_cdf_half(std::size_t dim, std::int64_t h) {
  double sum = 0;
  for (std::int64_t j = 0; j <= h; ++j) {
    sum += std::exp(std::lgamma(dim + 1.0) - std::lgamma(j + 1.0) - std::lgamma(dim - j + 1.0) -
                    static_cast<double>(dim) * std::log(2.0));
  }
  return sum;
}

}  // namespace

BOOST_AUTO_TEST_CASE(false_match_rate_at_z3_follows_the_null) {
  // Q random queries against M random rows: Q·M pairwise-independent null
  // scores (given the query, distinct rows are independent). The number with
  // z > 3 is a sum of pairwise-independent indicators: mean n·p0, variance
  // n·p0·(1-p0); we allow 5σ.
  const auto seed = hv::test::test_seed();
  BOOST_TEST_CONTEXT("seed " << seed) {
    std::mt19937_64 rng(seed + 3);
    const std::size_t dim = 1000, rows = 1000, nq = 200;
    const auto book = hv::bipolar::random_matrix(rows, dim, seed);
    const cl::PackedMemory memory(book.view());
    hv::PackedMatrix pq(nq, dim);
    for (std::size_t a = 0; a < nq; ++a) {
      const auto v = random_packed(dim, rng);
      std::memcpy(pq.row_span(a).words, v.words(), v.num_words() * 8);
    }
    const auto fq = gaussian_matrix(nq, dim, rng);
    const cl::Options options{.k = rows, .min_z = 3.0};
    const double n = static_cast<double>(nq * rows);
    // Packed: z > 3 ⇔ D - 2h > 3√D ⇔ h < (D - 3√D)/2; exact binomial tail.
    const double h_limit = (static_cast<double>(dim) - 3.0 * std::sqrt(static_cast<double>(dim))) / 2;
    const auto h_max = static_cast<std::int64_t>(std::ceil(h_limit)) - 1;
    const double p_packed = binomial_cdf_half(dim, h_max);
    // Mixed with Gaussian queries: q_i b_i are i.i.d. N(0, 1); z is their
    // self-normalised sum, normal to O(1/D) in the tail at 3σ.
    const double p_mixed = 0.5 * std::erfc(3.0 / std::sqrt(2.0));
    std::size_t hits_packed = 0, hits_mixed = 0;
    for (const auto& m : memory.search(pq.view(), options)) {
      hits_packed += m.size();
      for (const auto& hit : m) {
        BOOST_CHECK_GE(hit.z, 3.0);
        BOOST_CHECK_CLOSE(hit.p, 0.5 * std::erfc(hit.z / std::sqrt(2.0)), 1e-9);
      }
    }
    for (const auto& m : memory.search(fq.view(), options)) hits_mixed += m.size();
    for (const auto& [count, p0] : {std::pair{hits_packed, p_packed}, std::pair{hits_mixed, p_mixed}}) {
      const double mean = n * p0, sigma = std::sqrt(n * p0 * (1 - p0));
      BOOST_TEST_CONTEXT("count " << count << " expected " << mean << " ± " << sigma) {
        BOOST_CHECK_LE(std::abs(static_cast<double>(count) - mean), 5 * sigma);
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(thresholds_abstain_and_find_a_planted_item) {
  const auto seed = hv::test::test_seed();
  const std::size_t dim = 4096, rows = 500;
  const auto book = hv::bipolar::random_matrix(rows, dim, seed);
  std::vector<std::string> labels;
  for (std::size_t r = 0; r < rows; ++r) labels.push_back("atom" + std::to_string(r));
  const cl::PackedMemory memory(book.view(), labels);
  // A fresh random vector matches nothing at z >= 5 (P ≈ 500 · 2.9e-7).
  const auto noise = hv::bipolar::random(dim, seed, rows + 1);
  BOOST_CHECK(!memory.best(noise, {.min_z = 5}).has_value());
  BOOST_CHECK(memory.search(noise, {.k = 3, .min_cosine = 0.2}).empty());
  // Row 123 itself: cosine 1, z = √D, label "atom123".
  const auto hit = memory.best(book.row(123), {.min_z = 5});
  BOOST_REQUIRE(hit.has_value());
  BOOST_CHECK_EQUAL(hit->id, 123U);
  BOOST_CHECK_EQUAL(hit->label, "atom123");
  BOOST_CHECK_EQUAL(hit->cosine, 1.0);
  BOOST_CHECK_CLOSE(hit->z, 64.0, 1e-12);
  BOOST_CHECK_LT(hit->p, 1e-100);  // erfc(64/√2) underflows to 0
  // The same item as a float query scaled by 0.5: cosine still 1.
  std::vector<float> fq(dim);
  for (std::size_t i = 0; i < dim; ++i) fq[i] = 0.5F * static_cast<float>(book.row(123).component(i));
  const auto fhit = memory.best(fq);
  BOOST_REQUIRE(fhit.has_value());
  BOOST_CHECK_EQUAL(fhit->id, 123U);
  BOOST_CHECK_CLOSE(fhit->cosine, 1.0, 1e-9);
  BOOST_CHECK_CLOSE(fhit->score, 2048.0, 1e-9);
}

BOOST_AUTO_TEST_CASE(labels_ids_and_appending) {
  const auto seed = hv::test::test_seed();
  const std::size_t dim = 100;
  cl::PackedMemory memory(dim);
  BOOST_CHECK(memory.empty());
  const auto a = hv::bipolar::random(dim, seed, 0);
  const auto b = hv::bipolar::random(dim, seed, 1);
  BOOST_CHECK_EQUAL(memory.add(a, "a"), 0U);
  BOOST_CHECK_EQUAL(memory.add(b), 1U);  // unlabelled
  const auto more = hv::bipolar::random_matrix(3, dim, seed, {.first_row = 2});
  const std::vector<std::string> more_labels = {"c", "", "é"};
  memory.add(more.view(), more_labels);
  BOOST_CHECK_EQUAL(memory.size(), 5U);
  BOOST_CHECK_EQUAL(memory.label(0), "a");
  BOOST_CHECK_EQUAL(memory.label(1), "");
  BOOST_CHECK_EQUAL(memory.find("é").value(), 4U);
  BOOST_CHECK(!memory.find("").has_value());
  BOOST_CHECK(!memory.find("zz").has_value());
  BOOST_CHECK(memory.row(2).words[0] == more.row(0).words[0]);
  BOOST_CHECK_EQUAL(memory.best(more.row(2))->id, 4U);
  BOOST_CHECK_EQUAL(memory.best(more.row(2))->label, "é");
  // Many appends force reallocation; earlier rows survive.
  for (std::size_t r = 0; r < 100; ++r) memory.add(hv::bipolar::random(dim, seed, 10 + r));
  BOOST_CHECK_EQUAL(memory.best(a)->id, 0U);
  BOOST_CHECK_EQUAL(memory.best(hv::bipolar::random(dim, seed, 60))->id, 55U);
}

BOOST_AUTO_TEST_CASE(bad_input_throws_clear_errors) {
  const auto seed = hv::test::test_seed();
  const std::size_t dim = 64;
  const auto book = hv::bipolar::random_matrix(4, dim, seed);
  const cl::PackedMemory memory(book.view());
  const auto wrong = hv::bipolar::random(65, seed);
  BOOST_CHECK_THROW(memory.search(wrong), hv::DimensionError);
  BOOST_CHECK_THROW(cl::PackedMemory(0), hv::DimensionError);
  BOOST_CHECK_THROW(cl::PackedMemory(dim).search(book.row(0)), hv::InvalidArgument);
  BOOST_CHECK_THROW(memory.search(book.row(0), {.k = 5}), hv::InvalidArgument);
  BOOST_CHECK_THROW(memory.search(book.row(0), {.k = 0}), hv::InvalidArgument);
  BOOST_CHECK_THROW(memory.search(book.row(0), {.min_z = std::nan("")}), hv::InvalidArgument);
  BOOST_CHECK_THROW(memory.row(4), hv::InvalidArgument);
  // Labels: duplicates rejected (nothing added), one per row or none.
  cl::PackedMemory labelled(dim);
  labelled.add(book.row(0), "x");
  BOOST_CHECK_THROW(labelled.add(book.row(1), "x"), hv::InvalidArgument);
  const std::vector<std::string> dup = {"y", "y", "z", "w"};
  BOOST_CHECK_THROW(labelled.add(book.view(), dup), hv::InvalidArgument);
  const std::vector<std::string> two = {"p", "q"};
  BOOST_CHECK_THROW(labelled.add(book.view(), two), hv::DimensionError);
  BOOST_CHECK_EQUAL(labelled.size(), 1U);
  // A packed view breaking the tail invariant.
  hv::PackedVector bad(60);
  bad.words()[0] = ~std::uint64_t{0};
  BOOST_CHECK_THROW(cl::PackedMemory(60).add(bad.view()), hv::InvalidArgument);
  // Float queries: dimension, NaN, Inf.
  std::vector<float> q(dim, 1.0F);
  BOOST_CHECK_NO_THROW(memory.search(q));
  q[3] = std::numeric_limits<float>::quiet_NaN();
  BOOST_CHECK_THROW(memory.search(q), hv::InvalidArgument);
  q[3] = std::numeric_limits<float>::infinity();
  BOOST_CHECK_THROW(memory.search(q), hv::InvalidArgument);
  BOOST_CHECK_THROW(memory.search(std::span<const float>(q.data(), 10)), hv::DimensionError);
  // Batch views: a stride shorter than a row, a null pointer.
  std::vector<float> flat(2 * dim, 1.0F);
  BOOST_CHECK_THROW(memory.search(hv::DenseMatrixView<float>{flat.data(), 2, dim, dim - 1}),
                    hv::InvalidArgument);
  BOOST_CHECK_THROW(memory.search(hv::DenseMatrixView<float>{nullptr, 2, dim, dim}),
                    hv::InvalidArgument);
  BOOST_CHECK_THROW(memory.search(hv::PackedMatrixView{book.words(), 2, dim, 0}), hv::InvalidArgument);
  BOOST_CHECK(memory.search(hv::PackedMatrixView{nullptr, 0, dim, 1}).empty());
  // Float and int8 memories.
  cl::FloatMemory fmem(8);
  BOOST_CHECK_THROW(fmem.search(std::vector<float>(8, 1.0F)), hv::InvalidArgument);
  BOOST_CHECK_THROW(fmem.add(std::vector<float>(7, 1.0F)), hv::DimensionError);
  BOOST_CHECK_THROW(fmem.add(std::vector<float>(8, std::nanf(""))), hv::InvalidArgument);
  cl::Int8Memory imem(8);
  BOOST_CHECK_THROW(imem.add(std::vector<std::int8_t>(8, -128)), hv::InvalidArgument);
  BOOST_CHECK_THROW(cl::Int8Memory(cl::Int8Memory::kMaxInt8Dim + 1), hv::DimensionError);
  imem.add(std::vector<std::int8_t>(8, 3));
  BOOST_CHECK_THROW(imem.search(std::vector<std::int8_t>(8, -128)), hv::InvalidArgument);
  BOOST_CHECK_THROW(imem.search(std::vector<std::int8_t>(8, 1), {.k = 2}), hv::InvalidArgument);
  // Zero vectors: cosine 0, no NaN.
  const auto zero_hit = imem.best(std::vector<std::int8_t>(8, 0));
  BOOST_REQUIRE(zero_hit.has_value());
  BOOST_CHECK_EQUAL(zero_hit->cosine, 0.0);
}

BOOST_AUTO_TEST_CASE(explain_away_recovers_more_of_a_bundle_than_one_shot_top_k) {
  // Sizes: D = 1000, M = 1000 random atoms, bundles of n = 60 distinct atoms
  // summed (MAP-I, no thresholding), 5 bundles. Each item's z in the full
  // bundle is about √(D/n) ≈ 4.1 with σ ≈ 1, so one-shot top-k at z >= 4
  // finds roughly half; explain-away removes found items, which lowers ‖r‖
  // and lifts the rest above the threshold. A row outside the bundle passes
  // z >= 4 with p ≈ 3.2e-5 per look, so false items stay rare.
  const auto seed = hv::test::test_seed();
  BOOST_TEST_CONTEXT("seed " << seed) {
    const std::size_t dim = 1000, rows = 1000, n = 60, trials = 5;
    const auto book = hv::bipolar::random_matrix(rows, dim, seed);
    const cl::PackedMemory memory(book.view());
    std::mt19937_64 rng(seed + 4);
    std::size_t one_shot_true = 0, one_shot_false = 0, explain_true = 0, explain_false = 0;
    for (std::size_t t = 0; t < trials; ++t) {
      std::vector<std::size_t> ids(rows);
      for (std::size_t r = 0; r < rows; ++r) ids[r] = r;
      std::shuffle(ids.begin(), ids.end(), rng);
      ids.resize(n);
      const std::set<std::size_t> members(ids.begin(), ids.end());
      std::vector<float> sum(dim, 0.0F);
      for (const std::size_t id : ids) {
        for (std::size_t i = 0; i < dim; ++i) sum[i] += static_cast<float>(book.row(id).component(i));
      }
      for (const auto& m : memory.search(sum, {.k = 2 * n, .min_z = 4.0})) {
        (members.count(m.id) ? one_shot_true : one_shot_false) += 1;
      }
      for (const auto& d : cl::explain_away(memory, sum, {.min_z = 4.0})) {
        (members.count(d.match.id) ? explain_true : explain_false) += 1;
      }
    }
    BOOST_TEST_MESSAGE("explain-away found " << explain_true << " true / " << explain_false
                       << " false; one-shot " << one_shot_true << " / " << one_shot_false
                       << " of " << n * trials);
    BOOST_CHECK_GT(explain_true, one_shot_true + n * trials / 5);  // at least 20 points more
    BOOST_CHECK_LE(explain_false, trials);
    BOOST_CHECK_LE(one_shot_false, trials);
  }
}

BOOST_AUTO_TEST_CASE(explain_away_of_a_packed_bundle_and_degenerate_cases) {
  const auto seed = hv::test::test_seed();
  const std::size_t dim = 4096, rows = 300;
  const auto book = hv::bipolar::random_matrix(rows, dim, seed);
  const cl::PackedMemory memory(book.view());
  // A single item: found once, weight 1, residual 0 stops the loop.
  const auto one = cl::explain_away(memory, book.row(17));
  BOOST_REQUIRE_EQUAL(one.size(), 1U);
  BOOST_CHECK_EQUAL(one[0].match.id, 17U);
  BOOST_CHECK_CLOSE(one[0].weight, 1.0, 1e-9);
  // Majority of 5 items at D = 4096: each has cosine ≈ 0.375 (z ≈ 24): all 5 found.
  std::vector<hv::PackedView> items;
  for (const std::size_t id : {3, 50, 99, 200, 299}) items.push_back(book.row(id));
  const auto bundle = hv::bipolar::majority(items);
  const auto found = cl::explain_away(memory, bundle.view(), {.min_z = 5.0});
  std::set<std::size_t> ids;
  for (const auto& d : found) ids.insert(d.match.id);
  BOOST_CHECK(ids == (std::set<std::size_t>{3, 50, 99, 200, 299}));
  BOOST_CHECK_EQUAL(cl::explain_away(memory, bundle.view(), {.min_z = 5.0, .max_items = 2}).size(), 2U);
  BOOST_CHECK_THROW(cl::explain_away(memory, hv::bipolar::random(100, seed)), hv::DimensionError);
  BOOST_CHECK_THROW(cl::explain_away(cl::PackedMemory(dim), bundle.view()), hv::InvalidArgument);
}

BOOST_AUTO_TEST_CASE(greedy_factor_search_finds_the_key_and_the_item) {
  // v = key_c ⊗ item_r plus 20% bit noise: unbinding with key_c gives item_r
  // at cosine ≈ 0.6 (z ≈ 38 at D = 4096); every other key gives noise.
  const auto seed = hv::test::test_seed();
  const std::size_t dim = 4096;
  const auto items = hv::bipolar::random_matrix(500, dim, seed);
  const auto key_rows = hv::bipolar::random_matrix(40, dim, seed + 1);
  const cl::PackedMemory memory(items.view());
  const cl::PackedMemory keys(key_rows.view());
  std::mt19937_64 rng(seed + 5);
  std::bernoulli_distribution flip(0.2);
  for (const auto& [c, r] : {std::pair{std::size_t{7}, std::size_t{123}}, std::pair{std::size_t{0}, std::size_t{499}},
                            std::pair{std::size_t{39}, std::size_t{0}}}) {
    BOOST_TEST_CONTEXT("key " << c << " item " << r) {
      auto v = hv::bipolar::bind(key_rows.row(c), items.row(r));
      for (std::size_t i = 0; i < dim; ++i) {
        if (flip(rng)) v.set_component(i, v.component(i) > 0);
      }
      const auto packed = cl::greedy_factor_search(memory, keys, v, {.min_z = 5.0});
      BOOST_REQUIRE(packed.has_value());
      BOOST_CHECK_EQUAL(packed->key, c);
      BOOST_CHECK_EQUAL(packed->match.id, r);
      std::vector<float> fv(dim);
      for (std::size_t i = 0; i < dim; ++i) fv[i] = 0.25F * static_cast<float>(v.component(i));
      const auto mixed = cl::greedy_factor_search(memory, keys, fv, {.min_z = 5.0});
      BOOST_REQUIRE(mixed.has_value());
      BOOST_CHECK_EQUAL(mixed->key, c);
      BOOST_CHECK_EQUAL(mixed->match.id, r);
      BOOST_CHECK_CLOSE(mixed->match.cosine, packed->match.cosine, 1e-6);
    }
  }
  // Pure noise: no key passes z >= 6.
  BOOST_CHECK(!cl::greedy_factor_search(memory, keys, hv::bipolar::random(dim, seed + 9), {.min_z = 6.0})
                   .has_value());
  BOOST_CHECK_THROW(cl::greedy_factor_search(memory, cl::PackedMemory(dim), items.row(0)),
                    hv::InvalidArgument);
}

namespace {

/// One resonator trial: random factors from F codebooks of M rows at D;
/// true when every factor is recovered.
struct ResonatorTrial {
  bool correct;
  std::size_t iterations;
  bool converged;
};

ResonatorTrial resonator_trial(std::size_t dim, std::size_t factors, std::size_t rows,
                               std::uint64_t seed, std::mt19937_64& rng) {
  std::vector<hv::PackedMatrix> books;
  std::vector<cl::PackedMemory> memories;
  for (std::size_t f = 0; f < factors; ++f) {
    books.push_back(hv::bipolar::random_matrix(rows, dim, seed, {.first_row = f * rows}));
  }
  for (const auto& b : books) memories.emplace_back(b.view());
  std::vector<const cl::PackedMemory*> pointers;
  for (const auto& m : memories) pointers.push_back(&m);
  std::uniform_int_distribution<std::size_t> pick(0, rows - 1);
  std::vector<std::size_t> truth;
  hv::PackedVector s = hv::bipolar::identity(dim);
  for (std::size_t f = 0; f < factors; ++f) {
    truth.push_back(pick(rng));
    s = hv::bipolar::bind(s, books[f].row(truth.back()));
  }
  const auto result = cl::resonate(s, pointers);
  return {result.factors == truth, result.iterations, result.converged};
}

}  // namespace

BOOST_AUTO_TEST_CASE(resonator_recovers_factors_well_inside_capacity) {
  // F = 3 codebooks of M = 10 at D = 1000: a search space of 10^3, the
  // smallest cell of the accuracy table in docs/concepts.md, where 50 of 50
  // trials were recovered (accuracy falls to 82 % at M = 20, 44 % at M = 40).
  // 20 trials must all succeed and converge.
  const auto seed = hv::test::test_seed();
  BOOST_TEST_CONTEXT("seed " << seed) {
    std::mt19937_64 rng(seed + 6);
    for (std::size_t t = 0; t < 20; ++t) {
      BOOST_TEST_CONTEXT("trial " << t) {
        const auto trial = resonator_trial(1000, 3, 10, seed + t, rng);
        BOOST_CHECK(trial.correct);
        BOOST_CHECK(trial.converged);
        BOOST_CHECK_GE(trial.iterations, 1U);
      }
    }
    // max_iterations bounds the work and is reported.
    const auto books = hv::bipolar::random_matrix(8, 256, seed);
    const cl::PackedMemory memory(books.view());
    const cl::PackedMemory* one[] = {&memory};
    const auto single = cl::resonate(books.row(5), one, {.max_iterations = 1});
    BOOST_CHECK_EQUAL(single.iterations, 1U);
    BOOST_CHECK_EQUAL(single.factors.at(0), 5U);  // F = 1: one projection recovers it
    BOOST_CHECK_THROW(cl::resonate(books.row(0), one, {.max_iterations = 0}), hv::InvalidArgument);
    BOOST_CHECK_THROW(cl::resonate(books.row(0), std::span<const cl::PackedMemory* const>{}),
                      hv::InvalidArgument);
    BOOST_CHECK_THROW(cl::resonate(hv::bipolar::random(100, seed), one), hv::DimensionError);
  }
}

// The resonator accuracy table of docs/concepts.md ("Cleanup memory"). Not run by default (it takes
// minutes); run: cleanup_test --run_test=resonator_capacity_table --log_level=message
BOOST_AUTO_TEST_CASE(resonator_capacity_table, *boost::unit_test::disabled()) {
  const auto seed = hv::test::test_seed();
  std::mt19937_64 rng(seed + 7);
  const std::size_t trials = 50;
  std::size_t smallest_correct = 0;  // D = 2000, M = 10: must be perfect
  for (const std::size_t dim : {500, 1000, 2000}) {
    for (const std::size_t rows : {10, 20, 40, 80, 160}) {
      std::size_t correct = 0, converged = 0, iterations = 0;
      for (std::size_t t = 0; t < trials; ++t) {
        const auto trial = resonator_trial(dim, 3, rows, seed + 1000 * t, rng);
        correct += trial.correct;
        converged += trial.converged;
        iterations += trial.iterations;
      }
      if (dim == 2000 && rows == 10) smallest_correct = correct;
      BOOST_TEST_MESSAGE("| " << dim << " | 3 | " << rows << " | " << rows * rows * rows << " | "
                              << 100.0 * correct / trials << " % | "
                              << 100.0 * converged / trials << " % | "
                              << static_cast<double>(iterations) / trials << " |");
    }
  }
  BOOST_CHECK_EQUAL(smallest_correct, trials);
}

// --- HRR: FloatMemory as the HRR cleanup memory, and the HRR resonator ----------------

BOOST_AUTO_TEST_CASE(hrr_false_match_rate_at_z3_follows_the_null) {
  // The HRR null from the norms: for a query q and a row r with i.i.d.
  // N(0, σ²) components, r/‖r‖ is uniform on the sphere, so cos = q·r /
  // (‖q‖‖r‖) has variance exactly 1/D and z = cos·√D ≈ N(0, 1) (density ∝
  // (1 − z²/D)^((D−3)/2): the z > 3 tail differs from the normal one by
  // < 1 % at D = 1000). Unitary rows (random phases) have the same variance.
  // Q queries × M rows are pairwise-independent null scores given each
  // query; the count with z > 3 has mean n·p0 and variance ≈ n·p0·(1 − p0);
  // we allow 5σ. A wrong null scale (σ from the norms mis-computed by a
  // factor 1.2) moves the count by > 20σ.
  const auto seed = hv::test::test_seed();
  BOOST_TEST_CONTEXT("seed " << seed) {
    const std::size_t dim = 1000, rows = 1000, nq = 200;
    const auto gaussian = hv::hrr::random_matrix<float>(rows, dim, seed);
    hv::DenseMatrix<float> unitary(rows, dim);
    for (std::size_t r = 0; r < rows; ++r) {
      const auto u = hv::hrr::random_unitary<float>(dim, seed + 1, r);
      std::copy(u.values().begin(), u.values().end(), unitary.row(r).begin());
    }
    // Queries: rows of the seeded codebook far from the memory's rows.
    const auto queries = hv::hrr::random_matrix<float>(nq, dim, seed, {.first_row = 1'000'000});
    const double n = static_cast<double>(nq * rows);
    const double p0 = 0.5 * std::erfc(3.0 / std::sqrt(2.0));
    const hv::DenseMatrix<float>* books[] = {&gaussian, &unitary};
    for (const auto* book : books) {
      const cl::FloatMemory memory(book->view());
      std::size_t count = 0;
      const auto results = memory.search(queries.view(), {.k = rows, .min_z = 3.0});
      for (std::size_t a = 0; a < nq; ++a) {
        count += results[a].size();
        for (const auto& hit : results[a]) {
          // cosine from the norms (float sums: relative error ~1e-5 here).
          BOOST_CHECK_GE(hit.z, 3.0);
          BOOST_CHECK_CLOSE(hit.z, hit.cosine * std::sqrt(static_cast<double>(dim)), 1e-9);
          BOOST_CHECK_SMALL(hit.cosine - hv::hrr::cosine<float>(queries.row(a), book->row(hit.id)),
                            1e-5);
        }
      }
      const double mean = n * p0, sigma = std::sqrt(n * p0 * (1 - p0));
      BOOST_TEST_CONTEXT((book == &gaussian ? "gaussian" : "unitary")
                         << " rows: count " << count << " expected " << mean << " ± " << sigma) {
        BOOST_CHECK_LE(std::abs(static_cast<double>(count) - mean), 5 * sigma);
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(hrr_record_decodes_every_filler_through_the_float_memory) {
  // Record s = Σ_{j<k} r_j ⊛ f_j at D = 1024 with M = 64 fillers, k = 17: the
  // capacity tests/hrr_test.cpp derives for these sizes (the union bound
  // k (M − 1) Q(√(D / (2(k + 1)))) ≤ 10⁻³, recomputed here). Unbinding role j
  // with its involution and searching the filler memory must return f_j for
  // every j, one query at a time and as one batch; the same record built in
  // double and converted to float for the search decodes the same; an
  // unbinding with a role absent from the record abstains at z ≥ 5 (under
  // the null, P(any of 64 rows has z ≥ 5) = 64 · 2.9·10⁻⁷).
  const auto seed = hv::test::test_seed();
  BOOST_TEST_CONTEXT("seed " << seed) {
    const std::size_t dim = 1024, vocabulary = 64, k = 17;
    const double bound = static_cast<double>(k * (vocabulary - 1)) * 0.5 *
                         std::erfc(std::sqrt(dim / (2.0 * (k + 1))) / std::sqrt(2.0));
    BOOST_REQUIRE_LE(bound, 1e-3);
    const auto roles = hv::hrr::random_matrix<double>(k + 5, dim, seed);
    const auto items = hv::hrr::random_matrix<double>(vocabulary, dim, seed, {.first_row = 1000});
    auto to_float = [](std::span<const double> x) {
      hv::DenseVector<float> out(x.size());
      std::copy(x.begin(), x.end(), out.values().begin());
      return out;
    };
    std::vector<std::string> labels;
    hv::DenseMatrix<float> items_f(vocabulary, dim);
    for (std::size_t m = 0; m < vocabulary; ++m) {
      labels.push_back("item" + std::to_string(m));
      const auto row = to_float(items.row(m));
      std::copy(row.values().begin(), row.values().end(), items_f.row(m).begin());
    }
    const cl::FloatMemory memory(items_f.view(), labels);
    auto filler_of = [&](std::size_t j) { return (7 * j + 3) % vocabulary; };
    hv::DenseVector<float> record(dim);
    hv::DenseVector<double> record_d(dim);
    std::vector<hv::DenseVector<float>> roles_f;
    for (std::size_t j = 0; j < k + 5; ++j) roles_f.push_back(to_float(roles.row(j)));
    for (std::size_t j = 0; j < k; ++j) {
      const auto pair = hv::hrr::bind(roles_f[j].values(), items_f.row(filler_of(j)));
      hv::hrr::add_scaled<float>(pair.values(), 1.0F, record.values());
      const auto pair_d = hv::hrr::bind(roles.row(j), items.row(filler_of(j)));
      hv::hrr::add_scaled<double>(pair_d.values(), 1.0, record_d.values());
    }
    const auto involution = hv::hrr::InverseMethod::involution();
    hv::DenseMatrix<float> unbound(k, dim);
    for (std::size_t j = 0; j < k; ++j) {
      BOOST_TEST_CONTEXT("role " << j) {
        const auto u = hv::hrr::unbind(record.values(), roles_f[j].values(), involution);
        std::copy(u.values().begin(), u.values().end(), unbound.row(j).begin());
        const auto hit = memory.best(u.values());
        BOOST_REQUIRE(hit.has_value());
        BOOST_CHECK_EQUAL(hit->id, filler_of(j));
        BOOST_CHECK_EQUAL(hit->label, labels[filler_of(j)]);
        // Double record, converted to float for the search.
        const auto u_d = hv::hrr::unbind(record_d.values(), roles.row(j), involution);
        const auto hit_d = memory.best(to_float(u_d.values()).values());
        BOOST_REQUIRE(hit_d.has_value());
        BOOST_CHECK_EQUAL(hit_d->id, filler_of(j));
      }
    }
    const auto batch = memory.search(unbound.view(), {.k = 1});
    for (std::size_t j = 0; j < k; ++j) BOOST_CHECK_EQUAL(batch.at(j).at(0).id, filler_of(j));
    for (std::size_t j = k; j < k + 5; ++j) {
      const auto u = hv::hrr::unbind(record.values(), roles_f[j].values(), involution);
      BOOST_CHECK(!memory.best(u.values(), {.min_z = 5.0}).has_value());
    }
  }
}

namespace {

/// One HRR resonator trial: F codebooks of M unitary rows at D (row streams
/// disjoint per codebook), random true factors, s = x_1 ⊛ … ⊛ x_F.
ResonatorTrial hrr_resonator_trial(std::size_t dim, std::size_t factors, std::size_t rows,
                                   std::uint64_t seed, std::mt19937_64& rng,
                                   const cl::ResonatorOptions& options = {}) {
  std::vector<cl::FloatMemory> memories;
  memories.reserve(factors);
  for (std::size_t f = 0; f < factors; ++f) {
    memories.emplace_back(dim);
    for (std::size_t c = 0; c < rows; ++c) {
      memories.back().add(hv::hrr::random_unitary<float>(dim, seed, f * rows + c).values());
    }
  }
  std::vector<const cl::FloatMemory*> pointers;
  for (const auto& m : memories) pointers.push_back(&m);
  std::uniform_int_distribution<std::size_t> pick(0, rows - 1);
  std::vector<std::size_t> truth;
  hv::DenseVector<float> s = hv::hrr::identity<float>(dim);
  for (std::size_t f = 0; f < factors; ++f) {
    truth.push_back(pick(rng));
    s = hv::hrr::bind(s.values(), memories[f].row(truth.back()));
  }
  const auto result = cl::resonate(s.values(), pointers, options);
  return {result.factors == truth, result.iterations, result.converged};
}

}  // namespace

BOOST_AUTO_TEST_CASE(hrr_resonator_recovers_factors_well_inside_capacity) {
  // F = 3 unitary codebooks of M = 10 at D = 1024: search space 10^3, a cell
  // of the HRR tables in docs/concepts.md where every one of 50 trials was
  // recovered and converged. 20 trials must all succeed and converge.
  const auto seed = hv::test::test_seed();
  BOOST_TEST_CONTEXT("seed " << seed) {
    // Both variants (linear estimates, unitary estimates) were 50 of 50 there.
    std::mt19937_64 rng(seed + 8);
    for (const bool unitary : {false, true}) {
      for (std::size_t t = 0; t < 20; ++t) {
        BOOST_TEST_CONTEXT("unitary_estimates " << unitary << " trial " << t) {
          const auto trial = hrr_resonator_trial(1024, 3, 10, seed + t, rng,
                                                 {.unitary_estimates = unitary});
          BOOST_CHECK(trial.correct);
          BOOST_CHECK(trial.converged);
          BOOST_CHECK_GE(trial.iterations, 1U);
          BOOST_CHECK_LE(trial.iterations, 200U);
        }
      }
    }
    // max_iterations bounds the work and is reported; a zero tolerance is
    // reached only by chance, so one sweep is never reported as converged
    // from the superposition start.
    const auto capped = hrr_resonator_trial(1024, 3, 10, seed, rng, {.max_iterations = 1});
    BOOST_CHECK_EQUAL(capped.iterations, 1U);
    BOOST_CHECK(!capped.converged);
    // F = 1: s is a row; one projection already points at it.
    cl::FloatMemory book(256);
    for (std::size_t c = 0; c < 8; ++c) {
      book.add(hv::hrr::random_unitary<float>(256, seed, c).values());
    }
    const cl::FloatMemory* one[] = {&book};
    const auto single = cl::resonate(book.row(5), one);
    BOOST_CHECK_EQUAL(single.factors.at(0), 5U);
    BOOST_CHECK(single.converged);
    BOOST_CHECK_EQUAL(single.matches.at(0).id, 5U);
    BOOST_CHECK_GT(single.matches.at(0).cosine, 0.9);
    // Bad input.
    const auto s = hv::hrr::random<float>(256, seed);
    BOOST_CHECK_THROW(cl::resonate(s.values(), one, {.max_iterations = 0}), hv::InvalidArgument);
    BOOST_CHECK_THROW(cl::resonate(s.values(), one, {.tolerance = -1.0}), hv::InvalidArgument);
    BOOST_CHECK_THROW(
        cl::resonate(s.values(), one, {.tolerance = std::numeric_limits<double>::quiet_NaN()}),
        hv::InvalidArgument);
    BOOST_CHECK_THROW(cl::resonate(s.values(), std::span<const cl::FloatMemory* const>{}),
                      hv::InvalidArgument);
    const cl::FloatMemory* null_book[] = {nullptr};
    BOOST_CHECK_THROW(cl::resonate(s.values(), null_book), hv::InvalidArgument);
    const cl::FloatMemory empty(256);
    const cl::FloatMemory* empty_book[] = {&empty};
    BOOST_CHECK_THROW(cl::resonate(s.values(), empty_book), hv::InvalidArgument);
    BOOST_CHECK_THROW(cl::resonate(hv::hrr::random<float>(100, seed).values(), one),
                      hv::DimensionError);
    const hv::DenseVector<float> zero(256);
    BOOST_CHECK_THROW(cl::resonate(zero.values(), one), hv::InvalidArgument);
    hv::DenseVector<float> bad{std::span<const float>(s.values())};
    bad.values()[3] = std::numeric_limits<float>::quiet_NaN();
    BOOST_CHECK_THROW(cl::resonate(bad.values(), one), hv::InvalidArgument);
  }
}

// The HRR resonator accuracy table of docs/concepts.md ("Cleanup memory"). Not
// run by default; run: cleanup_test --run_test=hrr_resonator_capacity_table --log_level=message
BOOST_AUTO_TEST_CASE(hrr_resonator_capacity_table, *boost::unit_test::disabled()) {
  const auto seed = hv::test::test_seed();
  std::mt19937_64 rng(seed + 9);
  const std::size_t trials = 50;
  std::size_t smallest_correct = 0;  // D = 1024, M = 10, both variants: must be perfect
  for (const bool unitary : {false, true}) {
    for (const std::size_t dim : {256, 512, 1024, 2048}) {
      for (const std::size_t rows : {10, 20, 40, 80, 160}) {
        std::size_t correct = 0, converged = 0, iterations = 0;
        for (std::size_t t = 0; t < trials; ++t) {
          const auto trial = hrr_resonator_trial(dim, 3, rows, seed + 1000 * t, rng,
                                                 {.unitary_estimates = unitary});
          correct += trial.correct;
          converged += trial.converged;
          iterations += trial.iterations;
        }
        if (dim == 1024 && rows == 10) smallest_correct += correct;
        BOOST_TEST_MESSAGE("| " << (unitary ? "unitary" : "linear") << " | " << dim << " | 3 | "
                                << rows << " | " << rows * rows * rows << " | "
                                << 100.0 * correct / trials << " % | "
                                << 100.0 * converged / trials << " % | "
                                << static_cast<double>(iterations) / trials << " |");
      }
    }
  }
  BOOST_CHECK_EQUAL(smallest_correct, 2 * trials);
}
