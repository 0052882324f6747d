#include "store/s3_client.h"

#include <curl/curl.h>

#include <chrono>
#include <cstdlib>
#include <memory>
#include <pugixml.hpp>
#include <thread>

#include "core/sha256.h"

namespace diamond::store {
namespace {

bool StartsWith(const std::string& s, const char* prefix) { return s.rfind(prefix, 0) == 0; }

// Percent-decoding of one query value (endpoint URLs arrive encoded or not).
std::string Unescape(const std::string& text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size()) {
      out += static_cast<char>(std::strtol(text.substr(i + 1, 2).c_str(), nullptr, 16));
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

// Where a response body goes: the sink for a 200 when there is one, else the string.
struct BodyTarget {
  CURL* curl;
  std::string* body;
  std::ostream* sink;
  bool* wrote_to_sink;
};

size_t AppendBody(char* data, size_t size, size_t count, void* out) {
  auto* target = static_cast<BodyTarget*>(out);
  long status = 0;
  curl_easy_getinfo(target->curl, CURLINFO_RESPONSE_CODE, &status);
  if (target->sink != nullptr && status == 200) {
    *target->wrote_to_sink = true;
    if (!target->sink->write(data, static_cast<std::streamsize>(size * count))) return 0;  // aborts
    return size * count;
  }
  target->body->append(data, size * count);
  return size * count;
}

size_t AppendHeader(char* data, size_t size, size_t count, void* out) {
  const std::string line(data, size * count);
  const size_t colon = line.find(':');
  if (colon != std::string::npos) {
    std::string name = line.substr(0, colon);
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    std::string value = line.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ')) value.erase(value.begin());
    while (!value.empty() && (value.back() == '\r' || value.back() == '\n' || value.back() == ' '))
      value.pop_back();
    (*static_cast<std::map<std::string, std::string>*>(out))[name] = value;
  }
  return size * count;
}

struct CurlFree {
  void operator()(CURL* curl) const { curl_easy_cleanup(curl); }
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};

}  // namespace

Result<S3Location> ParseS3Url(const std::string& url) {
  if (!StartsWith(url, "s3://"))
    return Status::InvalidArgument("blob URL '" + url + "' does not start with s3://");
  S3Location location;
  const size_t query_start = url.find('?');
  const std::string path =
      url.substr(5, query_start == std::string::npos ? std::string::npos : query_start - 5);
  const size_t slash = path.find('/');
  location.bucket = path.substr(0, slash);
  if (slash != std::string::npos) {
    location.prefix = path.substr(slash + 1);
    while (!location.prefix.empty() && location.prefix.back() == '/') location.prefix.pop_back();
    if (!location.prefix.empty()) location.prefix += '/';
  }
  if (location.bucket.empty())
    return Status::InvalidArgument("blob URL '" + url + "' names no bucket (s3://bucket)");
  if (query_start != std::string::npos) {
    std::string query = url.substr(query_start + 1);
    size_t at = 0;
    while (at <= query.size()) {
      const size_t end = std::min(query.find('&', at), query.size());
      const std::string pair = query.substr(at, end - at);
      const size_t eq = pair.find('=');
      const std::string name = pair.substr(0, eq);
      const std::string value = eq == std::string::npos ? "" : Unescape(pair.substr(eq + 1));
      if (name == "endpoint") {
        location.endpoint = value;
      } else if (name == "region") {
        location.region = value;
      } else if (!name.empty()) {
        return Status::InvalidArgument("blob URL parameter '" + name +
                                       "' is not one of endpoint, region");
      }
      at = end + 1;
    }
  }
  if (location.endpoint.empty())
    location.endpoint = "https://s3." + location.region + ".amazonaws.com";
  while (!location.endpoint.empty() && location.endpoint.back() == '/')
    location.endpoint.pop_back();
  if (!StartsWith(location.endpoint, "http://") && !StartsWith(location.endpoint, "https://")) {
    return Status::InvalidArgument("the S3 endpoint '" + location.endpoint +
                                   "' must be an http:// or https:// URL");
  }
  location.host = location.endpoint.substr(location.endpoint.find("://") + 3);
  if (location.host.empty() || location.host.find('/') != std::string::npos) {
    return Status::InvalidArgument("the S3 endpoint '" + location.endpoint +
                                   "' must be scheme://host[:port]");
  }
  return location;
}

Result<AwsCredentials> CredentialsFromEnvironment() {
  const char* id = std::getenv("AWS_ACCESS_KEY_ID");
  const char* secret = std::getenv("AWS_SECRET_ACCESS_KEY");
  const char* token = std::getenv("AWS_SESSION_TOKEN");
  if (id == nullptr || *id == '\0' || secret == nullptr || *secret == '\0') {
    return Status::InvalidArgument(
        "an s3:// blob store needs credentials in AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY");
  }
  return AwsCredentials{id, secret, token == nullptr ? "" : token};
}

S3Client::S3Client(S3Location location, AwsCredentials credentials)
    : location_(std::move(location)), credentials_(std::move(credentials)) {}

Result<S3Response> S3Client::Send(
    const std::string& method, const std::string& object_key,
    const std::vector<std::pair<std::string, std::string>>& query, std::string_view body,
    const std::vector<std::pair<std::string, std::string>>& extra_headers,
    std::ostream* sink) const {
  // S3 asks clients to retry 500 and 503 (SlowDown); connection failures too. Every
  // request the blob store sends is safe to repeat — unless part of an answer already
  // went to the caller's sink.
  constexpr int kAttempts = 4;
  for (int attempt = 1;; ++attempt) {
    bool wrote_to_sink = false;
    auto response = SendOnce(method, object_key, query, body, extra_headers, sink, &wrote_to_sink);
    const bool retry =
        !wrote_to_sink && (!response.ok() || response->status == 500 || response->status == 503);
    if (!retry || attempt == kAttempts) return response;
    std::this_thread::sleep_for(std::chrono::milliseconds(50 << attempt));
  }
}

Result<S3Response> S3Client::SendOnce(
    const std::string& method, const std::string& object_key,
    const std::vector<std::pair<std::string, std::string>>& query, std::string_view body,
    const std::vector<std::pair<std::string, std::string>>& extra_headers, std::ostream* sink,
    bool* wrote_to_sink) const {
  std::string path = "/" + location_.bucket;
  if (!object_key.empty()) path += "/" + object_key;
  const std::string amz_date = AmzDate(std::chrono::duration_cast<std::chrono::seconds>(
                                           std::chrono::system_clock::now().time_since_epoch())
                                           .count());
  SigV4Request request;
  request.method = method;
  request.path = path;
  request.query = query;
  request.payload_sha256 = Sha256Hex(body);
  request.headers = {{"host", location_.host},
                     {"x-amz-date", amz_date},
                     {"x-amz-content-sha256", request.payload_sha256}};
  if (!credentials_.session_token.empty())
    request.headers.emplace_back("x-amz-security-token", credentials_.session_token);
  for (const auto& header : extra_headers) request.headers.push_back(header);
  const std::string authorization =
      AuthorizationHeader(request, credentials_, location_.region, "s3", amz_date);

  std::unique_ptr<CURL, CurlFree> curl(curl_easy_init());
  if (!curl) return Status::IoError("S3: cannot create a curl handle");
  curl_slist* raw_headers = nullptr;
  auto add_header = [&raw_headers](const std::string& line) {
    raw_headers = curl_slist_append(raw_headers, line.c_str());
  };
  for (const auto& [name, value] : request.headers) add_header(name + ": " + value);
  add_header("Authorization: " + authorization);
  add_header("Expect:");        // no 100-continue round trip (not a signed header)
  add_header("Content-Type:");  // curl's default form type would be wrong, and unsigned
  std::unique_ptr<curl_slist, CurlFree> headers(raw_headers);

  std::string url = location_.endpoint + AwsUriEncode(path, true);
  const std::string canonical_query = CanonicalQueryString(query);
  if (!canonical_query.empty()) url += "?" + canonical_query;

  S3Response response;
  CURL* c = curl.get();
  BodyTarget target{c, &response.body, sink, wrote_to_sink};
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 10L);
  curl_easy_setopt(c, CURLOPT_TIMEOUT, 300L);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, &AppendBody);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &target);
  curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, &AppendHeader);
  curl_easy_setopt(c, CURLOPT_HEADERDATA, &response.headers);
  if (method == "GET") {
    curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
  } else if (method == "HEAD") {
    curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
  } else {
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method.c_str());
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body.data());
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  }
  const CURLcode code = curl_easy_perform(c);
  if (code != CURLE_OK) {
    return Status::IoError("S3 " + method + " " + path + ": " + curl_easy_strerror(code));
  }
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &response.status);
  return response;
}

std::string S3ErrorText(const S3Response& response) {
  pugi::xml_document doc;
  if (doc.load_buffer(response.body.data(), response.body.size())) {
    const pugi::xml_node error = doc.child("Error");
    if (error) {
      return std::string(error.child_value("Code")) + ": " + error.child_value("Message");
    }
  }
  return "HTTP " + std::to_string(response.status);
}

}  // namespace diamond::store
