#pragma once
// The one path from a local media file to a transcript, shared by `tgscribe transcribe` and
// the bot's workers: probe -> cache lookup by content -> upload plan -> engine chain ->
// clean-up -> cache store.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "config/config.h"
#include "engine/transcriber.h"
#include "media/media_info.h"
#include "store/transcript_cache.h"
#include "transcript/transcript.h"

namespace tgscribe::media {
struct UploadPlan;
}

namespace tgscribe::pipeline {

struct Progress {
  std::string stage;    // "probing", "converting", "transcribing"
  double fraction = 0;  // 0..1 over the whole job
  int chunks_done = 0;
  int chunks_total = 0;
};

struct Request {
  std::filesystem::path path;  // the media on local disk
  std::string filename;        // the original name (extension and output file names)
  std::string language;        // ISO 639-1; "" or "auto" = detect
  bool translate = false;
  std::string prompt;
  bool word_timestamps = false;
  std::string sha256;  // content hash when already known (computed while downloading)
  bool use_cache = true;
  int64_t user_id = 0;  // owner of the cache entries (for /forget)
  std::function<bool()> cancelled;
  std::function<void(const Progress&)> progress;
};

struct Result {
  transcript::Transcript transcript;
  media::MediaInfo info;
  bool cache_hit = false;
  int chunks = 1;
  int64_t bytes_uploaded = 0;
  std::string sha256;
};

class TranscriptionService {
 public:
  // `chain`: primary engine first, then the fallbacks. `cache` may be null (no caching).
  TranscriptionService(const config::Config& config,
                       std::vector<std::shared_ptr<engine::Transcriber>> chain,
                       store::TranscriptCache* cache);

  // Throws media::MediaRejected (input refused) or tgscribe::Error (engines failed).
  Result transcribe(const Request& request);

  const std::vector<std::shared_ptr<engine::Transcriber>>& engines() const { return chain_; }
  // Content key of a request for the primary engine (what the cache is keyed by).
  std::string content_key(const std::string& sha256, const Request& request) const;

 private:
  struct Job;  // per-call state: temp dir, silences, progress, counters
  transcript::Transcript run_engine(engine::Transcriber& engine, Job& job);
  transcript::Transcript run_pieces(engine::Transcriber& engine, Job& job,
                                    const media::UploadPlan& plan);

  const config::Config& config_;
  std::vector<std::shared_ptr<engine::Transcriber>> chain_;
  store::TranscriptCache* cache_;
};

}  // namespace tgscribe::pipeline
