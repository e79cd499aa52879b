#pragma once
// QUEUE_MAX_WORKERS threads that claim jobs from the queue (with a lease, so a job of a dead
// worker is taken over) and run them. stop(deadline) stops claiming, lets running jobs finish
// until the deadline, then makes them give up at their next safe point: they go back to the
// queue and resume at the next start.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "jobs/job_env.h"
#include "jobs/job_runner.h"

namespace tgscribe::jobs {

class WorkerPool {
 public:
  // `instance` names this process in worker ids ("<instance>-w<n>"); it should stay the same
  // across restarts (see instance_id()), so start() can take back this instance's orphans.
  WorkerPool(JobEnv& env, JobRunner& runner, int workers, std::string instance = {});
  ~WorkerPool();

  void start();
  // A job was queued: wake an idle worker now rather than at its next poll.
  void notify();
  void stop(std::chrono::steady_clock::time_point deadline);

  int busy() const { return busy_.load(); }
  int size() const { return workers_; }
  void set_poll_interval(std::chrono::milliseconds d) { poll_ = d; }

 private:
  void loop(int index);

  JobEnv& env_;
  JobRunner& runner_;
  const int workers_;
  std::string instance_;
  std::chrono::milliseconds poll_{1000};
  std::vector<std::thread> threads_;
  std::atomic<bool> stopping_{false};
  std::atomic<bool> abandon_{false};
  std::atomic<int> busy_{0};
  std::mutex mutex_;
  std::condition_variable cv_;
  int wakeups_ = 0;          // guarded by mutex_
  int running_threads_ = 0;  // guarded by mutex_
};

}  // namespace tgscribe::jobs
