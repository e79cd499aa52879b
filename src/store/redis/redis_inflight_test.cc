#include "store/redis/redis_inflight.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "common/error.h"
#include "store/redis/redis_transcript_cache.h"
#include "store/testing/redis_server.h"
#include "support/test_util.h"

namespace tgscribe::store {
namespace {

using namespace std::chrono_literals;
using testing::RedisServer;

transcript::Transcript sample(const std::string& text) {
  transcript::Transcript t;
  t.language = "en";
  t.engine = "sphinx";
  t.segments.push_back({0, 1, text, {}, {}, {}, {}});
  return t;
}

class RedisInflightTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string why;
    url_ = testing::shared_redis_url(&why);
    if (!url_) GTEST_SKIP() << why;
    // Unique per run too: the server may be shared ($TGSCRIBE_TEST_REDIS_URL).
    prefix_ = "inflight-" + redis_request_token() + ":";
  }
  std::shared_ptr<RedisConnection> connect() { return RedisConnection::open(*url_); }
  std::optional<std::string> url_;
  std::string prefix_;
};

TEST_F(RedisInflightTest, LockIsExclusiveAndOnlyTheOwnerReleasesIt) {
  RedisInflightLock a(connect(), prefix_), b(connect(), prefix_);
  auto token = a.try_acquire("key", 10s);
  ASSERT_TRUE(token);
  EXPECT_FALSE(b.try_acquire("key", 10s));
  EXPECT_TRUE(b.try_acquire("other-key", 10s));
  EXPECT_FALSE(b.release("key", "not-the-token"));
  EXPECT_FALSE(b.renew("key", "not-the-token", 10s));
  EXPECT_TRUE(b.held("key"));
  EXPECT_TRUE(a.renew("key", *token, 10s));
  EXPECT_TRUE(a.release("key", *token));
  EXPECT_FALSE(a.held("key"));
  EXPECT_TRUE(b.try_acquire("key", 10s));
}

TEST_F(RedisInflightTest, ADeadOwnersLockExpires) {
  RedisInflightLock dead(connect(), prefix_), alive(connect(), prefix_);
  ASSERT_TRUE(dead.try_acquire("key", 200ms));  // never renewed nor released
  EXPECT_FALSE(alive.try_acquire("key", 10s));
  EXPECT_TRUE(
      tgscribe::testing::eventually([&] { return alive.try_acquire("key", 10s).has_value(); }));
}

TEST_F(RedisInflightTest, TwoInstancesCallTheEngineOnce) {
  // Two instances, each with its own connection, cache object and registry.
  RedisTranscriptCache cache_a(connect(), 3600, 0, SystemClock::instance(), prefix_);
  RedisTranscriptCache cache_b(connect(), 3600, 0, SystemClock::instance(), prefix_);
  InflightOptions options{.ttl = 5s, .renew_every = 1s, .poll = 20ms};
  RedisInflightRegistry reg_a(connect(), options, prefix_);
  RedisInflightRegistry reg_b(connect(), options, prefix_);
  const std::string key = "sha|sphinx|en-us|auto|transcribe";

  std::atomic<int> engine_calls{0};
  std::atomic<bool> a_started{false}, release_a{false};
  // The contract of InflightRegistry: work = "look in the cache, else transcribe and store".
  auto work_for = [&](RedisTranscriptCache& cache, bool slow) {
    return [&, slow] {
      if (auto hit = cache.get(key)) return *hit;
      ++engine_calls;
      if (slow) {
        a_started = true;
        while (!release_a) std::this_thread::sleep_for(5ms);
      }
      auto t = sample("only once");
      cache.put(key, t, 1);
      return t;
    };
  };
  InflightRegistry::Outcome out_a, out_b;
  std::thread ta([&] { out_a = reg_a.run(key, work_for(cache_a, true)); });
  ASSERT_TRUE(tgscribe::testing::eventually([&] { return a_started.load(); }));
  std::thread tb([&] { out_b = reg_b.run(key, work_for(cache_b, false)); });
  std::this_thread::sleep_for(100ms);  // let B reach the lock; correctness does not depend on it
  release_a = true;
  ta.join();
  tb.join();
  EXPECT_EQ(engine_calls.load(), 1);
  EXPECT_EQ(out_a.transcript.text(), "only once");
  EXPECT_EQ(out_b.transcript.text(), "only once");
  EXPECT_FALSE(out_a.joined);
  EXPECT_TRUE(out_b.joined);
}

TEST_F(RedisInflightTest, AWaiterOfAFailedInstanceTranscribesItself) {
  RedisTranscriptCache cache_b(connect(), 3600, 0, SystemClock::instance(), prefix_);
  InflightOptions options{.ttl = 5s, .renew_every = 1s, .poll = 20ms};
  RedisInflightRegistry reg_a(connect(), options, prefix_);
  RedisInflightRegistry reg_b(connect(), options, prefix_);
  RedisInflightLock observer(connect(), prefix_);
  const std::string key = "sha|groq|whisper|auto|transcribe";
  std::atomic<int> engine_calls{0};
  std::atomic<bool> release_a{false};
  std::atomic<bool> a_failed{false};
  std::thread ta([&] {
    try {
      reg_a.run(key, [&]() -> transcript::Transcript {
        ++engine_calls;
        while (!release_a) std::this_thread::sleep_for(5ms);
        throw Error(ErrorKind::kCancelled, "A's user cancelled");
      });
    } catch (const Error& e) {
      a_failed = e.kind() == ErrorKind::kCancelled;
    }
  });
  ASSERT_TRUE(tgscribe::testing::eventually([&] { return engine_calls == 1; }));
  InflightRegistry::Outcome out_b;
  std::thread tb([&] {
    out_b = reg_b.run(key, [&] {
      if (auto hit = cache_b.get(key)) return *hit;  // A stored nothing
      ++engine_calls;
      return sample("B's own run");
    });
  });
  std::this_thread::sleep_for(100ms);  // B polls A's lock meanwhile
  release_a = true;
  ta.join();
  tb.join();
  EXPECT_TRUE(a_failed);
  EXPECT_EQ(engine_calls.load(), 2);
  EXPECT_EQ(out_b.transcript.text(), "B's own run");
  EXPECT_FALSE(observer.held(key));
}

