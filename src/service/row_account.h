// Who pays for the rows a pricing computes (the caller's monthly quota, behind the API's
// gate). Its own header: the HTTP layer implements it without seeing the services' stores.
#pragma once

#include <cstdint>

#include "core/status.h"

namespace diamond::service {

// Reserve is asked before any work and may refuse (nothing is then computed); Refund gives
// reserved rows back when the work failed.
class RowAccount {
 public:
  virtual ~RowAccount() = default;
  virtual Status Reserve(int64_t rows) = 0;
  virtual void Refund(int64_t rows) = 0;
};

// Rows nobody pays for (the embedded tools and tests).
class UnmeteredRows : public RowAccount {
 public:
  Status Reserve(int64_t) override { return Status::Ok(); }
  void Refund(int64_t) override {}
};

}  // namespace diamond::service
