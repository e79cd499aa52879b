#include "store/memory/memory_settings_store.h"

namespace tgscribe::store {

ChatSettings MemorySettingsStore::get(int64_t chat_id) {
  std::lock_guard lock(mutex_);
  auto it = settings_.find(chat_id);
  return it == settings_.end() ? ChatSettings{} : it->second;
}

void MemorySettingsStore::put(int64_t chat_id, const ChatSettings& settings) {
  std::lock_guard lock(mutex_);
  settings_[chat_id] = settings;
}

void MemorySettingsStore::forget_chat(int64_t chat_id) {
  std::lock_guard lock(mutex_);
  settings_.erase(chat_id);
}

}  // namespace tgscribe::store
