// Batch predictions against the real binary: the result is exactly what `diamond predict`
// writes for the same rows and model file, served whole or by byte ranges; the job
// resumes after kill -9 from its last committed part; every hostile request is precise.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "core/sha256.h"
#include "integration/server_process.h"

namespace diamond::testing {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

std::string Copies(size_t n) {
  const std::string reference = ReadFile(*ReferenceCsv());
  const size_t header_end = reference.find('\n') + 1;
  std::string out = reference;
  for (size_t i = 1; i < n; ++i) out.append(reference, header_end);
  return out;
}

class BatchPredictionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!ReferenceCsv()) GTEST_SKIP() << "reference data not found: NOT checked";
  }
  void Start(std::vector<std::string> extra = {}) {
    extra.insert(extra.end(), {"--quiet", "--batch-chunk-bytes", "100000"});
    server_ = std::make_unique<ServerProcess>(dir_ / "data", extra);
  }
  // A dataset and a model trained on it (trees: explanations and intervals).
  void Prepare(size_t copies) {
    ASSERT_EQ(server_->Request("PUT", "/datasets/ds", Copies(copies), "text/csv").status, 200);
    HttpResult trained = server_->PutJson("/models/m?wait=120",
                                          R"({"dataset_id": "ds", "algorithm": "gbdt",
                                              "hyperparameters": {"n_estimators": 50}})");
    ASSERT_EQ(trained.status, 201) << trained.body;
  }
  json WaitFor(const std::string& id, const std::string& state) {
    json batch;
    Eventually(
        [&] {
          batch = json::parse(server_->Get("/batch-predictions/" + id).body);
          return batch["state"] == state || batch["state"] == "failed";
        },
        std::chrono::seconds(120));
    return batch;
  }
  // What `diamond predict` writes for the dataset's rows with the model's file.
  std::string CliResult(const std::vector<std::string>& options) {
    const std::string rows = server_->Get("/datasets/ds/rows").body;
    WriteFile(dir_ / "rows.csv", rows);
    fs::path model;
    for (const auto& e : fs::recursive_directory_iterator(dir_ / "data" / "blobs" / "models")) {
      if (e.is_regular_file()) model = e.path();
    }
    std::vector<std::string> argv = {DIAMOND_BINARY,  "predict", "--model",
                                     model.string(),  "--input", (dir_ / "rows.csv").string(),
                                     "--skip-invalid"};
    argv.insert(argv.end(), options.begin(), options.end());
    CommandResult r = RunCommand(argv);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.out;
  }

  TempDir dir_;
  std::unique_ptr<ServerProcess> server_;
};

TEST_F(BatchPredictionTest, TheResultIsWhatPredictWritesWholeOrByRanges) {
  Start();
  Prepare(4);
  HttpResult accepted = server_->PostJson(
      "/models/m/batch-predictions", R"({"dataset_id": "ds", "explain": true, "interval": 0.9})");
  ASSERT_EQ(accepted.status, 202) << accepted.body;
  const json created = json::parse(accepted.body);
  const std::string id = created["id"];
  EXPECT_EQ(accepted.Header("location"), created["location"]);
  EXPECT_EQ(created["rows_total"], 20000);
  const json done = WaitFor(id, "succeeded");
  ASSERT_EQ(done["state"], "succeeded") << done.dump();
  EXPECT_EQ(done["rows_done"], 20000);
  EXPECT_EQ(done["rows_skipped"], 4 * 1);  // the reference data has one stone with a zero dimension
  EXPECT_GT(done["rows_per_second"].get<double>(), 0);
  EXPECT_EQ(done["progress"], 1.0);

  HttpResult result = server_->Get("/batch-predictions/" + id + "/result");
  ASSERT_EQ(result.status, 200);
  EXPECT_EQ(result.Header("accept-ranges"), "bytes");
  const std::string expected = CliResult({"--explain", "--interval", "0.9"});
  EXPECT_TRUE(result.body == expected) << "the batch result differs from diamond predict's output";
  const int64_t total = static_cast<int64_t>(result.body.size());

  auto range = [&](const std::string& r) {
    return server_->Request("GET", "/batch-predictions/" + id + "/result", "", "", {"Range: " + r});
  };
  HttpResult head = range("bytes=0-99");
  EXPECT_EQ(head.status, 206);
  EXPECT_EQ(head.body, result.body.substr(0, 100));
  EXPECT_EQ(head.Header("content-range"), "bytes 0-99/" + std::to_string(total));
  // A range across the boundaries of committed parts (100 kB of input each).
  HttpResult middle = range("bytes=150000-450000");
  EXPECT_EQ(middle.status, 206);
  EXPECT_TRUE(middle.body == result.body.substr(150000, 300001));
  // Over a megabyte, a range is streamed a piece at a time, from the middle of a part.
  HttpResult large = range("bytes=123457-" + std::to_string(total - 99999));
  EXPECT_EQ(large.status, 206);
  EXPECT_TRUE(large.body ==
              result.body.substr(123457, static_cast<size_t>(total - 99999 - 123457 + 1)));
  EXPECT_EQ(range("bytes=-50").body, result.body.substr(total - 50));
  EXPECT_EQ(range("bytes=" + std::to_string(total - 10) + "-").body,
            result.body.substr(total - 10));
  for (const std::string& bad :
       {"bytes=" + std::to_string(total) + "-", std::string("bytes=5-2"),
        std::string("bytes=0-1,5-6"), std::string("items=0-1"), std::string("bytes=-0")}) {
    HttpResult refused = range(bad);
    EXPECT_EQ(refused.status, 416) << bad;
    EXPECT_EQ(refused.Header("content-range"), "bytes */" + std::to_string(total)) << bad;
  }
  // The rows were metered as they were committed.
  EXPECT_GE(json::parse(server_->Get("/me").body)["usage"]["predicted_rows"].get<int64_t>(),
            20000 - 4);
}

