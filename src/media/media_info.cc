#include "media/media_info.h"

#include "media/input_guard.h"

namespace tgscribe::media {

MediaInfo probe(const MediaSource& source, const MediaLimits& limits) {
  OpenedInput input(source, limits);
  // The probe decides what is uploaded untouched (pass-through): the limit must hold for the
  // packets, not just for what the header claims.
  input.verify_duration(limits);
  return input.info();
}

MediaInfo probe_file(const std::filesystem::path& path, const MediaLimits& limits) {
  return probe(MediaSource::from_path(path), limits);
}

}  // namespace tgscribe::media
