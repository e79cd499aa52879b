#pragma once
// Sends what the outbox holds. `senders` threads each claim one chat at a time (a lease in the
// store, so no two dispatchers of any instance send to one chat at once), send its due
// entries in order through telegram::Sender (flood limits, retry_after, migrations), and
// record each entry as sent right after Telegram accepted it. Chats proceed in parallel, so
// one slow or rate-limited chat holds up only its own thread.
//
// A failed send is retried later with a backoff (later entries of that chat wait behind it);
// an entry Telegram refuses for good (chat gone, bot blocked, bad request) is dropped.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "jobs/job_env.h"
#include "jobs/outbox_message.h"

namespace tgscribe::jobs {

struct DispatcherOptions {
  int senders = 8;
  std::chrono::milliseconds lease{60'000};  // renewed before every send
  std::chrono::milliseconds poll{500};      // for entries written by other instances
  int batch = 20;
  std::chrono::milliseconds retry_initial{1'000};
  std::chrono::milliseconds retry_max{60'000};
  // An entry still failing this long after it was written is dropped: a reply a day late
  // helps no one, and the chat's later entries must not wait for ever.
  std::chrono::milliseconds give_up_after{24LL * 3600 * 1000};
};

class OutboxDispatcher {
 public:
  // `instance` names this process in lease owners ("<instance>-s<n>").
  OutboxDispatcher(JobEnv& env, std::string instance, DispatcherOptions options = {});
  ~OutboxDispatcher();

  void start();
  // Something was written to the outbox: wake a sender now rather than at its next poll.
  void notify();
  // Stops claiming; senders finish what is due until `deadline`, then leave the rest to the
  // store (sent at the next start or by another instance).
  void stop(std::chrono::steady_clock::time_point deadline);

 private:
  void loop(int index);
  // Sends the batch in order; false when the chat's lease was lost.
  void send_batch(const std::string& owner, const store::OutboxBatch& batch);
  // Telegram's message id of what was sent (0 for an edit).
  int64_t send(const store::OutboxEntry& entry, const OutboxMessage& m);
  void failed(const store::OutboxEntry& entry, const std::exception& e);

  JobEnv& env_;
  const std::string instance_;
  const DispatcherOptions options_;
  std::vector<std::thread> threads_;
  std::atomic<bool> stopping_{false};
  std::atomic<int64_t> deadline_ns_{0};
  std::mutex mutex_;
  std::condition_variable cv_;
  int wakeups_ = 0;  // guarded by mutex_
};

}  // namespace tgscribe::jobs
