#include "accounts/account_admin.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstring>
#include <map>
#include <thread>

#include "accounts/principal.h"
#include "base/clock.h"
#include "core/ids.h"

namespace diamond::accounts {
namespace {

Status CheckPlanExists(store::UserStore& store, const std::string& plan) {
  auto plans = store.ListPlans();
  if (!plans.ok()) return plans.status();
  for (const auto& p : *plans) {
    if (p.name == plan) return Status::Ok();
  }
  return Status::InvalidArgument("no plan '" + plan + "'");
}

// Writes the key where only the owner can read it. O_EXCL: an existing file is an
// operator's, never replaced.
Status WriteKeyFile(const std::filesystem::path& path, const std::string& key) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0)
    return Status::IoError("cannot create " + path.string() + ": " + std::strerror(errno));
  const std::string line = key + "\n";
  bool ok = ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size());
  ok = ::fsync(fd) == 0 && ok;
  ok = ::close(fd) == 0 && ok;
  if (!ok) return Status::IoError("cannot write " + path.string());
  return Status::Ok();
}

}  // namespace

Status CreateUser(store::UserStore& store, const std::string& id, const std::string& role,
                  const std::string& plan) {
  if (!IsValidId(id)) {
    return Status::InvalidArgument("user id must be " + std::string(kIdRule));
  }
  if (!IsValidRole(role)) return Status::InvalidArgument("role must be 'admin' or 'member'");
  if (Status s = CheckPlanExists(store, plan); !s.ok()) return s;
  return store.CreateUser(UserRecord{id, role, plan, false, ""});
}

Status UpdateUser(store::UserStore& store, const std::string& id,
                  const std::optional<std::string>& role, const std::optional<std::string>& plan,
                  const std::optional<bool>& disabled) {
  if (role && !IsValidRole(*role))
    return Status::InvalidArgument("role must be 'admin' or 'member'");
  if (plan) {
    if (Status s = CheckPlanExists(store, *plan); !s.ok()) return s;
  }
  // No change may leave the service without an enabled admin: the store refuses it in the
  // change's own transaction (store::UserStore::UpdateUser).
  return store.UpdateUser(id, role, plan, disabled);
}

Result<IssuedKey> IssueKey(store::UserStore& store, const std::string& user_id,
                           const std::string& name) {
  if (name.size() > 64) return Status::InvalidArgument("a key's name is at most 64 characters");
  for (char c : name) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      return Status::InvalidArgument("a key's name may not contain control characters");
    }
  }
  NewApiKey fresh = GenerateApiKey();
  IssuedKey issued;
  issued.record.id = NewId();
  issued.record.user_id = user_id;
  issued.record.prefix = fresh.prefix;
  issued.record.hash = fresh.hash;
  issued.record.name = name;
  issued.record.created_at = NowRfc3339();
  issued.key = std::move(fresh.key);
  if (Status s = store.CreateKey(issued.record); !s.ok()) return s;
  return issued;
}

PlanRecord UnlimitedPlan(const std::string& name) {
  constexpr int64_t kHuge = int64_t{1} << 52;  // exact as a double, far beyond any use
  return PlanRecord{
      name,  kMaxRequestsPerSecond, kMaxBurst, kHuge, kHuge, kHuge, kHuge, 0, 0, kHuge,
      kHuge, kMaxModelVersionsKept};
}

Status ValidatePlan(const PlanRecord& plan) {
  if (!IsValidId(plan.name)) {
    return Status::InvalidArgument("plan name must be " + std::string(kIdRule));
  }
  auto bad = [](double v) { return !std::isfinite(v) || v < 0; };
  if (bad(plan.requests_per_second) || bad(plan.price_per_1k_rows) ||
      bad(plan.price_per_training_minute) || plan.burst < 0 || plan.monthly_predicted_rows < 0 ||
      plan.max_dataset_rows < 0 || plan.max_models < 0 || plan.max_training_jobs < 0 ||
      plan.max_stored_bytes < 0 || plan.max_datasets < 0) {
    return Status::InvalidArgument("every limit and price must be a finite number >= 0");
  }
  // The token bucket divides by the rate and counts tokens in a double: a rate of almost
  // nothing would make its waits overflow, and a huge burst would lose whole tokens.
  if (plan.requests_per_second != 0 && (plan.requests_per_second < kMinRequestsPerSecond ||
                                        plan.requests_per_second > kMaxRequestsPerSecond)) {
    return Status::InvalidArgument("requests_per_second must be 0 (no requests) or from " +
                                   std::to_string(kMinRequestsPerSecond) + " to " +
                                   std::to_string(static_cast<int64_t>(kMaxRequestsPerSecond)));
  }
  if (plan.model_versions_kept < 1 || plan.model_versions_kept > kMaxModelVersionsKept) {
    return Status::InvalidArgument("model_versions_kept must be from 1 to " +
                                   std::to_string(kMaxModelVersionsKept));
  }
  if (plan.burst > kMaxBurst) {
    return Status::InvalidArgument("burst must be at most " + std::to_string(kMaxBurst));
  }
  return Status::Ok();
}

