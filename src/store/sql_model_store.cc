// MetadataStore on SQL: models, and the transactions that start and end their training.
#include <soci/soci.h>

#include <algorithm>
#include <optional>

#include "base/clock.h"
#include "core/plan_rules.h"
#include "store/sql_locked.h"
#include "store/sql_rows.h"

namespace diamond::store {

using ll = long long;  // SOCI exchanges 64-bit integers as long long
using namespace sql;   // the shared row readers and lookups (sql_rows.h)

namespace {

// The alias every model serves (the seed's routes, OIP, price queries).
constexpr const char* kChampion = ModelStore::kChampionAlias;

// Appends `move` to the model's alias history (inside the caller's write transaction).
void RecordAliasMove(soci::session& sql, const std::string& owner, const std::string& id,
                     const AliasMove& move) {
  ll seq = 0;
  soci::indicator ind = soci::i_null;
  sql << "SELECT MAX(seq) FROM model_alias_moves WHERE owner = :o AND model_id = :m",
      soci::use(owner), soci::use(id), soci::into(seq, ind);
  seq = (ind == soci::i_ok ? seq : 0) + 1;
  ll from = move.from_version, to = move.to_version;
  sql << "INSERT INTO model_alias_moves (owner, model_id, seq, alias, from_version, to_version,"
         " actor, reason, moved_at) VALUES (:o, :m, :s, :al, :f, :t, :ac, :r, :at)",
      soci::use(owner), soci::use(id), soci::use(seq), soci::use(move.alias), soci::use(from),
      soci::use(to), soci::use(move.actor), soci::use(move.reason), soci::use(move.at);
}

// The datasets the model's kept versions were trained on.
std::vector<std::string> LineageDatasets(soci::session& sql, const std::string& owner,
                                         const std::string& id) {
  std::vector<std::string> out;
  soci::rowset<soci::row> rows =
      (sql.prepare << "SELECT DISTINCT dataset_id FROM model_versions WHERE owner = :o AND"
                      " model_id = :m AND dataset_id <> ''",
       soci::use(owner), soci::use(id));
  for (const auto& r : rows) out.push_back(r.get<std::string>(0));
  return out;
}

// Releases the dataset versions kept only for lineage that none of the owner's kept model
// versions names any more (sql_rows.h); returns the freed segments' keys.
std::vector<std::string> ReleaseLineage(soci::session& sql, const std::string& owner,
                                        const std::vector<std::string>& datasets) {
  std::vector<std::string> freed;
  for (const std::string& dataset : datasets) {
    std::vector<std::string> keys = ReleaseLineageVersionsIn(sql, owner, dataset);
    freed.insert(freed.end(), keys.begin(), keys.end());
  }
  return freed;
}

// Deletes the model's versions other than the newest `versions_kept`, the champion and
// those another alias names, with the dataset versions kept only for them (their files
// and segments go with the next blob GC, which no longer finds them referenced).
void PruneModelVersions(soci::session& sql, const std::string& owner, const std::string& id,
                        ll champion, int64_t versions_kept) {
  const std::vector<std::string> datasets = LineageDatasets(sql, owner, id);
  ll kept = std::max<int64_t>(versions_kept, 1);
  sql << "DELETE FROM model_versions WHERE owner = :o AND model_id = :m AND version <> :c"
         " AND version NOT IN (SELECT version FROM model_versions WHERE owner = :o2 AND"
         " model_id = :m2 ORDER BY version DESC LIMIT :k)"
         " AND version NOT IN (SELECT version FROM model_aliases WHERE owner = :o3 AND"
         " model_id = :m3)",
      soci::use(owner), soci::use(id), soci::use(champion), soci::use(owner), soci::use(id),
      soci::use(kept), soci::use(owner), soci::use(id);
  ReleaseLineage(sql, owner, datasets);
}

ModelVersionRecord ReadModelVersion(const soci::row& r) {
  ModelVersionRecord v;
  v.owner = r.get<std::string>(0);
  v.model_id = r.get<std::string>(1);
  v.version = r.get<ll>(2);
  v.artifact_key = r.get<std::string>(3);
  v.dataset_id = r.get<std::string>(4);
  v.dataset_version = r.get<ll>(5);
  v.summary_json = r.get<std::string>(6);
  v.request_json = r.get<std::string>(7);
  v.job_id = r.get<std::string>(8);
  v.created_at = r.get<std::string>(9);
  v.reproduction_json = r.get<std::string>(10);
  return v;
}

constexpr char kVersionColumns[] =
    "owner, model_id, version, artifact_key, dataset_id, dataset_version, summary_json,"
    " request_json, job_id, created_at, reproduction_json";

// The kept version, if it is.
std::optional<ModelVersionRecord> FindModelVersion(soci::session& sql, const std::string& owner,
                                                   const std::string& id, ll version) {
  std::optional<ModelVersionRecord> found;
  soci::rowset<soci::row> rows =
      (sql.prepare << "SELECT " << kVersionColumns
                   << " FROM model_versions WHERE owner = :o AND model_id = :m AND version = :v",
       soci::use(owner), soci::use(id), soci::use(version));
  for (const auto& r : rows) found = ReadModelVersion(r);
  return found;
}

}  // namespace

// --- models ------------------------------------------------------------------------------

Result<std::pair<std::vector<ModelRecord>, int64_t>> SqlMetadataStore::ListModels(
    const std::string& viewer, Page page) {
  return Locked(
      [&](soci::session& session) -> Result<std::pair<std::vector<ModelRecord>, int64_t>> {
        soci::session& sql = session;
        ll limit = page.limit, offset = page.offset;
        std::vector<ModelRecord> out;
        soci::rowset<soci::row> rows =
            (sql.prepare << "SELECT " << kModelColumns
                         << " FROM models WHERE owner = :o OR shared = 1 ORDER BY id COLLATE "
                            "\"C\", owner COLLATE \"C\""
                            " LIMIT :limit OFFSET :offset",
             soci::use(viewer), soci::use(limit), soci::use(offset));
        for (const auto& r : rows) out.push_back(ReadModel(r));
        ll total = 0;
        sql << "SELECT COUNT(*) FROM models WHERE owner = :o OR shared = 1", soci::use(viewer),
            soci::into(total);
        return std::make_pair(std::move(out), static_cast<int64_t>(total));
      });
}

Result<ModelRecord> SqlMetadataStore::GetModel(const std::string& owner, const std::string& id) {
  return Locked([&](soci::session& session) -> Result<ModelRecord> {
    if (auto model = FindModel(session, owner, id)) return *model;
    return Status::NotFound("no model '" + id + "'");
  });
}

Result<ModelRecord> SqlMetadataStore::FindModelFor(const std::string& viewer,
                                                   const std::string& id) {
  return Locked([&](soci::session& session) -> Result<ModelRecord> {
    if (auto model = FindModelVisibleTo(session, viewer, id)) return *model;
    return Status::NotFound("no model '" + id + "'");
  });
}

Status SqlMetadataStore::SetModelShared(const std::string& owner, const std::string& id,
                                        bool shared) {
  return Locked([&](soci::session& session) -> Status {
    WriteTransaction tx(session);
    ll flag = shared ? 1 : 0;
    const std::string now = clock_.Rfc3339();
    soci::statement st = (session.prepare << "UPDATE models SET shared = :s, updated_at = :u"
                                             " WHERE owner = :o AND id = :id",
                          soci::use(flag), soci::use(now), soci::use(owner), soci::use(id));
    st.execute(true);
    if (st.get_affected_rows() == 0) return Status::NotFound("no model '" + id + "'");
    RecordModelChange(session, owner, id, instance_id_);
    tx.Commit();
    return Status::Ok();
  });
}

Status SqlMetadataStore::StartTraining(const std::string& model_id, const std::string& request_json,
                                       const JobRecord& job, const TrainingLimits& limits) {
  return Locked([&](soci::session& session) -> Status {
    soci::session& sql = session;
    WriteTransaction tx(sql);
    const std::string now = clock_.Rfc3339();
    const std::string training(ModelStatusName(ModelStatus::kTraining));
    auto existing = FindModel(sql, job.owner, model_id);
    if (existing && existing->status == ModelStatus::kTraining) {
      return Status::FailedPrecondition("model '" + model_id + "' is already training (job " +
                                        existing->job_id + ")");
    }
    if (!existing) {
      ll models = 0;
      sql << "SELECT COUNT(*) FROM models WHERE owner = :o", soci::use(job.owner),
          soci::into(models);
      if (Status s = CheckModelCount(models, limits.max_models); !s.ok()) return s;
    }
    ll active = 0;
    sql << "SELECT COUNT(*) FROM jobs WHERE owner = :o AND state IN ('queued', 'running')",
        soci::use(job.owner), soci::into(active);
    if (Status s = CheckTrainingJobs(active, limits.max_training_jobs); !s.ok()) return s;
    if (existing) {
      sql << "UPDATE models SET status = :s, request_json = :r, job_id = :j, error = '',"
             " updated_at = :u WHERE owner = :o AND id = :id",
          soci::use(training), soci::use(request_json), soci::use(job.id), soci::use(now),
          soci::use(job.owner), soci::use(model_id);
    } else {
      sql << "INSERT INTO models (" << kModelColumns
          << ") VALUES (:o, :id, 0, :s, :r, :j, '', 0, '', '', 0, '{}', :c, :u)",
          soci::use(job.owner), soci::use(model_id), soci::use(training), soci::use(request_json),
          soci::use(job.id), soci::use(now), soci::use(now);
      RecordModelChange(sql, job.owner, model_id,
                        instance_id_);  // it hides a shared model of that id
    }
    const std::string queued(JobStateName(JobState::kQueued));
    sql << "INSERT INTO jobs (" << kJobColumns
        << ") VALUES (:o, :id, :k, :m, :s, 0, '', :p, 0, 0, :c, '', '', '')",
        soci::use(job.owner), soci::use(job.id), soci::use(job.kind), soci::use(model_id),
        soci::use(queued), soci::use(job.payload_json), soci::use(now);
    tx.Commit();
    return Status::Ok();
  });
}

Status SqlMetadataStore::FinishTraining(const std::string& job_id, int64_t attempt,
                                        const std::string& artifact_key,
                                        const std::string& dataset_id, int64_t dataset_version,
                                        const std::string& summary_json, bool promote,
                                        int64_t versions_kept) {
  return Locked([&](soci::session& session) -> Status {
    soci::session& sql = session;
    WriteTransaction tx(sql);
    auto job = HeldJob(sql, job_id, attempt);
    if (!job.ok()) return job.status();
    auto model = FindModel(sql, job->owner, job->model_id);
    if (!model || model->job_id != job_id) {
      return Status::FailedPrecondition("model of job " + job_id + " was deleted or retrained");
    }
    const std::string now = clock_.Rfc3339();
    const std::string ready(ModelStatusName(ModelStatus::kReady));
    const std::string succeeded(JobStateName(JobState::kSucceeded));
    // Numbered on from the newest version ever kept (after a rollback the champion is older).
    ll newest = 0;
    soci::indicator newest_ind = soci::i_null;
    sql << "SELECT MAX(version) FROM model_versions WHERE owner = :o AND model_id = :m",
        soci::use(job->owner), soci::use(job->model_id), soci::into(newest, newest_ind);
    ll version = std::max<ll>(model->version, newest_ind == soci::i_ok ? newest : 0) + 1;
    ll dv = dataset_version;
    sql << "INSERT INTO model_versions (owner, model_id, version, artifact_key, dataset_id,"
           " dataset_version, summary_json, request_json, job_id, created_at)"
           " VALUES (:o, :m, :v, :a, :d, :dv, :sum, :req, :j, :c)",
        soci::use(job->owner), soci::use(job->model_id), soci::use(version),
        soci::use(artifact_key), soci::use(dataset_id), soci::use(dv), soci::use(summary_json),
        soci::use(model->request_json), soci::use(job_id), soci::use(now);
    const bool champion = promote || model->version == 0;
    if (champion) {
      RecordAliasMove(
          sql, job->owner, job->model_id,
          AliasMove{kChampion, model->version, version, job->owner, "training job " + job_id, now});
      sql << "UPDATE models SET status = :s, version = :v, artifact_key = :a, dataset_id = :d,"
             " dataset_version = :dv, summary_json = :sum, error = '', updated_at = :u"
             " WHERE owner = :o AND id = :id",
          soci::use(ready), soci::use(version), soci::use(artifact_key), soci::use(dataset_id),
          soci::use(dv), soci::use(summary_json), soci::use(now), soci::use(job->owner),
          soci::use(job->model_id);
    } else {
      // Kept beside the champion, which goes on serving: the owner compares, then promotes.
      sql << "UPDATE models SET status = :s, error = '', updated_at = :u"
             " WHERE owner = :o AND id = :id",
          soci::use(ready), soci::use(now), soci::use(job->owner), soci::use(job->model_id);
    }
    sql << "UPDATE jobs SET state = :s, progress = 1, progress_detail = '', lease_owner = '',"
           " finished_at = :f WHERE id = :id",
        soci::use(succeeded), soci::use(now), soci::use(job_id);
    PruneModelVersions(sql, job->owner, job->model_id, champion ? version : model->version,
                       versions_kept);
    RecordModelChange(sql, job->owner, job->model_id, instance_id_);
    tx.Commit();
    return Status::Ok();
  });
}

Result<std::vector<std::string>> SqlMetadataStore::DeleteModel(const std::string& owner,
                                                               const std::string& id) {
  return Locked([&](soci::session& session) -> Result<std::vector<std::string>> {
    soci::session& sql = session;
    WriteTransaction tx(sql);
    auto model = FindModel(sql, owner, id);
    if (!model) return Status::NotFound("no model '" + id + "'");
    // The champion is one of the kept versions: their datasets are the model's.
    const std::vector<std::string> datasets = LineageDatasets(sql, owner, id);
    std::vector<std::string> keys;
    if (!model->artifact_key.empty()) keys.push_back(model->artifact_key);
    {
      soci::rowset<soci::row> rows =
          (sql.prepare << "SELECT artifact_key FROM model_versions WHERE owner = :o AND "
                          "model_id = :m AND artifact_key <> :current",
           soci::use(owner), soci::use(id), soci::use(model->artifact_key));
      for (const auto& r : rows) keys.push_back(r.get<std::string>(0));
    }
    sql << "DELETE FROM model_versions WHERE owner = :o AND model_id = :m", soci::use(owner),
        soci::use(id);
    sql << "DELETE FROM model_alias_moves WHERE owner = :o AND model_id = :m", soci::use(owner),
        soci::use(id);
    sql << "DELETE FROM model_aliases WHERE owner = :o AND model_id = :m", soci::use(owner),
        soci::use(id);
    {
      soci::rowset<soci::row> rows =
          (sql.prepare
               << "SELECT b.blob_key FROM query_batches b JOIN queries q ON q.id = b.query_id"
                  " WHERE q.model_owner = :o AND q.model_id = :m",
           soci::use(owner), soci::use(id));
      for (const auto& r : rows) keys.push_back(r.get<std::string>(0));
    }
    {
      soci::rowset<soci::row> rows =
          (sql.prepare << "SELECT results_key FROM queries WHERE model_owner = :o AND model_id = :m"
                          " AND results_key <> ''",
           soci::use(owner), soci::use(id));
      for (const auto& r : rows) keys.push_back(r.get<std::string>(0));
    }
    {
      // The results of batch predictions made with the model go with it.
      soci::rowset<soci::row> rows =
          (sql.prepare << "SELECT p.blob_key FROM batch_parts p JOIN jobs j ON j.id = p.job_id"
                          " WHERE j.owner = :o AND j.model_id = :m",
           soci::use(owner), soci::use(id));
      for (const auto& r : rows) keys.push_back(r.get<std::string>(0));
    }
    sql << "DELETE FROM batch_parts WHERE job_id IN (SELECT id FROM jobs WHERE owner = :o AND "
           "model_id = :m)",
        soci::use(owner), soci::use(id);
    sql << "DELETE FROM query_batches WHERE query_id IN (SELECT id FROM queries"
           " WHERE model_owner = :o AND model_id = :m)",
        soci::use(owner), soci::use(id);
    sql << "DELETE FROM queries WHERE model_owner = :o AND model_id = :m", soci::use(owner),
        soci::use(id);
    // Unfinished jobs of the model end as cancelled; a running worker sees that and stops.
    const std::string cancelled(JobStateName(JobState::kCancelled));
    const std::string now = clock_.Rfc3339();
    sql << "UPDATE jobs SET state = :s, cancel_requested = 1, progress_detail = '', finished_at = "
           ":f"
           " WHERE owner = :o AND model_id = :m AND state IN ('queued', 'running')",
        soci::use(cancelled), soci::use(now), soci::use(owner), soci::use(id);
    sql << "DELETE FROM models WHERE owner = :o AND id = :id", soci::use(owner), soci::use(id);
    RecordModelChange(sql, owner, id, instance_id_);
    // The dataset versions its versions were trained on, where they were kept only for
    // them (their datasets were deleted, and no other model was trained on them).
    std::vector<std::string> freed = ReleaseLineage(sql, owner, datasets);
    keys.insert(keys.end(), freed.begin(), freed.end());
    tx.Commit();
    return keys;
  });
}

Result<MetadataStore::ModelChanges> SqlMetadataStore::ModelChangesSince(int64_t seq) {
  return Locked([&](soci::session& session) -> Result<ModelChanges> {
    ModelChanges out;
    ll latest = 0;
    session << "SELECT value FROM model_generation", soci::into(latest);
    out.latest = latest;
    if (latest <= seq) return out;
    ll since = seq, oldest = 0;
    soci::indicator ind = soci::i_null;
    session << "SELECT MIN(seq) FROM model_changes", soci::into(oldest, ind);
    out.complete = ind == soci::i_ok && oldest <= since + 1;
    // Changes made through this store object (this process) were already applied to its
    // cache by whoever made them; only the others' are news.
    soci::rowset<soci::row> rows =
        (session.prepare << "SELECT owner, model_id FROM model_changes WHERE seq > :s AND seq <= :l"
                            " AND origin <> :me",
         soci::use(since), soci::use(latest), soci::use(instance_id_));
    for (const auto& r : rows)
      out.models.emplace_back(r.get<std::string>(0), r.get<std::string>(1));
    return out;
  });
}

// --- versions ----------------------------------------------------------------------------

Result<std::vector<ModelVersionRecord>> SqlMetadataStore::ListModelVersions(
    const std::string& owner, const std::string& id) {
  return Locked([&](soci::session& session) -> Result<std::vector<ModelVersionRecord>> {
    soci::session& sql = session;
    auto model = FindModel(sql, owner, id);
    if (!model) return Status::NotFound("no model '" + id + "'");
    std::vector<ModelVersionRecord> out;
    soci::rowset<soci::row> rows =
        (sql.prepare << "SELECT " << kVersionColumns
                     << " FROM model_versions WHERE owner = :o AND model_id = :m"
                        " ORDER BY version DESC",
         soci::use(owner), soci::use(id));
    for (const auto& r : rows) {
      out.push_back(ReadModelVersion(r));
      out.back().champion = out.back().version == model->version;
    }
    soci::rowset<soci::row> aliases =
        (sql.prepare << "SELECT alias, version FROM model_aliases WHERE owner = :o AND "
                        "model_id = :m ORDER BY alias COLLATE \"C\"",
         soci::use(owner), soci::use(id));
    for (const auto& r : aliases) {
      for (ModelVersionRecord& v : out) {
        if (v.version == r.get<ll>(1)) v.aliases.push_back(r.get<std::string>(0));
      }
    }
    return out;
  });
}

Result<ModelRecord> SqlMetadataStore::MoveAlias(const std::string& owner, const std::string& id,
                                                const std::string& alias, int64_t version,
                                                const std::string& actor,
                                                const std::string& reason) {
  return Locked([&](soci::session& session) -> Result<ModelRecord> {
    soci::session& sql = session;
    WriteTransaction tx(sql);
    auto model = FindModel(sql, owner, id);
    if (!model) return Status::NotFound("no model '" + id + "'");
    const bool champion = alias == kChampion;
    // Where the alias points now (0: nowhere).
    ll current = model->version;
    if (!champion) {
      soci::indicator ind = soci::i_null;
      current = 0;
      sql << "SELECT version FROM model_aliases WHERE owner = :o AND model_id = :m AND alias = :a",
          soci::use(owner), soci::use(id), soci::use(alias), soci::into(current, ind);
      if (!sql.got_data() || ind != soci::i_ok) current = 0;
    }
    ll target = version;
    if (target == 0 && champion) {
      // The champion before this one: the latest move onto the current champion names it.
      soci::indicator ind = soci::i_null;
      sql << "SELECT from_version FROM model_alias_moves WHERE owner = :o AND model_id = :m"
             " AND alias = :a AND to_version = :v ORDER BY seq DESC LIMIT 1",
          soci::use(owner), soci::use(id), soci::use(alias), soci::use(current),
          soci::into(target, ind);
      if (!sql.got_data() || ind != soci::i_ok || target == 0) {
        return Status::FailedPrecondition("model '" + id +
                                          "' has no earlier champion to roll back to");
      }
    }
    if (target == 0 && current == 0) {
      return Status::NotFound("model '" + id + "' has no alias '" + alias + "'");
    }
    if (target == current) {
      return Status::FailedPrecondition("alias '" + alias + "' names version " +
                                        std::to_string(target) + " already");
    }
    std::optional<ModelVersionRecord> found;
    if (target != 0) {
      found = FindModelVersion(sql, owner, id, target);
      if (!found) {
        return Status::NotFound("model '" + id + "' keeps no version " + std::to_string(target) +
                                " (the newest, as many as the plan keeps, and those an alias "
                                "names are kept)");
      }
    }
    const std::string now = clock_.Rfc3339();
    RecordAliasMove(sql, owner, id, AliasMove{alias, current, target, actor, reason, now});
    if (!champion) {
      sql << "DELETE FROM model_aliases WHERE owner = :o AND model_id = :m AND alias = :a",
          soci::use(owner), soci::use(id), soci::use(alias);
      if (target != 0) {
        sql << "INSERT INTO model_aliases (owner, model_id, alias, version)"
               " VALUES (:o, :m, :a, :v)",
            soci::use(owner), soci::use(id), soci::use(alias), soci::use(target);
      }
    } else {
      ll dv = found->dataset_version;
      sql << "UPDATE models SET version = :v, artifact_key = :a, dataset_id = :d,"
             " dataset_version = :dv, summary_json = :sum, updated_at = :u"
             " WHERE owner = :o AND id = :id",
          soci::use(target), soci::use(found->artifact_key), soci::use(found->dataset_id),
          soci::use(dv), soci::use(found->summary_json), soci::use(now), soci::use(owner),
          soci::use(id);
      RecordModelChange(sql, owner, id, instance_id_);  // other replicas drop their copy
    }
    auto moved = FindModel(sql, owner, id);
    tx.Commit();
    return *moved;
  });
}

Result<std::vector<AliasMove>> SqlMetadataStore::AliasHistory(const std::string& owner,
                                                              const std::string& id) {
  return Locked([&](soci::session& session) -> Result<std::vector<AliasMove>> {
    soci::session& sql = session;
    if (!FindModel(sql, owner, id)) return Status::NotFound("no model '" + id + "'");
    std::vector<AliasMove> out;
    soci::rowset<soci::row> rows =
        (sql.prepare << "SELECT alias, from_version, to_version, actor, reason, moved_at"
                        " FROM model_alias_moves WHERE owner = :o AND model_id = :m"
                        " ORDER BY seq DESC",
         soci::use(owner), soci::use(id));
    for (const auto& r : rows) {
      out.push_back(AliasMove{r.get<std::string>(0), r.get<ll>(1), r.get<ll>(2),
                              r.get<std::string>(3), r.get<std::string>(4), r.get<std::string>(5)});
    }
    return out;
  });
}

}  // namespace diamond::store

