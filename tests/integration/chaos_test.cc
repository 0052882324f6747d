// Chaos on the scaled-out topology (cluster.h): clients write datasets, price stones, run
// the original service's query flow and queue training through nginx while replicas and
// workers are SIGKILLed at random moments and restarted (DIAMOND_CHAOS_KILLS times, 20 by
// default). Afterwards every acknowledged write is there with its hash, every job ended
// exactly once, every query answers, no blob a record points at is missing, and the
// only failures clients saw were connection errors or 502/503 while a replica died.
// Registered only as Cluster.Chaos.* (DIAMOND_TEST_TOPOLOGY=cluster).
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <thread>

#include "integration/cluster.h"
#include "integration/server_process.h"
#include "store/blob_gc.h"
#include "store/s3_blob_store.h"
#include "store/sql_metadata_store.h"
#include "store/store_binding.h"

namespace diamond::testing {
namespace {

using nlohmann::json;

constexpr const char* kStones =
    R"([{"carat": 0.9, "cut": "Ideal", "color": "G", "clarity": "VS1", "depth": 61.5, "table": 56, "x": 6.2, "y": 6.2, "z": 3.8},
        {"carat": 1.4, "cut": "Good", "color": "J", "clarity": "SI2", "depth": 63.0, "table": 58, "x": 7.1, "y": 7.0, "z": 4.4}])";

// What clients may see while a process dies: no answer, or nginx's 502/503/504.
bool IsDyingReplica(long status) {
  return status == 0 || status == 502 || status == 503 || status == 504;
}

class Failures {
 public:
  void Unexpected(const std::string& what, const HttpResult& r) {
    std::lock_guard lock(mutex_);
    if (messages_.size() < 10)
      messages_.push_back(what + ": " + std::to_string(r.status) + " " + r.body.substr(0, 300));
    ++count_;
  }
  int count() const { return count_; }
  std::string Describe() const {
    std::lock_guard lock(mutex_);
    std::string out;
    for (const auto& m : messages_) out += m + "\n";
    return out;
  }

 private:
  mutable std::mutex mutex_;
  std::vector<std::string> messages_;
  std::atomic<int> count_{0};
};

int Kills() {
  const char* value = std::getenv("DIAMOND_CHAOS_KILLS");
  return value != nullptr ? std::max(1, std::atoi(value)) : 20;
}

