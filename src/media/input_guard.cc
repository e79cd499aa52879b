#include "media/input_guard.h"

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/avstring.h>
#include <libavutil/dict.h>
#include <libavutil/mem.h>
}

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

#include "media/ffmpeg_log.h"
#include "media/media_error.h"

namespace tgscribe::media {
namespace {

// Containers people send as voice, audio or video. Everything else is refused, above all the
// demuxers that open other files or URLs (hls, concat, image2, dash, sdp, ...).
// clang-format off
constexpr std::string_view kAllowedDemuxers[] = {
    "ogg", "mp3", "mov,mp4,m4a,3gp,3g2,mj2", "matroska,webm", "wav", "w64", "flac", "aac",
    "aiff", "caf", "amr", "amrnb", "amrwb", "flv", "avi", "mpegts", "asf", "mpeg", "wv", "ape",
    "au", "ac3", "eac3"};
// clang-format on

// Demuxers that reference other resources: refusing them is a safety matter, not a format one.
constexpr std::string_view kReferenceDemuxers[] = {
    "hls",  "applehttp",          "concat", "image2", "image2pipe", "sdp",        "rtsp", "rtp",
    "dash", "webm_dash_manifest", "imf",    "lavfi",  "data",       "ffmetadata", "smil", "mpjpeg"};

// Extensions of playlist / reference files, refused before a byte is read.
constexpr std::string_view kBlockedExtensions[] = {
    ".m3u", ".m3u8", ".pls",  ".ffconcat", ".concat", ".sdp",   ".mpd",
    ".asx", ".smil", ".xspf", ".cue",      ".ism",    ".ffmeta"};

// Text at the head of a file that marks a playlist or a reference to other resources.
constexpr std::string_view kBlockedHeads[] = {
    "#EXTM3U", "#EXTINF", "#EXT-X-", "ffconcat", "[playlist]", "<?xml",    "<MPD",
    "<smil",   "<asx",    "file:",   "file '",   "http://",    "https://", "rtsp://"};

constexpr int kMaxProbeBytes = 1 << 20;

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string fmt_duration(double s) {
  auto total = static_cast<int64_t>(s);
  return fmt::format("{}h {:02}m {:02}s", total / 3600, (total / 60) % 60, total % 60);
}

[[noreturn]] void reject(RejectReason reason, const std::string& detail) {
  throw MediaRejected(reason, detail);
}

int read_cb(void* opaque, uint8_t* buf, int size) {
  auto* reader = static_cast<ByteReader*>(opaque);
  try {
    size_t got = reader->read(buf, static_cast<size_t>(size));
    return got == 0 ? AVERROR_EOF : static_cast<int>(got);
  } catch (...) {
    return AVERROR(EIO);
  }
}

int64_t seek_cb(void* opaque, int64_t offset, int whence) {
  auto* reader = static_cast<ByteReader*>(opaque);
  whence &= ~AVSEEK_FORCE;
  if (whence == AVSEEK_SIZE) return reader->size();
  int64_t target = offset;
  if (whence == SEEK_CUR) target = reader->position() + offset;
  if (whence == SEEK_END) target = reader->size() + offset;
  if (!reader->seek(target)) return AVERROR(EINVAL);
  return target;
}

// Reads up to n bytes from the start of the reader (restoring position 0 afterwards).
std::vector<uint8_t> read_head(ByteReader& reader, size_t n) {
  std::vector<uint8_t> buf(n);
  reader.seek(0);
  size_t got = 0;
  while (got < n) {
    size_t r = reader.read(buf.data() + got, n - got);
    if (r == 0) break;
    got += r;
  }
  reader.seek(0);
  buf.resize(got);
  return buf;
}

bool is_blocked_head(const std::vector<uint8_t>& head) {
  size_t i = 0;
  if (head.size() >= 3 && head[0] == 0xEF && head[1] == 0xBB && head[2] == 0xBF) i = 3;
  while (i < head.size() && std::isspace(head[i])) ++i;
  std::string_view text(reinterpret_cast<const char*>(head.data()) + i, head.size() - i);
  for (auto marker : kBlockedHeads) {
    if (text.size() >= marker.size() && lower(text.substr(0, marker.size())) == lower(marker)) {
      return true;
    }
  }
  return false;
}

// Probes the format from bytes only, as av_probe_input_buffer2 does (growing buffer, accepting a
// weak score only at the largest size), but without letting FFmpeg open anything.
const AVInputFormat* probe_format(ByteReader& reader, const std::string& name) {
  const int64_t size = reader.size();
  for (int probe = 2048;; probe *= 2) {
    const bool last = probe >= kMaxProbeBytes || probe >= size;
    auto head = read_head(reader, static_cast<size_t>(std::min<int64_t>(probe, size)));
    std::vector<uint8_t> padded(head.size() + AVPROBE_PADDING_SIZE, 0);
    std::copy(head.begin(), head.end(), padded.begin());
    AVProbeData pd{};
    pd.filename = name.c_str();  // only its extension is used, as a hint
    pd.buf = padded.data();
    pd.buf_size = static_cast<int>(head.size());
    int score = 0;
    const AVInputFormat* fmt = av_probe_input_format3(&pd, 1, &score);
    if (fmt && score > AVPROBE_SCORE_RETRY) return fmt;
    if (last) {
      // A weak guess is accepted only when the bytes themselves support it: a name alone
      // (noise called .ogg) does not make a file media.
      pd.filename = "";
      fmt = av_probe_input_format3(&pd, 1, &score);
      return fmt && score > 0 ? fmt : nullptr;
    }
  }
}

// Codecs whose every packet decodes to exactly frame_size samples, whatever the container's
// timestamps say: a lying sample table cannot make their packets count for less.
bool fixed_frame_codec(AVCodecID id) {
  switch (id) {
    case AV_CODEC_ID_AAC:
    case AV_CODEC_ID_MP1:
    case AV_CODEC_ID_MP2:
    case AV_CODEC_ID_MP3:
    case AV_CODEC_ID_AC3:
    case AV_CODEC_ID_EAC3:
      return true;
    default:
      return false;
  }
}

// What a demuxer (or, after avformat_find_stream_info, a decoder) put in a stream's
// parameters, checked before a decoder or resampler sizes anything from it.
void check_parameters(const AVCodecParameters* par) {
  check_audio_shape(par->sample_rate, par->ch_layout.nb_channels, par->frame_size);
  if (par->extradata_size < 0 || par->extradata_size > kMaxExtradataBytes) {
    reject(RejectReason::kCorrupt, fmt::format("truncated or corrupt media ({} bytes of codec "
                                               "setup data)",
                                               par->extradata_size));
  }
}

// Slack between the header's duration and the packets' (Opus pre-skip, MP3 encoder delay,
// rounding), as PcmDecoder allows on decoded audio.
constexpr double kDurationSlackS = 1.0;

}  // namespace

void check_audio_shape(int sample_rate, int channels, int64_t frame_samples) {
  if (sample_rate < 0 || sample_rate > kMaxSampleRate) {
    reject(RejectReason::kCorrupt,
           fmt::format("truncated or corrupt media (sample rate {} Hz)", sample_rate));
  }
  if (channels < 0) {
    reject(RejectReason::kCorrupt,
           fmt::format("truncated or corrupt media ({} channels)", channels));
  }
  if (channels > kMaxChannels) {
    reject(RejectReason::kUnsupported,
           fmt::format("unsupported audio: {} channels (at most {})", channels, kMaxChannels));
  }
  if (frame_samples < 0 || frame_samples > kMaxFrameSamples) {
    reject(RejectReason::kCorrupt,
           fmt::format("truncated or corrupt media ({} samples in a frame)", frame_samples));
  }
}

bool demuxer_allowed(std::string_view name) {
  return std::find(std::begin(kAllowedDemuxers), std::end(kAllowedDemuxers), name) !=
         std::end(kAllowedDemuxers);
}

int64_t check_before_open(const MediaSource& source, const MediaLimits& limits) {
  const int64_t size = source.size();
  if (size == 0) reject(RejectReason::kEmpty, "empty file");
  if (size > limits.max_size_bytes) {
    reject(RejectReason::kTooLarge, fmt::format("too large: {:.1f} MB (limit {:.0f} MB)",
                                                size / 1e6, limits.max_size_bytes / 1e6));
  }
  const std::string ext = lower(std::filesystem::path(source.name()).extension().string());
  if (std::find(std::begin(kBlockedExtensions), std::end(kBlockedExtensions), ext) !=
      std::end(kBlockedExtensions)) {
    reject(RejectReason::kBlocked, "blocked for safety: playlist or reference file");
  }
  auto reader = source.open();
  if (is_blocked_head(read_head(*reader, 512))) {
    reject(RejectReason::kBlocked, "blocked for safety: playlist or reference file");
  }
  return size;
}

struct OpenedInput::Impl {
  std::unique_ptr<ByteReader> reader;
  AVIOContext* avio = nullptr;
  AVFormatContext* fmt = nullptr;
  int audio_index = -1;
  MediaInfo info;

