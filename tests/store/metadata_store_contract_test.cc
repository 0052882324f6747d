// The metadata store as a whole, on every SQL engine (SQLite and PostgreSQL): its schema
// (processes starting together migrate once; a schema newer than the build is refused) and
// the database URLs it accepts. Each port's own contract is in <port>_contract_test.cc.
#include "store/metadata_contract_support.h"

namespace diamond::store {
namespace {

TEST_P(MetadataStoreContract, ProcessesStartingTogetherMigrateOnce) {
  std::vector<std::unique_ptr<SqlMetadataStore>> stores(6);
  Failures failures;
  std::vector<std::thread> threads;
  for (size_t i = 0; i < stores.size(); ++i) {
    threads.emplace_back([&, i] {
      auto opened = SqlMetadataStore::Open(db_.url(), 2);
      failures.Add(opened.status());
      if (opened.ok()) stores[i] = std::move(opened).value();
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.count(), 0) << failures.first();
  EXPECT_EQ(db_.QueryInteger("SELECT COUNT(*) FROM schema_version"), kSchemaVersion);
  EXPECT_EQ(db_.QueryInteger("SELECT COUNT(*) FROM plans"), 3);  // seeded once, not 6 times
}

TEST_P(MetadataStoreContract, ASchemaNewerThanTheBuildIsRefusedWithAReason) {
  ASSERT_TRUE(OpenStore());
  db_.Execute(Name("INSERT INTO schema_version (version) VALUES (", kSchemaVersion + 1) + ")");
  auto opened = SqlMetadataStore::Open(db_.url(), 2);
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(opened.status().message().find("newer than this build"), std::string::npos)
      << opened.status().message();
}

INSTANTIATE_TEST_SUITE_P(Engines, MetadataStoreContract, ::testing::Values("sqlite", "postgresql"),
                         [](const auto& info) { return info.param; });

TEST(DatabaseUrl, NamesTheEngineAndHidesThePassword) {
  auto lite = ParseDatabaseUrl("sqlite:/var/lib/diamond/metadata.db");
  ASSERT_TRUE(lite.ok());
  EXPECT_EQ(lite->engine, SqlEngine::kSqlite);
  EXPECT_EQ(lite->connect, "/var/lib/diamond/metadata.db");
  auto pg = ParseDatabaseUrl("postgresql://diamond:s3cret@db.internal:5433/prices");
  ASSERT_TRUE(pg.ok());
  EXPECT_EQ(pg->engine, SqlEngine::kPostgresql);
  EXPECT_EQ(pg->display.find("s3cret"), std::string::npos) << pg->display;
  auto bad = ParseDatabaseUrl("mysql://diamond:s3cret@db/prices");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message().find("s3cret"), std::string::npos) << bad.status().message();
  EXPECT_FALSE(ParseDatabaseUrl("sqlite:").ok());
}

// The URL reaches the driver as libpq's keywords (issue 28: the documented form used to
// reach the server as database "diamond=").
TEST(DatabaseUrl, PostgresUrisBecomeLibpqKeywords) {
  auto pg = ParseDatabaseUrl("postgresql://diamond@db.internal:5432/diamond");
  ASSERT_TRUE(pg.ok()) << pg.status().message();
  EXPECT_EQ(pg->connect, "user=diamond dbname=diamond host=db.internal port=5432");
  auto quoted = PostgresKeywords("postgresql://di%20amond:p%27ss%20w@[::1]/prices?sslmode=require");
  ASSERT_TRUE(quoted.ok()) << quoted.status().message();
  EXPECT_EQ(*quoted,
            R"(user='di amond' password='p\'ss w' dbname=prices host=::1 sslmode=require)");
  auto socket = PostgresKeywords("postgresql://diamond@/diamond?host=/var/run/postgresql");
  ASSERT_TRUE(socket.ok());
  EXPECT_EQ(*socket, "user=diamond dbname=diamond host=/var/run/postgresql");
  EXPECT_EQ(*PostgresKeywords("postgres://db.internal"), "host=db.internal");
  auto bad = ParseDatabaseUrl("postgresql://diamond:s3cret@db/prices?nosuchkeyword=1");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("nosuchkeyword"), std::string::npos)
      << bad.status().message();
  EXPECT_EQ(bad.status().message().find("s3cret"), std::string::npos) << bad.status().message();
}

// Every form docs/operations.md writes, against the test cluster on 127.0.0.1.
TEST(DatabaseUrl, EveryDocumentedFormConnects) {
  const std::string port = DIAMOND_TEST_POSTGRES_PORT;
  const std::string socket_url = DIAMOND_TEST_POSTGRES_URL;
  for (const std::string& url : {
           "postgresql://postgres@127.0.0.1:" + port + "/postgres",
           "postgresql://postgres@localhost:" + port + "/postgres?sslmode=disable",
           "postgresql://postgres:unused%20secret@127.0.0.1:" + port + "/postgres",
           "postgres://postgres@127.0.0.1/postgres?port=" + port,
           socket_url,
       }) {
    SCOPED_TRACE(url);
    auto parsed = ParseDatabaseUrl(url);
    ASSERT_TRUE(parsed.ok()) << parsed.status().message();
    auto pool = OpenConnectionPool(*parsed, 1);
    EXPECT_TRUE(pool.ok()) << pool.status().message();
  }
}

}  // namespace
}  // namespace diamond::store
