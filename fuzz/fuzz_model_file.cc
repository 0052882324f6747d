// libFuzzer target: the model-file loader (linear and gbdt). Any accepted file must price
// and explain a stone without crashing (the numbers may be anything: the file is hostile).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "ml/model_file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto model = diamond::ml::ParseModelFile(text);
  if (model.ok()) {
    diamond::Diamond stone{1.05, 5, 18, 3, 61.9, 56.0, 6.55, 6.59, 4.07, std::nullopt};
    volatile double price = model->model->PredictPrice(stone);
    (void)price;
    diamond::ml::Explanation explanation;
    model->model->Explain(stone, &explanation);
    volatile double base = explanation.base;
    (void)base;
  }
  return 0;
}
