#include "accounts/account_directory.h"

namespace diamond::accounts {

Status AccountDirectory::Reload(store::UserStore& store, Meter& meter) {
  auto users = store.ListUsers();
  if (!users.ok()) return users.status();
  auto keys = store.ListKeys("");
  if (!keys.ok()) return keys.status();
  auto plans = store.ListPlans();
  if (!plans.ok()) return plans.status();

  auto next = std::make_shared<Snapshot>();
  for (const auto& plan : *plans) next->plans[plan.name] = plan;
  std::unordered_map<std::string, const UserRecord*> user_by_id;
  for (const auto& user : *users) {
    user_by_id[user.id] = &user;
    next->plan_of_user[user.id] = user.plan;
  }
  for (const auto& key : *keys) {
    auto user = user_by_id.find(key.user_id);
    if (user == user_by_id.end()) continue;
    KeyEntry entry;
    if (!ParseHexDigest(key.hash, &entry.digest)) continue;  // a damaged row authenticates nothing
    entry.revoked = !key.revoked_at.empty();
    entry.user_disabled = user->second->disabled;
    auto principal = std::make_shared<Principal>();
    principal->user_id = key.user_id;
    principal->role = user->second->role == "admin" ? Role::kAdmin : Role::kMember;
    principal->key_id = key.id;
    principal->key_prefix = key.prefix;
    principal->counters = meter.CountersFor(key.user_id);
    principal->key_state = meter.KeyStateFor(key.id);
    auto plan = next->plans.find(user->second->plan);
    // A user on a plan that was never defined gets no allowance at all.
    if (plan != next->plans.end())
      principal->plan = plan->second;
    else
      principal->plan.name = user->second->plan;
    entry.principal = std::move(principal);
    next->keys_by_prefix[key.prefix].push_back(std::move(entry));
  }
  MutexLock lock(mutex_);
  snapshot_ = std::move(next);
  return Status::Ok();
}

std::shared_ptr<const AccountDirectory::Snapshot> AccountDirectory::Current() const {
  MutexLock lock(mutex_);
  return snapshot_;
}

AuthResult AccountDirectory::Authenticate(std::string_view presented_key) const {
  if (presented_key.empty()) return {nullptr, AuthFailure::kMissing};
  if (!IsWellFormedKey(presented_key)) return {nullptr, AuthFailure::kMalformed};
  const auto snapshot = Current();
  auto bucket = snapshot->keys_by_prefix.find(std::string(KeyPrefix(presented_key)));
  if (bucket == snapshot->keys_by_prefix.end()) return {nullptr, AuthFailure::kUnknown};
  const KeyDigest digest = DigestKey(presented_key);
  for (const auto& entry : bucket->second) {
    if (!DigestsEqual(entry.digest, digest)) continue;
    if (entry.revoked) return {nullptr, AuthFailure::kRevoked};
    if (entry.user_disabled) return {nullptr, AuthFailure::kDisabled};
    // Aliases the snapshot: the principal stays valid as long as the request holds it.
    return {std::shared_ptr<const Principal>(snapshot, entry.principal.get()), AuthFailure::kNone};
  }
  return {nullptr, AuthFailure::kUnknown};
}

Result<PlanRecord> AccountDirectory::PlanOf(const std::string& user_id) const {
  const auto snapshot = Current();
  auto user = snapshot->plan_of_user.find(user_id);
  if (user == snapshot->plan_of_user.end()) return Status::NotFound("no user '" + user_id + "'");
  auto plan = snapshot->plans.find(user->second);
  if (plan == snapshot->plans.end()) return Status::NotFound("no plan '" + user->second + "'");
  return plan->second;
}

Result<PlanRecord> AccountDirectory::Plan(const std::string& name) const {
  const auto snapshot = Current();
  auto plan = snapshot->plans.find(name);
  if (plan == snapshot->plans.end()) return Status::NotFound("no plan '" + name + "'");
  return plan->second;
}

std::vector<PlanRecord> AccountDirectory::Plans() const {
  const auto snapshot = Current();
  std::vector<PlanRecord> out;
  for (const auto& [name, plan] : snapshot->plans) out.push_back(plan);
  return out;
}

}  // namespace diamond::accounts
