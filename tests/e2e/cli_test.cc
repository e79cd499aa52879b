// Drives the built `tgscribe` binary exactly as a user does: arguments, environment, exit
// codes, stdout/stderr. Real FFmpeg, real PocketSphinx.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "engine/testing/fake_deepgram.h"
#include "support/test_util.h"

namespace tgscribe {
namespace {

using testing::ProcessResult;
using testing::TempDir;

const char* kLibrivox = "/usr/share/pocketsphinx/test/data/librivox/";
const char* kClip = "sense_and_sensibility_01_austen_64kb-0880.wav";
const char* kClipText = "he was not an ill disposed young man";

class Cli : public ::testing::Test {
 protected:
  ProcessResult run(std::vector<std::string> args, std::map<std::string, std::string> env = {}) {
    args.insert(args.begin(), testing::tgscribe_binary());
    // A clean environment for the variables the tests care about, and our own data dir.
    std::map<std::string, std::string> base = {{"DATA_DIR", (dir_ / "data").string()},
                                               {"ENV_FILE", ""},
                                               {"GROQ_API_KEY", ""},
                                               {"OPENAI_API_KEY", ""},
                                               {"DEEPGRAM_API_KEY", ""},
                                               {"TRANSCRIBER", ""},
                                               {"TELEGRAM_BOT_TOKEN", ""},
                                               {"LANGUAGE", ""}};
    for (auto& [k, v] : env) base[k] = v;
    return testing::run_process(args, base, {}, std::chrono::seconds(180), dir_.path());
  }
  std::string clip() const { return std::string(kLibrivox) + kClip; }
  TempDir dir_;
};

TEST_F(Cli, VersionPrintsAndSucceeds) {
  auto r = run({"version"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out.rfind("tgscribe ", 0), 0u) << r.out;
}

TEST_F(Cli, UsageErrorsExitTwo) {
  EXPECT_EQ(run({}).exit_code, 2);
  EXPECT_EQ(run({"frobnicate"}).exit_code, 2);
  auto r = run({"transcribe"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_FALSE(r.err.empty());
  r = run({"transcribe", clip(), "-f", "txt,pdf", "-e", "whisperx"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--format"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("--engine"), std::string::npos) << r.err;  // every bad option at once
  EXPECT_TRUE(r.out.empty());
}

TEST_F(Cli, ConfigMasksSecretsAndValidates) {
  const std::string token = "123456:ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghi";
  auto r =
      run({"config"}, {{"TELEGRAM_BOT_TOKEN", token}, {"GROQ_API_KEY", "gsk_secretsecret123"}});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("TELEGRAM_BOT_TOKEN="), std::string::npos);
  EXPECT_EQ(r.out.find(token), std::string::npos);
  EXPECT_EQ(r.out.find("gsk_secretsecret123"), std::string::npos);
  EXPECT_NE(r.out.find("engine in use: groq"), std::string::npos) << r.out;

  r = run({"config"}, {{"QUEUE_MAX_WORKERS", "-1"}, {"CACHE_TYPE", "mongo"}});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("QUEUE_MAX_WORKERS"), std::string::npos);
  EXPECT_NE(r.err.find("CACHE_TYPE"), std::string::npos);
}

TEST_F(Cli, DotEnvFileIsRead) {
  testing::write_file(dir_ / ".env", "QUEUE_MAX_WORKERS=9\n");
  auto r = run({"config"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("QUEUE_MAX_WORKERS=9  (.env)"), std::string::npos) << r.out;
}

TEST_F(Cli, TranscribesARealRecordingOffline) {
  auto r = run({"transcribe", "--engine", "sphinx", "-l", "en", clip()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_LE(testing::word_error_rate(kClipText, r.out), 0.5) << r.out;
  EXPECT_EQ(r.out.find("==>"), std::string::npos);
}

TEST_F(Cli, WritesEveryFormatToTheOutputDirectory) {
  auto out = dir_ / "out";
  auto r =
      run({"transcribe", "-e", "sphinx", "-o", out.string(), "-f", "txt,srt,vtt,json", clip()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(r.out.empty()) << r.out;
  std::string stem = std::string(kClip).substr(0, std::string(kClip).size() - 4);
  std::string txt = testing::read_file(out / (stem + ".txt"));
  EXPECT_LE(testing::word_error_rate(kClipText, txt), 0.5) << txt;
  std::string srt = testing::read_file(out / (stem + ".srt"));
  EXPECT_NE(srt.find(" --> "), std::string::npos) << srt;
  std::string vtt = testing::read_file(out / (stem + ".vtt"));
  EXPECT_EQ(vtt.rfind("WEBVTT", 0), 0u) << vtt;
  auto json = nlohmann::json::parse(testing::read_file(out / (stem + ".json")));
  EXPECT_EQ(json["engine"], "sphinx");
  EXPECT_TRUE(json["duration"].is_number());
  EXPECT_GT(json["duration"].get<double>(), 2.0);
  ASSERT_TRUE(json["segments"].is_array());
  ASSERT_FALSE(json["segments"].empty());
  double last = 0;
  for (const auto& s : json["segments"]) {
    EXPECT_GE(s["start"].get<double>(), last - 1e-6);
    EXPECT_GE(s["end"].get<double>(), s["start"].get<double>());
    last = s["start"].get<double>();
  }
  EXPECT_EQ(json["text"].get<std::string>().empty(), false);
}

TEST_F(Cli, RejectedInputsExitThreeAndNameTheFile) {
  testing::write_file(dir_ / "notes.txt", "this is not audio at all, just text\n");
  testing::write_file(dir_ / "empty.ogg", "");
  for (const std::string name : {"missing.ogg", "notes.txt", "empty.ogg"}) {
    auto r = run({"transcribe", "-e", "sphinx", (dir_ / name).string()});
    EXPECT_EQ(r.exit_code, 3) << name << ": " << r.err;
    EXPECT_NE(r.err.find(name), std::string::npos) << r.err;
    EXPECT_EQ(r.err.find("terminate"), std::string::npos);
    EXPECT_TRUE(r.out.empty());
  }
}

TEST_F(Cli, HostilePlaylistIsBlockedWithoutReadingTheTarget) {
  testing::write_file(dir_ / "evil.m3u8",
                      "#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXTINF:10,\nfile:///etc/passwd\n"
                      "#EXT-X-ENDLIST\n");
  testing::write_file(dir_ / "evil.ffconcat", "ffconcat version 1.0\nfile /etc/passwd\n");
  for (const std::string name : {"evil.m3u8", "evil.ffconcat"}) {
    auto r = run({"transcribe", "-e", "sphinx", (dir_ / name).string()});
    EXPECT_EQ(r.exit_code, 3) << r.err;
    EXPECT_EQ(r.out.find("root"), std::string::npos);
  }
}

TEST_F(Cli, SeveralFilesGetHeadersAndTheWorstExitCode) {
  testing::write_file(dir_ / "bad.mp3", "garbage garbage garbage");
  auto r = run({"transcribe", "-e", "sphinx", clip(), (dir_ / "bad.mp3").string()});
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_NE(r.out.find("==> " + clip() + " <=="), std::string::npos) << r.out;
  EXPECT_NE(r.err.find("bad.mp3"), std::string::npos);
}

TEST_F(Cli, EngineFailureExitsFourWithoutLeakingTheKey) {
  int port = testing::free_port();  // nothing listens there
  const std::string key = "gsk_this_is_a_secret_key_0123456789";
  auto r = run({"transcribe", "-e", "groq", "--no-cache", clip()},
               {{"GROQ_API_KEY", key},
                {"GROQ_API_URL", "http://127.0.0.1:" + std::to_string(port) + "/openai/v1"},
                {"ENGINE_MAX_RETRIES", "0"}});
  EXPECT_EQ(r.exit_code, 4) << r.err;
  EXPECT_NE(r.err.find(clip()), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find(key), std::string::npos);
  EXPECT_EQ(r.out.find(key), std::string::npos);
}

TEST_F(Cli, FallsBackToTheEmbeddedEngine) {
  int port = testing::free_port();
  auto r = run({"transcribe", "-e", "groq", "--no-cache", clip()},
               {{"GROQ_API_KEY", "gsk_whatever_123456"},
                {"GROQ_API_URL", "http://127.0.0.1:" + std::to_string(port)},
                {"ENGINE_MAX_RETRIES", "0"},
                {"TRANSCRIBER_FALLBACK", "sphinx"}});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_LE(testing::word_error_rate(kClipText, r.out), 0.5) << r.out;
}

// --speakers asks Deepgram to tell speakers apart and labels every output with them; without
// it nothing is asked and nothing is labelled.
TEST_F(Cli, SpeakersAskDeepgramAndLabelEveryFormat) {
  engine::testing::FakeDeepgram deepgram;
  deepgram.start();
  std::map<std::string, std::string> env = {{"DEEPGRAM_API_KEY", "test-deepgram-key"},
                                            {"DEEPGRAM_API_URL", deepgram.url()}};
  auto out = dir_ / "out";
  std::filesystem::create_directories(out);
  auto r = run({"transcribe", "-e", "deepgram", "--speakers", "--no-cache", "-f", "txt,srt,vtt",
                "-o", out.string(), clip()},
               env);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ASSERT_EQ(deepgram.requests().size(), 1u);
  EXPECT_EQ(deepgram.requests().at(0).query.at("diarize"), "true");
  // The fake's two sentences are two speakers' turns.
  std::string stem = std::filesystem::path(kClip).stem().string();
  std::string txt = testing::read_file(out / (stem + ".txt"));
  EXPECT_NE(txt.find("Speaker 1: Hello from the fake engine."), std::string::npos) << txt;
  EXPECT_NE(txt.find("Speaker 2: This is a test."), std::string::npos) << txt;
  EXPECT_NE(testing::read_file(out / (stem + ".srt")).find("Speaker 2: "), std::string::npos);
  EXPECT_NE(testing::read_file(out / (stem + ".vtt")).find("<v Speaker 2>"), std::string::npos);

  r = run({"transcribe", "-e", "deepgram", "--no-cache", clip()}, env);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ASSERT_EQ(deepgram.requests().size(), 2u);
  EXPECT_EQ(deepgram.requests().at(1).query.count("diarize"), 0u);
  EXPECT_EQ(r.out.find("Speaker"), std::string::npos) << r.out;
}

// An engine chain in which no engine can tell speakers apart: a usage error naming the flag
// and the engines, before any media is read.
TEST_F(Cli, SpeakersWithoutAnEngineThatCanAreAUsageError) {
  auto r = run({"transcribe", "-e", "sphinx", "--speakers", "-f", "nope", clip()});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("--speakers"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("sphinx"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("deepgram"), std::string::npos) << r.err;
  // Every bad option at once.
  EXPECT_NE(r.err.find("nope"), std::string::npos) << r.err;
  EXPECT_TRUE(r.out.empty()) << r.out;
}

}  // namespace
}  // namespace tgscribe
