// A streaming RFC 4180 CSV reader.
//
// Reads records one at a time from a ByteSource through a buffer that grows only to the
// size of the longest record, so a file of any length is read in bounded memory.
// Handles quoted fields (with "" escapes and embedded newlines), CRLF and LF line ends,
// a UTF-8 byte-order mark, and skips blank lines. Not thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/byte_source.h"
#include "core/status.h"

namespace diamond {

struct CsvRecord {
  std::vector<std::string_view> fields;  // unquoted, unescaped
  std::string_view raw;                  // the record's bytes, without its line terminator
  int64_t line = 0;                      // 1-based physical line where the record starts
};

class CsvReader {
 public:
  // The longest record accepted; a longer one is an error, not an unbounded allocation.
  static constexpr size_t kMaxRecordBytes = 16 << 20;
  // The most fields in one record. Each field costs its span and view (and a header's a
  // name), so a line of commas multiplied its size in memory: a 4 MiB header of commas
  // took +474 MB (issue 30). A diamond file has ten columns.
  static constexpr size_t kMaxFields = 1024;

  // `first_line`: the line number of the source's first byte (a chunk of a larger input
  // starts further down; see csv_chunker.h).
  explicit CsvReader(ByteSource& source, size_t initial_buffer = 1 << 20, int64_t first_line = 1);

  // Reads the next record into *record; its views stay valid until the next call.
  // Returns false at the end of input, or on an error (then status() is not OK).
  bool Next(CsvRecord* record);

  const Status& status() const { return status_; }

 private:
  // Where a field's bytes are: in the input buffer, or in scratch_ after unescaping.
  struct FieldSpan {
    bool in_scratch;
    size_t offset;
    size_t size;
  };
  enum class ParseOutcome { kRecord, kBlankLine, kNeedMore, kError };

  ParseOutcome ParseAt(size_t start, size_t* next, size_t* raw_end, int64_t* newlines);
  bool Refill();  // makes room and reads more; false at end of input or on error
  void Fail(std::string message);

  ByteSource& source_;
  // Uninitialised storage: a resize of a std::string would zero-fill a megabyte per reader.
  std::unique_ptr<char[]> buffer_;
  size_t capacity_ = 0;
  size_t begin_ = 0;  // first unconsumed byte
  size_t end_ = 0;    // one past the last valid byte
  bool eof_ = false;
  bool started_ = false;
  int64_t line_ = 1;
  std::vector<FieldSpan> spans_;
  std::string scratch_;
  Status status_;
};

}  // namespace diamond
