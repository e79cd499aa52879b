#include "store/redis/redis_update_log.h"

#include <stdexcept>

namespace tgscribe::store {

RedisUpdateLog::RedisUpdateLog(std::shared_ptr<RedisConnection> redis, Clock& clock,
                               QueueOptions options, std::string prefix)
    : redis_(std::move(redis)), clock_(clock), options_(options), prefix_(std::move(prefix)) {}
AdmitResult RedisUpdateLog::admit(const Admission&) {
  throw std::logic_error("RedisUpdateLog: not implemented yet");
}
bool RedisUpdateLog::seen(int64_t) {
  throw std::logic_error("RedisUpdateLog: not implemented yet");
}
bool RedisUpdateLog::healthy() { return redis_->ping(); }

}  // namespace tgscribe::store
