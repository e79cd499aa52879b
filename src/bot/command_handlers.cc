#include "bot/command_handlers.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>

#include "bot/usage_report.h"
#include "common/strings.h"
#include "jobs/job_payload.h"
#include "jobs/transcript_messages.h"

namespace tgscribe::bot {

using jobs::JobPayload;
using jobs::payload_from_json;
using jobs::short_id;
using jobs::TranscriptMessages;

namespace {

std::string join(const std::vector<std::string>& v, const char* sep) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : sep) + s;
  return out;
}

bool valid_language_code(const std::string& s) {
  // ISO 639-1: two letters. Engines take nothing else, so refuse early and kindly.
  return s.size() == 2 && std::isalpha(static_cast<unsigned char>(s[0])) &&
         std::isalpha(static_cast<unsigned char>(s[1]));
}

std::string seconds_text(double ms) { return fmt::format("{:.1f}", ms / 1000.0); }

}  // namespace

CommandHandlers::CommandHandlers(BotEnv& env, Intake& intake)
    : env_(env),
      intake_(intake),
      table_{{"start", &CommandHandlers::start},
             {"help", &CommandHandlers::help},
             {"lang", &CommandHandlers::lang},
             {"mode", &CommandHandlers::mode},
             {"transcribe", &CommandHandlers::transcribe},
             {"status", &CommandHandlers::status},
             {"cancel", &CommandHandlers::cancel},
             {"stats", &CommandHandlers::stats},
             {"forget", &CommandHandlers::forget},
             {"usage", &CommandHandlers::usage},
             {"formats", &CommandHandlers::formats},
             {"timestamps", &CommandHandlers::timestamps},
             {"speakers", &CommandHandlers::speakers},
             {"summary", &CommandHandlers::summary},
             {"translate", &CommandHandlers::translate}},
      actions_(env, intake) {}

std::vector<telegram::BotCommand> CommandHandlers::menu(Lang lang) {
  return {
      {"start", tr(lang, Msg::kCmdStart)},
      {"help", tr(lang, Msg::kCmdHelp)},
      {"transcribe", tr(lang, Msg::kCmdTranscribe)},
      {"lang", tr(lang, Msg::kCmdLang)},
      {"mode", tr(lang, Msg::kCmdMode)},
      {"formats", tr(lang, Msg::kCmdFormats)},
      {"timestamps", tr(lang, Msg::kCmdTimestamps)},
      {"speakers", tr(lang, Msg::kCmdSpeakers)},
      {"status", tr(lang, Msg::kCmdStatus)},
      {"summary", tr(lang, Msg::kCmdSummary)},
      {"translate", tr(lang, Msg::kCmdTranslate)},
      {"cancel", tr(lang, Msg::kCmdCancel)},
      {"usage", tr(lang, Msg::kCmdUsage)},
      {"forget", tr(lang, Msg::kCmdForget)},
      {"stats", tr(lang, Msg::kCmdStats)},
  };
}

int64_t CommandHandlers::user_of(const telegram::Message& m) const {
  return m.from ? m.from->id : m.chat.id;
}

bool CommandHandlers::sender_is_admin(const telegram::Message& m) {
  if (!m.from) return false;
  try {
    return env_.api.get_chat_member(m.chat.id, m.from->id).is_admin();
  } catch (const std::exception& e) {
    // Unknown means no: what the bot reads in or sends to a whole group is an admin's decision.
    spdlog::warn("bot: getChatMember in chat {} failed: {}", m.chat.id, e.what());
    return false;
  }
}

void CommandHandlers::dispatch(Turn& turn, const telegram::Message& m, const Command& c) {
  Lang lang = user_lang(m);
  auto it = table_.find(c.name);
  if (it == table_.end()) {
    if (!m.chat.is_group() || c.addressed) turn.reply(m, tr(lang, Msg::kUnknownCommand));
    return;
  }
  (this->*(it->second))(turn, m, c, lang);
}

void CommandHandlers::start(Turn& turn, const telegram::Message& m, const Command&, Lang lang) {
  std::string name = m.from ? m.from->first_name : "";
  if (name.empty() && m.from) name = m.from->display_name();
  turn.reply(m, tr(lang, Msg::kStart, fmt::arg("name", name)));
}

void CommandHandlers::help(Turn& turn, const telegram::Message& m, const Command&, Lang lang) {
  // This chat's files (/formats), else OUTPUT_FORMATS.
  std::vector<std::string> chat_formats =
      env_.settings.get(m.chat.id).formats.value_or(env_.config.output_formats);
  std::string formats = chat_formats.empty() ? std::string("—") : join(chat_formats, ", ");
  turn.reply(m, tr(lang, Msg::kHelp, fmt::arg("formats", formats),
                   fmt::arg("max_mb", format_mb(env_.config.max_file_size_mb * 1e6))));
}

