#pragma once
// UsageLedger on Redis (QUEUE_TYPE=redis), shared by every instance, so /stats and the global
// quota see one set of figures. Keys ({p} = prefix):
//   {p}usage:row:<user>:<day>   hash "<engine>|<counter>" -> number   (a user's day)
//   {p}usage:total:<day>        hash "<engine>|<counter>" -> number   (the day, every user)
//   {p}usage:top:<day>          zset user -> audio seconds            (top users, prune)
//   {p}usage:days:<user>        set of days the user has rows on      (/forget)
//   {p}usage:daylist            zset day -> day     (prune; the days a range query reads)
// An add is one Lua script (atomic: a row and the total never disagree, and two instances'
// adds to the global total never lose one). It is not re-sent when its reply is lost: a
// lost reply can undercount one request, never count it twice.
#include <memory>
#include <string>

#include "store/redis/redis_connection.h"
#include "store/usage_ledger.h"

namespace tgscribe::store {

class RedisUsageLedger : public UsageLedger {
 public:
  explicit RedisUsageLedger(std::shared_ptr<RedisConnection> redis,
                            std::string prefix = "tgscribe:");

  void add(int64_t user_id, int64_t day, const std::string& engine, const Usage& u) override;
  Usage user_usage(int64_t user_id, int64_t first_day, int64_t last_day) override;
  std::map<std::string, Usage> engine_usage(int64_t first_day, int64_t last_day) override;
  std::vector<UserUsage> top_users(int64_t first_day, int64_t last_day, int n) override;
  void forget(int64_t user_id) override;
  void prune(int64_t first_kept_day) override;
  bool healthy() override { return redis_->ping(); }

 private:
  // "<engine>|<counter>" -> value pairs of the hashes <base><day> for every day in the range.
  std::map<std::string, Usage> collect(const std::string& base, int64_t first_day,
                                       int64_t last_day);

  std::shared_ptr<RedisConnection> redis_;
  const std::string prefix_;
};

}  // namespace tgscribe::store
