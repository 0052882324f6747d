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

// Which column of an input holds which field (from its header), and how a record becomes
// a stone. Shared by the streaming reader below and the in-memory one
// (diamond_text_reader.h), so that both judge every record the same way.
class DiamondColumns {
 public:
  DiamondColumns() = default;
  // From the header record's fields. An error (InvalidArgument) lists every missing column.
  static Result<DiamondColumns> FromHeader(const std::vector<std::string_view>& names,
                                           bool require_price);

  // Converts a record's fields into *stone and returns true; otherwise appends each of its
  // problems, with `row` and `line`, to *errors and returns false.
  bool ToStone(const std::vector<std::string_view>& fields, int64_t row, int64_t line,
               Diamond* stone, std::vector<FieldError>* errors) const;

  // The fast path for a record without quotes (`record` without its line terminator):
  // true if every field read is in its plainest form — numbers plain decimals
  // (ScanPlainDecimal), grades exact, nothing to trim — and then *stone is exactly what
  // ToStone gives. False says only that ToStone must judge the record.
  bool ParsePlainRecord(std::string_view record, Diamond* stone) const;

  bool has_price() const { return column_of_[static_cast<size_t>(InputField::kPrice)].has_value(); }

 private:
  std::array<std::optional<size_t>, kNumInputFields> column_of_{};
  bool require_price_ = false;
  // The field each column holds (kIgnoredColumn for none), up to the last column read.
  static constexpr int8_t kIgnoredColumn = -1;
  std::vector<int8_t> field_at_;
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
  bool has_price_column() const { return columns_.has_price(); }
  const Status& status() const { return status_; }

 private:
  CsvReader csv_;
  DiamondCsvOptions options_;
  CsvRecord header_;
  std::string header_storage_;  // header_ views point here, not into the moving buffer
  CsvRecord record_;
  DiamondColumns columns_;
  std::vector<FieldError> row_errors_;
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
