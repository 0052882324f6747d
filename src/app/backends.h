// The composition root's one decision: which storage engines run, chosen by URL.
//   --db     sqlite:PATH | postgresql://user[:pass]@host[:port]/db[?host=/socket/dir]
//   --blobs  file:DIR    | s3://bucket[/prefix]?endpoint=http://host:port&region=r
// Nothing below src/app knows which backend it was given: the services, the job runner
// and the HTTP layer see only the MetadataStore, AccountStore and BlobStore interfaces.
// A third backend is one implementation per interface plus a scheme here.
#pragma once

#include <cstddef>
#include <memory>
#include <string>

#include "core/status.h"
#include "store/stores.h"

namespace diamond::app {

struct BackendUrls {
  std::string db;      // see above
  std::string blobs;   // see above
  size_t db_pool = 8;  // connections to PostgreSQL (SQLite always has one)
};

// --data-dir DIR, the embedded default: sqlite:DIR/metadata.db and file:DIR/blobs.
BackendUrls EmbeddedUrls(const std::string& data_dir);

// The URLs given (--db/--blobs, or DIAMOND_DB/DIAMOND_BLOBS), each one not given taken from
// the embedded default under `data_dir`. `uses_data_dir` says whether any was.
struct ChosenUrls {
  BackendUrls urls;
  bool uses_data_dir = false;
};
ChosenUrls ChooseBackendUrls(const std::string& data_dir, const std::string& db,
                             const std::string& blobs, size_t db_pool);

// Opens (and migrates) the database and opens the blob store. InvalidArgument for a URL
// no backend takes; FailedPrecondition for a schema newer than this build.
Result<store::Stores> OpenBackends(const BackendUrls& urls);

// Only the database (diamond admin): its accounts, or its metadata (jobs).
Result<std::shared_ptr<store::AccountStore>> OpenAccountStore(const BackendUrls& urls);
Result<std::shared_ptr<store::MetadataStore>> OpenMetadataStore(const BackendUrls& urls);

}  // namespace diamond::app
