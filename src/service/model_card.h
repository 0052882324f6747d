// A model card (issue 25): what one kept version of a model is for and how far to trust it,
// written only from facts stored when it was trained — its training request and summary
// (metrics, cleaning, cross-validation, intervals, the monotonicity probe, importances) —
// and the statistics of the dataset version it was trained on. JSON for programs, Markdown
// for people; the Markdown says nothing the JSON does not.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "core/records.h"

namespace diamond::service {

// `dataset` is the version the model was trained on, when it is still kept (its column
// ranges and grade counts are what the prices are valid for).
nlohmann::ordered_json ModelCard(const ModelVersionRecord& version,
                                 const std::optional<DatasetVersion>& dataset);

// The same card as a Markdown document.
std::string ModelCardMarkdown(const nlohmann::ordered_json& card);

}  // namespace diamond::service
