// libFuzzer target: the streaming CSV reader and the stone decoder over any bytes, with
// tiny buffers so every refill boundary is exercised. Must never crash or hang.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/csv_reader.h"
#include "core/diamond_csv.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  {
    diamond::StringSource source(text);
    diamond::CsvReader reader(source, 64);
    diamond::CsvRecord record;
    while (reader.Next(&record)) {
    }
  }
  for (bool require_price : {false, true}) {
    diamond::StringSource source(text);
    diamond::LoadOptions options;
    options.csv.require_price = require_price;
    options.skip_invalid = true;
    auto table = diamond::LoadDiamondsCsv(source, options);
    if (table.ok() && table->stones.size() > static_cast<size_t>(table->rows_read)) __builtin_trap();
  }
  return 0;
}
