// diamond evaluate: score a model file on a CSV with prices, and optionally probe it for
// prices that drop when the stone gets better (--monotone-check).
#include <iostream>

#include "app/cli_support.h"
#include "app/commands.h"
#include "ml/cleaning.h"
#include "ml/monotonicity.h"
#include "ml/trainer.h"

namespace diamond::app {

int RunEvaluate(const EvaluateArgs& args) {
  constexpr std::string_view kCommand = "evaluate";
  auto model = LoadModel(args.model);
  if (!model.ok()) {
    PrintError(kCommand, model.status().message());
    return ExitCodeFor(model.status());
  }
  auto data = LoadCsv(args.data, /*require_price=*/true, args.skip_invalid);
  if (!data.ok()) {
    PrintError(kCommand, data.status().message());
    return ExitCodeFor(data.status());
  }
  auto evaluation = ml::Evaluate(*model->model, data->table.stones);
  if (!evaluation.ok()) {
    PrintError(kCommand, data->lineage.name + ": " + evaluation.status().message());
    return kExitBadInput;
  }
  std::cout << "data: " << data->lineage.name << " (sha256 " << data->lineage.sha256 << ")\n"
            << "  " << CleaningSummary(evaluation->cleaning) << "\n"
            << MetricsHeader() << "\n"
            << MetricsLine("evaluation", evaluation->metrics) << "\n";
  if (!args.monotone_check) return kExitOk;
  ml::CleaningReport ignored;
  const std::vector<Diamond> stones = ml::CleanForTraining(data->table.stones, &ignored);
  const ml::MonotonicityReport report = ml::CheckMonotonicity(*model->model, stones);
  std::cout << "monotonicity: " << MonotonicitySummary(report) << "\n";
  return report.inversions() == 0 ? kExitOk : kExitCheckFailed;
}

}  // namespace diamond::app
