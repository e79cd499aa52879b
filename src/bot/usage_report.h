#pragma once
// The usage texts: /usage for every user (their minutes today and this month, what is left of
// their quota and when it resets) and the usage part of the admins' /stats (cost today / 7 /
// 30 days, totals per engine, cache savings, top users), read from the UsageLedger.
#include <cstdint>
#include <string>

#include "bot/bot_env.h"

namespace tgscribe::bot {

// Needs env.usage.
std::string usage_text(BotEnv& env, int64_t user_id, Lang lang);
std::string stats_usage_text(BotEnv& env, Lang lang);

// Minutes as users read them: one decimal, two under ten minutes ("0.05", "3.25", "42.5").
std::string format_minutes(double seconds);
// Audio time with its unit for /stats: seconds under two minutes ("4.6 s"), else minutes.
std::string format_audio(double seconds);
// US dollars: four decimals under a dollar (engine prices are fractions of a cent a minute).
std::string format_usd(double usd);

}  // namespace tgscribe::bot
