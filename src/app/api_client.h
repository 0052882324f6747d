// A small client of the diamond API for the commands that talk to a server (`diamond
// upload`): one request at a time per object, over libcurl, with the key from
// DIAMOND_API_KEY as a Bearer token. Answers are returned whatever their status; only a
// failure to get one (connection refused, timeout) is an error.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/status.h"

namespace diamond::app {

struct ApiAnswer {
  long status = 0;
  std::string body;
  // The problem's detail (and its first listed errors), or the body, for a message.
  std::string Describe() const;
  Result<nlohmann::json> Json() const;
};

class ApiClient {
 public:
  // base_url: "http://host:port" (a trailing "/" is dropped); requests go under /v1.
  ApiClient(std::string base_url, std::string key);
  ~ApiClient();
  ApiClient(const ApiClient&) = delete;
  ApiClient& operator=(const ApiClient&) = delete;

  Result<ApiAnswer> Request(const std::string& method, const std::string& path,
                            std::string_view body = {},
                            const std::vector<std::string>& headers = {});

 private:
  struct Handle;
  std::string base_url_;
  std::string key_;
  std::unique_ptr<Handle> handle_;  // reused: one connection kept alive
};

// The key from DIAMOND_API_KEY, or InvalidArgument saying how to give one.
Result<std::string> ApiKeyFromEnvironment();

}  // namespace diamond::app
