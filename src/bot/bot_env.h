#pragma once
// The bot layer speaks the vocabulary of the job layer (jobs::JobEnv and friends) and of the
// message catalogue (i18n::Msg, tr); these declarations bring both in once for all of bot/.
#include <string>

#include "i18n/i18n.h"
#include "jobs/job_env.h"
#include "telegram/types.h"

namespace tgscribe::bot {

using BotEnv = jobs::JobEnv;
using i18n::format_duration;
using i18n::format_mb;
using i18n::Lang;
using i18n::lang_code;
using i18n::lang_for;
using i18n::Msg;
using i18n::tr;
using jobs::is_admin_user;

// The language of the bot's texts for the sender of `m` (their Telegram client language).
Lang user_lang(const telegram::Message& m);

// The transcription language of a chat: its /lang setting, else LANGUAGE from the config.
std::string chat_language(BotEnv& env, int64_t chat_id);

}  // namespace tgscribe::bot
