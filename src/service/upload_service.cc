#include "service/upload_service.h"

#include <istream>
#include <ostream>

#include "base/clock.h"
#include "base/logger.h"
#include "core/byte_source.h"
#include "core/csv_chunker.h"
#include "core/diamond_json.h"
#include "core/diamond_text_reader.h"
#include "core/ids.h"
#include "core/sha256.h"
#include "core/upload_rules.h"
#include "service/dataset_version_writer.h"
#include "store/blob_chain_source.h"
#include "store/blob_gc.h"

namespace diamond::service {
namespace {

constexpr int kMaxAttempts = 5;  // completions that lose a race with another writer retry
constexpr size_t kMaxErrors = 100;
constexpr size_t kValidateChunkBytes = 1 << 20;  // of CSV text decoded at a time

Status BeingCompleted(const std::string& id) {
  return Status::FailedPrecondition(
      "upload '" + id +
      "' is closed to parts by a completion: wait for it to end (a failed completion "
      "opens the upload again; if it could not, completing again does)");
}

}  // namespace

UploadService::UploadService(store::DatasetStore& dataset_store, store::UploadStore& upload_store,
                             store::BlobStore& blobs,
                             DatasetService::StorageObserver storage_changed, Options options,
                             const Clock& clock)
    : dataset_store_(dataset_store),
      upload_store_(upload_store),
      blobs_(blobs),
      storage_changed_(std::move(storage_changed)),
      options_(std::move(options)),
      clock_(clock) {}

Result<UploadRecord> UploadService::Create(const std::string& owner, const std::string& dataset_id,
                                           UploadFormat format, UploadMode mode) {
  if (mode == UploadMode::kAppend) {
    auto dataset = dataset_store_.GetDataset(owner, dataset_id);
    if (!dataset.ok()) return dataset.status();
  }
  UploadRecord upload;
  upload.owner = owner;
  upload.id = NewId();
  upload.dataset_id = dataset_id;
  upload.format = format;
  upload.mode = mode;
  upload.state = UploadState::kOpen;
  upload.created_at = clock_.Rfc3339();
  upload.expires_ms =
      clock_.UnixMs() +
      std::chrono::duration_cast<std::chrono::milliseconds>(options_.expiry).count();
  // The parts go to the blob store's own parts (an S3 multipart upload; part files).
  upload.parts_key = NewPartsKey(owner, upload.id);
  auto handle = blobs_.StartParts(upload.parts_key);
  if (!handle.ok()) return handle.status();
  upload.parts_id = std::move(handle).value();
  if (Status s = upload_store_.CreateUpload(upload); !s.ok()) {
    AbortParts(upload.parts_key, upload.parts_id);
    return s;
  }
  return upload;
}

std::string UploadService::NewPartsKey(const std::string& owner, const std::string& id) {
  // A new key for each set of parts: a blob assembled by an earlier completion is never
  // taken for the parts of a later one.
  return "uploads/" + owner + "/" + id + "/parts-" + NewId().substr(0, 8);
}

void UploadService::AbortParts(const std::string& key, const std::string& parts_id) {
  if (Status s = blobs_.AbortParts(key, parts_id); !s.ok()) {
    Log(LogLevel::kWarn,
        "could not abort an upload's parts; the store's expiry of parts must remove them",
        {{"key", key}, {"error", s.message()}});
  }
}

Result<UploadPart> UploadService::PutPart(const std::string& owner, const std::string& id,
                                          int64_t part, std::string_view bytes,
                                          const std::optional<std::string>& expected_sha256,
                                          int64_t max_upload_bytes) {
  UploadPart record;
  record.part = part;
  record.bytes = static_cast<int64_t>(bytes.size());
  record.sha256 = Sha256Hex(bytes);
  if (expected_sha256 && *expected_sha256 != record.sha256) {
    return Status::InvalidArgument("checksum: the part's SHA-256 is " + record.sha256 +
                                   ", not the " + *expected_sha256 +
                                   " sent; the part was not stored");
  }
  auto listed = Get(owner, id);  // NotFound for another tenant's upload, before any blob is written
  if (!listed.ok()) return listed.status();
  if (Status s = CheckTakesParts(listed->first); !s.ok()) return s;
  int64_t total = record.bytes;
  for (const auto& p : listed->second) total += p.part == part ? 0 : p.bytes;
  if (total > max_upload_bytes) {
    return Status::LimitExceeded("max_stored_bytes", max_upload_bytes,
                                 "the upload's parts would hold " + std::to_string(total) +
                                     " bytes; the plan stores at most " +
                                     std::to_string(max_upload_bytes));
  }
  const UploadRecord& upload = listed->first;
  if (!upload.parts_key.empty()) {
    if (upload.parts_closed) return BeingCompleted(id);
    auto tag = blobs_.PutPart(upload.parts_key, upload.parts_id, part, bytes);
    if (!tag.ok())
      return tag.status().code() == StatusCode::kNotFound ? BeingCompleted(id) : tag.status();
    record.etag = std::move(tag).value();
    // Refused if a completion closed the parts meanwhile: the client is told, and sends
    // the part again once that completion has failed (or it committed without it).
    auto recorded = upload_store_.PutUploadPart(owner, id, record, upload.parts_id);
    if (!recorded.ok()) return recorded.status();
    return record;
  }
  // An upload opened before schema v9: each part is a blob of its own, under a fresh key
  // per send (a re-sent part never overwrites bytes a completion may be reading).
  record.blob_key =
      "uploads/" + owner + "/" + id + "/part-" + std::to_string(part) + "-" + NewId().substr(0, 8);
  if (Status s = blobs_.Put(record.blob_key, bytes); !s.ok()) return s;
  auto replaced = upload_store_.PutUploadPart(owner, id, record, "");
  if (!replaced.ok()) {
    store::DeleteUnreferencedBlobs(blobs_, {record.blob_key});
    return replaced.status();
  }
  if (!replaced->empty()) store::DeleteUnreferencedBlobs(blobs_, {*replaced});
  return record;
}

Result<std::pair<UploadRecord, std::vector<UploadPart>>> UploadService::Get(
    const std::string& owner, const std::string& id) {
  auto upload = upload_store_.GetUpload(owner, id);
  if (!upload.ok()) return upload.status();
  // Past its expiry an upload is gone, whether or not a GC round has deleted it yet.
  if (upload->expires_ms < clock_.UnixMs())
    return Status::NotFound("no upload '" + id + "' (it expired)");
  auto parts = upload_store_.ListUploadParts(owner, id);
  if (!parts.ok()) return parts.status();
  return std::make_pair(std::move(upload).value(), std::move(parts).value());
}

Status UploadService::CheckParts(const std::vector<UploadPart>& parts) const {
  if (parts.empty())
    return Status::FailedPrecondition("the upload has no parts yet: send part 1 first");
  std::string missing;
  int64_t expected = 1;
  for (const auto& p : parts) {
    for (; expected < p.part && missing.size() < 200; ++expected)
      missing += (missing.empty() ? "" : ", ") + std::to_string(expected);
    expected = p.part + 1;
  }
  if (!missing.empty()) {
    return Status::FailedPrecondition("parts are missing: " + missing +
                                      " (parts are numbered 1, 2, 3, ... without gaps)");
  }
  for (size_t i = 0; i + 1 < parts.size(); ++i) {
    if (parts[i].bytes < options_.min_part_bytes) {
      return Status::FailedPrecondition("part " + std::to_string(parts[i].part) + " has " +
                                        std::to_string(parts[i].bytes) +
                                        " bytes; every part but the last needs at least " +
                                        std::to_string(options_.min_part_bytes));
    }
  }
  return Status::Ok();
}

Result<std::optional<JobRecord>> UploadService::QueueIfLarge(const std::string& owner,
                                                             const std::string& id,
                                                             const DatasetService::Limits& limits) {
  auto listed = Get(owner, id);
  if (!listed.ok()) return listed.status();
  const auto& [upload, parts] = *listed;
  if (upload.state == UploadState::kCompleted) return CheckNotCompleted(upload);
  int64_t bytes = 0;
  for (const auto& p : parts) bytes += p.bytes;
  if (upload.state == UploadState::kOpen) {
    if (Status s = CheckParts(parts); !s.ok()) return s;
    if (bytes <= options_.background_bytes) return std::optional<JobRecord>();
  }
  // The plan's limits as they were when the completion was asked for.
  const JobRecord job =
      NewJob(owner, kUploadCompleteJobKind, "",
             UploadCompleteJobPayload{id, upload.dataset_id, bytes, limits.max_rows,
                                      limits.storage.max_stored_bytes, limits.storage.max_datasets}
                 .ToJson());
  auto queued = upload_store_.QueueUploadCompletion(owner, id, job);
  if (!queued.ok()) return queued.status();
  return std::optional<JobRecord>(std::move(queued).value());
}

Result<DatasetRecord> UploadService::Complete(const std::string& owner, const std::string& id,
                                              const DatasetService::Limits& limits,
                                              InvalidRows* invalid, const std::string& job_id) {
  Status last = Status::FailedPrecondition(
      "the dataset is being changed by others; complete the upload again");
  for (int attempt = 0; attempt < kMaxAttempts; ++attempt) {
    auto listed = Get(owner, id);
    if (!listed.ok()) return listed.status();
    const auto& [upload, parts] = *listed;
    if (Status s = CheckCompletable(upload, job_id); !s.ok()) return s;
    // A job's parts were checked when it was queued (by the server that knows the minimum
    // part size) and cannot change while it completes them.
    if (Status s = job_id.empty() ? CheckParts(parts) : Status::Ok(); !s.ok()) return s;
    if (!upload.parts_key.empty() && !upload.parts_closed) {
      // Close the parts first (a part sent from now on is refused), then read them again:
      // the list assembled is the one closed.
      Status closed = upload_store_.SetUploadParts(owner, id, upload.parts_id, upload.parts_key,
                                                   upload.parts_id, true, {});
      if (!closed.ok() && closed.code() != StatusCode::kFailedPrecondition) return closed;
      continue;
    }
    auto sources = Assemble(upload, parts);
    if (!sources.ok()) return sources.status();
    auto done = CompleteOnce(upload, job_id, parts, *sources, limits, invalid);
    if (done.ok()) {
      // The rows are in the dataset now; the parts are not needed (the record stays, so a
      // second completion is told it was completed, until the upload expires).
      store::DeleteUnreferencedBlobs(blobs_, *sources);
      if (storage_changed_) storage_changed_(owner);
      return done;
    }
    // The commit refused: another writer changed the dataset under this completion (build
    // again on its version), or another completion of this upload won (the next look at
    // the upload says so). Anything else ends this completion: the parts are opened again.
    if (done.status().code() != StatusCode::kFailedPrecondition) {
      // A completion racing this one may have committed (and removed the blob this one
      // was reading): then that is the answer.
      auto now = upload_store_.GetUpload(owner, id);
      if (now.ok() && now->state == UploadState::kCompleted) return CheckCompletable(*now, job_id);
      Reopen(upload, parts);
      return done;
    }
    last = done.status();
  }
  auto listed = Get(owner, id);
  if (listed.ok() && listed->first.state != UploadState::kCompleted)
    Reopen(listed->first, listed->second);
  return last;
}

Result<std::vector<std::string>> UploadService::Assemble(const UploadRecord& upload,
                                                         const std::vector<UploadPart>& parts) {
  if (upload.parts_key.empty()) {  // an upload from before schema v9: its parts are blobs
    std::vector<std::string> keys;
    for (const auto& p : parts) keys.push_back(p.blob_key);
    return keys;
  }
  // Assembled already by a completion cut short (a crash, a lost answer)?
  auto there = blobs_.Stat(upload.parts_key);
  if (there.ok()) return std::vector<std::string>{upload.parts_key};
  if (there.status().code() != StatusCode::kNotFound) return there.status();
  std::vector<std::pair<int64_t, std::string>> tags;
  for (const auto& p : parts) tags.emplace_back(p.part, p.etag);
  Status assembled = blobs_.CompleteParts(upload.parts_key, upload.parts_id, tags);
  if (assembled.ok()) return std::vector<std::string>{upload.parts_key};
  // Gone: another completion assembled them a moment ago.
  if (assembled.code() == StatusCode::kNotFound && blobs_.Stat(upload.parts_key).ok()) {
    return std::vector<std::string>{upload.parts_key};
  }
  // Not assembled: the parts are still the store's, open them to the client again.
  Status reopened = upload_store_.SetUploadParts(upload.owner, upload.id, upload.parts_id,
                                                 upload.parts_key, upload.parts_id, false, {});
  if (!reopened.ok()) {
    Log(LogLevel::kWarn, "could not reopen an upload's parts",
        {{"upload", upload.id}, {"error", reopened.message()}});
  }
  if (assembled.code() == StatusCode::kFailedPrecondition) {
    return Status::FailedPrecondition(
        "a part of upload '" + upload.id +
        "' was sent again while it was being completed; send again any part sent "
        "meanwhile, then complete it");
  }
  return assembled;
}

void UploadService::Reopen(const UploadRecord& upload, const std::vector<UploadPart>& parts) {
  if (upload.parts_key.empty()) return;  // blobs of their own: never closed
  auto assembled = blobs_.Stat(upload.parts_key);
  if (!assembled.ok()) {
    // Never assembled: the store's parts are still open, and only need the client back.
    if (upload.parts_closed && assembled.status().code() == StatusCode::kNotFound) {
      (void)upload_store_.SetUploadParts(upload.owner, upload.id, upload.parts_id, upload.parts_key,
                                         upload.parts_id, false, {});
    }
    return;
  }
  // The store's parts became one blob, which cannot take parts again: new parts are copied
  // from its ranges, inside the store (S3's UploadPartCopy), under a new handle.
  const std::string key = NewPartsKey(upload.owner, upload.id);
  auto handle = blobs_.StartParts(key);
  Status status = handle.status();
  std::vector<std::pair<int64_t, std::string>> tags;
  int64_t offset = 0;
  for (size_t i = 0; status.ok() && i < parts.size(); ++i) {
    const auto& p = parts[i];
    auto tag = p.bytes > 0
                   ? blobs_.CopyPart(key, *handle, p.part, upload.parts_key, offset, p.bytes)
                   : blobs_.PutPart(key, *handle, p.part, "");
    offset += p.bytes;
    if (tag.ok()) tags.emplace_back(p.part, std::move(tag).value());
    status = tag.status();
  }
  if (status.ok()) {
    status = upload_store_.SetUploadParts(upload.owner, upload.id, upload.parts_id, key, *handle,
                                          false, tags);
  }
  if (!status.ok()) {
    if (handle.ok()) AbortParts(key, *handle);
    // Still assembled and closed: completing it again reads the assembled blob.
    Log(LogLevel::kWarn, "could not reopen an upload's parts after a failed completion",
        {{"upload", upload.id}, {"error", status.message()}});
    return;
  }
  store::DeleteUnreferencedBlobs(blobs_, {upload.parts_key});
}

Result<DatasetRecord> UploadService::CompleteOnce(const UploadRecord& upload,
                                                  const std::string& job_id,
                                                  const std::vector<UploadPart>& parts,
                                                  const std::vector<std::string>& sources,
                                                  const DatasetService::Limits& limits,
                                                  InvalidRows* invalid) {
  // What the new version builds on: nothing (replace) or the current version (append).
  auto current = dataset_store_.GetDataset(upload.owner, upload.dataset_id);
  if (!current.ok() && current.status().code() != StatusCode::kNotFound) return current.status();
  auto begun = DatasetVersionWriter::Begin(
      blobs_, upload.owner, upload.dataset_id, current.ok() ? &*current : nullptr,
      upload.mode == UploadMode::kAppend ? DatasetVersionWriter::Mode::kAppend
                                         : DatasetVersionWriter::Mode::kReplace,
      limits, options_.temp_dir);
  if (!begun.ok()) return begun.status();
  DatasetVersionWriter& writer = **begun;
  auto add = [&](const Diamond& stone) -> Status { return writer.Add(stone); };
  *invalid = InvalidRows{};
  store::BlobChainSource source(blobs_, sources);
  if (upload.format == UploadFormat::kJson) {
    // JSON is not streamed: the parts are joined (at most one request body's worth).
    int64_t total = 0;
    for (const auto& p : parts) total += p.bytes;
    if (total > options_.max_part_bytes) {
      return Status::LimitExceeded("max_json_upload_bytes", options_.max_part_bytes,
                                   "a JSON upload holds at most " +
                                       std::to_string(options_.max_part_bytes) +
                                       " bytes; send larger data as CSV");
    }
    std::string text;
    for (const auto& key : sources) {
      auto bytes = blobs_.Get(key);
      if (!bytes.ok()) return bytes.status();
      text += *bytes;
    }
    auto decoded = DecodeStonesJson(text, JsonStoneOptions{false, kMaxErrors});
    if (!decoded.ok()) return decoded.status();
    if (decoded->rows_invalid > 0) {
      *invalid = InvalidRows{decoded->rows_invalid, decoded->errors};
      return Status::InvalidArgument(std::to_string(decoded->rows_invalid) +
                                     " invalid stone(s); nothing was written");
    }
    for (const auto& stone : decoded->stones) {
      if (Status s = add(stone); !s.ok()) return s;
    }
  } else {
    // A chunk of whole records at a time, decoded in memory as `diamond predict` does
    // (diamond_text_reader.h: the same rows and errors as the streaming reader, faster);
    // row numbers go on across chunks.
    CsvChunker chunker(source, kValidateChunkBytes);
    CsvChunk chunk;
    int64_t rows_before = 0;
    Diamond stone;
    while (true) {
      auto more = chunker.Next(&chunk);
      if (!more.ok()) return more.status();
      if (!*more) break;
      DiamondTextReader reader(chunk.text,
                               DiamondCsvOptions{.first_line = chunk.first_line_of_text});
      if (Status s = reader.ReadHeader(); !s.ok()) return s;
      while (true) {
        auto outcome = reader.Next(&stone);
        if (outcome == DiamondTextReader::Outcome::kEnd) break;
        if (outcome == DiamondTextReader::Outcome::kFailed) return reader.status();
        if (outcome == DiamondTextReader::Outcome::kInvalid) {
          ++invalid->rows_invalid;
          for (const auto& e : reader.row_errors()) {
            if (invalid->errors.size() >= kMaxErrors) break;
            invalid->errors.push_back(e);
            invalid->errors.back().row += rows_before;
          }
          continue;
        }
        if (invalid->rows_invalid > 0) continue;  // only errors matter now: nothing will be written
        if (Status s = add(stone); !s.ok()) return s;
      }
      rows_before += reader.rows_read();
    }
    if (invalid->rows_invalid > 0) {
      return Status::InvalidArgument(std::to_string(invalid->rows_invalid) +
                                     " invalid row(s); nothing was written");
    }
  }
  return writer.Finish([&](int64_t expected_current, const DatasetVersion& version) {
    return upload_store_.CommitUploadedVersion(upload.owner, upload.id, job_id, expected_current,
                                               version, limits.storage);
  });
}

Status UploadService::Abort(const std::string& owner, const std::string& id) {
  return store::DiscardUpload(upload_store_, blobs_, owner, id);
}

}  // namespace diamond::service
