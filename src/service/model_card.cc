#include "service/model_card.h"

#include <cmath>
#include <cstdio>
#include <sstream>

namespace diamond::service {
namespace {

using ojson = nlohmann::ordered_json;

ojson Parsed(const std::string& text) {
  ojson parsed = ojson::parse(text, nullptr, /*allow_exceptions=*/false);
  return parsed.is_discarded() ? ojson::object() : parsed;
}

// The value at `key`, or null: a summary from an older binary may lack a field. A copy:
// loop over a named one (a range-for over a temporary's items() would dangle).
ojson At(const ojson& object, const char* key) {
  if (!object.is_object()) return nullptr;
  auto it = object.find(key);
  return it == object.end() ? ojson(nullptr) : *it;
}

std::string Number(const ojson& value, int digits = 4) {
  if (!value.is_number()) return "—";
  const double v = value.get<double>();
  char buffer[64];
  if (value.is_number_integer() || (std::fabs(v) >= 1000 && v == std::floor(v))) {
    std::snprintf(buffer, sizeof buffer, "%.0f", v);
  } else {
    std::snprintf(buffer, sizeof buffer, "%.*g", digits, v);
  }
  return buffer;
}

std::string Percent(const ojson& fraction) {
  if (!fraction.is_number()) return "—";
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.1f %%", fraction.get<double>() * 100);
  return buffer;
}

}  // namespace

ojson ModelCard(const ModelVersionRecord& version, const std::optional<DatasetVersion>& dataset) {
  const ojson summary = Parsed(version.summary_json);
  const ojson request = Parsed(version.request_json);
  ojson data = {{"dataset_id", version.dataset_id},
                {"dataset_version", version.dataset_version},
                {"rows", At(At(summary, "dataset"), "rows")},
                {"sha256", At(At(summary, "dataset"), "sha256")},
                {"cleaning", At(summary, "cleaning")}};
  if (dataset) {
    // Ranges of the version's rows before cleaning: prices outside them are extrapolated.
    const ojson stats = Parsed(dataset->stats_json);
    ojson ranges = ojson::object();
    const ojson columns = At(stats, "columns");
    for (const auto& [column, s] : columns.items()) {
      if (column == "price") continue;
      ranges[column] = {{"min", At(s, "min")}, {"max", At(s, "max")}};
    }
    data["ranges"] = ranges;
    data["grades"] = At(stats, "grades");
  } else {
    data["ranges"] = nullptr;  // the dataset version was deleted since
  }
  return {{"model",
           {{"id", version.model_id},
            {"version", version.version},
            {"champion", version.champion},
            {"aliases", version.aliases},
            {"algorithm", At(summary, "algorithm")},
            {"trained_at", At(summary, "trained_at")},
            {"training_seconds", At(summary, "training_seconds")},
            {"binary_version", At(summary, "binary_version")}}},
          {"intended_use",
           "Prices of single loose diamonds described by carat, cut, color, clarity, depth, table "
           "and x, y, z, within the ranges of the data below; prices outside them are "
           "extrapolated. Not an appraisal of a particular stone: the model has seen only these "
           "columns, not certificates, fluorescence or market changes after its data."},
          {"data", data},
          {"training",
           {{"hyperparameters", At(summary, "hyperparameters")},
            {"validation", At(summary, "validation")},
            {"rows_fit", At(summary, "rows_fit")},
            {"rounds", At(summary, "rounds")},
            {"search", At(summary, "search")}}},
          {"metrics", At(summary, "metrics")},
          {"intervals", At(summary, "interval_calibration")},
          {"monotonicity", At(summary, "monotonicity")},
          {"monotone_constraints", At(summary, "monotone_constraints")},
          {"feature_importances", At(summary, "feature_importances")},
          {"reproduce",
           {{"request", request},
            {"dataset",
             {{"id", version.dataset_id},
              {"version", version.dataset_version},
              {"sha256", At(At(summary, "dataset"), "sha256")}}},
            {"how",
             "POST /models/" + version.model_id + "/versions/" + std::to_string(version.version) +
                 "/reproduce trains the request above again on this dataset version (kept while "
                 "the model version is) and records whether the model file is identical. "
                 "Elsewhere: train the request on a dataset whose canonical CSV has this SHA-256 "
                 "(the same rows in the same order); fits are deterministic for a given request, "
                 "seed and build."},
            {"last", version.reproduction_json.empty() ? ojson(nullptr)
                                                       : Parsed(version.reproduction_json)}}}};
}

std::string ModelCardMarkdown(const ojson& card) {
  std::ostringstream md;
  const ojson& model = card["model"];
  md << "# Model card: " << model["id"].get<std::string>() << ", version "
     << model["version"].get<int64_t>() << "\n\n";
  md << "- Algorithm: " << At(model, "algorithm").dump() << "\n";
  md << "- Trained at: " << At(model, "trained_at").dump() << " in "
     << Number(At(model, "training_seconds"), 3) << " s\n";
  md << "- Serving: " << (model["champion"].get<bool>() ? "champion" : "not the champion");
  for (const auto& alias : model["aliases"]) md << ", " << alias.get<std::string>();
  md << "\n\n## Intended use\n\n" << card["intended_use"].get<std::string>() << "\n\n";

  const ojson& data = card["data"];
  md << "## Data\n\nDataset `" << data["dataset_id"].get<std::string>() << "` version "
     << data["dataset_version"].get<int64_t>() << ": " << Number(data["rows"]) << " rows, SHA-256 `"
     << (data["sha256"].is_string() ? data["sha256"].get<std::string>() : "—") << "`.\n\n";
  if (data["ranges"].is_object()) {
    md << "| column | min | max |\n|---|---|---|\n";
    for (const auto& [column, range] : data["ranges"].items()) {
      md << "| " << column << " | " << Number(range["min"]) << " | " << Number(range["max"])
         << " |\n";
    }
    md << "\n";
  } else {
    md << "The dataset version has been deleted since: its ranges are not known.\n\n";
  }
  const ojson cleaning = At(data, "cleaning");
  if (cleaning.is_object()) {
    md << "Cleaning kept " << Number(At(cleaning, "rows_kept")) << " of "
       << Number(At(cleaning, "rows_in")) << " rows";
    const ojson dropped = At(cleaning, "dropped_by_rule");
    if (dropped.is_object() && !dropped.empty()) {
      md << " (dropped:";
      for (const auto& [rule, count] : dropped.items())
        md << " " << Number(count) << " for `" << rule << "`;";
      md << ")";
    }
    md << ".\n\n";
  }

  md << "## Accuracy\n\n";
  const ojson metrics = card["metrics"];
  if (metrics.is_object()) {
    md << "| rows | set | MAE ($) | RMSE ($) | MAPE | R² |\n|---|---|---|---|---|---|\n";
    for (const auto& [set, m] : metrics.items()) {
      md << "| " << Number(At(m, "rows")) << " | " << set << " | " << Number(At(m, "mae")) << " | "
         << Number(At(m, "rmse")) << " | " << Percent(At(m, "mape")) << " | " << Number(At(m, "r2"))
         << " |\n";
    }
    md << "\n";
  }
  const ojson search = At(card["training"], "search");
  if (search.is_object()) {
    md << "A grid search chose these hyperparameters by " << Number(At(search, "folds"))
       << "-fold cross-validation on the training rows (metric " << At(search, "metric").dump()
       << ").\n\n";
  }
  const ojson intervals = card["intervals"];
  if (intervals.is_object()) {
    md << "Intervals: " << At(intervals, "method").dump() << " on " << Number(At(intervals, "rows"))
       << " held-out rows; a level's interval is the price divided and multiplied by its factor:";
    const ojson factors = At(intervals, "factor_by_level");
    for (const auto& [level, factor] : factors.items())
      md << " " << level << " → ×" << Number(factor);
    md << ".\n\n";
  } else {
    md << "No intervals: trained without held-out rows.\n\n";
  }
  const ojson probe = card["monotonicity"];
  if (probe.is_object()) {
    md << "## Monotonicity\n\nA better grade or a bigger stone should never lower the price. "
          "Probed on "
       << Number(At(probe, "stones")) << " training stones: " << Number(At(probe, "inversions"))
       << " price drops in all.\n\n| upgrade | steps | drops |\n|---|---|---|\n";
    const ojson checks = At(probe, "checks");
    for (const auto& [kind, check] : checks.items()) {
      md << "| " << kind << " | " << Number(At(check, "steps")) << " | "
         << Number(At(check, "inversions")) << " |\n";
    }
    md << "\n";
  }
  const ojson importances = card["feature_importances"];
  if (importances.is_array() && !importances.empty()) {
    md << "## What drives its prices\n\n";
    for (const auto& f : importances) {
      const ojson name = At(f, "feature");
      md << "- " << (name.is_string() ? name.get<std::string>() : name.dump()) << ": "
         << Percent(At(f, "importance")) << "\n";
    }
    md << "\n";
  }
  md << "## Reproduce\n\n"
     << card["reproduce"]["how"].get<std::string>() << "\n\n```json\n"
     << card["reproduce"]["request"].dump(2) << "\n```\n";
  const ojson last = At(card["reproduce"], "last");
  if (last.is_object()) {
    md << "\nLast reproduced " << At(last, "reproduced_at").dump() << " by "
       << At(last, "binary_version").dump() << ": "
       << (At(last, "identical") == ojson(true) ? "identical." : "different, in");
    const ojson differences = At(last, "differences");
    if (At(last, "identical") != ojson(true) && differences.is_array()) {
      for (const auto& place : differences) md << " `" << place.get<std::string>() << "`";
      md << ".";
    }
    md << "\n";
  } else {
    md << "\nNot reproduced yet.\n";
  }
  return md.str();
}

}  // namespace diamond::service
