#include "service/dataset_service.h"

#include <chrono>
#include <random>
#include <thread>

#include "core/byte_source.h"
#include "core/dataset_stats.h"
#include "core/diamond_csv.h"
#include "core/diamond_csv_writer.h"
#include "core/diamond_json.h"
#include "core/ids.h"
#include "core/sha256.h"
#include "store/blob_chain_source.h"

namespace diamond::service {
namespace {

// A write beaten to its commit by another writer (another process on the same database:
// in-process writers take turns) rebuilds on the new version and tries again, after a
// short random pause, for up to this long: an append is never refused for being raced
// (the original service never refused one), only for a store that keeps failing.
constexpr auto kRacedRetryFor = std::chrono::seconds(60);

}  // namespace

Status DatasetService::CheckRowLimit(int64_t rows, int64_t max_rows) const {
  if (rows <= max_rows) return Status::Ok();
  return Status::LimitExceeded("max_dataset_rows", max_rows,
                               "the dataset would have " + std::to_string(rows) +
                                   " rows; the plan allows " + std::to_string(max_rows));
}

std::string DatasetService::NewSegmentKey(const std::string& owner, const std::string& id,
                                          int64_t version) {
  return "datasets/" + owner + "/" + id + "/v" + std::to_string(version) + "-" +
         NewId().substr(0, 8) + ".csv";
}

Result<Sha256> DatasetService::ResumeHash(const store::BlobStore& blobs,
                                          const DatasetVersion& base) {
  if (auto resumed = Sha256::Resume(base.sha256_state)) return std::move(*resumed);
  Sha256 hash;
  store::BlobChainSource source(blobs, store::SegmentKeys(base));
  std::string buffer(1 << 20, '\0');
  while (true) {
    auto n = source.Read(buffer.data(), buffer.size());
    if (!n.ok()) return n.status();
    if (*n == 0) break;
    hash.Update(std::string_view(buffer.data(), *n));
  }
  return hash;
}

Result<DatasetRecord> DatasetService::WriteVersion(
    const std::string& owner, const std::string& id, int64_t expected_current,
    std::vector<DatasetSegment> kept, std::string_view bytes, int64_t new_rows, Sha256 hash,
    const std::string& stats_json, const store::DatasetStore::StorageLimits& limits) {
  DatasetVersion version;
  version.version = expected_current + 1;
  version.segments = std::move(kept);
  version.stats_json = stats_json;
  auto parsed = ParseJson(stats_json);
  auto stats =
      parsed.ok() ? DatasetStats::FromJson(*parsed) : Result<DatasetStats>(parsed.status());
  if (!stats.ok()) return stats.status();
  version.rows = stats->rows();
  hash.Update(bytes);
  version.sha256_state = hash.SaveState();
  version.sha256 = hash.HexDigest();
  std::string written;
  if (!bytes.empty() || version.segments.empty()) {
    written = NewSegmentKey(owner, id, version.version);
    if (Status s = blobs_.Put(written, bytes); !s.ok()) return s;
    version.segments.push_back({written, new_rows, static_cast<int64_t>(bytes.size())});
  }
  for (const auto& segment : version.segments) version.bytes += segment.bytes;
  auto committed =
      dataset_store_.CommitDatasetVersion(owner, id, expected_current, version, limits);
  if (!committed.ok()) {
    if (!written.empty()) store::DeleteUnreferencedBlobs(blobs_, {written});  // never referenced
    return committed.status();
  }
  if (storage_changed_) storage_changed_(owner);
  return committed;
}

Result<DatasetRecord> DatasetService::UntilNotRaced(
    const std::string& owner, const std::string& id,
    const std::function<Result<DatasetRecord>()>& attempt) {
  MutexLock turn(writers_[std::hash<std::string>{}(owner + '/' + id) % writers_.size()]);
  const auto give_up = std::chrono::steady_clock::now() + kRacedRetryFor;
  thread_local std::minstd_rand jitter(std::random_device{}());
  for (int pause_ms = 1;; pause_ms = std::min(pause_ms * 2, 64)) {
    auto written = attempt();
    if (written.ok() || written.status().code() != StatusCode::kFailedPrecondition) return written;
    if (std::chrono::steady_clock::now() >= give_up) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(1 + jitter() % pause_ms));
  }
  return Status::FailedPrecondition("dataset '" + id + "' is being changed by others; try again");
}

Result<DatasetRecord> DatasetService::Replace(const std::string& owner, const std::string& id,
                                              std::span<const Diamond> stones, const Limits& limits,
                                              bool* created) {
  if (Status s = CheckRowLimit(static_cast<int64_t>(stones.size()), limits.max_rows); !s.ok())
    return s;
  DatasetStats stats;
  stats.AddAll(stones);
  const std::string csv = StonesToCanonicalCsv(stones);
  const std::string stats_json = stats.ToJson().dump();
  return UntilNotRaced(owner, id, [&]() -> Result<DatasetRecord> {
    auto current = dataset_store_.GetDataset(owner, id);
    if (!current.ok() && current.status().code() != StatusCode::kNotFound) return current.status();
    const int64_t expected = current.ok() ? current->current.version : 0;
    *created = !current.ok();
    return WriteVersion(owner, id, expected, {}, csv, static_cast<int64_t>(stones.size()), Sha256(),
                        stats_json, limits.storage);
  });
}

