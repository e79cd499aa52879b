#include "engine/billing.h"

#include <gtest/gtest.h>

#include <fstream>
#include <mutex>
#include <vector>

#include "common/error.h"
#include "engine/metered_transcriber.h"
#include "engine/retrying_transcriber.h"
#include "support/test_util.h"

namespace tgscribe::engine {
namespace {

TEST(BillingRules, GroqBillsTenSecondsAtLeastThenWholeSeconds) {
  config::Config c;
  BillingRule groq = billing_rule("groq", c);
  EXPECT_DOUBLE_EQ(billed_seconds(groq, 0.4), 10);
  EXPECT_DOUBLE_EQ(billed_seconds(groq, 3), 10);
  EXPECT_DOUBLE_EQ(billed_seconds(groq, 10), 10);
  EXPECT_DOUBLE_EQ(billed_seconds(groq, 10.2), 11);
  EXPECT_DOUBLE_EQ(billed_seconds(groq, 59.5), 60);
  EXPECT_DOUBLE_EQ(billed_seconds(groq, 0), 0);  // nothing sent, nothing billed
}

TEST(BillingRules, OpenAiAndDeepgramBillPerSecond) {
  config::Config c;
  for (const char* name : {"openai", "deepgram"}) {
    SCOPED_TRACE(name);
    BillingRule r = billing_rule(name, c);
    EXPECT_DOUBLE_EQ(billed_seconds(r, 0.3), 1);
    EXPECT_DOUBLE_EQ(billed_seconds(r, 3), 3);
    EXPECT_DOUBLE_EQ(billed_seconds(r, 3.01), 4);
    EXPECT_DOUBLE_EQ(billed_seconds(r, 0), 0);
  }
  // A float sum that is one second by intent is not billed as two.
  EXPECT_DOUBLE_EQ(billed_seconds(billing_rule("openai", c), 0.1 + 0.2 + 0.7), 1);
}

TEST(BillingRules, EmbeddedAndUnknownEnginesCostNothing) {
  config::Config c;
  for (const char* name : {"sphinx", "whatever"}) {
    BillingRule r = billing_rule(name, c);
    EXPECT_DOUBLE_EQ(cost_usd(r, billed_seconds(r, 3600)), 0);
  }
}

TEST(BillingRules, CostFromTheListPricesAndTheOperatorsOverride) {
  config::Config c;
  // One billed hour at the defaults (FACTS.md / list prices).
  EXPECT_NEAR(cost_usd(billing_rule("groq", c), 3600), 0.04, 1e-12);
  EXPECT_NEAR(cost_usd(billing_rule("openai", c), 3600), 0.36, 1e-12);    // $0.006/min
  EXPECT_NEAR(cost_usd(billing_rule("deepgram", c), 60), 0.0043, 1e-12);  // $0.0043/min
  c.engine_price_groq = 0.111;
  EXPECT_NEAR(cost_usd(billing_rule("groq", c), 1800), 0.0555, 1e-12);
  // Groq's minimum costs what it bills: a 1 s voice note is 10 s of the price.
  BillingRule groq = billing_rule("groq", c);
  EXPECT_NEAR(cost_usd(groq, billed_seconds(groq, 1)), 0.111 * 10 / 3600, 1e-12);
}

// An engine that answers (or fails `failures` times first), without any remote service.
class ScriptedEngine : public Transcriber {
 public:
  ScriptedEngine(std::string name, bool uploads) {
    caps_.name = std::move(name);
    caps_.model = "m";
    caps_.uploads = uploads;
  }
  const EngineCaps& caps() const override { return caps_; }
  transcript::Transcript transcribe(const AudioFile&, const TranscribeOptions&) override {
    ++calls;
    if (failures > 0) {
      --failures;
      throw Error(ErrorKind::kServer, "502 from the engine");
    }
    transcript::Transcript t;
    t.language = "ok";
    return t;
  }
  int calls = 0;
  int failures = 0;

