// Bytes uploaded and seconds billed: tgscribe's upload plan, through the real binary
// (`tgscribe transcribe -e groq` against the fake Groq, which probes every upload), against the
// naive path of the original Python bot: every file converted to 96 kbit/s MP3 with the ffmpeg
// CLI and sent as one request. Billed seconds follow Groq: max(duration, 10 s) per request.
//
//   upload_bench [--smoke]      (--smoke: inputs of a few seconds instead of minutes)
// The binary is TGSCRIBE_BINARY or build/tgscribe.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "e2e/bot_deployment.h"

namespace fs = std::filesystem;
using namespace tgscribe;

namespace {

constexpr double kMinBilledS = 10;  // Groq bills at least 10 s per request

struct Input {
  std::string what;
  fs::path path;
  double speech_s = 0;  // seconds of speech in it (the rest is silence)
  double duration_s = 0;
};

struct Upload {
  int64_t bytes = 0;
  int requests = 0;
  double billed_s = 0;
  bool ok = false;
};

bool ffmpeg(std::vector<std::string> args) {
  std::vector<std::string> argv = {"ffmpeg",    "-nostdin", "-hide_banner",
                                   "-loglevel", "error",    "-y"};
  argv.insert(argv.end(), args.begin(), args.end());
  return testing::run_process(argv, {}, {}, std::chrono::seconds(300)).exit_code == 0;
}

double duration_of(const fs::path& p) {
  auto r = testing::run_process(
      {"ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", p.string()});
  return r.exit_code == 0 ? std::atof(r.out.c_str()) : 0;
}

// `total_s` of audio in `out`: the speech clip, each time followed by `gap_s` of silence, looped.
bool speech_with_gaps(const fs::path& speech_wav, double gap_s, double total_s,
                      const std::vector<std::string>& codec, const fs::path& out) {
  fs::path unit = out;
  unit += ".unit.wav";
  bool ok = ffmpeg({"-i", speech_wav.string(), "-af",
                    "apad=pad_dur=" + std::to_string(gap_s) + ",aresample=44100", "-ac", "2",
                    unit.string()});
  std::vector<std::string> args = {"-stream_loop", "-1", "-i",
                                   unit.string(),  "-t", std::to_string(total_s)};
  args.insert(args.end(), codec.begin(), codec.end());
  args.push_back(out.string());
  ok = ok && ffmpeg(args);
  fs::remove(unit);
  return ok;
}

Upload through_tgscribe(engine::testing::FakeOpenAi& engine, const fs::path& file,
                        const fs::path& data_dir) {
  const size_t before = engine.requests().size();
  auto r = testing::run_process(
      {testing::tgscribe_binary(), "transcribe", "-e", "groq", "--no-cache", file.string()},
      {{"GROQ_API_KEY", "test-openai-key"},
       {"GROQ_API_URL", engine.url()},
       {"GROQ_RPM", "0"},
       {"GROQ_AUDIO_SECONDS_PER_HOUR", "0"},
       {"DATA_DIR", data_dir.string()},
       {"ENV_FILE", ""},
       {"LOG_LEVEL", "warn"}},
      {}, std::chrono::seconds(600));
  Upload u;
  u.ok = r.exit_code == 0;
  if (!u.ok) std::fprintf(stderr, "tgscribe failed on %s:\n%s\n", file.c_str(), r.err.c_str());
  auto reqs = engine.requests();
  for (size_t i = before; i < reqs.size(); ++i) {
    if (reqs[i].status != 200) continue;  // a retried request is billed once, when answered
    u.bytes += reqs[i].size;
    u.requests += 1;
    u.billed_s += std::max(reqs[i].duration_s, kMinBilledS);
  }
  return u;
}

Upload naive(const fs::path& file, const fs::path& dir) {
  fs::path mp3 = dir / (file.stem().string() + ".naive.mp3");
  Upload u;
  u.ok = ffmpeg({"-i", file.string(), "-b:a", "96k", mp3.string()});
  if (!u.ok) return u;
  u.bytes = static_cast<int64_t>(fs::file_size(mp3));
  u.requests = 1;
  u.billed_s = std::max(duration_of(mp3), kMinBilledS);
  // One request of more than the engine's 25 MB is refused: the naive bot fails there.
  u.ok = u.bytes <= 25'000'000;
  fs::remove(mp3);
  return u;
}

}  // namespace

