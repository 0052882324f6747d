// The AWS Lambda Runtime API, as a custom runtime uses it (AWS Lambda Developer Guide,
// "Using the Lambda runtime API for custom runtimes", version 2018-06-01): ask for the
// next invocation, post its response or its error, or report that initialisation failed.
// Plain HTTP/1.1 to the address in AWS_LAMBDA_RUNTIME_API, over libcurl, one connection
// kept alive. Knows nothing of what the events mean (that is http/lambda_event.h).
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/status.h"

namespace diamond::app {

struct LambdaInvocation {
  std::string request_id;  // Lambda-Runtime-Aws-Request-Id
  std::string event;       // the body: the event document
  // Lambda-Runtime-Deadline-Ms, as a time on this machine's steady clock; unset if absent.
  std::optional<std::chrono::steady_clock::time_point> deadline;
};

class LambdaRuntimeClient {
 public:
  // `address`: HOST:PORT, the value of AWS_LAMBDA_RUNTIME_API.
  explicit LambdaRuntimeClient(std::string address);
  ~LambdaRuntimeClient();
  LambdaRuntimeClient(const LambdaRuntimeClient&) = delete;
  LambdaRuntimeClient& operator=(const LambdaRuntimeClient&) = delete;

  // Blocks until Lambda has an invocation for this environment (no timeout: Lambda freezes
  // the process meanwhile).
  Result<LambdaInvocation> Next();
  Status Respond(const std::string& request_id, const std::string& response);
  // error_type: a short category such as "Runtime.UnsupportedEvent"; message: for people.
  Status Fail(const std::string& request_id, const std::string& error_type,
              const std::string& message);
  Status FailInit(const std::string& error_type, const std::string& message);

 private:
  struct Reply {
    long status = 0;
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers;  // names lowercased
  };
  Result<Reply> Call(const std::string& method, const std::string& path, const std::string& body,
                     const std::string& error_type, bool wait_forever);
  Status Post(const std::string& path, const std::string& body, const std::string& error_type);

  struct Handle;
  std::string base_;
  std::unique_ptr<Handle> handle_;
};

}  // namespace diamond::app
