#include "ml/csv_pricing.h"

#include <charconv>
#include <cmath>

#include "core/diamond_text_reader.h"
#include "core/price_format.h"
#include "ml/stone_pricing.h"

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

// A row's added price columns are assembled here, then appended to the output at once.
class PriceColumns {
 public:
  void Add(double price) {
    *end_++ = ',';
    end_ += FormatPrice(price, end_).size();
  }
  std::string_view text() const { return {text_, static_cast<size_t>(end_ - text_)}; }

 private:
  char text_[3 * (kPriceTextMax + 1)];  // price, low, high
  char* end_ = text_;
};

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
  DiamondTextReader reader(first_chunk.text, ReaderOptions(first_chunk));
  if (Status s = reader.ReadHeader(); !s.ok()) return s;
  return std::string(reader.header_raw());
}

PricedChunk PriceCsvChunk(const Model& model, const CsvPricingOptions& options,
                          const CsvChunk& chunk) {
  PricedChunk result;
  DiamondTextReader reader(chunk.text, ReaderOptions(chunk));
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
  const StonePricingOptions stone_options{
      .explain = options.explain, .interval = options.interval, .half_width = options.half_width};
  Explanation explanation;
  Diamond stone;
  while (true) {
    auto outcome = reader.Next(&stone);
    if (outcome == DiamondTextReader::Outcome::kEnd) break;
    if (outcome == DiamondTextReader::Outcome::kFailed) {
      result.failure = reader.status();
      break;
    }
    if (outcome == DiamondTextReader::Outcome::kInvalid) {
      if (!reject(reader.row_errors().front())) break;
      continue;
    }
    if (auto problem = CheckPriceable(stone)) {
      problem->row = reader.rows_read();
      problem->line = reader.record_line();
      if (!reject(std::move(*problem))) break;
      continue;
    }
    StonePrice priced;
    if (!PriceStone(model, stone, stone_options, &priced, &explanation)) {
      if (!reject(FieldError{reader.rows_read(), reader.record_line(), "",
                             "the predicted price is out of range (check carat and x, y, z)"})) {
        break;
      }
      continue;
    }
    PriceColumns prices;
    prices.Add(priced.price);
    if (options.interval) {
      prices.Add(priced.low);
      prices.Add(priced.high);
    }
    result.csv.append(reader.record_raw());
    result.csv.append(prices.text());
    if (options.explain) {
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
