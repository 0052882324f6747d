// The API beyond the seed, and every error the API promises: status, problem type, detail.
#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "core/diamond_csv_writer.h"
#include "integration/server_process.h"
#include "integration/test_data.h"

namespace diamond::testing {
namespace {

using nlohmann::json;

constexpr const char* kCsv = kSmallCsv;

class ApiTest : public ::testing::Test {
 protected:
  void SetUp() override { server_ = std::make_unique<ServerProcess>(dir_ / "data", Args()); }
  virtual std::vector<std::string> Args() { return {}; }

  // Creates a dataset from kCsv and trains model `id` on all of it (no holdout: 6 rows).
  void TrainSmallModel(const std::string& id) {
    ASSERT_EQ(server_->Request("PUT", "/datasets/small", kCsv, "text/csv").status, 200);
    HttpResult trained = server_->PutJson(
        "/models/" + id, R"({"dataset_id": "small", "validation": {"holdout": 0}})");
    ASSERT_EQ(trained.status, 201) << trained.body;
  }

  // Checks a problem+json answer: status, type and a fragment of the detail.
  static void ExpectProblem(const HttpResult& r, long status, const std::string& type,
                            const std::string& detail_part = "") {
    EXPECT_EQ(r.status, status) << r.body;
    EXPECT_EQ(r.Header("content-type"), "application/problem+json") << r.body;
    json body = json::parse(r.body, nullptr, false);
    ASSERT_FALSE(body.is_discarded()) << r.body;
    EXPECT_EQ(body["type"], "/problems/" + type) << r.body;
    EXPECT_EQ(body["status"], status);
    EXPECT_TRUE(body["detail"].get<std::string>().find(detail_part) != std::string::npos) << r.body;
  }

