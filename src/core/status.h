// Status and Result: expected failures as values (the LevelDB way).
//
// A Status is cheap when OK. Result<T> holds either a value or a non-OK Status.
// Neither throws; callers check ok() before using the value.
#pragma once

#include <cassert>
#include <cstdint>
#include <string>
#include <utility>
#include <variant>

namespace diamond {

enum class StatusCode {
  kOk = 0,
  kInvalidArgument,  // the caller's input is wrong; message says how
  kNotFound,
  kIoError,
  kCorruption,  // stored data (a model file, a dataset) is not what it claims to be
  kFailedPrecondition,
  kPermissionDenied,  // the caller may see the resource but not do this to it
  kQuotaExceeded,     // a plan's rate or quota is used up for now; retrying later can succeed
  kLimitExceeded,     // a plan's size limit forbids this; retrying cannot succeed
  kCancelled,         // the caller asked for the work to stop, and it stopped
  kInternal,          // a library we call failed in a way the input does not explain
};

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK

  static Status Ok() { return Status(); }
  static Status InvalidArgument(std::string msg) {
    return Status(StatusCode::kInvalidArgument, std::move(msg));
  }
  static Status NotFound(std::string msg) { return Status(StatusCode::kNotFound, std::move(msg)); }
  static Status IoError(std::string msg) { return Status(StatusCode::kIoError, std::move(msg)); }
  static Status Corruption(std::string msg) {
    return Status(StatusCode::kCorruption, std::move(msg));
  }
  static Status FailedPrecondition(std::string msg) {
    return Status(StatusCode::kFailedPrecondition, std::move(msg));
  }

  static Status Cancelled(std::string msg) {
    return Status(StatusCode::kCancelled, std::move(msg));
  }
  static Status Internal(std::string msg) { return Status(StatusCode::kInternal, std::move(msg)); }

  static Status PermissionDenied(std::string msg) {
    return Status(StatusCode::kPermissionDenied, std::move(msg));
  }
  // Over a plan's limit: which one (its name, as in the plan) and its value.
  static Status QuotaExceeded(std::string limit, int64_t value, std::string msg) {
    Status s(StatusCode::kQuotaExceeded, std::move(msg));
    s.limit_ = std::move(limit);
    s.limit_value_ = value;
    return s;
  }
  static Status LimitExceeded(std::string limit, int64_t value, std::string msg) {
    Status s(StatusCode::kLimitExceeded, std::move(msg));
    s.limit_ = std::move(limit);
    s.limit_value_ = value;
    return s;
  }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  const std::string& limit() const { return limit_; }  // for kQuotaExceeded / kLimitExceeded
  int64_t limit_value() const { return limit_value_; }

 private:
  Status(StatusCode code, std::string msg) : code_(code), message_(std::move(msg)) {}

  StatusCode code_ = StatusCode::kOk;
  std::string message_;
  std::string limit_;
  int64_t limit_value_ = 0;
};

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : data_(std::move(value)) {}        // NOLINT: implicit by design
  Result(Status status) : data_(std::move(status)) {  // NOLINT: implicit by design
    assert(!std::get<Status>(data_).ok() && "a Result needs a value or an error");
  }

  bool ok() const { return std::holds_alternative<T>(data_); }
  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(data_);
  }
  T& value() & { return std::get<T>(data_); }
  const T& value() const& { return std::get<T>(data_); }
  T&& value() && { return std::get<T>(std::move(data_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Status> data_;
};

}  // namespace diamond
