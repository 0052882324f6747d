#include "app/serving_stack.h"

#include <filesystem>
#include <iostream>

#include "app/backends.h"
#include "base/logger.h"

namespace diamond::app {

Result<ServingStack> OpenServingStack(const ServeArgs& args) {
  ServingStack out;
  // One of the two shared stores without the other is a deployment missing a variable
  // (an unquoted & in an env file drops DIAMOND_BLOBS): half of it would be a fresh local
  // store no other replica sees. Only an explicit --data-dir may supply the other half.
  if (args.db.empty() != args.blobs.empty() && !args.data_dir_given) {
    return Status::InvalidArgument(
        std::string(args.db.empty() ? "--blobs is given without --db"
                                    : "--db is given without --blobs") +
        " (DIAMOND_DB, DIAMOND_BLOBS): pass both, or name --data-dir to keep the other one there");
  }
  const ChosenUrls chosen = ChooseBackendUrls(args.data_dir, args.db, args.blobs, args.db_pool);
  // The data directory is this process's alone (data_dir_lock.h); shared stores are not.
  if (chosen.uses_data_dir) {
    std::error_code ec;
    std::filesystem::create_directories(args.data_dir, ec);
    if (ec)
      return Status::IoError("cannot create --data-dir " + args.data_dir + ": " + ec.message());
    auto acquired = DataDirLock::Acquire(args.data_dir);
    if (!acquired.ok()) return acquired.status();
    out.lock = std::move(acquired).value();
  }
  auto stores = OpenBackends(chosen.urls);
  if (!stores.ok()) return stores.status();
  out.storage = stores->description;
  StackOptions options;
  options.app.jobs.workers = args.job_workers;
  options.app.model_cache_bytes = args.model_cache_mb << 20;
  options.app.model_cache_owner_share = args.model_cache_owner_share;
  options.app.jobs.max_attempts = args.max_job_attempts;
  options.app.jobs.lease = std::chrono::seconds(args.job_lease_seconds);
  // Under the data-dir lock with the data dir's own database, no other process runs jobs.
  options.app.jobs.reclaim_at_start = chosen.uses_data_dir && args.db.empty();
  options.app.blob_grace = std::chrono::seconds(args.blob_grace_seconds);
  options.app.blob_gc_interval = std::chrono::seconds(args.blob_gc_interval_seconds);
  options.app.uploads.expiry = std::chrono::seconds(args.upload_expiry_seconds);
  options.app.uploads.max_part_bytes =
      std::min<int64_t>(int64_t{64} << 20, static_cast<int64_t>(args.body_limit));
  options.app.uploads.min_part_bytes =
      std::min(args.upload_min_part_bytes, options.app.uploads.max_part_bytes);
  options.app.uploads.background_bytes = args.upload_background_bytes;
  options.app.batches.chunk_bytes = static_cast<size_t>(args.batch_chunk_bytes);
  options.api.max_predict_stones = args.max_predict_stones;
  options.api.work_threads = args.work_threads;
  options.api.web_dir = args.web_dir;
  options.api.console_dir = args.console_dir;
  options.api.access_log = !args.quiet;
  options.api.metrics_public = !args.private_metrics;
  // The embedded default makes its first admin on first start; a shared database gets one
  // from `diamond admin --db URL init`, run once, not from replicas racing to start.
  if (args.db.empty()) options.app.admin_key_file = args.data_dir + "/admin.key";
  options.gate_enabled = !args.without_gate;
  if (args.without_gate) {
    Log(LogLevel::kWarn,
        "--benchmark-without-gate: no authentication, rate limits or metering; "
        "every caller acts as admin. Never use this outside a benchmark.");
  }
  auto stack = ApiStack::Open(options, std::move(stores).value());
  if (!stack.ok()) return stack.status();
  out.stack = std::move(stack).value();
  if (out.stack->application().blobs_removed_at_open() > 0) {
    Log(LogLevel::kInfo, "removed blobs left unreferenced by a crash",
        {{"count", out.stack->application().blobs_removed_at_open()}});
  }
  if (out.stack->application().admin_key_created()) {
    std::cout << "diamond: created the first admin; its API key is in "
              << options.app.admin_key_file.string() << " (readable by you only)" << std::endl;
  }
  return out;
}

}  // namespace diamond::app
