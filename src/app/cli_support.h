// What the CLI commands share: error lines, loading a CSV with lineage, loading a model,
// printing metrics.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/diamond.h"
#include "core/diamond_csv.h"
#include "core/status.h"
#include "ml/metrics.h"
#include "ml/model_file.h"

namespace diamond::app {

// Prints "diamond <command>: error: <message>" on stderr.
void PrintError(std::string_view command, std::string_view message);

// "data.csv: line 12 (row 11), column 'cut': unknown grade 'Fine' (allowed: …)".
std::string DescribeRowError(std::string_view file, const FieldError& error);

// "host:port" (or "[v6]:port") → (host, port); false if malformed.
bool ParseListenAddress(const std::string& listen, std::string* host, uint16_t* port);

// The exit code for a failed status: bad input (2) or a machine failure (1).
int ExitCodeFor(const Status& status);

struct LoadedData {
  DiamondTable table;
  ml::DataLineage lineage;  // name, SHA-256 of the bytes, data rows
};

// Reads a CSV of stones (showing progress on a terminal) and hashes its bytes.
// On invalid rows (without skip_invalid) the message names the first one and the count.
Result<LoadedData> LoadCsv(const std::string& path, bool require_price, bool skip_invalid);

Result<ml::ModelDocument> LoadModel(const std::string& path);

// A fixed-width table row: label, rows, MAE, RMSE, R², MAPE (as a percentage).
std::string MetricsHeader();
std::string MetricsLine(std::string_view label, const ml::Metrics& metrics);
std::string CleaningSummary(const ml::CleaningReport& report);
// "0 price drops in 19600 one-step upgrades of 400 stones (cut 0/2000, …)", with the worst
// drop of each kind that has any.
std::string MonotonicitySummary(const ml::MonotonicityReport& report);

}  // namespace diamond::app
