// Real PocketSphinx on real speech: Debian's LibriVox test clips and espeak-ng sentences
// rendered into every container we accept. CPU-heavy, so the cases are few and each loads
// the model once.
#include "engine/sphinx_transcriber.h"

#include <gtest/gtest.h>

#include <cstring>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>

#include "common/error.h"
#include "support/test_util.h"

namespace tgscribe::engine {
namespace {

namespace fs = std::filesystem;
using tgscribe::testing::word_error_rate;

const fs::path kModelDir = "/usr/share/pocketsphinx/model/en-us";
const fs::path kLibrivox = "/usr/share/pocketsphinx/test/data/librivox";

// 16-bit mono PCM from a WAV file, read without FFmpeg so the engine can be checked on its
// own (and PcmDecoder against it).
class WavSource : public PcmSource {
 public:
  // leading_silence zero samples first; with `gap`, the clip is played twice with that many
  // zero samples between.
  explicit WavSource(const fs::path& path, size_t leading_silence = 0, size_t gap = 0)
      : silence_(leading_silence) {
    std::ifstream in(path, std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), {});
    size_t pos = 12;  // after "RIFF" size "WAVE"
    while (pos + 8 <= bytes.size()) {
      uint32_t len;
      std::memcpy(&len, bytes.data() + pos + 4, 4);
      if (bytes.compare(pos, 4, "data") == 0) {
        samples_.resize(std::min<size_t>(len, bytes.size() - pos - 8) / 2);
        std::memcpy(samples_.data(), bytes.data() + pos + 8, samples_.size() * 2);
        if (gap) {
          clip_ = samples_.size();
          std::vector<int16_t> twice(samples_);
          twice.resize(twice.size() + gap, 0);
          twice.insert(twice.end(), samples_.begin(), samples_.end());
          samples_ = std::move(twice);
        }
        break;
      }
      pos += 8 + len + (len & 1);
    }
  }
  size_t read(int16_t* out, size_t max) override {
    size_t n = 0;
    for (; n < max && silence_ > 0; ++n, --silence_) out[n] = 0;
    size_t take = std::min(max - n, samples_.size() - at_);
    std::memcpy(out + n, samples_.data() + at_, take * 2);
    at_ += take;
    return n + take;
  }
  size_t size() const { return samples_.size(); }
  size_t clip_samples() const { return clip_ ? clip_ : samples_.size(); }

 private:
  size_t silence_;
  std::vector<int16_t> samples_;
  size_t clip_ = 0;
  size_t at_ = 0;
};

// "<s> words </s> (file-id)" lines.
std::map<std::string, std::string> librivox_references() {
  std::map<std::string, std::string> refs;
  std::ifstream in(kLibrivox / "transcription");
  std::string line;
  const std::regex re(R"(<s>\s*(.*?)\s*</s>\s*\((.+)\))");
  std::smatch m;
  while (std::getline(in, line))
    if (std::regex_search(line, m, re)) refs[m[2]] = m[1];
  return refs;
}

void expect_sane_times(const transcript::Transcript& t, double duration) {
  double prev = 0;
  for (const auto& s : t.segments) {
    EXPECT_GE(s.start, prev);
    EXPECT_GT(s.end, s.start);
    EXPECT_LE(s.end, duration + 1e-6);
    ASSERT_FALSE(s.words.empty());
    double wprev = s.start;
    for (const auto& w : s.words) {
      EXPECT_GE(w.start, wprev);
      EXPECT_GE(w.end, w.start);
      EXPECT_LE(w.end, s.end + 1e-6);
      // Filler tokens and pronunciation variants never leak out.
      EXPECT_EQ(w.text.find_first_of("<>[]()+"), std::string::npos) << w.text;
      wprev = w.start;
    }
    prev = s.end;
  }
}

class SphinxTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { engine_ = new SphinxTranscriber(kModelDir); }
  static void TearDownTestSuite() {
    delete engine_;
    engine_ = nullptr;
  }
  static SphinxTranscriber* engine_;
};
SphinxTranscriber* SphinxTest::engine_ = nullptr;

