#include "pipeline/long_media.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <memory>
#include <mutex>
#include <thread>

#include "common/error.h"
#include "common/remove_on_exit.h"
#include "media/audio_encoder.h"
#include "media/media_source.h"
#include "media/opus_pcm_encoder.h"
#include "media/pcm_decoder.h"
#include "media/speech_cutter.h"
#include "pipeline/chunk_scheduler.h"
#include "transcript/chunk_merge.h"
#include "transcript/time_map.h"

namespace tgscribe::pipeline {
namespace {

// One chunk between the cutter and the engine. Its encoded file goes with it, however the
// chunk ends (sent, failed, or dropped by a stop).
struct ChunkState {
  media::PcmChunk pcm;
  RemoveOnExit file;
  media::EncodeResult encoded;
};

}  // namespace

LongMediaResult transcribe_long_media(engine::Transcriber& engine, const media::StreamPlan& plan,
                                      const LongMediaJob& job) {
  const engine::EngineCaps& caps = engine.caps();
  ChunkScheduler::Options so;
  so.encode_workers = job.encode_workers > 0
                          ? job.encode_workers
                          : std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
  so.send_workers = std::max(1, caps.max_concurrency);
  // Encoded chunks may wait for a free engine slot (small files); PCM waits only for a free
  // core: one chunk being encoded per worker and one ready next, plus the cutter's own two.
  so.max_in_flight = so.encode_workers + 2 * so.send_workers;
  so.max_unencoded = so.encode_workers + 1;
  so.cancelled = job.cancelled;
  // What the workers share: declared before the scheduler, whose destructor joins them.
  const double duration = std::max(1e-3, job.info.duration_s);
  std::atomic<int64_t> bytes{0};
  std::mutex progress_mutex;
  int done = 0;            // guarded by progress_mutex
  double transcribed = 0;  // original seconds, guarded by progress_mutex
  double sent_s = 0;       // guarded by progress_mutex
  ChunkScheduler scheduler(so);
  auto stop = [&scheduler, &job] {
    return scheduler.stopped() || (job.cancelled && job.cancelled());
  };

  media::SpeechCutter cutter(plan.cutter, [&](media::PcmChunk&& chunk) {
    // Only silence: sending it would only invite invented text.
    if (!chunk.has_speech) return;
    auto state = std::make_shared<ChunkState>();
    state->pcm = std::move(chunk);
    const size_t index = scheduler.submitted();
    ChunkWork work;
    work.encode = [state, index, &plan, &job, &caps, stop] {
      state->file = RemoveOnExit(job.temp->file("chunk-" + caps.name + "-" + std::to_string(index) +
                                                "." + plan.format.extension));
      media::EncodeOptions e = plan.encode;
      e.cancelled = stop;
      // Opus through libopus itself: the same file as encode_pcm for a third less CPU in a
      // virtual machine (media/opus_pcm_encoder.h).
      state->encoded = e.codec == media::AudioCodec::kOpus
                           ? media::encode_pcm_opus(state->pcm.pcm, state->file.path(), e)
                           : media::encode_pcm(state->pcm.pcm, state->file.path(), e);
      state->pcm.pcm = {};  // the PCM is the memory that counts: gone once encoded
    };
    work.send = [state, index, &plan, &job, &engine, stop, &bytes, &progress_mutex, &done,
                 &transcribed, &sent_s, duration] {
      engine::AudioFile audio;
      audio.path = state->file.path();
      audio.filename = job.stem + "-" + std::to_string(index + 1) + "." + plan.format.extension;
      audio.content_type = plan.format.content_type;
      audio.info = job.info;
      audio.info.duration_s = state->encoded.duration_s;
      audio.info.size_bytes = state->encoded.bytes;
      audio.info.audio_codec = media::to_string(plan.encode.codec);
      audio.info.sample_rate = plan.encode.sample_rate;
      audio.info.channels = plan.encode.channels;
      audio.info.has_video = false;
      engine::TranscribeOptions o = job.options ? job.options(index) : engine::TranscribeOptions{};
      o.cancelled = stop;
      transcript::Chunk out;
      out.transcript = engine.transcribe(audio, o);
      bytes += state->encoded.bytes;
      std::vector<transcript::KeptSpan> kept;
      for (const auto& k : state->pcm.kept) kept.push_back({k.start_s, k.end_s});
      // The engine's times are on the sent audio's clock; the merge wants them relative to
      // where the chunk starts in the original.
      transcript::map_times(out.transcript, transcript::TimeMap(kept), state->pcm.start_s());
      out.offset = state->pcm.start_s();
      out.duration = state->pcm.end_s() - state->pcm.start_s();
      std::lock_guard lock(progress_mutex);
      ++done;
      transcribed += out.duration;
      sent_s += state->encoded.duration_s;
      if (job.progress) {
        job.progress(done, static_cast<int>(std::max<size_t>(done, index + 1)),
                     std::min(1.0, transcribed / duration));
      }
      return out;
    };
    scheduler.submit(std::move(work));
  });

  media::PcmDecoder decoder(media::MediaSource::from_path(job.path), job.limits,
                            media::PcmFormat{plan.encode.sample_rate, plan.encode.channels});
  // Half a second per read: the cutter's 20 ms windows need no more.
  std::vector<int16_t> buf(static_cast<size_t>(plan.encode.sample_rate / 2) *
                           static_cast<size_t>(plan.encode.channels));
  while (size_t n = decoder.read(buf.data(), buf.size())) {
    if (stop()) break;  // submit() or finish() throws the reason
    cutter.push(buf.data(), n);
  }
  if (!stop()) cutter.finish();
  std::vector<transcript::Chunk> chunks = scheduler.finish();

  LongMediaResult result;
  result.chunks = static_cast<int>(chunks.size());
  result.bytes_uploaded = bytes.load();
  result.sent_s = sent_s;
  result.skipped_s = cutter.skipped_s();
  result.transcript = transcript::merge_chunks(chunks);
  result.transcript.engine = caps.name;
  result.transcript.model = caps.model;
  spdlog::info(
      "{}: {} chunk(s), {:.0f} s of audio sent for {:.0f} s ({:.0f} s of silence left out)",
      caps.name, result.chunks, result.sent_s, job.info.duration_s, result.skipped_s);
  return result;
}

}  // namespace tgscribe::pipeline
