#include "store/redis/redis_job_queue.h"

#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>

namespace tgscribe::store {
namespace {

// Shared by every script: ARGV[1] is the key prefix, ARGV[2] "now" in unix ms.
constexpr const char* kPreamble = R"lua(
local p = ARGV[1]
local now = ARGV[2]
local function jk(id) return p .. 'job:' .. id end
local function is_final(s) return s == 'delivered' or s == 'failed' or s == 'cancelled' end
-- member = "<created_ms, 15 digits>:<id>"
local function member_id(m) return string.sub(m, 17) end

-- Queued jobs whose retry backoff is over become runnable.
local function promote_due()
  local due = redis.call('ZRANGEBYSCORE', p .. 'delayed', '-inf', now)
  for _, m in ipairs(due) do
    redis.call('ZREM', p .. 'delayed', m)
    local rs = redis.call('HGET', jk(member_id(m)), 'rscore')
    if rs then redis.call('ZADD', p .. 'ready', rs, m) end
  end
end

local function unindex(id, k)
  local f = redis.call('HMGET', k, 'member', 'user')
  redis.call('ZREM', p .. 'ready', f[1])
  redis.call('ZREM', p .. 'delayed', f[1])
  redis.call('ZREM', p .. 'running', id)
  return f[2]
end

-- Moves a job to a final state, keeping counters and indexes right; a repeat is a no-op.
local function finish(id, state, retention_ms, window)
  local k = jk(id)
  local prev = redis.call('HGET', k, 'state')
  if not prev then return 0 end
  if prev == state then return 1 end
  local user = unindex(id, k)
  redis.call('SREM', p .. 'open:' .. user, id)
  if is_final(prev) then redis.call('HINCRBY', p .. 'counts', prev, -1) end
  redis.call('HINCRBY', p .. 'counts', state, 1)
  redis.call('HSET', k, 'state', state, 'finished', now, 'lease', '0')
  local t = redis.call('HMGET', k, 'started', 'created')
  local started = tonumber(t[1])
  if (state == 'delivered' or state == 'failed') and started > 0 then
    local wait = started - tonumber(t[2])
    local run = tonumber(now) - started
    redis.call('LPUSH', p .. 'durations', string.format('%d,%d', wait, run))
    redis.call('LTRIM', p .. 'durations', 0, tonumber(window) - 1)
  end
  redis.call('PEXPIRE', k, retention_ms)
  redis.call('PEXPIRE', p .. 'steps:' .. id, retention_ms)
  redis.call('PEXPIRE', p .. 'all:' .. user, 2 * tonumber(retention_ms))
  return 1
end
)lua";

RedisScript script(const char* body) { return RedisScript(std::string(kPreamble) + body); }

// ARGV: p now id user chat prio created nb payload limit rscore member retention
const RedisScript& enqueue_script() {
  static const RedisScript s = script(R"lua(
local id, user = ARGV[3], ARGV[4]
local k = jk(id)
local open = p .. 'open:' .. user
local n = redis.call('SCARD', open)
-- A repeat (redelivered update, or this script re-sent after a lost reply): same answer.
if redis.call('EXISTS', k) == 1 then return {1, n} end
local limit = tonumber(ARGV[10])
if limit > 0 and n >= limit then return {0, n} end
redis.call('HSET', k, 'id', id, 'user', user, 'chat', ARGV[5], 'prio', ARGV[6],
  'state', 'queued', 'attempts', 0, 'created', ARGV[7], 'started', 0, 'finished', 0,
  'nb', ARGV[8], 'lease', 0, 'cancel', 0, 'err', '', 'worker', '', 'payload', ARGV[9],
  'rscore', ARGV[11], 'member', ARGV[12])
redis.call('SADD', open, id)
redis.call('SADD', p .. 'all:' .. user, id)
-- Ids of pruned jobs must not pile up in a user's index for ever.
redis.call('PEXPIRE', p .. 'all:' .. user, ARGV[13])
if tonumber(ARGV[8]) > tonumber(now) then
  redis.call('ZADD', p .. 'delayed', ARGV[8], ARGV[12])
else
  redis.call('ZADD', p .. 'ready', ARGV[11], ARGV[12])
end
return {1, n + 1}
)lua");
  return s;
}

// ARGV: p now worker lease_until token retention window
const RedisScript& claim_script() {
  static const RedisScript s = script(R"lua(
local tk = p .. 'claim:' .. ARGV[5]
local already = redis.call('GET', tk)
if already then return redis.call('HGETALL', jk(already)) end
promote_due()
local best, best_score, best_member = nil, nil, nil
local function consider(id, score, member)
  if not best or score < best_score or (score == best_score and member < best_member) then
    best, best_score, best_member = id, score, member
  end
end
-- Jobs of dead workers: the lease ran out without a heartbeat.
local expired = redis.call('ZRANGEBYSCORE', p .. 'running', '-inf', '(' .. now)
for _, id in ipairs(expired) do
  local f = redis.call('HMGET', jk(id), 'cancel', 'rscore', 'member', 'state')
  if not f[4] then
    redis.call('ZREM', p .. 'running', id)
  elseif f[1] == '1' then
    finish(id, 'cancelled', ARGV[6], ARGV[7])  -- the user cancelled it: do not resume
  else
    consider(id, tonumber(f[2]), f[3])
  end
end
while true do
  local top = redis.call('ZRANGE', p .. 'ready', 0, 0, 'WITHSCORES')
  if #top == 0 then break end
  if redis.call('EXISTS', jk(member_id(top[1]))) == 1 then
    consider(member_id(top[1]), tonumber(top[2]), top[1])
    break
  end
  redis.call('ZREM', p .. 'ready', top[1])  -- its hash is gone: never hand out a ghost
end
if not best then return false end
redis.call('ZREM', p .. 'ready', best_member)
local k = jk(best)
local attempts = redis.call('HINCRBY', k, 'attempts', 1)
if attempts > 1 then redis.call('HINCRBY', p .. 'counts', 'retries', 1) end
redis.call('HSET', k, 'state', 'running', 'worker', ARGV[3], 'started', now, 'lease', ARGV[4])
redis.call('ZADD', p .. 'running', ARGV[4], best)
redis.call('SET', tk, best, 'PX', 600000)
return redis.call('HGETALL', k)
)lua");
  return s;
}

// ARGV: p now id worker lease_until
const RedisScript& heartbeat_script() {
  static const RedisScript s = script(R"lua(
local k = jk(ARGV[3])
local f = redis.call('HMGET', k, 'state', 'worker')
if f[1] ~= 'running' or f[2] ~= ARGV[4] then return 0 end
redis.call('HSET', k, 'lease', ARGV[5])
redis.call('ZADD', p .. 'running', ARGV[5], ARGV[3])
return 1
)lua");
  return s;
}

// ARGV: p now id state retention window
const RedisScript& finish_script() {
  static const RedisScript s = script(R"lua(
return finish(ARGV[3], ARGV[4], ARGV[5], ARGV[6])
)lua");
  return s;
}

// ARGV: p now id error retry(0|1) not_before retention window
const RedisScript& fail_script() {
  static const RedisScript s = script(R"lua(
local id = ARGV[3]
local k = jk(id)
local prev = redis.call('HGET', k, 'state')
if not prev then return 0 end
redis.call('HSET', k, 'err', ARGV[4])
if ARGV[5] ~= '1' then return finish(id, 'failed', ARGV[7], ARGV[8]) end
local user = unindex(id, k)
if is_final(prev) then redis.call('HINCRBY', p .. 'counts', prev, -1) end
redis.call('PERSIST', k)
redis.call('SADD', p .. 'open:' .. user, id)
redis.call('HSET', k, 'state', 'queued', 'nb', ARGV[6], 'lease', 0, 'worker', '', 'finished', 0)
local f = redis.call('HMGET', k, 'member', 'rscore')
if tonumber(ARGV[6]) > tonumber(now) then
  redis.call('ZADD', p .. 'delayed', ARGV[6], f[1])
else
  redis.call('ZADD', p .. 'ready', f[2], f[1])
end
return 1
)lua");
  return s;
}

// ARGV: p now id user retention window token
const RedisScript& cancel_script() {
  static const RedisScript s = script(R"lua(
local k = jk(ARGV[3])
local f = redis.call('HMGET', k, 'state', 'user', 'cancel_token')
if not f[1] or f[2] ~= ARGV[4] then return 0 end
-- Re-sent after a lost reply: the first run cancelled it, so the answer is still yes.
if f[1] == 'cancelled' and f[3] == ARGV[7] then return 1 end
if f[1] == 'queued' then
  redis.call('HSET', k, 'cancel_token', ARGV[7])
  return finish(ARGV[3], 'cancelled', ARGV[5], ARGV[6])
end
if f[1] == 'running' then
  redis.call('HSET', k, 'cancel', 1)
  return 1
end
return 0
)lua");
  return s;
}

// ARGV: p now id payload
const RedisScript& payload_script() {
  static const RedisScript s = script(R"lua(
local k = jk(ARGV[3])
if redis.call('EXISTS', k) == 0 then return 0 end
redis.call('HSET', k, 'payload', ARGV[4])
return 1
)lua");
  return s;
}

// ARGV: p now user unfinished_only(0|1)
const RedisScript& user_jobs_script() {
  static const RedisScript s = script(R"lua(
local set = p .. (ARGV[4] == '1' and 'open:' or 'all:') .. ARGV[3]
local out = {}
for _, id in ipairs(redis.call('SMEMBERS', set)) do
  local h = redis.call('HGETALL', jk(id))
  if #h == 0 then redis.call('SREM', set, id) else table.insert(out, h) end
end
return out
)lua");
  return s;
}

// ARGV: p now id
const RedisScript& position_script() {
  static const RedisScript s = script(R"lua(
promote_due()
local f = redis.call('HMGET', jk(ARGV[3]), 'state', 'member')
if f[1] ~= 'queued' then return 0 end
local r = redis.call('ZRANK', p .. 'ready', f[2])
if r then return r + 1 end
r = redis.call('ZRANK', p .. 'delayed', f[2])
if r then return redis.call('ZCARD', p .. 'ready') + r + 1 end
return 0
)lua");
  return s;
}

// ARGV: p now
const RedisScript& stats_script() {
  static const RedisScript s = script(R"lua(
local queued = redis.call('ZCARD', p .. 'ready') + redis.call('ZCARD', p .. 'delayed')
local c = redis.call('HMGET', p .. 'counts', 'delivered', 'failed', 'cancelled', 'retries')
return {queued, redis.call('ZCARD', p .. 'running'), c[1] or '0', c[2] or '0', c[3] or '0',
        c[4] or '0', redis.call('LRANGE', p .. 'durations', 0, -1)}
)lua");
  return s;
}

// ARGV: p now id step token ttl
const RedisScript& mark_step_script() {
  static const RedisScript s = script(R"lua(
local k = p .. 'steps:' .. ARGV[3]
local v = redis.call('HGET', k, ARGV[4])
if not v then
  redis.call('HSET', k, ARGV[4], ARGV[5])
  redis.call('PEXPIRE', k, ARGV[6])
  return 1
end
-- Our own earlier call whose reply was lost still counts as the first.
if v == ARGV[5] then return 1 end
return 0
)lua");
  return s;
}

// ARGV: p now update_id token retention_ms
const RedisScript& update_script() {
  static const RedisScript s = script(R"lua(
local k = p .. 'upd:' .. ARGV[3]
local v = redis.call('GET', k)
if v then
  local sep = string.find(v, ':', 1, true)
  if string.sub(v, sep + 1) == ARGV[4] then return 1 end
  -- The clock of the queue, not Redis's expiry, decides (they agree in production).
  if tonumber(string.sub(v, 1, sep - 1)) + tonumber(ARGV[5]) >= tonumber(now) then return 0 end
end
redis.call('SET', k, now .. ':' .. ARGV[4], 'PX', ARGV[5])
return 1
)lua");
  return s;
}

// ARGV: p now user
const RedisScript& forget_script() {
  static const RedisScript s = script(R"lua(
local set = p .. 'all:' .. ARGV[3]
local n = 0
for _, id in ipairs(redis.call('SMEMBERS', set)) do
  local st = redis.call('HGET', jk(id), 'state')
  if not st or is_final(st) then
    redis.call('DEL', jk(id), p .. 'steps:' .. id)
    redis.call('SREM', set, id)
    n = n + 1
  end
end
return n
)lua");
  return s;
}

int64_t to_i64(const std::string& s) {
  if (s.empty()) return 0;
  try {
    return std::stoll(s);
  } catch (...) {
    return 0;
  }
}

std::optional<Job> parse_job(const RedisReply& r) {
  if (r.type != RedisReply::Type::kArray || r.elements.empty()) return std::nullopt;
  Job j;
  for (size_t i = 0; i + 1 < r.elements.size(); i += 2) {
    const std::string& f = r.elements[i].str;
    const std::string& v = r.elements[i + 1].str;
    if (f == "id")
      j.id = v;
    else if (f == "user")
      j.user_id = to_i64(v);
    else if (f == "chat")
      j.chat_id = to_i64(v);
    else if (f == "prio")
      j.priority = to_i64(v);
    else if (f == "state")
      j.state = job_state_from_string(v);
    else if (f == "attempts")
      j.attempts = static_cast<int>(to_i64(v));
    else if (f == "created")
      j.created_ms = to_i64(v);
    else if (f == "started")
      j.started_ms = to_i64(v);
    else if (f == "finished")
      j.finished_ms = to_i64(v);
    else if (f == "nb")
      j.not_before_ms = to_i64(v);
    else if (f == "lease")
      j.lease_until_ms = to_i64(v);
    else if (f == "cancel")
      j.cancel_requested = v == "1";
    else if (f == "err")
      j.last_error = v;
    else if (f == "worker")
      j.worker_id = v;
    else if (f == "payload")
      j.payload = v;
  }
  return j;
}

}  // namespace

