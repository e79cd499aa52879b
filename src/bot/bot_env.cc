#include "bot/bot_env.h"

namespace tgscribe::bot {

Lang user_lang(const telegram::Message& m) {
  return m.from ? lang_for(m.from->language_code) : Lang::kEn;
}

std::string chat_language(BotEnv& env, int64_t chat_id) {
  std::string lang = env.settings.get(chat_id).language;
  return lang.empty() ? env.config.language : lang;
}

}  // namespace tgscribe::bot
