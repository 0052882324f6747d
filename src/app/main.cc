// The `diamond` command: argument parsing only (CLI11 stays in this one translation unit).
#include <malloc.h>
#include <sys/stat.h>

#include <CLI/CLI.hpp>
#include <cstdlib>
#include <iostream>

#include "app/asset_dirs.h"
#include "app/commands.h"
#include "base/build_info.h"

namespace {

// The options of the application itself (storage, sizes, jobs, logging), which `serve`
// and `lambda` share; how requests arrive is each command's own.
void AddApplicationOptions(CLI::App* cmd, diamond::app::ServeArgs& args) {
  // Whether --data-dir (or DIAMOND_DATA_DIR) was given, not defaulted: only then may it
  // supply the one of --db/--blobs that is missing (app/backends.h).
  cmd->callback([cmd, &args] { args.data_dir_given = cmd->get_option("--data-dir")->count() > 0; });
  cmd->add_option("--data-dir", args.data_dir,
                  "Directory for the embedded database and blobs (what --db/--blobs do not name)")
      ->envname("DIAMOND_DATA_DIR")
      ->capture_default_str();
  cmd->add_option("--db", args.db,
                  "Metadata database: sqlite:PATH or postgresql://user@host[:port]/dbname")
      ->envname("DIAMOND_DB");
  cmd->add_option("--blobs", args.blobs,
                  "Blob store: file:DIR or s3://bucket[/prefix]?endpoint=URL&region=R "
                  "(credentials from AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY)")
      ->envname("DIAMOND_BLOBS");
  cmd->add_option("--db-pool", args.db_pool, "Connections to PostgreSQL (SQLite has one)")
      ->envname("DIAMOND_DB_POOL")
      ->check(CLI::Range(size_t{1}, size_t{256}))
      ->capture_default_str();
  cmd->add_option("--work-threads", args.work_threads, "Threads for blocking requests")
      ->envname("DIAMOND_WORK_THREADS")
      ->check(CLI::Range(1, 256))
      ->capture_default_str();
  cmd->add_option("--job-workers", args.job_workers,
                  "In-process job workers, plus one for upload completions (0: this process "
                  "only queues jobs; `diamond serve` processes with workers on the same "
                  "storage run them). One owner's jobs take at most all but one of them")
      ->envname("DIAMOND_JOB_WORKERS")
      ->check(CLI::Range(0, 64))
      ->capture_default_str();
  cmd->add_option("--max-predict", args.max_predict_stones, "Most stones in one real-time predict")
      ->envname("DIAMOND_MAX_PREDICT")
      ->check(CLI::Range(size_t{1}, size_t{1000000}))
      ->capture_default_str();
  cmd->add_option("--model-cache-mb", args.model_cache_mb,
                  "Memory for parsed models, in MiB; the least recently used go first")
      ->envname("DIAMOND_MODEL_CACHE_MB")
      ->check(CLI::Range(1, 1 << 20))
      ->capture_default_str();
  cmd->add_option("--model-cache-owner-share", args.model_cache_owner_share,
                  "The part of the model cache one owner's models may hold; a larger model is "
                  "served without being kept")
      ->envname("DIAMOND_MODEL_CACHE_OWNER_SHARE")
      ->check(CLI::Range(0.01, 1.0))
      ->capture_default_str();
  cmd->add_option("--max-job-attempts", args.max_job_attempts,
                  "Starts of one job before it fails for stopping the worker each time")
      ->envname("DIAMOND_MAX_JOB_ATTEMPTS")
      ->check(CLI::Range(1, 100))
      ->capture_default_str();
  cmd->add_option("--job-lease", args.job_lease_seconds,
                  "Seconds a job stays leased to its worker unrenewed; after a worker dies, "
                  "another takes its jobs once this passes")
      ->envname("DIAMOND_JOB_LEASE")
      ->check(CLI::Range(1, 3600))
      ->capture_default_str();
  cmd->add_option("--blob-grace", args.blob_grace_seconds,
                  "Seconds an unreferenced blob is spared by the blob GC (its writer may not have "
                  "committed yet)")
      ->envname("DIAMOND_BLOB_GRACE")
      ->check(CLI::Range(0, 30 * 86400))
      ->capture_default_str();
  cmd->add_option(
         "--blob-gc-interval", args.blob_gc_interval_seconds,
         "Seconds between blob GC rounds (one process at a time among those sharing the store)")
      ->envname("DIAMOND_BLOB_GC_INTERVAL")
      ->check(CLI::Range(10, 7 * 86400))
      ->capture_default_str();
  cmd->add_option("--upload-expiry", args.upload_expiry_seconds,
                  "Seconds a multipart upload stays open; then it and its parts are deleted")
      ->envname("DIAMOND_UPLOAD_EXPIRY")
      ->check(CLI::Range(int64_t{1}, int64_t{30} * 86400))
      ->capture_default_str();
  cmd->add_option(
         "--upload-min-part", args.upload_min_part_bytes,
         "Smallest part of a multipart upload, in bytes (all but the last part; S3 needs 5 MiB)")
      ->envname("DIAMOND_UPLOAD_MIN_PART")
      ->check(CLI::Range(int64_t{1}, int64_t{64} << 20))
      ->capture_default_str();
  cmd->add_option(
         "--upload-background-bytes", args.upload_background_bytes,
         "Uploads whose parts hold more bytes complete in a job (202) instead of in the request")
      ->envname("DIAMOND_UPLOAD_BACKGROUND_BYTES")
      ->check(CLI::Range(int64_t{0}, int64_t{1} << 40))
      ->capture_default_str();
  // Hidden: tests cut small datasets into many committed parts.
  cmd->add_option("--batch-chunk-bytes", args.batch_chunk_bytes)
      ->group("")
      ->check(CLI::Range(int64_t{1}, int64_t{1} << 30));
  cmd->add_flag("--quiet", args.quiet, "No access log (warnings and errors only)")
      ->envname("DIAMOND_QUIET");
  cmd->add_flag("--private-metrics", args.private_metrics, "Require an API key for /metrics")
      ->envname("DIAMOND_PRIVATE_METRICS");
}

}  // namespace

