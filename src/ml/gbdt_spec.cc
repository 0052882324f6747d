#include "ml/gbdt_spec.h"

namespace diamond::ml {

std::vector<SpecProblem> CheckGbdtSpec(const GbdtSpec& s) {
  std::vector<SpecProblem> problems;
  auto check = [&](bool ok, const char* field, const char* allowed) {
    if (!ok) problems.push_back({field, allowed});
  };
  check(s.n_estimators >= 1 && s.n_estimators <= 5000, "n_estimators",
        "must be an integer from 1 to 5000");
  check(s.max_depth >= 1 && s.max_depth <= 10, "max_depth", "must be an integer from 1 to 10");
  check(s.learning_rate > 0 && s.learning_rate <= 1, "learning_rate",
        "must be a number above 0, at most 1");
  check(s.subsample > 0 && s.subsample <= 1, "subsample", "must be a number above 0, at most 1");
  check(s.colsample_bytree > 0 && s.colsample_bytree <= 1, "colsample_bytree",
        "must be a number above 0, at most 1");
  check(s.min_child_weight >= 0 && s.min_child_weight <= 1e6, "min_child_weight",
        "must be a number from 0 to 1000000");
  check(s.reg_lambda >= 0 && s.reg_lambda <= 1e6, "reg_lambda",
        "must be a number from 0 to 1000000");
  check(s.early_stopping_rounds >= 0 && s.early_stopping_rounds <= 5000, "early_stopping_rounds",
        "must be an integer from 0 (off) to 5000");
  check(s.seed <= 2147483647u, "seed", "must be an integer from 0 to 2147483647");
  check(s.threads >= 1 && s.threads <= 64, "threads", "must be an integer from 1 to 64");
  // A model's size bounds the server's memory and each explanation's work.
  if (s.max_depth >= 1 && s.max_depth <= 10 && s.n_estimators >= 1 &&
      static_cast<int64_t>(s.n_estimators) << s.max_depth > (int64_t{1} << 20)) {
    problems.push_back({"n_estimators", "n_estimators × 2^max_depth must be at most 1048576"});
  }
  if (s.selector.empty()) problems.push_back({"selector", "must name at least one feature"});
  return problems;
}

std::vector<int> MonotoneConstraints(const GbdtSpec& spec) {
  std::vector<int> constraints;
  constraints.reserve(spec.selector.size());
  for (Feature f : spec.selector)
    constraints.push_back(spec.monotone && IsIncreasingFeature(f) ? 1 : 0);
  return constraints;
}

}  // namespace diamond::ml
