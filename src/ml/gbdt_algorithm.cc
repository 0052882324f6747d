// Gradient-boosted trees on log(price), fitted by XGBoost (gbdt_training.h).
#include "ml/algorithm.h"
#include "ml/gbdt_model.h"
#include "ml/gbdt_training.h"
#include "ml/hyperparameter_readers.h"
#include "ml/hyperparameters.h"
#include "ml/model_file_checks.h"

namespace diamond::ml {
namespace {

class Gbdt final : public Algorithm {
 public:
  std::string_view name() const override { return "gbdt"; }
  ModelSpec DefaultSpec() const override { return ModelSpec(GbdtSpec{}); }

  const std::vector<std::string>& hyperparameter_names() const override {
    static const std::vector<std::string> kNames = {
        "selector",  "monotone",         "n_estimators",     "max_depth",  "learning_rate",
        "subsample", "colsample_bytree", "min_child_weight", "reg_lambda", "early_stopping_rounds",
        "seed",      "threads"};
    return kNames;
  }

  nlohmann::ordered_json HyperparametersToJson(const ModelSpec& spec) const override {
    const auto& g = spec.params<GbdtSpec>();
    return {{"selector", SelectorJson(g.selector)},
            {"monotone", g.monotone},
            {"n_estimators", g.n_estimators},
            {"max_depth", g.max_depth},
            {"learning_rate", g.learning_rate},
            {"subsample", g.subsample},
            {"colsample_bytree", g.colsample_bytree},
            {"min_child_weight", g.min_child_weight},
            {"reg_lambda", g.reg_lambda},
            {"early_stopping_rounds", g.early_stopping_rounds},
            {"seed", g.seed},
            {"threads", g.threads}};
  }

  void ReadHyperparameter(const std::string& name, const nlohmann::ordered_json& value,
                          ModelSpec* spec, std::vector<SpecProblem>* problems) const override {
    auto& g = spec->mutable_params<GbdtSpec>();
    if (name == "selector")
      ReadSelector(value, &g.selector, problems);
    else if (name == "monotone")
      ReadBoolean(value, "monotone", &g.monotone, problems);
    else if (name == "n_estimators")
      ReadInteger(value, "n_estimators", &g.n_estimators, problems);
    else if (name == "max_depth")
      ReadInteger(value, "max_depth", &g.max_depth, problems);
    else if (name == "learning_rate")
      ReadNumber(value, "learning_rate", &g.learning_rate, problems);
    else if (name == "subsample")
      ReadNumber(value, "subsample", &g.subsample, problems);
    else if (name == "colsample_bytree")
      ReadNumber(value, "colsample_bytree", &g.colsample_bytree, problems);
    else if (name == "min_child_weight")
      ReadNumber(value, "min_child_weight", &g.min_child_weight, problems);
    else if (name == "reg_lambda")
      ReadNumber(value, "reg_lambda", &g.reg_lambda, problems);
    else if (name == "early_stopping_rounds") {
      ReadInteger(value, "early_stopping_rounds", &g.early_stopping_rounds, problems);
    } else if (name == "seed")
      ReadInteger(value, "seed", &g.seed, problems);
    else if (name == "threads")
      ReadInteger(value, "threads", &g.threads, problems);
  }

  void CheckHyperparameters(const ModelSpec& spec,
                            std::vector<SpecProblem>* problems) const override {
    for (SpecProblem& p : CheckGbdtSpec(spec.params<GbdtSpec>())) problems->push_back(std::move(p));
  }

  // A few rows for the early-stopping slice.
  size_t MinimumRows(const ModelSpec&) const override { return 10; }

  Result<std::shared_ptr<const Model>> Fit(std::span<const Diamond> rows, const ModelSpec& spec,
                                           const ProgressObserver& observer,
                                           Progress progress) const override {
    RoundObserver rounds;
    if (observer) {
      rounds = [&](int round, int total) {
        progress.round = round;
        progress.rounds = total;
        return observer(progress);
      };
    }
    auto model = FitGbdt(rows, spec.params<GbdtSpec>(), rounds);
    if (!model.ok()) return model.status();
    return std::shared_ptr<const Model>(std::make_shared<GbdtModel>(std::move(model).value()));
  }

  Result<LoadedModel> Load(const nlohmann::ordered_json& section,
                           const std::vector<Feature>& selector,
                           const FeatureTransform& transform) const override {
    LoadedModel loaded;
    // Trees written before "monotone" existed were not constrained.
    GbdtSpec unconstrained;
    unconstrained.monotone = false;
    std::vector<SpecProblem> problems;
    loaded.spec = ParseHyperparameters(*this, Member(section, "hyperparameters"),
                                       ModelSpec(unconstrained), &problems);
    if (!problems.empty()) {
      return Corrupt("gbdt hyperparameters: " + problems.front().field + " " +
                     problems.front().message);
    }
    const auto& gbdt = loaded.spec.params<GbdtSpec>();
    if (gbdt.selector != selector) return Corrupt("gbdt: selector differs from the pipeline's");
    auto model = GbdtModel::FromXgboost(gbdt, transform, Member(section, "xgboost"));
    if (!model.ok()) return model.status();
    loaded.model = std::make_shared<GbdtModel>(std::move(model).value());
    return loaded;
  }

  int since_format_version() const override { return 2; }
};

}  // namespace

const Algorithm& AlgorithmOf(const GbdtSpec&) {
  static const Gbdt kGbdt;
  return kGbdt;
}

}  // namespace diamond::ml
