// libFuzzer target: the streaming CSV reader and the stone decoder over any bytes, with
// tiny buffers so every refill boundary is exercised. Must never crash or hang. And the
// in-memory reader of the bulk pricing path (diamond_text_reader.h) must say exactly what
// the streaming one says about the same bytes: any difference traps.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

#include "core/csv_reader.h"
#include "core/diamond_csv.h"
#include "core/diamond_text_reader.h"

namespace {

void Expect(bool same) {
  if (!same) __builtin_trap();
}

bool SameBits(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }

bool SameStone(const diamond::Diamond& a, const diamond::Diamond& b) {
  return SameBits(a.carat, b.carat) && a.cut == b.cut && a.color == b.color &&
         a.clarity == b.clarity && SameBits(a.depth, b.depth) && SameBits(a.table, b.table) &&
         SameBits(a.x, b.x) && SameBits(a.y, b.y) && SameBits(a.z, b.z) &&
         a.price.has_value() == b.price.has_value() && (!a.price || SameBits(*a.price, *b.price));
}

bool SameErrors(const std::vector<diamond::FieldError>& a,
                const std::vector<diamond::FieldError>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i].row != b[i].row || a[i].line != b[i].line || a[i].column != b[i].column ||
        a[i].message != b[i].message) {
      return false;
    }
  }
  return true;
}

void CompareReaders(std::string_view text, bool require_price) {
  const diamond::DiamondCsvOptions options{.require_price = require_price, .first_line = 7};
  diamond::StringSource source(text);
  diamond::DiamondCsvReader streaming(source, options);
  diamond::DiamondTextReader in_memory(text, options);
  const diamond::Status header = streaming.ReadHeader();
  Expect(in_memory.ReadHeader().message() == header.message());
  if (!header.ok()) return;
  Expect(in_memory.header_raw() == streaming.header().raw);
  diamond::Diamond a;
  diamond::Diamond b;
  while (true) {
    const auto outcome = streaming.Next(&a);
    Expect(in_memory.Next(&b) == outcome);
    Expect(in_memory.rows_read() == streaming.rows_read());
    Expect(in_memory.status().message() == streaming.status().message());
    if (outcome == diamond::DiamondCsvReader::Outcome::kEnd ||
        outcome == diamond::DiamondCsvReader::Outcome::kFailed) {
      return;
    }
    Expect(in_memory.record_raw() == streaming.record().raw);
    Expect(in_memory.record_line() == streaming.record().line);
    if (outcome == diamond::DiamondCsvReader::Outcome::kStone) Expect(SameStone(a, b));
    Expect(SameErrors(in_memory.row_errors(), streaming.row_errors()));
  }
}

}  // namespace

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
    if (table.ok() && table->stones.size() > static_cast<size_t>(table->rows_read))
      __builtin_trap();
    CompareReaders(text, require_price);
  }
  return 0;
}
