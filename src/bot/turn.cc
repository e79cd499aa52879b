#include "bot/turn.h"

#include "common/sha256.h"
#include "jobs/outbox_message.h"

namespace tgscribe::bot {

void Turn::reply(const telegram::Message& m, const std::string& text) {
  jobs::OutboxMessage om;
  om.chat_id = m.chat.id;
  om.thread_id = m.reply_thread_id();
  om.reply_to_message_id = m.message_id;
  om.text = text;
  admission_.messages.push_back(jobs::make_entry(
      jobs::reply_entry_id(admission_.update_id, replies_++), "", om, store::kOutboxFirstReply));
}

void Turn::set_job(store::Job job, int per_user_limit, std::vector<store::OutboxEntry> on_accept,
                   std::vector<store::OutboxEntry> on_refusal) {
  admission_.job = std::move(job);
  admission_.per_user_limit = per_user_limit;
  for (auto& e : on_accept) admission_.messages.push_back(std::move(e));
  admission_.refusal = std::move(on_refusal);
}

void Turn::add(store::OutboxEntry entry) { admission_.messages.push_back(std::move(entry)); }

std::string job_id_for_update(int64_t update_id) {
  // A hash, not the number: users type a prefix of the id in /cancel, and consecutive update
  // ids would share their first digits.
  return Sha256::of("tgscribe-update:" + std::to_string(update_id)).substr(0, 16);
}

std::string job_id_for_message(int64_t chat_id, int64_t message_id) {
  // Another prefix than update ids: the two kinds of id never meet.
  return Sha256::of("tgscribe-message:" + std::to_string(chat_id) + ":" +
                    std::to_string(message_id))
      .substr(0, 16);
}

}  // namespace tgscribe::bot
