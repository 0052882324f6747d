// The services over stores that fail: one scenario (upload, append, train, open a price
// query, append batches, price, replace, delete) is run once per store call, with that
// call failing — an I/O error anywhere, a short write or a failed fsync on a blob put.
// Every fault must end in a clean error (a Status, no exception, no crash), leave what
// the failed step touched as it was, and leave nothing half-written visible: every blob
// a metadata row points at is whole (its hash, its rows, a model file that loads).
#include <gtest/gtest.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "core/byte_source.h"
#include "core/diamond_csv.h"
#include "core/sha256.h"
#include "jobs/training_job.h"
#include "ml/model_file.h"
#include "service/dataset_service.h"
#include "service/model_service.h"
#include "service/query_service.h"
#include "service/training_request.h"
#include "store/file_blob_store.h"
#include "store/sql_metadata_store.h"
#include "support/faulty_stores.h"
#include "support/test_support.h"

namespace diamond::testing {
namespace {

constexpr char kOwner[] = "u";

// What a client can observe of the scenario's resources, read from the real stores.
struct Observed {
  int64_t dataset_version = 0;
  std::string dataset_sha;
  int64_t model_version = 0;
  int64_t query_batches = -1;  // -1: no query
  bool query_priced = false;
  bool operator==(const Observed&) const = default;
};

std::string Describe(const Observed& o) {
  return "dataset v" + std::to_string(o.dataset_version) + " model v" +
         std::to_string(o.model_version) + " query batches " + std::to_string(o.query_batches) +
         (o.query_priced ? " priced" : "");
}

class FaultInjection : public ::testing::Test {
 protected:
  struct Run {
    std::vector<std::string> step_errors;  // "" where the step succeeded
    int64_t calls = 0;
  };

  // Runs the scenario on fresh stores with call `fail_at` failing (-1: none).
  Run Scenario(int64_t fail_at, Fault fault) {
    FaultyStores stores(fail_at, fault);
    store::SqlMetadataStore* sql = stores.sql();
    store::FileBlobStore* files = stores.files();
    FaultPlan& plan = stores.plan();
    FaultyBlobStore& blobs = stores.blobs();
    service::ModelCache cache;
    service::DatasetService datasets(stores.datasets(), blobs);
    service::ModelService models(stores.datasets(), stores.models(), blobs, cache);
    service::Pricing pricing(models, nullptr);
    service::QueryService queries(stores.models(), stores.queries(), blobs, pricing);
    auto train = jobs::MakeTrainingExecutor(stores.models(), stores.jobs(), blobs, datasets, cache);
    const auto stones = SyntheticStones(40, 3);
    std::string query_id;

    auto observe = [&] {
      Observed o;
      if (auto d = sql->GetDataset(kOwner, "d"); d.ok()) {
        o.dataset_version = d->current.version;
        o.dataset_sha = d->current.sha256;
      }
      if (auto m = sql->GetModel(kOwner, "m"); m.ok()) o.model_version = m->version;
      if (!query_id.empty()) {
        if (auto q = sql->GetQuery(kOwner, "m", query_id); q.ok()) {
          o.query_batches = q->batches;
          o.query_priced = !q->results_key.empty();
        }
      }
      return o;
    };
    Run run;
    // A step that fails must leave what clients observe as it was.
    auto step = [&](const std::string& name, const std::function<Status()>& body) {
      const Observed before = observe();
      Status s = Status::Ok();
      EXPECT_NO_THROW(s = body()) << name;
      run.step_errors.push_back(s.ok() ? "" : s.message());
      if (!s.ok()) {
        EXPECT_EQ(observe(), before) << name << " failed (" << s.message() << ") yet changed "
                                     << Describe(before) << " to " << Describe(observe());
      }
    };
    service::DatasetService::Limits limits;
    bool created = false;
    step("upload", [&] {
      return datasets.Replace(kOwner, "d", std::span(stones).first(30), limits, &created).status();
    });
    step("append", [&] {
      return datasets.Append(kOwner, "d", std::span(stones).subspan(30), limits).status();
    });
    std::vector<FieldError> errors;
    auto request = service::ParseTrainingRequest(
        nlohmann::json::parse(R"({"dataset_id": "d", "validation": {"holdout": 0}})"), &errors);
    EXPECT_TRUE(request.ok());
    step("queue training", [&] {
      return models.StartTraining(kOwner, "m", *request, {10, 10}).status();
    });
    // The job records its own failure; what counts is that it ends cleanly.
    if (auto job = sql->ClaimNextJob({"test-worker", 60000, 3}); job.ok() && job->has_value()) {
      jobs::JobContext context(stores.jobs(), **job);
      EXPECT_NO_THROW(train(**job, context));
    }
    step("open query", [&] {
      auto created_query = queries.Create(kOwner, "m");
      if (created_query.ok()) query_id = *created_query;
      return created_query.status();
    });
    for (int batch = 0; batch < 2; ++batch) {
      step("append batch", [&] {
        if (query_id.empty()) return Status::NotFound("no query");
        return queries
            .AppendBatch(kOwner, "m", query_id,
                         std::span(stones).subspan(static_cast<size_t>(batch) * 3, 3))
            .status();
      });
    }
    step("price", [&] {
      if (query_id.empty()) return Status::NotFound("no query");
      service::UnmeteredRows free;
      return queries.Prices(kOwner, "m", query_id, free).status();
    });
    step("replace", [&] {
      return datasets.Replace(kOwner, "d", std::span(stones).first(5), limits, &created).status();
    });
    CheckNothingHalfWritten(*sql, *files);
    run.calls = plan.calls();
    EXPECT_LE(plan.faults(), 1);
    return run;
  }

