// The real `diamond serve` binary on an ephemeral loopback port with a temporary data dir,
// and a small HTTP client (libcurl) to talk to it. Tests use it as a user's client would.
#pragma once

#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <thread>
#include <string>
#include <vector>

#include "support/test_support.h"

namespace diamond::testing {

struct HttpResult {
  long status = 0;
  std::string body;
  std::map<std::string, std::string> headers;  // names lowercased
  std::string Header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? "" : it->second;
  }
};

class ServerProcess {
 public:
  // Starts the server (with `--quiet` unless access logs are wanted) on `data_dir`.
  explicit ServerProcess(std::filesystem::path data_dir, std::vector<std::string> extra_args = {});
  ~ServerProcess();  // SIGKILLs the server if it still runs
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  void Start();
  // Sends `signal` and waits for the process; returns its exit status (or 128 + signal).
  int Stop(int signal);
  void Restart() {
    Stop(15);
    Start();
  }

  HttpResult Request(const std::string& method, const std::string& path,
                     const std::string& body = "", const std::string& content_type = "",
                     const std::vector<std::string>& headers = {}) const;
  HttpResult Get(const std::string& path) const { return Request("GET", path); }
  HttpResult PostJson(const std::string& path, const std::string& json) const {
    return Request("POST", path, json, "application/json");
  }
  HttpResult PutJson(const std::string& path, const std::string& json) const {
    return Request("PUT", path, json, "application/json");
  }

  const std::string& base_url() const { return base_url_; }
  int port() const { return port_; }
  std::string Log() const;  // what the server wrote on stderr so far
  pid_t pid() const { return pid_; }

 private:
  std::filesystem::path data_dir_;
  std::vector<std::string> extra_args_;
  std::filesystem::path log_dir_;
  pid_t pid_ = -1;
  int port_ = 0;
  int starts_ = 0;
  std::string base_url_;
};

// Waits until `predicate` holds, polling; false on timeout.
template <typename Predicate>
bool Eventually(Predicate predicate, std::chrono::milliseconds timeout = std::chrono::seconds(30)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (predicate()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return predicate();
}

// The reference data's rows as JSON stones (price included), for seed-style uploads.
std::vector<std::string> ReferenceStonesJson();

}  // namespace diamond::testing
