#include "core/csv_chunker.h"

#include <algorithm>
#include <cstdint>
#include <cstring>

#include "core/csv_reader.h"

namespace diamond {
namespace {

constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";
constexpr size_t kReadBytes = 1 << 20;

// Calls on_end(offset after the newline) for each record that ends in `text`, which starts
// at a record's start, until on_end returns false. The states are CsvReader's.
template <typename OnEnd>
void ForEachRecordEnd(std::string_view text, OnEnd on_end) {
  enum class State { kFieldStart, kUnquoted, kQuoted, kQuoteInQuoted } state = State::kFieldStart;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    switch (state) {
      case State::kFieldStart:
      case State::kUnquoted:
      case State::kQuoteInQuoted:
        if (c == '"' && state == State::kFieldStart) {
          state = State::kQuoted;
        } else if (c == '"' && state == State::kQuoteInQuoted) {
          state = State::kQuoted;  // "" inside a quoted field
        } else if (c == ',') {
          state = State::kFieldStart;
        } else if (c == '\n') {
          state = State::kFieldStart;
          if (!on_end(i + 1)) return;
        } else {
          state = State::kUnquoted;
        }
        break;
      case State::kQuoted:
        if (c == '"') state = State::kQuoteInQuoted;
        break;
    }
  }
}

// The newlines in `text`. A plain loop over bytes counting into a byte-wide counter, block by
// block, so that the compiler turns it into vector compares (std::count runs a byte at a
// time, and counting every line of a large input this way is on the reading thread).
int64_t CountNewlines(std::string_view text) {
  int64_t total = 0;
  while (!text.empty()) {
    const size_t block = std::min<size_t>(text.size(), 255);  // a uint8_t cannot overflow
    uint8_t count = 0;
    for (size_t i = 0; i < block; ++i) count = static_cast<uint8_t>(count + (text[i] == '\n'));
    total += count;
    text.remove_prefix(block);
  }
  return total;
}

// A line CsvReader skips: nothing, or a lone CR, before its newline.
bool IsBlankLine(std::string_view line_with_newline) {
  return line_with_newline == "\n" || line_with_newline == "\r\n";
}

}  // namespace

size_t EndOfLastCsvRecord(std::string_view body) {
  if (std::memchr(body.data(), '"', body.size()) == nullptr) {
    // No quotes (the usual case): every newline ends a record.
    const void* last = body.empty() ? nullptr : memrchr(body.data(), '\n', body.size());
    return last == nullptr ? 0
                           : static_cast<size_t>(static_cast<const char*>(last) - body.data()) + 1;
  }
  size_t last_end = 0;
  ForEachRecordEnd(body, [&](size_t end) {
    last_end = end;
    return true;
  });
  return last_end;
}

CsvChunker::CsvChunker(ByteSource& source, size_t target_bytes)
    : source_(source), target_bytes_(std::max<size_t>(target_bytes, 1)) {}

Result<bool> CsvChunker::ReadMore(std::string* text) {
  if (eof_) return false;
  const size_t old_size = text->size();
  text->resize(old_size + std::max(kReadBytes, target_bytes_));
  auto count = source_.Read(text->data() + old_size, text->size() - old_size);
  text->resize(old_size + (count.ok() ? *count : 0));
  if (!count.ok()) return count.status();
  if (*count == 0) eof_ = true;
  return *count > 0;
}

Status CsvChunker::ReadHeaderRegion() {
  std::string data;
  size_t header_end = std::string::npos;
  while (header_end == std::string::npos) {
    auto more = ReadMore(&data);
    if (!more.ok()) return more.status();
    const size_t start = std::string_view(data).starts_with(kUtf8Bom) ? kUtf8Bom.size() : 0;
    size_t record_start = start;
    ForEachRecordEnd(std::string_view(data).substr(start), [&](size_t end) {
      const size_t absolute_end = start + end;
      if (!IsBlankLine(std::string_view(data).substr(record_start, absolute_end - record_start))) {
        header_end = absolute_end;
        return false;
      }
      record_start = absolute_end;
      return true;
    });
    // The end of input, or a header longer than CsvReader accepts (it will refuse it):
    // all of it is the header region.
    if (!*more || data.size() > CsvReader::kMaxRecordBytes + kReadBytes) break;
  }
  if (header_end == std::string::npos) header_end = data.size();
  carry_ = data.substr(header_end);
  data.resize(header_end);
  header_region_ = std::move(data);
  header_newlines_ = CountNewlines(header_region_);
  lines_before_carry_ = header_newlines_;
  return Status::Ok();
}

Result<bool> CsvChunker::Next(CsvChunk* chunk) {
  if (!started_) {
    started_ = true;
    if (Status s = ReadHeaderRegion(); !s.ok()) return s;
  } else if (eof_ && carry_.empty()) {
    return false;
  }
  std::string text;
  text.reserve(header_region_.size() + target_bytes_ + kReadBytes);
  text = header_region_;
  text += carry_;
  const size_t body_start = header_region_.size();
  size_t cut = 0;
  while (true) {
    const size_t body_size = text.size() - body_start;
    if (eof_) {
      cut = body_size;  // the rest, whatever it is: the reader judges the last record
      break;
    }
    if (body_size >= target_bytes_) {
      cut = EndOfLastCsvRecord(std::string_view(text).substr(body_start));
      // A record longer than the reader accepts is handed over whole, for it to refuse.
      if (cut > 0) break;
      if (body_size > CsvReader::kMaxRecordBytes + kReadBytes) {
        cut = body_size;
        break;
      }
    }
    auto more = ReadMore(&text);
    if (!more.ok()) return more.status();
  }
  carry_.assign(text, body_start + cut, std::string::npos);
  text.resize(body_start + cut);
  chunk->index = next_index_++;
  chunk->first_line_of_text = lines_before_carry_ - header_newlines_ + 1;
  lines_before_carry_ += CountNewlines(std::string_view(text).substr(body_start));
  chunk->text = std::move(text);
  return true;
}

}  // namespace diamond
