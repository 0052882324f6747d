// The JSON shapes of models and jobs, shared by the routes that return them.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "store/records.h"

namespace diamond::http {

// {"id_", "id", "status", "version", "metrics", "coefficients", "dataset", ...}
nlohmann::json ModelJson(const store::ModelRecord& model, const std::string& prefix);
// {"id", "kind", "model_id", "state", "progress", "error", "attempts", ...}
nlohmann::json JobJson(const store::JobRecord& job, const std::string& prefix);

}  // namespace diamond::http
