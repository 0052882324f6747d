#include "app/asset_dirs.h"

#include <filesystem>

#include "base/logger.h"

namespace diamond::app {

namespace fs = std::filesystem;

std::string DefaultAssetDir(const std::string& installed, const std::string& marker,
                            const std::string& build_tree_dir) {
  std::error_code ec;
  const fs::path self = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    const fs::path candidate = self.parent_path().parent_path() / "share" / "diamond" / installed;
    if (fs::exists(candidate / marker, ec)) return candidate.string();
  }
  return build_tree_dir;
}

void WarnIfAssetsMissing(const std::string& web_dir, const std::string& console_dir) {
  std::error_code ec;
  if (!fs::exists(fs::path(web_dir) / "swagger-ui-bundle.js", ec)) {
    Log(LogLevel::kWarn,
        "the API reference page's files are missing: /docs will answer 503 (/openapi.json works)",
        {{"web_dir", web_dir}, {"fix", "pass --web-dir, or install with `make install`"}});
  }
  if (!fs::exists(fs::path(console_dir) / "index.html", ec)) {
    Log(LogLevel::kWarn, "the staff console's files are missing: /console will answer 503",
        {{"console_dir", console_dir},
         {"fix", "pass --console-dir, or install with `make install`"}});
  }
}

}  // namespace diamond::app
