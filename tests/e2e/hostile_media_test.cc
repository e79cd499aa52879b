// Hostile media through the real binary: a voice note whose header understates its duration
// is refused as too long before anything is uploaded, and a `file_path` from getFile is read
// from disk only in TELEGRAM_LOCAL_MODE and only as a regular file (no symlink, no FIFO).
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdio>

#include "e2e/bot_deployment.h"
#include "media/testing/media_fixtures.h"

namespace tgscribe {
namespace {

namespace fs = std::filesystem;
using std::chrono::seconds;
using telegram::testing::MessageSpec;
using testing::BotDeployment;

// What the bot says when it could not get the file (a refused local path included).
constexpr const char* kDownloadFailed = "couldn't download the file";

class HostileMedia : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(testing::spoken_clip().empty()) << "espeak-ng or ffmpeg failed";
  }

  void start_bot(const std::map<std::string, std::string>& extra = {}) {
    d_.start("bot", extra);
    ASSERT_TRUE(d_.wait_healthy("bot")) << d_.logs();
  }

  void push_voice(int64_t chat, const telegram::testing::FakeFile& file, int duration_s = 3) {
    d_.tg.push_media(MessageSpec{.chat_id = chat, .user_id = chat}, "voice", file, duration_s);
  }

  // A spoken voice note (variant n) written to `path`, where a local Bot API server keeps it.
  fs::path write_voice(const fs::path& path, int n) {
    fs::create_directories(path.parent_path());
    testing::write_file(path, testing::vary_ogg(testing::spoken_clip(), n));
    return path;
  }

  BotDeployment d_;
};

// The header (the last Ogg granule, and Telegram's `duration`) says 3 s; the packets hold
// 150 s. Under MAX_DURATION_S=60 the note is refused as too long and the engine gets nothing,
// although a voice note the engine takes is otherwise sent to it as it is.
TEST_F(HostileMedia, VoiceNoteWhoseHeaderUnderstatesItsDurationIsTooLong) {
  const int64_t chat = 9101;
  auto honest = d_.dir / "long.ogg";
  ASSERT_TRUE(media::testing::make_tone(honest, 150, {"-c:a", "libopus", "-b:a", "6k"}));
  std::string lying =
      media::testing::ogg_with_small_granules(testing::read_file(honest), 3 * 48000);
  ASSERT_FALSE(lying.empty());
  start_bot({{"MAX_DURATION_S", "60"}});
  push_voice(chat, d_.tg.add_file(lying, "voice.oga", "audio/ogg"), 3);
  EXPECT_TRUE(
      testing::eventually([&] { return d_.messages_with(chat, "too long") > 0; }, seconds(30)))
      << d_.logs();
  EXPECT_EQ(d_.transcripts_in(chat), 0u) << d_.logs();
  EXPECT_TRUE(d_.engine.requests().empty()) << "the engine received the file";
}

// In local mode, a path that is a symlink (to a voice note, to /etc/passwd) or a FIFO is not
// read: each is answered "couldn't download" and the engine sees only the regular file.
TEST_F(HostileMedia, LocalModeReadsOnlyRegularFiles) {
  const fs::path server = d_.dir / "bot-api-server" / "voice";
  const fs::path real = write_voice(d_.dir / "elsewhere" / "real.oga", 1);
  fs::create_directories(server);
  fs::create_symlink(real, server / "file_1.oga");
  fs::create_symlink("/etc/passwd", server / "file_2.oga");
  ASSERT_EQ(::mkfifo((server / "file_3.oga").c_str(), 0600), 0);
  write_voice(server / "file_4.oga", 4);

  start_bot({{"TELEGRAM_LOCAL_MODE", "true"}});
  for (int i = 1; i <= 3; ++i) {
    push_voice(9200 + i, d_.tg.add_local_file(server / ("file_" + std::to_string(i) + ".oga")));
  }
  push_voice(9204, d_.tg.add_local_file(server / "file_4.oga"));

  EXPECT_TRUE(testing::eventually([&] { return d_.answered(9204); }, seconds(30))) << d_.logs();
  for (int64_t chat : {9201, 9202, 9203}) {
    EXPECT_TRUE(testing::eventually([&] { return d_.messages_with(chat, kDownloadFailed) > 0; },
                                    seconds(30)))
        << "chat " << chat << "\n"
        << d_.logs();
    EXPECT_EQ(d_.transcripts_in(chat), 0u) << "chat " << chat;
  }
  EXPECT_EQ(d_.engine.requests().size(), 1u) << "only the regular file reaches the engine";
  EXPECT_EQ(d_.tg.downloads(), 0);
  EXPECT_NE(d_.log_of("bot").find("symbolic link"), std::string::npos) << d_.logs();
}

// Without TELEGRAM_LOCAL_MODE an absolute file_path is never read from our disk, even when a
// readable voice note is there.
TEST_F(HostileMedia, CloudModeNeverReadsAnAbsolutePath) {
  const int64_t chat = 9301;
  const fs::path real = write_voice(d_.dir / "on-our-disk" / "voice.oga", 7);
  start_bot({{"TELEGRAM_LOCAL_MODE", "false"}});
  push_voice(chat, d_.tg.add_local_file(real));
  EXPECT_TRUE(
      testing::eventually([&] { return d_.messages_with(chat, kDownloadFailed) > 0; }, seconds(30)))
      << d_.logs();
  EXPECT_EQ(d_.transcripts_in(chat), 0u);
  EXPECT_TRUE(d_.engine.requests().empty()) << "a file on our disk was read and transcribed";
}

}  // namespace
}  // namespace tgscribe
