#include "telegram/types.h"

#include <gtest/gtest.h>

#include <limits>

namespace tgscribe::telegram {
namespace {

using nlohmann::json;

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
  EXPECT_EQ(msg.command(), "transcribe");
  EXPECT_EQ(msg.command("tgscribebot"), "transcribe");
  EXPECT_EQ(msg.command("OtherBot"), "");
  EXPECT_EQ(msg.command_args(), "now");
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
  EXPECT_EQ(p->command(), "transcribe");
}

TEST(ParseUpdate, NonCommandsAreNotCommands) {
  Message m;
  for (std::string t : {"hello", "/", "/ x", "/bad-name", "", "/a.b"}) {
    m.text = t;
    EXPECT_EQ(m.command(), "") << t;
  }
}

TEST(ParseUpdate, UnknownKindIsValidButHasNoMessage) {
  auto p = parse_update(R"({"update_id": 5, "callback_query": {"id": "x"}})");
  ASSERT_TRUE(p) << p.error;
  EXPECT_EQ(p->kind, UpdateKind::kOther);
  EXPECT_EQ(p->kind_name, "callback_query");
  EXPECT_FALSE(p->message);
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

}  // namespace
}  // namespace tgscribe::telegram
