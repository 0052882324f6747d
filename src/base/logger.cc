#include "base/logger.h"

#include <atomic>
#include <cstdio>
#include <mutex>

#include "base/clock.h"

namespace diamond {
namespace {

std::atomic<int> g_level{static_cast<int>(LogLevel::kInfo)};
std::mutex g_mutex;

const char* Name(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug:
      return "debug";
    case LogLevel::kInfo:
      return "info";
    case LogLevel::kWarn:
      return "warn";
    case LogLevel::kError:
      return "error";
  }
  return "info";
}

}  // namespace

void SetLogLevel(LogLevel level) { g_level = static_cast<int>(level); }
bool LogEnabled(LogLevel level) { return static_cast<int>(level) >= g_level.load(); }

void Log(LogLevel level, std::string_view message, nlohmann::json fields) {
  if (!LogEnabled(level)) return;
  nlohmann::json line = {{"ts", NowRfc3339()}, {"level", Name(level)}, {"msg", message}};
  for (auto& [key, value] : fields.items()) line[key] = std::move(value);
  const std::string text =
      line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  std::lock_guard lock(g_mutex);
  std::fwrite(text.data(), 1, text.size(), stderr);
}

}  // namespace diamond
