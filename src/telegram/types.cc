#include "telegram/types.h"

#include <algorithm>
#include <array>
#include <cctype>

#include "common/json_fields.h"
#include "common/strings.h"

namespace tgscribe::telegram {
namespace {

using nlohmann::json;

ChatType chat_type_of(std::string_view s) {
  if (s == "private") return ChatType::kPrivate;
  if (s == "group") return ChatType::kGroup;
  if (s == "supergroup") return ChatType::kSupergroup;
  if (s == "channel") return ChatType::kChannel;
  return ChatType::kUnknown;
}

std::optional<MediaRef> media_from(const json& m, const char* key, MediaKind kind) {
  const json* obj = object_field(m, key);
  if (!obj) return std::nullopt;
  const json& o = *obj;
  MediaRef ref;
  ref.kind = kind;
  ref.file_id = string_field(o, "file_id");
  // Only file_id is needed to download. file_unique_id is missing from pre-2019 payloads and
  // arrives as "" in some re-sent media: still media, just without a file-key cache entry.
  if (ref.file_id.empty()) return std::nullopt;
  ref.file_unique_id = string_field(o, "file_unique_id");
  ref.file_name = string_field(o, "file_name");
  ref.mime_type = string_field(o, "mime_type");
  ref.file_size = std::max<int64_t>(0, integer_field(o, "file_size").value_or(0));
  ref.duration = static_cast<int>(
      std::clamp<int64_t>(integer_field(o, "duration").value_or(0), 0, int64_t{1} << 30));
  return ref;
}

std::optional<MediaRef> media_of(const json& m) {
  if (auto r = media_from(m, "voice", MediaKind::kVoice)) return r;
  if (auto r = media_from(m, "audio", MediaKind::kAudio)) return r;
  if (auto r = media_from(m, "video", MediaKind::kVideo)) return r;
  if (auto r = media_from(m, "video_note", MediaKind::kVideoNote)) return r;
  if (auto r = media_from(m, "document", MediaKind::kDocument)) {
    if (is_media_document(r->mime_type, r->file_name)) return r;
  }
  return std::nullopt;
}

std::string chat_name(const json& c) {
  std::string title = string_field(c, "title");
  if (!title.empty()) return title;
  std::string username = string_field(c, "username");
  return username.empty() ? std::string() : "@" + username;
}

// forward_origin (Bot API 7.0) of any type, else the fields it replaced. Never fails: a
// forward we cannot describe is still a message.
std::optional<MessageOrigin> origin_of(const json& m) {
  MessageOrigin o;
  if (const json* fo = object_field(m, "forward_origin")) {
    const json& f = *fo;
    o.type = string_field(f, "type");
    o.date = integer_field(f, "date").value_or(0);
    const char* chat_key = o.type == "channel" ? "chat" : "sender_chat";
    if (auto u = f.find("sender_user"); u != f.end()) {
      if (auto user = parse_user(*u)) o.sender_name = user->display_name();
    } else if (const json* c = object_field(f, chat_key)) {
      o.sender_name = chat_name(*c);
    } else {
      o.sender_name = string_field(f, "sender_user_name");
    }
    std::string signature = string_field(f, "author_signature");
    if (!signature.empty() && !o.sender_name.empty()) o.sender_name += " (" + signature + ")";
    return o;
  }
  o.date = integer_field(m, "forward_date").value_or(0);
  if (const json* u = object_field(m, "forward_from")) {
    o.type = "user";
    if (auto user = parse_user(*u)) o.sender_name = user->display_name();
  } else if (const json* c = object_field(m, "forward_from_chat")) {
    o.type = string_field(*c, "type") == "channel" ? "channel" : "chat";
    o.sender_name = chat_name(*c);
  } else if (std::string name = string_field(m, "forward_sender_name"); !name.empty()) {
    o.type = "hidden_user";
    o.sender_name = name;
  } else {
    return std::nullopt;
  }
  return o;
}

Parsed<Message> parse_message_depth(const json& j, const ParseLimits& limits, int depth) {
  if (!j.is_object()) return Parsed<Message>::fail("message is not an object");
  Message m;
  auto id = integer_field(j, "message_id");
  if (!id) return Parsed<Message>::fail("message without message_id");
  m.message_id = *id;
  auto chat_it = j.find("chat");
  if (chat_it == j.end()) return Parsed<Message>::fail("message without chat");
  auto chat = parse_chat(*chat_it);
  if (!chat) return Parsed<Message>::fail("bad chat: " + chat.error);
  m.chat = *chat.value;
  m.message_thread_id = integer_field(j, "message_thread_id");
  m.is_topic_message = bool_field(j, "is_topic_message");
  m.date = integer_field(j, "date").value_or(0);
  m.edit_date = integer_field(j, "edit_date").value_or(0);
  // Older channel payloads carry "from": null; that is no sender, not a broken one.
  if (auto from_it = j.find("from"); from_it != j.end() && !from_it->is_null()) {
    auto from = parse_user(*from_it);
    if (!from) return Parsed<Message>::fail("bad from: " + from.error);
    m.from = *from.value;
  }
  if (auto sc = j.find("sender_chat"); sc != j.end() && !sc->is_null()) {
    auto sender_chat = parse_chat(*sc);
    if (!sender_chat) return Parsed<Message>::fail("bad sender_chat: " + sender_chat.error);
    m.sender_chat = *sender_chat.value;
  }
  m.author_signature = string_field(j, "author_signature");
  m.forward_origin = origin_of(j);
  m.media_group_id = string_field(j, "media_group_id");
  m.text = string_field(j, "text");
  const char* entities_key = "entities";
  if (m.text.empty()) {
    m.text = string_field(j, "caption");
    entities_key = "caption_entities";
  }
  if (m.text.size() > limits.max_text_bytes) return Parsed<Message>::fail("text too long");
  if (const json* e = array_field(j, entities_key)) {
    for (const auto& ej : *e) {
      if (!ej.is_object()) continue;
      MessageEntity ent;
      ent.type = string_field(ej, "type");
      ent.offset = static_cast<int>(integer_field(ej, "offset").value_or(0));
      ent.length = static_cast<int>(integer_field(ej, "length").value_or(0));
      m.entities.push_back(std::move(ent));
      if (m.entities.size() > 1000) break;  // more than any real message carries
    }
  }
  m.media = media_of(j);
  if (auto rm = j.find("reply_markup"); rm != j.end()) m.reply_markup = parse_inline_keyboard(*rm);
  if (depth == 0) {
    if (const json* r = object_field(j, "reply_to_message")) {
      // A broken quoted message must not cost us the message itself.
      auto reply = parse_message_depth(*r, limits, depth + 1);
      if (reply) m.reply_to_message = std::make_shared<const Message>(std::move(*reply.value));
    }
  }
  return Parsed<Message>{std::move(m), {}};
}

}  // namespace

nlohmann::json InlineKeyboard::to_json() const {
  json rows_json = json::array();
  for (const auto& row : rows) {
    json r = json::array();
    for (const auto& b : row) r.push_back({{"text", b.text}, {"callback_data", b.callback_data}});
    rows_json.push_back(std::move(r));
  }
  return {{"inline_keyboard", std::move(rows_json)}};
}

std::optional<InlineKeyboard> parse_inline_keyboard(const nlohmann::json& j) {
  if (!j.is_object()) return std::nullopt;
  const json* k = array_field(j, "inline_keyboard");
  if (!k) return std::nullopt;
  InlineKeyboard kb;
  // Telegram allows at most 100 buttons; more is not a keyboard Telegram sent.
  size_t buttons = 0;
  for (const auto& row : *k) {
    if (!row.is_array()) continue;
    std::vector<InlineButton> r;
    for (const auto& b : row) {
      if (!b.is_object() || ++buttons > 100) continue;
      r.push_back({string_field(b, "text"), string_field(b, "callback_data")});
    }
    if (!r.empty()) kb.rows.push_back(std::move(r));
  }
  return kb;
}

Parsed<CallbackQuery> parse_callback_query(const nlohmann::json& j, const ParseLimits& limits) {
  try {
    if (!j.is_object()) return Parsed<CallbackQuery>::fail("callback_query is not an object");
    CallbackQuery q;
    q.id = string_field(j, "id");
    if (q.id.empty()) return Parsed<CallbackQuery>::fail("callback_query without id");
    auto from_it = j.find("from");
    if (from_it == j.end()) return Parsed<CallbackQuery>::fail("callback_query without from");
    auto from = parse_user(*from_it);
    if (!from) return Parsed<CallbackQuery>::fail("bad from: " + from.error);
    q.from = *from.value;
    q.inline_message_id = string_field(j, "inline_message_id");
    q.chat_instance = string_field(j, "chat_instance");
    q.data = string_field(j, "data");
    if (q.data.size() > limits.max_text_bytes) return Parsed<CallbackQuery>::fail("data too long");
    if (const json* m = object_field(j, "message")) {
      // A message the user can no longer access (older than 48 h) comes as
      // InaccessibleMessage: chat, message_id and date 0, nothing else.
      auto msg = parse_message(*m, limits);
      if (msg) {
        q.message_inaccessible = msg->date == 0;
        q.message = std::move(msg.value);
      }
    }
    return Parsed<CallbackQuery>{std::move(q), {}};
  } catch (const std::exception& e) {
    return Parsed<CallbackQuery>::fail(std::string("unexpected callback_query shape: ") + e.what());
  }
}

std::string User::display_name() const {
  std::string name = trim(first_name + " " + last_name);
  if (!name.empty()) return name;
  if (!username.empty()) return "@" + username;
  return std::to_string(id);
}

const char* to_string(ChatType type) {
  switch (type) {
    case ChatType::kPrivate:
      return "private";
    case ChatType::kGroup:
      return "group";
    case ChatType::kSupergroup:
      return "supergroup";
    case ChatType::kChannel:
      return "channel";
    case ChatType::kUnknown:
      break;
  }
  return "unknown";
}

const char* to_string(MediaKind kind) {
  switch (kind) {
    case MediaKind::kVoice:
      return "voice";
    case MediaKind::kAudio:
      return "audio";
    case MediaKind::kVideo:
      return "video";
    case MediaKind::kVideoNote:
      return "video_note";
    case MediaKind::kDocument:
      return "document";
  }
  return "unknown";
}

bool is_media_document(std::string_view mime_type, std::string_view file_name) {
  std::string mime = to_lower(mime_type);
  if (starts_with_icase(mime, "audio/") || starts_with_icase(mime, "video/")) return true;
  // Clients often send media as application/octet-stream: trust a known extension then.
  static constexpr std::array<std::string_view, 30> kExtensions = {
      "oga", "ogg",  "opus", "mp3",  "m4a", "aac", "wav", "flac", "wma", "amr",
      "aif", "aiff", "weba", "mpga", "mka", "ac3", "mp4", "m4v",  "mkv", "webm",
      "mov", "avi",  "3gp",  "mpeg", "mpg", "wmv", "flv", "ts",   "mts", "3g2"};
  std::string ext = file_extension(file_name);
  return !ext.empty() &&
         std::find(kExtensions.begin(), kExtensions.end(), ext) != kExtensions.end();
}

std::optional<User> Message::sender() const {
  if (!sender_chat) return from;
  User u;
  u.id = sender_chat->id;
  u.first_name = sender_chat->title;
  u.username = sender_chat->username;
  // The language of whoever is behind the chat is unknown: the texts fall back to English.
  return u;
}

Parsed<User> parse_user(const nlohmann::json& j) {
  if (!j.is_object()) return Parsed<User>::fail("user is not an object");
  auto id = integer_field(j, "id");
  if (!id) return Parsed<User>::fail("user without id");
  User u;
  u.id = *id;
  u.is_bot = bool_field(j, "is_bot");
  u.first_name = string_field(j, "first_name");
  u.last_name = string_field(j, "last_name");
  u.username = string_field(j, "username");
  u.language_code = string_field(j, "language_code");
  return Parsed<User>{std::move(u), {}};
}

Parsed<Chat> parse_chat(const nlohmann::json& j) {
  if (!j.is_object()) return Parsed<Chat>::fail("chat is not an object");
  auto id = integer_field(j, "id");
  if (!id) return Parsed<Chat>::fail("chat without id");
  Chat c;
  c.id = *id;
  c.type = chat_type_of(string_field(j, "type"));
  c.title = string_field(j, "title");
  c.username = string_field(j, "username");
  c.is_forum = bool_field(j, "is_forum");
  return Parsed<Chat>{std::move(c), {}};
}

Parsed<Message> parse_message(const nlohmann::json& j, const ParseLimits& limits) {
  try {
    return parse_message_depth(j, limits, 0);
  } catch (const std::exception& e) {  // belt and braces: the readers above do not throw
    return Parsed<Message>::fail(std::string("unexpected message shape: ") + e.what());
  }
}

Parsed<Update> parse_update(const nlohmann::json& j, const ParseLimits& limits) {
  try {
    if (!j.is_object()) return Parsed<Update>::fail("update is not an object");
    auto id = integer_field(j, "update_id");
    if (!id) return Parsed<Update>::fail("update without integer update_id");
    Update u;
    u.update_id = *id;
    static constexpr std::array<std::pair<const char*, UpdateKind>, 4> kMessageKinds = {{
        {"message", UpdateKind::kMessage},
        {"edited_message", UpdateKind::kEditedMessage},
        {"channel_post", UpdateKind::kChannelPost},
        {"edited_channel_post", UpdateKind::kEditedChannelPost},
    }};
    for (const auto& [key, kind] : kMessageKinds) {
      auto it = j.find(key);
      if (it == j.end()) continue;
      auto m = parse_message(*it, limits);
      if (!m) return Parsed<Update>::fail(std::string(key) + ": " + m.error);
      u.kind = kind;
      u.kind_name = key;
      u.message = std::move(m.value);
      return Parsed<Update>{std::move(u), {}};
    }
    if (auto it = j.find("callback_query"); it != j.end()) {
      auto q = parse_callback_query(*it, limits);
      if (!q) return Parsed<Update>::fail("callback_query: " + q.error);
      u.kind = UpdateKind::kCallbackQuery;
      u.kind_name = "callback_query";
      u.callback_query = std::move(q.value);
      return Parsed<Update>{std::move(u), {}};
    }
    for (auto it = j.begin(); it != j.end(); ++it) {
      if (it.key() != "update_id") {
        u.kind_name = it.key();
        break;
      }
    }
    return Parsed<Update>{std::move(u), {}};
  } catch (const std::exception& e) {
    return Parsed<Update>::fail(std::string("unexpected update shape: ") + e.what());
  }
}

Parsed<Update> parse_update(std::string_view body, const ParseLimits& limits) {
  if (body.size() > limits.max_json_bytes) return Parsed<Update>::fail("update too large");
  json j = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return Parsed<Update>::fail("update is not valid JSON");
  return parse_update(j, limits);
}

Parsed<File> parse_file(const nlohmann::json& j) {
  if (!j.is_object()) return Parsed<File>::fail("file is not an object");
  File f;
  f.file_id = string_field(j, "file_id");
  if (f.file_id.empty()) return Parsed<File>::fail("file without file_id");
  f.file_unique_id = string_field(j, "file_unique_id");
  f.file_size = std::max<int64_t>(0, integer_field(j, "file_size").value_or(0));
  f.file_path = string_field(j, "file_path");
  return Parsed<File>{std::move(f), {}};
}

Parsed<ChatMember> parse_chat_member(const nlohmann::json& j) {
  if (!j.is_object()) return Parsed<ChatMember>::fail("chat member is not an object");
  ChatMember m;
  m.status = string_field(j, "status");
  if (m.status.empty()) return Parsed<ChatMember>::fail("chat member without status");
  if (auto u = j.find("user"); u != j.end()) {
    auto user = parse_user(*u);
    if (user) m.user = *user.value;
  }
  return Parsed<ChatMember>{std::move(m), {}};
}

}  // namespace tgscribe::telegram
