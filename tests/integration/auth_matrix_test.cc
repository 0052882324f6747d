// The auth matrix: every route the server documents in /openapi.json × every kind of
// caller. Generated from the document the running server serves, so a new route is in
// the matrix the moment it is documented — and openapi_test.cc fails any route that is
// served but not documented, or documented with another access level than it has.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <regex>

#include "integration/server_process.h"
#include "integration/test_data.h"

namespace diamond::testing {
namespace {

using nlohmann::json;

enum class Caller { kNoKey, kMalformed, kRevoked, kDisabled, kOwner, kOtherMember, kAdmin };

const char* Name(Caller c) {
  switch (c) {
    case Caller::kNoKey:
      return "no key";
    case Caller::kMalformed:
      return "malformed key";
    case Caller::kRevoked:
      return "revoked key";
    case Caller::kDisabled:
      return "disabled user";
    case Caller::kOwner:
      return "member owner";
    case Caller::kOtherMember:
      return "other member";
    case Caller::kAdmin:
      return "admin";
  }
  return "?";
}

class AuthMatrixTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = std::make_unique<ServerProcess>(dir_ / "data");
    owner_ = server_->CreateUserWithKey("alice");
    other_ = server_->CreateUserWithKey("bob");
    const std::string carol = server_->CreateUserWithKey("carol");
    revoked_ = carol;
    const std::string dave = server_->CreateUserWithKey("dave");
    disabled_ = dave;
    // Revoke carol's key and disable dave, through the admin API.
    json keys = json::parse(server_->Get("/admin/users/carol/keys").body);
    ASSERT_EQ(server_
                  ->Request("DELETE", "/admin/users/carol/keys/" +
                                          keys["results"][0]["id"].get<std::string>())
                  .status,
              200);
    ASSERT_EQ(
        server_->Request("PATCH", "/admin/users/dave", R"({"disabled": true})", "application/json")
            .status,
        200);

    // Alice's resources: a dataset, a model trained on it, a price query, the job.
    ASSERT_EQ(server_->RequestAs(owner_, "PUT", "/datasets/ds", kSmallCsv, "text/csv").status, 200);
    HttpResult trained = server_->RequestAs(owner_, "PUT", "/models/m",
                                            R"({"dataset_id": "ds", "validation": {"holdout": 0}})",
                                            "application/json");
    ASSERT_EQ(trained.status, 201) << trained.body;
    job_ = json::parse(trained.body)["job_id"];
    HttpResult query = server_->RequestAs(owner_, "POST", "/models/m/prices");
    ASSERT_EQ(query.status, 200) << query.body;
    const std::string location = "/" + json::parse(query.body)["location"].get<std::string>();
    query_ = location.substr(location.rfind('/') + 1);
    ASSERT_EQ(
        server_->RequestAs(owner_, "POST", "/models/m/prices/" + query_, kStone, "application/json")
            .status,
        200);

    // Alice's open upload into ds, with one part.
    HttpResult upload = server_->RequestAs(owner_, "POST", "/datasets/ds/uploads",
                                           R"({"mode": "append"})", "application/json");
    ASSERT_EQ(upload.status, 201) << upload.body;
    upload_ = json::parse(upload.body)["upload_id"];
    ASSERT_EQ(
        server_->RequestAs(owner_, "PUT", "/uploads/" + upload_ + "/parts/1", kSmallCsv, "text/csv")
            .status,
        200);

    // Alice's batch prediction.
    HttpResult batch = server_->RequestAs(owner_, "POST", "/models/m/batch-predictions",
                                          R"({"dataset_id": "ds"})", "application/json");
    ASSERT_EQ(batch.status, 202) << batch.body;
    batch_ = json::parse(batch.body)["id"];
    ASSERT_TRUE(Eventually(
        [&] {
          return json::parse(server_->RequestAs(owner_, "GET", "/batch-predictions/" + batch_)
                                 .body)["state"] == "succeeded";
        },
        std::chrono::seconds(30)));

    // An account for the admin routes to act on.
    zed_key_id_ = "none";
    server_->CreateUserWithKey("zed");
    json zed_keys = json::parse(server_->Get("/admin/users/zed/keys").body);
    zed_key_id_ = zed_keys["results"][0]["id"];
  }

