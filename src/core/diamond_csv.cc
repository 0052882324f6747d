#include "core/diamond_csv.h"

#include <algorithm>
#include <cctype>

#include "core/grades.h"
#include "core/number_parse.h"

namespace diamond {
namespace {

std::string LowerTrimmed(std::string_view text) {
  std::string out(TrimSpaces(text));
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::optional<GradeScale> ScaleOf(InputField field) {
  switch (field) {
    case InputField::kCut:
      return GradeScale::kCut;
    case InputField::kColor:
      return GradeScale::kColor;
    case InputField::kClarity:
      return GradeScale::kClarity;
    default:
      return std::nullopt;
  }
}

double* NumberSlot(Diamond* stone, InputField field) {
  switch (field) {
    case InputField::kCarat:
      return &stone->carat;
    case InputField::kDepth:
      return &stone->depth;
    case InputField::kTable:
      return &stone->table;
    case InputField::kX:
      return &stone->x;
    case InputField::kY:
      return &stone->y;
    case InputField::kZ:
      return &stone->z;
    default:
      return nullptr;
  }
}

int* GradeSlot(Diamond* stone, InputField field) {
  switch (field) {
    case InputField::kCut:
      return &stone->cut;
    case InputField::kColor:
      return &stone->color;
    case InputField::kClarity:
      return &stone->clarity;
    default:
      return nullptr;
  }
}

}  // namespace

std::string QuoteValue(std::string_view value) {
  constexpr size_t kMaxShown = 40;
  std::string out = "'";
  size_t shown = 0;
  for (unsigned char c : value) {
    if (shown++ == kMaxShown) {
      out += "...";
      break;
    }
    if (c >= 0x20 && c < 0x7F && c != '\'' && c != '\\') {
      out += static_cast<char>(c);
    } else {
      static constexpr char kHex[] = "0123456789abcdef";
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  out += "'";
  return out;
}

Result<DiamondColumns> DiamondColumns::FromHeader(const std::vector<std::string_view>& header,
                                                  bool require_price) {
  std::vector<std::string> names;
  for (auto field : header) names.push_back(LowerTrimmed(field));
  DiamondColumns columns;
  columns.require_price_ = require_price;
  std::string missing;
  for (InputField field : AllInputFields()) {
    auto it = std::find(names.begin(), names.end(), FieldName(field));
    if (it != names.end()) {
      const auto column = static_cast<size_t>(it - names.begin());
      columns.column_of_[static_cast<size_t>(field)] = column;
      if (columns.field_at_.size() <= column) columns.field_at_.resize(column + 1, kIgnoredColumn);
      columns.field_at_[column] = static_cast<int8_t>(field);
    } else if (field != InputField::kPrice || require_price) {
      if (!missing.empty()) missing += ", ";
      missing += FieldName(field);
    }
  }
  if (!missing.empty()) return Status::InvalidArgument("the header has no column " + missing);
  return columns;
}

bool DiamondColumns::ToStone(const std::vector<std::string_view>& fields, int64_t row, int64_t line,
                             Diamond* stone, std::vector<FieldError>* errors) const {
  const size_t errors_before = errors->size();
  auto add_error = [&](InputField field, std::string message) {
    errors->push_back(FieldError{row, line, std::string(FieldName(field)), std::move(message)});
  };
  std::string error_text;  // empty until a field is bad: a valid row allocates nothing
  *stone = Diamond{};
  for (InputField field : AllInputFields()) {
    const auto& column = column_of_[static_cast<size_t>(field)];
    if (!column.has_value()) continue;  // only an optional price column can be absent
    if (*column >= fields.size()) {
      add_error(field, "missing value (the row has " + std::to_string(fields.size()) +
                           " fields, the header names " + std::to_string(*column + 1) +
                           " or more)");
      continue;
    }
    std::string_view text = fields[*column];
    if (field == InputField::kPrice) {
      if (TrimSpaces(text).empty()) {
        if (require_price_) add_error(field, "missing price");
        continue;
      }
      double value = 0;
      if (ParseFiniteNumber(text, &value, &error_text)) {
        stone->price = value;
      } else {
        add_error(field, std::move(error_text));
      }
    } else if (auto scale = ScaleOf(field)) {
      std::string_view name = TrimSpaces(text);
      if (auto code = GradeCode(*scale, name)) {
        *GradeSlot(stone, field) = *code;
      } else if (name.empty()) {
        add_error(field, "missing value");
      } else {
        add_error(field, "unknown grade " + QuoteValue(name) +
                             " (allowed: " + AllowedGradesText(*scale) + ")");
      }
    } else {
      if (!ParseFiniteNumber(text, NumberSlot(stone, field), &error_text)) {
        add_error(field, std::move(error_text));
      }
    }
  }
  return errors->size() == errors_before;
}

bool DiamondColumns::ParsePlainRecord(std::string_view record, Diamond* stone) const {
  *stone = Diamond{};
  const char* p = record.data();
  const char* const end = p + record.size();
  auto field_end = [&](const char* from) {  // fields are short: a loop beats memchr's call
    while (from != end && *from != ',') ++from;
    return from;
  };
  for (size_t column = 0; column < field_at_.size(); ++column) {
    if (column > 0) {
      if (p == end) return false;  // fewer fields than the header names
      ++p;                         // the comma
    }
    const char* next = nullptr;
    const int8_t at = field_at_[column];
    if (at == kIgnoredColumn) {
      next = field_end(p);
    } else {
      const auto field = static_cast<InputField>(at);
      if (double* slot = NumberSlot(stone, field)) {
        next = ScanPlainDecimal(p, end, slot);
      } else if (field == InputField::kPrice) {
        if (p == end || *p == ',') {  // no price: a stone to be priced
          if (require_price_) return false;
          next = p;
        } else {
          double value = 0;
          next = ScanPlainDecimal(p, end, &value);
          stone->price = value;
        }
      } else {
        const GradeScale scale = *ScaleOf(field);
        size_t length = 0;
        // Most grades sit mid-record, with 16 bytes to read; the rest are looked up by name.
        const int code = end - p >= 16 ? GradeCodeInWindow(scale, p, &length) : -1;
        if (code >= 0) {
          next = p + length;
          *GradeSlot(stone, field) = code;
        } else {
          next = field_end(p);
          auto named = GradeCode(scale, std::string_view(p, static_cast<size_t>(next - p)));
          if (!named) return false;
          *GradeSlot(stone, field) = *named;
        }
      }
      if (next == nullptr || (next != end && *next != ',')) return false;
    }
    p = next;
  }
  return true;
}

DiamondCsvReader::DiamondCsvReader(ByteSource& source, DiamondCsvOptions options)
    : csv_(source, 1 << 20, options.first_line), options_(options) {}

Status DiamondCsvReader::ReadHeader() {
  if (!csv_.Next(&header_)) {
    status_ = csv_.status().ok() ? Status::InvalidArgument("the input is empty: no header row")
                                 : csv_.status();
    return status_;
  }
  auto columns = DiamondColumns::FromHeader(header_.fields, options_.require_price);
  // The header's views point into the reader's buffer, which moves: keep a copy.
  header_storage_.assign(header_.raw);
  header_.raw = header_storage_;
  header_.fields.clear();  // the raw line is all callers need
  if (!columns.ok()) {
    status_ = columns.status();
    return status_;
  }
  columns_ = std::move(columns).value();
  return status_;
}

DiamondCsvReader::Outcome DiamondCsvReader::Next(Diamond* stone) {
  if (!status_.ok()) return Outcome::kFailed;
  if (!csv_.Next(&record_)) {
    if (!csv_.status().ok()) {
      status_ = csv_.status();
      return Outcome::kFailed;
    }
    return Outcome::kEnd;
  }
  ++rows_read_;
  row_errors_.clear();
  return columns_.ToStone(record_.fields, rows_read_, record_.line, stone, &row_errors_)
             ? Outcome::kStone
             : Outcome::kInvalid;
}

Result<DiamondTable> LoadDiamondsCsv(ByteSource& source, const LoadOptions& options,
                                     InvalidRows* invalid) {
  DiamondCsvReader reader(source, options.csv);
  if (Status s = reader.ReadHeader(); !s.ok()) return s;
  DiamondTable table;
  Diamond stone;
  while (true) {
    auto outcome = reader.Next(&stone);
    if (outcome == DiamondCsvReader::Outcome::kEnd) break;
    if (outcome == DiamondCsvReader::Outcome::kFailed) return reader.status();
    if (outcome == DiamondCsvReader::Outcome::kStone) {
      table.stones.push_back(stone);
      continue;
    }
    ++table.rows_invalid;
    for (const auto& e : reader.row_errors()) {
      if (table.errors.size() < options.max_errors) table.errors.push_back(e);
    }
  }
  table.rows_read = reader.rows_read();
  if (table.rows_invalid > 0 && !options.skip_invalid) {
    if (invalid != nullptr) *invalid = InvalidRows{table.rows_invalid, table.errors};
    const FieldError& first = table.errors.front();
    return Status::InvalidArgument(std::to_string(table.rows_invalid) + " invalid row(s); first: " +
                                   "line " + std::to_string(first.line) + ", " + Describe(first));
  }
  return table;
}

}  // namespace diamond