TEST_F(RedisInflightTest, ALocalWaiterOfAFailedLeaderTakesTheLockItself) {
  InflightOptions options{.ttl = 5s, .renew_every = 1s, .poll = 20ms};
  RedisInflightRegistry reg(connect(), options, prefix_);
  RedisInflightLock observer(connect(), prefix_);
  std::atomic<int> calls{0};
  std::atomic<bool> release{false};
  std::thread leader([&] {
    EXPECT_THROW(reg.run("k",
                         [&]() -> transcript::Transcript {
                           ++calls;
                           while (!release) std::this_thread::sleep_for(5ms);
                           throw Error(ErrorKind::kServer, "engine down");
                         }),
                 Error);
  });
  ASSERT_TRUE(tgscribe::testing::eventually([&] { return calls == 1; }));
  std::atomic<bool> held_while_working{false};
  InflightRegistry::Outcome out;
  std::thread joiner([&] {
    out = reg.run("k", [&] {
      ++calls;
      held_while_working = observer.held("k");
      return sample("the joiner's");
    });
  });
  std::this_thread::sleep_for(100ms);  // the joiner waits in-process, not on the lock
  release = true;
  leader.join();
  joiner.join();
  EXPECT_EQ(calls.load(), 2);
  EXPECT_EQ(out.transcript.text(), "the joiner's");
  EXPECT_TRUE(held_while_working);
  EXPECT_FALSE(observer.held("k"));
}

TEST_F(RedisInflightTest, AWaitersCancelEndsOnlyItsOwnWait) {
  InflightOptions options{.ttl = 5s, .renew_every = 1s, .poll = 20ms};
  RedisInflightRegistry reg_a(connect(), options, prefix_);
  RedisInflightRegistry reg_b(connect(), options, prefix_);
  RedisInflightLock observer(connect(), prefix_);
  std::atomic<bool> a_started{false}, release_a{false}, cancel_b{false};
  InflightRegistry::Outcome out_a;
  std::thread ta([&] {
    out_a = reg_a.run("k", [&] {
      a_started = true;
      while (!release_a) std::this_thread::sleep_for(5ms);
      return sample("A's");
    });
  });
  ASSERT_TRUE(tgscribe::testing::eventually([&] { return a_started.load(); }));
  std::atomic<bool> b_cancelled{false}, b_worked{false};
  std::thread tb([&] {
    try {
      reg_b.run(
          "k",
          [&] {
            b_worked = true;
            return sample("B's");
          },
          [&] { return cancel_b.load(); });
    } catch (const Error& e) {
      b_cancelled = e.kind() == ErrorKind::kCancelled;
    }
  });
  std::this_thread::sleep_for(100ms);
  cancel_b = true;
  tb.join();  // while A still holds the lock
  EXPECT_TRUE(b_cancelled);
  EXPECT_FALSE(b_worked);
  EXPECT_TRUE(observer.held("k"));
  release_a = true;
  ta.join();
  EXPECT_EQ(out_a.transcript.text(), "A's");
  EXPECT_FALSE(out_a.joined);
}

TEST_F(RedisInflightTest, TheLockIsRenewedWhileWorking) {
  InflightOptions options{.ttl = 1000ms, .renew_every = 100ms, .poll = 20ms};
  RedisInflightRegistry reg(connect(), options, prefix_);
  RedisInflightLock observer(connect(), prefix_);
  bool held_at_end = false;
  reg.run("long-job", [&] {
    std::this_thread::sleep_for(2500ms);  // well past the 1 s ttl
    held_at_end = observer.held("long-job");
    return sample("done");
  });
  EXPECT_TRUE(held_at_end) << "the lock expired while its owner was still working";
  EXPECT_FALSE(observer.held("long-job")) << "released after the work";
}

TEST_F(RedisInflightTest, ErrorsReachTheCallerAndFreeTheLock) {
  RedisInflightRegistry reg(connect(), {}, prefix_);
  RedisInflightLock observer(connect(), prefix_);
  EXPECT_THROW(
      reg.run("k", []() -> transcript::Transcript { throw std::runtime_error("engine down"); }),
      std::runtime_error);
  EXPECT_FALSE(observer.held("k"));
}

TEST_F(RedisInflightTest, WorksWithoutRedis) {
  RedisServer own;
  RedisInflightRegistry reg(
      RedisConnection::open(own.url(), RedisOptions{.reconnect_deadline = 50ms}), {}, prefix_);
  own.stop();
  auto out = reg.run("k", [] { return sample("uncoordinated"); });
  EXPECT_EQ(out.transcript.text(), "uncoordinated");
}

}  // namespace
}  // namespace tgscribe::store
