#include "store/redis/redis_job_queue.h"

#include <fmt/format.h>

#include <algorithm>

#include "store/job_store_rules.h"
#include "store/redis/redis_job_script.h"
#include "store/redis/redis_outbox.h"

namespace tgscribe::store {
namespace {

// Shared by every script of the job stores: ARGV[1] is the key prefix, ARGV[2] "now" in unix
// ms, ARGV[3] finished_retention_ms, ARGV[4] stats_window; a script's own arguments follow.
// The rules of job_store_rules.h go in as constants.
std::string preamble() {
  return fmt::format(R"lua(
local p = ARGV[1]
local now = ARGV[2]
local now_n = tonumber(now)
local retention = ARGV[3]
local window = ARGV[4]
local ob_retention = {}
local prune_interval = {}
)lua",
                     kOutboxRetentionMs, kPruneIntervalMs);
}

constexpr const char* kJobLua = R"lua(
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

-- Queued, runnable from not_before (now or earlier: at once).
local function enqueue(k, nb)
  local f = redis.call('HMGET', k, 'member', 'rscore')
  if tonumber(nb) > now_n then
    redis.call('ZADD', p .. 'delayed', nb, f[1])
  else
    redis.call('ZADD', p .. 'ready', f[2], f[1])
  end
end

-- Moves a job to a final state, keeping counters and indexes right; a repeat is a no-op.
local function finish_job(id, state)
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
    local run = now_n - started
    redis.call('LPUSH', p .. 'durations', string.format('%d,%d', wait, run))
    redis.call('LTRIM', p .. 'durations', 0, tonumber(window) - 1)
  end
  redis.call('ZADD', p .. 'finished', now, id)
  redis.call('PEXPIRE', k, 2 * tonumber(retention))
  redis.call('PEXPIRE', p .. 'all:' .. user, 2 * tonumber(retention))
  return 1
end

-- Back to the queue (a retry after a backoff, or a shutdown).
local function requeue(id, nb)
  local k = jk(id)
  local user = unindex(id, k)
  redis.call('SADD', p .. 'open:' .. user, id)
  redis.call('HSET', k, 'state', 'queued', 'nb', nb, 'lease', 0, 'finished', 0, 'worker', '')
  enqueue(k, nb)
end

-- Stores a new job from ARGV[i..i+12]: id update user chat prio state created nb payload err
-- rscore member finished. A finished one (a cache hit) is stored as it is, outside the
-- per-user limit.
local function store_job(i)
  local id, user, state, nb = ARGV[i], ARGV[i + 2], ARGV[i + 5], ARGV[i + 7]
  local k = jk(id)
  redis.call('HSET', k, 'id', id, 'upd', ARGV[i + 1], 'user', user, 'chat', ARGV[i + 3],
    'prio', ARGV[i + 4], 'state', state, 'attempts', 0, 'created', ARGV[i + 6], 'started', 0,
    'finished', 0, 'nb', nb, 'lease', 0, 'cancel', 0, 'err', ARGV[i + 9], 'worker', '',
    'payload', ARGV[i + 8], 'rscore', ARGV[i + 10], 'member', ARGV[i + 11])
  redis.call('SADD', p .. 'all:' .. user, id)
  -- Ids of pruned jobs must not pile up in a user's index for ever.
  redis.call('PEXPIRE', p .. 'all:' .. user, 2 * tonumber(retention))
  if is_final(state) then
    redis.call('HSET', k, 'finished', ARGV[i + 12])
    redis.call('HINCRBY', p .. 'counts', state, 1)
    redis.call('ZADD', p .. 'finished', ARGV[i + 12], id)
    redis.call('PEXPIRE', k, 2 * tonumber(retention))
  else
    redis.call('SADD', p .. 'open:' .. user, id)
    enqueue(k, nb)
  end
end

-- Deletes a finished job; the counters count stored jobs, as the other backends' do.
local function drop_job(id)
  local f = redis.call('HMGET', jk(id), 'state', 'user', 'attempts')
  if f[1] and is_final(f[1]) then
    redis.call('HINCRBY', p .. 'counts', f[1], -1)
    local retries = tonumber(f[3]) - 1
    if retries > 0 then redis.call('HINCRBY', p .. 'counts', 'retries', -retries) end
  end
  if f[2] then redis.call('SREM', p .. 'all:' .. f[2], id) end
  redis.call('DEL', jk(id))
  redis.call('ZREM', p .. 'finished', id)
end

-- Removes finished jobs and settled outbox entries past their retention by the Clock, at most
-- every prune_interval, a bounded batch at a time; runs inside the writes (admit, finish,
-- Outbox::add). The PEXPIREs of their keys, at twice the retention, only back it up.
local function prune()
  local last = tonumber(redis.call('GET', p .. 'pruned') or '0')
  if now_n - last < prune_interval then return end
  local limit = 500
  local jobs = redis.call('ZRANGEBYSCORE', p .. 'finished', '-inf',
    '(' .. (now_n - tonumber(retention)), 'LIMIT', 0, limit)
  for _, id in ipairs(jobs) do drop_job(id) end
  local entries = redis.call('ZRANGEBYSCORE', p .. 'obdone', '-inf',
    '(' .. (now_n - ob_retention), 'LIMIT', 0, limit)
  for _, id in ipairs(entries) do
    local job = redis.call('HGET', obk(id), 'job')
    if job and job ~= '' then redis.call('SREM', p .. 'objob:' .. job, id) end
    redis.call('DEL', obk(id))
    redis.call('ZREM', p .. 'obdone', id)
  end
  -- A full batch leaves the rest to the next write.
  if #jobs < limit and #entries < limit then redis.call('SET', p .. 'pruned', now) end
end
)lua";

