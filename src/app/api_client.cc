#include "app/api_client.h"

#include <curl/curl.h>

#include <cstdlib>

namespace diamond::app {
namespace {

size_t Collect(char* data, size_t size, size_t count, void* out) {
  static_cast<std::string*>(out)->append(data, size * count);
  return size * count;
}

}  // namespace

struct ApiClient::Handle {
  struct Free {
    void operator()(CURL* curl) const { curl_easy_cleanup(curl); }
  };
  std::unique_ptr<CURL, Free> curl{curl_easy_init()};
};

ApiClient::ApiClient(std::string base_url, std::string key)
    : base_url_(std::move(base_url)), key_(std::move(key)), handle_(std::make_unique<Handle>()) {
  while (!base_url_.empty() && base_url_.back() == '/') base_url_.pop_back();
}

ApiClient::~ApiClient() = default;

Result<ApiAnswer> ApiClient::Request(const std::string& method, const std::string& path,
                                     std::string_view body,
                                     const std::vector<std::string>& headers) {
  CURL* curl = handle_->curl.get();
  if (curl == nullptr) return Status::IoError("cannot start an HTTP client");
  curl_easy_reset(curl);
  const std::string url = base_url_ + "/v1" + path;
  ApiAnswer answer;
  struct curl_slist* list = nullptr;
  const std::string auth = "Authorization: Bearer " + key_;
  list = curl_slist_append(list, auth.c_str());
  list = curl_slist_append(list, "Expect:");  // no 100-continue round trip per part
  for (const auto& h : headers) list = curl_slist_append(list, h.c_str());
  std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> owned(list, curl_slist_free_all);
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method.c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, list);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, Collect);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &answer.body);
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, 10L);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT, 600L);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  if (method != "GET" && method != "DELETE") {
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.data());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  }
  const CURLcode code = curl_easy_perform(curl);
  if (code != CURLE_OK)
    return Status::IoError(method + " " + url + ": " + curl_easy_strerror(code));
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &answer.status);
  return answer;
}

Result<nlohmann::json> ApiAnswer::Json() const {
  auto parsed = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded())
    return Status::IoError("the server answered " + std::to_string(status) +
                           " with a body that is not JSON");
  return parsed;
}

std::string ApiAnswer::Describe() const {
  std::string out = "HTTP " + std::to_string(status);
  auto parsed = Json();
  if (!parsed.ok() || !parsed->is_object()) return out + ": " + body.substr(0, 300);
  out += ": " + parsed->value("detail", parsed->value("title", std::string("(no detail)")));
  if (auto errors = parsed->find("errors"); errors != parsed->end() && errors->is_array()) {
    size_t shown = 0;
    for (const auto& e : *errors) {
      if (shown++ == 5) break;
      out += "\n  ";
      if (e.contains("line")) out += "line " + std::to_string(e.value("line", 0)) + ", ";
      if (e.contains("row")) out += "row " + std::to_string(e.value("row", 0)) + ", ";
      if (e.contains("column"))
        out += "column '" + e.value("column", std::string()) + "': ";
      else if (e.contains("field"))
        out += e.value("field", std::string()) + ": ";
      out += e.value("message", std::string());
    }
  }
  return out;
}

Result<std::string> ApiKeyFromEnvironment() {
  const char* key = std::getenv("DIAMOND_API_KEY");
  if (key == nullptr || *key == '\0') {
    return Status::InvalidArgument(
        "set DIAMOND_API_KEY to your API key (it is never taken from the command line, "
        "which other users of this machine can read)");
  }
  return std::string(key);
}

}  // namespace diamond::app
