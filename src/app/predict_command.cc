// diamond predict: stream a CSV of stones through a model file, writing the same CSV with
// a price_predicted column. Memory stays bounded whatever the input size.
#include <charconv>
#include <cmath>
#include <iostream>

#include "app/cli_support.h"
#include "app/commands.h"
#include "app/input_file.h"
#include "app/output_file.h"
#include "app/progress.h"
#include "core/price_format.h"

namespace diamond::app {

int RunPredict(const PredictArgs& args) {
  constexpr std::string_view kCommand = "predict";
  auto model_doc = LoadModel(args.model);
  if (!model_doc.ok()) {
    PrintError(kCommand, model_doc.status().message());
    return ExitCodeFor(model_doc.status());
  }
  const ml::Model& model = *model_doc->model;
  double half_width = 0;  // of the interval, in log price
  if (args.interval != 0) {
    if (!model_doc->calibration) {
      PrintError(kCommand, "--interval: the model has no interval calibration (it was trained "
                           "without held-out rows)");
      return kExitBadInput;
    }
    auto width = model_doc->calibration->HalfWidth(args.interval);
    if (!width.ok()) {
      PrintError(kCommand, "--interval: " + width.status().message());
      return kExitBadInput;
    }
    half_width = *width;
  }

  auto file = InputFile::Open(args.input);
  if (!file.ok()) {
    PrintError(kCommand, file.status().message());
    return ExitCodeFor(file.status());
  }
  const std::string& name = file->display_name();
  ProgressBar progress("pricing " + name, file->size());
  ObservedSource source(*file, [&](std::string_view bytes) {
    progress.Advance(static_cast<int64_t>(bytes.size()));
  });
  DiamondCsvReader reader(source, DiamondCsvOptions{.require_price = false});
  if (Status s = reader.ReadHeader(); !s.ok()) {
    PrintError(kCommand, name + ": " + s.message());
    return ExitCodeFor(s);
  }
  auto output = OutputFile::Open(args.output);
  if (!output.ok()) {
    PrintError(kCommand, output.status().message());
    return ExitCodeFor(output.status());
  }
  output->Write(reader.header().raw);
  output->Write(",price_predicted");
  if (args.interval != 0) output->Write(",price_low,price_high");
  if (args.explain) {
    output->Write(",base_price");
    for (ml::Feature f : model.features()) {
      output->Write(",factor_");
      output->Write(ml::FeatureName(f));
    }
  }
  output->Write("\n");
  ml::Explanation explanation;
  // Factors keep every digit (shortest round-trip form), so their product is the price.
  auto write_exact = [&](double value) {
    char text[32];
    auto end = std::to_chars(text, text + sizeof text, value).ptr;
    output->Write(",");
    output->Write(std::string_view(text, static_cast<size_t>(end - text)));
  };

  int64_t skipped = 0;
  std::optional<FieldError> first_skipped;
  Diamond stone;
  char number[kPriceTextMax];
  // A row that cannot be priced: fatal, or counted and left out with --skip-invalid.
  auto reject = [&](FieldError error) {
    if (!args.skip_invalid) {
      PrintError(kCommand, DescribeRowError(name, error));
      return false;
    }
    if (!first_skipped) first_skipped = std::move(error);
    ++skipped;
    return true;
  };
  while (true) {
    auto outcome = reader.Next(&stone);
    if (outcome == DiamondCsvReader::Outcome::kEnd) break;
    if (outcome == DiamondCsvReader::Outcome::kFailed) {
      PrintError(kCommand, name + ": " + reader.status().message());
      return ExitCodeFor(reader.status());
    }
    if (outcome == DiamondCsvReader::Outcome::kInvalid) {
      if (!reject(reader.row_errors().front())) return kExitBadInput;
      continue;
    }
    if (auto problem = CheckPriceable(stone)) {
      problem->row = reader.rows_read();
      problem->line = reader.record().line;
      if (!reject(std::move(*problem))) return kExitBadInput;
      continue;
    }
    const double log_price = model.PredictLogPrice(stone);
    const double price = std::exp(log_price);
    if (!std::isfinite(price)) {
      if (!reject(FieldError{reader.rows_read(), reader.record().line, "",
                             "the predicted price is out of range (check carat and x, y, z)"})) {
        return kExitBadInput;
      }
      continue;
    }
    output->Write(reader.record().raw);
    output->Write(",");
    output->Write(FormatPrice(price, number));
    if (args.interval != 0) {
      output->Write(",");
      output->Write(FormatPrice(std::exp(log_price - half_width), number));
      output->Write(",");
      output->Write(FormatPrice(std::exp(log_price + half_width), number));
    }
    if (args.explain) {
      model.Explain(stone, &explanation);
      write_exact(std::exp(explanation.base));
      for (double effect : explanation.effects) write_exact(std::exp(effect));
    }
    output->Write("\n");
  }
  if (Status s = output->Commit(); !s.ok()) {
    PrintError(kCommand, s.message());
    return kExitFailure;
  }
  if (skipped > 0) {
    std::cerr << "diamond predict: skipped " << skipped << " invalid row(s); first: "
              << DescribeRowError(name, *first_skipped) << std::endl;
  }
  return kExitOk;
}

}  // namespace diamond::app