// ARGV[5..]: worker lease_until token
const RedisScript& claim_script() {
  static const RedisScript s = redis_job_script(R"lua(
local tk = p .. 'claim:' .. ARGV[7]
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
    finish_job(id, 'cancelled')  -- the user cancelled it: do not resume
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
redis.call('HSET', k, 'state', 'running', 'worker', ARGV[5], 'started', now, 'lease', ARGV[6])
redis.call('ZADD', p .. 'running', ARGV[6], best)
redis.call('SET', tk, best, 'PX', 600000)
return redis.call('HGETALL', k)
)lua");
  return s;
}

// ARGV[5..]: id fence lease_until
const RedisScript& heartbeat_script() {
  static const RedisScript s = redis_job_script(R"lua(
local k = jk(ARGV[5])
local f = redis.call('HMGET', k, 'state', 'attempts')
if f[1] ~= 'running' or f[2] ~= ARGV[6] then return 0 end
redis.call('HSET', k, 'lease', ARGV[7])
redis.call('ZADD', p .. 'running', ARGV[7], ARGV[5])
return 1
)lua");
  return s;
}

// ARGV[5..]: id fence state error not_before token deferred(0|1), then the outbox entries
const RedisScript& finish_script() {
  static const RedisScript s = redis_job_script(R"lua(
local id, state, nb = ARGV[5], ARGV[7], ARGV[9]
local k = jk(id)
local f = redis.call('HMGET', k, 'state', 'attempts', 'fin_token')
-- Re-sent after a lost reply: the first run ended the claim.
if f[3] == ARGV[10] then return 1 end
if f[1] ~= 'running' or f[2] ~= ARGV[6] then return 0 end
redis.call('HSET', k, 'fin_token', ARGV[10], 'err', ARGV[8])
-- A deferral gives its claim back to the retry budget (Job::budget_base); the fin_token
-- check above keeps a re-sent finish from giving it twice.
if state == 'queued' and ARGV[11] == '1' then redis.call('HINCRBY', k, 'base', 1) end
if state == 'queued' then requeue(id, nb) else finish_job(id, state) end
local after = ob_add(12, retention, nil)
ob_withdraw(ARGV[after])
prune()
return 1
)lua");
  return s;
}

