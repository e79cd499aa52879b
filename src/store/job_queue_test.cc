// Typed suite: every JobQueue implementation must pass it. To add one, write a factory in
// testing/store_factories.h and add it to QueueImpls.
#include "store/job_queue.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <mutex>
#include <set>
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

template <typename Factory>
class JobQueueTest : public ::testing::Test {
 protected:
  void SetUp() override {
    q_ = make({});
    if (!q_) GTEST_SKIP() << skip_reason_;
  }
  std::unique_ptr<JobQueue> make(const QueueOptions& options) {
    return Factory::make(env_, options, &skip_reason_);
  }
  void enqueue(const std::string& id, int64_t user = 1, int64_t priority = 0) {
    ASSERT_TRUE(q_->enqueue(make_job(id, user, priority), 0).accepted) << id;
  }
  std::string claim_id(const std::string& worker = "w1", std::chrono::milliseconds lease = 30s) {
    auto j = q_->claim(worker, lease);
    return j ? j->id : "";
  }
  void advance(std::chrono::milliseconds d) { env_.clock.advance(d); }
  int64_t now() const { return env_.clock.unix_ms(); }

  StoreTestEnv env_;
  std::string skip_reason_;
  std::unique_ptr<JobQueue> q_;
};

using QueueImpls = ::testing::Types<testing::MemoryQueueFactory, testing::SqliteQueueFactory,
                                    testing::RedisQueueFactory>;
TYPED_TEST_SUITE(JobQueueTest, QueueImpls, testing::FactoryName);

TYPED_TEST(JobQueueTest, EnqueueStoresTheJob) {
  Job in = make_job("j1", 5, 42);
  in.state = JobState::kFailed;  // ignored: a new job is always queued
  in.attempts = 9;
  auto r = this->q_->enqueue(in, 3);
  EXPECT_TRUE(r.accepted);
  EXPECT_EQ(r.unfinished, 1);
  auto got = this->q_->get("j1");
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->state, JobState::kQueued);
  EXPECT_EQ(got->attempts, 0);
  EXPECT_EQ(got->user_id, 5);
  EXPECT_EQ(got->chat_id, 50);
  EXPECT_EQ(got->priority, 42);
  EXPECT_EQ(got->created_ms, this->now());
  EXPECT_EQ(got->payload, in.payload);
  EXPECT_FALSE(this->q_->get("nope").has_value());
}

TYPED_TEST(JobQueueTest, EmptyIdIsRefused) {
  EXPECT_THROW(this->q_->enqueue(make_job("", 1), 0), std::invalid_argument);
}

TYPED_TEST(JobQueueTest, SameIdTwiceIsOneJob) {
  this->enqueue("j1");
  auto again = this->q_->enqueue(make_job("j1", 1, 99), 1);  // at the limit, yet a repeat
  EXPECT_TRUE(again.accepted);
  EXPECT_EQ(again.unfinished, 1);
  EXPECT_EQ(this->q_->get("j1")->priority, 0);
  EXPECT_EQ(this->q_->stats().queued, 1);
}

TYPED_TEST(JobQueueTest, PerUserLimitAtExactlyN) {
  auto& q = *this->q_;
  for (int i = 1; i <= 3; ++i) {
    auto r = q.enqueue(make_job(numbered("a", i), 1), 3);
    EXPECT_TRUE(r.accepted) << i;
    EXPECT_EQ(r.unfinished, i);
  }
  auto refused = q.enqueue(make_job("a4", 1), 3);
  EXPECT_FALSE(refused.accepted);
  EXPECT_EQ(refused.unfinished, 3);
  EXPECT_FALSE(q.get("a4").has_value());
  EXPECT_TRUE(q.enqueue(make_job("b1", 2), 3).accepted);  // another user is not affected

  // A running job still counts; a finished one frees a slot.
  auto claimed = q.claim("w", 30s);
  ASSERT_TRUE(claimed);
  EXPECT_FALSE(q.enqueue(make_job("a4", 1), 3).accepted);
  q.mark_delivered(q.user_jobs(1, true).front().id);
  auto r = q.enqueue(make_job("a4", 1), 3);
  EXPECT_TRUE(r.accepted);
  EXPECT_EQ(r.unfinished, 3);
  EXPECT_TRUE(q.enqueue(make_job("a5", 1), 0).accepted);  // limit 0: none
}

