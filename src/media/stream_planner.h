#pragma once
// Whether a long recording takes the streaming path (decoded once, cut at pauses while
// decoding, chunks encoded on every core and sent in parallel as they are ready, long silences
// optionally left out) instead of the one-shot plan of upload_planner.h, and how its chunks
// are sized. A pure function: the pipeline runs it per engine.
#include <string>
#include <vector>

#include "media/audio_encoder.h"
#include "media/media_info.h"
#include "media/speech_cutter.h"
#include "media/upload_format.h"
#include "media/upload_planner.h"

namespace tgscribe::media {

struct StreamOptions {
  // Shorter media keeps the one-shot plan: a voice note goes byte for byte, and a few minutes
  // are not worth the CPU of cutting and encoding chunks.
  double min_duration_s = 180;
  // From here on media is split even when it would go as it is: on an engine answering in
  // about audio/200 and ~60x-realtime Opus per core, parallel chunks beat one request.
  double always_split_s = 600;
  bool skip_silence = true;  // SKIP_SILENCE=auto
  // Media in between that would go as it is is re-encoded without its long silences when they
  // add up to at least this share of it (found by a decode-only scan).
  double min_skippable_share = 0.15;
  // Requests per recording: enough to run in parallel, few enough for the engine's request
  // rate (half of Groq's 20 per minute).
  int max_requests = 10;
  double min_chunk_s = 30;    // shorter chunks cost more in per-request overhead than they save
  double first_chunk_s = 60;  // the first upload starts after this much audio is encoded
};

enum class StreamDecision {
  kNo,        // the one-shot plan
  kYes,       // the streaming path
  kIfSilent,  // the streaming path if skippable_s() of a silence scan says so
};

struct StreamPlan {
  StreamDecision decision = StreamDecision::kNo;
  EncodeOptions encode;  // per chunk
  UploadFormat format;
  CutterOptions cutter;
  std::string reason;  // one line for logs
};

// `one_shot`: plan_upload's answer without silences.
StreamPlan plan_stream(const MediaInfo& info, const UploadTarget& target,
                       const PlannerOptions& planner, const UploadPlan& one_shot,
                       const StreamOptions& options);

// Seconds the cutter would leave out of these silences.
double skippable_s(const std::vector<Interval>& silences, const CutterOptions& cutter);

}  // namespace tgscribe::media
