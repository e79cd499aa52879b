// The bot end to end inside one process: real Bot API client over HTTP against the fake Bot
// API server, real memory/SQLite stores, real FFmpeg probing in the pipeline, and a fake
// engine (or PocketSphinx) behind it.
#include "bot/bot_service.h"

#include <gtest/gtest.h>

#include <atomic>
#include <memory>

#include "common/error.h"
#include "common/metrics.h"
#include "common/sha256.h"
#include "common/strings.h"
#include "engine/sphinx_transcriber.h"
#include "http/curl_http_client.h"
#include "i18n/i18n.h"
#include "jobs/job_payload.h"
#include "jobs/outbox_message.h"
#include "pipeline/result_cache.h"
#include "store/inflight.h"
#include "store/memory/memory_job_stores.h"
#include "store/memory/memory_settings_store.h"
#include "store/memory/memory_transcript_cache.h"
#include "store/sqlite/sqlite_db.h"
#include "store/sqlite/sqlite_job_stores.h"
#include "store/sqlite/sqlite_settings_store.h"
#include "store/sqlite/sqlite_transcript_cache.h"
#include "support/test_util.h"
#include "telegram/testing/fake_bot_api.h"
#include "telegram/testing/generous_limits.h"

namespace tgscribe::bot {
namespace {

using jobs::JobPayload;
using jobs::short_id;

using std::chrono::milliseconds;
using telegram::testing::FakeBotApi;
using telegram::testing::Fault;
using telegram::testing::MessageSpec;
using telegram::testing::RecordedCall;
using tgscribe::testing::eventually;

const char* kSpoken = "hello there this is a short test message";
const char* kEngineText = "Hello there, this is a short test message.";

// The engine is not what these tests are about: a Transcriber whose behaviour each test sets.
class FakeEngine : public engine::Transcriber {
 public:
  using Fn = std::function<transcript::Transcript(const engine::AudioFile&,
                                                  const engine::TranscribeOptions&)>;
  FakeEngine() { caps_ = {.name = "fake", .model = "f1", .uploads = false}; }
  const engine::EngineCaps& caps() const override { return caps_; }
  transcript::Transcript transcribe(const engine::AudioFile& a,
                                    const engine::TranscribeOptions& o) override {
    ++calls;
    if (fn) return fn(a, o);
    return text_transcript(kEngineText, a.info.duration_s);
  }
  static transcript::Transcript text_transcript(const std::string& text, double duration) {
    transcript::Transcript t;
    t.language = "en";
    t.duration = duration;
    t.engine = "fake";
    t.model = "f1";
    if (!text.empty()) t.segments.push_back({.start = 0, .end = duration, .text = text});
    return t;
  }
  // Each call waits until `release` is set (then transcribes kEngineText) or its job is
  // cancelled: a job that stays running while the test looks at it.
  void hold_until(const std::atomic<bool>& release) {
    fn = [&release](const engine::AudioFile& a, const engine::TranscribeOptions& o) {
      while (!release) {
        if (o.cancelled && o.cancelled()) throw Error(ErrorKind::kCancelled, "cancelled");
        std::this_thread::sleep_for(milliseconds(10));
      }
      return text_transcript(kEngineText, a.info.duration_s);
    };
  }
  std::atomic<int> calls{0};
  Fn fn;

 private:
  engine::EngineCaps caps_;
};

class BotServiceTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    voice_dir_ = new tgscribe::testing::TempDir();
    ASSERT_TRUE(tgscribe::testing::make_speech(kSpoken, voice_dir_->path() / "voice.ogg"));
    voice_ = new std::string(tgscribe::testing::read_file(voice_dir_->path() / "voice.ogg"));
  }
  static void TearDownTestSuite() {
    delete voice_;
    delete voice_dir_;
  }

  BotServiceTest() {
    cfg_.telegram_bot_token = tg_.token();
    cfg_.telegram_api_url = tg_.url();
    cfg_.data_dir = (dir_.path() / "data").string();
    cfg_.status_edit_interval_s = 1;
    // These tests follow each job's status reply: a fast fake engine would otherwise finish
    // before STATUS_DELAY_MS and skip it (tests/e2e/first_reply_test.cc covers the skip).
    cfg_.status_delay_ms = 0;
    cfg_.queue_max_workers = 2;
    cfg_.queue_retry_delay_s = 0;
    cfg_.queue_max_retries = 2;
    cfg_.output_formats = {"txt", "srt"};
  }
  ~BotServiceTest() override {
    if (service_) service_->stop(std::chrono::steady_clock::now());
  }

  // Builds the bot from cfg_ (tests change cfg_ first) and starts polling + workers.
  void start(bool sqlite = false, bool run = true) {
    http_ = std::make_unique<http::CurlHttpClient>();
    api_ = std::make_unique<telegram::BotApi>(
        telegram::BotApiOptions{
            .api_url = tg_.url(), .token = tg_.token(), .local_mode = cfg_.telegram_local_mode},
        *http_);
    telegram::SenderOptions so;
    so.limits = telegram::testing::generous_limits();
    so.backoff_initial = milliseconds(50);
    sender_ = std::make_unique<telegram::Sender>(*api_, so);
    if (sqlite) {
      auto db = store::SqliteDb::open(dir_.path() / "tgscribe.db");
      stores_ = store::make_sqlite_job_stores(db, SystemClock::instance());
      cache_ = std::make_unique<store::SqliteTranscriptCache>(db, 3600);
      settings_ = std::make_unique<store::SqliteSettingsStore>(db);
    } else {
      stores_ = store::make_memory_job_stores(SystemClock::instance());
      cache_ = std::make_unique<store::MemoryTranscriptCache>(100, 3600);
      settings_ = std::make_unique<store::MemorySettingsStore>();
    }
    queue_ = stores_.queue.get();
    build_env(engine_);
    if (run) service_->start();
  }

  // The pipeline over `engine`, the environment and the service (not started).
  void build_env(std::shared_ptr<engine::Transcriber> engine) {
    service_pipeline_ = std::make_unique<pipeline::TranscriptionService>(
        cfg_, std::vector<std::shared_ptr<engine::Transcriber>>{engine}, cache_.get(), &inflight_);
    results_ = std::make_unique<pipeline::ResultCache>(
        std::vector<pipeline::EngineId>{{engine->caps().name, engine->caps().model}}, cache_.get());
    env_ = std::make_unique<BotEnv>(BotEnv{cfg_, *api_, *sender_, *stores_.updates, *queue_,
                                           *stores_.outbox, cache_.get(), *settings_,
                                           results_.get(), service_pipeline_.get()});
    BotServiceOptions o;
    o.poller.timeout_s = 1;
    o.poller.backoff_initial = milliseconds(50);
    o.worker_poll = milliseconds(50);
    o.job_tick = milliseconds(50);
    o.outbox.poll = milliseconds(50);
    o.instance = "test";
    service_ = std::make_unique<BotService>(*env_, o);
  }

  telegram::testing::FakeFile voice_file() {
    return tg_.add_file(*voice_, "voice.oga", "audio/ogg");
  }

  // Texts of sendMessage calls to a chat (what the bot said, before edits).
  std::vector<std::string> sent_texts(int64_t chat) {
    std::vector<std::string> out;
    for (const auto& c : tg_.calls("sendMessage")) {
      if (c.chat_id() == chat && c.status == 200) out.push_back(c.text());
    }
    return out;
  }
  std::vector<RecordedCall> ok_calls(const std::string& method) {
    std::vector<RecordedCall> out;
    for (auto& c : tg_.calls(method)) {
      if (c.status == 200) out.push_back(c);
    }
    return out;
  }
  bool any_text_contains(int64_t chat, const std::string& needle) {
    for (const auto& t : tg_.chat_texts(chat)) {
      if (t.find(needle) != std::string::npos) return true;
    }
    return false;
  }
  int count_texts_containing(int64_t chat, const std::string& needle) {
    int n = 0;
    for (const auto& t : sent_texts(chat)) n += t.find(needle) != std::string::npos;
    return n;
  }
  // The reply the bot sent to a command, waiting for it.
  std::string reply_after(size_t before, int64_t chat) {
    EXPECT_TRUE(tg_.wait_for_calls("sendMessage", before + 1, std::chrono::seconds(10)));
    auto calls = ok_calls("sendMessage");
    for (size_t i = before; i < calls.size(); ++i) {
      if (calls[i].chat_id() == chat) return calls[i].text();
    }
    return {};
  }
  // Telegram's id of a job's status message, once the outbox sent it (0 before).
  int64_t status_message_id(const std::string& job_id) {
    auto e = stores_.outbox->get(jobs::status_entry_id(job_id));
    return e ? e->message_id : 0;
  }
  std::string command(const MessageSpec& spec, const std::string& text) {
    size_t before = ok_calls("sendMessage").size();
    tg_.push_text(spec, text);
    return reply_after(before, spec.chat_id);
  }

