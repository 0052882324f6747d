// The model file: a versioned, self-describing JSON document.
//
//   {"format": "diamond-model", "format_version": 2, "algorithm": "linear" | "gbdt",
//    "inputs": [...], "encodings": {...}, "pipeline": {...},
//    "linear": {...} | "gbdt": {"hyperparameters": {...}, "rounds": n, "xgboost": {...}},
//    "calibration": {...split-conformal residuals...},
//    "training": {...lineage, cleaning, validation, metrics, importances, search...}}
//
// Version 1 files (linear, no calibration) are still read.
//
// Everything needed to predict is in the file; loading checks every part of it, so a
// truncated or edited file is a Corruption status, never a wrong price.
// docs/model-file.md describes each field.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"
#include "ml/conformal.h"
#include "ml/model.h"
#include "ml/trainer.h"

namespace diamond::ml {

inline constexpr std::string_view kModelFormat = "diamond-model";
inline constexpr int kModelFormatVersion = 2;  // written; 1 and 2 are read

// Where training data came from: its name (a path or dataset id), the SHA-256 of its
// bytes, and how many data rows it held.
struct DataLineage {
  std::string name;
  std::string sha256;
  int64_t rows = 0;
};

struct ModelDocument {
  std::shared_ptr<const Model> model;
  ModelSpec spec;
  std::optional<Calibration> calibration;  // absent when trained without held-out rows
  nlohmann::ordered_json training;         // lineage, cleaning, validation and metrics, as written
};

nlohmann::ordered_json MetricsToJson(const Metrics& metrics);
nlohmann::ordered_json CleaningToJson(const CleaningReport& report);
// [{"feature": "carat", "importance": 0.61}, ...]: each feature's share, largest first.
nlohmann::ordered_json ImportancesToJson(const Model& model);
// The cross-validation table, like scikit-learn's cv_results_ (one entry per candidate).
nlohmann::ordered_json SearchToJson(const SearchResult& search);
// {"stones": 400, "inversions": 0, "checks": {"cut": {"steps", "inversions", "worst_drop"}, …}}
nlohmann::ordered_json MonotonicityToJson(const MonotonicityReport& report);
// What GET /models shows of a calibration: method, rows and a few levels' half-widths.
nlohmann::ordered_json CalibrationSummaryJson(const Calibration& calibration);

// The whole document; `created_at` is an RFC 3339 time the caller supplies.
nlohmann::ordered_json ModelToJson(const TrainingOutcome& outcome, const DataLineage& training_data,
                                   const std::optional<DataLineage>& validation_data,
                                   std::string_view created_at);

Result<ModelDocument> ModelFromJson(const nlohmann::ordered_json& document);
Result<ModelDocument> ParseModelFile(std::string_view text);

}  // namespace diamond::ml
