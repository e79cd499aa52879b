#include "store/redis/redis_rate_budget.h"

#include <algorithm>

#include "common/clock.h"

namespace tgscribe::store {
namespace {

// KEYS: line waiters granted meta log:1..log:D
// ARGV: now ticket order stale D mode (limit length cost)*D token
// `token` is new for every call (and the same when a lost reply makes the connection send
// the call again): a grant is recorded under it once.
// mode "acquire": join the line (or keep one's place) and take the grant when it fits now;
// mode "estimate": when an ask at the end of the line would fit, changing nothing.
// Returns {granted (0/1), wait_ms}. The schedule is MemoryRateBudget::schedule_locked's.
const RedisScript& pace_script() {
  static const RedisScript s(R"lua(
local now = tonumber(ARGV[1])
local ticket = ARGV[2]
local order = tonumber(ARGV[3])
local stale = tonumber(ARGV[4])
local D = tonumber(ARGV[5])
local mode = ARGV[6]
local line, waiters, granted, meta = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local token = ARGV[7 + D * 3]
local me = {w = {}, c = {}}
local longest = 3600000
for i = 1, D do
  local b = 6 + (i - 1) * 3
  me.w[i] = {tonumber(ARGV[b + 1]), tonumber(ARGV[b + 2])}
  me.c[i] = tonumber(ARGV[b + 3])
  if me.w[i][2] > longest then longest = me.w[i][2] end
end

-- Waiters that stopped asking (a crashed process) lose their place.
for _, t in ipairs(redis.call('ZRANGE', line, 0, -1)) do
  local raw = redis.call('HGET', waiters, t)
  local w = raw and cjson.decode(raw)
  if (not w) or math.max(w.seen, w.hold or 0) < now - stale then
    redis.call('ZREM', line, t)
    redis.call('HDEL', waiters, t)
  end
end
if mode == 'acquire' then
  if redis.call('ZSCORE', granted, token) then return {1, 0} end
  redis.call('HSET', waiters, ticket, cjson.encode({seen = now, w = me.w, c = me.c}))
  if not redis.call('ZSCORE', line, ticket) then redis.call('ZADD', line, order, ticket) end
end

local list = {}
for _, t in ipairs(redis.call('ZRANGE', line, 0, -1)) do
  local w = cjson.decode(redis.call('HGET', waiters, t))
  w.ticket = t
  list[#list + 1] = w
  for i = 1, #w.w do if w.w[i][2] > longest then longest = w.w[i][2] end end
end
if mode ~= 'acquire' then
  me.ticket = ticket
  list[#list + 1] = me
end

redis.call('ZREMRANGEBYSCORE', granted, '-inf', now - longest)
local logs = {}
for i = 1, D do
  redis.call('ZREMRANGEBYSCORE', KEYS[4 + i], '-inf', now - longest)
  local raw = redis.call('ZRANGE', KEYS[4 + i], 0, -1, 'WITHSCORES')
  local entries = {}
  for j = 1, #raw, 2 do
    local member = raw[j]
    local cost = tonumber(string.sub(member, string.find(member, '|', 1, true) + 1))
    entries[#entries + 1] = {tonumber(raw[j + 1]), cost}
  end
  logs[i] = entries
end
local learned = {}
for i = 1, D do
  local l = redis.call('HGET', meta, 'l' .. i)
  if l then
    local sep = string.find(l, ':', 1, true)
    local rem, untl = tonumber(string.sub(l, 1, sep - 1)), tonumber(string.sub(l, sep + 1))
    if untl > now then learned[i] = {rem, untl} else redis.call('HDEL', meta, 'l' .. i) end
  end
end

local function fit_time(entries, limit, length, cost, from)
  if limit <= 0 then return from end
  local need = math.min(math.max(cost, 0), limit)
  local used = 0
  for _, e in ipairs(entries) do if e[1] > from - length then used = used + e[2] end end
  if used + need <= limit then return from end
  for _, e in ipairs(entries) do
    if e[1] > from - length then
      used = used - e[2]
      if used + need <= limit then return math.max(from, e[1] + length) end
    end
  end
  return from
end

local t = math.max(now, tonumber(redis.call('HGET', meta, 'blocked') or '0'))
local at = nil
for _, w in ipairs(list) do
  local fit = math.max(t, w.hold or 0)
  for i = 1, D do
    if w.w[i] then fit = fit_time(logs[i], w.w[i][1], w.w[i][2], w.c[i] or 0, fit) end
  end
  for i, l in pairs(learned) do
    if fit < l[2] and (w.c[i] or 0) > l[1] then fit = l[2] end
  end
  for i = 1, D do
    table.insert(logs[i], {fit, w.c[i] or 0})
    if learned[i] and fit < learned[i][2] then learned[i][1] = learned[i][1] - (w.c[i] or 0) end
  end
  t = fit
  if w.ticket == ticket then at = fit break end
end

if mode ~= 'acquire' or at > now then return {0, math.max(0, at - now)} end
for i = 1, D do
  redis.call('ZADD', KEYS[4 + i], now, token .. '|' .. (me.c[i] or 0))
  local l = redis.call('HGET', meta, 'l' .. i)
  if l then
    local sep = string.find(l, ':', 1, true)
    local rem = tonumber(string.sub(l, 1, sep - 1)) - (me.c[i] or 0)
    redis.call('HSET', meta, 'l' .. i, string.format('%d', rem) .. ':' .. string.sub(l, sep + 1))
  end
end
redis.call('ZADD', granted, now, token)
redis.call('ZREM', line, ticket)
redis.call('HDEL', waiters, ticket)
for k = 1, #KEYS do redis.call('PEXPIRE', KEYS[k], longest + stale) end
return {1, 0}
)lua");
  return s;
}

// KEYS: line waiters. ARGV: ticket until_ms ttl_ms
const RedisScript& hold_script() {
  static const RedisScript s(R"lua(
local raw = redis.call('HGET', KEYS[2], ARGV[1])
if not raw then return 0 end
local w = cjson.decode(raw)
w.hold = tonumber(ARGV[2])
redis.call('HSET', KEYS[2], ARGV[1], cjson.encode(w))
for k = 1, 2 do
  if redis.call('PTTL', KEYS[k]) < tonumber(ARGV[3]) then redis.call('PEXPIRE', KEYS[k], ARGV[3]) end
end
return 1
)lua");
  return s;
}

// KEYS: meta. ARGV: field value (kept only when larger), ttl_ms
const RedisScript& max_script() {
  static const RedisScript s(R"lua(
local old = tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or '0')
if tonumber(ARGV[2]) > old then redis.call('HSET', KEYS[1], ARGV[1], ARGV[2]) end
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 1
)lua");
  return s;
}

}  // namespace

RedisRateBudget::RedisRateBudget(std::shared_ptr<RedisConnection> redis, std::string prefix,
                                 size_t dimensions)
    : redis_(std::move(redis)), prefix_(std::move(prefix)), dimensions_(dimensions) {}

std::vector<std::string> RedisRateBudget::keys(const std::string& key) const {
  std::string base = prefix_ + "pace:{" + key + "}:";
  std::vector<std::string> k = {base + "line", base + "waiters", base + "granted", base + "meta"};
  for (size_t i = 1; i <= dimensions_; ++i) k.push_back(base + "log:" + std::to_string(i));
  return k;
}

RedisReply RedisRateBudget::run(const RateAsk& ask, int64_t now_ms, const char* mode) {
  std::vector<std::string> args = {std::to_string(now_ms),       ask.ticket,
                                   std::to_string(ask.order_ms), std::to_string(kStaleMs),
                                   std::to_string(dimensions_),  mode};
  for (size_t i = 0; i < dimensions_; ++i) {
    RateWindow w = i < ask.windows.size() ? ask.windows[i] : RateWindow{0, {}};
    args.push_back(std::to_string(w.limit));
    args.push_back(std::to_string(std::max<int64_t>(1, w.length.count())));
    args.push_back(std::to_string(i < ask.costs.size() ? ask.costs[i] : 0));
  }
  args.push_back(redis_request_token());
  // Safe to re-send: a granted ticket answers granted again without a second record.
  return redis_->eval(pace_script(), keys(ask.key), args);
}

RateGrant RedisRateBudget::try_acquire(const RateAsk& ask, int64_t now_ms) {
  RedisReply r = run(ask, now_ms, "acquire");
  bool granted = r.elements.size() == 2 && r.elements[0].as_integer() == 1;
  int64_t wait = r.elements.size() == 2 ? r.elements[1].as_integer() : 1000;
  return {granted, std::chrono::milliseconds(granted ? 0 : std::max<int64_t>(1, wait))};
}

std::chrono::milliseconds RedisRateBudget::wait_estimate(const RateAsk& ask, int64_t now_ms) {
  RedisReply r = run(ask, now_ms, "estimate");
  return std::chrono::milliseconds(r.elements.size() == 2 ? r.elements[1].as_integer() : 0);
}

void RedisRateBudget::leave(const std::string& key, const std::string& ticket) {
  auto k = keys(key);
  redis_->command({"ZREM", k[0], ticket});
  redis_->command({"HDEL", k[1], ticket});
}

void RedisRateBudget::hold(const std::string& key, const std::string& ticket, int64_t until_ms) {
  auto k = keys(key);
  // Kept (at least) until the place lapses, however long the keys had left.
  const int64_t ttl =
      std::max<int64_t>(1, until_ms - SystemClock::instance().unix_ms()) + kStaleMs + 3'600'000;
  redis_->eval(hold_script(), {k[0], k[1]},
               {ticket, std::to_string(until_ms), std::to_string(ttl)});
}

void RedisRateBudget::block_until(const std::string& key, int64_t until_ms) {
  redis_->eval(max_script(), {keys(key)[3]},
               {"blocked", std::to_string(until_ms), std::to_string(7'200'000)});
}

void RedisRateBudget::learn(const std::string& key, size_t index, int64_t remaining,
                            int64_t until_ms) {
  auto k = keys(key)[3];
  redis_->command(
      {"HSET", k, "l" + std::to_string(index + 1),
       std::to_string(std::max<int64_t>(0, remaining)) + ":" + std::to_string(until_ms)});
  redis_->command({"PEXPIRE", k, std::to_string(7'200'000)});
}

}  // namespace tgscribe::store
