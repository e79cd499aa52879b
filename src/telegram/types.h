#pragma once
// The parts of the Bot API object model tgscribe uses, parsed defensively: updates come from
// the network (polling or a webhook anyone can hit), so a malformed one yields an error value,
// never an exception, and never stops the bot.
#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tgscribe::telegram {

// A value or the reason there is none; the parser's way of saying "malformed" without throwing.
template <typename T>
struct Parsed {
  std::optional<T> value;
  std::string error;  // set when value is empty

  explicit operator bool() const { return value.has_value(); }
  const T& operator*() const { return *value; }
  const T* operator->() const { return &*value; }
  static Parsed fail(std::string why) { return Parsed{std::nullopt, std::move(why)}; }
};

struct User {
  int64_t id = 0;
  bool is_bot = false;
  std::string first_name;
  std::string last_name;
  std::string username;
  std::string language_code;  // IETF tag from the user's client, may be empty

  // "First Last" or "@username" or the id: how to name the user in a group reply.
  std::string display_name() const;
};

enum class ChatType { kPrivate, kGroup, kSupergroup, kChannel, kUnknown };
const char* to_string(ChatType type);

struct Chat {
  int64_t id = 0;
  ChatType type = ChatType::kUnknown;
  std::string title;
  std::string username;
  bool is_forum = false;

  bool is_group() const { return type == ChatType::kGroup || type == ChatType::kSupergroup; }
};

enum class MediaKind { kVoice, kAudio, kVideo, kVideoNote, kDocument };
const char* to_string(MediaKind kind);

// One shape for every kind of transcribable attachment.
struct MediaRef {
  MediaKind kind = MediaKind::kVoice;
  std::string file_id;  // used to download (bot-specific)
  // Stable across time and bots: the cheapest cache key. Empty in older payloads (before
  // Bot API 4.5) and in some re-sent media: the media is still transcribed, only the
  // file-key cache is skipped.
  std::string file_unique_id;
  std::string file_name;  // empty for voice/video_note (Telegram sends none)
  std::string mime_type;
  int64_t file_size = 0;  // 0 when unknown; may exceed 2^31
  int duration = 0;       // seconds, 0 when unknown
};

// Where a forwarded message came from (Bot API 7.0 `forward_origin`, or the older
// forward_from / forward_from_chat / forward_sender_name fields). Informational: a forwarded
// voice note is transcribed like any other, for the user who forwarded it.
struct MessageOrigin {
  std::string type;  // "user", "hidden_user", "chat", "channel" (or what Telegram adds later)
  int64_t date = 0;
  // The original author as Telegram names it: the user, the hidden user's chosen name, the
  // chat or channel title (with the author signature when there is one).
  std::string sender_name;
};

// True when a document with this MIME type / file name is audio or video we can transcribe.
bool is_media_document(std::string_view mime_type, std::string_view file_name);

struct MessageEntity {
  std::string type;  // "bot_command", "mention", ...
  int offset = 0;    // UTF-16 code units
  int length = 0;
};

// One button of an inline keyboard. tgscribe only makes callback buttons; other kinds (url,
// web_app...) parse with an empty callback_data.
struct InlineButton {
  std::string text;
  std::string callback_data;  // 1-64 bytes
};
// InlineKeyboardMarkup: rows of buttons under a message.
struct InlineKeyboard {
  std::vector<std::vector<InlineButton>> rows;
  bool empty() const { return rows.empty(); }
  nlohmann::json to_json() const;  // {"inline_keyboard": [[{"text","callback_data"}...]...]}
};
// Telegram's limit on callback_data, in bytes.
inline constexpr size_t kMaxCallbackDataBytes = 64;

struct Message {
  int64_t message_id = 0;
  std::optional<int64_t> message_thread_id;
  bool is_topic_message = false;
  int64_t date = 0;       // unix seconds; 0 when absent (synthetic payloads)
  int64_t edit_date = 0;  // set on edited messages
  Chat chat;
  std::optional<User> from;  // absent (or null) in channels
  // Set when the message was sent on behalf of a chat: an anonymous group admin (then `from`
  // is @GroupAnonymousBot and sender_chat is the group itself), a user posting as one of
  // their channels, a linked channel's automatic forward, a channel post.
  std::optional<Chat> sender_chat;
  std::string author_signature;
  std::optional<MessageOrigin> forward_origin;
  std::string media_group_id;  // set on each item of an album
  std::string text;            // text, or the caption of a media message
  std::vector<MessageEntity> entities;
  std::optional<MediaRef> media;
  std::shared_ptr<const Message> reply_to_message;  // one level deep, as Telegram sends it
  // The inline keyboard under the message (the bot's own messages: a /summary that replies to
  // a transcript finds the job in its buttons).
  std::optional<InlineKeyboard> reply_markup;

