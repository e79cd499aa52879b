#pragma once
// The only way media is opened: size limits checked first, the head sniffed for playlists and
// references, the format probed from bytes and accepted only when its demuxer is on a
// whitelist, and the demuxer fed through our own AVIOContext (no protocol can be opened; nested
// opens, e.g. mov data references, are refused by an empty protocol whitelist).
#include <memory>
#include <string_view>

#include "media/media_info.h"
#include "media/media_source.h"

struct AVFormatContext;

namespace tgscribe::media {

// True when FFmpeg's demuxer `name` (as in AVInputFormat::name) may be used.
bool demuxer_allowed(std::string_view name);

// Checks what can be checked without FFmpeg: emptiness, MAX size, playlist/reference files by
// name and content. Returns the size in bytes. Throws MediaRejected.
int64_t check_before_open(const MediaSource& source, const MediaLimits& limits);

// An open, probed input with its first audio stream chosen; other streams are discarded so the
// demuxer skips their packets.
class OpenedInput {
 public:
  // Throws MediaRejected for every reason in RejectReason.
  OpenedInput(const MediaSource& source, const MediaLimits& limits);
  ~OpenedInput();
  OpenedInput(const OpenedInput&) = delete;
  OpenedInput& operator=(const OpenedInput&) = delete;

  AVFormatContext* format_context() const;
  int audio_stream_index() const;
  const MediaInfo& info() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace tgscribe::media