void CommandHandlers::lang(Turn& turn, const telegram::Message& m, const Command& c, Lang lang) {
  std::string arg = to_lower(c.args);
  store::ChatSettings s = env_.settings.get(m.chat.id);
  if (arg.empty()) {
    std::string current = s.language.empty() ? env_.config.language : s.language;
    turn.reply(m, tr(lang, Msg::kLangCurrent, fmt::arg("language", current)));
    return;
  }
  if (arg == "auto") {
    s.language = "auto";
    env_.settings.put(m.chat.id, s);
    turn.reply(m, tr(lang, Msg::kLangSetAuto));
    return;
  }
  if (!valid_language_code(arg)) {
    turn.reply(m, tr(lang, Msg::kLangInvalid, fmt::arg("value", c.args)));
    return;
  }
  s.language = arg;
  env_.settings.put(m.chat.id, s);
  turn.reply(m, tr(lang, Msg::kLangSet, fmt::arg("language", arg)));
}

void CommandHandlers::mode(Turn& turn, const telegram::Message& m, const Command& c, Lang lang) {
  if (!m.chat.is_group()) {
    turn.reply(m, tr(lang, Msg::kModeGroupsOnly));
    return;
  }
  store::ChatSettings s = env_.settings.get(m.chat.id);
  std::string arg = to_lower(c.args);
  if (arg.empty()) {
    turn.reply(m, tr(lang, s.auto_mode ? Msg::kModeCurrentAuto : Msg::kModeCurrentManual));
    return;
  }
  if (arg != "auto" && arg != "manual") {
    turn.reply(m, tr(lang, Msg::kModeUsage));
    return;
  }
  if (!sender_is_admin(m)) {
    turn.reply(m, tr(lang, Msg::kModeAdminsOnly));
    return;
  }
  s.auto_mode = arg == "auto";
  env_.settings.put(m.chat.id, s);
  turn.reply(m, tr(lang, s.auto_mode ? Msg::kModeSetAuto : Msg::kModeSetManual));
}

void CommandHandlers::transcribe(Turn& turn, const telegram::Message& m, const Command&,
                                 Lang lang) {
  if (m.media) {  // a media message captioned "/transcribe"
    intake_.submit(turn, m, m);
    return;
  }
  if (!m.reply_to_message) {
    turn.reply(m, tr(lang, Msg::kTranscribeNeedsReply));
    return;
  }
  if (!m.reply_to_message->media) {
    turn.reply(m, tr(lang, Msg::kTranscribeNotMedia));
    return;
  }
  intake_.submit(turn, m, *m.reply_to_message);
}

void CommandHandlers::status(Turn& turn, const telegram::Message& m, const Command&, Lang lang) {
  auto jobs = env_.queue.user_jobs(user_of(m), /*unfinished_only=*/true);
  if (jobs.empty()) {
    turn.reply(m, tr(lang, Msg::kStatusNone));
    return;
  }
  std::sort(jobs.begin(), jobs.end(),
            [](const store::Job& a, const store::Job& b) { return a.created_ms < b.created_ms; });
  std::string text = tr(lang, Msg::kStatusHeader);
  for (const auto& j : jobs) {
    text += "\n";
    if (j.state == store::JobState::kQueued) {
      text += tr(lang, Msg::kStatusLineQueued, fmt::arg("id", short_id(j.id)),
                 fmt::arg("position", std::max(1, env_.queue.position(j.id))));
    } else {
      text += tr(lang, Msg::kStatusLineRunning, fmt::arg("id", short_id(j.id)));
    }
  }
  turn.reply(m, text);
}

