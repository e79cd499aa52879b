#pragma once
// In-process chat settings (QUEUE_TYPE=memory): a map behind a mutex.
#include <map>
#include <mutex>

#include "store/settings_store.h"

namespace tgscribe::store {

class MemorySettingsStore : public SettingsStore {
 public:
  ChatSettings get(int64_t chat_id) override;
  void put(int64_t chat_id, const ChatSettings& settings) override;
  void forget_chat(int64_t chat_id) override;

 private:
  std::mutex mutex_;
  std::map<int64_t, ChatSettings> settings_;  // guarded by mutex_
};

}  // namespace tgscribe::store
