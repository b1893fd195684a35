// ShardedMemory (include/hypervec/distributed.hpp) against a local Memory on
// the same codebook: identical matches for packed, mixed, float, int8 and
// phasor rows, uneven splits, more ranks than rows, ties across shards, .npy
// loading, and collective errors. Run under mpirun -np 1..4 by
// tests/mpi_run.py; every rank runs every case.
#define BOOST_TEST_MODULE distributed
#include <hypervec/bipolar.hpp>
#include <hypervec/bundle.hpp>
#include <hypervec/codebook.hpp>
#include <hypervec/dense.hpp>
#include <hypervec/distributed.hpp>
#include <hypervec/npy.hpp>

#include "tests/test_util.hpp"

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <complex>
#include <filesystem>
#include <random>

namespace hv = hypervec;
namespace dist = hypervec::distributed;
using hv::cleanup::Matches;

namespace {

struct MpiSession {
  MpiSession() { MPI_Init(nullptr, nullptr); }
  ~MpiSession() { MPI_Finalize(); }
};

int world_rank() {
  int r = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &r);
  return r;
}
int world_size() {
  int n = 1;
  MPI_Comm_size(MPI_COMM_WORLD, &n);
  return n;
}

/// The same matches, field for field (scores and cosines bit for bit).
void require_same(const std::vector<Matches>& got, const std::vector<Matches>& want) {
  BOOST_REQUIRE_EQUAL(got.size(), want.size());
  for (std::size_t q = 0; q < got.size(); ++q) {
    BOOST_TEST_CONTEXT("query " << q) {
      BOOST_REQUIRE_EQUAL(got[q].size(), want[q].size());
      for (std::size_t j = 0; j < got[q].size(); ++j) {
        BOOST_TEST_CONTEXT("match " << j) {
          BOOST_TEST(got[q][j].id == want[q][j].id);
          BOOST_TEST(got[q][j].label == want[q][j].label);
          BOOST_TEST(got[q][j].score == want[q][j].score);
          BOOST_TEST(got[q][j].cosine == want[q][j].cosine);
          BOOST_TEST(got[q][j].z == want[q][j].z);
        }
      }
    }
  }
}

/// This rank's part of a whole memory, as rows [range) of `whole`.
template <typename Row, typename Whole>
hv::cleanup::Memory<Row> shard_of(const Whole& whole, std::size_t rows) {
  const dist::Range range = dist::shard_range(rows, world_size(), world_rank());
  hv::cleanup::Memory<Row> shard = [&] {
    if constexpr (std::is_same_v<Row, hv::cleanup::Packed>) {
      return hv::cleanup::Memory<Row>(whole.dim());
    } else {
      return hv::cleanup::Memory<Row>(whole.dim(), whole.metric());
    }
  }();
  for (std::size_t i = 0; i < range.count; ++i) {
    shard.add(whole.row(range.first + i), whole.label(range.first + i));
  }
  return shard;
}

std::vector<std::string> labels_for(std::size_t rows) {
  std::vector<std::string> labels;
  for (std::size_t i = 0; i < rows; ++i) labels.push_back("row" + std::to_string(i));
  return labels;
}

/// Row counts around the rank count: fewer rows than ranks, uneven splits.
const std::vector<std::size_t> kRows = {1, 2, 3, 5, 7, 64, 1001};

/// A query set: noisy copies of some rows and random vectors, D odd.
constexpr std::size_t kDim = 515;

}  // namespace

BOOST_GLOBAL_FIXTURE(MpiSession);

BOOST_AUTO_TEST_CASE(shard_range_covers_every_row_once) {
  for (const std::size_t rows : {0, 1, 2, 3, 10, 1000}) {
    for (int ranks = 1; ranks <= 9; ++ranks) {
      std::size_t next = 0;
      for (int r = 0; r < ranks; ++r) {
        const auto range = dist::shard_range(rows, ranks, r);
        BOOST_TEST(range.first == next);
        BOOST_TEST(range.count + 1 >= rows / ranks);  // sizes differ by at most one
        BOOST_TEST(range.count <= rows / ranks + 1);
        next += range.count;
      }
      BOOST_TEST(next == rows);
    }
  }
  BOOST_CHECK_THROW(dist::shard_range(5, 2, 2), hv::InvalidArgument);
}

