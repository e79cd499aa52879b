#include "media/audio_encoder.h"

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/channel_layout.h>
#include <libavutil/dict.h>
#include <libavutil/mem.h>
#include <libavutil/opt.h>
}

#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <functional>
#include <stdexcept>
#include <vector>

#include "common/error.h"
#include "media/ffmpeg_log.h"
#include "media/input_guard.h"
#include "media/pcm_decoder.h"

namespace tgscribe::media {
namespace {

[[noreturn]] void fail(const std::string& what, int rc = 0) {
  char buf[AV_ERROR_MAX_STRING_SIZE] = {};
  if (rc < 0) av_strerror(rc, buf, sizeof buf);
  throw Error(ErrorKind::kInternal,
              rc < 0 ? fmt::format("encode: {}: {}", what, buf) : "encode: " + what);
}

// Output through stdio on the given path: libavformat's own file protocol would parse the
// path as a URL ("x:y" names a protocol), which a path must never be.
// (FFmpeg 5 declares the buffer non-const.)
int write_cb(void* opaque, uint8_t* buf, int size) {
  auto* f = static_cast<std::FILE*>(opaque);
  return std::fwrite(buf, 1, static_cast<size_t>(size), f) == static_cast<size_t>(size)
             ? size
             : AVERROR(EIO);
}

int64_t out_seek_cb(void* opaque, int64_t offset, int whence) {
  auto* f = static_cast<std::FILE*>(opaque);
  whence &= ~AVSEEK_FORCE;
  if (whence == AVSEEK_SIZE) {
    long cur = std::ftell(f);
    std::fseek(f, 0, SEEK_END);
    long size = std::ftell(f);
    std::fseek(f, cur, SEEK_SET);
    return size;
  }
  if (std::fseek(f, offset, whence) != 0) return AVERROR(EIO);
  return std::ftell(f);
}

struct Output {
  std::filesystem::path path;
  std::FILE* file = nullptr;
  AVIOContext* avio = nullptr;
  AVFormatContext* fmt = nullptr;
  AVCodecContext* enc = nullptr;
  AVFrame* frame = nullptr;
  AVPacket* pkt = nullptr;
  bool done = false;

