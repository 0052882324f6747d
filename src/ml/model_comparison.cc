#include "ml/model_comparison.h"

#include <set>

namespace diamond::ml {
namespace {

using nlohmann::ordered_json;

// Pointers under `prefix` where `a` and `b` differ, descending into objects `depth` more
// levels (deeper differences are reported at the last level looked at).
void Collect(const ordered_json& a, const ordered_json& b, const std::string& prefix, int depth,
             std::set<std::string>* out) {
  if (a == b) return;
  if (depth == 0 || !a.is_object() || !b.is_object()) {
    out->insert(prefix.empty() ? "/" : prefix);
    return;
  }
  std::set<std::string> keys;
  for (const auto& item : a.items()) keys.insert(item.key());
  for (const auto& item : b.items()) keys.insert(item.key());
  for (const std::string& key : keys) {
    const std::string pointer = prefix + "/" + key;
    if (pointer == "/training/created_at") continue;
    if (!a.contains(key) || !b.contains(key)) {
      out->insert(pointer);
      continue;
    }
    Collect(a.at(key), b.at(key), pointer, depth - 1, out);
  }
}

}  // namespace

std::vector<std::string> ModelFileDifferences(const ordered_json& a, const ordered_json& b) {
  std::set<std::string> found;
  Collect(a, b, "", 2, &found);
  return {found.begin(), found.end()};
}

}  // namespace diamond::ml