TYPED_TEST(JobQueueTest, ClaimsLowestPriorityFirst) {
  this->enqueue("p30", 1, 30);
  this->enqueue("p10", 2, 10);
  this->enqueue("p20", 3, 20);
  EXPECT_EQ(this->claim_id(), "p10");
  EXPECT_EQ(this->claim_id(), "p20");
  EXPECT_EQ(this->claim_id(), "p30");
  EXPECT_EQ(this->claim_id(), "");
}

TYPED_TEST(JobQueueTest, EqualPriorityIsFirstComeFirstServed) {
  this->enqueue("zz");
  this->advance(1ms);
  this->enqueue("aa");
  EXPECT_EQ(this->claim_id(), "zz");
  EXPECT_EQ(this->claim_id(), "aa");
}

TYPED_TEST(JobQueueTest, ClaimMarksRunning) {
  this->enqueue("j1");
  this->advance(500ms);
  auto j = this->q_->claim("worker-7", 30s);
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
  this->q_ = this->make({.aging_per_s = 1.0});
  this->enqueue("long", 1, 1000);
  this->advance(10s);
  this->enqueue("short1", 2, 0);
  EXPECT_EQ(this->claim_id(), "short1");  // long: 990 > 0
  this->q_->mark_delivered("short1");

  this->advance(992s);  // long has waited 1002 s: effective -2, a fresh short job is 0
  this->enqueue("short2", 3, 0);
  EXPECT_EQ(this->q_->position("long"), 1);
  EXPECT_EQ(this->q_->position("short2"), 2);
  EXPECT_EQ(this->claim_id(), "long");
  EXPECT_EQ(this->claim_id(), "short2");
}

TYPED_TEST(JobQueueTest, NoAgingKeepsStrictPriority) {
  this->q_ = this->make({.aging_per_s = 0});
  this->enqueue("long", 1, 1000);
  this->advance(100000s);
  this->enqueue("short", 2, 0);
  EXPECT_EQ(this->claim_id(), "short");
}

TYPED_TEST(JobQueueTest, ExpiredLeaseIsClaimedAgain) {
  auto& q = *this->q_;
  this->enqueue("j1");
  ASSERT_EQ(this->claim_id("dead-worker", 30s), "j1");
  EXPECT_EQ(this->claim_id("w2"), "");  // leased
  this->advance(29s);
  EXPECT_EQ(this->claim_id("w2"), "");
  this->advance(2s);
  auto again = q.claim("w2", 30s);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->id, "j1");
  EXPECT_EQ(again->attempts, 2);
  EXPECT_EQ(again->worker_id, "w2");
  EXPECT_FALSE(q.heartbeat("j1", "dead-worker", 30s));  // the old worker lost it
  EXPECT_TRUE(q.heartbeat("j1", "w2", 30s));
  EXPECT_EQ(q.stats().retries, 1);
}

TYPED_TEST(JobQueueTest, HeartbeatExtendsTheLease) {
  auto& q = *this->q_;
  this->enqueue("j1");
  ASSERT_EQ(this->claim_id("w1", 30s), "j1");
  this->advance(20s);
  EXPECT_TRUE(q.heartbeat("j1", "w1", 30s));
  this->advance(20s);  // 40 s after the claim, 20 s after the heartbeat
  EXPECT_EQ(this->claim_id("w2"), "");
  EXPECT_EQ(q.get("j1")->lease_until_ms, this->now() + 10'000);
}

TYPED_TEST(JobQueueTest, FinishedJobsAreNotClaimedAgain) {
  auto& q = *this->q_;
  this->enqueue("done");
  this->enqueue("failed");
  ASSERT_EQ(this->claim_id(), "done");
  ASSERT_EQ(this->claim_id(), "failed");
  q.mark_delivered("done");
  q.mark_failed("failed", "engine exploded", false, 0);
  this->advance(1h);
  EXPECT_EQ(this->claim_id(), "");
  auto d = q.get("done");
  EXPECT_EQ(d->state, JobState::kDelivered);
  EXPECT_EQ(d->finished_ms, this->now() - 3'600'000);
  auto f = q.get("failed");
  EXPECT_EQ(f->state, JobState::kFailed);
  EXPECT_EQ(f->last_error, "engine exploded");
  EXPECT_FALSE(q.heartbeat("done", "w1", 30s));
}

TYPED_TEST(JobQueueTest, RetryWaitsForNotBefore) {
  auto& q = *this->q_;
  this->enqueue("j1");
  ASSERT_EQ(this->claim_id(), "j1");
  q.mark_failed("j1", "HTTP 503", true, this->now() + 5000);
  auto j = q.get("j1");
  EXPECT_EQ(j->state, JobState::kQueued);
  EXPECT_EQ(j->last_error, "HTTP 503");
  EXPECT_EQ(j->not_before_ms, this->now() + 5000);
  EXPECT_EQ(this->claim_id(), "");
  this->advance(4999ms);
  EXPECT_EQ(this->claim_id(), "");
  this->advance(1ms);
  auto again = q.claim("w1", 30s);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->attempts, 2);
  EXPECT_EQ(q.stats().retries, 1);
}

