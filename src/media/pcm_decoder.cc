#include "media/pcm_decoder.h"

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/channel_layout.h>
#include <libavutil/samplefmt.h>
#include <libswresample/swresample.h>
}

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

#include "media/input_guard.h"
#include "media/media_error.h"

namespace tgscribe::media {
namespace {
// A handful of bad packets is normal in real files (a damaged page, a glitch at a cut); a
// stream that never yields a frame after this many is not audio we can use.
constexpr int kMaxErrorsBeforeFirstFrame = 64;
}  // namespace

struct PcmDecoder::Impl {
  std::unique_ptr<OpenedInput> input;
  PcmFormat format;
  MediaLimits limits;
  AVFormatContext* fmt = nullptr;
  AVStream* stream = nullptr;
  AVCodecContext* dec = nullptr;
  AVPacket* pkt = nullptr;
  AVFrame* frame = nullptr;
  SwrContext* swr = nullptr;
  AVChannelLayout out_layout{};
  AVChannelLayout swr_in_layout{};
  int swr_in_rate = 0;
  int swr_in_format = -1;

  std::vector<int16_t> pending;  // decoded, converted samples not yet returned
  size_t pending_pos = 0;
  bool demux_eof = false;
  bool finished = false;
  int errors = 0;
  int64_t frames = 0;

  double base_s = 0;        // position of the first sample after the last seek
  int64_t samples_out = 0;  // per-channel samples returned since then
  double skip_until = -1;   // input earlier than this is dropped (after a seek)
  double next_in_t = 0;     // time of the next input sample when a frame has no timestamp

  ~Impl() {
    swr_free(&swr);
    av_frame_free(&frame);
    av_packet_free(&pkt);
    avcodec_free_context(&dec);
    av_channel_layout_uninit(&out_layout);
    av_channel_layout_uninit(&swr_in_layout);
  }

  void open() {
    fmt = input->format_context();
    stream = fmt->streams[input->audio_stream_index()];
    const AVCodec* codec = avcodec_find_decoder(stream->codecpar->codec_id);
    dec = avcodec_alloc_context3(codec);
    pkt = av_packet_alloc();
    frame = av_frame_alloc();
    if (!dec || !pkt || !frame) throw std::bad_alloc();
    avcodec_parameters_to_context(dec, stream->codecpar);
    dec->pkt_timebase = stream->time_base;
    dec->thread_count = 1;  // bounded CPU and memory on a shared worker
    if (avcodec_open2(dec, codec, nullptr) < 0) {
      throw MediaRejected(RejectReason::kUnsupported,
                          fmt::format("unsupported audio codec ({})", codec->name));
    }
    av_channel_layout_default(&out_layout, format.channels);
  }

  void configure_resampler(const AVFrame* f) {
    AVChannelLayout in_layout{};
    if (f->ch_layout.order == AV_CHANNEL_ORDER_UNSPEC || f->ch_layout.nb_channels == 0) {
      av_channel_layout_default(&in_layout, std::max(1, f->ch_layout.nb_channels));
    } else {
      av_channel_layout_copy(&in_layout, &f->ch_layout);
    }
    if (swr && swr_in_rate == f->sample_rate && swr_in_format == f->format &&
        av_channel_layout_compare(&swr_in_layout, &in_layout) == 0) {
      av_channel_layout_uninit(&in_layout);
      return;
    }
    // The input changed mid-stream (rare: chained Ogg streams): start a new resampler.
    swr_free(&swr);
    int rc =
        swr_alloc_set_opts2(&swr, &out_layout, AV_SAMPLE_FMT_S16, format.sample_rate, &in_layout,
                            static_cast<AVSampleFormat>(f->format), f->sample_rate, 0, nullptr);
    if (rc < 0 || swr_init(swr) < 0) {
      av_channel_layout_uninit(&in_layout);
      throw MediaRejected(RejectReason::kUnsupported, "unsupported audio sample format");
    }
    av_channel_layout_uninit(&swr_in_layout);
    swr_in_layout = in_layout;
    swr_in_rate = f->sample_rate;
    swr_in_format = f->format;
  }

