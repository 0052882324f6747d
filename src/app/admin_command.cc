// diamond admin: accounts on a data dir's database or a shared one (--db). Works while
// servers run (SQLite allows one writer at a time and waits for it); a change returns
// once every running server has loaded it (within about 0.1 s), so a revoked key is
// refused everywhere when the command ends. `init` prepares a shared database.
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <nlohmann/json.hpp>

#include "accounts/account_admin.h"
#include "app/backends.h"
#include "app/cli_support.h"
#include "app/commands.h"
#include "base/clock.h"

namespace diamond::app {
namespace {

constexpr std::string_view kCommand = "admin";

int Fail(const Status& status) {
  PrintError(kCommand, status.message());
  return status.code() == StatusCode::kIoError ? kExitFailure : kExitBadInput;
}

// After a change to users, keys or plans: returns only once every running server has
// loaded it (a revoked key is then refused everywhere), or fails saying which has not.
int Confirmed(store::AccountStore& store, const std::string& done) {
  if (Status s = accounts::WaitUntilServersLoaded(store, std::chrono::seconds(5)); !s.ok()) {
    PrintError(kCommand, s.message());
    return kExitFailure;
  }
  std::cout << done << "\n";
  return kExitOk;
}

void PrintPlan(const PlanRecord& p) {
  std::cout << p.name << "\trps=" << p.requests_per_second << "\tburst=" << p.burst
            << "\tmonthly_rows=" << p.monthly_predicted_rows
            << "\tmax_dataset_rows=" << p.max_dataset_rows << "\tmax_models=" << p.max_models
            << "\tmax_training_jobs=" << p.max_training_jobs
            << "\tprice_per_1k_rows=" << p.price_per_1k_rows
            << "\tprice_per_training_minute=" << p.price_per_training_minute
            << "\tmax_stored_bytes=" << p.max_stored_bytes << "\tmax_datasets=" << p.max_datasets
            << "\tmodel_versions_kept=" << p.model_versions_kept << "\n";
}

int SetPlan(store::AccountStore& store, const AdminArgs& args) {
  auto plans = store.ListPlans();
  if (!plans.ok()) return Fail(plans.status());
  PlanRecord plan;
  plan.name = args.target;
  plan.max_stored_bytes = accounts::kDefaultMaxStoredBytes;
  plan.max_datasets = accounts::kDefaultMaxDatasets;
  plan.model_versions_kept = accounts::kDefaultModelVersionsKept;
  for (const auto& p : *plans) {
    if (p.name == args.target) plan = p;
  }
  if (args.requests_per_second) plan.requests_per_second = *args.requests_per_second;
  if (args.burst) plan.burst = *args.burst;
  if (args.monthly_predicted_rows) plan.monthly_predicted_rows = *args.monthly_predicted_rows;
  if (args.max_dataset_rows) plan.max_dataset_rows = *args.max_dataset_rows;
  if (args.max_models) plan.max_models = *args.max_models;
  if (args.max_training_jobs) plan.max_training_jobs = *args.max_training_jobs;
  if (args.price_per_1k_rows) plan.price_per_1k_rows = *args.price_per_1k_rows;
  if (args.price_per_training_minute)
    plan.price_per_training_minute = *args.price_per_training_minute;
  if (args.max_stored_bytes) plan.max_stored_bytes = *args.max_stored_bytes;
  if (args.max_datasets) plan.max_datasets = *args.max_datasets;
  if (args.model_versions_kept) plan.model_versions_kept = *args.model_versions_kept;
  if (Status s = accounts::ValidatePlan(plan); !s.ok()) return Fail(s);
  if (Status s = store.PutPlan(plan); !s.ok()) return Fail(s);
  PrintPlan(plan);
  return Confirmed(store, "plan " + plan.name + " is in force");
}

int Usage(store::AccountStore& store, const AdminArgs& args) {
  const std::string month = args.month.empty() ? NowRfc3339().substr(0, 7) : args.month;
  if (!accounts::IsValidMonth(month))
    return Fail(Status::InvalidArgument("--month must be YYYY-MM"));
  auto report = accounts::UsageReport(store, month);
  if (!report.ok()) return Fail(report.status());
  std::cout << "user\tplan\tpredicted_rows\ttraining_seconds\tstored_bytes\tcost\n";
  for (const auto& u : *report) {
    std::cout << u.user_id << "\t" << u.plan << "\t" << u.predicted_rows << "\t" << std::fixed
              << std::setprecision(3) << u.training_seconds << "\t" << u.stored_bytes << "\t"
              << std::setprecision(4) << u.cost_total << "\n";
    std::cout.unsetf(std::ios::floatfield);
  }
  return kExitOk;
}

// Creates or migrates the schema (by opening the database) and, on a database without
// users, the first admin, whose key goes to --key-file once (never over an existing file).
// Run again for an upgrade it migrates and changes nothing else, whatever files exist.
int Init(store::AccountStore& store, const AdminArgs& args) {
  const std::filesystem::path key_file = args.key_file.empty() ? "admin.key" : args.key_file;
  auto users = store.CountUsers();
  if (!users.ok()) return Fail(users.status());
  if (*users > 0) {
    std::cout
        << "the database is ready (schema up to date) and already has users; no admin created\n";
    return kExitOk;
  }
  std::error_code ec;
  if (std::filesystem::exists(key_file, ec)) {
    return Fail(
        Status::FailedPrecondition("key file " + key_file.string() +
                                   " exists; it is never overwritten (choose another --key-file)"));
  }
  auto created = accounts::EnsureFirstAdmin(store, key_file);
  if (!created.ok()) return Fail(created.status());
  if (!*created) {
    std::cout << "the database is ready and already has users; no admin created\n";
    return kExitOk;
  }
  std::cout << "the database is ready; the first admin's API key is in " << key_file.string()
            << " (readable by you only)\n";
  return kExitOk;
}

nlohmann::json JobJson(const JobRecord& job) {
  nlohmann::json out = {{"id", job.id},
                        {"kind", job.kind},
                        {"owner", job.owner},
                        {"state", JobStateName(job.state)},
                        {"attempts", job.attempts},
                        {"progress", job.progress},
                        {"progress_detail", job.progress_detail},
                        {"cancel_requested", job.cancel_requested},
                        {"created_at", job.created_at},
                        {"started_at", job.started_at},
                        {"finished_at", job.finished_at}};
  if (!job.model_id.empty()) out["model_id"] = job.model_id;
  if (!job.error.empty()) out["error"] = job.error;
  return out;
}

// Every tenant's jobs, for operators (the same view as GET /admin/jobs).
int Jobs(store::MetadataStore& metadata, const AdminArgs& args) {
  JobFilter filter;
  if (args.action == "jobs list") {
    if (!args.state.empty() && !JobStateNamed(args.state)) {
      return Fail(Status::InvalidArgument(
          "--state must be queued, running, succeeded, failed or cancelled"));
    }
    filter.state = args.state;
    filter.kind = args.kind;
    filter.owner = args.owner;
    auto listed = metadata.ListAllJobs(filter, Page{0, 1000});
    if (!listed.ok()) return Fail(listed.status());
    std::cout << "id\tkind\towner\tstate\tattempts\tcreated_at\tdetail\n";
    for (const auto& job : listed->first) {
      std::cout << job.id << "\t" << job.kind << "\t" << job.owner << "\t"
                << JobStateName(job.state) << "\t" << job.attempts << "\t" << job.created_at << "\t"
                << (job.error.empty() ? job.progress_detail : job.error) << "\n";
    }
    if (listed->second > static_cast<int64_t>(listed->first.size())) {
      std::cout << "(" << listed->second - static_cast<int64_t>(listed->first.size())
                << " more; narrow with --state, --kind or --owner)\n";
    }
    return kExitOk;
  }
  filter.id = args.target;
  auto found = metadata.ListAllJobs(filter, Page{0, 1});
  if (!found.ok()) return Fail(found.status());
  if (found->first.empty()) return Fail(Status::NotFound("no job '" + args.target + "'"));
  if (args.action == "jobs show") {
    std::cout << JobJson(found->first.front()).dump(2) << "\n";
    return kExitOk;
  }
  auto cancelled = metadata.CancelJob(found->first.front().owner, args.target);  // "jobs cancel"
  if (!cancelled.ok()) return Fail(cancelled.status());
  std::cout << "job " << args.target << " is " << JobStateName(cancelled->state)
            << (cancelled->state == JobState::kRunning ? " (it stops at its next check)" : "")
            << "\n";
  return kExitOk;
}

}  // namespace

int RunAdmin(const AdminArgs& args) {
  BackendUrls urls = EmbeddedUrls(args.data_dir);
  if (!args.db.empty()) {
    urls.db = args.db;
    urls.db_pool = 1;
  } else if (!std::filesystem::exists(std::filesystem::path(args.data_dir) / "metadata.db")) {
    return Fail(Status::InvalidArgument("no database in " + args.data_dir +
                                        " (start `diamond serve --data-dir " + args.data_dir +
                                        "` once, or pass --data-dir or --db)"));
  }
  if (args.action.starts_with("jobs ")) {
    auto metadata = OpenMetadataStore(urls);
    if (!metadata.ok()) return Fail(metadata.status());
    return Jobs(**metadata, args);
  }
  auto opened = OpenAccountStore(urls);
  if (!opened.ok()) return Fail(opened.status());
  store::AccountStore& store = **opened;
  const std::string& a = args.action;

  if (a == "admin init") return Init(store, args);

  if (a == "users create") {
    if (Status s = accounts::CreateUser(store, args.target, args.role, args.plan); !s.ok())
      return Fail(s);
    return Confirmed(
        store, "created user " + args.target + " (" + args.role + ", plan " + args.plan + ")");
  }
  if (a == "users list") {
    auto users = store.ListUsers();
    if (!users.ok()) return Fail(users.status());
    std::cout << "id\trole\tplan\tdisabled\tcreated_at\n";
    for (const auto& u : *users) {
      std::cout << u.id << "\t" << u.role << "\t" << u.plan << "\t" << (u.disabled ? "yes" : "no")
                << "\t" << u.created_at << "\n";
    }
    return kExitOk;
  }
  if (a == "users set" || a == "users disable" || a == "users enable") {
    std::optional<std::string> role, plan;
    std::optional<bool> disabled;
    if (!args.role.empty()) role = args.role;
    if (!args.plan.empty()) plan = args.plan;
    if (a == "users disable") disabled = true;
    if (a == "users enable") disabled = false;
    if (Status s = accounts::UpdateUser(store, args.target, role, plan, disabled); !s.ok())
      return Fail(s);
    return Confirmed(store, "updated user " + args.target);
  }
  if (a == "keys create") {
    auto issued = accounts::IssueKey(store, args.target, args.name);
    if (!issued.ok()) return Fail(issued.status());
    std::cerr << "key " << issued->record.id << " for " << args.target
              << " (shown once; store it now):\n";
    std::cout << issued->key << "\n";
    return kExitOk;
  }
  if (a == "keys list") {
    auto keys = store.ListKeys(args.target);
    if (!keys.ok()) return Fail(keys.status());
    std::cout << "id\tuser\tprefix\tname\tcreated_at\trevoked_at\tlast_used_at\n";
    for (const auto& k : *keys) {
      std::cout << k.id << "\t" << k.user_id << "\t" << k.prefix << "\t" << k.name << "\t"
                << k.created_at << "\t" << (k.revoked_at.empty() ? "-" : k.revoked_at) << "\t"
                << (k.last_used_at.empty() ? "-" : k.last_used_at) << "\n";
    }
    return kExitOk;
  }
  if (a == "keys revoke") {
    if (Status s = store.RevokeKey("", args.target); !s.ok()) return Fail(s);
    return Confirmed(store, "revoked key " + args.target);
  }
  if (a == "plans list") {
    auto plans = store.ListPlans();
    if (!plans.ok()) return Fail(plans.status());
    for (const auto& p : *plans) PrintPlan(p);
    return kExitOk;
  }
  if (a == "plans set") return SetPlan(store, args);
  if (a == "admin usage") return Usage(store, args);
  return Fail(Status::InvalidArgument("unknown admin action '" + a + "'"));
}

}  // namespace diamond::app
