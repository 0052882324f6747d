// diamond evaluate: score a model file on a CSV with prices.
#include <iostream>

#include "app/cli_support.h"
#include "app/commands.h"
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
  return kExitOk;
}

}  // namespace diamond::app
