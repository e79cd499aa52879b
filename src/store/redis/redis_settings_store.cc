#include "store/redis/redis_settings_store.h"

namespace tgscribe::store {

RedisSettingsStore::RedisSettingsStore(std::shared_ptr<RedisConnection> redis, std::string prefix)
    : redis_(std::move(redis)), prefix_(std::move(prefix)) {}

std::string RedisSettingsStore::key(int64_t chat_id) const {
  return prefix_ + "chat:" + std::to_string(chat_id);
}

ChatSettings RedisSettingsStore::get(int64_t chat_id) {
  RedisReply r = redis_->command(
      {"HMGET", key(chat_id), "language", "auto", "formats", "timestamps", "speakers"});
  ChatSettings s;
  // A field a chat never set (or a record from before it existed) reads as nil: "".
  s.language = r.elements.at(0).str;
  s.auto_mode = r.elements.at(1).str == "1";
  s.formats = formats_from_text(r.elements.at(2).str);
  s.timestamps = r.elements.at(3).str == "1";
  s.speakers = r.elements.at(4).str == "1";
  return s;
}

void RedisSettingsStore::put(int64_t chat_id, const ChatSettings& settings) {
  // HSET of every field replaces the whole record in one idempotent command.
  redis_->command({"HSET", key(chat_id), "language", settings.language, "auto",
                   settings.auto_mode ? "1" : "0", "formats", formats_to_text(settings.formats),
                   "timestamps", settings.timestamps ? "1" : "0", "speakers",
                   settings.speakers ? "1" : "0"});
}

void RedisSettingsStore::forget_chat(int64_t chat_id) { redis_->command({"DEL", key(chat_id)}); }

}  // namespace tgscribe::store