int main(int argc, char** argv) {
  // XGBoost's OpenMP threads sleep between boosting rounds instead of spinning: on a busy
  // 2-core box spinning threads can slow training a hundredfold (DESIGN.md). Before any
  // thread starts; an explicit setting in the environment wins.
  setenv("OMP_WAIT_POLICY", "PASSIVE", /*overwrite=*/0);
  // Allocations of 1 MiB and more (request bodies, their parsed copies, result buffers)
  // go straight to the kernel and back when freed. glibc's default threshold rises to the
  // largest block freed (up to 32 MiB), after which such blocks come from the allocating
  // thread's arena and stay there: three refused 30 MiB bodies on pool threads left the
  // server 130 MB larger for good (issue 30).
  mallopt(M_MMAP_THRESHOLD, 1 << 20);
  using diamond::app::kExitBadInput;
  CLI::App app{"diamond: prices diamonds with the seed's model, exactly"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string(diamond::BinaryVersion()));

  diamond::app::TrainArgs train;
  std::string features;
  auto* train_cmd = app.add_subcommand("train", "Fit a model on a CSV of priced stones");
  train_cmd->add_option("--data", train.data, "Training CSV (- for standard input)")->required();
  train_cmd->add_option("--features", features,
                        "Comma-separated selector (default: linear carat,cut,color,clarity; gbdt "
                        "every feature but x,y,z,volume); any of "
                        "carat,cut,color,clarity,depth,table,x,y,z,volume,eccentricity,"
                        "table_distance,depth_distance,volume_per_carat");
  train_cmd->add_flag("--positive", train.positive, "Constrain coefficients to be non-negative");
  auto* holdout = train_cmd
                      ->add_option("--holdout", train.holdout,
                                   "Fraction of rows held out for validation (0 = none)")
                      ->capture_default_str();
  train_cmd->add_option("--seed", train.seed, "Seed of the holdout shuffle")->capture_default_str();
  train_cmd->add_option("--eval", train.eval, "Validate on this CSV instead of a holdout")
      ->excludes(holdout);
  train_cmd->add_option("-o,--output", train.output, "Model file to write (- for stdout)")
      ->required();
  train_cmd->add_flag("--skip-invalid", train.skip_invalid,
                      "Skip invalid rows (and count them) instead of failing");
  train_cmd->add_option("--algorithm", train.algorithm, "linear or gbdt (gradient-boosted trees)")
      ->capture_default_str();
  train_cmd->add_option("--param", train.params,
                        "Hyperparameter NAME=VALUE, as in the API (repeatable), e.g. "
                        "max_depth=4 or monotone=false; see docs/models.md");
  train_cmd->add_option("--grid", train.grid,
                        "Search: NAME=V1,V2,... (repeatable; a selector's features joined by +, "
                        "e.g. selector=carat+cut,carat+cut+color); every combination is scored "
                        "by k-fold cross-validation and the best refitted");
  train_cmd->add_option("--folds", train.folds, "Folds of the search's cross-validation")
      ->capture_default_str();
  train_cmd
      ->add_option("--metric", train.metric, "The search picks the best by mae, rmse, mape or r2")
      ->capture_default_str();

  diamond::app::UploadArgs upload;
  auto* upload_cmd = app.add_subcommand("upload",
                                        "Send a file of any size to a dataset in parts (key from "
                                        "DIAMOND_API_KEY); an interrupted upload resumes");
  upload_cmd
      ->add_option("--server", upload.server, "The API's base URL, e.g. http://127.0.0.1:8080")
      ->required();
  upload_cmd->add_option("dataset", upload.dataset, "Dataset id")->required();
  upload_cmd->add_option("file", upload.file, "CSV (or .json) file")->required();
  upload_cmd->add_option("--mode", upload.mode, "replace the dataset's rows, or append to them")
      ->check(CLI::IsMember({"replace", "append"}))
      ->capture_default_str();
  upload_cmd->add_option("--format", upload.format, "csv or json (default: from the file name)")
      ->check(CLI::IsMember({"csv", "json"}));
  upload_cmd->add_option("--parallel", upload.parallel, "Parts sent at once")
      ->check(CLI::Range(1, 64))
      ->capture_default_str();
  upload_cmd
      ->add_option("--part-bytes", upload.part_bytes,
                   "Bytes per part (default 16 MiB; the server's minimum and maximum apply)")
      ->check(CLI::Range(int64_t{1}, int64_t{1} << 30));

  diamond::app::BatchArgs batch;
  auto* batch_cmd = app.add_subcommand("batch",
                                       "Price a stored dataset on the server as a batch job and "
                                       "download the result (key from DIAMOND_API_KEY)");
  batch_cmd->add_option("--server", batch.server, "The API's base URL, e.g. http://127.0.0.1:8080")
      ->required();
  batch_cmd->add_option("model", batch.model, "Model id")->required();
  batch_cmd->add_option("dataset", batch.dataset, "Dataset id (its current version)")->required();
  batch_cmd->add_option("-o,--output", batch.output, "Priced CSV (default: standard output)");
  batch_cmd->add_flag("--explain", batch.explain,
                      "Add base_price and a factor_<feature> column per feature");
  batch_cmd
      ->add_option("--interval", batch.interval,
                   "Add price_low and price_high at this level (e.g. 0.9)")
      ->check(CLI::Range(0.0, 1.0));

  diamond::app::PredictArgs predict;
  auto* predict_cmd =
      app.add_subcommand("predict", "Price a CSV of stones: the same CSV plus price_predicted");
  predict_cmd->add_option("--model", predict.model, "Model file")->required();
  predict_cmd->add_option("--input", predict.input, "CSV to price (default: standard input)");
  predict_cmd->add_option("-o,--output", predict.output, "Priced CSV (default: standard output)");
  predict_cmd->add_flag("--explain", predict.explain,
                        "Add base_price and a factor_<feature> column per feature: "
                        "base_price × factors = price_predicted");
  predict_cmd->add_option("--interval", predict.interval,
                          "Add price_low and price_high, a split-conformal interval at this "
                          "level (e.g. 0.9)");
  predict_cmd
      ->add_option(
          "--threads", predict.threads,
          "Threads pricing at once (default: one per core); the output is the same for any count")
      ->check(CLI::Range(0, 1024));
  // Hidden: tests cut small inputs into many chunks to cross chunk boundaries.
  predict_cmd->add_option("--chunk-bytes", predict.chunk_bytes)
      ->group("")
      ->check(CLI::Range(1, 1 << 30));
  predict_cmd->add_flag("--skip-invalid", predict.skip_invalid,
                        "Leave out rows that cannot be priced (and count them) instead of failing");

  diamond::app::EvaluateArgs evaluate;
  auto* evaluate_cmd = app.add_subcommand("evaluate", "Score a model on a CSV of priced stones");
  evaluate_cmd
      ->add_option("--model", evaluate.models,
                   "Model file (repeatable: each is scored; with --cv, on the same folds)")
      ->required();
  evaluate_cmd->add_option("--data", evaluate.data, "CSV with a price column")->required();
  evaluate_cmd->add_flag("--skip-invalid", evaluate.skip_invalid,
                         "Skip invalid rows (and count them) instead of failing");
  evaluate_cmd->add_flag("--monotone-check", evaluate.monotone_check,
                         "Also price up to 400 of the stones at every grade and at +5 … +50 % "
                         "size; exit 3 if a better or bigger stone is priced lower");
  auto* cv = evaluate_cmd
                 ->add_option("--cv", evaluate.cv,
                              "Cross-validate instead: refit each model's hyperparameters on K "
                              "folds of the data and score each fold (mean ± standard error)")
                 ->check(CLI::Range(2, 10));
  evaluate_cmd->add_option("--repeats", evaluate.repeats, "With --cv: shuffles of the folds")
      ->check(CLI::Range(1, 20))
      ->needs(cv)
      ->capture_default_str();
  evaluate_cmd->add_option("--seed", evaluate.seed, "With --cv: seed of the first shuffle")
      ->needs(cv)
      ->capture_default_str();
  cv->excludes(evaluate_cmd->get_option("--monotone-check"));

  diamond::app::ServeArgs serve;
  serve.web_dir =
      diamond::app::DefaultAssetDir("docs", "swagger-ui-bundle.js", DIAMOND_DEFAULT_WEB_DIR);
  serve.console_dir =
      diamond::app::DefaultAssetDir("console", "index.html", DIAMOND_DEFAULT_CONSOLE_DIR);
  auto* serve_cmd = app.add_subcommand(
      "serve", "Run the REST API (embedded storage under --data-dir, or --db and --blobs)");
  AddApplicationOptions(serve_cmd, serve);
  serve_cmd->add_option("--listen", serve.listen, "HOST:PORT to listen on (port 0: any free port)")
      ->envname("DIAMOND_LISTEN")
      ->capture_default_str();
  serve_cmd->add_option("--threads", serve.io_threads, "I/O threads")
      ->envname("DIAMOND_THREADS")
      ->check(CLI::Range(1, 64))
      ->capture_default_str();
  serve_cmd->add_option("--body-limit", serve.body_limit, "Largest request body, in bytes")
      ->envname("DIAMOND_BODY_LIMIT")
      ->check(CLI::Range(size_t{1024}, size_t{1} << 34))
      ->capture_default_str();
  // Connections (docs/operations.md, "Connections"). --read-timeout is this option's
  // earlier name.
  serve_cmd
      ->add_option("--idle-timeout,--read-timeout", serve.idle_timeout_seconds,
                   "Seconds a kept-alive connection may wait for its next request")
      ->envname("DIAMOND_IDLE_TIMEOUT")
      ->check(CLI::Range(1, 3600))
      ->capture_default_str();
  serve_cmd
      ->add_option("--header-timeout", serve.header_timeout_seconds,
                   "Seconds from a request's first byte to the end of its header")
      ->envname("DIAMOND_HEADER_TIMEOUT")
      ->check(CLI::Range(1, 600))
      ->capture_default_str();
  serve_cmd
      ->add_option("--body-grace", serve.body_grace_seconds,
                   "Seconds a request body may take before --body-min-rate applies")
      ->envname("DIAMOND_BODY_GRACE")
      ->check(CLI::Range(1, 3600))
      ->capture_default_str();
  serve_cmd
      ->add_option("--body-min-rate", serve.body_min_rate,
                   "Bytes a second a request body must average after --body-grace")
      ->envname("DIAMOND_BODY_MIN_RATE")
      ->check(CLI::Range(size_t{1}, size_t{1} << 30))
      ->capture_default_str();
  serve_cmd
      ->add_option("--max-connections", serve.max_connections,
                   "Open client connections at most (0: sized from the open-file limit)")
      ->envname("DIAMOND_MAX_CONNECTIONS")
      ->check(CLI::Range(size_t{0}, size_t{1} << 22))
      ->capture_default_str();
  serve_cmd
      ->add_option("--max-connections-per-ip", serve.max_connections_per_ip,
                   "Open connections from one client address at most (trusted proxies are exempt)")
      ->envname("DIAMOND_MAX_CONNECTIONS_PER_IP")
      ->check(CLI::Range(size_t{1}, size_t{1} << 22))
      ->capture_default_str();
  serve_cmd
      ->add_option("--trusted-proxy", serve.trusted_proxies,
                   "Address of a proxy (nginx) whose X-Forwarded-For names the client and whose "
                   "connections have no per-address cap; repeatable")
      ->envname("DIAMOND_TRUSTED_PROXIES")
      ->delimiter(',');
  serve_cmd
      ->add_option("--console-dir", serve.console_dir,
                   "The staff console's built files, served at /console")
      ->envname("DIAMOND_CONSOLE_DIR")
      ->capture_default_str();
  serve_cmd->add_option("--web-dir", serve.web_dir, "swagger-ui-dist directory served at /docs")
      ->envname("DIAMOND_WEB_DIR")
      ->capture_default_str();
  // Hidden (no group): for the gate-on/off benchmark only.
  serve_cmd
      ->add_flag("--benchmark-without-gate", serve.without_gate,
                 "No authentication, limits or metering (benchmarks only)")
      ->group("");

  diamond::app::ServeArgs lambda;
  lambda.data_dir = "/tmp/diamond";  // the only writable directory in a Lambda environment
  // A synchronous invocation carries at most 6 MB, JSON-escaped: parts stay below that.
  lambda.body_limit = 6000000;
  auto* lambda_cmd = app.add_subcommand("lambda",
                                        "Run as an AWS Lambda custom runtime behind API Gateway "
                                        "(Runtime API from AWS_LAMBDA_RUNTIME_API)");
  AddApplicationOptions(lambda_cmd, lambda);

  diamond::app::WorkerArgs worker;
  auto* worker_cmd = app.add_subcommand(
      "worker", "Run jobs from the queue shared with the servers (--db, --blobs)");
  worker_cmd
      ->add_option("--db", worker.db,
                   "Metadata database the servers use (postgresql://… or sqlite:PATH)")
      ->envname("DIAMOND_DB");
  worker_cmd->add_option("--blobs", worker.blobs, "Blob store the servers use (s3://… or file:DIR)")
      ->envname("DIAMOND_BLOBS");
  worker_cmd->add_option("--db-pool", worker.db_pool, "Connections to PostgreSQL")
      ->envname("DIAMOND_DB_POOL")
      ->check(CLI::Range(size_t{1}, size_t{256}))
      ->capture_default_str();
  worker_cmd->add_option("--concurrency", worker.concurrency, "Jobs run at once")
      ->envname("DIAMOND_WORKER_CONCURRENCY")
      ->check(CLI::Range(1, 64))
      ->capture_default_str();
  worker_cmd
      ->add_option("--listen", worker.listen,
                   "HOST:PORT for /healthz, /readyz and /metrics (default: none)")
      ->envname("DIAMOND_LISTEN");
  worker_cmd
      ->add_option("--max-job-attempts", worker.max_job_attempts,
                   "Starts of one job before it fails for stopping its worker each time")
      ->envname("DIAMOND_MAX_JOB_ATTEMPTS")
      ->check(CLI::Range(1, 100))
      ->capture_default_str();
  worker_cmd
      ->add_option("--job-lease", worker.job_lease_seconds,
                   "Seconds a job stays leased to its worker unrenewed")
      ->envname("DIAMOND_JOB_LEASE")
      ->check(CLI::Range(1, 3600))
      ->capture_default_str();
  worker_cmd->add_flag("--quiet", worker.quiet, "Warnings and errors only")
      ->envname("DIAMOND_QUIET");

  diamond::app::AdminArgs admin;
  auto* admin_cmd =
      app.add_subcommand("admin", "Manage users, keys, plans and usage on a data dir");
  admin_cmd->add_option("--data-dir", admin.data_dir, "The server's data directory")
      ->envname("DIAMOND_DATA_DIR")
      ->capture_default_str();
  admin_cmd->add_option("--db", admin.db, "The servers' database (instead of --data-dir's)")
      ->envname("DIAMOND_DB");
  admin_cmd->require_subcommand(1);
  auto add_action = [&](CLI::App* group, const std::string& verb, const std::string& help) {
    auto* cmd = group->add_subcommand(verb, help);
    cmd->callback([&admin, group, verb] { admin.action = group->get_name() + " " + verb; });
    return cmd;
  };
  auto* users = admin_cmd->add_subcommand("users", "Users: create, list, set, disable, enable");
  users->require_subcommand(1);
  auto* user_create = add_action(users, "create", "Create a user");
  user_create->add_option("user", admin.target, "User id")->required();
  user_create->add_option("--role", admin.role, "admin or member")->default_val("member");
  user_create->add_option("--plan", admin.plan, "Plan name")->default_val("free");
  add_action(users, "list", "List users");
  auto* user_set = add_action(users, "set", "Change a user's role or plan");
  user_set->add_option("user", admin.target, "User id")->required();
  user_set->add_option("--role", admin.role, "admin or member");
  user_set->add_option("--plan", admin.plan, "Plan name");
  add_action(users, "disable", "Disable a user (their keys stop working)")
      ->add_option("user", admin.target, "User id")
      ->required();
  add_action(users, "enable", "Enable a disabled user")
      ->add_option("user", admin.target, "User id")
      ->required();
  auto* keys = admin_cmd->add_subcommand("keys", "API keys: create, list, revoke");
  keys->require_subcommand(1);
  auto* key_create = add_action(keys, "create", "Create a key for a user (printed once)");
  key_create->add_option("user", admin.target, "User id")->required();
  key_create->add_option("--name", admin.name, "A label for the key");
  add_action(keys, "list", "List keys (of one user, or all)")
      ->add_option("user", admin.target, "User id");
  add_action(keys, "revoke", "Revoke a key by its id")
      ->add_option("key", admin.target, "Key id")
      ->required();
  auto* plans = admin_cmd->add_subcommand("plans", "Plans: list, set");
  plans->require_subcommand(1);
  add_action(plans, "list", "List plans");
  auto* plan_set =
      add_action(plans, "set", "Create or change a plan (only the given limits change)");
  plan_set->add_option("plan", admin.target, "Plan name")->required();
  plan_set->add_option("--rps", admin.requests_per_second, "Requests per second per key");
  plan_set->add_option("--burst", admin.burst, "Token bucket size");
  plan_set->add_option("--monthly-rows", admin.monthly_predicted_rows, "Predicted rows per month");
  plan_set->add_option("--max-dataset-rows", admin.max_dataset_rows, "Rows in one dataset");
  plan_set->add_option("--max-models", admin.max_models, "Models owned");
  plan_set->add_option("--max-training-jobs", admin.max_training_jobs, "Training jobs at once");
  plan_set->add_option("--max-stored-bytes", admin.max_stored_bytes,
                       "Bytes of datasets kept (all versions)");
  plan_set->add_option("--max-datasets", admin.max_datasets, "Datasets owned");
  plan_set->add_option("--model-versions-kept", admin.model_versions_kept,
                       "Versions kept per model (the newest; the champion and aliased ones too)");
  plan_set->add_option("--price-per-1k-rows", admin.price_per_1k_rows,
                       "Price per 1,000 predicted rows");
  plan_set->add_option("--price-per-training-minute", admin.price_per_training_minute,
                       "Price per training minute");
  auto* init = add_action(admin_cmd, "init",
                          "Prepare a database (schema and first admin; run once for --db)");
  init->add_option("--key-file", admin.key_file,
                   "Where the first admin's key goes (0600, never overwritten)")
      ->default_str("admin.key");
  auto* jobs = admin_cmd->add_subcommand("jobs", "Every tenant's jobs: list, show, cancel");
  jobs->require_subcommand(1);
  auto* jobs_list = add_action(jobs, "list", "List jobs, newest first (at most 1,000)");
  jobs_list->add_option("--state", admin.state, "queued, running, succeeded, failed or cancelled");
  jobs_list->add_option("--kind", admin.kind, "train, batch-predict or upload-complete");
  jobs_list->add_option("--owner", admin.owner, "A user id");
  add_action(jobs, "show", "One job, as JSON")
      ->add_option("job", admin.target, "Job id")
      ->required();
  add_action(jobs, "cancel", "Cancel a job (a running one stops at its next check)")
      ->add_option("job", admin.target, "Job id")
      ->required();
  auto* usage = add_action(admin_cmd, "usage", "Usage and cost per user for a month");
  usage->add_option("--month", admin.month, "YYYY-MM (default: this month)");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);  // prints help, version or the usage error
    return code == 0 ? 0 : kExitBadInput;
  }

  if (*train_cmd) {
    std::stringstream list(features);
    for (std::string name; std::getline(list, name, ',');) train.features.push_back(name);
    if (!features.empty() && train.features.empty()) train.features.push_back("");
    return diamond::app::RunTrain(train);
  }
  if (*predict_cmd) return diamond::app::RunPredict(predict);
  if (*upload_cmd) return diamond::app::RunUpload(upload);
  if (*batch_cmd) return diamond::app::RunBatch(batch);
  // What the service writes (the database, blobs, keys) is its tenants' and its own: for
  // the service user only, whatever umask the service manager or shell left.
  if (*serve_cmd || *lambda_cmd || *worker_cmd || *admin_cmd) ::umask(077);
  if (*serve_cmd) return diamond::app::RunServe(serve);
  if (*lambda_cmd) return diamond::app::RunLambda(lambda);
  if (*admin_cmd) return diamond::app::RunAdmin(admin);
  if (*worker_cmd) return diamond::app::RunWorker(worker);
  return diamond::app::RunEvaluate(evaluate);
}
