#include "media/testing/media_fixtures.h"

#include <cmath>

#include "media/media_info.h"
#include "support/test_util.h"

namespace tgscribe::media::testing {
namespace fs = std::filesystem;

bool run_ffmpeg(const std::vector<std::string>& args) {
  std::vector<std::string> argv = {"ffmpeg",    "-nostdin", "-hide_banner",
                                   "-loglevel", "error",    "-y"};
  argv.insert(argv.end(), args.begin(), args.end());
  return tgscribe::testing::run_process(argv).exit_code == 0;
}

bool make_tone(const fs::path& out, double seconds, const std::vector<std::string>& codec_args,
               int rate, double frequency) {
  std::vector<std::string> args = {"-f", "lavfi", "-i",
                                   "sine=f=" + std::to_string(frequency) + ":r=" +
                                       std::to_string(rate) + ":d=" + std::to_string(seconds)};
  args.insert(args.end(), codec_args.begin(), codec_args.end());
  args.push_back(out.string());
  return run_ffmpeg(args);
}

namespace {
// espeak-ng pads its speech with silence; trimming both ends makes the gap exactly gap_s.
constexpr const char* kTrim =
    "silenceremove=start_periods=1:start_threshold=-50dB,areverse,"
    "silenceremove=start_periods=1:start_threshold=-50dB,areverse";
}  // namespace

bool make_speech_gap_speech(const std::string& first, double gap_s, const std::string& second,
                            const fs::path& out_wav, double* gap_start_s, double* gap_end_s) {
  fs::path a = out_wav, b = out_wav;
  a += ".a.wav";
  b += ".b.wav";
  const std::vector<std::string> args = {"-af", kTrim, "-ar", "16000", "-ac", "1"};
  if (!tgscribe::testing::make_speech(first, a, args) ||
      !tgscribe::testing::make_speech(second, b, args)) {
    return false;
  }
  const double a_s = probe_file(a, MediaLimits{}).duration_s;
  bool ok = run_ffmpeg({"-i",
                        a.string(),
                        "-f",
                        "lavfi",
                        "-t",
                        std::to_string(gap_s),
                        "-i",
                        "anullsrc=r=16000:cl=mono",
                        "-i",
                        b.string(),
                        "-filter_complex",
                        "[0:a][1:a][2:a]concat=n=3:v=0:a=1",
                        "-ar",
                        "16000",
                        "-ac",
                        "1",
                        "-c:a",
                        "pcm_s16le",
                        "-bitexact",
                        out_wav.string()});
  fs::remove(a);
  fs::remove(b);
  if (gap_start_s) *gap_start_s = a_s;
  if (gap_end_s) *gap_end_s = a_s + gap_s;
  return ok;
}

bool loop_copy(const fs::path& in, int copies, const fs::path& out) {
  return run_ffmpeg(
      {"-stream_loop", std::to_string(copies - 1), "-i", in.string(), "-c", "copy", out.string()});
}

double rms_dbfs(const int16_t* samples, size_t n) {
  if (n == 0) return -120;
  double sum = 0;
  for (size_t i = 0; i < n; ++i) sum += static_cast<double>(samples[i]) * samples[i];
  double rms = std::sqrt(sum / static_cast<double>(n)) / 32768.0;
  return rms <= 1e-6 ? -120 : 20 * std::log10(rms);
}

}  // namespace tgscribe::media::testing
