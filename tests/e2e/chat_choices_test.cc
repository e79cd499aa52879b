// Per-chat choices through the real binary (issue 16), against the fake Telegram and the fake
// Groq / Deepgram: /speakers on with Deepgram puts "Speaker N:" labels in the message, the .txt
// and the .srt (Indonesian "Pembicara N"), asks Deepgram for diarize=true, and a chat without
// /speakers is answered from that cached transcript without labels; with Groq /speakers says
// it cannot; /formats (a list, none, an invalid name) and /timestamps ([mm:ss] marks) persist
// across a restart of the binary on SQLite, and between instances on Redis; in a group only
// admins change them.
#include <gtest/gtest.h>

#include <regex>

#include "e2e/bot_deployment.h"
#include "engine/testing/fake_deepgram.h"
#include "store/testing/redis_server.h"

namespace tgscribe {
namespace chat_choices_e2e {

using engine::testing::FakeDeepgram;
using engine::testing::FakeRequest;
using telegram::testing::FakeFile;
using telegram::testing::MessageSpec;
using telegram::testing::RecordedCall;
using testing::BotDeployment;

class ChatChoices : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(testing::spoken_clip().empty()) << "espeak-ng or ffmpeg failed";
  }

  void start_bot(const std::string& name = "bot",
                 const std::map<std::string, std::string>& extra = {}) {
    d_.start(name, extra);
    ASSERT_TRUE(d_.wait_healthy(name)) << d_.logs();
  }
  // The bot on Deepgram (the fake), Groq's key unset.
  void start_deepgram_bot() {
    deepgram_ = std::make_unique<FakeDeepgram>();
    deepgram_->start();
    start_bot("bot", {{"TRANSCRIBER", "deepgram"},
                      {"GROQ_API_KEY", ""},
                      {"DEEPGRAM_API_KEY", "test-deepgram-key"},
                      {"DEEPGRAM_API_URL", deepgram_->url()}});
  }

  static MessageSpec user(int64_t id, const std::string& language_code = "en") {
    return MessageSpec{.chat_id = id, .user_id = id, .language_code = language_code};
  }

  std::vector<std::string> texts_with(int64_t chat, const std::string& needle) const {
    std::vector<std::string> out;
    for (const auto& c : d_.delivered()) {
      if (c.method == "sendMessage" && c.chat_id() == chat &&
          c.text().find(needle) != std::string::npos) {
        out.push_back(c.text());
      }
    }
    return out;
  }
  // Sends `command` from `who` and returns the next answer containing `needle` ("" after 20 s).
  std::string ask(const MessageSpec& who, const std::string& command, const std::string& needle) {
    size_t before = texts_with(who.chat_id, needle).size();
    d_.tg.push_text(who, command);
    if (!testing::eventually([&] { return texts_with(who.chat_id, needle).size() > before; })) {
      return "";
    }
    return texts_with(who.chat_id, needle).back();
  }

  // Sends a voice note and waits until its transcript and `files` documents arrived; the
  // transcript message's text ("" on timeout).
  std::string transcribe(const MessageSpec& who, const FakeFile& file, size_t files) {
    size_t transcripts = d_.transcripts_in(who.chat_id);
    size_t documents = d_.documents_in(who.chat_id);
    d_.tg.push_media(who, "voice", file);
    bool done = testing::eventually(
        [&] {
          return d_.transcripts_in(who.chat_id) > transcripts &&
                 d_.documents_in(who.chat_id) >= documents + files;
        },
        std::chrono::seconds(30));
    if (!done) return "";
    std::string text;
    for (const auto& c : d_.delivered()) {
      if (c.chat_id() == who.chat_id && BotDeployment::is_transcript(c)) text = c.text();
    }
    return text;
  }
  // The newest document named `name` sent to `chat`.
  std::string document(int64_t chat, const std::string& name) const {
    std::string content;
    for (const auto& c : d_.delivered()) {
      auto doc = c.files.find("document");
      if (c.method == "sendDocument" && c.chat_id() == chat && doc != c.files.end() &&
          doc->second.filename == name) {
        content = doc->second.content;
      }
    }
    return content;
  }
  size_t deepgram_requests() const {
    size_t n = 0;
    for (const auto& r : deepgram_->requests()) n += r.status == 200;
    return n;
  }

