#include "jobs/lease_keeper.h"

#include <spdlog/spdlog.h>

#include <condition_variable>
#include <mutex>

#include "jobs/job_payload.h"

namespace tgscribe::jobs {

using Steady = std::chrono::steady_clock;

LeaseKeeper::LeaseKeeper(store::JobQueue& queue, std::string job_id, int fence,
                         std::chrono::milliseconds lease, std::chrono::milliseconds tick)
    : queue_(queue),
      job_id_(std::move(job_id)),
      fence_(fence),
      lease_(lease),
      tick_(tick),
      thread_([this](std::stop_token st) { loop(st); }) {}

LeaseKeeper::~LeaseKeeper() {
  thread_.request_stop();
  if (thread_.joinable()) thread_.join();
}

void LeaseKeeper::loop(std::stop_token st) {
  auto last_ok = Steady::now();
  auto next_beat = Steady::now() + lease_ / 3;
  std::mutex m;
  std::condition_variable_any cv;
  while (!st.stop_requested() && !lost_) {
    auto now = Steady::now();
    try {
      if (now >= next_beat) {
        if (!queue_.heartbeat(job_id_, fence_, lease_)) {
          spdlog::warn("job {}: claim {} lost (another worker has it)", short_id(job_id_), fence_);
          lost_ = true;
          break;
        }
        last_ok = now;
        next_beat = now + lease_ / 3;
      }
      auto j = queue_.get(job_id_);
      if (j && j->cancel_requested) cancel_ = true;
    } catch (const std::exception& e) {
      spdlog::warn("job {}: heartbeat failed: {}", short_id(job_id_), e.what());
      next_beat = now + std::min(tick_, lease_ / 3);
      // Without a heartbeat for a whole lease another worker may hold the job now.
      if (now - last_ok >= lease_) lost_ = true;
    }
    std::unique_lock lock(m);
    cv.wait_for(lock, st, tick_, [] { return false; });
  }
}

}  // namespace tgscribe::jobs
