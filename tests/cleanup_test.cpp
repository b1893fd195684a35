// Cleanup memory (include/hypervec/cleanup.hpp): exact top-k against the
// brute-force scalar scan (src/reference/cleanup.cpp) for every kind on every
// target, thread-count and target independence, significance calibration
// against the exact null, labels, and bad input.
#define BOOST_TEST_MODULE cleanup
#include <boost/test/unit_test.hpp>

#include <hypervec/bipolar.hpp>
#include <hypervec/bundle.hpp>
#include <hypervec/cleanup.hpp>
#include <hypervec/error.hpp>

#include "src/reference/cleanup.hpp"
#include "tests/test_util.hpp"

#include <cmath>
#include <cstring>
#include <limits>
#include <map>
#include <random>
#include <set>

namespace hv = hypervec;
namespace cl = hypervec::cleanup;
namespace ref = hypervec::reference::cleanup;
using hv::test::for_each_target;
using hv::test::random_packed;

namespace {

const std::vector<std::size_t> kRows = {1, 7, 1000, 3000};
const std::vector<std::size_t> kSearchDims = {64, 1000, 4096, 10000};
constexpr std::size_t kBatch = 33;

/// The batch size of one (M, D) cell: Q = 33, except 9 for the three largest
/// cells (M·D > 5·10^6: M = 3000 at D = 4096 and 10000, M = 1000 at D = 10000),
/// whose brute-force reference would otherwise take seconds (minutes under
/// the sanitizers). Q = 1 runs in every cell.
std::size_t batch_for(std::size_t rows, std::size_t dim) {
  return rows * dim > 5'000'000 ? 9 : kBatch;
}

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

hv::DenseMatrix<std::int8_t> int8_matrix(std::size_t rows, std::size_t dim, std::mt19937_64& rng) {
  hv::DenseMatrix<std::int8_t> m(rows, dim);
  std::uniform_int_distribution<int> value(-127, 127);
  for (std::size_t r = 0; r < rows; ++r) {
    if (r % 10 == 3) {
      std::copy(m.row(r - 1).begin(), m.row(r - 1).end(), m.row(r).begin());
      continue;
    }
    for (auto& x : m.row(r)) x = static_cast<std::int8_t>(value(rng));
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

/// Compares a search result with the reference ranking `all` (every row,
/// best first). Exact mode: same ids and scores. Otherwise |score - ref| <=
/// tol(id) rank by rank, and an id may differ from the reference's only if
/// the reference scores of the two ids are within tol of each other (a
/// near-tie the rounding may flip).
template <typename Tol>
void check_against_reference(const cl::Matches& got, const std::vector<ref::Hit>& all,
                             std::size_t k, bool exact, const Tol& tol) {
  BOOST_REQUIRE_EQUAL(got.size(), k);
  std::map<std::size_t, double> ref_score;
  for (const auto& h : all) ref_score[h.id] = h.score;
  for (std::size_t j = 0; j < k; ++j) {
    BOOST_TEST_CONTEXT("rank " << j) {
      if (exact) {
        BOOST_CHECK_EQUAL(got[j].id, all[j].id);
        BOOST_CHECK_EQUAL(got[j].score, all[j].score);
      } else {
        const double t = tol(all[j].id) + tol(got[j].id);
        BOOST_CHECK_LE(std::abs(got[j].score - all[j].score), t);
        if (got[j].id != all[j].id) {
          BOOST_CHECK_LE(std::abs(ref_score.at(got[j].id) - all[j].score), t);
        }
        BOOST_CHECK_LE(std::abs(got[j].score - ref_score.at(got[j].id)), tol(got[j].id));
      }
    }
  }
}

/// Rigorous bound on the float rounding error of a dot product of length D
/// whose terms have absolute sum `abs_sum`: (D + 16) · 2^-24 · abs_sum
/// (any summation order with at most D + 16 additions, Higham Thm 3.1),
/// plus the float rounding of the result itself.
double dot_tolerance(std::size_t dim, double abs_sum) {
  return (static_cast<double>(dim) + 17.0) * 0x1.0p-24 * abs_sum;
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

}  // namespace

BOOST_AUTO_TEST_CASE(packed_and_mixed_top_k_match_brute_force_on_every_target) {
  const auto seed = hv::test::test_seed();
  BOOST_TEST_CONTEXT("seed " << seed) {
    std::mt19937_64 rng(seed);
    for (const std::size_t dim : kSearchDims) {
      for (const std::size_t rows : kRows) {
        BOOST_TEST_CONTEXT("D=" << dim << " M=" << rows) {
          const auto book = packed_codebook(rows, dim, rng);
          const cl::PackedMemory memory(book.view());
          const std::size_t nq = batch_for(rows, dim);
          const auto pq = packed_queries(book.view(), nq, rng);
          const auto fq = gaussian_matrix(nq, dim, rng);
          const std::size_t k = k_for(rows);
          std::vector<std::vector<ref::Hit>> want_packed, want_mixed;
          std::vector<double> abs_sum(nq);
          for (std::size_t a = 0; a < nq; ++a) {
            want_packed.push_back(ref::search_packed(pq.row(a), book.view(), rows));
            want_mixed.push_back(ref::search_mixed(fq.row(a), book.view(), rows));
            for (const float x : fq.row(a)) abs_sum[a] += std::abs(x);
          }
          std::vector<cl::Matches> first_packed, first_mixed;
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
                check_against_reference(got_packed[a], want_packed[a], k, true,
                                        [](std::size_t) { return 0.0; });
                check_against_reference(got_mixed[a], want_mixed[a], k, false,
                                        [&](std::size_t) { return dot_tolerance(dim, abs_sum[a]); });
              }
            }
            BOOST_CHECK(same_matches(one_packed, got_packed[0]));
            BOOST_CHECK(same_matches(one_mixed, got_mixed[0]));
            // Packed and mixed scores are bit-identical on every target.
            if (first_packed.empty()) {
              first_packed = got_packed;
              first_mixed = got_mixed;
            } else {
              for (std::size_t a = 0; a < nq; ++a) {
                BOOST_CHECK(same_matches(got_packed[a], first_packed[a]));
                BOOST_CHECK(same_matches(got_mixed[a], first_mixed[a]));
              }
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
          const auto fbook = gaussian_matrix(rows, dim, rng);
          const std::size_t nq = batch_for(rows, dim);
          const auto fq = gaussian_matrix(nq, dim, rng);
          const auto ibook = int8_matrix(rows, dim, rng);
          const auto iq = int8_matrix(nq, dim, rng);
          const std::size_t k = k_for(rows);
          for (const cl::Metric metric : {cl::Metric::dot, cl::Metric::cosine}) {
            // Metric::cosine only rescales the key; its cells up to M = 1000.
            if (metric == cl::Metric::cosine && rows > 1000) continue;
            BOOST_TEST_CONTEXT("metric " << (metric == cl::Metric::dot ? "dot" : "cosine")) {
              const cl::FloatMemory fmem(fbook.view(), {}, metric);
              const cl::Int8Memory imem(ibook.view(), {}, metric);
              std::vector<std::vector<ref::Hit>> want_f, want_i;
              for (std::size_t a = 0; a < nq; ++a) {
                want_f.push_back(ref::search_float(fq.row(a), fbook.view(), rows, metric));
                want_i.push_back(ref::search_int8(iq.row(a), ibook.view(), rows, metric));
              }
              // Tolerance per (query, row): the dot bound, divided by ‖r‖ for cosine.
              auto tol_for = [&](std::size_t a) {
                return [&, a](std::size_t id) {
                  double abs_sum = 0, norm2 = 0;
                  for (std::size_t i = 0; i < dim; ++i) {
                    abs_sum += std::abs(static_cast<double>(fq.row(a)[i]) * fbook.row(id)[i]);
                    norm2 += static_cast<double>(fbook.row(id)[i]) * fbook.row(id)[i];
                  }
                  const double t = dot_tolerance(dim, abs_sum);
                  return metric == cl::Metric::dot ? t : t / std::sqrt(norm2) * (1 + 1e-12);
                };
              };
              std::vector<cl::Matches> first_int8;
              for_each_target([&](const std::string&) {
                const cl::Options options{.k = k};
                const auto got_f = fmem.search(fq.view(), options);
                const auto got_i = imem.search(iq.view(), options);
                for (std::size_t a = 0; a < nq; ++a) {
                  BOOST_TEST_CONTEXT("query " << a) {
                    check_against_reference(got_f[a], want_f[a], k, false, tol_for(a));
                    if (metric == cl::Metric::dot) {
                      check_against_reference(got_i[a], want_i[a], k, true,
                                              [](std::size_t) { return 0.0; });
                    } else {
                      // The ranking key dot · (1/‖r‖) is rounded once in double.
                      // |score| <= ‖q‖ (Cauchy-Schwarz), so 1e-15·‖q‖ covers a few ulps.
                      double qnorm2 = 0;
                      for (const auto x : iq.row(a)) qnorm2 += static_cast<double>(x) * x;
                      const double t = 1e-15 * std::sqrt(qnorm2);
                      check_against_reference(got_i[a], want_i[a], k, false,
                                              [t](std::size_t) { return t; });
                    }
                  }
                }
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

BOOST_AUTO_TEST_CASE(results_do_not_depend_on_the_thread_count) {
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
    for (const std::size_t nq : {std::size_t{1}, std::size_t{kBatch}}) {
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
  const auto more = hv::bipolar::random_matrix(3, dim, seed, 2);
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
    books.push_back(hv::bipolar::random_matrix(rows, dim, seed, f * rows));
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
