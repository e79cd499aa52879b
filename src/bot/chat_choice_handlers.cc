// /formats, /timestamps and /speakers: a chat's choices of what comes with its transcripts.
// They are stored like /lang (store::SettingsStore) and copied into each job's payload when
// the job is admitted (bot/intake.cc), so changing them affects the next media, never a job
// already accepted. Showing a choice is open to everyone; changing it in a group is for its
// admins, as /mode.
#include <spdlog/spdlog.h>

#include <algorithm>

#include "bot/chat_choice_args.h"
#include "bot/command_handlers.h"
#include "pipeline/result_cache.h"

namespace tgscribe::bot {
namespace {

std::string join_names(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : ", ") + s;
  return out;
}

std::string formats_text(const std::vector<std::string>& formats, Lang lang) {
  return formats.empty() ? tr(lang, Msg::kFormatsNone) : join_names(formats);
}

}  // namespace

bool CommandHandlers::may_change_choices(Turn& turn, const telegram::Message& m, Lang lang) {
  if (!m.chat.is_group()) return true;
  bool admin = sender_is_admin(m);
  if (!admin) turn.reply(m, tr(lang, Msg::kChoicesAdminsOnly));
  return admin;
}

void CommandHandlers::formats(Turn& turn, const telegram::Message& m, const Command& c, Lang lang) {
  FormatsArg arg = parse_formats_arg(c.args);
  store::ChatSettings s = env_.settings.get(m.chat.id);
  const std::vector<std::string>& configured = env_.config.output_formats;
  switch (arg.kind) {
    case FormatsArg::Kind::kShow: {
      std::string current = s.formats ? formats_text(*s.formats, lang)
                                      : tr(lang, Msg::kFormatsDefaultNote,
                                           fmt::arg("formats", formats_text(configured, lang)));
      turn.reply(m, tr(lang, Msg::kFormatsCurrent, fmt::arg("formats", current)));
      return;
    }
    case FormatsArg::Kind::kInvalid:
      turn.reply(m, tr(lang, Msg::kFormatsInvalid, fmt::arg("value", arg.bad)));
      return;
    default:
      break;
  }
  if (!may_change_choices(turn, m, lang)) return;
  if (arg.kind == FormatsArg::Kind::kDefault) {
    s.formats.reset();
    env_.settings.put(m.chat.id, s);
    turn.reply(
        m, tr(lang, Msg::kFormatsSetDefault, fmt::arg("formats", formats_text(configured, lang))));
    return;
  }
  s.formats = arg.formats;  // kNone: empty, the message only
  env_.settings.put(m.chat.id, s);
  if (arg.formats.empty()) {
    turn.reply(m, tr(lang, Msg::kFormatsSetNone));
  } else {
    turn.reply(m, tr(lang, Msg::kFormatsSet, fmt::arg("formats", join_names(arg.formats))));
  }
}

void CommandHandlers::timestamps(Turn& turn, const telegram::Message& m, const Command& c,
                                 Lang lang) {
  SwitchArg arg = parse_switch_arg(c.args);
  store::ChatSettings s = env_.settings.get(m.chat.id);
  if (arg.kind == SwitchArg::Kind::kShow) {
    turn.reply(m, tr(lang, s.timestamps ? Msg::kTimestampsCurrentOn : Msg::kTimestampsCurrentOff));
    return;
  }
  if (arg.kind == SwitchArg::Kind::kInvalid) {
    turn.reply(m, tr(lang, Msg::kTimestampsUsage));
    return;
  }
  if (!may_change_choices(turn, m, lang)) return;
  s.timestamps = arg.kind == SwitchArg::Kind::kOn;
  env_.settings.put(m.chat.id, s);
  turn.reply(m, tr(lang, s.timestamps ? Msg::kTimestampsSetOn : Msg::kTimestampsSetOff));
}

void CommandHandlers::speakers(Turn& turn, const telegram::Message& m, const Command& c,
                               Lang lang) {
  SwitchArg arg = parse_switch_arg(c.args);
  store::ChatSettings s = env_.settings.get(m.chat.id);
  if (arg.kind == SwitchArg::Kind::kShow) {
    turn.reply(m, tr(lang, s.speakers ? Msg::kSpeakersCurrentOn : Msg::kSpeakersCurrentOff));
    return;
  }
  if (arg.kind == SwitchArg::Kind::kInvalid) {
    turn.reply(m, tr(lang, Msg::kSpeakersUsage));
    return;
  }
  // The configured chain, as every instance (also an ingest-only one) knows it.
  std::vector<pipeline::EngineId> engines = pipeline::configured_engines(env_.config);
  std::vector<std::string> names;
  for (const auto& e : engines) names.push_back(e.name);
  bool any = std::any_of(engines.begin(), engines.end(), pipeline::can_diarize);
  if (arg.kind == SwitchArg::Kind::kOn && !any) {
    // Said, not stored: a setting that silently does nothing is worse than none.
    turn.reply(m, tr(lang, Msg::kSpeakersUnsupported,
                     fmt::arg("engines", names.empty() ? std::string("—") : join_names(names))));
    return;
  }
  if (!may_change_choices(turn, m, lang)) return;
  s.speakers = arg.kind == SwitchArg::Kind::kOn;
  env_.settings.put(m.chat.id, s);
  if (!s.speakers) {
    turn.reply(m, tr(lang, Msg::kSpeakersSetOff));
  } else if (pipeline::can_diarize(engines.front())) {
    turn.reply(m, tr(lang, Msg::kSpeakersSetOn));
  } else {
    turn.reply(m, tr(lang, Msg::kSpeakersSetOnFallback, fmt::arg("engines", names.front())));
  }
}

}  // namespace tgscribe::bot
