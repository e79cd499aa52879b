#include "jobs/job_metrics.h"

#include <mutex>

#include "common/metrics.h"

namespace tgscribe::jobs::metrics {
namespace {
tgscribe::metrics::Registry& reg() { return tgscribe::metrics::Registry::global(); }
}  // namespace

void describe() {
  static std::once_flag once;
  std::call_once(once, [] {
    reg().describe("updates_total", "counter", "Telegram updates received, by source");
    reg().describe("updates_handled_total", "counter", "Updates handled by the bot, by result");
    reg().describe("jobs_total", "counter", "Transcription jobs by outcome");
    reg().describe("queue_depth", "gauge", "Jobs waiting in the queue");
    reg().describe("job_wait_seconds", "histogram", "Time from acceptance to a worker claiming",
                   {0.5, 1, 2, 5, 10, 30, 60, 120, 300, 900, 3600});
    reg().describe("job_duration_seconds", "histogram",
                   "Time a worker spent on a job (download to delivery)",
                   {1, 2, 5, 10, 20, 30, 60, 120, 300, 600, 1800, 3600});
    reg().describe("audio_seconds_total", "counter", "Seconds of media transcribed, by engine");
    reg().describe("outbox_messages_total", "counter",
                   "Outbox entries (messages, documents, edits) by what happened to them");
    reg().describe("outbox_pending", "gauge", "Outbox entries not yet sent");
  });
}

void count_polled_update() { reg().counter_add("updates_total", {{"source", "polling"}}); }

void count_handled(const std::string& result) {
  reg().counter_add("updates_handled_total", {{"result", result}});
}

void count_job(const std::string& state) { reg().counter_add("jobs_total", {{"state", state}}); }

void set_queue_depth(int64_t queued) {
  reg().gauge_set("queue_depth", {}, static_cast<double>(queued));
}

void observe_wait(double seconds) { reg().observe("job_wait_seconds", {}, seconds); }

void observe_duration(double seconds) { reg().observe("job_duration_seconds", {}, seconds); }

void add_audio_seconds(double seconds, const std::string& engine) {
  reg().counter_add("audio_seconds_total", {{"engine", engine}}, seconds);
}

void count_outbox(const std::string& result) {
  reg().counter_add("outbox_messages_total", {{"result", result}});
}

void set_outbox_pending(int64_t pending) {
  reg().gauge_set("outbox_pending", {}, static_cast<double>(pending));
}

}  // namespace tgscribe::jobs::metrics