TEST(Chaos, RandomKillsOfReplicasAndWorkersLoseNothingAcknowledged) {
  ASSERT_TRUE(ClusterMode())
      << "the chaos test runs on the cluster topology only (ctest -R Cluster.Chaos)";
  TempDir dir;
  ServerProcess server(dir / "cluster");
  Cluster& cluster = *server.cluster();
  ASSERT_EQ(
      server.Request("PUT", "/datasets/base", StonesToCsv(SyntheticStones(300, 3)), "text/csv")
          .status,
      200);
  HttpResult trained = server.PutJson("/models/m?wait=120", R"({"dataset_id": "base"})");
  ASSERT_TRUE(trained.status == 200 || trained.status == 201) << trained.body;

  std::atomic<bool> done{false};
  Failures failures;
  std::mutex acked_mutex;
  std::map<std::string, std::pair<int64_t, std::string>>
      datasets;                                    // id → (rows, sha256) acknowledged
  std::set<std::string> jobs;                      // acknowledged training jobs
  std::map<std::string, int64_t> query_rows;       // query → rows in acknowledged batches
  std::map<std::string, int64_t> query_ambiguous;  // rows in batches without an answer
  std::atomic<int> predictions{0}, dying_answers{0};

  auto note = [&](const std::string& what, const HttpResult& r, std::initializer_list<long> ok) {
    for (long s : ok) {
      if (r.status == s) return true;
    }
    if (IsDyingReplica(r.status)) {
      ++dying_answers;
    } else {
      failures.Unexpected(what, r);
    }
    return false;
  };

  std::vector<std::thread> clients;
  clients.emplace_back([&] {  // datasets
    for (int i = 0; !done; ++i) {
      std::string id = "c";
      id += std::to_string(i);  // (appended: GCC 12 warns falsely on "literal" + to_string)
      const auto stones =
          SyntheticStones(20 + static_cast<size_t>(i % 7), static_cast<uint64_t>(100 + i));
      HttpResult r = server.Request("PUT", "/datasets/" + id, StonesToCsv(stones), "text/csv");
      if (note("PUT /datasets/" + id, r, {200})) {
        json body = json::parse(r.body);
        std::lock_guard lock(acked_mutex);
        datasets[id] = {body["rows"].get<int64_t>(), body["sha256"].get<std::string>()};
      }
    }
  });
  clients.emplace_back([&] {  // real-time prices
    while (!done) {
      if (note("predict", server.PostJson("/models/m/predict", kStones), {200})) ++predictions;
    }
  });
  clients.emplace_back([&] {  // the original service's query flow
    for (int q = 0; !done; ++q) {
      HttpResult opened = server.Request("POST", "/models/m/prices");
      if (!note("open query", opened, {200, 201})) continue;
      const std::string location = json::parse(opened.body)["location"];
      const std::string query = location.substr(location.rfind('/') + 1);
      {
        std::lock_guard lock(acked_mutex);
        query_rows[query] += 0;  // opened, no stones yet
      }
      for (int b = 0; b < 3 && !done; ++b) {
        HttpResult batch = server.Request("POST", "/" + location, kStones, "application/json");
        std::lock_guard lock(acked_mutex);
        if (note("append batch", batch, {200})) {
          query_rows[query] += 2;
        } else if (IsDyingReplica(batch.status)) {
          query_ambiguous[query] += 2;  // it may or may not have been stored
        }
      }
    }
  });
  clients.emplace_back([&] {  // training jobs, queued through the API, run by the workers
    for (int i = 0; !done; ++i) {
      std::string path = "/models/t";
      path += std::to_string(i);
      path += "?wait=0";
      HttpResult r = server.PutJson(path, R"({"dataset_id": "base"})");
      if (note("train", r, {202, 200, 201})) {
        std::lock_guard lock(acked_mutex);
        const json body = json::parse(r.body);  // a job (202) or, if it finished at once, the model
        jobs.insert(body.contains("job_id") ? body["job_id"].get<std::string>()
                                            : body["id"].get<std::string>());
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(700));
    }
  });

  // The chaos: SIGKILL a random replica or worker, restart it, again and again.
  std::mt19937 random(20261130);
  const int kills = Kills();
  for (int k = 0; k < kills; ++k) {
    std::this_thread::sleep_for(std::chrono::milliseconds(300 + random() % 900));
    const int victim = static_cast<int>(random() % 4);
    if (victim < Cluster::kReplicas) {
      cluster.KillReplica(victim);
      std::this_thread::sleep_for(std::chrono::milliseconds(random() % 300));
      cluster.StartReplica(victim);
    } else {
      cluster.KillWorker(victim - Cluster::kReplicas);
      std::this_thread::sleep_for(std::chrono::milliseconds(random() % 300));
      cluster.StartWorker(victim - Cluster::kReplicas);
    }
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  done = true;
  for (auto& t : clients) t.join();
  std::printf(
      "chaos: %d kills; %zu datasets, %zu jobs, %zu queries acknowledged; %d predictions; "
      "%d answers from dying replicas\n",
      kills, datasets.size(), jobs.size(), query_rows.size(), predictions.load(),
      dying_answers.load());
  EXPECT_EQ(failures.count(), 0) << failures.Describe();
  EXPECT_GT(datasets.size(), 5u);
  EXPECT_GT(predictions.load(), 50);

  // Every acknowledged dataset is there, as acknowledged (a later write may not have
  // replaced it: each id was written once).
  for (const auto& [id, ack] : datasets) {
    HttpResult r = server.Get("/datasets/" + id);
    ASSERT_EQ(r.status, 200) << id << ": " << r.body;
    json body = json::parse(r.body);
    EXPECT_EQ(body["rows"], ack.first) << id;
    EXPECT_EQ(body["sha256"], ack.second) << id;
    HttpResult rows = server.Get("/datasets/" + id + "/rows");
    EXPECT_EQ(rows.status, 200) << id;
  }
  // Every acknowledged job ends, exactly once: finished, and its model trained once.
  for (const std::string& job : jobs) {
    ASSERT_FALSE(job.empty());
    json state;
    ASSERT_TRUE(Eventually(
        [&] {
          state = json::parse(server.Get("/jobs/" + job).body);
          return state["state"] == "succeeded" || state["state"] == "failed" ||
                 state["state"] == "cancelled";
        },
        std::chrono::seconds(90)))
        << job << ": " << state.dump();
    EXPECT_EQ(state["state"], "succeeded") << state.dump();
    json model = json::parse(server.Get("/models/" + state["model_id"].get<std::string>()).body);
    EXPECT_EQ(model["version"], 1) << model.dump();  // a job recorded twice would make version 2
  }
  // Every query answers with its acknowledged batches (and perhaps the unanswered ones).
  for (const auto& [query, rows] : query_rows) {
    HttpResult r = server.Get("/models/m/prices/" + query + "?page_size=1000");
    ASSERT_EQ(r.status, 200) << query << ": " << r.body;
    const auto priced = static_cast<int64_t>(json::parse(r.body)["results"].size());
    EXPECT_GE(priced, rows) << query;
    EXPECT_LE(priced, rows + query_ambiguous[query]) << query;
  }

  // Nothing referenced is missing from the bucket; what a killed process wrote but never
  // recorded is removed by the blob GC (here with no grace: everything is quiet).
  ASSERT_GE(cluster.Stop(SIGTERM), 0);
  auto metadata = store::SqlMetadataStore::Open(cluster.db_url(), 2);
  ASSERT_TRUE(metadata.ok()) << metadata.status().message();
  auto blobs = store::S3BlobStore::Open(cluster.blobs_url());
  ASSERT_TRUE(blobs.ok()) << blobs.status().message();
  auto referenced = (*metadata)->ReferencedBlobKeys();
  ASSERT_TRUE(referenced.ok());
  auto listed = (*blobs)->List("");
  ASSERT_TRUE(listed.ok());
  std::set<std::string> present;
  for (const auto& blob : *listed) present.insert(blob.key);
  for (const auto& key : *referenced)
    EXPECT_TRUE(present.count(key)) << "referenced blob missing: " << key;
  auto removed = store::RemoveUnreferencedBlobs(**metadata, **blobs, std::chrono::seconds(0));
  ASSERT_TRUE(removed.ok());
  std::printf("chaos: %zu blobs referenced, %lld orphans removed by the GC\n", referenced->size(),
              static_cast<long long>(*removed));
  // Besides the referenced blobs, only the object binding the bucket to its database.
  EXPECT_EQ((*blobs)->List("")->size(), referenced->size() + 1);
  EXPECT_TRUE((*blobs)->Stat(store::kStoreBindingKey).ok());
}

}  // namespace
}  // namespace diamond::testing
