#pragma once
// SettingsStore on Redis: one hash per chat, {p}chat:<id> = {language, auto, formats,
// timestamps, speakers}, shared by every instance. No expiry: settings live until /forget.
#include <memory>
#include <string>

#include "store/redis/redis_connection.h"
#include "store/settings_store.h"

namespace tgscribe::store {

class RedisSettingsStore : public SettingsStore {
 public:
  explicit RedisSettingsStore(std::shared_ptr<RedisConnection> redis,
                              std::string prefix = "tgscribe:");
  ChatSettings get(int64_t chat_id) override;
  void put(int64_t chat_id, const ChatSettings& settings) override;
  void forget_chat(int64_t chat_id) override;

 private:
  std::string key(int64_t chat_id) const;

  std::shared_ptr<RedisConnection> redis_;
  const std::string prefix_;
};

}  // namespace tgscribe::store
