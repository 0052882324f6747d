// Keys, plans, limits and metering, against the real binary: bootstrap, rate limits with
// Retry-After, quotas and size limits, exact metering under concurrency (and across a
// restart), `diamond admin` beside a running server, and keys never written to the log.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <atomic>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <thread>

#include "integration/server_process.h"
#include "integration/test_data.h"

namespace diamond::testing {
namespace {

using nlohmann::json;

std::string Stones(int n) {
  std::string out = "[";
  for (int i = 0; i < n; ++i) {
    if (i > 0) out += ',';
    out += kStone;
  }
  out += ']';
  return out;
}

class AccountsTest : public ::testing::Test {
 protected:
  void SetUp() override { server_ = std::make_unique<ServerProcess>(dir_ / "data", Args()); }
  virtual std::vector<std::string> Args() { return {}; }

  // A model alice can predict with.
  void TrainModelFor(const std::string& key, const std::string& model) {
    ASSERT_EQ(server_->RequestAs(key, "PUT", "/datasets/d", kSmallCsv, "text/csv").status, 200);
    HttpResult trained = server_->RequestAs(key, "PUT", "/models/" + model,
                                            R"({"dataset_id": "d", "validation": {"holdout": 0}})",
                                            "application/json");
    ASSERT_EQ(trained.status, 201) << trained.body;
  }

  static void ExpectLimit(const HttpResult& r, long status, const std::string& limit,
                          int64_t value) {
    EXPECT_EQ(r.status, status) << r.body;
    json body = json::parse(r.body, nullptr, false);
    ASSERT_FALSE(body.is_discarded()) << r.body;
    EXPECT_EQ(body["type"], "/problems/over-limit/" + limit) << r.body;
    EXPECT_EQ(body["limit"], limit);
    EXPECT_EQ(body["limit_value"], value) << r.body;
  }

