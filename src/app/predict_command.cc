// diamond predict: stream a CSV of stones through a model file, writing the same CSV with
// a price_predicted column. The input is cut into chunks of whole records (csv_chunker.h)
// that are priced on every core at once and written in input order, so the output is the
// same byte for byte whatever the thread count. Memory stays bounded whatever the input
// size: a few chunks per thread are in flight at a time.
#include <algorithm>
#include <deque>
#include <future>
#include <iostream>
#include <thread>

#include "app/cli_support.h"
#include "app/commands.h"
#include "app/input_file.h"
#include "app/output_file.h"
#include "app/progress.h"
#include "core/csv_chunker.h"
#include "ml/csv_pricing.h"

namespace diamond::app {
namespace {

constexpr std::string_view kCommand = "predict";

// Writes priced chunks in input order and keeps the counts; says how the run ends.
class PricedOutput {
 public:
  PricedOutput(OutputFile& output, std::string input_name)
      : output_(output), name_(std::move(input_name)) {}

  // Writes the chunk, or returns the exit code if the input fails in it.
  std::optional<int> Take(ml::PricedChunk chunk) {
    if (chunk.first_rejected) chunk.first_rejected->row += rows_before_;
    if (!chunk.failure.ok() && !chunk.stopped_at_rejected) {
      PrintError(kCommand, name_ + ": " + chunk.failure.message());
      return ExitCodeFor(chunk.failure);
    }
    if (chunk.stopped_at_rejected) {
      PrintError(kCommand, DescribeRowError(name_, *chunk.first_rejected));
      return kExitBadInput;
    }
    output_.Write(chunk.csv);
    if (!first_skipped_ && chunk.first_rejected) first_skipped_ = std::move(chunk.first_rejected);
    skipped_ += chunk.rows_skipped;
    rows_before_ += chunk.rows_read;
    return std::nullopt;
  }

  void ReportSkipped() const {
    if (skipped_ == 0) return;
    std::cerr << "diamond predict: skipped " << skipped_
              << " invalid row(s); first: " << DescribeRowError(name_, *first_skipped_)
              << std::endl;
  }

 private:
  OutputFile& output_;
  std::string name_;
  int64_t rows_before_ = 0;
  int64_t skipped_ = 0;
  std::optional<FieldError> first_skipped_;
};

}  // namespace

int RunPredict(const PredictArgs& args) {
  auto model_doc = LoadModel(args.model);
  if (!model_doc.ok()) {
    PrintError(kCommand, model_doc.status().message());
    return ExitCodeFor(model_doc.status());
  }
  const ml::Model& model = *model_doc->model;
  ml::CsvPricingOptions options{.skip_invalid = args.skip_invalid, .explain = args.explain};
  if (args.interval != 0) {
    if (!model_doc->calibration) {
      PrintError(kCommand,
                 "--interval: the model has no interval calibration (it was trained "
                 "without held-out rows)");
      return kExitBadInput;
    }
    auto width = model_doc->calibration->HalfWidth(args.interval);
    if (!width.ok()) {
      PrintError(kCommand, "--interval: " + width.status().message());
      return kExitBadInput;
    }
    options.interval = true;
    options.half_width = *width;
  }
  const unsigned threads = args.threads > 0 ? static_cast<unsigned>(args.threads)
                                            : std::max(1u, std::thread::hardware_concurrency());

  auto file = InputFile::Open(args.input);
  if (!file.ok()) {
    PrintError(kCommand, file.status().message());
    return ExitCodeFor(file.status());
  }
  const std::string& name = file->display_name();
  ProgressBar progress("pricing " + name, file->size());
  ObservedSource source(
      *file, [&](std::string_view bytes) { progress.Advance(static_cast<int64_t>(bytes.size())); });
  CsvChunker chunker(source, args.chunk_bytes);
  CsvChunk chunk;
  auto read_failed = [&](const Status& status) {
    PrintError(kCommand, name + ": " + status.message());
    return ExitCodeFor(status);
  };
  if (auto first = chunker.Next(&chunk); !first.ok()) return read_failed(first.status());
  auto header = ml::ReadPricedHeader(chunk);
  if (!header.ok()) {
    PrintError(kCommand, name + ": " + header.status().message());
    return ExitCodeFor(header.status());
  }
  auto output = OutputFile::Open(args.output);
  if (!output.ok()) {
    PrintError(kCommand, output.status().message());
    return ExitCodeFor(output.status());
  }
  output->Write(ml::PricedCsvHeader(*header, model, options));
  PricedOutput priced(*output, name);

  // Chunks being priced, oldest first; at most `threads` at once, while this thread reads
  // the next chunk and writes finished ones.
  std::deque<std::future<ml::PricedChunk>> in_flight;
  auto write_oldest = [&]() {
    auto result = in_flight.front().get();
    in_flight.pop_front();
    return priced.Take(std::move(result));
  };
  while (true) {
    if (threads == 1) {
      if (auto code = priced.Take(ml::PriceCsvChunk(model, options, chunk))) return *code;
    } else {
      while (in_flight.size() >= threads) {
        if (auto code = write_oldest()) return *code;
      }
      in_flight.push_back(std::async(std::launch::async, [&model, &options, c = std::move(chunk)] {
        return ml::PriceCsvChunk(model, options, c);
      }));
    }
    auto more = chunker.Next(&chunk);
    if (!more.ok()) return read_failed(more.status());
    if (!*more) break;
  }
  while (!in_flight.empty()) {
    if (auto code = write_oldest()) return *code;
  }
  if (Status s = output->Commit(); !s.ok()) {
    PrintError(kCommand, s.message());
    return kExitFailure;
  }
  priced.ReportSkipped();
  return kExitOk;
}

}  // namespace diamond::app
