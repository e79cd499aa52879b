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

// Bounds on what a header may claim before anything is sized from it (a WAV header's 32-bit
// sample rate, a 16-bit channel count...). Real audio stays far inside them.
inline constexpr int kMaxSampleRate = 768000;
inline constexpr int kMaxChannels = 64;
inline constexpr int64_t kMaxFrameSamples = 1 << 20;  // APE's largest frames are ~300k samples
inline constexpr int64_t kMaxExtradataBytes = 4 << 20;

// Refuses an audio shape no buffer may be sized from: sample rate outside 1..kMaxSampleRate or
// channels outside 1..kMaxChannels (kCorrupt / kUnsupported), frames longer than
// kMaxFrameSamples (kCorrupt). 0 means "not known yet" and passes. Throws MediaRejected.
void check_audio_shape(int sample_rate, int channels, int64_t frame_samples);

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

  // Reads every packet of the audio stream (no decoding: cheap) and measures the duration they
  // really span, because a header (MP3 Xing/VBRI, MP4 mvhd, the last Ogg granule, a bitrate
  // estimate) can understate it. Stops as soon as the limit is exceeded and throws
  // MediaRejected(kTooLong); otherwise info().duration_s becomes the measured duration when the
  // header's was unknown or short of it. Leaves the demuxer at the end: for probing only.
  void verify_duration(const MediaLimits& limits);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace tgscribe::media
