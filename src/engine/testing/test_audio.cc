#include "engine/testing/test_audio.h"

#include <memory>
#include <mutex>
#include <stdexcept>

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

}  // namespace tgscribe::engine::testing
