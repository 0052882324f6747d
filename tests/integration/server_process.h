// The real `diamond serve` binary on an ephemeral loopback port with a temporary data dir,
// and a small HTTP client (libcurl) to talk to it. Tests use it as a user's client would.
// With DIAMOND_TEST_TOPOLOGY=cluster, the same object runs the scaled-out topology instead
// (cluster.h: nginx, two replicas, two workers, PostgreSQL, S3) and talks to nginx.
#pragma once

#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "support/test_support.h"

namespace diamond::testing {

class Cluster;

struct HttpResult {
  long status = 0;
  std::string body;
  std::map<std::string, std::string> headers;  // names lowercased
  std::string Header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? "" : it->second;
  }
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

class ServerProcess {
 public:
  // Starts the server (with `--quiet` unless access logs are wanted) on `data_dir`.
  // `binary`: another `diamond` than the build's (an installed copy); empty for the build's.
  explicit ServerProcess(std::filesystem::path data_dir, std::vector<std::string> extra_args = {},
                         std::string binary = "");
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

  // Requests carry the current key (the bootstrap admin's unless UseKey() chose another)
  // as a Bearer token, unless `headers` bring their own Authorization or X-API-Key.
  HttpResult Request(const std::string& method, const std::string& path,
                     const std::string& body = "", const std::string& content_type = "",
                     const std::vector<std::string>& headers = {}) const;
  // The same with `key` ("" sends no key at all).
  HttpResult RequestAs(const std::string& key, const std::string& method, const std::string& path,
                       const std::string& body = "", const std::string& content_type = "",
                       const std::vector<std::string>& headers = {}) const;
  // The same at another base URL (one replica of a cluster, past nginx).
  HttpResult RequestAt(const std::string& base_url, const std::string& key,
                       const std::string& method, const std::string& path,
                       const std::string& body = "", const std::string& content_type = "",
                       const std::vector<std::string>& headers = {}) const;
  HttpResult Get(const std::string& path) const { return Request("GET", path); }
  HttpResult PostJson(const std::string& path, const std::string& json) const {
    return Request("POST", path, json, "application/json");
  }
  HttpResult PutJson(const std::string& path, const std::string& json) const {
    return Request("PUT", path, json, "application/json");
  }

  // The bootstrap admin's key (read from <data dir>/admin.key at the first start).
  const std::string& admin_key() const { return admin_key_; }
  void UseKey(std::string key) { key_ = std::move(key); }
  // Creates a user through the admin API and returns a new key of theirs.
  std::string CreateUserWithKey(const std::string& id, const std::string& plan = "test-unlimited",
                                const std::string& role = "member") const;
  // Creates or replaces a plan through the admin API (body: the plan's JSON fields).
  void PutPlan(const std::string& name, const std::string& plan_json) const;

  // A change made through one replica is in force on the others within this (accounts,
  // sharing, model changes: docs/accounts.md); on one process, at once. `check` holds
  // now, or (on a cluster) within the bound.
  template <typename Check>
  bool HoldsOnEveryReplica(Check check) const {
    if (!cluster_) return check();
    return Eventually(check, std::chrono::milliseconds(1000));
  }

  const std::string& base_url() const { return base_url_; }
  int port() const { return port_; }
  std::string Log() const;  // what the server wrote on stderr so far
  pid_t pid() const;
  Cluster* cluster() const { return cluster_.get(); }  // null unless in cluster mode

 private:
  std::filesystem::path data_dir_;
  std::vector<std::string> extra_args_;
  std::string binary_;
  std::filesystem::path log_dir_;
  pid_t pid_ = -1;
  int port_ = 0;
  int starts_ = 0;
  std::string base_url_;
  void PrepareAdmin();  // reads the bootstrap admin's key and moves them to the test plan
  std::string admin_key_;
  std::string key_;
  std::unique_ptr<Cluster> cluster_;
};

// A plan without practical limits: tests that are not about limits run on it (the
// harness moves the bootstrap admin onto it at the first start).
inline constexpr const char* kUnlimitedPlanJson =
    R"({"requests_per_second": 1000000, "burst": 1000000, "monthly_predicted_rows": 1000000000000,
        "max_dataset_rows": 1000000000, "max_models": 1000000, "max_training_jobs": 1000000,
        "price_per_1k_rows": 0.1, "price_per_training_minute": 0.1})";

// Raw sockets, for what an HTTP library will not send (odd methods, broken requests) and
// for many requests on one kept-alive connection.
// A loopback connection with a 10 s receive timeout, or -1.
int Connect(int port);
// Everything the peer sends until it closes (or the timeout).
std::string ReadAll(int fd);
// Reads one response with a Content-Length body off a kept-alive connection; its status
// (0 if the connection failed).
int ReadOneResponse(int fd, std::string* buffer);

// The server's resident memory in KiB (-1 if it is gone).
int64_t RssKib(pid_t pid);

// True in an AddressSanitizer or ThreadSanitizer build (the server the tests start is
// built the same way): ASan's quarantine keeps freed memory resident and TSan's shadow
// and history grow with traffic, so RSS bounds say nothing there.
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
inline constexpr bool kMemorySanitized = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
inline constexpr bool kMemorySanitized = true;
#else
inline constexpr bool kMemorySanitized = false;
#endif
#else
inline constexpr bool kMemorySanitized = false;
#endif

// The reference data's rows as JSON stones (price included), for seed-style uploads.
std::vector<std::string> ReferenceStonesJson();

}  // namespace diamond::testing
