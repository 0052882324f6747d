// In-process benchmarks of the model path, on data generated from the reference CSV:
//   BM_ParseAndPredict  CSV text → validated stones → prices → priced CSV text (1M rows),
//                       through the streaming reader (DiamondCsvReader)
//   BM_PriceCsvChunks   the same text cut into 1 MiB chunks and priced as `diamond predict`
//                       and batch jobs price them (CsvChunker, PriceCsvChunk), one thread
//   BM_TrainLinear      the whole `train` step on the 5000 reference rows
//   BM_Gbdt{Predict,Explain}One  one stone through the default tree model (TreeSHAP)
// Run through bench/run_benchmarks.sh, which also times the `diamond predict` command.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "core/csv_chunker.h"
#include "core/diamond_csv.h"
#include "core/price_format.h"
#include "ml/csv_pricing.h"
#include "ml/gbdt_spec.h"
#include "ml/trainer.h"

namespace {

std::string ReferenceText() {
  std::string dir = DIAMOND_SHARED_DATA_DIR;
  if (const char* env = std::getenv("DIAMOND_DATA_DIR")) dir = env;
  std::ifstream in(dir + "/diamonds.csv", std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "bench: %s/diamonds.csv not found\n", dir.c_str());
    std::exit(2);
  }
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// The reference rows repeated until there are `rows` data rows, under its header.
const std::string& MillionRowCsv() {
  static const std::string csv = [] {
    const std::string reference = ReferenceText();
    const size_t header_end = reference.find('\n') + 1;
    std::string out = reference.substr(0, header_end);
    std::istringstream body(reference.substr(header_end));
    std::vector<std::string> lines;
    for (std::string line; std::getline(body, line);) lines.push_back(line);
    for (size_t i = 0; i < 1'000'000; ++i) (out += lines[i % lines.size()]) += '\n';
    return out;
  }();
  return csv;
}

std::vector<diamond::Diamond> ReferenceStones() {
  const std::string text = ReferenceText();
  diamond::StringSource source(text);
  diamond::LoadOptions options;
  options.csv.require_price = true;
  return diamond::LoadDiamondsCsv(source, options)->stones;
}

void BM_ParseAndPredict(benchmark::State& state) {
  const std::string& csv = MillionRowCsv();
  diamond::ml::LinearSpec spec;  // the seed's chosen model, linear4C-positive
  spec.positive = true;
  auto trained = diamond::ml::TrainLinear(ReferenceStones(), spec, diamond::ml::Validation{});
  if (!trained.ok()) {
    state.SkipWithError(trained.status().message().c_str());
    return;
  }
  const diamond::ml::Model& model = *trained->model;
  std::string out;
  out.reserve(csv.size() + 12 * 1'000'000);
  int64_t rows = 0;
  for (auto _ : state) {
    out.clear();
    diamond::StringSource source(csv);
    diamond::DiamondCsvReader reader(source, {});
    if (!reader.ReadHeader().ok()) state.SkipWithError("bad header");
    diamond::Diamond stone;
    char number[diamond::kPriceTextMax];
    while (true) {
      auto outcome = reader.Next(&stone);
      if (outcome == diamond::DiamondCsvReader::Outcome::kEnd) break;
      if (outcome != diamond::DiamondCsvReader::Outcome::kStone || diamond::CheckPriceable(stone)) {
        continue;
      }
      out += reader.record().raw;
      out += ',';
      out += diamond::FormatPrice(model.PredictPrice(stone), number);
      out += '\n';
      ++rows;
    }
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(rows);
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * csv.size()));
}
BENCHMARK(BM_ParseAndPredict)->Unit(benchmark::kMillisecond);

void BM_PriceCsvChunks(benchmark::State& state) {
  const std::string& csv = MillionRowCsv();
  diamond::ml::LinearSpec spec;
  spec.positive = true;
  auto trained = diamond::ml::TrainLinear(ReferenceStones(), spec, diamond::ml::Validation{});
  if (!trained.ok()) {
    state.SkipWithError(trained.status().message().c_str());
    return;
  }
  const diamond::ml::CsvPricingOptions options{.skip_invalid = true};
  int64_t rows = 0;
  for (auto _ : state) {
    diamond::StringSource source(csv);
    diamond::CsvChunker chunker(source, 1 << 20);
    diamond::CsvChunk chunk;
    size_t bytes_out = 0;
    while (*chunker.Next(&chunk)) {
      const auto priced = diamond::ml::PriceCsvChunk(*trained->model, options, chunk);
      bytes_out += priced.csv.size();
      rows += priced.rows_priced;
    }
    benchmark::DoNotOptimize(bytes_out);
  }
  state.SetItemsProcessed(rows);
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * csv.size()));
}
BENCHMARK(BM_PriceCsvChunks)->Unit(benchmark::kMillisecond);

void BM_TrainLinear(benchmark::State& state) {
  const auto stones = ReferenceStones();
  diamond::ml::LinearSpec spec;
  spec.positive = state.range(0) != 0;
  for (auto _ : state) {
    auto outcome = diamond::ml::TrainLinear(stones, spec, diamond::ml::Validation{});
    benchmark::DoNotOptimize(outcome.ok());
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * stones.size()));
}
BENCHMARK(BM_TrainLinear)->Arg(1)->Arg(0)->Unit(benchmark::kMillisecond);

void BM_TrainLinearAllFeatures(benchmark::State& state) {
  const auto stones = ReferenceStones();
  diamond::ml::LinearSpec spec;
  spec.selector.assign(diamond::ml::AllFeatures().begin(), diamond::ml::AllFeatures().end());
  spec.positive = true;
  for (auto _ : state) {
    auto outcome = diamond::ml::TrainLinear(stones, spec, diamond::ml::Validation{});
    benchmark::DoNotOptimize(outcome.ok());
  }
}
BENCHMARK(BM_TrainLinearAllFeatures)->Unit(benchmark::kMillisecond);

// The default tree model on the 80/20 split, trained once.
const diamond::ml::Model& DefaultTrees() {
  static const std::shared_ptr<const diamond::ml::Model> model = [] {
    const diamond::ml::ModelSpec spec{diamond::ml::GbdtSpec{}};
    return diamond::ml::Train(ReferenceStones(), spec, diamond::ml::Validation{})->model;
  }();
  return *model;
}

void BM_GbdtPredictOne(benchmark::State& state) {
  const auto stones = ReferenceStones();
  const auto& model = DefaultTrees();
  size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(model.PredictLogPrice(stones[i++ % stones.size()]));
  }
}
BENCHMARK(BM_GbdtPredictOne);

void BM_GbdtExplainOne(benchmark::State& state) {
  const auto stones = ReferenceStones();
  const auto& model = DefaultTrees();
  diamond::ml::Explanation explanation;
  size_t i = 0;
  for (auto _ : state) {
    model.Explain(stones[i++ % stones.size()], &explanation);
    benchmark::DoNotOptimize(explanation.base);
  }
}
BENCHMARK(BM_GbdtExplainOne);
void BM_GbdtExplainSame(benchmark::State& state) {
  const auto stones = ReferenceStones();
  const auto& model = DefaultTrees();
  diamond::ml::Explanation explanation;
  for (auto _ : state) {
    model.Explain(stones[7], &explanation);
    benchmark::DoNotOptimize(explanation.base);
  }
}
BENCHMARK(BM_GbdtExplainSame);

}  // namespace

BENCHMARK_MAIN();
