#pragma once
// Secrets (bot token, API keys, webhook secret, URL passwords) must never reach a log line,
// an error message or the user. Every secret is registered once at startup; redact() is then
// applied to every log line and to every error text that leaves the process.
#include <string>
#include <string_view>

namespace tgscribe {

// Registers a secret to be replaced by "***" wherever it appears. Empty strings are ignored.
void register_secret(std::string_view secret);

// Replaces registered secrets, Telegram bot tokens in URLs ("bot123:ABC.." -> "bot***") and
// passwords inside URLs ("redis://:pw@host" -> "redis://:***@host").
std::string redact(std::string_view text);

// "sk-abcdef123456" -> "sk-a…3456 (15 chars)"-like masking for `tgscribe config`: enough to
// recognise which key is set, never enough to use it. Empty -> "(not set)".
std::string mask_secret(std::string_view secret);

// Masks the password part of a URL ("redis://user:pw@h:1/0" -> "redis://user:***@h:1/0").
std::string mask_url_password(std::string_view url);

}  // namespace tgscribe