namespace diamond::store {

Result<std::vector<std::string>> SqlMetadataStore::DeleteModelVersion(const std::string& owner,
                                                                      const std::string& id,
                                                                      int64_t version) {
  return Locked([&](soci::session& session) -> Result<std::vector<std::string>> {
    soci::session& sql = session;
    WriteTransaction tx(sql);
    auto model = FindModel(sql, owner, id);
    if (!model) return Status::NotFound("no model '" + id + "'");
    auto found = FindModelVersion(sql, owner, id, version);
    if (!found) {
      return Status::NotFound("model '" + id + "' keeps no version " + std::to_string(version));
    }
    if (model->version == version) {
      return Status::FailedPrecondition("version " + std::to_string(version) + " of model '" + id +
                                        "' is the champion (what the model serves): roll back "
                                        "or promote another version first");
    }
    std::string alias;
    ll v = version;
    sql << "SELECT alias FROM model_aliases WHERE owner = :o AND model_id = :m AND version = :v"
           " ORDER BY alias COLLATE \"C\" LIMIT 1",
        soci::use(owner), soci::use(id), soci::use(v), soci::into(alias);
    if (sql.got_data()) {
      return Status::FailedPrecondition("version " + std::to_string(version) + " of model '" + id +
                                        "' is named by alias '" + alias +
                                        "': remove the alias "
                                        "first");
    }
    sql << "DELETE FROM model_versions WHERE owner = :o AND model_id = :m AND version = :v",
        soci::use(owner), soci::use(id), soci::use(v);
    std::vector<std::string> keys = {found->artifact_key};
    std::vector<std::string> freed = ReleaseLineage(sql, owner, {found->dataset_id});
    keys.insert(keys.end(), freed.begin(), freed.end());
    tx.Commit();
    return keys;
  });
}

Status SqlMetadataStore::StartReproduction(const JobRecord& job, int64_t version,
                                           const TrainingLimits& limits) {
  return Locked([&](soci::session& session) -> Status {
    soci::session& sql = session;
    WriteTransaction tx(sql);
    if (!FindModel(sql, job.owner, job.model_id)) {
      return Status::NotFound("no model '" + job.model_id + "'");
    }
    if (!FindModelVersion(sql, job.owner, job.model_id, version)) {
      return Status::NotFound("model '" + job.model_id + "' keeps no version " +
                              std::to_string(version));
    }
    ll active = 0;
    sql << "SELECT COUNT(*) FROM jobs WHERE owner = :o AND state IN ('queued', 'running')",
        soci::use(job.owner), soci::into(active);
    if (Status s = CheckTrainingJobs(active, limits.max_training_jobs); !s.ok()) return s;
    const std::string now = clock_.Rfc3339();
    const std::string queued(JobStateName(JobState::kQueued));
    sql << "INSERT INTO jobs (" << kJobColumns
        << ") VALUES (:o, :id, :k, :m, :s, 0, '', :p, 0, 0, :c, '', '', '')",
        soci::use(job.owner), soci::use(job.id), soci::use(job.kind), soci::use(job.model_id),
        soci::use(queued), soci::use(job.payload_json), soci::use(now);
    tx.Commit();
    return Status::Ok();
  });
}

Status SqlMetadataStore::FinishReproduction(const std::string& job_id, int64_t attempt,
                                            int64_t version, const std::string& result_json,
                                            const std::string& detail) {
  return Locked([&](soci::session& session) -> Status {
    soci::session& sql = session;
    WriteTransaction tx(sql);
    auto job = HeldJob(sql, job_id, attempt);
    if (!job.ok()) return job.status();
    ll v = version;
    soci::statement st =
        (sql.prepare << "UPDATE model_versions SET reproduction_json = :r WHERE owner = :o AND"
                        " model_id = :m AND version = :v",
         soci::use(result_json), soci::use(job->owner), soci::use(job->model_id), soci::use(v));
    st.execute(true);
    if (st.get_affected_rows() == 0) {
      return Status::NotFound("version " + std::to_string(version) + " of model '" + job->model_id +
                              "' was deleted while it was reproduced");
    }
    const std::string now = clock_.Rfc3339();
    const std::string succeeded(JobStateName(JobState::kSucceeded));
    sql << "UPDATE jobs SET state = :s, progress = 1, progress_detail = :d, lease_owner = '',"
           " finished_at = :f WHERE id = :id",
        soci::use(succeeded), soci::use(detail), soci::use(now), soci::use(job_id);
    tx.Commit();
    return Status::Ok();
  });
}

}  // namespace diamond::store
