#pragma once
// Generated media for tests (this module's and others'): the ffmpeg CLI renders lavfi sources
// and espeak-ng speech into real files. Only tests spawn ffmpeg; the program never does.
#include <cstdint>
#include <filesystem>
#include <string>
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

}  // namespace tgscribe::media::testing
