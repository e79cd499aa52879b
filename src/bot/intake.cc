#include "bot/intake.h"

#include <spdlog/spdlog.h>

#include "bot/usage_report.h"
#include "common/log_fields.h"
#include "jobs/job_metrics.h"
#include "jobs/status_reporter_eta.h"
#include "jobs/usage_quota.h"
#include "jobs/usage_recorder.h"

namespace tgscribe::bot {

namespace metrics = jobs::metrics;
using jobs::JobPayload;
using jobs::short_id;
using jobs::TranscriptMessages;

Intake::Intake(BotEnv& env) : env_(env), messages_(env.config) {
  // A cache answer carries the same buttons as a worker's transcript.
  messages_.set_action_menu(jobs::action_menu(env.config, env.text_model != nullptr));
}

bool Intake::refused_by_limits(Turn& turn, const telegram::MediaRef& media,
                               const telegram::Message& media_msg, Lang lang) {
  // Limits known before download: refuse at once rather than queue a job that must fail.
  const config::Config& cfg = env_.config;
  auto max_bytes = static_cast<int64_t>(cfg.max_file_size_mb * 1e6);
  if (media.file_size > max_bytes) {
    turn.reply(media_msg,
               tr(lang, Msg::kFileTooLarge, fmt::arg("size_mb", format_mb(media.file_size)),
                  fmt::arg("max_mb", format_mb(max_bytes))));
    return true;
  }
  if (!cfg.telegram_local_mode && media.file_size > cfg.telegram_download_limit_bytes) {
    turn.reply(media_msg,
               tr(lang, Msg::kFileTooLargeCloud, fmt::arg("size_mb", format_mb(media.file_size)),
                  fmt::arg("limit_mb", format_mb(cfg.telegram_download_limit_bytes))));
    return true;
  }
  if (cfg.max_duration_s > 0 && media.duration > cfg.max_duration_s) {
    turn.reply(media_msg,
               tr(lang, Msg::kMediaTooLong, fmt::arg("duration", format_duration(media.duration)),
                  fmt::arg("max_duration", format_duration(cfg.max_duration_s))));
    return true;
  }
  return false;
}

JobPayload Intake::payload(const telegram::Message& request, const telegram::Message& media_msg,
                           Lang lang) {
  JobPayload p;
  p.chat_id = media_msg.chat.id;
  p.group = media_msg.chat.is_group();
  p.thread_id = media_msg.reply_thread_id();
  p.reply_to_message_id = media_msg.message_id;
  p.user_id = request.from ? request.from->id : request.chat.id;
  p.requester_name = request.from ? request.from->display_name() : "";
  if (media_msg.from) {
    p.media_owner_id = media_msg.from->id;
    p.media_owner_name = media_msg.from->display_name();
  }
  p.user_lang = lang_code(lang);
  p.language = chat_language(env_, p.chat_id);
  // The chat's choices travel with the job (jobs/chat_choices.h): what the chat asked for now
  // is what it gets, whichever instance delivers and whenever.
  store::ChatSettings choices = env_.settings.get(p.chat_id);
  p.formats = choices.formats;
  p.timestamps = choices.timestamps;
  p.speakers = choices.speakers;
  p.media = *media_msg.media;
  return p;
}

bool Intake::answer_from_cache(Turn& turn, store::Job job, const JobPayload& p) {
  if (!env_.results || p.media.file_unique_id.empty()) return false;
  auto t = env_.results->lookup_file(p.media.file_unique_id, p.language, false, p.speakers);
  if (!t) return false;
  // Logged by the caller once admitted: the admission may still find the job exists.
  log_with(spdlog::level::debug, {{"job_id", job.id}, {"user", p.user_id}, {"chat", p.chat_id}},
           "job {}: {} {} in chat {} found in the cache", short_id(job.id),
           telegram::to_string(p.media.kind), p.media.file_unique_id, p.chat_id);
  // A job like any other, admitted already delivered: the same records, the same outbox.
  job.state = store::JobState::kDelivered;
  job.finished_ms = job.created_ms;
  job.started_ms = job.created_ms;
  auto answer = messages_.transcript(job.id, p, *t);
  // Its first part is the update's first reply.
  if (!answer.empty()) answer.front().priority = store::kOutboxFirstReply;
  for (auto& e : answer) turn.add(std::move(e));
  turn.set_job(std::move(job), 0, {}, {});
  return true;
}

bool Intake::refused_by_quota(Turn& turn, const telegram::MediaRef& media,
                              const telegram::Message& media_msg, Lang lang, int64_t user_id) {
  if (!env_.usage) return false;
  jobs::UsageQuota quota(env_.config, *env_.usage, env_.clock);
  if (!quota.enabled()) return false;
  jobs::QuotaVerdict v = quota.check(user_id, static_cast<double>(std::max(0, media.duration)),
                                     is_admin_user(env_.config, user_id));
  if (v.allowed) return false;
  jobs::UsageRecorder::count_quota_refusal(v.scope);
  spdlog::info("bot: user {} refused by the {} daily quota: {:.2f} of {} min used, media {} s",
               user_id, v.scope, v.used_min, v.limit_min, media.duration);
  turn.reply(media_msg,
             tr(lang, v.scope == "user" ? Msg::kQuotaUser : Msg::kQuotaGlobal,
                fmt::arg("used_min", format_minutes(v.used_min * 60)),
                fmt::arg("limit_min", format_minutes(v.limit_min * 60)),
                fmt::arg("duration", format_duration(media.duration)),
                fmt::arg("reset_in", format_duration(static_cast<double>(v.resets_in_s)))));
  return true;
}

std::string Intake::eta_suffix(Lang lang, const store::QueueStats& stats, int64_t duration_s) {
  jobs::EtaInputs in;
  in.ahead = stats.queued + stats.running;
  in.workers = std::max(1, env_.config.queue_max_workers);
  in.typical_job_s = stats.run_p50_ms / 1000.0;
  if (env_.pacer) {
    try {
      in.pacing_wait_s = env_.pacer->estimate(static_cast<double>(duration_s)).count() / 1000.0;
    } catch (const std::exception& e) {
      spdlog::debug("bot: no pacing estimate: {}", e.what());  // an estimate, never a refusal
    }
  }
  std::string line = jobs::eta_line(lang, jobs::estimate_ready_s(in));
  return line.empty() ? "" : "\n" + line;
}

void Intake::submit(Turn& turn, const telegram::Message& request,
                    const telegram::Message& media_msg) {
  const telegram::MediaRef& media = *media_msg.media;
  const config::Config& cfg = env_.config;
  Lang lang = user_lang(request);
  if (refused_by_limits(turn, media, media_msg, lang)) return;

  JobPayload p = payload(request, media_msg, lang);
  store::Job job;
  // The media message asking for itself: one job per message, whatever update carries it
  // (an edit of a handled voice note is a duplicate). A reply asking for it: one per request.
  bool self_request =
      request.chat.id == media_msg.chat.id && request.message_id == media_msg.message_id;
  job.id = self_request ? job_id_for_message(media_msg.chat.id, media_msg.message_id)
                        : job_id_for_update(turn.update_id());
  job.update_id = turn.update_id();
  job.user_id = p.user_id;
  job.chat_id = p.chat_id;
  // Short media first. Without a duration, guess from the size (~32 kbit/s voice).
  int64_t seconds = media.duration > 0 ? media.duration : media.file_size / 4000;
  job.priority = seconds - (is_admin_user(cfg, p.user_id) ? cfg.queue_admin_boost : 0);
  job.created_ms = env_.clock.unix_ms();
  job.payload = jobs::to_json(p);
  if (answer_from_cache(turn, job, p)) return;  // cache answers cost nothing, count nothing
  if (refused_by_quota(turn, media, media_msg, lang, p.user_id)) return;

  // The position is read before the admission: an estimate for the user, not a promise.
  store::QueueStats stats = env_.queue.stats();
  metrics::set_queue_depth(stats.queued);
  int workers = std::max(1, cfg.queue_max_workers);
  int64_t busy = std::min<int64_t>(stats.running, workers);
  std::string status = tr(lang, Msg::kStatusQueued, fmt::arg("id", short_id(job.id)),
                          fmt::arg("position", stats.queued + 1), fmt::arg("busy", busy),
                          fmt::arg("workers", workers));
  status += eta_suffix(lang, stats, media.duration);
  // "{unfinished}" is filled in by the store, inside the admission that counted it.
  std::string refusal = tr(lang, Msg::kUserLimit, fmt::arg("count", "{unfinished}"),
                           fmt::arg("limit", cfg.queue_rate_limit_per_user));
  std::string id = job.id;
  // Due only after STATUS_DELAY_MS when a worker is free for the job: one done sooner
  // withdraws it when it finishes (JobRunner), and its transcript is the first reply. A job
  // that waits in line, or for the engine's rate budget, cannot be that fast: its status
  // reply (with its place, or the wait) goes at once.
  store::OutboxEntry status_entry = TranscriptMessages::status(id, p, status);
  bool starts_now = cfg.status_delay_ms > 0 && stats.queued + stats.running < workers;
  if (starts_now && env_.pacer) {
    try {
      starts_now = env_.pacer->estimate(static_cast<double>(media.duration)).count() == 0;
    } catch (const std::exception&) {
      starts_now = false;  // not known: say something at once
    }
  }
  if (starts_now) {
    status_entry.not_before_ms = job.created_ms + cfg.status_delay_ms;
  }
  turn.set_job(std::move(job), cfg.queue_rate_limit_per_user, {std::move(status_entry)},
               {jobs::make_entry("u" + std::to_string(turn.update_id()) + ":refused", "",
                                 jobs::reply_message(p, refusal), store::kOutboxFirstReply)});
}

}  // namespace tgscribe::bot
