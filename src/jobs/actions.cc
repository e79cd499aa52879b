#include "jobs/actions.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <utility>

#include "common/sha256.h"
#include "engine/openai_compatible_transcriber.h"
#include "pipeline/result_cache.h"

namespace tgscribe::jobs {
namespace {

constexpr std::string_view kPrefix = "a:";

bool is_hex_id(std::string_view s) {
  return !s.empty() && s.size() <= 32 && std::all_of(s.begin(), s.end(), [](char c) {
    return std::isxdigit(static_cast<unsigned char>(c)) != 0;
  });
}

bool is_language_code(std::string_view s) {
  return s.size() == 2 && std::islower(static_cast<unsigned char>(s[0])) &&
         std::islower(static_cast<unsigned char>(s[1]));
}

// Names of the languages people ask for most; others are shown by their code.
struct LanguageName {
  const char* code;
  const char* en;
  const char* id;
};
constexpr std::array<LanguageName, 12> kLanguageNames = {{
    {"en", "English", "Inggris"},
    {"id", "Indonesian", "Indonesia"},
    {"de", "German", "Jerman"},
    {"fr", "French", "Prancis"},
    {"es", "Spanish", "Spanyol"},
    {"pt", "Portuguese", "Portugis"},
    {"ru", "Russian", "Rusia"},
    {"ar", "Arabic", "Arab"},
    {"zh", "Chinese", "Tionghoa"},
    {"ja", "Japanese", "Jepang"},
    {"ms", "Malay", "Melayu"},
    {"nl", "Dutch", "Belanda"},
}};

}  // namespace

const char* action_name(ActionKind kind) {
  switch (kind) {
    case ActionKind::kSummary:
      return "summary";
    case ActionKind::kTranslate:
      return "translate";
    case ActionKind::kSubtitles:
      return "subtitles";
  }
  return "summary";
}

std::optional<ActionKind> action_from_name(std::string_view name) {
  for (auto k : {ActionKind::kSummary, ActionKind::kTranslate, ActionKind::kSubtitles}) {
    if (name == action_name(k)) return k;
  }
  return std::nullopt;
}

std::string callback_data(const ActionRequest& r) {
  switch (r.kind) {
    case ActionKind::kSummary:
      return "a:sum:" + r.source_job;
    case ActionKind::kTranslate:
      return "a:tr:" + r.target_language + ":" + r.source_job;
    case ActionKind::kSubtitles:
      return "a:srt:" + r.source_job;
  }
  return {};
}

std::optional<ActionRequest> parse_callback_data(std::string_view data) {
  if (data.size() > telegram::kMaxCallbackDataBytes || data.substr(0, kPrefix.size()) != kPrefix) {
    return std::nullopt;
  }
  data.remove_prefix(kPrefix.size());
  std::vector<std::string_view> parts;
  while (true) {
    size_t colon = data.find(':');
    parts.push_back(data.substr(0, colon));
    if (colon == std::string_view::npos) break;
    data.remove_prefix(colon + 1);
  }
  ActionRequest r;
  if (parts.size() == 2 && (parts[0] == "sum" || parts[0] == "srt")) {
    r.kind = parts[0] == "sum" ? ActionKind::kSummary : ActionKind::kSubtitles;
  } else if (parts.size() == 3 && parts[0] == "tr" && is_language_code(parts[1])) {
    r.kind = ActionKind::kTranslate;
    r.target_language = std::string(parts[1]);
  } else {
    return std::nullopt;
  }
  if (!is_hex_id(parts.back())) return std::nullopt;
  r.source_job = std::string(parts.back());
  return r;
}

std::string action_job_id(const std::string& source, ActionKind kind,
                          const std::string& target_language) {
  // Its own prefix: action ids never meet update or message ids (bot/turn.h).
  return Sha256::of("tgscribe-action:" + source + ":" + action_name(kind) + ":" + target_language)
      .substr(0, 16);
}

std::optional<std::string> source_job_in(const telegram::InlineKeyboard& keyboard) {
  for (const auto& row : keyboard.rows) {
    for (const auto& b : row) {
      if (auto r = parse_callback_data(b.callback_data)) return r->source_job;
    }
  }
  return std::nullopt;
}

ActionMenu action_menu(const config::Config& config, bool has_text_model) {
  ActionMenu m;
  m.summary = has_text_model;
  m.text_translation = has_text_model;
  // The primary engine's translation endpoint: Groq and OpenAI Whisper models have one
  // (Groq's turbo model through whisper-large-v3, engine/openai_compatible_transcriber.h).
  std::vector<pipeline::EngineId> engines = pipeline::configured_engines(config);
  if (!engines.empty() && (engines[0].name == "groq" || engines[0].name == "openai")) {
    engine::OpenAiCompatibleSettings s;
    s.name = engines[0].name;
    s.model = engines[0].model;
    m.engine_translation = engine::openai_compatible_caps(s).supports_translate;
  }
  return m;
}

std::string language_label(const std::string& code, i18n::Lang lang) {
  for (const auto& n : kLanguageNames) {
    if (code == n.code) return lang == i18n::Lang::kId ? n.id : n.en;
  }
  return code;
}

std::string action_label(ActionKind kind, const std::string& target_language, i18n::Lang lang) {
  using i18n::Msg;
  switch (kind) {
    case ActionKind::kSummary:
      return i18n::tr(lang, Msg::kActionNameSummary);
    case ActionKind::kTranslate:
      return i18n::tr(lang, Msg::kActionNameTranslate,
                      fmt::arg("language", language_label(target_language, lang)));
    case ActionKind::kSubtitles:
      return i18n::tr(lang, Msg::kActionNameSubtitles);
  }
  return {};
}

telegram::InlineKeyboard action_keyboard(const ActionMenu& menu, const std::string& job_id,
                                         i18n::Lang lang, const std::string& transcript_language,
                                         const std::vector<std::string>& formats) {
  using i18n::Msg;
  std::vector<telegram::InlineButton> row;
  if (menu.summary) {
    row.push_back({i18n::tr(lang, Msg::kActionButtonSummary),
                   callback_data({ActionKind::kSummary, "", job_id})});
  }
  // English for a transcript in another language (or one whose language is unknown).
  if (menu.can_translate_to("en") && transcript_language != "en") {
    row.push_back({i18n::tr(lang, Msg::kActionButtonTranslate,
                            fmt::arg("language", language_label("en", lang))),
                   callback_data({ActionKind::kTranslate, "en", job_id})});
  }
  if (menu.subtitles && std::find(formats.begin(), formats.end(), "srt") == formats.end()) {
    row.push_back({i18n::tr(lang, Msg::kActionButtonSubtitles),
                   callback_data({ActionKind::kSubtitles, "", job_id})});
  }
  telegram::InlineKeyboard kb;
  if (!row.empty()) kb.rows.push_back(std::move(row));
  return kb;
}

}  // namespace tgscribe::jobs
