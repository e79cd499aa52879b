#pragma once
// What every Lua script of the Redis job stores (RedisJobQueue, RedisOutbox, RedisUpdateLog,
// RedisJobAdmin) shares, written once: the Lua it starts with, its first four arguments, and
// how the hashes it returns are read. Running a script (EVALSHA, EVAL on NOSCRIPT) is
// RedisConnection::eval.
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "store/queue_policy.h"
#include "store/redis/redis_connection.h"

namespace tgscribe::store {

// A job-store script: redis_job_lua() (the shared preamble and helpers) followed by `body`.
RedisScript redis_job_script(std::string_view body);

// ARGV[1..4] of every job-store script: prefix, now (unix ms), finished_retention_ms,
// stats_window. A script's own arguments are appended after them.
std::vector<std::string> redis_job_args(const std::string& prefix, int64_t now,
                                        const QueueOptions& options);

// Calls fn(field, value) for each pair of an HGETALL reply (a job or outbox entry hash).
// Returns false, calling nothing, when the reply holds no hash (nil, or an empty array: the
// key does not exist).
bool for_each_redis_field(
    const RedisReply& hgetall,
    const std::function<void(const std::string& field, const std::string& value)>& fn);

// A number stored in a hash field; 0 for an empty or unreadable one (a field an older version
// did not write reads as its default).
int64_t redis_field_int(const std::string& value);

}  // namespace tgscribe::store