  void append_converted(const uint8_t** in, int in_count) {
    if (pending_pos > 0 && pending_pos == pending.size()) {
      pending.clear();
      pending_pos = 0;
    } else if (pending_pos > 0) {
      pending.erase(pending.begin(), pending.begin() + static_cast<long>(pending_pos));
      pending_pos = 0;
    }
    const int room = swr_get_out_samples(swr, in_count);
    if (room <= 0) return;
    const size_t old = pending.size();
    pending.resize(old + static_cast<size_t>(room) * format.channels);
    auto* out = reinterpret_cast<uint8_t*>(pending.data() + old);
    int got = swr_convert(swr, &out, room, in, in_count);
    if (got < 0) got = 0;
    pending.resize(old + static_cast<size_t>(got) * format.channels);
  }

  void process_frame() {
    ++frames;
    // A stream may change shape mid-way (chained Ogg): what a frame claims is checked before
    // the resampler and the pending buffer are sized from it.
    check_audio_shape(frame->sample_rate, frame->ch_layout.nb_channels, frame->nb_samples);
    const int rate = frame->sample_rate > 0 ? frame->sample_rate : dec->sample_rate;
    if (rate <= 0 || frame->ch_layout.nb_channels <= 0) corrupt();
    const int n = frame->nb_samples;
    double t = next_in_t;
    if (frame->best_effort_timestamp != AV_NOPTS_VALUE) {
      int64_t ts = frame->best_effort_timestamp;
      if (stream->start_time != AV_NOPTS_VALUE) ts -= stream->start_time;
      t = static_cast<double>(ts) * av_q2d(stream->time_base);
    }
    next_in_t = t + static_cast<double>(n) / rate;
    int offset = 0;
    if (skip_until >= 0) {
      if (next_in_t <= skip_until) return;
      offset = std::clamp(static_cast<int>(std::lround((skip_until - t) * rate)), 0, n);
      skip_until = -1;
    }
    configure_resampler(frame);
    const AVSampleFormat sf = static_cast<AVSampleFormat>(frame->format);
    const int bps = av_get_bytes_per_sample(sf);
    const int ch = frame->ch_layout.nb_channels;
    std::vector<const uint8_t*> planes;
    if (av_sample_fmt_is_planar(sf)) {
      for (int c = 0; c < ch; ++c) planes.push_back(frame->extended_data[c] + offset * bps);
    } else {
      planes.push_back(frame->extended_data[0] + static_cast<size_t>(offset) * bps * ch);
    }
    append_converted(planes.data(), n - offset);
  }

  // Decodes until new samples are pending or the stream ends; false at the end.
  bool decode_more() {
    while (!finished) {
      int rc = avcodec_receive_frame(dec, frame);
      if (rc == 0) {
        process_frame();
        av_frame_unref(frame);
        if (pending_pos < pending.size()) return true;
        continue;
      }
      if (rc == AVERROR_EOF || (rc != AVERROR(EAGAIN) && frames > 0)) {
        finish();
        return pending_pos < pending.size();
      }
      if (rc != AVERROR(EAGAIN)) corrupt();
      if (demux_eof) {  // flushed and still EAGAIN: nothing more will come
        finish();
        return pending_pos < pending.size();
      }
      rc = av_read_frame(fmt, pkt);
      if (rc < 0) {
        // EOF, or a truncated file: decode what we have.
        demux_eof = true;
        avcodec_send_packet(dec, nullptr);
        continue;
      }
      if (pkt->stream_index != stream->index) {
        av_packet_unref(pkt);
        continue;
      }
      rc = avcodec_send_packet(dec, pkt);
      av_packet_unref(pkt);
      if (rc < 0 && rc != AVERROR(EAGAIN)) {
        if (++errors > kMaxErrorsBeforeFirstFrame && frames == 0) corrupt();
      }
    }
    return pending_pos < pending.size();
  }

