// The OpenBLAS policy of cleanup::FloatMemory::search (simd/cleanup.cc, the
// Meson feature `blas`): hypervec never changes OpenBLAS's process-wide
// thread count, uses sgemm for batches of >= 64 queries only while the host
// runs OpenBLAS single-threaded, and both paths agree with each other and
// with one-query searches at every thread count. Built only with OpenBLAS.
#define BOOST_TEST_MODULE cleanup_blas
#include <boost/test/unit_test.hpp>

#include <hypervec/cleanup.hpp>
#include <hypervec/storage.hpp>

#include "tests/test_util.hpp"

#include <cblas.h>

#include <cmath>
#include <cstddef>
#include <random>
#include <vector>

namespace cl = hypervec::cleanup;

namespace {

void check_close(const std::vector<cl::Matches>& a, const std::vector<cl::Matches>& b) {
  BOOST_REQUIRE(a.size() == b.size());
  for (std::size_t q = 0; q < a.size(); ++q) {
    BOOST_REQUIRE(a[q].size() == b[q].size());
    for (std::size_t i = 0; i < a[q].size(); ++i) {
      BOOST_TEST_CONTEXT("query " << q << " hit " << i) {
        BOOST_TEST(a[q][i].id == b[q][i].id);
        BOOST_TEST(std::abs(a[q][i].score - b[q][i].score) <=
                   1e-4 * (1 + std::abs(b[q][i].score)));
      }
    }
  }
}

}  // namespace

BOOST_AUTO_TEST_CASE(search_never_changes_the_hosts_blas_threads) {
  const std::uint64_t seed = hypervec::test::test_seed();
  BOOST_TEST_MESSAGE("seed " << seed);
  BOOST_TEST_CONTEXT("seed " << seed) {
    std::mt19937_64 rng(seed);
    const std::size_t dim = 200, rows = 1500, nq = 80;  // nq >= 64: the sgemm threshold
    const auto book = hypervec::test::gaussian_matrix(rows, dim, rng);
    const auto queries = hypervec::test::gaussian_matrix(nq, dim, rng);
    const cl::FloatMemory memory(book.view());
    // One query at a time: always the Highway kernel.
    std::vector<cl::Matches> want;
    for (std::size_t q = 0; q < nq; ++q) {
      const hypervec::DenseMatrixView<float> one{queries.row(q).data(), 1, dim, queries.view().stride};
      want.push_back(memory.search(one, cl::Options{.k = 5, .threads = 1})[0]);
    }
    for (const int host_threads : {3, 1, 2}) {
      BOOST_TEST_CONTEXT("host OpenBLAS threads " << host_threads) {
        openblas_set_num_threads(host_threads);  // the host's choice
        for (const unsigned t : {1U, 2U, 3U, 0U}) {
          BOOST_TEST_CONTEXT("threads " << t) {
            const auto got = memory.search(queries.view(), cl::Options{.k = 5, .threads = t});
            check_close(got, want);
            BOOST_TEST(openblas_get_num_threads() == host_threads);
          }
        }
      }
    }
  }
}