RedisJobQueue::RedisJobQueue(std::shared_ptr<RedisConnection> redis, Clock& clock,
                             QueueOptions options, std::string prefix)
    : redis_(std::move(redis)), clock_(clock), options_(options), prefix_(std::move(prefix)) {}

std::string RedisJobQueue::now_str() const { return std::to_string(clock_.unix_ms()); }

EnqueueResult RedisJobQueue::enqueue(const Job& job, int per_user_limit) {
  if (job.id.empty()) throw std::invalid_argument("enqueue: job id is empty");
  int64_t now = clock_.unix_ms();
  int64_t created = job.created_ms != 0 ? job.created_ms : now;
  // Constant part of the effective priority (see the header): exact as "%.17g".
  double rscore = static_cast<double>(job.priority) +
                  static_cast<double>(created) / 1000.0 * options_.aging_per_s;
  std::string member = fmt::format("{:015d}:{}", created, job.id);
  RedisReply r =
      redis_->eval(enqueue_script(), {},
                   {prefix_, std::to_string(now), job.id, std::to_string(job.user_id),
                    std::to_string(job.chat_id), std::to_string(job.priority),
                    std::to_string(created), std::to_string(job.not_before_ms), job.payload,
                    std::to_string(per_user_limit), fmt::format("{:.17g}", rscore), member,
                    // Twice the retention: the index outlives every finished job it lists.
                    std::to_string(2 * options_.finished_retention_ms)});
  EnqueueResult out;
  out.accepted = r.elements.at(0).as_integer() == 1;
  out.unfinished = static_cast<int>(r.elements.at(1).as_integer());
  return out;
}

