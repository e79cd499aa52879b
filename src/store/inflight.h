#pragma once
// In-flight coalescing: identical content that is already being transcribed is not sent to
// the engine a second time. The first caller for a content key runs the work; callers that
// arrive while it runs wait and receive the same transcript, or the same exception.
//
// Meant to wrap "look in the cache, else transcribe and store": a caller arriving after the
// work finished runs it again and is answered by the cache. That is also how a cross-instance
// implementation (a short Redis lock per key, added by the Redis backend) hands results over:
// the waiter takes the lock after the winner released it and finds the cache filled.
#include <functional>
#include <future>
#include <map>
#include <mutex>
#include <string>

#include "transcript/transcript.h"

namespace tgscribe::store {

class InflightRegistry {
 public:
  using Work = std::function<transcript::Transcript()>;
  struct Outcome {
    transcript::Transcript transcript;
    bool joined = false;  // true: another caller's run produced it
  };

  virtual ~InflightRegistry() = default;
  virtual Outcome run(const std::string& key, const Work& work) = 0;
};

// Within one process: a map of shared futures.
class MemoryInflightRegistry : public InflightRegistry {
 public:
  Outcome run(const std::string& key, const Work& work) override;
  // Keys whose work is running now, and callers waiting on one (for tests and /stats).
  size_t in_flight();
  int waiters(const std::string& key);

 private:
  struct Flight {
    std::shared_future<transcript::Transcript> result;
    int waiters = 0;
  };
  std::mutex mutex_;
  std::map<std::string, Flight> running_;  // guarded by mutex_
};

}  // namespace tgscribe::store
