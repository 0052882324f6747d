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

DiamondCsvReader::DiamondCsvReader(ByteSource& source, DiamondCsvOptions options)
    : csv_(source, 1 << 20, options.first_line), options_(options) {}

Status DiamondCsvReader::ReadHeader() {
  if (!csv_.Next(&header_)) {
    status_ = csv_.status().ok() ? Status::InvalidArgument("the input is empty: no header row")
                                 : csv_.status();
    return status_;
  }
  // The header's views point into the reader's buffer, which moves: keep a copy.
  header_storage_.assign(header_.raw);
  std::vector<std::string> names;
  for (auto field : header_.fields) names.push_back(LowerTrimmed(field));
  header_.raw = header_storage_;
  header_.fields.clear();  // names are kept below; the raw line is all callers need

  std::string missing;
  for (InputField field : AllInputFields()) {
    auto it = std::find(names.begin(), names.end(), FieldName(field));
    if (it != names.end()) {
      column_of_[Index(field)] = static_cast<size_t>(it - names.begin());
    } else if (field != InputField::kPrice || options_.require_price) {
      if (!missing.empty()) missing += ", ";
      missing += FieldName(field);
    }
  }
  if (!missing.empty()) {
    status_ = Status::InvalidArgument("the header has no column " + missing);
  }
  return status_;
}

void DiamondCsvReader::AddError(InputField field, std::string message) {
  row_errors_.push_back(
      FieldError{rows_read_, record_.line, std::string(FieldName(field)), std::move(message)});
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
  *stone = Diamond{};
  for (InputField field : AllInputFields()) {
    const auto& column = column_of_[Index(field)];
    if (!column.has_value()) continue;  // only an optional price column can be absent
    if (*column >= record_.fields.size()) {
      AddError(field, "missing value (the row has " + std::to_string(record_.fields.size()) +
                          " fields, the header names " + std::to_string(*column + 1) + " or more)");
      continue;
    }
    std::string_view text = record_.fields[*column];
    if (field == InputField::kPrice) {
      if (TrimSpaces(text).empty()) {
        if (options_.require_price) AddError(field, "missing price");
        continue;
      }
      double value = 0;
      if (ParseFiniteNumber(text, &value, &error_text_)) {
        stone->price = value;
      } else {
        AddError(field, std::move(error_text_));
      }
    } else if (auto scale = ScaleOf(field)) {
      std::string_view name = TrimSpaces(text);
      if (auto code = GradeCode(*scale, name)) {
        *GradeSlot(stone, field) = *code;
      } else if (name.empty()) {
        AddError(field, "missing value");
      } else {
        AddError(field, "unknown grade " + QuoteValue(name) +
                            " (allowed: " + AllowedGradesText(*scale) + ")");
      }
    } else {
      if (!ParseFiniteNumber(text, NumberSlot(stone, field), &error_text_)) {
        AddError(field, std::move(error_text_));
      }
    }
  }
  return row_errors_.empty() ? Outcome::kStone : Outcome::kInvalid;
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
