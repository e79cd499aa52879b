#include "store/inflight.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "common/error.h"
#include "support/test_util.h"

namespace tgscribe::store {
namespace {

using tgscribe::testing::eventually;

transcript::Transcript transcript_of(const std::string& text) {
  transcript::Transcript t;
  t.engine = "sphinx";
  t.segments.push_back({0, 1, text});
  return t;
}

// Runs `callers` threads on the same key while the first caller's work is held open, and
// releases it only once every other caller is waiting on it.
struct Crowd {
  MemoryInflightRegistry registry;
  std::atomic<int> calls{0};
  std::atomic<bool> release{false};

  InflightRegistry::Work work(std::function<transcript::Transcript()> result) {
    return [this, result] {
      ++calls;
      while (!release) std::this_thread::yield();
      return result();
    };
  }
};

TEST(MemoryInflightRegistry, ConcurrentCallersShareOneRun) {
  Crowd crowd;
  constexpr int kCallers = 6;
  std::vector<InflightRegistry::Outcome> outcomes(kCallers);
  auto work = crowd.work([] { return transcript_of("shared result"); });
  std::vector<std::thread> threads;
  threads.emplace_back([&] { outcomes[0] = crowd.registry.run("sha|groq", work); });
  ASSERT_TRUE(eventually([&] { return crowd.calls == 1; }));
  for (int i = 1; i < kCallers; ++i) {
    threads.emplace_back([&, i] { outcomes[i] = crowd.registry.run("sha|groq", work); });
  }
  ASSERT_TRUE(eventually([&] { return crowd.registry.waiters("sha|groq") == kCallers - 1; }));
  crowd.release = true;
  for (auto& t : threads) t.join();

  EXPECT_EQ(crowd.calls.load(), 1);
  EXPECT_FALSE(outcomes[0].joined);
  for (int i = 0; i < kCallers; ++i) {
    EXPECT_EQ(outcomes[i].transcript.text(), "shared result") << i;
    if (i > 0) {
      EXPECT_TRUE(outcomes[i].joined) << i;
    }
  }
  EXPECT_EQ(crowd.registry.in_flight(), 0u);
}

// A leader whose work fails (or is cancelled) with `leader_error`, one joiner already waiting
// on it, and the joiner's own work: the joiner runs that work instead of inheriting the error.
void expect_joiner_takes_over(Error leader_error) {
  MemoryInflightRegistry registry;
  std::atomic<int> calls{0};
  std::atomic<bool> release{false};
  std::atomic<bool> leader_threw_its_own{false};
  std::thread leader([&] {
    try {
      registry.run("k", [&]() -> transcript::Transcript {
        ++calls;
        while (!release) std::this_thread::yield();
        throw leader_error;
      });
    } catch (const Error& e) {
      leader_threw_its_own = e.kind() == leader_error.kind();
    }
  });
  ASSERT_TRUE(eventually([&] { return calls == 1; }));
  InflightRegistry::Outcome joiner;
  std::thread waiting([&] {
    joiner = registry.run("k", [&] {
      ++calls;
      return transcript_of("the joiner's own run");
    });
  });
  ASSERT_TRUE(eventually([&] { return registry.waiters("k") == 1; }));
  release = true;
  leader.join();
  waiting.join();
  EXPECT_TRUE(leader_threw_its_own);
  EXPECT_EQ(calls.load(), 2);
  EXPECT_EQ(joiner.transcript.text(), "the joiner's own run");
  EXPECT_FALSE(joiner.joined);  // its own work produced it
  EXPECT_EQ(registry.in_flight(), 0u);
}

TEST(MemoryInflightRegistry, JoinerOfACancelledLeaderRunsItsOwnWork) {
  expect_joiner_takes_over(Error(ErrorKind::kCancelled, "the leader's user cancelled"));
}

TEST(MemoryInflightRegistry, JoinerOfAFailedLeaderContinues) {
  expect_joiner_takes_over(Error(ErrorKind::kServer, "engine answered 503"));
}

TEST(MemoryInflightRegistry, ManyJoinersOfAFailedLeaderRerunOnce) {
  MemoryInflightRegistry registry;
  constexpr int kJoiners = 5;
  std::atomic<int> calls{0};
  std::atomic<bool> release{false};
  std::atomic<int> leader_errors{0};
  std::thread leader([&] {
    try {
      registry.run("k", [&]() -> transcript::Transcript {
        ++calls;
        while (!release) std::this_thread::yield();
        throw Error(ErrorKind::kTimeout, "lease lost");
      });
    } catch (const Error&) {
      ++leader_errors;
    }
  });
  ASSERT_TRUE(eventually([&] { return calls == 1; }));
  std::vector<InflightRegistry::Outcome> outcomes(kJoiners);
  std::vector<std::thread> joiners;
  for (int i = 0; i < kJoiners; ++i) {
    joiners.emplace_back([&, i] {
      outcomes[i] = registry.run("k", [&] {
        ++calls;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        return transcript_of("rerun");
      });
    });
  }
  ASSERT_TRUE(eventually([&] { return registry.waiters("k") == kJoiners; }));
  release = true;
  leader.join();
  for (auto& t : joiners) t.join();
  EXPECT_EQ(leader_errors.load(), 1);
  EXPECT_EQ(calls.load(), 2);  // the leader's failed run and exactly one re-run
  int ran = 0;
  for (const auto& o : outcomes) {
    EXPECT_EQ(o.transcript.text(), "rerun");
    if (!o.joined) ++ran;
  }
  EXPECT_EQ(ran, 1);
  EXPECT_EQ(registry.in_flight(), 0u);
}

TEST(MemoryInflightRegistry, JoinerCancelledWhileWaitingLeavesTheLeaderAlone) {
  MemoryInflightRegistry registry(std::chrono::milliseconds(10));
  std::atomic<int> calls{0};
  std::atomic<bool> release{false};
  auto work = [&] {
    ++calls;
    while (!release) std::this_thread::yield();
    return transcript_of("leader's");
  };
  InflightRegistry::Outcome leader_out;
  std::thread leader([&] { leader_out = registry.run("k", work); });
  ASSERT_TRUE(eventually([&] { return calls == 1; }));
  std::atomic<bool> cancel{false};
  std::atomic<bool> joiner_cancelled{false};
  std::thread joiner([&] {
    try {
      registry.run("k", work, [&] { return cancel.load(); });
    } catch (const Error& e) {
      joiner_cancelled = e.kind() == ErrorKind::kCancelled;
    }
  });
  ASSERT_TRUE(eventually([&] { return registry.waiters("k") == 1; }));
  cancel = true;
  joiner.join();  // returns while the leader still works
  EXPECT_TRUE(joiner_cancelled);
  EXPECT_EQ(registry.waiters("k"), 0);
  EXPECT_EQ(registry.in_flight(), 1u);
  release = true;
  leader.join();
  EXPECT_EQ(leader_out.transcript.text(), "leader's");
  EXPECT_EQ(calls.load(), 1);
}

TEST(MemoryInflightRegistry, AnAlreadyCancelledWaiterLeavesAtOnce) {
  MemoryInflightRegistry registry(std::chrono::milliseconds(10));
  std::atomic<bool> release{false};
  std::atomic<bool> started{false};
  std::thread leader([&] {
    try {
      registry.run("k", [&]() -> transcript::Transcript {
        started = true;
        while (!release) std::this_thread::yield();
        throw Error(ErrorKind::kServer, "down");
      });
    } catch (const Error&) {
    }
  });
  ASSERT_TRUE(eventually([&] { return started.load(); }));
  std::thread joiner([&] {
    // Cancelled already: it leaves at its first look, whatever the leader does meanwhile.
    EXPECT_THROW(registry.run(
                     "k", [] { return transcript_of("never"); }, [] { return true; }),
                 Error);
  });
  joiner.join();
  release = true;
  leader.join();
  EXPECT_EQ(registry.in_flight(), 0u);
  EXPECT_FALSE(registry.run("k", [] { return transcript_of("fresh"); }).joined);
}

TEST(MemoryInflightRegistry, ANestedRunOfTheSameKeyDoesNotWaitForItself) {
  MemoryInflightRegistry registry;
  auto out = registry.run(
      "k", [&] { return registry.run("k", [] { return transcript_of("inner"); }).transcript; });
  EXPECT_EQ(out.transcript.text(), "inner");
  EXPECT_FALSE(out.joined);
  EXPECT_EQ(registry.in_flight(), 0u);
}

TEST(MemoryInflightRegistry, DifferentKeysDoNotWaitForEachOther) {
  Crowd crowd;
  std::thread slow([&] { crowd.registry.run("a", crowd.work([] { return transcript_of("a"); })); });
  ASSERT_TRUE(eventually([&] { return crowd.calls == 1; }));
  auto b = crowd.registry.run("b", [] { return transcript_of("b"); });  // returns at once
  EXPECT_EQ(b.transcript.text(), "b");
  EXPECT_FALSE(b.joined);
  EXPECT_EQ(crowd.registry.in_flight(), 1u);
  crowd.release = true;
  slow.join();
}

TEST(MemoryInflightRegistry, CallerAfterTheRunRunsAgain) {
  MemoryInflightRegistry registry;
  int calls = 0;
  auto work = [&] {
    ++calls;
    return transcript_of("x");
  };
  EXPECT_FALSE(registry.run("k", work).joined);
  EXPECT_FALSE(registry.run("k", work).joined);
  EXPECT_EQ(calls, 2);  // a finished run is the cache's business, not the registry's
}

}  // namespace
}  // namespace tgscribe::store
