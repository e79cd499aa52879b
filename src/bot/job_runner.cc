#include "bot/job_runner.h"

#include <spdlog/spdlog.h>

#include <condition_variable>
#include <filesystem>
#include <stop_token>
#include <thread>

#include "bot/bot_metrics.h"
#include "bot/job_payload.h"
#include "bot/status_reporter.h"
#include "common/sha256.h"
#include "common/strings.h"
#include "media/media_error.h"
#include "telegram/api_error.h"

namespace tgscribe::bot {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;
using Steady = std::chrono::steady_clock;

double seconds_since(Steady::time_point t) {
  return std::chrono::duration<double>(Steady::now() - t).count();
}

// Where the job stands, for the user's message when it fails.
enum class Stage { kDownload, kTranscribe, kDeliver };

// Thrown at a safe point when the job must stop (user cancel, shutdown, lease lost).
struct Stop {};

Msg reject_message(media::RejectReason r) {
  switch (r) {
    case media::RejectReason::kEmpty:
      return Msg::kRejectEmpty;
    case media::RejectReason::kNotMedia:
      return Msg::kRejectNotMedia;
    case media::RejectReason::kNoAudio:
      return Msg::kRejectNoAudio;
    case media::RejectReason::kCorrupt:
      return Msg::kRejectCorrupt;
    case media::RejectReason::kTooLong:
      return Msg::kRejectTooLong;
    case media::RejectReason::kTooLarge:
      return Msg::kRejectTooLarge;
    case media::RejectReason::kBlocked:
      return Msg::kRejectBlocked;
    case media::RejectReason::kUnsupported:
      return Msg::kRejectUnsupported;
  }
  return Msg::kRejectCorrupt;
}

// A name with the right extension for the engine and the prober: voice notes are Opus in
// Ogg (Telegram's .oga, which Groq refuses: .ogg is the same bytes).
std::string media_filename(const telegram::MediaRef& m) {
  if (!m.file_name.empty()) return m.file_name;
  switch (m.kind) {
    case telegram::MediaKind::kVoice:
      return "voice.ogg";
    case telegram::MediaKind::kVideoNote:
      return "video_note.mp4";
    case telegram::MediaKind::kVideo:
      return "video.mp4";
    case telegram::MediaKind::kAudio:
      return "audio.mp3";
    case telegram::MediaKind::kDocument:
      return "media";
  }
  return "media";
}

// Keeps a running job alive and visible while the worker thread is busy: heartbeats the
// lease, sends "typing", and notices a cancel request from /cancel (possibly made on another
// instance) so the worker can stop at its next safe point.
class JobWatch {
 public:
  JobWatch(BotEnv& env, const store::Job& job, const JobPayload& p, const std::string& worker,
           milliseconds tick)
      : thread_([this, &env, job_id = job.id, chat = p.chat_id, thread = p.thread_id, worker,
                 tick](std::stop_token st) {
          milliseconds lease(std::max(1, env.config.queue_lease_s) * 1000);
          auto next_beat = Steady::now();
          auto next_typing = Steady::now();
          std::mutex m;
          std::condition_variable_any cv;
          while (!st.stop_requested()) {
            auto now = Steady::now();
            if (now >= next_typing) {
              env.sender.send_chat_action(chat, "typing", thread);
              next_typing = now + milliseconds(4500);  // an action shows for ~5 s
            }
            if (now >= next_beat) {
              try {
                if (!env.queue.heartbeat(job_id, worker, lease)) lost_ = true;
                auto j = env.queue.get(job_id);
                if (j && j->cancel_requested) cancel_ = true;
              } catch (const std::exception& e) {
                spdlog::warn("job {}: heartbeat failed: {}", short_id(job_id), e.what());
              }
              next_beat = now + std::min(lease / 3, tick * 2);
            }
            std::unique_lock lock(m);
            cv.wait_for(lock, st, tick, [] { return false; });
          }
        }) {}

  bool cancel_requested() const { return cancel_; }
  bool lost() const { return lost_; }

 private:
  std::atomic<bool> cancel_{false};
  std::atomic<bool> lost_{false};
  std::jthread thread_;  // last: stops and joins before the flags go away
};

}  // namespace

JobRunner::JobRunner(BotEnv& env, Delivery& delivery, RetryPolicy policy)
    : env_(env), delivery_(delivery), policy_(policy) {}

milliseconds JobRunner::next_retry_delay(int attempts, std::optional<milliseconds> after,
                                         bool* retry) {
  std::lock_guard lock(rng_mutex_);
  auto d = policy_.delay(attempts, after, rng_);
  *retry = d.has_value();
  return d.value_or(milliseconds(0));
}

