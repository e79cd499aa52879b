#pragma once
// One client for every server speaking OpenAI's /audio/transcriptions protocol: Groq, OpenAI,
// and self-hosted Whisper servers (whisper.cpp server, speaches, LocalAI).
#include <chrono>
#include <memory>
#include <string>

#include "engine/transcriber.h"
#include "http/http_client.h"

namespace tgscribe::engine {

struct OpenAiCompatibleSettings {
  std::string name = "openai";  // "groq", "openai": shown in logs, errors and transcripts
  std::string base_url;         // e.g. "https://api.groq.com/openai/v1" (no trailing slash needed)
  std::string api_key;          // empty: no Authorization header (self-hosted servers)
  std::string model;
  int64_t max_upload_bytes = 25'000'000;
  std::vector<std::string> accepted_extensions;  // empty: the defaults of `name`
  double min_billed_s = 0;
  int max_concurrency = 4;
  std::chrono::milliseconds timeout{300'000};  // one request, plus the upload time below
  // Upload time granted over `timeout`: size / this (0: none). A stalled upload fails early.
  int64_t min_upload_rate_bytes_per_s = 0;
  http::StallLimit stall;
  // Model for /audio/translations; empty: `model`, except Groq's turbo model, which has no
  // translation task, where whisper-large-v3 (same service, same key) is used.
  std::string translate_model;
};

// Caps of the known services: groq takes ogg and bills at least 10 s per request; OpenAI does
// not take ogg (so the planner picks webm); whisper-large-v3-turbo cannot translate, so Groq
// translations use whisper-large-v3.
EngineCaps openai_compatible_caps(const OpenAiCompatibleSettings& settings);
// The model used for /audio/translations (see OpenAiCompatibleSettings::translate_model).
std::string translation_model(const OpenAiCompatibleSettings& settings);

class OpenAiCompatibleTranscriber : public Transcriber {
 public:
  OpenAiCompatibleTranscriber(OpenAiCompatibleSettings settings,
                              std::shared_ptr<http::HttpClient> http);
  const EngineCaps& caps() const override { return caps_; }
  // POSTs the file as multipart (streamed from disk) and maps verbose_json to a Transcript.
  transcript::Transcript transcribe(const AudioFile& audio,
                                    const TranscribeOptions& options) override;

 private:
  OpenAiCompatibleSettings settings_;
  EngineCaps caps_;
  std::shared_ptr<http::HttpClient> http_;
};

// Maps an OpenAI verbose_json (or plain json {"text"}) answer; exposed for tests.
// Throws tgscribe::Error(kServer) when the body is not such an answer.
transcript::Transcript parse_openai_transcription(const std::string& body);

}  // namespace tgscribe::engine
