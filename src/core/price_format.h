// Formatting a price for output: fixed point with two decimals (cents), locale-free.
#pragma once

#include <cstddef>
#include <string_view>

namespace diamond {

inline constexpr size_t kPriceTextMax = 32;

// Writes `price` rounded to the nearest cent (llround of price × 100, halves away from
// zero) into `buf` (kPriceTextMax bytes) and returns the text. Integer formatting keeps
// it about five times cheaper than std::to_chars with a precision, which matters at a
// million rows a second. Non-finite or huge (>= 1e15) prices fall back to to_chars.
std::string_view FormatPrice(double price, char* buf);

// Writes `value` with at most 12 significant digits in plain decimal notation, trailing
// zeros dropped ("1.05", "0.934", "175.672") into `buf` (kPriceTextMax bytes): a
// relative rounding error under 5e-12, so fourteen such factors multiply back to a price
// within 1e-10. About three times cheaper than std::to_chars' shortest form, and shorter
// on the wire. Zero, non-finite and magnitudes outside [1e-7, 1e15) use std::to_chars.
std::string_view FormatSignificant(double value, char* buf);

}  // namespace diamond
