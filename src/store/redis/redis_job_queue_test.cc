// Redis-specific behaviour of the job stores (UpdateLog, JobQueue, Outbox on Redis); the
// shared contract is covered by the typed suites (job_queue_test.cc, outbox_test.cc,
// update_log_test.cc). Each test runs its own redis-server, since several restart or kill it.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <mutex>
#include <set>
#include <thread>

#include "common/error.h"
#include "common/testing/manual_clock.h"
#include "store/job_store_rules.h"
#include "store/redis/redis_job_stores.h"
#include "store/testing/redis_server.h"

namespace tgscribe::store {
namespace {

using namespace std::chrono_literals;
using testing::RedisServer;
using tgscribe::testing::ManualClock;

Job make_job(int64_t update_id, int64_t user, int64_t priority = 0) {
  Job j;
  j.id = "u" + std::to_string(update_id);
  j.update_id = update_id;
  j.user_id = user;
  j.chat_id = user;
  j.priority = priority;
  j.payload = R"({"id":")" + j.id + R"("})";
  return j;
}

OutboxEntry entry(const std::string& id, int64_t chat, const std::string& job = {}) {
  OutboxEntry e;
  e.id = id;
  e.chat_id = chat;
  e.job_id = job;
  e.body = R"({"text":")" + id + R"("})";
  return e;
}

// An update that makes a job and its status reply, refused with a notice past `limit`.
Admission admission(int64_t update_id, int64_t user, int limit = 0, int64_t priority = 0) {
  Admission a;
  a.update_id = update_id;
  a.job = make_job(update_id, user, priority);
  a.per_user_limit = limit;
  a.messages = {entry(a.job->id + ":status", user, a.job->id)};
  a.refusal = {entry("u" + std::to_string(update_id) + ":refused", user)};
  a.refusal[0].body = R"({"text":"you have {unfinished} jobs"})";
  return a;
}

JobOutcome delivered() { return JobOutcome{}; }

// A TCP proxy in front of Redis that, once armed, forwards the first request containing
// `marker`, lets Redis answer it, and then cuts the connection before the answer reaches the
// client: a reply lost in the network, after the command ran.
class ReplyCutter {
 public:
  explicit ReplyCutter(int upstream_port) : upstream_port_(upstream_port) {
    listen_fd_ = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    if (bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
        listen(listen_fd_, 16) != 0) {
      throw std::runtime_error("ReplyCutter: cannot listen");
    }
    socklen_t len = sizeof(addr);
    getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    acceptor_ = std::thread([this] { accept_loop(); });
  }
  ~ReplyCutter() {
    stop_ = true;
    shutdown(listen_fd_, SHUT_RDWR);
    close(listen_fd_);
    acceptor_.join();
    for (auto& t : pumps_) t.join();
  }

  std::string url() const { return "redis://127.0.0.1:" + std::to_string(port_); }
  // The next request containing `marker` runs, and its reply is lost.
  void arm(const std::string& marker) {
    std::lock_guard lock(mu_);
    marker_ = marker;
    armed_ = true;
    seen_ = 0;
  }
  bool cut() const { return cut_; }
  // Requests that contained the marker since arm(): 2 after a cut and the re-send.
  int seen() {
    std::lock_guard lock(mu_);
    return seen_;
  }