  static inline tgscribe::testing::TempDir* voice_dir_ = nullptr;
  static inline std::string* voice_ = nullptr;

  FakeBotApi tg_;
  tgscribe::testing::TempDir dir_;
  config::Config cfg_;
  std::shared_ptr<FakeEngine> engine_ = std::make_shared<FakeEngine>();
  std::unique_ptr<http::CurlHttpClient> http_;
  std::unique_ptr<telegram::BotApi> api_;
  std::unique_ptr<telegram::Sender> sender_;
  store::JobStores stores_;
  store::JobQueue* queue_ = nullptr;
  std::unique_ptr<store::TranscriptCache> cache_;
  std::unique_ptr<store::SettingsStore> settings_;
  std::unique_ptr<pipeline::TranscriptionService> service_pipeline_;
  std::unique_ptr<pipeline::ResultCache> results_;
  store::MemoryInflightRegistry inflight_;
  std::unique_ptr<BotEnv> env_;
  std::unique_ptr<BotService> service_;
};

TEST_F(BotServiceTest, VoiceNoteGetsStatusEditsTranscriptAndFiles) {
  auto& reg = tgscribe::metrics::Registry::global();
  double delivered_before = reg.counter_value("jobs_total", {{"state", "delivered"}});
  double polled_before = reg.counter_value("updates_total", {{"source", "polling"}});
  start();
  MessageSpec ann;
  auto pushed = tg_.push_media(ann, "voice", voice_file());
  ASSERT_TRUE(tg_.wait_for_calls("sendDocument", 2));

  // Status reply first, to the voice message, in English.
  auto msgs = ok_calls("sendMessage");
  ASSERT_GE(msgs.size(), 2u);
  EXPECT_NE(msgs[0].text().find("queued"), std::string::npos) << msgs[0].text();
  EXPECT_EQ(msgs[0].reply_to(), pushed.message_id);
  // The transcript with its footer, replying to the voice message.
  EXPECT_EQ(count_texts_containing(ann.chat_id, kEngineText), 1);
  bool footer = false;
  for (const auto& m : msgs) {
    if (m.text().find(kEngineText) != std::string::npos) {
      EXPECT_EQ(m.reply_to(), pushed.message_id);
      footer = m.text().find("fake") != std::string::npos;
    }
  }
  EXPECT_TRUE(footer);
  // Files named after the media; a voice note has no name.
  auto docs = ok_calls("sendDocument");
  ASSERT_EQ(docs.size(), 2u);
  std::set<std::string> names;
  for (const auto& d : docs) {
    ASSERT_EQ(d.files.count("document"), 1u);
    names.insert(d.files.at("document").filename);
    EXPECT_NE(d.files.at("document").content.find("Hello there"), std::string::npos);
    EXPECT_EQ(d.reply_to(), pushed.message_id);
  }
  EXPECT_EQ(names, (std::set<std::string>{"transcript.txt", "transcript.srt"}));
  // The status message ends as "done"; the user saw "typing" meanwhile.
  int64_t status_id = nlohmann::json::parse(msgs[0].answer)["result"]["message_id"].get<int64_t>();
  EXPECT_TRUE(eventually([&] {
    auto t = tg_.message_text(ann.chat_id, status_id);
    return t && t->find("done") != std::string::npos;
  }));
  EXPECT_GE(tg_.call_count("sendChatAction"), 1u);
  EXPECT_EQ(engine_->calls.load(), 1);
  EXPECT_TRUE(
      eventually([&] { return queue_->stats().delivered == 1 && stores_.outbox->pending() == 0; }));
  EXPECT_EQ(reg.counter_value("jobs_total", {{"state", "delivered"}}), delivered_before + 1);
  EXPECT_GE(reg.counter_value("updates_total", {{"source", "polling"}}), polled_before + 1);
  EXPECT_NE(reg.render().find("tgscribe_job_duration_seconds_count"), std::string::npos);
  // Temporary media is gone.
  EXPECT_TRUE(eventually([&] {
    auto tmp = std::filesystem::path(cfg_.data_dir) / "tmp";
    return !std::filesystem::exists(tmp) || std::filesystem::is_empty(tmp);
  }));
}

TEST_F(BotServiceTest, SameFileAgainIsAnsweredFromTheCacheWithoutDownload) {
  start();
  MessageSpec ann;
  auto file = voice_file();
  tg_.push_media(ann, "voice", file);
  ASSERT_TRUE(tg_.wait_for_calls("sendDocument", 2));
  EXPECT_TRUE(
      eventually([&] { return queue_->stats().delivered == 1 && stores_.outbox->pending() == 0; }));
  int64_t downloads = tg_.downloads();
  EXPECT_EQ(downloads, 1);

  tg_.push_media(ann, "voice", file);
  ASSERT_TRUE(tg_.wait_for_calls("sendDocument", 4));
  EXPECT_TRUE(eventually([&] { return count_texts_containing(ann.chat_id, kEngineText) == 2; }));
  EXPECT_EQ(tg_.downloads(), downloads);
  EXPECT_EQ(engine_->calls.load(), 1);
  EXPECT_EQ(queue_->stats().queued + queue_->stats().running, 0);
}

TEST_F(BotServiceTest, IdenticalContentUnderAnotherFileIdUsesTheContentCache) {
  start(/*sqlite=*/true);
  MessageSpec ann;
  tg_.push_media(ann, "voice", voice_file());
  ASSERT_TRUE(tg_.wait_for_calls("sendDocument", 2));
  tg_.push_media(ann, "voice", voice_file());  // same bytes, new file_unique_id
  ASSERT_TRUE(tg_.wait_for_calls("sendDocument", 4));
  EXPECT_EQ(tg_.downloads(), 2);
  EXPECT_EQ(engine_->calls.load(), 1);
}

TEST_F(BotServiceTest, GroupsTranscribeOnlyOnRequestAndSayWhoseMessageItWas) {
  start();
  MessageSpec ann{.chat_id = -100500, .chat_type = "supergroup", .user_id = 7, .first_name = "Ann"};
  auto media = tg_.push_media(ann, "voice", voice_file());
  // Nothing happens on a plain voice note in a group.
  MessageSpec probe{.chat_id = 99};
  tg_.push_text(probe, "/help");
  ASSERT_TRUE(tg_.wait_for_calls("sendMessage", 1));
  EXPECT_TRUE(sent_texts(ann.chat_id).empty());
  EXPECT_EQ(tg_.downloads(), 0);

  MessageSpec budi{.chat_id = -100500,
                   .chat_type = "supergroup",
                   .user_id = 8,
                   .first_name = "Budi",
                   .language_code = "id"};
  budi.reply_to = media.message;
  tg_.push_text(budi, "/transcribe@tgscribe_test_bot");
  ASSERT_TRUE(tg_.wait_for_calls("sendDocument", 2));
  // Indonesian for Budi, and the transcript names Ann as the author.
  auto texts = sent_texts(ann.chat_id);
  ASSERT_GE(texts.size(), 2u);
  EXPECT_NE(texts[0].find("antrean"), std::string::npos) << texts[0];
  EXPECT_TRUE(any_text_contains(
      ann.chat_id, tr(Lang::kId, Msg::kFromUser, fmt::arg("name", "Ann")) + "\n\n" + kEngineText));
  for (const auto& c : ok_calls("sendMessage")) {
    if (c.chat_id() == ann.chat_id) {
      EXPECT_EQ(c.reply_to(), media.message_id);
    }
  }
}

TEST_F(BotServiceTest, RepliesStayInTheForumTopic) {
  start();
  MessageSpec ann{.chat_id = -100600,
                  .chat_type = "supergroup",
                  .is_forum = true,
                  .thread_id = 42,
                  .text = "/transcribe"};
  tg_.push_media(ann, "voice", voice_file());  // captioned with the command
  ASSERT_TRUE(tg_.wait_for_calls("sendDocument", 2));
  EXPECT_TRUE(
      eventually([&] { return queue_->stats().delivered == 1 && stores_.outbox->pending() == 0; }));
  for (const char* method : {"sendMessage", "sendDocument"}) {
    for (const auto& c : ok_calls(method)) {
      EXPECT_EQ(c.thread_id(), 42) << method << " " << c.text();
    }
  }
}

