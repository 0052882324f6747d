// Stores that fail on demand, for tests: each forwards to a real store and fails its
// Nth call (counting every call) with the fault chosen — an I/O error, or for a blob put
// a short write (half the bytes land under the key, then an error) or a failed fsync
// (nothing lands, an error). What the services must show under them: a clean error and
// nothing half-written visible.
#pragma once

#include <gtest/gtest.h>

#include <atomic>
#include <initializer_list>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>

#include "store/blob_store.h"
#include "store/file_blob_store.h"
#include "store/metadata_store.h"
#include "store/sql_metadata_store.h"
#include "support/test_support.h"

namespace diamond::testing {

enum class Fault { kIoError, kShortWrite, kSyncFailure };

// Counts calls and says when the armed one comes.
class FaultPlan {
 public:
  void FailCall(int64_t n, Fault fault) {
    fail_at_ = n;
    fault_ = fault;
  }
  // The fault for this call, if it is the armed one.
  std::optional<Fault> Next() {
    const int64_t call = ++calls_;
    if (call != fail_at_) return std::nullopt;
    ++faults_;
    return fault_;
  }
  int64_t calls() const { return calls_; }
  int64_t faults() const { return faults_; }

 private:
  std::atomic<int64_t> calls_{0};
  std::atomic<int64_t> faults_{0};
  int64_t fail_at_ = -1;
  Fault fault_ = Fault::kIoError;
};

class FaultyBlobStore final : public store::BlobStore {
 public:
  FaultyBlobStore(store::BlobStore& real, FaultPlan& plan) : real_(real), plan_(plan) {}

  Status Put(const std::string& key, std::string_view bytes) override {
    if (auto fault = plan_.Next()) {
      if (*fault == Fault::kShortWrite) {
        // A torn write the store then reports: half the bytes are there under the key.
        if (Status s = real_.Put(key, bytes.substr(0, bytes.size() / 2)); !s.ok()) return s;
        return Status::IoError("injected: short write of " + key);
      }
      return Status::IoError(*fault == Fault::kSyncFailure ? "injected: fsync failed for " + key
                                                           : "injected: cannot write " + key);
    }
    return real_.Put(key, bytes);
  }
  Result<std::string> Get(const std::string& key) const override {
    if (plan_.Next()) return Status::IoError("injected: cannot read " + key);
    return real_.Get(key);
  }
  Status Delete(const std::string& key) override {
    if (plan_.Next()) return Status::IoError("injected: cannot delete " + key);
    return real_.Delete(key);
  }
  Result<std::vector<store::BlobInfo>> List(const std::string& prefix) const override {
    if (plan_.Next()) return Status::IoError("injected: cannot list");
    return real_.List(prefix);
  }
  Status PutFrom(const std::string& key, std::istream& in) override {
    if (plan_.Next()) return Status::IoError("injected: cannot write " + key);
    return real_.PutFrom(key, in);
  }
  Status GetTo(const std::string& key, std::ostream& out) const override {
    if (plan_.Next()) return Status::IoError("injected: cannot read " + key);
    return real_.GetTo(key, out);
  }
  Result<std::string> GetRange(const std::string& key, int64_t offset,
                               int64_t length) const override {
    if (plan_.Next()) return Status::IoError("injected: cannot read " + key);
    return real_.GetRange(key, offset, length);
  }
  Result<store::BlobInfo> Stat(const std::string& key) const override {
    if (plan_.Next()) return Status::IoError("injected: cannot stat " + key);
    return real_.Stat(key);
  }
  Result<std::vector<store::BlobInfo>> ListPage(const std::string& prefix, const std::string& after,
                                                size_t limit) const override {
    if (plan_.Next()) return Status::IoError("injected: cannot list");
    return real_.ListPage(prefix, after, limit);
  }
  Result<std::string> StartParts(const std::string& key) override {
    if (plan_.Next()) return Status::IoError("injected: cannot start parts of " + key);
    return real_.StartParts(key);
  }
  Result<std::string> PutPart(const std::string& key, const std::string& id, int64_t number,
                              std::string_view bytes) override {
    if (plan_.Next()) return Status::IoError("injected: cannot write a part of " + key);
    return real_.PutPart(key, id, number, bytes);
  }
  Result<std::string> CopyPart(const std::string& key, const std::string& id, int64_t number,
                               const std::string& source, int64_t offset, int64_t length) override {
    if (plan_.Next()) return Status::IoError("injected: cannot copy a part of " + key);
    return real_.CopyPart(key, id, number, source, offset, length);
  }
  Status CompleteParts(const std::string& key, const std::string& id,
                       const std::vector<std::pair<int64_t, std::string>>& parts) override {
    if (plan_.Next()) return Status::IoError("injected: cannot complete " + key);
    return real_.CompleteParts(key, id, parts);
  }
  Status AbortParts(const std::string& key, const std::string& id) override {
    if (plan_.Next()) return Status::IoError("injected: cannot abort the parts of " + key);
    return real_.AbortParts(key, id);
  }

