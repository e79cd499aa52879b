#pragma once
// JobQueue on Redis (QUEUE_TYPE=redis): one queue shared by every tgscribe instance.
//
// Design, and why not the Redis Streams the scale-out issue sketched. A stream with a consumer
// group hands out entries in arrival order; the JobQueue contract needs claim order by
// effective priority (short media first, with aging), 1-based queue positions, per-user limits
// and cancellation of queued jobs. Streams give none of these without a second index, and
// XAUTOCLAIM's idle time is per delivery, not per heartbeat. So the queue keeps its indexes in
// sorted sets and changes them only in Lua scripts, which Redis runs atomically:
//
//   {p}job:<id>      hash    every Job field (+ member, rscore); expires after it finishes
//   {p}ready         zset    runnable queued jobs; score = priority + created_s * aging_per_s
//                            (effective priority minus the common "now" term, so the order
//                            never changes while waiting = aging without rescoring);
//                            member = "<created_ms, 15 digits>:<id>" so ties go to the older
//   {p}delayed       zset    queued jobs in retry backoff; score = not_before_ms
//   {p}running       zset    leased jobs; score = lease_until_ms. An expired lease (dead
//                            worker) is claimable again - the role XAUTOCLAIM would play.
//   {p}open:<user>   set     the user's unfinished jobs: the global per-user limit is SCARD,
//                            checked and changed in the same script as the enqueue
//   {p}all:<user>    set     every job of the user (user_jobs, forget_user)
//   {p}steps:<id>    hash    delivery steps done (HSETNX semantics) - delivery idempotence
//   {p}upd:<id>      string  update de-duplication (SET with expiry)
//   {p}counts        hash    delivered/failed/cancelled/retries counters
//   {p}durations     list    "wait,run" ms of the most recently finished jobs (percentiles)
//   {p}claim:<token> string  idempotence of claim: a claim re-sent after a lost reply
//                            returns the job it already took instead of taking a second one
//
// Time comes from the injected Clock (scripts get "now" as an argument), so leases, backoff
// and aging agree with the other implementations and are testable; instances must keep their
// clocks in sync (NTP). Durability is Redis's: run it with appendonly yes (appendfsync always
// for zero loss on a power cut). Keys are built inside scripts, so Redis Cluster is not
// supported (a single server or Sentinel is).
#include <memory>
#include <string>

#include "common/clock.h"
#include "store/job_queue.h"
#include "store/queue_policy.h"
#include "store/redis/redis_connection.h"

namespace tgscribe::store {

class RedisJobQueue : public JobQueue {
 public:
  // `prefix` namespaces every key ("tgscribe:" in production, unique per test).
  RedisJobQueue(std::shared_ptr<RedisConnection> redis, Clock& clock = SystemClock::instance(),
                QueueOptions options = {}, std::string prefix = "tgscribe:");

  EnqueueResult enqueue(const Job& job, int per_user_limit) override;
  std::optional<Job> claim(const std::string& worker_id, std::chrono::milliseconds lease) override;
  bool heartbeat(const std::string& job_id, const std::string& worker_id,
                 std::chrono::milliseconds lease) override;
  void mark_delivered(const std::string& job_id) override;
  void mark_failed(const std::string& job_id, const std::string& error, bool retry,
                   int64_t not_before_ms) override;
  bool cancel(const std::string& job_id, int64_t user_id) override;
  void mark_cancelled(const std::string& job_id) override;
  std::optional<Job> get(const std::string& job_id) override;
  void update_payload(const std::string& job_id, const std::string& payload) override;
  std::vector<Job> user_jobs(int64_t user_id, bool unfinished_only) override;
  int position(const std::string& job_id) override;
  QueueStats stats() override;
  bool mark_step(const std::string& job_id, const std::string& step) override;
  bool step_done(const std::string& job_id, const std::string& step) override;
  bool first_time_update(int64_t update_id) override;
  void forget_user(int64_t user_id) override;
  bool healthy() override;

 private:
  std::string now_str() const;

  std::shared_ptr<RedisConnection> redis_;
  Clock& clock_;
  const QueueOptions options_;
  const std::string prefix_;
};

}  // namespace tgscribe::store