BOOST_AUTO_TEST_CASE(packed_search_equals_the_local_memory) {
  const std::uint64_t seed = hv::test::test_seed();
  BOOST_TEST_CONTEXT("seed " << seed << ", " << world_size() << " ranks") {
    for (const std::size_t rows : kRows) {
      BOOST_TEST_CONTEXT("M = " << rows) {
        const auto labels = labels_for(rows);
        const hv::cleanup::PackedMemory whole(hv::bipolar::random_matrix(rows, kDim, seed), labels);
        const dist::ShardedPackedMemory sharded(MPI_COMM_WORLD,
                                                shard_of<hv::cleanup::Packed>(whole, rows));
        BOOST_TEST(sharded.size() == rows);
        // Queries: rows themselves (exact hits), random vectors; only rank 0's count.
        hv::PackedMatrix queries = hv::bipolar::random_matrix(9, kDim, seed + 1);
        for (std::size_t i = 0; i < 3; ++i) {
          const auto r = whole.row(i % rows);
          std::copy_n(r.words, queries.stride_words(), queries.words() + i * queries.stride_words());
        }
        for (const std::size_t k : {std::size_t{1}, std::size_t{3}, rows}) {
          if (k > rows) continue;
          BOOST_TEST_CONTEXT("k = " << k) {
            hv::cleanup::Options o{.k = k};
            const auto mine = world_rank() == 0 ? queries.view() : hv::PackedMatrixView{};
            require_same(sharded.search(mine, o), whole.search(queries.view(), o));
            o.min_cosine = 0.05;
            require_same(sharded.search(mine, o), whole.search(queries.view(), o));
          }
        }
        // Float queries against the packed rows (mixed kernel), batch of 5 and of 1.
        std::mt19937_64 rng(seed + 2);
        std::normal_distribution<float> normal;
        for (const std::size_t q : {std::size_t{1}, std::size_t{5}}) {
          hv::DenseMatrix<float> fq(q, kDim);
          for (std::size_t i = 0; i < q; ++i) {
            for (auto& v : fq.row(i)) v = normal(rng);
          }
          const hv::cleanup::Options o{.k = std::min<std::size_t>(4, rows)};
          const auto mine = world_rank() == 0 ? fq.view() : hv::DenseMatrixView<float>{};
          require_same(sharded.search(mine, o), whole.search(fq.view(), o));
        }
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(ties_across_shards_go_to_the_lower_global_id) {
  // Every row the same vector: all scores tie, so the top-k is ids 0..k-1.
  const std::size_t rows = 11;
  hv::PackedMatrix same(rows, kDim);
  const auto one = hv::bipolar::random(kDim, 7);
  for (std::size_t i = 0; i < rows; ++i) {
    std::copy_n(one.view().words, same.stride_words(), same.words() + i * same.stride_words());
  }
  const hv::cleanup::PackedMemory whole(same.view());
  const dist::ShardedPackedMemory sharded(MPI_COMM_WORLD, shard_of<hv::cleanup::Packed>(whole, rows));
  const auto queries = hv::bipolar::random_matrix(2, kDim, 8);
  const auto got = sharded.search(queries.view(), {.k = 4});
  for (const auto& m : got) {
    BOOST_REQUIRE_EQUAL(m.size(), 4u);
    for (std::size_t j = 0; j < 4; ++j) BOOST_TEST(m[j].id == j);
  }
}

BOOST_AUTO_TEST_CASE(float_int8_and_phasor_search_equal_the_local_memory) {
  const std::uint64_t seed = hv::test::test_seed();
  std::mt19937_64 rng(seed);
  std::normal_distribution<float> normal;
  std::uniform_real_distribution<float> phase(0, 6.2831853F);
  BOOST_TEST_CONTEXT("seed " << seed << ", " << world_size() << " ranks") {
    for (const std::size_t rows : kRows) {
      BOOST_TEST_CONTEXT("M = " << rows) {
        const auto labels = labels_for(rows);
        hv::DenseMatrix<float> f(rows, kDim), fq(6, kDim);
        hv::DenseMatrix<std::int8_t> b(rows, kDim), bq(6, kDim);
        hv::DenseMatrix<std::complex<float>> c(rows, kDim), cq(6, kDim);
        for (std::size_t i = 0; i < rows; ++i) {
          for (std::size_t j = 0; j < kDim; ++j) {
            f.row(i)[j] = normal(rng);
            b.row(i)[j] = normal(rng) < 0 ? -1 : 1;
            c.row(i)[j] = std::polar(1.0F, phase(rng));
          }
        }
        for (std::size_t i = 0; i < 6; ++i) {
          for (std::size_t j = 0; j < kDim; ++j) {
            fq.row(i)[j] = normal(rng);
            bq.row(i)[j] = static_cast<std::int8_t>(static_cast<int>(normal(rng) * 20) % 100);
            cq.row(i)[j] = std::polar(1.0F, phase(rng));
          }
        }
        const std::size_t k = std::min<std::size_t>(3, rows);
        const bool root = world_rank() == 0;
        for (const auto metric : {hv::cleanup::Metric::dot, hv::cleanup::Metric::cosine}) {
          BOOST_TEST_CONTEXT("metric " << static_cast<int>(metric)) {
            const hv::cleanup::FloatMemory wf(f.view(), labels, metric);
            const dist::ShardedFloatMemory sf(MPI_COMM_WORLD, shard_of<float>(wf, rows));
            require_same(sf.search(root ? fq.view() : hv::DenseMatrixView<float>{}, {.k = k}),
                         wf.search(fq.view(), {.k = k}));
            const hv::cleanup::Int8Memory wb(b.view(), labels, metric);
            const dist::ShardedInt8Memory sb(MPI_COMM_WORLD, shard_of<std::int8_t>(wb, rows));
            require_same(sb.search(root ? bq.view() : hv::DenseMatrixView<std::int8_t>{}, {.k = k}),
                         wb.search(bq.view(), {.k = k}));
            const hv::cleanup::PhasorMemory wc(c.view(), labels, metric);
            const dist::ShardedPhasorMemory sc(MPI_COMM_WORLD, shard_of<std::complex<float>>(wc, rows));
            require_same(
                sc.search(root ? cq.view() : hv::DenseMatrixView<std::complex<float>>{}, {.k = k}),
                wc.search(cq.view(), {.k = k}));
          }
        }
      }
    }
  }
}

namespace {

/// A folder every rank sees: rank 0 creates it, the path is broadcast.
std::string shared_folder() {
  std::string path;
  if (world_rank() == 0) {
    char tmpl[] = "/tmp/hypervec-distributed-XXXXXX";
    BOOST_REQUIRE(::mkdtemp(tmpl) != nullptr);
    path = tmpl;
  }
  std::uint64_t n = path.size();
  MPI_Bcast(&n, 1, MPI_UINT64_T, 0, MPI_COMM_WORLD);
  path.resize(n);
  MPI_Bcast(path.data(), static_cast<int>(n), MPI_CHAR, 0, MPI_COMM_WORLD);
  return path;
}

}  // namespace

BOOST_AUTO_TEST_CASE(load_reads_each_rank_s_range_of_the_file) {
  const std::string dir = shared_folder();
  const std::uint64_t seed = hv::test::test_seed();
  for (const std::size_t rows : {std::size_t{3}, std::size_t{101}}) {
    BOOST_TEST_CONTEXT("M = " << rows) {
      const auto labels = labels_for(rows);
      const hv::cleanup::PackedMemory whole(hv::bipolar::random_matrix(rows, kDim, seed), labels);
      const std::string npy = dir + "/book" + std::to_string(rows) + ".npy";
      const std::string txt = dir + "/book" + std::to_string(rows) + ".txt";
      const std::string fnpy = dir + "/float" + std::to_string(rows) + ".npy";
      if (world_rank() == 0) {
        hv::codebook::save(whole, npy, txt);
        hv::codebook::write_matrix(fnpy, whole.view(), hv::codebook::Format::float32);
      }
      MPI_Barrier(MPI_COMM_WORLD);
      const auto sharded = dist::ShardedPackedMemory::load(MPI_COMM_WORLD, npy,
                                                           {.labels = txt, .dim = kDim});
      BOOST_TEST(sharded.shard().size() == dist::shard_range(rows, world_size(), world_rank()).count);
      const auto queries = hv::bipolar::random_matrix(4, kDim, seed + 5);
      const hv::cleanup::Options o{.k = std::min<std::size_t>(5, rows)};
      require_same(sharded.search(queries.view(), o), whole.search(queries.view(), o));

      // The same rows as float32 ±1, into a float memory.
      const auto sf = dist::ShardedFloatMemory::load(MPI_COMM_WORLD, fnpy, {.labels = txt});
      std::vector<float> values(rows * kDim);
      hv::npy::RowReader(fnpy).read_float(0, rows, values);
      const hv::cleanup::FloatMemory wf(hv::DenseMatrixView<float>{values.data(), rows, kDim, kDim},
                                        labels);
      hv::DenseMatrix<float> fq(3, kDim);
      for (std::size_t i = 0; i < 3; ++i) {
        for (std::size_t j = 0; j < kDim; ++j) fq.row(i)[j] = values[((i * 7) % rows) * kDim + j];
      }
      require_same(sf.search(fq.view(), o), wf.search(fq.view(), o));
    }
  }
}

BOOST_AUTO_TEST_CASE(errors_reach_every_rank) {
  const std::string dir = shared_folder();
  // A shard file that is missing on one rank only: every rank throws IoError
  // naming it, nobody waits.
  const std::string good = dir + "/good.npy";
  if (world_rank() == 0) {
    const hv::cleanup::PackedMemory book(hv::bipolar::random_matrix(8, 64, 1));
    hv::codebook::write_matrix(good, book.view(), hv::codebook::Format::packbits);
  }
  MPI_Barrier(MPI_COMM_WORLD);
  const int bad_rank = world_size() - 1;
  const std::string mine = world_rank() == bad_rank ? dir + "/missing.npy" : good;
  try {
    (void)dist::ShardedPackedMemory::load(MPI_COMM_WORLD, mine, {.labels = {}, .dim = 64});
    BOOST_FAIL("load of a missing file did not throw");
  } catch (const hv::IoError& e) {
    BOOST_TEST(std::string(e.what()).find("missing.npy") != std::string::npos, e.what());
    if (world_size() > 1) {
      BOOST_TEST(std::string(e.what()).find("rank " + std::to_string(bad_rank)) == 0, e.what());
    }
  }
  // A NaN in the root's float query: every rank throws InvalidArgument.
  const auto sharded = dist::ShardedPackedMemory::load(MPI_COMM_WORLD, good, {.labels = {}, .dim = 64});
  hv::DenseMatrix<float> q(2, 64);
  std::fill_n(q.data(), 2 * q.stride(), 1.0F);
  q.row(1)[10] = std::nanf("");
  BOOST_CHECK_THROW((void)sharded.search(q.view(), {.k = 1}), hv::InvalidArgument);
  // k beyond the global size; a query of the wrong D.
  BOOST_CHECK_THROW((void)sharded.search(hv::bipolar::random_matrix(1, 64, 2).view(), {.k = 9}),
                    hv::InvalidArgument);
  BOOST_CHECK_THROW((void)sharded.search(hv::bipolar::random_matrix(1, 65, 2).view(), {.k = 1}),
                    hv::DimensionError);
  // Still usable afterwards.
  BOOST_TEST(sharded.search(hv::bipolar::random_matrix(1, 64, 2).view(), {.k = 8})[0].size() == 8u);
  MPI_Barrier(MPI_COMM_WORLD);
  if (world_rank() == 0) std::filesystem::remove_all(dir);
}

namespace {

void require_same_answers(const std::vector<hv::probe::Answer>& got, const std::vector<hv::probe::Answer>& want) {
  BOOST_REQUIRE_EQUAL(got.size(), want.size());
  for (std::size_t a = 0; a < got.size(); ++a) {
    BOOST_TEST(got[a].id == want[a].id);
    BOOST_TEST(got[a].label == want[a].label);
    BOOST_TEST(got[a].cosine == want[a].cosine);
    BOOST_TEST(got[a].z == want[a].z);
  }
}

/// The same decodings, field for field (cosines bit for bit).
void require_same(const std::vector<hv::probe::Decoding>& got, const std::vector<hv::probe::Decoding>& want) {
  BOOST_REQUIRE_EQUAL(got.size(), want.size());
  for (std::size_t d = 0; d < got.size(); ++d) {
    BOOST_TEST_CONTEXT("document " << d) {
      BOOST_TEST(got[d].query == want[d].query, boost::test_tools::per_element());
      BOOST_TEST(got[d].query_index == want[d].query_index);
      BOOST_TEST(got[d].queries == want[d].queries);
      BOOST_TEST(got[d].artefacts == want[d].artefacts);
      BOOST_TEST(got[d].reason == want[d].reason);
      BOOST_TEST(got[d].role == want[d].role);
      BOOST_TEST((got[d].rank == want[d].rank));
      BOOST_TEST((got[d].target == want[d].target));
      BOOST_TEST(got[d].inverted_cosine == want[d].inverted_cosine);
      require_same_answers(got[d].answers, want[d].answers);
      BOOST_REQUIRE_EQUAL(got[d].per_query.size(), want[d].per_query.size());
      for (std::size_t q = 0; q < got[d].per_query.size(); ++q) {
        BOOST_TEST(got[d].per_query[q].atoms == want[d].per_query[q].atoms, boost::test_tools::per_element());
        BOOST_TEST((got[d].per_query[q].artefact_atom == want[d].per_query[q].artefact_atom));
        BOOST_TEST(got[d].per_query[q].artefact_cosine == want[d].per_query[q].artefact_cosine);
        require_same_answers(got[d].per_query[q].answers, want[d].per_query[q].answers);
      }
    }
  }
}

/// Probe documents over an m-row codebook: analogies v = normalize(A⊙B + C⊙D)
/// with 15% noise, a repeated context atom, documents without a target,
/// context-free ones and pure noise (abstentions: the polarity check runs).
struct Batch {
  hv::PackedMatrix vectors;
  std::vector<hv::probe::Document> docs;
};

Batch probe_batch(const hv::cleanup::PackedMemory& book, std::mt19937_64& rng, std::size_t n) {
  Batch b{hv::PackedMatrix(n, book.dim()), {}};
  std::uniform_int_distribution<std::size_t> pick(0, book.size() - 1);
  for (std::size_t i = 0; i < n; ++i) {
    std::size_t a[4];
    for (std::size_t k = 0; k < 4; ++k) {
      do {
        a[k] = pick(rng);
      } while (std::find(a, a + k, a[k]) != a + k);
    }
    const auto ab = hv::bipolar::bind(book.row(a[0]), book.row(a[1]));
    const auto cd = hv::bipolar::bind(book.row(a[2]), book.row(a[3]));
    const std::vector<hv::PackedView> pair = {ab.view(), cd.view()};
    auto v = hv::bipolar::majority(pair, hv::TieBreak::toward_negative());
    v = hv::bipolar::bind(v, hv::test::random_packed_biased(book.dim(), i % 7 == 6 ? 0.5 : 0.15, rng));
    std::copy(v.words(), v.words() + v.num_words(), b.vectors.row_span(i).words);
    hv::probe::Document doc{{a[0], a[1], a[2]}, a[3]};
    if (i % 5 == 1) doc.target.reset();
    if (i % 5 == 2) doc.context = {a[0], a[0], a[2]};
    if (i % 5 == 3) doc.context.clear();
    b.docs.push_back(doc);
  }
  return b;
}

}  // namespace

// distributed::decode on a sharded codebook equals probe::Decoder on the
// whole one, for every option that works sharded, packed and float input.
BOOST_AUTO_TEST_CASE(sharded_decode_equals_the_local_decoder) {
  const std::uint64_t seed = hv::test::test_seed() + 11;
  BOOST_TEST_CONTEXT("seed " << seed << ", " << world_size() << " ranks") {
    for (const std::size_t rows : {6, 7, 300}) {
      BOOST_TEST_CONTEXT("M = " << rows) {
        const hv::cleanup::PackedMemory whole(hv::bipolar::random_matrix(rows, kDim, seed),
                                              labels_for(rows));
        const dist::ShardedPackedMemory sharded(MPI_COMM_WORLD, shard_of<hv::cleanup::Packed>(whole, rows));
        std::mt19937_64 rng(seed + rows);
        const Batch batch = probe_batch(whole, rng, 40);
        hv::DenseMatrix<float> floats(batch.docs.size(), kDim), reals(batch.docs.size(), kDim);
        for (std::size_t d = 0; d < batch.docs.size(); ++d) {
          const auto f = hv::dense::to_float(batch.vectors.row(d));
          for (std::size_t i = 0; i < kDim; ++i) {
            floats.row(d)[i] = f.values()[i];
            reals.row(d)[i] = f.values()[i] * (i % 3 == 0 ? 0.5F : 1.0F);  // real weights: the mixed path
          }
        }
        std::vector<hv::probe::Options> settings(4);
        settings[0].k = std::min<std::size_t>(5, rows);
        settings[1] = settings[0], settings[1].selection = hv::probe::Selection::paper;
        settings[1].report_queries = true;
        settings[2] = settings[0], settings[2].exclude_context = false, settings[2].k = 2;
        settings[3] = settings[0], settings[3].float_input = hv::probe::FloatInput::sign;
        settings[3].min_cosine = 0.05;
        for (std::size_t o = 0; o < settings.size(); ++o) {
          BOOST_TEST_CONTEXT("options " << o) {
            const hv::probe::Decoder local(whole, settings[o]);
            require_same(dist::decode(sharded, settings[o], batch.vectors.view(), batch.docs),
                         local.decode(batch.vectors.view(), batch.docs));
            require_same(dist::decode(sharded, settings[o], floats.view(), batch.docs),
                         local.decode(floats.view(), batch.docs));
            require_same(dist::decode(sharded, settings[o], reals.view(), batch.docs),
                         local.decode(reals.view(), batch.docs));
          }
        }
        hv::probe::Options greedy;
        greedy.greedy = true;
        BOOST_CHECK_THROW(dist::decode(sharded, greedy, batch.vectors.view(), batch.docs), hv::InvalidArgument);
        std::vector<hv::probe::Document> bad = batch.docs;
        bad.back().context.push_back(rows);  // outside the codebook
        BOOST_CHECK_THROW(dist::decode(sharded, {}, batch.vectors.view(), bad), hv::InvalidArgument);
        BOOST_TEST(dist::decode(sharded, {}, batch.vectors.view(), batch.docs).size() == batch.docs.size());
      }
    }
  }
}

// Queries in a caller's buffer with no padding between rows (stride = the
// row's own words): the broadcast reads each row's words only, never past
// the buffer (ASan checks the end), and the matches are the local memory's.
BOOST_AUTO_TEST_CASE(packed_queries_with_an_unpadded_stride) {
  const std::uint64_t seed = hv::test::test_seed() + 13;
  BOOST_TEST_CONTEXT("seed " << seed << ", " << world_size() << " ranks") {
    constexpr std::size_t rows = 64, queries = 3;
    const hv::cleanup::PackedMemory whole(hv::bipolar::random_matrix(rows, kDim, seed), labels_for(rows));
    const dist::ShardedPackedMemory sharded(MPI_COMM_WORLD, shard_of<hv::cleanup::Packed>(whole, rows));
    const std::size_t words = hv::packed_words(kDim);
    const hv::PackedMatrix q = hv::bipolar::random_matrix(queries, kDim, seed + 1);
    BOOST_REQUIRE(q.stride_words() > words);  // else the case tests nothing
    std::vector<std::uint64_t> tight(queries * words);
    for (std::size_t i = 0; i < queries; ++i) std::copy_n(q.row(i).words, words, tight.data() + i * words);
    const hv::PackedMatrixView view{tight.data(), queries, kDim, words};
    hv::cleanup::Options o;
    o.k = 4;
    require_same(sharded.search(view, o), whole.search(view, o));
  }
}
