// libFuzzer target: the model-file loader. Any accepted file must price a stone without
// crashing (the price itself may be anything finite or not: the file is hostile).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "ml/model_file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto model = diamond::ml::ParseModelFile(text);
  if (model.ok()) {
    diamond::Diamond stone{1.05, 5, 18, 3, 61.9, 56.0, 6.55, 6.59, 4.07, std::nullopt};
    volatile double price = model->model.PredictPrice(stone);
    (void)price;
  }
  return 0;
}
