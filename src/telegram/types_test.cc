#include "telegram/types.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>

#include "telegram/command_parser.h"

namespace tgscribe::telegram {
namespace {

using nlohmann::json;

// The command a message carries, as the bot reads it ("" when none, or addressed elsewhere).
std::string command_name(const Message& m, std::string_view bot_username = {}) {
  auto c = parse_command(m.text, bot_username);
  return c ? c->name : "";
}

json private_message() {
  return json::parse(R"({
    "message_id": 17, "date": 1700000000,
    "from": {"id": 42, "is_bot": false, "first_name": "Ann", "last_name": "Lee",
             "username": "ann", "language_code": "id"},
    "chat": {"id": 42, "type": "private", "first_name": "Ann"},
    "voice": {"file_id": "F1", "file_unique_id": "U1", "duration": 7,
              "mime_type": "audio/ogg", "file_size": 5000000000}
  })");
}

TEST(ParseUpdate, VoiceMessageInPrivateChat) {
  json u = {{"update_id", 900}, {"message", private_message()}};
  auto p = parse_update(u);
  ASSERT_TRUE(p) << p.error;
  EXPECT_EQ(p->update_id, 900);
  EXPECT_EQ(p->kind, UpdateKind::kMessage);
  ASSERT_TRUE(p->message);
  const Message& m = *p->message;
  EXPECT_EQ(m.message_id, 17);
  EXPECT_EQ(m.chat.type, ChatType::kPrivate);
  EXPECT_FALSE(m.chat.is_group());
  ASSERT_TRUE(m.from);
  EXPECT_EQ(m.from->language_code, "id");
  EXPECT_EQ(m.from->display_name(), "Ann Lee");
  ASSERT_TRUE(m.media);
  EXPECT_EQ(m.media->kind, MediaKind::kVoice);
  EXPECT_EQ(m.media->file_id, "F1");
  EXPECT_EQ(m.media->file_unique_id, "U1");
  EXPECT_EQ(m.media->duration, 7);
  EXPECT_EQ(m.media->file_size, 5000000000LL);  // beyond 2^31
  EXPECT_FALSE(m.reply_thread_id());
}

TEST(ParseUpdate, EachMediaKind) {
  for (auto [key, kind] :
       std::vector<std::pair<std::string, MediaKind>>{{"voice", MediaKind::kVoice},
                                                      {"audio", MediaKind::kAudio},
                                                      {"video", MediaKind::kVideo},
                                                      {"video_note", MediaKind::kVideoNote}}) {
    json m = private_message();
    m.erase("voice");
    m[key] = {{"file_id", "A"}, {"file_unique_id", "B"}, {"file_name", "x.mp4"}};
    auto p = parse_message(m);
    ASSERT_TRUE(p) << key;
    ASSERT_TRUE(p->media) << key;
    EXPECT_EQ(p->media->kind, kind) << key;
    EXPECT_STREQ(to_string(p->media->kind), key.c_str());
  }
}

TEST(ParseUpdate, DocumentCountsAsMediaByMimeOrExtension) {
  auto with_doc = [](json doc) {
    json m = private_message();
    m.erase("voice");
    doc["file_id"] = "D";
    doc["file_unique_id"] = "DU";
    m["document"] = doc;
    return parse_message(m);
  };
  auto audio = with_doc({{"mime_type", "audio/mpeg"}, {"file_name", "talk"}});
  ASSERT_TRUE(audio && audio->media);
  EXPECT_EQ(audio->media->kind, MediaKind::kDocument);
  EXPECT_EQ(audio->media->file_name, "talk");
  auto by_ext = with_doc({{"mime_type", "application/octet-stream"}, {"file_name", "Meeting.M4A"}});
  ASSERT_TRUE(by_ext);
  EXPECT_TRUE(by_ext->media);
  auto video = with_doc({{"mime_type", "video/quicktime"}});
  ASSERT_TRUE(video);
  EXPECT_TRUE(video->media);
  auto pdf = with_doc({{"mime_type", "application/pdf"}, {"file_name", "notes.pdf"}});
  ASSERT_TRUE(pdf);  // a valid message, just nothing to transcribe
  EXPECT_FALSE(pdf->media);
}

TEST(ParseUpdate, GroupTopicReplyWithCommand) {
  json m = {
      {"message_id", 5},
      {"message_thread_id", 3},
      {"is_topic_message", true},
      {"chat", {{"id", -1001234}, {"type", "supergroup"}, {"title", "Team"}, {"is_forum", true}}},
      {"from", {{"id", 7}, {"first_name", "Bo"}}},
      {"text", "/Transcribe@TgScribeBot  now "},
      {"entities", {{{"type", "bot_command"}, {"offset", 0}, {"length", 23}}}},
      {"reply_to_message", private_message()}};
  auto p = parse_update(json{{"update_id", 1}, {"message", m}});
  ASSERT_TRUE(p) << p.error;
  const Message& msg = *p->message;
  EXPECT_TRUE(msg.chat.is_group());
  EXPECT_TRUE(msg.chat.is_forum);
  EXPECT_EQ(msg.reply_thread_id(), 3);
  EXPECT_EQ(command_name(msg), "transcribe");
  EXPECT_EQ(command_name(msg, "tgscribebot"), "transcribe");
  EXPECT_EQ(command_name(msg, "OtherBot"), "");
  ASSERT_TRUE(parse_command(msg.text, ""));
  EXPECT_EQ(parse_command(msg.text, "")->args, "now");
  ASSERT_EQ(msg.entities.size(), 1u);
  EXPECT_EQ(msg.entities[0].type, "bot_command");
  ASSERT_TRUE(msg.reply_to_message);
  ASSERT_TRUE(msg.reply_to_message->media);
  EXPECT_EQ(msg.reply_to_message->media->file_unique_id, "U1");
}

TEST(ParseUpdate, ThreadIdWithoutTopicIsNotAReplyThread) {
  // message_thread_id is also set on replies in ordinary groups; only topics need it back.
  json m = private_message();
  m["message_thread_id"] = 9;
  auto p = parse_message(m);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->message_thread_id, 9);
  EXPECT_FALSE(p->reply_thread_id());
}