std::optional<Job> RedisJobQueue::claim(const std::string& worker_id,
                                        std::chrono::milliseconds lease) {
  int64_t now = clock_.unix_ms();
  RedisReply r =
      redis_->eval(claim_script(), {},
                   {prefix_, std::to_string(now), worker_id, std::to_string(now + lease.count()),
                    redis_request_token(), std::to_string(options_.finished_retention_ms),
                    std::to_string(options_.stats_window)});
  return parse_job(r);
}

bool RedisJobQueue::heartbeat(const std::string& job_id, const std::string& worker_id,
                              std::chrono::milliseconds lease) {
  int64_t now = clock_.unix_ms();
  return redis_
             ->eval(heartbeat_script(), {},
                    {prefix_, std::to_string(now), job_id, worker_id,
                     std::to_string(now + lease.count())})
             .as_integer() == 1;
}

void RedisJobQueue::mark_delivered(const std::string& job_id) {
  redis_->eval(
      finish_script(), {},
      {prefix_, now_str(), job_id, "delivered", std::to_string(options_.finished_retention_ms),
       std::to_string(options_.stats_window)});
}

void RedisJobQueue::mark_failed(const std::string& job_id, const std::string& error, bool retry,
                                int64_t not_before_ms) {
  redis_->eval(
      fail_script(), {},
      {prefix_, now_str(), job_id, error, retry ? "1" : "0", std::to_string(not_before_ms),
       std::to_string(options_.finished_retention_ms), std::to_string(options_.stats_window)});
}

