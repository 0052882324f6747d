// The stores one process works on, whichever engines implement them (chosen by URL in
// src/app/backends.h). metadata and accounts may be one object (the SQL store implements
// both); shared ownership keeps it alive as long as either is used.
#pragma once

#include <memory>
#include <string>

#include "store/account_store.h"
#include "store/blob_store.h"
#include "store/metadata_store.h"

namespace diamond::store {

struct Stores {
  std::shared_ptr<MetadataStore> metadata;
  std::shared_ptr<AccountStore> accounts;
  std::shared_ptr<BlobStore> blobs;
  std::string description;  // for logs: "sqlite:… + file:…", without secrets
};

}  // namespace diamond::store
