#include "bot/action_intake.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>

#include "common/strings.h"
#include "jobs/job_payload.h"
#include "jobs/transcript_messages.h"

namespace tgscribe::bot {

using jobs::ActionKind;
using jobs::JobPayload;
using jobs::short_id;

namespace {

bool language_code(const std::string& s) {
  return s.size() == 2 && std::isalpha(static_cast<unsigned char>(s[0])) &&
         std::isalpha(static_cast<unsigned char>(s[1]));
}

bool contains(const std::vector<int64_t>& v, int64_t x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

}  // namespace

ActionIntake::ActionIntake(BotEnv& env, Intake& intake)
    : env_(env), intake_(intake), menu_(jobs::action_menu(env.config, env.text_model != nullptr)) {}

bool ActionIntake::available(ActionKind kind, const std::string& target) const {
  switch (kind) {
    case ActionKind::kSummary:
      return menu_.summary;
    case ActionKind::kTranslate:
      return menu_.can_translate_to(target);
    case ActionKind::kSubtitles:
      return menu_.subtitles;
  }
  return false;
}

bool ActionIntake::allowed(const telegram::User& who, int64_t chat_id) const {
  const auto& users = env_.config.allowed_user_ids;
  const auto& chats = env_.config.allowed_chat_ids;
  if (users.empty() && chats.empty()) return true;
  return contains(users, who.id) || contains(chats, chat_id);
}

std::optional<std::string> ActionIntake::state_answer(const std::string& job_id,
                                                      const std::string& label, Lang lang) {
  auto job = env_.queue.get(job_id);
  if (!job) return std::nullopt;
  switch (job->state) {
    case store::JobState::kQueued:
    case store::JobState::kRunning:
      return tr(lang, Msg::kActionRunning, fmt::arg("action", label));
    case store::JobState::kDelivered:
      return tr(lang, Msg::kActionAlreadySent, fmt::arg("action", label));
    default:
      return tr(lang, Msg::kActionAlreadyFailed, fmt::arg("action", label));
  }
}

std::string ActionIntake::existing_answer(const Tap& t) {
  if (t.job_id.empty()) return t.answer.value_or("");
  return state_answer(t.job_id, t.label, t.lang)
      .value_or(tr(t.lang, Msg::kActionAccepted, fmt::arg("action", t.label)));
}

void ActionIntake::set_action_job(Turn& turn, store::Job job, const JobPayload& p, Lang lang) {
  job.update_id = turn.update_id();
  job.user_id = p.user_id;
  job.chat_id = p.chat_id;
  // Actions are short next to most transcripts: the media's length still orders them.
  job.priority = p.media.duration > 0 ? p.media.duration : p.media.file_size / 4000;
  if (is_admin_user(env_.config, p.user_id)) job.priority -= env_.config.queue_admin_boost;
  job.created_ms = env_.clock.unix_ms();
  job.payload = jobs::to_json(p);
  auto kind = jobs::action_from_name(p.action);
  std::string label = jobs::action_label(kind.value_or(ActionKind::kSummary), p.target_language,
                                         lang_for(p.user_lang));
  std::string status =
      tr(lang, Msg::kActionStatus, fmt::arg("action", label), fmt::arg("id", short_id(job.id)));
  std::string refusal = tr(lang, Msg::kActionLimit, fmt::arg("count", "{unfinished}"),
                           fmt::arg("limit", env_.config.queue_rate_limit_per_user));
  std::string id = job.id;
  turn.set_job(std::move(job), env_.config.queue_rate_limit_per_user,
               {jobs::TranscriptMessages::status(id, p, status)},
               {jobs::make_entry("u" + std::to_string(turn.update_id()) + ":refused", "",
                                 jobs::reply_message(p, refusal))});
}

bool ActionIntake::admit_on_source(Turn& turn, const store::Job& source, ActionKind kind,
                                   const std::string& target, const telegram::User& who,
                                   const telegram::Message& reply_to, Lang lang,
                                   std::string* job_id) {
  JobPayload p;
  try {
    p = jobs::payload_from_json(source.payload);
  } catch (const std::exception& e) {
    spdlog::warn("bot: job {} has an unreadable payload: {}", short_id(source.id), e.what());
    return false;
  }
  // The button's data comes from the client: a job of another chat is not this chat's to use.
  if (p.chat_id != reply_to.chat.id || !p.action.empty()) return false;
  p.action = jobs::action_name(kind);
  p.target_language = target;
  p.source_job = source.id;
  p.user_id = who.id;
  p.requester_name = who.display_name();
  p.user_lang = lang_code(lang);
  p.reply_to_message_id = reply_to.message_id;
  store::Job job;
  job.id = jobs::action_job_id(source.id, kind, target);
  *job_id = job.id;
  set_action_job(turn, std::move(job), p, lang);
  return true;
}

Tap ActionIntake::tap(Turn& turn, const telegram::CallbackQuery& q) {
  Tap t;
  t.lang = lang_for(q.from.language_code);
  auto request = jobs::parse_callback_data(q.data);
  if (!request || !q.message) {
    // Not one of our buttons (or an inline-mode message): stop the spinner, say nothing.
    t.answer = "";
    return t;
  }
  t.label = jobs::action_label(request->kind, request->target_language, t.lang);
  if (!allowed(q.from, q.message->chat.id)) {
    t.answer = tr(t.lang, Msg::kAccessDenied);
    t.alert = true;
    return t;
  }
  if (!available(request->kind, request->target_language)) {
    t.answer = tr(t.lang, Msg::kActionUnavailable, fmt::arg("action", t.label));
    t.alert = true;
    return t;
  }
  t.job_id = jobs::action_job_id(request->source_job, request->kind, request->target_language);
  if (auto known = state_answer(t.job_id, t.label, t.lang)) {
    t.answer = *known;  // a repeated tap: the job exists, nothing new is admitted
    return t;
  }
  auto source = env_.queue.get(request->source_job);
  std::string job_id;
  if (!source || !admit_on_source(turn, *source, request->kind, request->target_language, q.from,
                                  *q.message, t.lang, &job_id)) {
    t.job_id.clear();
    t.answer = tr(t.lang, Msg::kActionGone);
    t.alert = true;
  }
  return t;
}

void ActionIntake::command(Turn& turn, const telegram::Message& m, ActionKind kind,
                           const std::string& args) {
  Lang lang = user_lang(m);
  const char* name = kind == ActionKind::kSummary ? "summary" : "translate";
  std::string target;
  if (kind == ActionKind::kTranslate) {
    target = to_lower(trim(args));
    if (target.empty()) target = "en";
    if (!language_code(target)) {
      turn.reply(m, tr(lang, Msg::kTranslateInvalid, fmt::arg("value", args)));
      return;
    }
  }
  std::string label = jobs::action_label(kind, target, lang);
  if (!m.reply_to_message) {
    turn.reply(m, tr(lang, Msg::kActionNeedsReply, fmt::arg("command", name)));
    return;
  }
  if (!available(kind, target)) {
    turn.reply(m, tr(lang, Msg::kActionUnavailable, fmt::arg("action", label)));
    return;
  }
  const telegram::Message& target_msg = *m.reply_to_message;
  telegram::User who;
  if (m.from) who = *m.from;
  if (!m.from) who.id = m.chat.id;
  // A transcript: its last message carries the buttons, which name its job.
  std::optional<std::string> source_id;
  if (target_msg.reply_markup) source_id = jobs::source_job_in(*target_msg.reply_markup);
  if (source_id) {
    std::string job_id = jobs::action_job_id(*source_id, kind, target);
    if (auto known = state_answer(job_id, label, lang)) {
      turn.reply(m, *known);
      return;
    }
    auto source = env_.queue.get(*source_id);
    if (!source || !admit_on_source(turn, *source, kind, target, who, target_msg, lang, &job_id)) {
      turn.reply(m, tr(lang, Msg::kActionGone));
    }
    return;
  }
  if (!target_msg.media) {
    turn.reply(m, tr(lang, Msg::kActionNotTranscript));
    return;
  }
  // A media message: the action on its transcript, made (or found in the cache) by the job.
  JobPayload p = intake_.payload(m, target_msg, lang);
  std::string source =
      "msg:" + std::to_string(target_msg.chat.id) + ":" + std::to_string(target_msg.message_id);
  p.action = jobs::action_name(kind);
  p.target_language = target;
  store::Job job;
  job.id = jobs::action_job_id(source, kind, target);
  if (auto known = state_answer(job.id, label, lang)) {
    turn.reply(m, *known);
    return;
  }
  set_action_job(turn, std::move(job), p, lang);
}

}  // namespace tgscribe::bot