  std::string KeyOf(Caller c) const {
    switch (c) {
      case Caller::kNoKey:
        return "";
      case Caller::kMalformed:
        return "dmd_not-a-key";
      case Caller::kRevoked:
        return revoked_;
      case Caller::kDisabled:
        return disabled_;
      case Caller::kOwner:
        return owner_;
      case Caller::kOtherMember:
        return other_;
      case Caller::kAdmin:
        return server_->admin_key();
    }
    return "";
  }

  std::string Fill(std::string path) const {
    const std::pair<const char*, std::string> values[] = {
        {"{dataset_id}", "ds"},   {"{model_id}", "m"},
        {"{query_id}", query_},   {"{job_id}", job_},
        {"{user_id}", "zed"},     {"{key_id}", zed_key_id_},
        {"{plan}", "matrix"},     {"{asset}", "swagger-ui.css"},
        {"{version}", "1"},       {"{upload_id}", upload_},
        {"{part}", "1"},          {"{batch_id}", batch_},
        {"{alias}", "challenger"}};
    for (const auto& [param, value] : values) {
      for (size_t at = path.find(param); at != std::string::npos; at = path.find(param)) {
        path.replace(at, std::string(param).size(), value);
      }
    }
    return path;
  }

  // A body each route accepts from its owner, so the owner's cell shows success.
  static std::pair<std::string, std::string> BodyFor(const std::string& method,
                                                     const std::string& path) {
    if (path == "/models/{model_id}" && method == "PUT") {
      return {R"({"dataset_id": "ds", "validation": {"holdout": 0}})", "application/json"};
    }
    if (path == "/models/{model_id}/sharing") return {R"({"shared": false})", "application/json"};
    if (path == "/admin/users" && method == "POST")
      return {R"({"id": "new-user"})", "application/json"};
    if (path == "/admin/users/{user_id}" && method == "PATCH")
      return {R"({"plan": "free"})", "application/json"};
    if (path == "/admin/plans/{plan}") return {kUnlimitedPlanJson, "application/json"};
    if (path == "/admin/users/{user_id}/keys" && method == "POST")
      return {R"({"name": "matrix"})", "application/json"};
    // Append: in another caller's namespace there is no "ds" to append to (404).
    if (path == "/datasets/{dataset_id}/uploads")
      return {R"({"mode": "append"})", "application/json"};
    if (path == "/uploads/{upload_id}/parts/{part}") return {kSmallCsv, "text/csv"};
    if (path == "/models/{model_id}/batch-predictions")
      return {R"({"dataset_id": "ds"})", "application/json"};
    // No body: back to the champion before (409 for the owner's model of one version).
    if (path == "/models/{model_id}/rollback") return {"", ""};
    if (path == "/models/{model_id}/versions/{version}/reproduce") return {"", ""};
    if (path == "/models/{model_id}/aliases/{alias}" && method == "PUT")
      return {R"({"version": 1})", "application/json"};
    if (method == "PUT" || method == "POST") return {kStone, "application/json"};
    return {"", ""};
  }

  TempDir dir_;
  std::unique_ptr<ServerProcess> server_;
  std::string owner_, other_, revoked_, disabled_, job_, query_, zed_key_id_, upload_, batch_;
};

