// What every metadata port's contract suite shares: a fresh database per test on each
// engine (SQLite; PostgreSQL from the test fixtures), stores opened on it ("two processes"
// are two stores, two connection pools, on the same database), and small record makers.
// The SQL engine implements every port, so each suite opens it and uses the port it is about.
#pragma once

#include <gtest/gtest.h>
#include <soci/soci.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "store/sql_metadata_store.h"
#include "support/test_databases.h"

// GCC 12 at -O3 warns -Wrestrict on string assignments inlined from libstdc++ (GCC bug
// 105329, a false positive); nothing here overlaps.
#pragma GCC diagnostic ignored "-Wrestrict"

namespace diamond::store {

// prefix + n, appended (GCC 12 warns falsely, -Wrestrict, on "literal" + std::to_string).
inline std::string Name(std::string prefix, int64_t n) {
  prefix += std::to_string(n);
  return prefix;
}

inline DatasetVersion Version(int64_t v, const std::string& key) {
  DatasetVersion version;
  version.version = v;
  version.segments = {{key, 1, 10}};
  version.rows = 1;
  version.bytes = 10;
  version.sha256 = "x";
  version.stats_json = "{}";
  return version;
}

inline JobRecord TrainingJob(const std::string& owner, const std::string& id,
                             const std::string& model) {
  JobRecord job;
  job.owner = owner;
  job.id = id;
  job.kind = "train";
  job.model_id = model;
  job.payload_json = "{}";
  return job;
}

// Records the first failure seen by any thread.
class Failures {
 public:
  void Add(const Status& s) {
    if (s.ok()) return;
    ++count_;
    std::lock_guard lock(mutex_);
    if (first_.empty()) first_ = s.message();
  }
  int count() const { return count_.load(); }
  std::string first() const {
    std::lock_guard lock(mutex_);
    return first_;
  }

 private:
  std::atomic<int> count_{0};
  mutable std::mutex mutex_;
  std::string first_;
};

class MetadataStoreContract : public ::testing::TestWithParam<std::string> {
 protected:
  std::unique_ptr<SqlMetadataStore> OpenStore(size_t pool = 4) {
    auto opened = SqlMetadataStore::Open(db_.url(), pool);
    EXPECT_TRUE(opened.ok()) << opened.status().message();
    return opened.ok() ? std::move(opened).value() : nullptr;
  }
  testing::TestDatabase db_{GetParam()};
};

}  // namespace diamond::store
