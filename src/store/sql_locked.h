// Shared by the SQL store's translation units: run a statement sequence on a pooled
// connection and turn SOCI's exceptions into values; begin write transactions.
#pragma once

#include <soci/soci.h>

#include <algorithm>
#include <chrono>
#include <exception>
#include <random>
#include <string>
#include <thread>

#include "core/status.h"
#include "store/sql_dialect.h"
#include "store/sql_metadata_store.h"

namespace diamond::store {

// Reopens a broken connection; if the server is still away, the next attempt fails again
// and is counted against the attempts left.
inline void ReconnectQuietly(soci::session& session) {
  try {
    session.reconnect();
  } catch (const std::exception&) {
  }
}

// Runs `body` on a connection leased from the pool, turning database exceptions into
// values: SOCI reports every failure by throwing, and no exception may cross the store
// interfaces. `body` is one transaction (or one statement) and may run more than once:
// a serialization failure or deadlock runs it again (nothing of the failed run
// committed), a broken connection is reopened first, and a unique-key violation becomes
// FailedPrecondition (409 at the API) instead of an I/O error.
template <typename Body>
auto SqlMetadataStore::Locked(Body&& body) -> decltype(body(std::declval<soci::session&>())) {
  constexpr int kAttempts = 20;
  // A unique violation is run again a few times first: the transaction that lost a race
  // for a key then re-reads, and answers with its own precise error (a dataset that now
  // exists, a batch number now taken is renumbered).
  constexpr int kConflictAttempts = 3;
  for (int attempt = 1;; ++attempt) {
    soci::session session(*pool_);  // waits for a free connection
    std::string failure;
    try {
      return body(session);
    } catch (const soci::soci_error& e) {
      failure = e.get_error_message();
      const SqlFailure kind = ClassifySqlFailure(e, engine_);
      if (kind == SqlFailure::kConflict && attempt >= kConflictAttempts) {
        return Status::FailedPrecondition("conflicts with a stored record: " + failure);
      }
      const bool broken = kind == SqlFailure::kReconnect || !session.is_connected();
      if (kind == SqlFailure::kFatal && !broken)
        return Status::IoError("database error: " + failure);
      if (attempt == kAttempts)
        return Status::IoError("database error after " + std::to_string(kAttempts) +
                               " attempts: " + failure);
      if (broken) ReconnectQuietly(session);
    } catch (const std::exception& e) {
      return Status::IoError(std::string("database error: ") + e.what());
    }
    // Back off (about 1, 2, 4 … 64 ms, jittered), so contending writers spread out.
    thread_local std::minstd_rand jitter(std::random_device{}());
    const int base_us = 1000 << std::min(attempt - 1, 6);
    std::this_thread::sleep_for(
        std::chrono::microseconds(base_us / 2 + static_cast<int>(jitter() % base_us)));
  }
}

// A write transaction that takes the database's write lock when it begins. SQLite's
// default (deferred) BEGIN takes it at the first write; a transaction that read first
// then finds another connection (`diamond admin`, a second process) holding it and fails
// at once with "database is locked", without waiting, since its reads may be stale.
// BEGIN IMMEDIATE waits for the lock (up to the connection's busy timeout) before
// reading, so such conflicts become a short wait. On PostgreSQL, a serializable BEGIN
// (sql_dialect.h). Rolls back unless Commit() was called.
class WriteTransaction {
 public:
  // lock_id: a database-wide lock to hold too (see BeginWriteTransaction).
  explicit WriteTransaction(soci::session& sql, long long lock_id = 0) : sql_(sql) {
    BeginWriteTransaction(sql_, lock_id);
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
