// libFuzzer target: the JSON stone decoder (simdjson On-Demand) and the general JSON
// parser (nlohmann, depth-limited). Decoded stones must hold finite numbers.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/diamond_json.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto decoded = diamond::DecodeStonesJson(text, {});
  if (decoded.ok()) {
    for (const auto& s : decoded->stones) {
      if (!std::isfinite(s.carat) || !std::isfinite(s.x) || s.cut < 0 || s.cut > 5)
        __builtin_trap();
    }
  }
  auto parsed = diamond::ParseJson(text);
  (void)parsed;
  return 0;
}