TEST(ParseUpdate, CaptionIsTheText) {
  json m = private_message();
  m["caption"] = "/transcribe";
  auto p = parse_message(m);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->text, "/transcribe");
  EXPECT_EQ(command_name(*p), "transcribe");
}

TEST(ParseUpdate, NonCommandsAreNotCommands) {
  Message m;
  for (std::string t : {"hello", "/", "/ x", "/bad-name", "", "/a.b"}) {
    m.text = t;
    EXPECT_EQ(command_name(m), "") << t;
  }
}

TEST(ParseUpdate, UnknownKindIsValidButHasNoMessage) {
  auto p = parse_update(R"({"update_id": 5, "inline_query": {"id": "x"}})");
  ASSERT_TRUE(p) << p.error;
  EXPECT_EQ(p->kind, UpdateKind::kOther);
  EXPECT_EQ(p->kind_name, "inline_query");
  EXPECT_FALSE(p->message);
}

TEST(ParseUpdate, CallbackQueryWithoutIdOrSenderIsMalformed) {
  EXPECT_FALSE(parse_update(R"({"update_id": 5, "callback_query": {"id": "x"}})"));
  EXPECT_FALSE(parse_update(R"({"update_id": 5, "callback_query": {"from": {"id": 1}}})"));
}

TEST(ParseUpdate, ReplyMarkupKeepsCallbackButtons) {
  auto p = parse_update(R"({"update_id": 6, "message": {"message_id": 3, "date": 1,
      "chat": {"id": 9, "type": "private"}, "text": "t",
      "reply_markup": {"inline_keyboard": [[{"text": "Summary", "callback_data": "a:sum:ab"},
                                             {"text": "Site", "url": "https://x.test"}]]}}})");
  ASSERT_TRUE(p) << p.error;
  ASSERT_TRUE(p->message->reply_markup);
  ASSERT_EQ(p->message->reply_markup->rows.size(), 1u);
  ASSERT_EQ(p->message->reply_markup->rows[0].size(), 2u);
  EXPECT_EQ(p->message->reply_markup->rows[0][0].callback_data, "a:sum:ab");
  EXPECT_EQ(p->message->reply_markup->rows[0][1].callback_data, "");
  InlineKeyboard kb;
  kb.rows = {{{"A", "a:1"}}};
  EXPECT_EQ(kb.to_json().dump(), R"({"inline_keyboard":[[{"callback_data":"a:1","text":"A"}]]})");
}

