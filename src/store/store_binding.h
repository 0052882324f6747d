// A database and its blob store belong together: every blob a database refers to is in
// one store, and blob GC deletes whatever in that store the database does not refer to.
// Pointed at another database's bucket (a replica started without --db opens a fresh
// SQLite), GC would delete all of it (issue 28). So the store records which database it
// belongs to — an object at kStoreBindingKey holding the database's identity — written
// the first time the two are opened together and checked at every start of serve, worker
// and lambda, before anything runs.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "core/status.h"
#include "store/blob_store.h"

namespace diamond::store {

// Never a data blob's key (those live under datasets/, models/, uploads/...); blob GC
// leaves it alone.
inline constexpr const char* kStoreBindingKey = "diamond-store-binding.json";

// What the database knows that bears on the check.
struct DatabaseFacts {
  std::string id;  // SqlMetadataStore::DatabaseId
  // MetadataStore::ReferencedBlobKeys, asked only when the store is not bound yet.
  std::function<Result<std::vector<std::string>>()> referenced;
};

// Checks that `blobs` belongs to the database, binding them if the store is new:
//   - the store names this database: ok;
//   - it names another: InvalidArgument (both ids in the message);
//   - it names none (a new store, or one from before bindings): bound now if it is empty
//     and the database refers to no blob, or if it holds a blob the database refers to
//     (a deployment from before this check); otherwise refused — an empty store
//     for a database that has blobs (the wrong --blobs), or a store of blobs none of which
//     are this database's (the wrong --db). Both InvalidArgument; nothing is written then.
// `where` names the store in messages (its URL).
Status BindOrVerifyBlobStore(const DatabaseFacts& database, BlobStore& blobs,
                             const std::string& where);

}  // namespace diamond::store
