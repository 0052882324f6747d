// API Gateway's proxy events (payload formats 1.0 and 2.0, shaped as AWS documents them)
// become the request the server would have read, and responses become the documents API
// Gateway expects. The whole loop, with a real binary and a Runtime API peer, is in
// tests/lambda/test_lambda_runtime.py.
#include "http/lambda_event.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <thread>

namespace diamond::http {
namespace {

using nlohmann::json;

std::string Header(const HttpRequest& request, std::string_view name) {
  auto value = request.Header(name);
  return value ? std::string(*value) : std::string("<none>");
}

TEST(LambdaEvent, HttpApiPayload2) {
  const json event = {
      {"version", "2.0"},
      {"routeKey", "$default"},
      {"rawPath", "/prod/v1/models/m/predict"},
      {"rawQueryString", "explain=true&interval=0.9&name=a%20b"},
      {"cookies", {"a=1", "b=2"}},
      {"headers", {{"authorization", "Bearer k"}, {"content-type", "application/json"}}},
      {"requestContext",
       {{"http", {{"method", "POST"}, {"path", "/prod/v1/models/m/predict"}}},
        {"requestId", "gw-1"},
        {"stage", "prod"}}},
      {"body", "[{\"carat\": 1}]"},
      {"isBase64Encoded", false}};
  auto parsed = ParseApiGatewayEvent(event.dump());
  ASSERT_TRUE(parsed.ok()) << parsed.status().message();
  EXPECT_EQ(parsed->payload_version, 2);
  EXPECT_FALSE(parsed->refusal.has_value());
  const HttpRequest& request = parsed->request;
  EXPECT_EQ(request.method, "POST");
  EXPECT_EQ(request.path, "/v1/models/m/predict");  // the stage is not part of the API's path
  ASSERT_EQ(request.query.size(), 3u);
  EXPECT_EQ(request.query[2], (std::pair<std::string, std::string>{"name", "a b"}));
  EXPECT_EQ(Header(request, "authorization"), "Bearer k");
  EXPECT_EQ(Header(request, "cookie"), "a=1; b=2");
  EXPECT_EQ(Header(request, "x-request-id"), "gw-1");
  EXPECT_EQ(request.body, "[{\"carat\": 1}]");
}

TEST(LambdaEvent, DefaultStageAndStageRoot) {
  json event = {{"version", "2.0"},
                {"rawPath", "/$default/x"},
                {"requestContext", {{"http", {{"method", "GET"}}}, {"stage", "$default"}}}};
  EXPECT_EQ(ParseApiGatewayEvent(event.dump())->request.path, "/$default/x");
  event["rawPath"] = "/prod";
  event["requestContext"]["stage"] = "prod";
  EXPECT_EQ(ParseApiGatewayEvent(event.dump())->request.path, "/");
  event["rawPath"] = "/production/v1/me";  // starts with the stage's name, not its segment
  EXPECT_EQ(ParseApiGatewayEvent(event.dump())->request.path, "/production/v1/me");
}

TEST(LambdaEvent, RestApiPayload1WithMultipleValuesAndBase64) {
  const json event = {
      {"resource", "/{proxy+}"},
      {"path", "/v1/datasets"},
      {"httpMethod", "PUT"},
      {"headers", {{"X-Thing", "second"}}},
      {"multiValueHeaders", {{"X-Thing", {"first", "second"}}, {"Content-Type", {"text/csv"}}}},
      {"queryStringParameters", {{"page", "2"}}},
      {"multiValueQueryStringParameters", {{"page", {"1", "2"}}}},
      {"requestContext", {{"requestId", "gw-2"}, {"stage", "prod"}}},
      {"body", "Y2FyYXQKMQo="},  // "carat\n1\n"
      {"isBase64Encoded", true}};
  auto parsed = ParseApiGatewayEvent(event.dump());
  ASSERT_TRUE(parsed.ok()) << parsed.status().message();
  EXPECT_EQ(parsed->payload_version, 1);
  const HttpRequest& request = parsed->request;
  EXPECT_EQ(request.method, "PUT");
  EXPECT_EQ(request.path, "/v1/datasets");
  EXPECT_EQ(request.body, "carat\n1\n");
  ASSERT_EQ(request.query.size(), 2u);  // every value, not only the last
  EXPECT_EQ(request.query[0].second, "1");
  int things = 0;
  for (const auto& [name, value] : request.headers) things += name == "x-thing";
  EXPECT_EQ(things, 2);
  EXPECT_EQ(Header(request, "content-type"), "text/csv");
}

TEST(LambdaEvent, NullMembersAreAbsent) {
  const json event = {{"path", "/"},
                      {"httpMethod", "GET"},
                      {"headers", nullptr},
                      {"multiValueHeaders", nullptr},
                      {"queryStringParameters", nullptr},
                      {"body", nullptr},
                      {"isBase64Encoded", false}};
  auto parsed = ParseApiGatewayEvent(event.dump());
  ASSERT_TRUE(parsed.ok()) << parsed.status().message();
  EXPECT_TRUE(parsed->request.headers.empty());
  EXPECT_TRUE(parsed->request.body.empty());
}

TEST(LambdaEvent, MalformedRequestsInsideAnEventAreRefusals) {
  json event = {{"version", "2.0"},
                {"rawPath", "/v1/me"},
                {"rawQueryString", "a=%zz"},
                {"requestContext", {{"http", {{"method", "GET"}}}}}};
  auto parsed = ParseApiGatewayEvent(event.dump());
  ASSERT_TRUE(parsed.ok());
  ASSERT_TRUE(parsed->refusal.has_value());
  EXPECT_EQ(parsed->refusal->status, 400);
  event["rawQueryString"] = "";
  event["body"] = "not base64!";
  event["isBase64Encoded"] = true;
  parsed = ParseApiGatewayEvent(event.dump());
  ASSERT_TRUE(parsed.ok());
  ASSERT_TRUE(parsed->refusal.has_value());
  EXPECT_EQ(parsed->refusal->status, 400);
}

TEST(LambdaEvent, OtherEventsAreNotApiGatewayEvents) {
  for (const char* text :
       {"", "[]", "not json", R"({"Records": [{"eventSource": "aws:s3"}]})",
        R"({"version": "2.0", "rawPath": "/"})",
        R"({"version": "9", "path": "/", "httpMethod": "GET"})",
        R"({"path": "relative", "httpMethod": "GET"})", R"({"path": "/", "httpMethod": 7})",
        R"({"path": "/", "httpMethod": "GET", "headers": {"a": 1}})",
        R"({"path": "/", "httpMethod": "GET", "isBase64Encoded": "yes"})"}) {
    auto parsed = ParseApiGatewayEvent(text);
    EXPECT_FALSE(parsed.ok()) << text;
  }
}

TEST(LambdaEvent, ResponsesInBothFormats) {
  HttpResponse response;
  response.status = 201;
  response.content_type = "application/json";
  response.body = R"({"id": "m"})";
  response.headers = {{"Location", "/v1/models/m"}, {"Link", "<a>"}, {"Link", "<b>"}};
  response.header_lines = "RateLimit-Limit: 10\r\nRateLimit-Remaining: 4\r\n";
  const json v2 = json::parse(FormatApiGatewayResponse(response, 2));
  EXPECT_EQ(v2["statusCode"], 201);
  EXPECT_EQ(v2["isBase64Encoded"], false);
  EXPECT_EQ(v2["body"], response.body);
  EXPECT_EQ(v2["headers"]["Content-Type"], "application/json");
  EXPECT_EQ(v2["headers"]["Link"], "<a>, <b>");
  EXPECT_EQ(v2["headers"]["RateLimit-Remaining"], "4");
  EXPECT_FALSE(v2.contains("multiValueHeaders"));
  const json v1 = json::parse(FormatApiGatewayResponse(response, 1));
  EXPECT_EQ(v1["multiValueHeaders"]["Link"], json({"<a>", "<b>"}));
  EXPECT_EQ(v1["multiValueHeaders"]["RateLimit-Limit"], json({"10"}));
}

TEST(LambdaEvent, BodiesThatAreNotUtf8GoAsBase64) {
  HttpResponse response;
  response.content_type = "application/octet-stream";
  response.body = std::string("\xff\x00\x01", 3);
  const json document = json::parse(FormatApiGatewayResponse(response, 2));
  EXPECT_EQ(document["isBase64Encoded"], true);
  EXPECT_EQ(document["body"], "/wAB");
}

using Clock = std::chrono::steady_clock;

TEST(LambdaHandleBefore, WaitsForAnAnswerFromAnotherThread) {
  std::thread worker;
  HttpResponse response = HandleBefore(
      [&worker](HttpRequest request, std::function<void(HttpResponse)> done) {
        EXPECT_FALSE(request.answer_by.has_value());  // no deadline: waits as asked
        worker = std::thread([done] {
          std::this_thread::sleep_for(std::chrono::milliseconds(50));
          done(JsonResponse(201, "{}"));
        });
      },
      HttpRequest{}, std::nullopt);
  worker.join();
  EXPECT_EQ(response.status, 201);
}

TEST(LambdaHandleBefore, TellsWaitingRequestsToStopBeforeTheDeadline) {
  const auto deadline = Clock::now() + std::chrono::seconds(30);
  HttpResponse response = HandleBefore(
      [deadline](HttpRequest request, std::function<void(HttpResponse)> done) {
        ASSERT_TRUE(request.answer_by.has_value());
        EXPECT_LT(*request.answer_by, deadline);
        done(JsonResponse(200, "{}"));  // answered on the calling thread
      },
      HttpRequest{}, deadline);
  EXPECT_EQ(response.status, 200);
}

TEST(LambdaHandleBefore, AnAnswerMissingAtTheDeadlineIsA504AndALateOneIsDropped) {
  std::function<void(HttpResponse)> kept;
  HttpResponse response = HandleBefore(
      [&kept](HttpRequest, std::function<void(HttpResponse)> done) { kept = std::move(done); },
      HttpRequest{}, Clock::now() + std::chrono::milliseconds(300));
  EXPECT_EQ(response.status, 504);
  EXPECT_EQ(response.content_type, "application/problem+json");
  kept(JsonResponse(200, "{}"));  // the handler's answer, after the invocation ended: harmless
}

}  // namespace
}  // namespace diamond::http
