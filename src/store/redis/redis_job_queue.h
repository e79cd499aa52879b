#pragma once
// JobQueue on Redis (QUEUE_TYPE=redis): one queue shared by every tgscribe instance. The
// UpdateLog and Outbox of the same backend (redis_update_log.h, redis_outbox.h) share its key
// prefix, so admit and finish change jobs and outbox entries in one script.
//
// Design, and why not the Redis Streams the scale-out issue sketched. A stream with a consumer
// group hands out entries in arrival order; the JobQueue contract needs claim order by
// effective priority (short media first, with aging), 1-based queue positions, per-user limits
// and cancellation of queued jobs. Streams give none of these without a second index, and
// XAUTOCLAIM's idle time is per delivery, not per heartbeat. So the stores keep their indexes
// in sorted sets and change them only in Lua scripts, which Redis runs atomically:
//
//   {p}job:<id>      hash    every Job field (+ member, rscore, fin_token = the request token
//                            of the finish that ended the last claim, retry_token of the last
//                            `tgscribe jobs retry`, see redis_job_admin.h); deleted
//                            finished_retention_ms after it finishes (see {p}finished)
//   {p}ready         zset    runnable queued jobs; score = priority + created_s * aging_per_s
//                            (effective priority minus the common "now" term, so the order
//                            never changes while waiting = aging without rescoring);
//                            member = "<created_ms, 15 digits>:<id>" so ties go to the older
//   {p}delayed       zset    queued jobs in retry backoff; score = not_before_ms
//   {p}running       zset    leased jobs; score = lease_until_ms. An expired lease (dead
//                            worker) is claimable again - the role XAUTOCLAIM would play;
//                            release_orphans moves a restarted instance's jobs to ready.
//   {p}open:<user>   set     the user's unfinished jobs: the global per-user limit is SCARD,
//                            checked and changed in the same script as the admission
//   {p}all:<user>    set     every job of the user (user_jobs, forget_user)
//   {p}finished      zset    finished jobs; score = finished_ms. The writes (admit, finish,
//                            Outbox::add) prune it by the Clock, at most once a minute
//                            ({p}pruned = when they last did); PEXPIREs at twice the
//                            retention on the hashes are a backstop by Redis's own clock
//   {p}pruned        string  unix ms of the last prune
//   {p}counts        hash    delivered/failed/cancelled/retries of the stored jobs (pruning and
//                            forget_user subtract what they delete)
//   {p}durations     list    "wait,run" ms of the most recently finished jobs (percentiles)
//   {p}claim:<token> string  idempotence of claim: a claim re-sent after a lost reply
//                            returns the job it already took instead of taking a second one
//   {p}req:<token>   string  the answer of another non-repeatable script (release_orphans,
//                            Outbox::claim), returned again when the script is re-sent
//
// Update log (redis_update_log.h):
//   {p}upd:<id>      string  "<admitted_ms>:<token>:<accepted>:<unfinished>"; PX
//                            update_retention_ms, and ignored by the Clock after that. A
//                            re-sent admit (same token) gets the first answer; another admit
//                            of the id is a duplicate. Update id 0 keeps no record.
//
// Outbox (redis_outbox.h):
//   {p}ob:<id>       hash    every OutboxEntry field (+ retry_token of the last mark_retry);
//                            deleted kOutboxRetentionMs after its creation once it is sent or
//                            dropped (see {p}obdone)
//   {p}obchat:<chat> zset    the chat's pending entry ids; score = seq
//   {p}objob:<job>   set     entry ids of a job (forget_user deletes the sent ones)
//   {p}obseq         string  INCR counter giving seq
//   {p}obready       zset    chats whose first pending entry is due; score = its seq, so
//                            claim takes the chat waiting longest
//   {p}obdelayed     zset    chats whose first pending entry waits for a retry; score = its
//                            not_before_ms (moved to obready when due)
//   {p}oblease:<chat> string "<lease_until_ms>:<owner>" (PEXPIRE only collects garbage; the
//                            Clock decides whether a lease is over)
//   {p}obpending     string  number of pending entries
//   {p}obdone        zset    sent and dropped entries; score = created_ms (pruned as
//                            {p}finished is)
//
// Time comes from the injected Clock (scripts get "now" as an argument), so leases, backoff
// and aging agree with the other implementations and are testable; instances must keep their
// clocks in sync (NTP). Durability is Redis's: run it with appendonly yes (appendfsync always
// for zero loss on a power cut). Keys are built inside scripts, so Redis Cluster is not
// supported (a single server or Sentinel is).
#include <memory>
#include <string>
#include <vector>

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

  std::optional<Job> claim(const std::string& worker_id, std::chrono::milliseconds lease) override;
  bool heartbeat(const std::string& job_id, int fence, std::chrono::milliseconds lease) override;
  bool finish(const std::string& job_id, int fence, const JobOutcome& outcome,
              const std::vector<OutboxEntry>& messages) override;
  int release_orphans(const std::string& worker_prefix) override;
  bool cancel(const std::string& job_id, int64_t user_id) override;
  std::optional<Job> get(const std::string& job_id) override;
  std::vector<Job> user_jobs(int64_t user_id, bool unfinished_only) override;
  int position(const std::string& job_id) override;
  QueueStats stats() override;
  void forget_user(int64_t user_id) override;
  bool healthy() override;

 private:
  // ARGV[1..4] of every script: prefix, now, finished_retention_ms, stats_window.
  std::vector<std::string> args(int64_t now) const;

  std::shared_ptr<RedisConnection> redis_;
  Clock& clock_;
  const QueueOptions options_;
  const std::string prefix_;
};

// For the other job stores' scripts: Lua reading ARGV[1..4] (prefix, now,
// finished_retention_ms, stats_window) into p, now, now_n, retention, window, and defining the
// job helpers (jk, store_job, finish_job ...) and the outbox's (redis_outbox_lua()).
const std::string& redis_job_lua();
// The ready-set score and member of a job (see the key layout).
std::string redis_job_rscore(int64_t priority, int64_t created_ms, double aging_per_s);
std::string redis_job_member(int64_t created_ms, const std::string& id);
std::optional<Job> parse_redis_job(const RedisReply& hgetall);
// The jobs of an array of HGETALL replies (what the listing scripts return), in its order.
std::vector<Job> parse_redis_jobs(const RedisReply& hgetalls);

}  // namespace tgscribe::store
