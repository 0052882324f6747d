// MetadataStore on SQL: batch prediction jobs and the committed parts of their results.
#include <soci/soci.h>

#include "base/clock.h"
#include "store/sql_locked.h"
#include "store/sql_rows.h"

namespace diamond::store {

using ll = long long;  // SOCI exchanges 64-bit integers as long long
using namespace sql;   // the shared row readers and lookups (sql_rows.h)

Status SqlMetadataStore::QueueJob(const JobRecord& job) {
  return Locked([&](soci::session& sql) -> Status {
    const std::string queued(JobStateName(JobState::kQueued));
    const std::string now = clock_.Rfc3339();
    sql << "INSERT INTO jobs (" << kJobColumns
        << ") VALUES (:o, :id, :k, :m, :s, 0, '', :p, 0, 0, :c, '', '', '')",
        soci::use(job.owner), soci::use(job.id), soci::use(job.kind), soci::use(job.model_id),
        soci::use(queued), soci::use(job.payload_json), soci::use(now);
    return Status::Ok();
  });
}

Status SqlMetadataStore::CommitBatchPart(const std::string& job_id, int64_t attempt,
                                         const BatchPart& part, double progress,
                                         const std::string& detail) {
  return Locked([&](soci::session& sql) -> Status {
    WriteTransaction tx(sql);
    if (auto held = HeldJob(sql, job_id, attempt); !held.ok()) return held.status();
    ll number = part.part, bytes = part.bytes, rows = part.rows, skipped = part.skipped;
    sql << "DELETE FROM batch_parts WHERE job_id = :j AND part = :p", soci::use(job_id),
        soci::use(number);
    sql << "INSERT INTO batch_parts (job_id, part, blob_key, bytes, rows_count, skipped)"
           " VALUES (:j, :p, :k, :b, :r, :s)",
        soci::use(job_id), soci::use(number), soci::use(part.blob_key), soci::use(bytes),
        soci::use(rows), soci::use(skipped);
    sql << "UPDATE jobs SET progress = :p, progress_detail = :d WHERE id = :id",
        soci::use(progress), soci::use(detail), soci::use(job_id);
    tx.Commit();
    return Status::Ok();
  });
}

Result<std::vector<BatchPart>> SqlMetadataStore::ListBatchParts(const std::string& owner,
                                                                const std::string& job_id) {
  return Locked([&](soci::session& sql) -> Result<std::vector<BatchPart>> {
    auto job = FindJob(sql, job_id);
    if (!job || job->owner != owner) return Status::NotFound("no job " + job_id);
    std::vector<BatchPart> parts;
    soci::rowset<soci::row> rows = (sql.prepare << "SELECT part, blob_key, bytes, rows_count, "
                                                   "skipped FROM batch_parts WHERE job_id = :j"
                                                   " ORDER BY part",
                                    soci::use(job_id));
    for (const auto& r : rows) {
      parts.push_back(
          {r.get<ll>(0), r.get<std::string>(1), r.get<ll>(2), r.get<ll>(3), r.get<ll>(4)});
    }
    return parts;
  });
}

Status SqlMetadataStore::FinishJob(const std::string& job_id, int64_t attempt,
                                   const std::string& detail) {
  return Locked([&](soci::session& sql) -> Status {
    WriteTransaction tx(sql);
    if (auto held = HeldJob(sql, job_id, attempt); !held.ok()) return held.status();
    const std::string now = clock_.Rfc3339();
    const std::string succeeded(JobStateName(JobState::kSucceeded));
    sql << "UPDATE jobs SET state = :s, progress = 1, progress_detail = :d, lease_owner = '', "
           "finished_at = :f"
           " WHERE id = :id",
        soci::use(succeeded), soci::use(detail), soci::use(now), soci::use(job_id);
    tx.Commit();
    return Status::Ok();
  });
}

}  // namespace diamond::store
