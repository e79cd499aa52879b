#include "media/silence.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "common/error.h"
#include "media/pcm_decoder.h"

namespace tgscribe::media {

std::vector<Interval> find_silences(PcmDecoder& decoder, const SilenceOptions& options) {
  const int rate = decoder.format().sample_rate;
  const int ch = decoder.format().channels;
  const size_t window = static_cast<size_t>(std::max(1.0, options.window_s * rate)) * ch;
  // Mean square below this is silent: compare energies, not logs, per window.
  const double limit = std::pow(10.0, options.threshold_db / 10.0) * 32768.0 * 32768.0;
  std::vector<int16_t> buf(window);
  std::vector<Interval> out;
  double run_start = -1;
  double t = decoder.position_s();
  int64_t windows = 0;
  const int64_t poll_every = std::max<int64_t>(1, std::llround(1.0 / options.window_s));
  while (true) {
    size_t got = 0;
    while (got < window) {
      size_t n = decoder.read(buf.data() + got, window - got);
      if (n == 0) break;
      got += n;
    }
    if (got == 0) break;
    if (options.cancelled && ++windows % poll_every == 0 && options.cancelled()) {
      throw Error(ErrorKind::kCancelled, "cancelled");
    }
    double sum = 0;
    for (size_t i = 0; i < got; ++i) sum += static_cast<double>(buf[i]) * buf[i];
    const bool silent = sum / static_cast<double>(got) < limit;
    const double next = t + static_cast<double>(got / ch) / rate;
    if (silent && run_start < 0) run_start = t;
    if (!silent && run_start >= 0) {
      if (t - run_start >= options.min_silence_s) out.push_back({run_start, t});
      run_start = -1;
    }
    t = next;
    if (got < window) break;
  }
  if (run_start >= 0 && t - run_start >= options.min_silence_s) out.push_back({run_start, t});
  return out;
}

std::vector<Interval> find_silences(const MediaSource& source, const SilenceOptions& options,
                                    const MediaLimits& limits) {
  PcmDecoder decoder(source, limits, PcmFormat{16000, 1});
  return find_silences(decoder, options);
}

Interval speech_span(const std::vector<Interval>& silences, double duration_s, double pad_s) {
  Interval span{0, duration_s};
  for (const auto& s : silences) {
    if (s.start_s <= 0.001 && s.end_s > span.start_s) span.start_s = s.end_s;
    if (s.end_s >= duration_s - 0.001 && s.start_s < span.end_s) span.end_s = s.start_s;
  }
  if (span.end_s <= span.start_s) return {span.start_s, span.start_s};
  span.start_s = std::max(0.0, span.start_s - pad_s);
  span.end_s = std::min(duration_s, span.end_s + pad_s);
  return span;
}

namespace {

// Moves chunk edges that fall inside a silence to the speech side of it.
Interval trim_chunk(Interval c, const std::vector<Interval>& silences, double pad) {
  for (const auto& s : silences) {
    if (s.start_s <= c.start_s + 1e-9 && s.end_s > c.start_s) {
      c.start_s = std::max(c.start_s, s.end_s - pad);
    }
    if (s.start_s < c.end_s && s.end_s >= c.end_s - 1e-9) {
      c.end_s = std::min(c.end_s, s.start_s + pad);
    }
  }
  return c;
}

}  // namespace

std::vector<Interval> chunk_at_silences(Interval span, const std::vector<Interval>& silences,
                                        const ChunkOptions& o) {
  if (o.max_chunk_s <= o.overlap_s) throw std::invalid_argument("chunk: max_chunk_s <= overlap");
  const double half = o.overlap_s / 2;
  std::vector<Interval> cuts;  // raw chunks before trimming
  double start = span.start_s;
  while (span.end_s - start > o.max_chunk_s) {
    // A chunk [start, cut + half] must not exceed max_chunk_s, and (not being the last) must
    // not be shorter than min_chunk_s, nor wastefully short.
    // Nor may it leave a tail shorter than min_chunk_s: the last request would be billed the
    // minimum for a few seconds of audio (Groq: 10 s for a 2 s tail).
    double latest = start + o.max_chunk_s - half;
    const double tail_room = span.end_s - o.min_chunk_s + half;
    if (tail_room < latest && tail_room >= start + o.min_chunk_s - half) latest = tail_room;
    const double earliest = std::min(latest, start + std::max(o.min_chunk_s, o.max_chunk_s / 2));
    double cut = latest;
    double best = -1;
    for (const auto& s : silences) {
      const double mid = (s.start_s + s.end_s) / 2;
      if (mid < earliest || mid > latest) continue;
      // Prefer longer silences (safer cuts), then later ones (fewer chunks).
      const double score = std::min(s.length(), 3.0) * 1000 + mid;
      if (score > best) {
        best = score;
        cut = mid;
      }
    }
    cuts.push_back({start, std::min(span.end_s, cut + half)});
    start = std::max(span.start_s, cut - half);
  }
  cuts.push_back({start, span.end_s});

  std::vector<Interval> out;
  for (size_t i = 0; i < cuts.size(); ++i) {
    Interval c = trim_chunk(cuts[i], silences, o.pad_s);
    if (c.length() <= 0.05) continue;  // only silence
    // Sending less than the engine bills for saves nothing: keep such a chunk whole.
    if (i + 1 < cuts.size() && c.length() < o.min_chunk_s) c = cuts[i];
    out.push_back(c);
  }
  return out;
}

}  // namespace tgscribe::media
