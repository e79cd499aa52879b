#pragma once
// `tgscribe jobs [list|show ID|retry ID|cancel ID|purge --older-than DAYS]`: the operator's
// tools on the configured job store (QUEUE_TYPE=sqlite: DATA_DIR/tgscribe.db, or redis:
// REDIS_URL), safe while the bot runs on it (store::JobAdmin). QUEUE_TYPE=memory is refused:
// those jobs live inside the bot's process.
//
// Exit codes: 0 done (a job cancelled already counts as done); 2 usage or configuration error,
// the store cannot be opened, an id that names no job, or an action the job's state does not
// allow (retry of a delivered job, cancel of a failed one); 1 internal error.
#include <CLI/CLI.hpp>
#include <string>

namespace tgscribe::app {

class JobsSubcommand {
 public:
  // Adds `jobs` and its actions to `cli`.
  explicit JobsSubcommand(CLI::App& cli);
  bool parsed() const { return jobs_->parsed(); }
  // Loads the configuration, opens the job store and runs the parsed action (`list` when none).
  int run();

 private:
  CLI::App* jobs_;
  CLI::App* list_;
  CLI::App* show_;
  CLI::App* retry_;
  CLI::App* cancel_;
  CLI::App* purge_;
  std::string state_;  // list --state
  int limit_ = 50;     // list --limit
  bool json_ = false;  // list/show --json
  std::string id_;     // show/retry/cancel ID
  double days_ = -1;   // purge --older-than
};

}  // namespace tgscribe::app