  TempDir dir_;
  std::unique_ptr<ServerProcess> server_;
};

TEST_F(ApiTest, CsvDatasetRoundTripWithStatisticsAndVersions) {
  HttpResult put = server_->Request("PUT", "/datasets/small", kCsv, "text/csv");
  ASSERT_EQ(put.status, 200) << put.body;
  json d = json::parse(put.body);
  EXPECT_EQ(d["rows"], 6);
  EXPECT_EQ(d["version"], 1);
  EXPECT_EQ(d["rows_written"], 6);
  EXPECT_EQ(d["sha256"].get<std::string>().size(), 64u);
  EXPECT_DOUBLE_EQ(d["columns"]["carat"]["min"].get<double>(), 0.3);
  EXPECT_DOUBLE_EQ(d["columns"]["carat"]["max"].get<double>(), 2.0);
  EXPECT_EQ(d["grades"]["cut"]["Ideal"], 2);
  EXPECT_EQ(server_->Get("/datasets/small/rows").body, kCsv);  // canonical CSV, byte for byte

  HttpResult appended = server_->PostJson("/datasets/small", std::string("[") + kStone + "]");
  ASSERT_EQ(appended.status, 200) << appended.body;
  json after = json::parse(appended.body);
  EXPECT_EQ(after["version"], 2);
  EXPECT_EQ(after["rows"], 7);
  EXPECT_NE(after["sha256"], d["sha256"]);
  EXPECT_EQ(after["columns"]["price"]["count"], 6);  // the appended stone has no price
  json meta = json::parse(server_->Get("/datasets/small").body);
  EXPECT_EQ(meta["version"], 2);
}

TEST_F(ApiTest, BadRowsRejectTheWholeBodyUnlessSkipInvalid) {
  const std::string bad = std::string(kCsv) +
                          "0.3,Superb,E,VS2,61.5,55,650,4.3,4.31,2.65\n"
                          "0.3,Ideal,E,VS2,sixty,55,650,4.3,4.31,2.65\n";
  HttpResult rejected = server_->Request("PUT", "/datasets/bad", bad, "text/csv");
  ExpectProblem(rejected, 422, "validation", "2 invalid row(s); nothing was written");
  json errors = json::parse(rejected.body)["errors"];
  ASSERT_EQ(errors.size(), 2u);
  const json expected = json::parse(
      R"j({"row": 7, "line": 8, "column": "cut", "message": "unknown grade 'Superb' (allowed: Poor, Fair, Good, Very Good, Premium, Ideal)"})j");
  EXPECT_EQ(errors[0], expected);
  EXPECT_EQ(errors[1]["column"], "depth");
  EXPECT_EQ(server_->Get("/datasets/bad").status, 404);  // nothing written

  HttpResult skipped = server_->Request("PUT", "/datasets/bad?skip_invalid=true", bad, "text/csv");
  ASSERT_EQ(skipped.status, 200) << skipped.body;
  EXPECT_EQ(json::parse(skipped.body)["rows"], 6);
  EXPECT_EQ(json::parse(skipped.body)["rows_skipped"], 2);

  HttpResult json_bad = server_->PostJson("/datasets/bad", R"([{"carat": "1"}])");
  ExpectProblem(json_bad, 422, "validation");
  const json carat_error =
      json::parse(R"({"row": 1, "column": "carat", "message": "must be a number, not string"})");
  EXPECT_EQ(json::parse(json_bad.body)["errors"][0], carat_error);
}

TEST_F(ApiTest, ErrorStatusesAreProblemDetails) {
  TrainSmallModel("m");
  // 400: malformed JSON and CSV
  ExpectProblem(server_->PostJson("/datasets/small", "[{\"carat\": "), 400, "malformed-body",
                "the body is not valid JSON: parse error at line 1");
  ExpectProblem(
      server_->Request("PUT", "/datasets/x",
                       "carat,cut,color,clarity,depth,table,x,y,z\n1,\"Ideal\n", "text/csv"),
      400, "malformed-body", "never closed");
  ExpectProblem(server_->PutJson("/models/m2", "{"), 400, "malformed-body");
  // 404: unknown dataset, model, query, job, route
  ExpectProblem(server_->Get("/datasets/nope"), 404, "not-found", "no dataset 'nope'");
  ExpectProblem(server_->Get("/models/nope"), 404, "not-found", "no model 'nope'");
  ExpectProblem(server_->PostJson("/models/nope/predict", kStone), 404, "not-found");
  ExpectProblem(server_->Get("/models/m/prices/nope?page=0&page_size=1"), 404, "not-found");
  ExpectProblem(server_->Get("/jobs/nope"), 404, "not-found");
  ExpectProblem(server_->PutJson("/models/m2", R"({"dataset_id": "nope"})"), 404, "not-found",
                "no dataset 'nope'");
  ExpectProblem(server_->Get("/no/such/route"), 404, "not-found");
  // 415: wrong content type
  ExpectProblem(server_->Request("POST", "/models/m/predict", kStone, "text/plain"), 415,
                "unsupported-media-type", "send application/json, not text/plain");
  ExpectProblem(server_->Request("POST", "/datasets/small", kCsv, "application/xml"), 415,
                "unsupported-media-type");
  // 422: validation with per-field details, unknown grade naming the allowed values
  HttpResult grade = server_->PostJson(
      "/models/m/predict",
      R"([{"carat": 1.1, "cut": "Ideal", "color": "A", "clarity": "SI2", "depth": 62, "table": 55, "x": 6.6, "y": 6.6, "z": 4.1}])");
  ExpectProblem(grade, 422, "validation");
  EXPECT_EQ(json::parse(grade.body)["errors"][0]["message"],
            "unknown grade 'A' (allowed: Z, Y, X, W, V, U, T, S, R, Q, P, O, N, M, L, K, J, I, H, "
            "G, F, E, D)");
  HttpResult unpriceable = server_->PostJson(
      "/models/m/predict",
      R"({"carat": 0, "cut": "Ideal", "color": "H", "clarity": "SI2", "depth": 62, "table": 55, "x": 6.6, "y": 6.6, "z": 4.1})");
  ExpectProblem(unpriceable, 422, "validation");
  EXPECT_EQ(json::parse(unpriceable.body)["errors"][0]["column"], "carat");
  HttpResult training = server_->PutJson("/models/m2", R"({"dataset_id": "small",
      "hyperparams": {"selector": ["carat", "weight"], "linear__regressor__positive": "yes"}})");
  ExpectProblem(training, 422, "validation");
  EXPECT_EQ(json::parse(training.body)["errors"].size(), 2u);
  ExpectProblem(server_->Get("/datasets?page=-1&page_size=10"), 422, "validation");
  ExpectProblem(server_->Get("/datasets?page=0&page_size=100000"), 422, "validation");
  ExpectProblem(server_->Get("/datasets?color=blue"), 422, "validation",
                "unknown query parameter 'color'");
  ExpectProblem(server_->Request("PUT", "/datasets/..%2Fetc"), 422, "validation",
                "invalid dataset_id");
  ExpectProblem(server_->Request("PUT", "/datasets/%2e%2e"), 422, "validation");
  ExpectProblem(server_->Request("PUT", "/datasets/" + std::string(65, 'a')), 422, "validation");
  ExpectProblem(server_->Get("/datasets/%zz"), 400, "bad-request");
  // 409: conflicting state
  ExpectProblem(
      server_->Request(
          "DELETE",
          "/jobs/" + json::parse(server_->Get("/models/m").body)["job_id"].get<std::string>()),
      409, "conflict", "already succeeded");
  // 405 with Allow
  HttpResult wrong_method = server_->Request("PATCH", "/datasets/small");
  ExpectProblem(wrong_method, 405, "method-not-allowed");
  EXPECT_EQ(wrong_method.Header("allow"), "GET, PUT, POST, DELETE");
  EXPECT_NE(server_->Log().find("\"status\":405"), std::string::npos);  // the access log
}

TEST_F(ApiTest, RealTimePredictKeepsInputOrderAndRetrainingReplacesTheCachedModel) {
  TrainSmallModel("m");
  const std::string three =
      std::string("[") + kStone + "," +
      R"({"carat": 0.3, "cut": "Ideal", "color": "E", "clarity": "VS2", "depth": 61.5, "table": 55, "x": 4.3, "y": 4.31, "z": 2.65})" +
      "," + kStone + "]";
  HttpResult first = server_->PostJson("/models/m/predict", three);
  ASSERT_EQ(first.status, 200) << first.body;
  json prices = json::parse(first.body);
  ASSERT_EQ(prices["predictions"].size(), 3u);
  EXPECT_EQ(prices["model_id"], "m");
  EXPECT_EQ(prices["model_version"], 1);
  EXPECT_EQ(prices["predictions"][0], prices["predictions"][2]);
  EXPECT_GT(prices["predictions"][0]["price"].get<double>(),
            prices["predictions"][1]["price"].get<double>());

  // Retrain on different data: the next prediction uses version 2.
  ASSERT_EQ(
      server_
          ->PostJson(
              "/datasets/small",
              std::string("[") +
                  R"({"carat": 1.05, "cut": "Ideal", "color": "H", "clarity": "SI2", "depth": 61.9, "table": 56.0, "x": 6.55, "y": 6.59, "z": 4.07, "price": 20000})" +
                  "]")
          .status,
      200);
  ASSERT_EQ(
      server_->PutJson("/models/m", R"({"dataset_id": "small", "validation": {"holdout": 0}})")
          .status,
      201);
  json second = json::parse(server_->PostJson("/models/m/predict", kStone).body);
  EXPECT_EQ(second["model_version"], 2);
  EXPECT_NE(second["predictions"][0], prices["predictions"][0]);
  json model = json::parse(server_->Get("/models/m").body);
  EXPECT_EQ(model["version"], 2);
  EXPECT_EQ(model["dataset"]["version"], 2);
  EXPECT_EQ(model["coefficients"].size(), 5u);  // intercept + carat, cut, color, clarity
}

TEST_F(ApiTest, OperationsEndpoints) {
  TrainSmallModel("m");
  ASSERT_EQ(server_->PostJson("/models/m/predict", kStone).status, 200);
  EXPECT_EQ(server_->Get("/healthz").body, "{\"status\":\"ok\"}");
  EXPECT_EQ(server_->Get("/readyz").status, 200);
  HttpResult metrics = server_->Get("/metrics");
  ASSERT_EQ(metrics.status, 200);
  for (const char* series :
       {"diamond_http_requests_total{route=\"/models/{model_id}/"
        "predict\",method=\"POST\",status=\"200\"} 1",
        "diamond_http_request_duration_seconds_bucket{route=\"/models/{model_id}/"
        "predict\",le=\"+Inf\"} 1",
        "diamond_predicted_rows_total 1", "diamond_jobs{state=\"succeeded\"} 1",
        "diamond_model_cache_misses_total 1"}) {
    EXPECT_NE(metrics.body.find(series), std::string::npos) << series << "\n" << metrics.body;
  }
  // Request ids: echoed when sent, generated otherwise.
  EXPECT_EQ(
      server_->Request("GET", "/healthz", "", "", {"X-Request-Id: abc-123"}).Header("x-request-id"),
      "abc-123");
  EXPECT_EQ(server_->Get("/healthz").Header("x-request-id").size(), 32u);
  EXPECT_NE(server_->Log().find("\"request_id\":\"abc-123\""), std::string::npos);
  HttpResult docs = server_->Get("/docs");
  EXPECT_EQ(docs.status, 200);
  EXPECT_NE(docs.body.find("swagger-ui-bundle.js"), std::string::npos);
  // Its own policy, and no inline script for it to allow (issue 30).
  EXPECT_NE(docs.Header("content-security-policy").find("script-src 'self';"), std::string::npos);
  EXPECT_EQ(docs.body.find("<script>"), std::string::npos);
  EXPECT_EQ(server_->Get("/docs/diamond-docs.js").status, 200);
  HttpResult bundle = server_->Get("/docs/swagger-ui-bundle.js");
  EXPECT_EQ(bundle.status, 200) << "web assets missing: run scripts/bootstrap.sh";
  EXPECT_GT(bundle.body.size(), 100000u);
  EXPECT_EQ(server_->Get("/docs/../../etc/passwd").status, 404);
}

// Issue 24: every pricing route times its phases, exported per route and phase with a fixed
// label set, and summed in the access log line.
TEST_F(ApiTest, PricingRoutesTimeTheirPhasesInMetricsAndTheAccessLog) {
  TrainSmallModel("m");
  const std::string two = std::string("[") + kStone + "," + kStone + "]";
  ASSERT_EQ(server_->PostJson("/models/m/predict", kStone).status, 200);
  ASSERT_EQ(server_->PostJson("/models/m/predict", two).status, 200);
  ASSERT_EQ(server_->PostJson("/models/m/predict?explain=true", kStone).status, 200);
  const json stone = json::parse(kStone);
  json infer = {{"inputs", json::array()}};
  for (const char* name : {"carat", "depth", "table", "x", "y", "z"})
    infer["inputs"].push_back(
        {{"name", name}, {"datatype", "FP64"}, {"shape", {1}}, {"data", {stone[name]}}});
  for (const char* name : {"cut", "color", "clarity"})
    infer["inputs"].push_back(
        {{"name", name}, {"datatype", "BYTES"}, {"shape", {1}}, {"data", {stone[name]}}});
  HttpResult inferred = server_->PostJson("/v2/models/m/infer", infer.dump());
  ASSERT_EQ(inferred.status, 200) << inferred.body;
  HttpResult opened = server_->PostJson("/models/m/prices", "");
  ASSERT_EQ(opened.status, 200) << opened.body;
  std::string location = "/";
  location += json::parse(opened.body)["location"].get<std::string>();
  ASSERT_EQ(server_->PostJson(location, two).status, 200);
  ASSERT_EQ(server_->Get(location).status, 200);

  HttpResult metrics = server_->Get("/metrics");
  ASSERT_EQ(metrics.status, 200);
  // phase counts by route, from diamond_request_phase_seconds_count{route=…,phase=…} N
  std::map<std::string, std::map<std::string, int>> counts;
  const std::set<std::string> kPhases = {"queue_wait", "authorize", "decode",
                                         "price",      "explain",   "encode"};
  std::istringstream lines(metrics.body);
  for (std::string line; std::getline(lines, line);) {
    const std::string prefix = "diamond_request_phase_seconds_count{route=\"";
    if (!line.starts_with(prefix)) continue;
    const size_t route_end = line.find('"', prefix.size());
    const std::string route = line.substr(prefix.size(), route_end - prefix.size());
    const size_t phase_start = line.find("phase=\"", route_end) + 7;
    const std::string phase = line.substr(phase_start, line.find('"', phase_start) - phase_start);
    EXPECT_TRUE(kPhases.contains(phase)) << line;  // the label set is fixed
    counts[route][phase] = std::stoi(line.substr(line.rfind(' ') + 1));
  }
  const auto& predict = counts["/models/{model_id}/predict"];
  EXPECT_EQ(predict.at("authorize"), 3) << metrics.body;
  EXPECT_EQ(predict.at("decode"), 3);
  EXPECT_EQ(predict.at("price"), 2);
  EXPECT_EQ(predict.at("explain"), 1);
  EXPECT_EQ(predict.at("encode"), 3);
  EXPECT_GE(predict.at("queue_wait"), 1);  // explanations never run on an I/O thread
  const auto& oip = counts["/v2/models/{model_id}/infer"];
  EXPECT_EQ(oip.at("decode"), 1);
  EXPECT_EQ(oip.at("price"), 1);
  EXPECT_EQ(oip.at("encode"), 1);
  EXPECT_EQ(counts["/models/{model_id}/prices/{query_id}"].at("price"), 1);   // the first read
  EXPECT_EQ(counts["/models/{model_id}/prices/{query_id}"].at("decode"), 1);  // the append
  EXPECT_EQ(counts["/healthz"].count("decode"), 0u);
  EXPECT_NE(metrics.body.find("diamond_request_phase_seconds_bucket{route=\"/models/{model_id}/"
                              "predict\",phase=\"price\",le=\"1e-06\"}"),
            std::string::npos);
  // 1 + 2 + 1 predicted, 1 inferred, the query's 2 priced at its first read: each counted once.
  EXPECT_NE(metrics.body.find("diamond_predicted_rows_total 7"), std::string::npos) << metrics.body;

  // The access log line of each predict: its phases, in milliseconds, within its duration.
  std::istringstream log(server_->Log());
  int predicts = 0;
  for (std::string line; std::getline(log, line);) {
    json entry = json::parse(line, nullptr, false);
    if (entry.is_discarded() || entry.value("route", "") != "/models/{model_id}/predict") continue;
    ++predicts;
    ASSERT_TRUE(entry.contains("phases_ms")) << line;
    double sum = 0;
    for (const auto& [phase, ms] : entry["phases_ms"].items()) {
      EXPECT_TRUE(kPhases.contains(phase)) << line;
      EXPECT_GE(ms.get<double>(), 0) << line;
      sum += ms.get<double>();
    }
    EXPECT_TRUE(entry["phases_ms"].contains("decode")) << line;
    EXPECT_LE(sum, entry["duration_ms"].get<double>() + 1e-6) << line;
  }
  EXPECT_EQ(predicts, 3);
}

class SmallLimitsTest : public ApiTest {
  std::vector<std::string> Args() override {
    return {"--body-limit", "2048", "--max-predict", "2"};
  }
};

TEST_F(SmallLimitsTest, BodyAndBatchLimitsAre413) {
  ExpectProblem(server_->Request("PUT", "/datasets/big", std::string(4096, 'x'), "text/csv"), 413,
                "payload-too-large", "larger than 2048 bytes");
  EXPECT_EQ(server_->Get("/healthz").status, 200);  // the server is still up
  TrainSmallModel("m");
  ExpectProblem(server_->PostJson("/models/m/predict",
                                  std::string("[") + kStone + "," + kStone + "," + kStone + "]"),
                413, "too-many-stones", "more than 2 stones");
}

class QueueOnlyTest : public ApiTest {
  // No in-process workers: training jobs stay queued, so "still training" is deterministic.
  std::vector<std::string> Args() override { return {"--job-workers", "0"}; }
};

TEST_F(QueueOnlyTest, PredictingWithAModelStillTrainingIs409AndJobsCanBeCancelled) {
  ASSERT_EQ(server_->Request("PUT", "/datasets/small", kCsv, "text/csv").status, 200);
  HttpResult accepted = server_->PutJson("/models/m?wait=0", R"({"dataset_id": "small"})");
  ASSERT_EQ(accepted.status, 202) << accepted.body;
  const std::string job_location = accepted.Header("location");
  ASSERT_TRUE(job_location.starts_with("/jobs/")) << job_location;
  EXPECT_EQ(json::parse(accepted.body)["state"], "queued");
  ExpectProblem(server_->PostJson("/models/m/predict", kStone), 409, "conflict", "still training");
  // The same request again is a retry (a proxy resends a PUT whose replica died): the job
  // in progress, not a conflict with itself. Another request while it trains is a conflict.
  HttpResult again = server_->PutJson("/models/m?wait=0", R"({"dataset_id": "small"})");
  ASSERT_EQ(again.status, 202) << again.body;
  EXPECT_EQ(again.Header("location"), job_location);
  ExpectProblem(
      server_->PutJson("/models/m?wait=0", R"({"dataset_id": "small", "algorithm": "gbdt"})"), 409,
      "conflict", "already training");
  json jobs = json::parse(server_->Get("/jobs").body);
  EXPECT_EQ(jobs["results"].size(), 1u);

  HttpResult cancelled = server_->Request("DELETE", job_location);
  ASSERT_EQ(cancelled.status, 200) << cancelled.body;
  EXPECT_EQ(json::parse(cancelled.body)["state"], "cancelled");
  json model = json::parse(server_->Get("/models/m").body);
  EXPECT_EQ(model["status"], "failed");
  EXPECT_EQ(model["error"], "training cancelled");
  ExpectProblem(server_->PostJson("/models/m/predict", kStone), 409, "conflict",
                "no trained version");
}

// Issue 28: jobs were invisible to operators. An admin lists every tenant's jobs (with
// filters), looks at one and cancels one, over the API and from the command line.
TEST_F(QueueOnlyTest, AnAdminSeesEveryTenantsJobsAndCancelsOne) {
  const std::string alice = server_->CreateUserWithKey("alice"),
                    bob = server_->CreateUserWithKey("bob");
  for (const std::string& key : {alice, bob}) {
    ASSERT_EQ(server_->RequestAs(key, "PUT", "/datasets/small", kCsv, "text/csv").status, 200);
    ASSERT_EQ(server_
                  ->RequestAs(key, "PUT", "/models/m?wait=0", R"({"dataset_id": "small"})",
                              "application/json")
                  .status,
              202);
  }
  json all = json::parse(server_->Get("/admin/jobs").body);
  ASSERT_EQ(all["results"].size(), 2u) << all.dump();
  std::set<std::string> owners;
  for (const auto& job : all["results"]) owners.insert(job["owner"].get<std::string>());
  EXPECT_EQ(owners, (std::set<std::string>{"alice", "bob"}));
  json bobs = json::parse(server_->Get("/admin/jobs?owner=bob&state=queued&kind=train").body);
  ASSERT_EQ(bobs["results"].size(), 1u);
  const std::string bob_job = bobs["results"][0]["id"];
  EXPECT_EQ(bobs["results"][0]["location"], "/admin/jobs/" + bob_job);
  EXPECT_EQ(server_->Get("/admin/jobs?state=sleeping").status, 422);
  EXPECT_EQ(server_->Get("/admin/jobs?kind=nap").status, 422);
  EXPECT_EQ(server_->RequestAs(alice, "GET", "/admin/jobs").status, 403);
  EXPECT_EQ(json::parse(server_->Get("/admin/jobs/" + bob_job).body)["owner"], "bob");
  EXPECT_EQ(server_->Get("/admin/jobs/nosuchjob").status, 404);

  // The command line, beside the running server: list, show, cancel.
  const std::string data = (dir_ / "data").string();
  CommandResult listed =
      RunCommand({DIAMOND_BINARY, "admin", "--data-dir", data, "jobs", "list", "--owner", "bob"});
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  EXPECT_NE(listed.out.find(bob_job + "\ttrain\tbob\tqueued"), std::string::npos) << listed.out;
  EXPECT_EQ(listed.out.find("alice"), std::string::npos) << listed.out;
  CommandResult shown =
      RunCommand({DIAMOND_BINARY, "admin", "--data-dir", data, "jobs", "show", bob_job});
  ASSERT_EQ(shown.exit_code, 0) << shown.err;
  EXPECT_EQ(json::parse(shown.out)["owner"], "bob");
  CommandResult cancelled =
      RunCommand({DIAMOND_BINARY, "admin", "--data-dir", data, "jobs", "cancel", bob_job});
  ASSERT_EQ(cancelled.exit_code, 0) << cancelled.err;
  EXPECT_EQ(json::parse(server_->RequestAs(bob, "GET", "/jobs/" + bob_job).body)["state"],
            "cancelled");
  EXPECT_EQ(RunCommand(
                {DIAMOND_BINARY, "admin", "--data-dir", data, "jobs", "list", "--state", "napping"})
                .exit_code,
            2);
  // And over the API: alice's job.
  const std::string alice_job =
      json::parse(server_->Get("/admin/jobs?owner=alice").body)["results"][0]["id"];
  HttpResult api_cancel = server_->Request("DELETE", "/admin/jobs/" + alice_job);
  ASSERT_EQ(api_cancel.status, 200) << api_cancel.body;
  EXPECT_EQ(json::parse(api_cancel.body)["state"], "cancelled");
}

}  // namespace
}  // namespace diamond::testing
