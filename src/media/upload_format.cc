#include "media/upload_format.h"

namespace tgscribe::media {

bool is_ogg_opus(const MediaInfo& info) {
  return info.container == "ogg" && info.audio_codec == "opus";
}

UploadFormat upload_format(const MediaInfo& info) {
  const std::string& c = info.container;
  const std::string& a = info.audio_codec;
  if (c == "ogg") return {"ogg", "audio/ogg"};
  if (c == "mp3") return {"mp3", "audio/mpeg"};
  if (c == "flac") return {"flac", "audio/flac"};
  if (c == "wav") return {"wav", "audio/wav"};
  if (c.rfind("mov,", 0) == 0) {
    return info.has_video ? UploadFormat{"mp4", "video/mp4"} : UploadFormat{"m4a", "audio/mp4"};
  }
  if (c == "matroska,webm") {
    // WebM is the Matroska subset with Opus/Vorbis audio; anything else is plain .mkv.
    if (a == "opus" || a == "vorbis") {
      return info.has_video ? UploadFormat{"webm", "video/webm"}
                            : UploadFormat{"webm", "audio/webm"};
    }
    return {"mkv", "video/x-matroska"};
  }
  if (c == "aac") return {"aac", "audio/aac"};
  if (c == "mpeg") return {"mpeg", "video/mpeg"};
  if (c == "asf") return {"wma", "audio/x-ms-wma"};
  if (c == "aiff") return {"aiff", "audio/aiff"};
  if (c == "amr") return {"amr", "audio/amr"};
  if (c == "w64") return {"w64", "audio/x-w64"};
  if (c == "caf") return {"caf", "audio/x-caf"};
  if (c == "flv") return {"flv", "video/x-flv"};
  if (c == "avi") return {"avi", "video/x-msvideo"};
  if (c == "mpegts") return {"ts", "video/mp2t"};
  return {c.substr(0, c.find(',')), "application/octet-stream"};
}

UploadFormat upload_format(AudioCodec codec, Container container) {
  switch (container) {
    case Container::kOgg:
      return {"ogg", "audio/ogg"};
    case Container::kWebm:
      return {"webm", "audio/webm"};
    case Container::kFlac:
      return {"flac", "audio/flac"};
  }
  return {to_string(codec), "application/octet-stream"};
}

}  // namespace tgscribe::media