TYPED_TEST(JobQueueTest, CancelQueuedJob) {
  auto& q = *this->q_;
  this->enqueue("j1", 1);
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
  this->enqueue("j1", 1);
  ASSERT_EQ(this->claim_id(), "j1");
  EXPECT_TRUE(q.cancel("j1", 1));
  auto j = q.get("j1");
  EXPECT_EQ(j->state, JobState::kRunning);  // the worker stops at its next safe point
  EXPECT_TRUE(j->cancel_requested);
  q.mark_cancelled("j1");
  EXPECT_EQ(q.get("j1")->state, JobState::kCancelled);
  EXPECT_FALSE(q.cancel("j1", 1));
}

TYPED_TEST(JobQueueTest, CancelledJobOfADeadWorkerIsNotResumed) {
  auto& q = *this->q_;
  this->enqueue("j1", 1);
  ASSERT_EQ(this->claim_id("dead", 30s), "j1");
  ASSERT_TRUE(q.cancel("j1", 1));
  this->advance(31s);
  EXPECT_EQ(this->claim_id("w2"), "");
  EXPECT_EQ(q.get("j1")->state, JobState::kCancelled);
}

TYPED_TEST(JobQueueTest, PositionsFollowClaimOrder) {
  auto& q = *this->q_;
  this->enqueue("p5", 1, 5);
  this->enqueue("p1", 2, 1);
  this->enqueue("p3", 3, 3);
  EXPECT_EQ(q.position("p1"), 1);
  EXPECT_EQ(q.position("p3"), 2);
  EXPECT_EQ(q.position("p5"), 3);
  ASSERT_EQ(this->claim_id(), "p1");
  EXPECT_EQ(q.position("p1"), 0);  // running
  EXPECT_EQ(q.position("p3"), 1);
  EXPECT_EQ(q.position("p5"), 2);
  EXPECT_EQ(q.position("missing"), 0);
}

TYPED_TEST(JobQueueTest, MarkStepIsTrueOnlyOnce) {
  auto& q = *this->q_;
  this->enqueue("j1");
  this->enqueue("j2");
  EXPECT_FALSE(q.step_done("j1", "text:0"));
  EXPECT_TRUE(q.mark_step("j1", "text:0"));
  EXPECT_FALSE(q.mark_step("j1", "text:0"));
  EXPECT_TRUE(q.step_done("j1", "text:0"));
  EXPECT_FALSE(q.step_done("j1", "file:srt"));
  EXPECT_TRUE(q.mark_step("j1", "file:srt"));
  EXPECT_TRUE(q.mark_step("j2", "text:0"));  // per job
}

TYPED_TEST(JobQueueTest, MarkStepFromManyThreadsHasOneWinner) {
  this->enqueue("j1");
  std::atomic<int> winners{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&] {
      if (this->q_->mark_step("j1", "text:0")) ++winners;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(winners.load(), 1);
}

TYPED_TEST(JobQueueTest, UpdatesAreSeenOnce) {
  auto& q = *this->q_;
  EXPECT_TRUE(q.first_time_update(100));
  EXPECT_FALSE(q.first_time_update(100));
  EXPECT_TRUE(q.first_time_update(101));
  EXPECT_FALSE(q.first_time_update(101));
}

TYPED_TEST(JobQueueTest, OldUpdateIdsArePruned) {
  this->q_ = this->make({.update_retention_ms = 3'600'000});
  auto& q = *this->q_;
  EXPECT_TRUE(q.first_time_update(100));
  this->advance(30min);
  EXPECT_FALSE(q.first_time_update(100));
  this->advance(2h);
  EXPECT_TRUE(q.first_time_update(999));  // a later call prunes ids older than the retention
  EXPECT_TRUE(q.first_time_update(100));
}

TYPED_TEST(JobQueueTest, StatsCountStatesAndPercentiles) {
  auto& q = *this->q_;
  this->enqueue("a");
  this->enqueue("b");
  this->enqueue("c");
  this->advance(1s);
  ASSERT_EQ(this->claim_id(), "a");  // waited 1000 ms
  this->advance(2s);
  q.mark_delivered("a");             // ran 2000 ms
  ASSERT_EQ(this->claim_id(), "b");  // waited 3000 ms
  this->advance(4s);
  q.mark_failed("b", "boom", false, 0);  // ran 4000 ms
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

TYPED_TEST(JobQueueTest, UserJobsAndPayload) {
  auto& q = *this->q_;
  this->enqueue("u1a", 1);
  this->advance(1ms);
  this->enqueue("u1b", 1);
  this->enqueue("u2a", 2);
  ASSERT_EQ(this->claim_id(), "u1a");
  q.mark_delivered("u1a");
  q.update_payload("u1b", R"({"status_message_id":77})");
  auto all = q.user_jobs(1, false);
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].id, "u1a");
  EXPECT_EQ(all[1].id, "u1b");
  EXPECT_EQ(all[1].payload, R"({"status_message_id":77})");
  auto open = q.user_jobs(1, true);
  ASSERT_EQ(open.size(), 1u);
  EXPECT_EQ(open[0].id, "u1b");
}

