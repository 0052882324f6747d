#include "service/dataset_service.h"

#include "core/byte_source.h"
#include "core/dataset_stats.h"
#include "core/diamond_csv.h"
#include "core/diamond_csv_writer.h"
#include "core/diamond_json.h"
#include "core/sha256.h"
#include "core/ids.h"

namespace diamond::service {
namespace {

// Appends that lose a race against another writer rebuild on the new version and retry.
constexpr int kMaxAttempts = 5;

}  // namespace

Status DatasetService::CheckRowLimit(int64_t rows, int64_t max_rows) const {
  if (rows <= max_rows) return Status::Ok();
  return Status::LimitExceeded("max_dataset_rows", max_rows,
                               "the dataset would have " + std::to_string(rows) +
                                   " rows; the plan allows " + std::to_string(max_rows));
}

Result<store::DatasetRecord> DatasetService::WriteVersion(const std::string& owner,
                                                          const std::string& id,
                                                          int64_t expected_current,
                                                          std::string csv,
                                                          const std::string& stats_json,
                                                          const store::MetadataStore::StorageLimits& limits) {
  store::DatasetVersion version;
  version.version = expected_current + 1;
  // A random suffix: a retried or raced write never overwrites a committed version's blob.
  version.blob_key = "datasets/" + owner + "/" + id + "/v" + std::to_string(version.version) + "-" +
                     NewId().substr(0, 8) + ".csv";
  version.bytes = static_cast<int64_t>(csv.size());
  version.sha256 = Sha256Hex(csv);
  version.stats_json = stats_json;
  auto parsed = ParseJson(stats_json);
  auto stats = parsed.ok() ? DatasetStats::FromJson(*parsed) : Result<DatasetStats>(parsed.status());
  if (!stats.ok()) return stats.status();
  version.rows = stats->rows();
  if (Status s = blobs_.Put(version.blob_key, csv); !s.ok()) return s;
  auto committed = metadata_.CommitDatasetVersion(owner, id, expected_current, version, limits);
  if (!committed.ok()) {
    store::DeleteUnreferencedBlobs(blobs_, {version.blob_key});  // never referenced
    return committed.status();
  }
  if (storage_changed_) storage_changed_(owner);
  return committed;
}

Result<store::DatasetRecord> DatasetService::Replace(const std::string& owner,
                                                     const std::string& id,
                                                     std::span<const Diamond> stones,
                                                     const Limits& limits, bool* created) {
  if (Status s = CheckRowLimit(static_cast<int64_t>(stones.size()), limits.max_rows); !s.ok()) return s;
  DatasetStats stats;
  stats.AddAll(stones);
  const std::string csv = StonesToCanonicalCsv(stones);
  const std::string stats_json = stats.ToJson().dump();
  for (int attempt = 0; attempt < kMaxAttempts; ++attempt) {
    auto current = metadata_.GetDataset(owner, id);
    if (!current.ok() && current.status().code() != StatusCode::kNotFound) return current.status();
    const int64_t expected = current.ok() ? current->current.version : 0;
    *created = !current.ok();
    auto written = WriteVersion(owner, id, expected, csv, stats_json, limits.storage);
    if (written.ok() || written.status().code() != StatusCode::kFailedPrecondition) return written;
  }
  return Status::FailedPrecondition("dataset '" + id + "' is being changed by others; try again");
}

Result<store::DatasetRecord> DatasetService::Append(const std::string& owner,
                                                    const std::string& id,
                                                    std::span<const Diamond> stones,
                                                    const Limits& limits) {
  DatasetStats added;
  added.AddAll(stones);
  std::string rows;
  for (const auto& stone : stones) AppendCsvRow(stone, &rows);
  for (int attempt = 0; attempt < kMaxAttempts; ++attempt) {
    auto current = metadata_.GetDataset(owner, id);
    if (!current.ok()) return current.status();
    if (Status s = CheckRowLimit(current->current.rows + static_cast<int64_t>(stones.size()), limits.max_rows);
        !s.ok()) {
      return s;
    }
    auto csv = blobs_.Get(current->current.blob_key);
    if (!csv.ok()) return csv.status();
    auto parsed = ParseJson(current->current.stats_json);
    if (!parsed.ok()) return Status::Corruption("dataset '" + id + "': " + parsed.status().message());
    auto stats = DatasetStats::FromJson(*parsed);
    if (!stats.ok()) return stats.status();
    stats->Merge(added);
    std::string combined = std::move(csv).value();
    combined += rows;
    auto written =
        WriteVersion(owner, id, current->current.version, std::move(combined), stats->ToJson().dump(),
                     limits.storage);
    if (written.ok() || written.status().code() != StatusCode::kFailedPrecondition) return written;
  }
  return Status::FailedPrecondition("dataset '" + id + "' is being changed by others; try again");
}

Result<store::DatasetRecord> DatasetService::Get(const std::string& owner, const std::string& id) {
  return metadata_.GetDataset(owner, id);
}

Result<std::pair<std::vector<store::DatasetRecord>, int64_t>> DatasetService::List(
    const std::string& owner, store::Page page) {
  return metadata_.ListDatasets(owner, page);
}

Status DatasetService::Delete(const std::string& owner, const std::string& id) {
  auto keys = metadata_.DeleteDataset(owner, id);
  if (!keys.ok()) return keys.status();
  if (storage_changed_) storage_changed_(owner);
  // The metadata no longer points at these; a crash here leaves only unreferenced blobs.
  store::DeleteUnreferencedBlobs(blobs_, *keys);
  return Status::Ok();
}

Status DatasetService::DeleteVersion(const std::string& owner, const std::string& id, int64_t version) {
  auto key = metadata_.DeleteDatasetVersion(owner, id, version);
  if (!key.ok()) return key.status();
  if (storage_changed_) storage_changed_(owner);
  store::DeleteUnreferencedBlobs(blobs_, {*key});
  return Status::Ok();
}

Result<std::vector<store::DatasetVersion>> DatasetService::Versions(const std::string& owner,
                                                                   const std::string& id) {
  return metadata_.ListDatasetVersions(owner, id);
}

Result<std::string> DatasetService::CurrentCsv(const std::string& owner, const std::string& id) {
  auto current = metadata_.GetDataset(owner, id);
  if (!current.ok()) return current.status();
  return blobs_.Get(current->current.blob_key);
}

Result<std::vector<Diamond>> DatasetService::LoadVersion(const std::string& blob_key) {
  auto csv = blobs_.Get(blob_key);
  if (!csv.ok()) return csv.status();
  StringSource source(*csv);
  auto table = LoadDiamondsCsv(source, LoadOptions{});
  if (!table.ok()) return Status::Corruption("stored dataset " + blob_key + ": " + table.status().message());
  return std::move(table->stones);
}

}  // namespace diamond::service