TEST(ParseUpdate, MalformedUpdatesAreErrorValues) {
  const std::vector<std::string> bad = {
      "",
      "not json",
      "[]",
      "42",
      R"({"message": {}})",                                 // no update_id
      R"({"update_id": "12"})",                             // wrong type
      R"({"update_id": 1, "message": "hi"})",               // message not an object
      R"({"update_id": 1, "message": {"message_id": 1}})",  // no chat
      R"({"update_id": 1, "message": {"message_id": 1, "chat": {"type": "private"}}})",
      R"({"update_id": 1, "message": {"message_id": "1", "chat": {"id": 1}}})",
      R"({"update_id": 1, "message": {"message_id": 1, "chat": {"id": 1}, "from": 5}})",
      R"({"update_id": 1, "edited_message": null})",
  };
  for (const auto& body : bad) {
    Parsed<Update> p;
    ASSERT_NO_THROW(p = parse_update(std::string_view(body))) << body;
    EXPECT_FALSE(p) << body;
    EXPECT_FALSE(p.error.empty()) << body;
  }
}

TEST(ParseUpdate, WrongTypedOptionalFieldsAreDropped) {
  json m = private_message();
  m["text"] = 12;
  m["message_thread_id"] = "x";
  m["entities"] = "nope";
  m["voice"]["file_size"] = "big";
  m["voice"]["duration"] = -5;
  m["reply_to_message"] = {{"message_id", "broken"}};
  auto p = parse_message(m);
  ASSERT_TRUE(p) << p.error;
  EXPECT_EQ(p->text, "");
  EXPECT_FALSE(p->message_thread_id);
  ASSERT_TRUE(p->media);
  EXPECT_EQ(p->media->file_size, 0);
  EXPECT_EQ(p->media->duration, 0);
  EXPECT_FALSE(p->reply_to_message);  // a broken quote does not cost the message
}