TEST_F(AuthMatrixTest, EveryDocumentedRouteTimesEveryCaller) {
  json doc = json::parse(server_->Get("/openapi.json").body);
  struct Operation {
    std::string method, path, access;
  };
  std::vector<Operation> operations;
  for (const auto& [path, item] : doc["paths"].items()) {
    for (const auto& [method, op] : item.items()) {
      std::string upper = method;
      for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      ASSERT_TRUE(op.contains("x-access"))
          << upper << " " << path << " does not say who may call it";
      operations.push_back({upper, path, op["x-access"]});
    }
  }
  // Deletions last (owner cells would otherwise remove what later routes need), and the
  // model's deletion after the queries' and datasets'.
  std::stable_sort(operations.begin(), operations.end(),
                   [](const Operation& a, const Operation& b) {
                     auto rank = [](const Operation& o) {
                       if (o.method != "DELETE") return 0;
                       return o.path == "/models/{model_id}" ? 2 : 1;
                     };
                     return rank(a) < rank(b);
                   });
  ASSERT_GE(operations.size(), 30u);

  const Caller callers[] = {Caller::kNoKey,    Caller::kMalformed,   Caller::kRevoked,
                            Caller::kDisabled, Caller::kOtherMember, Caller::kAdmin,
                            Caller::kOwner};
  int cells = 0;
  for (const auto& op : operations) {
    // Resources named in the path belong to alice ("member owner").
    const bool names_resource = std::regex_search(
        op.path, std::regex(R"(\{(dataset_id|model_id|job_id|query_id|upload_id|batch_id)\})"));
    // PUT on a dataset or model id creates in the caller's own namespace: another member
    // would get their own resource, never alice's (OtherMembersNever... checks that); here
    // their requests are ones that create nothing, so later cells still name only alice's.
    const bool creates_own = op.method == "PUT" && (op.path == "/datasets/{dataset_id}" ||
                                                    op.path == "/models/{model_id}");
    for (Caller caller : callers) {
      auto [body, type] = BodyFor(op.method, op.path);
      if (creates_own && caller != Caller::kOwner && op.path == "/datasets/{dataset_id}") {
        body = R"({"carat": "heavy"})";  // rejected: nothing is created in their namespace
      }
      HttpResult r = server_->RequestAs(KeyOf(caller), op.method, Fill(op.path), body, type);
      const std::string where = op.method + " " + op.path + " as " + Name(caller) + ": " +
                                std::to_string(r.status) + " " + r.body.substr(0, 300);
      ++cells;
      ASSERT_NE(r.status, 0) << where;
      EXPECT_LT(r.status, 500) << where;
      if (op.access == "public") {
        EXPECT_NE(r.status, 401) << where;
        EXPECT_NE(r.status, 403) << where;
        continue;
      }
      switch (caller) {
        case Caller::kNoKey:
        case Caller::kMalformed:
        case Caller::kRevoked:
        case Caller::kDisabled:
          EXPECT_EQ(r.status, 401) << where;
          EXPECT_NE(r.Header("www-authenticate").find("Bearer"), std::string::npos) << where;
          break;
        case Caller::kOtherMember:
          if (op.access == "admin") {
            EXPECT_EQ(r.status, 403) << where;
          } else if (names_resource && !creates_own) {
            EXPECT_EQ(r.status, 404) << where;  // never 403: existence is not revealed
          } else if (creates_own) {
            // Their own namespace: no "ds" there to train on, a stone that is not valid.
            EXPECT_TRUE(r.status == 404 || r.status == 422) << where;
          } else {
            EXPECT_TRUE(r.status != 401 && r.status != 403) << where;
          }
          break;
        case Caller::kAdmin:
          // Admins manage accounts; tenants' data stays the tenants' (404 like anyone else).
          if (names_resource && !creates_own && op.access != "admin")
            EXPECT_EQ(r.status, 404) << where;
          else
            EXPECT_TRUE(r.status != 401 && r.status != 403) << where;
          break;
        case Caller::kOwner:
          if (op.access == "admin") {
            EXPECT_EQ(r.status, 403) << where;
          } else if (op.method == "DELETE") {
            // 404 for the seed's second dataset delete, 409 for cancelling a finished job.
            EXPECT_TRUE(r.status == 200 || r.status == 404 || r.status == 409) << where;
          } else if (op.method == "GET") {
            EXPECT_TRUE(r.status >= 200 && r.status < 300) << where;
          } else {
            // Let through: the answer is about the request (409 appending to a priced
            // query, 422 training on a replaced dataset), not about who asks.
            EXPECT_TRUE(r.status != 401 && r.status != 403 && r.status != 404) << where;
          }
          break;
      }
    }
  }
  EXPECT_GE(cells, 200);
}