  // Every blob a row points at is whole.
  static void CheckNothingHalfWritten(store::SqlMetadataStore& sql, store::FileBlobStore& files) {
    auto versions = sql.ListDatasetVersions(kOwner, "d");
    if (versions.ok()) {
      for (const auto& v : *versions) {
        std::string csv;
        for (const auto& segment : v.segments) {
          auto part = files.Get(segment.blob_key);
          ASSERT_TRUE(part.ok()) << "dataset version " << v.version << " points at a missing blob";
          EXPECT_EQ(static_cast<int64_t>(part->size()), segment.bytes);
          csv += *part;
        }
        EXPECT_EQ(Sha256Hex(csv), v.sha256) << "dataset version " << v.version << " is torn";
        StringSource source(csv);
        auto table = LoadDiamondsCsv(source, LoadOptions{});
        ASSERT_TRUE(table.ok());
        EXPECT_EQ(static_cast<int64_t>(table->stones.size()), v.rows);
      }
    }
    if (auto m = sql.GetModel(kOwner, "m"); m.ok() && m->version > 0) {
      auto file = files.Get(m->artifact_key);
      ASSERT_TRUE(file.ok()) << "the model points at a missing file";
      EXPECT_TRUE(ml::ParseModelFile(*file).ok()) << "the model file is torn";
    }
    auto models = sql.ListModels(kOwner, {0, 10});
    ASSERT_TRUE(models.ok());
    auto referenced = sql.ReferencedBlobKeys();
    ASSERT_TRUE(referenced.ok());
    for (const auto& key : *referenced) {
      auto bytes = files.Get(key);
      ASSERT_TRUE(bytes.ok()) << "a row points at missing blob " << key;
      if (key.starts_with("queries/") && key.ends_with(".csv")) {
        StringSource source(*bytes);
        EXPECT_TRUE(LoadDiamondsCsv(source, LoadOptions{}).ok()) << "torn batch " << key;
      }
    }
  }
};

TEST_F(FaultInjection, EveryFailingStoreCallEndsCleanlyWithNothingHalfWritten) {
  const Run clean = Scenario(-1, Fault::kIoError);
  for (const auto& error : clean.step_errors)
    ASSERT_EQ(error, "") << "the scenario fails without faults";
  ASSERT_GT(clean.calls, 20);
  const int64_t failed_runs = RunWithEachCallFailing(
      clean.calls, {Fault::kIoError, Fault::kShortWrite, Fault::kSyncFailure},
      [&](int64_t call, Fault fault) {
        const Run run = Scenario(call, fault);
        return std::any_of(run.step_errors.begin(), run.step_errors.end(),
                           [](const auto& e) { return !e.empty(); });
      });
  // Most injected faults surface as a failed step (others hit best-effort work such as
  // progress reports, or the training job, which records its own failure).
  EXPECT_GT(failed_runs, clean.calls);
}

}  // namespace
}  // namespace diamond::testing