  // Two voice notes later and one restart on: /formats vtt and /timestamps on still hold.
  void expect_choices_hold(const MessageSpec& ann, int variant) {
    size_t txt = d_.documents_in(ann.chat_id, "transcript.txt");
    size_t srt = d_.documents_in(ann.chat_id, "transcript.srt");
    std::string text = transcribe(ann, d_.add_voice(variant), 1);
    ASSERT_FALSE(text.empty()) << d_.logs();
    EXPECT_TRUE(std::regex_search(text, std::regex(R"(^\[\d\d:\d\d\] Hello from the fake engine)")))
        << text;
    ASSERT_TRUE(
        testing::eventually([&] { return !document(ann.chat_id, "transcript.vtt").empty(); }));
    EXPECT_NE(document(ann.chat_id, "transcript.vtt").find("WEBVTT"), std::string::npos);
    // Nothing but the vtt: OUTPUT_FORMATS (txt,srt) is overridden for this chat.
    EXPECT_EQ(d_.documents_in(ann.chat_id, "transcript.txt"), txt);
    EXPECT_EQ(d_.documents_in(ann.chat_id, "transcript.srt"), srt);
  }

  std::unique_ptr<store::testing::RedisServer> redis_;  // before d_: outlives the processes
  std::unique_ptr<FakeDeepgram> deepgram_;
  BotDeployment d_;
};

TEST_F(ChatChoices, DeepgramSpeakerLabelsReachTheMessageTxtAndSrt) {
  start_deepgram_bot();
  MessageSpec ann = user(701), rina = user(702, "id"), bob = user(703);
  ASSERT_FALSE(ask(ann, "/speakers on", "Speaker 1, Speaker 2").empty()) << d_.logs();
  FakeFile meeting = d_.add_voice(71);
  std::string text = transcribe(ann, meeting, 2);
  ASSERT_FALSE(text.empty()) << d_.logs();
  ASSERT_EQ(deepgram_requests(), 1u);
  EXPECT_EQ(deepgram_->requests().at(0).query.at("diarize"), "true");
  EXPECT_TRUE(deepgram_->requests().at(0).problems.empty())
      << deepgram_->requests().at(0).problems.front();
  // The fake's two sentences are two speakers' turns.
  EXPECT_EQ(text.rfind("Speaker 1: Hello from the fake engine.\n\nSpeaker 2: This is a test.", 0),
            0u)
      << text;
  EXPECT_NE(document(ann.chat_id, "transcript.txt")
                .find("Speaker 1: Hello from the fake engine.\n\nSpeaker 2: This is a test."),
            std::string::npos)
      << document(ann.chat_id, "transcript.txt");
  std::string srt = document(ann.chat_id, "transcript.srt");
  EXPECT_TRUE(std::regex_search(srt, std::regex(R"(--> [0-9:,]+\nSpeaker 1: Hello from)"))) << srt;
  EXPECT_TRUE(std::regex_search(srt, std::regex(R"(--> [0-9:,]+\nSpeaker 2: This is a test)")))
      << srt;

  // In Indonesian the label is "Pembicara".
  ASSERT_FALSE(ask(rina, "/speakers on", "Pembicara 1, Pembicara 2").empty()) << d_.logs();
  text = transcribe(rina, d_.add_voice(72), 2);
  EXPECT_EQ(
      text.rfind("Pembicara 1: Hello from the fake engine.\n\nPembicara 2: This is a test.", 0), 0u)
      << text;
  EXPECT_NE(document(rina.chat_id, "transcript.srt").find("Pembicara 2: This is a test."),
            std::string::npos);

  // Bob never asked: Ann's meeting comes from the cache (no request), without any label.
  text = transcribe(bob, meeting, 2);
  ASSERT_FALSE(text.empty()) << d_.logs();
  EXPECT_EQ(deepgram_requests(), 2u);
  EXPECT_EQ(text.rfind("Hello from the fake engine. This is a test.", 0), 0u) << text;
  EXPECT_EQ(document(bob.chat_id, "transcript.srt").find("Speaker"), std::string::npos);
  // A new recording for Bob: no diarize asked.
  ASSERT_FALSE(transcribe(bob, d_.add_voice(73), 2).empty()) << d_.logs();
  ASSERT_EQ(deepgram_requests(), 3u);
  EXPECT_EQ(deepgram_->requests().back().query.count("diarize"), 0u);

  // Ann turns it off: her next recording has no labels.
  ASSERT_FALSE(ask(ann, "/speakers off", "no more speaker labels").empty()) << d_.logs();
  text = transcribe(ann, d_.add_voice(74), 2);
  EXPECT_EQ(text.find("Speaker"), std::string::npos) << text;
}

