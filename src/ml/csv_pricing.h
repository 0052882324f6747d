// Pricing CSV text: the rows of an input CSV, each followed by its predicted price (and,
// when asked, its interval and the factors that explain it). One chunk of an input at a
// time (core/csv_chunker.h), so that `diamond predict` can price chunks on every core and
// a batch job can price a stored dataset in bounded memory; the concatenation of the
// chunks' output, in order, does not depend on how the input was cut.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/csv_chunker.h"
#include "core/diamond.h"
#include "core/diamond_csv.h"
#include "ml/model.h"

namespace diamond::ml {

struct CsvPricingOptions {
  bool skip_invalid = false;  // leave out rows that cannot be priced, and count them
  bool interval = false;      // add price_low and price_high
  double half_width = 0;      // of the interval, in log price (conformal.h)
  bool explain = false;       // add base_price and factor_<feature> per model feature
};

// The output's header line (with its newline): the input's header and the added columns.
std::string PricedCsvHeader(std::string_view input_header, const Model& model,
                            const CsvPricingOptions& options);

struct PricedChunk {
  std::string csv;        // the priced rows, each with its newline
  int64_t rows_read = 0;  // data rows in the chunk, valid or not
  int64_t rows_priced = 0;
  int64_t rows_skipped = 0;  // only with skip_invalid
  // The first row that could not be priced. Its `row` counts from the chunk's first row
  // (add the rows of earlier chunks); its `line` is the input's. Without skip_invalid the
  // chunk stops there and the whole input fails.
  std::optional<FieldError> first_rejected;
  bool stopped_at_rejected = false;  // without skip_invalid: the input fails there
  Status failure;                    // the input cannot be read on (malformed CSV): fatal
  bool fatal() const { return !failure.ok() || stopped_at_rejected; }
};

// Prices one chunk. Its header must already have been checked (ReadPricedHeader).
PricedChunk PriceCsvChunk(const Model& model, const CsvPricingOptions& options,
                          const CsvChunk& chunk);

// Checks the header of the input's first chunk; returns its raw text (without newline).
Result<std::string> ReadPricedHeader(const CsvChunk& first_chunk);

}  // namespace diamond::ml
