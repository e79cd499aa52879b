#include "pipeline/transcription_service.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <mutex>
#include <optional>
#include <stdexcept>

#include "common/error.h"
#include "common/remove_on_exit.h"
#include "common/sha256.h"
#include "common/strings.h"
#include "engine/fallback_chain.h"
#include "media/audio_encoder.h"
#include "media/media_error.h"
#include "media/media_source.h"
#include "media/silence.h"
#include "media/stream_planner.h"
#include "media/upload_planner.h"
#include "pipeline/bounded_parallel.h"
#include "pipeline/job_temp_dir.h"
#include "pipeline/long_media.h"
#include "transcript/chunk_merge.h"
#include "transcript/hallucination_filter.h"

namespace tgscribe::pipeline {
namespace {

// The engines to look under: the configured chain's, unless these engines were not built from
// the configuration (tests' fakes). Then their own, or their transcripts would never be found.
std::vector<EngineId> cache_engines(
    const config::Config& config, const std::vector<std::shared_ptr<engine::Transcriber>>& chain) {
  if (chain.empty()) throw Error(ErrorKind::kInternal, "no transcription engine configured");
  std::vector<EngineId> running;
  for (const auto& e : chain) {
    EngineId id{e->caps().name, e->caps().model};
    if (std::find(running.begin(), running.end(), id) == running.end()) running.push_back(id);
  }
  std::vector<EngineId> configured = configured_engines(config);
  if (running == configured) return configured;
  auto names = [](const std::vector<EngineId>& ids) {
    std::string s;
    for (const auto& id : ids) s += (s.empty() ? "" : " -> ") + id.name + "/" + id.model;
    return s;
  };
  spdlog::warn(
      "engines {} are not the configured chain {}: their transcripts are cached under their own "
      "keys, which an instance without engines does not look under",
      names(running), names(configured));
  return running;
}

// Progress shares: probing and silence detection are quick next to the engines.
constexpr double kProbeShare = 0.02;
constexpr double kConvertShare = 0.08;

}  // namespace

// Everything one transcribe() call shares between engines of the chain and chunk workers.
struct TranscriptionService::Job {
  const Request& request;
  media::MediaInfo info;
  media::MediaLimits limits;
  JobTempDir temp;
  std::optional<std::vector<media::Interval>> silences;  // found once, for every engine
  std::atomic<int64_t> bytes_uploaded{0};
  int chunks = 1;

  std::mutex progress_mutex;
  double last_fraction = 0;  // guarded by progress_mutex; progress never goes backwards
  int chunks_done = 0;       // guarded by progress_mutex
  int chunks_total = 0;      // guarded by progress_mutex

  Job(const Request& r, const std::string& data_dir) : request(r), temp(data_dir) {}