// Downloads over a megabyte are streamed (the server holds one piece at a time): the whole
// dataset arrives exactly, across the segments an append adds.
TEST_F(BatchPredictionTest, LargeDatasetDownloadsAreStreamedWhole) {
  Start();
  ASSERT_EQ(server_->Request("PUT", "/datasets/big", Copies(30), "text/csv").status, 200);
  ASSERT_EQ(server_->Request("POST", "/datasets/big", Copies(2), "text/csv").status,
            200);  // a second segment
  const json dataset = json::parse(server_->Get("/datasets/big").body);
  const json& version = dataset["versions"].back();
  ASSERT_EQ(version["segments"], 2) << dataset.dump();
  ASSERT_GT(version["bytes"].get<int64_t>(), int64_t{4} << 20);
  HttpResult rows = server_->Get("/datasets/big/rows");
  ASSERT_EQ(rows.status, 200);
  EXPECT_EQ(rows.Header("content-type"), "text/csv; charset=utf-8");
  EXPECT_EQ(static_cast<int64_t>(rows.body.size()), version["bytes"].get<int64_t>());
  EXPECT_EQ(Sha256Hex(rows.body), version["sha256"]);
  EXPECT_EQ(std::count(rows.body.begin(), rows.body.end(), '\n'), 32 * 5000 + 1);
}

TEST_F(BatchPredictionTest, HostileRequestsAndOtherTenants) {
  Start();
  Prepare(1);
  for (const char* body :
       {R"({})", R"({"dataset_id": 5})", R"({"dataset_id": "ds", "interval": 1.5})",
        R"({"dataset_id": "ds", "version": 0})", R"({"dataset_id": "ds", "colour": "red"})",
        R"({"dataset_id": "../x"})", R"([1])"}) {
    HttpResult r = server_->PostJson("/models/m/batch-predictions", body);
    EXPECT_EQ(r.status, 422) << body << ": " << r.body;
  }
  EXPECT_EQ(server_->PostJson("/models/m/batch-predictions", R"({"dataset_id": "nope"})").status,
            404);
  EXPECT_EQ(
      server_->PostJson("/models/m/batch-predictions", R"({"dataset_id": "ds", "version": 9})")
          .status,
      404);
  EXPECT_EQ(server_->PostJson("/models/none/batch-predictions", R"({"dataset_id": "ds"})").status,
            404);
  EXPECT_EQ(server_->Request("POST", "/models/m/batch-predictions", "x", "text/plain").status, 415);

  HttpResult accepted = server_->PostJson("/models/m/batch-predictions", R"({"dataset_id": "ds"})");
  ASSERT_EQ(accepted.status, 202);
  const std::string id = json::parse(accepted.body)["id"];
  const std::string bob = server_->CreateUserWithKey("bob");
  for (auto [method, path] : std::vector<std::pair<std::string, std::string>>{
           {"GET", "/batch-predictions/" + id},
           {"GET", "/batch-predictions/" + id + "/result"},
           {"DELETE", "/batch-predictions/" + id}}) {
    EXPECT_EQ(server_->RequestAs(bob, method, path).status, 404) << method << " " << path;
  }
  EXPECT_EQ(server_
                ->RequestAs(bob, "POST", "/models/m/batch-predictions", R"({"dataset_id": "ds"})",
                            "application/json")
                .status,
            404);
  // A training job is not a batch prediction.
  const std::string training_job = json::parse(server_->Get("/models/m").body)["job_id"];
  EXPECT_EQ(server_->Get("/batch-predictions/" + training_job).status, 404);
  WaitFor(id, "succeeded");
  EXPECT_EQ(server_->Request("DELETE", "/batch-predictions/" + id).status, 409)
      << "finished: nothing to cancel";

  // Over the month's quota: refused before anything is queued.
  server_->PutPlan("small",
                   R"({"requests_per_second": 1000, "burst": 1000, "monthly_predicted_rows": 1000,
      "max_dataset_rows": 100000, "max_models": 2, "max_training_jobs": 1, "price_per_1k_rows": 1,
      "price_per_training_minute": 1})");
  const std::string carol = server_->CreateUserWithKey("carol", "small");
  ASSERT_EQ(server_->RequestAs(carol, "PUT", "/datasets/big", Copies(1), "text/csv").status, 200);
  ASSERT_EQ(server_
                ->RequestAs(carol, "PUT", "/models/c?wait=60", R"({"dataset_id": "big"})",
                            "application/json")
                .status,
            201);
  HttpResult over = server_->RequestAs(carol, "POST", "/models/c/batch-predictions",
                                       R"({"dataset_id": "big"})", "application/json");
  EXPECT_EQ(over.status, 429) << over.body;
  EXPECT_NE(over.body.find("monthly_predicted_rows"), std::string::npos) << over.body;
}

