#pragma once
// What an outbox entry asks Telegram to do, kept as the entry's JSON body: a message, a
// document (its content travels in the entry, so a re-send after a crash sends the same
// bytes), or an edit of a message that another entry sent (the job's status message).
#include <cstdint>
#include <optional>
#include <string>

#include "store/outbox.h"
#include "telegram/types.h"

namespace tgscribe::jobs {

struct OutboxMessage {
  enum class Method { kSendMessage, kSendDocument, kEditMessageText };
  Method method = Method::kSendMessage;
  int64_t chat_id = 0;
  std::optional<int64_t> thread_id;  // forum topic
  int64_t reply_to_message_id = 0;   // 0: not a reply
  std::string text;                  // message text, or the new text of an edit
  std::string edit_of;               // kEditMessageText: the id of the entry that sent it
  std::string file_name;             // kSendDocument
  std::string mime_type;
  std::string content;
  // Buttons under a sent message (the transcript's last part carries the actions); on an
  // edit, set replaces them. Kept as Telegram's JSON in the entry.
  std::optional<telegram::InlineKeyboard> reply_markup;
};

std::string to_json(const OutboxMessage& m);
// Throws std::runtime_error on a body that is not ours.
OutboxMessage outbox_message_from_json(const std::string& json);

// An entry with id `id` (see store::OutboxEntry) for `m`, belonging to `job_id` ("" = none).
// `priority`: store::kOutboxFirstReply for what a user waits for first (a status reply, a
// refusal, a command's answer), else bulk.
store::OutboxEntry make_entry(std::string id, std::string job_id, const OutboxMessage& m,
                              int priority = store::kOutboxBulk);

// Entry ids, derived from what produced them so a repeated write is a no-op.
std::string status_entry_id(const std::string& job_id);  // "<job>:status"
std::string reply_entry_id(int64_t update_id, int n);    // "u<update>:r<n>"

}  // namespace tgscribe::jobs
