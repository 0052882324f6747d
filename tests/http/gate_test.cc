// The gate on its own (issue 24, item 8): who may call — no key, a malformed one, an unknown,
// a revoked one, a disabled user, a member on an admin route — how fast (the key's bucket and
// the user's), what a keyless request with a body is told from its header alone, and the
// rows it reserves and gives back for pricing. Stores: SQLite in memory.
#include "http/gate.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "accounts/account_admin.h"
#include "store/sql_metadata_store.h"

namespace diamond::http {
namespace {

class GateTest : public ::testing::Test {
 protected:
  void SetUp() override {
    sql_ = std::move(store::SqlMetadataStore::OpenSqlite(":memory:")).value();
    PlanRecord plan = accounts::UnlimitedPlan("small");
    plan.requests_per_second = 1e-6;  // no refill within a test
    plan.burst = 3;
    plan.monthly_predicted_rows = 10;
    ASSERT_TRUE(sql_->PutPlan(plan).ok());
    ASSERT_TRUE(accounts::CreateUser(*sql_, "alice", "member", "small").ok());
    ASSERT_TRUE(accounts::CreateUser(*sql_, "root", "admin", "small").ok());
    ASSERT_TRUE(accounts::CreateUser(*sql_, "carol", "member", "small").ok());
    alice_ = std::move(accounts::IssueKey(*sql_, "alice", "laptop")).value().key;
    alice2_ = std::move(accounts::IssueKey(*sql_, "alice", "ci")).value().key;
    root_ = std::move(accounts::IssueKey(*sql_, "root", "ops")).value().key;
    carol_ = accounts::IssueKey(*sql_, "carol", "k").value();
    accounts_ = std::move(accounts::Accounts::Open(*sql_, *sql_)).value();
    gate_ = std::make_unique<Gate>(*accounts_, true);
  }

  static HttpRequest WithHeader(const std::string& name, const std::string& value) {
    HttpRequest request;
    request.method = "GET";
    request.path = "/datasets";
    request.headers.emplace_back(name, value);
    return request;
  }
  static HttpRequest WithKey(const std::string& key) {
    return WithHeader("authorization", "Bearer " + key);
  }
  static std::string Detail(const HttpResponse& response) {
    return nlohmann::json::parse(response.body)["detail"].get<std::string>();
  }
  static std::string HeaderOf(const HttpResponse& response, const std::string& name) {
    for (const auto& [n, v] : response.headers)
      if (n == name) return v;
    return "";
  }

  std::unique_ptr<store::SqlMetadataStore> sql_;
  std::unique_ptr<accounts::Accounts> accounts_;
  std::unique_ptr<Gate> gate_;
  std::string alice_, alice2_, root_;
  accounts::IssuedKey carol_;
};

TEST_F(GateTest, EveryWayOfNotBeingSomebodyIsA401ThatSaysWhich) {
  HttpRequest none;
  auto refused = gate_->Admit(Access::kUser, none);
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 401);
  EXPECT_EQ(HeaderOf(*refused, "WWW-Authenticate"), "Bearer realm=\"diamond\"");
  EXPECT_NE(Detail(*refused).find("send an API key"), std::string::npos);

  HttpRequest basic = WithHeader("authorization", "Basic YWxpY2U6cHc=");
  refused = gate_->Admit(Access::kUser, basic);
  ASSERT_TRUE(refused);
  EXPECT_EQ(Detail(*refused), "the Authorization header must be 'Bearer <key>'");
  EXPECT_NE(HeaderOf(*refused, "WWW-Authenticate").find("invalid_token"), std::string::npos);

  HttpRequest unknown = WithKey("dk_" + std::string(40, 'a'));
  refused = gate_->Admit(Access::kUser, unknown);
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 401);
  EXPECT_TRUE(Detail(*refused) == "the API key is not valid" ||
              Detail(*refused) == "the API key is malformed")
      << Detail(*refused);

  ASSERT_TRUE(sql_->RevokeKey("carol", carol_.record.id).ok());
  ASSERT_TRUE(accounts_->Reload().ok());
  HttpRequest revoked = WithKey(carol_.key);
  refused = gate_->Admit(Access::kUser, revoked);
  ASSERT_TRUE(refused);
  EXPECT_EQ(Detail(*refused), "the API key was revoked");