 private:
  EngineCaps caps_;
};

class RecordingSink : public UsageSink {
 public:
  void record(const UsageRecord& r) noexcept override {
    std::lock_guard lock(mutex);
    records.push_back(r);
  }
  std::mutex mutex;
  std::vector<UsageRecord> records;
};

AudioFile audio_of(const std::filesystem::path& path, double seconds, int64_t bytes) {
  { std::ofstream(path, std::ios::binary) << std::string(static_cast<size_t>(bytes), 'x'); }
  AudioFile a;
  a.path = path;
  a.filename = "a.ogg";
  a.info.duration_s = seconds;
  a.info.size_bytes = 999'999;  // the original's size: not what was sent
  return a;
}

TEST(MeteredTranscriber, RecordsEachAnsweredRequestForTheJobsUser) {
  tgscribe::testing::TempDir dir;
  config::Config c;
  RecordingSink sink;
  auto inner = std::make_shared<ScriptedEngine>("groq", true);
  MeteredTranscriber metered(inner, billing_rule("groq", c), sink);
  TranscribeOptions o;
  o.user_id = 4242;
  EXPECT_EQ(metered.transcribe(audio_of(dir / "a.ogg", 4.5, 1234), o).language, "ok");
  o.user_id = 7;
  metered.transcribe(audio_of(dir / "b.ogg", 61.2, 50'000), o);

  ASSERT_EQ(sink.records.size(), 2u);
  const UsageRecord& a = sink.records[0];
  EXPECT_EQ(a.user_id, 4242);
  EXPECT_EQ(a.engine, "groq");
  EXPECT_EQ(a.model, "m");
  EXPECT_DOUBLE_EQ(a.audio_s, 4.5);
  EXPECT_DOUBLE_EQ(a.billed_s, 10);
  EXPECT_EQ(a.bytes, 1234);  // the file as sent
  EXPECT_NEAR(a.cost_usd, 0.04 * 10 / 3600, 1e-12);
  EXPECT_EQ(sink.records[1].user_id, 7);
  EXPECT_DOUBLE_EQ(sink.records[1].billed_s, 62);
  EXPECT_EQ(sink.records[1].bytes, 50'000);
}

TEST(MeteredTranscriber, FailedRequestsAreNotBilledAndRetriesCountOnce) {
  tgscribe::testing::TempDir dir;
  config::Config c;
  RecordingSink sink;
  auto inner = std::make_shared<ScriptedEngine>("openai", true);
  inner->failures = 2;
  RetryPolicy policy;
  policy.max_retries = 3;
  policy.base_delay = std::chrono::milliseconds(1);
  auto retrying = std::make_shared<RetryingTranscriber>(inner, policy);
  MeteredTranscriber metered(retrying, billing_rule("openai", c), sink);
  metered.transcribe(audio_of(dir / "a.webm", 3.2, 10), {});
  EXPECT_EQ(inner->calls, 3);
  ASSERT_EQ(sink.records.size(), 1u);
  EXPECT_DOUBLE_EQ(sink.records[0].billed_s, 4);

  inner->failures = 100;
  EXPECT_THROW(metered.transcribe(audio_of(dir / "b.webm", 3.2, 10), {}), Error);
  EXPECT_EQ(sink.records.size(), 1u);
}

TEST(MeteredTranscriber, EmbeddedEngineUploadsNothingAndCostsNothing) {
  tgscribe::testing::TempDir dir;
  config::Config c;
  RecordingSink sink;
  auto chain = metered({std::make_shared<ScriptedEngine>("sphinx", false)}, c, sink);
  ASSERT_EQ(chain.size(), 1u);
  EXPECT_EQ(chain[0]->caps().name, "sphinx");
  chain[0]->transcribe(audio_of(dir / "a.wav", 30, 100), {});
  ASSERT_EQ(sink.records.size(), 1u);
  EXPECT_DOUBLE_EQ(sink.records[0].audio_s, 30);
  EXPECT_EQ(sink.records[0].bytes, 0);
  EXPECT_DOUBLE_EQ(sink.records[0].cost_usd, 0);
}

}  // namespace
}  // namespace tgscribe::engine
