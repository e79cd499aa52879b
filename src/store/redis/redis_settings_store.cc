#include "store/redis/redis_settings_store.h"

namespace tgscribe::store {

RedisSettingsStore::RedisSettingsStore(std::shared_ptr<RedisConnection> redis, std::string prefix)
    : redis_(std::move(redis)), prefix_(std::move(prefix)) {}

std::string RedisSettingsStore::key(int64_t chat_id) const {
  return prefix_ + "chat:" + std::to_string(chat_id);
}

ChatSettings RedisSettingsStore::get(int64_t chat_id) {
  RedisReply r = redis_->command({"HMGET", key(chat_id), "language", "auto"});
  ChatSettings s;
  s.language = r.elements.at(0).str;
  s.auto_mode = r.elements.at(1).str == "1";
  return s;
}

void RedisSettingsStore::put(int64_t chat_id, const ChatSettings& settings) {
  // HSET of both fields replaces the whole record in one idempotent command.
  redis_->command({"HSET", key(chat_id), "language", settings.language, "auto",
                   settings.auto_mode ? "1" : "0"});
}

void RedisSettingsStore::forget_chat(int64_t chat_id) { redis_->command({"DEL", key(chat_id)}); }

}  // namespace tgscribe::store
