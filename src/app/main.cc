// The `diamond` command: argument parsing only (CLI11 stays in this one translation unit).
#include <CLI/CLI.hpp>
#include <iostream>

#include "app/commands.h"

int main(int argc, char** argv) {
  using diamond::app::kExitBadInput;
  CLI::App app{"diamond: prices diamonds with the seed's model, exactly"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "diamond 0.1.0");

  diamond::app::TrainArgs train;
  std::string features;
  auto* train_cmd = app.add_subcommand("train", "Fit a model on a CSV of priced stones");
  train_cmd->add_option("--data", train.data, "Training CSV (- for standard input)")->required();
  train_cmd->add_option("--features", features,
                        "Comma-separated selector (default carat,cut,color,clarity); any of "
                        "carat,cut,color,clarity,depth,table,x,y,z,volume,eccentricity,"
                        "table_distance,depth_distance");
  train_cmd->add_flag("--positive", train.positive, "Constrain coefficients to be non-negative");
  auto* holdout = train_cmd->add_option(
      "--holdout", train.holdout, "Fraction of rows held out for validation (0 = none)")
      ->capture_default_str();
  train_cmd->add_option("--seed", train.seed, "Seed of the holdout shuffle")
      ->capture_default_str();
  train_cmd->add_option("--eval", train.eval, "Validate on this CSV instead of a holdout")
      ->excludes(holdout);
  train_cmd->add_option("-o,--output", train.output, "Model file to write (- for stdout)")
      ->required();
  train_cmd->add_flag("--skip-invalid", train.skip_invalid,
                      "Skip invalid rows (and count them) instead of failing");

  diamond::app::PredictArgs predict;
  auto* predict_cmd =
      app.add_subcommand("predict", "Price a CSV of stones: the same CSV plus price_predicted");
  predict_cmd->add_option("--model", predict.model, "Model file")->required();
  predict_cmd->add_option("--input", predict.input, "CSV to price (default: standard input)");
  predict_cmd->add_option("-o,--output", predict.output, "Priced CSV (default: standard output)");
  predict_cmd->add_flag("--skip-invalid", predict.skip_invalid,
                        "Leave out rows that cannot be priced (and count them) instead of failing");

  diamond::app::EvaluateArgs evaluate;
  auto* evaluate_cmd = app.add_subcommand("evaluate", "Score a model on a CSV of priced stones");
  evaluate_cmd->add_option("--model", evaluate.model, "Model file")->required();
  evaluate_cmd->add_option("--data", evaluate.data, "CSV with a price column")->required();
  evaluate_cmd->add_flag("--skip-invalid", evaluate.skip_invalid,
                         "Skip invalid rows (and count them) instead of failing");

  diamond::app::ServeArgs serve;
  serve.web_dir = DIAMOND_DEFAULT_WEB_DIR;
  auto* serve_cmd = app.add_subcommand("serve", "Run the REST API (embedded storage under --data-dir)");
  serve_cmd->add_option("--data-dir", serve.data_dir, "Directory for the database and blobs")
      ->envname("DIAMOND_DATA_DIR")->capture_default_str();
  serve_cmd->add_option("--listen", serve.listen, "HOST:PORT to listen on (port 0: any free port)")
      ->envname("DIAMOND_LISTEN")->capture_default_str();
  serve_cmd->add_option("--threads", serve.io_threads, "I/O threads")
      ->envname("DIAMOND_THREADS")->check(CLI::Range(1, 64))->capture_default_str();
  serve_cmd->add_option("--work-threads", serve.work_threads, "Threads for blocking requests")
      ->envname("DIAMOND_WORK_THREADS")->check(CLI::Range(1, 256))->capture_default_str();
  serve_cmd->add_option("--job-workers", serve.job_workers,
                        "In-process training workers (0: this process only queues jobs; "
                        "`diamond serve` processes with workers on the same storage run them)")
      ->envname("DIAMOND_JOB_WORKERS")->check(CLI::Range(0, 64))->capture_default_str();
  serve_cmd->add_option("--body-limit", serve.body_limit, "Largest request body, in bytes")
      ->envname("DIAMOND_BODY_LIMIT")->check(CLI::Range(size_t{1024}, size_t{1} << 34))->capture_default_str();
  serve_cmd->add_option("--read-timeout", serve.read_timeout_seconds,
                        "Seconds to read a request (or wait for the next on a kept-alive connection)")
      ->envname("DIAMOND_READ_TIMEOUT")->check(CLI::Range(1, 3600))->capture_default_str();
  serve_cmd->add_option("--max-predict", serve.max_predict_stones, "Most stones in one real-time predict")
      ->envname("DIAMOND_MAX_PREDICT")->check(CLI::Range(size_t{1}, size_t{1000000}))->capture_default_str();
  serve_cmd->add_option("--web-dir", serve.web_dir, "swagger-ui-dist directory served at /docs")
      ->envname("DIAMOND_WEB_DIR")->capture_default_str();
  serve_cmd->add_flag("--quiet", serve.quiet, "No access log (warnings and errors only)")
      ->envname("DIAMOND_QUIET");

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
  if (*serve_cmd) return diamond::app::RunServe(serve);
  return diamond::app::RunEvaluate(evaluate);
}