// Issue 30, finding 5: the quota was checked at submission and nothing reserved, so five
// quick submissions used 500 rows of a 100-row quota. Each submission now reserves its
// rows; a batch cancelled while queued gives them back; a batch that ran is charged what
// it priced. On a queue-only server, so that no batch runs before all are submitted.
TEST_F(BatchPredictionTest, QuickSubmissionsReserveTheirRowsAndACancelledOneGivesThemBack) {
  Start();
  server_->PutPlan("tiny",
                   R"({"requests_per_second": 1000, "burst": 1000, "monthly_predicted_rows": 100,
      "max_dataset_rows": 100000, "max_models": 2, "max_training_jobs": 1, "price_per_1k_rows": 1,
      "price_per_training_minute": 1})");
  const std::string carol = server_->CreateUserWithKey("carol", "tiny");
  auto as_carol = [&](const std::string& method, const std::string& path,
                      const std::string& body = "") {
    return server_->RequestAs(carol, method, path, body, body.empty() ? "" : "application/json");
  };
  ASSERT_EQ(server_
                ->RequestAs(carol, "PUT", "/datasets/thirty", StonesToCsv(SyntheticStones(30, 5)),
                            "text/csv")
                .status,
            200);
  ASSERT_EQ(as_carol("PUT", "/models/c?wait=60", R"({"dataset_id": "thirty"})").status, 201);
  // Stopped, not killed: the usage of the last second is written at a stop (a kill loses it).
  ASSERT_EQ(server_->Stop(15), 0);
  server_ = nullptr;
  Start({"--job-workers", "0"});

  std::vector<int> statuses;
  std::vector<std::string> queued;
  for (int i = 0; i < 5; ++i) {
    HttpResult r = as_carol("POST", "/models/c/batch-predictions", R"({"dataset_id": "thirty"})");
    statuses.push_back(r.status);
    if (r.status == 202) queued.push_back(json::parse(r.body)["id"]);
  }
  // 3 × 30 rows fit in 100; the fourth would need 30 of the 10 left.
  EXPECT_EQ(statuses, (std::vector<int>{202, 202, 202, 429, 429}));
  ASSERT_EQ(queued.size(), 3u);
  EXPECT_EQ(json::parse(as_carol("GET", "/me").body)["usage"]["predicted_rows"], 90);

  // A queued batch cancelled: its 30 rows are back, once (a second cancel is refused).
  HttpResult cancelled = as_carol("DELETE", "/batch-predictions/" + queued[0]);
  ASSERT_EQ(cancelled.status, 200) << cancelled.body;
  EXPECT_EQ(as_carol("DELETE", "/batch-predictions/" + queued[0]).status, 409);
  EXPECT_EQ(json::parse(as_carol("GET", "/me").body)["usage"]["predicted_rows"], 60);
  HttpResult again = as_carol("POST", "/models/c/batch-predictions", R"({"dataset_id": "thirty"})");
  ASSERT_EQ(again.status, 202) << again.body;
  queued[0] = json::parse(again.body)["id"];

  // Run them: each prices its 30 rows and is charged nothing more.
  ASSERT_EQ(server_->Stop(15), 0);
  server_ = nullptr;
  Start();
  for (const std::string& id : queued) {
    ASSERT_TRUE(Eventually(
        [&] {
          return json::parse(as_carol("GET", "/batch-predictions/" + id).body)["state"] ==
                 "succeeded";
        },
        std::chrono::seconds(60)))
        << as_carol("GET", "/batch-predictions/" + id).body;
  }
  json me = json::parse(as_carol("GET", "/me").body);
  EXPECT_EQ(me["usage"]["predicted_rows"], 90) << me.dump();
  EXPECT_EQ(me["remaining"]["monthly_predicted_rows"], 10);
}

