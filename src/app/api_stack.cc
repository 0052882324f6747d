#include "app/api_stack.h"

#include "http/handlers/handlers.h"

namespace diamond::app {

jobs::DescribeCompletionFailure ApiCompletionProblems() {
  return [](const Status& status, const InvalidRows& invalid) {
    return http::CompletionProblem(status, invalid).body;
  };
}

Result<std::unique_ptr<ApiStack>> ApiStack::Open(StackOptions options, store::Stores stores) {
  std::unique_ptr<ApiStack> stack(new ApiStack());
  options.app.metered = options.gate_enabled;
  options.app.serves_api = true;
  options.app.rows_priced = [metrics = &stack->metrics_](int64_t rows) {
    metrics->AddPredictedRows(rows);
  };
  options.app.describe_completion_failure = ApiCompletionProblems();
  auto app = Application::Open(options.app, std::move(stores));
  if (!app.ok()) return app.status();
  stack->app_ = std::move(app).value();
  Application& a = *stack->app_;
  stack->gate_ = std::make_unique<http::Gate>(a.accounts(), options.gate_enabled);
  stack->api_ = std::make_unique<http::Api>(
      http::ApiContext{a.datasets(), a.models(), a.pricing(), a.queries(), a.uploads(), a.batches(),
                       a.runner(), a.job_records(), stack->metrics_, *stack->gate_, options.api});
  return stack;
}

ApiStack::~ApiStack() {
  if (api_) api_->Drain();  // requests handed to the work pool finish
}

}  // namespace diamond::app
