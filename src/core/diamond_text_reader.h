// Reading stones from CSV text held whole in memory — one chunk of an input
// (csv_chunker.h) — on the bulk pricing path of `diamond predict` and batch jobs.
//
// The same records, stones, row errors, line numbers and failures as a DiamondCsvReader
// over the same bytes, faster: when the text has no quote at all (the usual case: a quote
// is the only thing that can make a record span lines or a field hold a comma), each line
// is a record, found with memchr and decoded in one pass by DiamondColumns::ParsePlainRecord
// without splitting it into fields first; a record that pass cannot take (a space to trim,
// an exponent, a bad value) is split and judged by DiamondColumns::ToStone like any other,
// so its errors are word for word the streaming reader's. Text with a quote, or long enough
// to hold a record over CsvReader's limit, is read by a DiamondCsvReader.
// tests/core/diamond_text_reader_test.cc and fuzz/fuzz_csv.cc compare the two.
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "core/byte_source.h"
#include "core/csv_reader.h"
#include "core/diamond_csv.h"

namespace diamond {

class DiamondTextReader {
 public:
  using Outcome = DiamondCsvReader::Outcome;

  // `text` must outlive the reader; options.first_line numbers its first line.
  DiamondTextReader(std::string_view text, DiamondCsvOptions options);

  // As DiamondCsvReader's.
  Status ReadHeader();
  Outcome Next(Diamond* stone);
  std::string_view header_raw() const;
  std::string_view record_raw() const;  // the row Next just read, without its terminator
  int64_t record_line() const;          // the input line it starts on
  const std::vector<FieldError>& row_errors() const;
  int64_t rows_read() const;
  const Status& status() const;

 private:
  // The next line of text_ (without "\n" and one "\r" before it); false at the end.
  bool NextLine(std::string_view* line);

  // The general reader, for text the fast path does not take.
  std::unique_ptr<StringSource> source_;
  std::unique_ptr<DiamondCsvReader> general_;

  std::string_view text_;
  size_t position_ = 0;
  DiamondCsvOptions options_;
  DiamondColumns columns_;
  std::string_view header_raw_;
  std::string_view record_raw_;
  int64_t record_line_ = 0;
  int64_t next_line_ = 0;
  std::vector<std::string_view> fields_;  // of a record the fast pass did not take
  std::vector<FieldError> row_errors_;
  int64_t rows_read_ = 0;
  Status status_;
};

}  // namespace diamond
