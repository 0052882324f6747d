#include "integration/cluster.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "integration/server_process.h"
#include "support/test_databases.h"

namespace diamond::testing {
namespace fs = std::filesystem;

namespace {

std::string ReadText(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// A port nobody listens on now (bound, read back, released): nginx needs a fixed one.
int FreePort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t size = sizeof addr;
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &size);
  ::close(fd);
  return ntohs(addr.sin_port);
}

pid_t Spawn(const std::vector<std::string>& argv, const fs::path& out, const fs::path& err) {
  const pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    const int out_fd = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    const int err_fd = ::open(err.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
    ::dup2(out_fd, 1);
    ::dup2(err_fd, 2);
    std::vector<char*> args;
    for (auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    ::execvp(args[0], args.data());
    ::_exit(127);
  }
  return pid;
}

int Reap(pid_t pid) {
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

std::string S3EndpointForTests() {
  const char* dir = std::getenv("DIAMOND_TEST_S3");
  const std::string endpoint =
      ReadText(fs::path(dir != nullptr ? dir : DIAMOND_TEST_S3_DIR) / "endpoint");
  return endpoint.substr(0, endpoint.find('\n'));
}

}  // namespace

bool ClusterMode() {
  const char* topology = std::getenv("DIAMOND_TEST_TOPOLOGY");
  return topology != nullptr && std::string(topology) == "cluster";
}

Cluster::Cluster(fs::path dir, std::vector<std::string> serve_args)
    : dir_(std::move(dir)), serve_args_(std::move(serve_args)) {
  fs::create_directories(dir_ / "logs");
  fs::create_directories(dir_ / "nginx" / "tmp");
  database_ = std::make_unique<TestDatabase>("postgresql");
  static std::atomic<int> counter{0};
  const std::string prefix =
      "c" + std::to_string(::getpid()) + "-" + std::to_string(counter++) + "-" +
      std::to_string(std::chrono::steady_clock::now().time_since_epoch().count() % 1000000);
  blobs_url_ =
      "s3://diamond-test/" + prefix + "?endpoint=" + S3EndpointForTests() + "&region=us-east-1";
  // s3rver's fixed test credentials, inherited by every process started here.
  ::setenv("AWS_ACCESS_KEY_ID", "S3RVER", 1);
  ::setenv("AWS_SECRET_ACCESS_KEY", "S3RVER", 1);
}

Cluster::~Cluster() {
  for (Child* child : {&replicas_[0], &replicas_[1], &workers_[0], &workers_[1]}) {
    if (child->pid > 0) {
      ::kill(child->pid, SIGKILL);
      Reap(child->pid);
    }
  }
  if (nginx_pid_ > 0) {
    ::kill(nginx_pid_, SIGTERM);  // the master stops its worker
    Reap(nginx_pid_);
  }
}

const std::string& Cluster::db_url() const { return database_->url(); }

std::vector<std::string> Cluster::ReplicaArgv(int index) const {
  // nginx (on 127.0.0.1) is the replicas' trusted proxy: its connections are not capped
  // per address, and its X-Forwarded-For names the client (docs/operations.md).
  std::vector<std::string> argv = {DIAMOND_BINARY,
                                   "serve",
                                   "--db",
                                   db_url(),
                                   "--blobs",
                                   blobs_url_,
                                   "--trusted-proxy",
                                   "127.0.0.1",
                                   "--job-workers",
                                   "0",
                                   "--db-pool",
                                   "4",
                                   "--quiet",
                                   "--listen",
                                   "127.0.0.1:" + std::to_string(replicas_[index].port)};
  argv.insert(argv.end(), serve_args_.begin(), serve_args_.end());
  return argv;
}

std::vector<std::string> Cluster::WorkerArgv(int index) const {
  return {DIAMOND_BINARY,
          "worker",
          "--db",
          db_url(),
          "--blobs",
          blobs_url_,
          "--db-pool",
          "2",
          "--job-lease",
          "3",
          "--quiet",
          "--listen",
          "127.0.0.1:" + std::to_string(workers_[index].port)};
}

void Cluster::StartChild(Child& child, const std::string& name,
                         const std::vector<std::string>& argv) {
  const fs::path out = dir_ / "logs" / (name + "-stdout-" + std::to_string(child.starts++));
  child.pid = Spawn(argv, out, dir_ / "logs" / (name + "-stderr"));
  const std::regex url(R"(on http://127\.0\.0\.1:(\d+))");
  std::smatch match;
  const bool up = Eventually(
      [&] {
        const std::string text = ReadText(out);
        if (std::regex_search(text, match, url)) {
          child.port = std::stoi(match[1]);
          return true;
        }
        int status = 0;
        if (::waitpid(child.pid, &status, WNOHANG) == child.pid) {
          child.pid = -1;
          throw std::runtime_error(name + " exited at start: " + Log());
        }
        return false;
      },
      std::chrono::seconds(30));
  if (!up) throw std::runtime_error(name + " did not start: " + Log());
}

void Cluster::StartNginx() {
  std::string config =
      ReadText(fs::path(DIAMOND_SOURCE_DIR) / "deploy" / "nginx" / "diamond.conf.template");
  std::string upstreams;
  for (const Child& replica : replicas_) {
    upstreams +=
        "    server 127.0.0.1:" + std::to_string(replica.port) + " max_fails=1 fail_timeout=1s;\n";
  }
  nginx_port_ = FreePort();
  auto replace = [&config](const std::string& from, const std::string& to) {
    for (size_t at = config.find(from); at != std::string::npos;
         at = config.find(from, at + to.size())) {
      config.replace(at, from.size(), to);
    }
  };
  // nginx's workers drop to "nobody" when started by root; they write the temp files.
  replace("@USER@", ::geteuid() == 0 ? "user root;" : "");
  replace("@DIR@", (dir_ / "nginx").string());
  replace("@UPSTREAMS@", upstreams);
  replace("@LISTEN@", "127.0.0.1:" + std::to_string(nginx_port_));
  // TLS with a throwaway self-signed certificate for localhost (clients trust it with
  // --cacert tls_certificate()).
  tls_port_ = FreePort();
  const fs::path cert = dir_ / "nginx" / "tls.crt", key = dir_ / "nginx" / "tls.key";
  const CommandResult made =
      RunCommand({"/usr/bin/openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                  "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2", "-subj", "/CN=localhost",
                  "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1", "-keyout", key.string(),
                  "-out", cert.string()});
  if (made.exit_code != 0)
    throw std::runtime_error("openssl could not make a test certificate: " + made.err);
  replace("@TLS_LISTEN@", "127.0.0.1:" + std::to_string(tls_port_));
  replace("@TLS_CERT@", cert.string());
  replace("@TLS_KEY@", key.string());
  const fs::path conf = dir_ / "nginx" / "nginx.conf";
  std::ofstream(conf) << config;
  nginx_pid_ = Spawn({"/usr/sbin/nginx", "-p", (dir_ / "nginx").string(), "-c", conf.string(), "-g",
                      "daemon off;"},
                     dir_ / "logs" / "nginx-stdout", dir_ / "logs" / "nginx-stderr");
  base_url_ = "http://127.0.0.1:" + std::to_string(nginx_port_);
  const bool up = Eventually(
      [&] {
        const int fd = Connect(nginx_port_);
        if (fd >= 0) ::close(fd);
        int status = 0;
        if (::waitpid(nginx_pid_, &status, WNOHANG) == nginx_pid_) {
          nginx_pid_ = -1;
          throw std::runtime_error(
              "nginx exited at start: " + ReadText(dir_ / "logs" / "nginx-stderr") +
              ReadText(dir_ / "nginx" / "error.log"));
        }
        return fd >= 0;
      },
      std::chrono::seconds(10));
  if (!up) throw std::runtime_error("nginx did not start");
}

void Cluster::Start() {
  if (!prepared_) {
    const CommandResult init = RunCommand({DIAMOND_BINARY, "admin", "--db", db_url(), "init",
                                           "--key-file", (dir_ / "admin.key").string()});
    if (init.exit_code != 0) throw std::runtime_error("diamond admin init failed: " + init.err);
    prepared_ = true;
  }
  for (int i = 0; i < kReplicas; ++i) StartReplica(i);
  for (int i = 0; i < kWorkers; ++i) StartWorker(i);
  if (nginx_pid_ < 0) StartNginx();
}

void Cluster::StartReplica(int index) {
  StartChild(replicas_[index], "replica" + std::to_string(index), ReplicaArgv(index));
}
void Cluster::StartWorker(int index) {
  StartChild(workers_[index], "worker" + std::to_string(index), WorkerArgv(index));
}

void Cluster::KillReplica(int index) {
  ::kill(replicas_[index].pid, SIGKILL);
  Reap(replicas_[index].pid);
  replicas_[index].pid = -1;
}

void Cluster::KillWorker(int index) {
  ::kill(workers_[index].pid, SIGKILL);
  Reap(workers_[index].pid);
  workers_[index].pid = -1;
}

int Cluster::Stop(int signal) {
  int status = 0;
  for (Child* child : {&replicas_[0], &replicas_[1], &workers_[0], &workers_[1]}) {
    if (child->pid > 0) ::kill(child->pid, signal);
  }
  for (Child* child : {&replicas_[0], &replicas_[1], &workers_[0], &workers_[1]}) {
    if (child->pid > 0) status = std::max(status, Reap(child->pid));
    child->pid = -1;
  }
  return status;
}

std::string Cluster::Log() const {
  std::string out;
  for (const auto& entry : fs::directory_iterator(dir_ / "logs")) {
    if (entry.path().filename().string().find("stderr") == std::string::npos) continue;
    const std::string text = ReadText(entry.path());
    if (!text.empty()) out += "--- " + entry.path().filename().string() + "\n" + text;
  }
  return out;
}

}  // namespace diamond::testing
