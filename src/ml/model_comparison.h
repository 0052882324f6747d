// Whether two model files describe the same model: what a reproduction (retraining a kept
// version from its pinned data) reports.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace diamond::ml {

// The places where model files `a` and `b` differ, as JSON pointers at most two levels
// deep ("/gbdt", "/training/metrics"), sorted; empty when they are the same model. The
// time a file was written (/training/created_at) is not part of the model and is ignored.
std::vector<std::string> ModelFileDifferences(const nlohmann::ordered_json& a,
                                              const nlohmann::ordered_json& b);

}  // namespace diamond::ml
