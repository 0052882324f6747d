#include "core/diamond_csv_writer.h"

#include <charconv>

#include "core/grades.h"

namespace diamond {
namespace {

void AppendNumber(double value, std::string* out) {
  char buf[32];
  auto result = std::to_chars(buf, buf + sizeof buf, value);  // shortest round-trip form
  out->append(buf, static_cast<size_t>(result.ptr - buf));
}

void AppendGrade(GradeScale scale, int code, std::string* out) {
  std::string_view name = GradeName(scale, code);
  // "Very Good" has a space but no comma or quote, so it needs no quoting.
  out->append(name);
}

}  // namespace

void AppendCsvRow(const Diamond& s, std::string* out) {
  AppendNumber(s.carat, out);
  out->push_back(',');
  AppendGrade(GradeScale::kCut, s.cut, out);
  out->push_back(',');
  AppendGrade(GradeScale::kColor, s.color, out);
  out->push_back(',');
  AppendGrade(GradeScale::kClarity, s.clarity, out);
  out->push_back(',');
  AppendNumber(s.depth, out);
  out->push_back(',');
  AppendNumber(s.table, out);
  out->push_back(',');
  if (s.price) AppendNumber(*s.price, out);
  out->push_back(',');
  AppendNumber(s.x, out);
  out->push_back(',');
  AppendNumber(s.y, out);
  out->push_back(',');
  AppendNumber(s.z, out);
  out->push_back('\n');
}

std::string StonesToCanonicalCsv(std::span<const Diamond> stones) {
  std::string out(kCanonicalCsvHeader);
  out.reserve(out.size() + stones.size() * 48);
  for (const auto& stone : stones) AppendCsvRow(stone, &out);
  return out;
}

}  // namespace diamond
