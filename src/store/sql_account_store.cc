// AccountStore on the same SQL database as the metadata (see sql_metadata_store.h).
#include <soci/soci.h>

#include "base/clock.h"
#include "store/sql_locked.h"
#include "store/sql_metadata_store.h"

namespace diamond::store {
namespace {

using ll = long long;  // SOCI exchanges 64-bit integers as long long

constexpr const char* kUserColumns = "id, role, plan, disabled, created_at";
constexpr const char* kKeyColumns =
    "id, user_id, prefix, hash, name, created_at, revoked_at, last_used_at";
constexpr const char* kPlanColumns =
    "name, requests_per_second, burst, monthly_predicted_rows, max_dataset_rows, max_models,"
    " max_training_jobs, price_per_1k_rows, price_per_training_minute, max_stored_bytes,"
    " max_datasets, model_versions_kept";

UserRecord ReadUser(const soci::row& r) {
  return UserRecord{r.get<std::string>(0), r.get<std::string>(1), r.get<std::string>(2),
                    r.get<ll>(3) != 0, r.get<std::string>(4)};
}

ApiKeyRecord ReadKey(const soci::row& r) {
  return ApiKeyRecord{r.get<std::string>(0), r.get<std::string>(1), r.get<std::string>(2),
                      r.get<std::string>(3), r.get<std::string>(4), r.get<std::string>(5),
                      r.get<std::string>(6), r.get<std::string>(7)};
}

PlanRecord ReadPlan(const soci::row& r) {
  return PlanRecord{r.get<std::string>(0), r.get<double>(1), r.get<ll>(2),  r.get<ll>(3),
                    r.get<ll>(4),          r.get<ll>(5),     r.get<ll>(6),  r.get<double>(7),
                    r.get<double>(8),      r.get<ll>(9),     r.get<ll>(10), r.get<ll>(11)};
}

void BumpGeneration(soci::session& sql) {
  sql << "UPDATE account_generation SET value = value + 1";
}

}  // namespace

Result<int64_t> SqlMetadataStore::Generation() {
  return Locked([&](soci::session& session) -> Result<int64_t> {
    ll value = 0;
    session << "SELECT value FROM account_generation", soci::into(value);
    return static_cast<int64_t>(value);
  });
}

Status SqlMetadataStore::CreateUser(const UserRecord& user) {
  return Locked([&](soci::session& session) -> Status {
    soci::session& sql = session;
    WriteTransaction tx(sql);
    ll exists = 0;
    sql << "SELECT COUNT(*) FROM users WHERE id = :id", soci::use(user.id), soci::into(exists);
    if (exists > 0) return Status::FailedPrecondition("user '" + user.id + "' already exists");
    const std::string now = user.created_at.empty() ? clock_.Rfc3339() : user.created_at;
    ll disabled = user.disabled ? 1 : 0;
    sql << "INSERT INTO users (" << kUserColumns << ") VALUES (:id, :r, :p, :d, :c)",
        soci::use(user.id), soci::use(user.role), soci::use(user.plan), soci::use(disabled),
        soci::use(now);
    BumpGeneration(sql);
    tx.Commit();
    return Status::Ok();
  });
}

Result<UserRecord> SqlMetadataStore::GetUser(const std::string& id) {
  return Locked([&](soci::session& session) -> Result<UserRecord> {
    soci::rowset<soci::row> rows =
        (session.prepare << "SELECT " << kUserColumns << " FROM users WHERE id = :id",
         soci::use(id));
    for (const auto& r : rows) return ReadUser(r);
    return Status::NotFound("no user '" + id + "'");
  });
}

Result<std::vector<UserRecord>> SqlMetadataStore::ListUsers() {
  return Locked([&](soci::session& session) -> Result<std::vector<UserRecord>> {
    std::vector<UserRecord> out;
    soci::rowset<soci::row> rows =
        (session.prepare << "SELECT " << kUserColumns << " FROM users ORDER BY id COLLATE \"C\"");
    for (const auto& r : rows) out.push_back(ReadUser(r));
    return out;
  });
}

Status SqlMetadataStore::UpdateUser(const std::string& id, const std::optional<std::string>& role,
                                    const std::optional<std::string>& plan,
                                    const std::optional<bool>& disabled) {
  return Locked([&](soci::session& session) -> Status {
    soci::session& sql = session;
    WriteTransaction tx(sql);
    ll exists = 0;
    sql << "SELECT COUNT(*) FROM users WHERE id = :id", soci::use(id), soci::into(exists);
    if (exists == 0) return Status::NotFound("no user '" + id + "'");
    if (role) sql << "UPDATE users SET role = :r WHERE id = :id", soci::use(*role), soci::use(id);
    if (plan) sql << "UPDATE users SET plan = :p WHERE id = :id", soci::use(*plan), soci::use(id);
    if (disabled) {
      ll flag = *disabled ? 1 : 0;
      sql << "UPDATE users SET disabled = :d WHERE id = :id", soci::use(flag), soci::use(id);
    }
    if ((role && *role != "admin") || (disabled && *disabled)) {
      // Rolled back (never committed) if it would leave no enabled admin: nobody could
      // then make users, keys or plans except through the database. Two admins demoting
      // each other at once cannot both pass: SQLite has one writer, and PostgreSQL's
      // serializable transactions (sql_dialect.cc) fail one of the two, which is retried
      // and then sees the other's change.
      ll admins = 0;
      sql << "SELECT COUNT(*) FROM users WHERE role = 'admin' AND disabled = 0", soci::into(admins);
      if (admins == 0) {
        return Status::FailedPrecondition("user '" + id +
                                          "' is the last enabled admin: make another admin first");
      }
    }
    BumpGeneration(sql);
    tx.Commit();
    return Status::Ok();
  });
}

Result<int64_t> SqlMetadataStore::CountUsers() {
  return Locked([&](soci::session& session) -> Result<int64_t> {
    ll count = 0;
    session << "SELECT COUNT(*) FROM users", soci::into(count);
    return static_cast<int64_t>(count);
  });
}

Status SqlMetadataStore::CreateKey(const ApiKeyRecord& key) {
  return Locked([&](soci::session& session) -> Status {
    soci::session& sql = session;
    WriteTransaction tx(sql);
    ll users = 0;
    sql << "SELECT COUNT(*) FROM users WHERE id = :id", soci::use(key.user_id), soci::into(users);
    if (users == 0) return Status::NotFound("no user '" + key.user_id + "'");
    const std::string now = key.created_at.empty() ? clock_.Rfc3339() : key.created_at;
    sql << "INSERT INTO api_keys (" << kKeyColumns << ") VALUES (:id, :u, :p, :h, :n, :c, '', '')",
        soci::use(key.id), soci::use(key.user_id), soci::use(key.prefix), soci::use(key.hash),
        soci::use(key.name), soci::use(now);
    BumpGeneration(sql);
    tx.Commit();
    return Status::Ok();
  });
}

Result<std::vector<ApiKeyRecord>> SqlMetadataStore::ListKeys(const std::string& user_id) {
  return Locked([&](soci::session& session) -> Result<std::vector<ApiKeyRecord>> {
    std::vector<ApiKeyRecord> out;
    const int all = user_id.empty() ? 1 : 0;
    soci::rowset<soci::row> rows =
        (session.prepare << "SELECT " << kKeyColumns
                         << " FROM api_keys WHERE (:all = 1 OR user_id = :u) ORDER BY created_at "
                            "COLLATE \"C\", id COLLATE \"C\"",
         soci::use(all), soci::use(user_id));
    for (const auto& r : rows) out.push_back(ReadKey(r));
    return out;
  });
}

Status SqlMetadataStore::RevokeKey(const std::string& user_id, const std::string& key_id) {
  return Locked([&](soci::session& session) -> Status {
    soci::session& sql = session;
    WriteTransaction tx(sql);
    const std::string now = clock_.Rfc3339();
    const int any_user = user_id.empty() ? 1 : 0;
    soci::statement st =
        (sql.prepare << "UPDATE api_keys SET revoked_at = :r WHERE id = :id AND revoked_at = ''"
                        " AND (:any = 1 OR user_id = :u)",
         soci::use(now), soci::use(key_id), soci::use(any_user), soci::use(user_id));
    st.execute(true);
    if (st.get_affected_rows() == 0) {
      ll exists = 0;
      sql << "SELECT COUNT(*) FROM api_keys WHERE id = :id AND (:any = 1 OR user_id = :u)",
          soci::use(key_id), soci::use(any_user), soci::use(user_id), soci::into(exists);
      if (exists == 0) return Status::NotFound("no key '" + key_id + "'");
      return Status::Ok();  // already revoked: revoking is idempotent
    }
    BumpGeneration(sql);
    tx.Commit();
    return Status::Ok();
  });
}

Status SqlMetadataStore::TouchKeys(const std::vector<std::pair<std::string, std::string>>& used) {
  if (used.empty()) return Status::Ok();
  return Locked([&](soci::session& session) -> Status {
    soci::session& sql = session;
    WriteTransaction tx(sql);
    for (const auto& [id, at] : used) {
      sql << "UPDATE api_keys SET last_used_at = :t WHERE id = :id", soci::use(at), soci::use(id);
    }
    tx.Commit();
    return Status::Ok();
  });
}

Result<std::vector<PlanRecord>> SqlMetadataStore::ListPlans() {
  return Locked([&](soci::session& session) -> Result<std::vector<PlanRecord>> {
    std::vector<PlanRecord> out;
    soci::rowset<soci::row> rows =
        (session.prepare << "SELECT " << kPlanColumns << " FROM plans ORDER BY name COLLATE \"C\"");
    for (const auto& r : rows) out.push_back(ReadPlan(r));
    return out;
  });
}

Status SqlMetadataStore::PutPlan(const PlanRecord& plan) {
  return Locked([&](soci::session& session) -> Status {
    soci::session& sql = session;
    WriteTransaction tx(sql);
    ll burst = plan.burst, rows = plan.monthly_predicted_rows, dataset_rows = plan.max_dataset_rows,
       models = plan.max_models, jobs = plan.max_training_jobs, stored = plan.max_stored_bytes,
       datasets = plan.max_datasets, versions_kept = plan.model_versions_kept;
    double rps = plan.requests_per_second, per_rows = plan.price_per_1k_rows,
           per_minute = plan.price_per_training_minute;
    sql << "DELETE FROM plans WHERE name = :n", soci::use(plan.name);
    sql << "INSERT INTO plans (" << kPlanColumns
        << ") VALUES (:n, :rps, :b, :mr, :dr, :m, :j, :pr, :pm, :sb, :ds, :vk)",
        soci::use(plan.name), soci::use(rps), soci::use(burst), soci::use(rows),
        soci::use(dataset_rows), soci::use(models), soci::use(jobs), soci::use(per_rows),
        soci::use(per_minute), soci::use(stored), soci::use(datasets), soci::use(versions_kept);
    BumpGeneration(sql);
    tx.Commit();
    return Status::Ok();
  });
}

Status SqlMetadataStore::AddUsage(const std::vector<UsageRecord>& deltas) {
  if (deltas.empty()) return Status::Ok();
  return Locked([&](soci::session& session) -> Status {
    soci::session& sql = session;
    WriteTransaction tx(sql);
    for (const auto& d : deltas) {
      ll rows = d.predicted_rows, bytes = d.stored_bytes;
      double seconds = d.training_seconds;
      // Insert-or-add in two portable statements (SQLite and PostgreSQL both run them).
      sql << "INSERT INTO usage (user_id, day, predicted_rows, training_seconds, stored_bytes)"
             " SELECT :u, :d, 0, 0, 0 WHERE NOT EXISTS"
             " (SELECT 1 FROM usage WHERE user_id = :u2 AND day = :d2)",
          soci::use(d.user_id), soci::use(d.day), soci::use(d.user_id), soci::use(d.day);
      sql << "UPDATE usage SET predicted_rows = predicted_rows + :r,"
             " training_seconds = training_seconds + :s WHERE user_id = :u AND day = :d",
          soci::use(rows), soci::use(seconds), soci::use(d.user_id), soci::use(d.day);
      if (bytes >= 0) {
        sql << "UPDATE usage SET stored_bytes = :b WHERE user_id = :u AND day = :d",
            soci::use(bytes), soci::use(d.user_id), soci::use(d.day);
      }
    }
    tx.Commit();
    return Status::Ok();
  });
}

Result<std::vector<UsageRecord>> SqlMetadataStore::UsageForMonth(const std::string& month) {
  return Locked([&](soci::session& session) -> Result<std::vector<UsageRecord>> {
    std::vector<UsageRecord> out;
    const std::string pattern = month + "-%";
    soci::rowset<soci::row> rows =
        (session.prepare
             << "SELECT user_id, day, predicted_rows, training_seconds, stored_bytes"
                " FROM usage WHERE day LIKE :m ORDER BY user_id COLLATE \"C\", day COLLATE \"C\"",
         soci::use(pattern));
    for (const auto& r : rows) {
      out.push_back(UsageRecord{r.get<std::string>(0), r.get<std::string>(1), r.get<ll>(2),
                                r.get<double>(3), r.get<ll>(4)});
    }
    return out;
  });
}

Status SqlMetadataStore::Heartbeat(const ReplicaRecord& replica) {
  return Locked([&](soci::session& session) -> Status {
    soci::session& sql = session;
    WriteTransaction tx(sql);
    ll generation = replica.loaded_generation, heartbeat = replica.heartbeat_ms, pid = replica.pid,
       serving = replica.serving ? 1 : 0;
    sql << "INSERT INTO replicas (id, loaded_generation, heartbeat_ms, started_at, pid, host, "
           "serving)"
           " VALUES (:id, :g, :h, :s, :p, :host, :serving)"
           " ON CONFLICT (id) DO UPDATE SET loaded_generation = excluded.loaded_generation,"
           " heartbeat_ms = excluded.heartbeat_ms",
        soci::use(replica.id), soci::use(generation), soci::use(heartbeat),
        soci::use(replica.started_at), soci::use(pid), soci::use(replica.host), soci::use(serving);
    tx.Commit();
    return Status::Ok();
  });
}

Status SqlMetadataStore::RemoveReplica(const std::string& id) {
  return Locked([&](soci::session& session) -> Status {
    session << "DELETE FROM replicas WHERE id = :id", soci::use(id);
    return Status::Ok();
  });
}

Result<std::vector<ReplicaRecord>> SqlMetadataStore::ListReplicas() {
  return Locked([&](soci::session& session) -> Result<std::vector<ReplicaRecord>> {
    std::vector<ReplicaRecord> out;
    soci::rowset<soci::row> rows =
        (session.prepare
         << "SELECT id, loaded_generation, heartbeat_ms, started_at, pid, host, serving"
            " FROM replicas ORDER BY id COLLATE \"C\"");
    for (const auto& r : rows) {
      out.push_back(ReplicaRecord{r.get<std::string>(0), r.get<ll>(1), r.get<ll>(2),
                                  r.get<std::string>(3), r.get<ll>(4), r.get<std::string>(5),
                                  r.get<ll>(6) != 0});
    }
    return out;
  });
}

}  // namespace diamond::store