  void finish() {
    finished = true;
    if (frames == 0) corrupt();
    if (swr) append_converted(nullptr, 0);  // the resampler's delayed tail
  }

  [[noreturn]] void corrupt() {
    throw MediaRejected(RejectReason::kCorrupt, "truncated or corrupt media");
  }

  double position() const { return base_s + static_cast<double>(samples_out) / format.sample_rate; }
};

PcmDecoder::PcmDecoder(const std::filesystem::path& path, const MediaLimits& limits,
                       PcmFormat format)
    : PcmDecoder(MediaSource::from_path(path), limits, format) {}

PcmDecoder::PcmDecoder(const MediaSource& source, const MediaLimits& limits, PcmFormat format)
    : impl_(std::make_unique<Impl>()) {
  if (format.sample_rate < 1000 || format.sample_rate > 192000 || format.channels < 1 ||
      format.channels > 8) {
    throw std::invalid_argument("PcmDecoder: unsupported output format");
  }
  impl_->format = format;
  impl_->limits = limits;
  impl_->input = std::make_unique<OpenedInput>(source, limits);
  impl_->open();
}

PcmDecoder::~PcmDecoder() = default;

const MediaInfo& PcmDecoder::info() const { return impl_->input->info(); }
const PcmFormat& PcmDecoder::format() const { return impl_->format; }
double PcmDecoder::position_s() const { return impl_->position(); }

size_t PcmDecoder::read(int16_t* out, size_t max_samples) {
  auto& d = *impl_;
  const size_t ch = static_cast<size_t>(d.format.channels);
  max_samples -= max_samples % ch;
  size_t written = 0;
  while (written < max_samples) {
    if (d.pending_pos >= d.pending.size() && !d.decode_more()) break;
    size_t n = std::min(max_samples - written, d.pending.size() - d.pending_pos);
    std::memcpy(out + written, d.pending.data() + d.pending_pos, n * sizeof(int16_t));
    d.pending_pos += n;
    written += n;
  }
  d.samples_out += static_cast<int64_t>(written / ch);
  // A header can understate the duration; the limit holds for what is actually decoded.
  if (d.position() > d.limits.max_duration_s + 1.0) {
    throw MediaRejected(RejectReason::kTooLong, fmt::format("too long: over the limit of {:.0f} s",
                                                            d.limits.max_duration_s));
  }
  return written;
}

void PcmDecoder::seek(double seconds) {
  auto& d = *impl_;
  if (seconds < 0) seconds = 0;
  int64_t ts = av_rescale_q(static_cast<int64_t>(seconds * AV_TIME_BASE), AV_TIME_BASE_Q,
                            d.stream->time_base);
  if (d.stream->start_time != AV_NOPTS_VALUE) ts += d.stream->start_time;
  if (av_seek_frame(d.fmt, d.stream->index, ts, AVSEEK_FLAG_BACKWARD) >= 0) {
    avcodec_flush_buffers(d.dec);
    swr_free(&d.swr);
    d.pending.clear();
    d.pending_pos = 0;
    d.demux_eof = false;
    d.finished = false;
    d.next_in_t = seconds;
  } else if (seconds < d.position()) {
    throw MediaRejected(RejectReason::kCorrupt, "cannot seek in this media");
  } else {
    // Not seekable: decode forward and drop what comes before `seconds`. Pending samples
    // already converted are dropped by count.
    size_t drop =
        static_cast<size_t>((seconds - d.position()) * d.format.sample_rate) * d.format.channels;
    size_t avail = d.pending.size() - d.pending_pos;
    d.pending_pos += std::min(drop, avail);
  }
  d.skip_until = seconds;
  d.base_s = seconds;
  d.samples_out = 0;
}

}  // namespace tgscribe::media
