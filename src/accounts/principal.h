// Principal: who is calling — the user behind a valid key, with their role and plan.
// Built once per account snapshot and shared by every request that authenticates with
// the key, so authenticating allocates nothing.
#pragma once

#include <memory>
#include <string>

#include "accounts/meter.h"
#include "store/account_store.h"

namespace diamond::accounts {

enum class Role { kMember, kAdmin };

struct Principal {
  std::string user_id;
  Role role = Role::kMember;
  std::string key_id;
  std::string key_prefix;  // safe to log
  PlanRecord plan;
  std::shared_ptr<UserCounters> counters;  // the user's (shared by all their keys)
  std::shared_ptr<KeyState> key_state;     // this key's bucket and use flag

  bool is_admin() const { return role == Role::kAdmin; }
};

inline bool IsValidRole(const std::string& role) { return role == "admin" || role == "member"; }

}  // namespace diamond::accounts