void CommandHandlers::cancel(Turn& turn, const telegram::Message& m, const Command& c, Lang lang) {
  auto jobs = env_.queue.user_jobs(user_of(m), /*unfinished_only=*/true);
  if (jobs.empty()) {
    turn.reply(m, tr(lang, Msg::kCancelNone));
    return;
  }
  const store::Job* target = nullptr;
  std::string wanted = to_lower(c.args);
  if (wanted.empty()) {
    target = &*std::max_element(jobs.begin(), jobs.end(), [](const auto& a, const auto& b) {
      return a.created_ms < b.created_ms;
    });
  } else {
    for (const auto& j : jobs) {
      if (j.id.rfind(wanted, 0) == 0) target = &j;  // the short id is a prefix
    }
  }
  if (!target) {
    turn.reply(m, tr(lang, Msg::kCancelNotFound, fmt::arg("id", c.args)));
    return;
  }
  bool was_queued = target->state == store::JobState::kQueued;
  if (!env_.queue.cancel(target->id, user_of(m))) {
    turn.reply(m, tr(lang, Msg::kCancelNotFound, fmt::arg("id", short_id(target->id))));
    return;
  }
  spdlog::info("job {}: cancel requested by user {}", short_id(target->id), user_of(m));
  if (was_queued) {
    // No worker will touch it again: close its status message here (through the outbox,
    // after the status reply itself in that chat's order).
    try {
      JobPayload p = payload_from_json(target->payload);
      turn.add(TranscriptMessages::status_edit(
          target->id, p, "final",
          tr(lang_for(p.user_lang), Msg::kStatusCancelled, fmt::arg("id", short_id(target->id)))));
    } catch (const std::exception& e) {
      spdlog::warn("job {}: closing the status message failed: {}", short_id(target->id), e.what());
    }
  }
  turn.reply(m, tr(lang, was_queued ? Msg::kCancelDone : Msg::kCancelRequested,
                   fmt::arg("id", short_id(target->id))));
}

void CommandHandlers::stats(Turn& turn, const telegram::Message& m, const Command&, Lang lang) {
  if (!is_admin_user(env_.config, user_of(m))) {
    turn.reply(m, tr(lang, Msg::kStatsDenied));
    return;
  }
  store::QueueStats q = env_.queue.stats();
  store::CacheStats cs;
  if (env_.cache) cs = env_.cache->stats();
  int64_t file_total = cs.file_hits + cs.file_misses;
  int64_t content_total = cs.content_hits + cs.content_misses;
  int64_t hits = cs.file_hits + cs.content_hits;
  int64_t total = file_total + content_total;
  std::string hit_rate =
      total > 0 ? fmt::format("{:.0f}%", 100.0 * static_cast<double>(hits) / total) : "—";
  std::vector<std::string> engines;
  if (env_.pipeline) {
    for (const auto& e : env_.pipeline->engines()) {
      engines.push_back(e->caps().name + " (" + e->caps().model + ")");
    }
  }
  auto uptime = std::chrono::duration_cast<std::chrono::seconds>(env_.clock.now() - env_.started);
  turn.reply(m,
             tr(lang, Msg::kStats, fmt::arg("queued", q.queued), fmt::arg("running", q.running),
                fmt::arg("delivered", q.delivered), fmt::arg("failed", q.failed),
                fmt::arg("cancelled", q.cancelled), fmt::arg("retries", q.retries),
                fmt::arg("wait_p50", seconds_text(q.wait_p50_ms)),
                fmt::arg("wait_p95", seconds_text(q.wait_p95_ms)),
                fmt::arg("run_p50", seconds_text(q.run_p50_ms)),
                fmt::arg("run_p95", seconds_text(q.run_p95_ms)), fmt::arg("hit_rate", hit_rate),
                fmt::arg("file_hits", cs.file_hits), fmt::arg("file_total", file_total),
                fmt::arg("content_hits", cs.content_hits), fmt::arg("content_total", content_total),
                fmt::arg("workers", env_.config.queue_max_workers),
                fmt::arg("engines", engines.empty() ? std::string("—") : join(engines, ", ")),
                fmt::arg("uptime", format_duration(static_cast<double>(uptime.count())))) +
                 (env_.usage ? "\n\n" + stats_usage_text(env_, lang) : std::string()));
}

void CommandHandlers::usage(Turn& turn, const telegram::Message& m, const Command&, Lang lang) {
  if (!env_.usage) {
    turn.reply(m, tr(lang, Msg::kUsageNoQuota));
    return;
  }
  turn.reply(m, usage_text(env_, user_of(m), lang));
}

void CommandHandlers::forget(Turn& turn, const telegram::Message& m, const Command&, Lang lang) {
  int64_t user = user_of(m);
  if (env_.cache) env_.cache->forget_user(user);
  env_.queue.forget_user(user);
  // A private chat's id is the user's id; group settings belong to the group, not to them.
  env_.settings.forget_chat(user);
  if (env_.usage) env_.usage->forget(user);
  spdlog::info("bot: forgot what was stored about user {}", user);
  turn.reply(m, tr(lang, Msg::kForgetDone));
}

void CommandHandlers::summary(Turn& turn, const telegram::Message& m, const Command& c, Lang) {
  actions_.command(turn, m, jobs::ActionKind::kSummary, c.args);
}

void CommandHandlers::translate(Turn& turn, const telegram::Message& m, const Command& c, Lang) {
  actions_.command(turn, m, jobs::ActionKind::kTranslate, c.args);
}

}  // namespace tgscribe::bot
