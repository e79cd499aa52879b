#include "store/redis/redis_outbox.h"

#include "store/job_store_rules.h"
#include "store/redis/redis_job_queue.h"
#include "store/redis/redis_job_script.h"

namespace tgscribe::store {
namespace {

// Needs `p` (key prefix) and `now_n` (now as a number) from the script's preamble.
constexpr const char* kOutboxLua = R"lua(
local function obk(id) return p .. 'ob:' .. id end

-- Plain find/replace: "{unfinished}" would be a pattern to string.gsub.
local function replace_plain(s, from, to)
  local out, i = {}, 1
  while true do
    local a, b = string.find(s, from, i, true)
    if not a then break end
    table.insert(out, string.sub(s, i, a - 1))
    table.insert(out, to)
    i = b + 1
  end
  table.insert(out, string.sub(s, i))
  return table.concat(out)
end

-- Claim order among due chats: first replies (pri 1) before bulk (pri 0), then by seq.
-- 2^44 is above any seq and keeps the score an exact integer in a double.
local function ob_score(seq, pri)
  return tonumber(seq) - tonumber(pri or '0') * 17592186044416
end

-- Files the chat under what its first pending entry waits for: obready (due; score =
-- ob_score), obdelayed (a delay or a retry backoff; score = not_before) or nothing (no
-- pending entry).
local function ob_index_chat(chat)
  redis.call('ZREM', p .. 'obready', chat)
  redis.call('ZREM', p .. 'obdelayed', chat)
  local first = redis.call('ZRANGE', p .. 'obchat:' .. chat, 0, 0, 'WITHSCORES')
  if #first == 0 then return end
  local f = redis.call('HMGET', obk(first[1]), 'nb', 'pri')
  local nb = f[1] or '0'
  if tonumber(nb) > now_n then
    redis.call('ZADD', p .. 'obdelayed', nb, chat)
  else
    redis.call('ZADD', p .. 'obready', ob_score(first[2], f[2]), chat)
  end
end

local function ob_promote_due()
  for _, chat in ipairs(redis.call('ZRANGEBYSCORE', p .. 'obdelayed', '-inf', now_n)) do
    ob_index_chat(chat)
  end
end

-- Adds the entries packed from ARGV[i] (a count, then id chat job body not_before pri each);
-- present ids are left as they are. `subst` replaces "{unfinished}" in bodies when given.
-- Returns the index after them.
local function ob_add(i, retention_ms, subst)
  local n = tonumber(ARGV[i])
  i = i + 1
  local touched = {}
  for _ = 1, n do
    local id, chat, job, body, nb = ARGV[i], ARGV[i + 1], ARGV[i + 2], ARGV[i + 3], ARGV[i + 4]
    local pri = ARGV[i + 5]
    i = i + 6
    local k = obk(id)
    if redis.call('EXISTS', k) == 0 then
      if subst then body = replace_plain(body, '{unfinished}', subst) end
      local seq = redis.call('INCR', p .. 'obseq')
      redis.call('HSET', k, 'id', id, 'chat', chat, 'job', job, 'body', body, 'seq', seq,
        'created', now, 'state', 'pending', 'msg', 0, 'attempts', 0, 'nb', nb, 'err', '',
        'pri', pri)
      redis.call('ZADD', p .. 'obchat:' .. chat, seq, id)
      if job ~= '' then
        redis.call('SADD', p .. 'objob:' .. job, id)
        redis.call('PEXPIRE', p .. 'objob:' .. job, 2 * tonumber(retention_ms))
      end
      redis.call('INCR', p .. 'obpending')
      touched[chat] = true
    end
  end
  for chat, _ in pairs(touched) do ob_index_chat(chat) end
  return i
end

-- The owner of the chat's lease while it lasts, else nil.
local function ob_lease_owner(chat)
  local v = redis.call('GET', p .. 'oblease:' .. chat)
  if not v then return nil end
  local sep = string.find(v, ':', 1, true)
  if tonumber(string.sub(v, 1, sep - 1)) < now_n then return nil end
  return string.sub(v, sep + 1)
end

-- The chat's pending entries from the first, up to max, stopping before one not yet due or
-- of a lower priority than the first.
local function ob_batch(chat, max)
  local out = {chat}
  local first_pri = nil
  for n, id in ipairs(redis.call('ZRANGE', p .. 'obchat:' .. chat, 0, max - 1)) do
    local f = redis.call('HMGET', obk(id), 'nb', 'pri')
    local pri = tonumber(f[2] or '0')
    if n > 1 and (tonumber(f[1]) > now_n or pri < first_pri) then break end
    first_pri = first_pri or pri
    table.insert(out, redis.call('HGETALL', obk(id)))
  end
  return out
end

-- Sent or dropped: out of the chat's queue; kept a while for get() (a later edit needs the
-- message id), then pruned.
local function ob_settle(id, state)
  local k = obk(id)
  local f = redis.call('HMGET', k, 'state', 'chat')
  if f[1] ~= 'pending' then return 0 end
  redis.call('HSET', k, 'state', state)
  redis.call('ZREM', p .. 'obchat:' .. f[2], id)
  redis.call('DECR', p .. 'obpending')
  redis.call('ZADD', p .. 'obdone', redis.call('HGET', k, 'created'), id)
  redis.call('PEXPIRE', k, 2 * ob_retention)
  ob_index_chat(f[2])
  return 1
end

-- JobOutcome::withdraw: drops the entry when it is pending, never tried and not due yet.
local function ob_withdraw(id)
  if id == nil or id == '' then return end
  local f = redis.call('HMGET', obk(id), 'state', 'attempts', 'nb')
  if f[1] ~= 'pending' or tonumber(f[2]) ~= 0 or tonumber(f[3]) <= now_n then return end
  if ob_settle(id, 'dropped') == 1 then
    redis.call('HSET', obk(id), 'err', 'withdrawn: the job ended before it was due')
  end
end
)lua";

