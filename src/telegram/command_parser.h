#pragma once
// Telegram's bot commands in a message's text (the one parser: the bot routes with it, the
// update fuzzer drives it): "/lang id", "/lang@my_bot id" (groups add
// the bot's name so several bots can share a chat).
#include <optional>
#include <string>
#include <string_view>

namespace tgscribe::telegram {

struct Command {
  std::string name;        // lower case, without "/" and "@bot": "lang"
  std::string args;        // the rest of the text, trimmed: "id"
  bool addressed = false;  // "@bot" suffix present: meant for this bot even in a busy group
};

// nullopt when `text` is not a command, or is addressed to another bot ("/help@other_bot").
// `bot_username` may be empty (unknown yet): then any suffix is accepted.
std::optional<Command> parse_command(std::string_view text, std::string_view bot_username);

}  // namespace tgscribe::telegram
