#include "app/jobs_subcommand.h"

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <optional>

#include "app/jobs_view.h"
#include "common/clock.h"
#include "common/error.h"
#include "common/redact.h"
#include "config/config_loader.h"
#include "i18n/i18n.h"
#include "jobs/job_payload.h"
#include "jobs/outbox_message.h"
#include "jobs/transcript_messages.h"
#include "store/job_stores.h"
#include "store/redis/redis_connection.h"
#include "store/redis/redis_job_stores.h"
#include "store/sqlite/sqlite_db.h"
#include "store/sqlite/sqlite_job_stores.h"
#include "store/store_factory.h"

namespace tgscribe::app {
namespace {

constexpr int kOk = 0, kInternal = 1, kUsage = 2;

int usage_error(const std::string& message) {
  std::fprintf(stderr, "tgscribe: jobs: %s\n", redact(message).c_str());
  return kUsage;
}

std::string dump(const nlohmann::json& j) {
  // Replace, not throw, on bytes that are not UTF-8 (a file name as the user's client sent it).
  return j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

// The bot's job stores, opened as a second process would: nullopt (message printed) when the
// configuration names none that another process can reach.
std::optional<store::JobStores> open_job_stores(const config::Config& config) {
  Clock& clock = SystemClock::instance();
  if (config.queue_type == "sqlite") {
    // Never create an empty database next to the bot's: a wrong DATA_DIR must say so.
    std::string path = store::sqlite_path(config);
    if (!std::filesystem::exists(path)) {
      usage_error("no job store at " + path +
                  " (QUEUE_TYPE=sqlite): is DATA_DIR the bot's? The bot creates it when it "
                  "first starts");
      return std::nullopt;
    }
    return store::make_sqlite_job_stores(store::SqliteDb::open(path), clock);
  }
  if (config.queue_type == "redis") {
    // The key prefix of the bot's stores (store_factory.cc).
    return store::make_redis_job_stores(store::RedisConnection::open(config.redis_url), clock, {},
                                        "tgscribe:");
  }
  if (config.queue_type == "memory") {
    usage_error(
        "QUEUE_TYPE=memory keeps the jobs inside the bot's own process: there is no store to "
        "inspect from another one (use sqlite or redis)");
  } else {
    usage_error("QUEUE_TYPE: unknown type '" + config.queue_type +
                "' (expected memory, sqlite or redis)");
  }
  return std::nullopt;
}

int not_found(const std::string& id) {
  return usage_error("no job with id '" + id + "' (`tgscribe jobs list` shows the ids)");
}

// The edit of the job's status message that the bot's /cancel writes for a queued job; none
// when the payload is not the bot's.
std::vector<store::OutboxEntry> cancelled_status(const store::Job& job) {
  try {
    jobs::JobPayload p = jobs::payload_from_json(job.payload);
    return {jobs::TranscriptMessages::status_edit(
        job.id, p, "final",
        tr(i18n::lang_for(p.user_lang), i18n::Msg::kStatusCancelled,
           fmt::arg("id", jobs::short_id(job.id))))};
  } catch (const std::exception&) {
    return {};
  }
}

}  // namespace

JobsSubcommand::JobsSubcommand(CLI::App& cli) {
  jobs_ = cli.add_subcommand(
      "jobs", "Inspect and manage the configured job store while the bot runs (default: list)");
  jobs_->require_subcommand(0, 1);

  list_ = jobs_->add_subcommand("list", "List jobs, newest first");
  list_->add_option("--state", state_, "Only jobs in this state")
      ->check(CLI::IsMember({"queued", "running", "delivered", "failed", "cancelled"}));
  list_->add_option("--limit", limit_, "At most this many jobs (default 50)")
      ->check(CLI::Range(1, store::kMaxJobListLimit));
  list_->add_flag("--json", json_, "A JSON array, for scripts");

  show_ = jobs_->add_subcommand("show", "Show every field of one job");
  show_->add_option("id", id_, "Job id (as `jobs list` shows it)")->required();
  show_->add_flag("--json", json_, "A JSON object, for scripts");

  retry_ = jobs_->add_subcommand(
      "retry", "Queue a failed or cancelled job again, with a fresh retry budget");
  retry_->add_option("id", id_, "Job id")->required();

  cancel_ = jobs_->add_subcommand("cancel",
                                  "Cancel a job as its user's /cancel would (its user is told)");
  cancel_->add_option("id", id_, "Job id")->required();

  purge_ = jobs_->add_subcommand(
      "purge", "Delete finished jobs (delivered, failed, cancelled) and their sent messages");
  purge_->add_option("--older-than", days_, "Finished more than DAYS days ago (0: all)")
      ->required()
      ->check(CLI::NonNegativeNumber);
}

int JobsSubcommand::run() {
  auto loaded = config::load_config({}, config::process_env());
  if (!loaded.errors.empty()) {
    for (const auto& e : loaded.errors) std::fprintf(stderr, "tgscribe: config: %s\n", e.c_str());
    return kUsage;
  }
  const config::Config& config = loaded.config;

  std::optional<store::JobStores> opened;
  try {
    opened = open_job_stores(config);
  } catch (const std::exception& e) {
    // Unreachable Redis, unreadable database: the configuration points at something unusable.
    return usage_error(e.what());
  }
  if (!opened) return kUsage;
  store::JobQueue& queue = *opened->queue;
  store::JobAdmin& admin = *opened->admin;
  const int64_t now = SystemClock::instance().unix_ms();

  try {
    if (show_->parsed()) {
      auto job = queue.get(id_);
      if (!job) return not_found(id_);
      int position = job->state == store::JobState::kQueued ? queue.position(job->id) : 0;
      std::fputs(json_ ? dump(job_json(*job, position)).c_str()
                       : job_details(*job, position, config.queue_max_retries, now).c_str(),
                 stdout);
      return kOk;
    }

    if (retry_->parsed()) {
      switch (admin.retry(id_, {jobs::status_entry_id(id_)})) {
        case store::RetryResult::kRequeued:
          std::printf("job %s: queued again (place %d), with a fresh budget of %d attempt(s)\n",
                      id_.c_str(), std::max(1, queue.position(id_)), config.queue_max_retries + 1);
          return kOk;
        case store::RetryResult::kNotFound:
          return not_found(id_);
        case store::RetryResult::kNotRetryable: {
          auto job = queue.get(id_);
          return usage_error("job " + id_ + " is " + (job ? store::to_string(job->state) : "gone") +
                             ": only failed or cancelled jobs can be retried");
        }
      }
    }

    if (cancel_->parsed()) {
      auto job = queue.get(id_);
      if (!job) return not_found(id_);
      bool was_cancelled = job->state == store::JobState::kCancelled;
      switch (admin.cancel(id_, cancelled_status(*job))) {
        case store::CancelResult::kCancelled:
          std::printf(was_cancelled ? "job %s: cancelled already\n"
                                    : "job %s: cancelled; its status message says so\n",
                      id_.c_str());
          return kOk;
        case store::CancelResult::kStopRequested:
          std::printf(
              "job %s: running; its worker stops at its next safe point and tells the user\n",
              id_.c_str());
          return kOk;
        case store::CancelResult::kNotFound:
          return not_found(id_);
        case store::CancelResult::kFinished: {
          auto now_job = queue.get(id_);
          return usage_error("job " + id_ + " is " +
                             (now_job ? store::to_string(now_job->state) : "gone") +
                             " already: nothing to cancel");
        }
      }
    }

    if (purge_->parsed()) {
      auto older_than = std::chrono::milliseconds(std::llround(days_ * 86'400'000.0));
      store::PurgeResult r = admin.purge(older_than);
      std::printf("purged %lld finished job(s) and %lld sent message(s) older than %g day(s)\n",
                  static_cast<long long>(r.jobs), static_cast<long long>(r.entries), days_);
      return kOk;
    }

    // list (also `tgscribe jobs` alone)
    store::JobListQuery query;
    if (!state_.empty()) query.state = store::job_state_from_string(state_);
    query.limit = limit_;
    auto jobs = admin.list(query);
    if (json_) {
      nlohmann::json arr = nlohmann::json::array();
      for (const auto& j : jobs) arr.push_back(job_json(j, 0));
      std::fputs(dump(arr).c_str(), stdout);
      return kOk;
    }
    std::fputs(jobs_table(jobs, now).c_str(), stdout);
    store::QueueStats s = queue.stats();
    std::printf(
        "%zu shown, newest first. In the store: %lld queued, %lld running, %lld delivered, %lld "
        "failed, %lld cancelled\n",
        jobs.size(), static_cast<long long>(s.queued), static_cast<long long>(s.running),
        static_cast<long long>(s.delivered), static_cast<long long>(s.failed),
        static_cast<long long>(s.cancelled));
    return kOk;
  } catch (const Error& e) {
    // The store went away in the middle (Redis restarted, database locked past the timeout).
    std::fprintf(stderr, "tgscribe: jobs: %s\n", redact(e.what()).c_str());
    return kInternal;
  }
}

}  // namespace tgscribe::app
