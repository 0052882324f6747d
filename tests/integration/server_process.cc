#include "integration/server_process.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "core/diamond_json.h"
#include "integration/cluster.h"

namespace diamond::testing {
namespace fs = std::filesystem;

namespace {

size_t CollectBody(char* data, size_t size, size_t count, void* out) {
  static_cast<std::string*>(out)->append(data, size * count);
  return size * count;
}

size_t CollectHeader(char* data, size_t size, size_t count, void* out) {
  std::string line(data, size * count);
  const size_t colon = line.find(':');
  if (colon != std::string::npos) {
    std::string name = line.substr(0, colon);
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    std::string value = line.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ')) value.erase(0, 1);
    while (!value.empty() && (value.back() == '\r' || value.back() == '\n')) value.pop_back();
    (*static_cast<std::map<std::string, std::string>*>(out))[name] = value;
  }
  return size * count;
}

}  // namespace

ServerProcess::ServerProcess(fs::path data_dir, std::vector<std::string> extra_args,
                             std::string binary)
    : data_dir_(std::move(data_dir)),
      extra_args_(std::move(extra_args)),
      binary_(binary.empty() ? std::string(DIAMOND_BINARY) : std::move(binary)) {
  log_dir_ = data_dir_.string() + "-logs";
  fs::create_directories(log_dir_);
  if (ClusterMode()) cluster_ = std::make_unique<Cluster>(data_dir_, extra_args_);
  Start();
}

pid_t ServerProcess::pid() const { return cluster_ ? cluster_->replica_pid(0) : pid_; }

ServerProcess::~ServerProcess() {
  if (pid_ > 0) {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
  }
  std::error_code ec;
  fs::remove_all(log_dir_, ec);
}

void ServerProcess::Start() {
  if (cluster_) {
    cluster_->Start();
    base_url_ = cluster_->base_url();
    port_ = cluster_->port();
    if (admin_key_.empty()) PrepareAdmin();
    return;
  }
  const fs::path out = log_dir_ / ("stdout-" + std::to_string(starts_));
  const fs::path err = log_dir_ / "stderr";
  ++starts_;
  std::vector<std::string> argv = {binary_,      "serve",
                                   "--data-dir", data_dir_.string(),
                                   "--listen",   "127.0.0.1:" + std::to_string(port_)};
  argv.insert(argv.end(), extra_args_.begin(), extra_args_.end());
  pid_ = ::fork();
  if (pid_ < 0) throw std::runtime_error("fork failed");
  if (pid_ == 0) {
    int out_fd = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    int err_fd = ::open(err.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
    ::dup2(out_fd, 1);
    ::dup2(err_fd, 2);
    std::vector<char*> args;
    for (auto& a : argv) args.push_back(a.data());
    args.push_back(nullptr);
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  // The server prints its URL once it listens (the first start picks a free port; later
  // starts reuse it, so clients keep their URLs across restarts).
  const std::regex url(R"(listening on (http://127\.0\.0\.1:(\d+)))");
  std::smatch match;
  const bool up = Eventually(
      [&] {
        std::ifstream in(out);
        std::stringstream text;
        text << in.rdbuf();
        const std::string s = text.str();
        if (std::regex_search(s, match, url)) {
          base_url_ = match[1];
          port_ = std::stoi(match[2]);
          return true;
        }
        int status = 0;
        if (::waitpid(pid_, &status, WNOHANG) == pid_) {
          pid_ = -1;
          throw std::runtime_error("diamond serve exited at start: " + Log());
        }
        return false;
      },
      std::chrono::seconds(20));
  if (!up) throw std::runtime_error("diamond serve did not start: " + Log());
  if (admin_key_.empty()) PrepareAdmin();
}

void ServerProcess::PrepareAdmin() {
  {
    std::ifstream in(data_dir_ / "admin.key");
    std::getline(in, admin_key_);
    if (admin_key_.empty()) throw std::runtime_error("no admin.key after the first start");
    key_ = admin_key_;
    PutPlan("test-unlimited", kUnlimitedPlanJson);
    HttpResult moved =
        Request("PATCH", "/admin/users/admin", R"({"plan": "test-unlimited"})", "application/json");
    if (moved.status != 200)
      throw std::runtime_error("cannot move admin to the test plan: " + moved.body);
  }
  // Every replica has the plan change within its reload interval (0.1 s); wait that out
  // so the first requests are not limited by the plan the admin had before.
  if (cluster_) std::this_thread::sleep_for(std::chrono::milliseconds(300));
}

void ServerProcess::PutPlan(const std::string& name, const std::string& plan_json) const {
  HttpResult put =
      RequestAs(admin_key_, "PUT", "/admin/plans/" + name, plan_json, "application/json");
  if (put.status != 200) throw std::runtime_error("cannot create plan " + name + ": " + put.body);
}

std::string ServerProcess::CreateUserWithKey(const std::string& id, const std::string& plan,
                                             const std::string& role) const {
  HttpResult user =
      RequestAs(admin_key_, "POST", "/admin/users",
                R"({"id": ")" + id + R"(", "plan": ")" + plan + R"(", "role": ")" + role + R"("})",
                "application/json");
  if (user.status != 201 && user.status != 409) {
    throw std::runtime_error("cannot create user " + id + ": " + user.body);
  }
  HttpResult key = RequestAs(admin_key_, "POST", "/admin/users/" + id + "/keys", "", "");
  const std::regex pattern(R"#("key":"(dmd_[0-9a-f]+)")#");
  std::smatch match;
  if (key.status != 201 || !std::regex_search(key.body, match, pattern)) {
    throw std::runtime_error("cannot create a key for " + id + ": " + key.body);
  }
  return match[1];
}

int ServerProcess::Stop(int signal) {
  if (cluster_) return cluster_->Stop(signal);
  if (pid_ <= 0) return -1;
  ::kill(pid_, signal);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

std::string ServerProcess::Log() const {
  if (cluster_) return cluster_->Log();
  std::ifstream in(log_dir_ / "stderr");
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

HttpResult ServerProcess::Request(const std::string& method, const std::string& path,
                                  const std::string& body, const std::string& content_type,
                                  const std::vector<std::string>& headers) const {
  return RequestAs(key_, method, path, body, content_type, headers);
}

HttpResult ServerProcess::RequestAs(const std::string& key, const std::string& method,
                                    const std::string& path, const std::string& body,
                                    const std::string& content_type,
                                    const std::vector<std::string>& headers) const {
  return RequestAt(base_url_, key, method, path, body, content_type, headers);
}

HttpResult ServerProcess::RequestAt(const std::string& base_url, const std::string& key,
                                    const std::string& method, const std::string& path,
                                    const std::string& body, const std::string& content_type,
                                    const std::vector<std::string>& headers) const {
  bool own_credentials = false;
  for (const auto& h : headers) {
    std::string lower = h.substr(0, h.find(':'));
    for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    own_credentials = own_credentials || lower == "authorization" || lower == "x-api-key";
  }
  CURL* curl = curl_easy_init();
  if (curl == nullptr) throw std::runtime_error("curl_easy_init failed");
  HttpResult result;
  const std::string url = base_url + path;
  curl_slist* header_list = nullptr;
  if (!content_type.empty())
    header_list = curl_slist_append(header_list, ("Content-Type: " + content_type).c_str());
  for (const auto& h : headers) header_list = curl_slist_append(header_list, h.c_str());
  if (!own_credentials && !key.empty()) {
    header_list = curl_slist_append(header_list, ("Authorization: Bearer " + key).c_str());
  }
  header_list = curl_slist_append(header_list, "Expect:");  // no 100-continue round trip
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method.c_str());
  if (method == "GET") curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L);
  if (!body.empty() || method == "POST" || method == "PUT") {
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.data());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  }
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, header_list);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, CollectBody);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &result.body);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, CollectHeader);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &result.headers);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT, 120L);
  curl_easy_setopt(curl, CURLOPT_NOPROXY, "*");
  curl_easy_setopt(curl, CURLOPT_PATH_AS_IS, 1L);  // send "/a/../b" as is: tests probe traversal
  CURLcode code = curl_easy_perform(curl);
  if (code == CURLE_OK) curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &result.status);
  curl_slist_free_all(header_list);
  curl_easy_cleanup(curl);
  if (code != CURLE_OK) {
    result.status = 0;
    result.body = curl_easy_strerror(code);
  }
  return result;
}

