// Typed suite: every JobQueue implementation must pass it. To add one, write a JobStores
// factory in testing/store_factories.h and add it to JobStoresImpls. Jobs enter through
// UpdateLog::admit, as in production; admission itself is tested in update_log_test.cc.
#include "store/job_queue.h"

#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <set>
#include <stdexcept>
#include <thread>

#include "store/testing/store_factories.h"

namespace tgscribe::store {
namespace {

using namespace std::chrono_literals;
using testing::numbered;
using testing::StoreTestEnv;

Job make_job(const std::string& id, int64_t user, int64_t priority = 0) {
  Job j;
  j.id = id;
  j.user_id = user;
  j.chat_id = user * 10;
  j.priority = priority;
  j.payload = R"({"file_id":")" + id + R"("})";
  return j;
}

OutboxEntry message(const std::string& id, int64_t chat, const std::string& job_id) {
  OutboxEntry e;
  e.id = id;
  e.chat_id = chat;
  e.job_id = job_id;
  e.body = R"({"text":")" + id + R"("})";
  return e;
}

JobOutcome outcome(JobState state, const std::string& error = "", int64_t not_before_ms = 0) {
  JobOutcome o;
  o.state = state;
  o.error = error;
  o.not_before_ms = not_before_ms;
  return o;
}

template <typename Factory>
class JobQueueTest : public ::testing::Test {
 protected:
  void SetUp() override {
    reopen({});
    if (!q_) GTEST_SKIP() << skip_reason_;
  }
  // A new set of stores on the same backend (for persistent ones, the same data).
  void reopen(const QueueOptions& options) {
    stores_ = Factory::make(env_, options, &skip_reason_);
    q_ = stores_.queue.get();
  }
  void admit(const std::string& id, int64_t user = 1, int64_t priority = 0) {
    Admission a;
    a.update_id = ++last_update_id_;
    a.job = make_job(id, user, priority);
    ASSERT_TRUE(stores_.updates->admit(a).accepted) << id;
  }
  std::optional<Job> claim(const std::string& worker = "w1",
                           std::chrono::milliseconds lease = 30s) {
    return q_->claim(worker, lease);
  }
  std::string claim_id(const std::string& worker = "w1", std::chrono::milliseconds lease = 30s) {
    auto j = claim(worker, lease);
    return j ? j->id : "";
  }
  // Claims the next job, which must be `id`, and finishes it.
  void claim_and_finish(const std::string& id, JobState state = JobState::kDelivered) {
    auto j = claim();
    ASSERT_TRUE(j);
    ASSERT_EQ(j->id, id);
    ASSERT_TRUE(q_->finish(id, j->attempts, outcome(state), {}));
  }
  // A job with a status reply due 2 s after admission (STATUS_DELAY_MS), claimed.
  Job admit_with_delayed_status(const std::string& id) {
    Admission a;
    a.update_id = ++last_update_id_;
    a.job = make_job(id, 1);
    OutboxEntry status = message(id + ":status", 10, id);
    status.priority = kOutboxFirstReply;
    status.not_before_ms = now() + 2000;
    a.messages = {status};
    EXPECT_TRUE(stores_.updates->admit(a).accepted);
    auto j = claim();
    EXPECT_TRUE(j && j->id == id);
    return j.value_or(Job{});
  }
  void advance(std::chrono::milliseconds d) { env_.clock.advance(d); }
  int64_t now() const { return env_.clock.unix_ms(); }

