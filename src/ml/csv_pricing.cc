#include "ml/csv_pricing.h"

#include <charconv>
#include <cmath>

#include "core/byte_source.h"
#include "core/price_format.h"

namespace diamond::ml {
namespace {

DiamondCsvOptions ReaderOptions(const CsvChunk& chunk) {
  return DiamondCsvOptions{.require_price = false, .first_line = chunk.first_line_of_text};
}

// Factors keep every digit (shortest round-trip form), so their product is the price.
void AppendExact(double value, std::string* out) {
  char text[32];
  auto end = std::to_chars(text, text + sizeof text, value).ptr;
  out->push_back(',');
  out->append(text, static_cast<size_t>(end - text));
}

void AppendPrice(double price, std::string* out) {
  char number[kPriceTextMax];
  out->push_back(',');
  out->append(FormatPrice(price, number));
}

}  // namespace

std::string PricedCsvHeader(std::string_view input_header, const Model& model,
                            const CsvPricingOptions& options) {
  std::string out(input_header);
  out += ",price_predicted";
  if (options.interval) out += ",price_low,price_high";
  if (options.explain) {
    out += ",base_price";
    for (Feature f : model.features()) {
      out += ",factor_";
      out += FeatureName(f);
    }
  }
  out += '\n';
  return out;
}

Result<std::string> ReadPricedHeader(const CsvChunk& first_chunk) {
  StringSource source(first_chunk.text);
  DiamondCsvReader reader(source, ReaderOptions(first_chunk));
  if (Status s = reader.ReadHeader(); !s.ok()) return s;
  return std::string(reader.header().raw);
}

PricedChunk PriceCsvChunk(const Model& model, const CsvPricingOptions& options,
                          const CsvChunk& chunk) {
  PricedChunk result;
  StringSource source(chunk.text);
  DiamondCsvReader reader(source, ReaderOptions(chunk));
  if (Status s = reader.ReadHeader(); !s.ok()) {
    result.failure = s;
    return result;
  }
  result.csv.reserve(chunk.text.size() + chunk.text.size() / 4);
  // A row that cannot be priced: the end of the chunk, or counted and left out.
  auto reject = [&](FieldError error) {
    if (!result.first_rejected) result.first_rejected = std::move(error);
    if (!options.skip_invalid) {
      result.stopped_at_rejected = true;
      return false;
    }
    ++result.rows_skipped;
    return true;
  };
  Explanation explanation;
  Diamond stone;
  while (true) {
    auto outcome = reader.Next(&stone);
    if (outcome == DiamondCsvReader::Outcome::kEnd) break;
    if (outcome == DiamondCsvReader::Outcome::kFailed) {
      result.failure = reader.status();
      break;
    }
    if (outcome == DiamondCsvReader::Outcome::kInvalid) {
      if (!reject(reader.row_errors().front())) break;
      continue;
    }
    if (auto problem = CheckPriceable(stone)) {
      problem->row = reader.rows_read();
      problem->line = reader.record().line;
      if (!reject(std::move(*problem))) break;
      continue;
    }
    const double log_price = model.PredictLogPrice(stone);
    const double price = std::exp(log_price);
    if (!std::isfinite(price)) {
      if (!reject(FieldError{reader.rows_read(), reader.record().line, "",
                             "the predicted price is out of range (check carat and x, y, z)"})) {
        break;
      }
      continue;
    }
    result.csv.append(reader.record().raw);
    AppendPrice(price, &result.csv);
    if (options.interval) {
      AppendPrice(std::exp(log_price - options.half_width), &result.csv);
      AppendPrice(std::exp(log_price + options.half_width), &result.csv);
    }
    if (options.explain) {
      model.Explain(stone, &explanation);
      AppendExact(std::exp(explanation.base), &result.csv);
      for (double effect : explanation.effects) AppendExact(std::exp(effect), &result.csv);
    }
    result.csv.push_back('\n');
    ++result.rows_priced;
  }
  result.rows_read = reader.rows_read();
  return result;
}

}  // namespace diamond::ml
