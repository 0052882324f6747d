#include "ml/model_spec.h"

#include "ml/algorithm.h"
#include "ml/linear_model.h"

namespace diamond::ml {

ModelSpec::ModelSpec() : ModelSpec(LinearSpec{}) {}

std::string_view ModelSpec::name() const { return algorithm_->name(); }

ModelSpec SeedModelSpec() {
  LinearSpec seed;
  seed.positive = true;
  return ModelSpec(seed);
}

}  // namespace diamond::ml
