// Times tree training through our C++ path (ml::FitGbdt: features, DMatrix, every boosting
// round through XGBoost's C API, the model saved as JSON and read back into our evaluator)
// on the reference rows, and writes the exact float features and labels it trained on so
// bench/xgboost_train_reference.py can time Debian's python3-xgboost on the same bytes.
//
// Usage: bench_gbdt_train REFERENCE_CSV MATRIX_OUT THREADS REPS
// Prints one line per repetition: "cpp <seconds>". Early stopping is off, so both sides
// run exactly the same rounds (see bench/gbdt_train.sh for the parameters).
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "core/byte_source.h"
#include "core/diamond_csv.h"
#include "ml/cleaning.h"
#include "ml/gbdt_model.h"
#include "ml/gbdt_training.h"

int main(int argc, char** argv) {
  if (argc != 5) {
    std::fprintf(stderr, "usage: %s REFERENCE_CSV MATRIX_OUT THREADS REPS\n", argv[0]);
    return 2;
  }
  std::ifstream in(argv[1], std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  const std::string csv = text.str();
  diamond::StringSource source(csv);
  diamond::LoadOptions options;
  options.csv.require_price = true;
  auto table = diamond::LoadDiamondsCsv(source, options);
  if (!table.ok()) {
    std::fprintf(stderr, "bench: %s\n", table.status().message().c_str());
    return 2;
  }
  diamond::ml::CleaningReport report;
  const std::vector<diamond::Diamond> rows = diamond::ml::CleanForTraining(table->stones, &report);

  diamond::ml::GbdtSpec spec;  // the defaults: depth 3, eta 0.1, 400 rounds, 0.8/0.8
  spec.early_stopping_rounds = 0;
  spec.threads = std::atoi(argv[3]);
  const int reps = std::atoi(argv[4]);

  // What FitGbdt trains on with early stopping off: the transform fitted on all rows.
  const auto transform = diamond::ml::FitFeatureTransform(rows);
  std::vector<float> matrix = diamond::ml::GbdtFeatureMatrix(rows, spec.selector, transform);
  double mean = 0;
  std::vector<float> labels;
  for (const auto& stone : rows) {
    labels.push_back(static_cast<float>(std::log(*stone.price)));
    mean += std::log(*stone.price);
  }
  mean /= static_cast<double>(rows.size());
  std::ofstream out(argv[2], std::ios::binary);
  const uint64_t shape[2] = {rows.size(), spec.selector.size()};
  out.write(reinterpret_cast<const char*>(shape), sizeof shape);
  out.write(reinterpret_cast<const char*>(&mean), sizeof mean);  // the base_score we set
  out.write(reinterpret_cast<const char*>(matrix.data()),
            static_cast<std::streamsize>(matrix.size() * sizeof(float)));
  out.write(reinterpret_cast<const char*>(labels.data()),
            static_cast<std::streamsize>(labels.size() * sizeof(float)));
  out.close();

  for (int rep = 0; rep < reps; ++rep) {
    const auto start = std::chrono::steady_clock::now();
    auto model = diamond::ml::FitGbdt(rows, spec);
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (!model.ok() || model->rounds() != static_cast<size_t>(spec.n_estimators)) {
      std::fprintf(stderr, "bench: training failed\n");
      return 1;
    }
    std::printf("cpp %.4f\n", seconds);
    std::fflush(stdout);
  }
  return 0;
}
