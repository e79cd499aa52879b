#pragma once
// Outbox on Redis (key layout: redis_job_queue.h). Every change is one Lua script; the Lua
// that adds entries is shared with the scripts of UpdateLog::admit and JobQueue::finish, which
// write their messages in the same script as the job.
#include <memory>
#include <string>
#include <vector>

#include "common/clock.h"
#include "store/outbox.h"
#include "store/queue_policy.h"
#include "store/redis/redis_connection.h"

namespace tgscribe::store {

class RedisOutbox : public Outbox {
 public:
  // `prefix` namespaces every key; sent and dropped entries expire after
  // options.finished_retention_ms.
  RedisOutbox(std::shared_ptr<RedisConnection> redis, Clock& clock = SystemClock::instance(),
              QueueOptions options = {}, std::string prefix = "tgscribe:");

  void add(const std::vector<OutboxEntry>& entries) override;
  std::optional<OutboxBatch> claim(const std::string& owner, std::chrono::milliseconds lease,
                                   int max_entries) override;
  bool renew(int64_t chat_id, const std::string& owner, std::chrono::milliseconds lease) override;
  void release(int64_t chat_id, const std::string& owner) override;
  void mark_sent(const std::string& id, int64_t message_id) override;
  void mark_retry(const std::string& id, const std::string& error, int64_t not_before_ms) override;
  void mark_dropped(const std::string& id, const std::string& error) override;
  std::optional<OutboxEntry> get(const std::string& id) override;
  int64_t pending() override;
  bool healthy() override;

 private:
  // ARGV[1..4] of every script: prefix, now, finished_retention_ms, stats_window.
  std::vector<std::string> args() const;

  std::shared_ptr<RedisConnection> redis_;
  Clock& clock_;
  const QueueOptions options_;
  const std::string prefix_;
};

// For the scripts of the other job stores: Lua defining ob_add(i, retention_ms, subst) (adds
// the entries packed from ARGV[i] on by append_outbox_args, "{unfinished}" in bodies replaced by
// subst when given; returns the index after them), ob_index_chat(chat) and the other outbox
// helpers. It expects `p`, `now` and `now_n` to be defined before it (redis_job_lua() does).
const std::string& redis_outbox_lua();
// Appends the count and then, per entry, id chat job body not_before priority.
void append_outbox_args(std::vector<std::string>& args, const std::vector<OutboxEntry>& entries);

}  // namespace tgscribe::store
