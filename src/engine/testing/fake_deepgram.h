#pragma once
// A fake Deepgram /v1/listen server on 127.0.0.1: checks `Authorization: Token <key>`, the
// query (model, smart_format, utterances, detect_language|language, mip_opt_out, diarize), an
// audio Content-Type and that the raw body is real media; records every request; answers with
// utterances/paragraphs/words generated from a configurable text, or scripted failures. With
// diarize=true, like the real API, every word, utterance and paragraph names its speaker
// (0-based) and paragraphs follow speaker turns.
#include <memory>
#include <string>
#include <vector>

#include "engine/deepgram_transcriber.h"
#include "engine/testing/fake_reply.h"

namespace tgscribe::engine::testing {

struct FakeDeepgramOptions {
  std::string api_key = "test-deepgram-key";
  std::string text = "Hello from the fake engine. This is a test.";
  std::string detected_language = "en";
  bool utterances = true;  // false: answer without results.utterances (paragraphs only)
  // diarize=true: generated segments (sentences) take turns among this many speakers;
  // scripted segments keep their own Segment::speaker (1-based) when they name one.
  int speakers = 2;
};

class FakeDeepgram {
 public:
  explicit FakeDeepgram(FakeDeepgramOptions options = {});
  ~FakeDeepgram();

  void start();
  // Base URL to configure (DEEPGRAM_API_URL): "http://127.0.0.1:<port>".
  std::string url() const;
  // Client settings that reach this fake with the key it expects.
  DeepgramSettings settings() const;
  std::vector<FakeRequest> requests() const;
  void script_next(FakeReply reply);
  void set_responder(FakeScript::Responder responder);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace tgscribe::engine::testing
