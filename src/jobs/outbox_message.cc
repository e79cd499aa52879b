#include "jobs/outbox_message.h"

#include <nlohmann/json.hpp>
#include <stdexcept>

namespace tgscribe::jobs {
namespace {

const char* method_name(OutboxMessage::Method m) {
  switch (m) {
    case OutboxMessage::Method::kSendMessage:
      return "sendMessage";
    case OutboxMessage::Method::kSendDocument:
      return "sendDocument";
    case OutboxMessage::Method::kEditMessageText:
      return "editMessageText";
  }
  return "sendMessage";
}

}  // namespace

std::string to_json(const OutboxMessage& m) {
  nlohmann::json j = {{"method", method_name(m.method)}, {"chat_id", m.chat_id}};
  if (m.thread_id) j["thread_id"] = *m.thread_id;
  if (m.reply_to_message_id) j["reply_to"] = m.reply_to_message_id;
  if (!m.text.empty()) j["text"] = m.text;
  if (!m.edit_of.empty()) j["edit_of"] = m.edit_of;
  if (m.reply_markup) j["reply_markup"] = m.reply_markup->to_json();
  if (m.method == OutboxMessage::Method::kSendDocument) {
    j["file_name"] = m.file_name;
    j["mime_type"] = m.mime_type;
    j["content"] = m.content;
  }
  // Replace invalid UTF-8 rather than throw: a transcript is never lost to one bad byte.
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

OutboxMessage outbox_message_from_json(const std::string& json) {
  nlohmann::json j = nlohmann::json::parse(json, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object() || !j.contains("method") || !j.contains("chat_id")) {
    throw std::runtime_error("outbox entry body is not an outbox message");
  }
  OutboxMessage m;
  std::string method = j.value("method", "");
  if (method == "sendMessage") {
    m.method = OutboxMessage::Method::kSendMessage;
  } else if (method == "sendDocument") {
    m.method = OutboxMessage::Method::kSendDocument;
  } else if (method == "editMessageText") {
    m.method = OutboxMessage::Method::kEditMessageText;
  } else {
    throw std::runtime_error("outbox entry has an unknown method: " + method);
  }
  m.chat_id = j.value("chat_id", int64_t{0});
  if (j.contains("thread_id")) m.thread_id = j["thread_id"].get<int64_t>();
  m.reply_to_message_id = j.value("reply_to", int64_t{0});
  m.text = j.value("text", "");
  m.edit_of = j.value("edit_of", "");
  m.file_name = j.value("file_name", "");
  m.mime_type = j.value("mime_type", "");
  m.content = j.value("content", "");
  // Entries written before keyboards existed have none.
  if (auto k = j.find("reply_markup"); k != j.end())
    m.reply_markup = telegram::parse_inline_keyboard(*k);
  return m;
}

store::OutboxEntry make_entry(std::string id, std::string job_id, const OutboxMessage& m,
                              int priority) {
  store::OutboxEntry e;
  e.id = std::move(id);
  e.chat_id = m.chat_id;
  e.job_id = std::move(job_id);
  e.body = to_json(m);
  e.priority = priority;
  return e;
}

std::string status_entry_id(const std::string& job_id) { return job_id + ":status"; }

std::string reply_entry_id(int64_t update_id, int n) {
  return "u" + std::to_string(update_id) + ":r" + std::to_string(n);
}

}  // namespace tgscribe::jobs
