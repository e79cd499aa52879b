#include "store/redis/redis_usage_ledger.h"

#include <fmt/format.h>

#include <algorithm>

namespace tgscribe::store {
namespace {

// ARGV: prefix, user, day, engine, then the seven counters in Usage's order.
const RedisScript& add_script() {
  static const RedisScript s(R"lua(
local p, user, day, engine = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local names = {'audio_s', 'billed_s', 'bytes', 'tokens', 'cost_usd', 'cache_saved_s', 'requests'}
local row = p .. 'usage:row:' .. user .. ':' .. day
local total = p .. 'usage:total:' .. day
for i, n in ipairs(names) do
  local v = ARGV[4 + i]
  if tonumber(v) ~= 0 then
    redis.call('HINCRBYFLOAT', row, engine .. '|' .. n, v)
    redis.call('HINCRBYFLOAT', total, engine .. '|' .. n, v)
  end
end
redis.call('ZINCRBY', p .. 'usage:top:' .. day, ARGV[5], user)
redis.call('SADD', p .. 'usage:days:' .. user, day)
redis.call('ZADD', p .. 'usage:daylist', day, day)
return 1
)lua");
  return s;
}

// ARGV: prefix, key base, first day, last day. The fields and values of the hash of every day
// in the range that has figures (daylist: bounded by the retention, whatever range is asked).
const RedisScript& collect_script() {
  static const RedisScript s(R"lua(
local out = {}
for _, day in ipairs(redis.call('ZRANGEBYSCORE', ARGV[1] .. 'usage:daylist', ARGV[3], ARGV[4])) do
  local h = redis.call('HGETALL', ARGV[2] .. day)
  for i = 1, #h do out[#out + 1] = h[i] end
end
return out
)lua");
  return s;
}

// ARGV: prefix, first day, last day, n. Users by audio seconds over the days, most first.
const RedisScript& top_script() {
  static const RedisScript s(R"lua(
local p = ARGV[1]
local keys = {}
for _, day in ipairs(redis.call('ZRANGEBYSCORE', p .. 'usage:daylist', ARGV[2], ARGV[3])) do
  keys[#keys + 1] = p .. 'usage:top:' .. day
end
if #keys == 0 then return {} end
local tmp = p .. 'usage:toptmp'
redis.call('ZUNIONSTORE', tmp, #keys, unpack(keys))
local r = redis.call('ZREVRANGEBYSCORE', tmp, '+inf', '(0', 'LIMIT', 0, tonumber(ARGV[4]))
redis.call('DEL', tmp)
return r
)lua");
  return s;
}

// ARGV: prefix, user.
const RedisScript& forget_script() {
  static const RedisScript s(R"lua(
local p, user = ARGV[1], ARGV[2]
local days = p .. 'usage:days:' .. user
for _, day in ipairs(redis.call('SMEMBERS', days)) do
  redis.call('DEL', p .. 'usage:row:' .. user .. ':' .. day)
  redis.call('ZREM', p .. 'usage:top:' .. day, user)
end
redis.call('DEL', days)
return 1
)lua");
  return s;
}

// ARGV: prefix, first kept day.
const RedisScript& prune_script() {
  static const RedisScript s(R"lua(
local p = ARGV[1]
local old = redis.call('ZRANGEBYSCORE', p .. 'usage:daylist', '-inf', '(' .. ARGV[2])
for _, day in ipairs(old) do
  local top = p .. 'usage:top:' .. day
  for _, user in ipairs(redis.call('ZRANGE', top, 0, -1)) do
    redis.call('DEL', p .. 'usage:row:' .. user .. ':' .. day)
    redis.call('SREM', p .. 'usage:days:' .. user, day)
  end
  redis.call('DEL', top, p .. 'usage:total:' .. day)
end
redis.call('ZREMRANGEBYSCORE', p .. 'usage:daylist', '-inf', '(' .. ARGV[2])
return #old
)lua");
  return s;
}

void add_field(Usage& u, const std::string& counter, const std::string& value) {
  double v = 0;
  try {
    v = std::stod(value);
  } catch (const std::exception&) {
    return;  // not ours: ignored rather than failing /stats
  }
  if (counter == "audio_s") u.audio_s += v;
  if (counter == "billed_s") u.billed_s += v;
  if (counter == "bytes") u.bytes += static_cast<int64_t>(v);
  if (counter == "tokens") u.tokens += static_cast<int64_t>(v);
  if (counter == "cost_usd") u.cost_usd += v;
  if (counter == "cache_saved_s") u.cache_saved_s += v;
  if (counter == "requests") u.requests += static_cast<int64_t>(v);
}

}  // namespace

RedisUsageLedger::RedisUsageLedger(std::shared_ptr<RedisConnection> redis, std::string prefix)
    : redis_(std::move(redis)), prefix_(std::move(prefix)) {}

void RedisUsageLedger::add(int64_t user_id, int64_t day, const std::string& engine,
                           const Usage& u) {
  redis_->eval(add_script(), {},
               {prefix_, std::to_string(user_id), std::to_string(day), engine,
                fmt::format("{}", u.audio_s), fmt::format("{}", u.billed_s),
                std::to_string(u.bytes), std::to_string(u.tokens), fmt::format("{}", u.cost_usd),
                fmt::format("{}", u.cache_saved_s), std::to_string(u.requests)},
               /*idempotent=*/false);
}

std::map<std::string, Usage> RedisUsageLedger::collect(const std::string& base, int64_t first_day,
                                                       int64_t last_day) {
  std::map<std::string, Usage> out;
  if (last_day < first_day) return out;
  RedisReply r = redis_->eval(collect_script(), {},
                              {prefix_, base, std::to_string(first_day), std::to_string(last_day)});
  for (size_t i = 0; i + 1 < r.elements.size(); i += 2) {
    const std::string& field = r.elements[i].str;
    auto bar = field.rfind('|');
    if (bar == std::string::npos) continue;
    add_field(out[field.substr(0, bar)], field.substr(bar + 1), r.elements[i + 1].as_string());
  }
  return out;
}

Usage RedisUsageLedger::user_usage(int64_t user_id, int64_t first_day, int64_t last_day) {
  return total_of(
      collect(prefix_ + "usage:row:" + std::to_string(user_id) + ":", first_day, last_day));
}

std::map<std::string, Usage> RedisUsageLedger::engine_usage(int64_t first_day, int64_t last_day) {
  return collect(prefix_ + "usage:total:", first_day, last_day);
}

std::vector<UserUsage> RedisUsageLedger::top_users(int64_t first_day, int64_t last_day, int n) {
  std::vector<UserUsage> out;
  if (n <= 0 || last_day < first_day) return out;
  RedisReply r = redis_->eval(
      top_script(), {},
      {prefix_, std::to_string(first_day), std::to_string(last_day), std::to_string(n)});
  for (const auto& e : r.elements) {
    int64_t user = std::stoll(e.as_string());
    out.push_back({user, user_usage(user, first_day, last_day)});
  }
  // Ties in the order the other backends use (fewer user ids first).
  std::stable_sort(out.begin(), out.end(), [](const UserUsage& a, const UserUsage& b) {
    return a.usage.audio_s != b.usage.audio_s ? a.usage.audio_s > b.usage.audio_s
                                              : a.user_id < b.user_id;
  });
  return out;
}

void RedisUsageLedger::forget(int64_t user_id) {
  redis_->eval(forget_script(), {}, {prefix_, std::to_string(user_id)});
}

void RedisUsageLedger::prune(int64_t first_kept_day) {
  redis_->eval(prune_script(), {}, {prefix_, std::to_string(first_kept_day)});
}

}  // namespace tgscribe::store
