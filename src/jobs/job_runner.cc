#include "jobs/job_runner.h"

#include <spdlog/spdlog.h>

#include <filesystem>
#include <memory>

#include "common/failpoint.h"
#include "common/log_fields.h"
#include "common/remove_on_exit.h"
#include "common/safe_name.h"
#include "common/sha256.h"
#include "common/strings.h"
#include "i18n/i18n.h"
#include "jobs/action_runner.h"
#include "jobs/job_metrics.h"
#include "jobs/job_payload.h"
#include "jobs/lease_keeper.h"
#include "jobs/status_reporter.h"
#include "jobs/status_reporter_eta.h"
#include "jobs/usage_recorder.h"
#include "telegram/api_error.h"

namespace tgscribe::jobs {

// Where the job stands, for the user's message when it fails. Outside the anonymous namespace:
// JobRunner::Attempt holds one, and a member of internal-linkage type is an error-prone case
// GCC warns about (-Wsubobject-linkage) once the unity build includes this file.
namespace job_runner_detail {
enum class Stage { kDownload, kTranscribe, kDeliver, kAction };
}  // namespace job_runner_detail
using job_runner_detail::Stage;

namespace {

namespace fs = std::filesystem;
using i18n::Lang;
using i18n::Msg;
using i18n::tr;
using std::chrono::milliseconds;
using Steady = std::chrono::steady_clock;

double seconds_since(Steady::time_point t) {
  return std::chrono::duration<double>(Steady::now() - t).count();
}

int64_t ms_since(Steady::time_point t) {
  return std::chrono::duration_cast<milliseconds>(Steady::now() - t).count();
}

// Thrown at a safe point when the job must stop (user cancel, shutdown, claim lost).
struct Stop {};

Msg reject_message(RejectReason r) {
  switch (r) {
    case RejectReason::kEmpty:
      return Msg::kRejectEmpty;
    case RejectReason::kNotMedia:
      return Msg::kRejectNotMedia;
    case RejectReason::kNoAudio:
      return Msg::kRejectNoAudio;
    case RejectReason::kCorrupt:
      return Msg::kRejectCorrupt;
    case RejectReason::kTooLong:
      return Msg::kRejectTooLong;
    case RejectReason::kTooLarge:
      return Msg::kRejectTooLarge;
    case RejectReason::kBlocked:
      return Msg::kRejectBlocked;
    case RejectReason::kUnsupported:
      return Msg::kRejectUnsupported;
  }
  return Msg::kRejectCorrupt;
}

// A name with the right extension for the engine and the prober: voice notes are Opus in
// Ogg (Telegram's .oga, which Groq refuses: .ogg is the same bytes). The user's own name is
// cleaned and cut first: it names the temp file and is sent to the engine (common/safe_name.h).
std::string media_filename(const telegram::MediaRef& m) {
  if (!m.file_name.empty()) return safe_file_name(m.file_name, "media");
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

// Claims that count against QUEUE_MAX_RETRIES: those since an operator's retry (if any). The
// fence is still job.attempts.
int tries(const store::Job& job) { return job.attempts - job.budget_base; }

}  // namespace

// Everything one claim of one job carries from step to step.
struct JobRunner::Attempt {
  const store::Job& job;
  JobPayload p;
  std::string sid;
  Lang lang = Lang::kEn;
  Steady::time_point t0 = Steady::now();
  Stage stage = Stage::kDownload;
  fs::path media_path;
  std::string sha;
  std::unique_ptr<LeaseKeeper> lease;
  std::unique_ptr<StatusReporter> status;
  std::function<bool()> stopping;
  // Every line this claim logs carries the job's id, user, chat and stage (LOG_FORMAT=json).
  LogScope log{LogFields{}};

