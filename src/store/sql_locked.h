// Shared by the SQL store's translation units: run a statement sequence under the
// session's mutex and turn SOCI's exceptions into values.
#pragma once

#include <soci/soci.h>

#include <exception>
#include <mutex>
#include <string>

#include "core/status.h"

namespace diamond::store {

// Runs `body` under the lock, turning database exceptions into IoError values: SOCI
// reports every failure by throwing, and no exception may cross the store interfaces.
template <typename Body>
auto Locked(std::mutex& mutex, Body&& body) -> decltype(body()) {
  std::lock_guard<std::mutex> lock(mutex);
  try {
    return body();
  } catch (const soci::soci_error& e) {
    return Status::IoError(std::string("database error: ") + e.get_error_message());
  } catch (const std::exception& e) {
    return Status::IoError(std::string("database error: ") + e.what());
  }
}

}  // namespace diamond::store