TEST_F(AuthMatrixTest, OtherMembersNeverSeeOrChangeAlicesResources) {
  // Bob's lists hold none of alice's resources.
  for (const char* list : {"/datasets", "/models", "/jobs"}) {
    HttpResult r = server_->RequestAs(other_, "GET", list);
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(json::parse(r.body)["results"].size(), 0u) << list << ": " << r.body;
  }
  // Bob's PUT /datasets/ds makes his own dataset; alice's keeps her six rows.
  ASSERT_EQ(server_->RequestAs(other_, "PUT", "/datasets/ds", kStone, "application/json").status,
            200);
  EXPECT_EQ(json::parse(server_->RequestAs(other_, "GET", "/datasets/ds").body)["rows"], 1);
  EXPECT_EQ(json::parse(server_->RequestAs(owner_, "GET", "/datasets/ds").body)["rows"], 6);
  EXPECT_EQ(server_->RequestAs(other_, "GET", "/datasets/ds/rows").body.find("0.3,Ideal,E"),
            std::string::npos);
  // Bob cannot predict with alice's model, nor read her query, nor cancel her job.
  EXPECT_EQ(
      server_->RequestAs(other_, "POST", "/models/m/predict", kStone, "application/json").status,
      404);
  EXPECT_EQ(server_->RequestAs(other_, "GET", "/models/m/prices/" + query_).status, 404);
  EXPECT_EQ(server_->RequestAs(other_, "DELETE", "/jobs/" + job_).status, 404);
  EXPECT_EQ(
      server_->RequestAs(owner_, "POST", "/models/m/predict", kStone, "application/json").status,
      200);
}

TEST_F(AuthMatrixTest, SharedModelsServeEveryoneButOnlyTheirOwnerChangesThem) {
  ASSERT_EQ(server_->Request("PUT", "/datasets/house-data", kSmallCsv, "text/csv").status, 200);
  ASSERT_EQ(server_
                ->PutJson("/models/house",
                          R"({"dataset_id": "house-data", "validation": {"holdout": 0}})")
                .status,
            201);
  EXPECT_EQ(server_->RequestAs(other_, "POST", "/models/house/predict", kStone, "application/json")
                .status,
            404);
  ASSERT_EQ(server_->PutJson("/models/house/sharing", R"({"shared": true})").status, 200);

  for (const std::string& key : {owner_, other_}) {
    json models = json::parse(server_->RequestAs(key, "GET", "/models").body);
    bool listed = false;
    for (const auto& m : models["results"])
      listed = listed || (m["id_"] == "house" && m["shared"] == true);
    EXPECT_TRUE(listed) << models.dump();
    EXPECT_EQ(
        server_->RequestAs(key, "POST", "/models/house/predict", kStone, "application/json").status,
        200);
    HttpResult detail = server_->RequestAs(key, "GET", "/models/house");
    EXPECT_EQ(detail.status, 200);
    EXPECT_FALSE(json::parse(detail.body).contains("job_id")) << "training details are the owner's";
    // Batch pricing on a shared model works too, in the caller's own query.
    HttpResult query = server_->RequestAs(key, "POST", "/models/house/prices");
    ASSERT_EQ(query.status, 200);
    const std::string location = "/" + json::parse(query.body)["location"].get<std::string>();
    EXPECT_EQ(server_->RequestAs(key, "POST", location, kStone, "application/json").status, 200);
    EXPECT_EQ(server_->RequestAs(key, "GET", location).status, 200);
    // Read-only for them. Training the id is not changing this model: it makes their own
    // (issue 30, finding 8; Hardening.ASharedModelNeverTakes…) — here refused for want of a
    // dataset "ds" of theirs, never with a 403.
    EXPECT_EQ(server_->RequestAs(key, "DELETE", "/models/house").status, 403);
    HttpResult train = server_->RequestAs(key, "PUT", "/models/house", R"({"dataset_id": "ds"})",
                                          "application/json");
    EXPECT_TRUE(train.status == 404 || train.status == 422) << train.status << " " << train.body;
  }
  // Unshared: gone for everyone but the owner.
  ASSERT_EQ(server_->PutJson("/models/house/sharing", R"({"shared": false})").status, 200);
  EXPECT_TRUE(server_->HoldsOnEveryReplica([&] {
    return server_->RequestAs(other_, "POST", "/models/house/predict", kStone, "application/json")
               .status == 404;
  }));
  EXPECT_EQ(server_->Request("POST", "/models/house/predict", kStone, "application/json").status,
            200);
}

}  // namespace
}  // namespace diamond::testing
