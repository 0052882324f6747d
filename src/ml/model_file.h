// The model file: a versioned, self-describing JSON document.
//
//   {"format": "diamond-model", "format_version": 1, "algorithm": "linear",
//    "inputs": [...], "encodings": {...}, "pipeline": {...}, "linear": {...},
//    "training": {...lineage, cleaning, validation, metrics...}}
//
// Everything needed to predict is in the file; loading checks every part of it, so a
// truncated or edited file is a Corruption status, never a wrong price.
// docs/model-file.md describes each field.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"
#include "ml/linear_model.h"
#include "ml/trainer.h"

namespace diamond::ml {

inline constexpr std::string_view kModelFormat = "diamond-model";
inline constexpr int kModelFormatVersion = 1;

// Where training data came from: its name (a path or dataset id), the SHA-256 of its
// bytes, and how many data rows it held.
struct DataLineage {
  std::string name;
  std::string sha256;
  int64_t rows = 0;
};

struct ModelDocument {
  LinearModel model;
  nlohmann::ordered_json training;  // lineage, cleaning, validation and metrics, as written
};

nlohmann::ordered_json MetricsToJson(const Metrics& metrics);
nlohmann::ordered_json CleaningToJson(const CleaningReport& report);

// The whole document; `created_at` is an RFC 3339 time the caller supplies.
nlohmann::ordered_json ModelToJson(const TrainingOutcome& outcome, const DataLineage& training_data,
                           const std::optional<DataLineage>& validation_data,
                           std::string_view created_at);

Result<ModelDocument> ModelFromJson(const nlohmann::ordered_json& document);
Result<ModelDocument> ParseModelFile(std::string_view text);

}  // namespace diamond::ml
