#pragma once
// The file extension and Content-Type an engine sees for some audio: engines check the name
// (Groq refuses ".oga" but takes the same bytes as ".ogg"), so the name must match the bytes.
#include <string>

#include "media/audio_encoder.h"
#include "media/media_info.h"

namespace tgscribe::media {

struct UploadFormat {
  std::string extension;  // lower case, no dot: "ogg", "mp3", "m4a", "flac", "wav", "webm", ...
  std::string content_type;
};

// For the original bytes, from what the probe found (container and codec), never from the name.
UploadFormat upload_format(const MediaInfo& info);
// For audio this module encodes.
UploadFormat upload_format(AudioCodec codec, Container container);

// A Telegram voice note and its kin: Opus in Ogg, which every engine treats as .ogg.
bool is_ogg_opus(const MediaInfo& info);

}  // namespace tgscribe::media
