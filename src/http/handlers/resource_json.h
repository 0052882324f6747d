// The JSON shapes of datasets, models and jobs, shared by the routes that return them.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "core/records.h"

namespace diamond::http {

// A dataset version's own fields: {"version", "rows", "bytes", "sha256", "segments"} —
// in the dataset's view, in its list of versions, and in an upload's completion.
nlohmann::json DatasetVersionFields(const DatasetVersion& version);
// {"id_", "id", "location", the current version's fields, "created_at", "updated_at",
// "columns", "grades"}: every route that shows a dataset (the seed's list keeps its own
// three fields: id_, version, rows).
nlohmann::json DatasetJson(const DatasetRecord& dataset, const std::string& prefix);

// {"id_", "id", "status", "version", "metrics", "coefficients", "dataset", ...}
// `viewer` sees the training details (job, request, error) only of their own models.
nlohmann::json ModelJson(const ModelRecord& model, const std::string& prefix,
                         const std::string& viewer);
// {"id", "kind", "model_id", "state", "progress", "error", "attempts", ...}
nlohmann::json JobJson(const JobRecord& job, const std::string& prefix);
// One kept version of the owner's model: number, whether it is the champion, lineage,
// the request that trained it and its summary (metrics, coefficients, timings).
nlohmann::json ModelVersionJson(const ModelVersionRecord& version, const std::string& prefix);
// One move of a model's alias.
nlohmann::json AliasMoveJson(const AliasMove& move);

}  // namespace diamond::http
