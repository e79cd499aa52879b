#pragma once
// What one engine request costs: each engine's billing rule (a minimum per request, whole
// seconds), the operator's price per audio hour (ENGINE_PRICE_<ENGINE>), and the record a
// metered request leaves (engine::MeteredTranscriber) for whoever keeps the accounts. The
// engine layer knows nothing of stores, so a UsageSink is how records leave it.
#include <cstdint>
#include <string>

#include "config/config.h"

namespace tgscribe::engine {

struct BillingRule {
  double min_billed_s = 0;   // a request shorter than this is billed as this long
  double granularity_s = 0;  // billed time is rounded up to a multiple of this (0: exact)
  double usd_per_hour = 0;   // price per billed audio hour
};

// The rule for engine `name` (groq, openai, deepgram, sphinx; anything else costs nothing):
//   groq      10 s minimum per request (FACTS.md), per second beyond it
//   openai    per second (whisper-1 is priced per minute and billed by the second)
//   deepgram  per second of pre-recorded audio
//   sphinx    runs here: no bill
// Prices come from ENGINE_PRICE_GROQ / _OPENAI / _DEEPGRAM.
BillingRule billing_rule(const std::string& name, const config::Config& config);

// Seconds the engine bills for one request carrying `audio_s` seconds of audio. Nothing sent,
// nothing billed: a request of 0 s is 0.
double billed_seconds(const BillingRule& rule, double audio_s);
// Estimated USD for `billed_s` billed seconds.
double cost_usd(const BillingRule& rule, double billed_s);

// One request that an engine answered (failed requests are not billed, so not recorded).
struct UsageRecord {
  int64_t user_id = 0;  // whose job it was (0: none, e.g. the command line)
  std::string engine;   // caps().name
  std::string model;
  double audio_s = 0;   // seconds of audio sent
  double billed_s = 0;  // what the engine's rule bills for them
  int64_t bytes = 0;    // request body (0 for embedded engines)
  int64_t tokens = 0;   // LLM tokens (summaries, translation); 0 for speech-to-text
  double cost_usd = 0;
};

class UsageSink {
 public:
  virtual ~UsageSink() = default;
  // Called from engine worker threads; must not throw (accounting never fails a job).
  virtual void record(const UsageRecord& record) noexcept = 0;
};

}  // namespace tgscribe::engine