bool RedisJobQueue::cancel(const std::string& job_id, int64_t user_id) {
  return redis_
             ->eval(cancel_script(), {},
                    {prefix_, now_str(), job_id, std::to_string(user_id),
                     std::to_string(options_.finished_retention_ms),
                     std::to_string(options_.stats_window), redis_request_token()})
             .as_integer() == 1;
}

void RedisJobQueue::mark_cancelled(const std::string& job_id) {
  redis_->eval(
      finish_script(), {},
      {prefix_, now_str(), job_id, "cancelled", std::to_string(options_.finished_retention_ms),
       std::to_string(options_.stats_window)});
}

std::optional<Job> RedisJobQueue::get(const std::string& job_id) {
  return parse_job(redis_->command({"HGETALL", prefix_ + "job:" + job_id}));
}

void RedisJobQueue::update_payload(const std::string& job_id, const std::string& payload) {
  redis_->eval(payload_script(), {}, {prefix_, now_str(), job_id, payload});
}

std::vector<Job> RedisJobQueue::user_jobs(int64_t user_id, bool unfinished_only) {
  RedisReply r =
      redis_->eval(user_jobs_script(), {},
                   {prefix_, now_str(), std::to_string(user_id), unfinished_only ? "1" : "0"});
  std::vector<Job> out;
  for (const auto& e : r.elements) {
    if (auto j = parse_job(e)) out.push_back(std::move(*j));
  }
  std::sort(out.begin(), out.end(), [](const Job& a, const Job& b) {
    return a.created_ms != b.created_ms ? a.created_ms < b.created_ms : a.id < b.id;
  });
  return out;
}