  bool cancelled() const { return request.cancelled && request.cancelled(); }
  void check_cancelled() const {
    if (cancelled()) throw Error(ErrorKind::kCancelled, "cancelled");
  }
  // What every engine request of this job asks; `piece` ("<engine>" or "<engine>/<chunk>")
  // names the request in the engine's pacing line.
  engine::TranscribeOptions engine_options(const std::string& piece) const {
    engine::TranscribeOptions o;
    o.language = normalized_language(request.language);
    o.translate = request.translate;
    o.prompt = request.prompt;
    o.word_timestamps = request.word_timestamps;
    o.diarize = request.diarize;
    o.user_id = request.user_id;  // usage is attributed to the job's user
    o.cancelled = request.cancelled;
    if (!request.pacing_id.empty()) {
      o.pacing_ticket = request.pacing_id + "/" + piece;
      o.pacing_order_ms = request.pacing_order_ms;
    }
    return o;
  }
  // A decode-only pass, once per job whatever needs it (trimming, chunking, skipping).
  void find_silences() {
    if (silences) return;
    report("converting", kProbeShare);
    media::SilenceOptions options;
    options.cancelled = request.cancelled;
    silences = media::find_silences(media::MediaSource::from_path(request.path), options, limits);
    check_cancelled();
  }
  // done/total < 0: unchanged since the last report (chunk counts stay on screen).
  void report(const char* stage, double fraction, int done = -1, int total = -1) {
    if (!request.progress) return;
    std::lock_guard lock(progress_mutex);
    last_fraction = std::max(last_fraction, std::min(1.0, fraction));
    if (total >= 0) chunks_total = total;
    if (done >= 0) chunks_done = done;
    if (last_fraction >= 1) chunks_done = chunks_total;
    request.progress(Progress{stage, last_fraction, chunks_done, chunks_total});
  }
};

TranscriptionService::TranscriptionService(const config::Config& config,
                                           std::vector<std::shared_ptr<engine::Transcriber>> chain,
                                           store::TranscriptCache* cache,
                                           store::InflightRegistry* inflight)
    : config_(config),
      chain_(std::move(chain)),
      cache_(cache_engines(config_, chain_), cache),
      inflight_(inflight) {
  // Media of jobs whose process was killed: no job runs for a day, so these are orphans.
  JobTempDir::sweep_stale(config_.data_dir, std::chrono::hours(24));
}

std::string TranscriptionService::content_key(const std::string& sha256,
                                              const Request& request) const {
  return cache_.primary_key(sha256, request.language, request.translate, request.diarize);
}

Result TranscriptionService::transcribe(const Request& request) {
  Job job(request, config_.data_dir);
  job.report("probing", 0);
  job.limits = media::MediaLimits{static_cast<int64_t>(config_.max_file_size_mb * 1e6),
                                  config_.max_duration_s};
  Result result;
  result.info = media::probe_file(request.path, job.limits);
  job.info = result.info;

  const bool caching = cache_.enabled() && request.use_cache;
  if (caching || inflight_) {
    result.sha256 = request.sha256.empty() ? sha256_file(request.path.string()) : request.sha256;
  }
  if (caching) {
    cache_.remember_file(request.file_unique_id, result.sha256, request.user_id);
    if (auto hit = cache_.lookup_content(result.sha256, request.language, request.translate,
                                         request.diarize)) {
      result.transcript = std::move(*hit);
      result.cache_hit = true;
      job.report("transcribing", 1);
      return result;
    }
  }
  job.report("probing", kProbeShare);

  if (inflight_) {
    bool produced = false;
    auto outcome = inflight_->run(
        content_key(result.sha256, request),
        [&] {
          // The run this one waited for (on another instance, say) may have just stored it.
          if (caching) {
            if (auto hit = cache_.lookup_content(result.sha256, request.language, request.translate,
                                                 request.diarize)) {
              return std::move(*hit);
            }
          }
          produced = true;
          return produce(job, result.sha256, caching);
        },
        request.cancelled);
    result.transcript = std::move(outcome.transcript);
    result.joined = !produced;
  } else {
    result.transcript = produce(job, result.sha256, caching);
  }
  result.chunks = job.chunks;
  result.bytes_uploaded = job.bytes_uploaded.load();
  job.report("transcribing", 1);
  return result;
}

transcript::Transcript TranscriptionService::produce(Job& job, const std::string& sha256,
                                                     bool caching) {
  const Request& request = job.request;
  EngineId producer;
  engine::FallbackChain chain(chain_);
  transcript::Transcript t = chain.run([&](engine::Transcriber& e) {
    job.check_cancelled();
    try {
      transcript::Transcript out = run_engine(e, job);
      producer = {e.caps().name, e.caps().model};
      return out;
    } catch (const std::invalid_argument& bad) {
      // An upload limit or encoder setting this engine cannot work with: let the next one try.
      throw Error(ErrorKind::kInvalidInput, e.caps().name + ": " + bad.what());
    }
  });
  // Whisper invents text over silence and music; drop what its own figures flag.
  transcript::FilterStats dropped;
  t = transcript::filter_hallucinations(t, &dropped);
  if (dropped.dropped > 0) {
    spdlog::info("{}: dropped {} hallucinated segment(s), kept {}", t.engine, dropped.dropped,
                 dropped.kept);
  }
  // Times are true to the original recording, whatever was sent.
  t.duration = job.info.duration_s;
  // Under the key of the engine that made it: a fallback's transcript is not the primary's.
  if (caching) {
    cache_.store(sha256, t, producer, request.language, request.translate, request.user_id,
                 request.diarize);
  }
  return t;
}

transcript::Transcript TranscriptionService::run_engine(engine::Transcriber& engine, Job& job) {
  const engine::EngineCaps& caps = engine.caps();
  media::UploadTarget target;
  target.uploads = caps.uploads;
  target.max_upload_bytes = caps.max_upload_bytes;
  target.accepted_extensions = caps.accepted_extensions;
  target.min_billed_s = caps.min_billed_s;
  media::PlannerOptions options;
  options.compression_threshold_bytes =
      static_cast<int64_t>(config_.audio_compression_threshold_mb * 1e6);
  options.bitrate_cap = config_.audio_target_bitrate;
  options.sample_rate = config_.audio_target_sample_rate;
  options.channels = config_.audio_target_channels;

  media::UploadPlan plan = media::plan_upload(job.info, target, options);
  if (auto streamed = run_long_media(engine, job, target, options, plan)) {
    return std::move(*streamed);
  }
  if (plan.kind != media::PlanKind::kPassThrough && plan.kind != media::PlanKind::kRemux) {
    // Re-encoding or chunking: find the silences first (once per job), so that silence is
    // trimmed or skipped and chunks are cut where nobody speaks.
    job.find_silences();
    plan = media::plan_upload(job.info, target, options, *job.silences);
  }
  spdlog::info("{}: upload plan {}: {}", caps.name, media::to_string(plan.kind), plan.reason);

  if (plan.empty) {
    // Only silence: sending it would only invite invented text.
    transcript::Transcript t;
    t.engine = caps.name;
    t.model = caps.model;
    job.chunks = 0;
    return t;
  }
  if (plan.kind == media::PlanKind::kPassThrough) {
    engine::AudioFile audio;
    audio.path = job.request.path;
    std::string stem =
        file_stem(job.request.filename.empty() ? job.request.path.string() : job.request.filename);
    if (stem.empty()) stem = "audio";
    // The name carries the extension of what the bytes really are (.oga -> .ogg).
    audio.filename = stem + "." + plan.format.extension;
    audio.content_type = plan.format.content_type;
    audio.info = job.info;
    engine::TranscribeOptions o = job.engine_options(caps.name);
    o.progress = [&job](double f) {
      job.report("transcribing",
                 kProbeShare + kConvertShare + (1 - kProbeShare - kConvertShare) * f, 0, 1);
    };
    job.chunks = 1;
    job.report("transcribing", kProbeShare + kConvertShare, 0, 1);
    transcript::Transcript t = engine.transcribe(audio, o);
    if (caps.uploads) job.bytes_uploaded += job.info.size_bytes;
    return t;
  }
  return run_pieces(engine, job, plan);
}

std::optional<transcript::Transcript> TranscriptionService::run_long_media(
    engine::Transcriber& engine, Job& job, const media::UploadTarget& target,
    const media::PlannerOptions& planner, const media::UploadPlan& one_shot) {
  const engine::EngineCaps& caps = engine.caps();
  media::StreamOptions so;
  so.skip_silence = config_.skip_silence;
  // Half the engine's requests per minute for one recording (more chunks would wait for the
  // pacer), and without a limit enough to keep every parallel slot busy a few times over.
  const int rpm = caps.name == "groq"       ? config_.groq_rpm
                  : caps.name == "openai"   ? config_.openai_rpm
                  : caps.name == "deepgram" ? config_.deepgram_rpm
                                            : 0;
  so.max_requests = rpm > 0 ? std::clamp(rpm / 2, 2, 4 * std::max(1, caps.max_concurrency))
                            : 4 * std::max(1, caps.max_concurrency);
  media::StreamPlan stream = media::plan_stream(job.info, target, planner, one_shot, so);
  if (stream.decision == media::StreamDecision::kIfSilent) {
    // It would go as it is: worth re-encoding only for a good share of silence, which a
    // decode-only pass (cheap next to encoding) tells.
    job.find_silences();
    const double skippable = media::skippable_s(*job.silences, stream.cutter);
    if (skippable < so.min_skippable_share * job.info.duration_s) return std::nullopt;
    stream.reason += fmt::format("; {:.0f} s of silence to leave out", skippable);
  } else if (stream.decision == media::StreamDecision::kNo) {
    return std::nullopt;
  }
  spdlog::info("{}: upload plan streamed chunks: {}", caps.name, stream.reason);

  LongMediaJob lj;
  lj.path = job.request.path;
  lj.stem =
      file_stem(job.request.filename.empty() ? job.request.path.string() : job.request.filename);
  if (lj.stem.empty()) lj.stem = "audio";
  lj.info = job.info;
  lj.limits = job.limits;
  lj.temp = &job.temp;
  lj.cancelled = job.request.cancelled;
  lj.options = [&job, &caps](size_t i) {
    engine::TranscribeOptions o = job.engine_options(caps.name + "/" + std::to_string(i));
    o.cancelled = nullptr;  // the chunk scheduler sets its own stop
    return o;
  };
  lj.progress = [&job](int done, int total, double share) {
    job.report("transcribing", kProbeShare + (1 - kProbeShare) * share, done, total);
  };
  job.report("converting", kProbeShare, 0, 0);
  LongMediaResult r = transcribe_long_media(engine, stream, lj);
  job.chunks = r.chunks;
  job.bytes_uploaded += r.bytes_uploaded;
  return std::move(r.transcript);
}

transcript::Transcript TranscriptionService::run_pieces(engine::Transcriber& engine, Job& job,
                                                        const media::UploadPlan& plan) {
  const engine::EngineCaps& caps = engine.caps();
  const size_t n = plan.pieces.size();
  job.chunks = static_cast<int>(n);
  std::vector<transcript::Chunk> results(n);
  std::atomic<int> done{0};
  const double base = kProbeShare + kConvertShare;
  job.report("transcribing", base, 0, static_cast<int>(n));

  BoundedParallel parallel(caps.max_concurrency);
  auto stop = [&job, &parallel] { return parallel.stopped() || job.cancelled(); };
  parallel.run(n, [&](size_t i) {
    const media::UploadPiece& piece = plan.pieces[i];
    if (stop()) throw Error(ErrorKind::kCancelled, "cancelled");
    std::string name = "piece-" + caps.name + "-" + std::to_string(i) + "." + plan.format.extension;
    std::filesystem::path file = job.temp.file(name);
    media::EncodeOptions encode = plan.encode;
    encode.start_s = piece.start_s;
    encode.end_s = piece.end_s;
    encode.cancelled = stop;
    // Remove the piece as soon as it is sent, whatever happens: audio is kept only as long
    // as needed, and hours of chunks would otherwise pile up in DATA_DIR.
    RemoveOnExit piece_file(file);
    const media::MediaSource source = media::MediaSource::from_path(job.request.path);
    media::EncodeResult encoded;
    if (plan.kind == media::PlanKind::kRemux) {
      try {
        // The same Opus packets in a container the engine takes: nothing lost, nothing decoded.
        encoded = media::remux_audio(source, file, plan.encode.container, job.limits);
      } catch (const Error& e) {
        // Refused media would be refused by the encoder too: no second try.
        if (e.kind() == ErrorKind::kCancelled || e.kind() == ErrorKind::kMediaRejected) throw;
        spdlog::info("{}: remux failed ({}), re-encoding instead", caps.name, e.what());
        encoded = media::encode_audio(source, file, encode, job.limits);
      }
    } else {
      encoded = media::encode_audio(source, file, encode, job.limits);
    }

    engine::AudioFile audio;
    audio.path = file;
    std::string stem =
        file_stem(job.request.filename.empty() ? job.request.path.string() : job.request.filename);
    audio.filename = (stem.empty() ? std::string("audio") : stem) +
                     (n > 1 ? "-" + std::to_string(i + 1) : std::string()) + "." +
                     plan.format.extension;
    audio.content_type = plan.format.content_type;
    audio.info = job.info;
    audio.info.duration_s = encoded.duration_s;
    audio.info.size_bytes = encoded.bytes;
    audio.info.audio_codec = media::to_string(encode.codec);
    audio.info.sample_rate = encode.sample_rate;
    audio.info.channels = encode.channels;
    audio.info.has_video = false;

    engine::TranscribeOptions o = job.engine_options(caps.name + "/" + std::to_string(i));
    o.cancelled = stop;
    results[i].offset = piece.start_s;
    results[i].duration = piece.end_s - piece.start_s;
    results[i].transcript = engine.transcribe(audio, o);
    job.bytes_uploaded += encoded.bytes;
    int finished = ++done;
    job.report("transcribing", base + (1 - base) * finished / static_cast<double>(n), finished,
               static_cast<int>(n));
  });
  job.check_cancelled();
  transcript::Transcript merged = transcript::merge_chunks(results);
  merged.engine = caps.name;
  merged.model = caps.model;
  return merged;
}

}  // namespace tgscribe::pipeline