TEST_F(SphinxTest, LibrivoxWordErrorRate) {
  auto refs = librivox_references();
  ASSERT_EQ(refs.size(), 5u) << "pocketsphinx-testdata is not installed?";
  double total = 0;
  for (const auto& [id, ref] : refs) {
    AudioFile audio;
    audio.path = kLibrivox / (id + ".wav");
    audio.filename = audio.path.filename();
    auto t = engine_->transcribe(audio, {});
    EXPECT_EQ(t.engine, "sphinx");
    EXPECT_EQ(t.language, "en");
    WavSource raw(audio.path);
    EXPECT_NEAR(t.duration, raw.size() / 16000.0, 0.05);
    expect_sane_times(t, t.duration);
    double wer = word_error_rate(ref, t.text());
    total += wer;
    std::printf("  %s WER %.2f: %s\n", id.c_str(), wer, t.text().c_str());
  }
  double avg = total / refs.size();
  std::printf("  average WER %.3f\n", avg);
  EXPECT_LE(avg, 0.45);
}

TEST_F(SphinxTest, TimestampsFollowTheAudioAndRawPcmMatchesDecoder) {
  const fs::path wav = kLibrivox / "sense_and_sensibility_01_austen_64kb-0880.wav";
  // Reference: the clip as it is, through PcmDecoder.
  AudioFile audio;
  audio.path = wav;
  auto decoded = engine_->transcribe(audio, {});
  ASSERT_FALSE(decoded.segments.empty());
  // The same samples read directly: the same words.
  WavSource raw(wav);
  auto direct = engine_->transcribe_pcm(raw, 0, {});
  EXPECT_EQ(direct.text(), decoded.text());
  // With 3 s of silence in front, then the clip, 2 s of silence and the clip again: two
  // utterances, each at its own place on the media clock (times are media time, not decoder
  // time, and the silence between is not fed to the recogniser).
  WavSource shifted(wav, 3 * 16000, 2 * 16000);
  const double clip = shifted.clip_samples() / 16000.0;
  auto later = engine_->transcribe_pcm(shifted, 0, {});
  EXPECT_NEAR(later.duration, 3 + clip + 2 + clip, 0.02);
  expect_sane_times(later, later.duration);
  ASSERT_GE(later.segments.size(), 2u);
  EXPECT_GE(later.segments.front().start, 2.7);
  EXPECT_LT(later.segments.front().end, 3 + clip + 0.1);
  EXPECT_GE(later.segments.back().start, 3 + clip + 2 - 0.3);
  EXPECT_LE(word_error_rate(decoded.text() + " " + decoded.text(), later.text()), 0.25);
  const auto& w0 = decoded.segments.front().words.front();
  const auto& w1 = later.segments.front().words.front();
  if (w0.text == w1.text) {
    EXPECT_NEAR(w1.start - w0.start, 3.0, 0.15);
  }
}

// Encodes `wav` into the container/codec its extension names, with the ffmpeg CLI (tests may
// spawn it; the program never does). mp4 gets a video track, as a phone video would.
bool encode(const fs::path& wav, const fs::path& out) {
  std::vector<std::string> args = {"ffmpeg",    "-nostdin", "-hide_banner",
                                   "-loglevel", "error",    "-y"};
  std::string ext = out.extension().string().substr(1);
  if (ext == "mp4") args.insert(args.end(), {"-f", "lavfi", "-i", "color=c=blue:s=64x48:r=10"});
  args.insert(args.end(), {"-i", wav.string()});
  std::map<std::string, std::vector<std::string>> codec = {
      {"wav", {"-c:a", "pcm_s16le"}},
      {"ogg", {"-c:a", "libopus", "-b:a", "32k"}},
      {"mp3", {"-c:a", "libmp3lame", "-b:a", "64k"}},
      {"m4a", {"-c:a", "aac", "-b:a", "64k"}},
      {"flac", {"-c:a", "flac"}},
      {"webm", {"-c:a", "libopus", "-b:a", "32k"}},
      {"mp4", {"-shortest", "-c:v", "mpeg4", "-c:a", "aac", "-b:a", "64k"}},
  };
  args.insert(args.end(), codec[ext].begin(), codec[ext].end());
  args.push_back(out.string());
  auto r = tgscribe::testing::run_process(args);
  if (r.exit_code != 0) std::printf("ffmpeg failed: %s\n", r.err.c_str());
  return r.exit_code == 0;
}

