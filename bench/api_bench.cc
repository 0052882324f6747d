// In-process cost of one request through the Api (routing, gate, handler, metrics, no
// sockets): GET /healthz against POST /models/{id}/predict with one stone, the latter with
// the gate on (authentication, rate limit, metering) and off (--benchmark-without-gate).
// The differences are what real-time pricing and the gate add per request.
#include <benchmark/benchmark.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "accounts/account_admin.h"
#include "app/api_stack.h"
#include "app/backends.h"

namespace {

using namespace diamond;

struct Fixture {
  std::filesystem::path dir;
  std::unique_ptr<app::ApiStack> stack;
  std::string key;  // the admin's, on an unlimited plan (empty with the gate off)

  explicit Fixture(bool gate) {
    dir = std::filesystem::temp_directory_path() /
          (gate ? "diamond-api-bench" : "diamond-api-bench-nogate");
    std::filesystem::remove_all(dir);
    app::StackOptions options;
    options.api.access_log = false;
    options.gate_enabled = gate;
    options.app.admin_key_file = dir / "admin.key";
    std::filesystem::create_directories(dir);
    stack = std::move(
                app::ApiStack::Open(
                    options, std::move(app::OpenBackends(app::EmbeddedUrls(dir.string()))).value()))
                .value();
    if (gate) {
      std::ifstream key_file(options.app.admin_key_file);
      std::getline(key_file, key);
      auto& accounts = stack->accounts();
      if (!accounts.store().PutPlan(accounts::UnlimitedPlan("bench")).ok() ||
          !accounts.store().UpdateUser("admin", std::nullopt, "bench", std::nullopt).ok() ||
          !accounts.Reload().ok()) {
        std::abort();
      }
    }
    std::ifstream in(std::string(DIAMOND_SHARED_DATA_DIR) + "/diamonds.csv");
    std::stringstream csv;
    csv << in.rdbuf();
    Call("PUT", "/datasets/bench", csv.str(), "text/csv");
    Call("PUT", "/models/bench", R"({"dataset_id": "bench"})", "application/json");
    Call("PUT", "/models/trees", R"({"dataset_id": "bench", "algorithm": "gbdt"})",
         "application/json");
  }
  ~Fixture() {
    stack.reset();
    std::filesystem::remove_all(dir);
  }
  int Call(const std::string& method, const std::string& path, std::string body,
           const std::string& type, std::vector<std::pair<std::string, std::string>> query = {}) {
    http::HttpRequest request;
    request.method = method;
    request.path = path;
    request.query = std::move(query);
    request.body = std::move(body);
    if (!type.empty()) request.headers.emplace_back("content-type", type);
    if (!key.empty()) request.headers.emplace_back("authorization", "Bearer " + key);
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
  static Fixture fixture(true);
  return fixture;
}

Fixture& GetFixtureWithoutGate() {
  static Fixture fixture(false);
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

void PredictOne(benchmark::State& state, Fixture& f) {
  for (auto _ : state) {
    if (f.Call("POST", "/models/bench/predict", kStone, "application/json") != 200) {
      state.SkipWithError("predict failed");
    }
  }
}

void BM_ApiPredictOne(benchmark::State& state) { PredictOne(state, GetFixture()); }
BENCHMARK(BM_ApiPredictOne);

void BM_ApiPredictOneWithoutGate(benchmark::State& state) {
  PredictOne(state, GetFixtureWithoutGate());
}
BENCHMARK(BM_ApiPredictOneWithoutGate);

// One stone through the default tree model: plain (0), explained (1), explained with an
// interval (2).
void BM_ApiTrees(benchmark::State& state) {
  Fixture& f = GetFixture();
  std::vector<std::pair<std::string, std::string>> query;
  if (state.range(0) >= 1) query.emplace_back("explain", "true");
  if (state.range(0) >= 2) query.emplace_back("interval", "0.9");
  for (auto _ : state) {
    if (f.Call("POST", "/models/trees/predict", kStone, "application/json", query) != 200) {
      state.SkipWithError("trees failed");
    }
  }
}
BENCHMARK(BM_ApiTrees)->Arg(0)->Arg(1)->Arg(2);

}  // namespace

BENCHMARK_MAIN();
