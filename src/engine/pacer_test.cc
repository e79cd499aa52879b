// The pacer on a manual clock (waits take no real time), and through the real client against
// the fake Groq enforcing its limits.
#include "engine/pacer.h"

#include <gtest/gtest.h>

#include "common/testing/manual_clock.h"
#include "engine/openai_compatible_transcriber.h"
#include "engine/paced_transcriber.h"
#include "engine/rate_limit_headers.h"
#include "engine/testing/fake_openai.h"
#include "engine/testing/test_audio.h"
#include "http/curl_http_client.h"
#include "media/media_info.h"

namespace tgscribe::engine {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using tgscribe::testing::ManualClock;

PacerLimits limits(int64_t rpm, int64_t audio_per_hour, seconds max_wait = seconds(600)) {
  PacerLimits l;
  l.engine = "groq";
  l.requests_per_minute = rpm;
  l.audio_seconds_per_hour = audio_per_hour;
  l.min_billed_s = 10;
  l.max_wait = max_wait;
  return l;
}

int64_t elapsed_ms(const ManualClock& clock, int64_t start) { return clock.unix_ms() - start; }

TEST(PacerTest, RequestsBeyondThePerMinuteLimitWaitForTheWindow) {
  ManualClock clock;
  Pacer p(limits(3, 0), std::make_shared<MemoryRateBudget>(), clock);
  const int64_t t0 = clock.unix_ms();
  for (int i = 0; i < 3; ++i) p.acquire(5);
  EXPECT_EQ(elapsed_ms(clock, t0), 0) << "three requests fit the minute";
  p.acquire(5);
  // The first request leaves the window after a minute plus the safety margin.
  EXPECT_EQ(elapsed_ms(clock, t0), 61'000);
}

TEST(PacerTest, ShortRequestsCostTheBillingMinimum) {
  ManualClock clock;
  Pacer p(limits(0, 30), std::make_shared<MemoryRateBudget>(), clock);
  EXPECT_EQ(p.billed_ms(2.5), 10'000);
  EXPECT_EQ(p.billed_ms(12.25), 12'250);
  const int64_t t0 = clock.unix_ms();
  for (int i = 0; i < 3; ++i) p.acquire(2);  // 3 x 10 billed seconds = the hour's 30
  EXPECT_EQ(elapsed_ms(clock, t0), 0);
  EXPECT_EQ(p.estimate(2), milliseconds(3'601'000));
}

TEST(PacerTest, AWaitLongerThanTheLimitIsDeferredWithItsLength) {
  ManualClock clock;
  Pacer p(limits(0, 30, seconds(60)), std::make_shared<MemoryRateBudget>(), clock);
  p.acquire(30);
  const int64_t t0 = clock.unix_ms();
  try {
    p.acquire(10);
    FAIL() << "granted over the hourly budget";
  } catch (const PacingDeferred& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kRateLimited);
    EXPECT_EQ(e.wait(), milliseconds(3'601'000));
  }
  EXPECT_EQ(elapsed_ms(clock, t0), 0) << "a long wait is not sat out";
  // The deferred request left the line: an estimate now is just the window, nobody ahead.
  EXPECT_EQ(p.estimate(10), milliseconds(3'601'000));
}

TEST(PacerTest, ADeferredJobKeepsItsShareUntilItComesBack) {
  ManualClock clock;
  auto budget = std::make_shared<MemoryRateBudget>();
  Pacer p(limits(0, 30, seconds(60)), budget, clock);
  p.acquire(25, {}, "job-a/groq", 1);
  // Job b needs 20 s: not before job a's request leaves the hour. b goes back to the queue.
  std::chrono::milliseconds wait{0};
  try {
    p.acquire(20, {}, "job-b/groq", 2);
    FAIL() << "granted over the hourly budget";
  } catch (const PacingDeferred& e) {
    wait = e.wait();
  }
  // Job c, admitted later, asks while b waits in the queue: it is scheduled behind b instead
  // of taking the share b will come back for (which would defer b again).
  clock.advance(std::chrono::minutes(30));
  EXPECT_THROW(p.acquire(20, {}, "job-c/groq", 3), PacingDeferred);
  clock.advance(wait - std::chrono::minutes(30));
  EXPECT_NO_THROW(p.acquire(20, {}, "job-b/groq", 2));
}

TEST(PacerTest, A429StopsEveryRequestUntilItsRetryAfter) {
  ManualClock clock;
  auto budget = std::make_shared<MemoryRateBudget>();
  Pacer p(limits(20, 7200), budget, clock);
  Pacer other_worker(limits(20, 7200), budget, clock);  // same engine, same budget
  p.observe(EngineResponse{429, {{"retry-after", "7"}}});
  const int64_t t0 = clock.unix_ms();
  other_worker.acquire(5);
  EXPECT_EQ(elapsed_ms(clock, t0), 7'000);
}

TEST(PacerTest, LearnsTheRemainingAudioBudgetFromTheHeaders) {
  ManualClock clock;
  Pacer p(limits(20, 7200), std::make_shared<MemoryRateBudget>(), clock);
  // Another client of the same organisation spent most of the hour: 12 s are left, for 20 s.
  p.observe(EngineResponse{200,
                           {{"x-ratelimit-limit-audio-seconds", "7200"},
                            {"x-ratelimit-remaining-audio-seconds", "12"},
                            {"x-ratelimit-reset-audio-seconds", "20s"}}});
  const int64_t t0 = clock.unix_ms();
  p.acquire(11);  // fits the 12
  EXPECT_EQ(elapsed_ms(clock, t0), 0);
  p.acquire(11);  // does not: waits for the reset
  EXPECT_EQ(elapsed_ms(clock, t0), 20'000);
}

TEST(PacerTest, ASpentFamilyBlocksUntilItsReset) {
  ManualClock clock;
  Pacer p(limits(20, 7200), std::make_shared<MemoryRateBudget>(), clock);
  p.observe(EngineResponse{
      200, {{"x-ratelimit-remaining-tokens", "0"}, {"x-ratelimit-reset-tokens", "2m3.5s"}}});
  const int64_t t0 = clock.unix_ms();
  p.acquire(1);
  EXPECT_EQ(elapsed_ms(clock, t0), 123'500);
}

TEST(PacerTest, ACancelledWaiterStopsAndLeavesTheLine) {
  ManualClock clock;
  auto budget = std::make_shared<MemoryRateBudget>();
  Pacer p(limits(1, 0), budget, clock);
  p.acquire(1);
  int polls = 0;
  try {
    p.acquire(1, [&] { return ++polls > 3; });
    FAIL() << "not cancelled";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kCancelled);
  }
  // Nobody is left ahead of a new request: it waits only for the window.
  EXPECT_LE(p.estimate(1), milliseconds(61'000));
}

TEST(PacerTest, ParsesGroqStyleHeaders) {
  RateLimitReport r = parse_rate_limit(EngineResponse{429,
                                                      {{"x-ratelimit-limit-requests", "2000"},
                                                       {"x-ratelimit-remaining-requests", "1987"},
                                                       {"x-ratelimit-reset-requests", "2m59.56s"},
                                                       {"retry-after", "12"}}},
                                       1'750'000'000'000);
  ASSERT_EQ(r.families.size(), 1u);
  EXPECT_EQ(r.families[0].name, "requests");
  EXPECT_EQ(r.families[0].limit, 2000);
  EXPECT_EQ(r.families[0].remaining, 1987);
  EXPECT_EQ(r.families[0].reset, milliseconds(179'560));
  EXPECT_EQ(r.retry_after, milliseconds(12'000));
}

TEST(PacerTest, ConfiguredLimitsPerEngine) {
  config::Config c;
  PacerLimits g = pacer_limits(c, "groq", 10);
  EXPECT_EQ(g.requests_per_minute, 20);
  EXPECT_EQ(g.audio_seconds_per_hour, 7200);
  PacerLimits o = pacer_limits(c, "openai", 0);
  EXPECT_EQ(o.requests_per_minute, 0);
  EXPECT_EQ(o.audio_seconds_per_hour, 0);
  c.deepgram_rpm = 7;
  EXPECT_EQ(pacer_limits(c, "deepgram", 0).requests_per_minute, 7);
}

// Through the real client and the fake Groq with its limits (2 requests per minute): without
// the pacer the 3rd request is answered 429 with Groq's headers; with it, it is never sent.
class PacedAgainstFakeGroq : public ::testing::Test {
 protected:
  void SetUp() override {
    fake_.start();
    testing::FakeRateLimits l;
    l.requests_per_minute = 2;
    fake_.enforce_rate_limits(l);
    http_ = std::make_shared<http::CurlHttpClient>();
    OpenAiCompatibleSettings s;
    s.name = "groq";
    s.base_url = fake_.url();
    s.api_key = "test-openai-key";
    s.model = "whisper-large-v3-turbo";
    raw_ = std::make_shared<OpenAiCompatibleTranscriber>(s, http_);
    audio_.path = testing::voice_note();
    audio_.filename = "voice.ogg";
    audio_.content_type = "audio/ogg";
    audio_.info = media::probe_file(audio_.path, {});
  }
  testing::FakeOpenAi fake_;
  std::shared_ptr<http::HttpClient> http_;
  std::shared_ptr<Transcriber> raw_;
  AudioFile audio_;
};

TEST_F(PacedAgainstFakeGroq, WithoutThePacerTheThirdRequestIs429WithGroqHeaders) {
  std::vector<EngineResponse> seen;
  TranscribeOptions o;
  o.on_response = [&](const EngineResponse& r) { seen.push_back(r); };
  raw_->transcribe(audio_, o);
  raw_->transcribe(audio_, o);
  try {
    raw_->transcribe(audio_, o);
    FAIL() << "the fake let a 3rd request through";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kRateLimited);
    ASSERT_TRUE(e.retry_after());
    EXPECT_GT(e.retry_after()->count(), 50'000);
  }
  ASSERT_EQ(seen.size(), 3u);
  RateLimitReport last = parse_rate_limit(seen[2], 0);
  EXPECT_EQ(last.status, 429);
  ASSERT_TRUE(last.retry_after);
  bool has_requests = false;
  for (const auto& f : last.families) has_requests |= f.name == "requests" && f.remaining;
  EXPECT_TRUE(has_requests) << "x-ratelimit-*-requests on every answer";
  EXPECT_EQ(fake_.rate_usage().accepted, 2);
  EXPECT_EQ(fake_.rate_usage().refused, 1);
}

TEST_F(PacedAgainstFakeGroq, ThePacerDefersTheThirdInsteadOfSendingIt) {
  PacerLimits l = limits(2, 0, seconds(0));
  PacedTranscriber paced(raw_, std::make_shared<Pacer>(l, std::make_shared<MemoryRateBudget>()));
  paced.transcribe(audio_, {});
  paced.transcribe(audio_, {});
  EXPECT_THROW(paced.transcribe(audio_, {}), PacingDeferred);
  EXPECT_EQ(fake_.rate_usage().accepted, 2);
  EXPECT_EQ(fake_.rate_usage().refused, 0);
  EXPECT_EQ(fake_.requests().size(), 2u);
}

}  // namespace
}  // namespace tgscribe::engine
