// ApiStack: the HTTP Api on top of an Application (application.h) — the request metrics,
// the gate (keys, plans, rates, metering) and the Api's routes over the application's
// services. What `diamond serve`, `diamond lambda`, the API benchmark, the request fuzzer
// and the in-process tests run (`diamond worker` runs the Application alone). Destruction drains
// the Api (requests handed to the work pool finish), then the application stops its job workers.
#pragma once

#include <memory>

#include "app/application.h"
#include "http/api.h"
#include "http/gate.h"
#include "http/metrics.h"

namespace diamond::app {

struct StackOptions {
  ApplicationOptions app;  // its rows_priced and describe_completion_failure are set here
  http::ApiConfig api;
  // Benchmarks only: false turns authentication, limits and metering off (gate.h).
  bool gate_enabled = true;
};

// How the API describes a failed upload completion (its problem document), for every
// process that runs upload completion jobs, `diamond worker` included.
jobs::DescribeCompletionFailure ApiCompletionProblems();

class ApiStack {
 public:
  static Result<std::unique_ptr<ApiStack>> Open(StackOptions options, store::Stores stores);
  ~ApiStack();
  ApiStack(const ApiStack&) = delete;
  ApiStack& operator=(const ApiStack&) = delete;

  http::Api& api() { return *api_; }
  Application& application() { return *app_; }
  jobs::JobRunner& runner() { return app_->runner(); }
  accounts::Accounts& accounts() { return app_->accounts(); }

 private:
  ApiStack() = default;

  http::Metrics metrics_;  // first: the application's pricing counts into it
  std::unique_ptr<Application> app_;
  std::unique_ptr<http::Gate> gate_;
  std::unique_ptr<http::Api> api_;
};

}  // namespace diamond::app
