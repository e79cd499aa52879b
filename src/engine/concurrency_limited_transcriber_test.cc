#include "engine/concurrency_limited_transcriber.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "common/error.h"

namespace tgscribe::engine {
namespace {

// An engine that only counts how many calls run at once (no remote service involved).
class CountingEngine : public Transcriber {
 public:
  explicit CountingEngine(int max_concurrency) { caps_.max_concurrency = max_concurrency; }
  const EngineCaps& caps() const override { return caps_; }
  transcript::Transcript transcribe(const AudioFile&, const TranscribeOptions&) override {
    int now = ++running;
    int seen = peak.load();
    while (now > seen && !peak.compare_exchange_weak(seen, now)) {
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    --running;
    ++calls;
    return {};
  }
  std::atomic<int> running{0}, peak{0}, calls{0};

 private:
  EngineCaps caps_;
};

TEST(ConcurrencyLimitedTranscriber, NeverExceedsTheEngineLimitAcrossThreads) {
  auto inner = std::make_shared<CountingEngine>(2);
  ConcurrencyLimitedTranscriber limited(inner);
  std::vector<std::thread> threads;
  for (int t = 0; t < 6; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 3; ++i) limited.transcribe({}, {});
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(inner->calls.load(), 18);
  EXPECT_LE(inner->peak.load(), 2);
  EXPECT_EQ(inner->peak.load(), 2);
  EXPECT_EQ(limited.in_flight(), 0);
}

TEST(ConcurrencyLimitedTranscriber, CancelledWaiterGivesUp) {
  class Blocking : public Transcriber {
   public:
    Blocking() { caps_.max_concurrency = 1; }
    const EngineCaps& caps() const override { return caps_; }
    transcript::Transcript transcribe(const AudioFile&, const TranscribeOptions&) override {
      while (!release) std::this_thread::sleep_for(std::chrono::milliseconds(5));
      return {};
    }
    std::atomic<bool> release{false};
    EngineCaps caps_;
  };
  auto inner = std::make_shared<Blocking>();
  ConcurrencyLimitedTranscriber limited(inner);
  std::thread holder([&] { limited.transcribe({}, {}); });
  while (limited.in_flight() == 0) std::this_thread::sleep_for(std::chrono::milliseconds(2));
  TranscribeOptions o;
  o.cancelled = [] { return true; };
  try {
    limited.transcribe({}, o);
    ADD_FAILURE() << "should not get a slot";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kCancelled);
  }
  inner->release = true;
  holder.join();
  EXPECT_EQ(limited.in_flight(), 0);
}

}  // namespace
}  // namespace tgscribe::engine
