#include "engine/retrying_transcriber.h"

#include <gtest/gtest.h>

#include <atomic>

#include "common/metrics.h"
#include "common/testing/manual_clock.h"
#include "engine/openai_compatible_transcriber.h"
#include "engine/testing/fake_openai.h"
#include "engine/testing/test_audio.h"
#include "http/curl_http_client.h"
#include "media/media_error.h"
#include "media/media_info.h"

namespace tgscribe::engine {
namespace {

using std::chrono::milliseconds;
using testing::FakeOpenAi;
using testing::FakeReply;
using tgscribe::testing::ManualClock;

class RetryingTranscriberTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fake.start();
    OpenAiCompatibleSettings s;
    s.name = "groq";
    s.base_url = fake.url();
    s.api_key = "test-openai-key";
    s.model = "whisper-large-v3-turbo";
    s.timeout = milliseconds(2000);
    inner =
        std::make_shared<OpenAiCompatibleTranscriber>(s, std::make_shared<http::CurlHttpClient>());
    audio.path = testing::voice_note();
    audio.filename = "voice.oga";
    audio.content_type = "audio/ogg";
    audio.info = media::probe_file(audio.path, {});
  }
  RetryingTranscriber make(int max_retries) {
    RetryPolicy p;
    p.max_retries = max_retries;
    p.base_delay = milliseconds(1000);
    p.max_delay = milliseconds(8000);
    return RetryingTranscriber(inner, p, clock, /*seed=*/42);
  }

  FakeOpenAi fake;
  std::shared_ptr<Transcriber> inner;
  AudioFile audio;
  ManualClock clock;
};

TEST_F(RetryingTranscriberTest, HonoursRetryAfterOn429) {
  fake.script_next(FakeReply::error(429, "7"));
  auto retrying = make(3);
  auto t = retrying.transcribe(audio, {});
  EXPECT_FALSE(t.segments.empty());
  EXPECT_EQ(fake.requests().size(), 2u);
  EXPECT_EQ(clock.slept(), milliseconds(7000));
}

TEST_F(RetryingTranscriberTest, HonoursRateLimitResetHeaderWithoutRetryAfter) {
  FakeReply r = FakeReply::error(429);
  r.headers["x-ratelimit-reset-requests"] = "2.5s";
  r.headers["x-ratelimit-reset-tokens"] = "120ms";
  fake.script_next(r);
  auto retrying = make(3);
  retrying.transcribe(audio, {});
  EXPECT_EQ(fake.requests().size(), 2u);
  EXPECT_EQ(clock.slept(), milliseconds(2500));
}

TEST_F(RetryingTranscriberTest, BacksOffExponentiallyWithJitterOn5xxAndDrops) {
  fake.script_next(FakeReply::error(503));
  fake.script_next(FakeReply::drop());
  fake.script_next(FakeReply::error(500));
  auto retrying = make(3);
  auto t = retrying.transcribe(audio, {});
  EXPECT_FALSE(t.segments.empty());
  EXPECT_EQ(fake.requests().size(), 4u);
  // Waits of [0.5,1] s, [1,2] s and [2,4] s.
  EXPECT_GE(clock.slept(), milliseconds(3500));
  EXPECT_LE(clock.slept(), milliseconds(7000));
}

TEST_F(RetryingTranscriberTest, BackoffDelaysGrowAndStayUnderTheCap) {
  auto retrying = make(10);
  Error e(ErrorKind::kServer, "x");
  for (int retry = 0; retry < 8; ++retry) {
    auto d = retrying.delay_for(retry, e);
    int64_t full = std::min<int64_t>(8000, 1000LL << retry);
    EXPECT_GE(d.count(), full / 2) << retry;
    EXPECT_LE(d.count(), full) << retry;
  }
  EXPECT_EQ(retrying.delay_for(0, Error(ErrorKind::kRateLimited, "x", milliseconds(1234))),
            milliseconds(1234));
}

TEST_F(RetryingTranscriberTest, ClientErrorsAreNotRetried) {
  fake.script_next(FakeReply::error(400));
  auto retrying = make(3);
  EXPECT_THROW(retrying.transcribe(audio, {}), Error);
  EXPECT_EQ(fake.requests().size(), 1u);
  EXPECT_EQ(clock.slept(), milliseconds(0));
}

TEST_F(RetryingTranscriberTest, GivesUpAfterMaxRetries) {
  for (int i = 0; i < 3; ++i) fake.script_next(FakeReply::error(502));
  auto retrying = make(2);
  const metrics::Labels labels = {{"engine", retrying.caps().name}, {"kind", "server"}};
  const double errors_before =
      metrics::Registry::global().counter_value("engine_errors_total", labels);
  try {
    retrying.transcribe(audio, {});
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kServer);
  }
  EXPECT_EQ(fake.requests().size(), 3u);
  // Each failed request is counted for /metrics.
  EXPECT_EQ(metrics::Registry::global().counter_value("engine_errors_total", labels),
            errors_before + 3);
}

TEST_F(RetryingTranscriberTest, DoesNotWaitForAFarAwayReset) {
  fake.script_next(FakeReply::error(429, "3600"));  // daily quota: fall back instead
  auto retrying = make(3);
  try {
    retrying.transcribe(audio, {});
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kRateLimited);
  }
  EXPECT_EQ(fake.requests().size(), 1u);
  EXPECT_EQ(clock.slept(), milliseconds(0));
}

TEST_F(RetryingTranscriberTest, CancellationInterruptsTheWait) {
  fake.script_next(FakeReply::error(429, "60"));
  auto retrying = make(3);
  std::atomic<bool> cancel{false};
  clock.on_sleep = [&] { cancel = true; };
  TranscribeOptions o;
  o.cancelled = [&] { return cancel.load(); };
  try {
    retrying.transcribe(audio, o);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kCancelled);
  }
  EXPECT_LT(clock.slept(), milliseconds(60'000));
  EXPECT_EQ(fake.requests().size(), 1u);
}

// An engine that refuses its input the way the embedded engine does (it decodes the file).
class RejectingTranscriber : public Transcriber {
 public:
  const EngineCaps& caps() const override { return caps_; }
  transcript::Transcript transcribe(const AudioFile&, const TranscribeOptions&) override {
    ++calls;
    throw media::MediaRejected(media::RejectReason::kCorrupt, "truncated or corrupt media");
  }
  int calls = 0;

 private:
  EngineCaps caps_{.name = "rejecting-engine"};
};

// A refused input is a tgscribe::Error now (kind kMediaRejected): it must still pass through
// untouched, as when it was not an Error: not retried, no wait, not an engine error.
TEST(RetryingTranscriberRejection, RefusedMediaIsNeitherRetriedNorCounted) {
  auto inner = std::make_shared<RejectingTranscriber>();
  ManualClock clock;
  RetryPolicy p;
  p.max_retries = 3;
  RetryingTranscriber retrying(inner, p, clock, /*seed=*/1);
  try {
    retrying.transcribe(AudioFile{}, {});
    ADD_FAILURE() << "no exception";
  } catch (const media::MediaRejected& e) {
    EXPECT_EQ(e.reason(), media::RejectReason::kCorrupt);
  }
  EXPECT_EQ(inner->calls, 1);
  EXPECT_EQ(clock.slept(), milliseconds(0));
  EXPECT_EQ(
      metrics::Registry::global().counter_value(
          "engine_errors_total", {{"engine", "rejecting-engine"}, {"kind", "media_rejected"}}),
      0);
}

}  // namespace
}  // namespace tgscribe::engine