  ~Output() {
    av_packet_free(&pkt);
    av_frame_free(&frame);
    avcodec_free_context(&enc);
    if (fmt) avformat_free_context(fmt);
    if (avio) {
      av_freep(&avio->buffer);
      avio_context_free(&avio);
    }
    if (file) std::fclose(file);
    if (!done) {
      std::error_code ec;
      std::filesystem::remove(path, ec);
    }
  }
};

void open_output(Output& o, const std::filesystem::path& out, Container container) {
  route_ffmpeg_logs();
  o.path = out;
  o.file = std::fopen(out.c_str(), "wb");
  if (!o.file) fail(fmt::format("cannot create output file: {}", std::strerror(errno)));
  if (avformat_alloc_output_context2(&o.fmt, nullptr, to_string(container), nullptr) < 0) {
    fail(fmt::format("no {} muxer", to_string(container)));
  }
  constexpr int kBuf = 64 * 1024;
  auto* buffer = static_cast<uint8_t*>(av_malloc(kBuf));
  o.avio = avio_alloc_context(buffer, kBuf, 1, o.file, nullptr, write_cb, out_seek_cb);
  if (!o.avio) {
    av_free(buffer);
    throw std::bad_alloc();
  }
  o.fmt->pb = o.avio;
  o.fmt->flags |= AVFMT_FLAG_CUSTOM_IO;
}

// Trailer, flush and close; the size of what was written.
int64_t close_output(Output& o) {
  int rc = av_write_trailer(o.fmt);
  if (rc < 0) fail("write trailer", rc);
  avio_flush(o.avio);
  if (o.avio->error < 0 || std::fflush(o.file) != 0 || std::ferror(o.file)) {
    fail("write failed (disk full?)");
  }
  std::fclose(o.file);
  o.file = nullptr;
  o.done = true;
  return static_cast<int64_t>(std::filesystem::file_size(o.path));
}

}  // namespace

void validate_encode_options(const EncodeOptions& o) {
  if (o.channels < 1 || o.channels > 2) throw std::invalid_argument("encode: 1 or 2 channels");
  if (o.codec == AudioCodec::kOpus) {
    if (o.container == Container::kFlac) throw std::invalid_argument("encode: Opus in FLAC");
    const int r = o.sample_rate;
    if (r != 8000 && r != 12000 && r != 16000 && r != 24000 && r != 48000) {
      throw std::invalid_argument("encode: Opus needs 8, 12, 16, 24 or 48 kHz");
    }
    if (o.bitrate < 6000 || o.bitrate > 510000) {
      throw std::invalid_argument("encode: Opus bitrate must be 6..510 kbit/s");
    }
    if (o.complexity < 0 || o.complexity > 10) {
      throw std::invalid_argument("encode: Opus complexity must be 0..10");
    }
  } else if (o.container == Container::kWebm) {
    throw std::invalid_argument("encode: FLAC in WebM");
  }
  if (o.end_s >= 0 && o.end_s <= o.start_s) throw std::invalid_argument("encode: empty range");
}

namespace {

void drain(Output& o, AVStream* st) {
  while (true) {
    int rc = avcodec_receive_packet(o.enc, o.pkt);
    if (rc == AVERROR(EAGAIN) || rc == AVERROR_EOF) return;
    if (rc < 0) fail("encoder", rc);
    av_packet_rescale_ts(o.pkt, o.enc->time_base, st->time_base);
    o.pkt->stream_index = st->index;
    rc = av_interleaved_write_frame(o.fmt, o.pkt);
    if (rc < 0) fail("write", rc);
  }
}

}  // namespace

const char* to_string(AudioCodec codec) { return codec == AudioCodec::kOpus ? "opus" : "flac"; }

const char* to_string(Container container) {
  switch (container) {
    case Container::kOgg:
      return "ogg";
    case Container::kWebm:
      return "webm";
    case Container::kFlac:
      return "flac";
  }
  return "ogg";
}

namespace {

// The encoder proper, fed by `read` (interleaved samples in the output format, 0 at the end):
// the same settings whether the samples come from a file or from memory.
EncodeResult encode_samples(const std::function<size_t(int16_t*, size_t)>& read,
                            const std::filesystem::path& out, const EncodeOptions& options) {
  Output o;
  open_output(o, out, options.container);
  const AVCodec* codec = options.codec == AudioCodec::kOpus
                             ? avcodec_find_encoder_by_name("libopus")
                             : avcodec_find_encoder(AV_CODEC_ID_FLAC);
  if (!codec) fail(fmt::format("no {} encoder in this FFmpeg", to_string(options.codec)));

  o.enc = avcodec_alloc_context3(codec);
  o.enc->sample_rate = options.sample_rate;
  o.enc->sample_fmt = AV_SAMPLE_FMT_S16;
  av_channel_layout_default(&o.enc->ch_layout, options.channels);
  o.enc->time_base = AVRational{1, options.sample_rate};
  if (options.codec == AudioCodec::kOpus) o.enc->bit_rate = options.bitrate;
  if (o.fmt->oformat->flags & AVFMT_GLOBALHEADER) o.enc->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
  AVDictionary* enc_opts = nullptr;
  if (options.codec == AudioCodec::kOpus) {
    // Speech-tuned mode, and constrained VBR so the planned size (bitrate x duration) holds.
    av_dict_set(&enc_opts, "application", "voip", 0);
    av_dict_set(&enc_opts, "vbr", "constrained", 0);
    av_dict_set_int(&enc_opts, "compression_level", options.complexity, 0);
  }
  int rc = avcodec_open2(o.enc, codec, &enc_opts);
  av_dict_free(&enc_opts);
  if (rc < 0) fail("open encoder", rc);

  AVStream* st = avformat_new_stream(o.fmt, nullptr);
  if (!st) throw std::bad_alloc();
  st->time_base = o.enc->time_base;
  avcodec_parameters_from_context(st->codecpar, o.enc);
  rc = avformat_write_header(o.fmt, nullptr);
  if (rc < 0) fail("write header", rc);

  const bool variable = codec->capabilities & AV_CODEC_CAP_VARIABLE_FRAME_SIZE;
  const bool small_last = codec->capabilities & AV_CODEC_CAP_SMALL_LAST_FRAME;
  const int frame_size = (variable || o.enc->frame_size <= 0) ? 4096 : o.enc->frame_size;
  const int ch = options.channels;
  int64_t remaining =
      options.end_s < 0
          ? INT64_MAX
          : static_cast<int64_t>((options.end_s - options.start_s) * options.sample_rate + 0.5);
  o.frame = av_frame_alloc();
  o.pkt = av_packet_alloc();
  std::vector<int16_t> pcm(static_cast<size_t>(frame_size) * ch);
  int64_t pts = 0;
  while (remaining > 0) {
    if (options.cancelled && options.cancelled()) {
      throw Error(ErrorKind::kCancelled, "encode cancelled");
    }
    const int64_t want = std::min<int64_t>(frame_size, remaining);
    size_t got = 0;
    while (got < static_cast<size_t>(want) * ch) {
      size_t n = read(pcm.data() + got, static_cast<size_t>(want) * ch - got);
      if (n == 0) break;
      got += n;
    }
    int samples = static_cast<int>(got / ch);
    if (samples == 0) break;
    remaining -= samples;
    int frame_samples = samples;
    if (samples < frame_size && !variable && !small_last) {
      std::fill(pcm.begin() + static_cast<long>(got), pcm.end(), 0);  // pad the last frame
      frame_samples = frame_size;
    }
    av_frame_unref(o.frame);
    o.frame->nb_samples = frame_samples;
    o.frame->format = AV_SAMPLE_FMT_S16;
    o.frame->sample_rate = options.sample_rate;
    av_channel_layout_copy(&o.frame->ch_layout, &o.enc->ch_layout);
    if ((rc = av_frame_get_buffer(o.frame, 0)) < 0) fail("frame", rc);
    std::memcpy(o.frame->data[0], pcm.data(),
                static_cast<size_t>(frame_samples) * ch * sizeof(int16_t));
    o.frame->pts = pts;
    pts += samples;
    if ((rc = avcodec_send_frame(o.enc, o.frame)) < 0) fail("encoder", rc);
    drain(o, st);
    if (samples < want) break;  // end of input
  }
  if ((rc = avcodec_send_frame(o.enc, nullptr)) < 0) fail("encoder flush", rc);
  drain(o, st);
  EncodeResult result;
  result.bytes = close_output(o);
  result.duration_s = static_cast<double>(pts) / options.sample_rate;
  return result;
}

}  // namespace

EncodeResult encode_audio(const MediaSource& source, const std::filesystem::path& out,
                          const EncodeOptions& options, const MediaLimits& limits) {
  validate_encode_options(options);
  PcmDecoder dec(source, limits, PcmFormat{options.sample_rate, options.channels});
  if (options.start_s > 0) dec.seek(options.start_s);
  return encode_samples([&dec](int16_t* buf, size_t n) { return dec.read(buf, n); }, out, options);
}

EncodeResult encode_pcm(std::span<const int16_t> pcm, const std::filesystem::path& out,
                        const EncodeOptions& options) {
  EncodeOptions whole = options;
  whole.start_s = 0;
  whole.end_s = -1;
  validate_encode_options(whole);
  size_t pos = 0;
  return encode_samples(
      [&](int16_t* buf, size_t n) {
        n = std::min(n, pcm.size() - pos);
        std::copy_n(pcm.data() + pos, n, buf);
        pos += n;
        return n;
      },
      out, whole);
}

EncodeResult remux_audio(const MediaSource& source, const std::filesystem::path& out,
                         Container container, const MediaLimits& limits) {
  OpenedInput in(source, limits);
  AVFormatContext* ifmt = in.format_context();
  AVStream* ist = ifmt->streams[in.audio_stream_index()];
  Output o;
  open_output(o, out, container);
  AVStream* ost = avformat_new_stream(o.fmt, nullptr);
  if (!ost) throw std::bad_alloc();
  int rc = avcodec_parameters_copy(ost->codecpar, ist->codecpar);
  if (rc < 0) fail("copy parameters", rc);
  ost->codecpar->codec_tag = 0;
  ost->time_base = ist->time_base;
  if ((rc = avformat_write_header(o.fmt, nullptr)) < 0) {
    fail(fmt::format("{} cannot hold {}", to_string(container), in.info().audio_codec), rc);
  }
  o.pkt = av_packet_alloc();
  int64_t first = AV_NOPTS_VALUE, last = 0;
  while (av_read_frame(ifmt, o.pkt) >= 0) {
    if (o.pkt->stream_index != ist->index) {
      av_packet_unref(o.pkt);
      continue;
    }
    if (o.pkt->pts != AV_NOPTS_VALUE) {
      if (first == AV_NOPTS_VALUE) first = o.pkt->pts;
      last = std::max(last, o.pkt->pts + o.pkt->duration);
    }
    av_packet_rescale_ts(o.pkt, ist->time_base, ost->time_base);
    o.pkt->stream_index = ost->index;
    o.pkt->pos = -1;
    rc = av_interleaved_write_frame(o.fmt, o.pkt);
    if (rc < 0) fail("write", rc);
  }
  EncodeResult result;
  result.bytes = close_output(o);
  result.duration_s = first == AV_NOPTS_VALUE
                          ? in.info().duration_s
                          : static_cast<double>(last - first) * av_q2d(ist->time_base);
  return result;
}

}  // namespace tgscribe::media
