#include "jobs/worker_pool.h"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include "jobs/job_metrics.h"
#include "pipeline/job_temp_dir.h"

namespace tgscribe::jobs {

WorkerPool::WorkerPool(JobEnv& env, JobRunner& runner, int workers, std::string instance)
    : env_(env), runner_(runner), workers_(std::max(1, workers)), instance_(std::move(instance)) {
  if (instance_.empty()) {
    char host[256] = {};
    gethostname(host, sizeof(host) - 1);
    instance_ = std::string(host) + "-" + std::to_string(getpid());
  }
}

WorkerPool::~WorkerPool() { stop(std::chrono::steady_clock::now()); }

void WorkerPool::start() {
  if (!threads_.empty()) return;
  // Media and documents left in DATA_DIR/tmp by a process that died mid-job are personal data
  // that no job will use again: removed before the first job runs.
  if (size_t swept = pipeline::JobTempDir::sweep_leftovers(env_.config.data_dir)) {
    spdlog::info("bot: removed {} temporary file(s) left by an earlier run", swept);
  }
  // Jobs this instance was running when it died (kill -9, power cut) are ours to resume now,
  // not after their lease: nobody else is working on them.
  try {
    int n = env_.queue.release_orphans(instance_ + "-w");
    if (n > 0) spdlog::info("bot: resuming {} job(s) interrupted by the last stop", n);
  } catch (const std::exception& e) {
    spdlog::warn("bot: looking for interrupted jobs failed: {}", e.what());
  }
  for (int i = 0; i < workers_; ++i) {
    {
      std::lock_guard lock(mutex_);
      ++running_threads_;
    }
    threads_.emplace_back([this, i] { loop(i); });
  }
  spdlog::info("bot: {} workers started ({})", workers_, instance_);
}

void WorkerPool::notify() {
  {
    std::lock_guard lock(mutex_);
    ++wakeups_;
  }
  cv_.notify_one();
}

void WorkerPool::loop(int index) {
  const std::string worker_id = instance_ + "-w" + std::to_string(index);
  const std::chrono::milliseconds lease(std::max(1, env_.config.queue_lease_s) * 1000);
  while (!stopping_) {
    std::optional<store::Job> job;
    try {
      job = env_.queue.claim(worker_id, lease);
    } catch (const std::exception& e) {
      spdlog::error("bot: {} cannot claim a job: {}", worker_id, e.what());
    }
    if (!job) {
      std::unique_lock lock(mutex_);
      cv_.wait_for(lock, poll_, [&] { return stopping_ || wakeups_ > 0; });
      if (wakeups_ > 0) --wakeups_;
      continue;
    }
    ++busy_;
    try {
      runner_.run(*job, worker_id, abandon_);
    } catch (const std::exception& e) {
      // run() handles its own failures; anything here is a bug, and the lease will hand the
      // job to another worker.
      spdlog::error("job {}: worker {} crashed out of the job: {}", job->id, worker_id, e.what());
    }
    --busy_;
    try {
      metrics::set_queue_depth(env_.queue.stats().queued);
    } catch (const std::exception&) {
    }
  }
  {
    std::lock_guard lock(mutex_);
    --running_threads_;
  }
  cv_.notify_all();
}

void WorkerPool::stop(std::chrono::steady_clock::time_point deadline) {
  if (threads_.empty()) return;
  stopping_ = true;
  cv_.notify_all();
  {
    std::unique_lock lock(mutex_);
    if (!cv_.wait_until(lock, deadline, [&] { return running_threads_ == 0; })) {
      spdlog::warn(
          "bot: shutdown deadline reached with {} job(s) running; they go back to the "
          "queue",
          busy_.load());
      abandon_ = true;
    }
  }
  for (auto& t : threads_) t.join();
  threads_.clear();
}

}  // namespace tgscribe::jobs
