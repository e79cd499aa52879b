#include "telegram/poller.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "common/metrics.h"

namespace tgscribe::telegram {

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
  int confirmed = 0;
  for (const auto& u : updates) {
    auto id_it = u.is_object() ? u.find("update_id") : u.end();
    if (!u.is_object() || id_it == u.end() || !id_it->is_number_integer()) {
      // Without an id there is nothing to confirm; the next good id confirms it implicitly.
      spdlog::warn("telegram: skipping an update without update_id");
      continue;
    }
    int64_t id = id_it->get<int64_t>();
    if (offset_ && id < *offset_) continue;  // already confirmed (a server replaying)
    bool handled = false;
    try {
      handled = handler(u);
    } catch (const std::exception& e) {
      // Never skipped: the handler throws when the update could not be made durable (the store
      // is down), and skipping would lose it for good. The offset stays, the loop backs off,
      // and the same update is handled once the store answers again.
      spdlog::error("telegram: handling update {} failed: {}", id, e.what());
    }
    if (!handled) {
      // Stop here: the next getUpdates starts again at this update.
      blocked_ = true;
      break;
    }
    offset_ = id + 1;
    ++confirmed;
  }
  return confirmed;
}

void Poller::run(std::stop_token stop, const UpdateHandler& handler) {
  auto backoff = options_.backoff_initial;
  auto grow = [&] { backoff = std::min(backoff * 2, options_.backoff_max); };

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
        backoff = std::min(backoff * 2, options_.handler_backoff_max);
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
