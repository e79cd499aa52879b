#pragma once
// Small real media files for engine tests, generated once per test binary (espeak-ng + the
// ffmpeg CLI through tests/support) and removed at exit.
#include <filesystem>

#include "engine/transcriber.h"

namespace tgscribe::engine::testing {

// A Telegram-like voice note: Ogg/Opus, mono, named "voice.oga" (~2 s of speech).
const std::filesystem::path& voice_note();
// The same speech as 16 kHz mono WAV.
const std::filesystem::path& speech_wav();

// The same files as an engine receives them: name, content type and probed media info.
AudioFile voice_note_audio();  // "voice.oga", audio/ogg
AudioFile speech_wav_audio();  // "speech.wav", audio/wav

}  // namespace tgscribe::engine::testing
