#pragma once
// The outbox: everything the bot says to a chat (status replies, notices, refusals, cache-hit
// answers, transcript parts, documents, failure messages) is first written here, durably, by
// the transaction that decided to say it (UpdateLog::admit, JobQueue::finish, Outbox::add),
// and then sent by the dispatchers (jobs/outbox_dispatcher). Per chat the entries go out in
// the order they were written; chats are independent of each other.
//
// A dispatcher claims one chat at a time (a lease, so two dispatchers of any instances never
// send to one chat at once), sends its due entries in order, and records each one as sent
// right after Telegram accepted it. The only window where a message can be sent twice is a
// crash between Telegram's answer and that record.
//
// Implementations: memory, SQLite, Redis; one typed suite (outbox_test.cc) runs on all.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace tgscribe::store {

enum class OutboxState { kPending, kSent, kDropped };
const char* to_string(OutboxState state);
OutboxState outbox_state_from_string(const std::string& s);  // throws std::invalid_argument

// Which chat a dispatcher takes next. A first reply (a status reply, a refusal, a command's
// answer) is what a user waits for with nothing on screen yet; bulk (transcript parts,
// documents, edits) can wait for it: with Telegram's ~30 messages/s shared by every chat, a
// burst's first replies then go out at that pace instead of taking turns with transcripts.
// Order within one chat never changes: priority only picks among chats.
inline constexpr int kOutboxBulk = 0;
inline constexpr int kOutboxFirstReply = 1;

struct OutboxEntry {
  // Unique, and derived from what produced it ("<job_id>:status", "<job_id>:text:0",
  // "u<update_id>:reply"), so writing the same entry twice is a no-op.
  std::string id;
  int64_t chat_id = 0;
  std::string job_id;          // the job it belongs to; "" for plain replies
  std::string body;            // what to send: JSON owned by jobs/ (method, text, file, reply ...)
  int priority = kOutboxBulk;  // kOutboxFirstReply or kOutboxBulk

  // Kept by the store:
  int64_t seq = 0;  // order within the chat: increasing in the order entries were added
  int64_t created_ms = 0;
  OutboxState state = OutboxState::kPending;
  int64_t message_id = 0;  // Telegram's message id once sent (for later edits)
  int attempts = 0;        // failed sends so far
  // Not sent before this (unix ms): set by the writer to delay an entry (a status reply that a
  // fast job makes unnecessary: JobOutcome::withdraw), and by mark_retry.
  int64_t not_before_ms = 0;
  std::string last_error;
};

// One chat's due entries, claimed by one dispatcher until `release` or the lease ends.
struct OutboxBatch {
  int64_t chat_id = 0;
  std::vector<OutboxEntry> entries;  // pending, in seq order, from the chat's first pending one
};

class Outbox {
 public:
  virtual ~Outbox() = default;

  // Adds the entries whose ids are not present yet (present ones are left as they are), in
  // one transaction, seq in vector order.
  virtual void add(const std::vector<OutboxEntry>& entries) = 0;

  // Claims a chat whose first pending entry is due (not_before_ms <= now) and that no other
  // owner holds: the highest priority of that first entry first, then the oldest; returns up
  // to `max_entries` of its pending entries in order, stopping before the first one that is
  // not due or of a lower priority than the first (so a chat's status reply goes out alone,
  // and its transcript waits behind other chats' first replies). nullopt when there is
  // nothing to send.
  virtual std::optional<OutboxBatch> claim(const std::string& owner,
                                           std::chrono::milliseconds lease, int max_entries) = 0;
  // Extends the chat's lease; false when it is not ours any more (send nothing more then).
  virtual bool renew(int64_t chat_id, const std::string& owner,
                     std::chrono::milliseconds lease) = 0;
  virtual void release(int64_t chat_id, const std::string& owner) = 0;

  // Telegram accepted it. Idempotent.
  virtual void mark_sent(const std::string& id, int64_t message_id) = 0;
  // It failed and may succeed later: attempts+1, not sent before `not_before_ms`. Later
  // entries of the chat wait behind it (order is kept).
  virtual void mark_retry(const std::string& id, const std::string& error,
                          int64_t not_before_ms) = 0;
  // It can never be sent (chat gone, bot blocked, message refused): given up.
  virtual void mark_dropped(const std::string& id, const std::string& error) = 0;

  virtual std::optional<OutboxEntry> get(const std::string& id) = 0;
  // Entries not yet sent or dropped (for metrics and tests).
  virtual int64_t pending() = 0;
  virtual bool healthy() = 0;
};

}  // namespace tgscribe::store
