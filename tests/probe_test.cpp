// Tests for include/hypervec/probe.hpp: the paper's query order, decoding of
// analogy documents (packed, float as is, float sign-quantised; any thread
// count), the paper's selection rule, greedy extra keys, context-free
// decoding, per-query reports against a brute-force unbinding, the measured
// precision against the prediction of docs/probe.md, and bad input.
#define BOOST_TEST_MODULE probe
#include <hypervec/bipolar.hpp>
#include <hypervec/bundle.hpp>
#include <hypervec/codebook.hpp>
#include <hypervec/dense.hpp>
#include <hypervec/probe.hpp>

#include "tests/test_util.hpp"

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>
#include <numeric>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <vector>

namespace hv = hypervec;
namespace probe = hypervec::probe;
using hypervec::test::message_has;
using hypervec::test::test_seed;

namespace {

constexpr std::size_t kDim = 4096;

std::vector<std::string> numbered_labels(std::size_t m) {
  std::vector<std::string> labels(m);
  for (std::size_t i = 0; i < m; ++i) labels[i] = std::to_string(i).insert(0, 1, 'w');
  return labels;
}

/// An analogy document over four distinct random atoms of an m-row codebook:
/// v = normalize(A⊙B + C⊙D), ties → -1; then each sign flipped with
/// probability `noise`.
struct Analogy {
  probe::Document doc;
  hv::PackedVector v;
};

Analogy make_analogy(const hv::cleanup::PackedMemory& book, std::mt19937_64& rng, double noise) {
  std::uniform_int_distribution<std::size_t> pick(0, book.size() - 1);
  std::vector<std::size_t> atoms;
  while (atoms.size() < 4) {
    const std::size_t a = pick(rng);
    if (std::find(atoms.begin(), atoms.end(), a) == atoms.end()) atoms.push_back(a);
  }
  const hv::PackedVector ab = hv::bipolar::bind(book.row(atoms[0]), book.row(atoms[1]));
  const hv::PackedVector cd = hv::bipolar::bind(book.row(atoms[2]), book.row(atoms[3]));
  const std::vector<hv::PackedView> pair = {ab.view(), cd.view()};
  hv::PackedVector v = hv::bipolar::majority(pair, hv::TieBreak::toward_negative());
  if (noise > 0) {
    const hv::PackedVector flips = hv::test::random_packed_biased(book.dim(), noise, rng);
    v = hv::bipolar::bind(v, flips);
  }
  return {probe::Document{{atoms[0], atoms[1], atoms[2]}, atoms[3]}, std::move(v)};
}

/// `count` analogies drawn one after another from `rng`.
std::vector<Analogy> make_analogies(const hv::cleanup::PackedMemory& book, std::mt19937_64& rng,
                                    std::size_t count, double noise) {
  std::vector<Analogy> docs;
  for (std::size_t i = 0; i < count; ++i) docs.push_back(make_analogy(book, rng, noise));
  return docs;
}

hv::PackedMatrix stack(const std::vector<Analogy>& docs, std::size_t dim) {
  hv::PackedMatrix m(docs.size(), dim);
  for (std::size_t i = 0; i < docs.size(); ++i) {
    std::copy(docs[i].v.words(), docs[i].v.words() + docs[i].v.num_words(), m.row_span(i).words);
  }
  return m;
}

std::vector<probe::Document> documents_of(const std::vector<Analogy>& docs) {
  std::vector<probe::Document> out;
  for (const auto& d : docs) out.push_back(d.doc);
  return out;
}

/// Φ, the standard normal CDF.
double normal_cdf(double x) { return 0.5 * std::erfc(-x / std::sqrt(2.0)); }

/// docs/probe.md's model of precision@1. Two queries hold the target at mean
/// cosine μ = (1 - 2p)/2: {C} (score T1) and {A, B, C} (score T2), the latter
/// skipped as an artefact when its own atom C scores S > presence. T1, T2, S
/// are jointly normal, variance (1 - μ²)/D, covariance -μ²/D; each of the
/// K = q (M - n) - 1 other (query, row) pairs scores N(0, 1/D). So
/// precision@1 = E[1{B >= presence} Φ(B √D)^K], B = max(T1, T2 if S <= presence).
/// The expectation over (T1, T2, S) is taken by a fixed-seed Monte Carlo
/// (200,000 draws: standard error < 0.0012) of the model, not of the decoder.
double predicted_precision_at_1(double p, std::size_t dim, std::size_t m, double presence) {
  const double d = static_cast<double>(dim);
  const double mu = 0.5 * (1 - 2 * p);
  const double var = (1 - mu * mu) / d;
  const double cov = -mu * mu / d;
  // (T1, T2, S) = mu + L z, L the Cholesky factor of the 3×3 covariance.
  const double l11 = std::sqrt(var);
  const double l21 = cov / l11;
  const double l22 = std::sqrt(var - l21 * l21);
  const double l31 = cov / l11;
  const double l32 = (cov - l31 * l21) / l22;
  const double l33 = std::sqrt(var - l31 * l31 - l32 * l32);
  const double k = 8.0 * static_cast<double>(m - 3) - 1;
  std::mt19937_64 rng(12345);
  std::normal_distribution<double> z;
  const int draws = 200000;
  double sum = 0;
  for (int i = 0; i < draws; ++i) {
    const double z1 = z(rng), z2 = z(rng), z3 = z(rng);
    const double t1 = mu + l11 * z1;
    const double t2 = mu + l21 * z1 + l22 * z2;
    const double s = mu + l31 * z1 + l32 * z2 + l33 * z3;
    const double best = s <= presence ? std::max(t1, t2) : t1;
    if (best >= presence) sum += std::pow(normal_cdf(best * std::sqrt(d)), k);
  }
  return sum / draws;
}

}  // namespace

