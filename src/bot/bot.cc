#include "bot/bot.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "bot/bot_metrics.h"

namespace tgscribe::bot {
namespace {

bool contains(const std::vector<int64_t>& v, int64_t x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

}  // namespace

Bot::Bot(BotEnv& env, std::function<void()> wake)
    : env_(env), delivery_(env), intake_(env, delivery_, std::move(wake)), commands_(env, intake_) {
  metrics::describe();
}

bool Bot::first_time(int64_t update_id) {
  {
    std::lock_guard lock(failed_mutex_);
    if (failed_.erase(update_id)) return true;
  }
  return env_.queue.first_time_update(update_id);
}

void Bot::remember_failed(int64_t update_id) {
  std::lock_guard lock(failed_mutex_);
  if (failed_.size() > 10000) failed_.clear();  // a bound, not a policy: normally 0 or 1
  failed_.insert(update_id);
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
  if (!first_time(u.update_id)) {
    metrics::count_handled("duplicate");
    spdlog::debug("bot: update {} seen before, skipped", u.update_id);
    return true;
  }
  if (u.kind != telegram::UpdateKind::kMessage || !u.message) {
    metrics::count_handled("ignored");
    return true;  // edits, channel posts, callbacks: nothing tgscribe acts on
  }
  try {
    route(*u.message);
  } catch (...) {
    metrics::count_handled("error");
    remember_failed(u.update_id);
    throw;
  }
  metrics::count_handled("handled");
  return true;
}

void Bot::route(const telegram::Message& m) {
  if (m.from && m.from->is_bot) return;
  std::optional<Command> cmd = parse_command(m.text, env_.bot_username.get());
  bool group = m.chat.is_group();
  if (m.chat.type != telegram::ChatType::kPrivate && !group) return;  // channels

  if (!allowed(m)) {
    metrics::count_handled("denied");
    // In a group, answer only what was addressed to the bot; stay quiet otherwise.
    if (!group || (cmd && commands_.known(cmd->name))) {
      reply_to(env_, m, tr(user_lang(m), Msg::kAccessDenied));
    }
    spdlog::info("bot: access denied to user {} in chat {}", m.from ? m.from->id : 0, m.chat.id);
    return;
  }
  if (cmd) {
    commands_.dispatch(m, *cmd);
    return;
  }
  if (m.media) {
    if (!group || env_.settings.get(m.chat.id).auto_mode) intake_.submit(m, m);
    return;
  }
  if (!group) reply_to(env_, m, tr(user_lang(m), Msg::kSendMedia));
}

}  // namespace tgscribe::bot