void JobRunner::run(const store::Job& job, const std::string& worker_id,
                    const std::atomic<bool>& abandon) {
  const std::string sid = short_id(job.id);
  const auto t0 = Steady::now();
  JobPayload p;
  try {
    p = payload_from_json(job.payload);
  } catch (const std::exception& e) {
    spdlog::error("job {}: {}", sid, e.what());
    env_.queue.mark_failed(job.id, e.what(), false, 0);
    metrics::count_job("failed");
    return;
  }
  double wait_s = std::max<int64_t>(0, job.started_ms - job.created_ms) / 1000.0;
  if (job.attempts <= 1) metrics::observe_wait(wait_s);
  spdlog::info("job {}: claimed by {} (attempt {}, waited {:.1f} s)", sid, worker_id, job.attempts,
               wait_s);

  Lang lang = lang_for(p.user_lang);
  // The status message id may still be on its way (intake stores it after the enqueue).
  auto status_id = std::make_shared<std::atomic<int64_t>>(p.status_message_id);
  auto edit = [this, &p, status_id, id = job.id](const std::string& text) {
    if (*status_id == 0) {
      if (auto j = env_.queue.get(id)) *status_id = payload_from_json(j->payload).status_message_id;
    }
    if (*status_id == 0) return;
    telegram::EditMessageTextParams e;
    e.chat_id = p.chat_id;
    e.message_id = *status_id;
    e.text = text;
    env_.sender.edit_message_text(std::move(e));
  };
  // The status message was sent (or last edited) just before: start the interval from now.
  StatusReporter status(env_.clock, std::chrono::seconds(env_.config.status_edit_interval_s), edit,
                        "\x01");
  auto say = [&](Msg m) { return tr(lang, m, fmt::arg("id", sid)); };

  JobWatch watch(env_, job, p, worker_id, tick_);
  auto stopping = [&] { return abandon.load() || watch.cancel_requested() || watch.lost(); };
  auto checkpoint = [&] {
    if (stopping()) throw Stop{};
  };

  fs::path tmp_dir = fs::path(env_.config.data_dir) / "tmp";
  fs::path media_path = tmp_dir / ("job-" + job.id + "." +
                                   (file_extension(media_filename(p.media)).empty()
                                        ? std::string("bin")
                                        : file_extension(media_filename(p.media))));
  struct Cleanup {
    fs::path path;
    ~Cleanup() {
      std::error_code ec;
      fs::remove(path, ec);
    }
  } cleanup{media_path};

  Stage stage = Stage::kDownload;
  try {
    if (!env_.pipeline) throw Error(ErrorKind::kInternal, "no transcription pipeline");
    checkpoint();
    // 1. Download, hashing while the bytes arrive.
    status.update(say(Msg::kStatusDownloading));
    fs::create_directories(tmp_dir);
    Sha256 hasher;
    auto td = Steady::now();
    int64_t bytes = env_.api.download_file(p.media.file_id, media_path, [&](std::string_view c) {
      hasher.update(c);
      return !stopping();
    });
    checkpoint();
    std::string sha = hasher.hex_digest();
    spdlog::info("job {}: downloaded {} bytes in {:.2f} s", sid, bytes, seconds_since(td));
    if (env_.cache && !p.media.file_unique_id.empty()) {
      env_.cache->put_file(p.media.file_unique_id, sha, p.user_id);
    }

    // 2. Transcribe (the pipeline answers from the content cache when it can), joining an
    // identical file already in progress.
    stage = Stage::kTranscribe;
    pipeline::Request req;
    req.path = media_path;
    req.filename = media_filename(p.media);
    req.language = p.language;
    req.sha256 = sha;
    req.use_cache = env_.cache != nullptr;
    req.user_id = p.user_id;
    req.cancelled = stopping;
    req.progress = [&](const pipeline::Progress& pr) {
      if (pr.stage == "transcribing") {
        int pct = static_cast<int>(pr.fraction * 100);
        status.update(pct > 0 && pct < 100 ? tr(lang, Msg::kStatusTranscribingPercent,
                                                fmt::arg("id", sid), fmt::arg("percent", pct))
                                           : say(Msg::kStatusTranscribing));
      } else {
        status.update(say(Msg::kStatusConverting));
      }
    };
    auto tt = Steady::now();
    pipeline::Result result;
    bool joined = false;
    if (env_.inflight) {
      auto outcome = env_.inflight->run(env_.pipeline->content_key(sha, req), [&] {
        result = env_.pipeline->transcribe(req);
        return result.transcript;
      });
      joined = outcome.joined;
      if (joined) result.transcript = std::move(outcome.transcript);
    } else {
      result = env_.pipeline->transcribe(req);
    }
    const transcript::Transcript& t = result.transcript;
    if (joined || result.cache_hit) {
      spdlog::info("job {}: transcript of {:.0f} s of audio from {} in {:.2f} s", sid, t.duration,
                   joined ? "a running identical job" : "the cache", seconds_since(tt));
    } else {
      spdlog::info("job {}: transcribed {:.0f} s of audio in {:.1f} s ({}, {} chunk{})", sid,
                   t.duration, seconds_since(tt), t.engine, result.chunks,
                   result.chunks == 1 ? "" : "s");
      metrics::add_audio_seconds(t.duration, t.engine.empty() ? "unknown" : t.engine);
    }
    checkpoint();

    // 3. Deliver (each part at most once across re-runs).
    stage = Stage::kDeliver;
    status.update(say(Msg::kStatusSending));
    auto tdl = Steady::now();
    delivery_.deliver(job.id, p, t);
    env_.queue.mark_delivered(job.id);
    metrics::count_job("delivered");
    metrics::observe_duration(seconds_since(t0));
    spdlog::info("job {}: delivered in {:.2f} s (job took {:.1f} s)", sid, seconds_since(tdl),
                 seconds_since(t0));
    status.finish(say(Msg::kStatusDone));
    return;
  } catch (const Stop&) {
    // handled below
  } catch (const media::MediaRejected& e) {
    spdlog::info("job {}: media rejected ({}): {}", sid, media::to_string(e.reason()), e.what());
    try {
      delivery_.send_notice(
          job.id, p, "error",
          tr(lang, reject_message(e.reason()),
             fmt::arg("max_duration", format_duration(env_.config.max_duration_s)),
             fmt::arg("max_mb", format_mb(env_.config.max_file_size_mb * 1e6))));
    } catch (const std::exception& se) {
      spdlog::warn("job {}: could not tell the user: {}", sid, se.what());
    }
    env_.queue.mark_failed(job.id, e.what(), false, 0);
    metrics::count_job("failed");
    status.finish(say(Msg::kStatusFailed));
    return;
  } catch (const Error& e) {
    if (e.kind() != ErrorKind::kCancelled || !stopping()) {
      auto* api = dynamic_cast<const telegram::ApiError*>(&e);
      bool too_big = api && api->is_file_too_big();
      bool retry = false;
      milliseconds delay(0);
      if (e.retryable() && !too_big)
        delay = next_retry_delay(job.attempts, e.retry_after(), &retry);
      if (retry) {
        spdlog::warn("job {}: attempt {} failed ({}: {}), retrying in {:.1f} s", sid, job.attempts,
                     to_string(e.kind()), e.what(), delay.count() / 1000.0);
        env_.queue.mark_failed(job.id, e.what(), true, env_.clock.unix_ms() + delay.count());
        metrics::count_job("retried");
        status.update(tr(lang, Msg::kStatusRetrying, fmt::arg("id", sid),
                         fmt::arg("attempt", job.attempts + 1),
                         fmt::arg("max", policy_.max_retries + 1)));
        return;
      }
      spdlog::error("job {}: failed for good after {} attempt(s) ({}: {})", sid, job.attempts,
                    to_string(e.kind()), e.what());
      Msg m = too_big                       ? Msg::kFailFileTooBigCloud
              : stage == Stage::kDownload   ? Msg::kFailDownload
              : stage == Stage::kTranscribe ? Msg::kFailEngine
                                            : Msg::kFailInternal;
      if (stage != Stage::kDeliver || e.kind() != ErrorKind::kRateLimited) {
        try {
          delivery_.send_notice(
              job.id, p, "error",
              tr(lang, m,
                 fmt::arg("limit_mb", format_mb(env_.config.telegram_download_limit_bytes))));
        } catch (const std::exception& se) {
          spdlog::warn("job {}: could not tell the user: {}", sid, se.what());
        }
      }
      env_.queue.mark_failed(job.id, e.what(), false, 0);
      metrics::count_job("failed");
      status.finish(say(Msg::kStatusFailed));
      return;
    }
  } catch (const std::exception& e) {
    spdlog::error("job {}: internal error: {}", sid, e.what());
    try {
      delivery_.send_notice(job.id, p, "error", tr(lang, Msg::kFailInternal));
    } catch (const std::exception& se) {
      spdlog::warn("job {}: could not tell the user: {}", sid, se.what());
    }
    env_.queue.mark_failed(job.id, e.what(), false, 0);
    metrics::count_job("failed");
    status.finish(say(Msg::kStatusFailed));
    return;
  }

  // Stopped at a safe point.
  if (watch.lost()) {
    spdlog::warn("job {}: lease lost to another worker, leaving it", sid);
  } else if (watch.cancel_requested()) {
    spdlog::info("job {}: cancelled by the user", sid);
    env_.queue.mark_cancelled(job.id);
    metrics::count_job("cancelled");
    status.finish(say(Msg::kStatusCancelled));
  } else {
    spdlog::info("job {}: interrupted by shutdown, back in the queue for the next start", sid);
    env_.queue.mark_failed(job.id, "interrupted by shutdown", true, env_.clock.unix_ms());
  }
}

}  // namespace tgscribe::bot
