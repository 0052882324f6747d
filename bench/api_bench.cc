// In-process cost of one request through the Api (routing, handler, metrics, no sockets):
// GET /healthz against POST /models/{id}/predict with one stone. The difference is what
// real-time pricing adds on top of the server's fixed cost per request.
#include <benchmark/benchmark.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "http/service_stack.h"

namespace {

using namespace diamond;

struct Fixture {
  std::filesystem::path dir = std::filesystem::temp_directory_path() / "diamond-api-bench";
  std::unique_ptr<http::ServiceStack> stack;

  Fixture() {
    std::filesystem::remove_all(dir);
    http::StackOptions options;
    options.metadata_path = (dir / "m.db").string();
    options.blob_dir = dir / "blobs";
    options.api.access_log = false;
    std::filesystem::create_directories(dir);
    stack = std::move(http::ServiceStack::Open(options)).value();
    std::ifstream in(std::string(DIAMOND_SHARED_DATA_DIR) + "/diamonds.csv");
    std::stringstream csv;
    csv << in.rdbuf();
    Call("PUT", "/datasets/bench", csv.str(), "text/csv");
    Call("PUT", "/models/bench", R"({"dataset_id": "bench"})", "application/json");
  }
  ~Fixture() {
    stack.reset();
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
    stack->api().Handle(std::move(request), [&](http::HttpResponse response) {
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
    R"({"carat": 1.05, "cut": "Ideal", "color": "H", "clarity": "SI2", "depth": 61.9, "table": 56.0, "x": 6.55, "y": 6.59, "z": 4.07})";

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
