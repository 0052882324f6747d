// Reading stones from CSV: header-driven column order, per-row validation.
//
// The header names the columns (in any order, case-insensitive, surrounding spaces
// ignored); columns other than the nine inputs and price are ignored. Every row is checked
// field by field, and every problem is reported with its row, line and column.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/csv_reader.h"
#include "core/diamond.h"

namespace diamond {

struct DiamondCsvOptions {
  bool require_price = false;  // training data: a missing price is an error
  int64_t first_line = 1;      // the line number of the source's first byte (csv_chunker.h)
};

class DiamondCsvReader {
 public:
  enum class Outcome {
    kStone,    // *stone holds a valid row
    kInvalid,  // the row is bad; its errors are in row_errors()
    kEnd,      // no more rows
    kFailed,   // the input cannot be read further (malformed CSV, I/O); see status()
  };

  DiamondCsvReader(ByteSource& source, DiamondCsvOptions options);

  // Reads and checks the header: every required column present. Must be called first.
  // An error lists every missing column.
  Status ReadHeader();

  Outcome Next(Diamond* stone);

  const CsvRecord& header() const { return header_; }
  const CsvRecord& record() const { return record_; }  // the row Next just read
  const std::vector<FieldError>& row_errors() const { return row_errors_; }
  int64_t rows_read() const { return rows_read_; }  // data rows so far, valid or not
  bool has_price_column() const { return column_of_[Index(InputField::kPrice)].has_value(); }
  const Status& status() const { return status_; }

 private:
  static size_t Index(InputField f) { return static_cast<size_t>(f); }
  void AddError(InputField field, std::string message);

  CsvReader csv_;
  DiamondCsvOptions options_;
  CsvRecord header_;
  std::string header_storage_;  // header_ views point here, not into the moving buffer
  CsvRecord record_;
  std::array<std::optional<size_t>, kNumInputFields> column_of_{};
  std::vector<FieldError> row_errors_;
  std::string error_text_;  // reused, so a valid row allocates nothing
  int64_t rows_read_ = 0;
  Status status_;
};

// All valid stones of an input, and what was wrong with the rest.
struct DiamondTable {
  std::vector<Diamond> stones;
  int64_t rows_read = 0;
  int64_t rows_invalid = 0;
  std::vector<FieldError> errors;  // the first `max_errors` errors
};

struct LoadOptions {
  DiamondCsvOptions csv;
  bool skip_invalid = false;  // keep the good rows and count the bad ones
  size_t max_errors = 100;
};

// Why a load was refused because of invalid rows.
struct InvalidRows {
  int64_t rows_invalid = 0;
  std::vector<FieldError> errors;  // the first max_errors problems across the whole input
};

// Reads a whole CSV input. Fails (InvalidArgument) on a bad header or malformed CSV, and,
// unless skip_invalid, if any row is invalid: then *invalid (if given) says which.
Result<DiamondTable> LoadDiamondsCsv(ByteSource& source, const LoadOptions& options,
                                     InvalidRows* invalid = nullptr);

// Quotes a user-supplied value for an error message: at most 40 characters, control
// and non-ASCII bytes escaped, so hostile input cannot forge log lines.
std::string QuoteValue(std::string_view value);

}  // namespace diamond
