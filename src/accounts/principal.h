// Principal: who is calling — the user behind a valid key, with their role and plan.
// Built once per account snapshot and shared by every request that authenticates with
// the key, so authenticating allocates nothing.
#pragma once

#include <string>

#include "store/account_store.h"

namespace diamond::accounts {

enum class Role { kMember, kAdmin };

struct Principal {
  std::string user_id;
  Role role = Role::kMember;
  std::string key_id;
  std::string key_prefix;  // safe to log
  store::PlanRecord plan;

  bool is_admin() const { return role == Role::kAdmin; }
};

inline bool IsValidRole(const std::string& role) { return role == "admin" || role == "member"; }

}  // namespace diamond::accounts
