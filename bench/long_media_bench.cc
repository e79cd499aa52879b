// Long-media benchmark (not part of ctest; ./scripts/bench runs it, ./scripts/test runs
// --smoke): the real `tgscribe transcribe` against the fake Groq, next to the sequential path
// measured in the same run (the ffmpeg CLI converting the whole file to the upload format,
// then one upload with the curl CLI to the same fake).
//
//   build/long_media_bench [--smoke] [--minutes 60] [--silence-minutes 20]
//                          [--binary build/tgscribe] [--bandwidth-mbit 50] [--cache DIR]
//                          [--only long|silence]
//
// Cases: a MINUTES-long MP4 (AAC 44.1 kHz stereo, looped espeak-ng speech), and a
// SILENCE-MINUTES-long MP3 that is 59 % silence (12.3 s of speech, 17.7 s of silence, twice a
// minute). Generated media is cached in DIR (default /tmp/tgscribe-long-media-bench).
//
// The engine model: the fake answers each request 0.3 s + audio/200 after its upload is done,
// and uploads share one link of BANDWIDTH Mbit/s (parallel uploads do not get more of it).
// The fake's own inspection of each upload (probe + decode, in this process) is counted inside
// that model, not on top of it. Each run is a child process: wall time, CPU time and peak RSS
// are that child's (wait4); the sequential path's peak RSS is the larger of its two children.
//
// Output: one "key: value" per line (keys listed in /work/bench_notes.txt and
// docs/benchmarks.md).
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "engine/testing/fake_openai.h"
#include "media/audio_encoder.h"
#include "support/child_usage.h"

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using tgscribe::engine::testing::FakeOpenAi;
using tgscribe::engine::testing::FakeOpenAiOptions;
using tgscribe::engine::testing::FakeReply;
using tgscribe::engine::testing::FakeRequest;

