// In-process cost of one request through the Api (routing, handler, metrics, no sockets):
// GET /healthz against POST /models/{id}/predict with one stone. The difference is what
// real-time pricing adds on top of the server's fixed cost per request.
#include <benchmark/benchmark.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "http/api.h"
#include "http/logger.h"
#include "jobs/training_job.h"
#include "store/file_blob_store.h"
#include "store/sql_metadata_store.h"

namespace {

using namespace diamond;

struct Fixture {
  std::filesystem::path dir = std::filesystem::temp_directory_path() / "diamond-api-bench";
  std::unique_ptr<store::SqlMetadataStore> metadata;
  std::unique_ptr<store::FileBlobStore> blobs;
  service::ModelCache cache;
  std::unique_ptr<service::DatasetService> datasets;
  std::unique_ptr<service::ModelService> models;
  std::unique_ptr<service::QueryService> queries;
  std::unique_ptr<jobs::JobRunner> runner;
  http::Metrics metrics;
  std::unique_ptr<http::Api> api;

  Fixture() {
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    metadata = std::move(store::SqlMetadataStore::OpenSqlite((dir / "m.db").string())).value();
    blobs = std::move(store::FileBlobStore::Open(dir / "blobs")).value();
    datasets = std::make_unique<service::DatasetService>(*metadata, *blobs);
    models = std::make_unique<service::ModelService>(*metadata, *blobs, cache);
    queries = std::make_unique<service::QueryService>(*metadata, *blobs, *models);
    runner = std::make_unique<jobs::JobRunner>(*metadata, 1);
    runner->SetExecutor("train", jobs::MakeTrainingExecutor(*metadata, *blobs, *datasets, cache));
    (void)runner->Start();
    http::ApiConfig config;
    config.access_log = false;
    api = std::make_unique<http::Api>(http::ApiContext{*datasets, *models, *queries, *runner, *metadata, metrics, config});
    std::ifstream in(std::string(DIAMOND_SHARED_DATA_DIR) + "/diamonds.csv");
    std::stringstream csv;
    csv << in.rdbuf();
    Call("PUT", "/datasets/bench", csv.str(), "text/csv");
    Call("PUT", "/models/bench", R"({"dataset_id": "bench"})", "application/json");
  }
  ~Fixture() {
    api.reset();
    runner->Stop();
    std::filesystem::remove_all(dir);
  }
  int Call(const std::string& method, const std::string& path, std::string body, const std::string& type) {
    http::HttpRequest request;
    request.method = method;
    request.path = path;
    request.body = std::move(body);
    if (!type.empty()) request.headers.emplace_back("content-type", type);
    int status = 0;
    std::mutex m;
    std::condition_variable cv;
    bool done = false;
    api->Handle(std::move(request), [&](http::HttpResponse response) {
      std::lock_guard lock(m);
      status = response.status;
      done = true;
      cv.notify_one();
    });
    std::unique_lock lock(m);
    cv.wait(lock, [&] { return done; });
    return status;
  }
};

Fixture& GetFixture() {
  static Fixture fixture;
  return fixture;
}

constexpr const char* kStone =
    R"({"carat": 1.1, "cut": "Ideal", "color": "H", "clarity": "SI2", "depth": 62.0, "table": 55.0, "x": 6.61, "y": 6.65, "z": 4.11})";

void BM_ApiHealthz(benchmark::State& state) {
  Fixture& f = GetFixture();
  for (auto _ : state) {
    if (f.Call("GET", "/healthz", "", "") != 200) state.SkipWithError("healthz failed");
  }
}
BENCHMARK(BM_ApiHealthz);

void BM_ApiPredictOne(benchmark::State& state) {
  Fixture& f = GetFixture();
  for (auto _ : state) {
    if (f.Call("POST", "/models/bench/predict", kStone, "application/json") != 200) {
      state.SkipWithError("predict failed");
    }
  }
}
BENCHMARK(BM_ApiPredictOne);

}  // namespace

BENCHMARK_MAIN();
