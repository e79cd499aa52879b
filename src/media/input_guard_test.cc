#include "media/input_guard.h"

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "media/media_error.h"
#include "media/media_info.h"
#include "media/pcm_decoder.h"
#include "media/testing/media_fixtures.h"
#include "support/test_util.h"

namespace tgscribe::media {
namespace {
namespace fs = std::filesystem;
using tgscribe::testing::TempDir;
using tgscribe::testing::write_file;

struct Rejection {
  RejectReason reason;
  std::string message;
};

// Probes `path` and returns how it was rejected; fails the test if it was accepted.
Rejection rejection_of(const fs::path& path, const MediaLimits& limits = {}) {
  try {
    probe_file(path, limits);
  } catch (const MediaRejected& e) {
    return {e.reason(), e.what()};
  }
  ADD_FAILURE() << path << " was accepted";
  return {RejectReason::kUnsupported, ""};
}

std::string read_bytes(const fs::path& p) { return tgscribe::testing::read_file(p); }

TEST(InputGuardTest, EmptyFile) {
  TempDir dir;
  write_file(dir / "empty.ogg", "");
  auto r = rejection_of(dir / "empty.ogg");
  EXPECT_EQ(r.reason, RejectReason::kEmpty);
  EXPECT_EQ(r.message, "empty file");
}

TEST(InputGuardTest, MissingFileIsNotMedia) {
  TempDir dir;
  auto r = rejection_of(dir / "nope.mp3");
  EXPECT_EQ(r.reason, RejectReason::kNotMedia);
  EXPECT_NE(r.message.find("not found"), std::string::npos) << r.message;
}

TEST(InputGuardTest, DirectoryIsNotMedia) {
  TempDir dir;
  std::filesystem::create_directory(dir / "folder.mp3");
  auto r = rejection_of(dir / "folder.mp3");
  EXPECT_EQ(r.reason, RejectReason::kNotMedia);
  EXPECT_EQ(r.message, "not a regular file");
}

TEST(InputGuardTest, TextAndRandomBytesAreNotMedia) {
  TempDir dir;
  write_file(dir / "notes.txt", "Remember to buy milk.\nAnd eggs.\n");
  auto r = rejection_of(dir / "notes.txt");
  EXPECT_EQ(r.reason, RejectReason::kNotMedia);
  EXPECT_NE(r.message.find("not an audio or video file"), std::string::npos) << r.message;

  std::string noise(50000, '\0');
  uint32_t x = 12345;
  for (auto& c : noise) {
    x = x * 1103515245 + 12345;
    c = static_cast<char>(x >> 24);
  }
  write_file(dir / "noise.ogg", noise);
  EXPECT_EQ(rejection_of(dir / "noise.ogg").reason, RejectReason::kNotMedia);
}

TEST(InputGuardTest, ImageIsNotMedia) {
  TempDir dir;
  ASSERT_TRUE(testing::run_ffmpeg(
      {"-f", "lavfi", "-i", "color=c=red:s=16x16", "-frames:v", "1", (dir / "red.png").string()}));
  EXPECT_EQ(rejection_of(dir / "red.png").reason, RejectReason::kNotMedia);
}

TEST(InputGuardTest, VideoWithoutAudio) {
  TempDir dir;
  fs::path file = dir / "silent_film.mp4";
  ASSERT_TRUE(testing::run_ffmpeg({"-f", "lavfi", "-i", "color=c=blue:s=64x48:r=10", "-t", "1",
                                   "-c:v", "mpeg4", "-an", file.string()}));
  auto r = rejection_of(file);
  EXPECT_EQ(r.reason, RejectReason::kNoAudio);
  EXPECT_EQ(r.message, "no audio stream (video only)");
}

TEST(InputGuardTest, TruncatedMp4IsCorrupt) {
  TempDir dir;
  fs::path file = dir / "speech.m4a";
  ASSERT_TRUE(testing::make_tone(file, 5.0, {"-c:a", "aac", "-b:a", "64k"}));
  std::string bytes = read_bytes(file);
  // The ffmpeg CLI writes the index (moov) at the end: cutting the tail loses it.
  write_file(dir / "cut.m4a", bytes.substr(0, bytes.size() / 2));
  auto r = rejection_of(dir / "cut.m4a");
  EXPECT_EQ(r.reason, RejectReason::kCorrupt);
  EXPECT_EQ(r.message, "truncated or corrupt media");
}

TEST(InputGuardTest, OggWithGarbageBodyIsCorrupt) {
  TempDir dir;
  fs::path file = dir / "voice.ogg";
  ASSERT_TRUE(testing::make_tone(file, 3.0, {"-c:a", "libopus", "-b:a", "24k"}));
  std::string bytes = read_bytes(file);
  // Keep the Ogg/Opus headers (first pages), then noise: the demuxer opens, nothing decodes.
  std::string broken = bytes.substr(0, 200);
  for (size_t i = 0; i < 20000; ++i) broken.push_back(static_cast<char>((i * 7919) >> 3));
  write_file(dir / "broken.ogg", broken);
  try {
    PcmDecoder dec(dir / "broken.ogg", {});
    std::vector<int16_t> buf(4096);
    while (dec.read(buf.data(), buf.size())) {
    }
    ADD_FAILURE() << "decoded a file whose audio was replaced by noise";
  } catch (const MediaRejected& e) {
    EXPECT_EQ(e.reason(), RejectReason::kCorrupt) << e.what();
  }
}

TEST(InputGuardTest, TooLongFromHeader) {
  TempDir dir;
  fs::path file = dir / "tone.flac";
  ASSERT_TRUE(testing::make_tone(file, 5.0));
  auto r = rejection_of(file, MediaLimits{.max_duration_s = 3});
  EXPECT_EQ(r.reason, RejectReason::kTooLong);
  EXPECT_EQ(r.message, "too long: 0h 00m 05s (limit 0h 00m 03s)");
}

TEST(InputGuardTest, TooLargeIsCheckedBeforeOpening) {
  TempDir dir;
  // Not media at all: the size check must come first, so the reason is the size.
  write_file(dir / "big.mp3", std::string(3'000'000, 'x'));
  auto r = rejection_of(dir / "big.mp3", MediaLimits{.max_size_bytes = 2'000'000});
  EXPECT_EQ(r.reason, RejectReason::kTooLarge);
  EXPECT_EQ(r.message, "too large: 3.0 MB (limit 2 MB)");
}

TEST(InputGuardTest, PlaylistsAndConcatAreBlocked) {
  TempDir dir;
  write_file(dir / "list.m3u8", "#EXTM3U\n#EXTINF:10,\n/etc/passwd\n");
  write_file(dir / "list.ffconcat", "ffconcat version 1.0\nfile '/etc/passwd'\n");
  // The same content behind innocent names: caught by content, not by name.
  write_file(dir / "hls.mp3",
             "#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXTINF:10,\nfile:///etc/passwd\n");
  write_file(dir / "concat.ogg", "ffconcat version 1.0\nfile '/etc/passwd'\n");
  write_file(dir / "bom.wav", "\xEF\xBB\xBF  #EXTM3U\nhttp://127.0.0.1:1/x.ts\n");
  write_file(dir / "ref.m4a", "https://example.invalid/x.m4a\n");
  write_file(dir / "play.pls", "[playlist]\nFile1=/etc/passwd\n");
  for (const char* name :
       {"list.m3u8", "list.ffconcat", "hls.mp3", "concat.ogg", "bom.wav", "ref.m4a", "play.pls"}) {
    auto r = rejection_of(dir / name);
    EXPECT_EQ(r.reason, RejectReason::kBlocked) << name;
    EXPECT_EQ(r.message, "blocked for safety: playlist or reference file") << name;
  }
}

TEST(InputGuardTest, BlockedFromMemoryToo) {
  std::string text = "#EXTM3U\n/etc/passwd\n";
  std::vector<uint8_t> bytes(text.begin(), text.end());
  try {
    probe(MediaSource::from_memory(bytes, "upload"), {});
    ADD_FAILURE() << "accepted";
  } catch (const MediaRejected& e) {
    EXPECT_EQ(e.reason(), RejectReason::kBlocked);
  }
}

// A WAV whose format tag names no codec FFmpeg knows.
TEST(InputGuardTest, UnknownCodecIsUnsupported) {
  TempDir dir;
  std::string wav;
  auto u32 = [&](uint32_t v) {
    for (int i = 0; i < 4; ++i) wav.push_back(static_cast<char>(v >> (8 * i)));
  };
  auto u16 = [&](uint16_t v) {
    wav.push_back(static_cast<char>(v));
    wav.push_back(static_cast<char>(v >> 8));
  };
  const uint32_t data_size = 32000;
  wav += "RIFF";
  u32(36 + data_size);
  wav += "WAVEfmt ";
  u32(16);
  u16(0x4C42);  // an unassigned format tag
  u16(1);
  u32(16000);
  u32(32000);
  u16(2);
  u16(16);
  wav += "data";
  u32(data_size);
  wav += std::string(data_size, '\x11');
  write_file(dir / "odd.wav", wav);
  auto r = rejection_of(dir / "odd.wav");
  EXPECT_EQ(r.reason, RejectReason::kUnsupported);
  EXPECT_NE(r.message.find("unsupported audio codec"), std::string::npos) << r.message;
}

TEST(InputGuardTest, WhitelistExcludesReferenceDemuxers) {
  for (const char* name : {"hls", "concat", "image2", "image2pipe", "dash", "sdp", "rtsp", "tee",
                           "data", "lavfi", "srt", "webvtt", "tty", "png_pipe"}) {
    EXPECT_FALSE(demuxer_allowed(name)) << name;
  }
  for (const char* name : {"ogg", "mp3", "mov,mp4,m4a,3gp,3g2,mj2", "matroska,webm", "wav", "flac",
                           "aac", "asf", "amr"}) {
    EXPECT_TRUE(demuxer_allowed(name)) << name;
  }
}

// The guard must not get in the way of ordinary files: a Matroska/Opus file opens normally.
TEST(InputGuardTest, GoodFileStillOpensUnderTheGuard) {
  TempDir dir;
  fs::path file = dir / "a.mkv";
  ASSERT_TRUE(testing::make_tone(file, 1.0, {"-c:a", "libopus"}));
  OpenedInput in(MediaSource::from_path(file), {});
  EXPECT_EQ(in.info().container, "matroska,webm");
  EXPECT_EQ(in.info().audio_codec, "opus");
  EXPECT_GE(in.audio_stream_index(), 0);
}

}  // namespace
}  // namespace tgscribe::media
