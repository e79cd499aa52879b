#include "jobs/outbox_dispatcher.h"

#include <spdlog/spdlog.h>

#include <filesystem>
#include <fstream>

#include "common/backoff.h"
#include "common/error.h"
#include "common/failpoint.h"
#include "common/log_fields.h"
#include "common/remove_on_exit.h"
#include "common/safe_name.h"
#include "jobs/job_metrics.h"
#include "telegram/api_error.h"

namespace tgscribe::jobs {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;
using Steady = std::chrono::steady_clock;

std::string safe_name(const std::string& id) {
  std::string out;
  for (char c : id) out += std::isalnum(static_cast<unsigned char>(c)) ? c : '-';
  return out;
}

// A document's content, written to a private temp directory for the multipart upload and
// removed whatever happens.
class TempDocument {
 public:
  TempDocument(const fs::path& data_dir, const std::string& entry_id, const OutboxMessage& m)
      : dir_(data_dir / "tmp" / ("out-" + safe_name(entry_id))) {
    fs::create_directories(dir_.path());
    // Entries carry safe names already; an entry written by an older version may not.
    path_ = dir_.path() / safe_file_name(m.file_name, "transcript.txt");
    std::ofstream out(path_, std::ios::binary | std::ios::trunc);
    out.write(m.content.data(), static_cast<std::streamsize>(m.content.size()));
    if (!out) throw Error(ErrorKind::kInternal, "cannot write " + path_.string());
  }
  const fs::path& path() const { return path_; }

 private:
  RemoveOnExit dir_;  // the document goes with its directory, however the send ends
  fs::path path_;
};

}  // namespace

OutboxDispatcher::OutboxDispatcher(JobEnv& env, std::string instance, DispatcherOptions options)
    : env_(env), instance_(std::move(instance)), options_(options) {}

OutboxDispatcher::~OutboxDispatcher() { stop(Steady::now()); }

void OutboxDispatcher::start() {
  if (!threads_.empty()) return;
  for (int i = 0; i < std::max(1, options_.senders); ++i) {
    threads_.emplace_back([this, i] { loop(i); });
  }
}

void OutboxDispatcher::notify() {
  {
    std::lock_guard lock(mutex_);
    wakeups_ = std::max(1, std::min(wakeups_ + 1, options_.senders));
  }
  cv_.notify_one();
}

void OutboxDispatcher::stop(Steady::time_point deadline) {
  if (threads_.empty()) return;
  deadline_ns_ = deadline.time_since_epoch().count();
  stopping_ = true;
  cv_.notify_all();
  for (auto& t : threads_) t.join();
  threads_.clear();
}

void OutboxDispatcher::loop(int index) {
  const std::string owner = instance_ + "-s" + std::to_string(index);
  auto past_deadline = [&] {
    return stopping_ && Steady::now().time_since_epoch().count() >= deadline_ns_.load();
  };
  while (!past_deadline()) {
    std::optional<store::OutboxBatch> batch;
    try {
      batch = env_.outbox.claim(owner, options_.lease, options_.batch);
    } catch (const std::exception& e) {
      spdlog::error("outbox: {} cannot claim: {}", owner, e.what());
    }
    if (!batch) {
      if (stopping_) break;  // drained: nothing due is left
      std::unique_lock lock(mutex_);
      cv_.wait_for(lock, options_.poll, [&] { return stopping_ || wakeups_ > 0; });
      if (wakeups_ > 0) --wakeups_;
      continue;
    }
    failpoint("outbox.after_claim");
    send_batch(owner, *batch);
    try {
      env_.outbox.release(batch->chat_id, owner);
      if (index == 0) metrics::set_outbox_pending(env_.outbox.pending());
    } catch (const std::exception& e) {
      spdlog::warn("outbox: releasing chat {} failed: {}", batch->chat_id, e.what());
    }
  }
}