  // The thread to answer in: set only when the message is in a forum topic.
  std::optional<int64_t> reply_thread_id() const {
    return is_topic_message ? message_thread_id : std::nullopt;
  }
  // Who speaks: for a message sent on behalf of a chat, a User made from that chat (its id,
  // negative, and its title), since `from` then is a placeholder bot shared by everyone who
  // posts anonymously; otherwise `from`.
  std::optional<User> sender() const;
  // An anonymous admin of this group (sender_chat is the chat itself).
  bool from_anonymous_admin() const { return sender_chat && sender_chat->id == chat.id; }
};

enum class UpdateKind {
  kMessage,
  kEditedMessage,
  kChannelPost,
  kEditedChannelPost,
  kCallbackQuery,  // a tap on an inline keyboard button
  kOther,          // my_chat_member, inline_query, ...: valid, but nothing tgscribe acts on
};

// A tap on an inline button. `message` is the message the button was under; Telegram sends
// an InaccessibleMessage (chat, message_id, date 0) when it is older than 48 h, and none at
// all for inline-mode messages (then inline_message_id is set).
struct CallbackQuery {
  std::string id;  // answered with answerCallbackQuery
  User from;
  std::optional<Message> message;
  bool message_inaccessible = false;  // message.date == 0: only chat and message_id are known
  std::string inline_message_id;
  std::string chat_instance;
  std::string data;  // callback_data of the button, may be empty (game buttons)
};

struct Update {
  int64_t update_id = 0;
  UpdateKind kind = UpdateKind::kOther;
  std::string kind_name;           // the JSON field name, e.g. "message", "callback_query"
  std::optional<Message> message;  // set for the message-bearing kinds
  std::optional<CallbackQuery> callback_query;  // set for kCallbackQuery
};

struct ParseLimits {
  size_t max_json_bytes = 1 << 20;    // a real update is a few KB
  size_t max_text_bytes = 64 * 1024;  // Telegram caps text at 4096 UTF-16 units
};

// Never throws. An update with a valid update_id but an unknown kind parses fine (kOther).
Parsed<Update> parse_update(const nlohmann::json& j, const ParseLimits& limits = {});
Parsed<Update> parse_update(std::string_view body, const ParseLimits& limits = {});
// Raw bodies (a webhook request, a test literal) without ambiguity with the json overload.
inline Parsed<Update> parse_update(const std::string& body, const ParseLimits& limits = {}) {
  return parse_update(std::string_view(body), limits);
}
inline Parsed<Update> parse_update(const char* body, const ParseLimits& limits = {}) {
  return parse_update(std::string_view(body), limits);
}
Parsed<Message> parse_message(const nlohmann::json& j, const ParseLimits& limits = {});
Parsed<CallbackQuery> parse_callback_query(const nlohmann::json& j, const ParseLimits& limits = {});
// reply_markup's inline_keyboard; nullopt when absent or not an inline keyboard.
std::optional<InlineKeyboard> parse_inline_keyboard(const nlohmann::json& j);
Parsed<User> parse_user(const nlohmann::json& j);
Parsed<Chat> parse_chat(const nlohmann::json& j);

// getFile's answer.
struct File {
  std::string file_id;
  std::string file_unique_id;
  int64_t file_size = 0;
  std::string file_path;  // relative on the cloud API; absolute on a --local Bot API server
};
Parsed<File> parse_file(const nlohmann::json& j);

// getChatMember's answer, reduced to what /mode needs.
struct ChatMember {
  std::string status;  // creator, administrator, member, restricted, left, kicked
  User user;
  bool is_admin() const { return status == "creator" || status == "administrator"; }
};
Parsed<ChatMember> parse_chat_member(const nlohmann::json& j);

}  // namespace tgscribe::telegram
