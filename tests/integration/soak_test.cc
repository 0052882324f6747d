// Soak: a bounded mixed load (real-time predict, price queries, dataset uploads and
// appends, training) from several concurrent clients — each its own member with its own
// key, pricing with the admin's shared model — against one server. Promises: every
// request gets the answer it should (any other status fails the test, a 4xx included),
// resident memory does not grow, and the usage report meters exactly the rows each
// client was answered for.
// Memory is sampled four times a second. A run of at least 45 s also fits the growth
// between its second and last quarters and fails above 512 KiB a minute, so that a leak
// of 1 MiB a minute fails (the healthy server grows ~0.1 MiB a minute here, as caches and
// SQLite settle); shorter runs check only that memory levels off.
// DIAMOND_SOAK_SECONDS sets the length (default 60 s, as the release stage runs it);
// DIAMOND_SOAK_REPORT names a file for the RSS curve ("seconds rss_kib requests" lines).
#include <curl/curl.h>
#include <gtest/gtest.h>

#include <atomic>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <thread>

// GCC 12 at -O3 warns -Wrestrict on `"literal" + std::to_string(...)` inside libstdc++
// (GCC bug 105329, a false positive); nothing here overlaps.
#pragma GCC diagnostic ignored "-Wrestrict"
#include "integration/server_process.h"

