#include "core/price_format.h"

#include <charconv>
#include <cmath>

namespace diamond {

std::string_view FormatPrice(double price, char* buf) {
  char* const end = buf + kPriceTextMax;
  if (!std::isfinite(price) || std::abs(price) >= 1e15) {
    auto result = std::to_chars(buf, end, price, std::chars_format::fixed, 2);
    return {buf, static_cast<size_t>(result.ptr - buf)};
  }
  long long cents = std::llround(price * 100);
  char* p = buf;
  if (cents < 0) {
    *p++ = '-';
    cents = -cents;
  }
  p = std::to_chars(p, end, cents / 100).ptr;
  const int rest = static_cast<int>(cents % 100);
  *p++ = '.';
  *p++ = static_cast<char>('0' + rest / 10);
  *p++ = static_cast<char>('0' + rest % 10);
  return {buf, static_cast<size_t>(p - buf)};
}

}  // namespace diamond
