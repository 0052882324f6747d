#include "base/build_info.h"

namespace diamond {

std::string_view BinaryVersion() { return "diamond " DIAMOND_PROJECT_VERSION; }

}  // namespace diamond