  ASSERT_TRUE(accounts::UpdateUser(*sql_, "alice", std::nullopt, std::nullopt, true).ok());
  ASSERT_TRUE(accounts_->Reload().ok());
  HttpRequest disabled = WithKey(alice_);
  refused = gate_->Admit(Access::kUser, disabled);
  ASSERT_TRUE(refused);
  EXPECT_EQ(Detail(*refused), "the API key's user is disabled");

  // A public route asks nothing of anybody.
  HttpRequest anyone;
  EXPECT_FALSE(gate_->Admit(Access::kPublic, anyone));
  EXPECT_EQ(anyone.principal, nullptr);
}

TEST_F(GateTest, AKeyIsItsUserAndAMemberIsNotAnAdmin) {
  HttpRequest request = WithHeader("x-api-key", alice_);
  EXPECT_FALSE(gate_->Admit(Access::kUser, request));
  ASSERT_NE(request.principal, nullptr);
  EXPECT_EQ(request.principal->user_id, "alice");
  HttpRequest admin_route = WithKey(alice_);
  auto refused = gate_->Admit(Access::kAdmin, admin_route);
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 403);
  HttpRequest root = WithKey(root_);
  EXPECT_FALSE(gate_->Admit(Access::kAdmin, root));
}

TEST_F(GateTest, TheBurstIsTheUsersAcrossAllTheirKeysThenA429WithRetryAfter) {
  // Burst 3 and no refill: three requests pass, whichever of alice's keys sends them.
  for (const std::string* key : {&alice_, &alice2_, &alice_}) {
    HttpRequest request = WithKey(*key);
    EXPECT_FALSE(gate_->Admit(Access::kUser, request));
  }
  HttpRequest fourth = WithKey(alice2_);
  auto refused = gate_->Admit(Access::kUser, fourth);
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 429);
  EXPECT_FALSE(HeaderOf(*refused, "Retry-After").empty());
  EXPECT_NE(Detail(*refused).find("per user"), std::string::npos) << Detail(*refused);
  EXPECT_FALSE(fourth.rate.remaining > 0);
  // Another user's bucket is their own.
  HttpRequest root = WithKey(root_);
  EXPECT_FALSE(gate_->Admit(Access::kUser, root));
}

TEST_F(GateTest, AKeylessBodyIsRefusedFromItsHeaderAndAKeyedOneIsNot) {
  HttpRequest head;
  head.method = "PUT";
  head.path = "/datasets/d";
  auto refused = gate_->RefuseKeyless(Access::kUser, head);
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 401);
  EXPECT_FALSE(gate_->RefuseKeyless(Access::kPublic, head));
  // Any key at all is left to Admit (checked with the store's directory, after the body).
  EXPECT_FALSE(gate_->RefuseKeyless(Access::kUser, WithKey("not-even-a-key")));
  auto basic = gate_->RefuseKeyless(Access::kUser, WithHeader("authorization", "Basic x"));
  ASSERT_TRUE(basic);
  EXPECT_EQ(basic->status, 401);
}

TEST_F(GateTest, PricingReservesTheCallersRowsAndGivesThemBack) {
  HttpRequest request = WithKey(alice_);
  ASSERT_FALSE(gate_->Admit(Access::kUser, request));
  Gate::CallerRows rows(*gate_, request);
  EXPECT_TRUE(rows.Reserve(8).ok());
  Status over = rows.Reserve(3);  // 11 of 10
  EXPECT_EQ(over.code(), StatusCode::kQuotaExceeded);
  rows.Refund(8);  // the work failed: the 8 are back
  EXPECT_TRUE(rows.Reserve(10).ok());
  EXPECT_EQ(rows.Reserve(1).code(), StatusCode::kQuotaExceeded);
}

TEST_F(GateTest, AGateTurnedOffLetsEveryoneInAsTheUnmeteredAdmin) {
  Gate off(*accounts_, false);
  HttpRequest nobody;
  EXPECT_FALSE(off.Admit(Access::kAdmin, nobody));
  ASSERT_NE(nobody.principal, nullptr);
  EXPECT_TRUE(nobody.principal->is_admin());
  EXPECT_FALSE(off.RefuseKeyless(Access::kUser, nobody));
  Gate::CallerRows rows(off, nobody);
  EXPECT_TRUE(rows.Reserve(int64_t{1} << 40).ok());
}

}  // namespace
}  // namespace diamond::http