BOOST_AUTO_TEST_CASE(subset_order_is_the_papers) {
  // The paper's create_queries for (A, B, C): combinations of sizes 0..3,
  // reversed: ABC, BC, AC, AB, C, B, A, {}.
  const std::vector<std::uint32_t> expected = {0b111, 0b110, 0b101, 0b011, 0b100, 0b010, 0b001, 0};
  BOOST_TEST(probe::subset_order(3) == expected, boost::test_tools::per_element());
  BOOST_TEST(probe::subset_order(0) == std::vector<std::uint32_t>{0},
             boost::test_tools::per_element());
  for (std::size_t n = 1; n <= 10; ++n) {
    const auto order = probe::subset_order(n);
    BOOST_TEST_CONTEXT("n = " << n) {
      BOOST_TEST(order.size() == (std::size_t{1} << n));
      BOOST_TEST(std::set<std::uint32_t>(order.begin(), order.end()).size() == order.size());
      for (std::size_t j = 1; j < order.size(); ++j) {
        BOOST_TEST(std::popcount(order[j - 1]) >= std::popcount(order[j]));
      }
      BOOST_TEST(order.front() == (std::uint32_t{1} << n) - 1);
      BOOST_TEST(order.back() == 0U);
    }
  }
  BOOST_CHECK_THROW(probe::subset_order(probe::kMaxContext + 1), hv::InvalidArgument);
}

BOOST_AUTO_TEST_CASE(clean_analogies_decode_to_the_target) {
  const std::uint64_t seed = test_seed();
  BOOST_TEST_CONTEXT("seed " << seed) {
    const auto book = hv::codebook::generate(numbered_labels(1000), kDim, seed);
    std::mt19937_64 rng(seed);
    auto docs = make_analogies(book, rng, 40, 0.0);
    const probe::Decoder decoder(book);
    const auto out = decoder.decode(stack(docs, kDim).view(), documents_of(docs));
    BOOST_REQUIRE(out.size() == docs.size());
    for (std::size_t i = 0; i < docs.size(); ++i) {
      BOOST_TEST_CONTEXT("document " << i) {
        const auto& r = out[i];
        BOOST_TEST(r.queries == 8U);
        // The selected query is {C} (position 5 of the paper's order) ...
        BOOST_TEST(r.query_index == 4U);
        BOOST_TEST(r.query == std::vector<std::size_t>{docs[i].doc.context[2]},
                   boost::test_tools::per_element());
        // ... {A, B, C} is an artefact (C reappears at ≈ 0.5) ...
        BOOST_TEST(r.artefacts == 1U);
        // ... and the target tops the answers at cos ≈ 1/2 (σ = √(0.75/D)).
        BOOST_REQUIRE(!r.answers.empty());
        BOOST_TEST(r.answers[0].id == *docs[i].doc.target);
        BOOST_TEST(std::abs(r.answers[0].cosine - 0.5) < 6 * std::sqrt(0.75 / kDim));
        BOOST_TEST(r.answers[0].z == r.answers[0].cosine * std::sqrt(double(kDim)),
                   boost::test_tools::tolerance(1e-12));
        BOOST_TEST((r.rank == std::optional<std::size_t>(1)));
        BOOST_TEST(r.role == "target");
        for (const auto& a : r.answers) {
          BOOST_TEST(a.cosine >= 0.1);
          BOOST_TEST(a.label == book.label(a.id));
          for (const auto c : docs[i].doc.context) BOOST_TEST(a.id != c);
        }
      }
    }
    const auto summary = probe::summarize(out);
    BOOST_TEST(summary.evaluated == docs.size());
    BOOST_TEST(summary.precision(1) == 1.0);
    BOOST_TEST(summary.precision(5) == 1.0);
  }
}

