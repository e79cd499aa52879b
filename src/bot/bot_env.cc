#include "bot/bot_env.h"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace tgscribe::bot {

Lang user_lang(const telegram::Message& m) {
  return m.from ? lang_for(m.from->language_code) : Lang::kEn;
}

void reply_to(BotEnv& env, const telegram::Message& m, const std::string& text) {
  telegram::SendMessageParams p;
  p.chat_id = m.chat.id;
  p.text = text;
  p.reply_to_message_id = m.message_id;
  p.message_thread_id = m.reply_thread_id();
  try {
    env.sender.send_message(std::move(p));
  } catch (const std::exception& e) {
    spdlog::warn("bot: reply to message {} in chat {} failed: {}", m.message_id, m.chat.id,
                 e.what());
  }
}

std::string chat_language(BotEnv& env, int64_t chat_id) {
  std::string lang = env.settings.get(chat_id).language;
  return lang.empty() ? env.config.language : lang;
}

bool is_admin_user(const config::Config& config, int64_t user_id) {
  const auto& ids = config.admin_user_ids;
  return std::find(ids.begin(), ids.end(), user_id) != ids.end();
}

}  // namespace tgscribe::bot
