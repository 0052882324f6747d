#include "ml/model_file_checks.h"

#include <cmath>

namespace diamond::ml {

using json = nlohmann::ordered_json;

const json& Member(const json& object, const char* key) {
  static const json kNull;
  if (!object.is_object()) return kNull;
  auto it = object.find(key);
  return it == object.end() ? kNull : *it;
}

double FiniteAt(const json& object, const char* key, std::string* error) {
  const json& member = Member(object, key);
  if (!member.is_number()) {
    if (error->empty()) *error = std::string("'") + key + "' is missing or not a number";
    return 0;
  }
  double value = member.get<double>();
  if (!std::isfinite(value) && error->empty()) *error = std::string("'") + key + "' is not finite";
  return value;
}

bool FiniteArray(const json& value, size_t size, std::vector<double>* out) {
  if (!value.is_array() || value.size() != size) return false;
  out->clear();
  for (const auto& v : value) {
    if (!v.is_number()) return false;
    out->push_back(v.get<double>());
    if (!std::isfinite(out->back())) return false;
  }
  return true;
}

Status Corrupt(const std::string& why) { return Status::Corruption("invalid model file: " + why); }

}  // namespace diamond::ml
