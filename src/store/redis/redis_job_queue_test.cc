// Redis-specific JobQueue behaviour; the shared contract is covered by the typed suite in
// job_queue_test.cc. Each test runs its own redis-server, since several restart or kill it.
#include "store/redis/redis_job_queue.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <mutex>
#include <set>
#include <thread>

#include "common/error.h"
#include "store/testing/manual_clock.h"
#include "store/testing/redis_server.h"

namespace tgscribe::store {
namespace {

using namespace std::chrono_literals;
using testing::ManualClock;
using testing::RedisServer;

Job make_job(const std::string& id, int64_t user, int64_t priority = 0) {
  Job j;
  j.id = id;
  j.user_id = user;
  j.chat_id = user;
  j.priority = priority;
  j.payload = R"({"id":")" + id + R"("})";
  return j;
}

class RedisJobQueueTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (auto why = RedisServer::unavailable_reason()) GTEST_SKIP() << *why;
  }
  // A second instance = its own connection, as another tgscribe process would have.
  std::unique_ptr<RedisJobQueue> instance(RedisServer& server, Clock& clock,
                                          RedisOptions options = {}) {
    return std::make_unique<RedisJobQueue>(RedisConnection::open(server.url(), options), clock,
                                           QueueOptions{}, "tgscribe:");
  }
};

TEST_F(RedisJobQueueTest, TwoInstancesClaimingConcurrentlyNeverDoubleClaim) {
  RedisServer server;
  auto a = instance(server, SystemClock::instance());
  auto b = instance(server, SystemClock::instance());
  constexpr int kJobs = 150;
  for (int i = 0; i < kJobs; ++i) {
    ASSERT_TRUE(
        (i % 2 ? a : b)->enqueue(make_job("j" + std::to_string(i), i % 11, i % 7), 0).accepted);
  }
  std::mutex mu;
  std::multiset<std::string> claimed;
  std::vector<std::thread> workers;
  for (int w = 0; w < 6; ++w) {
    RedisJobQueue* q = (w % 2 ? a : b).get();
    workers.emplace_back([&, q, w] {
      const std::string me = "instance" + std::to_string(w % 2) + "-w" + std::to_string(w);
      while (auto j = q->claim(me, 60s)) {
        {
          std::lock_guard lock(mu);
          claimed.insert(j->id);
        }
        q->mark_delivered(j->id);
      }
    });
  }
  for (auto& t : workers) t.join();
  ASSERT_EQ(claimed.size(), static_cast<size_t>(kJobs));
  for (int i = 0; i < kJobs; ++i) EXPECT_EQ(claimed.count("j" + std::to_string(i)), 1u) << i;
  EXPECT_EQ(a->stats().delivered, kJobs);
  EXPECT_EQ(b->stats().queued, 0);
}

