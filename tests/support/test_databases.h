// Databases for the backend contract suites: a fresh, empty database per test on each SQL
// engine the store supports. PostgreSQL comes from the cluster CTest starts as a fixture
// (scripts/test_postgres.sh) at an address compiled in; $DIAMOND_TEST_POSTGRES overrides it.
#pragma once

#include <string>

#include "support/test_support.h"

namespace diamond::testing {

// A fresh database on `engine` ("sqlite" or "postgresql"), dropped (or deleted) on destruction.
class TestDatabase {
 public:
  explicit TestDatabase(const std::string& engine);
  ~TestDatabase();
  TestDatabase(const TestDatabase&) = delete;
  TestDatabase& operator=(const TestDatabase&) = delete;

  // What --db takes: sqlite:PATH or postgresql://…
  const std::string& url() const { return url_; }
  // Runs one statement outside the store (to set up states the store never writes);
  // fails the current test on error.
  void Execute(const std::string& statement) const;
  // The first column of the first row of a query, as an integer.
  long long QueryInteger(const std::string& query) const;
  // The same as text (PostgreSQL only).
  std::string QueryText(const std::string& query) const;

 private:
  std::string engine_;
  std::string name_;  // the PostgreSQL database
  std::string url_;
  TempDir dir_;  // the SQLite file
};

}  // namespace diamond::testing
