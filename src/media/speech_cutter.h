#pragma once
// Cuts decoded PCM into upload chunks in the same pass that decodes it: silence is found
// window by window (the energy test of media/silence.h), a chunk ends in the first pause after
// it reaches its target length, and, when asked, long silences are left out of the audio
// altogether. Each chunk records which spans of the original it is made of, so the engine's
// times can be put back on the original clock. Memory: the chunk being built, one chunk held
// back (so a short tail can join it) and one silence run of at most `skip_min_s`.
#include <cstdint>
#include <functional>
#include <vector>

#include "media/silence.h"

namespace tgscribe::media {

struct CutterOptions {
  int sample_rate = 16000;
  int channels = 1;
  double target_s = 300;       // a chunk ends at the first pause after this much audio
  double first_target_s = 60;  // the first one sooner, so the first upload starts early
  double max_s = 450;          // no pause by then: a hard cut, with overlap
  // The recording's length when known (0: unknown). The last chunks are then made shorter
  // (each about half of what is left, never under first_target_s): the last chunk is encoded
  // on one core and waited for alone, so a short one ends the job sooner (bench/long_media).
  double total_s = 0;
  // No chunk but a lone one is shorter (the engine bills this minimum per request): a short
  // tail joins the chunk before it.
  double min_s = 0;
  double overlap_s = 1.0;    // audio shared by the two sides of a hard cut
  double cut_pause_s = 0.5;  // a pause this long is a place to cut (0.2 s past 1.1x target)
  bool skip_silence = false;
  double skip_min_s = 2.0;  // silences at least this long are left out (skip_silence)
  double pad_s = 0.3;       // silence kept next to speech where a silence is left out
  double threshold_db = -40;
  double window_s = 0.02;
};

struct PcmChunk {
  int index = 0;
  std::vector<int16_t> pcm;    // interleaved, in the cutter's format
  std::vector<Interval> kept;  // spans of the original, in order, that `pcm` is made of
  bool has_speech = false;     // false: only silence (not worth a request)
  double start_s() const { return kept.empty() ? 0 : kept.front().start_s; }
  double end_s() const { return kept.empty() ? 0 : kept.back().end_s; }
};

class SpeechCutter {
 public:
  using Sink = std::function<void(PcmChunk&&)>;
  // `sink` receives chunks in order, on the caller's thread; it may block (back-pressure).
  SpeechCutter(CutterOptions options, Sink sink);

  // Interleaved samples, any count.
  void push(const int16_t* samples, size_t count);
  // Emits what is left. Call once, after the last push.
  void finish();

  double position_s() const;  // original audio seen so far
  double skipped_s() const;   // silence left out so far

 private:
  struct Building {
    PcmChunk chunk;
    int64_t frames = 0;
  };
  void on_window(const int16_t* w, int64_t frames, bool silent);
  void append(Building& b, int64_t orig_frame, const int16_t* data, int64_t frames);
  void append_cur(int64_t orig_frame, const int16_t* data, int64_t frames);
  void end_run(bool at_end);
  void close_cur();
  void hard_cut();
  void emit(Building& b);
  int64_t frames_of(double s) const;
  double target_frames() const;

  CutterOptions o_;
  Sink sink_;
  int ch_;
  int64_t window_frames_;
  double limit_;  // mean-square energy below which a window is silent
  std::vector<int16_t> partial_;
  int64_t pos_ = 0;     // original frame of the next window
  int next_index_ = 0;  // chunks closed (the first has its own target)
  int emitted_ = 0;

  Building cur_;
  Building pending_;
  bool has_pending_ = false;

  // The silent run in progress.
  bool in_run_ = false;
  int64_t run_start_ = 0;
  int64_t run_len_ = 0;
  std::vector<int16_t> run_;  // its samples, while undecided
  bool cut_checked_ = false;
  bool flushed_ = false;   // not skipping: the run went into the chunk, the rest follows
  bool skipping_ = false;  // left out: only the last pad_s is kept, in tail_
  std::vector<int16_t> tail_;
  int64_t tail_start_ = 0;
  int64_t skipped_frames_ = 0;
};

}  // namespace tgscribe::media
