// MetadataStore on SQL: multipart uploads and their parts.
#include <soci/soci.h>

#include "base/clock.h"
#include "core/upload_rules.h"
#include "store/sql_dialect.h"
#include "store/sql_locked.h"
#include "store/sql_rows.h"

namespace diamond::store {

using ll = long long;  // SOCI exchanges 64-bit integers as long long
using namespace sql;   // the shared row readers and lookups (sql_rows.h)

namespace {

constexpr const char* kUploadColumns =
    "owner, id, dataset_id, format, mode, state, dataset_version, created_at, expires_ms, job_id, "
    "error_json,"
    " parts_key, parts_id, parts_closed";

UploadRecord ReadUpload(const soci::row& r) {
  UploadRecord u;
  u.owner = r.get<std::string>(0);
  u.id = r.get<std::string>(1);
  u.dataset_id = r.get<std::string>(2);
  // Written by this store from the enums; any other text is a damaged row, read as the
  // most cautious value (a completed upload takes no parts and no completion).
  u.format = UploadFormatNamed(r.get<std::string>(3)).value_or(UploadFormat::kCsv);
  u.mode = UploadModeNamed(r.get<std::string>(4)).value_or(UploadMode::kReplace);
  u.state = UploadStateNamed(r.get<std::string>(5)).value_or(UploadState::kCompleted);
  u.dataset_version = r.get<ll>(6);
  u.created_at = r.get<std::string>(7);
  u.expires_ms = r.get<ll>(8);
  u.job_id = r.get<std::string>(9);
  u.error_json = r.get<std::string>(10);
  u.parts_key = r.get<std::string>(11);
  u.parts_id = r.get<std::string>(12);
  u.parts_closed = r.get<ll>(13) != 0;
  return u;
}

std::optional<UploadRecord> FindUpload(soci::session& sql, const std::string& owner,
                                       const std::string& id, bool for_update = false) {
  soci::rowset<soci::row> rows =
      (sql.prepare << "SELECT " << kUploadColumns << " FROM uploads WHERE owner = :o AND id = :id"
                   << (for_update ? RowLockSuffix(EngineOf(sql)) : ""),
       soci::use(owner), soci::use(id));
  for (const auto& r : rows) return ReadUpload(r);
  return std::nullopt;
}

Status NoUpload(const std::string& id) { return Status::NotFound("no upload '" + id + "'"); }

}  // namespace

Status SqlMetadataStore::CreateUpload(const UploadRecord& upload) {
  return Locked([&](soci::session& sql) -> Status {
    ll version = upload.dataset_version, expires = upload.expires_ms,
       closed = upload.parts_closed ? 1 : 0;
    const std::string format(UploadFormatName(upload.format)), mode(UploadModeName(upload.mode)),
        state(UploadStateName(upload.state));
    sql << "INSERT INTO uploads (" << kUploadColumns
        << ") VALUES (:o, :id, :d, :f, :m, :s, :v, :c, :e, :j, :err, :pk, :pi, :pc)",
        soci::use(upload.owner), soci::use(upload.id), soci::use(upload.dataset_id),
        soci::use(format), soci::use(mode), soci::use(state), soci::use(version),
        soci::use(upload.created_at), soci::use(expires), soci::use(upload.job_id),
        soci::use(upload.error_json), soci::use(upload.parts_key), soci::use(upload.parts_id),
        soci::use(closed);
    return Status::Ok();
  });
}

Result<UploadRecord> SqlMetadataStore::GetUpload(const std::string& owner, const std::string& id) {
  return Locked([&](soci::session& sql) -> Result<UploadRecord> {
    if (auto upload = FindUpload(sql, owner, id)) return *upload;
    return NoUpload(id);
  });
}

Result<std::vector<UploadPart>> SqlMetadataStore::ListUploadParts(const std::string& owner,
                                                                  const std::string& id) {
  return Locked([&](soci::session& sql) -> Result<std::vector<UploadPart>> {
    if (!FindUpload(sql, owner, id)) return NoUpload(id);
    std::vector<UploadPart> parts;
    soci::rowset<soci::row> rows =
        (sql.prepare << "SELECT part, bytes, sha256, blob_key, etag FROM upload_parts"
                        " WHERE owner = :o AND upload_id = :id ORDER BY part",
         soci::use(owner), soci::use(id));
    for (const auto& r : rows) {
      parts.push_back({r.get<ll>(0), r.get<ll>(1), r.get<std::string>(2), r.get<std::string>(3),
                       r.get<std::string>(4)});
    }
    return parts;
  });
}

Result<std::string> SqlMetadataStore::PutUploadPart(const std::string& owner, const std::string& id,
                                                    const UploadPart& part,
                                                    const std::string& parts_id) {
  return Locked([&](soci::session& sql) -> Result<std::string> {
    WriteTransaction tx(sql);
    auto upload = FindUpload(sql, owner, id, /*for_update=*/true);
    if (!upload) return NoUpload(id);
    if (Status s = CheckTakesParts(*upload); !s.ok()) return s;
    if (upload->parts_closed || upload->parts_id != parts_id) {
      return Status::FailedPrecondition("upload '" + id +
                                        "' is being completed: it takes no parts meanwhile");
    }
    ll number = part.part, bytes = part.bytes;
    std::string replaced;
    soci::indicator ind = soci::i_null;
    sql << "SELECT blob_key FROM upload_parts WHERE owner = :o AND upload_id = :id AND part = :p",
        soci::use(owner), soci::use(id), soci::use(number), soci::into(replaced, ind);
    if (!sql.got_data() || ind != soci::i_ok) replaced.clear();
    sql << "DELETE FROM upload_parts WHERE owner = :o AND upload_id = :id AND part = :p",
        soci::use(owner), soci::use(id), soci::use(number);
    sql << "INSERT INTO upload_parts (owner, upload_id, part, bytes, sha256, blob_key, etag)"
           " VALUES (:o, :id, :p, :b, :s, :k, :t)",
        soci::use(owner), soci::use(id), soci::use(number), soci::use(bytes),
        soci::use(part.sha256), soci::use(part.blob_key), soci::use(part.etag);
    tx.Commit();
    return replaced;
  });
}

Status SqlMetadataStore::SetUploadParts(const std::string& owner, const std::string& id,
                                        const std::string& expected_parts_id,
                                        const std::string& parts_key, const std::string& parts_id,
                                        bool closed,
                                        const std::vector<std::pair<int64_t, std::string>>& etags) {
  return Locked([&](soci::session& sql) -> Status {
    WriteTransaction tx(sql);
    auto upload = FindUpload(sql, owner, id, /*for_update=*/true);
    if (!upload) return NoUpload(id);
    if (Status s = CheckNotCompleted(*upload); !s.ok()) return s;
    if (upload->parts_id != expected_parts_id) {
      return Status::FailedPrecondition("upload '" + id +
                                        "': its parts were moved by another completion");
    }
    ll c = closed ? 1 : 0;
    sql << "UPDATE uploads SET parts_key = :k, parts_id = :p, parts_closed = :c WHERE owner = :o "
           "AND id = :id",
        soci::use(parts_key), soci::use(parts_id), soci::use(c), soci::use(owner), soci::use(id);
    for (const auto& [number, etag] : etags) {
      ll n = number;
      sql << "UPDATE upload_parts SET etag = :t WHERE owner = :o AND upload_id = :id AND part = :p",
          soci::use(etag), soci::use(owner), soci::use(id), soci::use(n);
    }
    tx.Commit();
    return Status::Ok();
  });
}

Result<DatasetRecord> SqlMetadataStore::CommitUploadedVersion(
    const std::string& owner, const std::string& upload_id, const std::string& job_id,
    int64_t expected_current, const DatasetVersion& version, const StorageLimits& limits) {
  return Locked([&](soci::session& sql) -> Result<DatasetRecord> {
    WriteTransaction tx(sql);
    auto upload = FindUpload(sql, owner, upload_id, /*for_update=*/true);
    if (!upload) return NoUpload(upload_id);
    if (Status s = CheckCompletable(*upload, job_id); !s.ok()) return s;
    auto committed = CommitVersionIn(sql, owner, upload->dataset_id, expected_current, version,
                                     limits, clock_.Rfc3339());
    if (!committed.ok()) return committed.status();
    ll v = committed->current.version;
    sql << "UPDATE uploads SET state = 'completed', dataset_version = :v WHERE owner = :o AND id = "
           ":id",
        soci::use(v), soci::use(owner), soci::use(upload_id);
    tx.Commit();
    return committed;
  });
}

Result<JobRecord> SqlMetadataStore::QueueUploadCompletion(const std::string& owner,
                                                          const std::string& upload_id,
                                                          const JobRecord& job) {
  return Locked([&](soci::session& sql) -> Result<JobRecord> {
    WriteTransaction tx(sql);
    auto upload = FindUpload(sql, owner, upload_id, /*for_update=*/true);
    if (!upload) return NoUpload(upload_id);
    if (Status s = CheckNotCompleted(*upload); !s.ok()) return s;
    if (upload->state == UploadState::kCompleting) {
      if (auto running = FindJob(sql, upload->job_id); running && !IsFinished(running->state))
        return *running;
    }
    const std::string queued(JobStateName(JobState::kQueued));
    const std::string now = clock_.Rfc3339();
    sql << "INSERT INTO jobs (" << kJobColumns
        << ") VALUES (:o, :id, :k, :m, :s, 0, '', :p, 0, 0, :c, '', '', '')",
        soci::use(job.owner), soci::use(job.id), soci::use(job.kind), soci::use(job.model_id),
        soci::use(queued), soci::use(job.payload_json), soci::use(now);
    sql << "UPDATE uploads SET state = 'completing', job_id = :j, error_json = '' WHERE owner = :o "
           "AND id = :id",
        soci::use(job.id), soci::use(owner), soci::use(upload_id);
    std::optional<JobRecord> created = FindJob(sql, job.id);
    if (!created)
      return Status::Internal("job '" + job.id + "' vanished inside its own transaction");
    tx.Commit();
    return *created;
  });
}

Status SqlMetadataStore::FailUploadCompletion(const std::string& owner,
                                              const std::string& upload_id,
                                              const std::string& job_id,
                                              const std::string& error_json) {
  return Locked([&](soci::session& sql) -> Status {
    sql << "UPDATE uploads SET state = 'open', error_json = :e"
           " WHERE owner = :o AND id = :id AND state = 'completing' AND job_id = :j",
        soci::use(error_json), soci::use(owner), soci::use(upload_id), soci::use(job_id);
    return Status::Ok();
  });
}

Result<std::vector<std::string>> SqlMetadataStore::DeleteUpload(const std::string& owner,
                                                                const std::string& id) {
  return Locked([&](soci::session& sql) -> Result<std::vector<std::string>> {
    WriteTransaction tx(sql);
    auto upload = FindUpload(sql, owner, id, /*for_update=*/true);
    if (!upload) return NoUpload(id);
    std::vector<std::string> keys;
    soci::rowset<soci::row> rows =
        (sql.prepare << "SELECT blob_key FROM upload_parts"
                        " WHERE owner = :o AND upload_id = :id AND blob_key <> ''",
         soci::use(owner), soci::use(id));
    for (const auto& r : rows) keys.push_back(r.get<std::string>(0));
    if (!upload->parts_key.empty()) keys.push_back(upload->parts_key);
    sql << "DELETE FROM upload_parts WHERE owner = :o AND upload_id = :id", soci::use(owner),
        soci::use(id);
    sql << "DELETE FROM uploads WHERE owner = :o AND id = :id", soci::use(owner), soci::use(id);
    tx.Commit();
    return keys;
  });
}

Result<std::vector<std::pair<std::string, std::string>>> SqlMetadataStore::ExpiredUploads(
    int64_t now_ms) {
  return Locked([&](soci::session& sql)
                    -> Result<std::vector<std::pair<std::string, std::string>>> {
    ll now = now_ms;
    std::vector<std::pair<std::string, std::string>> out;
    soci::rowset<soci::row> rows =
        (sql.prepare << "SELECT owner, id FROM uploads WHERE expires_ms < :now ORDER BY expires_ms",
         soci::use(now));
    for (const auto& r : rows) out.emplace_back(r.get<std::string>(0), r.get<std::string>(1));
    return out;
  });
}

}  // namespace diamond::store
