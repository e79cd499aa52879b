#include "store/redis/redis_transcript_cache.h"

#include "common/log.h"
#include "transcript/json_format.h"

namespace tgscribe::store {
namespace {

// ARGV[1] = prefix, ARGV[2] = now (unix ms).
constexpr const char* kPreamble = R"lua(
local c = ARGV[1] .. 'cache:'
local now = ARGV[2]
local function drop(kind, key)
  redis.call('DEL', c .. kind .. ':' .. key)
  redis.call('ZREM', c .. kind .. 'lru', key)
  redis.call('ZREM', c .. kind .. 'exp', key)
end
)lua";

RedisScript script(const char* body) { return RedisScript(std::string(kPreamble) + body); }

// ARGV: p now kind key field value user ttl_ms exp max
const RedisScript& put_script() {
  static const RedisScript s = script(R"lua(
local kind, key = ARGV[3], ARGV[4]
local k = c .. kind .. ':' .. key
redis.call('HSET', k, ARGV[5], ARGV[6], 'exp', ARGV[9])
local ttl = tonumber(ARGV[8])
if ttl > 0 then redis.call('PEXPIRE', k, ttl) else redis.call('PERSIST', k) end
redis.call('ZADD', c .. kind .. 'lru', redis.call('INCR', c .. 'tick'), key)
if ttl > 0 then redis.call('ZADD', c .. kind .. 'exp', ARGV[9], key) end
local u = c .. 'u:' .. ARGV[7]
redis.call('SADD', u, kind .. ':' .. key)
if ttl > 0 then redis.call('PEXPIRE', u, ttl) end
local max = tonumber(ARGV[10])
if max > 0 then
  local n = redis.call('ZCARD', c .. kind .. 'lru')
  if n > max then
    for _, victim in ipairs(redis.call('ZRANGE', c .. kind .. 'lru', 0, n - max - 1)) do
      drop(kind, victim)
    end
  end
end
return 1
)lua");
  return s;
}

// ARGV: p now kind key field. Counts the hit or miss in the shared stats.
const RedisScript& get_script() {
  static const RedisScript s = script(R"lua(
local kind, key = ARGV[3], ARGV[4]
local k = c .. kind .. ':' .. key
local f = redis.call('HMGET', k, ARGV[5], 'exp')
local name = kind == 'f' and 'file_' or 'content_'
if f[1] then
  local exp = tonumber(f[2])
  if exp == 0 or exp > tonumber(now) then
    redis.call('ZADD', c .. kind .. 'lru', 'XX', redis.call('INCR', c .. 'tick'), key)
    redis.call('HINCRBY', c .. 'stats', name .. 'hits', 1)
    return f[1]
  end
  drop(kind, key)
end
redis.call('HINCRBY', c .. 'stats', name .. 'misses', 1)
return false
)lua");
  return s;
}

// ARGV: p now user
const RedisScript& forget_script() {
  static const RedisScript s = script(R"lua(
local u = c .. 'u:' .. ARGV[3]
local members = redis.call('SMEMBERS', u)
for _, m in ipairs(members) do drop(string.sub(m, 1, 1), string.sub(m, 3)) end
redis.call('DEL', u)
return #members
)lua");
  return s;
}

// ARGV: p now
const RedisScript& purge_script() {
  static const RedisScript s = script(R"lua(
local n = 0
for _, kind in ipairs({'f', 't'}) do
  for _, key in ipairs(redis.call('ZRANGEBYSCORE', c .. kind .. 'exp', '-inf', now)) do
    drop(kind, key)
    n = n + 1
  end
end
return n
)lua");
  return s;
}

// ARGV: p now
const RedisScript& stats_script() {
  static const RedisScript s = script(R"lua(
local st = redis.call('HMGET', c .. 'stats', 'file_hits', 'file_misses', 'content_hits',
                      'content_misses')
-- Live entries: those without expiry plus those expiring after now.
local live = redis.call('ZCARD', c .. 'tlru') - redis.call('ZCOUNT', c .. 'texp', '-inf', now)
return {st[1] or '0', st[2] or '0', st[3] or '0', st[4] or '0', live}
)lua");
  return s;
}

}  // namespace

RedisTranscriptCache::RedisTranscriptCache(std::shared_ptr<RedisConnection> redis, int64_t ttl_s,
                                           int64_t max_entries, Clock& clock, std::string prefix)
    : redis_(std::move(redis)),
      ttl_ms_(ttl_s > 0 ? ttl_s * 1000 : 0),
      max_entries_(max_entries),
      clock_(clock),
      prefix_(std::move(prefix)) {}

void RedisTranscriptCache::put_entry(const char* kind, const std::string& key,
                                     const std::string& field, const std::string& value,
                                     int64_t user_id) {
  int64_t now = clock_.unix_ms();
  int64_t exp = ttl_ms_ > 0 ? now + ttl_ms_ : 0;
  redis_->eval(put_script(), {},
               {prefix_, std::to_string(now), kind, key, field, value, std::to_string(user_id),
                std::to_string(ttl_ms_), std::to_string(exp), std::to_string(max_entries_)});
}

std::optional<std::string> RedisTranscriptCache::get_entry(const char* kind, const std::string& key,
                                                           const std::string& field) {
  RedisReply r =
      redis_->eval(get_script(), {}, {prefix_, std::to_string(clock_.unix_ms()), kind, key, field});
  if (r.is_nil()) return std::nullopt;
  return r.str;
}

std::optional<std::string> RedisTranscriptCache::sha_for_file(const std::string& file_unique_id) {
  return get_entry("f", file_unique_id, "sha");
}

void RedisTranscriptCache::put_file(const std::string& file_unique_id, const std::string& sha256,
                                    int64_t user_id) {
  put_entry("f", file_unique_id, "sha", sha256, user_id);
}

std::optional<transcript::Transcript> RedisTranscriptCache::get(const std::string& content_key) {
  auto json = get_entry("t", content_key, "json");
  if (!json) return std::nullopt;
  try {
    return transcript::from_json(*json);
  } catch (const std::exception& e) {
    // A damaged entry is a miss (the job transcribes again and overwrites it), not a failure.
    spdlog::warn("ignoring unreadable cached transcript: {}", e.what());
    return std::nullopt;
  }
}

void RedisTranscriptCache::put(const std::string& content_key, const transcript::Transcript& t,
                               int64_t user_id) {
  put_entry("t", content_key, "json", transcript::to_json(t, {}, /*pretty=*/false), user_id);
}

void RedisTranscriptCache::forget_user(int64_t user_id) {
  redis_->eval(forget_script(), {},
               {prefix_, std::to_string(clock_.unix_ms()), std::to_string(user_id)});
}

void RedisTranscriptCache::purge_expired() {
  redis_->eval(purge_script(), {}, {prefix_, std::to_string(clock_.unix_ms())});
}

CacheStats RedisTranscriptCache::stats() {
  RedisReply r = redis_->eval(stats_script(), {}, {prefix_, std::to_string(clock_.unix_ms())});
  CacheStats s;
  s.file_hits = r.elements.at(0).as_integer();
  s.file_misses = r.elements.at(1).as_integer();
  s.content_hits = r.elements.at(2).as_integer();
  s.content_misses = r.elements.at(3).as_integer();
  s.entries = r.elements.at(4).as_integer();
  return s;
}

bool RedisTranscriptCache::healthy() { return redis_->ping(); }

}  // namespace tgscribe::store