TEST_F(BatchPredictionTest, QueuedBatchesAnswer409ForTheirResultAndCancel) {
  Start();
  Prepare(1);
  server_ = nullptr;
  Start({"--job-workers", "0"});
  HttpResult accepted = server_->PostJson("/models/m/batch-predictions", R"({"dataset_id": "ds"})");
  ASSERT_EQ(accepted.status, 202);
  const std::string id = json::parse(accepted.body)["id"];
  EXPECT_EQ(json::parse(accepted.body)["state"], "queued");
  HttpResult early = server_->Get("/batch-predictions/" + id + "/result");
  EXPECT_EQ(early.status, 409) << early.body;
  HttpResult cancelled = server_->Request("DELETE", "/batch-predictions/" + id);
  EXPECT_EQ(cancelled.status, 200) << cancelled.body;
  EXPECT_EQ(json::parse(cancelled.body)["state"], "cancelled");
}

// kill -9 while the job runs: the next start resumes it after its last committed part
// (parts committed before the kill are not written again) and the result is the same
// bytes as an uninterrupted run.
TEST_F(BatchPredictionTest, KillNineMidJobResumesFromTheLastCommittedPart) {
  Start();
  Prepare(40);  // 200,000 rows, ~90 parts
  HttpResult accepted =
      server_->PostJson("/models/m/batch-predictions", R"({"dataset_id": "ds", "explain": true})");
  ASSERT_EQ(accepted.status, 202);
  const std::string id = json::parse(accepted.body)["id"];
  ASSERT_TRUE(Eventually(
      [&] {
        return json::parse(server_->Get("/batch-predictions/" + id).body)["rows_done"]
                   .get<int64_t>() >= 20000;
      },
      std::chrono::seconds(60)));
  const fs::path first_part =
      dir_ / "data" / "blobs" / "batch-predictions" / "admin" / id / "part-000001";
  ASSERT_TRUE(fs::exists(first_part));
  const auto written = fs::last_write_time(first_part);
  server_->Stop(SIGKILL);
  server_->Start();
  const json done = WaitFor(id, "succeeded");
  ASSERT_EQ(done["state"], "succeeded") << done.dump();
  EXPECT_GE(done["attempts"].get<int>(), 2) << "the kill should have interrupted the job";
  EXPECT_EQ(done["rows_done"], 200000);
  EXPECT_EQ(fs::last_write_time(first_part), written) << "a committed part was priced again";
  HttpResult result = server_->Get("/batch-predictions/" + id + "/result");
  const std::string expected = CliResult({"--explain"});
  EXPECT_TRUE(result.body == expected) << "the resumed result differs";

  // `diamond batch` runs another one and downloads it in 8 MiB ranges (this one is ~40 MB).
  ASSERT_GT(expected.size(), size_t{3} * (8 << 20));
  ::setenv("DIAMOND_API_KEY", server_->admin_key().c_str(), 1);
  CommandResult cli = RunCommand({DIAMOND_BINARY, "batch", "--server", server_->base_url(), "m",
                                  "ds", "--explain", "-o", (dir_ / "out.csv").string()});
  ::unsetenv("DIAMOND_API_KEY");
  ASSERT_EQ(cli.exit_code, 0) << cli.err;
  EXPECT_NE(cli.err.find("199960 rows priced, 40 left out"), std::string::npos) << cli.err;
  EXPECT_TRUE(ReadFile(dir_ / "out.csv") == expected) << "diamond batch's download differs";
}

}  // namespace
}  // namespace diamond::testing
