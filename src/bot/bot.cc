#include "bot/bot.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "common/failpoint.h"
#include "jobs/job_metrics.h"
#include "jobs/job_payload.h"

namespace tgscribe::bot {
namespace {

namespace metrics = jobs::metrics;

bool contains(const std::vector<int64_t>& v, int64_t x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

}  // namespace

Bot::Bot(BotEnv& env, std::function<void()> wake_workers, std::function<void()> wake_outbox)
    : env_(env),
      intake_(env),
      commands_(env, intake_),
      wake_workers_(std::move(wake_workers)),
      wake_outbox_(std::move(wake_outbox)) {
  metrics::describe();
}

bool Bot::allowed(const telegram::Message& m) const {
  const auto& users = env_.config.allowed_user_ids;
  const auto& chats = env_.config.allowed_chat_ids;
  if (users.empty() && chats.empty()) return true;
  // Either list admits: a listed user anywhere, or anyone in a listed chat.
  if (m.from && contains(users, m.from->id)) return true;
  return contains(chats, m.chat.id);
}

bool Bot::handle_update(const nlohmann::json& json) {
  telegram::Parsed<telegram::Update> parsed = telegram::parse_update(json);
  if (!parsed) {
    metrics::count_handled("malformed");
    spdlog::warn("bot: skipping a malformed update: {}", parsed.error);
    return true;
  }
  const telegram::Update& u = *parsed;
  if (u.kind != telegram::UpdateKind::kMessage || !u.message) {
    metrics::count_handled("ignored");
    return true;  // edits, channel posts, callbacks: nothing tgscribe acts on
  }
  try {
    // A cheap read first: a redelivered update is not routed again (no settings changed, no
    // cache read). admit() below is what guarantees it, in its transaction.
    if (env_.updates.seen(u.update_id)) {
      metrics::count_handled("duplicate");
      spdlog::debug("bot: update {} seen before, skipped", u.update_id);
      return true;
    }
    Turn turn(u.update_id);
    route(turn, *u.message);
    if (turn.empty()) {
      metrics::count_handled("ignored");
      return true;
    }
    failpoint("intake.before_admit");
    store::AdmitResult r = env_.updates.admit(turn.admission());
    failpoint("intake.after_admit");
    if (r.duplicate) {
      metrics::count_handled("duplicate");
      return true;
    }
    if (turn.has_job()) {
      const store::Job& job = *turn.admission().job;
      if (job.state != store::JobState::kQueued) {
        // A cache hit: admitted already delivered.
      } else if (r.accepted) {
        metrics::count_job("queued");
        spdlog::info("job {}: queued for user {} in chat {}", jobs::short_id(job.id), job.user_id,
                     job.chat_id);
        if (wake_workers_) wake_workers_();
      } else {
        metrics::count_job("refused");
        spdlog::info("bot: user {} refused a new job: {} unfinished (limit {})", job.user_id,
                     r.unfinished, turn.admission().per_user_limit);
      }
    }
    if (wake_outbox_) wake_outbox_();
  } catch (...) {
    metrics::count_handled("error");
    throw;
  }
  metrics::count_handled("handled");
  return true;
}

void Bot::route(Turn& turn, const telegram::Message& m) {
  if (m.from && m.from->is_bot) return;
  std::optional<Command> cmd = parse_command(m.text, env_.bot_username.get());
  bool group = m.chat.is_group();
  if (m.chat.type != telegram::ChatType::kPrivate && !group) return;  // channels

  if (!allowed(m)) {
    metrics::count_handled("denied");
    // In a group, answer only what was addressed to the bot; stay quiet otherwise.
    if (!group || (cmd && commands_.known(cmd->name))) {
      turn.reply(m, tr(user_lang(m), Msg::kAccessDenied));
    }
    spdlog::info("bot: access denied to user {} in chat {}", m.from ? m.from->id : 0, m.chat.id);
    return;
  }
  if (cmd) {
    commands_.dispatch(turn, m, *cmd);
    return;
  }
  if (m.media) {
    if (!group || env_.settings.get(m.chat.id).auto_mode) intake_.submit(turn, m, m);
    return;
  }
  if (!group) turn.reply(m, tr(user_lang(m), Msg::kSendMedia));
}

}  // namespace tgscribe::bot