TYPED_TEST(JobQueueTest, ForgetUserRemovesTheirFinishedJobs) {
  auto& q = *this->q_;
  this->enqueue("mine-done", 1);
  this->enqueue("mine-open", 1);
  this->enqueue("theirs", 2);
  ASSERT_EQ(this->claim_id(), "mine-done");
  ASSERT_TRUE(q.mark_step("mine-done", "text:0"));
  q.mark_delivered("mine-done");
  ASSERT_EQ(this->claim_id(), "mine-open");
  ASSERT_EQ(this->claim_id(), "theirs");
  q.mark_delivered("theirs");
  q.forget_user(1);
  EXPECT_FALSE(q.get("mine-done").has_value());
  EXPECT_FALSE(q.step_done("mine-done", "text:0"));
  EXPECT_TRUE(q.get("mine-open").has_value());  // still being worked on
  EXPECT_TRUE(q.get("theirs").has_value());
}

TYPED_TEST(JobQueueTest, ConcurrentWorkersClaimEachJobOnce) {
  auto& q = *this->q_;
  constexpr int kJobs = 60, kWorkers = 6;
  for (int i = 0; i < kJobs; ++i) this->enqueue(numbered("job", i), i % 7, i % 5);
  std::mutex mu;
  std::multiset<std::string> claimed;
  std::vector<std::thread> workers;
  for (int w = 0; w < kWorkers; ++w) {
    workers.emplace_back([&, w] {
      const std::string me = numbered("w", w);
      while (auto j = q.claim(me, 60s)) {
        {
          std::lock_guard lock(mu);
          claimed.insert(j->id);
        }
        q.mark_delivered(j->id);
      }
    });
  }
  for (auto& t : workers) t.join();
  EXPECT_EQ(claimed.size(), static_cast<size_t>(kJobs));
  for (int i = 0; i < kJobs; ++i) EXPECT_EQ(claimed.count(numbered("job", i)), 1u);
  EXPECT_EQ(q.stats().delivered, kJobs);
}

TYPED_TEST(JobQueueTest, ConcurrentEnqueueHonoursTheLimit) {
  auto& q = *this->q_;
  std::atomic<int> accepted{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      if (q.enqueue(make_job(numbered("j", t), 1), 3).accepted) ++accepted;
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(accepted.load(), 3);
  EXPECT_EQ(q.user_jobs(1, true).size(), 3u);
}

TYPED_TEST(JobQueueTest, SurvivesReopen) {
  if (!TypeParam::kPersistent) GTEST_SKIP() << "implementation is not persistent";
  this->enqueue("queued");
  this->enqueue("running");
  this->advance(1ms);
  ASSERT_EQ(this->claim_id("crashed", 30s), "queued");
  ASSERT_TRUE(this->q_->mark_step("queued", "text:0"));
  ASSERT_TRUE(this->q_->first_time_update(5));
  this->q_.reset();  // the process "dies" with a job running

  auto q = this->make({});
  ASSERT_TRUE(q);
  EXPECT_EQ(q->get("queued")->state, JobState::kRunning);
  EXPECT_TRUE(q->step_done("queued", "text:0"));
  EXPECT_FALSE(q->first_time_update(5));
  EXPECT_EQ(q->claim("w2", 30s)->id, "running");
  this->advance(31s);  // the dead worker's lease runs out
  auto resumed = q->claim("w2", 30s);
  ASSERT_TRUE(resumed);
  EXPECT_EQ(resumed->id, "queued");
  EXPECT_EQ(resumed->attempts, 2);
}

}  // namespace
}  // namespace tgscribe::store
