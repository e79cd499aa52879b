#pragma once
// Deepgram's pre-recorded API (/v1/listen): the raw file is the request body, the answer is
// mapped from utterances (or paragraphs, or words) to the common segments model.
#include <chrono>
#include <memory>
#include <string>

#include "engine/transcriber.h"
#include "http/http_client.h"

namespace tgscribe::engine {

struct DeepgramSettings {
  std::string base_url = "https://api.deepgram.com";
  std::string api_key;
  std::string model = "nova-3";
  int64_t max_upload_bytes = 2'000'000'000;
  int max_concurrency = 4;
  bool mip_opt_out = true;  // keep users' audio out of Deepgram's model-improvement programme
  std::chrono::milliseconds timeout{600'000};  // one request, plus the upload time below
  // Upload time granted over `timeout`: size / this (0: none). A stalled upload fails early.
  int64_t min_upload_rate_bytes_per_s = 0;
  http::StallLimit stall;
};

class DeepgramTranscriber : public Transcriber {
 public:
  DeepgramTranscriber(DeepgramSettings settings, std::shared_ptr<http::HttpClient> http);
  const EngineCaps& caps() const override { return caps_; }
  transcript::Transcript transcribe(const AudioFile& audio,
                                    const TranscribeOptions& options) override;
  // The /v1/listen URL with its query for these options; exposed for tests.
  std::string listen_url(const TranscribeOptions& options) const;

 private:
  DeepgramSettings settings_;
  EngineCaps caps_;
  std::shared_ptr<http::HttpClient> http_;
};

// Maps a /v1/listen answer; exposed for tests. Throws tgscribe::Error(kServer) when the body
// is not such an answer.
transcript::Transcript parse_deepgram_response(const std::string& body);

}  // namespace tgscribe::engine