int main(int argc, char** argv) {
  const bool smoke = argc > 1 && std::string(argv[1]) == "--smoke";
  const char* binary = std::getenv("TGSCRIBE_BINARY");
  setenv("TGSCRIBE_BINARY", fs::absolute(binary ? binary : "build/tgscribe").c_str(), 1);
  testing::TempDir dir;

  // One spoken paragraph (espeak-ng), the material of every input.
  fs::path speech = dir / "speech.wav";
  const std::string text =
      "Thanks for calling back. About the meeting on Thursday: the budget is not final yet, "
      "so please bring the numbers from last quarter, and we will go through them together.";
  if (!testing::make_speech(text, speech)) {
    std::fprintf(stderr, "espeak-ng or ffmpeg failed: no speech\n");
    return 1;
  }
  const double speech_s = duration_of(speech);
  const double scale = smoke ? 1.0 / 20 : 1.0;
  std::vector<Input> inputs;
  {
    Input note{"voice note, Ogg Opus", dir / "note.oga"};
    const double total = 20;  // a short note: Telegram's own Opus, sent as it is
    if (!speech_with_gaps(
            speech, 1.0, total,
            {"-ar", "48000", "-ac", "1", "-c:a", "libopus", "-b:a", "32k", "-f", "ogg"},
            note.path)) {
      return 1;
    }
    inputs.push_back(note);
  }
  {
    Input talk{"talk, M4A (AAC 44.1 kHz stereo), short pauses", dir / "talk.m4a"};
    if (!speech_with_gaps(speech, 1.5, 600 * scale, {"-c:a", "aac", "-b:a", "128k"}, talk.path)) {
      return 1;
    }
    inputs.push_back(talk);
  }
  {
    // The case: 20 minutes of MP3, 59 % of it silence.
    Input quiet{"MP3 (128 kbit/s), 59 % silence", dir / "quiet.mp3"};
    const double gap = speech_s * 59 / 41;
    if (!speech_with_gaps(speech, gap, 1200 * scale, {"-c:a", "libmp3lame", "-b:a", "128k"},
                          quiet.path)) {
      return 1;
    }
    inputs.push_back(quiet);
  }

  engine::testing::FakeOpenAi engine;
  engine.start();
  std::printf(
      "bytes uploaded and seconds billed (Groq: max(duration, 10 s) per request); tgscribe = "
      "`tgscribe transcribe -e groq` against the fake Groq; naive = `ffmpeg -i IN -b:a 96k "
      "OUT.mp3`, one request\n\n");
  std::printf(
      "| input | length s | speech s | tgscribe bytes | naive bytes | tgscribe requests | "
      "tgscribe billed s | naive billed s |\n");
  std::printf("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
  int rc = 0;
  for (auto& in : inputs) {
    in.duration_s = duration_of(in.path);
    // Speech: the clip's share of each speech+gap unit (the voice note: 1 s gaps).
    const double gap = in.path.extension() == ".oga"   ? 1.0
                       : in.path.extension() == ".m4a" ? 1.5
                                                       : speech_s * 59 / 41;
    in.speech_s = in.duration_s * speech_s / (speech_s + gap);
    auto ours = through_tgscribe(engine, in.path, dir / "data");
    auto theirs = naive(in.path, dir.path());
    if (!ours.ok) rc = 1;
    std::printf("| %s | %.0f | %.0f | %lld | %lld%s | %d | %.0f | %.0f |\n", in.what.c_str(),
                in.duration_s, in.speech_s, static_cast<long long>(ours.bytes),
                static_cast<long long>(theirs.bytes), theirs.ok ? "" : " (over 25 MB: refused)",
                ours.requests, ours.billed_s, theirs.billed_s);
  }
  return rc;
}
