#pragma once
// The streaming path for long media (media/stream_planner.h): the file is decoded once; the
// decoder's PCM is cut at pauses as it comes (media::SpeechCutter, long silences optionally
// left out); chunks are encoded on every core and each is sent to the engine as soon as it is
// ready, in parallel up to the engine's limit, while later ones are still being decoded and
// encoded (ChunkScheduler); the transcripts are put back on the original clock and merged in
// order. Memory: the PCM of at most a few chunks; disk: at most that many encoded chunks, each
// removed once sent or dropped.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>

#include "engine/transcriber.h"
#include "media/media_info.h"
#include "media/stream_planner.h"
#include "pipeline/job_temp_dir.h"
#include "transcript/transcript.h"

namespace tgscribe::pipeline {

struct LongMediaJob {
  std::filesystem::path path;
  std::string stem;  // upload names: <stem>-<n>.<ext>
  media::MediaInfo info;
  media::MediaLimits limits;
  JobTempDir* temp = nullptr;
  std::function<bool()> cancelled;
  // The request options of chunk `index` (language, prompt, pacing ticket...); the pipeline
  // sets `cancelled`.
  std::function<engine::TranscribeOptions(size_t index)> options;
  // After each chunk is transcribed: chunks done, chunks known so far, share of the original
  // recording transcribed (0..1).
  std::function<void(int done, int total, double share)> progress;
  int encode_workers = 0;  // 0: one per core
};

struct LongMediaResult {
  transcript::Transcript transcript;  // on the original clock
  int chunks = 0;
  int64_t bytes_uploaded = 0;
  double sent_s = 0;     // audio sent (what the engine bills, before its per-request minimum)
  double skipped_s = 0;  // silence left out
};

// Throws like Transcriber::transcribe (the first chunk's failure), media::MediaRejected, or
// Error(kCancelled).
LongMediaResult transcribe_long_media(engine::Transcriber& engine, const media::StreamPlan& plan,
                                      const LongMediaJob& job);

}  // namespace tgscribe::pipeline
