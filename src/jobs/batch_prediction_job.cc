#include "jobs/batch_prediction_job.h"

#include <chrono>
#include <cstdio>
#include <istream>
#include <ostream>

#include "base/scratch_file.h"
#include "core/byte_source.h"
#include "core/csv_chunker.h"
#include "core/diamond_json.h"
#include "ml/csv_pricing.h"
#include "ml/model_file.h"
#include "service/job_payloads.h"

namespace diamond::jobs {
namespace {

using nlohmann::json;

// The job failed for a reason the user can act on; the message is shown on the job.
struct Failure {
  std::string message;
};

// The rows a batch reserved at submission against what its committed parts (every
// attempt's) priced, so that whatever ends the job gives back the difference once.
struct RowsSettlement {
  std::string owner;
  bool reserved = false;
  int64_t rows_reserved = 0;
  int64_t rows_done = 0;     // read, in committed parts
  int64_t rows_skipped = 0;  // of those, not priceable

  // The job has ended (succeeded, failed or cancelled, recorded by this attempt).
  void Settle(const RowsObserver& priced) const {
    const int64_t rows_priced = rows_done - rows_skipped;
    if (reserved && priced && rows_reserved > rows_priced)
      priced(owner, rows_priced - rows_reserved);
  }
};

void Run(store::JobQueue& job_queue, store::BatchPartStore& parts, store::BlobStore& blobs,
         const BatchPredictionOptions& options, const RowsObserver& priced, const JobRecord& job,
         JobContext& context, RowsSettlement& settlement) {
  auto parsed = service::BatchPredictJobPayload::Parse(job.payload_json);
  if (!parsed.ok()) throw Failure{parsed.status().message()};
  const service::BatchPredictJobPayload& payload = *parsed;
  settlement.owner = job.owner;
  settlement.reserved = payload.rows_reserved;
  settlement.rows_reserved = payload.rows;
  auto model_file = blobs.Get(payload.artifact_key);
  if (!model_file.ok())
    throw Failure{
        "the model version this batch was pinned to is gone (the model was retrained or deleted)"};
  auto document = ml::ParseModelFile(*model_file);
  if (!document.ok()) throw Failure{"the model file is damaged: " + document.status().message()};
  ml::CsvPricingOptions pricing{.skip_invalid = true, .explain = payload.explain};
  if (const double level = payload.interval; level > 0) {
    if (!document->calibration) throw Failure{"the model has no interval calibration"};
    auto width = document->calibration->HalfWidth(level);
    if (!width.ok()) throw Failure{"interval: " + width.status().message()};
    pricing.interval = true;
    pricing.half_width = *width;
  }
  const int64_t rows_total = payload.rows;

  // What earlier attempts committed: the header (part 0) and parts 1..n, in order.
  auto committed = parts.ListBatchParts(job.owner, job.id);
  if (!committed.ok()) throw Failure{committed.status().message()};
  int64_t parts_done = 0;
  int64_t& rows_done = settlement.rows_done;
  int64_t& rows_skipped = settlement.rows_skipped;
  for (const auto& p : *committed) {
    if (p.part != parts_done) break;
    ++parts_done;
    rows_done += p.rows;
    rows_skipped += p.skipped;
  }
  const int64_t rows_before = rows_done;
  const auto started = std::chrono::steady_clock::now();
  auto detail = [&](int64_t parts) {
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    return json{{"rows_done", rows_done},
                {"rows_total", rows_total},
                {"rows_skipped", rows_skipped},
                {"parts", parts},
                {"rows_per_second",
                 seconds > 0 ? static_cast<double>(rows_done - rows_before) / seconds : 0.0}}
        .dump();
  };
  auto commit = [&](int64_t part, const std::string& bytes, int64_t rows, int64_t skipped) {
    BatchPart record{part, BatchPartKey(job.owner, job.id, part),
                     static_cast<int64_t>(bytes.size()), rows, skipped};
    if (Status s = blobs.Put(record.blob_key, bytes); !s.ok()) throw Failure{s.message()};
    rows_done += rows;
    rows_skipped += skipped;
    const double fraction =
        rows_total > 0 ? static_cast<double>(rows_done) / static_cast<double>(rows_total) : 1.0;
    if (Status s = parts.CommitBatchPart(job.id, job.attempts, record, std::min(fraction, 1.0),
                                         detail(part + 1));
        !s.ok()) {
      throw Failure{s.message()};
    }
    // Reserved at submission: settled when the job ends. Else charged as committed.
    if (!payload.rows_reserved && priced && rows > skipped) priced(job.owner, rows - skipped);
  };

  // The dataset version copied to local disk while it is read (the blob store pushes bytes;
  // the chunker pulls them), in a file without a name: nothing is left if the worker dies.
  ScratchFile staged(options.temp_dir, "diamond-batch-");
  if (!staged.opened()) throw Failure{"cannot create a staging file in " + staged.where()};
  {
    std::ostream out(&staged.buffer());
    for (const auto& key : payload.dataset_segments) {
      if (Status s = blobs.GetTo(key, out); !s.ok())
        throw Failure{"the dataset version is gone: " + s.message()};
    }
    if (!out.flush() || !staged.Rewind())
      throw Failure{"cannot stage the dataset in " + staged.where()};
  }
  std::istream in(&staged.buffer());
  IstreamSource source(in);
  CsvChunker chunker(source, options.chunk_bytes);
  CsvChunk chunk;
  int64_t part = 0;  // the next part to write: 0 is the header, chunk i is part i + 1
  while (true) {
    auto more = chunker.Next(&chunk);
    if (!more.ok()) throw Failure{more.status().message()};
    if (!*more) break;
    if (context.CancelRequested()) throw Failure{"cancelled"};
    if (part == 0) {
      auto header = ml::ReadPricedHeader(chunk);
      if (!header.ok())
        throw Failure{"the stored dataset cannot be read: " + header.status().message()};
      if (parts_done == 0) commit(0, ml::PricedCsvHeader(*header, *document->model, pricing), 0, 0);
      part = 1;
    }
    if (part < parts_done) {  // committed by an earlier attempt
      ++part;
      continue;
    }
    ml::PricedChunk result = ml::PriceCsvChunk(*document->model, pricing, chunk);
    if (!result.failure.ok())
      throw Failure{"the stored dataset cannot be read: " + result.failure.message()};
    commit(part, result.csv, result.rows_read, result.rows_skipped);
    ++part;
  }
  if (context.CancelRequested()) throw Failure{"cancelled"};
  if (Status s = job_queue.FinishJob(job.id, job.attempts, detail(part)); !s.ok())
    throw Failure{s.message()};
  settlement.Settle(priced);
}

}  // namespace

std::string BatchPartKey(const std::string& owner, const std::string& job_id, int64_t part) {
  char number[16];
  std::snprintf(number, sizeof number, "%06lld", static_cast<long long>(part));
  return "batch-predictions/" + owner + "/" + job_id + "/part-" + number;
}

JobRunner::Executor MakeBatchPredictionExecutor(store::JobQueue& job_queue,
                                                store::BatchPartStore& parts,
                                                store::BlobStore& blobs,
                                                BatchPredictionOptions options,
                                                RowsObserver priced) {
  return [&job_queue, &parts, &blobs, options = std::move(options), priced = std::move(priced)](
             const JobRecord& job, JobContext& context) {
    RowsSettlement settlement;
    try {
      Run(job_queue, parts, blobs, options, priced, job, context, settlement);
    } catch (const Failure& failure) {
      if (RecordJobFailure(job_queue, job, failure.message)) settlement.Settle(priced);
    } catch (const std::exception& e) {
      if (RecordJobFailure(job_queue, job, std::string("the batch failed: ") + e.what()))
        settlement.Settle(priced);
    }
  };
}

}  // namespace diamond::jobs
