// The JSON shapes of models and jobs, shared by the routes that return them.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "core/records.h"

namespace diamond::http {

// {"id_", "id", "status", "version", "metrics", "coefficients", "dataset", ...}
// `viewer` sees the training details (job, request, error) only of their own models.
nlohmann::json ModelJson(const ModelRecord& model, const std::string& prefix,
                         const std::string& viewer);
// {"id", "kind", "model_id", "state", "progress", "error", "attempts", ...}
nlohmann::json JobJson(const JobRecord& job, const std::string& prefix);

}  // namespace diamond::http
