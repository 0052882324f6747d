#include "support/test_databases.h"

#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <sqlite3.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <memory>

namespace diamond::testing {
namespace {

// The cluster CTest starts as a fixture (tests/CMakeLists.txt), unless the environment
// names another.
std::string AdminUrl() {
  const char* url = std::getenv("DIAMOND_TEST_POSTGRES");
  if (url != nullptr && *url != '\0') return url;
  return DIAMOND_TEST_POSTGRES_URL;
}

// postgresql://user@/postgres?host=/dir → the same URL naming database `name`.
std::string WithDatabase(const std::string& url, const std::string& name) {
  const size_t authority = url.find("://") + 3;
  const size_t slash = url.find('/', authority);
  const size_t query = url.find('?', authority);
  std::string out = url.substr(0, slash == std::string::npos ? query : slash) + "/" + name;
  if (query != std::string::npos) out += url.substr(query);
  return out;
}

struct PgConnection {
  explicit PgConnection(const std::string& url) : conn(PQconnectdb(url.c_str())) {}
  ~PgConnection() { PQfinish(conn); }
  PGconn* conn;
};

using PgResult = std::unique_ptr<PGresult, decltype(&PQclear)>;

PgResult PgExec(const std::string& url, const std::string& statement) {
  PgConnection c(url);
  if (PQstatus(c.conn) != CONNECTION_OK) {
    ADD_FAILURE() << "cannot connect to " << url << ": " << PQerrorMessage(c.conn);
    return PgResult(nullptr, &PQclear);
  }
  PgResult result(PQexec(c.conn, statement.c_str()), &PQclear);
  const ExecStatusType status = PQresultStatus(result.get());
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
    ADD_FAILURE() << statement << ": " << PQresultErrorMessage(result.get());
  }
  return result;
}

}  // namespace

TestDatabase::TestDatabase(const std::string& engine) : engine_(engine) {
  if (engine == "sqlite") {
    url_ = "sqlite:" + (dir_ / "metadata.db").string();
    return;
  }
  static std::atomic<int> counter{0};
  name_ = "test_" + std::to_string(getpid()) + "_" + std::to_string(counter++);
  const std::string admin = AdminUrl();
  if (admin.empty()) return;
  PgExec(admin, "DROP DATABASE IF EXISTS " + name_);
  PgExec(admin, "CREATE DATABASE " + name_);
  url_ = WithDatabase(admin, name_);
}

TestDatabase::~TestDatabase() {
  if (name_.empty() || url_.empty()) return;
  // WITH (FORCE): connections a test left open (a store it leaked on failure) go too.
  PgExec(AdminUrl(), "DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
}

void TestDatabase::Execute(const std::string& statement) const {
  if (engine_ == "postgresql") {
    PgExec(url_, statement);
    return;
  }
  sqlite3* db = nullptr;
  const std::string path = url_.substr(std::string("sqlite:").size());
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  char* error = nullptr;
  const int rc = sqlite3_exec(db, statement.c_str(), nullptr, nullptr, &error);
  EXPECT_EQ(rc, SQLITE_OK) << statement << ": " << (error ? error : "");
  sqlite3_free(error);
  sqlite3_close(db);
}

std::string TestDatabase::QueryText(const std::string& query) const {
  PgResult result = PgExec(url_, query);
  if (!result || PQntuples(result.get()) == 0) return "";
  return PQgetvalue(result.get(), 0, 0);
}

long long TestDatabase::QueryInteger(const std::string& query) const {
  if (engine_ == "postgresql") {
    PgResult result = PgExec(url_, query);
    if (!result || PQntuples(result.get()) == 0) return -1;
    return std::atoll(PQgetvalue(result.get(), 0, 0));
  }
  sqlite3* db = nullptr;
  const std::string path = url_.substr(std::string("sqlite:").size());
  if (sqlite3_open(path.c_str(), &db) != SQLITE_OK) return -1;
  sqlite3_stmt* statement = nullptr;
  long long value = -1;
  if (sqlite3_prepare_v2(db, query.c_str(), -1, &statement, nullptr) == SQLITE_OK &&
      sqlite3_step(statement) == SQLITE_ROW) {
    value = sqlite3_column_int64(statement, 0);
  }
  sqlite3_finalize(statement);
  sqlite3_close(db);
  return value;
}

}  // namespace diamond::testing
