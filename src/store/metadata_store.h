// MetadataStore: the durable index of datasets, uploads, models, jobs and price queries —
// every metadata port in one object, as an engine implements them. Bytes live in the
// BlobStore; rows here point to them.
//
// Services and jobs never take the whole of it: each takes the ports it uses, so what a
// component may touch is in its constructor, and a test fakes or breaks one port at a
// time. The ports (each a header of its own, about a dozen methods at most):
//   DatasetStore      datasets, versions, stored bytes             dataset_store.h
//   UploadStore       multipart uploads and their commit           upload_store.h
//   ModelStore        models, trainings, sharing, the change log   model_store.h
//   JobQueue          jobs: queue, claim, lease, fence, cancel     job_queue.h
//   BatchPartStore    batch prediction result parts                batch_part_store.h
//   QueryStore        price queries and their batches              query_store.h
//   MaintenanceStore  named leases, referenced blob keys, ping     maintenance_store.h
// (AccountStore, account_store.h, is separate: the SQL engine implements it too.)
//
// One implementation serves SQLite (embedded default) and PostgreSQL through SOCI
// (sql_metadata_store.h). State rules live in service/; the store checks what must hold
// inside its transaction (compare-and-set on a version or a handle, fences on a job's
// attempt, plan limits summed under the write lock).
#pragma once

#include "store/batch_part_store.h"
#include "store/dataset_store.h"
#include "store/job_queue.h"
#include "store/maintenance_store.h"
#include "store/model_store.h"
#include "store/query_store.h"
#include "store/upload_store.h"

namespace diamond::store {

class MetadataStore : public DatasetStore,
                      public UploadStore,
                      public ModelStore,
                      public JobQueue,
                      public BatchPartStore,
                      public QueryStore,
                      public MaintenanceStore {
 public:
  ~MetadataStore() override = default;
};

}  // namespace diamond::store