// The brief asked for espeak-ng sentences here, but PocketSphinx's acoustic model does not
// recognise formant-synthesised speech (WER 0.8-1.0 for every voice and rate we tried), so
// real recorded speech is re-encoded instead: the point is that every container and codec
// decodes to the same words.
TEST_F(SphinxTest, EveryContainerGivesTheSameWords) {
  const std::string id = "sense_and_sensibility_01_austen_64kb-0930";
  const std::string reference = librivox_references()[id];
  ASSERT_FALSE(reference.empty());
  tgscribe::testing::TempDir dir;
  std::map<std::string, std::string> texts;
  for (std::string ext : {"wav", "ogg", "mp3", "m4a", "flac", "webm", "mp4"}) {
    fs::path f = dir / ("speech." + ext);
    ASSERT_TRUE(encode(kLibrivox / (id + ".wav"), f)) << ext;
    AudioFile audio;
    audio.path = f;
    audio.filename = f.filename();
    auto t = engine_->transcribe(audio, {});
    expect_sane_times(t, t.duration);
    EXPECT_NEAR(t.duration, 3.29, 0.1) << ext;
    texts[ext] = t.text();
    double wer = word_error_rate(reference, t.text());
    std::printf("  %-4s WER %.2f: %s\n", ext.c_str(), wer, t.text().c_str());
    EXPECT_LE(wer, 0.5) << ext;
  }
  for (const auto& [ext, text] : texts)
    EXPECT_LE(word_error_rate(texts["wav"], text), 0.35) << ext << " differs from wav";
}

TEST_F(SphinxTest, ProgressCancelAndReuse) {
  const fs::path wav = kLibrivox / "sense_and_sensibility_01_austen_64kb-0930.wav";
  std::vector<double> seen;
  TranscribeOptions opts;
  opts.progress = [&](double p) { seen.push_back(p); };
  WavSource raw(wav);
  double dur = raw.size() / 16000.0;
  auto full = engine_->transcribe_pcm(raw, dur, opts);
  ASSERT_GE(seen.size(), 3u);
  EXPECT_TRUE(std::is_sorted(seen.begin(), seen.end()));
  EXPECT_DOUBLE_EQ(seen.back(), 1.0);
  EXPECT_GE(seen.front(), 0.0);

  // Cancelled after a second of audio: stops with kCancelled ...
  int polls = 0;
  TranscribeOptions cancel;
  cancel.cancelled = [&] { return ++polls > 2; };
  WavSource again(wav);
  try {
    engine_->transcribe_pcm(again, dur, cancel);
    FAIL() << "not cancelled";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kCancelled);
  }
  // ... and the recogniser is still usable, with the same result as before.
  WavSource third(wav);
  EXPECT_EQ(engine_->transcribe_pcm(third, dur, {}).text(), full.text());
}

TEST(Sphinx, MissingModelIsAClearError) {
  SphinxTranscriber engine("/nonexistent/model");
  EXPECT_EQ(engine.caps().name, "sphinx");
  EXPECT_FALSE(engine.caps().uploads);
  WavSource raw(kLibrivox / "sense_and_sensibility_01_austen_64kb-0880.wav");
  try {
    engine.transcribe_pcm(raw, 0, {});
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kInvalidInput);
    EXPECT_NE(std::string(e.what()).find("SPHINX_MODEL_DIR"), std::string::npos);
  }
}

}  // namespace
}  // namespace tgscribe::engine
