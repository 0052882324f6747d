// What build this binary is: recorded with every model version it trains, so a version's
// facts say which release made it (and a reproduction which release checked it).
#pragma once

#include <string_view>

namespace diamond {

// "diamond <project version>", e.g. "diamond 0.1.0" (CMake's project version).
std::string_view BinaryVersion();

}  // namespace diamond
