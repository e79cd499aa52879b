#include "store/redis/redis_outbox.h"

#include <stdexcept>

namespace tgscribe::store {
namespace {
[[noreturn]] void todo() { throw std::logic_error("RedisOutbox: not implemented yet"); }
}  // namespace

RedisOutbox::RedisOutbox(std::shared_ptr<RedisConnection> redis, Clock& clock,
                         QueueOptions options, std::string prefix)
    : redis_(std::move(redis)), clock_(clock), options_(options), prefix_(std::move(prefix)) {}
void RedisOutbox::add(const std::vector<OutboxEntry>&) { todo(); }
std::optional<OutboxBatch> RedisOutbox::claim(const std::string&, std::chrono::milliseconds,
                                              int) {
  todo();
}
bool RedisOutbox::renew(int64_t, const std::string&, std::chrono::milliseconds) { todo(); }
void RedisOutbox::release(int64_t, const std::string&) { todo(); }
void RedisOutbox::mark_sent(const std::string&, int64_t) { todo(); }
void RedisOutbox::mark_retry(const std::string&, const std::string&, int64_t) { todo(); }
void RedisOutbox::mark_dropped(const std::string&, const std::string&) { todo(); }
std::optional<OutboxEntry> RedisOutbox::get(const std::string&) { todo(); }
int64_t RedisOutbox::pending() { todo(); }
bool RedisOutbox::healthy() { return redis_->ping(); }
const std::string& redis_outbox_lua() { todo(); }
void append_outbox_args(std::vector<std::string>&, const std::vector<OutboxEntry>&) { todo(); }

}  // namespace tgscribe::store
