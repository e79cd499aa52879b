#pragma once
// The update router: UpdateRouter::handle_update is what the poller and the webhook server
// call (through BotService). An update is routed into a Turn (replies, at most one job) without
// talking to Telegram, then admitted in one store transaction. It returns once that transaction
// committed (or the update was deliberately ignored), so the offset / HTTP 200 confirms only what
// is durable; it throws when the store cannot take it, so the update comes again.
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>

#include "bot/bot_env.h"
#include "bot/command_handlers.h"
#include "bot/intake.h"
#include "bot/turn.h"

namespace tgscribe::bot {

class UpdateRouter {
 public:
  // `wake_workers`: a job was queued; `wake_outbox`: messages were written (either may be
  // empty).
  UpdateRouter(BotEnv& env, std::function<void()> wake_workers = {},
               std::function<void()> wake_outbox = {});

  // Malformed updates are logged and confirmed (true): they would fail again. Throws when the
  // update must come again (the store is unreachable).
  bool handle_update(const nlohmann::json& update);

 private:
  void route(Turn& turn, const telegram::Message& m);
  // An edited message: only an edited caption "/transcribe" on media is acted on.
  void route_edit(Turn& turn, const telegram::Message& m);
  // An update older than BACKLOG_MAX_AGE_S: a request for a transcript gets an apology,
  // everything else is skipped.
  void route_stale(Turn& turn, const telegram::Message& m);
  // The media message `m` asks to transcribe, given its command; nullptr when none.
  const telegram::Message* requested_media(const telegram::Message& m,
                                           const std::optional<Command>& cmd);
  bool stale(const telegram::Message& m) const;
  bool allowed(const telegram::Message& m) const;
  // One message (`edit`: an edited one) or one tap on a button under a transcript (the action
  // job admitted like a media message's, then the tap answered: bot/action_intake.h), routed
  // and admitted. True when something was admitted (handle_update wakes the outbox and counts
  // the update handled); false when it was ignored or a duplicate, counted as such here.
  bool handle_message(const telegram::Update& u, bool edit);
  bool handle_callback(const telegram::Update& u);
  // The Turn's one store transaction, between the intake failpoints.
  store::AdmitResult admit(Turn& turn);
  // answerCallbackQuery, at once and best effort (see handle_callback).
  void answer_callback(const telegram::CallbackQuery& q, const std::string& text, bool alert);

  BotEnv& env_;
  Intake intake_;
  CommandHandlers commands_;
  std::function<void()> wake_workers_;
  std::function<void()> wake_outbox_;
};

}  // namespace tgscribe::bot
