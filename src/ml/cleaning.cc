#include "ml/cleaning.h"

#include <array>
#include <functional>

namespace diamond::ml {

std::vector<Diamond> CleanForTraining(std::span<const Diamond> rows, CleaningReport* report) {
  struct Rule {
    const char* name;
    bool (*fails)(const Diamond&);
  };
  static constexpr std::array<Rule, 6> kRules = {{
      {"price missing", [](const Diamond& s) { return !s.price.has_value(); }},
      {"price <= 0", [](const Diamond& s) { return s.price.has_value() && !(*s.price > 0); }},
      {"carat <= 0", [](const Diamond& s) { return !(s.carat > 0); }},
      {"x < 0.1", [](const Diamond& s) { return !(s.x >= kMinDimensionMm); }},
      {"y < 0.1", [](const Diamond& s) { return !(s.y >= kMinDimensionMm); }},
      {"z < 0.1", [](const Diamond& s) { return !(s.z >= kMinDimensionMm); }},
  }};
  std::array<int64_t, kRules.size()> counts{};
  std::vector<Diamond> kept;
  kept.reserve(rows.size());
  for (const Diamond& stone : rows) {
    bool keep = true;
    for (size_t i = 0; i < kRules.size(); ++i) {
      if (kRules[i].fails(stone)) {
        ++counts[i];
        keep = false;
      }
    }
    if (keep) kept.push_back(stone);
  }
  *report = CleaningReport{};
  report->rows_in = static_cast<int64_t>(rows.size());
  report->rows_kept = static_cast<int64_t>(kept.size());
  report->rows_dropped = report->rows_in - report->rows_kept;
  for (size_t i = 0; i < kRules.size(); ++i) {
    if (counts[i] > 0) report->dropped_by_rule.emplace_back(kRules[i].name, counts[i]);
  }
  return kept;
}

}  // namespace diamond::ml
