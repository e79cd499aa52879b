#pragma once
// Generated media for tests (this module's and others'): the ffmpeg CLI renders lavfi sources
// and espeak-ng speech into real files. Only tests spawn ffmpeg; the program never does.
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace tgscribe::media::testing {

// Runs `ffmpeg -nostdin -hide_banner -loglevel error -y ARGS...`; true on exit code 0.
bool run_ffmpeg(const std::vector<std::string>& args);

// A sine tone of `seconds` at `rate` Hz (mono), encoded with `codec_args` (e.g. {"-c:a",
// "libopus", "-b:a", "16k"}) into `out` (container from the extension).
bool make_tone(const std::filesystem::path& out, double seconds,
               const std::vector<std::string>& codec_args = {}, int rate = 16000,
               double frequency = 440);

// Speech `first`, then `gap_s` seconds of digital silence, then speech `second`, as a 16 kHz
// mono WAV; returns the times where the gap starts and ends via the out-parameters.
bool make_speech_gap_speech(const std::string& first, double gap_s, const std::string& second,
                            const std::filesystem::path& out_wav, double* gap_start_s,
                            double* gap_end_s);

// `copies` back-to-back repetitions of `in` (stream copy, no re-encode): long files, fast.
bool loop_copy(const std::filesystem::path& in, int copies, const std::filesystem::path& out);

// Root mean square level of s16 samples in dBFS (-inf for silence is clamped to -120).
double rms_dbfs(const int16_t* samples, size_t n);

// --- hostile media: real files whose headers lie ------------------------------------------
// Each rewrites the bytes of a file the ffmpeg CLI made, so that its header understates the
// duration while every packet stays; "" when the bytes are not laid out as expected.

// Ogg: the granule position of the last page (what the Ogg demuxer's duration comes from), or
// with `every_page` of every page after the two header pages (granule = page number, so
// timestamps stay tiny too); checksums redone.
// The Ogg page CRC-32 (polynomial 0x04c11db7, no reflection, initial value 0), over a page
// whose checksum field is zeroed: for fixtures that edit a page and must make it valid again.
uint32_t ogg_crc(std::string_view page);

std::string ogg_with_small_granules(std::string ogg, int64_t last_granule, bool every_page = false);
// MP3: the frame count of the Xing/Info header.
std::string mp3_with_xing_frames(std::string mp3, uint32_t frames);
// MP4/M4A: the duration in the movie header (mvhd, version 0), in its own time scale.
std::string mp4_with_mvhd_duration(std::string mp4, uint32_t duration);
// PCM WAV: sizes marked unknown (a streamed WAV) and a byte rate `factor` times the real one,
// so the duration is estimated from that bitrate.
std::string wav_with_bitrate_lie(std::string wav, uint32_t factor);
// A PCM s16 WAV whose header claims any sample rate and channel count a header can hold,
// followed by `data_bytes` of noise.
std::string wav_with_shape(uint32_t sample_rate, uint16_t channels, size_t data_bytes);

}  // namespace tgscribe::media::testing
