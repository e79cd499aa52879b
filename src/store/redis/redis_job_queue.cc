#include "store/redis/redis_job_queue.h"

#include <stdexcept>

namespace tgscribe::store {
namespace {
[[noreturn]] void todo() { throw std::logic_error("RedisJobQueue: not implemented yet"); }
}  // namespace

RedisJobQueue::RedisJobQueue(std::shared_ptr<RedisConnection> redis, Clock& clock,
                             QueueOptions options, std::string prefix)
    : redis_(std::move(redis)), clock_(clock), options_(options), prefix_(std::move(prefix)) {}
std::optional<Job> RedisJobQueue::claim(const std::string&, std::chrono::milliseconds) { todo(); }
bool RedisJobQueue::heartbeat(const std::string&, int, std::chrono::milliseconds) { todo(); }
bool RedisJobQueue::finish(const std::string&, int, const JobOutcome&,
                           const std::vector<OutboxEntry>&) {
  todo();
}
int RedisJobQueue::release_orphans(const std::string&) { todo(); }
bool RedisJobQueue::cancel(const std::string&, int64_t) { todo(); }
std::optional<Job> RedisJobQueue::get(const std::string&) { todo(); }
std::vector<Job> RedisJobQueue::user_jobs(int64_t, bool) { todo(); }
int RedisJobQueue::position(const std::string&) { todo(); }
QueueStats RedisJobQueue::stats() { todo(); }
void RedisJobQueue::forget_user(int64_t) { todo(); }
bool RedisJobQueue::healthy() { return redis_->ping(); }

const std::string& redis_job_lua() { todo(); }
std::string redis_job_rscore(int64_t, int64_t, double) { todo(); }
std::string redis_job_member(int64_t, const std::string&) { todo(); }
std::optional<Job> parse_redis_job(const RedisReply&) { todo(); }

}  // namespace tgscribe::store
