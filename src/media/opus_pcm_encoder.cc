#include "media/opus_pcm_encoder.h"

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/channel_layout.h>
#include <libavutil/intreadwrite.h>
#include <libavutil/mem.h>
}

#include <fmt/format.h>
#include <opus.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <vector>

#include "common/error.h"
#include "media/ffmpeg_log.h"

namespace tgscribe::media {
namespace {

[[noreturn]] void fail(const std::string& what, int rc = 0) {
  char buf[AV_ERROR_MAX_STRING_SIZE] = {};
  if (rc < 0) av_strerror(rc, buf, sizeof buf);
  throw Error(ErrorKind::kInternal,
              rc < 0 ? fmt::format("opus encode: {}: {}", what, buf) : "opus encode: " + what);
}

// The muxer writes into memory (a chunk is ~4 kB per second of audio) and the file is written
// once at the end. Seekable like a file, so WebM gets the same duration and cues.
struct MemoryFile {
  std::vector<uint8_t> bytes;
  size_t pos = 0;
};

int memory_write(void* opaque, uint8_t* buf, int size) {
  auto* m = static_cast<MemoryFile*>(opaque);
  const size_t n = static_cast<size_t>(size);
  if (m->pos + n > m->bytes.size()) m->bytes.resize(m->pos + n);
  std::memcpy(m->bytes.data() + m->pos, buf, n);
  m->pos += n;
  return size;
}

int64_t memory_seek(void* opaque, int64_t offset, int whence) {
  auto* m = static_cast<MemoryFile*>(opaque);
  whence &= ~AVSEEK_FORCE;
  const auto size = static_cast<int64_t>(m->bytes.size());
  if (whence == AVSEEK_SIZE) return size;
  int64_t base = 0;
  if (whence == SEEK_CUR) {
    base = static_cast<int64_t>(m->pos);
  } else if (whence == SEEK_END) {
    base = size;
  } else if (whence != SEEK_SET) {
    return AVERROR(EINVAL);
  }
  if (base + offset < 0) return AVERROR(EINVAL);
  m->pos = static_cast<size_t>(base + offset);
  return base + offset;
}

struct Muxer {
  MemoryFile file;
  AVIOContext* avio = nullptr;
  AVFormatContext* fmt = nullptr;
  AVPacket* pkt = nullptr;
  OpusEncoder* enc = nullptr;
  ~Muxer() {
    if (enc) opus_encoder_destroy(enc);
    av_packet_free(&pkt);
    if (fmt) avformat_free_context(fmt);
    if (avio) {
      av_freep(&avio->buffer);
      avio_context_free(&avio);
    }
  }
};

void check_options(const EncodeOptions& o) {
  if (o.codec != AudioCodec::kOpus) throw std::invalid_argument("opus encode: not Opus");
  if (o.container != Container::kOgg && o.container != Container::kWebm) {
    throw std::invalid_argument("opus encode: Opus goes in Ogg or WebM");
  }
  EncodeOptions whole = o;  // start_s/end_s do not apply to PCM, as in encode_pcm
  whole.start_s = 0;
  whole.end_s = -1;
  validate_encode_options(whole);  // the rules every encoder applies
}

// The encoder as libavcodec's libopus wrapper (FFmpeg 5.1) configures it for encode_pcm:
// application voip, constrained VBR, no FEC, no expected loss, phase inversion allowed.
OpusEncoder* open_encoder(const EncodeOptions& o) {
  int err = OPUS_OK;
  OpusEncoder* enc = opus_encoder_create(o.sample_rate, o.channels, OPUS_APPLICATION_VOIP, &err);
  if (!enc || err != OPUS_OK) fail(fmt::format("create: {}", opus_strerror(err)));
  const bool ok = opus_encoder_ctl(enc, OPUS_SET_BITRATE(o.bitrate)) == OPUS_OK &&
                  opus_encoder_ctl(enc, OPUS_SET_COMPLEXITY(o.complexity)) == OPUS_OK &&
                  opus_encoder_ctl(enc, OPUS_SET_VBR(1)) == OPUS_OK &&
                  opus_encoder_ctl(enc, OPUS_SET_VBR_CONSTRAINT(1)) == OPUS_OK &&
                  opus_encoder_ctl(enc, OPUS_SET_PACKET_LOSS_PERC(0)) == OPUS_OK &&
                  opus_encoder_ctl(enc, OPUS_SET_INBAND_FEC(0)) == OPUS_OK &&
                  opus_encoder_ctl(enc, OPUS_SET_PHASE_INVERSION_DISABLED(0)) == OPUS_OK;
  if (!ok) {
    opus_encoder_destroy(enc);
    fail("configure");
  }
  return enc;
}

// RFC 7845 identification header, mapping family 0 (mono or stereo), as the wrapper writes it.
void set_opus_head(AVCodecParameters* par, int channels, int lookahead, int sample_rate) {
  constexpr int kSize = 19;
  par->extradata = static_cast<uint8_t*>(av_mallocz(kSize + AV_INPUT_BUFFER_PADDING_SIZE));
  if (!par->extradata) throw std::bad_alloc();
  par->extradata_size = kSize;
  uint8_t* p = par->extradata;
  std::memcpy(p, "OpusHead", 8);
  p[8] = 1;  // version
  p[9] = static_cast<uint8_t>(channels);
  AV_WL16(p + 10, static_cast<unsigned>(lookahead * 48000 / sample_rate));  // pre-skip, 48 kHz
  AV_WL32(p + 12, static_cast<unsigned>(sample_rate));                      // input rate
  AV_WL16(p + 16, 0);                                                       // gain
  p[18] = 0;                                                                // mapping family
}

}  // namespace

EncodeResult encode_pcm_opus(std::span<const int16_t> pcm, const std::filesystem::path& out,
                             const EncodeOptions& options) {
  check_options(options);
  route_ffmpeg_logs();
  Muxer m;
  m.enc = open_encoder(options);
  opus_int32 lookahead = 0;
  if (opus_encoder_ctl(m.enc, OPUS_GET_LOOKAHEAD(&lookahead)) != OPUS_OK) fail("lookahead");
  const int ch = options.channels;
  const int rate = options.sample_rate;
  const int frame = rate / 50;  // 20 ms, the wrapper's default frame

  const char* container = to_string(options.container);
  if (avformat_alloc_output_context2(&m.fmt, nullptr, container, nullptr) < 0) {
    fail(fmt::format("no {} muxer", container));
  }
  constexpr int kBuf = 64 * 1024;
  auto* buffer = static_cast<uint8_t*>(av_malloc(kBuf));
  m.avio = avio_alloc_context(buffer, kBuf, 1, &m.file, nullptr, memory_write, memory_seek);
  if (!m.avio) {
    av_free(buffer);
    throw std::bad_alloc();
  }
  m.fmt->pb = m.avio;
  m.fmt->flags |= AVFMT_FLAG_CUSTOM_IO;

  AVStream* st = avformat_new_stream(m.fmt, nullptr);
  if (!st) throw std::bad_alloc();
  AVCodecParameters* par = st->codecpar;
  par->codec_type = AVMEDIA_TYPE_AUDIO;
  par->codec_id = AV_CODEC_ID_OPUS;
  par->bit_rate = options.bitrate;
  par->format = AV_SAMPLE_FMT_S16;
  av_channel_layout_default(&par->ch_layout, ch);
  par->sample_rate = rate;
  par->frame_size = frame;
  par->initial_padding = lookahead;
  set_opus_head(par, ch, lookahead, rate);
  const AVRational in_tb{1, rate};
  st->time_base = in_tb;
  int rc = avformat_write_header(m.fmt, nullptr);
  if (rc < 0) fail("write header", rc);

  // Packet k holds input [k*frame, (k+1)*frame), the last one padded with zeros, and as many
  // frames of zeros follow as the encoder's lookahead needs: its timestamps start `lookahead`
  // early, and the padding past the end is marked to be skipped (as libavcodec does).
  const auto samples = static_cast<int64_t>(pcm.size() / static_cast<size_t>(ch));
  const int64_t packets = samples > 0 ? (samples + lookahead + frame - 1) / frame : 0;
  std::vector<int16_t> in(static_cast<size_t>(frame) * ch);
  std::vector<uint8_t> data(4000);  // one 20 ms Opus frame is at most 1275 bytes
  m.pkt = av_packet_alloc();
  if (!m.pkt) throw std::bad_alloc();
  for (int64_t k = 0; k < packets; ++k) {
    if (options.cancelled && options.cancelled()) {
      throw Error(ErrorKind::kCancelled, "encode cancelled");
    }
    const int64_t from = k * frame;
    const int64_t real = std::clamp<int64_t>(samples - from, 0, frame);
    if (real > 0) {
      std::copy_n(pcm.data() + from * ch, real * ch, in.begin());
    }
    std::fill(in.begin() + real * ch, in.end(), 0);
    const opus_int32 n =
        opus_encode(m.enc, in.data(), frame, data.data(), static_cast<opus_int32>(data.size()));
    if (n < 0) fail(fmt::format("encode: {}", opus_strerror(n)));
    if ((rc = av_new_packet(m.pkt, n)) < 0) fail("packet", rc);
    std::memcpy(m.pkt->data, data.data(), static_cast<size_t>(n));
    m.pkt->pts = m.pkt->dts = from - lookahead;
    m.pkt->duration = std::min<int64_t>(frame, samples + lookahead - from);
    if (m.pkt->duration < frame) {
      uint8_t* skip = av_packet_new_side_data(m.pkt, AV_PKT_DATA_SKIP_SAMPLES, 10);
      if (!skip) throw std::bad_alloc();
      AV_WL32(skip + 4, static_cast<unsigned>(frame - m.pkt->duration));
    }
    m.pkt->flags |= AV_PKT_FLAG_KEY;
    av_packet_rescale_ts(m.pkt, in_tb, st->time_base);
    m.pkt->stream_index = st->index;
    if ((rc = av_interleaved_write_frame(m.fmt, m.pkt)) < 0) fail("write", rc);
  }
  if ((rc = av_write_trailer(m.fmt)) < 0) fail("write trailer", rc);
  avio_flush(m.avio);
  if (m.avio->error < 0) fail("write", m.avio->error);

  std::FILE* f = std::fopen(out.c_str(), "wb");
  if (!f) fail(fmt::format("cannot create output file: {}", std::strerror(errno)));
  const bool written =
      std::fwrite(m.file.bytes.data(), 1, m.file.bytes.size(), f) == m.file.bytes.size();
  if (std::fclose(f) != 0 || !written) {
    std::error_code ec;
    std::filesystem::remove(out, ec);
    fail("write failed (disk full?)");
  }
  EncodeResult result;
  result.bytes = static_cast<int64_t>(m.file.bytes.size());
  result.duration_s = static_cast<double>(samples) / rate;
  return result;
}

}  // namespace tgscribe::media
