#include "service/dataset_version_writer.h"

#include <istream>

#include "core/diamond_json.h"
#include "core/ids.h"
#include "store/blob_chain_source.h"
#include "store/blob_gc.h"

namespace diamond::service {

DatasetVersionWriter::DatasetVersionWriter(store::BlobStore& blobs, std::string owner,
                                           std::string id, DatasetLimits limits,
                                           const std::string& temp_dir, Sha256 hash)
    : blobs_(blobs),
      owner_(std::move(owner)),
      id_(std::move(id)),
      limits_(limits),
      staged_(temp_dir, std::move(hash)) {}

std::string DatasetVersionWriter::NewSegmentKey(const std::string& owner, const std::string& id,
                                                int64_t version) {
  return "datasets/" + owner + "/" + id + "/v" + std::to_string(version) + "-" +
         NewId().substr(0, 8) + ".csv";
}

Result<Sha256> DatasetVersionWriter::ResumeHash(const store::BlobStore& blobs,
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

Result<std::unique_ptr<DatasetVersionWriter>> DatasetVersionWriter::Begin(
    store::BlobStore& blobs, const std::string& owner, const std::string& id,
    const DatasetRecord* current, Mode mode, const DatasetLimits& limits,
    const std::string& temp_dir) {
  if (mode == Mode::kReplace) {
    std::unique_ptr<DatasetVersionWriter> writer(
        new DatasetVersionWriter(blobs, owner, id, limits, temp_dir, Sha256()));
    if (!writer->staged_.opened())
      return Status::IoError("cannot create a staging file for the dataset's rows");
    writer->expected_current_ = current ? current->current.version : 0;
    writer->staged_.Write(kCanonicalCsvHeader);
    return writer;
  }
  if (!current) return Status::NotFound("no dataset '" + id + "'");
  const DatasetVersion& base = current->current;
  auto parsed = ParseJson(base.stats_json);
  if (!parsed.ok()) return Status::Corruption("dataset '" + id + "': " + parsed.status().message());
  auto stats = DatasetStats::FromJson(*parsed);
  if (!stats.ok()) return stats.status();
  // Past kMaxSegments the base is copied with the new rows into one segment, hashed anew.
  const bool compact = base.segments.size() >= kMaxSegments;
  Sha256 hash;
  if (!compact) {
    auto resumed = ResumeHash(blobs, base);
    if (!resumed.ok()) return resumed.status();
    hash = std::move(resumed).value();
  }
  std::unique_ptr<DatasetVersionWriter> writer(
      new DatasetVersionWriter(blobs, owner, id, limits, temp_dir, std::move(hash)));
  if (!writer->staged_.opened())
    return Status::IoError("cannot create a staging file for the dataset's rows");
  writer->expected_current_ = base.version;
  writer->stats_ = std::move(stats).value();
  writer->rows_ = base.rows;
  if (compact) {
    for (const auto& segment : base.segments) {
      if (Status s = blobs.GetTo(segment.blob_key, writer->staged_.stream()); !s.ok()) return s;
    }
  } else {
    writer->kept_ = base.segments;
    writer->kept_bytes_ = base.bytes;
    writer->rows_before_ = base.rows;
  }
  return writer;
}

Status DatasetVersionWriter::ExpectRows(int64_t more) const {
  if (rows_ + more <= limits_.max_rows) return Status::Ok();
  return Status::LimitExceeded("max_dataset_rows", limits_.max_rows,
                               "the dataset would have " + std::to_string(rows_ + more) +
                                   " rows; the plan allows " + std::to_string(limits_.max_rows) +
                                   " (nothing was written)");
}

Status DatasetVersionWriter::Add(const Diamond& stone) {
  if (rows_ + 1 > limits_.max_rows) {
    return Status::LimitExceeded("max_dataset_rows", limits_.max_rows,
                                 "the dataset would have more than " + std::to_string(rows_) +
                                     " rows; the plan allows " + std::to_string(limits_.max_rows) +
                                     " (nothing was written)");
  }
  ++rows_;
  stats_.Add(stone);
  staged_.Add(stone);
  if (kept_bytes_ + staged_.bytes() > limits_.storage.max_stored_bytes) {
    return Status::LimitExceeded("max_stored_bytes", limits_.storage.max_stored_bytes,
                                 "the dataset would be larger than the plan stores (" +
                                     std::to_string(limits_.storage.max_stored_bytes) +
                                     " bytes); nothing was written");
  }
  return Status::Ok();
}

Result<DatasetRecord> DatasetVersionWriter::Finish(const Commit& commit) {
  if (Status s = staged_.Finish(); !s.ok()) return s;
  DatasetVersion version;
  version.version = expected_current_ + 1;
  version.segments = kept_;
  version.rows = rows_;
  version.bytes = kept_bytes_ + staged_.bytes();
  version.sha256_state = staged_.sha256_state();
  version.sha256 = staged_.sha256();
  version.stats_json = stats_.ToJson().dump();
  // An append of no rows keeps the base's segments as they are (a version all the same).
  std::string written;
  if (staged_.bytes() > 0) {
    written = NewSegmentKey(owner_, id_, version.version);
    std::istream in(&staged_.contents());
    if (Status s = blobs_.PutFrom(written, in); !s.ok()) return s;
    version.segments.push_back({written, rows_ - rows_before_, staged_.bytes()});
  }
  auto committed = commit(expected_current_, version);
  if (!committed.ok() && !written.empty()) {
    store::DeleteUnreferencedBlobs(blobs_, {written});  // never referenced
  }
  return committed;
}

}  // namespace diamond::service
