#pragma once
// Sends what the outbox holds. `senders` threads each claim one chat at a time (a lease in the
// store, so no two dispatchers of any instance send to one chat at once), send its due
// entries in order through telegram::Sender (flood limits, retry_after, migrations), and
// record each entry as sent right after Telegram accepted it. Chats proceed in parallel.
//
// A sender never sleeps out a chat's flood wait: a 429 (or a chat still blocked by one) puts
// the entry back with not_before = now + retry_after and the thread goes on with other
// chats, so a few rate-limited chats cannot occupy every sender. Only Telegram's bot-wide
// limit (telegram::RateLimiter tells it apart) holds every chat back.
//
// A failed send is retried later with a backoff (later entries of that chat wait behind it);
// an entry Telegram refuses for good (bad request) is dropped. A chat that is gone (the bot
// was blocked or kicked, the user deactivated, chat not found) has every entry that was
// pending then dropped without another call, and its unfinished jobs cancelled: nothing they
// produce could arrive. What is written for it later (the user unblocked the bot and wrote
// again) is sent as usual.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "jobs/job_env.h"
#include "jobs/outbox_message.h"

namespace tgscribe::jobs {

struct DispatcherOptions {
  int senders = 8;
  std::chrono::milliseconds lease{60'000};  // renewed before a send once a quarter passed
  std::chrono::milliseconds poll{500};      // for entries written by other instances
  int batch = 20;
  std::chrono::milliseconds retry_initial{1'000};
  std::chrono::milliseconds retry_max{60'000};
  // An entry still failing this long after it was written is dropped: a reply a day late
  // helps no one, and the chat's later entries must not wait for ever.
  std::chrono::milliseconds give_up_after{24LL * 3600 * 1000};
  // How long a gone chat is remembered (its entries written before then are dropped unsent).
  std::chrono::milliseconds remember_gone{3600LL * 1000};
  // Telegram refused the token (401): the entry is kept for later (a new token sends it) and
  // this is called (from a sender thread), so the app can exit rather than drop every message.
  std::function<void(const std::string& error)> on_token_refused;
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
  // Telegram said the chat is gone: drops what is pending for it, cancels its jobs.
  void chat_gone(const store::OutboxBatch& batch, size_t from, const std::string& why);
  // Entries of a gone chat written before it went, and those of jobs cancelled for it.
  bool for_gone_chat(const store::OutboxEntry& entry);
  // The entry `id` was dropped without being sent (withdrawn, refused): edits of it go nowhere.
  bool never_sent(const std::string& id);

  JobEnv& env_;
  const std::string instance_;
  const DispatcherOptions options_;
  std::vector<std::thread> threads_;
  std::atomic<bool> stopping_{false};
  std::atomic<int64_t> deadline_ns_{0};
  std::mutex mutex_;
  std::condition_variable cv_;
  int wakeups_ = 0;  // guarded by mutex_

  struct GoneChat {
    int64_t since_ms = 0;             // entries created up to then are dropped
    std::set<std::string> cancelled;  // jobs cancelled because of it
  };
  std::mutex gone_mutex_;
  std::map<int64_t, GoneChat> gone_;  // guarded by gone_mutex_
};

}  // namespace tgscribe::jobs