TEST_F(ChatChoices, SpeakersWithGroqSaysItCannotAndBadFormatsGetAClearAnswer) {
  start_bot();
  MessageSpec ann = user(711);
  std::string no = ask(ann, "/speakers on", "only Deepgram");
  EXPECT_NE(no.find("groq"), std::string::npos) << no << d_.logs();
  // Nothing stored: the setting still reads off, and transcripts carry no labels.
  EXPECT_FALSE(ask(ann, "/speakers", "Speaker labels in this chat's transcripts: off").empty());

  std::string bad = ask(ann, "/formats txt,pdf", "I don't know the file format");
  EXPECT_NE(bad.find("\"pdf\""), std::string::npos) << bad;
  EXPECT_NE(bad.find("/formats none"), std::string::npos) << bad;
  std::string current = ask(ann, "/formats", "Files sent with each transcript");
  EXPECT_NE(current.find("txt, srt (the bot's default)"), std::string::npos) << current;
  EXPECT_FALSE(ask(ann, "/timestamps sometimes", "Usage: /timestamps on").empty());

  std::string text = transcribe(ann, d_.add_voice(75), 2);
  ASSERT_FALSE(text.empty()) << d_.logs();
  EXPECT_EQ(text.find("Speaker"), std::string::npos) << text;
  EXPECT_EQ(text.rfind("Hello from the fake engine", 0), 0u) << text;  // no marks either
  EXPECT_EQ(d_.documents_in(ann.chat_id, "transcript.txt"), 1u);
  EXPECT_EQ(d_.documents_in(ann.chat_id, "transcript.srt"), 1u);

  // In a group only an admin changes what everybody gets; anyone may look.
  MessageSpec member{.chat_id = -7100, .chat_type = "group", .user_id = 712};
  EXPECT_FALSE(ask(member, "/formats none", "Only admins of this chat").empty()) << d_.logs();
  EXPECT_FALSE(ask(member, "/formats", "txt, srt (the bot's default)").empty());
  d_.tg.set_chat_member_status(member.chat_id, member.user_id, "administrator");
  EXPECT_FALSE(ask(member, "/formats none", "messages only, without files").empty());
  EXPECT_FALSE(ask(member, "/formats", "none, the message only").empty());
}

TEST_F(ChatChoices, FormatsAndTimestampsPersistAcrossARestartOnSqlite) {
  start_bot();
  MessageSpec ann = user(721), bob = user(722);
  EXPECT_FALSE(ask(ann, "/formats VTT", "now come with vtt").empty()) << d_.logs();
  EXPECT_FALSE(ask(ann, "/timestamps on", "starts with its time").empty()) << d_.logs();
  EXPECT_FALSE(ask(bob, "/formats none", "messages only, without files").empty()) << d_.logs();
  expect_choices_hold(ann, 81);

  EXPECT_EQ(d_.stop("bot"), 0) << d_.logs();
  start_bot();
  EXPECT_FALSE(ask(ann, "/formats", "Files sent with each transcript in this chat: vtt.").empty())
      << d_.logs();
  expect_choices_hold(ann, 82);

  // Bob: the message only, no marks (he set none of them).
  size_t docs = d_.documents_in(bob.chat_id);
  std::string text = transcribe(bob, d_.add_voice(83), 0);
  ASSERT_FALSE(text.empty()) << d_.logs();
  EXPECT_EQ(text.rfind("Hello from the fake engine", 0), 0u) << text;
  // The outbox sends a job's entries in order: a document would come before the final status
  // edit ("done"), so once that edit is there no document can follow.
  ASSERT_TRUE(testing::eventually([&] {
    for (const auto& c : d_.tg.calls("editMessageText")) {
      if (c.chat_id() == bob.chat_id && c.status == 200 &&
          c.text().find(": done.") != std::string::npos) {
        return true;
      }
    }
    return false;
  })) << d_.logs();
  EXPECT_EQ(d_.documents_in(bob.chat_id), docs);

  // Back to the bot's setting.
  EXPECT_FALSE(ask(ann, "/formats default", "follows the bot's setting again (txt, srt)").empty());
  EXPECT_FALSE(ask(ann, "/timestamps off", "no more time marks").empty());
  text = transcribe(ann, d_.add_voice(84), 2);
  EXPECT_EQ(text.rfind("Hello from the fake engine", 0), 0u) << text;
}

TEST_F(ChatChoices, ChoicesAreSharedOnRedisAcrossInstances) {
  if (auto why = store::testing::RedisServer::unavailable_reason()) GTEST_SKIP() << *why;
  redis_ = std::make_unique<store::testing::RedisServer>();
  d_.use_redis(redis_->url());
  start_bot("a", {{"DATA_DIR", (d_.dir / "data-a").string()}});
  MessageSpec ann = user(731);
  EXPECT_FALSE(ask(ann, "/formats vtt", "now come with vtt").empty()) << d_.logs();
  EXPECT_FALSE(ask(ann, "/timestamps on", "starts with its time").empty()) << d_.logs();
  EXPECT_EQ(d_.stop("a"), 0) << d_.logs();

  // Another instance with its own (empty) DATA_DIR: the choices live in Redis.
  start_bot("b", {{"DATA_DIR", (d_.dir / "data-b").string()}});
  expect_choices_hold(ann, 91);
}

}  // namespace chat_choices_e2e
}  // namespace tgscribe
