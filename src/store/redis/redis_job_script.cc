#include "store/redis/redis_job_script.h"

#include "store/redis/redis_job_queue.h"

namespace tgscribe::store {

RedisScript redis_job_script(std::string_view body) {
  return RedisScript(redis_job_lua() + std::string(body));
}

std::vector<std::string> redis_job_args(const std::string& prefix, int64_t now,
                                        const QueueOptions& options) {
  return {prefix, std::to_string(now), std::to_string(options.finished_retention_ms),
          std::to_string(options.stats_window)};
}

bool for_each_redis_field(
    const RedisReply& hgetall,
    const std::function<void(const std::string& field, const std::string& value)>& fn) {
  if (hgetall.type != RedisReply::Type::kArray || hgetall.elements.empty()) return false;
  for (size_t i = 0; i + 1 < hgetall.elements.size(); i += 2) {
    fn(hgetall.elements[i].str, hgetall.elements[i + 1].str);
  }
  return true;
}

int64_t redis_field_int(const std::string& value) {
  if (value.empty()) return 0;
  try {
    return std::stoll(value);
  } catch (...) {
    return 0;
  }
}

}  // namespace tgscribe::store
