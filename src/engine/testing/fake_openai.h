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

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace tgscribe::engine::testing