Result<bool> EnsureFirstAdmin(store::UserStore& store, const std::filesystem::path& key_file) {
  auto users = store.CountUsers();
  if (!users.ok()) return users.status();
  if (*users > 0) return false;
  if (Status s = store.CreateUser(UserRecord{kBootstrapAdmin, "admin", kBootstrapPlan, false, ""});
      !s.ok()) {
    return s;
  }
  auto issued = IssueKey(store, kBootstrapAdmin, "bootstrap");
  if (!issued.ok()) return issued.status();
  if (Status s = WriteKeyFile(key_file, issued->key); !s.ok()) {
    // Without the file nobody could use the key: take it back, and say how to recover.
    std::string message =
        s.message() + "; create an admin key with `diamond admin keys create admin`";
    if (Status revoked = store.RevokeKey(kBootstrapAdmin, issued->record.id); !revoked.ok()) {
      message += " and revoke key " + issued->record.id + " (" + revoked.message() + ")";
    }
    return Status::IoError(message);
  }
  return true;
}

bool IsValidMonth(const std::string& month) {
  if (month.size() != 7 || month[4] != '-') return false;
  for (size_t i : {0, 1, 2, 3, 5, 6}) {
    if (month[i] < '0' || month[i] > '9') return false;
  }
  const int m = (month[5] - '0') * 10 + (month[6] - '0');
  return m >= 1 && m <= 12;
}

Result<std::vector<UserUsage>> UsageReport(store::AccountStore& store, const std::string& month) {
  auto users = store.ListUsers();
  if (!users.ok()) return users.status();
  auto plans = store.ListPlans();
  if (!plans.ok()) return plans.status();
  auto usage = store.UsageForMonth(month);
  if (!usage.ok()) return usage.status();
  std::map<std::string, PlanRecord> plan_by_name;
  for (const auto& p : *plans) plan_by_name[p.name] = p;
  std::map<std::string, UserUsage> by_user;
  for (const auto& u : *users) by_user[u.id] = UserUsage{u.id, u.plan};
  for (const auto& day : *usage) {
    UserUsage& out = by_user[day.user_id];
    out.user_id = day.user_id;
    out.predicted_rows += day.predicted_rows;
    out.training_seconds += day.training_seconds;
    out.stored_bytes = std::max(out.stored_bytes, day.stored_bytes);
  }
  std::vector<UserUsage> report;
  for (auto& [id, out] : by_user) {
    auto plan = plan_by_name.find(out.plan);
    if (plan != plan_by_name.end()) {
      out.cost_predictions =
          static_cast<double>(out.predicted_rows) / 1000.0 * plan->second.price_per_1k_rows;
      out.cost_training = out.training_seconds / 60.0 * plan->second.price_per_training_minute;
      out.cost_total = out.cost_predictions + out.cost_training;
    }
    report.push_back(std::move(out));
  }
  return report;
}

Status WaitUntilServersLoaded(store::AccountStore& store, std::chrono::milliseconds timeout) {
  auto generation = store.Generation();  // read after the change committed
  if (!generation.ok()) return generation.status();
  constexpr int64_t kLiveMs = 3000;  // servers report every second
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    auto replicas = store.ListReplicas();
    if (!replicas.ok()) return replicas.status();
    const int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                               std::chrono::system_clock::now().time_since_epoch())
                               .count();
    std::string behind;
    for (const auto& r : *replicas) {
      if (now_ms - r.heartbeat_ms > kLiveMs || r.loaded_generation >= *generation) continue;
      if (!behind.empty()) behind += ", ";
      behind += "pid " + std::to_string(r.pid) + " on " + (r.host.empty() ? "?" : r.host);
    }
    if (behind.empty()) return Status::Ok();
    if (std::chrono::steady_clock::now() >= deadline) {
      return Status::FailedPrecondition(
          "the change is stored, but these servers have not loaded it yet: " + behind);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

}  // namespace diamond::accounts
