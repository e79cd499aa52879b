#include "media/testing/media_fixtures.h"

#include <array>
#include <cmath>
#include <string_view>

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

namespace {

uint32_t get_le(const std::string& b, size_t at, int bytes) {
  uint32_t v = 0;
  for (int i = bytes - 1; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(b[at + i]);
  return v;
}
void put_le(std::string& b, size_t at, uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) b[at + i] = static_cast<char>((v >> (8 * i)) & 0xff);
}
void put_be(std::string& b, size_t at, uint32_t v) {
  for (int i = 0; i < 4; ++i) b[at + i] = static_cast<char>((v >> (8 * (3 - i))) & 0xff);
}

}  // namespace

uint32_t ogg_crc(std::string_view page) {
  static const std::array<uint32_t, 256> table = [] {
    std::array<uint32_t, 256> t{};
    for (uint32_t i = 0; i < 256; ++i) {
      uint32_t r = i << 24;
      for (int k = 0; k < 8; ++k) r = (r & 0x80000000u) ? (r << 1) ^ 0x04c11db7u : r << 1;
      t[i] = r;
    }
    return t;
  }();
  uint32_t crc = 0;
  for (unsigned char c : page) crc = (crc << 8) ^ table[((crc >> 24) & 0xff) ^ c];
  return crc;
}

std::string ogg_with_small_granules(std::string ogg, int64_t last_granule, bool every_page) {
  struct Page {
    size_t start, end;
  };
  std::vector<Page> pages;
  for (size_t pos = 0; pos + 27 <= ogg.size();) {
    if (ogg.compare(pos, 4, "OggS") != 0) return "";
    const size_t segments = static_cast<unsigned char>(ogg[pos + 26]);
    size_t body = 0;
    for (size_t i = 0; i < segments && pos + 27 + i < ogg.size(); ++i) {
      body += static_cast<unsigned char>(ogg[pos + 27 + i]);
    }
    const size_t end = pos + 27 + segments + body;
    if (end > ogg.size()) return "";
    pages.push_back({pos, end});
    pos = end;
  }
  if (pages.size() < 4) return "";
  auto set = [&](const Page& p, int64_t granule) {
    put_le(ogg, p.start + 6, static_cast<uint64_t>(granule), 8);
    put_le(ogg, p.start + 22, 0, 4);
    put_le(ogg, p.start + 22, ogg_crc(std::string_view(ogg).substr(p.start, p.end - p.start)), 4);
  };
  if (every_page) {
    for (size_t i = 2; i + 1 < pages.size(); ++i) set(pages[i], static_cast<int64_t>(i - 2));
  }
  set(pages.back(), last_granule);
  return ogg;
}

std::string mp3_with_xing_frames(std::string mp3, uint32_t frames) {
  size_t tag = mp3.find("Xing");
  if (tag == std::string::npos || tag > 4096) tag = mp3.find("Info");
  if (tag == std::string::npos || tag > 4096 || tag + 12 > mp3.size()) return "";
  const uint32_t flags = static_cast<uint32_t>(static_cast<unsigned char>(mp3[tag + 7]));
  if (!(flags & 1)) return "";  // no frame count to rewrite
  put_be(mp3, tag + 8, frames);
  return mp3;
}

std::string mp4_with_mvhd_duration(std::string mp4, uint32_t duration) {
  const size_t box = mp4.find("mvhd");
  if (box == std::string::npos || box + 24 > mp4.size() || mp4[box + 4] != 0) return "";
  put_be(mp4, box + 20, duration);  // version, flags, creation, modification, timescale, here
  return mp4;
}

std::string wav_with_bitrate_lie(std::string wav, uint32_t factor) {
  const size_t fmt = wav.find("fmt ");
  const size_t data = wav.find("data");
  if (fmt == std::string::npos || data == std::string::npos || data + 8 > wav.size()) return "";
  put_le(wav, 4, 0xffffffffu, 4);         // RIFF size: unknown
  put_le(wav, data + 4, 0xffffffffu, 4);  // data size: unknown, read to the end
  put_le(wav, fmt + 16, static_cast<uint64_t>(get_le(wav, fmt + 16, 4)) * factor, 4);
  return wav;
}

std::string wav_with_shape(uint32_t sample_rate, uint16_t channels, size_t data_bytes) {
  std::string wav = "RIFF....WAVEfmt ";
  auto u32 = [&](uint32_t v) {
    wav.append(4, '\0');
    put_le(wav, wav.size() - 4, v, 4);
  };
  auto u16 = [&](uint16_t v) {
    wav.append(2, '\0');
    put_le(wav, wav.size() - 2, v, 2);
  };
  const uint16_t block_align = static_cast<uint16_t>(channels * 2u);
  u32(16);
  u16(1);  // PCM
  u16(channels);
  u32(sample_rate);
  u32(sample_rate * block_align);  // wraps for absurd rates, as a forged header would
  u16(block_align);
  u16(16);
  wav += "data";
  u32(static_cast<uint32_t>(data_bytes));
  uint32_t x = 12345;
  for (size_t i = 0; i < data_bytes; ++i) {
    x = x * 1103515245 + 12345;
    wav.push_back(static_cast<char>(x >> 24));
  }
  put_le(wav, 4, wav.size() - 8, 4);
  return wav;
}

}  // namespace tgscribe::media::testing
