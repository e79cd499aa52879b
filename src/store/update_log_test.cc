// Typed suite: every UpdateLog implementation must pass it. To add one, write a JobStores
// factory in testing/store_factories.h and add it to JobStoresImpls.
#include "store/update_log.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "store/testing/store_factories.h"

namespace tgscribe::store {
namespace {

using namespace std::chrono_literals;
using testing::numbered;
using testing::StoreTestEnv;

OutboxEntry message(const std::string& id, int64_t chat, const std::string& body,
                    const std::string& job_id = "") {
  OutboxEntry e;
  e.id = id;
  e.chat_id = chat;
  e.job_id = job_id;
  e.body = body;
  return e;
}

// What update `update_id` of `user` admits: a job "u<id>" with a status reply, or a refusal.
Admission admission(int64_t update_id, int64_t user, int limit = 0) {
  Admission a;
  a.update_id = update_id;
  Job j;
  j.id = numbered("u", static_cast<int>(update_id));
  j.user_id = user;
  j.chat_id = user * 10;
  j.payload = R"({"file_id":"f"})";
  a.job = j;
  a.per_user_limit = limit;
  a.messages = {message(j.id + ":status", j.chat_id, "queued", j.id)};
  a.refusal = {message(j.id + ":refused", j.chat_id, "you have {unfinished} files ({unfinished})")};
  return a;
}

template <typename Factory>
class UpdateLogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    reopen({});
    if (!log_) GTEST_SKIP() << skip_reason_;
  }
  void reopen(const QueueOptions& options) {
    stores_ = Factory::make(env_, options, &skip_reason_);
    log_ = stores_.updates.get();
  }
  JobQueue& queue() { return *stores_.queue; }
  Outbox& outbox() { return *stores_.outbox; }
  void advance(std::chrono::milliseconds d) { env_.clock.advance(d); }
  int64_t now() const { return env_.clock.unix_ms(); }

  StoreTestEnv env_;
  std::string skip_reason_;
  JobStores stores_;
  UpdateLog* log_ = nullptr;
};

using JobStoresImpls =
    ::testing::Types<testing::MemoryJobStoresFactory, testing::SqliteJobStoresFactory,
                     testing::RedisJobStoresFactory>;
TYPED_TEST_SUITE(UpdateLogTest, JobStoresImpls, testing::FactoryName);

TYPED_TEST(UpdateLogTest, AdmitWritesTheJobAndItsMessages) {
  EXPECT_FALSE(this->log_->seen(100));
  AdmitResult r = this->log_->admit(admission(100, 1, 3));
  EXPECT_FALSE(r.duplicate);
  EXPECT_TRUE(r.accepted);
  EXPECT_EQ(r.unfinished, 1);
  EXPECT_TRUE(this->log_->seen(100));
  auto job = this->queue().get("u100");
  ASSERT_TRUE(job);
  EXPECT_EQ(job->state, JobState::kQueued);
  EXPECT_EQ(job->update_id, 100);
  auto status = this->outbox().get("u100:status");
  ASSERT_TRUE(status);
  EXPECT_EQ(status->state, OutboxState::kPending);
  EXPECT_EQ(status->chat_id, 10);
  EXPECT_EQ(status->job_id, "u100");
  EXPECT_EQ(status->body, "queued");
  EXPECT_EQ(status->created_ms, this->now());
  EXPECT_FALSE(this->outbox().get("u100:refused").has_value());
  EXPECT_EQ(this->outbox().pending(), 1);
}

TYPED_TEST(UpdateLogTest, SecondAdmitOfAnUpdateWritesNothing) {
  ASSERT_TRUE(this->log_->admit(admission(100, 1)).accepted);
  Admission again = admission(100, 1);
  again.job->payload = R"({"file_id":"other"})";
  again.messages.push_back(message("u100:extra", 10, "extra"));
  AdmitResult r = this->log_->admit(again);
  EXPECT_TRUE(r.duplicate);
  EXPECT_FALSE(r.accepted);
  EXPECT_EQ(this->queue().get("u100")->payload, R"({"file_id":"f"})");
  EXPECT_FALSE(this->outbox().get("u100:extra").has_value());
  EXPECT_EQ(this->outbox().pending(), 1);
  EXPECT_EQ(this->queue().stats().queued, 1);
}