TEST_F(RedisJobQueueTest, PerUserLimitIsGlobalAcrossInstances) {
  RedisServer server;
  auto a = instance(server, SystemClock::instance());
  auto b = instance(server, SystemClock::instance());
  std::atomic<int> accepted{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 10; ++t) {
    RedisJobQueue* q = (t % 2 ? a : b).get();
    threads.emplace_back([&, q, t] {
      if (q->enqueue(make_job("u7-" + std::to_string(t), 7), 3).accepted) ++accepted;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(accepted.load(), 3);
  auto refused = a->enqueue(make_job("u7-late", 7), 3);
  EXPECT_FALSE(refused.accepted);
  EXPECT_EQ(refused.unfinished, 3);  // "how many of your jobs are running" is global too
}

TEST_F(RedisJobQueueTest, DeadWorkersJobIsTakenOverAfterItsLease) {
  RedisServer server;
  ManualClock clock;  // the child process starts from the same fixed time
  auto q = instance(server, clock);
  ASSERT_TRUE(q->enqueue(make_job("victim", 1), 0).accepted);
  ASSERT_TRUE(q->enqueue(make_job("other", 2, 100), 0).accepted);

  // Another process claims the job and dies without finishing or heartbeating it.
  pid_t pid = fork();
  ASSERT_NE(pid, -1);
  if (pid == 0) {
    int rc = 1;
    try {
      ManualClock child_clock;
      auto mine = instance(server, child_clock);
      auto j = mine->claim("doomed-worker", 30s);
      rc = (j && j->id == "victim") ? 0 : 2;
    } catch (...) {
      rc = 3;
    }
    _exit(rc);  // no destructors: a crash, not a shutdown
  }
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status));
  ASSERT_EQ(WEXITSTATUS(status), 0) << "the child could not claim the job";

  auto running = q->get("victim");
  ASSERT_TRUE(running);
  EXPECT_EQ(running->state, JobState::kRunning);
  EXPECT_EQ(running->worker_id, "doomed-worker");

  // While the lease lasts, the job is not handed out again.
  auto next = q->claim("survivor", 30s);
  ASSERT_TRUE(next);
  EXPECT_EQ(next->id, "other");
  q->mark_delivered("other");
  EXPECT_FALSE(q->claim("survivor", 30s));

  clock.advance(31s);
  auto taken = q->claim("survivor", 30s);
  ASSERT_TRUE(taken);
  EXPECT_EQ(taken->id, "victim");
  EXPECT_EQ(taken->attempts, 2);
  EXPECT_EQ(taken->worker_id, "survivor");
  EXPECT_EQ(taken->payload, R"({"id":"victim"})");
  EXPECT_FALSE(q->heartbeat("victim", "doomed-worker", 30s));
  EXPECT_EQ(q->stats().retries, 1);
}

TEST_F(RedisJobQueueTest, StateSurvivesAGracefulRedisRestart) {
  RedisServer server;
  ManualClock clock;
  auto q = instance(server, clock);
  for (int i = 0; i < 10; ++i) {
    ASSERT_TRUE(q->enqueue(make_job("j" + std::to_string(i), i, 10 - i), 0).accepted);
  }
  std::set<std::string> running;
  for (int i = 0; i < 3; ++i) running.insert(q->claim("w", 30s)->id);
  ASSERT_TRUE(q->mark_step(*running.begin(), "text:0"));
  ASSERT_TRUE(q->first_time_update(4242));
  const std::string first_queued_before = [&] {
    for (int i = 0; i < 10; ++i) {
      if (q->position("j" + std::to_string(i)) == 1) return "j" + std::to_string(i);
    }
    return std::string();
  }();

  server.restart();  // SIGTERM: Redis writes its append-only file and exits

  QueueStats s = q->stats();  // the same object reconnects
  EXPECT_EQ(s.queued, 7);
  EXPECT_EQ(s.running, 3);
  EXPECT_TRUE(q->step_done(*running.begin(), "text:0"));
  EXPECT_FALSE(q->mark_step(*running.begin(), "text:0"));
  EXPECT_FALSE(q->first_time_update(4242));
  EXPECT_EQ(q->position(first_queued_before), 1);
  for (const auto& id : running) EXPECT_EQ(q->get(id)->state, JobState::kRunning);
  std::set<std::string> rest;
  while (auto j = q->claim("w2", 30s)) rest.insert(j->id);
  EXPECT_EQ(rest.size(), 7u);
  clock.advance(31s);  // the leases of the pre-restart claims still expire and are resumed
  std::set<std::string> resumed;
  while (auto j = q->claim("w3", 30s)) resumed.insert(j->id);
  EXPECT_EQ(resumed.size(), 10u);
}

TEST_F(RedisJobQueueTest, RedisKilledMidRunLosesNoAcceptedJob) {
  // appendfsync always: every write is on disk before Redis answers, so even SIGKILL loses
  // nothing that was acknowledged (the setting docs/operations.md recommends for zero loss).
  RedisServer server(RedisServer::Options{.appendfsync = "always"});
  auto q = instance(server, SystemClock::instance(),
                    RedisOptions{.reconnect_deadline = std::chrono::seconds(20)});

  std::mutex mu;
  std::vector<std::string> accepted, unknown;
  std::atomic<bool> stop{false};
  std::atomic<int> count{0};
  std::thread producer([&] {
    for (int i = 0; !stop; ++i) {
      std::string id = "job" + std::to_string(i);
      try {
        bool ok = q->enqueue(make_job(id, i), 0).accepted;
        std::lock_guard lock(mu);
        (ok ? accepted : unknown).push_back(id);
      } catch (const Error&) {
        std::lock_guard lock(mu);
        unknown.push_back(id);  // not confirmed to the user, so it may or may not exist
      }
      ++count;
    }
  });
  ASSERT_TRUE(tgscribe::testing::eventually([&] { return count >= 50; }));
  server.kill_hard();
  server.start();
  int after_restart = count;
  ASSERT_TRUE(tgscribe::testing::eventually([&] { return count >= after_restart + 50; }));
  stop = true;
  producer.join();

  std::set<std::string> claimed;
  while (auto j = q->claim("w", 60s)) claimed.insert(j->id);
  std::lock_guard lock(mu);
  EXPECT_GE(accepted.size(), 100u);
  for (const auto& id : accepted) EXPECT_EQ(claimed.count(id), 1u) << id << " was lost";
  std::set<std::string> allowed(accepted.begin(), accepted.end());
  allowed.insert(unknown.begin(), unknown.end());
  for (const auto& id : claimed) EXPECT_EQ(allowed.count(id), 1u) << id;
}

TEST_F(RedisJobQueueTest, HealthyFollowsTheServer) {
  RedisServer server;
  auto q = instance(server, SystemClock::instance(),
                    RedisOptions{.reconnect_deadline = std::chrono::milliseconds(100)});
  EXPECT_TRUE(q->healthy());
  server.stop();
  EXPECT_FALSE(q->healthy());
  EXPECT_THROW(q->enqueue(make_job("j", 1), 0), Error);
  server.start();
  EXPECT_TRUE(q->healthy());
  EXPECT_TRUE(q->enqueue(make_job("j", 1), 0).accepted);
}

}  // namespace
}  // namespace tgscribe::store
