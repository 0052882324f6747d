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

Result<DatasetRecord> DatasetService::WriteVersion(
    const std::string& owner, const std::string& id, DatasetVersionWriter::Mode mode,
    const Limits& limits, const std::function<Status(DatasetVersionWriter&)>& add_rows,
    bool* created) {
  return UntilNotRaced(owner, id, [&]() -> Result<DatasetRecord> {
    auto current = dataset_store_.GetDataset(owner, id);
    if (!current.ok() && current.status().code() != StatusCode::kNotFound) return current.status();
    if (created) *created = !current.ok();
    auto writer = DatasetVersionWriter::Begin(blobs_, owner, id, current.ok() ? &*current : nullptr,
                                              mode, limits);
    if (!writer.ok()) return writer.status();
    if (Status s = add_rows(**writer); !s.ok()) return s;
    auto committed =
        (*writer)->Finish([&](int64_t expected_current, const DatasetVersion& version) {
          return dataset_store_.CommitDatasetVersion(owner, id, expected_current, version,
                                                     limits.storage);
        });
    if (committed.ok() && storage_changed_) storage_changed_(owner);
    return committed;
  });
}

namespace {

// The rows of a request, counted against the row limit before any is staged.
std::function<Status(DatasetVersionWriter&)> AddingEach(std::span<const Diamond> stones) {
  return [stones](DatasetVersionWriter& writer) -> Status {
    if (Status s = writer.ExpectRows(static_cast<int64_t>(stones.size())); !s.ok()) return s;
    for (const auto& stone : stones) {
      if (Status s = writer.Add(stone); !s.ok()) return s;
    }
    return Status::Ok();
  };
}

}  // namespace

Result<DatasetRecord> DatasetService::Replace(const std::string& owner, const std::string& id,
                                              std::span<const Diamond> stones, const Limits& limits,
                                              bool* created) {
  return WriteVersion(owner, id, DatasetVersionWriter::Mode::kReplace, limits, AddingEach(stones),
                      created);
}

Result<DatasetRecord> DatasetService::Append(const std::string& owner, const std::string& id,
                                             std::span<const Diamond> stones,
                                             const Limits& limits) {
  return WriteVersion(owner, id, DatasetVersionWriter::Mode::kAppend, limits, AddingEach(stones),
                      nullptr);
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
