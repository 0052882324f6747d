// UserStore: users, their API keys and the plans they are on — what the gate needs to
// decide who may call. The gate does not read it per request: it keeps a snapshot in
// memory and reloads it when Generation() changes (every change made through this port
// bumps it, from this process or from `diamond admin` in another one).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/account_records.h"
#include "core/status.h"

namespace diamond::store {

class UserStore {
 public:
  virtual ~UserStore() = default;

  // A counter every change below increments.
  virtual Result<int64_t> Generation() = 0;

  // FailedPrecondition if a user with that id exists.
  virtual Status CreateUser(const UserRecord& user) = 0;
  virtual Result<UserRecord> GetUser(const std::string& id) = 0;
  virtual Result<std::vector<UserRecord>> ListUsers() = 0;
  // Changes what is given; NotFound for an unknown user, FailedPrecondition (nothing
  // changed) if it would leave no enabled admin — checked in the change's transaction, so
  // concurrent demotions cannot both pass.
  virtual Status UpdateUser(const std::string& id, const std::optional<std::string>& role,
                            const std::optional<std::string>& plan,
                            const std::optional<bool>& disabled) = 0;
  virtual Result<int64_t> CountUsers() = 0;

  virtual Status CreateKey(const ApiKeyRecord& key) = 0;
  // Every key of the user (revoked ones too), or of everyone when user_id is empty.
  virtual Result<std::vector<ApiKeyRecord>> ListKeys(const std::string& user_id) = 0;
  // NotFound unless the key exists (and belongs to user_id, when given).
  virtual Status RevokeKey(const std::string& user_id, const std::string& key_id) = 0;
  virtual Result<std::vector<PlanRecord>> ListPlans() = 0;
  // Creates or replaces the plan.
  virtual Status PutPlan(const PlanRecord& plan) = 0;
};

}  // namespace diamond::store