// ARGV[1..4]: p now retention window (redis_job_args()); the rest per script.

// ARGV[5..]: entries
const RedisScript& add_script() {
  static const RedisScript s = redis_job_script(R"lua(
ob_add(5, retention, nil)
prune()
return 1
)lua");
  return s;
}

// ARGV[5..]: owner lease_until max token lease_ms
const RedisScript& claim_script() {
  static const RedisScript s = redis_job_script(R"lua(
local owner, until_ms, max, rk = ARGV[5], ARGV[6], tonumber(ARGV[7]), p .. 'req:' .. ARGV[8]
-- Re-sent after a lost reply: the chat the first run took, if it is still ours.
local taken = redis.call('GET', rk)
if taken then
  if ob_lease_owner(taken) == owner then return ob_batch(taken, max) end
  return false
end
ob_promote_due()
local chosen = nil
local from = 0
while not chosen do
  local chats = redis.call('ZRANGE', p .. 'obready', from, from + 99)
  if #chats == 0 then break end
  for _, chat in ipairs(chats) do
    local held = ob_lease_owner(chat)
    if not held or held == owner then
      chosen = chat
      break
    end
  end
  from = from + 100
end
if not chosen then return false end
-- The expiry only collects leases of dead dispatchers; the Clock decides (ob_lease_owner).
redis.call('SET', p .. 'oblease:' .. chosen, until_ms .. ':' .. owner, 'PX',
  tonumber(ARGV[9]) + 600000)
redis.call('SET', rk, chosen, 'PX', 600000)
return ob_batch(chosen, max)
)lua");
  return s;
}

// ARGV[5..]: chat owner lease_until lease_ms
const RedisScript& renew_script() {
  static const RedisScript s = redis_job_script(R"lua(
local lk = p .. 'oblease:' .. ARGV[5]
local v = redis.call('GET', lk)
if not v then return 0 end
-- An expired lease nobody took since is still ours: no one else has sent to the chat.
if string.sub(v, string.find(v, ':', 1, true) + 1) ~= ARGV[6] then return 0 end
redis.call('SET', lk, ARGV[7] .. ':' .. ARGV[6], 'PX', tonumber(ARGV[8]) + 600000)
return 1
)lua");
  return s;
}

// ARGV[5..]: chat owner
const RedisScript& release_script() {
  static const RedisScript s = redis_job_script(R"lua(
local lk = p .. 'oblease:' .. ARGV[5]
local v = redis.call('GET', lk)
if v and string.sub(v, string.find(v, ':', 1, true) + 1) == ARGV[6] then
  redis.call('DEL', lk)
end
return 1
)lua");
  return s;
}

// ARGV[5..]: id message_id
const RedisScript& sent_script() {
  static const RedisScript s = redis_job_script(R"lua(
if ob_settle(ARGV[5], 'sent') == 1 then
  redis.call('HSET', obk(ARGV[5]), 'msg', ARGV[6])
end
return 1
)lua");
  return s;
}

// ARGV[5..]: id error
const RedisScript& dropped_script() {
  static const RedisScript s = redis_job_script(R"lua(
if ob_settle(ARGV[5], 'dropped') == 1 then
  redis.call('HSET', obk(ARGV[5]), 'err', ARGV[6])
end
return 1
)lua");
  return s;
}

// ARGV[5..]: id error not_before token
const RedisScript& retry_script() {
  static const RedisScript s = redis_job_script(R"lua(
local k = obk(ARGV[5])
local f = redis.call('HMGET', k, 'state', 'chat', 'retry_token')
if f[1] ~= 'pending' then return 0 end
-- Re-sent after a lost reply: counted once.
if f[3] == ARGV[8] then return 1 end
redis.call('HINCRBY', k, 'attempts', 1)
redis.call('HSET', k, 'err', ARGV[6], 'nb', ARGV[7], 'retry_token', ARGV[8])
ob_index_chat(f[2])
return 1
)lua");
  return s;
}