namespace {

using Child = tgscribe::testing::ChildUsage;

// Runs argv with exactly `env` (plus PATH), stdout and stderr to /dev/null unless `log`.
Child run(const std::vector<std::string>& argv, const std::vector<std::string>& env,
          const std::string& log = "") {
  std::vector<char*> args, envp;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  std::vector<std::string> env_all = env;
  env_all.push_back(std::string("PATH=") + (getenv("PATH") ? getenv("PATH") : "/usr/bin:/bin"));
  for (const auto& e : env_all) envp.push_back(const_cast<char*>(e.c_str()));
  envp.push_back(nullptr);
  const int out = open(log.empty() ? "/dev/null" : log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  const auto t0 = Clock::now();
  pid_t pid = fork();
  if (pid == 0) {
    dup2(out, 1);
    dup2(out, 2);
    execvpe(args[0], args.data(), envp.data());
    _exit(127);
  }
  close(out);
  return tgscribe::testing::wait_child(pid, t0);
}

bool ffmpeg(std::vector<std::string> args) {
  std::vector<std::string> argv = {"ffmpeg",    "-nostdin", "-hide_banner",
                                   "-loglevel", "error",    "-y"};
  argv.insert(argv.end(), args.begin(), args.end());
  return run(argv, {}).ok;
}

// The engine model over the fake: answers 0.3 s + audio/200 after the upload is done on a
// shared link.
class EngineModel {
 public:
  explicit EngineModel(double bandwidth_mbit) : bits_per_s_(bandwidth_mbit * 1e6) {}
  FakeReply answer(const FakeRequest& r) {
    Clock::time_point done;
    {
      std::lock_guard lock(mutex_);
      const auto start = std::max(r.received, link_free_);
      done = start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(
                         bits_per_s_ > 0 ? static_cast<double>(r.size) * 8 / bits_per_s_ : 0));
      link_free_ = done;
    }
    const auto answer_at =
        done + std::chrono::duration_cast<Clock::duration>(
                   std::chrono::duration<double>(0.3 + std::max(0.0, r.duration_s) / 200));
    const auto wait =
        std::chrono::duration_cast<std::chrono::milliseconds>(answer_at - Clock::now());
    return FakeReply::transcript().after(std::max(std::chrono::milliseconds(0), wait));
  }
  void reset() {
    std::lock_guard lock(mutex_);
    link_free_ = {};
  }

 private:
  double bits_per_s_;
  std::mutex mutex_;
  Clock::time_point link_free_{};
};

struct Figures {
  double to_transcript_s = 0;
  double to_first_upload_s = 0;
  int requests = 0;
  int64_t bytes = 0;
  double sent_s = 0;
  double billed_s = 0;
  double cpu_s = 0;
  double peak_rss_mb = 0;
  bool ok = false;
};

// What the fake saw since `from` (requests made after t0).
void collect(const FakeOpenAi& fake, size_t from, Clock::time_point t0, Figures& f) {
  auto reqs = fake.requests();
  bool first = true;
  for (size_t i = from; i < reqs.size(); ++i) {
    const auto& r = reqs[i];
    ++f.requests;
    f.bytes += r.size;
    f.sent_s += std::max(0.0, r.duration_s);
    f.billed_s += std::max(r.duration_s, 10.0);  // Groq bills at least 10 s per request
    const double at = std::chrono::duration<double>(r.received - t0).count();
    if (first || at < f.to_first_upload_s) f.to_first_upload_s = at;
    first = false;
  }
}

void print(const std::string& key, const Figures& f, double speech_s) {
  std::printf("%s.ok: %s\n", key.c_str(), f.ok ? "yes" : "NO");
  std::printf("%s.time_to_transcript_s: %.2f\n", key.c_str(), f.to_transcript_s);
  std::printf("%s.time_to_first_upload_s: %.2f\n", key.c_str(), f.to_first_upload_s);
  std::printf("%s.requests: %d\n", key.c_str(), f.requests);
  std::printf("%s.bytes_uploaded: %lld\n", key.c_str(), static_cast<long long>(f.bytes));
  std::printf("%s.audio_sent_s: %.1f\n", key.c_str(), f.sent_s);
  std::printf("%s.billed_s: %.1f\n", key.c_str(), f.billed_s);
  std::printf("%s.speech_s: %.1f\n", key.c_str(), speech_s);
  std::printf("%s.cpu_s: %.2f\n", key.c_str(), f.cpu_s);
  std::printf("%s.peak_rss_mb: %.1f\n", key.c_str(), f.peak_rss_mb);
  std::fflush(stdout);
}

struct Setup {
  std::string binary;
  fs::path work;
  double bandwidth = 50;
};

Figures run_tgscribe(const Setup& s, FakeOpenAi& fake, EngineModel& model, const fs::path& file,
                     const std::string& skip_silence) {
  model.reset();
  const size_t from = fake.requests().size();
  fs::path data = s.work / "data";
  fs::remove_all(data);
  const auto t0 = Clock::now();
  Child c = run({s.binary, "transcribe", "--no-cache", "-e", "groq", "-l", "en", "-o",
                 (s.work / "out").string(), "-f", "txt", file.string()},
                {"DATA_DIR=" + data.string(), "ENV_FILE=", "GROQ_API_KEY=test-openai-key",
                 "GROQ_API_URL=" + fake.url(), "TRANSCRIBER=groq", "LANGUAGE=en",
                 "SKIP_SILENCE=" + skip_silence, "LOG_LEVEL=warn"},
                (s.work / "tgscribe.log").string());
  Figures f;
  f.ok = c.ok;
  f.to_transcript_s = c.wall_s;
  f.cpu_s = c.cpu_s;
  f.peak_rss_mb = c.peak_rss_mb;
  collect(fake, from, t0, f);
  if (!c.ok) std::fprintf(stderr, "tgscribe failed: see %s\n", (s.work / "tgscribe.log").c_str());
  return f;
}

Figures run_sequential(const Setup& s, FakeOpenAi& fake, EngineModel& model, const fs::path& file) {
  model.reset();
  const size_t from = fake.requests().size();
  const fs::path ogg = s.work / "sequential.ogg";
  const auto t0 = Clock::now();
  // The upload format and encoder settings tgscribe uses (16 kHz mono Opus at 32 kbit/s,
  // speech mode, its Opus complexity): the comparison is of the pipeline, not the encoder.
  const tgscribe::media::EncodeOptions enc;
  Child conv = run({"ffmpeg",
                    "-nostdin",
                    "-loglevel",
                    "error",
                    "-y",
                    "-i",
                    file.string(),
                    "-vn",
                    "-ar",
                    "16000",
                    "-ac",
                    "1",
                    "-c:a",
                    "libopus",
                    "-b:a",
                    "32k",
                    "-application",
                    "voip",
                    "-compression_level",
                    std::to_string(enc.complexity),
                    ogg.string()},
                   {});
  Child up = run(
      {"curl", "-sS", "-f", "-o", "/dev/null", "-H", "Authorization: Bearer test-openai-key", "-F",
       "file=@" + ogg.string(), "-F", "model=whisper-large-v3-turbo", "-F",
       "response_format=verbose_json", "-F", "language=en", fake.url() + "/audio/transcriptions"},
      {});
  Figures f;
  f.ok = conv.ok && up.ok;
  f.to_transcript_s = std::chrono::duration<double>(Clock::now() - t0).count();
  f.cpu_s = conv.cpu_s + up.cpu_s;
  f.peak_rss_mb = std::max(conv.peak_rss_mb, up.peak_rss_mb);
  collect(fake, from, t0, f);
  fs::remove(ogg);
  return f;
}

// A cached file, made by `make` into a temporary name first (an interrupted run leaves no
// half file behind).
bool cached(const fs::path& p, const std::function<bool(const fs::path&)>& make) {
  if (fs::exists(p)) return true;
  fs::path tmp = p.parent_path() / ("tmp-" + p.filename().string());
  if (!make(tmp)) return false;
  fs::rename(tmp, p);
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  double minutes = 60, silence_minutes = 20;
  std::string only;  // "long" or "silence": that case alone
  Setup s;
  fs::path cache = "/tmp/tgscribe-long-media-bench";
  s.binary = (fs::canonical("/proc/self/exe").parent_path() / "tgscribe").string();
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&] { return i + 1 < argc ? std::string(argv[++i]) : std::string(); };
    if (a == "--smoke") {
      minutes = silence_minutes = 4;
    } else if (a == "--minutes") {
      minutes = std::atof(next().c_str());
    } else if (a == "--silence-minutes") {
      silence_minutes = std::atof(next().c_str());
    } else if (a == "--binary") {
      s.binary = next();
    } else if (a == "--bandwidth-mbit") {
      s.bandwidth = std::atof(next().c_str());
    } else if (a == "--only") {
      only = next();
    } else if (a == "--cache") {
      cache = next();
    } else {
      std::fprintf(stderr,
                   "usage: %s [--smoke] [--minutes N] [--silence-minutes N] "
                   "[--binary PATH] [--bandwidth-mbit N] [--cache DIR] [--only long|silence]\n",
                   argv[0]);
      return 2;
    }
  }
  const int long_units = std::max(1, static_cast<int>(minutes));
  const int silence_units = std::max(1, static_cast<int>(silence_minutes));
  fs::create_directories(cache);
  s.work = fs::temp_directory_path() / ("tgscribe-long-bench-" + std::to_string(getpid()));
  fs::create_directories(s.work);

  // Media: one minute of each kind, then looped by stream copy (fast, cached).
  const fs::path speech = cache / "speech.wav";
  const fs::path mp4_unit = cache / "unit-aac-stereo.mp4";
  const fs::path mp3_unit = cache / "unit-59pct-silence.mp3";
  const fs::path mp4 = cache / ("long-" + std::to_string(long_units) + "min.mp4");
  const fs::path mp3 = cache / ("silence-" + std::to_string(silence_units) + "min.mp3");
  const bool media_ok =
      cached(speech,
             [](const fs::path& out) {
               return run({"espeak-ng", "-w", out.string(),
                           "The quarterly meeting covered budgets, hiring plans and the new "
                           "office. Everyone agreed that the schedule was tight but achievable. "
                           "We will review progress again next month and share the notes."},
                          {})
                   .ok;
             }) &&
      cached(
          mp4_unit,
          [&](const fs::path& out) {
            return ffmpeg({"-stream_loop", "-1", "-i", speech.string(), "-t", "60", "-ar", "44100",
                           "-ac", "2", "-c:a", "aac", "-b:a", "96k", "-f", "mp4", out.string()});
          }) &&
      cached(mp3_unit,
             [&](const fs::path& out) {
               // 12.3 s of speech then 17.7 s of silence, twice: 59 % silence.
               return ffmpeg({"-stream_loop", "-1", "-i", speech.string(), "-filter_complex",
                              "[0:a]atrim=0:12.3,apad=whole_dur=30,asplit[a][b];[a][b]concat=n=2:"
                              "v=0:a=1",
                              "-ar", "44100", "-ac", "1", "-c:a", "libmp3lame", "-b:a", "64k", "-f",
                              "mp3", out.string()});
             }) &&
      cached(mp4,
             [&](const fs::path& out) {
               return ffmpeg({"-stream_loop", std::to_string(long_units - 1), "-i",
                              mp4_unit.string(), "-c", "copy", "-f", "mp4", out.string()});
             }) &&
      cached(mp3, [&](const fs::path& out) {
        return ffmpeg({"-stream_loop", std::to_string(silence_units - 1), "-i", mp3_unit.string(),
                       "-c", "copy", "-f", "mp3", out.string()});
      });
  if (!media_ok) {
    std::fprintf(stderr, "cannot generate the media (ffmpeg and espeak-ng needed)\n");
    return 1;
  }

  // The fake only probes each upload's duration: decoding it (to find speech) would take CPU
  // from whichever path is being measured on the same cores, and the parallel path more
  // (its uploads arrive while it is still encoding). A real engine runs elsewhere.
  FakeOpenAiOptions fake_options;
  fake_options.inspect_speech = false;
  FakeOpenAi fake(fake_options);
  EngineModel model(s.bandwidth);
  fake.set_responder([&model](const FakeRequest& r) { return model.answer(r); });
  fake.start();

  std::printf("binary: %s\n", s.binary.c_str());
  std::printf("cores: %u\n", std::thread::hardware_concurrency());
  std::printf("engine_model: 0.3 s + audio/200 after the upload, uploads share %.0f Mbit/s\n",
              s.bandwidth);

  bool ok = true;
  if (only.empty() || only == "long") {
    const double dur = 60.0 * long_units;
    std::printf("long.media: %d min AAC 44.1 kHz stereo MP4\n", long_units);
    Figures seq = run_sequential(s, fake, model, mp4);
    Figures ours = run_tgscribe(s, fake, model, mp4, "auto");
    print("long.sequential", seq, dur);
    print("long.tgscribe", ours, dur);
    std::printf("long.time_ratio: %.2f\n", ours.to_transcript_s / seq.to_transcript_s);
    ok = ok && seq.ok && ours.ok;
  }
  if (only.empty() || only == "silence") {
    const double speech_s = 24.6 * silence_units;
    std::printf("silence.media: %d min MP3, 59 %% silence\n", silence_units);
    Figures seq = run_sequential(s, fake, model, mp3);
    Figures ours = run_tgscribe(s, fake, model, mp3, "auto");
    Figures off = run_tgscribe(s, fake, model, mp3, "off");
    print("silence.sequential", seq, speech_s);
    print("silence.tgscribe", ours, speech_s);
    print("silence.tgscribe_skip_off", off, speech_s);
    std::printf("silence.billed_over_speech: %.2f\n", ours.billed_s / speech_s);
    std::printf("silence.skip_off_billed_over_speech: %.2f\n", off.billed_s / speech_s);
    ok = ok && seq.ok && ours.ok && off.ok;
  }
  fs::remove_all(s.work);
  return ok ? 0 : 1;
}
