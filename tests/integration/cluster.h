// The scaled-out topology, started for one test: nginx in front of two `diamond serve`
// replicas (--job-workers 0) and two `diamond worker`s, all on a fresh PostgreSQL database
// and a fresh S3 key prefix (the cluster and server CTest starts as the "test_stores"
// fixture). ServerProcess runs on it when DIAMOND_TEST_TOPOLOGY=cluster, so the same
// integration flows run against one process and against the cluster.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace diamond::testing {

class TestDatabase;

// True when the integration tests should run on the cluster (DIAMOND_TEST_TOPOLOGY).
bool ClusterMode();

class Cluster {
 public:
  static constexpr int kReplicas = 2;
  static constexpr int kWorkers = 2;

  // `dir` holds the logs, the admin key and nginx's files; `serve_args` go to replicas.
  Cluster(std::filesystem::path dir, std::vector<std::string> serve_args);
  ~Cluster();  // SIGKILLs whatever still runs
  Cluster(const Cluster&) = delete;
  Cluster& operator=(const Cluster&) = delete;

  // Starts the replicas and workers (and nginx, the first time). The first start also
  // prepares the database (`diamond admin --db … init`, key in dir/admin.key).
  void Start();
  // Sends `signal` to every replica and worker and waits for them; nginx stays.
  int Stop(int signal);

  // One replica or worker: kill it with SIGKILL (as a crash would) and start it again.
  void KillReplica(int index);
  void KillWorker(int index);
  void StartReplica(int index);
  void StartWorker(int index);
  pid_t replica_pid(int index) const { return replicas_[index].pid; }
  pid_t worker_pid(int index) const { return workers_[index].pid; }
  // A replica directly, past nginx.
  std::string replica_url(int index) const {
    return "http://127.0.0.1:" + std::to_string(replicas_[index].port);
  }

  // A worker's ops listener (/healthz, /readyz, /metrics).
  std::string worker_url(int index) const {
    return "http://127.0.0.1:" + std::to_string(workers_[index].port);
  }

  const std::string& base_url() const { return base_url_; }  // nginx
  int port() const { return nginx_port_; }
  // nginx's TLS listener on 127.0.0.1, with a self-signed certificate for localhost.
  int tls_port() const { return tls_port_; }
  std::filesystem::path tls_certificate() const { return dir_ / "nginx" / "tls.crt"; }
  const std::string& db_url() const;
  const TestDatabase& database() const { return *database_; }
  const std::string& blobs_url() const { return blobs_url_; }
  std::string Log() const;  // every process's stderr so far

 private:
  struct Child {
    pid_t pid = -1;
    int port = 0;  // 0 until the first start picks one; reused at restarts
    int starts = 0;
  };
  void StartChild(Child& child, const std::string& name, const std::vector<std::string>& argv);
  void StartNginx();
  std::vector<std::string> ReplicaArgv(int index) const;
  std::vector<std::string> WorkerArgv(int index) const;

  std::filesystem::path dir_;
  std::vector<std::string> serve_args_;
  std::unique_ptr<TestDatabase> database_;
  std::string blobs_url_;
  Child replicas_[kReplicas];
  Child workers_[kWorkers];
  pid_t nginx_pid_ = -1;
  int nginx_port_ = 0;
  int tls_port_ = 0;
  std::string base_url_;
  bool prepared_ = false;
};

}  // namespace diamond::testing
