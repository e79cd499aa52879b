#pragma once
// Silence found from decoded PCM energy, streaming (a 20 ms window at a time), and the helpers
// that use it: the span that holds speech, and chunk boundaries placed inside silences so no
// word is cut. Times are seconds in the original recording's timeline.
#include <functional>
#include <vector>

#include "media/media_info.h"
#include "media/media_source.h"

namespace tgscribe::media {

class PcmDecoder;

struct Interval {
  double start_s = 0;
  double end_s = 0;
  double length() const { return end_s - start_s; }
  bool operator==(const Interval&) const = default;
};

struct SilenceOptions {
  double min_silence_s = 1.0;  // shorter pauses are part of speech
  double threshold_db = -40;   // windows quieter than this (dBFS RMS) are silent
  double window_s = 0.02;
  std::function<bool()> cancelled;  // optional: polled every second of audio; true throws
                                    // Error(kCancelled)
};

// Reads the decoder to its end. Silent runs at the start and end are included.
std::vector<Interval> find_silences(PcmDecoder& decoder, const SilenceOptions& options = {});
// Opens the source as 16 kHz mono. Throws MediaRejected.
std::vector<Interval> find_silences(const MediaSource& source, const SilenceOptions& options = {},
                                    const MediaLimits& limits = {});

// [first speech - pad, last speech + pad] within [0, duration]; the whole file when there is no
// silence; an empty interval (start == end) when it is all silence.
Interval speech_span(const std::vector<Interval>& silences, double duration_s, double pad_s = 0.3);

struct ChunkOptions {
  double max_chunk_s = 600;  // every chunk, overlap included, is at most this long
  double overlap_s = 1.0;    // neighbours share this much audio around a cut
  double min_chunk_s = 0;    // no chunk but the last is shorter (engines bill a minimum)
  double pad_s = 0.3;        // silence kept at a chunk's edges when trimming it
};

// Splits `span` into chunks, cutting in the middle of the latest long-enough silence that
// keeps a chunk within max_chunk_s (a hard cut when there is none), and trims silence at every
// chunk's edges, dropping chunks that are only silence: long silent stretches are not sent.
std::vector<Interval> chunk_at_silences(Interval span, const std::vector<Interval>& silences,
                                        const ChunkOptions& options);

}  // namespace tgscribe::media
