// The `diamond` subcommands: train, predict, evaluate, serve, admin.
// Each returns the process exit code and prints its own one-line errors on stderr.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "http/api.h"
#include "http/server.h"
#include "jobs/batch_prediction_job.h"
#include "jobs/job_runner.h"
#include "service/model_cache.h"
#include "service/upload_service.h"
#include "store/blob_gc.h"

namespace diamond::app {

// A duration in whole seconds, as the command line takes it.
template <typename Duration>
constexpr int SecondsOf(Duration duration) {
  return static_cast<int>(std::chrono::duration_cast<std::chrono::seconds>(duration).count());
}
inline constexpr int kDefaultJobLeaseSeconds = SecondsOf(jobs::JobRunnerOptions{}.lease);

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;      // the machine failed us: I/O, disk full
inline constexpr int kExitBadInput = 2;     // the caller's input or arguments are wrong
inline constexpr int kExitCheckFailed = 3;  // a check the caller asked for found problems

struct TrainArgs {
  std::string data;                   // training CSV ("-" = stdin)
  std::string eval;                   // optional separate evaluation CSV
  std::string output;                 // model file path
  std::vector<std::string> features;  // selector; empty = the seed's carat,cut,color,clarity
  bool positive = false;
  double holdout = 0.2;  // 0 = fit on all rows, no validation
  uint64_t seed = 42;
  bool skip_invalid = false;
  std::string algorithm = "linear";  // or "gbdt"
  std::vector<std::string> params;   // NAME=VALUE, the API's hyperparameter names
  std::vector<std::string> grid;     // NAME=V1,V2,...: search every combination
  int folds = 5;                     // for a search
  std::string metric = "mae";        // the search picks the best by this
};

struct PredictArgs {
  std::string model;
  std::string input;   // "-" or empty = stdin
  std::string output;  // "-" or empty = stdout
  bool skip_invalid = false;
  bool explain = false;          // base_price and one factor_<feature> column per model feature
  double interval = 0;           // > 0: price_low and price_high at this level
  int threads = 0;               // 0 = one per core
  size_t chunk_bytes = 1 << 20;  // how the input is cut for the threads (tests cut it small)
};

struct EvaluateArgs {
  std::vector<std::string> models;  // model files; with cv, their hyperparameters are refitted
  std::string data;
  bool skip_invalid = false;
  bool monotone_check = false;  // also probe grade and size steps (ml/monotonicity.h)
  int cv = 0;                   // k > 0: repeated k-fold cross-validation instead
  int repeats = 1;
  uint64_t seed = 42;  // fold shuffles (repeat r uses seed + r)
};

struct UploadArgs {
  std::string server;  // http://host:port
  std::string dataset;
  std::string file;
  std::string mode = "replace";  // or "append"
  std::string format;            // "csv" or "json"; empty: from the file name
  int parallel = 4;              // parts in flight at once
  int64_t part_bytes = 0;        // 0: 16 MiB, or larger if the file needs more than 10,000 parts
};

struct BatchArgs {
  std::string server;
  std::string model;
  std::string dataset;
  std::string output;  // "-" or empty = stdout
  bool explain = false;
  double interval = 0;
};

struct ServeArgs {
  std::string data_dir = "var";
  bool data_dir_given = false;  // on the command line or in DIAMOND_DATA_DIR
  std::string db;               // --db URL; empty: sqlite under data_dir (app/backends.h)
  std::string blobs;            // --blobs URL; empty: a directory under data_dir
  size_t db_pool = 8;           // PostgreSQL connections
  std::string listen = "127.0.0.1:8080";
  // Defaults below are the components' own (each written once, in its options struct);
  // http::ServerConfig says what each of the server's bounds is.
  int io_threads = http::ServerConfig{}.io_threads;
  int work_threads = http::ApiConfig{}.work_threads;
  int job_workers = jobs::JobRunnerOptions{}.workers;
  size_t body_limit = http::ServerConfig{}.body_limit;
  int idle_timeout_seconds = SecondsOf(http::ServerConfig{}.idle_timeout);
  int header_timeout_seconds = SecondsOf(http::ServerConfig{}.header_timeout);
  int body_grace_seconds = SecondsOf(http::ServerConfig{}.body_grace);
  size_t body_min_rate = http::ServerConfig{}.body_min_rate;
  size_t max_connections = http::ConnectionLimitsConfig{}.max_connections;  // 0: from the
                                                                            // open-file limit
  size_t max_connections_per_ip = http::ConnectionLimitsConfig{}.max_per_address;
  std::vector<std::string> trusted_proxies;
  size_t max_predict_stones = http::ApiConfig{}.max_predict_stones;
  int64_t model_cache_mb = service::ModelCache::kDefaultMaxBytes >> 20;
  double model_cache_owner_share = service::ModelCache::kDefaultOwnerShare;
  int max_job_attempts = jobs::JobRunnerOptions{}.max_attempts;
  int job_lease_seconds = kDefaultJobLeaseSeconds;  // renewed while the job runs
  int64_t blob_grace_seconds = store::kDefaultBlobGracePeriod.count();
  int64_t blob_gc_interval_seconds = store::kDefaultBlobGcInterval.count();
  int64_t upload_expiry_seconds = service::UploadService::Options{}.expiry.count();
  int64_t upload_min_part_bytes = service::UploadService::Options{}.min_part_bytes;
  int64_t upload_background_bytes = service::UploadService::Options{}.background_bytes;
  int64_t batch_chunk_bytes = static_cast<int64_t>(jobs::BatchPredictionOptions{}.chunk_bytes);
  std::string web_dir;
  std::string console_dir;
  bool quiet = false;
  bool private_metrics = false;  // /metrics needs a key
  bool without_gate = false;     // benchmarks only: no authentication, limits or metering
};

// diamond worker: runs jobs from a shared queue; serves only /healthz, /readyz, /metrics.
struct WorkerArgs {
  std::string db;     // --db URL (required; a worker shares its stores with servers)
  std::string blobs;  // --blobs URL (required)
  size_t db_pool = 4;
  int concurrency = 1;  // jobs at once
  std::string listen;   // optional HOST:PORT for the health and metrics routes
  int max_job_attempts = jobs::JobRunnerOptions{}.max_attempts;
  int job_lease_seconds = kDefaultJobLeaseSeconds;
  bool quiet = false;
};

// diamond admin: accounts on a data dir, with the server stopped or running.
struct AdminArgs {
  std::string data_dir = "var";
  std::string db;                  // --db URL; empty: the data dir's SQLite database
  std::string key_file;            // init: where the first admin's key goes
  std::string action;              // "users create", "keys revoke", ...
  std::string target;              // the user, key or plan the action is about
  std::string role;                // users create/set
  std::string plan;                // users create/set
  std::string name;                // keys create
  std::string month;               // usage
  std::string state, kind, owner;  // jobs list: filters
  std::optional<bool> disabled;    // users set
  // plans set: only what is given changes
  std::optional<double> requests_per_second, price_per_1k_rows, price_per_training_minute;
  std::optional<int64_t> burst, monthly_predicted_rows, max_dataset_rows, max_models,
      max_training_jobs, max_stored_bytes, max_datasets, model_versions_kept;
};

int RunTrain(const TrainArgs& args);
int RunPredict(const PredictArgs& args);
int RunEvaluate(const EvaluateArgs& args);
int RunServe(const ServeArgs& args);
// diamond lambda: the same application as serve, answering AWS Lambda invocations.
int RunLambda(const ServeArgs& args);
int RunWorker(const WorkerArgs& args);
int RunAdmin(const AdminArgs& args);
int RunUpload(const UploadArgs& args);
int RunBatch(const BatchArgs& args);

}  // namespace diamond::app
