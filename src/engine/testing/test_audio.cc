#include "engine/testing/test_audio.h"

#include <memory>
#include <mutex>
#include <stdexcept>

#include "media/media_info.h"
#include "support/test_util.h"

namespace tgscribe::engine::testing {
namespace {

struct Files {
  tgscribe::testing::TempDir dir;
  std::filesystem::path voice = dir / "voice.oga";
  std::filesystem::path wav = dir / "speech.wav";
};

Files& files() {
  static std::once_flag once;
  static std::unique_ptr<Files> f;
  std::call_once(once, [] {
    f = std::make_unique<Files>();
    const char* text = "Hello world. This is a short voice note for the engine tests.";
    if (!tgscribe::testing::make_speech(text, f->voice, {"-ac", "1", "-ar", "48000"}) ||
        !tgscribe::testing::make_speech(text, f->wav, {"-ac", "1", "-ar", "16000"})) {
      throw std::runtime_error("cannot generate test speech (espeak-ng / ffmpeg missing?)");
    }
  });
  return *f;
}

}  // namespace

const std::filesystem::path& voice_note() { return files().voice; }
const std::filesystem::path& speech_wav() { return files().wav; }

namespace {

AudioFile audio_file(const std::filesystem::path& path, std::string filename,
                     std::string content_type) {
  AudioFile a;
  a.path = path;
  a.filename = std::move(filename);
  a.content_type = std::move(content_type);
  a.info = media::probe_file(a.path, {});
  return a;
}

}  // namespace

AudioFile voice_note_audio() { return audio_file(voice_note(), "voice.oga", "audio/ogg"); }
AudioFile speech_wav_audio() { return audio_file(speech_wav(), "speech.wav", "audio/wav"); }

}  // namespace tgscribe::engine::testing