namespace diamond::testing {
namespace {

using nlohmann::json;

constexpr char kStone[] =
    R"({"carat": 0.9, "cut": "Very Good", "color": "G", "clarity": "VS2", "depth": 62.1, "table": 57, "x": 6.1, "y": 6.15, "z": 3.8})";

std::string Csv(std::mt19937_64& rng, int rows) {
  std::string out = "carat,cut,color,clarity,depth,table,price,x,y,z\n";
  static const char* kCuts[] = {"Fair", "Good", "Very Good", "Premium", "Ideal"};
  static const char* kColors[] = {"D", "E", "F", "G", "H", "I", "J"};
  static const char* kClarities[] = {"I1", "SI2", "SI1", "VS2", "VS1", "VVS2", "VVS1", "IF"};
  for (int i = 0; i < rows; ++i) {
    const double carat = 0.2 + static_cast<double>(rng() % 250) / 100;
    const double size = 4 + carat * 2;
    char line[200];
    std::snprintf(line, sizeof line, "%.2f,%s,%s,%s,%.1f,%.0f,%.0f,%.2f,%.2f,%.2f\n", carat,
                  kCuts[rng() % 5], kColors[rng() % 7], kClarities[rng() % 8],
                  58 + static_cast<double>(rng() % 60) / 10, 53.0 + static_cast<double>(rng() % 8),
                  400 + carat * carat * 4000 + static_cast<double>(rng() % 500), size, size * 1.01,
                  size * 0.62);
    out += line;
  }
  return out;
}

TEST(Soak, MixedLoadNoErrorsNoLostResponsesMemoryLevels) {
  const char* env_seconds = std::getenv("DIAMOND_SOAK_SECONDS");
  const int seconds = env_seconds ? std::atoi(env_seconds) : 60;
  curl_global_init(CURL_GLOBAL_ALL);
  TempDir dir;
  ServerProcess server(dir / "data", {"--quiet"});
  std::mt19937_64 setup(7);
  ASSERT_EQ(server.Request("PUT", "/datasets/base", Csv(setup, 2000), "text/csv").status, 200);
  ASSERT_EQ(server.PutJson("/models/base", R"({"dataset_id": "base"})").status, 201);
  ASSERT_EQ(server.PutJson("/models/base/sharing", R"({"shared": true})").status, 200);
  constexpr int kClients = 4;
  std::vector<std::string> keys;
  for (int who = 0; who < kClients; ++who)
    keys.push_back(server.CreateUserWithKey("client" + std::to_string(who)));
  std::vector<std::atomic<int64_t>> rows_priced(kClients);

  std::atomic<bool> stop{false};
  std::atomic<int64_t> requests{0}, lost{0}, unexpected{0};
  std::mutex failures_mutex;
  std::vector<std::string> failures;
  // Every answer must be one of `expected` (200 unless said otherwise).
  auto check = [&](const HttpResult& r, const std::string& what,
                   std::initializer_list<long> expected = {200}) {
    ++requests;
    if (r.status == 0) ++lost;
    if (std::find(expected.begin(), expected.end(), r.status) == expected.end()) {
      ++unexpected;
      std::lock_guard lock(failures_mutex);
      if (failures.size() < 10)
        failures.push_back(what + " → " + std::to_string(r.status) + " " + r.body.substr(0, 200));
    }
  };
  auto client = [&](int who) {
    std::mt19937_64 rng(static_cast<uint64_t>(who) * 7919);
    const std::string& key = keys[static_cast<size_t>(who)];
    auto post_json = [&](const std::string& path, const std::string& body) {
      return server.RequestAs(key, "POST", path, body, "application/json");
    };
    std::string query;
    int64_t query_rows = 0;
    while (!stop) {
      const uint64_t dice = rng() % 100;
      if (dice < 70) {  // real-time prices, one stone or a few
        const bool many = rng() % 4 == 0;
        HttpResult r = post_json(
            "/models/base/predict",
            many ? std::string("[") + kStone + "," + kStone + "," + kStone + "]" : kStone);
        check(r, "predict");
        if (r.status == 200) rows_priced[static_cast<size_t>(who)] += many ? 3 : 1;
      } else if (dice < 85) {  // a price query: open, a few batches, read it all, delete
        if (query.empty()) {
          HttpResult r = server.RequestAs(key, "POST", "/models/base/prices");
          check(r, "open query");
          if (r.status == 200) query = "/" + json::parse(r.body)["location"].get<std::string>();
          query_rows = 0;
        } else if (query_rows < 30) {
          std::string batch = "[";
          for (int i = 0; i < 10; ++i) batch += std::string(i ? "," : "") + kStone;
          HttpResult r = post_json(query, batch + "]");
          check(r, "append batch");
          if (r.status == 200) query_rows += 10;
        } else {
          HttpResult r = server.RequestAs(key, "GET", query + "?page=0&page_size=100");
          check(r, "read query");
          if (r.status == 200) rows_priced[static_cast<size_t>(who)] += 30;
          if (r.status == 200 && json::parse(r.body)["results"].size() != 30u) {
            std::lock_guard lock(failures_mutex);
            failures.push_back("query lost rows: " + r.body.substr(0, 200));
          }
          check(server.RequestAs(key, "DELETE", query), "delete query");
          query.clear();
        }
      } else if (dice < 95) {  // uploads: replace or append to one of a few datasets
        std::string id = "d";  // built with += : GCC 12 warns falsely (-Wrestrict) on a + chain
        id += std::to_string(who);
        id += '-';
        id += std::to_string(rng() % 3);
        const bool append = rng() % 2 == 0;
        HttpResult r = server.RequestAs(key, append ? "POST" : "PUT", "/datasets/" + id,
                                        Csv(rng, 50), "text/csv");
        // Appending to a dataset not created yet is a correct 404.
        if (append)
          check(r, "append", {200, 404});
        else
          check(r, "replace");
      } else {  // training on the client's own dataset (bounded: 3 models per client)
        std::string model = "m";
        model += std::to_string(who);
        model += '-';
        model += std::to_string(rng() % 3);
        std::string dataset = "d";
        dataset += std::to_string(who);
        dataset += "-0";
        std::string body = R"({"dataset_id": ")";
        body += dataset;
        body += R"("})";
        HttpResult r =
            server.RequestAs(key, "PUT", "/models/" + model + "?wait=5", body, "application/json");
        // Trained (201), still training after the wait (202), already training (409), or
        // the dataset not uploaded yet (404): the only right answers.
        check(r, "train", {201, 202, 404, 409});
      }
    }
  };
  std::vector<std::thread> clients;
  for (int who = 0; who < kClients; ++who) clients.emplace_back(client, who);

  std::vector<std::pair<double, int64_t>> curve;  // (seconds, RSS KiB), four a second
  std::ofstream report;
  if (const char* path = std::getenv("DIAMOND_SOAK_REPORT")) report.open(path);
  for (int tick = 1; tick <= seconds * 4; ++tick) {
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
    curve.emplace_back(tick / 4.0, RssKib(server.pid()));
    if (report)
      report << curve.back().first << " " << curve.back().second << " " << requests.load()
             << std::endl;
  }
  stop = true;
  for (auto& c : clients) c.join();

  for (const auto& f : failures) ADD_FAILURE() << f;
  EXPECT_EQ(lost.load(), 0);
  EXPECT_EQ(unexpected.load(), 0);
  EXPECT_GT(requests.load(), seconds * 10);  // load did happen (sanitizer builds are slow)
  // Memory levels off: the peak of the last third is within 10 % (+8 MiB of slack for
  // allocator noise) of the peak of the middle third.
  auto peak = [&](size_t from, size_t to) {
    int64_t m = 0;
    for (size_t i = from; i < to && i < curve.size(); ++i) m = std::max(m, curve[i].second);
    return m;
  };
  const size_t third = curve.size() / 3;
  const int64_t middle = peak(third, 2 * third), last = peak(2 * third, curve.size());
  EXPECT_LE(last, middle * 11 / 10 + 8 * 1024) << "RSS still growing: middle third peak " << middle
                                               << " KiB, last third peak " << last << " KiB";
  if (seconds >= 45) {
    // Growth per minute between the troughs of the second and the last quarter (the first
    // is warm-up: caches, arenas, the first models and queries). Troughs, not means: RSS
    // swings by 1-2 MiB as the allocator takes and returns memory under the mixed load, which
    // moves a quarter's mean by more than the bound (a CI run failed on 633 KiB/min with a
    // flat 30-32 MiB curve); memory that is never given back raises every trough.
    const size_t quarter = curve.size() / 4;
    auto trough = [&](size_t from, size_t to) {
      int64_t low = curve[from].second;
      for (size_t i = from; i < to; ++i) low = std::min(low, curve[i].second);
      return static_cast<double>(low);
    };
    const double early = trough(quarter, 2 * quarter), late = trough(3 * quarter, curve.size());
    const double minutes =
        (curve[(3 * quarter + curve.size()) / 2].first - curve[(3 * quarter) / 2].first) / 60;
    const double kib_per_minute = (late - early) / minutes;
    // The bound is 512 KiB a minute plus 512 KiB once: two troughs of a flat curve can still
    // differ by a few hundred KiB (a CI run of 60 s failed on 308 KiB between them, "616 KiB a
    // minute", with a flat 25-28 MiB curve), which over the 30 s between the quarters of a
    // one-minute run reads as a rate above 512. The fixed allowance stops mattering on long
    // runs (600 s: 614 KiB a minute) and still fails a leak of 5 MiB a minute at 60 s.
    const double bound = 512 + 512 / minutes;
    EXPECT_LT(kib_per_minute, bound)
        << "resident memory grows " << kib_per_minute << " KiB a minute (second quarter's trough "
        << early << " KiB, last " << late << "; bound " << bound << " over " << minutes
        << " minutes)";
    RecordProperty("rss_growth_kib_per_minute", static_cast<int>(kib_per_minute));
  }
  std::string summary;
  for (size_t i = 3; i < curve.size(); i += 4) {
    summary += std::to_string(static_cast<int>(curve[i].first)) + ":" +
               std::to_string(curve[i].second / 1024) + "MiB ";
  }
  std::cout << "soak: " << requests.load() << " requests in " << seconds << " s; RSS curve "
            << summary << std::endl;
  RecordProperty("requests", static_cast<int>(requests.load()));
  EXPECT_EQ(server.Get("/healthz").status, 200);

  // Metering under load: exactly the rows each client got prices for.
  json usage = json::parse(server.Get("/admin/usage").body);
  std::map<std::string, int64_t> metered;
  for (const auto& r : usage["results"]) metered[r["user"]] = r["predicted_rows"];
  for (int who = 0; who < kClients; ++who) {
    EXPECT_EQ(metered["client" + std::to_string(who)], rows_priced[static_cast<size_t>(who)].load())
        << who;
  }
}

}  // namespace
}  // namespace diamond::testing
