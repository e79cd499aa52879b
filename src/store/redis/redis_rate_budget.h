#pragma once
// The engine pacer's budget shared by every instance on one Redis (common/rate_budget.h): the
// same schedule as MemoryRateBudget, computed by one Lua script so that asks from several
// processes are granted atomically and in one line.
//
// Keys, per budget key K (the engine), all under <prefix>pace:{K}: (one hash slot):
//   line      sorted set of waiting tickets by order (ties: by ticket)
//   waiters   hash ticket -> {"seen", "hold", "w": [[limit, length_ms]...], "c": [cost...]}
//   granted   sorted set of grant tokens by time (a call re-sent after a lost reply is
//             answered granted, not recorded twice)
//   meta      hash: blocked (unix ms), l<i> = "<remaining>:<until_ms>" (server-reported)
//   log:<i>   sorted set per dimension: "<token>|<cost>" scored by grant time
// Every key expires after the longest window, so an idle engine leaves nothing behind.
#include <memory>
#include <string>

#include "common/rate_budget.h"
#include "store/redis/redis_connection.h"

namespace tgscribe::store {

class RedisRateBudget : public RateBudget {
 public:
  // `dimensions`: how many windows every ask names (the pacer: 2).
  RedisRateBudget(std::shared_ptr<RedisConnection> redis,
                  std::string prefix = "tgscribe:", size_t dimensions = 2);
  RateGrant try_acquire(const RateAsk& ask, int64_t now_ms) override;
  void leave(const std::string& key, const std::string& ticket) override;
  void hold(const std::string& key, const std::string& ticket, int64_t until_ms) override;
  void block_until(const std::string& key, int64_t until_ms) override;
  void learn(const std::string& key, size_t index, int64_t remaining, int64_t until_ms) override;
  std::chrono::milliseconds wait_estimate(const RateAsk& ask, int64_t now_ms) override;

 private:
  std::vector<std::string> keys(const std::string& key) const;
  RedisReply run(const RateAsk& ask, int64_t now_ms, const char* mode);

  std::shared_ptr<RedisConnection> redis_;
  std::string prefix_;
  size_t dimensions_;
};

}  // namespace tgscribe::store
