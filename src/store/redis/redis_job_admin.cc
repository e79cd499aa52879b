#include "store/redis/redis_job_admin.h"

#include "store/job_store_rules.h"
#include "store/redis/redis_job_queue.h"
#include "store/redis/redis_job_script.h"
#include "store/redis/redis_outbox.h"

namespace tgscribe::store {
namespace {

// ARGV[5..]: state ('' = every state) limit. Read-only.
const RedisScript& list_script() {
  static const RedisScript s = redis_job_script(R"lua(
local want, limit = ARGV[5], tonumber(ARGV[6])
local cands, seen = {}, {}
local function add(created, id)
  if seen[id] then return end
  seen[id] = true
  table.insert(cands, {tonumber(created), id})
end
local function newer(a, b)
  if a[1] ~= b[1] then return a[1] > b[1] end
  return a[2] > b[2]
end
local function trim()
  table.sort(cands, newer)
  while #cands > limit do table.remove(cands) end
end
if want == '' or want == 'queued' then
  for _, set in ipairs({'ready', 'delayed'}) do
    -- member = "<created_ms, 15 digits>:<id>": the creation time without reading the hash
    for _, m in ipairs(redis.call('ZRANGE', p .. set, 0, -1)) do
      add(string.sub(m, 1, 15), member_id(m))
    end
  end
end
if want == '' or want == 'running' then
  for _, id in ipairs(redis.call('ZRANGE', p .. 'running', 0, -1)) do
    local c = redis.call('HGET', jk(id), 'created')
    if c then add(c, id) end
  end
end
trim()
if want == '' or is_final(want) then
  local batch, from = 256, 0
  while true do
    local got = redis.call('ZREVRANGE', p .. 'finished', from, from + batch - 1, 'WITHSCORES')
    if #got == 0 then break end
    local done = false
    for i = 1, #got, 2 do
      -- Every job from here on was created before it finished, so before this score.
      if #cands >= limit and tonumber(got[i + 1]) < cands[#cands][1] then
        done = true
        break
      end
      local f = redis.call('HMGET', jk(got[i]), 'state', 'created')
      if f[1] and (want == '' or f[1] == want) then add(f[2], got[i]) end
    end
    trim()
    if done then break end
    from = from + batch
  end
end
local out = {}
for _, c in ipairs(cands) do
  local h = redis.call('HGETALL', jk(c[2]))
  if #h > 0 then table.insert(out, h) end
end
return out
)lua");
  return s;
}

// Deletes the job's sent and dropped outbox entries except those in `keep` (a set); returns
// how many.
constexpr const char* kSettledLua = R"lua(
local function drop_settled(id, keep)
  local oj = p .. 'objob:' .. id
  local n = 0
  for _, e in ipairs(redis.call('SMEMBERS', oj)) do
    local st = redis.call('HGET', obk(e), 'state')
    if not st then
      redis.call('SREM', oj, e)
    elseif st ~= 'pending' and not keep[e] then
      redis.call('DEL', obk(e))
      redis.call('ZREM', p .. 'obdone', e)
      redis.call('SREM', oj, e)
      n = n + 1
    end
  end
  return n
end
)lua";

// ARGV[5..]: id token keep_count keep...
const RedisScript& retry_script() {
  static const RedisScript s = redis_job_script(std::string(kSettledLua) + R"lua(
local id = ARGV[5]
local k = jk(id)
local f = redis.call('HMGET', k, 'state', 'attempts', 'retry_token')
if not f[1] then return 'missing' end
-- Re-sent after a lost reply: the first run queued it.
if f[3] == ARGV[6] then return 'requeued' end
if f[1] ~= 'failed' and f[1] ~= 'cancelled' then return f[1] end
redis.call('HINCRBY', p .. 'counts', f[1], -1)
redis.call('ZREM', p .. 'finished', id)
redis.call('PERSIST', k)  -- finishing set an expiry; a queued job has none
redis.call('HSET', k, 'retry_token', ARGV[6], 'base', f[2], 'cancel', 0)
requeue(id, '0')
local keep = {}
for i = 8, 7 + tonumber(ARGV[7]) do keep[ARGV[i]] = true end
drop_settled(id, keep)
return 'requeued'
)lua");
  return s;
}

// ARGV[5..]: id token, then the outbox entries
const RedisScript& cancel_script() {
  static const RedisScript s = redis_job_script(R"lua(
local id = ARGV[5]
local k = jk(id)
local f = redis.call('HMGET', k, 'state')
if not f[1] then return 'missing' end
if f[1] == 'queued' then
  redis.call('HSET', k, 'cancel_token', ARGV[6], 'err', ARGV[7])
  finish_job(id, 'cancelled')
  ob_add(8, retention, nil)
  return 'cancelled'
end
if f[1] == 'running' then
  -- Only the flag: the lease and the fence stay the worker's.
  redis.call('HSET', k, 'cancel', 1)
  return 'stopping'
end
return f[1]
)lua");
  return s;
}

// ARGV[5..]: cutoff_ms batch
const RedisScript& purge_script() {
  static const RedisScript s = redis_job_script(std::string(kSettledLua) + R"lua(
local ids = redis.call('ZRANGEBYSCORE', p .. 'finished', '-inf', '(' .. ARGV[5], 'LIMIT', 0,
  tonumber(ARGV[6]))
local jobs, entries = 0, 0
for _, id in ipairs(ids) do
  entries = entries + drop_settled(id, {})
  if redis.call('EXISTS', jk(id)) == 1 then jobs = jobs + 1 end
  drop_job(id)
end
return {#ids, jobs, entries}
)lua");
  return s;
}

}  // namespace

RedisJobAdmin::RedisJobAdmin(std::shared_ptr<RedisConnection> redis, Clock& clock,
                             QueueOptions options, std::string prefix)
    : redis_(std::move(redis)), clock_(clock), options_(options), prefix_(std::move(prefix)) {}

std::vector<std::string> RedisJobAdmin::args(int64_t now) const {
  return redis_job_args(prefix_, now, options_);
}

std::vector<Job> RedisJobAdmin::list(const JobListQuery& query) {
  auto a = args(clock_.unix_ms());
  a.insert(a.end(), {query.state ? to_string(*query.state) : "",
                     std::to_string(clamp_list_limit(query.limit))});
  return parse_redis_jobs(redis_->eval(list_script(), {}, a));
}

RetryResult RedisJobAdmin::retry(const std::string& job_id, const std::vector<std::string>& keep) {
  auto a = args(clock_.unix_ms());
  a.insert(a.end(), {job_id, redis_request_token(), std::to_string(keep.size())});
  a.insert(a.end(), keep.begin(), keep.end());
  std::string r = redis_->eval(retry_script(), {}, a).as_string();
  if (r == "requeued") return RetryResult::kRequeued;
  if (r == "missing") return RetryResult::kNotFound;
  return RetryResult::kNotRetryable;
}

CancelResult RedisJobAdmin::cancel(const std::string& job_id,
                                   const std::vector<OutboxEntry>& messages) {
  auto a = args(clock_.unix_ms());
  a.insert(a.end(), {job_id, redis_request_token(), kCancelledByOperator});
  append_outbox_args(a, messages);
  std::string r = redis_->eval(cancel_script(), {}, a).as_string();
  if (r == "cancelled") return CancelResult::kCancelled;
  if (r == "stopping") return CancelResult::kStopRequested;
  if (r == "missing") return CancelResult::kNotFound;
  return CancelResult::kFinished;
}

PurgeResult RedisJobAdmin::purge(std::chrono::milliseconds older_than) {
  int64_t cutoff = clock_.unix_ms() - older_than.count();
  PurgeResult total;
  while (true) {
    // One bounded script per batch: Redis serves the bots between them.
    RedisReply r = redis_->eval(purge_script(), {}, [&] {
      auto a = args(clock_.unix_ms());
      a.insert(a.end(), {std::to_string(cutoff), std::to_string(kPurgeBatch)});
      return a;
    }());
    int64_t seen = r.elements.at(0).as_integer();
    total.jobs += r.elements.at(1).as_integer();
    total.entries += r.elements.at(2).as_integer();
    if (seen < kPurgeBatch) return total;
  }
}

}  // namespace tgscribe::store
