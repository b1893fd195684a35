// `hypervec stats`: codebook health: mean and max |cos| between rows against random-vector
// theory, and a histogram. Exit 4 when rows are far more similar than random.
#include "src/cli/common.hpp"

#include <hypervec/bipolar.hpp>

#include "src/file_io.hpp"

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

namespace hv = hypervec;

namespace hypervec::cli {
namespace {

struct StatsArgs {
  CodebookArgs codebook;
  std::size_t bins = 24;
};

int cmd_stats(const CodebookArgs& cba, std::size_t bins) {
  const auto book = load_codebook(cba);
  const std::size_t m = book.size();
  const std::size_t dim = book.dim();
  if (m < 2) input_error("the codebook has ", m, " row; stats need at least 2");
  const double sigma = 1 / std::sqrt(static_cast<double>(dim));
  std::vector<std::size_t> histogram(bins, 0);
  double max_abs = 0, sum_abs = 0;
  std::size_t max_i = 0, max_j = 1;
  const double range = 6 * sigma;  // histogram of cos over [-6σ, 6σ], outliers in the end bins
  for (std::size_t i = 0; i < m; ++i) {
    for (std::size_t j = i + 1; j < m; ++j) {
      const double c = hv::bipolar::cosine(book.row(i), book.row(j));
      sum_abs += std::abs(c);
      if (std::abs(c) > max_abs) {
        max_abs = std::abs(c);
        max_i = i;
        max_j = j;
      }
      const double t = (c + range) / (2 * range) * static_cast<double>(bins);
      const auto b = static_cast<std::size_t>(std::clamp(t, 0.0, static_cast<double>(bins) - 1));
      ++histogram[b];
    }
  }
  const double pairs = static_cast<double>(m) * static_cast<double>(m - 1) / 2;
  const double expected_mean = sigma * std::sqrt(2 / std::acos(-1.0));
  // Largest |cos| of P independent N(0, σ²) pairs: ≈ σ √(2 ln(2P)) (two tails).
  const double expected_max = sigma * std::sqrt(2 * std::log(2 * pairs));
  std::string text;
  appendf(text, "codebook: %zu rows, D = %zu, %.0f pairs\n", m, dim, pairs);
  appendf(text, "mean |cos| %.5f  (random rows: sigma*sqrt(2/pi) = %.5f)\n", sum_abs / pairs,
          expected_mean);
  appendf(text, "max  |cos| %.5f  between \"%s\" and \"%s\"  (random rows: about %.5f)\n", max_abs,
          shown(book.label(max_i)).c_str(), shown(book.label(max_j)).c_str(), expected_max);
  std::size_t peak = *std::max_element(histogram.begin(), histogram.end());
  for (std::size_t b = 0; b < bins; ++b) {
    const double lo = -range + 2 * range * static_cast<double>(b) / static_cast<double>(bins);
    const auto bar = static_cast<int>(50.0 * static_cast<double>(histogram[b]) /
                                      static_cast<double>(std::max<std::size_t>(peak, 1)));
    appendf(text, "%+8.4f %10zu %.*s\n", lo, histogram[b], bar,
            "##################################################");
  }
  const bool healthy = max_abs <= expected_max + 1.5 * sigma;
  appendf(text, "%s\n", healthy ? "healthy: rows are as orthogonal as random vectors"
                                : "WARNING: some rows are far more similar than random vectors");
  hv::detail::AtomicOutput out("-", "stats");
  out.write(text);
  out.commit();
  return healthy ? 0 : 4;
}

}  // namespace

Command stats_command(CLI::App& app) {
  auto a = std::make_shared<StatsArgs>();
  auto* cmd = app.add_subcommand("stats", "codebook health: |cos| between rows");
  add_codebook_options(cmd, a->codebook);
  cmd->add_option("--bins", a->bins, "histogram bins (1 to 10000)")
      ->check(kUnsigned & CLI::Range(std::size_t{1}, std::size_t{10000}));
  return {cmd, [a] { return cmd_stats(a->codebook, a->bins); }};
}

}  // namespace hypervec::cli