std::vector<std::string> ReferenceStonesJson() {
  std::vector<std::string> out;
  for (const auto& stone : LoadReferenceStones()) out.push_back(DiamondToJson(stone).dump());
  return out;
}

int Connect(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return -1;
  }
  timeval timeout{10, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  return fd;
}

std::string ReadAll(int fd) {
  std::string out;
  char buf[4096];
  ssize_t n;
  while ((n = ::recv(fd, buf, sizeof buf, 0)) > 0) out.append(buf, static_cast<size_t>(n));
  return out;
}

int ReadOneResponse(int fd, std::string* buffer) {
  char chunk[8192];
  while (true) {
    const size_t end = buffer->find("\r\n\r\n");
    if (end != std::string::npos) {
      size_t length = 0;
      std::string head = buffer->substr(0, end);
      for (char& c : head) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      const size_t field = head.find("content-length:");
      if (field != std::string::npos) length = std::stoul(head.substr(field + 15));
      if (buffer->size() >= end + 4 + length) {
        const int status = head.size() > 12 ? std::atoi(head.c_str() + 9) : 0;
        buffer->erase(0, end + 4 + length);
        return status;
      }
    }
    const ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
    if (n <= 0) return 0;
    buffer->append(chunk, static_cast<size_t>(n));
  }
}

int64_t RssKib(pid_t pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(status, line);) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stoll(line.substr(6));
  }
  return -1;
}

}  // namespace diamond::testing
