#include "telegram/poller.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <map>
#include <thread>

#include "common/backoff.h"
#include "common/json_fields.h"
#include "common/metrics.h"

namespace tgscribe::telegram {

namespace {

// The chat an update belongs to (its lane), or 0 when it names none: message-like updates
// carry "chat", callback queries their message's chat, others at least "from".
int64_t lane_key(const nlohmann::json& u) {
  for (const auto& [name, v] : u.items()) {
    if (name == "update_id" || !v.is_object()) continue;
    for (const auto* obj : {&v, object_field(v, "message")}) {
      if (!obj) continue;
      if (const auto* chat = object_field(*obj, "chat")) {
        if (auto id = integer_field(*chat, "id")) return *id;
      }
    }
    if (const auto* from = object_field(v, "from")) {
      if (auto id = integer_field(*from, "id")) return *id;
    }
  }
  return 0;
}

}  // namespace

Poller::Poller(BotApi& api, PollerOptions options, Clock& clock)
    : api_(api), options_(std::move(options)), clock_(clock) {}

bool Poller::sleep(std::stop_token& stop, std::chrono::milliseconds d) {
  // Slices keep a stop request from waiting out a long backoff.
  const std::chrono::milliseconds slice(100);
  while (d.count() > 0 && !stop.stop_requested()) {
    auto step = std::min(d, slice);
    clock_.sleep_for(step);
    d -= step;
  }
  return !stop.stop_requested();
}

int Poller::poll_once(const UpdateHandler& handler, std::stop_token stop) {
  GetUpdatesParams params;
  params.offset = offset_;
  params.timeout_s = options_.timeout_s;
  params.limit = options_.limit;
  params.allowed_updates = options_.allowed_updates;
  if (stop.stop_possible()) params.cancelled = [stop] { return stop.stop_requested(); };
  auto updates = api_.get_updates(params);
  blocked_ = false;
  // The updates to handle, in Telegram's order, each on its chat's lane.
  struct Item {
    const nlohmann::json* update;
    int64_t id;
    bool handled = false;
  };
  std::vector<Item> items;
  for (const auto& u : updates) {
    auto update_id = u.is_object() ? integer_field(u, "update_id") : std::nullopt;
    if (!update_id) {
      // Without an id there is nothing to confirm; the next good id confirms it implicitly.
      spdlog::warn("telegram: skipping an update without update_id");
      continue;
    }
    int64_t id = *update_id;
    if (offset_ && id < *offset_) continue;  // already confirmed (a server replaying)
    items.push_back({&u, id});
  }
  auto handle = [&](Item& item) {
    try {
      item.handled = handler(*item.update);
    } catch (const std::exception& e) {
      // Never skipped: the handler throws when the update could not be made durable (the store
      // is down), and skipping would lose it for good. The offset stays, the loop backs off,
      // and the same update is handled once the store answers again.
      spdlog::error("telegram: handling update {} failed: {}", item.id, e.what());
    }
    return item.handled;
  };
  const size_t lanes = static_cast<size_t>(std::max(1, options_.lanes));
  std::vector<std::vector<Item*>> lane(lanes);
  std::map<int64_t, size_t> lane_of;  // chat -> lane, round robin: a burst spreads evenly
  for (auto& item : items) {
    auto [it, fresh] = lane_of.try_emplace(lane_key(*item.update), lane_of.size() % lanes);
    lane[it->second].push_back(&item);
  }
  // A lane stops at its first unhandled update: the chat's later ones must not overtake it.
  auto run_lane = [&](std::vector<Item*>& l) {
    for (Item* item : l)
      if (!handle(*item)) break;
  };
  {
    std::vector<std::jthread> threads;
    for (size_t i = 1; i < lanes; ++i) {
      if (!lane[i].empty()) threads.emplace_back([&, i] { run_lane(lane[i]); });
    }
    run_lane(lane[0]);
  }  // joined
  int confirmed = 0;
  for (const auto& item : items) {
    if (!item.handled) {
      // Stop here: the next getUpdates starts again at this update.
      blocked_ = true;
      break;
    }
    offset_ = item.id + 1;
    ++confirmed;
  }
  return confirmed;
}

void Poller::run(std::stop_token stop, const UpdateHandler& handler) {
  auto backoff = options_.backoff_initial;
  auto grow = [&] { backoff = next_backoff(backoff, options_.backoff_max); };

  while (options_.delete_webhook && !stop.stop_requested()) {
    try {
      api_.delete_webhook(/*drop_pending_updates=*/false);
      break;
    } catch (const ApiError& e) {
      if (stop.stop_requested()) return;
      if (e.kind() == ErrorKind::kAuth || e.error_code() == 404) throw;
      spdlog::warn("telegram: deleteWebhook failed: {}; retrying in {} ms", e.what(),
                   backoff.count());
      if (!sleep(stop, backoff)) return;
      grow();
    }
  }
  backoff = options_.backoff_initial;
  spdlog::info("telegram: polling for updates (long-poll {} s)", options_.timeout_s);

  while (!stop.stop_requested()) {
    try {
      poll_once(handler, stop);
      if (blocked_) {
        spdlog::warn("telegram: an update could not be handled yet; retrying in {} ms",
                     backoff.count());
        if (!sleep(stop, backoff)) return;
        backoff = next_backoff(backoff, options_.handler_backoff_max);
      } else {
        backoff = options_.backoff_initial;
      }
    } catch (const ApiError& e) {
      if (stop.stop_requested()) return;  // the long poll was cut short on purpose
      if (e.kind() == ErrorKind::kAuth || e.error_code() == 404) {
        // 404 is what Telegram answers for a malformed token: no retry will fix either.
        spdlog::error(
            "telegram: the bot token was rejected (or TELEGRAM_API_URL is not a Bot "
            "API server): {}",
            e.what());
        throw;
      }
      if (e.is_conflict()) {
        ++conflicts_;
        metrics::Registry::global().counter_add("telegram_poll_conflicts_total");
        spdlog::error(
            "telegram: getUpdates conflict (409): another process is polling with this bot "
            "token, or a webhook was set. Run one polling instance (BOT_ROLE=ingest on one "
            "host) or use WEBHOOK_URL everywhere. Retrying in {} ms",
            backoff.count());
        if (on_conflict_) on_conflict_(e);
      } else {
        spdlog::warn("telegram: getUpdates failed: {}; retrying in {} ms", e.what(),
                     backoff.count());
      }
      auto wait = std::max(backoff, e.retry_after().value_or(std::chrono::milliseconds(0)));
      if (!sleep(stop, wait)) return;
      grow();
    }
  }
}

}  // namespace tgscribe::telegram
