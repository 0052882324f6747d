#include "core/diamond_text_reader.h"

#include <cstring>

namespace diamond {
namespace {

constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";

// Whether every record of `text` is one line with its fields between commas. A text
// shorter than CsvReader's record limit cannot hold a record the streaming reader refuses.
bool IsPlainText(std::string_view text) {
  return text.size() < CsvReader::kMaxRecordBytes &&
         std::memchr(text.data(), '"', text.size()) == nullptr;
}

// A record's fields as CsvReader gives them for a line without quotes.
void SplitFields(std::string_view record, std::vector<std::string_view>* fields) {
  fields->clear();
  while (true) {
    const size_t comma = record.find(',');
    fields->push_back(record.substr(0, comma));
    if (comma == std::string_view::npos) return;
    record.remove_prefix(comma + 1);
  }
}

}  // namespace

DiamondTextReader::DiamondTextReader(std::string_view text, DiamondCsvOptions options)
    : text_(text), options_(options), next_line_(options.first_line) {
  if (!IsPlainText(text)) {
    source_ = std::make_unique<StringSource>(text);
    general_ = std::make_unique<DiamondCsvReader>(*source_, options);
  } else if (text_.starts_with(kUtf8Bom)) {
    position_ = kUtf8Bom.size();
  }
}

bool DiamondTextReader::NextLine(std::string_view* line) {
  // Blank lines (nothing, or a lone CR, before the newline or the end) are no records.
  while (position_ < text_.size()) {
    const size_t newline = text_.find('\n', position_);
    const size_t line_end = newline == std::string_view::npos ? text_.size() : newline;
    std::string_view candidate = text_.substr(position_, line_end - position_);
    position_ = newline == std::string_view::npos ? text_.size() : newline + 1;
    if (candidate.ends_with('\r')) candidate.remove_suffix(1);  // CRLF
    if (!candidate.empty()) {
      *line = candidate;
      return true;
    }
    ++next_line_;
  }
  return false;
}

Status DiamondTextReader::ReadHeader() {
  if (general_) return general_->ReadHeader();
  std::string_view header;
  if (!NextLine(&header))
    return status_ = Status::InvalidArgument("the input is empty: no header row");
  header_raw_ = header;
  ++next_line_;
  SplitFields(header, &fields_);
  auto columns = DiamondColumns::FromHeader(fields_, options_.require_price);
  if (!columns.ok()) return status_ = columns.status();
  columns_ = std::move(columns).value();
  return status_;
}

DiamondTextReader::Outcome DiamondTextReader::Next(Diamond* stone) {
  if (general_) return general_->Next(stone);
  if (!status_.ok()) return Outcome::kFailed;
  if (!NextLine(&record_raw_)) return Outcome::kEnd;
  record_line_ = next_line_++;
  ++rows_read_;
  if (!row_errors_.empty()) row_errors_.clear();
  if (columns_.ParsePlainRecord(record_raw_, stone)) return Outcome::kStone;
  SplitFields(record_raw_, &fields_);
  return columns_.ToStone(fields_, rows_read_, record_line_, stone, &row_errors_)
             ? Outcome::kStone
             : Outcome::kInvalid;
}

std::string_view DiamondTextReader::header_raw() const {
  return general_ ? general_->header().raw : header_raw_;
}
std::string_view DiamondTextReader::record_raw() const {
  return general_ ? general_->record().raw : record_raw_;
}
int64_t DiamondTextReader::record_line() const {
  return general_ ? general_->record().line : record_line_;
}
const std::vector<FieldError>& DiamondTextReader::row_errors() const {
  return general_ ? general_->row_errors() : row_errors_;
}
int64_t DiamondTextReader::rows_read() const {
  return general_ ? general_->rows_read() : rows_read_;
}
const Status& DiamondTextReader::status() const { return general_ ? general_->status() : status_; }

}  // namespace diamond
