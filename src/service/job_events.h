// JobEvents: what the API needs of the process's job runner without knowing it — wake a
// worker when a job was queued, hear when a job ends (a request waiting for its training),
// release those waiters at shutdown, and whether jobs run here at all (/readyz).
// jobs::JobRunner implements it; the HTTP layer sees only this.
#pragma once

#include <chrono>
#include <functional>
#include <string>

#include "core/records.h"
#include "core/status.h"

namespace diamond::service {

class JobEvents {
 public:
  virtual ~JobEvents() = default;

  // Wakes a worker: a job was just queued.
  virtual void Notify() = 0;
  // Calls `done` once, on another thread, with the job's record when it has finished, or
  // with its latest record when `timeout` passes (or the runner stops, or ReleaseWaiters
  // is called). No thread is held while waiting.
  using WaitDone = std::function<void(Result<JobRecord>)>;
  virtual void WhenFinished(std::string owner, std::string job_id,
                            std::chrono::milliseconds timeout, WaitDone done) = 0;
  // Answers every waiter now with the job's current record (at shutdown).
  virtual void ReleaseWaiters() = 0;
  // True while the runner's workers are started and not stopping.
  virtual bool running() const = 0;
};

}  // namespace diamond::service