// ARGV[5..]: worker_prefix token
const RedisScript& orphans_script() {
  static const RedisScript s = redis_job_script(R"lua(
local rk = p .. 'req:' .. ARGV[6]
local done = redis.call('GET', rk)
if done then return tonumber(done) end
local n = 0
for _, id in ipairs(redis.call('ZRANGE', p .. 'running', 0, -1)) do
  local f = redis.call('HMGET', jk(id), 'worker', 'cancel')
  if f[1] and string.sub(f[1], 1, #ARGV[5]) == ARGV[5] then
    -- Queued again rather than left with a past lease: the dead claim's fence stops
    -- working at once, not only when the job is claimed again.
    if f[2] == '1' then finish_job(id, 'cancelled') else requeue(id, '0') end
    n = n + 1
  end
end
redis.call('SET', rk, n, 'PX', 600000)
return n
)lua");
  return s;
}

// ARGV[5..]: id user token
const RedisScript& cancel_script() {
  static const RedisScript s = redis_job_script(R"lua(
local k = jk(ARGV[5])
local f = redis.call('HMGET', k, 'state', 'user', 'cancel_token')
if not f[1] or f[2] ~= ARGV[6] then return 0 end
-- Re-sent after a lost reply: the first run cancelled it, so the answer is still yes.
if f[1] == 'cancelled' and f[3] == ARGV[7] then return 1 end
if f[1] == 'queued' then
  redis.call('HSET', k, 'cancel_token', ARGV[7])
  return finish_job(ARGV[5], 'cancelled')
end
if f[1] == 'running' then
  redis.call('HSET', k, 'cancel', 1)
  return 1
end
return 0
)lua");
  return s;
}

// ARGV[5..]: user unfinished_only(0|1)
const RedisScript& user_jobs_script() {
  static const RedisScript s = redis_job_script(R"lua(
local set = p .. (ARGV[6] == '1' and 'open:' or 'all:') .. ARGV[5]
local out = {}
for _, id in ipairs(redis.call('SMEMBERS', set)) do
  local h = redis.call('HGETALL', jk(id))
  if #h == 0 then redis.call('SREM', set, id) else table.insert(out, h) end
end
return out
)lua");
  return s;
}

// ARGV[5..]: id
const RedisScript& position_script() {
  static const RedisScript s = redis_job_script(R"lua(
promote_due()
local f = redis.call('HMGET', jk(ARGV[5]), 'state', 'member')
if f[1] ~= 'queued' then return 0 end
local r = redis.call('ZRANK', p .. 'ready', f[2])
if r then return r + 1 end
r = redis.call('ZRANK', p .. 'delayed', f[2])
if r then return redis.call('ZCARD', p .. 'ready') + r + 1 end
return 0
)lua");
  return s;
}

const RedisScript& stats_script() {
  static const RedisScript s = redis_job_script(R"lua(
local queued = redis.call('ZCARD', p .. 'ready') + redis.call('ZCARD', p .. 'delayed')
local c = redis.call('HMGET', p .. 'counts', 'delivered', 'failed', 'cancelled', 'retries')
return {queued, redis.call('ZCARD', p .. 'running'), c[1] or '0', c[2] or '0', c[3] or '0',
        c[4] or '0', redis.call('LRANGE', p .. 'durations', 0, -1)}
)lua");
  return s;
}

// ARGV[5..]: user
const RedisScript& forget_script() {
  static const RedisScript s = redis_job_script(R"lua(
local set = p .. 'all:' .. ARGV[5]
local n = 0
for _, id in ipairs(redis.call('SMEMBERS', set)) do
  local st = redis.call('HGET', jk(id), 'state')
  if not st or is_final(st) then
    drop_job(id)
    redis.call('SREM', set, id)
    -- The messages already sent carry the transcript too; pending ones still go out.
    local oj = p .. 'objob:' .. id
    for _, e in ipairs(redis.call('SMEMBERS', oj)) do
      if redis.call('HGET', obk(e), 'state') ~= 'pending' then
        redis.call('DEL', obk(e))
        redis.call('ZREM', p .. 'obdone', e)
        redis.call('SREM', oj, e)
      end
    end
    n = n + 1
  end
end
return n
)lua");
  return s;
}

}  // namespace

const std::string& redis_job_lua() {
  static const std::string s = preamble() + redis_outbox_lua() + kJobLua;
  return s;
}

std::string redis_job_rscore(int64_t priority, int64_t created_ms, double aging_per_s) {
  // Constant part of the effective priority (see the header): exact as "%.17g".
  double rscore =
      static_cast<double>(priority) + static_cast<double>(created_ms) / 1000.0 * aging_per_s;
  return fmt::format("{:.17g}", rscore);
}

std::string redis_job_member(int64_t created_ms, const std::string& id) {
  return fmt::format("{:015d}:{}", created_ms, id);
}

std::optional<Job> parse_redis_job(const RedisReply& r) {
  Job j;
  bool found = for_each_redis_field(r, [&j](const std::string& f, const std::string& v) {
    if (f == "id")
      j.id = v;
    else if (f == "upd")
      j.update_id = redis_field_int(v);
    else if (f == "user")
      j.user_id = redis_field_int(v);
    else if (f == "chat")
      j.chat_id = redis_field_int(v);
    else if (f == "prio")
      j.priority = redis_field_int(v);
    else if (f == "state")
      j.state = job_state_from_string(v);
    else if (f == "attempts")
      j.attempts = static_cast<int>(redis_field_int(v));
    else if (f == "created")
      j.created_ms = redis_field_int(v);
    else if (f == "started")
      j.started_ms = redis_field_int(v);
    else if (f == "finished")
      j.finished_ms = redis_field_int(v);
    else if (f == "nb")
      j.not_before_ms = redis_field_int(v);
    else if (f == "lease")
      j.lease_until_ms = redis_field_int(v);
    else if (f == "cancel")
      j.cancel_requested = v == "1";
    else if (f == "err")
      j.last_error = v;
    else if (f == "worker")
      j.worker_id = v;
    else if (f == "payload")
      j.payload = v;
    else if (f == "base")
      j.budget_base = static_cast<int>(redis_field_int(v));
  });
  if (!found) return std::nullopt;
  return j;
}

