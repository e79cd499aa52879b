// Long media through the real `tgscribe transcribe` against the fake Groq: long silences are
// not sent (nor billed) and the transcript's times stay on the original clock; long media goes
// as several chunks sent in parallel, merged in order. Media is generated with the ffmpeg CLI.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <fstream>
#include <mutex>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "engine/testing/fake_openai.h"
#include "media/testing/media_fixtures.h"
#include "support/test_util.h"

namespace tgscribe {
namespace {

using engine::testing::FakeOpenAi;
using engine::testing::FakeReply;
using engine::testing::FakeRequest;
using testing::ProcessResult;
using testing::TempDir;
namespace fs = std::filesystem;

class LongMedia : public ::testing::Test {
 protected:
  void SetUp() override { engine_.start(); }
  ProcessResult transcribe(const fs::path& file, std::map<std::string, std::string> env = {}) {
    std::map<std::string, std::string> base = {{"DATA_DIR", (dir_ / "data").string()},
                                               {"ENV_FILE", ""},
                                               {"GROQ_API_KEY", "test-openai-key"},
                                               {"GROQ_API_URL", engine_.url()},
                                               {"OPENAI_API_KEY", ""},
                                               {"DEEPGRAM_API_KEY", ""},
                                               {"TRANSCRIBER", "groq"},
                                               {"TELEGRAM_BOT_TOKEN", ""},
                                               {"LANGUAGE", "en"}};
    for (auto& [k, v] : env) base[k] = v;
    return testing::run_process({testing::tgscribe_binary(), "transcribe", "--no-cache", "-o",
                                 (dir_ / "out").string(), "-f", "txt,srt", file.string()},
                                base, {}, std::chrono::seconds(120), dir_.path());
  }
  std::string read(const fs::path& p) {
    std::ifstream in(p);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }
  TempDir dir_;
  // Like a real engine, the fake hears the short pause left where a silence was cut out.
  FakeOpenAi engine_{[] {
    engine::testing::FakeOpenAiOptions o;
    o.speech_min_silence_s = 0.4;
    return o;
  }()};
};

double srt_time(const std::string& h, const std::string& m, const std::string& s,
                const std::string& ms) {
  return std::stoi(h) * 3600 + std::stoi(m) * 60 + std::stoi(s) + std::stoi(ms) / 1000.0;
}

// (start, end) of every cue.
std::vector<std::pair<double, double>> srt_cues(const std::string& srt) {
  std::vector<std::pair<double, double>> out;
  std::regex cue(R"((\d+):(\d+):(\d+),(\d+) --> (\d+):(\d+):(\d+),(\d+))");
  for (auto it = std::sregex_iterator(srt.begin(), srt.end(), cue); it != std::sregex_iterator();
       ++it) {
    const auto& m = *it;
    out.emplace_back(srt_time(m[1], m[2], m[3], m[4]), srt_time(m[5], m[6], m[7], m[8]));
  }
  return out;
}

TEST_F(LongMedia, LongSilencesAreNotSentAndTimesStayOnTheOriginalClock) {
  // Four minutes of MP3 (Groq takes it as it is): a 10 s "voice" every 30 s, silence between.
  // 80 s of speech, 67 % silence.
  const fs::path mp3 = dir_ / "meeting.mp3";
  ASSERT_TRUE(media::testing::run_ffmpeg(
      {"-f", "lavfi", "-i",
       "aevalsrc='if(between(mod(t,30),10,20),0.3*sin(2*PI*(300+50*sin(2*PI*3*t))*t),0)':s=16000:"
       "d=240",
       "-c:a", "libmp3lame", "-b:a", "64k", mp3.string()}));
  const double speech_s = 80;
  // Like a real engine: one segment where the upload has sound, none over silence.
  engine_.set_responder([](const FakeRequest& r) {
    std::vector<transcript::Segment> segs;
    for (const auto& [a, b] : r.speech) segs.push_back({a, b, "someone speaks here."});
    return FakeReply::with_segments(segs, "en");
  });

  auto r = transcribe(mp3);
  ASSERT_EQ(r.exit_code, 0) << r.err;

  double sent = 0, billed = 0;
  for (const auto& q : engine_.requests()) {
    EXPECT_TRUE(q.problems.empty()) << q.problems.front();
    sent += q.duration_s;
    billed += std::max(q.duration_s, 10.0);  // Groq bills at least 10 s a request
  }
  EXPECT_LT(sent, 240 * 0.5) << "the silences were sent";
  EXPECT_LE(billed, speech_s * 1.2) << "billed " << billed << " s for " << speech_s << " s";

  // Every cue sits on a voice of the original, [30k + 10, 30k + 20), and each voice's cues
  // (the writer splits cues at 7 s) run from its start to its end.
  const std::string srt = read(dir_ / "out" / "meeting.srt");
  auto cues = srt_cues(srt);
  ASSERT_FALSE(cues.empty()) << srt;
  std::vector<double> first(8, 1e9), last(8, -1);
  for (const auto& [a, b] : cues) {
    const int k = static_cast<int>((a + 1) / 30);
    ASSERT_TRUE(k >= 0 && k < 8) << a;
    EXPECT_GE(a, 30.0 * k + 10 - 0.5) << "cue " << a << " --> " << b;
    EXPECT_LE(b, 30.0 * k + 20 + 0.5) << "cue " << a << " --> " << b;
    first[k] = std::min(first[k], a);
    last[k] = std::max(last[k], b);
  }
  for (int k = 0; k < 8; ++k) {
    EXPECT_NEAR(first[k], 30.0 * k + 10, 0.5) << "voice " << k << "\n" << srt;
    EXPECT_NEAR(last[k], 30.0 * k + 20, 0.5) << "voice " << k;
  }
}

TEST_F(LongMedia, LongMediaGoesAsParallelChunksMergedInOrder) {
  // Four minutes of WAV, a voice with a short pause every 10 s, over the size that is sent as
  // it is: converted, so the streamed path cuts it.
  const fs::path wav = dir_ / "talk.wav";
  ASSERT_TRUE(media::testing::run_ffmpeg(
      {"-f", "lavfi", "-i",
       "aevalsrc='if(lt(mod(t,10),9.2),0.3*sin(2*PI*(300+50*sin(2*PI*3*t))*t),0)':s=16000:d=240",
       wav.string()}));
  // Each answer names its chunk (from the upload's name, "<stem>-<n>.ogg"); the first waits
  // (up to 20 s) for a second request to be in flight with it, which only a parallel sender
  // brings.
  std::mutex m;
  std::condition_variable cv;
  int in_flight = 0, peak = 0;
  engine_.set_responder([&](const FakeRequest& r) {
    std::smatch n;
    std::regex_search(r.filename, n, std::regex(R"(-(\d+)\.)"));
    const std::string part = n.size() > 1 ? n[1].str() : "?";
    {
      std::unique_lock lock(m);
      peak = std::max(peak, ++in_flight);
      cv.notify_all();
      if (part == "1") cv.wait_for(lock, std::chrono::seconds(20), [&] { return peak >= 2; });
      --in_flight;
    }
    return FakeReply::with_segments({{0, std::min(5.0, r.duration_s), "part " + part + "."}}, "en");
  });

  auto r = transcribe(wav, {{"AUDIO_COMPRESSION_THRESHOLD_MB", "1"}});
  ASSERT_EQ(r.exit_code, 0) << r.err;

  auto requests = engine_.requests();
  ASSERT_GE(requests.size(), 3u);
  double sent = 0;
  for (const auto& q : requests) sent += q.duration_s;
  EXPECT_GE(sent, 240 * 0.95) << "audio was lost";
  {
    std::lock_guard lock(m);
    EXPECT_GE(peak, 2) << "chunks were sent one at a time";
  }
  // Merged in order: part 1, part 2, ... part N.
  std::string expected;
  for (size_t i = 1; i <= requests.size(); ++i) {
    expected += (expected.empty() ? "" : " ") + std::string("part ") + std::to_string(i) + ".";
  }
  std::string txt = read(dir_ / "out" / "talk.txt");
  std::string flat = std::regex_replace(txt, std::regex(R"(\s+)"), " ");
  EXPECT_NE(flat.find(expected), std::string::npos) << txt;
}

}  // namespace
}  // namespace tgscribe
