#pragma once
// Per-chat settings (/lang, /mode, /formats, /timestamps, /speakers) and per-user data,
// persisted next to the queue.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace tgscribe::store {

struct ChatSettings {
  std::string language;    // "" = use LANGUAGE from config; "auto" or ISO 639-1
  bool auto_mode = false;  // groups: transcribe every media message, not only on /transcribe
  // Files sent with each transcript: nullopt = OUTPUT_FORMATS; empty = message only ("none");
  // else canonical names ("txt", "srt", "vtt", "json"), in the order asked.
  std::optional<std::vector<std::string>> formats;
  bool timestamps = false;  // "[mm:ss]" marks at the transcript's paragraph starts
  bool speakers = false;    // speaker labels (engines that can tell speakers apart)
};

// How backends store ChatSettings::formats in one text column/field: "" = nullopt (also what
// a record written before /formats existed holds), "none" = empty, else "vtt,json".
std::string formats_to_text(const std::optional<std::vector<std::string>>& formats);
std::optional<std::vector<std::string>> formats_from_text(const std::string& text);

class SettingsStore {
 public:
  virtual ~SettingsStore() = default;
  virtual ChatSettings get(int64_t chat_id) = 0;
  virtual void put(int64_t chat_id, const ChatSettings& settings) = 0;
  virtual void forget_chat(int64_t chat_id) = 0;
};

}  // namespace tgscribe::store
