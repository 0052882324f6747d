// MetadataStore on SQL: the job queue (claims, progress, cancellation, recovery).
#include <soci/soci.h>

#include <chrono>

#include "base/clock.h"
#include "store/sql_locked.h"
#include "store/sql_rows.h"

namespace diamond::store {

using ll = long long;  // SOCI exchanges 64-bit integers as long long
using namespace sql;   // the shared row readers and lookups (sql_rows.h)

// --- jobs --------------------------------------------------------------------------------

Result<std::pair<std::vector<JobRecord>, int64_t>> SqlMetadataStore::ListJobs(
    const std::string& owner, Page page) {
  return Locked([&](soci::session& session) -> Result<std::pair<std::vector<JobRecord>, int64_t>> {
    soci::session& sql = session;
    ll limit = page.limit, offset = page.offset;
    std::vector<JobRecord> out;
    soci::rowset<soci::row> rows = (sql.prepare << "SELECT " << kJobColumns
                                                << " FROM jobs WHERE owner = :o ORDER BY "
                                                   "created_at COLLATE \"C\" DESC, id COLLATE \"C\""
                                                   " LIMIT :limit OFFSET :offset",
                                    soci::use(owner), soci::use(limit), soci::use(offset));
    for (const auto& r : rows) out.push_back(ReadJob(r));
    ll total = 0;
    sql << "SELECT COUNT(*) FROM jobs WHERE owner = :o", soci::use(owner), soci::into(total);
    return std::make_pair(std::move(out), static_cast<int64_t>(total));
  });
}

Result<std::pair<std::vector<JobRecord>, int64_t>> SqlMetadataStore::ListAllJobs(
    const JobFilter& filter, Page page) {
  return Locked([&](soci::session& session) -> Result<std::pair<std::vector<JobRecord>, int64_t>> {
    soci::session& sql = session;
    ll limit = page.limit, offset = page.offset;
    // Each field narrows only when given: (:x = '' OR column = :x), each value bound twice.
    const std::string where =
        " WHERE (:i1 = '' OR id = :i2) AND (:o1 = '' OR owner = :o2) AND (:s1 = '' OR state = :s2)"
        " AND (:k1 = '' OR kind = :k2)";
    std::vector<JobRecord> out;
    soci::rowset<soci::row> rows =
        (sql.prepare << "SELECT " << kJobColumns << " FROM jobs" << where
                     << " ORDER BY created_at COLLATE \"C\" DESC, id COLLATE \"C\" LIMIT :limit "
                        "OFFSET :offset",
         soci::use(filter.id), soci::use(filter.id), soci::use(filter.owner),
         soci::use(filter.owner), soci::use(filter.state), soci::use(filter.state),
         soci::use(filter.kind), soci::use(filter.kind), soci::use(limit), soci::use(offset));
    for (const auto& r : rows) out.push_back(ReadJob(r));
    ll total = 0;
    sql << "SELECT COUNT(*) FROM jobs" << where, soci::use(filter.id), soci::use(filter.id),
        soci::use(filter.owner), soci::use(filter.owner), soci::use(filter.state),
        soci::use(filter.state), soci::use(filter.kind), soci::use(filter.kind), soci::into(total);
    return std::make_pair(std::move(out), static_cast<int64_t>(total));
  });
}

Result<JobRecord> SqlMetadataStore::GetJob(const std::string& owner, const std::string& id) {
  return Locked([&](soci::session& session) -> Result<JobRecord> {
    auto job = FindJob(session, id);
    if (job && job->owner == owner) return *job;
    return Status::NotFound("no job '" + id + "'");
  });
}

namespace {

// Jobs whose lease lapsed before `now`: requeued, or failed once they used their attempts.
void SettleLapsedLeases(soci::session& sql, ll now, ll max_attempts) {
  std::vector<JobRecord> lapsed;
  {
    soci::rowset<soci::row> rows =
        (sql.prepare << "SELECT " << kJobColumns
                     << " FROM jobs WHERE state = 'running' AND lease_expires_ms < :now"
                     << ClaimRowSuffix(EngineOf(sql)),
         soci::use(now));
    for (const auto& r : rows) lapsed.push_back(ReadJob(r));
  }
  const std::string at = Rfc3339FromUnixMs(now);
  for (const JobRecord& job : lapsed) {
    ll attempts = job.attempts;
    if (job.attempts >= max_attempts) {
      const std::string error =
          "the job stopped the worker running it " + std::to_string(job.attempts) +
          " times (its process ended, or lost the database, while it ran); it is not retried";
      const std::string end(
          JobStateName(job.cancel_requested ? JobState::kCancelled : JobState::kFailed));
      sql << "UPDATE jobs SET state = :s, error = :e, progress_detail = '', lease_owner = '',"
             " finished_at = :f WHERE id = :id AND attempts = :a",
          soci::use(end), soci::use(error), soci::use(at), soci::use(job.id), soci::use(attempts);
      SettleModelAfterJob(sql, job, error, at);
    } else {
      sql << "UPDATE jobs SET state = 'queued', progress = 0, progress_detail = '', lease_owner = "
             "''"
             " WHERE id = :id AND attempts = :a",
          soci::use(job.id), soci::use(attempts);
    }
  }
}

// ",a,b," for kinds {a, b}; "" for none.
std::string KindList(const std::vector<std::string>& kinds) {
  if (kinds.empty()) return "";
  std::string list = ",";
  for (const std::string& kind : kinds) list += kind + ",";
  return list;
}

}  // namespace

Result<std::optional<JobRecord>> SqlMetadataStore::ClaimNextJob(const JobClaim& claim) {
  return Locked([&](soci::session& session) -> Result<std::optional<JobRecord>> {
    soci::session& sql = session;
    // Claims take turns across processes: the per-owner count below must not be read by
    // two claimers at once (SQLite's write lock already serializes them).
    WriteTransaction tx(sql, kJobClaimLock);
    const ll now = clock_.UnixMs();
    SettleLapsedLeases(sql, now, claim.max_attempts);
    // Kind lists travel as one ",a,b," parameter matched with LIKE: the kinds are the
    // server's own names (letters and '-'), never a client's text.
    const std::string short_kinds = KindList(claim.short_kinds);
    const std::string only_kinds = KindList(claim.only_kinds);
    const ll cap = claim.max_running_per_owner;
    // The running jobs of queued job j's owner that count toward the cap (`param` names
    // the bound short-kind list: each use binds its own copy).
    auto running = [](const char* param) {
      return std::string(
                 "(SELECT COUNT(*) FROM jobs r WHERE r.owner = j.owner AND r.state = "
                 "'running' AND NOT (:") +
             param + " LIKE ('%,' || r.kind || ',%')))";
    };
    std::string id;
    sql << "SELECT j.id FROM jobs j WHERE j.state = 'queued'"
           " AND (:only_empty = '' OR :only LIKE ('%,' || j.kind || ',%'))"
           " AND (:cap_off = 0 OR :short_exempt LIKE ('%,' || j.kind || ',%') OR "
        << running("short_counted") << " < :cap) ORDER BY " << running("short_ordered")
        << ", j.created_at COLLATE \"C\", j.id COLLATE \"C\" LIMIT 1"
        << ClaimRowSuffix(EngineOf(sql)),
        soci::use(only_kinds, "only_empty"), soci::use(only_kinds, "only"),
        soci::use(cap, "cap_off"), soci::use(short_kinds, "short_exempt"),
        soci::use(short_kinds, "short_counted"), soci::use(cap, "cap"),
        soci::use(short_kinds, "short_ordered"), soci::into(id);
    if (!sql.got_data()) {
      tx.Commit();  // the settled leases
      return std::optional<JobRecord>();
    }
    const std::string started = clock_.Rfc3339();
    const ll expires = now + claim.lease_ms;
    sql << "UPDATE jobs SET state = 'running', attempts = attempts + 1, started_at = :s,"
           " lease_owner = :w, lease_expires_ms = :e WHERE id = :id AND state = 'queued'",
        soci::use(started), soci::use(claim.worker), soci::use(expires), soci::use(id);
    auto job = FindJob(sql, id);
    tx.Commit();
    return job;
  });
}

Status SqlMetadataStore::RenewJobLease(const std::string& id, int64_t attempt, int64_t lease_ms) {
  return Locked([&](soci::session& session) -> Status {
    const ll expires = clock_.UnixMs() + lease_ms, a = attempt;
    soci::statement st =
        (session.prepare << "UPDATE jobs SET lease_expires_ms = :e"
                            " WHERE id = :id AND attempts = :a AND state = 'running'",
         soci::use(expires), soci::use(id), soci::use(a));
    st.execute(true);
    if (st.get_affected_rows() == 0) {
      return Status::FailedPrecondition("attempt " + std::to_string(attempt) + " of job " + id +
                                        " no longer holds it");
    }
    return Status::Ok();
  });
}

Result<int64_t> SqlMetadataStore::ExpireJobLeases() {
  return Locked([&](soci::session& session) -> Result<int64_t> {
    soci::statement st =
        (session.prepare << "UPDATE jobs SET lease_expires_ms = 0 WHERE state = 'running'");
    st.execute(true);
    return static_cast<int64_t>(st.get_affected_rows());
  });
}

Status SqlMetadataStore::UpdateJobProgress(const std::string& id, int64_t attempt, double progress,
                                           const std::string& detail) {
  return Locked([&](soci::session& session) -> Status {
    const ll a = attempt;
    session << "UPDATE jobs SET progress = :p, progress_detail = :d"
               " WHERE id = :id AND attempts = :a AND state = 'running'",
        soci::use(progress), soci::use(detail), soci::use(id), soci::use(a);
    return Status::Ok();
  });
}

Result<JobRecord> SqlMetadataStore::CancelJob(const std::string& owner, const std::string& id) {
  return Locked([&](soci::session& session) -> Result<JobRecord> {
    soci::session& sql = session;
    WriteTransaction tx(sql);
    auto job = FindJob(sql, id);
    if (!job || job->owner != owner) return Status::NotFound("no job '" + id + "'");
    if (IsFinished(job->state)) {
      return Status::FailedPrecondition("job " + id + " already " +
                                        std::string(JobStateName(job->state)));
    }
    const std::string now = clock_.Rfc3339();
    if (job->state == JobState::kQueued) {
      sql << "UPDATE jobs SET state = 'cancelled', cancel_requested = 1, progress_detail = '', "
             "finished_at = :f"
             " WHERE id = :id",
          soci::use(now), soci::use(id);
      SettleModelAfterJob(sql, *job, "training cancelled", now);
    } else {
      sql << "UPDATE jobs SET cancel_requested = 1 WHERE id = :id", soci::use(id);
    }
    auto updated = FindJob(sql, id);
    tx.Commit();
    return *updated;
  });
}

Result<std::vector<std::pair<std::string, int64_t>>> SqlMetadataStore::CountJobsByState() {
  return Locked(
      [&](soci::session& session) -> Result<std::vector<std::pair<std::string, int64_t>>> {
        std::vector<std::pair<std::string, int64_t>> out;
        for (JobState state : {JobState::kQueued, JobState::kRunning, JobState::kSucceeded,
                               JobState::kFailed, JobState::kCancelled}) {
          const std::string name(JobStateName(state));
          ll count = 0;
          session << "SELECT COUNT(*) FROM jobs WHERE state = :s", soci::use(name),
              soci::into(count);
          out.emplace_back(name, count);
        }
        return out;
      });
}

Status SqlMetadataStore::FailJob(const std::string& job_id, int64_t attempt,
                                 const std::string& error) {
  return Locked([&](soci::session& session) -> Status {
    soci::session& sql = session;
    WriteTransaction tx(sql);
    auto job = FindJob(sql, job_id);
    if (!job) return Status::NotFound("no job " + job_id);
    if (job->state != JobState::kRunning || job->attempts != attempt) {
      return Status::FailedPrecondition("attempt " + std::to_string(attempt) + " of job " + job_id +
                                        " no longer holds it (now " +
                                        std::string(JobStateName(job->state)) + ", attempt " +
                                        std::to_string(job->attempts) + ")");
    }
    const std::string now = clock_.Rfc3339();
    // A cancelled job ends as cancelled, whatever made it stop.
    const JobState end = job->cancel_requested ? JobState::kCancelled : JobState::kFailed;
    const std::string end_name(JobStateName(end));
    sql << "UPDATE jobs SET state = :s, error = :e, progress_detail = '', lease_owner = '',"
           " finished_at = :f WHERE id = :id",
        soci::use(end_name), soci::use(error), soci::use(now), soci::use(job_id);
    SettleModelAfterJob(sql, *job, error, now);
    tx.Commit();
    return Status::Ok();
  });
}

}  // namespace diamond::store