 private:
  store::BlobStore& real_;
  FaultPlan& plan_;
};

// One fault-injecting wrapper per metadata port (metadata_store.h): every call forwards,
// unless it is the armed one of the plan they share — then IoError, and the real store is
// not called (the transaction never happened).
#define DIAMOND_FORWARD(Ret, Name, Params, Args)                                    \
  Ret Name Params override {                                                        \
    if (plan_.Next()) return Status::IoError("injected: database error in " #Name); \
    return real_.Name Args;                                                         \
  }
using DatasetPage = Result<std::pair<std::vector<DatasetRecord>, int64_t>>;
using ModelPage = Result<std::pair<std::vector<ModelRecord>, int64_t>>;
using JobPage = Result<std::pair<std::vector<JobRecord>, int64_t>>;
using Keys = Result<std::vector<std::string>>;
using Tags = std::vector<std::pair<int64_t, std::string>>;
using Counts = Result<std::vector<std::pair<std::string, int64_t>>>;
using Expired = Result<std::vector<std::pair<std::string, std::string>>>;

class FaultyDatasetStore final : public store::DatasetStore {
 public:
  FaultyDatasetStore(store::DatasetStore& real, FaultPlan& plan) : real_(real), plan_(plan) {}
  DIAMOND_FORWARD(DatasetPage, ListDatasets, (const std::string& o, Page p), (o, p))
  DIAMOND_FORWARD(Result<DatasetRecord>, GetDataset, (const std::string& o, const std::string& id),
                  (o, id))
  DIAMOND_FORWARD(Result<DatasetRecord>, CommitDatasetVersion,
                  (const std::string& o, const std::string& id, int64_t e, const DatasetVersion& v,
                   const StorageLimits& l),
                  (o, id, e, v, l))
  DIAMOND_FORWARD(Result<std::vector<DatasetVersion>>, ListDatasetVersions,
                  (const std::string& o, const std::string& id), (o, id))
  DIAMOND_FORWARD(Result<DatasetVersion>, GetDatasetVersion,
                  (const std::string& o, const std::string& id, int64_t v), (o, id, v))
  DIAMOND_FORWARD(Keys, DeleteDataset, (const std::string& o, const std::string& id), (o, id))
  DIAMOND_FORWARD(Keys, DeleteDatasetVersion,
                  (const std::string& o, const std::string& id, int64_t v), (o, id, v))
  DIAMOND_FORWARD(Result<int64_t>, StoredBytes, (const std::string& o), (o))
 private:
  store::DatasetStore& real_;
  FaultPlan& plan_;
};

class FaultyUploadStore final : public store::UploadStore {
 public:
  FaultyUploadStore(store::UploadStore& real, FaultPlan& plan) : real_(real), plan_(plan) {}
  DIAMOND_FORWARD(Status, CreateUpload, (const UploadRecord& u), (u))
  DIAMOND_FORWARD(Result<UploadRecord>, GetUpload, (const std::string& o, const std::string& id),
                  (o, id))
  DIAMOND_FORWARD(Result<std::vector<UploadPart>>, ListUploadParts,
                  (const std::string& o, const std::string& id), (o, id))
  DIAMOND_FORWARD(Result<std::string>, PutUploadPart,
                  (const std::string& o, const std::string& id, const UploadPart& p,
                   const std::string& h),
                  (o, id, p, h))
  DIAMOND_FORWARD(Status, SetUploadParts,
                  (const std::string& o, const std::string& id, const std::string& e,
                   const std::string& k, const std::string& h, bool c, const Tags& t),
                  (o, id, e, k, h, c, t))
  DIAMOND_FORWARD(Result<DatasetRecord>, CommitUploadedVersion,
                  (const std::string& o, const std::string& u, const std::string& j, int64_t e,
                   const DatasetVersion& v, const store::DatasetStore::StorageLimits& l),
                  (o, u, j, e, v, l))
  DIAMOND_FORWARD(Result<JobRecord>, QueueUploadCompletion,
                  (const std::string& o, const std::string& u, const JobRecord& j), (o, u, j))
  DIAMOND_FORWARD(Status, FailUploadCompletion,
                  (const std::string& o, const std::string& u, const std::string& j,
                   const std::string& e),
                  (o, u, j, e))
  DIAMOND_FORWARD(Keys, DeleteUpload, (const std::string& o, const std::string& id), (o, id))
  DIAMOND_FORWARD(Expired, ExpiredUploads, (int64_t now), (now))
 private:
  store::UploadStore& real_;
  FaultPlan& plan_;
};

class FaultyModelStore final : public store::ModelStore {
 public:
  FaultyModelStore(store::ModelStore& real, FaultPlan& plan) : real_(real), plan_(plan) {}
  DIAMOND_FORWARD(ModelPage, ListModels, (const std::string& v, Page p), (v, p))
  DIAMOND_FORWARD(Result<ModelRecord>, GetModel, (const std::string& o, const std::string& id),
                  (o, id))
  DIAMOND_FORWARD(Result<ModelRecord>, FindModelFor, (const std::string& v, const std::string& id),
                  (v, id))
  DIAMOND_FORWARD(Status, SetModelShared, (const std::string& o, const std::string& id, bool s),
                  (o, id, s))
  DIAMOND_FORWARD(Status, StartTraining,
                  (const std::string& m, const std::string& r, const JobRecord& j,
                   const TrainingLimits& l),
                  (m, r, j, l))
  DIAMOND_FORWARD(Status, FinishTraining,
                  (const std::string& j, int64_t n, const std::string& a, const std::string& d,
                   int64_t v, const std::string& s, bool p, int64_t k),
                  (j, n, a, d, v, s, p, k))
  DIAMOND_FORWARD(Keys, DeleteModel, (const std::string& o, const std::string& id), (o, id))
  DIAMOND_FORWARD(Result<ModelChanges>, ModelChangesSince, (int64_t s), (s))
  DIAMOND_FORWARD(Result<std::vector<ModelVersionRecord>>, ListModelVersions,
                  (const std::string& o, const std::string& id), (o, id))
  DIAMOND_FORWARD(Result<ModelRecord>, MoveAlias,
                  (const std::string& o, const std::string& id, const std::string& al, int64_t v,
                   const std::string& a, const std::string& r),
                  (o, id, al, v, a, r))
  DIAMOND_FORWARD(Result<std::vector<AliasMove>>, AliasHistory,
                  (const std::string& o, const std::string& id), (o, id))
  DIAMOND_FORWARD(Keys, DeleteModelVersion,
                  (const std::string& o, const std::string& id, int64_t v), (o, id, v))
  DIAMOND_FORWARD(Status, StartReproduction,
                  (const JobRecord& j, int64_t v, const TrainingLimits& l), (j, v, l))
  DIAMOND_FORWARD(Status, FinishReproduction,
                  (const std::string& j, int64_t a, int64_t v, const std::string& r,
                   const std::string& d),
                  (j, a, v, r, d))
 private:
  store::ModelStore& real_;
  FaultPlan& plan_;
};

class FaultyJobQueue final : public store::JobQueue {
 public:
  FaultyJobQueue(store::JobQueue& real, FaultPlan& plan) : real_(real), plan_(plan) {}
  DIAMOND_FORWARD(JobPage, ListJobs, (const std::string& o, Page p), (o, p))
  DIAMOND_FORWARD(Result<JobRecord>, GetJob, (const std::string& o, const std::string& id), (o, id))
  DIAMOND_FORWARD(JobPage, ListAllJobs, (const JobFilter& f, Page p), (f, p))
  DIAMOND_FORWARD(Result<std::optional<JobRecord>>, ClaimNextJob, (const JobClaim& c), (c))
  DIAMOND_FORWARD(Status, RenewJobLease, (const std::string& id, int64_t n, int64_t ms),
                  (id, n, ms))
  DIAMOND_FORWARD(Result<int64_t>, ExpireJobLeases, (), ())
  DIAMOND_FORWARD(Status, UpdateJobProgress,
                  (const std::string& id, int64_t n, double p, const std::string& d), (id, n, p, d))
  DIAMOND_FORWARD(Result<JobRecord>, CancelJob, (const std::string& o, const std::string& id),
                  (o, id))
  DIAMOND_FORWARD(Status, QueueJob, (const JobRecord& j), (j))
  DIAMOND_FORWARD(Status, FinishJob, (const std::string& j, int64_t a, const std::string& d),
                  (j, a, d))
  DIAMOND_FORWARD(Status, FailJob, (const std::string& j, int64_t n, const std::string& e),
                  (j, n, e))
  DIAMOND_FORWARD(Counts, CountJobsByState, (), ())
 private:
  store::JobQueue& real_;
  FaultPlan& plan_;
};

class FaultyBatchPartStore final : public store::BatchPartStore {
 public:
  FaultyBatchPartStore(store::BatchPartStore& real, FaultPlan& plan) : real_(real), plan_(plan) {}
  DIAMOND_FORWARD(Status, CommitBatchPart,
                  (const std::string& j, int64_t a, const BatchPart& p, double pr,
                   const std::string& d),
                  (j, a, p, pr, d))
  DIAMOND_FORWARD(Result<std::vector<BatchPart>>, ListBatchParts,
                  (const std::string& o, const std::string& j), (o, j))
 private:
  store::BatchPartStore& real_;
  FaultPlan& plan_;
};

class FaultyQueryStore final : public store::QueryStore {
 public:
  FaultyQueryStore(store::QueryStore& real, FaultPlan& plan) : real_(real), plan_(plan) {}
  DIAMOND_FORWARD(Status, CreateQuery, (const QueryRecord& q), (q))
  DIAMOND_FORWARD(Result<QueryRecord>, GetQuery,
                  (const std::string& o, const std::string& m, const std::string& id), (o, m, id))
  DIAMOND_FORWARD(Result<int64_t>, AddQueryBatch,
                  (const std::string& o, const std::string& m, const std::string& id,
                   const std::string& k, int64_t r),
                  (o, m, id, k, r))
  DIAMOND_FORWARD(Keys, QueryBatchKeys, (const std::string& id), (id))
  DIAMOND_FORWARD(Status, SetQueryResults, (const std::string& id, const std::string& k, int64_t v),
                  (id, k, v))
  DIAMOND_FORWARD(Keys, DeleteQuery,
                  (const std::string& o, const std::string& m, const std::string& id), (o, m, id))
 private:
  store::QueryStore& real_;
  FaultPlan& plan_;
};

class FaultyMaintenanceStore final : public store::MaintenanceStore {
 public:
  FaultyMaintenanceStore(store::MaintenanceStore& real, FaultPlan& plan)
      : real_(real), plan_(plan) {}
  DIAMOND_FORWARD(Result<bool>, TryTakeLease,
                  (const std::string& n, const std::string& h, int64_t t), (n, h, t))
  DIAMOND_FORWARD(Status, ReleaseLease, (const std::string& n, const std::string& h), (n, h))
  DIAMOND_FORWARD(Keys, ReferencedBlobKeys, (), ())
  DIAMOND_FORWARD(Status, Ping, (), ())
 private:
  store::MaintenanceStore& real_;
  FaultPlan& plan_;
};
#undef DIAMOND_FORWARD

// Real stores — SQLite and a directory, in a fresh temporary directory — and the same
// behind the faulty wrappers, call `fail_at` of either failing (-1: none): one run of a
// fault-injection scenario.
class FaultyStores {
 public:
  FaultyStores(int64_t fail_at, Fault fault)
      : sql_(Opened(store::SqlMetadataStore::OpenSqlite((dir_ / "metadata.db").string()))),
        files_(Opened(store::FileBlobStore::Open(dir_ / "blobs"))),
        datasets_(*sql_, plan_),
        uploads_(*sql_, plan_),
        models_(*sql_, plan_),
        jobs_(*sql_, plan_),
        batch_parts_(*sql_, plan_),
        queries_(*sql_, plan_),
        maintenance_(*sql_, plan_),
        blobs_(*files_, plan_) {
    plan_.FailCall(fail_at, fault);
  }

  const TempDir& dir() const { return dir_; }
  FaultPlan& plan() { return plan_; }
  store::SqlMetadataStore* sql() { return sql_.get(); }  // the real stores, for checks
  store::FileBlobStore* files() { return files_.get(); }
  // The ones that fail, each metadata port on its own (one plan counts all their calls).
  FaultyDatasetStore& datasets() { return datasets_; }
  FaultyUploadStore& uploads() { return uploads_; }
  FaultyModelStore& models() { return models_; }
  FaultyJobQueue& jobs() { return jobs_; }
  FaultyBatchPartStore& batch_parts() { return batch_parts_; }
  FaultyQueryStore& queries() { return queries_; }
  FaultyMaintenanceStore& maintenance() { return maintenance_; }
  FaultyBlobStore& blobs() { return blobs_; }

 private:
  template <typename T>
  static std::unique_ptr<T> Opened(Result<std::unique_ptr<T>> opened) {
    if (!opened.ok())
      throw std::runtime_error("cannot open a store for the test: " + opened.status().message());
    return std::move(opened).value();
  }
  TempDir dir_;
  FaultPlan plan_;
  std::unique_ptr<store::SqlMetadataStore> sql_;
  std::unique_ptr<store::FileBlobStore> files_;
  FaultyDatasetStore datasets_;
  FaultyUploadStore uploads_;
  FaultyModelStore models_;
  FaultyJobQueue jobs_;
  FaultyBatchPartStore batch_parts_;
  FaultyQueryStore queries_;
  FaultyMaintenanceStore maintenance_;
  FaultyBlobStore blobs_;
};

// Runs `scenario(call, fault)` once per call 1..calls and per fault, that call failing;
// `scenario` says whether a step of it reported a failure. Returns how many did (stops at
// the first fatal test failure).
template <typename Scenario>
int64_t RunWithEachCallFailing(int64_t calls, std::initializer_list<Fault> faults,
                               Scenario&& scenario) {
  int64_t failed_runs = 0;
  for (Fault fault : faults) {
    for (int64_t call = 1; call <= calls; ++call) {
      SCOPED_TRACE("fault " + std::to_string(static_cast<int>(fault)) + " at call " +
                   std::to_string(call));
      failed_runs += scenario(call, fault) ? 1 : 0;
      if (::testing::Test::HasFatalFailure()) return failed_runs;
    }
  }
  return failed_runs;
}

}  // namespace diamond::testing
