// MetadataStore on SQL: the job queue (claims, progress, cancellation, recovery).
#include <soci/soci.h>

#include "base/clock.h"
#include "store/sql_locked.h"
#include "store/sql_rows.h"

namespace diamond::store {

using ll = long long;  // SOCI exchanges 64-bit integers as long long
using namespace sql;  // the shared row readers and lookups (sql_rows.h)

// --- jobs --------------------------------------------------------------------------------

Result<std::pair<std::vector<JobRecord>, int64_t>> SqlMetadataStore::ListJobs(
    const std::string& owner, Page page) {
  return Locked([&](soci::session& session) -> Result<std::pair<std::vector<JobRecord>, int64_t>> {
    soci::session& sql = session;
    ll limit = page.limit, offset = page.offset;
    std::vector<JobRecord> out;
    soci::rowset<soci::row> rows =
        (sql.prepare << "SELECT " << kJobColumns
                     << " FROM jobs WHERE owner = :o ORDER BY created_at COLLATE \"C\" DESC, id COLLATE \"C\""
                        " LIMIT :limit OFFSET :offset",
         soci::use(owner), soci::use(limit), soci::use(offset));
    for (const auto& r : rows) out.push_back(ReadJob(r));
    ll total = 0;
    sql << "SELECT COUNT(*) FROM jobs WHERE owner = :o", soci::use(owner), soci::into(total);
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

Result<std::optional<JobRecord>> SqlMetadataStore::ClaimNextJob() {
  return Locked([&](soci::session& session) -> Result<std::optional<JobRecord>> {
    soci::session& sql = session;
    WriteTransaction tx(sql);
    std::string id;
    sql << "SELECT id FROM jobs WHERE state = 'queued' ORDER BY created_at COLLATE \"C\", id COLLATE \"C\" LIMIT 1"
        << ClaimRowSuffix(EngineOf(sql)),
        soci::into(id);
    if (!sql.got_data()) return std::optional<JobRecord>();
    const std::string now = NowRfc3339();
    sql << "UPDATE jobs SET state = 'running', attempts = attempts + 1, started_at = :s"
           " WHERE id = :id AND state = 'queued'",
        soci::use(now), soci::use(id);
    auto job = FindJob(sql, id);
    tx.Commit();
    return job;
  });
}

Status SqlMetadataStore::UpdateJobProgress(const std::string& id, double progress,
                                           const std::string& detail) {
  return Locked([&](soci::session& session) -> Status {
    session << "UPDATE jobs SET progress = :p, progress_detail = :d WHERE id = :id AND state = 'running'",
        soci::use(progress), soci::use(detail), soci::use(id);
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
    const std::string now = NowRfc3339();
    if (job->state == JobState::kQueued) {
      sql << "UPDATE jobs SET state = 'cancelled', cancel_requested = 1, progress_detail = '', finished_at = :f"
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

Result<int64_t> SqlMetadataStore::RequeueRunningJobs(int64_t max_attempts) {
  return Locked([&](soci::session& session) -> Result<int64_t> {
    soci::session& sql = session;
    WriteTransaction tx(sql);
    const std::string now = NowRfc3339();
    std::vector<JobRecord> exhausted;
    {
      ll cap = max_attempts;
      soci::rowset<soci::row> rows =
          (sql.prepare << "SELECT " << kJobColumns << " FROM jobs WHERE state = 'running' AND attempts >= :a",
           soci::use(cap));
      for (const auto& r : rows) exhausted.push_back(ReadJob(r));
    }
    for (const JobRecord& job : exhausted) {
      const std::string error = "the job stopped the worker running it " + std::to_string(job.attempts) +
                                " times (the process ended while it ran); it is not retried";
      sql << "UPDATE jobs SET state = 'failed', error = :e, progress_detail = '', finished_at = :f"
             " WHERE id = :id",
          soci::use(error), soci::use(now), soci::use(job.id);
      SettleModelAfterJob(sql, job, error, now);
    }
    soci::statement st =
        (sql.prepare << "UPDATE jobs SET state = 'queued', progress = 0, progress_detail = ''"
                        " WHERE state = 'running'");
    st.execute(true);
    tx.Commit();
    return static_cast<int64_t>(st.get_affected_rows());
  });
}

Result<std::vector<std::pair<std::string, int64_t>>> SqlMetadataStore::CountJobsByState() {
  return Locked([&](soci::session& session) -> Result<std::vector<std::pair<std::string, int64_t>>> {
    std::vector<std::pair<std::string, int64_t>> out;
    for (JobState state : {JobState::kQueued, JobState::kRunning, JobState::kSucceeded,
                           JobState::kFailed, JobState::kCancelled}) {
      const std::string name(JobStateName(state));
      ll count = 0;
      session << "SELECT COUNT(*) FROM jobs WHERE state = :s", soci::use(name), soci::into(count);
      out.emplace_back(name, count);
    }
    return out;
  });
}

}  // namespace diamond::store
