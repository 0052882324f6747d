// Shared by the SQL store's translation units: run a statement sequence under the
// session's mutex and turn SOCI's exceptions into values; begin write transactions.
#pragma once

#include <soci/soci.h>

#include <exception>
#include <string>

#include "core/status.h"
#include "store/sql_metadata_store.h"

namespace diamond::store {

// Runs `body` with the session, under the store's mutex, turning database exceptions into
// IoError values: SOCI reports every failure by throwing, and no exception may cross the
// store interfaces.
template <typename Body>
auto SqlMetadataStore::Locked(Body&& body) -> decltype(body(std::declval<soci::session&>())) {
  MutexLock lock(mutex_);
  try {
    return body(*sql_);
  } catch (const soci::soci_error& e) {
    return Status::IoError(std::string("database error: ") + e.get_error_message());
  } catch (const std::exception& e) {
    return Status::IoError(std::string("database error: ") + e.what());
  }
}

// A write transaction that takes the database's write lock when it begins. SQLite's
// default (deferred) BEGIN takes it at the first write; a transaction that read first
// then finds another connection (`diamond admin`, a second process) holding it and fails
// at once with "database is locked", without waiting, since its reads may be stale.
// BEGIN IMMEDIATE waits for the lock (up to the connection's busy timeout) before
// reading, so such conflicts become a short wait. Rolls back unless Commit() was called.
class WriteTransaction {
 public:
  explicit WriteTransaction(soci::session& sql) : sql_(sql) {
    sql_ << (sql_.get_backend_name() == "sqlite3" ? "BEGIN IMMEDIATE" : "BEGIN");
  }
  ~WriteTransaction() {
    if (committed_) return;
    try {
      sql_ << "ROLLBACK";
    } catch (const std::exception&) {
      // The connection failed; the database rolls back on its own.
    }
  }
  WriteTransaction(const WriteTransaction&) = delete;
  WriteTransaction& operator=(const WriteTransaction&) = delete;

  void Commit() {
    sql_ << "COMMIT";
    committed_ = true;
  }

 private:
  soci::session& sql_;
  bool committed_ = false;
};

}  // namespace diamond::store