void OutboxDispatcher::send_batch(const std::string& owner, const store::OutboxBatch& batch) {
  // The claim took the lease just now. Renewing it is a store write (with SQLite an fsync
  // under the one connection everything shares, intake's admissions included), so it is done
  // only once a quarter of the lease has passed: a lease then has three quarters left, and a
  // sender that lost it still sends nothing more. A burst's status replies (batches of one)
  // need one write fewer each.
  auto renewed = Steady::now();
  for (size_t i = 0; i < batch.entries.size(); ++i) {
    const auto& entry = batch.entries[i];
    // What this entry's lines say about it (LOG_FORMAT=json): its job, chat and stage.
    LogScope scope({{"stage", "outbox"}, {"chat", entry.chat_id}, {"entry", entry.id}});
    if (!entry.job_id.empty()) scope.set({"job_id", entry.job_id});
    if (stopping_ && Steady::now().time_since_epoch().count() >= deadline_ns_.load()) return;
    try {
      // Fencing: a sender whose lease ran out (a very slow call) sends nothing more.
      if (Steady::now() - renewed >= options_.lease / 4) {
        if (!env_.outbox.renew(batch.chat_id, owner, options_.lease)) {
          spdlog::warn("outbox: lost chat {} to another sender", batch.chat_id);
          return;
        }
        renewed = Steady::now();
      }
      if (for_gone_chat(entry)) {
        env_.outbox.mark_dropped(entry.id, "the chat is gone (the bot was blocked or removed)");
        metrics::count_outbox("dropped");
        continue;
      }
      if (env_.clock.unix_ms() - entry.created_ms > options_.give_up_after.count()) {
        env_.outbox.mark_dropped(entry.id, "given up: " + entry.last_error);
        metrics::count_outbox("dropped");
        continue;
      }
      OutboxMessage m = outbox_message_from_json(entry.body);
      if (m.method == OutboxMessage::Method::kEditMessageText && never_sent(m.edit_of)) {
        // An edit of a status reply its job withdrew (it ended before STATUS_DELAY_MS): there
        // is no message to edit, and nothing is wrong.
        env_.outbox.mark_dropped(entry.id, "nothing to edit: " + m.edit_of + " was not sent");
        spdlog::debug("outbox: {} skipped: {} was withdrawn", entry.id, m.edit_of);
        continue;
      }
      int64_t message_id = send(entry, m);
      // The one at-least-once window: Telegram has it, the store does not know yet.
      failpoint("outbox.after_send");
      env_.outbox.mark_sent(entry.id, message_id);
      failpoint("outbox.after_record");
      metrics::count_outbox("sent");
      spdlog::debug("outbox: {} sent to chat {}", entry.id, entry.chat_id);
    } catch (const telegram::ApiError& e) {
      if (e.is_chat_gone()) {
        chat_gone(batch, i, e.what());
        return;
      }
      if (e.is_unauthorized()) {
        // Not the message's fault: keep it (and the chat's order) for when a valid token runs.
        try {
          env_.outbox.mark_retry(entry.id, e.what(),
                                 env_.clock.unix_ms() + options_.retry_max.count());
        } catch (const std::exception& se) {
          spdlog::error("outbox: recording the failure of {} failed: {}", entry.id, se.what());
        }
        if (options_.on_token_refused) options_.on_token_refused(e.what());
        return;
      }
      failed(entry, e);
      return;  // order: the chat's later entries wait for this one
    } catch (const std::exception& e) {
      failed(entry, e);
      return;  // order: the chat's later entries wait for this one
    }
  }
}

int64_t OutboxDispatcher::send(const store::OutboxEntry& entry, const OutboxMessage& m) {
  // Never sleep out a chat's flood wait here: see failed().
  const telegram::CallOptions no_wait{.wait_for_chat = false};
  switch (m.method) {
    case OutboxMessage::Method::kSendMessage: {
      telegram::SendMessageParams p;
      p.chat_id = m.chat_id;
      p.text = m.text;
      if (m.reply_to_message_id) p.reply_to_message_id = m.reply_to_message_id;
      p.message_thread_id = m.thread_id;
      p.reply_markup = m.reply_markup;
      return env_.sender.send_message(std::move(p), no_wait).message_id;
    }
    case OutboxMessage::Method::kSendDocument: {
      TempDocument doc(env_.config.data_dir, entry.id, m);
      telegram::SendDocumentParams d;
      d.chat_id = m.chat_id;
      d.file = doc.path();
      d.file_name = m.file_name;
      d.mime_type = m.mime_type;
      if (m.reply_to_message_id) d.reply_to_message_id = m.reply_to_message_id;
      d.message_thread_id = m.thread_id;
      return env_.sender.send_document(std::move(d), no_wait).message_id;
    }
    case OutboxMessage::Method::kEditMessageText: {
      auto target = env_.outbox.get(m.edit_of);
      if (!target || target->message_id == 0) {
        // The message to edit was never sent (dropped): there is nothing to edit.
        throw Error(ErrorKind::kClient, "the message to edit (" + m.edit_of + ") was not sent");
      }
      telegram::EditMessageTextParams e;
      e.chat_id = m.chat_id;
      e.message_id = target->message_id;
      e.text = m.text;
      e.reply_markup = m.reply_markup;
      env_.sender.edit_message_text(std::move(e), no_wait);  // "not modified" is fine too
      return 0;
    }
  }
  return 0;
}