 private:
  void accept_loop() {
    while (!stop_) {
      int client = accept(listen_fd_, nullptr, nullptr);
      if (client < 0) return;
      int server = socket(AF_INET, SOCK_STREAM, 0);
      sockaddr_in addr{};
      addr.sin_family = AF_INET;
      addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
      addr.sin_port = htons(static_cast<uint16_t>(upstream_port_));
      if (connect(server, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
        close(client);
        close(server);
        continue;
      }
      pumps_.emplace_back([this, client, server] { pump(client, server); });
    }
  }

  void pump(int client, int server) {
    char buf[65536];
    pollfd fds[2] = {{client, POLLIN, 0}, {server, POLLIN, 0}};
    while (!stop_) {
      if (poll(fds, 2, 100) <= 0) continue;
      if (fds[0].revents) {
        ssize_t n = read(client, buf, sizeof(buf));
        if (n <= 0) break;
        bool cut_this = false;
        {
          std::lock_guard lock(mu_);
          if (!marker_.empty() && std::string(buf, n).find(marker_) != std::string::npos) {
            ++seen_;
            cut_this = armed_;
            armed_ = false;
          }
        }
        if (write(server, buf, n) != n) break;
        if (cut_this) {
          // Wait for Redis's answer (the command ran), then drop it with the connection.
          pollfd s{server, POLLIN, 0};
          poll(&s, 1, 5000);
          cut_ = true;
          break;
        }
      }
      if (fds[1].revents) {
        ssize_t n = read(server, buf, sizeof(buf));
        if (n <= 0 || write(client, buf, n) != n) break;
      }
    }
    close(client);
    close(server);
  }

  int upstream_port_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<bool> cut_{false};
  std::thread acceptor_;
  std::vector<std::thread> pumps_;  // touched by the acceptor thread only, joined after it
  std::mutex mu_;
  std::string marker_;
  bool armed_ = false;
  int seen_ = 0;
};

class RedisJobStoresTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (auto why = RedisServer::unavailable_reason()) GTEST_SKIP() << *why;
  }
  // A second instance = its own connection, as another tgscribe process would have.
  JobStores instance(const std::string& url, Clock& clock, RedisOptions options = {},
                     QueueOptions queue_options = {}) {
    return make_redis_job_stores(RedisConnection::open(url, options), clock, queue_options,
                                 "tgscribe:");
  }
  JobStores instance(RedisServer& server, Clock& clock, RedisOptions options = {},
                     QueueOptions queue_options = {}) {
    return instance(server.url(), clock, options, queue_options);
  }
};

TEST_F(RedisJobStoresTest, TwoInstancesClaimingConcurrentlyNeverDoubleClaim) {
  RedisServer server;
  auto a = instance(server, SystemClock::instance());
  auto b = instance(server, SystemClock::instance());
  constexpr int kJobs = 150;
  for (int i = 0; i < kJobs; ++i) {
    ASSERT_TRUE((i % 2 ? a : b).updates->admit(admission(i + 1, i % 11, 0, i % 7)).accepted);
  }
  std::mutex mu;
  std::multiset<std::string> claimed;
  std::vector<std::thread> workers;
  for (int w = 0; w < 6; ++w) {
    JobQueue* q = (w % 2 ? a : b).queue.get();
    workers.emplace_back([&, q, w] {
      const std::string me = "instance" + std::to_string(w % 2) + "-w" + std::to_string(w);
      while (auto j = q->claim(me, 60s)) {
        {
          std::lock_guard lock(mu);
          claimed.insert(j->id);
        }
        EXPECT_TRUE(q->finish(j->id, j->attempts, delivered(),
                              {entry(j->id + ":text:0", j->chat_id, j->id)}));
      }
    });
  }
  for (auto& t : workers) t.join();
  ASSERT_EQ(claimed.size(), static_cast<size_t>(kJobs));
  for (int i = 0; i < kJobs; ++i) EXPECT_EQ(claimed.count("u" + std::to_string(i + 1)), 1u) << i;
  EXPECT_EQ(a.queue->stats().delivered, kJobs);
  EXPECT_EQ(b.queue->stats().queued, 0);
  EXPECT_EQ(b.outbox->pending(), 2 * kJobs);  // a status and a transcript per job
}

TEST_F(RedisJobStoresTest, PerUserLimitIsGlobalAcrossInstances) {
  RedisServer server;
  auto a = instance(server, SystemClock::instance());
  auto b = instance(server, SystemClock::instance());
  std::atomic<int> accepted{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 10; ++t) {
    UpdateLog* u = (t % 2 ? a : b).updates.get();
    threads.emplace_back([&, u, t] {
      if (u->admit(admission(100 + t, 7, 3)).accepted) ++accepted;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(accepted.load(), 3);
  auto refused = a.updates->admit(admission(200, 7, 3));
  EXPECT_FALSE(refused.accepted);
  EXPECT_FALSE(refused.duplicate);
  EXPECT_EQ(refused.unfinished, 3);  // "how many of your jobs are running" is global too
  auto notice = b.outbox->get("u200:refused");
  ASSERT_TRUE(notice);
  EXPECT_EQ(notice->body, R"({"text":"you have 3 jobs"})");
  EXPECT_FALSE(b.outbox->get("u200:status"));
}

TEST_F(RedisJobStoresTest, DeadWorkersJobIsTakenOverAfterItsLease) {
  RedisServer server;
  ManualClock clock;  // the child process starts from the same fixed time
  auto s = instance(server, clock);
  ASSERT_TRUE(s.updates->admit(admission(1, 1)).accepted);
  ASSERT_TRUE(s.updates->admit(admission(2, 2, 0, 100)).accepted);

  // Another process claims the job and dies without finishing or heartbeating it.
  pid_t pid = fork();
  ASSERT_NE(pid, -1);
  if (pid == 0) {
    int rc = 1;
    try {
      ManualClock child_clock;
      auto mine = instance(server, child_clock);
      auto j = mine.queue->claim("doomed-w1", 30s);
      rc = (j && j->id == "u1") ? 0 : 2;
    } catch (...) {
      rc = 3;
    }
    _exit(rc);  // no destructors: a crash, not a shutdown
  }
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status));
  ASSERT_EQ(WEXITSTATUS(status), 0) << "the child could not claim the job";

  auto running = s.queue->get("u1");
  ASSERT_TRUE(running);
  EXPECT_EQ(running->state, JobState::kRunning);
  EXPECT_EQ(running->worker_id, "doomed-w1");

  // While the lease lasts, the job is not handed out again.
  auto next = s.queue->claim("survivor-w1", 30s);
  ASSERT_TRUE(next);
  EXPECT_EQ(next->id, "u2");
  ASSERT_TRUE(s.queue->finish("u2", next->attempts, delivered(), {}));
  EXPECT_FALSE(s.queue->claim("survivor-w1", 30s));

  clock.advance(31s);
  auto taken = s.queue->claim("survivor-w1", 30s);
  ASSERT_TRUE(taken);
  EXPECT_EQ(taken->id, "u1");
  EXPECT_EQ(taken->attempts, 2);
  EXPECT_EQ(taken->worker_id, "survivor-w1");
  EXPECT_EQ(taken->payload, R"({"id":"u1"})");
  // The dead claim's fence is stale: it can neither extend nor end the claim.
  EXPECT_FALSE(s.queue->heartbeat("u1", 1, 30s));
  EXPECT_FALSE(s.queue->finish("u1", 1, delivered(), {entry("u1:text:0", 1, "u1")}));
  EXPECT_FALSE(s.outbox->get("u1:text:0"));
  EXPECT_EQ(s.queue->stats().retries, 1);
}

TEST_F(RedisJobStoresTest, ReleasedOrphansAreClaimableAtOnce) {
  RedisServer server;
  ManualClock clock;
  auto s = instance(server, clock);
  for (int i = 1; i <= 3; ++i) ASSERT_TRUE(s.updates->admit(admission(i, i)).accepted);
  ASSERT_TRUE(s.queue->claim("old-w1", 30s));
  ASSERT_TRUE(s.queue->claim("old-w2", 30s));
  ASSERT_TRUE(s.queue->claim("other-w1", 30s));
  EXPECT_FALSE(s.queue->claim("new-w1", 30s));
  // The instance "old" restarted: its claims need not wait for their leases.
  EXPECT_EQ(s.queue->release_orphans("old-"), 2);
  std::set<std::string> workers;
  while (auto j = s.queue->claim("new-w1", 30s)) {
    EXPECT_EQ(j->attempts, 2);
    workers.insert(j->id);
  }
  EXPECT_EQ(workers.size(), 2u);
}

TEST_F(RedisJobStoresTest, StateSurvivesAGracefulRedisRestart) {
  RedisServer server;
  ManualClock clock;
  auto s = instance(server, clock);
  for (int i = 0; i < 10; ++i) {
    ASSERT_TRUE(s.updates->admit(admission(i + 1, i, 0, 10 - i)).accepted);
  }
  std::map<std::string, int> running;
  for (int i = 0; i < 3; ++i) {
    auto j = s.queue->claim("w", 30s);
    running[j->id] = j->attempts;
  }
  auto batch = s.outbox->claim("dispatcher", 30s, 10);
  ASSERT_TRUE(batch);
  ASSERT_EQ(batch->entries.size(), 1u);
  s.outbox->mark_sent(batch->entries[0].id, 501);
  const std::string first_queued_before = [&] {
    for (int i = 0; i < 10; ++i) {
      std::string id = "u" + std::to_string(i + 1);
      if (s.queue->position(id) == 1) return id;
    }
    return std::string();
  }();

  server.restart();  // SIGTERM: Redis writes its append-only file and exits

  QueueStats st = s.queue->stats();  // the same objects reconnect
  EXPECT_EQ(st.queued, 7);
  EXPECT_EQ(st.running, 3);
  EXPECT_TRUE(s.updates->seen(4));
  EXPECT_TRUE(s.updates->admit(admission(4, 3)).duplicate);
  EXPECT_EQ(s.queue->position(first_queued_before), 1);
  EXPECT_EQ(s.outbox->pending(), 9);
  EXPECT_EQ(s.outbox->get(batch->entries[0].id)->message_id, 501);
  // The dispatcher's chat lease survived too.
  EXPECT_TRUE(s.outbox->renew(batch->chat_id, "dispatcher", 30s));
  for (const auto& [id, fence] : running) {
    EXPECT_EQ(s.queue->get(id)->state, JobState::kRunning);
    EXPECT_TRUE(s.queue->heartbeat(id, fence, 30s));
  }
  std::set<std::string> rest;
  while (auto j = s.queue->claim("w2", 30s)) rest.insert(j->id);
  EXPECT_EQ(rest.size(), 7u);
  clock.advance(31s);  // the leases of the pre-restart claims still expire and are resumed
  std::set<std::string> resumed;
  while (auto j = s.queue->claim("w3", 30s)) resumed.insert(j->id);
  EXPECT_EQ(resumed.size(), 10u);
}

TEST_F(RedisJobStoresTest, RedisKilledMidRunLosesNoAcceptedJob) {
  // appendfsync always: every write is on disk before Redis answers, so even SIGKILL loses
  // nothing that was acknowledged (the setting docs/operations.md recommends for zero loss).
  RedisServer server(RedisServer::Options{.appendfsync = "always"});
  auto s = instance(server, SystemClock::instance(), RedisOptions{.reconnect_deadline = 20s});

  std::mutex mu;
  std::vector<std::string> accepted, unknown;
  std::atomic<bool> stop{false};
  std::atomic<int> count{0};
  std::thread producer([&] {
    for (int i = 1; !stop; ++i) {
      std::string id = "u" + std::to_string(i);
      try {
        bool ok = s.updates->admit(admission(i, i)).accepted;
        std::lock_guard lock(mu);
        (ok ? accepted : unknown).push_back(id);
      } catch (const Error&) {
        std::lock_guard lock(mu);
        unknown.push_back(id);  // not confirmed to Telegram, so it may or may not exist
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
  while (auto j = s.queue->claim("w", 60s)) claimed.insert(j->id);
  std::lock_guard lock(mu);
  EXPECT_GE(accepted.size(), 100u);
  for (const auto& id : accepted) {
    EXPECT_EQ(claimed.count(id), 1u) << id << " was lost";
    EXPECT_TRUE(s.outbox->get(id + ":status")) << id << "'s reply was lost";
  }
  std::set<std::string> allowed(accepted.begin(), accepted.end());
  allowed.insert(unknown.begin(), unknown.end());
  for (const auto& id : claimed) EXPECT_EQ(allowed.count(id), 1u) << id;
}

TEST_F(RedisJobStoresTest, ScriptsResentAfterALostReplyActOnce) {
  RedisServer server;
  ReplyCutter cutter(server.port());
  ManualClock clock;
  auto s = instance(cutter.url(), clock);
  auto expect_resent = [&] {
    EXPECT_TRUE(cutter.cut());
    EXPECT_EQ(cutter.seen(), 2) << "the request was not re-sent";
  };
  // Every script runs once first: a cut EVALSHA must be one that runs, not a NOSCRIPT.
  EXPECT_FALSE(s.outbox->claim("warmup", 30s, 10));
  s.outbox->mark_retry("none", "", 0);
  EXPECT_FALSE(s.queue->finish("none", 1, delivered(), {}));
  EXPECT_EQ(s.queue->release_orphans("none-"), 0);
  ASSERT_TRUE(s.updates->admit(admission(1, 1)).accepted);

  cutter.arm("marker-update");
  Admission a = admission(2, 1);
  a.messages[0].body = "marker-update";
  AdmitResult r = s.updates->admit(a);
  expect_resent();
  EXPECT_FALSE(r.duplicate);  // the answer of the run that wrote it
  EXPECT_TRUE(r.accepted);
  EXPECT_EQ(r.unfinished, 2);
  EXPECT_EQ(s.outbox->pending(), 2);

  ASSERT_TRUE(s.queue->claim("warmup-w1", 30s));
  cutter.arm("marker-worker");
  auto j = s.queue->claim("marker-worker", 30s);
  expect_resent();
  ASSERT_TRUE(j);
  EXPECT_EQ(j->attempts, 1);
  EXPECT_EQ(s.queue->stats().running, 2);  // one claim, not two
  EXPECT_FALSE(s.queue->claim("other-w1", 30s));

  cutter.arm("marker-finish");
  JobOutcome retry{.state = JobState::kQueued, .error = "marker-finish", .not_before_ms = 0};
  EXPECT_TRUE(s.queue->finish(j->id, j->attempts, retry, {}));  // true: the first run did it
  expect_resent();
  EXPECT_EQ(s.queue->get(j->id)->state, JobState::kQueued);

  cutter.arm("marker-orphans");
  EXPECT_EQ(s.queue->release_orphans("marker-orphans"), 0);
  ASSERT_TRUE(s.queue->claim("marker-orphans-w1", 30s));
  cutter.arm("marker-orphans");
  EXPECT_EQ(s.queue->release_orphans("marker-orphans"), 1);  // not 0 from the re-send
  expect_resent();

  cutter.arm("marker-owner");
  auto batch = s.outbox->claim("marker-owner", 30s, 10);
  expect_resent();
  ASSERT_TRUE(batch);  // the chat the first run leased, not nothing
  EXPECT_EQ(batch->chat_id, 1);
  ASSERT_EQ(batch->entries.size(), 2u);

  cutter.arm("marker-retry");
  s.outbox->mark_retry(batch->entries[0].id, "marker-retry", clock.unix_ms() + 1000);
  expect_resent();
  EXPECT_EQ(s.outbox->get(batch->entries[0].id)->attempts, 1);
}

TEST_F(RedisJobStoresTest, KeyLayoutAndExpiryOfFinishedWork) {
  RedisServer server;
  ManualClock clock;
  auto redis = RedisConnection::open(server.url());
  QueueOptions o;
  o.finished_retention_ms = 60'000;
  o.update_retention_ms = 120'000;
  auto s = make_redis_job_stores(redis, clock, o, "tg:");
  ASSERT_TRUE(s.updates->admit(admission(1, 7)).accepted);
  ASSERT_TRUE(s.updates->admit(admission(2, 7)).accepted);
  auto pttl = [&](const std::string& key) {
    return redis->command({"PTTL", "tg:" + key}).as_integer();
  };
  // Unfinished work never expires; the update record does.
  EXPECT_EQ(pttl("job:u1"), -1);
  EXPECT_EQ(pttl("ob:u1:status"), -1);
  EXPECT_GT(pttl("upd:1"), 60'000);
  EXPECT_LE(pttl("upd:1"), 120'000);
  for (const char* key : {"ready", "open:7", "all:7", "obchat:7", "obready", "obpending"}) {
    EXPECT_EQ(redis->command({"EXISTS", std::string("tg:") + key}).as_integer(), 1) << key;
  }

  auto j = s.queue->claim("w", 30s);
  ASSERT_TRUE(j);
  EXPECT_EQ(redis->command({"ZSCORE", "tg:running", j->id}).as_integer(), j->lease_until_ms);
  ASSERT_TRUE(s.queue->finish(j->id, j->attempts, delivered(), {entry("u1:text:0", 7, "u1")}));
  // Finished: deleted by the Clock's retention (below); Redis's expiry only backs that up.
  EXPECT_GT(pttl("job:u1"), 60'000);
  EXPECT_LE(pttl("job:u1"), 120'000);
  EXPECT_EQ(pttl("job:u2"), -1);

  auto batch = s.outbox->claim("d", 30s, 10);
  ASSERT_TRUE(batch);
  ASSERT_EQ(batch->entries.size(), 3u);
  EXPECT_EQ(batch->entries[0].id, "u1:status");
  EXPECT_EQ(batch->entries[2].id, "u1:text:0");
  s.outbox->mark_sent("u1:status", 11);
  s.outbox->mark_dropped("u2:status", "bot blocked");
  EXPECT_GT(pttl("ob:u1:status"), 0);
  EXPECT_GT(pttl("ob:u2:status"), 0);
  EXPECT_EQ(pttl("ob:u1:text:0"), -1);
  EXPECT_EQ(s.outbox->pending(), 1);
  s.outbox->release(batch->chat_id, "d");
  EXPECT_EQ(redis->command({"EXISTS", "tg:oblease:7"}).as_integer(), 0);

  // A write after the retention (by the Clock) prunes the finished job and the settled
  // entries, and the counters with them.
  EXPECT_EQ(s.queue->stats().delivered, 1);
  clock.advance(std::chrono::milliseconds(kOutboxRetentionMs) + 1s);
  ASSERT_TRUE(s.updates->admit(admission(3, 8)).accepted);
  EXPECT_EQ(redis->command({"EXISTS", "tg:job:u1"}).as_integer(), 0);
  EXPECT_EQ(redis->command({"EXISTS", "tg:ob:u1:status"}).as_integer(), 0);
  EXPECT_EQ(redis->command({"EXISTS", "tg:ob:u2:status"}).as_integer(), 0);
  EXPECT_TRUE(s.outbox->get("u1:text:0"));  // pending: never pruned
  EXPECT_EQ(redis->command({"SISMEMBER", "tg:all:7", "u1"}).as_integer(), 0);
  EXPECT_EQ(s.queue->stats().delivered, 0);
  EXPECT_EQ(s.queue->user_jobs(7, false).size(), 1u);

  // A hash that Redis expired first leaves no ghost in the user's index.
  ASSERT_TRUE(s.updates->admit(admission(4, 7)).accepted);
  redis->command({"DEL", "tg:job:u4"});
  auto jobs = s.queue->user_jobs(7, false);
  ASSERT_EQ(jobs.size(), 1u);
  EXPECT_EQ(jobs[0].id, "u2");
  EXPECT_EQ(redis->command({"SISMEMBER", "tg:all:7", "u4"}).as_integer(), 0);
  EXPECT_EQ(s.queue->position("u4"), 0);
  auto next = s.queue->claim("w", 30s);
  ASSERT_TRUE(next);
  EXPECT_EQ(next->id, "u2");
}

TEST_F(RedisJobStoresTest, HealthyFollowsTheServer) {
  RedisServer server;
  auto s = instance(server, SystemClock::instance(), RedisOptions{.reconnect_deadline = 100ms});
  EXPECT_TRUE(s.queue->healthy());
  EXPECT_TRUE(s.outbox->healthy());
  server.stop();
  EXPECT_FALSE(s.queue->healthy());
  EXPECT_FALSE(s.updates->healthy());
  EXPECT_THROW(s.updates->admit(admission(1, 1)), Error);
  server.start();
  EXPECT_TRUE(s.queue->healthy());
  EXPECT_TRUE(s.updates->admit(admission(1, 1)).accepted);
}

}  // namespace
}  // namespace tgscribe::store
