// The seed's algorithm: a linear regressor on log(price) over standard-scaled features.
#include "ml/algorithm.h"
#include "ml/hyperparameter_readers.h"
#include "ml/linear_model.h"
#include "ml/model_file_checks.h"

namespace diamond::ml {
namespace {

class Linear final : public Algorithm {
 public:
  std::string_view name() const override { return "linear"; }
  ModelSpec DefaultSpec() const override { return ModelSpec(LinearSpec{}); }

  const std::vector<std::string>& hyperparameter_names() const override {
    static const std::vector<std::string> kNames = {"selector", "positive"};
    return kNames;
  }

  nlohmann::ordered_json HyperparametersToJson(const ModelSpec& spec) const override {
    const auto& linear = spec.params<LinearSpec>();
    return {{"selector", SelectorJson(linear.selector)}, {"positive", linear.positive}};
  }

  void ReadHyperparameter(const std::string& name, const nlohmann::ordered_json& value,
                          ModelSpec* spec, std::vector<SpecProblem>* problems) const override {
    auto& linear = spec->mutable_params<LinearSpec>();
    if (name == "selector")
      ReadSelector(value, &linear.selector, problems);
    else if (name == "positive")
      ReadBoolean(value, "positive", &linear.positive, problems);
  }

  void CheckHyperparameters(const ModelSpec&, std::vector<SpecProblem>*) const override {}

  // One row more than coefficients, or the fit is not determined.
  size_t MinimumRows(const ModelSpec& spec) const override {
    return spec.params<LinearSpec>().selector.size() + 1;
  }

  Result<std::shared_ptr<const Model>> Fit(std::span<const Diamond> rows, const ModelSpec& spec,
                                           const ProgressObserver& observer,
                                           Progress progress) const override {
    auto model = LinearModel::Fit(rows, spec.params<LinearSpec>());
    if (!model.ok()) return model.status();
    if (observer && !observer(progress)) return Status::Cancelled("training cancelled");
    return std::shared_ptr<const Model>(std::make_shared<LinearModel>(std::move(model).value()));
  }

  Result<LoadedModel> Load(const nlohmann::ordered_json& section,
                           const std::vector<Feature>& selector,
                           const FeatureTransform& transform) const override {
    const auto& positive = Member(section, "positive");
    if (!positive.is_boolean()) return Corrupt("linear: no 'positive'");
    std::string error;
    const double intercept = FiniteAt(section, "intercept", &error);
    if (!error.empty()) return Corrupt("linear: " + error);
    std::vector<double> coefficients;
    if (!FiniteArray(Member(section, "coefficients"), selector.size(), &coefficients)) {
      return Corrupt("linear: coefficients need one finite number per selected feature");
    }
    const LinearSpec linear{selector, positive.get<bool>()};
    return LoadedModel{
        std::make_shared<LinearModel>(linear, transform, intercept, std::move(coefficients)),
        ModelSpec(linear)};
  }

  int since_format_version() const override { return 1; }
};

}  // namespace

const Algorithm& AlgorithmOf(const LinearSpec&) {
  static const Linear kLinear;
  return kLinear;
}

}  // namespace diamond::ml
