#include "app/cli_support.h"

#include <cstdio>
#include <iostream>

#include "app/input_file.h"
#include "app/output_file.h"
#include "app/progress.h"
#include "core/sha256.h"

namespace diamond::app {

void PrintError(std::string_view command, std::string_view message) {
  std::cerr << "diamond " << command << ": error: " << message << std::endl;
}

std::string DescribeRowError(std::string_view file, const FieldError& error) {
  std::string out(file);
  if (error.line > 0) {
    out += ": line " + std::to_string(error.line) + " (row " + std::to_string(error.row) + ")";
    if (!error.column.empty()) out += ", column '" + error.column + "'";
    return out + ": " + error.message;
  }
  return out + ": " + Describe(error);
}

int ExitCodeFor(const Status& status) {
  switch (status.code()) {
    case StatusCode::kIoError:
      return 1;
    default:
      return 2;
  }
}

Result<LoadedData> LoadCsv(const std::string& path, bool require_price, bool skip_invalid) {
  auto file = InputFile::Open(path);
  if (!file.ok()) return file.status();
  Sha256 hash;
  ProgressBar progress("reading " + file->display_name(), file->size());
  ObservedSource source(*file, [&](std::string_view bytes) {
    hash.Update(bytes);
    progress.Advance(static_cast<int64_t>(bytes.size()));
  });
  LoadOptions options;
  options.csv.require_price = require_price;
  options.skip_invalid = skip_invalid;
  InvalidRows invalid;
  auto table = LoadDiamondsCsv(source, options, &invalid);
  if (!table.ok()) {
    if (invalid.errors.empty()) {
      return Status(
          table.status().code() == StatusCode::kIoError
              ? table.status()
              : Status::InvalidArgument(file->display_name() + ": " + table.status().message()));
    }
    std::string message = DescribeRowError(file->display_name(), invalid.errors.front());
    if (invalid.rows_invalid > 1) {
      message += " (" + std::to_string(invalid.rows_invalid) +
                 " invalid rows in all; --skip-invalid keeps the valid ones)";
    }
    return Status::InvalidArgument(message);
  }
  LoadedData data{std::move(table).value(), {file->display_name(), hash.HexDigest(), 0}};
  data.lineage.rows = data.table.rows_read;
  return data;
}

Result<ml::ModelDocument> LoadModel(const std::string& path) {
  auto text = ReadWholeFile(path);
  if (!text.ok()) return text.status();
  auto model = ml::ParseModelFile(*text);
  if (!model.ok()) return Status::InvalidArgument(path + ": " + model.status().message());
  return model;
}

std::string MetricsHeader() {
  char line[128];
  std::snprintf(line, sizeof line, "%-12s %8s %10s %10s %8s %8s", "", "rows", "MAE", "RMSE", "R2",
                "MAPE");
  return line;
}

std::string MetricsLine(std::string_view label, const ml::Metrics& m) {
  char line[160];
  std::snprintf(line, sizeof line, "%-12.*s %8lld %10.2f %10.2f %8.4f %7.2f%%",
                static_cast<int>(label.size()), label.data(), static_cast<long long>(m.rows), m.mae,
                m.rmse, m.r2, m.mape * 100);
  return line;
}

std::string MonotonicitySummary(const ml::MonotonicityReport& report) {
  int64_t steps = 0;
  std::string detail;
  for (const ml::MonotonicityCheck& check : report.checks) {
    steps += check.steps;
    if (!detail.empty()) detail += ", ";
    detail +=
        check.name + " " + std::to_string(check.inversions) + "/" + std::to_string(check.steps);
    if (check.inversions > 0) {
      char worst[32];
      std::snprintf(worst, sizeof worst, " (worst -%.2f%%)", 100 * check.worst_drop);
      detail += worst;
    }
  }
  return std::to_string(report.inversions()) + " price drops in " + std::to_string(steps) +
         " one-step upgrades of " + std::to_string(report.stones) + " stones (" + detail + ")";
}

std::string CleaningSummary(const ml::CleaningReport& report) {
  std::string out = std::to_string(report.rows_in) + " rows, " +
                    std::to_string(report.rows_dropped) + " dropped by cleaning";
  if (!report.dropped_by_rule.empty()) {
    out += " (";
    bool first = true;
    for (const auto& [rule, count] : report.dropped_by_rule) {
      if (!first) out += ", ";
      first = false;
      out += rule + ": " + std::to_string(count);
    }
    out += ")";
  }
  return out;
}

// "host:port" → (host, port); false if malformed.
bool ParseListenAddress(const std::string& listen, std::string* host, uint16_t* port) {
  const size_t colon = listen.rfind(':');
  if (colon == std::string::npos || colon == 0) return false;
  try {
    size_t used = 0;
    const int value = std::stoi(listen.substr(colon + 1), &used);
    if (used != listen.size() - colon - 1 || value < 0 || value > 65535) return false;
    *port = static_cast<uint16_t>(value);
  } catch (const std::exception&) {
    return false;
  }
  *host = listen.substr(0, colon);
  if (host->size() > 2 && host->front() == '[' && host->back() == ']')
    *host = host->substr(1, host->size() - 2);
  return true;
}

}  // namespace diamond::app
