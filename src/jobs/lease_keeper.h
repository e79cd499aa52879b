#pragma once
// Keeps one claim alive on a thread of its own, which makes only store calls: no Telegram or
// engine call can delay a heartbeat, so a slow sendChatAction or upload cannot cost the lease.
// It also notices a /cancel made on any instance. When heartbeats fail (store down) for as
// long as the lease, or the store says the claim is gone, the claim counts as lost: the worker
// stops at its next safe point and writes nothing more (its fence would be refused anyway).
#include <atomic>
#include <chrono>
#include <string>
#include <thread>

#include "common/clock.h"
#include "store/job_queue.h"

namespace tgscribe::jobs {

class LeaseKeeper {
 public:
  // Heartbeats every lease/3; looks for a cancel request every `tick`.
  LeaseKeeper(store::JobQueue& queue, std::string job_id, int fence,
              std::chrono::milliseconds lease, std::chrono::milliseconds tick);
  ~LeaseKeeper();  // stops and joins: bounded by one store call

  bool lost() const { return lost_; }
  bool cancel_requested() const { return cancel_; }

 private:
  void loop(std::stop_token st);

  store::JobQueue& queue_;
  const std::string job_id_;
  const int fence_;
  const std::chrono::milliseconds lease_;
  const std::chrono::milliseconds tick_;
  std::atomic<bool> lost_{false};
  std::atomic<bool> cancel_{false};
  std::jthread thread_;  // last: stops and joins before the fields above go away
};

}  // namespace tgscribe::jobs
