#include "store/store_binding.h"

#include <nlohmann/json.hpp>

namespace diamond::store {
namespace {

std::string BindingText(const std::string& database_id) {
  return nlohmann::json{
             {"database_id", database_id},
             {"note", "written by diamond: this store belongs to that database; do not delete"}}
             .dump() +
         "\n";
}

// InvalidArgument: the command line (or environment) names stores that do not belong
// together; the commands exit 2 for it.
Status Refuse(const std::string& why) {
  return Status::InvalidArgument(
      why +
      ". Nothing was changed; check --db and --blobs (DIAMOND_DB, DIAMOND_BLOBS): "
      "a database and its blob store are used together (docs/operations.md)");
}

}  // namespace

Status BindOrVerifyBlobStore(const DatabaseFacts& database, BlobStore& blobs,
                             const std::string& where) {
  auto recorded = blobs.Get(kStoreBindingKey);
  if (recorded.ok()) {
    const auto parsed = nlohmann::json::parse(*recorded, nullptr, /*allow_exceptions=*/false);
    if (!parsed.is_object() || !parsed.contains("database_id") ||
        !parsed["database_id"].is_string()) {
      return Refuse("the blob store " + where + " has an unreadable " + kStoreBindingKey);
    }
    const std::string owner = parsed["database_id"].get<std::string>();
    if (owner == database.id) return Status::Ok();
    return Refuse("the blob store " + where + " belongs to another database (id " + owner +
                  "); this database is " + database.id);
  }
  if (recorded.status().code() != StatusCode::kNotFound) {
    return Status::IoError("cannot read " + std::string(kStoreBindingKey) + " in " + where + ": " +
                           recorded.status().message());
  }
  // Not bound yet.
  auto first = blobs.ListPage("", "", 1);
  if (!first.ok()) return first.status();
  auto referenced = database.referenced();
  if (!referenced.ok()) return referenced.status();
  if (first->empty()) {
    if (!referenced->empty()) {
      return Refuse("the blob store " + where + " is empty, but this database refers to " +
                    std::to_string(referenced->size()) + " blobs (such as " + referenced->front() +
                    "): its store is elsewhere");
    }
  } else {
    bool holds_ours = false;
    for (const auto& key : *referenced) {
      if (blobs.Stat(key).ok()) {
        holds_ours = true;
        break;
      }
    }
    if (!holds_ours) {
      return Refuse("the blob store " + where + " holds blobs (such as " + first->front().key +
                    ") and none that this database refers to: it belongs to another database");
    }
  }
  return blobs.Put(kStoreBindingKey, BindingText(database.id));
}

}  // namespace diamond::store
