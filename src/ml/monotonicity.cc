#include "ml/monotonicity.h"

#include <algorithm>
#include <cmath>

#include "core/grades.h"

namespace diamond::ml {
namespace {

constexpr int kSizeSteps = 10;  // +5 % … +50 %
constexpr double kSizeStepShare = 0.05;

// Counts one step from `before` to `after` (prices).
void Step(double before, double after, MonotonicityCheck* check) {
  ++check->steps;
  if (after < before * (1 - kMonotonicityTolerance)) {
    ++check->inversions;
    check->worst_drop = std::max(check->worst_drop, (before - after) / before);
  }
}

void ProbeScale(const Model& model, Diamond stone, GradeScale scale, MonotonicityCheck* check) {
  int* grade = scale == GradeScale::kCut     ? &stone.cut
               : scale == GradeScale::kColor ? &stone.color
                                             : &stone.clarity;
  const int grades = static_cast<int>(GradeNames(scale).size());
  *grade = 0;
  double previous = model.PredictPrice(stone);
  for (int code = 1; code < grades; ++code) {
    *grade = code;
    const double price = model.PredictPrice(stone);
    Step(previous, price, check);
    previous = price;
  }
}

void ProbeSize(const Model& model, const Diamond& stone, MonotonicityCheck* check) {
  double previous = model.PredictPrice(stone);
  for (int step = 1; step <= kSizeSteps; ++step) {
    const double factor = 1 + kSizeStepShare * step;
    const double linear = std::cbrt(factor);
    Diamond bigger = stone;
    bigger.carat = stone.carat * factor;
    bigger.x = stone.x * linear;
    bigger.y = stone.y * linear;
    bigger.z = stone.z * linear;
    const double price = model.PredictPrice(bigger);
    Step(previous, price, check);
    previous = price;
  }
}

}  // namespace

int64_t MonotonicityReport::inversions() const {
  int64_t total = 0;
  for (const MonotonicityCheck& check : checks) total += check.inversions;
  return total;
}

MonotonicityReport CheckMonotonicity(const Model& model, std::span<const Diamond> rows,
                                     size_t max_stones) {
  MonotonicityReport report;
  report.checks = {{"cut", 0, 0, 0}, {"color", 0, 0, 0}, {"clarity", 0, 0, 0}, {"size", 0, 0, 0}};
  if (rows.empty() || max_stones == 0) return report;
  const size_t count = std::min(rows.size(), max_stones);
  for (size_t k = 0; k < count; ++k) {
    const Diamond& stone = rows[k * rows.size() / count];  // evenly spaced, first row first
    ProbeScale(model, stone, GradeScale::kCut, &report.checks[0]);
    ProbeScale(model, stone, GradeScale::kColor, &report.checks[1]);
    ProbeScale(model, stone, GradeScale::kClarity, &report.checks[2]);
    ProbeSize(model, stone, &report.checks[3]);
    ++report.stones;
  }
  return report;
}

}  // namespace diamond::ml