TEST_F(BotServiceTest, FloodControlAnswersAreWaitedOutAndNothingIsLostOrDoubled) {
  start();
  tg_.fail_next("sendMessage", 2, Fault::kRateLimit, 1);
  tg_.fail_next("sendDocument", 1, Fault::kRateLimit, 1);
  MessageSpec ann;
  tg_.push_media(ann, "voice", voice_file());
  ASSERT_TRUE(tg_.wait_for_calls("sendDocument", 3));
  EXPECT_TRUE(
      eventually([&] { return queue_->stats().delivered == 1 && stores_.outbox->pending() == 0; }));
  int limited = 0;
  for (const auto& c : tg_.calls("sendMessage")) limited += c.status == 429;
  EXPECT_EQ(limited, 2);
  EXPECT_EQ(count_texts_containing(ann.chat_id, kEngineText), 1);
  EXPECT_EQ(ok_calls("sendDocument").size(), 2u);
}

TEST_F(BotServiceTest, LocalModeReadsTheFileFromDisk) {
  cfg_.telegram_local_mode = true;
  start();
  auto path = dir_.path() / "local-voice.ogg";
  tgscribe::testing::write_file(path, *voice_);
  auto file = tg_.add_local_file(path);
  file.size = 30'000'000;  // over the cloud limit: fine with a local server
  MessageSpec ann;
  tg_.push_media(ann, "voice", file);
  ASSERT_TRUE(tg_.wait_for_calls("sendDocument", 2));
  EXPECT_EQ(count_texts_containing(ann.chat_id, kEngineText), 1);
  EXPECT_EQ(tg_.downloads(), 0);
}

