#pragma once
// The bot's Prometheus metrics (metrics::Registry::global(), rendered with the tgscribe_
// prefix): updates_total{source="polling"},
// updates_handled_total{result}, jobs_total{state}, queue_depth, job_wait_seconds,
// job_duration_seconds, audio_seconds_total, outbox_messages_total{result}, outbox_pending.
// Telegram 429s are counted by telegram::Sender (telegram_rate_limited_total), cache requests by
// the store.
#include <cstdint>
#include <string>

namespace tgscribe::jobs::metrics {

// HELP/TYPE lines and histogram buckets; idempotent.
void describe();
// Updates that arrived by long polling (the webhook server counts its own, source="webhook").
void count_polled_update();
// What handle_update did with an update: "handled", "malformed", "duplicate", "ignored",
// "denied", "error".
void count_handled(const std::string& result);
// state: "queued" (accepted), "refused" (per-user limit), "cached" (answered at intake),
// "delivered", "failed", "retried", "cancelled".
void count_job(const std::string& state);
void set_queue_depth(int64_t queued);
void observe_wait(double seconds);
void observe_duration(double seconds);
void add_audio_seconds(double seconds, const std::string& engine);
// What the outbox dispatcher did with an entry: "sent", "retried", "dropped".
void count_outbox(const std::string& result);
void set_outbox_pending(int64_t pending);

}  // namespace tgscribe::jobs::metrics
