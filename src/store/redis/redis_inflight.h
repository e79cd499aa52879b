#pragma once
// Cross-instance in-flight coalescing: identical content being transcribed by any instance is
// not sent to the engine again.
//
// RedisInflightLock is a short lease per content key: SET key token NX PX ttl, renewed while the
// owner works, released by a compare-and-delete script (only the owner's token deletes it), so
// a crashed owner's lock simply expires. RedisInflightRegistry puts it under the in-process
// MemoryInflightRegistry: callers in one process share one run; across processes the second
// caller polls the lock and then runs the work, which (per InflightRegistry's contract) looks
// in the cache first and finds the winner's transcript there — or, when the winner failed,
// transcribes itself. A waiter's own cancellation ends its wait.
#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "store/inflight.h"
#include "store/redis/redis_connection.h"

namespace tgscribe::store {

class RedisInflightLock {
 public:
  explicit RedisInflightLock(std::shared_ptr<RedisConnection> redis,
                             std::string prefix = "tgscribe:");
  // The owner token, or nullopt when someone else holds the key.
  std::optional<std::string> try_acquire(const std::string& key, std::chrono::milliseconds ttl);
  // False when the lock is no longer ours (it expired and someone else took it).
  bool renew(const std::string& key, const std::string& token, std::chrono::milliseconds ttl);
  // Deletes the lock only if it is still ours.
  bool release(const std::string& key, const std::string& token);
  bool held(const std::string& key);

 private:
  std::string lock_key(const std::string& key) const { return prefix_ + "lock:" + key; }

  std::shared_ptr<RedisConnection> redis_;
  const std::string prefix_;
};

struct InflightOptions {
  std::chrono::milliseconds ttl{30000};          // a dead owner's lock frees itself this fast
  std::chrono::milliseconds renew_every{10000};  // well inside ttl
  std::chrono::milliseconds poll{250};           // how often a waiter looks at the lock
  // A waiter gives up waiting after this and runs the work itself (a stuck owner must not
  // stall other instances for ever).
  std::chrono::milliseconds max_wait{30 * 60 * 1000};
};

class RedisInflightRegistry : public InflightRegistry {
 public:
  RedisInflightRegistry(std::shared_ptr<RedisConnection> redis, InflightOptions options = {},
                        std::string prefix = "tgscribe:");

 protected:
  // joined = this caller waited for another one (in this process or another instance). When
  // Redis is unreachable the work runs uncoordinated rather than failing the job.
  Outcome run_coalesced(const std::string& key, const Work& work,
                        const Cancelled& cancelled) override;

 private:
  transcript::Transcript run_locked(const std::string& key, const Work& work,
                                    const Cancelled& cancelled, bool& waited);

  RedisInflightLock lock_;
  const InflightOptions options_;
  MemoryInflightRegistry local_;
};

}  // namespace tgscribe::store
