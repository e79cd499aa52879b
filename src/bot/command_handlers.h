#pragma once
// The command dispatch table: /start /help /lang /mode /transcribe /status /cancel /stats
// /forget /usage, and the chat choices /formats /timestamps /speakers (chat_choice_handlers.cc).
// Texts come from the i18n catalogue in the language of the user who asked.
#include <map>
#include <string>
#include <vector>

#include "bot/action_intake.h"
#include "bot/bot_env.h"
#include "bot/intake.h"
#include "bot/turn.h"
#include "telegram/bot_api.h"
#include "telegram/command_parser.h"
#include "telegram/types.h"

namespace tgscribe::bot {

// Commands are Telegram's format, parsed in telegram/command_parser.h.
using telegram::Command;
using telegram::parse_command;

class CommandHandlers {
 public:
  CommandHandlers(BotEnv& env, Intake& intake);

  // Handles a command of `m`. Unknown commands get a short help line (in groups only when
  // addressed to this bot with @name, so other bots' commands are not answered).
  void dispatch(Turn& turn, const telegram::Message& m, const Command& c);

  bool known(const std::string& name) const { return table_.count(name) > 0; }
  // The menu for setMyCommands, in `lang`.
  static std::vector<telegram::BotCommand> menu(Lang lang);
  // Action jobs (summaries, translations) asked by a tap or a command.
  ActionIntake& actions() { return actions_; }

 private:
  using Handler = void (CommandHandlers::*)(Turn&, const telegram::Message&, const Command&, Lang);
  void start(Turn& turn, const telegram::Message& m, const Command& c, Lang lang);
  void help(Turn& turn, const telegram::Message& m, const Command& c, Lang lang);
  void lang(Turn& turn, const telegram::Message& m, const Command& c, Lang lang);
  void mode(Turn& turn, const telegram::Message& m, const Command& c, Lang lang);
  void transcribe(Turn& turn, const telegram::Message& m, const Command& c, Lang lang);
  void status(Turn& turn, const telegram::Message& m, const Command& c, Lang lang);
  void cancel(Turn& turn, const telegram::Message& m, const Command& c, Lang lang);
  void stats(Turn& turn, const telegram::Message& m, const Command& c, Lang lang);
  void forget(Turn& turn, const telegram::Message& m, const Command& c, Lang lang);
  void usage(Turn& turn, const telegram::Message& m, const Command& c, Lang lang);
  void summary(Turn& turn, const telegram::Message& m, const Command& c, Lang lang);
  void translate(Turn& turn, const telegram::Message& m, const Command& c, Lang lang);
  // Chat choices (bot/chat_choice_handlers.cc): persisted like /lang, read at admission.
  void formats(Turn& turn, const telegram::Message& m, const Command& c, Lang lang);
  void timestamps(Turn& turn, const telegram::Message& m, const Command& c, Lang lang);
  void speakers(Turn& turn, const telegram::Message& m, const Command& c, Lang lang);
  // In a group only its admins change what the bot does for everyone (as /mode); private
  // chats belong to their user. Replies with the refusal when not allowed.
  bool may_change_choices(Turn& turn, const telegram::Message& m, Lang lang);
  // Whether the message's sender administers its group (getChatMember; /mode and the chat
  // choices). A failed call counts as no.
  bool sender_is_admin(const telegram::Message& m);

  int64_t user_of(const telegram::Message& m) const;

  BotEnv& env_;
  Intake& intake_;
  std::map<std::string, Handler> table_;
  ActionIntake actions_;
};

}  // namespace tgscribe::bot
