// Resource ids: what callers may choose, and what the service generates.
#pragma once

#include <string>
#include <string_view>

namespace diamond {

// ^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$ — safe in URLs and blob keys, never "." or "..".
bool IsValidId(std::string_view id);
inline constexpr std::string_view kIdRule =
    "1 to 64 characters from A-Z a-z 0-9 . _ -, starting with a letter or digit";

// 32 random hex characters (128 bits from the OS's random source).
std::string NewId();

}  // namespace diamond
