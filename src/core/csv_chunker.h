// CsvChunker: cuts a CSV input into chunks of whole records, so that several threads can
// parse and price one input at once while its output keeps the input's order.
//
// Every chunk's text starts with the input's header region (byte-order mark, blank lines
// and the header record, exactly as they appear in the input), followed by whole records:
// a CsvReader over a chunk's text sees the same header and the same records, with the same
// line numbers (first_line_of_text), as a reader over the whole input. Records are cut only
// where CsvReader ends one — a newline outside a quoted field — so a quoted field with line
// breaks stays in one chunk. Not thread-safe (one reader thread); chunks are independent.
#pragma once

#include <cstdint>
#include <string>

#include "core/byte_source.h"
#include "core/status.h"

namespace diamond {

struct CsvChunk {
  int64_t index = 0;  // 0, 1, 2, ... in input order
  std::string text;   // header region + whole records
  // The line number to give a CsvReader for text's first byte, so that it numbers the
  // records as they are numbered in the whole input.
  int64_t first_line_of_text = 1;
};

class CsvChunker {
 public:
  // `target_bytes`: records are cut after about this many bytes of body (a record longer
  // than that makes a larger chunk; CsvReader refuses records over its own limit).
  CsvChunker(ByteSource& source, size_t target_bytes);

  // The next chunk, or false at the end of input. The first chunk always exists (even for
  // an empty input: then its text is empty, and a reader reports the missing header).
  Result<bool> Next(CsvChunk* chunk);

 private:
  Status ReadHeaderRegion();
  // Reads more input onto the end of *text; false at end of input.
  Result<bool> ReadMore(std::string* text);

  ByteSource& source_;
  size_t target_bytes_;
  bool started_ = false;
  bool eof_ = false;
  std::string header_region_;
  int64_t header_newlines_ = 0;
  std::string carry_;  // bytes read past the last cut: the start of the next chunk's body
  int64_t lines_before_carry_ = 0;  // newlines in the input before carry_
  int64_t next_index_ = 0;
};

// Where the last whole record of `body` ends (the offset after its newline), given that
// `body` starts at a record's start; 0 if no record ends in it. Follows CsvReader's rules:
// a quote opens a quoted field only at a field's start, and "" inside one is a quote.
size_t EndOfLastCsvRecord(std::string_view body);

}  // namespace diamond