int RedisJobQueue::position(const std::string& job_id) {
  return static_cast<int>(
      redis_->eval(position_script(), {}, {prefix_, now_str(), job_id}).as_integer());
}

QueueStats RedisJobQueue::stats() {
  RedisReply r = redis_->eval(stats_script(), {}, {prefix_, now_str()});
  QueueStats s;
  s.queued = r.elements.at(0).as_integer();
  s.running = r.elements.at(1).as_integer();
  s.delivered = r.elements.at(2).as_integer();
  s.failed = r.elements.at(3).as_integer();
  s.cancelled = r.elements.at(4).as_integer();
  s.retries = r.elements.at(5).as_integer();
  std::vector<double> waits, runs;
  for (const auto& e : r.elements.at(6).elements) {
    auto comma = e.str.find(',');
    if (comma == std::string::npos) continue;
    waits.push_back(static_cast<double>(to_i64(e.str.substr(0, comma))));
    runs.push_back(static_cast<double>(to_i64(e.str.substr(comma + 1))));
  }
  s.wait_p50_ms = percentile(waits, 50);
  s.wait_p95_ms = percentile(waits, 95);
  s.run_p50_ms = percentile(runs, 50);
  s.run_p95_ms = percentile(runs, 95);
  return s;
}

bool RedisJobQueue::mark_step(const std::string& job_id, const std::string& step) {
  return redis_
             ->eval(mark_step_script(), {},
                    {prefix_, now_str(), job_id, step, redis_request_token(),
                     std::to_string(options_.finished_retention_ms)})
             .as_integer() == 1;
}

bool RedisJobQueue::step_done(const std::string& job_id, const std::string& step) {
  return redis_->command({"HEXISTS", prefix_ + "steps:" + job_id, step}).as_integer() == 1;
}

bool RedisJobQueue::first_time_update(int64_t update_id) {
  return redis_
             ->eval(update_script(), {},
                    {prefix_, now_str(), std::to_string(update_id), redis_request_token(),
                     std::to_string(std::max<int64_t>(1, options_.update_retention_ms))})
             .as_integer() == 1;
}

void RedisJobQueue::forget_user(int64_t user_id) {
  redis_->eval(forget_script(), {}, {prefix_, now_str(), std::to_string(user_id)});
}

bool RedisJobQueue::healthy() { return redis_->ping(); }

}  // namespace tgscribe::store
