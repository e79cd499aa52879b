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
    if (i > 0) EXPECT_TRUE(outcomes[i].joined) << i;
  }
  EXPECT_EQ(crowd.registry.in_flight(), 0u);
}

TEST(MemoryInflightRegistry, WaitersGetTheSameError) {
  Crowd crowd;
  constexpr int kCallers = 4;
  auto work = crowd.work(
      []() -> transcript::Transcript { throw Error(ErrorKind::kServer, "engine answered 503"); });
  std::atomic<int> errors{0};
  auto call = [&] {
    try {
      crowd.registry.run("k", work);
    } catch (const Error& e) {
      if (e.kind() == ErrorKind::kServer && std::string(e.what()) == "engine answered 503") {
        ++errors;
      }
    }
  };
  std::vector<std::thread> threads;
  threads.emplace_back(call);
  ASSERT_TRUE(eventually([&] { return crowd.calls == 1; }));
  for (int i = 1; i < kCallers; ++i) threads.emplace_back(call);
  ASSERT_TRUE(eventually([&] { return crowd.registry.waiters("k") == kCallers - 1; }));
  crowd.release = true;
  for (auto& t : threads) t.join();
  EXPECT_EQ(crowd.calls.load(), 1);
  EXPECT_EQ(errors.load(), kCallers);
  EXPECT_EQ(crowd.registry.in_flight(), 0u);
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
