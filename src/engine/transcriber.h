#pragma once
// The one interface every speech-to-text engine implements: cloud (OpenAI-compatible,
// Deepgram) and embedded (PocketSphinx). Upload planning, chunking, retries and fallback sit
// outside it, so each engine only turns one audio file into one transcript.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "media/media_info.h"
#include "transcript/transcript.h"

namespace tgscribe::engine {

struct AudioFile {
  std::filesystem::path path;  // the bytes to send (or to decode, for embedded engines)
  std::string filename;        // the name the engine sees, e.g. "voice.ogg"
  std::string content_type;    // e.g. "audio/ogg"
  media::MediaInfo info;
};

// What an engine's HTTP answer said about its rate limits, handed to whoever paces requests
// (engine/pacer.h): the status and the x-ratelimit-* / retry-after headers, names lower-cased.
struct EngineResponse {
  long status = 0;
  std::vector<std::pair<std::string, std::string>> rate_headers;
};

struct TranscribeOptions {
  std::string language;    // ISO 639-1, empty = auto-detect
  bool translate = false;  // translate to English (engines that support it)
  std::string prompt;
  bool word_timestamps = false;
  // Tell speakers apart (Deepgram diarize=true); engines that cannot ignore it.
  bool diarize = false;
  std::function<bool()> cancelled;       // optional: polled at safe points
  std::function<void(double)> progress;  // optional: 0..1 within this file
  // optional: called with every HTTP answer of a cloud engine (2xx or not), before the
  // transcript is parsed or the error thrown.
  std::function<void(const EngineResponse&)> on_response;
  // optional: the request's name across claims of its job ("<job>/<piece>") and the job's
  // admission time (unix ms): its place in the engine's rate-limit line (engine/pacer.h).
  std::string pacing_ticket;
  int64_t pacing_order_ms = 0;
  int64_t user_id = 0;  // whose job this request serves (usage accounting, engine/billing.h)
};

struct EngineCaps {
  std::string name;     // "groq", "openai", "deepgram", "sphinx"
  std::string model;    // "whisper-large-v3-turbo", ...
  bool uploads = true;  // false: the engine decodes the file itself (embedded)
  int64_t max_upload_bytes = 25'000'000;
  std::vector<std::string> accepted_extensions;  // lower case, no dot
  double min_billed_s = 0;                       // chunks shorter than this cost as much as this
  int max_concurrency = 4;                       // parallel requests per engine
  bool supports_translate = false;
};

class Transcriber {
 public:
  virtual ~Transcriber() = default;
  virtual const EngineCaps& caps() const = 0;
  // Times in the result are relative to the start of `audio`. Throws tgscribe::Error
  // (kind decides retry/fallback; kMediaRejected, thrown as media::MediaRejected, for bad input).
  virtual transcript::Transcript transcribe(const AudioFile& audio,
                                            const TranscribeOptions& options) = 0;
};

}  // namespace tgscribe::engine
