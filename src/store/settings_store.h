#pragma once
// Per-chat settings (/lang, /mode) and per-user data, persisted next to the queue.
#include <cstdint>
#include <optional>
#include <string>

namespace tgscribe::store {

struct ChatSettings {
  std::string language;    // "" = use LANGUAGE from config; "auto" or ISO 639-1
  bool auto_mode = false;  // groups: transcribe every media message, not only on /transcribe
};

class SettingsStore {
 public:
  virtual ~SettingsStore() = default;
  virtual ChatSettings get(int64_t chat_id) = 0;
  virtual void put(int64_t chat_id, const ChatSettings& settings) = 0;
  virtual void forget_chat(int64_t chat_id) = 0;
};

}  // namespace tgscribe::store