  std::string say(Msg m) const { return tr(lang, m, fmt::arg("id", sid)); }
  void checkpoint() const {
    if (stopping()) throw Stop{};
  }
};

JobRunner::JobRunner(JobEnv& env, RetryPolicy policy, ChatActions& actions,
                     std::function<void()> wake_outbox)
    : env_(env),
      policy_(policy),
      actions_(actions),
      wake_outbox_(std::move(wake_outbox)),
      messages_(env.config) {
  messages_.set_action_menu(action_menu(env.config, env.text_model != nullptr));
}

milliseconds JobRunner::next_retry_delay(int attempts, std::optional<milliseconds> after,
                                         bool* retry) {
  std::lock_guard lock(rng_mutex_);
  auto d = policy_.delay(attempts, after, rng_);
  *retry = d.has_value();
  return d.value_or(milliseconds(0));
}

bool JobRunner::status_not_due(const Attempt& a) {
  try {
    auto e = env_.outbox.get(status_entry_id(a.job.id));
    return e && e->state == store::OutboxState::kPending && e->attempts == 0 &&
           e->not_before_ms > env_.clock.unix_ms();
  } catch (const std::exception& e) {
    spdlog::debug("job {}: reading the status reply failed: {}", a.sid, e.what());
    return false;  // only a priority hint: the store decides the withdrawal
  }
}

bool JobRunner::finish(Attempt& a, store::JobOutcome outcome,
                       std::vector<store::OutboxEntry> messages) {
  if (a.lease && a.lease->lost()) {
    spdlog::warn("job {}: claim lost, leaving the job to its new worker", a.sid);
    return false;
  }
  bool direct = false;
  if (outcome.state != store::JobState::kQueued && !messages.empty()) {
    // The store drops the status reply only if it is still not due inside this transaction
    // (then the final edit of it is dropped unsent by the dispatcher); a due one stays. An
    // end that says nothing (a payload that does not parse) keeps it: better than silence.
    outcome.withdraw = status_entry_id(a.job.id);
    const std::string edits = status_entry_id(a.job.id) + ":";
    if (!messages.front().id.starts_with(edits) && status_not_due(a)) {
      // Then the first of these is the user's first reply.
      messages.front().priority = store::kOutboxFirstReply;
      direct = true;
    }
  }
  if (!env_.queue.finish(a.job.id, a.job.attempts, outcome, messages)) {
    spdlog::warn("job {}: claim {} was taken over; nothing written", a.sid, a.job.attempts);
    return false;
  }
  if (direct) {
    spdlog::info("job {}: ended within STATUS_DELAY_MS: no status reply, answered directly", a.sid);
  }
  if (!messages.empty() && wake_outbox_) wake_outbox_();
  return true;
}

void JobRunner::fail(Attempt& a, const std::string& error, const std::string& text) {
  std::vector<store::OutboxEntry> out = {
      TranscriptMessages::notice(a.job.id, a.p, "error", text),
      TranscriptMessages::status_edit(a.job.id, a.p, "final", a.say(Msg::kStatusFailed))};
  if (finish(a, {store::JobState::kFailed, error, 0}, std::move(out))) metrics::count_job("failed");
}

bool JobRunner::over_attempt_cap(Attempt& a) {
  // Claims count crashes too: media that kills the process must not be resumed for ever.
  if (tries(a.job) <= policy_.max_retries + 1) return false;
  spdlog::error("job {}: claimed {} times (the process died with it?), failing it for good", a.sid,
                tries(a.job));
  fail(a, "claimed too often",
       tr(a.lang, Msg::kFailPoison, fmt::arg("attempts", tries(a.job) - 1)));
  return true;
}

void JobRunner::download(Attempt& a) {
  a.stage = Stage::kDownload;
  a.log.set({"stage", "download"});
  a.checkpoint();
  a.status->update(a.say(Msg::kStatusDownloading));
  fs::create_directories(a.media_path.parent_path());
  Sha256 hasher;
  auto td = Steady::now();
  int64_t bytes =
      env_.api.download_file(a.p.media.file_id, a.media_path, [&](std::string_view chunk) {
        hasher.update(chunk);
        return !a.stopping();
      });
  a.checkpoint();
  a.sha = hasher.hex_digest();
  log_with(spdlog::level::info, {{"duration_ms", ms_since(td)}, {"bytes", bytes}},
           "job {}: downloaded {} bytes in {:.2f} s", a.sid, bytes, seconds_since(td));
  failpoint("worker.after_download");
}

pipeline::Result JobRunner::transcribe(Attempt& a) {
  a.stage = Stage::kTranscribe;
  a.log.set({"stage", "transcribe"});
  pipeline::Request req;
  req.path = a.media_path;
  req.filename = media_filename(a.p.media);
  req.language = a.p.language;
  req.diarize = a.p.speakers;  // the chat's /speakers, as admitted
  req.sha256 = a.sha;
  req.file_unique_id = a.p.media.file_unique_id;
  req.use_cache = true;
  req.user_id = a.p.user_id;
  req.cancelled = a.stopping;
  // Its engine requests keep their place in the engine's rate-limit line across claims.
  req.pacing_id = a.job.id;
  req.pacing_order_ms = a.job.created_ms;
  auto tt = Steady::now();
  req.progress = [&](const pipeline::Progress& pr) {
    if (pr.stage != "transcribing") return (void)a.status->update(a.say(Msg::kStatusConverting));
    int pct = static_cast<int>(pr.fraction * 100);
    std::string text = pct > 0 && pct < 100 ? tr(a.lang, Msg::kStatusTranscribingPercent,
                                                 fmt::arg("id", a.sid), fmt::arg("percent", pct))
                                            : a.say(Msg::kStatusTranscribing);
    // What is left of this job at the pace it has gone so far (once there is a pace to see).
    if (pr.fraction >= 0.05 && pr.fraction < 1) {
      double spent = seconds_since(tt);
      text += "\n" + eta_line(a.lang, estimate_ready_s({.this_job_left_s = spent / pr.fraction *
                                                                           (1 - pr.fraction)}));
    }
    a.status->update(text);
  };
  pipeline::Result r = env_.pipeline->transcribe(req);
  const transcript::Transcript& t = r.transcript;
  if (r.joined || r.cache_hit) {
    log_with(spdlog::level::info,
             {{"duration_ms", ms_since(tt)},
              {"audio_s", t.duration},
              {"engine", t.engine},
              {"source", r.joined ? "joined" : "cache"}},
             "job {}: transcript of {:.0f} s of audio from {} in {:.2f} s", a.sid, t.duration,
             r.joined ? "a running identical job" : "the cache", seconds_since(tt));
    // No engine was paid for it: savings for /stats, nothing against the user's quota.
    if (env_.usage_recorder) {
      env_.usage_recorder->record_cache_saving(a.p.user_id, t.engine, t.duration);
    }
  } else {
    log_with(spdlog::level::info,
             {{"duration_ms", ms_since(tt)},
              {"audio_s", t.duration},
              {"engine", t.engine},
              {"chunks", r.chunks}},
             "job {}: transcribed {:.0f} s of audio in {:.1f} s ({}, {} chunk{})", a.sid,
             t.duration, seconds_since(tt), t.engine, r.chunks, r.chunks == 1 ? "" : "s");
    metrics::add_audio_seconds(t.duration, t.engine.empty() ? "unknown" : t.engine);
  }
  a.checkpoint();
  failpoint("worker.after_transcribe");
  return r;
}

void JobRunner::deliver(Attempt& a, const pipeline::Result& r) {
  a.stage = Stage::kDeliver;
  a.log.set({"stage", "deliver"});
  // The parts are fixed here, stored with the job's end, and sent by the outbox: a re-run
  // after a crash sends the same parts, each at most once.
  std::vector<store::OutboxEntry> out = messages_.transcript(a.job.id, a.p, r.transcript);
  out.push_back(TranscriptMessages::status_edit(a.job.id, a.p, "final", a.say(Msg::kStatusDone)));
  size_t count = out.size();
  if (!finish(a, {store::JobState::kDelivered, "", 0}, std::move(out))) return;
  failpoint("worker.after_finish");
  metrics::count_job("delivered");
  metrics::observe_duration(seconds_since(a.t0));
  log_with(spdlog::level::info, {{"duration_ms", ms_since(a.t0)}, {"outcome", "delivered"}},
           "job {}: done in {:.1f} s, {} message(s) in the outbox", a.sid, seconds_since(a.t0),
           count);
}

void JobRunner::run_action(Attempt& a) {
  // The download and the source transcript are the transcript job's own steps (progress,
  // cancel checks, failpoints); what fails after them is the action's (the text model's).
  bool downloaded = false;
  auto fetch = [&] {
    if (!downloaded) download(a);
    downloaded = true;
    a.stage = Stage::kAction;
  };
  ActionSteps steps;
  steps.download = [&](std::string* sha) {
    fetch();
    *sha = a.sha;
    return a.media_path;
  };
  steps.transcribe = [&] {
    fetch();
    pipeline::Result r = transcribe(a);
    a.stage = Stage::kAction;
    return r;
  };
  steps.cancelled = a.stopping;
  a.stage = Stage::kAction;
  a.log.set({"stage", "action"});
  a.checkpoint();
  std::vector<store::OutboxEntry> out = ActionRunner(env_, messages_).run(a.job, a.p, steps);
  a.checkpoint();
  failpoint("worker.after_transcribe");
  out.push_back(TranscriptMessages::status_edit(a.job.id, a.p, "final", a.say(Msg::kStatusDone)));
  size_t count = out.size();
  if (!finish(a, {store::JobState::kDelivered, "", 0}, std::move(out))) return;
  failpoint("worker.after_finish");
  metrics::count_job("delivered");
  metrics::observe_duration(seconds_since(a.t0));
  log_with(spdlog::level::info,
           {{"duration_ms", ms_since(a.t0)}, {"outcome", "delivered"}, {"action", a.p.action}},
           "job {}: {} done in {:.1f} s, {} message(s) in the outbox", a.sid, a.p.action,
           seconds_since(a.t0), count);
}

void JobRunner::on_rejected(Attempt& a, const Error& e) {
  spdlog::info("job {}: media rejected: {}", a.sid, e.what());
  fail(a, e.what(),
       tr(a.lang, reject_message(e.reject_reason().value_or(RejectReason::kCorrupt)),
          fmt::arg("max_duration", i18n::format_duration(env_.config.max_duration_s)),
          fmt::arg("max_mb", i18n::format_mb(env_.config.max_file_size_mb * 1e6))));
}

void JobRunner::on_error(Attempt& a, const Error& e) {
  if (auto* paced = dynamic_cast<const engine::PacingDeferred*>(&e)) {
    // Not a failure: the engine's budget frees up at a known time. The job waits in the queue
    // until then instead of holding a worker, and the user is told how long.
    milliseconds wait = paced->wait();
    spdlog::info("job {}: {}; back in the queue for {:.0f} s", a.sid, e.what(),
                 wait.count() / 1000.0);
    // Waits out the edit interval if need be: this text must not be dropped.
    a.status->finish(tr(a.lang, Msg::kStatusPaced, fmt::arg("id", a.sid),
                        fmt::arg("wait", format_wait(a.lang, wait.count() / 1000.0))));
    // A deferral, not a try: the claim goes back to the retry budget, so a job that waits
    // out several spent budgets is not given up (issue 13). A crash still counts.
    if (finish(a,
               {store::JobState::kQueued, e.what(), env_.clock.unix_ms() + wait.count(),
                /*deferred=*/true},
               {}))
      metrics::count_job("paced");
    return;
  }
  auto* api = dynamic_cast<const telegram::ApiError*>(&e);
  bool too_big = api && api->is_file_too_big();
  bool retry = false;
  milliseconds delay(0);
  if (e.retryable() && !too_big) delay = next_retry_delay(tries(a.job), e.retry_after(), &retry);
  if (retry) {
    spdlog::warn("job {}: attempt {} failed ({}: {}), retrying in {:.1f} s", a.sid, tries(a.job),
                 to_string(e.kind()), e.what(), delay.count() / 1000.0);
    a.status->update(tr(a.lang, Msg::kStatusRetrying, fmt::arg("id", a.sid),
                        fmt::arg("attempt", tries(a.job) + 1),
                        fmt::arg("max", policy_.max_retries + 1)));
    if (finish(a, {store::JobState::kQueued, e.what(), env_.clock.unix_ms() + delay.count()}, {}))
      metrics::count_job("retried");
    return;
  }
  spdlog::error("job {}: failed for good after {} attempt(s) ({}: {})", a.sid, tries(a.job),
                to_string(e.kind()), e.what());
  Msg m = too_big                         ? Msg::kFailFileTooBigCloud
          : a.stage == Stage::kDownload   ? Msg::kFailDownload
          : a.stage == Stage::kTranscribe ? Msg::kFailEngine
          : a.stage == Stage::kAction     ? Msg::kFailTextModel
                                          : Msg::kFailInternal;
  fail(a, e.what(),
       tr(a.lang, m,
          fmt::arg("limit_mb", i18n::format_mb(env_.config.telegram_download_limit_bytes))));
}

void JobRunner::on_stopped(Attempt& a) {
  if (a.lease->lost()) {
    spdlog::warn("job {}: claim lost to another worker, leaving it", a.sid);
  } else if (a.lease->cancel_requested()) {
    spdlog::info("job {}: cancelled by the user", a.sid);
    if (finish(a, {store::JobState::kCancelled, "cancelled by the user", 0},
               {TranscriptMessages::status_edit(a.job.id, a.p, "final",
                                                a.say(Msg::kStatusCancelled))}))
      metrics::count_job("cancelled");
  } else {
    spdlog::info("job {}: interrupted by shutdown, back in the queue for the next start", a.sid);
    finish(a, {store::JobState::kQueued, "interrupted by shutdown", env_.clock.unix_ms()}, {});
  }
}

std::unique_ptr<StatusReporter> JobRunner::status_reporter(Attempt& a) {
  // Progress edits go straight to Telegram (best effort) once the outbox sent the status
  // reply, and never from a worker that lost its claim.
  auto status_id = std::make_shared<int64_t>(0);
  return std::make_unique<StatusReporter>(
      env_.clock, std::chrono::seconds(env_.config.status_edit_interval_s),
      [this, &a, status_id](const std::string& text) {
        if (a.lease->lost()) return;
        if (*status_id == 0) {
          auto e = env_.outbox.get(status_entry_id(a.job.id));
          if (e) *status_id = e->message_id;
        }
        if (*status_id == 0) return;
        telegram::EditMessageTextParams e;
        e.chat_id = a.p.chat_id;
        e.message_id = *status_id;
        e.text = text;
        // A flooded chat's progress edit is dropped, never waited for: the job goes on.
        env_.sender.edit_message_text(std::move(e), {.wait_for_chat = false});
      },
      "\x01");
}

void JobRunner::run(const store::Job& job, const std::string& worker_id,
                    const std::atomic<bool>& abandon) {
  Attempt a{job};
  a.sid = short_id(job.id);
  a.log.set({"job_id", job.id});
  a.log.set({"stage", "claim"});
  a.log.set({"attempt", job.attempts});
  try {
    a.p = payload_from_json(job.payload);
  } catch (const std::exception& e) {
    spdlog::error("job {}: {}", a.sid, e.what());
    finish(a, {store::JobState::kFailed, e.what(), 0}, {});
    return;
  }
  a.lang = i18n::lang_for(a.p.user_lang);
  a.log.set({"user", a.p.user_id});
  a.log.set({"chat", a.p.chat_id});
  double wait_s = std::max<int64_t>(0, job.started_ms - job.created_ms) / 1000.0;
  if (job.attempts <= 1) metrics::observe_wait(wait_s);
  spdlog::info("job {}: claimed by {} (attempt {}, waited {:.1f} s)", a.sid, worker_id,
               job.attempts, wait_s);
  if (over_attempt_cap(a)) return;
  failpoint("worker.after_claim");

  milliseconds lease(int64_t{std::max(1, env_.config.queue_lease_s)} * 1000);
  a.lease = std::make_unique<LeaseKeeper>(env_.queue, job.id, job.attempts, lease, tick_);
  a.stopping = [&] { return abandon.load() || a.lease->cancel_requested() || a.lease->lost(); };
  a.status = status_reporter(a);
  auto typing = actions_.typing(a.p.chat_id, a.p.thread_id);
  a.media_path = fs::path(env_.config.data_dir) / "tmp" /
                 ("job-" + job.id + "." +
                  (file_extension(media_filename(a.p.media)).empty()
                       ? std::string("bin")
                       : file_extension(media_filename(a.p.media))));
  RemoveOnExit cleanup(a.media_path);

  try {
    if (!env_.pipeline) throw Error(ErrorKind::kInternal, "no transcription pipeline");
    if (!a.p.action.empty()) {
      run_action(a);
    } else {
      download(a);
      pipeline::Result r = transcribe(a);
      deliver(a, r);
    }
  } catch (const Stop&) {
    on_stopped(a);
  } catch (const Error& e) {
    if (e.kind() == ErrorKind::kMediaRejected) {
      on_rejected(a, e);
    } else if (e.kind() == ErrorKind::kCancelled && a.stopping()) {
      on_stopped(a);
    } else {
      on_error(a, e);
    }
  } catch (const std::exception& e) {
    spdlog::error("job {}: internal error: {}", a.sid, e.what());
    fail(a, e.what(), tr(a.lang, Msg::kFailInternal));
  }
}

}  // namespace tgscribe::jobs
