// The `diamond` subcommands other than the server: train, predict, evaluate.
// Each returns the process exit code and prints its own one-line errors on stderr.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace diamond::app {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;   // the machine failed us: I/O, disk full
inline constexpr int kExitBadInput = 2;  // the caller's input or arguments are wrong

struct TrainArgs {
  std::string data;                   // training CSV ("-" = stdin)
  std::string eval;                   // optional separate evaluation CSV
  std::string output;                 // model file path
  std::vector<std::string> features;  // selector; empty = the seed's carat,cut,color,clarity
  bool positive = false;
  double holdout = 0.2;  // 0 = fit on all rows, no validation
  uint64_t seed = 42;
  bool skip_invalid = false;
};

struct PredictArgs {
  std::string model;
  std::string input;   // "-" or empty = stdin
  std::string output;  // "-" or empty = stdout
  bool skip_invalid = false;
};

struct EvaluateArgs {
  std::string model;
  std::string data;
  bool skip_invalid = false;
};

struct ServeArgs {
  std::string data_dir = "var";
  std::string listen = "127.0.0.1:8080";
  int io_threads = 2;
  int work_threads = 4;
  int job_workers = 1;
  size_t body_limit = 64 << 20;
  int read_timeout_seconds = 30;
  size_t max_predict_stones = 10000;
  std::string web_dir;
  bool quiet = false;
};

int RunTrain(const TrainArgs& args);
int RunPredict(const PredictArgs& args);
int RunEvaluate(const EvaluateArgs& args);
int RunServe(const ServeArgs& args);

}  // namespace diamond::app
