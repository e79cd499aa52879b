#pragma once
// The command dispatch table: /start /help /lang /mode /transcribe /status /cancel /stats
// /forget /usage. Texts come from the i18n catalogue in the language of the user who asked.
#include <map>
#include <string>
#include <vector>

#include "bot/bot_env.h"
#include "bot/command.h"
#include "bot/intake.h"
#include "bot/turn.h"
#include "telegram/bot_api.h"
#include "telegram/types.h"

namespace tgscribe::bot {

class Commands {
 public:
  Commands(BotEnv& env, Intake& intake);

  // Handles a command of `m`. Unknown commands get a short help line (in groups only when
  // addressed to this bot with @name, so other bots' commands are not answered).
  void dispatch(Turn& turn, const telegram::Message& m, const Command& c);

  bool known(const std::string& name) const { return table_.count(name) > 0; }
  // The menu for setMyCommands, in `lang`.
  static std::vector<telegram::BotCommand> menu(Lang lang);

 private:
  using Handler = void (Commands::*)(Turn&, const telegram::Message&, const Command&, Lang);
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

  int64_t user_of(const telegram::Message& m) const;

  BotEnv& env_;
  Intake& intake_;
  std::map<std::string, Handler> table_;
};

}  // namespace tgscribe::bot
