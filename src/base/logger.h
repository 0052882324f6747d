// Structured logs: one JSON object per line on stderr. Safe from any thread.
// Never pass secrets (API keys, bodies) in fields.
#pragma once

#include <nlohmann/json.hpp>
#include <string_view>

namespace diamond {

enum class LogLevel { kDebug, kInfo, kWarn, kError };

void SetLogLevel(LogLevel level);
bool LogEnabled(LogLevel level);
// Adds "ts", "level" and "msg" to `fields` and writes the line.
void Log(LogLevel level, std::string_view message,
         nlohmann::json fields = nlohmann::json::object());

}  // namespace diamond
