// Cleanup memory (include/hypervec/cleanup.hpp): exact top-k against the
// brute-force scalar scan (src/reference/cleanup.cpp) for every kind on every
// target, thread-count and target independence, significance calibration
// against the exact null, labels (and row by label), copies, the phasor
// memory (recovery and its √(2D) null), and bad input. Explain-away, the
// factor search and the resonators: tests/resonator_test.cpp.
// Over 600 lines: one suite per public header, and every case here shares
// the grid helpers and reference checks at the top of this file.
#define BOOST_TEST_MODULE cleanup
#include <boost/test/unit_test.hpp>

#include <hypervec/bipolar.hpp>
#include <hypervec/bundle.hpp>
#include <hypervec/cleanup.hpp>
#include <hypervec/dense.hpp>
#include <hypervec/error.hpp>
#include <hypervec/fhrr.hpp>
#include <hypervec/hrr.hpp>
#include <hypervec/resonator.hpp>

#include "src/reference/cleanup.hpp"
#include "tests/test_util.hpp"

#include <algorithm>
#include <cmath>
#include <complex>
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
using hv::test::gaussian_matrix;
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

BOOST_AUTO_TEST_CASE(packed_query_lane_word_pairs_and_tails_match_brute_force) {
  // The query-lane kernel's carry-save tile (AVX3_DL, AVX3) reads words in
  // pairs (w_2j, w_2j ^ w_2j+1), padding an odd word count with a zero word:
  // word counts 1 to 5 and 63 to 66, with a partial last word (D not a
  // multiple of 64, nor of 512) and without. Q = 37: full group pairs, a
  // single last group, a partial group on every target. Queries both near a
  // row (30% of bits flipped) and uniform (which push more candidates), and a
  // k of 1 and of all rows (every pair reaches the heap, ties by id: M = 40
  // random rows at D = 65 tie often).
  const auto seed = hv::test::test_seed();
  BOOST_TEST_CONTEXT("seed " << seed) {
    std::mt19937_64 rng(seed + 13);
    const std::size_t rows = 40, nq = 37;
    for (const std::size_t dim : {std::size_t{1}, std::size_t{65}, std::size_t{128},
                                  std::size_t{129}, std::size_t{200}, std::size_t{320},
                                  std::size_t{4033}, std::size_t{4096}, std::size_t{4097},
                                  std::size_t{4200}}) {
      BOOST_TEST_CONTEXT("D=" << dim) {
        const auto book = packed_codebook(rows, dim, rng);
        const cl::PackedMemory memory(book.view());
        for (const bool uniform : {false, true}) {
          const auto pq = uniform ? packed_codebook(nq, dim, rng)
                                  : packed_queries(book.view(), nq, rng);
          const auto want = ref::score_packed(pq.view(), book.view());
          for (const std::size_t k : {std::size_t{1}, rows}) {
            for_each_target([&](const std::string&) {
              const auto got = memory.search(pq.view(), cl::Options{.k = k, .threads = 1});
              BOOST_REQUIRE_EQUAL(got.size(), nq);
              for (std::size_t a = 0; a < nq; ++a) {
                BOOST_TEST_CONTEXT("uniform " << uniform << " k " << k << " query " << a) {
                  check_against_reference(got[a], scores_of(want, rows, a), k, true,
                                          [](std::size_t) { return 0.0; });
                }
              }
            });
          }
        }
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(packed_single_queries_match_brute_force_on_every_target) {
  // A single packed query runs its own 1-query tile (simd/cleanup.cc
  // PackedScan): row counts with a ragged last tile and several row blocks,
  // D with and without a partial last word or vector, k of 1, 5 and all
  // rows (every row reaches the heap, ties by id: D = 65 ties often), queries
  // near a row and uniform.
  const auto seed = hv::test::test_seed();
  BOOST_TEST_CONTEXT("seed " << seed) {
    std::mt19937_64 rng(seed + 17);
    for (const std::size_t dim : {std::size_t{65}, std::size_t{1000}, std::size_t{8192}}) {
      for (const std::size_t rows : {std::size_t{1}, std::size_t{17}, std::size_t{130}}) {
        BOOST_TEST_CONTEXT("D=" << dim << " M=" << rows) {
          const auto book = packed_codebook(rows, dim, rng);
          const cl::PackedMemory memory(book.view());
          for (const bool uniform : {false, true}) {
            const auto pq = uniform ? packed_codebook(1, dim, rng)
                                    : packed_queries(book.view(), 1, rng);
            const auto want = ref::score_packed(pq.view(), book.view());
            for (const std::size_t k : {std::size_t{1}, std::min<std::size_t>(rows, 5), rows}) {
              for_each_target([&](const std::string&) {
                const auto got = memory.search(pq.row(0), cl::Options{.k = k, .threads = 1});
                BOOST_TEST_CONTEXT("uniform " << uniform << " k " << k) {
                  check_against_reference(got, scores_of(want, rows, 0), k, true,
                                          [](std::size_t) { return 0.0; });
                }
              });
            }
          }
        }
      }
    }
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

// --- HRR: FloatMemory as the HRR cleanup memory ------------------------------------

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

// --- One memory template: row by label, copies, PhasorMemory ---------------------------

namespace {

/// True when the exception's message names `label` (in quotes).
auto names_label(const std::string& label) {
  return [label](const hv::InvalidArgument& e) {
    return std::string(e.what()).find("\"" + label + "\"") != std::string::npos;
  };
}

}  // namespace

BOOST_AUTO_TEST_CASE(row_by_label_returns_the_row_or_names_the_missing_label) {
  const auto seed = hv::test::test_seed();
  BOOST_TEST_CONTEXT("seed " << seed) {
    const std::size_t dim = 100;
    const std::vector<std::string> labels = {"paris", "", "rome"};
    // Packed.
    const auto packed = hv::bipolar::random_matrix(3, dim, seed);
    const cl::PackedMemory pmem(packed.view(), labels);
    BOOST_CHECK(pmem.row("rome").words == pmem.row(2).words);
    BOOST_CHECK(std::memcmp(pmem.row("paris").words, packed.row(0).words, 16) == 0);
    BOOST_CHECK_EXCEPTION(pmem.row("london"), hv::InvalidArgument, names_label("london"));
    BOOST_CHECK_EXCEPTION(pmem.row(""), hv::InvalidArgument, names_label(""));  // never indexed
    BOOST_CHECK_THROW(pmem.row(std::size_t{3}), hv::InvalidArgument);  // ids still work
    // Float.
    std::mt19937_64 rng(seed);
    const auto floats = gaussian_matrix(3, dim, rng);
    const cl::FloatMemory fmem(floats.view(), labels);
    BOOST_CHECK(fmem.row("paris").data() == fmem.row(0).data());
    BOOST_CHECK(std::equal(fmem.row("rome").begin(), fmem.row("rome").end(), floats.row(2).begin()));
    BOOST_CHECK_EXCEPTION(fmem.row(std::string("berlin")), hv::InvalidArgument,
                          names_label("berlin"));
    // Int8.
    const auto ints = int8_matrix(3, dim, rng);
    const cl::Int8Memory imem(ints.view(), labels);
    BOOST_CHECK(imem.row("rome").data() == imem.row(2).data());
    BOOST_CHECK_EXCEPTION(imem.row("madrid"), hv::InvalidArgument, names_label("madrid"));
    // Phasor.
    const auto phasors = hv::fhrr::random_matrix(3, dim, seed);
    const cl::PhasorMemory zmem(phasors.view(), labels);
    BOOST_CHECK(std::equal(zmem.row("rome").begin(), zmem.row("rome").end(),
                           phasors.row(2).begin()));
    BOOST_CHECK_EXCEPTION(zmem.row("oslo"), hv::InvalidArgument, names_label("oslo"));
  }
}

BOOST_AUTO_TEST_CASE(memories_copy_deeply_and_a_moved_from_memory_is_empty) {
  const auto seed = hv::test::test_seed();
  const std::size_t dim = 64;
  cl::FloatMemory original(dim, cl::Metric::dot);
  std::mt19937_64 rng(seed);
  const auto rows = gaussian_matrix(4, dim, rng);
  original.add(rows.view(), std::vector<std::string>{"a", "b", "c", "d"});
  cl::FloatMemory copy = original;
  copy.add(rows.row(0), "e");
  BOOST_CHECK_EQUAL(original.size(), 4U);
  BOOST_CHECK_EQUAL(copy.size(), 5U);
  BOOST_CHECK(copy.metric() == cl::Metric::dot);
  BOOST_CHECK(copy.row(0).data() != original.row(0).data());
  BOOST_CHECK(!original.find("e").has_value());
  cl::FloatMemory moved = std::move(copy);
  BOOST_CHECK_EQUAL(moved.size(), 5U);
  BOOST_CHECK_EQUAL(moved.find("e").value(), 4U);
  BOOST_CHECK(copy.empty());  // NOLINT(bugprone-use-after-move): the documented state
  BOOST_CHECK(!copy.find("a").has_value());
  BOOST_CHECK_EQUAL(copy.view().rows, 0U);
  BOOST_CHECK_THROW(copy.search(rows.row(0)), hv::InvalidArgument);  // empty memory
  BOOST_CHECK_EQUAL(copy.add(rows.row(1), "b"), 0U);                // usable again
  BOOST_CHECK_EQUAL(copy.best(rows.row(1))->label, "b");
  original = moved;  // copy assignment
  BOOST_CHECK_EQUAL(original.size(), 5U);
  BOOST_CHECK_EQUAL(original.best(rows.row(3))->label, "d");
}

BOOST_AUTO_TEST_CASE(phasor_memory_recovers_fhrr_rows_from_a_noisy_bundle) {
  // M = 200 random FHRR rows at D = 1000; bundles of n = 5 rows plus complex
  // Gaussian noise of variance 1 per component. A member's cosine with the
  // bundle is about 1/√(n + 1) ≈ 0.41, z ≈ 0.41·√(2D) ≈ 18; a non-member's
  // z is N(0, 1) (the null, next test), so the top 5 are the members with
  // overwhelming margin. Scores are checked against a double-precision
  // Re Σ q conj(r), cosines against fhrr::cosine.
  const auto seed = hv::test::test_seed();
  BOOST_TEST_CONTEXT("seed " << seed) {
    const std::size_t dim = 1000, rows = 200, n = 5, trials = 5;
    const auto book = hv::fhrr::random_matrix(rows, dim, seed);
    const cl::PhasorMemory memory(book.view());
    BOOST_CHECK_EQUAL(memory.dim(), dim);
    std::mt19937_64 rng(seed + 1);
    std::normal_distribution<float> noise(0.0F, std::sqrt(0.5F));
    std::uniform_int_distribution<std::size_t> pick(0, rows - 1);
    hv::DenseMatrix<std::complex<float>> queries(trials, dim);
    std::vector<std::set<std::size_t>> members(trials);
    for (std::size_t t = 0; t < trials; ++t) {
      while (members[t].size() < n) members[t].insert(pick(rng));
      auto q = queries.row(t);
      for (auto& z : q) z = {noise(rng), noise(rng)};
      for (const std::size_t id : members[t]) {
        for (std::size_t i = 0; i < dim; ++i) q[i] += book.row(id)[i];
      }
    }
    const auto batch = memory.search(queries.view(), {.k = n});
    for (std::size_t t = 0; t < trials; ++t) {
      const auto q = queries.row(t);
      const auto single = memory.search(q, {.k = n});
      BOOST_REQUIRE_EQUAL(single.size(), n);
      BOOST_REQUIRE_EQUAL(batch[t].size(), n);
      for (std::size_t i = 0; i < n; ++i) {
        const cl::Match& m = single[i];
        BOOST_TEST_CONTEXT("trial " << t << " hit " << i) {
          BOOST_CHECK(members[t].count(m.id) == 1);
          BOOST_CHECK_EQUAL(batch[t][i].id, m.id);
          BOOST_CHECK_GT(m.z, 10.0);
          double re = 0, qq = 0;
          for (std::size_t k = 0; k < dim; ++k) {
            const std::complex<double> a(q[k]), b(book.row(m.id)[k]);
            re += (a * std::conj(b)).real();
            qq += std::norm(a);
          }
          // Metric::cosine: score = Re⟨q, r⟩ / ‖r‖ with ‖r‖ = √D.
          BOOST_CHECK_CLOSE(m.score, re / std::sqrt(static_cast<double>(dim)), 1e-3);
          BOOST_CHECK_CLOSE(m.cosine, hv::fhrr::cosine(q, book.row(m.id)), 1e-3);
          BOOST_CHECK_CLOSE(m.cosine, re / std::sqrt(qq * dim), 1e-3);
          BOOST_CHECK_CLOSE(m.z, m.cosine * std::sqrt(2.0 * dim), 1e-9);
        }
      }
    }
    // Top-1 recovery of a single noisy row, and the dot metric.
    const cl::PhasorMemory by_dot(book.view(), {}, cl::Metric::dot);
    for (std::size_t t = 0; t < trials; ++t) {
      const std::size_t id = pick(rng);
      hv::DenseVector<std::complex<float>> q(dim);
      for (std::size_t i = 0; i < dim; ++i) q[i] = book.row(id)[i] + std::complex<float>(noise(rng), noise(rng));
      BOOST_CHECK_EQUAL(memory.best(q.values())->id, id);
      BOOST_CHECK_EQUAL(by_dot.best(q.values())->id, id);
    }
  }
}

BOOST_AUTO_TEST_CASE(phasor_z_scores_follow_the_null) {
  // Null: for a query q and an independent random phasor row r (uniform
  // phases), Re⟨q, r⟩ = Σ_k Re q_k conj(r_k) has mean 0 and variance
  // ‖q‖²/2 whatever q is, so cosine = Re⟨q, r⟩ / (‖q‖ √D) has σ = 1/√(2D)
  // and z = cosine·√(2D) has mean 0 and variance exactly 1 (≈ normal). Over
  // N = 2000 (query, row) pairs at D = 256 the sample mean has σ = 1/√N ≈
  // 0.022 and the sample variance σ ≈ √(2/N) ≈ 0.032: bands of 5σ. Scaling
  // by √D instead would give variance 1/2 and fail.
  const auto seed = hv::test::test_seed();
  BOOST_TEST_CONTEXT("seed " << seed) {
    const std::size_t dim = 256, rows = 2000;
    const cl::PhasorMemory memory(hv::fhrr::random_matrix(rows, dim, seed).view());
    double sum = 0, sum_sq = 0;
    std::size_t pairs = 0, above3 = 0;
    for (std::uint64_t q = 0; q < 4; ++q) {  // 4 queries × 500 of the rows: 2000 pairs
      const auto query = hv::fhrr::random(dim, seed + 1, q);
      const auto all = memory.search(query.values(), {.k = rows});
      for (const cl::Match& m : all) {
        if (m.id % 4 != q) continue;  // each row once
        sum += m.z;
        sum_sq += m.z * m.z;
        above3 += m.z >= 3.0 ? 1 : 0;
        ++pairs;
      }
    }
    BOOST_REQUIRE_EQUAL(pairs, rows);
    const double mean = sum / static_cast<double>(pairs);
    const double var = sum_sq / static_cast<double>(pairs) - mean * mean;
    BOOST_TEST_MESSAGE("phasor null: mean z " << mean << ", var z " << var << ", z >= 3: "
                                              << above3 << " of " << pairs);
    BOOST_CHECK_LT(std::abs(mean), 5.0 / std::sqrt(2000.0));
    BOOST_CHECK_LT(std::abs(var - 1.0), 5.0 * std::sqrt(2.0 / 2000.0));
    // P(z >= 3) = 1.35e-3: 2.7 expected, 12 is beyond 5σ of the Poisson count.
    BOOST_CHECK_LE(above3, 12U);
  }
}

BOOST_AUTO_TEST_CASE(phasor_memory_is_the_float_memory_of_the_interleaved_reals_on_every_target) {
  // Re Σ q_k conj(r_k) = Σ (Re q_k Re r_k + Im q_k Im r_k): the float dot of
  // the 2D interleaved reals. So a PhasorMemory answers exactly as a
  // FloatMemory over the same rows read as 2D floats (same kernels, same
  // bits, z = cosine·√(2D) in both), and within the float bound of the
  // double reference.
  const auto seed = hv::test::test_seed();
  BOOST_TEST_CONTEXT("seed " << seed) {
    std::mt19937_64 rng(seed + 7);
    std::normal_distribution<float> normal;
    for (const std::size_t dim : {50, 1000}) {
      for (const std::size_t rows : {7, 1000}) {
        BOOST_TEST_CONTEXT("D=" << dim << " M=" << rows) {
          const std::size_t nq = kBatch, k = k_for(rows);
          hv::DenseMatrix<std::complex<float>> book(rows, dim), queries(nq, dim);
          for (std::size_t r = 0; r < rows; ++r) {
            for (auto& z : book.row(r)) z = {normal(rng), normal(rng)};
          }
          for (std::size_t a = 0; a < nq; ++a) {
            for (auto& z : queries.row(a)) z = {normal(rng), normal(rng)};
          }
          auto as_floats = [](const hv::DenseMatrix<std::complex<float>>& m) {
            return hv::DenseMatrixView<float>{reinterpret_cast<const float*>(m.data()), m.rows(),
                                              2 * m.dim(), 2 * m.stride()};
          };
          const auto fbook = as_floats(book), fq = as_floats(queries);
          for (const cl::Metric metric : {cl::Metric::dot, cl::Metric::cosine}) {
            BOOST_TEST_CONTEXT("metric " << (metric == cl::Metric::dot ? "dot" : "cosine")) {
              const cl::PhasorMemory zmem(book.view(), {}, metric);
              const cl::FloatMemory fmem(fbook, {}, metric);
              const auto want = ref::score_float(fq, fbook, metric);
              for_each_target([&](const std::string&) {
                const auto got = zmem.search(queries.view(), {.k = k});
                const auto same = fmem.search(fq, {.k = k});
                for (std::size_t a = 0; a < nq; ++a) {
                  BOOST_TEST_CONTEXT("query " << a) {
                    BOOST_CHECK(same_matches(got[a], same[a]));
                    check_against_reference(got[a], scores_of(want, rows, a), k, false,
                                            [&, a](std::size_t id) {
                                              return float_tolerance(fq.row(a), fbook.row(id),
                                                                     metric);
                                            });
                  }
                }
                BOOST_CHECK(same_matches(zmem.search(queries.row(0), {.k = k}), got[0]));
              });
            }
          }
        }
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(phasor_memory_rejects_bad_input) {
  const std::size_t dim = 16;
  BOOST_CHECK_THROW(cl::PhasorMemory(0), hv::DimensionError);
  cl::PhasorMemory memory(dim);
  std::vector<std::complex<float>> row(dim, {1.0F, 0.0F});
  BOOST_CHECK_THROW(memory.search(row), hv::InvalidArgument);  // empty memory
  BOOST_CHECK_EQUAL(memory.add(row, "one"), 0U);
  BOOST_CHECK_THROW(memory.add(row, "one"), hv::InvalidArgument);  // duplicate label
  BOOST_CHECK_THROW(memory.add(std::vector<std::complex<float>>(dim + 1)), hv::DimensionError);
  BOOST_CHECK_THROW(memory.search(std::vector<std::complex<float>>(dim - 1)), hv::DimensionError);
  auto bad = row;
  bad[3] = {0.0F, std::numeric_limits<float>::quiet_NaN()};
  // Named by its real index: Im z_3 is component 7.
  BOOST_CHECK_EXCEPTION(memory.add(bad), hv::InvalidArgument, [](const hv::InvalidArgument& e) {
    return std::string(e.what()).find("component 7") != std::string::npos;
  });
  BOOST_CHECK_THROW(memory.search(bad), hv::InvalidArgument);
  BOOST_CHECK_EQUAL(memory.size(), 1U);
  // Zero query: cosine 0, no NaN.
  const auto zero = memory.best(std::vector<std::complex<float>>(dim));
  BOOST_REQUIRE(zero.has_value());
  BOOST_CHECK_EQUAL(zero->cosine, 0.0);
  BOOST_CHECK_EQUAL(memory.best(row)->label, "one");
  BOOST_CHECK_CLOSE(memory.best(row)->z, std::sqrt(2.0 * dim), 1e-9);  // cosine 1
}
