// API Gateway's Lambda proxy events as HttpRequests, and HttpResponses as the answers API
// Gateway expects, so that `diamond lambda` runs the same router, gate and handlers as
// `diamond serve`. Both payload formats: 1.0 (REST APIs, and HTTP APIs set to 1.0) and 2.0
// (HTTP APIs' default), as AWS documents them in "Working with AWS Lambda proxy
// integrations for HTTP APIs" and "Set up Lambda proxy integrations in API Gateway".
// No Lambda or socket code here: app/lambda_command.cc talks to the Runtime API.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"
#include "http/http_types.h"

namespace diamond::http {

struct ApiGatewayEvent {
  int payload_version = 2;  // 1 or 2: the answer takes the same format
  // The request as the server would have read it: the path with /v1 if the client sent it
  // (the stage of an HTTP API's named stage removed), headers lowercased, the query
  // decoded, the body decoded from base64 when API Gateway encoded it. Without an
  // X-Request-Id of the client's, API Gateway's request id becomes the request's id, so
  // that the API's logs and API Gateway's name the same request.
  HttpRequest request;
  // Set when the event is API Gateway's but the request in it is malformed (a bad %-escape
  // in the query, a body that is not the base64 it claims to be): answer this instead.
  std::optional<HttpResponse> refusal;
};

// InvalidArgument when `event` is not an API Gateway proxy event at all (another AWS
// service's event, or not JSON): the caller reports it as the invocation's error.
Result<ApiGatewayEvent> ParseApiGatewayEvent(std::string_view event);

// Runs `request` through `handle` (Api::Handle, which may answer on another thread) and
// waits for the answer. With a deadline (the invocation's), requests that wait are told to
// stop 500 ms before it (HttpRequest::answer_by), and an answer still missing 200 ms before
// it becomes a 504 problem, so that Lambda never ends the invocation with a bare timeout.
using HandleFunction = std::function<void(HttpRequest, std::function<void(HttpResponse)>)>;
HttpResponse HandleBefore(const HandleFunction& handle, HttpRequest request,
                          std::optional<std::chrono::steady_clock::time_point> deadline);

// The JSON document API Gateway turns into the HTTP response. Bodies that are not valid
// UTF-8 are sent base64-encoded (isBase64Encoded), as JSON cannot carry them.
std::string FormatApiGatewayResponse(const HttpResponse& response, int payload_version);

}  // namespace diamond::http
