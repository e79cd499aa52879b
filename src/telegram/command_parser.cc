#include "telegram/command_parser.h"

#include "common/strings.h"

namespace tgscribe::telegram {

std::optional<Command> parse_command(std::string_view text, std::string_view bot_username) {
  if (text.size() < 2 || text[0] != '/') return std::nullopt;
  size_t end = text.find_first_of(" \t\n\r");
  std::string_view head = text.substr(1, end == std::string_view::npos ? text.npos : end - 1);
  std::string_view rest = end == std::string_view::npos ? std::string_view{} : text.substr(end);
  std::string_view target;
  if (auto at = head.find('@'); at != std::string_view::npos) {
    target = head.substr(at + 1);
    head = head.substr(0, at);
  }
  if (head.empty()) return std::nullopt;
  // Telegram commands are [A-Za-z0-9_]; anything else ("/ hello", "/😀") is plain text.
  for (char c : head) {
    bool ok =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    if (!ok) return std::nullopt;
  }
  if (!target.empty() && !bot_username.empty() && to_lower(target) != to_lower(bot_username)) {
    return std::nullopt;
  }
  return Command{to_lower(head), trim(rest), !target.empty()};
}

}  // namespace tgscribe::telegram
