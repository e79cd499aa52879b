#pragma once
// In-flight coalescing: identical content that is already being transcribed is not sent to
// the engine a second time. The first caller for a content key (the leader) runs the work;
// callers that arrive while it runs wait and receive its transcript.
//
// A leader's failure is its own (its user cancelled, its lease was lost, its engine failed):
// waiters never inherit it. One of them takes over and runs its own work, the others keep
// waiting on that run. A waiter whose own job is cancelled stops waiting without disturbing
// the leader.
//
// Meant to wrap "look in the cache, else transcribe and store": a caller arriving after the
// work finished runs it again and is answered by the cache. That is also how a cross-instance
// implementation (a short Redis lock per key, added by the Redis backend) hands results over:
// the waiter takes the lock after the winner released it and finds the cache filled.
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "transcript/transcript.h"

namespace tgscribe::store {

class InflightRegistry {
 public:
  using Work = std::function<transcript::Transcript()>;
  using Cancelled = std::function<bool()>;
  struct Outcome {
    transcript::Transcript transcript;
    // true: this caller waited for another caller's run. In one process the transcript is
    // that run's; across instances `work` ran after the other released the key, and (per the
    // contract above) found the transcript in the cache unless that run failed.
    bool joined = false;
  };

  virtual ~InflightRegistry() = default;

  // Throws what the caller's own `work` throws, or tgscribe::Error(kCancelled) when
  // `cancelled` turns true while waiting for another caller. A run nested in a run of the
  // same key on the same thread (the work coalesces again) calls `work` directly: waiting
  // would be waiting for itself.
  Outcome run(const std::string& key, const Work& work, const Cancelled& cancelled = {});

 protected:
  virtual Outcome run_coalesced(const std::string& key, const Work& work,
                                const Cancelled& cancelled) = 0;
};

// Within one process: one flight per key, handed to a waiter when its leader fails.
class MemoryInflightRegistry : public InflightRegistry {
 public:
  // A waiter with a cancel check looks at it this often.
  explicit MemoryInflightRegistry(
      std::chrono::milliseconds cancel_poll = std::chrono::milliseconds(100));

  // Keys whose work is running now, and callers waiting on one (for tests and /stats).
  size_t in_flight();
  int waiters(const std::string& key);

 protected:
  Outcome run_coalesced(const std::string& key, const Work& work,
                        const Cancelled& cancelled) override;

 private:
  struct Flight {
    enum class State { kRunning, kOrphaned, kDone } state = State::kRunning;
    transcript::Transcript result;  // set in kDone
    int waiters = 0;
  };
  // Waits on `flight` (a waiter already counted); true when this caller must lead it now.
  bool wait(std::unique_lock<std::mutex>& lock, const std::string& key,
            const std::shared_ptr<Flight>& flight, const Cancelled& cancelled);
  transcript::Transcript lead(const std::string& key, const std::shared_ptr<Flight>& flight,
                              const Work& work);

  const std::chrono::milliseconds cancel_poll_;
  std::mutex mutex_;
  std::condition_variable changed_;                         // any flight finished or orphaned
  std::map<std::string, std::shared_ptr<Flight>> flights_;  // guarded by mutex_
};

}  // namespace tgscribe::store