BOOST_AUTO_TEST_CASE(keeping_the_context_shows_why_it_is_excluded) {
  // With the context kept, {B} answers A and {A} answers B at the same ≈ 0.5
  // as {C} answers D: a target-free selection may pick a context atom, which
  // role_of names. The paper's rule, which knows the target, picks {C}.
  const std::uint64_t seed = test_seed() + 1;
  BOOST_TEST_CONTEXT("seed " << seed) {
    const auto book = hv::codebook::generate(numbered_labels(500), kDim, seed);
    std::mt19937_64 rng(seed);
    auto docs = make_analogies(book, rng, 30, 0.0);
    probe::Options keep;
    keep.exclude_context = false;
    const auto raw = probe::Decoder(book, keep).decode(stack(docs, kDim).view(), documents_of(docs));
    std::set<std::string> roles;
    for (const auto& r : raw) roles.insert(r.role);
    for (const auto& role : roles) {
      BOOST_TEST((role == "target" || role == "example_key" || role == "example_value"));
    }
    BOOST_TEST(roles.size() >= 2U);  // P(all 30 pick the same of 3 near-ties) is negligible
    keep.selection = probe::Selection::paper;
    const auto paper =
        probe::Decoder(book, keep).decode(stack(docs, kDim).view(), documents_of(docs));
    for (std::size_t i = 0; i < docs.size(); ++i) {
      BOOST_TEST_CONTEXT("document " << i) {
        // {C} (position 5) or {A, B, C} (position 1), which with ties → -1
        // holds D as strongly as C (docs/probe.md): the paper's rule keeps it
        // when D, not C, comes out on top.
        BOOST_TEST(paper[i].role == "target");
        BOOST_TEST((paper[i].query_index == 4U || paper[i].query_index == 0U));
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(float_input_and_thread_count_do_not_change_results) {
  const std::uint64_t seed = test_seed() + 2;
  BOOST_TEST_CONTEXT("seed " << seed) {
    const auto book = hv::codebook::generate(numbered_labels(700), kDim, seed);
    std::mt19937_64 rng(seed);
    auto docs = make_analogies(book, rng, 24, 0.2);
    const auto packed = stack(docs, kDim);
    hv::DenseMatrix<float> floats(docs.size(), kDim);
    for (std::size_t i = 0; i < docs.size(); ++i) {
      const auto f = hv::dense::to_float(docs[i].v);
      std::copy(f.values().begin(), f.values().end(), floats.row(i).begin());
    }
    const auto documents = documents_of(docs);
    probe::Options one;
    one.threads = 1;
    const auto base = probe::Decoder(book, one).decode(packed.view(), documents);
    for (const unsigned threads : {2U, 3U}) {
      for (const auto input : {probe::FloatInput::as_is, probe::FloatInput::sign}) {
        probe::Options o;
        o.threads = threads;
        o.float_input = input;
        const auto p = probe::Decoder(book, o).decode(packed.view(), documents);
        const auto f = probe::Decoder(book, o).decode(floats.view(), documents);
        for (std::size_t i = 0; i < docs.size(); ++i) {
          BOOST_TEST_CONTEXT("threads " << threads << ", document " << i) {
            BOOST_TEST(p[i].query == base[i].query, boost::test_tools::per_element());
            BOOST_TEST(f[i].query == base[i].query, boost::test_tools::per_element());
            BOOST_REQUIRE(p[i].answers.size() == base[i].answers.size());
            BOOST_REQUIRE(f[i].answers.size() == base[i].answers.size());
            for (std::size_t a = 0; a < base[i].answers.size(); ++a) {
              BOOST_TEST(p[i].answers[a].id == base[i].answers[a].id);
              BOOST_TEST(p[i].answers[a].cosine == base[i].answers[a].cosine);
              BOOST_TEST(f[i].answers[a].id == base[i].answers[a].id);
              BOOST_TEST(f[i].answers[a].cosine == base[i].answers[a].cosine,
                         boost::test_tools::tolerance(1e-6));
            }
          }
        }
      }
    }
    // A single-document call gives the batch's result.
    const auto single = probe::Decoder(book).decode(floats.row(3), documents[3]);
    BOOST_TEST(single.query == base[3].query, boost::test_tools::per_element());
  }
}

// Float ±1 vectors as is (what sign(encoder output) saves) take the packed
// path: exactly the packed decoder's answers, not the mixed kernel's (whose
// norms round differently at a D that is not a square). One component that
// is not ±1 keeps the batch on the mixed path, with the real-valued cosine.
BOOST_AUTO_TEST_CASE(a_bipolar_float_batch_takes_the_packed_path) {
  const std::uint64_t seed = test_seed() + 7;
  constexpr std::size_t dim = 1000;
  BOOST_TEST_CONTEXT("seed " << seed) {
    const auto book = hv::codebook::generate(numbered_labels(300), dim, seed);
    std::mt19937_64 rng(seed);
    const auto docs = make_analogies(book, rng, 12, 0.15);
    const auto packed = stack(docs, dim);
    hv::DenseMatrix<float> floats(docs.size(), dim);
    for (std::size_t i = 0; i < docs.size(); ++i) {
      const auto f = hv::dense::to_float(docs[i].v);
      std::copy(f.values().begin(), f.values().end(), floats.row(i).begin());
    }
    const auto documents = documents_of(docs);
    const probe::Decoder decoder(book);
    const auto want = decoder.decode(packed.view(), documents);
    const auto got = decoder.decode(floats.view(), documents);
    for (std::size_t i = 0; i < docs.size(); ++i) {
      BOOST_TEST_CONTEXT("document " << i) {
        BOOST_TEST(got[i].reason == want[i].reason);
        BOOST_REQUIRE(got[i].answers.size() == want[i].answers.size());
        for (std::size_t a = 0; a < want[i].answers.size(); ++a) {
          BOOST_TEST(got[i].answers[a].id == want[i].answers[a].id);
          BOOST_TEST(got[i].answers[a].cosine == want[i].answers[a].cosine);  // exact
          BOOST_TEST(got[i].answers[a].z == want[i].answers[a].z);
        }
      }
    }
    // Halve one component of document 0: the mixed path, cos = u·r / (‖u‖·√D).
    floats.row(0)[5] *= 0.5F;
    const auto mixed = decoder.decode(floats.view(), documents);
    BOOST_REQUIRE(!mixed[0].answers.empty());
    const auto& best = mixed[0].answers[0];
    std::vector<float> u(floats.row(0).begin(), floats.row(0).end());
    for (const std::size_t atom : mixed[0].query) {
      const auto key = hv::dense::to_float(book.row(atom));
      for (std::size_t i = 0; i < dim; ++i) u[i] *= key.values()[i];
    }
    const auto row = hv::dense::to_float(book.row(best.id));
    double dot = 0, norm = 0;
    for (std::size_t i = 0; i < dim; ++i) dot += double{u[i]} * row.values()[i], norm += double{u[i]} * u[i];
    BOOST_TEST(best.cosine == dot / std::sqrt(norm * dim), boost::test_tools::tolerance(1e-6));
    BOOST_TEST(best.cosine != want[0].answers[0].cosine);
  }
}

BOOST_AUTO_TEST_CASE(every_thread_count_decodes_a_small_batch_identically) {
  // 1, 3 and 8 documents (8, 24 and 64 subset queries) at every thread count
  // 1 .. 2·documents + 3 and at 64, 70, 128: thread counts that once left a
  // worker an empty range (an abort in the packed scan) must decode exactly
  // as one thread does, packed and float input alike.
  const std::uint64_t seed = test_seed() + 9;
  BOOST_TEST_CONTEXT("seed " << seed) {
    const std::size_t dim = 1024;
    const auto book = hv::codebook::generate(numbered_labels(300), dim, seed);
    std::mt19937_64 rng(seed);
    for (const std::size_t n : {std::size_t{1}, std::size_t{3}, std::size_t{8}}) {
      auto docs = make_analogies(book, rng, n, 0.1);
      const auto packed = stack(docs, dim);
      hv::DenseMatrix<float> floats(n, dim);
      for (std::size_t i = 0; i < n; ++i) {
        const auto f = hv::dense::to_float(docs[i].v);
        std::copy(f.values().begin(), f.values().end(), floats.row(i).begin());
      }
      const auto documents = documents_of(docs);
      auto decode = [&](unsigned threads) {
        probe::Options o;
        o.threads = threads;
        const probe::Decoder decoder(book, o);
        auto p = decoder.decode(packed.view(), documents);
        auto f = decoder.decode(floats.view(), documents);
        p.insert(p.end(), f.begin(), f.end());
        return p;
      };
      const auto base = decode(1);
      std::vector<unsigned> counts;
      for (unsigned t = 2; t <= 2 * n + 3; ++t) counts.push_back(t);
      counts.insert(counts.end(), {64U, 70U, 128U});
      for (const unsigned threads : counts) {
        const auto now = decode(threads);
        BOOST_REQUIRE_EQUAL(now.size(), base.size());
        for (std::size_t i = 0; i < now.size(); ++i) {
          BOOST_TEST_CONTEXT("documents " << n << ", threads " << threads << ", decoding " << i) {
            BOOST_TEST(now[i].query == base[i].query, boost::test_tools::per_element());
            BOOST_TEST(now[i].reason == base[i].reason);
            BOOST_REQUIRE_EQUAL(now[i].answers.size(), base[i].answers.size());
            for (std::size_t a = 0; a < base[i].answers.size(); ++a) {
              BOOST_TEST(now[i].answers[a].id == base[i].answers[a].id);
              BOOST_TEST(now[i].answers[a].cosine == base[i].answers[a].cosine);
            }
          }
        }
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(per_query_reports_match_a_brute_force_unbinding) {
  // Options::report_queries lists all 8 subset queries of each document. Each
  // is recomputed here from scratch: unbind with the query's atoms, score
  // every non-context row, check the artefact rule on the query's own atoms.
  const std::uint64_t seed = test_seed() + 7;
  BOOST_TEST_CONTEXT("seed " << seed) {
    const auto book = hv::codebook::generate(numbered_labels(400), kDim, seed);
    std::mt19937_64 rng(seed);
    auto docs = make_analogies(book, rng, 12, 0.1);
    probe::Options o;
    o.k = 4;
    o.report_queries = true;
    const auto packed = stack(docs, kDim);
    const auto out = probe::Decoder(book, o).decode(packed.view(), documents_of(docs));
    const auto order = probe::subset_order(3);
    for (std::size_t d = 0; d < docs.size(); ++d) {
      BOOST_TEST_CONTEXT("document " << d) {
        const auto& r = out[d];
        const auto& context = docs[d].doc.context;
        BOOST_REQUIRE(r.per_query.size() == order.size());
        std::size_t artefacts = 0;
        for (std::size_t j = 0; j < order.size(); ++j) {
          BOOST_TEST_CONTEXT("query " << j) {
            const auto& q = r.per_query[j];
            std::vector<std::size_t> atoms;
            hv::PackedVector unbound = docs[d].v;
            for (std::size_t i = 0; i < context.size(); ++i) {
              if ((order[j] >> i & 1U) == 0) continue;
              atoms.push_back(context[i]);
              unbound = hv::bipolar::bind(unbound, book.row(context[i]));
            }
            BOOST_TEST(q.atoms == atoms, boost::test_tools::per_element());
            double own = -2;
            std::optional<std::size_t> own_atom;
            for (const auto a : atoms) {
              const double c = hv::bipolar::cosine(unbound.view(), book.row(a));
              if (c > own) own = c, own_atom = a;
            }
            const bool artefact = own > o.min_cosine;
            BOOST_TEST(q.artefact_atom.has_value() == artefact);
            if (artefact) {
              BOOST_TEST(*q.artefact_atom == *own_atom);
              BOOST_TEST(q.artefact_cosine == own);
              ++artefacts;
            }
            std::vector<double> all;
            for (std::size_t row = 0; row < book.size(); ++row) {
              if (std::find(context.begin(), context.end(), row) != context.end()) continue;
              all.push_back(hv::bipolar::cosine(unbound.view(), book.row(row)));
            }
            std::sort(all.rbegin(), all.rend());
            BOOST_REQUIRE(q.answers.size() == o.k);  // not cut at the presence threshold
            for (std::size_t a = 0; a < q.answers.size(); ++a) {
              BOOST_TEST(q.answers[a].cosine == all[a]);
              BOOST_TEST(q.answers[a].cosine ==
                         hv::bipolar::cosine(unbound.view(), book.row(q.answers[a].id)));
              BOOST_TEST(q.answers[a].label == book.label(q.answers[a].id));
            }
          }
        }
        BOOST_TEST(artefacts == r.artefacts);
        // The chosen query's answers are its report cut at the presence threshold.
        const auto& chosen = r.per_query[r.query_index].answers;
        std::size_t kept = 0;
        while (kept < chosen.size() && chosen[kept].cosine >= o.min_cosine) ++kept;
        BOOST_REQUIRE(r.answers.size() == kept);
        for (std::size_t a = 0; a < kept; ++a) BOOST_TEST(r.answers[a].id == chosen[a].id);
      }
    }
    // Off by default.
    const auto plain = probe::Decoder(book).decode(packed.view(), documents_of(docs));
    for (const auto& r : plain) BOOST_TEST(r.per_query.empty());
  }
}

BOOST_AUTO_TEST_CASE(a_batch_longer_than_a_chunk_decodes_each_document_as_alone) {
  // The decoder works through a batch 4096 documents at a time; 4396
  // documents with 0 to 3 context atoms (1 to 8 queries each, so chunks start
  // at irregular query offsets) and the greedy search on must give, document
  // by document, what decoding it alone gives.
  const std::uint64_t seed = test_seed() + 9;
  BOOST_TEST_CONTEXT("seed " << seed) {
    const std::size_t dim = 256;
    const auto book = hv::codebook::generate(numbered_labels(64), dim, seed);
    std::mt19937_64 rng(seed);
    std::vector<Analogy> docs;
    for (std::size_t i = 0; i < 4396; ++i) {
      docs.push_back(make_analogy(book, rng, 0.05));
      docs.back().doc.context.resize(i % 4);
    }
    probe::Options o;
    o.greedy = true;
    o.threads = 2;
    const probe::Decoder decoder(book, o);
    const auto documents = documents_of(docs);
    const auto batch = decoder.decode(stack(docs, dim).view(), documents);
    BOOST_REQUIRE_EQUAL(batch.size(), docs.size());
    std::size_t greedy = 0, greedy_in_second_chunk = 0;
    for (std::size_t i = 0; i < docs.size(); ++i) {
      BOOST_TEST_CONTEXT("document " << i) {
        const auto alone = decoder.decode(docs[i].v, documents[i]);
        BOOST_TEST(batch[i].query == alone.query, boost::test_tools::per_element());
        BOOST_TEST(batch[i].reason == alone.reason);
        BOOST_REQUIRE_EQUAL(batch[i].answers.size(), alone.answers.size());
        for (std::size_t a = 0; a < alone.answers.size(); ++a) {
          BOOST_TEST(batch[i].answers[a].id == alone.answers[a].id);
          BOOST_TEST(batch[i].answers[a].cosine == alone.answers[a].cosine);
        }
        if (batch[i].greedy_key) {
          ++greedy;
          if (i >= 4096) ++greedy_in_second_chunk;
        }
      }
    }
    BOOST_TEST_MESSAGE(greedy << " of " << docs.size() << " documents took a greedy key");
    BOOST_TEST(greedy_in_second_chunk > 0U);
    BOOST_TEST(greedy > greedy_in_second_chunk);
  }
}

BOOST_AUTO_TEST_CASE(precision_matches_the_prediction) {
  // docs/probe.md's formula, checked where it bites: at these noise rates the
  // target's mean cosine is 0.12 and 0.10, near the presence threshold.
  // The 5σ binomial band around the prediction is what the measurement must hit.
  const std::uint64_t seed = test_seed() + 3;
  const std::size_t m = 3000;
  const std::size_t n_docs = 300;
  const auto book = hv::codebook::generate(numbered_labels(m), kDim, seed);
  const probe::Decoder decoder(book);
  for (const double noise : {0.06, 0.38, 0.40}) {
    BOOST_TEST_CONTEXT("seed " << seed << ", noise " << noise) {
      std::mt19937_64 rng(seed + static_cast<std::uint64_t>(noise * 1000));
      auto docs = make_analogies(book, rng, n_docs, noise);
      const auto summary = probe::summarize(decoder.decode(stack(docs, kDim).view(),
                                                           documents_of(docs)));
      const double predicted = predicted_precision_at_1(noise, kDim, m, 0.1);
      const double measured = summary.precision(1);
      const double band = 5 * std::sqrt(predicted * (1 - predicted) / n_docs) + 1.0 / n_docs;
      BOOST_TEST_MESSAGE("noise " << noise << ": precision@1 measured " << measured
                                  << ", predicted " << predicted);
      BOOST_TEST(std::abs(measured - predicted) <= band);
      if (noise < 0.1) BOOST_TEST(measured == 1.0);
    }
  }
  // The prediction itself is not vacuous at these rates.
  BOOST_TEST(predicted_precision_at_1(0.38, kDim, m, 0.1) < 0.97);
  BOOST_TEST(predicted_precision_at_1(0.40, kDim, m, 0.1) < 0.7);
  BOOST_TEST(predicted_precision_at_1(0.40, kDim, m, 0.1) > 0.3);
}

BOOST_AUTO_TEST_CASE(greedy_key_finds_a_factor_outside_the_context) {
  // v = normalize(C⊙X⊙D + E⊙F): with context {C} alone, no subset query shows
  // D; unbinding one more key, X, does (cos ≈ 1/2).
  const std::uint64_t seed = test_seed() + 4;
  BOOST_TEST_CONTEXT("seed " << seed) {
    const auto book = hv::codebook::generate(numbered_labels(400), kDim, seed);
    const std::size_t c = 3, x = 17, d = 250, e = 99, f = 311;
    const auto cxd = hv::bipolar::bind(hv::bipolar::bind(book.row(c), book.row(x)), book.row(d));
    const auto ef = hv::bipolar::bind(book.row(e), book.row(f));
    const std::vector<hv::PackedView> parts = {cxd.view(), ef.view()};
    const auto v = hv::bipolar::majority(parts, hv::TieBreak::toward_negative());
    const probe::Document doc{{c}, d};
    const auto plain = probe::Decoder(book).decode(v, doc);
    BOOST_TEST(!plain.rank.has_value());
    BOOST_TEST(!plain.greedy_key.has_value());
    probe::Options o;
    o.greedy = true;
    const auto greedy = probe::Decoder(book, o).decode(v, doc);
    BOOST_REQUIRE(greedy.greedy_key.has_value());
    // X and D are interchangeable (unbinding D reveals X): either is right.
    const std::set<std::size_t> pair = {x, d};
    BOOST_TEST(pair.count(*greedy.greedy_key) == 1U);
    BOOST_REQUIRE(!greedy.answers.empty());
    BOOST_TEST(pair.count(greedy.answers[0].id) == 1U);
    BOOST_TEST(greedy.answers[0].id != *greedy.greedy_key);
    BOOST_TEST(greedy.query.back() == *greedy.greedy_key);
    BOOST_TEST(probe::summarize(std::span<const probe::Decoding>(&greedy, 1)).greedy == 1U);
  }
}

BOOST_AUTO_TEST_CASE(context_free_documents_list_the_bundled_concepts) {
  const std::uint64_t seed = test_seed() + 5;
  BOOST_TEST_CONTEXT("seed " << seed) {
    const auto book = hv::codebook::generate(numbered_labels(600), kDim, seed);
    const std::vector<std::size_t> items = {5, 77, 123, 400, 599};
    std::vector<hv::PackedView> views;
    for (const auto i : items) views.push_back(book.row(i));
    const auto v = hv::bipolar::majority(views, hv::TieBreak::toward_negative());
    const std::set<std::size_t> expected(items.begin(), items.end());
    for (const bool explain : {false, true}) {
      probe::Options o;
      o.explain_away = explain;
      const auto r = probe::Decoder(book, o).decode(v, probe::Document{});
      BOOST_TEST_CONTEXT("explain_away " << explain) {
        BOOST_REQUIRE(r.answers.size() == items.size());
        std::set<std::size_t> got;
        for (const auto& a : r.answers) got.insert(a.id);
        BOOST_TEST((got == expected));
        BOOST_TEST(r.role == "out_of_context");
        BOOST_TEST(!r.target.has_value());
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(summary_counts) {
  std::vector<probe::Decoding> d(5);
  d[0].target = 1;
  d[0].rank = 1;
  d[0].answers.resize(1);
  d[1].target = 1;
  d[1].rank = 3;
  d[1].answers.resize(3);
  d[2].target = 1;
  d[2].rank = 5;
  d[2].answers.resize(5);
  d[3].target = 1;  // target missed, abstained
  d[4].answers.resize(2);  // no target: not evaluated
  const auto s = probe::summarize(d);
  BOOST_TEST(s.documents == 5U);
  BOOST_TEST(s.evaluated == 4U);
  BOOST_TEST(s.abstained == 1U);
  BOOST_TEST(s.precision(1) == 0.25);
  BOOST_TEST(s.precision(3) == 0.5);
  BOOST_TEST(s.precision(5) == 0.75);
  BOOST_CHECK_THROW(s.precision(2), hv::InvalidArgument);
  BOOST_TEST(probe::summarize({}).precision(1) == 0.0);
  // Summaries of chunks add up to the summary of the whole.
  auto parts = probe::summarize(std::span(d).first(2));
  parts += probe::summarize(std::span(d).subspan(2));
  BOOST_TEST(parts.documents == s.documents);
  BOOST_TEST(parts.evaluated == s.evaluated);
  BOOST_TEST(parts.abstained == s.abstained);
  BOOST_TEST(parts.greedy == s.greedy);
  BOOST_TEST(parts.hits == s.hits, boost::test_tools::per_element());
}

namespace {

/// -x for every row (what np.packbits(x > 0) turns a codebook into).
hv::PackedMatrix negated(const hv::PackedMatrixView& m) {
  hv::PackedMatrix out(m.rows, m.dim);
  const hv::PackedVector ones = [&] {
    hv::PackedVector v(m.dim);
    for (std::size_t i = 0; i < m.dim; ++i) v.set_component(i, true);
    return v;
  }();
  for (std::size_t r = 0; r < m.rows; ++r) {
    const hv::PackedVector n = hv::bipolar::bind(m.row(r), ones.view());
    std::copy(n.words(), n.words() + n.num_words(), out.row_span(r).words);
  }
  return out;
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_negated_codebook_is_flagged_and_the_right_one_is_not) {
  const std::uint64_t seed = test_seed() + 11;
  BOOST_TEST_CONTEXT("seed " << seed) {
    const std::size_t m = 500;
    const auto labels = numbered_labels(m);
    const auto book = hv::codebook::generate(labels, kDim, seed);
    std::mt19937_64 rng(seed);
    const auto docs = make_analogies(book, rng, 40, 0.0);
    const auto noisy = make_analogies(book, rng, 40, 0.47);  // mostly abstain
    const auto documents = documents_of(docs);
    const auto vectors = stack(docs, kDim);

    // The right codebook: decodes, nothing flagged; near-random documents
    // abstain without a false alarm (−0.1 is 6.4 σ at D = 4096).
    const probe::Decoder right(book);
    const auto good = probe::summarize(right.decode(vectors.view(), documents));
    BOOST_TEST(good.precision(1) > 0.9);
    BOOST_TEST(good.inverted == 0U);
    BOOST_TEST(!good.polarity_suspect());
    const auto noise_decodings = right.decode(stack(noisy, kDim).view(), documents_of(noisy));
    const auto bad_docs = probe::summarize(noise_decodings);
    BOOST_TEST(bad_docs.abstained > 20U);
    BOOST_TEST(bad_docs.inverted == 0U);
    BOOST_TEST(!bad_docs.polarity_suspect());

    // Codebook and vectors both saved with the opposite convention: every
    // document abstains, and says why.
    const hv::PackedMatrix flipped_rows = negated(book.view());
    const hv::cleanup::PackedMemory flipped(flipped_rows.view(), labels);
    const auto flipped_vectors = negated(vectors.view());
    const probe::Decoder wrong(flipped);
    const auto decodings = wrong.decode(flipped_vectors.view(), documents);
    const auto s = probe::summarize(decodings);
    BOOST_TEST(s.abstained == docs.size());
    BOOST_TEST(s.inverted == docs.size());
    BOOST_TEST(s.polarity_suspect());
    for (const auto& d : decodings) BOOST_TEST(d.inverted_cosine <= -0.3);
    // Float input (the mixed kernel's query path) sees the same.
    hv::DenseMatrix<float> as_float(docs.size(), kDim);
    for (std::size_t r = 0; r < docs.size(); ++r) {
      for (std::size_t i = 0; i < kDim; ++i) {
        as_float.row(r)[i] = static_cast<float>(flipped_vectors.row(r).component(i));
      }
    }
    BOOST_TEST(probe::summarize(wrong.decode(as_float.view(), documents)).polarity_suspect());

    // A context-free bundle against the negated codebook: its items score
    // strongly negative, so the document abstains and is flagged.
    std::vector<hv::PackedView> items = {book.row(3), book.row(30), book.row(300)};
    const auto bundle = hv::bipolar::majority(items, hv::TieBreak::toward_negative());
    const auto r = wrong.decode(bundle.view(), probe::Document{});
    BOOST_TEST(r.answers.empty());
    BOOST_TEST(r.inverted_cosine <= -0.3);
    BOOST_TEST(right.decode(bundle.view(), probe::Document{}).inverted_cosine == 0.0);

    // Summaries add the count, and more than half is needed.
    auto parts = probe::summarize(std::span(decodings).first(10));
    parts += probe::summarize(std::span(decodings).subspan(10));
    BOOST_TEST(parts.inverted == s.inverted);
    probe::Summary half;
    half.documents = 10;
    half.inverted = 5;
    BOOST_TEST(!half.polarity_suspect());
    half.inverted = 6;
    BOOST_TEST(half.polarity_suspect());
    BOOST_TEST(!probe::Summary{}.polarity_suspect());
  }
}

BOOST_AUTO_TEST_CASE(roles) {
  const probe::Document analogy{{10, 11, 12}, 13};
  BOOST_TEST(probe::Decoder::role_of(13, analogy) == "target");
  BOOST_TEST(probe::Decoder::role_of(10, analogy) == "example_key");
  BOOST_TEST(probe::Decoder::role_of(11, analogy) == "example_value");
  BOOST_TEST(probe::Decoder::role_of(12, analogy) == "key");
  BOOST_TEST(probe::Decoder::role_of(14, analogy) == "out_of_context");
  BOOST_TEST(probe::Decoder::role_of(std::nullopt, analogy) == "none");
  const probe::Document pair{{4, 5}, std::nullopt};
  BOOST_TEST(probe::Decoder::role_of(5, pair) == "context[1]");
}

BOOST_AUTO_TEST_CASE(bad_input_is_reported) {
  const auto book = hv::codebook::generate(numbered_labels(50), 256, 7);
  const probe::Decoder decoder(book);
  const auto v = hv::bipolar::random(256, 8);
  const auto check = [](auto&& call, const std::string& part) {
    try {
      call();
      BOOST_ERROR("no exception; expected one mentioning: " << part);
    } catch (const hv::Error& e) {
      BOOST_TEST_CONTEXT(e.what()) { BOOST_TEST(message_has(e, part)); }
    }
  };
  check([&] { decoder.decode(hv::bipolar::random(255, 8), probe::Document{}); }, "255");
  check([&] { decoder.decode(v, probe::Document{{1, 50}, std::nullopt}); }, "context atom id 50");
  check([&] { decoder.decode(v, probe::Document{{1}, 77}); }, "target id 77");
  std::vector<std::size_t> many(probe::kMaxContext + 1);
  std::iota(many.begin(), many.end(), std::size_t{0});
  check([&] { decoder.decode(v, probe::Document{many, std::nullopt}); }, "context atoms");
  std::vector<float> f(256, 1.0F);
  f[9] = std::numeric_limits<float>::quiet_NaN();
  check([&] { decoder.decode(f, probe::Document{}); }, "NaN or Inf at component 9");
  std::vector<float> zero(256, 0.0F);
  check([&] { decoder.decode(zero, probe::Document{}); }, "zero vector");
  probe::Options sign;
  sign.float_input = probe::FloatInput::sign;
  BOOST_CHECK_NO_THROW(probe::Decoder(book, sign).decode(zero, probe::Document{}));
  const hv::PackedMatrix two(2, 256);
  const std::vector<probe::Document> three(3);
  check([&] { decoder.decode(two.view(), three); }, "2 vectors but 3 documents");
  probe::Options bad;
  bad.k = 0;
  check([&] { probe::Decoder(book, bad); }, "k = 0");
  bad.k = 51;
  check([&] { probe::Decoder(book, bad); }, "k = 51");
  const hv::cleanup::PackedMemory empty(256);
  check([&] { probe::Decoder{empty}; }, "empty");
  // Repeated context atoms count once.
  const auto r = decoder.decode(v, probe::Document{{3, 3, 4}, std::nullopt});
  BOOST_TEST(r.queries == 4U);
}
