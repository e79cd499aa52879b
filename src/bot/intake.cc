#include "bot/intake.h"

#include <spdlog/spdlog.h>

#include "bot/bot_metrics.h"
#include "bot/job_payload.h"
#include "store/queue_policy.h"

namespace tgscribe::bot {

Intake::Intake(BotEnv& env, Delivery& delivery, std::function<void()> wake)
    : env_(env), delivery_(delivery), wake_(std::move(wake)) {}

bool Intake::answer_from_cache(const telegram::MediaRef& media, const JobPayload& p) {
  if (!env_.cache || !env_.pipeline || media.file_unique_id.empty()) return false;
  auto sha = env_.cache->sha_for_file(media.file_unique_id);
  if (!sha) return false;
  pipeline::Request req;
  req.language = p.language;
  auto t = env_.cache->get(env_.pipeline->content_key(*sha, req));
  if (!t) return false;
  spdlog::info("bot: {} {} in chat {} answered from the cache (no download)",
               telegram::to_string(media.kind), media.file_unique_id, p.chat_id);
  delivery_.deliver("", p, *t);
  metrics::count_job("cached");
  return true;
}

void Intake::submit(const telegram::Message& request, const telegram::Message& media_msg) {
  const telegram::MediaRef& media = *media_msg.media;
  const config::Config& cfg = env_.config;
  Lang lang = user_lang(request);

  // Limits known before download: refuse at once rather than queue a job that must fail.
  auto max_bytes = static_cast<int64_t>(cfg.max_file_size_mb * 1e6);
  if (media.file_size > max_bytes) {
    reply_to(env_, media_msg,
             tr(lang, Msg::kFileTooLarge, fmt::arg("size_mb", format_mb(media.file_size)),
                fmt::arg("max_mb", format_mb(max_bytes))));
    return;
  }
  if (!cfg.telegram_local_mode && media.file_size > cfg.telegram_download_limit_bytes) {
    reply_to(env_, media_msg,
             tr(lang, Msg::kFileTooLargeCloud, fmt::arg("size_mb", format_mb(media.file_size)),
                fmt::arg("limit_mb", format_mb(cfg.telegram_download_limit_bytes))));
    return;
  }
  if (cfg.max_duration_s > 0 && media.duration > cfg.max_duration_s) {
    reply_to(env_, media_msg,
             tr(lang, Msg::kMediaTooLong, fmt::arg("duration", format_duration(media.duration)),
                fmt::arg("max_duration", format_duration(cfg.max_duration_s))));
    return;
  }

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
  p.media = media;

  if (answer_from_cache(media, p)) return;

  store::Job job;
  job.id = store::new_job_id();
  job.user_id = p.user_id;
  job.chat_id = p.chat_id;
  // Short media first. Without a duration, guess from the size (~32 kbit/s voice).
  int64_t seconds = media.duration > 0 ? media.duration : media.file_size / 4000;
  job.priority = seconds - (is_admin_user(cfg, p.user_id) ? cfg.queue_admin_boost : 0);
  job.created_ms = env_.clock.unix_ms();
  job.payload = to_json(p);

  store::EnqueueResult r = env_.queue.enqueue(job, cfg.queue_rate_limit_per_user);
  if (!r.accepted) {
    metrics::count_job("refused");
    spdlog::info("bot: user {} refused a new job: {} unfinished (limit {})", p.user_id,
                 r.unfinished, cfg.queue_rate_limit_per_user);
    reply_to(env_, media_msg,
             tr(lang, Msg::kUserLimit, fmt::arg("count", r.unfinished),
                fmt::arg("limit", cfg.queue_rate_limit_per_user)));
    return;
  }
  metrics::count_job("queued");
  spdlog::info("job {}: queued for user {} in chat {} ({} {}, {} bytes, {} s)", short_id(job.id),
               p.user_id, p.chat_id, telegram::to_string(media.kind), media.file_unique_id,
               media.file_size, media.duration);
  if (wake_) wake_();

  // The job is durable now; the status reply is best effort (the transcript comes anyway).
  try {
    int position = std::max(1, env_.queue.position(job.id));
    store::QueueStats stats = env_.queue.stats();
    metrics::set_queue_depth(stats.queued);
    int workers = std::max(1, cfg.queue_max_workers);
    int64_t busy = std::min<int64_t>(stats.running, workers);
    telegram::SendMessageParams m;
    m.chat_id = p.chat_id;
    m.text =
        tr(lang, Msg::kStatusQueued, fmt::arg("id", short_id(job.id)),
           fmt::arg("position", position), fmt::arg("busy", busy), fmt::arg("workers", workers));
    m.reply_to_message_id = p.reply_to_message_id;
    m.message_thread_id = p.thread_id;
    telegram::Message sent = env_.sender.send_message(std::move(m));
    // A worker may have claimed the job already; it re-reads the payload to find this id.
    if (auto current = env_.queue.get(job.id)) {
      JobPayload q = payload_from_json(current->payload);
      q.status_message_id = sent.message_id;
      env_.queue.update_payload(job.id, to_json(q));
    }
  } catch (const std::exception& e) {
    spdlog::warn("job {}: status reply failed: {}", short_id(job.id), e.what());
  }
}

}  // namespace tgscribe::bot
