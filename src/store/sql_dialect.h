// Everything that differs between the SQL engines the store runs on, in one place:
// how a database URL becomes connections, how a connection is set up, how a write
// transaction and the schema lock begin, which statement tail claims a row without
// waiting for other claimers, and which failures are worth retrying. The statements
// themselves are shared (sql_schema.cc and the sql_*_store.cc files).
#pragma once

#include <memory>
#include <string>

#include "core/status.h"

namespace soci {
class connection_pool;
class session;
class soci_error;
}  // namespace soci

namespace diamond::store {

enum class SqlEngine { kSqlite, kPostgresql };

struct SqlDatabaseUrl {
  SqlEngine engine = SqlEngine::kSqlite;
  std::string connect;  // what the engine's driver takes: a file path, or libpq keyword=value pairs
  std::string display;  // for messages and logs: the URL without its password
};

// `sqlite:PATH` (or a bare path), or `postgresql://user[:pass]@host[:port]/db[?host=/dir]`
// (also `postgres://`). InvalidArgument says what is wrong with anything else.
Result<SqlDatabaseUrl> ParseDatabaseUrl(const std::string& url);

// A PostgreSQL URI as libpq's keyword='value' pairs (libpq parses it; values quoted).
// InvalidArgument with libpq's reason for a URI it refuses. May hold a password.
Result<std::string> PostgresKeywords(const std::string& url);

// Opens `size` connections (SQLite: always one; its single writer makes more pointless),
// each configured for the engine. IoError names the URL (without a password).
Result<std::unique_ptr<soci::connection_pool>> OpenConnectionPool(const SqlDatabaseUrl& url,
                                                                  size_t size);

// The engine behind an open connection.
SqlEngine EngineOf(soci::session& session);

// Begins a write transaction. SQLite: BEGIN IMMEDIATE (takes the write lock before the
// first read, so read-then-write transactions wait instead of failing). PostgreSQL: BEGIN;
// every transaction there runs SERIALIZABLE (set per connection), so the same
// read-then-write logic is correct, and conflicts surface as retryable failures.
// With a `lock_id`, the transaction first waits for that database-wide lock (schema
// migrations, blob GC), held until commit or rollback; on PostgreSQL it then runs READ
// COMMITTED, so that what the previous holder committed is visible after the wait (a
// serializable snapshot would be taken before it). SQLite's write lock already is one.
void BeginWriteTransaction(soci::session& session, long long lock_id = 0);
inline constexpr long long kSchemaLock = 0x6469616d6f6e6401;  // "diamond" + 1
inline constexpr long long kBlobGcLock = 0x6469616d6f6e6402;
inline constexpr long long kJobClaimLock = 0x6469616d6f6e6403;  // claims take turns

// Appended to a SELECT that picks a row to claim: other claimers skip rows already being
// claimed (PostgreSQL's FOR UPDATE SKIP LOCKED) rather than queueing behind them.
const char* ClaimRowSuffix(SqlEngine engine);

// Appended to a SELECT inside a write transaction that reads a row it will update: other
// writers of that row wait, then retry (PostgreSQL's FOR UPDATE; SQLite has one writer).
const char* RowLockSuffix(SqlEngine engine);

// What to do about a failed statement.
enum class SqlFailure {
  kRetry,      // serialization failure, deadlock, lock timeout: run the transaction again
  kReconnect,  // the connection broke (server restart): reconnect, then run it again
  kConflict,   // a unique constraint: the caller's request conflicts with stored data
  kFatal,      // anything else
};
SqlFailure ClassifySqlFailure(const soci::soci_error& error, SqlEngine engine);

}  // namespace diamond::store
