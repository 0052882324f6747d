#include "app/backends.h"

#include "store/file_blob_store.h"
#include "store/s3_blob_store.h"
#include "store/sql_metadata_store.h"
#include "store/store_binding.h"

namespace diamond::app {
namespace {

bool StartsWith(const std::string& s, const char* prefix) { return s.rfind(prefix, 0) == 0; }

Result<std::shared_ptr<store::SqlMetadataStore>> OpenDatabase(const BackendUrls& urls) {
  if (urls.db.empty())
    return Status::InvalidArgument("no database: pass --db URL (or DIAMOND_DB) or --data-dir");
  auto opened = store::SqlMetadataStore::Open(urls.db, urls.db_pool);
  if (!opened.ok()) return opened.status();
  return std::shared_ptr<store::SqlMetadataStore>(std::move(opened).value());
}

Result<std::shared_ptr<store::BlobStore>> OpenBlobStore(const std::string& url) {
  if (StartsWith(url, "file:")) {
    const std::string dir = url.substr(5);
    if (dir.empty())
      return Status::InvalidArgument("blob URL 'file:' names no directory (file:DIR)");
    auto opened = store::FileBlobStore::Open(dir);
    if (!opened.ok()) return opened.status();
    return std::shared_ptr<store::BlobStore>(std::move(opened).value());
  }
  if (StartsWith(url, "s3://")) {
    auto opened = store::S3BlobStore::Open(url);
    if (!opened.ok()) return opened.status();
    return std::shared_ptr<store::BlobStore>(std::move(opened).value());
  }
  return Status::InvalidArgument("blob store URL '" + url +
                                 "' is neither file:DIR nor s3://bucket?endpoint=…");
}

}  // namespace

BackendUrls EmbeddedUrls(const std::string& data_dir) {
  BackendUrls urls;
  urls.db = "sqlite:" + data_dir + "/metadata.db";
  urls.blobs = "file:" + data_dir + "/blobs";
  return urls;
}

ChosenUrls ChooseBackendUrls(const std::string& data_dir, const std::string& db,
                             const std::string& blobs, size_t db_pool) {
  const BackendUrls embedded = EmbeddedUrls(data_dir);
  ChosenUrls chosen;
  chosen.urls.db = db.empty() ? embedded.db : db;
  chosen.urls.blobs = blobs.empty() ? embedded.blobs : blobs;
  chosen.urls.db_pool = db_pool;
  chosen.uses_data_dir = db.empty() || blobs.empty();
  return chosen;
}

Result<store::Stores> OpenBackends(const BackendUrls& urls) {
  auto database = OpenDatabase(urls);
  if (!database.ok()) return database.status();
  auto blobs = OpenBlobStore(urls.blobs);
  if (!blobs.ok()) return blobs.status();
  // Before anything can write or collect blobs: are these two one deployment's?
  store::DatabaseFacts facts;
  auto id = (*database)->DatabaseId();
  if (!id.ok()) return id.status();
  facts.id = *id;
  facts.referenced = [&] { return (*database)->ReferencedBlobKeys(); };
  if (Status s = store::BindOrVerifyBlobStore(facts, **blobs, urls.blobs); !s.ok()) return s;
  store::Stores backends;
  backends.metadata = *database;
  backends.accounts = *database;
  backends.blobs = *blobs;
  auto db_url = store::ParseDatabaseUrl(urls.db);
  backends.description = (db_url.ok() ? db_url->display : std::string("?")) + " + " + urls.blobs;
  return backends;
}

Result<std::shared_ptr<store::AccountStore>> OpenAccountStore(const BackendUrls& urls) {
  auto database = OpenDatabase(urls);
  if (!database.ok()) return database.status();
  return std::shared_ptr<store::AccountStore>(*database);
}

Result<std::shared_ptr<store::MetadataStore>> OpenMetadataStore(const BackendUrls& urls) {
  auto database = OpenDatabase(urls);
  if (!database.ok()) return database.status();
  return std::shared_ptr<store::MetadataStore>(*database);
}

}  // namespace diamond::app