Result<DatasetRecord> DatasetService::Append(const std::string& owner, const std::string& id,
                                             std::span<const Diamond> stones,
                                             const Limits& limits) {
  DatasetStats added;
  added.AddAll(stones);
  std::string rows;
  for (const auto& stone : stones) AppendCsvRow(stone, &rows);
  return UntilNotRaced(owner, id, [&]() -> Result<DatasetRecord> {
    auto current = dataset_store_.GetDataset(owner, id);
    if (!current.ok()) return current.status();
    if (Status s = CheckRowLimit(current->current.rows + static_cast<int64_t>(stones.size()),
                                 limits.max_rows);
        !s.ok()) {
      return s;
    }
    const DatasetVersion& base = current->current;
    auto parsed = ParseJson(base.stats_json);
    if (!parsed.ok())
      return Status::Corruption("dataset '" + id + "': " + parsed.status().message());
    auto stats = DatasetStats::FromJson(*parsed);
    if (!stats.ok()) return stats.status();
    stats->Merge(added);
    if (base.segments.size() >= kMaxSegments) {
      // Rewritten as one segment: the base's rows are read once, and copied.
      auto csv = ReadSegments(store::SegmentKeys(base));
      if (!csv.ok()) return csv.status();
      std::string combined = std::move(csv).value();
      combined += rows;
      return WriteVersion(owner, id, base.version, {}, combined, stats->rows(), Sha256(),
                          stats->ToJson().dump(), limits.storage);
    }
    auto hash = ResumeHash(blobs_, base);
    if (!hash.ok()) return hash.status();
    return WriteVersion(owner, id, base.version, base.segments, rows,
                        static_cast<int64_t>(stones.size()), std::move(hash).value(),
                        stats->ToJson().dump(), limits.storage);
  });
}

Result<DatasetRecord> DatasetService::Get(const std::string& owner, const std::string& id) {
  return dataset_store_.GetDataset(owner, id);
}

Result<std::pair<std::vector<DatasetRecord>, int64_t>> DatasetService::List(
    const std::string& owner, Page page) {
  return dataset_store_.ListDatasets(owner, page);
}

Status DatasetService::Delete(const std::string& owner, const std::string& id) {
  auto keys = dataset_store_.DeleteDataset(owner, id);
  if (!keys.ok()) return keys.status();
  if (storage_changed_) storage_changed_(owner);
  // The metadata no longer points at these; a crash here leaves only unreferenced blobs.
  store::DeleteUnreferencedBlobs(blobs_, *keys);
  return Status::Ok();
}

Status DatasetService::DeleteVersion(const std::string& owner, const std::string& id,
                                     int64_t version) {
  auto keys = dataset_store_.DeleteDatasetVersion(owner, id, version);
  if (!keys.ok()) return keys.status();
  if (storage_changed_) storage_changed_(owner);
  store::DeleteUnreferencedBlobs(blobs_, *keys);
  return Status::Ok();
}

Result<std::vector<DatasetVersion>> DatasetService::Versions(const std::string& owner,
                                                             const std::string& id) {
  return dataset_store_.ListDatasetVersions(owner, id);
}

Result<std::string> DatasetService::ReadSegments(
    const std::vector<std::string>& segment_keys) const {
  std::string csv;
  for (const auto& key : segment_keys) {
    auto bytes = blobs_.Get(key);
    if (!bytes.ok()) return bytes.status();
    csv += *bytes;
  }
  return csv;
}

Result<std::unique_ptr<RangeReader>> DatasetService::ReadCurrent(const std::string& owner,
                                                                 const std::string& id) {
  auto current = dataset_store_.GetDataset(owner, id);
  if (!current.ok()) return current.status();
  std::vector<store::BlobExtent> extents;
  for (const auto& segment : current->current.segments)
    extents.push_back({segment.blob_key, segment.bytes});
  return std::unique_ptr<RangeReader>(
      std::make_unique<store::BlobRangeReader>(blobs_, std::move(extents)));
}

Result<std::vector<Diamond>> DatasetService::LoadVersion(
    const std::vector<std::string>& segment_keys) {
  store::BlobChainSource source(blobs_, segment_keys);
  auto table = LoadDiamondsCsv(source, LoadOptions{});
  if (!table.ok()) {
    const std::string first =
        segment_keys.empty() ? std::string("(no segments)") : segment_keys.front();
    return Status::Corruption("stored dataset " + first + ": " + table.status().message());
  }
  return std::move(table->stones);
}

}  // namespace diamond::service