TEST_F(BotServiceTest, OversizedFilesAreRefusedWithAnExplanation) {
  start();
  MessageSpec ann;
  std::string cloud = command(ann, "/start");  // make sure the bot is up
  ASSERT_FALSE(cloud.empty());
  size_t before = ok_calls("sendMessage").size();
  tg_.push_media(ann, "video", tg_.add_file_of_size(25'000'000, "talk.mp4", "video/mp4"));
  std::string reply = reply_after(before, ann.chat_id);
  EXPECT_EQ(reply, tr(Lang::kEn, Msg::kFileTooLargeCloud, fmt::arg("size_mb", "25"),
                      fmt::arg("limit_mb", "20")));
  EXPECT_NE(reply.find("local Bot API server"), std::string::npos);

  before = ok_calls("sendMessage").size();
  MessageSpec siti{.chat_id = 2002, .user_id = 2002, .language_code = "id"};
  tg_.push_media(siti, "document",
                 tg_.add_file_of_size(2'500'000'000, "film.mkv", "video/x-matroska"));
  reply = reply_after(before, siti.chat_id);
  EXPECT_EQ(reply, tr(Lang::kId, Msg::kFileTooLarge, fmt::arg("size_mb", "2500"),
                      fmt::arg("max_mb", "2000")));
  EXPECT_EQ(queue_->stats().queued + queue_->stats().running + queue_->stats().delivered, 0);
  EXPECT_EQ(tg_.call_count("getFile"), 0u);
}

TEST_F(BotServiceTest, FileTooBigForGetFileIsExplainedNotRetried) {
  start();
  auto big = tg_.add_file_of_size(21'000'000, "talk.m4a", "audio/mp4");
  big.size = 0;  // Telegram did not say how big it is: getFile is the first to know
  MessageSpec ann;
  tg_.push_media(ann, "audio", big);
  EXPECT_TRUE(
      eventually([&] { return queue_->stats().failed == 1 && stores_.outbox->pending() == 0; }));
  EXPECT_TRUE(eventually([&] {
    return any_text_contains(ann.chat_id,
                             tr(Lang::kEn, Msg::kFailFileTooBigCloud, fmt::arg("limit_mb", "20")));
  }));
  EXPECT_EQ(tg_.call_count("getFile"), 1u);
  EXPECT_EQ(engine_->calls.load(), 0);
}

TEST_F(BotServiceTest, IdenticalContentInFlightIsTranscribedOnce) {
  std::atomic<bool> release{false};
  engine_->hold_until(release);
  start();
  MessageSpec ann{.chat_id = 61, .user_id = 61};
  MessageSpec bob{.chat_id = 62, .user_id = 62};
  tg_.push_media(ann, "voice", voice_file());
  tg_.push_media(bob, "voice", voice_file());  // the same bytes under another file id
  ASSERT_TRUE(eventually([&] { return queue_->stats().running == 2; }));
  ASSERT_TRUE(eventually([&] { return tg_.downloads() == 2; }));
  std::this_thread::sleep_for(milliseconds(200));  // let the second reach the engine step
  release = true;
  EXPECT_TRUE(
      eventually([&] { return queue_->stats().delivered == 2 && stores_.outbox->pending() == 0; }));
  EXPECT_EQ(count_texts_containing(61, kEngineText), 1);
  EXPECT_EQ(count_texts_containing(62, kEngineText), 1);
  EXPECT_EQ(engine_->calls.load(), 1);
}

TEST_F(BotServiceTest, AccessControlSaysNoPolitely) {
  cfg_.allowed_user_ids = {4242};
  start();
  MessageSpec stranger{.chat_id = 31, .user_id = 31, .language_code = "id"};
  size_t before = ok_calls("sendMessage").size();
  tg_.push_media(stranger, "voice", voice_file());
  EXPECT_EQ(reply_after(before, 31), tr(Lang::kId, Msg::kAccessDenied));
  EXPECT_EQ(command(stranger, "/help"), tr(Lang::kId, Msg::kAccessDenied));

  MessageSpec friend_{.chat_id = 4242, .user_id = 4242};
  tg_.push_media(friend_, "voice", voice_file());
  ASSERT_TRUE(tg_.wait_for_calls("sendDocument", 2));
  EXPECT_EQ(engine_->calls.load(), 1);
  EXPECT_EQ(tg_.downloads(), 1);
}

TEST_F(BotServiceTest, EveryCommandAnswersInTheUsersLanguage) {
  cfg_.admin_user_ids = {500};
  start(/*sqlite=*/true);
  for (Lang lang : {Lang::kEn, Lang::kId}) {
    SCOPED_TRACE(lang_code(lang));
    int64_t uid = lang == Lang::kEn ? 100 : 200;
    MessageSpec u{
        .chat_id = uid, .user_id = uid, .first_name = "Rina", .language_code = lang_code(lang)};
    EXPECT_EQ(command(u, "/start"), tr(lang, Msg::kStart, fmt::arg("name", "Rina")));
    EXPECT_EQ(command(u, "/help"),
              tr(lang, Msg::kHelp, fmt::arg("formats", "txt, srt"), fmt::arg("max_mb", "2000")));
    EXPECT_EQ(command(u, "/lang"), tr(lang, Msg::kLangCurrent, fmt::arg("language", "auto")));
    EXPECT_EQ(command(u, "/lang ID"), tr(lang, Msg::kLangSet, fmt::arg("language", "id")));
    EXPECT_EQ(settings_->get(uid).language, "id");
    EXPECT_EQ(command(u, "/lang klingon"),
              tr(lang, Msg::kLangInvalid, fmt::arg("value", "klingon")));
    EXPECT_EQ(command(u, "/lang auto"), tr(lang, Msg::kLangSetAuto));
    EXPECT_EQ(settings_->get(uid).language, "auto");
    EXPECT_EQ(command(u, "/mode auto"), tr(lang, Msg::kModeGroupsOnly));
    EXPECT_EQ(command(u, "/status"), tr(lang, Msg::kStatusNone));
    EXPECT_EQ(command(u, "/cancel"), tr(lang, Msg::kCancelNone));
    EXPECT_EQ(command(u, "/transcribe"), tr(lang, Msg::kTranscribeNeedsReply));
    EXPECT_EQ(command(u, "/stats"), tr(lang, Msg::kStatsDenied));
    EXPECT_EQ(command(u, "/frobnicate"), tr(lang, Msg::kUnknownCommand));
    EXPECT_EQ(command(u, "just some words"), tr(lang, Msg::kSendMedia));
    EXPECT_EQ(command(u, "/forget"), tr(lang, Msg::kForgetDone));
    EXPECT_EQ(settings_->get(uid).language, "");  // /forget removed the private chat's setting

    MessageSpec admin{.chat_id = 500, .user_id = 500, .language_code = lang_code(lang)};
    std::string stats = command(admin, "/stats");
    EXPECT_EQ(stats.rfind(lang == Lang::kEn ? "📊 Stats" : "📊 Statistik", 0), 0u) << stats;
    EXPECT_NE(stats.find("fake (f1)"), std::string::npos) << stats;

    // /mode in a group: admins only (getChatMember), then media is transcribed unasked.
    int64_t group = lang == Lang::kEn ? -700 : -800;
    MessageSpec member{
        .chat_id = group, .chat_type = "group", .user_id = uid, .language_code = lang_code(lang)};
    EXPECT_EQ(command(member, "/mode@tgscribe_test_bot auto"), tr(lang, Msg::kModeAdminsOnly));
    EXPECT_EQ(command(member, "/mode"), tr(lang, Msg::kModeCurrentManual));
    tg_.set_chat_member_status(group, uid, "administrator");
    EXPECT_EQ(command(member, "/mode auto"), tr(lang, Msg::kModeSetAuto));
    EXPECT_TRUE(settings_->get(group).auto_mode);
    // Another bot's command is not ours to answer; an unknown one without @ is ignored too.
    size_t before = ok_calls("sendMessage").size();
    tg_.push_text(member, "/help@some_other_bot");
    tg_.push_text(member, "/frobnicate");
    EXPECT_EQ(command(member, "/mode manual"), tr(lang, Msg::kModeSetManual));
    EXPECT_EQ(ok_calls("sendMessage").size(), before + 1);
  }
}

TEST_F(BotServiceTest, CommandMenusAreRegisteredInBothLanguages) {
  start();
  ASSERT_TRUE(tg_.wait_for_calls("setMyCommands", 2));
  auto calls = tg_.calls("setMyCommands");
  std::map<std::string, nlohmann::json> menus;
  for (const auto& c : calls) menus[c.params.value("language_code", "")] = c.params["commands"];
  ASSERT_EQ(menus.count(""), 1u);
  ASSERT_EQ(menus.count("id"), 1u);
  ASSERT_EQ(menus[""].size(), menus["id"].size());
  for (size_t i = 0; i < menus[""].size(); ++i) {
    EXPECT_EQ(menus[""][i]["command"], menus["id"][i]["command"]);
    EXPECT_NE(menus[""][i]["description"], menus["id"][i]["description"]);
  }
  EXPECT_EQ(menus[""][0]["description"], tr(Lang::kEn, Msg::kCmdStart));
  EXPECT_EQ(menus["id"][0]["description"], tr(Lang::kId, Msg::kCmdStart));
}

TEST_F(BotServiceTest, CancellingAQueuedJobClosesItsStatusMessage) {
  cfg_.queue_max_workers = 1;
  std::atomic<bool> release{false};
  engine_->hold_until(release);
  start();
  MessageSpec ann{.language_code = "id"};
  tg_.push_media(ann, "voice", voice_file());
  ASSERT_TRUE(eventually([&] { return engine_->calls.load() == 1; }));
  tg_.push_media(ann, "voice", voice_file());
  ASSERT_TRUE(eventually([&] { return queue_->stats().queued == 1; }));
  store::Job queued;
  for (const auto& j : queue_->user_jobs(ann.user_id, true)) {
    if (j.state == store::JobState::kQueued) queued = j;
  }
  std::string sid = short_id(queued.id);
  ASSERT_TRUE(eventually([&] {  // the status reply went out through the outbox
    return status_message_id(queued.id) != 0;
  }));
  EXPECT_EQ(command(ann, "/cancel"), tr(Lang::kId, Msg::kCancelDone, fmt::arg("id", sid)));
  int64_t status_id = status_message_id(queued.id);
  ASSERT_TRUE(eventually([&] {
    return tg_.message_text(ann.chat_id, status_id) ==
           tr(Lang::kId, Msg::kStatusCancelled, fmt::arg("id", sid));
  }));
  EXPECT_EQ(tg_.message_text(ann.chat_id, status_id),
            tr(Lang::kId, Msg::kStatusCancelled, fmt::arg("id", sid)));
  release = true;
  EXPECT_TRUE(
      eventually([&] { return queue_->stats().delivered == 1 && stores_.outbox->pending() == 0; }));
  EXPECT_EQ(queue_->stats().cancelled, 1);
  EXPECT_EQ(engine_->calls.load(), 1);
}

TEST_F(BotServiceTest, GroupSettingsFollowAMigrationToSupergroup) {
  start();
  store::ChatSettings s;
  s.auto_mode = true;
  s.language = "id";
  settings_->put(-300, s);
  tg_.migrate_chat(-300, -1000300);
  MessageSpec ann{.chat_id = -300, .chat_type = "group"};
  tg_.push_text(ann, "/help@tgscribe_test_bot");
  ASSERT_TRUE(eventually([&] { return settings_->get(-1000300).auto_mode; }));
  EXPECT_EQ(settings_->get(-1000300).language, "id");
}

TEST_F(BotServiceTest, AutoModeGroupTranscribesEveryVoiceNote) {
  start();
  store::ChatSettings s;
  s.auto_mode = true;
  settings_->put(-900, s);
  MessageSpec ann{.chat_id = -900, .chat_type = "group"};
  tg_.push_media(ann, "voice", voice_file());
  ASSERT_TRUE(tg_.wait_for_calls("sendDocument", 2));
  EXPECT_EQ(count_texts_containing(-900, kEngineText), 1);
}

TEST_F(BotServiceTest, MalformedUpdatesAreSkippedWithoutStoppingTheBot) {
  start(false, /*run=*/false);
  EXPECT_TRUE(service_->handle_update(nlohmann::json::parse(R"({"update_id": "x"})")));
  EXPECT_TRUE(service_->handle_update(nlohmann::json(42)));
  EXPECT_TRUE(service_->handle_update(
      nlohmann::json::parse(R"({"update_id": 5, "message": {"chat": "nope"}})")));
  EXPECT_TRUE(service_->handle_update(
      nlohmann::json::parse(R"({"update_id": 6, "callback_query": {"id": "1"}})")));
  EXPECT_TRUE(service_->handle_update(nlohmann::json{{"update_id", 7},
                                                     {"message",
                                                      {{"message_id", 1},
                                                       {"date", 0},
                                                       {"chat", {{"id", 1}, {"type", "private"}}},
                                                       {"text", std::string(200000, 'a')}}}}));
  service_->start();
  tg_.push_raw_update(nlohmann::json::parse(R"({"update_id": 100, "message": 17})"));
  tg_.push_raw_update(nlohmann::json::parse(R"("garbage")"));
  MessageSpec ann;
  tg_.push_media(ann, "voice", voice_file());
  ASSERT_TRUE(tg_.wait_for_calls("sendDocument", 2));
  EXPECT_EQ(count_texts_containing(ann.chat_id, kEngineText), 1);
  EXPECT_TRUE(eventually([&] { return tg_.pending_updates() == 0; }));
}

TEST_F(BotServiceTest, DuplicateUpdatesAreHandledOnce) {
  start(false, /*run=*/false);
  MessageSpec ann;
  auto pushed = tg_.push_text(ann, "/help");
  EXPECT_TRUE(service_->handle_update(pushed.update));
  EXPECT_TRUE(service_->handle_update(pushed.update));
  EXPECT_EQ(stores_.outbox->pending(), 1);
  // Started now, the poller gets the same update a third time.
  service_->start();
  ASSERT_TRUE(eventually([&] { return tg_.pending_updates() == 0; }));
  ASSERT_TRUE(eventually([&] { return stores_.outbox->pending() == 0; }));
  EXPECT_EQ(tg_.call_count("sendMessage"), 1u);
}

TEST_F(BotServiceTest, PerUserLimitRefusesWithTheRunningCount) {
  cfg_.queue_rate_limit_per_user = 1;
  std::atomic<bool> release{false};
  engine_->hold_until(release);
  start();
  MessageSpec ann;
  tg_.push_media(ann, "voice", voice_file());
  ASSERT_TRUE(eventually([&] { return engine_->calls.load() == 1; }));
  size_t before = ok_calls("sendMessage").size();
  tg_.push_media(ann, "voice", voice_file());
  EXPECT_EQ(reply_after(before, ann.chat_id),
            tr(Lang::kEn, Msg::kUserLimit, fmt::arg("count", 1), fmt::arg("limit", 1)));
  release = true;
  ASSERT_TRUE(tg_.wait_for_calls("sendDocument", 2));
  EXPECT_TRUE(
      eventually([&] { return queue_->stats().delivered == 1 && stores_.outbox->pending() == 0; }));
  EXPECT_EQ(engine_->calls.load(), 1);
}

TEST_F(BotServiceTest, StatusAndCancelOfARunningJob) {
  engine_->fn = [&](const engine::AudioFile&, const engine::TranscribeOptions& o) {
    while (!(o.cancelled && o.cancelled())) std::this_thread::sleep_for(milliseconds(10));
    throw Error(ErrorKind::kCancelled, "cancelled");
    return transcript::Transcript{};
  };
  start();
  MessageSpec ann;
  tg_.push_media(ann, "voice", voice_file());
  ASSERT_TRUE(eventually([&] { return engine_->calls.load() == 1; }));
  auto jobs = queue_->user_jobs(ann.user_id, true);
  ASSERT_EQ(jobs.size(), 1u);
  std::string sid = short_id(jobs[0].id);
  EXPECT_EQ(command(ann, "/status"),
            tr(Lang::kEn, Msg::kStatusHeader) + "\n" +
                tr(Lang::kEn, Msg::kStatusLineRunning, fmt::arg("id", sid)));
  EXPECT_EQ(command(ann, "/cancel " + sid),
            tr(Lang::kEn, Msg::kCancelRequested, fmt::arg("id", sid)));
  EXPECT_TRUE(
      eventually([&] { return queue_->stats().cancelled == 1 && stores_.outbox->pending() == 0; }));
  int64_t status_id = status_message_id(jobs[0].id);
  EXPECT_TRUE(eventually([&] {
    return tg_.message_text(ann.chat_id, status_id) ==
           tr(Lang::kEn, Msg::kStatusCancelled, fmt::arg("id", sid));
  }));
  EXPECT_EQ(tg_.call_count("sendDocument"), 0u);
}

TEST_F(BotServiceTest, RetryableEngineFailureIsRetriedThenDelivered) {
  engine_->fn = [&](const engine::AudioFile& a, const engine::TranscribeOptions&) {
    if (engine_->calls.load() == 1) throw Error(ErrorKind::kServer, "engine 503");
    return FakeEngine::text_transcript(kEngineText, a.info.duration_s);
  };
  start(/*sqlite=*/true);
  MessageSpec ann;
  tg_.push_media(ann, "voice", voice_file());
  ASSERT_TRUE(tg_.wait_for_calls("sendDocument", 2));
  EXPECT_TRUE(
      eventually([&] { return queue_->stats().delivered == 1 && stores_.outbox->pending() == 0; }));
  EXPECT_EQ(engine_->calls.load(), 2);
  EXPECT_EQ(queue_->stats().retries, 1);
  EXPECT_EQ(count_texts_containing(ann.chat_id, kEngineText), 1);
}

TEST_F(BotServiceTest, FinalFailureIsToldInPlainWords) {
  engine_->fn = [&](const engine::AudioFile&,
                    const engine::TranscribeOptions&) -> transcript::Transcript {
    throw Error(ErrorKind::kAuth, "401 invalid api key sk-secret");
  };
  start();
  MessageSpec ann{.language_code = "id"};
  tg_.push_media(ann, "voice", voice_file());
  EXPECT_TRUE(
      eventually([&] { return queue_->stats().failed == 1 && stores_.outbox->pending() == 0; }));
  EXPECT_TRUE(
      eventually([&] { return any_text_contains(ann.chat_id, tr(Lang::kId, Msg::kFailEngine)); }));
  for (const auto& t : tg_.chat_texts(ann.chat_id))
    EXPECT_EQ(t.find("sk-secret"), std::string::npos);
  EXPECT_EQ(engine_->calls.load(), 1);  // not retryable
}

TEST_F(BotServiceTest, NotMediaAfterAllIsRejectedWithAReason) {
  start();
  MessageSpec ann;
  tg_.push_media(ann, "audio", tg_.add_file(std::string(5000, 'x'), "song.mp3", "audio/mpeg"));
  EXPECT_TRUE(
      eventually([&] { return queue_->stats().failed == 1 && stores_.outbox->pending() == 0; }));
  EXPECT_TRUE(eventually([&] {
    return any_text_contains(ann.chat_id, tr(Lang::kEn, Msg::kRejectNotMedia)) ||
           any_text_contains(ann.chat_id, tr(Lang::kEn, Msg::kRejectCorrupt));
  }));
  EXPECT_EQ(engine_->calls.load(), 0);
}

TEST_F(BotServiceTest, EmptyTranscriptSaysNoSpeech) {
  engine_->fn = [](const engine::AudioFile& a, const engine::TranscribeOptions&) {
    return FakeEngine::text_transcript("", a.info.duration_s);
  };
  start();
  MessageSpec ann;
  tg_.push_media(ann, "voice", voice_file());
  EXPECT_TRUE(
      eventually([&] { return queue_->stats().delivered == 1 && stores_.outbox->pending() == 0; }));
  EXPECT_TRUE(any_text_contains(ann.chat_id, tr(Lang::kEn, Msg::kNoSpeech)));
  EXPECT_EQ(tg_.call_count("sendDocument"), 0u);
}

TEST_F(BotServiceTest, LongTranscriptIsAPreviewPlusTheFullTextFile) {
  cfg_.output_formats = {"srt"};
  cfg_.message_file_threshold = 3000;
  std::string words;
  for (int i = 0; words.size() < 9000; ++i) words += "word" + std::to_string(i) + " ";
  words += "THE-END";
  engine_->fn = [&](const engine::AudioFile& a, const engine::TranscribeOptions&) {
    return FakeEngine::text_transcript(words, a.info.duration_s);
  };
  start();
  MessageSpec ann{.language_code = "id"};
  tg_.push_media(ann, "audio", tg_.add_file(*voice_, "rapat.ogg", "audio/ogg"));
  ASSERT_TRUE(tg_.wait_for_calls("sendDocument", 2));
  std::map<std::string, std::string> files;
  for (const auto& d : ok_calls("sendDocument")) {
    files[d.files.at("document").filename] = d.files.at("document").content;
  }
  ASSERT_EQ(files.count("rapat.txt"), 1u);
  ASSERT_EQ(files.count("rapat.srt"), 1u);
  EXPECT_NE(files["rapat.txt"].find("THE-END"), std::string::npos);  // nothing lost
  EXPECT_TRUE(any_text_contains(ann.chat_id, "word0 word1"));
  EXPECT_FALSE(any_text_contains(ann.chat_id, "THE-END"));
  EXPECT_TRUE(any_text_contains(ann.chat_id, "karakter"));
}

TEST_F(BotServiceTest, VeryLongTranscriptIsSplitUnderTheMessageLimit) {
  cfg_.output_formats = {};
  cfg_.message_file_threshold = 0;  // always as messages
  std::string words;
  for (int i = 0; words.size() < 10000; ++i) words += "kata" + std::to_string(i) + " ";
  engine_->fn = [&](const engine::AudioFile& a, const engine::TranscribeOptions&) {
    return FakeEngine::text_transcript(words, a.info.duration_s);
  };
  start();
  MessageSpec ann;
  tg_.push_media(ann, "voice", voice_file());
  EXPECT_TRUE(
      eventually([&] { return queue_->stats().delivered == 1 && stores_.outbox->pending() == 0; }));
  std::string joined;
  int parts = 0;
  for (const auto& t : sent_texts(ann.chat_id)) {
    if (t.find("kata") == std::string::npos) continue;
    ++parts;
    joined += t + " ";
  }
  EXPECT_GE(parts, 3);
  EXPECT_NE(joined.find("kata0 "), std::string::npos);
  std::string last_word = trim(words).substr(trim(words).rfind(' ') + 1);
  EXPECT_NE(joined.find(last_word + "\n"), std::string::npos) << last_word;
  EXPECT_EQ(tg_.call_count("sendDocument"), 0u);
}

TEST_F(BotServiceTest, AFinishedJobsOutboxSendsOnlyWhatWasNotSentBeforeTheRestart) {
  start(/*sqlite=*/true, /*run=*/false);
  JobPayload p;
  p.chat_id = 1001;
  p.user_id = 1001;
  p.reply_to_message_id = 5;
  store::Job job;
  job.id = "c0ffee0000000001";
  job.update_id = 77;
  job.user_id = 1001;
  job.chat_id = 1001;
  job.state = store::JobState::kDelivered;
  job.payload = jobs::to_json(p);
  jobs::TranscriptMessages messages(cfg_);
  auto entries = messages.transcript(job.id, p, FakeEngine::text_transcript(kEngineText, 2));
  ASSERT_EQ(entries.size(), 3u);  // text, .txt, .srt
  store::Admission a;
  a.update_id = 77;
  a.job = job;
  a.messages = entries;
  ASSERT_FALSE(stores_.updates->admit(a).duplicate);
  // A previous run sent the text and the .txt, then died before the .srt.
  stores_.outbox->mark_sent(entries[0].id, 900);
  stores_.outbox->mark_sent(entries[1].id, 901);
  service_->start();
  ASSERT_TRUE(tg_.wait_for_calls("sendDocument", 1));
  EXPECT_TRUE(eventually([&] { return stores_.outbox->pending() == 0; }));
  auto docs = ok_calls("sendDocument");
  ASSERT_EQ(docs.size(), 1u);
  EXPECT_EQ(docs[0].files.at("document").filename, "transcript.srt");
  EXPECT_EQ(count_texts_containing(1001, kEngineText), 0);
}

TEST_F(BotServiceTest, GracefulStopLeavesAnUnfinishedJobQueuedForTheNextStart) {
  std::atomic<bool> slow{true};
  engine_->fn = [&](const engine::AudioFile& a, const engine::TranscribeOptions& o) {
    while (slow) {
      if (o.cancelled && o.cancelled()) throw Error(ErrorKind::kCancelled, "cancelled");
      std::this_thread::sleep_for(milliseconds(10));
    }
    return FakeEngine::text_transcript(kEngineText, a.info.duration_s);
  };
  start(/*sqlite=*/true);
  MessageSpec ann;
  tg_.push_media(ann, "voice", voice_file());
  ASSERT_TRUE(eventually([&] { return engine_->calls.load() == 1; }));
  service_->stop(std::chrono::steady_clock::now() + milliseconds(200));
  auto stats = queue_->stats();
  EXPECT_EQ(stats.queued, 1);
  EXPECT_EQ(stats.failed, 0);
  EXPECT_EQ(stats.running, 0);

  // The next start (same SQLite file) finishes it, once.
  slow = false;
  service_.reset();
  start(/*sqlite=*/true);
  ASSERT_TRUE(tg_.wait_for_calls("sendDocument", 2));
  EXPECT_TRUE(
      eventually([&] { return queue_->stats().delivered == 1 && stores_.outbox->pending() == 0; }));
  EXPECT_EQ(count_texts_containing(ann.chat_id, kEngineText), 1);
}

TEST_F(BotServiceTest, IngestAndWorkerRolesShareTheQueue) {
  cfg_.bot_role = "ingest";
  start(/*sqlite=*/true);
  EXPECT_TRUE(service_->runs_intake());
  EXPECT_FALSE(service_->runs_workers());
  MessageSpec ann;
  tg_.push_media(ann, "voice", voice_file());
  ASSERT_TRUE(eventually([&] { return queue_->stats().queued == 1; }));
  EXPECT_EQ(engine_->calls.load(), 0);

  // A worker-only instance on the same database does the job; it does not poll.
  config::Config worker_cfg = cfg_;
  worker_cfg.bot_role = "worker";
  auto db = store::SqliteDb::open(dir_.path() / "tgscribe.db");
  store::JobStores ws = store::make_sqlite_job_stores(db, SystemClock::instance());
  store::JobQueue& queue = *ws.queue;
  store::SqliteTranscriptCache cache(db, 3600);
  store::SqliteSettingsStore settings(db);
  pipeline::TranscriptionService pipe(
      worker_cfg, std::vector<std::shared_ptr<engine::Transcriber>>{engine_}, &cache);
  BotEnv env{worker_cfg, *api_,  *sender_, *ws.updates, queue,
             *ws.outbox, &cache, settings, nullptr,     &pipe};
  BotServiceOptions o;
  o.worker_poll = milliseconds(50);
  o.outbox.poll = milliseconds(50);
  o.instance = "worker";
  BotService worker(env, o);
  worker.start();
  EXPECT_FALSE(worker.polling());
  ASSERT_TRUE(tg_.wait_for_calls("sendDocument", 2));
  EXPECT_TRUE(eventually([&] { return queue.stats().delivered == 1; }));
  EXPECT_EQ(engine_->calls.load(), 1);
  worker.stop(std::chrono::steady_clock::now() + std::chrono::seconds(2));
}

TEST_F(BotServiceTest, AnIngestOnlyInstanceAnswersAFileKeyHitWithoutAnyWorker) {
  cfg_.bot_role = "ingest";
  start(/*sqlite=*/true);
  auto file = voice_file();
  // A worker elsewhere transcribed this file before: its key and transcript are in the cache.
  std::string sha = Sha256::of(*voice_);
  results_->remember_file(file.file_unique_id, sha, 1001);
  results_->store(sha, FakeEngine::text_transcript(kEngineText, 2), {"fake", "f1"}, cfg_.language,
                  false, 1001);
  MessageSpec ann;
  tg_.push_media(ann, "voice", file);
  ASSERT_TRUE(tg_.wait_for_calls("sendDocument", 2)) << "the ingest did not answer the hit";
  EXPECT_TRUE(eventually([&] { return stores_.outbox->pending() == 0; }));
  EXPECT_EQ(count_texts_containing(ann.chat_id, kEngineText), 1);
  EXPECT_EQ(tg_.downloads(), 0);
  EXPECT_EQ(engine_->calls.load(), 0);
  // A job like any other: admitted already delivered, nothing left in the queue.
  auto stats = queue_->stats();
  EXPECT_EQ(stats.delivered, 1);
  EXPECT_EQ(stats.queued + stats.running, 0);
}

// PocketSphinx does not recognise espeak-ng's formant speech (see the engine's tests), so
// the embedded-engine run uses Debian's recorded LibriVox clip, sent as an Opus voice note.
TEST_F(BotServiceTest, EmbeddedEngineTranscribesARecordedVoiceNote) {
  auto model = std::filesystem::path(cfg_.sphinx_model_dir);
  std::filesystem::path clip =
      "/usr/share/pocketsphinx/test/data/librivox/sense_and_sensibility_01_austen_64kb-0930.wav";
  if (!std::filesystem::exists(model) || !std::filesystem::exists(clip)) {
    GTEST_SKIP() << "PocketSphinx model or test data missing";
  }
  const std::string reference = "he might even have been made amiable himself";
  auto ogg = dir_.path() / "clip.ogg";
  ASSERT_EQ(tgscribe::testing::run_process({"ffmpeg", "-nostdin", "-loglevel", "error", "-i",
                                            clip.string(), "-c:a", "libopus", "-b:a", "32k",
                                            ogg.string()})
                .exit_code,
            0);
  auto sphinx = std::make_shared<engine::SphinxTranscriber>(model);
  start();
  // Swap the fake for the real embedded engine.
  service_->stop(std::chrono::steady_clock::now());
  service_.reset();
  build_env(sphinx);
  service_->start();
  MessageSpec ann;
  tg_.push_media(ann, "voice", tg_.add_file(tgscribe::testing::read_file(ogg), "voice.oga"));
  ASSERT_TRUE(tg_.wait_for_calls("sendDocument", 2, std::chrono::seconds(40)));
  std::string transcript_text;
  for (const auto& d : ok_calls("sendDocument")) {
    if (d.files.at("document").filename == "transcript.txt") {
      transcript_text = d.files.at("document").content;
    }
  }
  EXPECT_LE(tgscribe::testing::word_error_rate(reference, transcript_text), 0.5) << transcript_text;
  EXPECT_TRUE(any_text_contains(ann.chat_id, "sphinx"));
}

// --- Telegram's real update shapes -------------------------------------------------------------
// Payloads from tests/data/telegram-updates (see its SOURCES.md), fed to BotService::
// handle_update as the poller and the webhook do. What the fakes need is substituted: the media's
// file_id (and size) become a file the fake Telegram serves, `date` becomes recent unless the
// test is about age.

using json = nlohmann::json;

class UpdateShapes : public BotServiceTest {
 protected:
  static nlohmann::json fixture(const std::string& name) {
    return nlohmann::json::parse(tgscribe::testing::read_file(
        std::filesystem::path(TGSCRIBE_SOURCE_DIR) / "tests" / "data" / "telegram-updates" / name));
  }
  // The Message of a fixture (the message of an Update, or a bare Message), sent just now.
  static nlohmann::json message_of(const std::string& name) {
    nlohmann::json j = fixture(name);
    nlohmann::json m = j;
    for (const char* key : {"message", "edited_message", "channel_post", "edited_channel_post"}) {
      if (j.contains(key) && j.contains("update_id")) m = j[key];
    }
    m["date"] = now_s();
    return m;
  }
  static int64_t now_s() { return SystemClock::instance().unix_ms() / 1000; }
  // Points the message's media at `file`.
  static void serve(nlohmann::json& m, const telegram::testing::FakeFile& file) {
    for (const char* kind : {"voice", "audio", "video", "video_note", "document"}) {
      if (!m.contains(kind)) continue;
      m[kind]["file_id"] = file.file_id;
      m[kind]["file_size"] = file.size;
    }
  }
  // A voice note on an otherwise non-media message, captioned `caption` (may be empty).
  static void add_voice(nlohmann::json& m, const telegram::testing::FakeFile& file,
                        const std::string& caption) {
    m.erase("text");
    m.erase("entities");
    m.erase("location");
    m["voice"] = {{"file_id", file.file_id},
                  {"file_unique_id", file.file_unique_id},
                  {"duration", 3},
                  {"mime_type", "audio/ogg"},
                  {"file_size", file.size}};
    if (caption.empty()) return;
    m["caption"] = caption;
    m["caption_entities"] = nlohmann::json::array(
        {{{"type", "bot_command"},
          {"offset", 0},
          {"length",
           caption.find(' ') == std::string::npos ? caption.size() : caption.find(' ')}}});
  }
  bool handle(const std::string& kind, const nlohmann::json& message) {
    return service_->handle_update(nlohmann::json{{"update_id", next_update_++}, {kind, message}});
  }
  // Everything admitted so far was sent.
  void drain() {
    ASSERT_TRUE(eventually([&] {
      auto s = queue_->stats();
      return s.queued + s.running == 0 && stores_.outbox->pending() == 0;
    }));
  }
  size_t jobs_of(int64_t user) { return queue_->user_jobs(user, /*unfinished_only=*/false).size(); }

  int64_t next_update_ = 900000;
};

TEST_F(UpdateShapes, MediaWithAnEmptyFileUniqueIdIsTranscribedWithoutTheFileKeyCache) {
  start();
  json m = message_of("message_video_forwarded_empty_file_unique_id.json");
  ASSERT_EQ(m["video"]["file_unique_id"], "");
  serve(m, voice_file());
  const int64_t chat = m["chat"]["id"].get<int64_t>();
  ASSERT_TRUE(handle("message", m));
  ASSERT_TRUE(tg_.wait_for_calls("sendDocument", 2));
  drain();
  EXPECT_EQ(count_texts_containing(chat, kEngineText), 1);
  EXPECT_FALSE(any_text_contains(chat, tr(Lang::kEn, Msg::kSendMedia)));
  EXPECT_FALSE(cache_->sha_for_file(""));  // nothing keyed on the empty id

  // The same bytes in another such message: no file key to answer it from, so it is
  // downloaded again, and the content cache spares the engine.
  m["message_id"] = m["message_id"].get<int64_t>() + 1;
  serve(m, voice_file());
  ASSERT_TRUE(handle("message", m));
  ASSERT_TRUE(tg_.wait_for_calls("sendDocument", 4));
  drain();
  EXPECT_EQ(count_texts_containing(chat, kEngineText), 2);
  EXPECT_EQ(tg_.downloads(), 2);
  EXPECT_EQ(engine_->calls.load(), 1);
}

TEST_F(UpdateShapes, ChannelPostsAreIgnored) {
  start();
  json post = fixture("channel_post_text.json");
  post["channel_post"]["date"] = now_s();
  EXPECT_TRUE(service_->handle_update(post));
  // A voice note posted in the channel, and its edit: still nothing to answer.
  json voice = post["channel_post"];
  add_voice(voice, voice_file(), "/transcribe");
  EXPECT_TRUE(handle("channel_post", voice));
  voice["edit_date"] = now_s();
  EXPECT_TRUE(handle("edited_channel_post", voice));
  // The older shape: a channel message in "message", with "from": null.
  json legacy = message_of("message_channel_post_from_null_legacy.json");
  EXPECT_TRUE(handle("message", legacy));
  add_voice(legacy, voice_file(), "");
  EXPECT_TRUE(handle("message", legacy));
  EXPECT_EQ(stores_.outbox->pending(), 0);
  auto s = queue_->stats();
  EXPECT_EQ(s.queued + s.running + s.delivered + s.failed, 0);
  EXPECT_EQ(tg_.call_count("sendMessage"), 0u);
  EXPECT_EQ(tg_.call_count("getFile"), 0u);
}

TEST_F(UpdateShapes, AnAnonymousAdminsVoiceNoteIsAnsweredInTheGroup) {
  start();
  json m = message_of("message_anonymous_admin_forward_origin_chat.json");
  ASSERT_EQ(m["from"]["username"], "GroupAnonymousBot");
  add_voice(m, voice_file(), "/transcribe");
  const int64_t group = m["chat"]["id"].get<int64_t>();
  const int64_t message_id = m["message_id"].get<int64_t>();
  ASSERT_TRUE(handle("message", m));
  ASSERT_TRUE(tg_.wait_for_calls("sendDocument", 2));
  drain();
  EXPECT_EQ(count_texts_containing(group, kEngineText), 1);
  auto msgs = ok_calls("sendMessage");
  ASSERT_FALSE(msgs.empty());
  for (const auto& c : msgs) {
    EXPECT_EQ(c.chat_id(), group) << c.text();
    EXPECT_EQ(c.reply_to(), message_id) << c.text();
  }
  // The group speaks, not @GroupAnonymousBot (one id shared by every anonymous admin).
  EXPECT_EQ(jobs_of(group), 1u);
  EXPECT_EQ(jobs_of(1087968824), 0u);
}

TEST_F(UpdateShapes, AnEditOfAHandledVoiceNoteStartsNoJob) {
  start();
  json m = message_of("voice_private.json");
  serve(m, voice_file());
  const int64_t chat = m["chat"]["id"].get<int64_t>();
  ASSERT_TRUE(handle("message", m));
  ASSERT_TRUE(tg_.wait_for_calls("sendDocument", 2));
  drain();
  size_t messages = tg_.call_count("sendMessage");

  // Caption added, then asked for explicitly, then changed again: the message's job exists.
  json edited = m;
  edited["edit_date"] = now_s();
  edited["caption"] = "what I said this morning";
  ASSERT_TRUE(handle("edited_message", edited));
  add_voice(edited, voice_file(), "/transcribe");
  edited["voice"] = m["voice"];
  ASSERT_TRUE(handle("edited_message", edited));
  ASSERT_TRUE(handle("edited_message", edited));
  drain();
  EXPECT_EQ(jobs_of(chat), 1u);
  EXPECT_EQ(tg_.call_count("sendMessage"), messages);
  EXPECT_EQ(tg_.call_count("getFile"), 1u);
  EXPECT_EQ(engine_->calls.load(), 1);
}

TEST_F(UpdateShapes, AnEditedCaptionTranscribeOnAnUnhandledGroupVoiceNoteStartsOneJob) {
  start();
  // The real edited_message of a supergroup, its live location swapped for a voice note.
  json m = message_of("edited_message_live_location_supergroup.json");
  m.erase("edit_date");
  add_voice(m, voice_file(), "");
  const int64_t group = m["chat"]["id"].get<int64_t>();
  ASSERT_TRUE(handle("message", m));  // manual mode: nobody asked
  EXPECT_EQ(stores_.outbox->pending(), 0);

  json edited = m;
  edited["edit_date"] = now_s();
  add_voice(edited, voice_file(), "/transcribe@tgscribe_test_bot");
  edited["voice"] = m["voice"];
  ASSERT_TRUE(handle("edited_message", edited));
  ASSERT_TRUE(tg_.wait_for_calls("sendDocument", 2));
  drain();
  EXPECT_EQ(count_texts_containing(group, kEngineText), 1);
  // Edited once more: that message has its job.
  size_t messages = tg_.call_count("sendMessage");
  ASSERT_TRUE(handle("edited_message", edited));
  drain();
  EXPECT_EQ(tg_.call_count("sendMessage"), messages);
  EXPECT_EQ(engine_->calls.load(), 1);
  // An edited command is not run again.
  json command = m;
  command.erase("voice");
  command["text"] = "/help";
  command["entities"] = json::array({{{"type", "bot_command"}, {"offset", 0}, {"length", 5}}});
  command["edit_date"] = now_s();
  ASSERT_TRUE(handle("edited_message", command));
  EXPECT_EQ(stores_.outbox->pending(), 0);
}

TEST_F(UpdateShapes, AMediaGroupOfTwoVideosGivesTwoJobsEachAnsweredAtItsItem) {
  start();
  json first = message_of("message_video_media_group.json");
  json second = first;
  second["message_id"] = first["message_id"].get<int64_t>() + 1;
  serve(first, voice_file());
  serve(second, voice_file());
  const int64_t chat = first["chat"]["id"].get<int64_t>();
  ASSERT_TRUE(handle("message", first));
  ASSERT_TRUE(handle("message", second));
  ASSERT_TRUE(tg_.wait_for_calls("sendDocument", 4));
  drain();
  EXPECT_EQ(jobs_of(chat), 2u);
  EXPECT_EQ(queue_->stats().delivered, 2);
  EXPECT_EQ(count_texts_containing(chat, kEngineText), 2);
  // One status reply per item, each to its own message.
  std::multiset<int64_t> status_to;
  for (const auto& c : ok_calls("sendMessage")) {
    if (c.text().find("queued") != std::string::npos) status_to.insert(c.reply_to().value_or(0));
  }
  EXPECT_EQ(status_to, (std::multiset<int64_t>{first["message_id"].get<int64_t>(),
                                               second["message_id"].get<int64_t>()}));
}

TEST_F(UpdateShapes, ABacklogOldVoiceNoteGetsAnApologyAndNoJob) {
  cfg_.backlog_max_age_s = 3600;
  start();
  json old = fixture("voice_private.json");  // sent in 2020, as captured
  serve(old["message"], voice_file());
  const int64_t chat = old["message"]["chat"]["id"].get<int64_t>();
  ASSERT_TRUE(service_->handle_update(old));
  ASSERT_TRUE(service_->handle_update(old));  // delivered again: one apology
  json indonesian = old["message"];
  indonesian["message_id"] = 105;
  indonesian["from"]["language_code"] = "id";
  ASSERT_TRUE(handle("message", indonesian));
  // An old command is skipped quietly; so is an old edit.
  json start_cmd = fixture("command_start_private.json");
  start_cmd["message"]["chat"]["id"] = chat;
  ASSERT_TRUE(service_->handle_update(start_cmd));
  json edited = indonesian;
  edited["edit_date"] = indonesian["date"];
  edited["caption"] = "/transcribe";
  ASSERT_TRUE(handle("edited_message", edited));
  drain();
  EXPECT_EQ(sent_texts(chat), (std::vector<std::string>{tr(Lang::kEn, Msg::kBacklogSkipped),
                                                        tr(Lang::kId, Msg::kBacklogSkipped)}));
  EXPECT_EQ(jobs_of(chat), 0u);
  EXPECT_EQ(tg_.call_count("getFile"), 0u);

  // Within the limit (a minute old) it is transcribed as usual.
  json recent = old["message"];
  recent["message_id"] = 106;
  recent["date"] = now_s() - 60;
  ASSERT_TRUE(handle("message", recent));
  ASSERT_TRUE(tg_.wait_for_calls("sendDocument", 2));
  drain();
  EXPECT_EQ(count_texts_containing(chat, kEngineText), 1);
}

TEST_F(UpdateShapes, BacklogPolicyOffTranscribesOldMedia) {
  cfg_.backlog_max_age_s = 0;
  start();
  json old = fixture("voice_private.json");
  serve(old["message"], voice_file());
  ASSERT_TRUE(service_->handle_update(old));
  ASSERT_TRUE(tg_.wait_for_calls("sendDocument", 2));
  drain();
  EXPECT_EQ(count_texts_containing(old["message"]["chat"]["id"].get<int64_t>(), kEngineText), 1);
}

TEST_F(UpdateShapes, EveryFixtureIsConfirmedWithoutTheBotFailing) {
  start(false, /*run=*/false);
  int n = 0;
  for (const auto& entry : std::filesystem::directory_iterator(
           std::filesystem::path(TGSCRIBE_SOURCE_DIR) / "tests" / "data" / "telegram-updates")) {
    if (entry.path().extension() != ".json") continue;
    SCOPED_TRACE(entry.path().filename().string());
    json j = fixture(entry.path().filename().string());
    json u = j.contains("update_id") ? j
             : j.contains("message_id")
                 ? json{{"update_id", next_update_++}, {"message", j}}
                 : json{{"update_id", next_update_++}, {"callback_query", j}};
    bool handled = false;
    EXPECT_NO_THROW(handled = service_->handle_update(u));
    EXPECT_TRUE(handled);
    ++n;
  }
  EXPECT_GE(n, 30);
}

// /formats, /timestamps, /speakers: shown to anyone, changed by the chat (admins in groups),
// stored in the settings, and honest about engines that cannot tell speakers apart.
TEST_F(BotServiceTest, ChatChoicesAreShownSetAndGuardedInGroups) {
  cfg_.transcriber = "groq";
  cfg_.transcriber_fallback = {"deepgram"};
  start(/*sqlite=*/true);
  for (Lang lang : {Lang::kEn, Lang::kId}) {
    SCOPED_TRACE(lang_code(lang));
    int64_t uid = lang == Lang::kEn ? 110 : 210;
    MessageSpec u{.chat_id = uid, .user_id = uid, .language_code = lang_code(lang)};
    std::string bot_default = tr(lang, Msg::kFormatsDefaultNote, fmt::arg("formats", "txt, srt"));
    EXPECT_EQ(command(u, "/formats"),
              tr(lang, Msg::kFormatsCurrent, fmt::arg("formats", bot_default)));
    EXPECT_EQ(command(u, "/formats SRT, json"),
              tr(lang, Msg::kFormatsSet, fmt::arg("formats", "srt, json")));
    EXPECT_EQ(settings_->get(uid).formats, (std::vector<std::string>{"srt", "json"}));
    EXPECT_EQ(command(u, "/formats mp3"), tr(lang, Msg::kFormatsInvalid, fmt::arg("value", "mp3")));
    EXPECT_EQ(command(u, "/formats none"), tr(lang, Msg::kFormatsSetNone));
    EXPECT_EQ(command(u, "/formats"),
              tr(lang, Msg::kFormatsCurrent, fmt::arg("formats", tr(lang, Msg::kFormatsNone))));
    EXPECT_EQ(command(u, "/formats default"),
              tr(lang, Msg::kFormatsSetDefault, fmt::arg("formats", "txt, srt")));
    EXPECT_FALSE(settings_->get(uid).formats.has_value());
    EXPECT_EQ(command(u, "/timestamps"), tr(lang, Msg::kTimestampsCurrentOff));
    EXPECT_EQ(command(u, "/timestamps on"), tr(lang, Msg::kTimestampsSetOn));
    EXPECT_TRUE(settings_->get(uid).timestamps);
    EXPECT_EQ(command(u, "/timestamps yes"), tr(lang, Msg::kTimestampsUsage));
    // Deepgram is only the fallback here: on, with a warning.
    EXPECT_EQ(command(u, "/speakers on"),
              tr(lang, Msg::kSpeakersSetOnFallback, fmt::arg("engines", "groq")));
    EXPECT_TRUE(settings_->get(uid).speakers);
    EXPECT_EQ(command(u, "/speakers"), tr(lang, Msg::kSpeakersCurrentOn));
    EXPECT_EQ(command(u, "/speakers off"), tr(lang, Msg::kSpeakersSetOff));
    EXPECT_EQ(settings_->get(uid).language, "");  // the other settings untouched

    int64_t group = lang == Lang::kEn ? -710 : -810;
    MessageSpec member{
        .chat_id = group, .chat_type = "group", .user_id = uid, .language_code = lang_code(lang)};
    EXPECT_EQ(command(member, "/timestamps on"), tr(lang, Msg::kChoicesAdminsOnly));
    EXPECT_EQ(command(member, "/formats vtt"), tr(lang, Msg::kChoicesAdminsOnly));
    EXPECT_EQ(command(member, "/timestamps"), tr(lang, Msg::kTimestampsCurrentOff));
    EXPECT_FALSE(settings_->get(group).timestamps);
    tg_.set_chat_member_status(group, uid, "creator");
    EXPECT_EQ(command(member, "/timestamps on"), tr(lang, Msg::kTimestampsSetOn));
    EXPECT_TRUE(settings_->get(group).timestamps);
  }
}

TEST_F(BotServiceTest, SpeakersOnWithoutDeepgramIsRefusedAndNotStored) {
  cfg_.transcriber = "groq";
  cfg_.transcriber_fallback = {"openai"};
  start();
  MessageSpec u{.chat_id = 120, .user_id = 120};
  EXPECT_EQ(command(u, "/speakers on"),
            tr(Lang::kEn, Msg::kSpeakersUnsupported, fmt::arg("engines", "groq, openai")));
  EXPECT_FALSE(settings_->get(120).speakers);
  EXPECT_EQ(command(u, "/speakers off"), tr(Lang::kEn, Msg::kSpeakersSetOff));
}

}  // namespace
}  // namespace tgscribe::bot
