// Typed suite: every JobAdmin implementation must pass it (memory, SQLite, Redis; the factories
// of testing/store_factories.h build it with the other job stores). Jobs enter through
// UpdateLog::admit and are claimed and finished through JobQueue, as in production; the
// clock is the test's, so ages are exact.
#include "store/job_admin.h"

#include <gtest/gtest.h>

#include <set>

#include "store/job_store_rules.h"
#include "store/testing/store_factories.h"

namespace tgscribe::store {
namespace {

using namespace std::chrono_literals;
using testing::numbered;
using testing::StoreTestEnv;

OutboxEntry message(const std::string& id, const std::string& job_id, int64_t chat = 10) {
  OutboxEntry e;
  e.id = id;
  e.chat_id = chat;
  e.job_id = job_id;
  e.body = R"({"text":")" + id + R"("})";
  return e;
}

JobOutcome outcome(JobState state, const std::string& error = "") {
  JobOutcome o;
  o.state = state;
  o.error = error;
  return o;
}

std::vector<std::string> ids(const std::vector<Job>& jobs) {
  std::vector<std::string> out;
  for (const auto& j : jobs) out.push_back(j.id);
  return out;
}

template <typename Factory>
class JobAdminTest : public ::testing::Test {
 protected:
  void SetUp() override {
    stores_ = Factory::make(env_, {}, &skip_reason_);
    if (!stores_.queue) GTEST_SKIP() << skip_reason_;
    ASSERT_TRUE(stores_.admin) << "the backend builds no JobAdmin";
    q_ = stores_.queue.get();
    admin_ = stores_.admin.get();
  }
  // Admitted with its status message, as the bot admits media ("<id>:status").
  void admit(const std::string& id, int64_t user = 1, int64_t priority = 0) {
    Admission a;
    a.update_id = ++last_update_id_;
    Job j;
    j.id = id;
    j.user_id = user;
    j.chat_id = 10;
    j.priority = priority;
    j.payload = R"({"file_id":")" + id + R"("})";
    a.job = j;
    a.messages = {message(id + ":status", id)};
    ASSERT_TRUE(stores_.updates->admit(a).accepted) << id;
  }
  // Claims the next job, which must be `id`, and finishes it as `state` with `messages`.
  void claim_and_finish(const std::string& id, JobState state,
                        const std::vector<OutboxEntry>& messages = {},
                        const std::string& error = "") {
    auto j = q_->claim("w1", 30s);
    ASSERT_TRUE(j);
    ASSERT_EQ(j->id, id);
    ASSERT_TRUE(q_->finish(id, j->attempts, outcome(state, error), messages));
  }
  void sent(const std::string& entry_id) { stores_.outbox->mark_sent(entry_id, 42); }
  bool has_entry(const std::string& entry_id) { return stores_.outbox->get(entry_id).has_value(); }
  void advance(std::chrono::milliseconds d) { env_.clock.advance(d); }

