// Scoring declarations with the learned risk score (src/risk) on one core:
// trains a model on ../shared/data/customs-declarations/train.csv (as
// `zonegate risk train` does), then scores valid.csv's declarations over and
// over. Baselines in the same run: encoding the features alone, and one
// hash-map look-up per declaration (the cheapest thing a score could do).
//
//   build-bench/bench/zonegate_bench_risk [PASSES]   (default 200 passes over 8,134: 1.6 M
//   scores; each figure the best of five runs)
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <unordered_map>

#include "risk/model.h"
#include "risk/train.h"

namespace {

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

int main(int argc, char** argv) {
  using Clock = std::chrono::steady_clock;
  const int passes = argc > 1 ? std::atoi(argv[1]) : 200;
  const std::string data = std::string(ZG_SOURCE_DIR) + "/../shared/data/customs-declarations/";
  auto train = zg::risk::read_declarations(slurp(data + "train.csv"), true);
  auto valid = zg::risk::read_declarations(slurp(data + "valid.csv"), true);
  if (!train.is_ok() || !valid.is_ok()) {
    std::fprintf(stderr, "cannot read %s\n", data.c_str());
    return 2;
  }
  zg::risk::TrainReport report;
  auto model = zg::risk::train_model(*train, nullptr, zg::risk::TrainOptions{}, report, nullptr);
  if (!model.is_ok()) {
    std::fprintf(stderr, "%s\n", model.status().first().message.c_str());
    return 2;
  }
  const std::vector<zg::risk::DeclarationRow>& rows = valid->rows;
  const double n = static_cast<double>(rows.size()) * passes;
  const auto seconds = [](Clock::time_point t) {
    return std::chrono::duration<double>(Clock::now() - t).count();
  };

  // Each figure is the best of five runs: this machine is shared and noisy.
  const auto best_of_five = [&](auto&& work) {
    double best = 1e300;
    for (int run = 0; run < 5; ++run) {
      const auto start = Clock::now();
      for (int p = 0; p < passes / 5; ++p) work();
      best = std::min(best, seconds(start) / (n / 5));
    }
    return best;
  };
  double check = 0;
  const double score_s = best_of_five([&] {
    for (double s : model->score(rows)) check += s;
  });

  const size_t width = zg::risk::Encoder::feature_count();
  std::vector<float> x(width);
  const double encode_s = best_of_five([&] {
    for (const auto& row : rows) {
      model->encoder.encode(row, x.data());
      check += x[0];
    }
  });

  std::unordered_map<std::string, int> importers;
  for (const auto& row : train->rows) importers[row.categories[zg::risk::kImporter]] = 1;
  const double lookup_s = best_of_five([&] {
    for (const auto& row : rows) {
      check += static_cast<double>(importers.count(row.categories[zg::risk::kImporter]));
    }
  });

  std::printf("model: %zu trees of depth %d, %zu features\n", model->forest.trees(),
              model->forest.depth(), width);
  std::printf("score:            %8.0f declarations/s (%.2f us each; target 500,000/s)\n",
              1 / score_s, score_s * 1e6);
  std::printf("  encoding alone: %8.0f/s (%.2f us, %.0f %% of a score)\n", 1 / encode_s,
              encode_s * 1e6, 100 * encode_s / score_s);
  std::printf("  one look-up:    %8.0f/s (a score costs %.0fx)\n", 1 / lookup_s,
              score_s / lookup_s);
  std::printf("(checksum %.3f)\n", check);
  return 0;
}