std::vector<Job> parse_redis_jobs(const RedisReply& hgetalls) {
  std::vector<Job> out;
  for (const auto& e : hgetalls.elements) {
    if (auto j = parse_redis_job(e)) out.push_back(std::move(*j));
  }
  return out;
}

RedisJobQueue::RedisJobQueue(std::shared_ptr<RedisConnection> redis, Clock& clock,
                             QueueOptions options, std::string prefix)
    : redis_(std::move(redis)), clock_(clock), options_(options), prefix_(std::move(prefix)) {}

std::vector<std::string> RedisJobQueue::args(int64_t now) const {
  return redis_job_args(prefix_, now, options_);
}

std::optional<Job> RedisJobQueue::claim(const std::string& worker_id,
                                        std::chrono::milliseconds lease) {
  int64_t now = clock_.unix_ms();
  auto a = args(now);
  a.insert(a.end(), {worker_id, std::to_string(now + lease.count()), redis_request_token()});
  return parse_redis_job(redis_->eval(claim_script(), {}, a));
}

bool RedisJobQueue::heartbeat(const std::string& job_id, int fence,
                              std::chrono::milliseconds lease) {
  int64_t now = clock_.unix_ms();
  auto a = args(now);
  a.insert(a.end(), {job_id, std::to_string(fence), std::to_string(now + lease.count())});
  return redis_->eval(heartbeat_script(), {}, a).as_integer() == 1;
}

bool RedisJobQueue::finish(const std::string& job_id, int fence, const JobOutcome& outcome,
                           const std::vector<OutboxEntry>& messages) {
  check_outcome(outcome);
  check_entries(messages);
  auto a = args(clock_.unix_ms());
  a.insert(a.end(), {job_id, std::to_string(fence), to_string(outcome.state), outcome.error,
                     std::to_string(outcome.not_before_ms), redis_request_token(),
                     outcome.deferred ? "1" : "0"});
  append_outbox_args(a, messages);
  a.push_back(outcome.withdraw);
  return redis_->eval(finish_script(), {}, a).as_integer() == 1;
}

int RedisJobQueue::release_orphans(const std::string& worker_prefix) {
  auto a = args(clock_.unix_ms());
  a.insert(a.end(), {worker_prefix, redis_request_token()});
  return static_cast<int>(redis_->eval(orphans_script(), {}, a).as_integer());
}

bool RedisJobQueue::cancel(const std::string& job_id, int64_t user_id) {
  auto a = args(clock_.unix_ms());
  a.insert(a.end(), {job_id, std::to_string(user_id), redis_request_token()});
  return redis_->eval(cancel_script(), {}, a).as_integer() == 1;
}

std::optional<Job> RedisJobQueue::get(const std::string& job_id) {
  return parse_redis_job(redis_->command({"HGETALL", prefix_ + "job:" + job_id}));
}

std::vector<Job> RedisJobQueue::user_jobs(int64_t user_id, bool unfinished_only) {
  auto a = args(clock_.unix_ms());
  a.insert(a.end(), {std::to_string(user_id), unfinished_only ? "1" : "0"});
  std::vector<Job> out = parse_redis_jobs(redis_->eval(user_jobs_script(), {}, a));
  std::sort(out.begin(), out.end(), [](const Job& a, const Job& b) {
    return a.created_ms != b.created_ms ? a.created_ms < b.created_ms : a.id < b.id;
  });
  return out;
}

int RedisJobQueue::position(const std::string& job_id) {
  auto a = args(clock_.unix_ms());
  a.push_back(job_id);
  return static_cast<int>(redis_->eval(position_script(), {}, a).as_integer());
}

QueueStats RedisJobQueue::stats() {
  RedisReply r = redis_->eval(stats_script(), {}, args(clock_.unix_ms()));
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
    waits.push_back(static_cast<double>(redis_field_int(e.str.substr(0, comma))));
    runs.push_back(static_cast<double>(redis_field_int(e.str.substr(comma + 1))));
  }
  set_duration_percentiles(s, waits, runs);
  return s;
}

void RedisJobQueue::forget_user(int64_t user_id) {
  auto a = args(clock_.unix_ms());
  a.push_back(std::to_string(user_id));
  redis_->eval(forget_script(), {}, a);
}

bool RedisJobQueue::healthy() { return redis_->ping(); }

}  // namespace tgscribe::store