  StoreTestEnv env_;
  std::string skip_reason_;
  JobStores stores_;
  JobQueue* q_ = nullptr;
  int64_t last_update_id_ = 1000;
};

using JobStoresImpls =
    ::testing::Types<testing::MemoryJobStoresFactory, testing::SqliteJobStoresFactory,
                     testing::RedisJobStoresFactory>;
TYPED_TEST_SUITE(JobQueueTest, JobStoresImpls, testing::FactoryName);

TYPED_TEST(JobQueueTest, AdmittedJobIsQueued) {
  Admission a;
  a.update_id = 77;
  a.job = make_job("j1", 5, 42);
  a.job->attempts = 9;  // ignored: a new job was never claimed
  a.job->worker_id = "someone";
  ASSERT_TRUE(this->stores_.updates->admit(a).accepted);
  auto got = this->q_->get("j1");
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->state, JobState::kQueued);
  EXPECT_EQ(got->update_id, 77);
  EXPECT_EQ(got->attempts, 0);
  EXPECT_EQ(got->worker_id, "");
  EXPECT_EQ(got->user_id, 5);
  EXPECT_EQ(got->chat_id, 50);
  EXPECT_EQ(got->priority, 42);
  EXPECT_EQ(got->created_ms, this->now());
  EXPECT_EQ(got->payload, a.job->payload);
  EXPECT_FALSE(this->q_->get("nope").has_value());
}

TYPED_TEST(JobQueueTest, ClaimsLowestPriorityFirst) {
  this->admit("p30", 1, 30);
  this->admit("p10", 2, 10);
  this->admit("p20", 3, 20);
  EXPECT_EQ(this->claim_id(), "p10");
  EXPECT_EQ(this->claim_id(), "p20");
  EXPECT_EQ(this->claim_id(), "p30");
  EXPECT_EQ(this->claim_id(), "");
}

TYPED_TEST(JobQueueTest, EqualPriorityIsFirstComeFirstServed) {
  this->admit("zz");
  this->advance(1ms);
  this->admit("aa");
  EXPECT_EQ(this->claim_id(), "zz");
  EXPECT_EQ(this->claim_id(), "aa");
}

TYPED_TEST(JobQueueTest, ClaimMarksRunning) {
  this->admit("j1");
  this->advance(500ms);
  auto j = this->claim("worker-7", 30s);
  ASSERT_TRUE(j);
  EXPECT_EQ(j->state, JobState::kRunning);
  EXPECT_EQ(j->attempts, 1);
  EXPECT_EQ(j->worker_id, "worker-7");
  EXPECT_EQ(j->started_ms, this->now());
  EXPECT_EQ(j->lease_until_ms, this->now() + 30'000);
  EXPECT_EQ(this->q_->get("j1")->state, JobState::kRunning);
}

TYPED_TEST(JobQueueTest, AgingLetsALongJobOvertake) {
  // aging_per_s = 1: a job 1000 points behind overtakes after 1000 s of waiting.
  this->reopen({.aging_per_s = 1.0});
  this->admit("long", 1, 1000);
  this->advance(10s);
  this->admit("short1", 2, 0);
  this->claim_and_finish("short1");  // long: 990 > 0

  this->advance(992s);  // long has waited 1002 s: effective -2, a fresh short job is 0
  this->admit("short2", 3, 0);
  EXPECT_EQ(this->q_->position("long"), 1);
  EXPECT_EQ(this->q_->position("short2"), 2);
  EXPECT_EQ(this->claim_id(), "long");
  EXPECT_EQ(this->claim_id(), "short2");
}

TYPED_TEST(JobQueueTest, NoAgingKeepsStrictPriority) {
  this->reopen({.aging_per_s = 0});
  this->admit("long", 1, 1000);
  this->advance(100000s);
  this->admit("short", 2, 0);
  EXPECT_EQ(this->claim_id(), "short");
}

TYPED_TEST(JobQueueTest, ExpiredLeaseIsClaimedAgainWithANewFence) {
  auto& q = *this->q_;
  this->admit("j1");
  auto first = this->claim("dead-worker", 30s);
  ASSERT_TRUE(first);
  EXPECT_EQ(this->claim_id("w2"), "");  // leased
  this->advance(29s);
  EXPECT_EQ(this->claim_id("w2"), "");
  this->advance(2s);
  auto again = this->claim("w2", 30s);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->id, "j1");
  EXPECT_EQ(again->attempts, 2);  // the crashed claim counts
  EXPECT_EQ(again->worker_id, "w2");
  EXPECT_FALSE(q.heartbeat("j1", first->attempts, 30s));  // the old worker lost it
  EXPECT_TRUE(q.heartbeat("j1", again->attempts, 30s));
  EXPECT_EQ(q.stats().retries, 1);
}

TYPED_TEST(JobQueueTest, HeartbeatExtendsTheLease) {
  auto& q = *this->q_;
  this->admit("j1");
  auto j = this->claim("w1", 30s);
  ASSERT_TRUE(j);
  this->advance(20s);
  EXPECT_TRUE(q.heartbeat("j1", j->attempts, 30s));
  this->advance(20s);  // 40 s after the claim, 20 s after the heartbeat
  EXPECT_EQ(this->claim_id("w2"), "");
  EXPECT_EQ(q.get("j1")->lease_until_ms, this->now() + 10'000);
  EXPECT_FALSE(q.heartbeat("missing", 1, 30s));
}

TYPED_TEST(JobQueueTest, FinishDeliversAndWritesTheMessages) {
  auto& q = *this->q_;
  auto& outbox = *this->stores_.outbox;
  this->admit("j1");
  auto j = this->claim();
  ASSERT_TRUE(j);
  this->advance(2s);
  EXPECT_TRUE(q.finish("j1", j->attempts, outcome(JobState::kDelivered),
                       {message("j1:text:0", 10, "j1"), message("j1:text:1", 10, "j1")}));
  auto done = q.get("j1");
  EXPECT_EQ(done->state, JobState::kDelivered);
  EXPECT_EQ(done->finished_ms, this->now());
  EXPECT_EQ(outbox.pending(), 2);
  auto e0 = outbox.get("j1:text:0");
  auto e1 = outbox.get("j1:text:1");
  ASSERT_TRUE(e0 && e1);
  EXPECT_EQ(e0->state, OutboxState::kPending);
  EXPECT_EQ(e0->chat_id, 10);
  EXPECT_EQ(e0->job_id, "j1");
  EXPECT_LT(e0->seq, e1->seq);
  // The claim is over: the same fence cannot finish it again.
  EXPECT_FALSE(q.finish("j1", j->attempts, outcome(JobState::kFailed), {}));
  EXPECT_EQ(q.get("j1")->state, JobState::kDelivered);
  EXPECT_FALSE(q.heartbeat("j1", j->attempts, 30s));
  this->advance(1h);
  EXPECT_EQ(this->claim_id(), "");
}

JobOutcome withdrawing(JobState state, const std::string& entry) {
  JobOutcome o = outcome(state);
  o.withdraw = entry;
  return o;
}

TYPED_TEST(JobQueueTest, FinishWithdrawsAStatusReplyNotDueYet) {
  auto& outbox = *this->stores_.outbox;
  Job j = this->admit_with_delayed_status("j1");
  this->advance(1500ms);
  ASSERT_TRUE(this->q_->finish("j1", j.attempts, withdrawing(JobState::kDelivered, "j1:status"),
                               {message("j1:text:0", 10, "j1")}));
  EXPECT_EQ(outbox.get("j1:status")->state, OutboxState::kDropped);
  EXPECT_EQ(outbox.pending(), 1);
  auto batch = outbox.claim("d1", 30s, 10);  // the transcript is due at once, alone
  ASSERT_TRUE(batch);
  ASSERT_EQ(batch->entries.size(), 1u);
  EXPECT_EQ(batch->entries[0].id, "j1:text:0");
}

TYPED_TEST(JobQueueTest, FinishKeepsAStatusReplyAlreadyDue) {
  auto& outbox = *this->stores_.outbox;
  Job j = this->admit_with_delayed_status("j1");
  this->advance(2001ms);  // a dispatcher may be sending it: it stays
  ASSERT_TRUE(this->q_->finish("j1", j.attempts, withdrawing(JobState::kFailed, "j1:status"),
                               {message("j1:error", 10, "j1")}));
  EXPECT_EQ(outbox.get("j1:status")->state, OutboxState::kPending);
  EXPECT_EQ(outbox.pending(), 2);
}

TYPED_TEST(JobQueueTest, FinishKeepsAStatusReplyAlreadyTried) {
  auto& outbox = *this->stores_.outbox;
  Job j = this->admit_with_delayed_status("j1");
  // Tried and failed (Telegram may have shown it): put off, but never withdrawn.
  outbox.mark_retry("j1:status", "timeout", this->now() + 60'000);
  ASSERT_TRUE(
      this->q_->finish("j1", j.attempts, withdrawing(JobState::kDelivered, "j1:status"), {}));
  EXPECT_EQ(outbox.get("j1:status")->state, OutboxState::kPending);
}

TYPED_TEST(JobQueueTest, StaleFenceWithdrawsNothing) {
  auto& outbox = *this->stores_.outbox;
  Job j = this->admit_with_delayed_status("j1");
  EXPECT_FALSE(
      this->q_->finish("j1", j.attempts + 1, withdrawing(JobState::kDelivered, "j1:status"), {}));
  EXPECT_EQ(outbox.get("j1:status")->state, OutboxState::kPending);
}

TYPED_TEST(JobQueueTest, StaleFenceWritesNothing) {
  auto& q = *this->q_;
  auto& outbox = *this->stores_.outbox;
  this->admit("j1");
  auto lost = this->claim("slow", 30s);
  ASSERT_TRUE(lost);
  this->advance(31s);
  auto current = this->claim("w2", 30s);
  ASSERT_TRUE(current);
  ASSERT_NE(lost->attempts, current->attempts);

  EXPECT_FALSE(q.heartbeat("j1", lost->attempts, 30s));
  EXPECT_FALSE(q.finish("j1", lost->attempts, outcome(JobState::kDelivered),
                        {message("j1:text:0", 10, "j1")}));
  EXPECT_FALSE(q.finish("j1", lost->attempts, outcome(JobState::kQueued, "x", 0), {}));
  EXPECT_EQ(outbox.pending(), 0);
  EXPECT_FALSE(outbox.get("j1:text:0").has_value());
  auto j = q.get("j1");
  EXPECT_EQ(j->state, JobState::kRunning);
  EXPECT_EQ(j->worker_id, "w2");
  EXPECT_EQ(j->lease_until_ms, current->lease_until_ms);

  EXPECT_TRUE(q.finish("j1", current->attempts, outcome(JobState::kDelivered),
                       {message("j1:text:0", 10, "j1")}));
  EXPECT_EQ(outbox.pending(), 1);
}

TYPED_TEST(JobQueueTest, FinishQueuedRetriesAfterNotBefore) {
  auto& q = *this->q_;
  this->admit("j1");
  auto j = this->claim();
  ASSERT_TRUE(j);
  ASSERT_TRUE(q.finish("j1", j->attempts,
                       outcome(JobState::kQueued, "HTTP 503", this->now() + 5000),
                       {message("j1:retry-notice", 10, "j1")}));
  auto back = q.get("j1");
  EXPECT_EQ(back->state, JobState::kQueued);
  EXPECT_EQ(back->last_error, "HTTP 503");
  EXPECT_EQ(back->not_before_ms, this->now() + 5000);
  EXPECT_TRUE(this->stores_.outbox->get("j1:retry-notice").has_value());
  EXPECT_EQ(this->claim_id(), "");
  this->advance(4999ms);
  EXPECT_EQ(this->claim_id(), "");
  this->advance(1ms);
  auto again = this->claim();
  ASSERT_TRUE(again);
  EXPECT_EQ(again->attempts, 2);
  EXPECT_EQ(q.stats().retries, 1);
}

JobOutcome deferral(int64_t not_before_ms) {
  JobOutcome o = outcome(JobState::kQueued, "groq: rate budget spent", not_before_ms);
  o.deferred = true;
  return o;
}

// A pacing deferral is not a try: the claim is given back to the retry budget
// (attempts - budget_base stays put) while the fence goes on.
TYPED_TEST(JobQueueTest, DeferralGivesTheClaimBackToTheRetryBudget) {
  auto& q = *this->q_;
  this->admit("j1");
  for (int claim = 1; claim <= 3; ++claim) {
    auto j = this->claim();
    ASSERT_TRUE(j) << "claim " << claim;
    EXPECT_EQ(j->attempts, claim);  // the fence never goes back
    EXPECT_EQ(j->attempts - j->budget_base, 1) << "every claim is the first try";
    ASSERT_TRUE(q.finish("j1", j->attempts, deferral(this->now() + 5000), {}));
    auto back = q.get("j1");
    EXPECT_EQ(back->state, JobState::kQueued);
    EXPECT_EQ(back->budget_base, claim);
    EXPECT_EQ(back->not_before_ms, this->now() + 5000);
    EXPECT_EQ(back->last_error, "groq: rate budget spent");
    EXPECT_EQ(this->claim_id(), "");  // deferred like a retry
    this->advance(5s);
  }
  // An ordinary retry still counts.
  auto j = this->claim();
  ASSERT_TRUE(j);
  ASSERT_TRUE(q.finish("j1", j->attempts, outcome(JobState::kQueued, "HTTP 503", this->now()), {}));
  auto again = this->claim();
  ASSERT_TRUE(again);
  EXPECT_EQ(again->attempts, 5);
  EXPECT_EQ(again->budget_base, 3);
  EXPECT_EQ(again->attempts - again->budget_base, 2);
}

// Only an orderly finish under the current fence gives a claim back: a claim that died with
// its worker (a poison job) counts, and its stale finish can refund nothing.
TYPED_TEST(JobQueueTest, CrashedClaimsStillCountAfterADeferral) {
  auto& q = *this->q_;
  this->admit("j1");
  auto first = this->claim();
  ASSERT_TRUE(first);
  ASSERT_TRUE(q.finish("j1", first->attempts, deferral(this->now()), {}));
  auto dead = this->claim("dead-worker", 30s);
  ASSERT_TRUE(dead);
  this->advance(31s);  // its worker died: the lease passes
  auto next = this->claim("w2", 30s);
  ASSERT_TRUE(next);
  EXPECT_EQ(next->attempts, 3);
  EXPECT_EQ(next->budget_base, 1);
  EXPECT_EQ(next->attempts - next->budget_base, 2) << "the crashed claim counts";
  EXPECT_FALSE(q.finish("j1", dead->attempts, deferral(this->now()), {}));
  auto j = q.get("j1");
  EXPECT_EQ(j->state, JobState::kRunning);
  EXPECT_EQ(j->budget_base, 1) << "a stale fence gave a claim back";
  EXPECT_EQ(j->worker_id, "w2");
}

TYPED_TEST(JobQueueTest, OnlyAQueuedOutcomeCanBeADeferral) {
  auto& q = *this->q_;
  this->admit("j1");
  auto j = this->claim();
  ASSERT_TRUE(j);
  for (JobState state : {JobState::kDelivered, JobState::kFailed, JobState::kCancelled}) {
    JobOutcome o = outcome(state);
    o.deferred = true;
    EXPECT_THROW(q.finish("j1", j->attempts, o, {}), std::invalid_argument) << to_string(state);
  }
  auto still = q.get("j1");
  EXPECT_EQ(still->state, JobState::kRunning);
  EXPECT_EQ(still->budget_base, 0);
}

TYPED_TEST(JobQueueTest, FinishFailedAndCancelled) {
  auto& q = *this->q_;
  this->admit("failed");
  this->advance(1ms);
  this->admit("cancelled");
  auto f = this->claim();
  auto c = this->claim();
  ASSERT_TRUE(f && c);
  ASSERT_EQ(f->id, "failed");
  EXPECT_TRUE(q.finish("failed", f->attempts, outcome(JobState::kFailed, "engine exploded"), {}));
  EXPECT_TRUE(q.finish("cancelled", c->attempts, outcome(JobState::kCancelled), {}));
  this->advance(1h);
  EXPECT_EQ(this->claim_id(), "");
  auto fj = q.get("failed");
  EXPECT_EQ(fj->state, JobState::kFailed);
  EXPECT_EQ(fj->last_error, "engine exploded");
  EXPECT_EQ(fj->finished_ms, this->now() - 3'600'000);
  EXPECT_EQ(q.get("cancelled")->state, JobState::kCancelled);
  QueueStats s = q.stats();
  EXPECT_EQ(s.failed, 1);
  EXPECT_EQ(s.cancelled, 1);
  EXPECT_TRUE(q.user_jobs(1, true).empty());
}

TYPED_TEST(JobQueueTest, ReleaseOrphansFreesOnlyThatPrefix) {
  auto& q = *this->q_;
  this->admit("a1");
  this->advance(1ms);
  this->admit("b1");
  this->advance(1ms);
  this->admit("a2");
  auto a1 = this->claim("inst-a-w1", 10min);
  auto b1 = this->claim("inst-b-w1", 10min);
  auto a2 = this->claim("inst-a-w2", 10min);
  ASSERT_TRUE(a1 && b1 && a2);
  EXPECT_EQ(this->claim_id("x"), "");

  EXPECT_EQ(q.release_orphans("inst-a-"), 2);
  std::set<std::string> again;
  while (auto j = this->claim("inst-a-w1", 10min)) {
    EXPECT_EQ(j->attempts, 2) << j->id;
    again.insert(j->id);
  }
  EXPECT_EQ(again, (std::set<std::string>{"a1", "a2"}));
  EXPECT_FALSE(q.heartbeat("a1", a1->attempts, 30s));  // the dead claims' fences are void
  EXPECT_TRUE(q.heartbeat("b1", b1->attempts, 30s));   // another instance's claim is kept
  EXPECT_EQ(q.get("b1")->worker_id, "inst-b-w1");
  EXPECT_EQ(q.release_orphans("nobody-"), 0);
}

TYPED_TEST(JobQueueTest, CancelQueuedJob) {
  auto& q = *this->q_;
  this->admit("j1", 1);
  EXPECT_FALSE(q.cancel("j1", 2));  // not this user's
  EXPECT_TRUE(q.cancel("j1", 1));
  EXPECT_EQ(q.get("j1")->state, JobState::kCancelled);
  EXPECT_EQ(this->claim_id(), "");
  EXPECT_FALSE(q.cancel("j1", 1));  // already finished
  EXPECT_FALSE(q.cancel("missing", 1));
  EXPECT_EQ(q.stats().cancelled, 1);
  EXPECT_TRUE(q.user_jobs(1, true).empty());
}

TYPED_TEST(JobQueueTest, CancelRunningJobRequestsStop) {
  auto& q = *this->q_;
  this->admit("j1", 1);
  auto claimed = this->claim();
  ASSERT_TRUE(claimed);
  EXPECT_TRUE(q.cancel("j1", 1));
  auto j = q.get("j1");
  EXPECT_EQ(j->state, JobState::kRunning);  // the worker stops at its next safe point
  EXPECT_TRUE(j->cancel_requested);
  EXPECT_TRUE(q.heartbeat("j1", claimed->attempts, 30s));  // still its claim
  EXPECT_TRUE(q.finish("j1", claimed->attempts, outcome(JobState::kCancelled),
                       {message("j1:cancelled", 10, "j1")}));
  EXPECT_EQ(q.get("j1")->state, JobState::kCancelled);
  EXPECT_FALSE(q.cancel("j1", 1));
}

TYPED_TEST(JobQueueTest, CancelledJobOfADeadWorkerIsNotResumed) {
  auto& q = *this->q_;
  this->admit("j1", 1);
  ASSERT_EQ(this->claim_id("dead", 30s), "j1");
  ASSERT_TRUE(q.cancel("j1", 1));
  this->advance(31s);
  EXPECT_EQ(this->claim_id("w2"), "");
  EXPECT_EQ(q.get("j1")->state, JobState::kCancelled);
}

TYPED_TEST(JobQueueTest, PositionsFollowClaimOrder) {
  auto& q = *this->q_;
  this->admit("p5", 1, 5);
  this->admit("p1", 2, 1);
  this->admit("p3", 3, 3);
  EXPECT_EQ(q.position("p1"), 1);
  EXPECT_EQ(q.position("p3"), 2);
  EXPECT_EQ(q.position("p5"), 3);
  ASSERT_EQ(this->claim_id(), "p1");
  EXPECT_EQ(q.position("p1"), 0);  // running
  EXPECT_EQ(q.position("p3"), 1);
  EXPECT_EQ(q.position("p5"), 2);
  EXPECT_EQ(q.position("missing"), 0);
}

TYPED_TEST(JobQueueTest, StatsCountStatesAndPercentiles) {
  auto& q = *this->q_;
  this->admit("a");
  this->admit("b");
  this->admit("c");
  this->advance(1s);
  auto a = this->claim();  // waited 1000 ms
  ASSERT_EQ(a->id, "a");
  this->advance(2s);
  ASSERT_TRUE(q.finish("a", a->attempts, outcome(JobState::kDelivered), {}));  // ran 2000 ms
  auto b = this->claim();                                                      // waited 3000 ms
  ASSERT_EQ(b->id, "b");
  this->advance(4s);
  ASSERT_TRUE(q.finish("b", b->attempts, outcome(JobState::kFailed, "boom"), {}));  // ran 4000
  QueueStats s = q.stats();
  EXPECT_EQ(s.queued, 1);
  EXPECT_EQ(s.running, 0);
  EXPECT_EQ(s.delivered, 1);
  EXPECT_EQ(s.failed, 1);
  EXPECT_EQ(s.cancelled, 0);
  EXPECT_EQ(s.retries, 0);
  EXPECT_DOUBLE_EQ(s.wait_p50_ms, 1000);
  EXPECT_DOUBLE_EQ(s.wait_p95_ms, 3000);
  EXPECT_DOUBLE_EQ(s.run_p50_ms, 2000);
  EXPECT_DOUBLE_EQ(s.run_p95_ms, 4000);
  ASSERT_EQ(this->claim_id(), "c");
  EXPECT_EQ(q.stats().running, 1);
  EXPECT_EQ(q.stats().queued, 0);
}

TYPED_TEST(JobQueueTest, EmptyStatsAreZero) {
  QueueStats s = this->q_->stats();
  EXPECT_EQ(s.queued + s.running + s.delivered + s.failed + s.cancelled + s.retries, 0);
  EXPECT_EQ(s.wait_p95_ms, 0);
  EXPECT_EQ(s.run_p95_ms, 0);
}

TYPED_TEST(JobQueueTest, UserJobsInAdmissionOrder) {
  auto& q = *this->q_;
  this->admit("u1a", 1);
  this->advance(1ms);
  this->admit("u1b", 1);
  this->admit("u2a", 2);
  this->claim_and_finish("u1a");
  auto all = q.user_jobs(1, false);
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].id, "u1a");
  EXPECT_EQ(all[1].id, "u1b");
  EXPECT_EQ(all[1].payload, R"({"file_id":"u1b"})");
  auto open = q.user_jobs(1, true);
  ASSERT_EQ(open.size(), 1u);
  EXPECT_EQ(open[0].id, "u1b");
}

TYPED_TEST(JobQueueTest, ForgetUserRemovesTheirFinishedJobs) {
  auto& q = *this->q_;
  this->admit("mine-done", 1);
  this->admit("mine-open", 1);
  this->admit("theirs", 2);
  this->claim_and_finish("mine-done");
  ASSERT_EQ(this->claim_id(), "mine-open");
  this->claim_and_finish("theirs");
  q.forget_user(1);
  EXPECT_FALSE(q.get("mine-done").has_value());
  EXPECT_TRUE(q.get("mine-open").has_value());  // still being worked on
  EXPECT_TRUE(q.get("theirs").has_value());
}

TYPED_TEST(JobQueueTest, FinishedJobsArePrunedAfterTheRetention) {
  this->reopen({.finished_retention_ms = 3'600'000});
  auto& q = *this->q_;
  this->admit("old");
  this->admit("open");
  this->claim_and_finish("old");
  this->advance(30min);
  this->admit("trigger1");  // a write within the retention prunes nothing
  EXPECT_TRUE(q.get("old").has_value());
  this->advance(2h);
  this->admit("trigger2");  // a later write prunes jobs finished before the retention
  EXPECT_FALSE(q.get("old").has_value());
  EXPECT_TRUE(q.get("open").has_value());  // unfinished jobs are never pruned
}

TYPED_TEST(JobQueueTest, ConcurrentWorkersClaimEachJobOnce) {
  auto& q = *this->q_;
  constexpr int kJobs = 60, kWorkers = 6;
  for (int i = 0; i < kJobs; ++i) this->admit(numbered("job", i), i % 7, i % 5);
  std::mutex mu;
  std::multiset<std::string> claimed;
  std::atomic<int> lost{0};
  std::vector<std::thread> workers;
  for (int w = 0; w < kWorkers; ++w) {
    workers.emplace_back([&, w] {
      const std::string me = numbered("w", w);
      while (auto j = q.claim(me, 60s)) {
        {
          std::lock_guard lock(mu);
          claimed.insert(j->id);
        }
        if (!q.finish(j->id, j->attempts, outcome(JobState::kDelivered),
                      {message(j->id + ":text:0", j->chat_id, j->id)})) {
          ++lost;
        }
      }
    });
  }
  for (auto& t : workers) t.join();
  EXPECT_EQ(claimed.size(), static_cast<size_t>(kJobs));
  for (int i = 0; i < kJobs; ++i) EXPECT_EQ(claimed.count(numbered("job", i)), 1u);
  EXPECT_EQ(lost.load(), 0);
  EXPECT_EQ(q.stats().delivered, kJobs);
  EXPECT_EQ(this->stores_.outbox->pending(), kJobs);
}

TYPED_TEST(JobQueueTest, SurvivesReopen) {
  if (!TypeParam::kPersistent) GTEST_SKIP() << "implementation is not persistent";
  this->admit("queued");
  this->admit("running");
  this->advance(1ms);
  ASSERT_EQ(this->claim_id("crashed", 30s), "queued");
  this->reopen({});  // the process "dies" with a job running
  ASSERT_TRUE(this->q_);
  auto& q = *this->q_;
  EXPECT_EQ(q.get("queued")->state, JobState::kRunning);
  EXPECT_EQ(this->claim_id("w2"), "running");
  this->advance(31s);  // the dead worker's lease runs out
  auto resumed = this->claim("w2", 30s);
  ASSERT_TRUE(resumed);
  EXPECT_EQ(resumed->id, "queued");
  EXPECT_EQ(resumed->attempts, 2);
}

}  // namespace
}  // namespace tgscribe::store
