#include "app/lambda_runtime_client.h"

#include <curl/curl.h>

#include <charconv>
#include <nlohmann/json.hpp>

namespace diamond::app {
namespace {

constexpr const char* kApiVersion = "/2018-06-01";

size_t CollectBody(char* data, size_t size, size_t count, void* out) {
  static_cast<std::string*>(out)->append(data, size * count);
  return size * count;
}

// One "Name: value\r\n" line per call; the status line and the blank line are skipped.
size_t CollectHeader(char* data, size_t size, size_t count, void* out) {
  const std::string_view line(data, size * count);
  const size_t colon = line.find(':');
  if (colon != std::string_view::npos) {
    std::string name(line.substr(0, colon));
    for (char& c : name) {
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + ('a' - 'A'));
    }
    std::string_view value = line.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t'))
      value.remove_prefix(1);
    while (!value.empty() &&
           (value.back() == '\r' || value.back() == '\n' || value.back() == ' ')) {
      value.remove_suffix(1);
    }
    static_cast<std::vector<std::pair<std::string, std::string>>*>(out)->emplace_back(
        std::move(name), std::string(value));
  }
  return size * count;
}

std::string ErrorDocument(const std::string& error_type, const std::string& message) {
  return nlohmann::json{
      {"errorMessage", message}, {"errorType", error_type}, {"stackTrace", nlohmann::json::array()}}
      .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace

struct LambdaRuntimeClient::Handle {
  struct Free {
    void operator()(CURL* curl) const { curl_easy_cleanup(curl); }
  };
  std::unique_ptr<CURL, Free> curl{curl_easy_init()};
};

LambdaRuntimeClient::LambdaRuntimeClient(std::string address)
    : base_("http://" + address + kApiVersion), handle_(std::make_unique<Handle>()) {}

LambdaRuntimeClient::~LambdaRuntimeClient() = default;

Result<LambdaRuntimeClient::Reply> LambdaRuntimeClient::Call(const std::string& method,
                                                             const std::string& path,
                                                             const std::string& body,
                                                             const std::string& error_type,
                                                             bool wait_forever) {
  CURL* curl = handle_->curl.get();
  if (curl == nullptr) return Status::IoError("cannot start an HTTP client");
  curl_easy_reset(curl);
  const std::string url = base_ + path;
  Reply reply;
  struct curl_slist* list = nullptr;
  list = curl_slist_append(list, "Expect:");
  list = curl_slist_append(list, "Content-Type: application/json");
  const std::string type_header = "Lambda-Runtime-Function-Error-Type: " + error_type;
  if (!error_type.empty()) list = curl_slist_append(list, type_header.c_str());
  std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> owned(list, curl_slist_free_all);
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, list);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, CollectBody);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &reply.body);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, CollectHeader);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &reply.headers);
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, 10L);
  // Waiting for the next invocation has no end; posting an answer should take moments.
  curl_easy_setopt(curl, CURLOPT_TIMEOUT, wait_forever ? 0L : 60L);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  // The Runtime API is on the function's own host: never through an HTTP_PROXY the
  // function's environment sets for its calls out.
  curl_easy_setopt(curl, CURLOPT_NOPROXY, "*");
  if (method == "POST") {
    curl_easy_setopt(curl, CURLOPT_POST, 1L);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.data());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  }
  const CURLcode code = curl_easy_perform(curl);
  if (code != CURLE_OK) {
    return Status::IoError("the Lambda Runtime API (" + url + "): " + curl_easy_strerror(code));
  }
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &reply.status);
  return reply;
}

Status LambdaRuntimeClient::Post(const std::string& path, const std::string& body,
                                 const std::string& error_type) {
  auto reply = Call("POST", path, body, error_type, /*wait_forever=*/false);
  if (!reply.ok()) return reply.status();
  // 202 Accepted; 400/403/413 say what Lambda refused (its body is an error document).
  if (reply->status != 202) {
    return Status::IoError("the Lambda Runtime API answered " + std::to_string(reply->status) +
                           " to POST " + path + ": " + reply->body.substr(0, 300));
  }
  return Status::Ok();
}

Result<LambdaInvocation> LambdaRuntimeClient::Next() {
  auto reply = Call("GET", "/runtime/invocation/next", {}, {}, /*wait_forever=*/true);
  if (!reply.ok()) return reply.status();
  if (reply->status != 200) {
    return Status::IoError("the Lambda Runtime API answered " + std::to_string(reply->status) +
                           " for the next invocation: " + reply->body.substr(0, 300));
  }
  LambdaInvocation invocation;
  invocation.event = std::move(reply->body);
  for (auto& [name, value] : reply->headers) {
    if (name == "lambda-runtime-aws-request-id") invocation.request_id = std::move(value);
    if (name == "lambda-runtime-deadline-ms") {
      int64_t epoch_ms = 0;
      auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), epoch_ms);
      if (ec == std::errc() && end == value.data() + value.size()) {
        // The deadline is wall-clock time; waits are measured on the steady clock.
        const auto left = std::chrono::milliseconds(epoch_ms) -
                          std::chrono::duration_cast<std::chrono::milliseconds>(
                              std::chrono::system_clock::now().time_since_epoch());
        invocation.deadline = std::chrono::steady_clock::now() + left;
      }
    }
  }
  // The id goes into the paths of the answer's URL: letters, digits and '-' only (a UUID).
  const bool usable =
      !invocation.request_id.empty() && invocation.request_id.size() <= 128 &&
      invocation.request_id.find_first_not_of("0123456789abcdefABCDEF-") == std::string::npos;
  if (!usable) {
    return Status::IoError(
        "the Lambda Runtime API sent an invocation without a usable Lambda-Runtime-Aws-Request-Id "
        "('" +
        invocation.request_id.substr(0, 64) + "')");
  }
  return invocation;
}

Status LambdaRuntimeClient::Respond(const std::string& request_id, const std::string& response) {
  return Post("/runtime/invocation/" + request_id + "/response", response, {});
}

Status LambdaRuntimeClient::Fail(const std::string& request_id, const std::string& error_type,
                                 const std::string& message) {
  return Post("/runtime/invocation/" + request_id + "/error", ErrorDocument(error_type, message),
              error_type);
}

Status LambdaRuntimeClient::FailInit(const std::string& error_type, const std::string& message) {
  return Post("/runtime/init/error", ErrorDocument(error_type, message), error_type);
}

}  // namespace diamond::app