TYPED_TEST(UpdateLogTest, RepliesWithoutAJob) {
  Admission a;
  a.update_id = 7;
  a.messages = {message("u7:reply", 70, "hello"), message("u7:reply2", 70, "again")};
  AdmitResult r = this->log_->admit(a);
  EXPECT_FALSE(r.duplicate);
  EXPECT_FALSE(r.accepted);
  EXPECT_TRUE(this->log_->seen(7));
  auto first = this->outbox().get("u7:reply");
  auto second = this->outbox().get("u7:reply2");
  ASSERT_TRUE(first && second);
  EXPECT_LT(first->seq, second->seq);
  a.messages.push_back(message("u7:reply3", 70, "more"));
  EXPECT_TRUE(this->log_->admit(a).duplicate);
  EXPECT_FALSE(this->outbox().get("u7:reply3").has_value());
  EXPECT_EQ(this->queue().stats().queued, 0);
}

TYPED_TEST(UpdateLogTest, PerUserLimitRefusesWithTheRefusalOnly) {
  ASSERT_TRUE(this->log_->admit(admission(1, 5, 2)).accepted);
  AdmitResult second = this->log_->admit(admission(2, 5, 2));
  EXPECT_TRUE(second.accepted);
  EXPECT_EQ(second.unfinished, 2);

  AdmitResult refused = this->log_->admit(admission(3, 5, 2));
  EXPECT_FALSE(refused.duplicate);
  EXPECT_FALSE(refused.accepted);
  EXPECT_EQ(refused.unfinished, 2);
  EXPECT_FALSE(this->queue().get("u3").has_value());
  EXPECT_FALSE(this->outbox().get("u3:status").has_value());
  auto refusal = this->outbox().get("u3:refused");
  ASSERT_TRUE(refusal);
  EXPECT_EQ(refusal->body, "you have 2 files (2)");
  EXPECT_EQ(refusal->chat_id, 50);
  // The refusal is the update's work: a redelivery repeats nothing.
  EXPECT_TRUE(this->log_->seen(3));
  EXPECT_TRUE(this->log_->admit(admission(3, 5, 2)).duplicate);
  EXPECT_EQ(this->outbox().pending(), 3);

  EXPECT_TRUE(this->log_->admit(admission(4, 6, 2)).accepted);  // another user is not affected
  EXPECT_TRUE(this->log_->admit(admission(5, 5, 0)).accepted);  // limit 0: none
}

TYPED_TEST(UpdateLogTest, RunningJobsCountFinishedOnesFreeASlot) {
  ASSERT_TRUE(this->log_->admit(admission(1, 5, 1)).accepted);
  auto claimed = this->queue().claim("w", 30s);
  ASSERT_TRUE(claimed);
  EXPECT_FALSE(this->log_->admit(admission(2, 5, 1)).accepted);
  JobOutcome done;
  done.state = JobState::kDelivered;
  ASSERT_TRUE(this->queue().finish("u1", claimed->attempts, done, {}));
  AdmitResult r = this->log_->admit(admission(3, 5, 1));
  EXPECT_TRUE(r.accepted);
  EXPECT_EQ(r.unfinished, 1);
}

