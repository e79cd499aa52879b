#include "store/redis/redis_update_log.h"

#include <algorithm>

#include "store/job_store_rules.h"
#include "store/redis/redis_job_queue.h"
#include "store/redis/redis_job_script.h"
#include "store/redis/redis_outbox.h"

namespace tgscribe::store {
namespace {

// ARGV[5..]: update_id(0: none) token update_retention_ms has_job(0|1) limit, then the job's
// 13 fields (store_job) when has_job, then the messages, then the refusal (ob_add).
const RedisScript& admit_script() {
  static const RedisScript s = redis_job_script(R"lua(
local uk = ARGV[5] ~= '0' and (p .. 'upd:' .. ARGV[5]) or nil
local token, upd_retention, has_job, limit = ARGV[6], ARGV[7], ARGV[8] == '1', tonumber(ARGV[9])
local i = 10
local id, user
if has_job then id, user = ARGV[i], ARGV[i + 2] end
local function unfinished()
  if not user then return 0 end
  return redis.call('SCARD', p .. 'open:' .. user)
end

local v = uk and redis.call('GET', uk)
if v then
  -- "<admitted_ms>:<token>:<accepted>:<unfinished>"
  local a = string.find(v, ':', 1, true)
  local b = string.find(v, ':', a + 1, true)
  local c = string.find(v, ':', b + 1, true)
  -- Re-sent after a lost reply: the answer of the run that wrote it.
  if string.sub(v, a + 1, b - 1) == token then
    return {0, tonumber(string.sub(v, b + 1, c - 1)), tonumber(string.sub(v, c + 1))}
  end
  -- The Clock, not Redis's expiry, decides when the record is pruned (they agree in
  -- production).
  if tonumber(string.sub(v, 1, a - 1)) + tonumber(upd_retention) >= now_n then
    return {1, 0, unfinished()}
  end
end
-- The same job id again (an update admitted before its record was pruned, or a caller without
-- an update id) is a repeat as well: the work exists.
if has_job and redis.call('EXISTS', jk(id)) == 1 then return {1, 0, unfinished()} end

local accepted, n, refused = 0, 0, false
if has_job then
  n = unfinished()
  if is_final(ARGV[i + 5]) then
    store_job(i)  -- a cache hit takes no slot: the limit does not apply
    accepted = 1
  elseif limit > 0 and n >= limit then
    refused = true
  else
    store_job(i)
    accepted, n = 1, n + 1
  end
  i = i + 13
end
if refused then
  ob_add(i + 1 + 6 * tonumber(ARGV[i]), retention, tostring(n))
else
  ob_add(i, retention, nil)
end
if uk then
  redis.call('SET', uk, now .. ':' .. token .. ':' .. accepted .. ':' .. n, 'PX', upd_retention)
end
prune()
return {0, accepted, n}
)lua");
  return s;
}

}  // namespace

RedisUpdateLog::RedisUpdateLog(std::shared_ptr<RedisConnection> redis, Clock& clock,
                               QueueOptions options, std::string prefix)
    : redis_(std::move(redis)), clock_(clock), options_(options), prefix_(std::move(prefix)) {}

AdmitResult RedisUpdateLog::admit(const Admission& admission) {
  int64_t now = clock_.unix_ms();
  std::vector<std::string> a = redis_job_args(prefix_, now, options_);
  a.insert(a.end(), {std::to_string(admission.update_id), redis_request_token(),
                     std::to_string(std::max<int64_t>(1, options_.update_retention_ms)),
                     admission.job ? "1" : "0", std::to_string(admission.per_user_limit)});
  if (admission.job) {
    Job job = admitted_job(admission, now);  // throws before anything is written
    a.insert(a.end(),
             {job.id, std::to_string(job.update_id), std::to_string(job.user_id),
              std::to_string(job.chat_id), std::to_string(job.priority), to_string(job.state),
              std::to_string(job.created_ms), std::to_string(job.not_before_ms), job.payload,
              job.last_error, redis_job_rscore(job.priority, job.created_ms, options_.aging_per_s),
              redis_job_member(job.created_ms, job.id), std::to_string(job.finished_ms)});
  }
  append_outbox_args(a, admission.messages);
  append_outbox_args(a, admission.refusal);
  RedisReply r = redis_->eval(admit_script(), {}, a);
  AdmitResult out;
  out.duplicate = r.elements.at(0).as_integer() == 1;
  out.accepted = r.elements.at(1).as_integer() == 1;
  out.unfinished = static_cast<int>(r.elements.at(2).as_integer());
  return out;
}

bool RedisUpdateLog::seen(int64_t update_id) {
  if (update_id == 0) return false;  // admit keeps no record of it
  RedisReply v = redis_->command({"GET", prefix_ + "upd:" + std::to_string(update_id)});
  if (v.is_nil()) return false;
  // As in the admit script: the Clock decides whether the record is still kept.
  int64_t admitted = 0;
  try {
    admitted = std::stoll(v.str.substr(0, v.str.find(':')));
  } catch (...) {
    return true;
  }
  return admitted + std::max<int64_t>(1, options_.update_retention_ms) >= clock_.unix_ms();
}

bool RedisUpdateLog::healthy() { return redis_->ping(); }

}  // namespace tgscribe::store
