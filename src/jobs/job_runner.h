#pragma once
// Runs one claimed job to the end of its claim, as a sequence of steps each of which the
// process may die after (failpoints mark them):
//
//   claimed -> [too many claims? fail with a message] -> download (SHA-256 while bytes
//   arrive) -> transcribe (the pipeline: caches, coalescing, engines) -> finish: the job
//   becomes delivered and its messages enter the outbox in one fenced transaction.
//
// Every end of a claim goes through JobQueue::finish with the claim's fence: retry later,
// failed (with a message), cancelled, or back to the queue on shutdown. A worker whose claim
// was lost (LeaseKeeper) writes nothing and sends nothing.
#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <vector>

#include "jobs/chat_actions.h"
#include "jobs/job_env.h"
#include "jobs/retry_policy.h"
#include "jobs/status_reporter.h"
#include "jobs/transcript_messages.h"
#include "store/job.h"

namespace tgscribe::jobs {

class JobRunner {
 public:
  // `wake_outbox` tells the dispatcher that a job left messages (may be empty).
  JobRunner(JobEnv& env, RetryPolicy policy, ChatActions& actions,
            std::function<void()> wake_outbox = {});

  // `abandon` turns true when the shutdown deadline passed: the job stops at the next safe
  // point and goes back to the queue for the next start.
  void run(const store::Job& job, const std::string& worker_id, const std::atomic<bool>& abandon);

  // Period of cancel checks and of the status reporter's clock (tests shorten it).
  void set_tick(std::chrono::milliseconds tick) { tick_ = tick; }

 private:
  struct Attempt;
  bool over_attempt_cap(Attempt& a);
  std::unique_ptr<StatusReporter> status_reporter(Attempt& a);
  void download(Attempt& a);
  pipeline::Result transcribe(Attempt& a);
  void deliver(Attempt& a, const pipeline::Result& r);
  // An action job (jobs/action_runner.h) instead of download -> transcribe -> deliver.
  void run_action(Attempt& a);
  void on_rejected(Attempt& a, const Error& e);
  void on_error(Attempt& a, const Error& e);
  void on_stopped(Attempt& a);
  // Ends the claim as failed with `text` told to the user.
  void fail(Attempt& a, const std::string& error, const std::string& text);
  // JobQueue::finish under the claim's fence; false (and logged) when the claim was lost.
  // A final outcome also withdraws the status reply when it is not due yet
  // (STATUS_DELAY_MS), and then the first of `messages` is the user's first reply.
  bool finish(Attempt& a, store::JobOutcome outcome, std::vector<store::OutboxEntry> messages);
  // The status reply is still waiting for STATUS_DELAY_MS (never tried): a final outcome now
  // withdraws it.
  bool status_not_due(const Attempt& a);
  std::chrono::milliseconds next_retry_delay(int attempts,
                                             std::optional<std::chrono::milliseconds> after,
                                             bool* retry);

  JobEnv& env_;
  RetryPolicy policy_;
  ChatActions& actions_;
  std::function<void()> wake_outbox_;
  TranscriptMessages messages_;
  std::chrono::milliseconds tick_{1000};
  std::mutex rng_mutex_;
  std::mt19937_64 rng_{std::random_device{}()};
};

}  // namespace tgscribe::jobs