  ~Impl() {
    if (fmt) avformat_close_input(&fmt);
    if (avio) {
      av_freep(&avio->buffer);
      avio_context_free(&avio);
    }
  }
};

OpenedInput::OpenedInput(const MediaSource& source, const MediaLimits& limits)
    : impl_(std::make_unique<Impl>()) {
  route_ffmpeg_logs();
  int64_t size = 0;
  const AVInputFormat* format = nullptr;
  try {
    size = check_before_open(source, limits);
    impl_->reader = source.open();
    format = probe_format(*impl_->reader, source.name());
  } catch (const MediaRejected&) {
    throw;
  } catch (const std::runtime_error&) {  // an I/O error while reading the head
    reject(RejectReason::kNotMedia, "cannot read the file");
  }
  if (!format) reject(RejectReason::kNotMedia, "not an audio or video file");
  const std::string fname = format->name;
  if (std::find(std::begin(kReferenceDemuxers), std::end(kReferenceDemuxers), fname) !=
      std::end(kReferenceDemuxers)) {
    reject(RejectReason::kBlocked, "blocked for safety: playlist or reference file");
  }
  if (!demuxer_allowed(fname)) {
    reject(RejectReason::kNotMedia, fmt::format("not an audio or video file ({})", fname));
  }

  constexpr int kAvioBuffer = 64 * 1024;
  auto* buffer = static_cast<uint8_t*>(av_malloc(kAvioBuffer));
  impl_->avio =
      avio_alloc_context(buffer, kAvioBuffer, 0, impl_->reader.get(), read_cb, nullptr, seek_cb);
  if (!impl_->avio) {
    av_free(buffer);
    throw std::bad_alloc();
  }
  impl_->fmt = avformat_alloc_context();
  impl_->fmt->pb = impl_->avio;
  impl_->fmt->flags |= AVFMT_FLAG_CUSTOM_IO;

  AVDictionary* opts = nullptr;
  // Defence in depth: the forced format must still be on the whitelist, and any nested open
  // (mov drefs, etc.) fails because no protocol is allowed.
  std::string whitelist;
  for (auto name : kAllowedDemuxers) {
    if (!whitelist.empty()) whitelist += ',';
    whitelist += name;
  }
  av_dict_set(&opts, "format_whitelist", whitelist.c_str(), 0);
  av_dict_set(&opts, "protocol_whitelist", "none", 0);
  av_dict_set(&opts, "enable_drefs", "0", 0);
  int rc = avformat_open_input(&impl_->fmt, nullptr, format, &opts);
  av_dict_free(&opts);
  if (rc < 0) {
    // avformat_open_input frees the context on failure.
    impl_->fmt = nullptr;
    reject(RejectReason::kCorrupt, "truncated or corrupt media");
  }
  // Before avformat_find_stream_info opens decoders that size buffers from these.
  for (unsigned i = 0; i < impl_->fmt->nb_streams; ++i) {
    const AVCodecParameters* par = impl_->fmt->streams[i]->codecpar;
    if (par->codec_type == AVMEDIA_TYPE_AUDIO) check_parameters(par);
  }
  if (avformat_find_stream_info(impl_->fmt, nullptr) < 0) {
    reject(RejectReason::kCorrupt, "truncated or corrupt media");
  }

  MediaInfo& info = impl_->info;
  info.container = fname;
  info.size_bytes = size;
  for (unsigned i = 0; i < impl_->fmt->nb_streams; ++i) {
    AVStream* st = impl_->fmt->streams[i];
    const auto type = st->codecpar->codec_type;
    if (type == AVMEDIA_TYPE_VIDEO && !(st->disposition & AV_DISPOSITION_ATTACHED_PIC)) {
      info.has_video = true;
    }
    if (type == AVMEDIA_TYPE_AUDIO && impl_->audio_index < 0) {
      impl_->audio_index = static_cast<int>(i);
    } else {
      st->discard = AVDISCARD_ALL;
    }
  }
  if (impl_->audio_index < 0) {
    reject(RejectReason::kNoAudio,
           info.has_video ? "no audio stream (video only)" : "no audio stream");
  }
  AVStream* audio = impl_->fmt->streams[impl_->audio_index];
  const AVCodecParameters* par = audio->codecpar;
  check_parameters(par);  // again: the probing decoder may have filled in more
  info.audio_codec = avcodec_get_name(par->codec_id);
  if (par->codec_id == AV_CODEC_ID_NONE || !avcodec_find_decoder(par->codec_id)) {
    reject(RejectReason::kUnsupported,
           fmt::format("unsupported audio codec ({})",
                       par->codec_id == AV_CODEC_ID_NONE ? "unknown" : info.audio_codec));
  }
  info.sample_rate = par->sample_rate;
  info.channels = par->ch_layout.nb_channels;
  info.audio_bit_rate = par->bit_rate;
  if (impl_->fmt->duration != AV_NOPTS_VALUE && impl_->fmt->duration > 0) {
    info.duration_s = static_cast<double>(impl_->fmt->duration) / AV_TIME_BASE;
  } else if (audio->duration != AV_NOPTS_VALUE && audio->duration > 0) {
    info.duration_s = static_cast<double>(audio->duration) * av_q2d(audio->time_base);
  }
  if (info.audio_bit_rate == 0 && info.duration_s > 0 && !info.has_video) {
    info.audio_bit_rate = static_cast<int64_t>(size * 8 / info.duration_s);
  }
  if (info.duration_s > limits.max_duration_s) {
    reject(RejectReason::kTooLong,
           fmt::format("too long: {} (limit {})", fmt_duration(info.duration_s),
                       fmt_duration(limits.max_duration_s)));
  }
}

void OpenedInput::verify_duration(const MediaLimits& limits) {
  AVFormatContext* fmt = impl_->fmt;
  const AVStream* st = fmt->streams[impl_->audio_index];
  const AVCodecParameters* par = st->codecpar;
  const double tb = av_q2d(st->time_base);
  const double min_packet_s =
      fixed_frame_codec(par->codec_id) && par->frame_size > 0 && par->sample_rate > 0
          ? static_cast<double>(par->frame_size) / par->sample_rate
          : 0;
  const double stop_s = limits.max_duration_s + kDurationSlackS;
  AVPacket* pkt = av_packet_alloc();
  if (!pkt) throw std::bad_alloc();
  // Both the span of the timestamps (last pts + duration - first pts) and the sum of the
  // packets' durations: timestamps rewritten to stay small do not shrink the sum, and a sum of
  // missing durations does not hide a long span. Doubles: hostile timestamps may be near
  // INT64_MAX, where integer sums overflow.
  double first_s = 0, end_s = 0, sum_s = 0, measured_s = 0;
  bool timed = false;
  int64_t packets = 0;
  while (measured_s <= stop_s && av_read_frame(fmt, pkt) >= 0) {
    if (pkt->stream_index == impl_->audio_index) {
      ++packets;
      const double d =
          std::max(pkt->duration > 0 ? static_cast<double>(pkt->duration) * tb : 0.0, min_packet_s);
      sum_s += d;
      if (pkt->pts != AV_NOPTS_VALUE) {
        const double t = static_cast<double>(pkt->pts) * tb;
        first_s = timed ? std::min(first_s, t) : t;
        end_s = timed ? std::max(end_s, t + d) : t + d;
        timed = true;
      }
      measured_s = std::max(sum_s, timed ? end_s - first_s : 0.0);
    }
    av_packet_unref(pkt);
  }
  av_packet_free(&pkt);
  if (!std::isfinite(measured_s) || measured_s > stop_s) {
    reject(RejectReason::kTooLong,
           fmt::format("too long: over {} (limit {}; the header says {})", fmt_duration(stop_s),
                       fmt_duration(limits.max_duration_s), fmt_duration(impl_->info.duration_s)));
  }
  MediaInfo& info = impl_->info;
  if (packets > 0 && (info.duration_s <= 0 || measured_s > info.duration_s + kDurationSlackS)) {
    // Within the slack past the limit is rounding, not audio: the limit still holds.
    info.duration_s = std::min(measured_s, limits.max_duration_s);
  }
}

OpenedInput::~OpenedInput() = default;

AVFormatContext* OpenedInput::format_context() const { return impl_->fmt; }
int OpenedInput::audio_stream_index() const { return impl_->audio_index; }
const MediaInfo& OpenedInput::info() const { return impl_->info; }

}  // namespace tgscribe::media
