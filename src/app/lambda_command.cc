// diamond lambda: the binary as an AWS Lambda custom runtime (the `bootstrap` of a
// provided.al2023 function). It opens the same stores and service stack as `diamond serve`
// (serving_stack.h), then loops on the Runtime API: take the next invocation, turn its API
// Gateway event into a request (http/lambda_event.h), run it through the same Api — router,
// gate, handlers — and post the answer. What is not an API Gateway event is posted as the
// invocation's error; a stack that cannot open is posted as the init error, and the
// process exits for Lambda to report it.
#include <cstdlib>
#include <iostream>

#include "app/cli_support.h"
#include "app/commands.h"
#include "app/lambda_runtime_client.h"
#include "app/serving_stack.h"
#include "base/logger.h"
#include "http/lambda_event.h"
#include "http/problem.h"

namespace diamond::app {
namespace {

// AWS Lambda refuses a synchronous response larger than 6 MB.
constexpr size_t kMaxResponseBytes = size_t{6} << 20;

std::string TooLarge(int64_t bytes, int payload_version) {
  auto too_large =
      http::Problem(500, "response-too-large", "Answer too large for AWS Lambda",
                    "the answer is " + std::to_string(bytes) +
                        " bytes and Lambda returns at most " + std::to_string(kMaxResponseBytes) +
                        ": ask for less (a smaller page, a Range of the file)");
  return http::FormatApiGatewayResponse(too_large, payload_version);
}

std::string Answer(http::HttpResponse response, int payload_version) {
  // Lambda answers whole: a download is read into the answer, unless it could never fit.
  if (response.streamed && response.streamed->size > static_cast<int64_t>(kMaxResponseBytes)) {
    return TooLarge(response.streamed->size, payload_version);
  }
  if (!http::ReadWholeBody(&response)) {
    return http::FormatApiGatewayResponse(
        http::Problem(500, "internal", "Internal error",
                      "the answer's body could not be read; try again"),
        payload_version);
  }
  std::string document = http::FormatApiGatewayResponse(response, payload_version);
  if (document.size() <= kMaxResponseBytes) return document;
  return TooLarge(static_cast<int64_t>(document.size()), payload_version);
}

}  // namespace

int RunLambda(const ServeArgs& args) {
  constexpr std::string_view kCommand = "lambda";
  const char* address = std::getenv("AWS_LAMBDA_RUNTIME_API");
  if (address == nullptr || *address == '\0') {
    PrintError(kCommand,
               "AWS_LAMBDA_RUNTIME_API is not set: `diamond lambda` runs inside AWS Lambda (or an "
               "emulator of its Runtime API); to serve HTTP, use `diamond serve`");
    return kExitBadInput;
  }
  if (args.quiet) SetLogLevel(LogLevel::kWarn);
  LambdaRuntimeClient runtime(address);
  auto serving = OpenServingStack(args);
  if (!serving.ok()) {
    PrintError(kCommand, serving.status().message());
    if (Status reported = runtime.FailInit("Diamond.InitError", serving.status().message());
        !reported.ok()) {
      PrintError(kCommand, reported.message());
    }
    return kExitFailure;
  }
  Log(LogLevel::kInfo, "lambda runtime ready",
      {{"runtime_api", std::string(address)}, {"storage", serving->storage}});
  http::Api& api = serving->stack->api();
  const http::HandleFunction handle = [&api](http::HttpRequest request,
                                             std::function<void(http::HttpResponse)> done) {
    api.Handle(std::move(request), std::move(done));
  };
  for (;;) {
    auto invocation = runtime.Next();
    if (!invocation.ok()) {
      // Lambda never ends the loop this way; if its API is gone, so is the environment.
      PrintError(kCommand, invocation.status().message());
      return kExitFailure;
    }
    auto event = http::ParseApiGatewayEvent(invocation->event);
    Status posted;
    if (!event.ok()) {
      Log(LogLevel::kWarn, "not an API Gateway event",
          {{"lambda_request_id", invocation->request_id}, {"error", event.status().message()}});
      posted = runtime.Fail(invocation->request_id, "Diamond.UnsupportedEvent",
                            event.status().message());
    } else {
      http::HttpResponse response;
      if (event->refusal) {
        api.Refuse(std::move(event->request), std::move(*event->refusal),
                   [&response](http::HttpResponse answer) { response = std::move(answer); });
      } else {
        response = http::HandleBefore(handle, std::move(event->request), invocation->deadline);
      }
      posted = runtime.Respond(invocation->request_id,
                               Answer(std::move(response), event->payload_version));
    }
    if (!posted.ok()) {
      Log(LogLevel::kError, "could not post the invocation's answer",
          {{"lambda_request_id", invocation->request_id}, {"error", posted.message()}});
    }
  }
}

}  // namespace diamond::app
