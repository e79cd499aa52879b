// Media benchmark (not part of ctest): decode to 16 kHz mono s16 and re-encode to 16 kHz Opus,
// in-process, against the ffmpeg CLI doing the same on the same file. Each run happens in a
// child process so CPU time and peak RSS are that run's alone (wait4's rusage).
//
//   build/media_decode_bench [MINUTES]     (default 20 minutes of generated audio)
//
// A plain main rather than Google Benchmark: the figures that matter are whole-run CPU time
// and peak memory of a child, which Benchmark's in-process loop does not measure.
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "media/audio_encoder.h"
#include "media/pcm_decoder.h"
#include "support/child_usage.h"

namespace fs = std::filesystem;
using tgscribe::media::EncodeOptions;
using tgscribe::media::MediaSource;
using tgscribe::media::PcmDecoder;

namespace {

using RunStats = tgscribe::testing::ChildUsage;

RunStats measure_child(const std::function<int()>& body) {
  auto t0 = std::chrono::steady_clock::now();
  pid_t pid = fork();
  if (pid == 0) {
    int rc = 1;
    try {
      rc = body();
    } catch (const std::exception& e) {
      std::fprintf(stderr, "error: %s\n", e.what());
    }
    _exit(rc);
  }
  return tgscribe::testing::wait_child(pid, t0);
}

int run_command(const std::vector<std::string>& argv, bool quiet_stdout) {
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = fork();
  if (pid == 0) {
    if (quiet_stdout) {
      int fd = open("/dev/null", O_WRONLY);
      dup2(fd, 1);
    }
    execvp(args[0], args.data());
    _exit(127);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}

RunStats measure_command(const std::vector<std::string>& argv) {
  return measure_child([&] {
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    int fd = open("/dev/null", O_WRONLY);
    dup2(fd, 1);
    execvp(args[0], args.data());
    return 127;
  });
}

void print(const char* name, const RunStats& s, double audio_s) {
  std::printf("| %s | %.2f | %.2f | %.0fx | %.0fx | %.1f%s |\n", name, s.wall_s, s.cpu_s,
              audio_s / s.wall_s, audio_s / s.cpu_s, s.peak_rss_mb, s.ok ? "" : " FAILED");
}

}  // namespace

int main(int argc, char** argv) {
  const double minutes = argc > 1 ? std::atof(argv[1]) : 20;
  const double audio_s = minutes * 60;
  fs::path dir = fs::temp_directory_path() / ("media_bench_" + std::to_string(getpid()));
  fs::create_directories(dir);
  const std::vector<std::string> ff = {"ffmpeg",    "-nostdin", "-hide_banner",
                                       "-loglevel", "error",    "-y"};
  auto ffmpeg = [&](std::vector<std::string> args) {
    std::vector<std::string> argv = ff;
    argv.insert(argv.end(), args.begin(), args.end());
    return run_command(argv, true);
  };
  // One minute of speech-like audio (a warbling tone in pink noise), looped by stream copy.
  const std::string src =
      "sine=f=220:r=48000:d=60,volume=0.3[a];anoisesrc=r=48000:c=pink:a=0.05:d=60[b];"
      "[a][b]amix=inputs=2,vibrato=f=4:d=0.5";
  struct Input {
    std::string name;
    std::vector<std::string> codec;
  };
  const std::vector<Input> inputs = {
      {"voice.ogg", {"-c:a", "libopus", "-b:a", "32k"}},
      {"music.mp3", {"-c:a", "libmp3lame", "-b:a", "128k", "-ac", "2"}},
      {"podcast.m4a", {"-c:a", "aac", "-b:a", "96k"}},
  };
  std::printf(
      "media benchmark: %.0f minutes of audio per file, 16 kHz mono output; opus = the "
      "product's default settings (%d kbit/s, complexity %d) on both sides\n\n",
      minutes, EncodeOptions{}.bitrate / 1000, EncodeOptions{}.complexity);
  std::printf("| run | wall s | CPU s | x realtime (wall) | x realtime (CPU) | peak RSS MB |\n");
  std::printf("| --- | ---: | ---: | ---: | ---: | ---: |\n");
  for (const auto& in : inputs) {
    fs::path piece = dir / ("piece_" + in.name);
    fs::path file = dir / in.name;
    std::vector<std::string> gen = {"-filter_complex", src};
    gen.insert(gen.end(), in.codec.begin(), in.codec.end());
    gen.push_back(piece.string());
    if (ffmpeg(gen) != 0 || ffmpeg({"-stream_loop", std::to_string(static_cast<int>(minutes) - 1),
                                    "-i", piece.string(), "-c", "copy", file.string()}) != 0) {
      std::fprintf(stderr, "cannot generate %s (ffmpeg missing?)\n", in.name.c_str());
      return 1;
    }
    auto ours = measure_child([&] {
      PcmDecoder dec(MediaSource::from_path(file), {});
      std::vector<int16_t> buf(16000);
      size_t total = 0;
      while (size_t n = dec.read(buf.data(), buf.size())) total += n;
      return total > 0 ? 0 : 1;
    });
    auto cli = measure_command({"ffmpeg", "-nostdin", "-loglevel", "quiet", "-i", file.string(),
                                "-ar", "16000", "-ac", "1", "-f", "s16le", "-"});
    print(("decode " + in.name + " (tgscribe)").c_str(), ours, audio_s);
    print(("decode " + in.name + " (ffmpeg CLI)").c_str(), cli, audio_s);

    fs::path out1 = dir / "ours.ogg";
    fs::path out2 = dir / "cli.ogg";
    auto enc = measure_child([&] {
      auto r = tgscribe::media::encode_audio(MediaSource::from_path(file), out1, EncodeOptions{});
      return r.bytes > 0 ? 0 : 1;
    });
    auto enc_cli = measure_command({"ffmpeg",
                                    "-nostdin",
                                    "-loglevel",
                                    "error",
                                    "-y",
                                    "-i",
                                    file.string(),
                                    "-ar",
                                    "16000",
                                    "-ac",
                                    "1",
                                    "-c:a",
                                    "libopus",
                                    "-b:a",
                                    std::to_string(EncodeOptions{}.bitrate / 1000) + "k",
                                    "-compression_level",
                                    std::to_string(EncodeOptions{}.complexity),
                                    "-application",
                                    "voip",
                                    out2.string()});
    print(("opus " + in.name + " (tgscribe)").c_str(), enc, audio_s);
    print(("opus " + in.name + " (ffmpeg CLI)").c_str(), enc_cli, audio_s);
    std::error_code ec;
    std::printf("| opus %s output size: %.2f MB (tgscribe) vs %.2f MB (ffmpeg CLI) | | | | | |\n",
                in.name.c_str(), fs::file_size(out1, ec) / 1e6, fs::file_size(out2, ec) / 1e6);
  }
  fs::remove_all(dir);
  return 0;
}