std::optional<OutboxEntry> parse_entry(const RedisReply& r) {
  OutboxEntry e;
  bool found = for_each_redis_field(r, [&e](const std::string& f, const std::string& v) {
    if (f == "id")
      e.id = v;
    else if (f == "chat")
      e.chat_id = redis_field_int(v);
    else if (f == "job")
      e.job_id = v;
    else if (f == "body")
      e.body = v;
    else if (f == "seq")
      e.seq = redis_field_int(v);
    else if (f == "created")
      e.created_ms = redis_field_int(v);
    else if (f == "state")
      e.state = outbox_state_from_string(v);
    else if (f == "msg")
      e.message_id = redis_field_int(v);
    else if (f == "attempts")
      e.attempts = static_cast<int>(redis_field_int(v));
    else if (f == "nb")
      e.not_before_ms = redis_field_int(v);
    else if (f == "err")
      e.last_error = v;
    else if (f == "pri")
      e.priority = static_cast<int>(redis_field_int(v));
  });
  if (!found) return std::nullopt;
  return e;
}

}  // namespace

const std::string& redis_outbox_lua() {
  static const std::string s = kOutboxLua;
  return s;
}

void append_outbox_args(std::vector<std::string>& args, const std::vector<OutboxEntry>& entries) {
  check_entries(entries);
  args.push_back(std::to_string(entries.size()));
  for (const auto& e : entries) {
    args.push_back(e.id);
    args.push_back(std::to_string(e.chat_id));
    args.push_back(e.job_id);
    args.push_back(e.body);
    args.push_back(std::to_string(e.not_before_ms));
    args.push_back(std::to_string(e.priority));
  }
}

RedisOutbox::RedisOutbox(std::shared_ptr<RedisConnection> redis, Clock& clock, QueueOptions options,
                         std::string prefix)
    : redis_(std::move(redis)), clock_(clock), options_(options), prefix_(std::move(prefix)) {}

std::vector<std::string> RedisOutbox::args() const {
  return redis_job_args(prefix_, clock_.unix_ms(), options_);
}

void RedisOutbox::add(const std::vector<OutboxEntry>& entries) {
  check_entries(entries);
  if (entries.empty()) return;
  auto a = args();
  append_outbox_args(a, entries);
  redis_->eval(add_script(), {}, a);
}

std::optional<OutboxBatch> RedisOutbox::claim(const std::string& owner,
                                              std::chrono::milliseconds lease, int max_entries) {
  auto a = args();
  int64_t now = clock_.unix_ms();
  a.insert(a.end(),
           {owner, std::to_string(now + lease.count()), std::to_string(std::max(1, max_entries)),
            redis_request_token(), std::to_string(lease.count())});
  RedisReply r = redis_->eval(claim_script(), {}, a);
  if (r.type != RedisReply::Type::kArray || r.elements.empty()) return std::nullopt;
  OutboxBatch b;
  b.chat_id = r.elements[0].as_integer();
  for (size_t i = 1; i < r.elements.size(); ++i) {
    if (auto e = parse_entry(r.elements[i])) b.entries.push_back(std::move(*e));
  }
  return b;
}

bool RedisOutbox::renew(int64_t chat_id, const std::string& owner,
                        std::chrono::milliseconds lease) {
  auto a = args();
  a.insert(a.end(),
           {std::to_string(chat_id), owner, std::to_string(clock_.unix_ms() + lease.count()),
            std::to_string(lease.count())});
  return redis_->eval(renew_script(), {}, a).as_integer() == 1;
}

void RedisOutbox::release(int64_t chat_id, const std::string& owner) {
  auto a = args();
  a.insert(a.end(), {std::to_string(chat_id), owner});
  redis_->eval(release_script(), {}, a);
}

void RedisOutbox::mark_sent(const std::string& id, int64_t message_id) {
  auto a = args();
  a.insert(a.end(), {id, std::to_string(message_id)});
  redis_->eval(sent_script(), {}, a);
}

void RedisOutbox::mark_retry(const std::string& id, const std::string& error,
                             int64_t not_before_ms) {
  auto a = args();
  a.insert(a.end(), {id, error, std::to_string(not_before_ms), redis_request_token()});
  redis_->eval(retry_script(), {}, a);
}

void RedisOutbox::mark_dropped(const std::string& id, const std::string& error) {
  auto a = args();
  a.insert(a.end(), {id, error});
  redis_->eval(dropped_script(), {}, a);
}

std::optional<OutboxEntry> RedisOutbox::get(const std::string& id) {
  return parse_entry(redis_->command({"HGETALL", prefix_ + "ob:" + id}));
}

int64_t RedisOutbox::pending() {
  return redis_->command({"GET", prefix_ + "obpending"}).as_integer();
}

bool RedisOutbox::healthy() { return redis_->ping(); }

}  // namespace tgscribe::store