TEST(ParseUpdate, HugeInputsAreRefused) {
  json m = private_message();
  m["text"] = std::string(200'000, 'a');
  auto huge_text = parse_update(json{{"update_id", 1}, {"message", m}});
  EXPECT_FALSE(huge_text);
  std::string body = json{{"update_id", 1}, {"message", m}}.dump();
  ParseLimits small;
  small.max_json_bytes = 1000;
  EXPECT_FALSE(parse_update(std::string_view(body), small));
  std::string deep(100'000, '[');  // nesting bombs must not crash the parser
  EXPECT_FALSE(parse_update(std::string_view(deep)));
}

TEST(ParseFile, FileAndChatMember) {
  auto f = parse_file(json::parse(
      R"({"file_id":"F","file_unique_id":"U","file_size":3000000000,"file_path":"voice/f.oga"})"));
  ASSERT_TRUE(f);
  EXPECT_EQ(f->file_size, 3000000000LL);
  EXPECT_EQ(f->file_path, "voice/f.oga");
  EXPECT_FALSE(parse_file(json::parse(R"({"file_path":"x"})")));
  auto cm = parse_chat_member(json::parse(R"({"status":"creator","user":{"id":3}})"));
  ASSERT_TRUE(cm);
  EXPECT_TRUE(cm->is_admin());
  EXPECT_EQ(cm->user.id, 3);
  auto member = parse_chat_member(json::parse(R"({"status":"member","user":{"id":3}})"));
  ASSERT_TRUE(member);
  EXPECT_FALSE(member->is_admin());
}

TEST(User, DisplayNameFallsBack) {
  User u;
  u.id = 77;
  EXPECT_EQ(u.display_name(), "77");
  u.username = "zed";
  EXPECT_EQ(u.display_name(), "@zed");
  u.first_name = "Zed";
  EXPECT_EQ(u.display_name(), "Zed");
}

}  // namespace
}  // namespace tgscribe::telegram

namespace tgscribe::telegram {
namespace {

// Every field of a rich update replaced, in turn, by every wrong JSON type: the parser may
// reject or accept, but must never throw.
void visit_paths(const nlohmann::json& j, nlohmann::json::json_pointer here,
                 std::vector<nlohmann::json::json_pointer>& out) {
  out.push_back(here);
  if (j.is_object()) {
    for (auto it = j.begin(); it != j.end(); ++it) visit_paths(it.value(), here / it.key(), out);
  } else if (j.is_array()) {
    for (size_t i = 0; i < j.size(); ++i) visit_paths(j[i], here / i, out);
  }
}

TEST(ParseUpdateFuzz, WrongTypesAnywhereNeverThrow) {
  nlohmann::json m = private_message();
  m["reply_to_message"] = private_message();
  m["entities"] = nlohmann::json::array({{{"type", "bot_command"}, {"offset", 0}, {"length", 3}}});
  m["text"] = "/go";
  nlohmann::json update = {{"update_id", 1}, {"message", m}};
  std::vector<nlohmann::json::json_pointer> paths;
  visit_paths(update, nlohmann::json::json_pointer(), paths);
  const std::vector<nlohmann::json> replacements = {nullptr,
                                                    true,
                                                    -1,
                                                    1.5,
                                                    "s",
                                                    nlohmann::json::array(),
                                                    nlohmann::json::object(),
                                                    std::numeric_limits<int64_t>::min(),
                                                    18446744073709551615ULL};
  int parsed_ok = 0;
  for (const auto& path : paths) {
    for (const auto& r : replacements) {
      nlohmann::json u = update;
      u[path] = r;
      Parsed<Update> p;
      ASSERT_NO_THROW(p = parse_update(u)) << path.to_string() << " = " << r.dump();
      parsed_ok += p ? 1 : 0;
    }
  }
  EXPECT_GT(parsed_ok, 0);  // most single-field damage is survivable
}

TEST(ParseUpdateFuzz, TruncatedAndCorruptedBodiesNeverThrow) {
  std::string body = nlohmann::json{{"update_id", 1}, {"message", private_message()}}.dump();
  uint32_t x = 99;
  for (size_t cut = 0; cut < body.size(); ++cut) {
    ASSERT_NO_THROW(parse_update(std::string_view(body).substr(0, cut)));
  }
  for (int i = 0; i < 3000; ++i) {
    std::string b = body;
    for (int k = 0; k < 3; ++k) {
      x = x * 1664525 + 1013904223;
      b[(x >> 8) % b.size()] = static_cast<char>(x >> 24);
    }
    ASSERT_NO_THROW(parse_update(b)) << b;
  }
}

// --- Real payloads (tests/data/telegram-updates, see its SOURCES.md) --------------------------

std::filesystem::path fixture_dir() {
  return std::filesystem::path(TGSCRIBE_SOURCE_DIR) / "tests" / "data" / "telegram-updates";
}

json fixture(const std::string& name) {
  std::ifstream in(fixture_dir() / name);
  std::stringstream ss;
  ss << in.rdbuf();
  json j = json::parse(ss.str(), nullptr, /*allow_exceptions=*/false);
  EXPECT_TRUE(j.is_object()) << name << " is missing or not a JSON object";
  return j;
}

// A fixture as an Update: bare Message and CallbackQuery objects wrapped as SOURCES.md says.
json as_update(const json& j, const std::string& key = "message") {
  if (j.contains("update_id")) return j;
  if (j.contains("message_id")) return json{{"update_id", 1}, {key, j}};
  return json{{"update_id", 1}, {"callback_query", j}};
}

Message fixture_message(const std::string& name) {
  auto p = parse_update(as_update(fixture(name)));
  EXPECT_TRUE(p) << name << ": " << p.error;
  if (!p || !p->message) {
    ADD_FAILURE() << name << " carries no message";
    return {};
  }
  return *p->message;
}

TEST(UpdateFixtures, EveryRealPayloadParsesAndIsListedInSources) {
  std::ifstream in(fixture_dir() / "SOURCES.md");
  std::stringstream sources;
  sources << in.rdbuf();
  int files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(fixture_dir())) {
    if (entry.path().extension() != ".json") continue;
    std::string name = entry.path().filename().string();
    SCOPED_TRACE(name);
    ++files;
    EXPECT_NE(sources.str().find("| `" + name + "` |"), std::string::npos)
        << "every payload says where it came from";
    json j = fixture(name);
    Parsed<Update> p;
    ASSERT_NO_THROW(p = parse_update(as_update(j)));
    ASSERT_TRUE(p) << p.error;
    // From the raw body too, as the webhook receives it.
    ASSERT_TRUE(parse_update(as_update(j).dump())) << "as text";
    if (j.contains("message_id")) {
      // A bare Message in every update kind that may carry one.
      for (const char* key : {"message", "edited_message", "channel_post", "edited_channel_post"}) {
        auto wrapped = parse_update(as_update(j, key));
        ASSERT_TRUE(wrapped) << key << ": " << wrapped.error;
        EXPECT_EQ(wrapped->kind_name, key);
        ASSERT_TRUE(wrapped->message);
      }
    }
  }
  EXPECT_GE(files, 30);
}

TEST(UpdateFixtures, VoiceNoteInAPrivateChat) {
  auto p = parse_update(fixture("voice_private.json"));
  ASSERT_TRUE(p) << p.error;
  EXPECT_EQ(p->update_id, 259894301);
  EXPECT_EQ(p->kind, UpdateKind::kMessage);
  const Message& m = *p->message;
  EXPECT_EQ(m.date, 1604188673);
  ASSERT_TRUE(m.sender());
  EXPECT_EQ(m.sender()->id, 12345678);
  EXPECT_EQ(m.sender()->language_code, "en");
  ASSERT_TRUE(m.media);
  EXPECT_EQ(m.media->kind, MediaKind::kVoice);
  EXPECT_EQ(m.media->file_id, "FILEID");
  EXPECT_EQ(m.media->file_unique_id, "AgADFQADqRjwTA");
  EXPECT_EQ(m.media->duration, 1);
  EXPECT_EQ(m.media->file_size, 8386);
  EXPECT_FALSE(m.forward_origin);
  EXPECT_FALSE(m.sender_chat);
}

TEST(UpdateFixtures, MediaWithoutFileUniqueIdIsStillMedia) {
  // Pre-2019 payloads have no file_unique_id; an edited capture has it empty. Both are media
  // (only the file-key cache needs the id).
  auto voice = parse_update(fixture("official_example_voice_private.json"));
  ASSERT_TRUE(voice) << voice.error;
  ASSERT_TRUE(voice->message->media);
  EXPECT_EQ(voice->message->media->kind, MediaKind::kVoice);
  EXPECT_EQ(voice->message->media->file_id, "AwADBAADbXXXXXXXXXXXGBdhD2l6_XX");
  EXPECT_EQ(voice->message->media->file_unique_id, "");
  EXPECT_EQ(voice->message->media->duration, 5);
  EXPECT_FALSE(voice->message->from->is_bot);  // no is_bot key at all

  Message video = fixture_message("message_video_forwarded_empty_file_unique_id.json");
  ASSERT_TRUE(video.media);
  EXPECT_EQ(video.media->kind, MediaKind::kVideo);
  EXPECT_EQ(video.media->file_id, "BAADAgADpgQAAgX9qEud6QcgPiOAlhYE");
  EXPECT_EQ(video.media->file_unique_id, "");
  EXPECT_EQ(video.media->file_size, 1381334);
  EXPECT_EQ(video.media->duration, 13);
  EXPECT_EQ(video.media->mime_type, "video/mp4");

  Message note = fixture_message("message_video_note_legacy.json");
  ASSERT_TRUE(note.media);
  EXPECT_EQ(note.media->kind, MediaKind::kVideoNote);
  EXPECT_EQ(note.media->file_unique_id, "");
  EXPECT_EQ(note.media->duration, 4);

  // Without a file_id there is nothing to download: not media.
  json m = fixture("voice_private.json")["message"];
  m["voice"].erase("file_id");
  EXPECT_FALSE(parse_message(m)->media);
}

TEST(UpdateFixtures, MediaGroupItemsCarryTheirGroupId) {
  Message m = fixture_message("message_video_media_group.json");
  EXPECT_EQ(m.media_group_id, "12543417770506682");
  ASSERT_TRUE(m.media);
  EXPECT_EQ(m.media->kind, MediaKind::kVideo);
  EXPECT_EQ(fixture_message("voice_private.json").media_group_id, "");
}

TEST(UpdateFixtures, AnonymousAdminSpeaksAsTheGroup) {
  Message m = fixture_message("message_anonymous_admin_forward_origin_chat.json");
  ASSERT_TRUE(m.from);
  EXPECT_EQ(m.from->id, 1087968824);  // @GroupAnonymousBot
  EXPECT_TRUE(m.from->is_bot);
  ASSERT_TRUE(m.sender_chat);
  EXPECT_EQ(m.sender_chat->id, -1001160242915);
  EXPECT_EQ(m.sender_chat->type, ChatType::kSupergroup);
  EXPECT_TRUE(m.from_anonymous_admin());
  EXPECT_EQ(m.author_signature, "TITLE2");
  auto sender = m.sender();
  ASSERT_TRUE(sender);
  EXPECT_EQ(sender->id, -1001160242915);
  EXPECT_FALSE(sender->is_bot);
  EXPECT_EQ(sender->display_name(), "a");
  EXPECT_EQ(sender->language_code, "");
  // ... and the forward it carries names its origin, not its sender.
  ASSERT_TRUE(m.forward_origin);
  EXPECT_EQ(m.forward_origin->type, "chat");
  EXPECT_EQ(m.forward_origin->date, 1640359544);
  EXPECT_EQ(m.forward_origin->sender_name, "a (TITLE)");

  Message migrated = fixture_message("message_supergroup_migrate_from_anonymous.json");
  EXPECT_TRUE(migrated.sender_chat);
  EXPECT_FALSE(migrated.media);
}

TEST(UpdateFixtures, ForwardOriginOfEveryType) {
  Message hidden = fixture_message("message_forward_origin_hidden_user.json");
  ASSERT_TRUE(hidden.forward_origin);
  EXPECT_EQ(hidden.forward_origin->type, "hidden_user");
  EXPECT_EQ(hidden.forward_origin->sender_name, "Test username");
  EXPECT_EQ(hidden.forward_origin->date, 1526315997);
  ASSERT_TRUE(hidden.from);
  EXPECT_EQ(hidden.from->last_name, "");      // explicit null
  EXPECT_EQ(hidden.from->language_code, "");  // explicit null
  EXPECT_EQ(hidden.sender()->id, 1234567);    // the forwarder speaks

  // "user" and "channel" as the Bot API documents them (no real capture in the fixtures),
  // grafted onto the real voice note.
  json m = fixture("voice_private.json")["message"];
  m["forward_origin"] = {{"type", "user"},
                         {"date", 1604180000},
                         {"sender_user", {{"id", 5}, {"is_bot", false}, {"first_name", "Budi"}}}};
  auto user = parse_message(m);
  ASSERT_TRUE(user) << user.error;
  EXPECT_EQ(user->forward_origin->type, "user");
  EXPECT_EQ(user->forward_origin->sender_name, "Budi");
  EXPECT_TRUE(user->media);
  m["forward_origin"] = {{"type", "channel"},
                         {"date", 1604180000},
                         {"chat", {{"id", -1001}, {"type", "channel"}, {"title", "News"}}},
                         {"message_id", 77},
                         {"author_signature", "Ed"}};
  auto channel = parse_message(m);
  ASSERT_TRUE(channel) << channel.error;
  EXPECT_EQ(channel->forward_origin->type, "channel");
  EXPECT_EQ(channel->forward_origin->sender_name, "News (Ed)");
  EXPECT_FALSE(channel->sender_chat);  // forwarded from a channel, sent by the user
  // An origin type Telegram adds later, or a broken one, costs nothing but its description.
  m["forward_origin"] = {{"type", "story"}, {"sender_user", 5}};
  auto odd = parse_message(m);
  ASSERT_TRUE(odd) << odd.error;
  EXPECT_EQ(odd->forward_origin->type, "story");
  EXPECT_EQ(odd->forward_origin->sender_name, "");
  // The fields forward_origin replaced, in older payloads.
  m.erase("forward_origin");
  m["forward_from_chat"] = {{"id", -1002}, {"type", "channel"}, {"username", "best"}};
  m["forward_date"] = 1500000000;
  auto legacy = parse_message(m);
  ASSERT_TRUE(legacy) << legacy.error;
  EXPECT_EQ(legacy->forward_origin->type, "channel");
  EXPECT_EQ(legacy->forward_origin->sender_name, "@best");
  m.erase("forward_from_chat");
  m["forward_sender_name"] = "Someone";
  EXPECT_EQ(parse_message(m)->forward_origin->type, "hidden_user");
}

TEST(UpdateFixtures, ChannelPostsAndLegacyChannelMessages) {
  auto post = parse_update(fixture("channel_post_text.json"));
  ASSERT_TRUE(post) << post.error;
  EXPECT_EQ(post->kind, UpdateKind::kChannelPost);
  EXPECT_FALSE(post->message->from);
  ASSERT_TRUE(post->message->sender_chat);
  EXPECT_EQ(post->message->sender_chat->type, ChatType::kChannel);
  EXPECT_EQ(post->message->chat.type, ChatType::kChannel);
  // "from": null is no sender, not a malformed message.
  Message legacy = fixture_message("message_channel_post_from_null_legacy.json");
  EXPECT_FALSE(legacy.from);
  EXPECT_FALSE(legacy.sender());
  EXPECT_EQ(legacy.chat.type, ChatType::kChannel);
  EXPECT_EQ(legacy.text, "Hi, world!");
}

TEST(UpdateFixtures, EditsCallbacksAndUnknownKinds) {
  auto edit = parse_update(fixture("edited_message_live_location_supergroup.json"));
  ASSERT_TRUE(edit) << edit.error;
  EXPECT_EQ(edit->kind, UpdateKind::kEditedMessage);
  EXPECT_EQ(edit->message->edit_date, 1604282070);
  EXPECT_FALSE(edit->message->media);
  for (const char* name :
       {"callback_query_channel_message.json", "inline_query.json", "chat_boost_channel.json",
        "my_chat_member_kicked_private.json", "message_reaction_user_supergroup.json",
        "message_reaction_anonymous_actor_chat.json", "message_reaction_count_channel.json"}) {
    auto p = parse_update(fixture(name));
    ASSERT_TRUE(p) << name << ": " << p.error;
    EXPECT_EQ(p->kind, name == std::string("callback_query_channel_message.json")
                           ? UpdateKind::kCallbackQuery
                           : UpdateKind::kOther)
        << name;
    EXPECT_FALSE(p->message) << name;
  }
  auto channel_tap = parse_update(fixture("callback_query_channel_message.json"));
  ASSERT_TRUE(channel_tap->callback_query);
  EXPECT_EQ(channel_tap->callback_query->id, "3869607449858959801");
  EXPECT_EQ(channel_tap->callback_query->from.id, 900963191);
  EXPECT_EQ(channel_tap->callback_query->data, "test");
  EXPECT_EQ(channel_tap->callback_query->chat_instance, "-7315430269816637685");
  ASSERT_TRUE(channel_tap->callback_query->message);
  EXPECT_FALSE(channel_tap->callback_query->message_inaccessible);
  EXPECT_EQ(channel_tap->callback_query->message->message_id, 58);
  ASSERT_TRUE(channel_tap->callback_query->message->reply_markup);
  EXPECT_EQ(channel_tap->callback_query->message->reply_markup->rows[0][0].text, "test");
  auto unknown = parse_update(fixture("unknown_update_kind.json"));
  ASSERT_TRUE(unknown) << unknown.error;
  EXPECT_EQ(unknown->kind_name, "new_update_kind");
  // A tap on a message older than 48 h: an InaccessibleMessage (date 0), explicit nulls.
  auto callback = parse_update(as_update(fixture("callback_query_inaccessible_message.json")));
  ASSERT_TRUE(callback) << callback.error;
  EXPECT_EQ(callback->kind, UpdateKind::kCallbackQuery);
  ASSERT_TRUE(callback->callback_query);
  EXPECT_EQ(callback->callback_query->id, "12345");
  EXPECT_TRUE(callback->callback_query->message_inaccessible);
  EXPECT_EQ(callback->callback_query->message->chat.id, 9999999999);
  EXPECT_EQ(callback->callback_query->message->message_id, 9999);
  EXPECT_EQ(callback->callback_query->data, "");
  EXPECT_EQ(callback->callback_query->inline_message_id, "67890");
}

TEST(UpdateFixtures, WhatTheBotReadsFromOrdinaryMessages) {
  EXPECT_EQ(command_name(fixture_message("command_start_private.json")), "start");
  // Documents that are not audio or video are not media (the bot says what it takes).
  for (const char* name :
       {"document_text_plain_private.json", "official_example_document_pdf_private.json",
        "message_document_docx_legacy.json"}) {
    EXPECT_FALSE(fixture_message(name).media) << name;
  }
  Message story = fixture_message("story_supergroup.json");
  EXPECT_FALSE(story.media);
  EXPECT_EQ(story.text, "");
  Message topic = fixture_message("message_forum_topic_text.json");
  EXPECT_TRUE(topic.reply_thread_id());
  // A reply thread in a plain supergroup is no forum topic: answers go to the chat.
  Message thread = fixture_message("command_reply_to_story_reply_thread.json");
  EXPECT_TRUE(thread.message_thread_id);
  EXPECT_FALSE(thread.reply_thread_id());
  Message minimal = fixture_message("message_minimal_private.json");
  EXPECT_EQ(minimal.date, 0);
  EXPECT_FALSE(minimal.sender());
}

}  // namespace
}  // namespace tgscribe::telegram
