#pragma once
// A fake Groq/OpenAI /audio/transcriptions + /audio/translations server on 127.0.0.1. It checks
// every request the way the real services do (Bearer key, multipart fields, file extension,
// size limit, real media inside) and records it; answers are verbose_json generated from a
// configurable text over the upload's real (probed) duration, or scripted: slow answers, 429
// with Retry-After, 5xx, dropped connections.
#include <memory>
#include <string>
#include <vector>

#include "engine/testing/fake_reply.h"

namespace tgscribe::engine::testing {

struct FakeOpenAiOptions {
  std::string api_key = "test-openai-key";  // empty: no Authorization expected (self-hosted)
  int64_t max_upload_bytes = 25'000'000;
  // Groq's list; OpenAI's lacks "ogg".
  std::vector<std::string> accepted_extensions = {"flac", "mp3", "mp4", "mpeg", "mpga",
                                                  "m4a",  "ogg", "wav", "webm"};
  std::string text = "Hello from the fake engine. This is a test.";
  std::string language_name = "english";  // Whisper answers names, not codes
  // A pause at least this long ends a span of FakeRequest::speech (a real engine starts a new
  // segment at much shorter pauses than the 1 s default).
  double speech_min_silence_s = 1.0;
  // false: only the upload's duration is probed, FakeRequest::speech stays empty. Benches set
  // it: decoding every upload would take CPU from the program measured on the same cores.
  bool inspect_speech = true;
};

// Groq's rate limits, enforced like the real service (per organization = per fake): at most
// `requests_per_minute` requests in any 60 s and `audio_seconds_per_hour` billed audio seconds
// (each request billed max(duration, min_billed_s), duration probed from the upload) in any
// hour. Beyond them: 429 with Retry-After (whole seconds) and an OpenAI-style error body. Every
// answer carries x-ratelimit-{limit,remaining,reset}-requests (per day, as Groq documents it)
// and -audio-seconds (per hour). 0 = no limit.
struct FakeRateLimits {
  int64_t requests_per_minute = 20;
  int64_t requests_per_day = 2000;
  int64_t audio_seconds_per_hour = 7200;
  double min_billed_s = 10;
};

// What the limit model counted: requests it let through, 429s it answered, and the billed
// audio seconds of the requests it let through.
struct FakeRateUsage {
  int accepted = 0;
  int refused = 0;
  double billed_audio_s = 0;
};

class FakeOpenAi {
 public:
  explicit FakeOpenAi(FakeOpenAiOptions options = {});
  ~FakeOpenAi();

  void start();
  // Base URL to configure (GROQ_API_URL / OPENAI_API_URL): "http://127.0.0.1:<port>/v1".
  std::string url() const;
  std::vector<FakeRequest> requests() const;
  // Queues the answer for the next request (FIFO); unscripted requests get a transcript.
  void script_next(FakeReply reply);
  void set_responder(FakeScript::Responder responder);
  void set_text(const std::string& text);
  // Enforces `limits` from now on (windows start empty).
  void enforce_rate_limits(FakeRateLimits limits);
  FakeRateUsage rate_usage() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace tgscribe::engine::testing
