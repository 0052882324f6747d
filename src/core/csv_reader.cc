#include "core/csv_reader.h"

#include <algorithm>
#include <cstring>

namespace diamond {
namespace {

constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";

}  // namespace

CsvReader::CsvReader(ByteSource& source, size_t initial_buffer, int64_t first_line)
    : source_(source),
      capacity_(std::clamp<size_t>(initial_buffer, 64, kMaxRecordBytes)),
      line_(first_line) {
  buffer_ = std::make_unique_for_overwrite<char[]>(capacity_);
}

void CsvReader::Fail(std::string message) {
  if (status_.ok()) status_ = Status::InvalidArgument(std::move(message));
}

bool CsvReader::Refill() {
  if (eof_ || !status_.ok()) return false;
  // Keep the unconsumed tail (a partial record) and move it to the front.
  if (begin_ > 0) {
    std::memmove(buffer_.get(), buffer_.get() + begin_, end_ - begin_);
    end_ -= begin_;
    begin_ = 0;
  }
  if (end_ == capacity_) {
    if (capacity_ >= kMaxRecordBytes) {
      Fail("line " + std::to_string(line_) + ": a record is longer than " +
           std::to_string(kMaxRecordBytes >> 20) + " MiB");
      return false;
    }
    const size_t grown = std::min(capacity_ * 2, kMaxRecordBytes);
    auto bigger = std::make_unique_for_overwrite<char[]>(grown);
    std::memcpy(bigger.get(), buffer_.get(), end_);
    buffer_ = std::move(bigger);
    capacity_ = grown;
  }
  auto count = source_.Read(buffer_.get() + end_, capacity_ - end_);
  if (!count.ok()) {
    status_ = count.status();  // an I/O error stays one
    return false;
  }
  if (*count == 0) {
    eof_ = true;
    return false;
  }
  end_ += *count;
  return true;
}

bool CsvReader::Next(CsvRecord* record) {
  if (!status_.ok()) return false;
  if (!started_) {
    started_ = true;
    while (end_ - begin_ < kUtf8Bom.size() && Refill()) {
    }
    if (!status_.ok()) return false;
    if (std::string_view(buffer_.get() + begin_, end_ - begin_).starts_with(kUtf8Bom)) {
      begin_ += kUtf8Bom.size();
    }
  }
  while (true) {
    if (begin_ == end_) {
      if (eof_ || !Refill()) return false;
      continue;
    }
    size_t next = 0;
    size_t raw_end = 0;
    int64_t newlines = 0;
    switch (ParseAt(begin_, &next, &raw_end, &newlines)) {
      case ParseOutcome::kNeedMore:
        // At end of input ParseAt never asks for more, so this loop ends.
        if (!Refill() && !status_.ok()) return false;
        continue;
      case ParseOutcome::kError:
        return false;
      case ParseOutcome::kBlankLine:
        ++line_;
        begin_ = next;
        continue;
      case ParseOutcome::kRecord:
        record->fields.resize(spans_.size());
        for (size_t i = 0; i < spans_.size(); ++i) {
          const char* base = spans_[i].in_scratch ? scratch_.data() : buffer_.get();
          record->fields[i] = std::string_view(base + spans_[i].offset, spans_[i].size);
        }
        record->raw = std::string_view(buffer_.get() + begin_, raw_end - begin_);
        record->line = line_;
        line_ += 1 + newlines;
        begin_ = next;
        return true;
    }
  }
}

// Parses one record starting at `start`. On kRecord, *next is where the following record
// starts, *raw_end where this one's bytes end (before its terminator), and *newlines how
// many line breaks sit inside its quoted fields.
CsvReader::ParseOutcome CsvReader::ParseAt(size_t start, size_t* next, size_t* raw_end,
                                           int64_t* newlines) {
  spans_.clear();
  scratch_.clear();
  *newlines = 0;
  const char* buf = buffer_.get();
  size_t p = start;

  // A blank line (LF, CRLF, or a lone CR at the very end) is skipped, not a record.
  if (buf[p] == '\n') {
    *next = p + 1;
    return ParseOutcome::kBlankLine;
  }
  if (buf[p] == '\r') {
    if (p + 1 == end_ && !eof_) return ParseOutcome::kNeedMore;
    if (p + 1 == end_ || buf[p + 1] == '\n') {
      *next = std::min(p + 2, end_);
      return ParseOutcome::kBlankLine;
    }
  }

  while (true) {
    if (spans_.size() >= kMaxFields) {
      Fail("line " + std::to_string(line_ + *newlines) + ": a record has more than " +
           std::to_string(kMaxFields) + " fields");
      return ParseOutcome::kError;
    }
    if (p < end_ && buf[p] == '"') {
      const size_t content = p + 1;
      size_t q = content;
      bool escaped = false;
      while (true) {
        const void* hit = std::memchr(buf + q, '"', end_ - q);
        if (hit == nullptr) {
          if (!eof_) return ParseOutcome::kNeedMore;
          Fail("line " + std::to_string(line_) + ": a quoted field is never closed");
          return ParseOutcome::kError;
        }
        const size_t quote = static_cast<size_t>(static_cast<const char*>(hit) - buf);
        if (quote + 1 == end_ && !eof_) return ParseOutcome::kNeedMore;
        if (quote + 1 < end_ && buf[quote + 1] == '"') {  // "" is an escaped quote
          escaped = true;
          q = quote + 2;
          continue;
        }
        *newlines += std::count(buf + content, buf + quote, '\n');
        if (!escaped) {
          spans_.push_back({false, content, quote - content});
        } else {
          const size_t offset = scratch_.size();
          for (size_t i = content; i < quote; ++i) {
            scratch_.push_back(buf[i]);
            if (buf[i] == '"') ++i;  // skip the second quote of the pair
          }
          spans_.push_back({true, offset, scratch_.size() - offset});
        }
        p = quote + 1;
        break;
      }
      if (p == end_) {
        if (!eof_) return ParseOutcome::kNeedMore;
        *raw_end = *next = p;
        return ParseOutcome::kRecord;
      }
      if (buf[p] == ',') {
        ++p;
        continue;
      }
      if (buf[p] == '\n') {
        *raw_end = p;
        *next = p + 1;
        return ParseOutcome::kRecord;
      }
      if (buf[p] == '\r') {
        if (p + 1 == end_ && !eof_) return ParseOutcome::kNeedMore;
        if (p + 1 == end_ || buf[p + 1] == '\n') {
          *raw_end = p;
          *next = std::min(p + 2, end_);
          return ParseOutcome::kRecord;
        }
      }
      Fail("line " + std::to_string(line_ + *newlines) +
           ": unexpected character after the closing quote of a field");
      return ParseOutcome::kError;
    }

    size_t q = p;
    while (q < end_ && buf[q] != ',' && buf[q] != '\n') ++q;
    if (q == end_ && !eof_) return ParseOutcome::kNeedMore;
    if (q < end_ && buf[q] == ',') {
      spans_.push_back({false, p, q - p});
      p = q + 1;
      continue;
    }
    size_t field_end = q;
    if (field_end > p && buf[field_end - 1] == '\r') --field_end;  // CRLF
    spans_.push_back({false, p, field_end - p});
    *raw_end = field_end;
    *next = (q == end_) ? q : q + 1;
    return ParseOutcome::kRecord;
  }
}

}  // namespace diamond