  TempDir dir_;
  std::unique_ptr<ServerProcess> server_;
};

TEST_F(AccountsTest, FirstStartWritesTheAdminKeyForItsOwnerOnly) {
  struct stat info {};
  ASSERT_EQ(::stat((dir_ / "data" / "admin.key").c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
  EXPECT_EQ(server_->admin_key().size(), 44u);
  json me = json::parse(server_->Get("/me").body);
  EXPECT_EQ(me["user"], "admin");
  EXPECT_EQ(me["role"], "admin");
  // A restart neither creates another admin nor touches the file.
  server_->Restart();
  EXPECT_EQ(json::parse(server_->Get("/admin/users").body)["results"].size(), 1u);
  EXPECT_EQ(ReadFile(dir_ / "data" / "admin.key"), server_->admin_key() + "\n");
}

TEST_F(AccountsTest, BothHeadersAuthenticateAndRevocationIsImmediate) {
  const std::string key = server_->CreateUserWithKey("alice");
  EXPECT_EQ(server_->RequestAs("", "GET", "/me", "", "", {"X-API-Key: " + key}).status, 200);
  EXPECT_EQ(server_->RequestAs("", "GET", "/me", "", "", {"Authorization: bearer " + key}).status,
            200);
  HttpResult basic =
      server_->RequestAs("", "GET", "/me", "", "", {"Authorization: Basic YWxpY2U6eA=="});
  EXPECT_EQ(basic.status, 401);
  EXPECT_NE(basic.Header("www-authenticate").find("invalid_token"), std::string::npos);
  // Hostile credentials: all 401, never a crash or a 5xx.
  for (const std::string& h :
       {"Authorization: Bearer " + std::string(8000, 'a'),
        std::string("Authorization: Bearer dmd_\xff\xfe"), std::string("X-API-Key: ") + key + key,
        std::string("Authorization: Bearer  ") + key + " x", std::string("Authorization:"),
        std::string("X-API-Key: ") + key.substr(0, 12)}) {
    HttpResult r = server_->RequestAs("", "GET", "/me", "", "", {h});
    EXPECT_EQ(r.status, 401) << h.substr(0, 60);
  }
  EXPECT_EQ(server_->Get("/healthz").status, 200);
  // A key one character off is unknown.
  std::string wrong = key;
  wrong.back() = wrong.back() == '0' ? '1' : '0';
  EXPECT_EQ(server_->RequestAs(wrong, "GET", "/me").status, 401);

  json keys = json::parse(server_->Get("/admin/users/alice/keys").body);
  ASSERT_EQ(keys["results"].size(), 1u);
  EXPECT_EQ(keys["results"][0]["prefix"], key.substr(0, 12));
  EXPECT_FALSE(keys["results"][0].contains("key"));
  EXPECT_FALSE(keys["results"][0].contains("hash"));
  ASSERT_EQ(server_
                ->Request("DELETE",
                          "/admin/users/alice/keys/" + keys["results"][0]["id"].get<std::string>())
                .status,
            200);
  // Refused at once by the replica that answered the revocation, by the others within 1 s.
  HttpResult revoked;
  EXPECT_TRUE(server_->HoldsOnEveryReplica([&] {
    revoked = server_->RequestAs(key, "GET", "/me");
    return revoked.status == 401;
  }));
  EXPECT_NE(revoked.body.find("revoked"), std::string::npos);
}

TEST_F(AccountsTest, RateLimitAnswers429WithRetryAfterAndRecovers) {
  server_->PutPlan("tiny", R"({"requests_per_second": 1, "burst": 3, "monthly_predicted_rows": 1000,
      "max_dataset_rows": 100, "max_models": 2, "max_training_jobs": 1, "price_per_1k_rows": 1,
      "price_per_training_minute": 1})");
  const std::string alice = server_->CreateUserWithKey("alice", "tiny");
  const std::string bob = server_->CreateUserWithKey("bob", "tiny");
  int allowed = 0;
  HttpResult refused;
  for (int i = 0; i < 6; ++i) {
    HttpResult r = server_->RequestAs(alice, "GET", "/me");
    if (r.status == 200) {
      ++allowed;
      // The fields appear once half the burst is spent: after the second request.
      if (allowed >= 2) {
        EXPECT_EQ(r.Header("ratelimit-limit"), "3");
        EXPECT_EQ(r.Header("ratelimit-remaining"), allowed == 2 ? "1" : "0") << allowed;
      } else {
        EXPECT_EQ(r.Header("ratelimit-limit"), "") << "a fresh bucket needs no warning";
      }
    } else {
      refused = r;
    }
  }
  // The burst, plus at most one token refilled while the loop ran.
  EXPECT_GE(allowed, 3);
  EXPECT_LE(allowed, 4);
  ExpectLimit(refused, 429, "requests_per_second", 1);
  EXPECT_EQ(refused.Header("retry-after"), "1");
  EXPECT_EQ(refused.Header("ratelimit-remaining"), "0");
  EXPECT_FALSE(refused.Header("ratelimit-reset").empty());
  // Buckets are per key: bob is not slowed by alice.
  EXPECT_EQ(server_->RequestAs(bob, "GET", "/me").status, 200);
  // After Retry-After, alice gets through again.
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  EXPECT_EQ(server_->RequestAs(alice, "GET", "/me").status, 200);
}

TEST_F(AccountsTest, QuotasAndSizeLimitsNameTheLimitAndItsValue) {
  server_->PutPlan("small",
                   R"({"requests_per_second": 1000, "burst": 1000, "monthly_predicted_rows": 5,
      "max_dataset_rows": 6, "max_models": 1, "max_training_jobs": 5, "price_per_1k_rows": 1,
      "price_per_training_minute": 1})");
  const std::string alice = server_->CreateUserWithKey("alice", "small");
  TrainModelFor(alice, "m");

  EXPECT_EQ(
      server_->RequestAs(alice, "POST", "/models/m/predict", Stones(3), "application/json").status,
      200);
  HttpResult over =
      server_->RequestAs(alice, "POST", "/models/m/predict", Stones(3), "application/json");
  ExpectLimit(over, 429, "monthly_predicted_rows", 5);
  // Retry-After: when the month (UTC) ends.
  ASSERT_FALSE(over.Header("retry-after").empty());
  EXPECT_GT(std::stoll(over.Header("retry-after")), 0);
  EXPECT_LE(std::stoll(over.Header("retry-after")), 31 * 24 * 3600);
  EXPECT_EQ(
      server_->RequestAs(alice, "POST", "/models/m/predict", Stones(2), "application/json").status,
      200);
  // Batch pricing counts too: the quota is used up, so the results are refused (and not kept).
  HttpResult query = server_->RequestAs(alice, "POST", "/models/m/prices");
  std::string location = "/";  // built with += : GCC 12 warns falsely (-Wrestrict) on a + chain
  location += json::parse(query.body)["location"].get<std::string>();
  ASSERT_EQ(server_->RequestAs(alice, "POST", location, kStone, "application/json").status, 200);
  ExpectLimit(server_->RequestAs(alice, "GET", location), 429, "monthly_predicted_rows", 5);
  json me = json::parse(server_->RequestAs(alice, "GET", "/me").body);
  EXPECT_EQ(me["usage"]["predicted_rows"], 5);
  EXPECT_EQ(me["remaining"]["monthly_predicted_rows"], 0);

  // Size limits: 403, nothing written.
  ExpectLimit(server_->RequestAs(alice, "POST", "/datasets/d", kStone, "application/json"), 403,
              "max_dataset_rows", 6);
  EXPECT_EQ(json::parse(server_->RequestAs(alice, "GET", "/datasets/d").body)["rows"], 6);
  ExpectLimit(server_->RequestAs(alice, "PUT", "/models/second",
                                 R"({"dataset_id": "d", "validation": {"holdout": 0}})",
                                 "application/json"),
              403, "max_models", 1);
  // Retraining the model she has is not a new model.
  EXPECT_EQ(
      server_
          ->RequestAs(alice, "PUT", "/models/m",
                      R"({"dataset_id": "d", "validation": {"holdout": 0}})", "application/json")
          .status,
      201);
}

TEST_F(AccountsTest, ConcurrentTrainingRequestsCannotOvershootTheModelLimit) {
  server_->PutPlan("three",
                   R"({"requests_per_second": 1000, "burst": 1000, "monthly_predicted_rows": 1000,
      "max_dataset_rows": 100, "max_models": 3, "max_training_jobs": 100, "price_per_1k_rows": 1,
      "price_per_training_minute": 1})");
  const std::string alice = server_->CreateUserWithKey("alice", "three");
  ASSERT_EQ(server_->RequestAs(alice, "PUT", "/datasets/d", kSmallCsv, "text/csv").status, 200);
  std::atomic<int> accepted{0}, refused{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&, i] {
      HttpResult r = server_->RequestAs(alice, "PUT", "/models/m" + std::to_string(i) + "?wait=0",
                                        R"({"dataset_id": "d", "validation": {"holdout": 0}})",
                                        "application/json");
      if (r.status == 201 || r.status == 202)
        ++accepted;
      else if (r.status == 403)
        ++refused;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(accepted.load(), 3);
  EXPECT_EQ(refused.load(), 5);
  EXPECT_EQ(json::parse(server_->RequestAs(alice, "GET", "/models").body)["results"].size(), 3u);
}

TEST_F(AccountsTest, MeteredRowsEqualExactlyWhatWasSentAcrossKeysAndARestart) {
  const std::vector<std::string> users = {"u1", "u2", "u3"};
  std::vector<std::string> keys;
  for (const auto& u : users) keys.push_back(server_->CreateUserWithKey(u));
  server_->PutPlan("test-unlimited", kUnlimitedPlanJson);
  for (const auto& key : keys) TrainModelFor(key, "m");

  std::vector<std::atomic<int64_t>> sent(users.size());
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (size_t t = 0; t < 6; ++t) {
    threads.emplace_back([&, t] {
      const size_t who = t % users.size();
      for (int i = 0; i < 40; ++i) {
        const int n = 1 + static_cast<int>((t * 7 + i) % 5);
        HttpResult r = server_->RequestAs(keys[who], "POST", "/models/m/predict", Stones(n),
                                          "application/json");
        if (r.status == 200)
          sent[who] += n;
        else
          ++failures;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);

  auto metered = [&] {
    std::map<std::string, int64_t> rows;
    json usage = json::parse(server_->Get("/admin/usage").body);
    for (const auto& r : usage["results"]) rows[r["user"]] = r["predicted_rows"];
    return rows;
  };
  // A report counts every replica's rows once they flushed (each does every second).
  std::map<std::string, int64_t> rows;
  Eventually(
      [&] {
        rows = metered();
        for (size_t i = 0; i < users.size(); ++i) {
          if (rows[users[i]] != sent[i].load()) return false;
        }
        return true;
      },
      server_->cluster() ? std::chrono::milliseconds(3000) : std::chrono::milliseconds(0));
  for (size_t i = 0; i < users.size(); ++i) EXPECT_EQ(rows[users[i]], sent[i].load()) << users[i];

  // More rows just before a clean stop: the final flush keeps them.
  ASSERT_EQ(server_->RequestAs(keys[0], "POST", "/models/m/predict", Stones(4), "application/json")
                .status,
            200);
  sent[0] += 4;
  server_->Restart();
  rows = metered();
  for (size_t i = 0; i < users.size(); ++i) EXPECT_EQ(rows[users[i]], sent[i].load()) << users[i];
  json usage = json::parse(server_->Get("/admin/usage").body);
  for (const auto& r : usage["results"]) {
    if (r["user"] == "u1") {
      EXPECT_GT(r["training_seconds"].get<double>(), 0);
      EXPECT_GT(r["stored_bytes"].get<int64_t>(), 0);
      EXPECT_NEAR(r["cost"]["predictions"].get<double>(), sent[0].load() / 1000.0 * 0.1, 1e-9);
    }
  }
  EXPECT_EQ(server_->Get("/admin/usage?month=2026-13").status, 422);
}

// Issue 28: `admin init` for an upgrade exited 2 before migrating when ./admin.key existed.
// Run again it migrates and succeeds; only a first admin's key is never written over a file.
TEST(AdminInit, RunAgainForAnUpgradeSucceedsBesideItsKeyFile) {
  TempDir dir;
  const std::string db = "sqlite:" + (dir / "metadata.db").string();
  const std::string key_file = (dir / "admin.key").string();
  CommandResult first =
      RunCommand({DIAMOND_BINARY, "admin", "--db", db, "init", "--key-file", key_file});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  ASSERT_TRUE(std::filesystem::exists(key_file));
  CommandResult again =
      RunCommand({DIAMOND_BINARY, "admin", "--db", db, "init", "--key-file", key_file});
  EXPECT_EQ(again.exit_code, 0) << again.err;
  EXPECT_NE(again.out.find("already has users"), std::string::npos) << again.out;
  // A new database would need a first admin: its key is not written over the file.
  CommandResult other =
      RunCommand({DIAMOND_BINARY, "admin", "--db", "sqlite:" + (dir / "other.db").string(), "init",
                  "--key-file", key_file});
  EXPECT_EQ(other.exit_code, 2);
  EXPECT_NE(other.err.find("never overwritten"), std::string::npos) << other.err;
}

TEST_F(AccountsTest, AdminCommandWorksBesideTheRunningServer) {
  const std::string data = (dir_ / "data").string();
  CommandResult created = RunCommand(
      {DIAMOND_BINARY, "admin", "--data-dir", data, "users", "create", "erin", "--plan", "pro"});
  ASSERT_EQ(created.exit_code, 0) << created.err;
  CommandResult key =
      RunCommand({DIAMOND_BINARY, "admin", "--data-dir", data, "keys", "create", "erin"});
  ASSERT_EQ(key.exit_code, 0) << key.err;
  const std::string erin = key.out.substr(0, key.out.find('\n'));
  ASSERT_EQ(erin.size(), 44u) << key.out;
  // The server reloads accounts within a second of a change by another process.
  EXPECT_TRUE(Eventually([&] { return server_->RequestAs(erin, "GET", "/me").status == 200; },
                         std::chrono::seconds(5)));
  CommandResult plan = RunCommand(
      {DIAMOND_BINARY, "admin", "--data-dir", data, "plans", "set", "pro", "--burst", "7"});
  ASSERT_EQ(plan.exit_code, 0) << plan.err;
  EXPECT_TRUE(Eventually(
      [&] {
        json me = json::parse(server_->RequestAs(erin, "GET", "/me").body, nullptr, false);
        return !me.is_discarded() && me["plan"]["burst"] == 7;
      },
      std::chrono::seconds(5)));
  CommandResult disabled =
      RunCommand({DIAMOND_BINARY, "admin", "--data-dir", data, "users", "disable", "erin"});
  ASSERT_EQ(disabled.exit_code, 0) << disabled.err;
  EXPECT_TRUE(Eventually([&] { return server_->RequestAs(erin, "GET", "/me").status == 401; },
                         std::chrono::seconds(5)));
  CommandResult listed =
      RunCommand({DIAMOND_BINARY, "admin", "--data-dir", data, "keys", "list", "erin"});
  EXPECT_EQ(listed.exit_code, 0);
  EXPECT_NE(listed.out.find(erin.substr(0, 12)), std::string::npos);
  EXPECT_EQ(listed.out.find(erin), std::string::npos) << "a listing never shows a key";
  CommandResult usage =
      RunCommand({DIAMOND_BINARY, "admin", "--data-dir", data, "usage", "--month", "2026-11"});
  EXPECT_EQ(usage.exit_code, 0) << usage.err;
  EXPECT_NE(usage.out.find("erin"), std::string::npos);
  CommandResult bad =
      RunCommand({DIAMOND_BINARY, "admin", "--data-dir", data, "users", "create", "bad/id"});
  EXPECT_EQ(bad.exit_code, 2);
}

class AccessLogTest : public AccountsTest {
  std::vector<std::string> Args() override { return {"--private-metrics"}; }
};

TEST_F(AccessLogTest, KeysNeverAppearInTheLogButTheirPrefixDoes) {
  const std::string alice = server_->CreateUserWithKey("alice");
  server_->RequestAs(alice, "GET", "/me");
  server_->RequestAs("", "GET", "/me", "", "", {"X-API-Key: " + alice});
  server_->RequestAs("", "GET", "/datasets", "", "", {"Authorization: Bearer " + alice + "x"});
  server_->RequestAs(alice, "GET", "/datasets?api_key=" + alice);  // a key in the wrong place
  EXPECT_EQ(server_->RequestAs("", "GET", "/metrics").status, 401);
  EXPECT_EQ(server_->RequestAs(alice, "GET", "/metrics").status, 200);
  const std::string log = server_->Log();
  ASSERT_NE(log.find("\"request\""), std::string::npos) << "no access log to check";
  EXPECT_EQ(log.find(alice), std::string::npos);
  EXPECT_EQ(log.find(alice.substr(12)), std::string::npos);
  EXPECT_EQ(log.find(server_->admin_key()), std::string::npos);
  EXPECT_NE(log.find(alice.substr(0, 12)), std::string::npos);
}

}  // namespace
}  // namespace diamond::testing