  StoreTestEnv env_;
  std::string skip_reason_;
  JobStores stores_;
  JobQueue* q_ = nullptr;
  JobAdmin* admin_ = nullptr;
  int64_t last_update_id_ = 2000;
};

using JobStoresImpls =
    ::testing::Types<testing::MemoryJobStoresFactory, testing::SqliteJobStoresFactory,
                     testing::RedisJobStoresFactory>;
TYPED_TEST_SUITE(JobAdminTest, JobStoresImpls, testing::FactoryName);

TYPED_TEST(JobAdminTest, ListsNewestFirstInEveryState) {
  auto& admin = *this->admin_;
  this->admit("a-failed");
  this->advance(1s);
  this->admit("b-done");
  this->advance(1s);
  this->admit("c-running");
  this->advance(1s);
  this->admit("d-queued", 1, 500);  // claimed last
  this->claim_and_finish("a-failed", JobState::kFailed, {}, "boom");
  this->claim_and_finish("b-done", JobState::kDelivered);
  ASSERT_EQ(this->q_->claim("w1", 30s)->id, "c-running");

  EXPECT_EQ(ids(admin.list({})),
            (std::vector<std::string>{"d-queued", "c-running", "b-done", "a-failed"}));
  EXPECT_EQ(ids(admin.list({.state = JobState::kQueued})), std::vector<std::string>{"d-queued"});
  EXPECT_EQ(ids(admin.list({.state = JobState::kRunning})), std::vector<std::string>{"c-running"});
  EXPECT_EQ(ids(admin.list({.state = JobState::kDelivered})), std::vector<std::string>{"b-done"});
  EXPECT_TRUE(admin.list({.state = JobState::kCancelled}).empty());
  auto failed = admin.list({.state = JobState::kFailed});
  ASSERT_EQ(failed.size(), 1u);
  EXPECT_EQ(failed[0].id, "a-failed");
  EXPECT_EQ(failed[0].last_error, "boom");
  EXPECT_EQ(failed[0].attempts, 1);
  EXPECT_EQ(failed[0].payload, R"({"file_id":"a-failed"})");
}

TYPED_TEST(JobAdminTest, ListPageIsBounded) {
  auto& admin = *this->admin_;
  for (int i = 0; i < 5; ++i) {
    this->admit(numbered("j", i));
    this->advance(1ms);
  }
  EXPECT_EQ(ids(admin.list({.limit = 2})), (std::vector<std::string>{"j4", "j3"}));
  EXPECT_EQ(admin.list({.limit = 0}).size(), 1u);  // clamped up to one
  EXPECT_EQ(admin.list({.limit = -7}).size(), 1u);
  EXPECT_EQ(admin.list({.limit = kMaxJobListLimit * 10}).size(), 5u);
}

// Order is by creation, whatever order the jobs finished in: an old job that finished last is
// not "newest".
TYPED_TEST(JobAdminTest, ListOrdersByCreationNotByFinish) {
  auto& admin = *this->admin_;
  this->admit("old", 1, 100);  // claimed after the others
  this->advance(1s);
  this->admit("new1");
  this->advance(1s);
  this->admit("new2");
  this->advance(1s);
  this->claim_and_finish("new1", JobState::kDelivered);
  this->claim_and_finish("new2", JobState::kDelivered);
  this->advance(10s);
  this->claim_and_finish("old", JobState::kDelivered);
  EXPECT_EQ(ids(admin.list({.limit = 2})), (std::vector<std::string>{"new2", "new1"}));
  EXPECT_EQ(ids(admin.list({.state = JobState::kDelivered, .limit = 2})),
            (std::vector<std::string>{"new2", "new1"}));
  EXPECT_EQ(ids(admin.list({.limit = 3})), (std::vector<std::string>{"new2", "new1", "old"}));
}

TYPED_TEST(JobAdminTest, RetryGivesAFailedJobAFreshBudgetAndKeepsTheFence) {
  auto& q = *this->q_;
  auto& admin = *this->admin_;
  this->admit("j1");
  this->sent("j1:status");
  auto first = q.claim("w1", 30s);
  ASSERT_TRUE(first);
  ASSERT_TRUE(q.finish("j1", first->attempts, outcome(JobState::kFailed, "engine exploded"),
                       {message("j1:error", "j1"), message("j1:status:final", "j1")}));
  this->sent("j1:error");
  this->sent("j1:status:final");

  EXPECT_EQ(admin.retry("j1", {"j1:status"}), RetryResult::kRequeued);
  auto j = q.get("j1");
  ASSERT_TRUE(j);
  EXPECT_EQ(j->state, JobState::kQueued);
  EXPECT_EQ(j->attempts, 1);  // the fence never goes back
  EXPECT_EQ(j->budget_base, 1);
  EXPECT_EQ(j->finished_ms, 0);
  EXPECT_EQ(j->last_error, "engine exploded");  // why it had failed, for `jobs show`
  EXPECT_EQ(q.position("j1"), 1);
  EXPECT_EQ(q.stats().failed, 0);
  EXPECT_EQ(q.stats().queued, 1);
  EXPECT_EQ(q.user_jobs(1, true).size(), 1u);
  // The status message stays (later edits refer to it); what the failed run said goes, so
  // the next run's final messages, under the same ids, are sent.
  EXPECT_TRUE(this->has_entry("j1:status"));
  EXPECT_FALSE(this->has_entry("j1:error"));
  EXPECT_FALSE(this->has_entry("j1:status:final"));

  auto again = q.claim("w2", 30s);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->id, "j1");
  EXPECT_EQ(again->attempts, 2);
  EXPECT_EQ(again->budget_base, 1);
  EXPECT_FALSE(q.heartbeat("j1", first->attempts, 30s));  // the old claim stays void
  EXPECT_TRUE(q.finish("j1", again->attempts, outcome(JobState::kDelivered),
                       {message("j1:status:final", "j1"), message("j1:text:0", "j1")}));
  auto final_edit = this->stores_.outbox->get("j1:status:final");
  ASSERT_TRUE(final_edit);
  EXPECT_EQ(final_edit->state, OutboxState::kPending);
  EXPECT_EQ(q.get("j1")->state, JobState::kDelivered);
  EXPECT_EQ(q.stats().delivered, 1);
}

TYPED_TEST(JobAdminTest, RetryKeepsPendingEntries) {
  auto& admin = *this->admin_;
  this->admit("j1");
  this->claim_and_finish("j1", JobState::kFailed, {message("j1:error", "j1")});
  EXPECT_EQ(admin.retry("j1", {}), RetryResult::kRequeued);
  auto notice = this->stores_.outbox->get("j1:error");  // not sent yet: it still goes out
  ASSERT_TRUE(notice);
  EXPECT_EQ(notice->state, OutboxState::kPending);
  EXPECT_TRUE(this->has_entry("j1:status"));
}

TYPED_TEST(JobAdminTest, RetryOnlyFailedOrCancelledJobs) {
  auto& admin = *this->admin_;
  this->admit("done");
  this->claim_and_finish("done", JobState::kDelivered);
  this->admit("running");
  ASSERT_EQ(this->q_->claim("w1", 30s)->id, "running");
  this->admit("queued");
  EXPECT_EQ(admin.retry("done", {}), RetryResult::kNotRetryable);
  EXPECT_EQ(admin.retry("running", {}), RetryResult::kNotRetryable);
  EXPECT_EQ(admin.retry("queued", {}), RetryResult::kNotRetryable);
  EXPECT_EQ(admin.retry("nope", {}), RetryResult::kNotFound);
  EXPECT_EQ(this->q_->get("done")->state, JobState::kDelivered);
  auto running = this->q_->get("running");
  EXPECT_EQ(running->state, JobState::kRunning);
  EXPECT_EQ(running->budget_base, 0);
  EXPECT_EQ(this->q_->get("queued")->budget_base, 0);
}

TYPED_TEST(JobAdminTest, CancelQueuedJobWritesItsMessages) {
  auto& q = *this->q_;
  auto& admin = *this->admin_;
  this->admit("j1", 7);
  EXPECT_EQ(admin.cancel("j1", {message("j1:status:final", "j1")}), CancelResult::kCancelled);
  auto j = q.get("j1");
  EXPECT_EQ(j->state, JobState::kCancelled);
  EXPECT_EQ(j->last_error, kCancelledByOperator);
  EXPECT_GT(j->finished_ms, 0);
  auto edit = this->stores_.outbox->get("j1:status:final");
  ASSERT_TRUE(edit);
  EXPECT_EQ(edit->state, OutboxState::kPending);
  EXPECT_EQ(this->stores_.outbox->pending(), 2);  // the status reply and the edit
  this->advance(1h);
  EXPECT_FALSE(q.claim("w1", 30s).has_value());  // it never runs
  EXPECT_TRUE(q.user_jobs(7, true).empty());
  EXPECT_EQ(q.stats().cancelled, 1);
  // Again: still cancelled, nothing written twice.
  EXPECT_EQ(admin.cancel("j1", {message("j1:other", "j1")}), CancelResult::kCancelled);
  EXPECT_FALSE(this->has_entry("j1:other"));
  EXPECT_EQ(q.stats().cancelled, 1);
}

TYPED_TEST(JobAdminTest, CancelRunningJobOnlyAsksItsWorker) {
  auto& q = *this->q_;
  auto& admin = *this->admin_;
  this->admit("j1");
  auto claimed = q.claim("w1", 30s);
  ASSERT_TRUE(claimed);
  EXPECT_EQ(admin.cancel("j1", {message("j1:status:final", "j1")}), CancelResult::kStopRequested);
  auto j = q.get("j1");
  EXPECT_EQ(j->state, JobState::kRunning);
  EXPECT_TRUE(j->cancel_requested);
  EXPECT_EQ(j->attempts, claimed->attempts);
  EXPECT_EQ(j->worker_id, "w1");
  EXPECT_EQ(j->lease_until_ms, claimed->lease_until_ms);
  EXPECT_FALSE(this->has_entry("j1:status:final"));  // the worker tells the user itself
  EXPECT_TRUE(q.heartbeat("j1", claimed->attempts, 30s));
  EXPECT_TRUE(q.finish("j1", claimed->attempts, outcome(JobState::kCancelled), {}));
  EXPECT_EQ(q.get("j1")->state, JobState::kCancelled);
}

TYPED_TEST(JobAdminTest, CancelFinishedOrUnknownJobChangesNothing) {
  auto& admin = *this->admin_;
  this->admit("done");
  this->claim_and_finish("done", JobState::kDelivered);
  this->admit("failed");
  this->claim_and_finish("failed", JobState::kFailed);
  EXPECT_EQ(admin.cancel("done", {message("done:x", "done")}), CancelResult::kFinished);
  EXPECT_EQ(admin.cancel("failed", {}), CancelResult::kFinished);
  EXPECT_EQ(admin.cancel("nope", {}), CancelResult::kNotFound);
  EXPECT_EQ(this->q_->get("done")->state, JobState::kDelivered);
  EXPECT_EQ(this->q_->get("failed")->state, JobState::kFailed);
  EXPECT_FALSE(this->has_entry("done:x"));
}

TYPED_TEST(JobAdminTest, CancelledJobCanBeRetried) {
  auto& q = *this->q_;
  auto& admin = *this->admin_;
  this->admit("j1");
  ASSERT_EQ(admin.cancel("j1", {}), CancelResult::kCancelled);
  EXPECT_EQ(admin.retry("j1", {}), RetryResult::kRequeued);
  auto j = q.claim("w1", 30s);
  ASSERT_TRUE(j);
  EXPECT_EQ(j->id, "j1");
  EXPECT_FALSE(j->cancel_requested);
  EXPECT_EQ(q.stats().cancelled, 0);
}

// Jobs finished 3 h ago go with their sent entries; newer finished jobs, old unfinished jobs and
// pending entries stay. (Hours, not days: the stores' own pruning of sent entries after two
// days must not do the work this test checks.)
TYPED_TEST(JobAdminTest, PurgeRemovesOnlyOldFinishedJobsAndTheirSettledEntries) {
  auto& q = *this->q_;
  auto& admin = *this->admin_;
  this->admit("old-done");
  this->admit("old-failed");
  this->admit("old-cancelled");
  this->admit("old-running");
  this->sent("old-done:status");
  // Claims go by id among jobs admitted at once: cancel "old-cancelled" before any claim.
  ASSERT_EQ(admin.cancel("old-cancelled", {}), CancelResult::kCancelled);
  this->claim_and_finish(
      "old-done", JobState::kDelivered,
      {message("old-done:text:0", "old-done"), message("old-done:late", "old-done", 11)});
  this->sent("old-done:text:0");
  this->claim_and_finish("old-failed", JobState::kFailed,
                         {message("old-failed:error", "old-failed")});
  this->sent("old-failed:error");
  auto running = q.claim("w1", 24h);
  ASSERT_TRUE(running);
  ASSERT_EQ(running->id, "old-running");
  this->admit("old-queued", 1, 1'000'000);  // behind every later job, aging included

  this->advance(3h);
  this->admit("new-done");
  this->claim_and_finish("new-done", JobState::kDelivered,
                         {message("new-done:text:0", "new-done")});
  this->sent("new-done:text:0");
  this->advance(30min);

  PurgeResult r = admin.purge(1h);
  EXPECT_EQ(r.jobs, 3);
  EXPECT_EQ(r.entries, 3);  // old-done:status, old-done:text:0, old-failed:error
  for (const char* gone : {"old-done", "old-failed", "old-cancelled"}) {
    EXPECT_FALSE(q.get(gone).has_value()) << gone;
  }
  for (const char* kept : {"old-running", "old-queued", "new-done"}) {
    EXPECT_TRUE(q.get(kept).has_value()) << kept;
  }
  EXPECT_FALSE(this->has_entry("old-done:text:0"));
  EXPECT_FALSE(this->has_entry("old-failed:error"));
  EXPECT_TRUE(this->has_entry("old-done:late"));  // never sent: it still goes out
  EXPECT_TRUE(this->has_entry("new-done:text:0"));
  EXPECT_TRUE(this->has_entry("old-queued:status"));
  EXPECT_EQ(q.get("old-running")->state, JobState::kRunning);
  EXPECT_TRUE(q.heartbeat("old-running", running->attempts, 30s));
  QueueStats s = q.stats();
  EXPECT_EQ(s.delivered, 1);
  EXPECT_EQ(s.failed, 0);
  EXPECT_EQ(s.cancelled, 0);
  EXPECT_EQ(ids(admin.list({})),
            (std::vector<std::string>{"new-done", "old-running", "old-queued"}));

  r = admin.purge(1h);
  EXPECT_EQ(r.jobs, 0);
  EXPECT_EQ(r.entries, 0);
  r = admin.purge(0ms);  // everything finished, now included
  EXPECT_EQ(r.jobs, 1);
  EXPECT_FALSE(q.get("new-done").has_value());
}

// More finished jobs than one batch: all go, in several short transactions or scripts.
TYPED_TEST(JobAdminTest, PurgeWorksThroughManyBatches) {
  constexpr int kJobs = kPurgeBatch + 7;
  for (int i = 0; i < kJobs; ++i) {
    Admission a;  // a cache hit: admitted delivered
    a.update_id = ++this->last_update_id_;
    Job j;
    j.id = numbered("hit", i);
    j.user_id = 1;
    j.chat_id = 10;
    j.state = JobState::kDelivered;
    a.job = j;
    ASSERT_TRUE(this->stores_.updates->admit(a).accepted);
  }
  this->admit("open");
  this->advance(2h);
  PurgeResult r = this->admin_->purge(1h);
  EXPECT_EQ(r.jobs, kJobs);
  EXPECT_EQ(this->q_->stats().delivered, 0);
  EXPECT_EQ(ids(this->admin_->list({})), std::vector<std::string>{"open"});
}

}  // namespace
}  // namespace tgscribe::store
