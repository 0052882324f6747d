#include "store/sql_dialect.h"

#include <libpq-fe.h>
#include <soci/connection-pool.h>
#include <soci/postgresql/soci-postgresql.h>
#include <soci/soci.h>
#include <soci/sqlite3/soci-sqlite3.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstring>
#include <memory>
#include <thread>

namespace diamond::store {
namespace {

// SQLite has no collation named "C"; PostgreSQL's default collation may order ids by
// language rules ("B" < "a" < "_x" differs from byte order). Statements say COLLATE "C"
// where ids are ordered, and SQLite gets a "C" collation that compares bytes, so both
// engines page through ids in the same order.
int CompareBytes(void*, int left_size, const void* left, int right_size, const void* right) {
  const int common = left_size < right_size ? left_size : right_size;
  if (int c = std::memcmp(left, right, static_cast<size_t>(common)); c != 0) return c;
  return left_size - right_size;
}

void ConfigureSqlite(soci::session& session) {
  // Turning a new database to WAL needs its write lock, and SQLite answers "database is
  // locked" at once instead of waiting the connection's timeout when another process
  // holds it (one migrating the schema, as processes starting together do): retry for up
  // to the same 10 s. On a database already in WAL mode this is a no-op.
  for (int attempt = 1;; ++attempt) {
    try {
      session << "PRAGMA journal_mode=WAL";
      break;
    } catch (const soci::sqlite3_soci_error& e) {
      if ((e.result() & 0xff) != SQLITE_BUSY || attempt >= 1000) throw;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }
  session << "PRAGMA synchronous=FULL";  // an acknowledged write survives power loss
  session << "PRAGMA foreign_keys=ON";
  auto* backend = static_cast<soci::sqlite3_session_backend*>(session.get_backend());
  if (sqlite_api::sqlite3_create_collation(backend->conn_, "C", SQLITE_UTF8, nullptr,
                                           &CompareBytes) != SQLITE_OK) {
    throw soci::soci_error("cannot register the C collation");
  }
}

void ConfigurePostgresql(soci::session& session) {
  // Every transaction serializable: the store's read-then-write transactions were written
  // for SQLite's single writer, and SERIALIZABLE keeps them correct with many writers;
  // the conflicts it detects are retried (ClassifySqlFailure).
  session << "SET SESSION CHARACTERISTICS AS TRANSACTION ISOLATION LEVEL SERIALIZABLE";
  // CREATE TABLE IF NOT EXISTS and friends report NOTICEs, which libpq prints to stderr.
  session << "SET client_min_messages = warning";
}

bool StartsWith(const std::string& s, const char* prefix) { return s.rfind(prefix, 0) == 0; }

// postgresql://user:secret@host/db → postgresql://user:***@host/db
std::string WithoutPassword(const std::string& url) {
  const size_t scheme_end = url.find("://");
  const size_t at = url.find('@');
  if (scheme_end == std::string::npos || at == std::string::npos) return url;
  const size_t colon = url.find(':', scheme_end + 3);
  if (colon == std::string::npos || colon > at) return url;
  return url.substr(0, colon + 1) + "***" + url.substr(at);
}

// One keyword=value pair of a libpq connection string. A value of plain characters goes
// as it is; any other (a password with spaces or quotes, an empty one) single-quoted with
// backslash escapes, libpq's rule, so that it stays one value.
void AppendKeyword(std::string* out, const char* keyword, const char* value) {
  if (!out->empty()) *out += ' ';
  *out += keyword;
  *out += '=';
  const bool plain = *value && std::all_of(value, value + std::strlen(value), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || std::strchr("_-./:,@", c) != nullptr;
  });
  if (plain) {
    *out += value;
    return;
  }
  *out += '\'';
  for (const char* c = value; *c; ++c) {
    if (*c == '\\' || *c == '\'') *out += '\\';
    *out += *c;
  }
  *out += '\'';
}

}  // namespace

Result<std::string> PostgresKeywords(const std::string& url) {
  // libpq's own URI parser, so that every form it documents (user, password, host or
  // [v6], port, several hosts, database, and any keyword as a query parameter, all
  // percent-decoded) means what it means to psql. What it returns is handed on as
  // keyword=value pairs: SOCI's PostgreSQL backend reads its connection string as such
  // pairs itself (for its own options) and mangles a URI whose path is not one
  // (postgresql://u@h/db reached the server as database "db=").
  char* error = nullptr;
  std::unique_ptr<PQconninfoOption, decltype(&PQconninfoFree)> options(
      PQconninfoParse(url.c_str(), &error), &PQconninfoFree);
  if (!options) {
    std::string message = error ? error : "out of memory";
    if (error) PQfreemem(error);
    while (!message.empty() && (message.back() == '\n' || message.back() == ' '))
      message.pop_back();
    return Status::InvalidArgument(message);
  }
  std::string keywords;
  for (const PQconninfoOption* option = options.get(); option->keyword; ++option) {
    if (option->val && *option->val) AppendKeyword(&keywords, option->keyword, option->val);
  }
  return keywords;
}

Result<SqlDatabaseUrl> ParseDatabaseUrl(const std::string& url) {
  SqlDatabaseUrl out;
  if (StartsWith(url, "sqlite:")) {
    out.engine = SqlEngine::kSqlite;
    out.connect = url.substr(std::strlen("sqlite:"));
    out.display = url;
    if (out.connect.empty())
      return Status::InvalidArgument("database URL '" + url + "' names no file (sqlite:PATH)");
    return out;
  }
  if (StartsWith(url, "postgresql://") || StartsWith(url, "postgres://")) {
    out.engine = SqlEngine::kPostgresql;
    out.display = WithoutPassword(url);
    auto keywords = PostgresKeywords(url);
    if (!keywords.ok()) {
      return Status::InvalidArgument(
          "database URL '" + out.display + "' is not a PostgreSQL URI libpq accepts (" +
          keywords.status().message() +
          "); the form is postgresql://user[:password]@host[:port]/dbname[?keyword=value]");
    }
    out.connect = *std::move(keywords);
    return out;
  }
  return Status::InvalidArgument("database URL '" + WithoutPassword(url) +
                                 "' is neither sqlite:PATH nor postgresql://user@host/dbname");
}

Result<std::unique_ptr<soci::connection_pool>> OpenConnectionPool(const SqlDatabaseUrl& url,
                                                                  size_t size) {
  if (url.engine == SqlEngine::kSqlite) size = 1;
  if (size == 0) return Status::InvalidArgument("a connection pool needs at least one connection");
  auto pool = std::make_unique<soci::connection_pool>(size);
  try {
    for (size_t i = 0; i < size; ++i) {
      soci::session& session = pool->at(i);
      if (url.engine == SqlEngine::kSqlite) {
        // timeout: how long (s) a statement waits for a lock held by another process.
        session.open(soci::sqlite3, "db=" + url.connect + " timeout=10");
        ConfigureSqlite(session);
      } else {
        session.open(soci::postgresql, url.connect);
        ConfigurePostgresql(session);
      }
    }
  } catch (const std::exception& e) {
    return Status::IoError("cannot open database " + url.display + ": " + e.what());
  }
  return pool;
}

SqlEngine EngineOf(soci::session& session) {
  return session.get_backend_name() == "sqlite3" ? SqlEngine::kSqlite : SqlEngine::kPostgresql;
}

void BeginWriteTransaction(soci::session& session, long long lock_id) {
  if (EngineOf(session) == SqlEngine::kSqlite) {
    session << "BEGIN IMMEDIATE";
    return;
  }
  if (lock_id == 0) {
    session << "BEGIN";
    return;
  }
  session << "BEGIN ISOLATION LEVEL READ COMMITTED";
  session << "SELECT pg_advisory_xact_lock(:id)", soci::use(lock_id);
}

const char* RowLockSuffix(SqlEngine engine) {
  return engine == SqlEngine::kPostgresql ? " FOR UPDATE" : "";
}

const char* ClaimRowSuffix(SqlEngine engine) {
  return engine == SqlEngine::kPostgresql ? " FOR UPDATE SKIP LOCKED" : "";
}

SqlFailure ClassifySqlFailure(const soci::soci_error& error, SqlEngine engine) {
  if (engine == SqlEngine::kPostgresql) {
    if (const auto* pg = dynamic_cast<const soci::postgresql_soci_error*>(&error)) {
      const std::string state = pg->sqlstate();
      // 40001 serialization_failure, 40P01 deadlock_detected, 55P03 lock_not_available
      if (state == "40001" || state == "40P01" || state == "55P03") return SqlFailure::kRetry;
      if (state == "23505") return SqlFailure::kConflict;  // unique_violation
      // 08xxx connection exceptions; 57P01..57P03 the server is shutting down or starting
      if (state.rfind("08", 0) == 0 || state.rfind("57P0", 0) == 0) return SqlFailure::kReconnect;
    }
    if (error.get_error_category() == soci::soci_error::connection_error)
      return SqlFailure::kReconnect;
    return SqlFailure::kFatal;
  }
  if (const auto* lite = dynamic_cast<const soci::sqlite3_soci_error*>(&error)) {
    const int code = lite->result() & 0xff;  // the primary code, without extended bits
    if (code == SQLITE_BUSY || code == SQLITE_LOCKED) return SqlFailure::kRetry;
    // The schema's only constraints are keys and NOT NULL (never violated by the store's
    // own statements), so a constraint failure is a key that exists already.
    if (code == SQLITE_CONSTRAINT) return SqlFailure::kConflict;
  }
  return SqlFailure::kFatal;
}

}  // namespace diamond::store
