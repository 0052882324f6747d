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
  return diamond::app::RunEvaluate(evaluate);
}