void OutboxDispatcher::failed(const store::OutboxEntry& entry, const std::exception& e) {
  const auto* err = dynamic_cast<const Error*>(&e);
  if (err && err->kind() == ErrorKind::kCancelled) {
    // Shutdown cut the send short: not the entry's fault. It stays pending as it was and goes
    // out at the next start (or from another instance once the chat lease passes).
    spdlog::info("outbox: sending {} interrupted by shutdown; it stays in the outbox", entry.id);
    return;
  }
  try {
    if (err && err->kind() == ErrorKind::kRateLimited && err->retry_after()) {
      // Telegram said when: exactly then, not a growing backoff. The thread moves on to other
      // chats meanwhile.
      milliseconds delay = *err->retry_after();
      spdlog::info("outbox: chat {} must wait {:.1f} s (flood control); {} goes out then",
                   entry.chat_id, delay.count() / 1000.0, entry.id);
      env_.outbox.mark_retry(entry.id, e.what(), env_.clock.unix_ms() + delay.count());
      metrics::count_outbox("retried");
      return;
    }
    if (err && err->retryable()) {
      milliseconds delay =
          exponential_backoff(options_.retry_initial, options_.retry_max, entry.attempts);
      if (err->retry_after()) delay = std::max(delay, *err->retry_after());
      spdlog::warn("outbox: {} to chat {} failed ({}), retrying in {:.1f} s", entry.id,
                   entry.chat_id, e.what(), delay.count() / 1000.0);
      env_.outbox.mark_retry(entry.id, e.what(), env_.clock.unix_ms() + delay.count());
      metrics::count_outbox("retried");
      return;
    }
    spdlog::warn("outbox: {} to chat {} cannot be sent, dropped: {}", entry.id, entry.chat_id,
                 e.what());
    env_.outbox.mark_dropped(entry.id, e.what());
    metrics::count_outbox("dropped");
  } catch (const std::exception& se) {
    // The store is down: the entry stays pending and is retried when the lease passes.
    spdlog::error("outbox: recording the failure of {} failed: {}", entry.id, se.what());
  }
}

bool OutboxDispatcher::never_sent(const std::string& id) {
  auto target = env_.outbox.get(id);
  return target && target->state == store::OutboxState::kDropped && target->message_id == 0;
}

bool OutboxDispatcher::for_gone_chat(const store::OutboxEntry& entry) {
  std::lock_guard lock(gone_mutex_);
  auto it = gone_.find(entry.chat_id);
  if (it == gone_.end()) return false;
  return entry.created_ms <= it->second.since_ms ||
         (!entry.job_id.empty() && it->second.cancelled.count(entry.job_id) > 0);
}

void OutboxDispatcher::chat_gone(const store::OutboxBatch& batch, size_t from,
                                 const std::string& why) {
  const int64_t chat = batch.chat_id;
  const int64_t now = env_.clock.unix_ms();
  spdlog::warn("outbox: chat {} is gone ({}): dropping what is pending for it, cancelling its jobs",
               chat, why);
  // Its jobs: those the pending entries belong to, and (a private chat's id is its user's) the
  // user's unfinished jobs in this chat. Cancelled, not failed: nobody is there to tell.
  std::set<std::string> jobs;
  for (size_t i = from; i < batch.entries.size(); ++i) {
    if (!batch.entries[i].job_id.empty()) jobs.insert(batch.entries[i].job_id);
  }
  std::set<std::string> cancelled;
  try {
    if (chat > 0) {
      for (const auto& j : env_.queue.user_jobs(chat, /*unfinished_only=*/true)) {
        if (j.chat_id == chat) jobs.insert(j.id);
      }
    }
    for (const auto& id : jobs) {
      auto job = env_.queue.get(id);
      if (!job || job->chat_id != chat || store::is_finished(job->state)) continue;
      if (env_.queue.cancel(id, job->user_id)) {
        cancelled.insert(id);
        spdlog::info("outbox: job {} cancelled: its chat {} is gone", id, chat);
      }
    }
  } catch (const std::exception& e) {
    spdlog::warn("outbox: cancelling the jobs of gone chat {} failed: {}", chat, e.what());
  }
  {
    std::lock_guard lock(gone_mutex_);
    std::erase_if(gone_, [&](const auto& kv) {
      return kv.second.since_ms < now - options_.remember_gone.count();
    });
    GoneChat& g = gone_[chat];
    g.since_ms = now;
    g.cancelled.insert(cancelled.begin(), cancelled.end());
  }
  // The rest of this batch now; entries past the batch when the chat is claimed next (they
  // were written before `now`, so for_gone_chat() drops them without a call).
  for (size_t i = from; i < batch.entries.size(); ++i) {
    try {
      env_.outbox.mark_dropped(batch.entries[i].id, why);
      metrics::count_outbox("dropped");
    } catch (const std::exception& e) {
      spdlog::error("outbox: dropping {} failed: {}", batch.entries[i].id, e.what());
      return;
    }
  }
}

}  // namespace tgscribe::jobs
