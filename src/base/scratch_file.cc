#include "base/scratch_file.h"

#include <filesystem>
#include <random>

namespace diamond {
namespace {

std::string RandomSuffix() {
  static constexpr char kHex[] = "0123456789abcdef";
  std::random_device random;
  std::string out;
  for (int i = 0; i < 4; ++i) {
    uint32_t word = random();
    for (int j = 0; j < 8; ++j, word >>= 4) out += kHex[word & 15];
  }
  return out;
}

}  // namespace

ScratchFile::ScratchFile(const std::string& dir, std::string_view prefix) {
  const std::filesystem::path base =
      dir.empty() ? std::filesystem::temp_directory_path() : std::filesystem::path(dir);
  where_ = base.string();
  const std::filesystem::path path = base / (std::string(prefix) + RandomSuffix());
  if (file_.open(path, std::ios::in | std::ios::out | std::ios::trunc | std::ios::binary) ==
      nullptr)
    return;
  // From here the open descriptor is the file's only reference.
  std::error_code ignored;
  std::filesystem::remove(path, ignored);
}

bool ScratchFile::Rewind() {
  if (file_.pubsync() != 0) return false;
  return file_.pubseekpos(0, std::ios::in | std::ios::out) == std::streampos(0);
}

}  // namespace diamond