TYPED_TEST(UpdateLogTest, CacheHitIsStoredFinishedAndNotCounted) {
  ASSERT_TRUE(this->log_->admit(admission(1, 5, 1)).accepted);  // the user is at the limit
  Admission hit = admission(2, 5, 1);
  hit.job->state = JobState::kDelivered;
  hit.messages = {message("u2:text:0", 50, "the transcript", "u2")};
  AdmitResult r = this->log_->admit(hit);
  EXPECT_TRUE(r.accepted);
  EXPECT_EQ(r.unfinished, 1);
  auto job = this->queue().get("u2");
  ASSERT_TRUE(job);
  EXPECT_EQ(job->state, JobState::kDelivered);
  EXPECT_EQ(job->finished_ms, this->now());
  EXPECT_TRUE(this->outbox().get("u2:text:0").has_value());
  EXPECT_FALSE(this->outbox().get("u2:refused").has_value());
  EXPECT_EQ(this->queue().user_jobs(5, true).size(), 1u);
  ASSERT_EQ(this->queue().claim("w", 30s)->id, "u1");
  EXPECT_FALSE(this->queue().claim("w", 30s).has_value());  // the hit is never claimed
  QueueStats s = this->queue().stats();
  EXPECT_EQ(s.delivered, 1);
  EXPECT_EQ(s.wait_p95_ms, 0);  // never started: no wait or run time
}

TYPED_TEST(UpdateLogTest, UpdateIdZeroKeepsNoRecord) {
  Admission a;
  a.messages = {message("cmd:reply", 70, "hello")};
  AdmitResult r = this->log_->admit(a);
  EXPECT_FALSE(r.duplicate);
  EXPECT_FALSE(this->log_->seen(0));
  // Nothing de-duplicates the update; the entry itself is still written once.
  EXPECT_FALSE(this->log_->admit(a).duplicate);
  EXPECT_EQ(this->outbox().pending(), 1);
}

TYPED_TEST(UpdateLogTest, EmptyJobIdIsRefusedAndNothingWritten) {
  Admission a = admission(9, 1);
  a.job->id = "";
  EXPECT_THROW(this->log_->admit(a), std::invalid_argument);
  EXPECT_FALSE(this->log_->seen(9));
  EXPECT_EQ(this->outbox().pending(), 0);
}

TYPED_TEST(UpdateLogTest, OldUpdatesArePruned) {
  this->reopen({.update_retention_ms = 3'600'000});
  ASSERT_TRUE(this->log_->admit(admission(100, 1)).accepted);
  this->advance(30min);
  EXPECT_TRUE(this->log_->admit(admission(101, 1)).accepted);
  EXPECT_TRUE(this->log_->seen(100));
  this->advance(2h);
  this->log_->admit(admission(999, 2));  // a later admission prunes ids older than the retention
  EXPECT_FALSE(this->log_->seen(100));
  EXPECT_TRUE(this->log_->seen(999));
}

TYPED_TEST(UpdateLogTest, ConcurrentAdmissionsHonourTheLimit) {
  std::atomic<int> accepted{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      if (this->log_->admit(admission(t + 1, 1, 3)).accepted) ++accepted;
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(accepted.load(), 3);
  EXPECT_EQ(this->queue().user_jobs(1, true).size(), 3u);
  EXPECT_EQ(this->outbox().pending(), 8);  // 3 status replies, 5 refusals
}

TYPED_TEST(UpdateLogTest, ConcurrentRedeliveriesAdmitOnce) {
  std::atomic<int> first{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      if (!this->log_->admit(admission(42, 1)).duplicate) ++first;
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(first.load(), 1);
  EXPECT_EQ(this->queue().stats().queued, 1);
  EXPECT_EQ(this->outbox().pending(), 1);
}

TYPED_TEST(UpdateLogTest, SurvivesReopen) {
  if (!TypeParam::kPersistent) GTEST_SKIP() << "implementation is not persistent";
  ASSERT_TRUE(this->log_->admit(admission(100, 1)).accepted);
  this->reopen({});
  ASSERT_TRUE(this->log_);
  EXPECT_TRUE(this->log_->seen(100));
  EXPECT_TRUE(this->log_->admit(admission(100, 1)).duplicate);
  EXPECT_TRUE(this->queue().get("u100").has_value());
  EXPECT_TRUE(this->outbox().get("u100:status").has_value());
}

}  // namespace
}  // namespace tgscribe::store
