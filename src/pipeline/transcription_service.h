#pragma once
// The one path from a local media file to a transcript, shared by `tgscribe transcribe` and
// the bot's workers: probe -> cache lookup by content -> (coalesced with identical work in
// flight) upload plan -> engine chain -> clean-up -> cache store under the producing engine's
// key. The same work is never done twice: not for a cached file, nor for one being
// transcribed by another job, here or on another instance.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "config/config.h"
#include "engine/transcriber.h"
#include "media/media_info.h"
#include "pipeline/result_cache.h"
#include "store/inflight.h"
#include "store/transcript_cache.h"
#include "transcript/transcript.h"

namespace tgscribe::media {
struct UploadPlan;
struct UploadTarget;
struct PlannerOptions;
}  // namespace tgscribe::media

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
  // Speaker labels (a chat's /speakers on): asked of engines that can tell speakers apart,
  // and part of their cache key (pipeline/result_cache.h).
  bool diarize = false;
  std::string sha256;  // content hash when already known (computed while downloading)
  // Telegram's id of the file, remembered against the content hash (later requests for the
  // same file are answered without a download). Empty: none.
  std::string file_unique_id;
  bool use_cache = true;
  int64_t user_id = 0;  // owner of the cache entries (for /forget)
  std::function<bool()> cancelled;
  std::function<void(const Progress&)> progress;
  // The job's name and admission time: each engine request's place in the engine's
  // rate-limit line, kept across claims (engine/pacer.h). Empty: by arrival.
  std::string pacing_id;
  int64_t pacing_order_ms = 0;
};

struct Result {
  transcript::Transcript transcript;
  media::MediaInfo info;
  bool cache_hit = false;  // found in the cache before any work
  bool joined = false;     // produced by another job's run (in flight meanwhile), not this one
  int chunks = 1;
  int64_t bytes_uploaded = 0;
  std::string sha256;
};

class TranscriptionService {
 public:
  // `chain`: primary engine first, then the fallbacks. `cache` may be null (no caching);
  // `inflight` may be null (no coalescing of identical work).
  TranscriptionService(const config::Config& config,
                       std::vector<std::shared_ptr<engine::Transcriber>> chain,
                       store::TranscriptCache* cache, store::InflightRegistry* inflight = nullptr);

  // Throws tgscribe::Error: kMediaRejected when the input is refused (reject_reason() says
  // why), otherwise the engines failed (kCancelled when request.cancelled turned true, also
  // while waiting for identical work).
  Result transcribe(const Request& request);

  const std::vector<std::shared_ptr<engine::Transcriber>>& engines() const { return chain_; }
  // The cache as this service keys it (file-key lookups before a download).
  ResultCache& result_cache() { return cache_; }
  // Content key of a request for the primary engine (what identical work coalesces on).
  std::string content_key(const std::string& sha256, const Request& request) const;

 private:
  struct Job;  // per-call state: temp dir, silences, progress, counters
  // The engine chain and clean-up, stored under the producing engine's key.
  transcript::Transcript produce(Job& job, const std::string& sha256, bool caching);
  transcript::Transcript run_engine(engine::Transcriber& engine, Job& job);
  // Long media on the streaming path (pipeline/long_media.h), or nullopt for the one-shot plan.
  std::optional<transcript::Transcript> run_long_media(engine::Transcriber& engine, Job& job,
                                                       const media::UploadTarget& target,
                                                       const media::PlannerOptions& planner,
                                                       const media::UploadPlan& one_shot);
  transcript::Transcript run_pieces(engine::Transcriber& engine, Job& job,
                                    const media::UploadPlan& plan);

  const config::Config& config_;
  std::vector<std::shared_ptr<engine::Transcriber>> chain_;
  ResultCache cache_;
  store::InflightRegistry* inflight_;
};

}  // namespace tgscribe::pipeline
