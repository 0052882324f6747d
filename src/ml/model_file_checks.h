// Checked reads of a model file's JSON, for the model file and each algorithm's Load: a
// model file may be hostile, so nothing here throws and every miss is reported.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/status.h"

namespace diamond::ml {

// The member `key` of `object`, or null if `object` is not an object or lacks it.
// (json::value() throws on a type mismatch.)
const nlohmann::ordered_json& Member(const nlohmann::ordered_json& object, const char* key);

// A finite number at `key` of `object`; the first problem goes to *error.
double FiniteAt(const nlohmann::ordered_json& object, const char* key, std::string* error);

// Whether `value` is an array of `size` finite numbers (then copied into *out).
bool FiniteArray(const nlohmann::ordered_json& value, size_t size, std::vector<double>* out);

// Corruption("invalid model file: " + why).
Status Corrupt(const std::string& why);

}  // namespace diamond::ml
