#include "bot/update_router.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "common/failpoint.h"
#include "common/log_fields.h"
#include "common/metrics.h"
#include "jobs/job_metrics.h"
#include "jobs/job_payload.h"
#include "jobs/usage_recorder.h"

namespace tgscribe::bot {
namespace {

namespace metrics = jobs::metrics;

bool contains(const std::vector<int64_t>& v, int64_t x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

// The message as the bot reasons about it: `from` is who speaks (Message::sender), here and in
// the message it replies to. An anonymous admin is then the group itself rather than
// @GroupAnonymousBot (a bot, whose messages are ignored, and one id shared by every anonymous
// admin on Telegram, which would pool their per-user limits, /status and /cancel).
telegram::Message as_spoken(const telegram::Message& raw) {
  telegram::Message m = raw;
  m.from = raw.sender();
  if (raw.reply_to_message && raw.reply_to_message->sender_chat) {
    auto reply = std::make_shared<telegram::Message>(*raw.reply_to_message);
    reply->from = reply->sender();
    m.reply_to_message = std::move(reply);
  }
  return m;
}

}  // namespace

UpdateRouter::UpdateRouter(BotEnv& env, std::function<void()> wake_workers,
                           std::function<void()> wake_outbox)
    : env_(env),
      intake_(env),
      commands_(env, intake_),
      wake_workers_(std::move(wake_workers)),
      wake_outbox_(std::move(wake_outbox)) {
  metrics::describe();
}

bool UpdateRouter::allowed(const telegram::Message& m) const {
  const auto& users = env_.config.allowed_user_ids;
  const auto& chats = env_.config.allowed_chat_ids;
  if (users.empty() && chats.empty()) return true;
  // Either list admits: a listed user anywhere, or anyone in a listed chat.
  if (m.from && contains(users, m.from->id)) return true;
  return contains(chats, m.chat.id);
}

bool UpdateRouter::handle_update(const nlohmann::json& json) {
  telegram::Parsed<telegram::Update> parsed = telegram::parse_update(json);
  if (!parsed) {
    metrics::count_handled("malformed");
    spdlog::warn("bot: skipping a malformed update: {}", parsed.error);
    return true;
  }
  const telegram::Update& u = *parsed;
  LogScope log_scope({{"update_id", u.update_id}, {"stage", "intake"}});
  const bool callback = u.kind == telegram::UpdateKind::kCallbackQuery && u.callback_query;
  const bool edit = u.kind == telegram::UpdateKind::kEditedMessage;
  if (!callback && ((u.kind != telegram::UpdateKind::kMessage && !edit) || !u.message)) {
    metrics::count_handled("ignored");
    return true;  // channel posts and their edits: nothing tgscribe acts on
  }
  try {
    if (!(callback ? handle_callback(u) : handle_message(u, edit))) return true;
    if (wake_outbox_) wake_outbox_();
  } catch (...) {
    metrics::count_handled("error");
    throw;
  }
  metrics::count_handled("handled");
  return true;
}

store::AdmitResult UpdateRouter::admit(Turn& turn) {
  failpoint("intake.before_admit");
  store::AdmitResult r = env_.updates.admit(turn.admission());
  failpoint("intake.after_admit");
  return r;
}

bool UpdateRouter::handle_message(const telegram::Update& u, bool edit) {
  // A cheap read first: a redelivered update is not routed again (no settings changed, no
  // cache read). admit() below is what guarantees it, in its transaction.
  if (env_.updates.seen(u.update_id)) {
    metrics::count_handled("duplicate");
    spdlog::debug("bot: update {} seen before, skipped", u.update_id);
    return false;
  }
  Turn turn(u.update_id);
  telegram::Message m = as_spoken(*u.message);
  if (stale(m)) {
    // An edit is no new request: an old one is skipped like an old command.
    if (!edit) route_stale(turn, m);
  } else if (edit) {
    route_edit(turn, m);
  } else {
    route(turn, m);
  }
  if (turn.empty()) {
    metrics::count_handled("ignored");
    return false;
  }
  store::AdmitResult r = admit(turn);
  if (r.duplicate) {
    metrics::count_handled("duplicate");
    return false;
  }
  if (turn.has_job()) {
    const store::Job& job = *turn.admission().job;
    if (job.state != store::JobState::kQueued) {
      // A cache hit: admitted already delivered.
      metrics::count_job("cached");
      log_with(
          spdlog::level::info,
          {{"job_id", job.id}, {"user", job.user_id}, {"chat", job.chat_id}, {"outcome", "cached"}},
          "job {}: answered from the cache (no download) in chat {}", jobs::short_id(job.id),
          job.chat_id);
      if (env_.usage_recorder) {
        // The length Telegram states: the cached transcript was not opened for it.
        env_.usage_recorder->record_cache_saving(
            job.user_id, env_.config.primary_engine(),
            jobs::payload_from_json(job.payload).media.duration);
      }
    } else if (r.accepted) {
      metrics::count_job("queued");
      log_with(
          spdlog::level::info,
          {{"job_id", job.id}, {"user", job.user_id}, {"chat", job.chat_id}, {"outcome", "queued"}},
          "job {}: queued for user {} in chat {}", jobs::short_id(job.id), job.user_id,
          job.chat_id);
      if (wake_workers_) wake_workers_();
    } else {
      metrics::count_job("refused");
      log_with(spdlog::level::info,
               {{"user", job.user_id}, {"chat", job.chat_id}, {"outcome", "refused"}},
               "bot: user {} refused a new job: {} unfinished (limit {})", job.user_id,
               r.unfinished, turn.admission().per_user_limit);
    }
  }
  return true;
}

void UpdateRouter::answer_callback(const telegram::CallbackQuery& q, const std::string& text,
                                   bool alert) {
  // Straight to Telegram, not through the outbox: the tapping user's spinner turns until the
  // answer (Telegram gives up after a few seconds), while the outbox sends a chat's entries in
  // order behind whatever that chat is waiting for (a transcript's upload, a flood wait). The
  // answer is a courtesy: the action's result is the durable part and goes through the
  // outbox. So it is tried once, with a short deadline, after the admission committed (its
  // text says what the admission did); a failure — above all Telegram's 400 "query is too
  // old" for a tap that waited while the bot was down — is logged and never retried. A crash
  // before the answer leaves the update unconfirmed: its redelivery answers it then.
  telegram::AnswerCallbackQueryParams p;
  p.callback_query_id = q.id;
  p.text = text;
  p.show_alert = alert && !text.empty();
  try {
    env_.api.answer_callback_query(p, std::chrono::seconds(5));
    tgscribe::metrics::Registry::global().counter_add("callback_answers_total",
                                                      {{"result", "answered"}});
  } catch (const telegram::ApiError& e) {
    tgscribe::metrics::Registry::global().counter_add("callback_answers_total",
                                                      {{"result", "failed"}});
    spdlog::info("bot: callback query from user {} not answered ({}); the action goes on",
                 q.from.id, e.what());
  } catch (const std::exception& e) {
    tgscribe::metrics::Registry::global().counter_add("callback_answers_total",
                                                      {{"result", "failed"}});
    spdlog::warn("bot: answering a callback query failed: {}", e.what());
  }
}

bool UpdateRouter::handle_callback(const telegram::Update& u) {
  const telegram::CallbackQuery& q = *u.callback_query;
  LogScope log_scope({{"update_id", u.update_id}, {"stage", "intake"}, {"user", q.from.id}});
  Turn turn(u.update_id);
  Tap tap = commands_.actions().tap(turn, q);
  if (env_.updates.seen(u.update_id)) {
    // Redelivered (the process died before confirming it): its job exists; answer again.
    metrics::count_handled("duplicate");
    answer_callback(q, commands_.actions().existing_answer(tap), false);
    return false;
  }
  if (turn.empty()) {
    metrics::count_handled("ignored");
    answer_callback(q, tap.answer.value_or(""), tap.alert);
    return false;
  }
  store::AdmitResult r = admit(turn);
  const store::Job& job = *turn.admission().job;
  if (r.duplicate) {
    metrics::count_handled("duplicate");
    answer_callback(q, commands_.actions().existing_answer(tap), false);
    return false;
  }
  if (r.accepted) {
    metrics::count_job("queued");
    log_with(spdlog::level::info,
             {{"job_id", job.id}, {"chat", job.chat_id}, {"outcome", "queued"}},
             "job {}: action {} queued for user {} in chat {}", jobs::short_id(job.id), tap.label,
             job.user_id, job.chat_id);
    if (wake_workers_) wake_workers_();
    answer_callback(q, tr(tap.lang, Msg::kActionAccepted, fmt::arg("action", tap.label)), false);
  } else {
    metrics::count_job("refused");
    answer_callback(q,
                    tr(tap.lang, Msg::kActionLimit, fmt::arg("count", r.unfinished),
                       fmt::arg("limit", env_.config.queue_rate_limit_per_user)),
                    true);
  }
  return true;
}

bool UpdateRouter::stale(const telegram::Message& m) const {
  int max_age = env_.config.backlog_max_age_s;
  // When the user last acted on it; a message without a date (synthetic payloads) is not old.
  int64_t sent = std::max(m.date, m.edit_date);
  if (max_age <= 0 || sent <= 0) return false;
  return env_.clock.unix_ms() / 1000 - sent > max_age;
}

const telegram::Message* UpdateRouter::requested_media(const telegram::Message& m,
                                                       const std::optional<Command>& cmd) {
  if (cmd) {
    if (cmd->name != "transcribe") return nullptr;
    if (m.media) return &m;
    if (m.reply_to_message && m.reply_to_message->media) return m.reply_to_message.get();
    return nullptr;
  }
  if (!m.media) return nullptr;
  if (!m.chat.is_group() || env_.settings.get(m.chat.id).auto_mode) return &m;
  return nullptr;
}

void UpdateRouter::route_stale(Turn& turn, const telegram::Message& m) {
  metrics::count_handled("backlog");
  if (m.from && m.from->is_bot) return;
  if (m.chat.type != telegram::ChatType::kPrivate && !m.chat.is_group()) return;
  if (!allowed(m)) return;
  // A transcript nobody waits for any more would cost engine time and flood the chat after
  // an outage; whoever still needs it can send it again. Other commands (a /status or /help
  // from an hour ago) are answered by nothing: the answer would be out of date.
  std::optional<Command> cmd = parse_command(m.text, env_.bot_username.get());
  int64_t age = env_.clock.unix_ms() / 1000 - std::max(m.date, m.edit_date);
  if (!requested_media(m, cmd)) {
    spdlog::debug("bot: message {} in chat {} is {} s old: skipped", m.message_id, m.chat.id, age);
    return;
  }
  // Logged with its age: a host clock that runs ahead shows up here first.
  spdlog::info(
      "bot: media message {} in chat {} is {} s old (BACKLOG_MAX_AGE_S={}): apologised "
      "instead of queueing it",
      m.message_id, m.chat.id, age, env_.config.backlog_max_age_s);
  turn.reply(m, tr(user_lang(m), Msg::kBacklogSkipped));
}

void UpdateRouter::route_edit(Turn& turn, const telegram::Message& m) {
  // Telegram sends edited_message for caption edits, reactions to live locations, link
  // previews appearing...: only an explicit request is acted on, an edited caption
  // "/transcribe" on media (a group's voice note the sender forgot to caption). Its job id
  // comes from the message (intake), so media already handled is a duplicate and starts
  // nothing. Edited commands are not run again.
  if (!m.media || (m.from && m.from->is_bot)) return;
  if (m.chat.type != telegram::ChatType::kPrivate && !m.chat.is_group()) return;
  std::optional<Command> cmd = parse_command(m.text, env_.bot_username.get());
  if (!cmd || cmd->name != "transcribe" || !allowed(m)) return;
  commands_.dispatch(turn, m, *cmd);
}

void UpdateRouter::route(Turn& turn, const telegram::Message& m) {
  if (m.from && m.from->is_bot) return;
  std::optional<Command> cmd = parse_command(m.text, env_.bot_username.get());
  bool group = m.chat.is_group();
  if (m.chat.type != telegram::ChatType::kPrivate && !group) return;  // channels

  if (!allowed(m)) {
    metrics::count_handled("denied");
    // In a group, answer only what was addressed to the bot; stay quiet otherwise.
    if (!group || (cmd && commands_.known(cmd->name))) {
      turn.reply(m, tr(user_lang(m), Msg::kAccessDenied));
    }
    spdlog::info("bot: access denied to user {} in chat {}", m.from ? m.from->id : 0, m.chat.id);
    return;
  }
  if (cmd) {
    commands_.dispatch(turn, m, *cmd);
    return;
  }
  if (m.media) {
    if (!group || env_.settings.get(m.chat.id).auto_mode) intake_.submit(turn, m, m);
    return;
  }
  if (!group) turn.reply(m, tr(user_lang(m), Msg::kSendMedia));
}

}  // namespace tgscribe::bot
