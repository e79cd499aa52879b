#include "media/speech_cutter.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace tgscribe::media {

SpeechCutter::SpeechCutter(CutterOptions options, Sink sink)
    : o_(options), sink_(std::move(sink)), ch_(std::max(1, options.channels)) {
  if (o_.sample_rate <= 0) throw std::invalid_argument("cutter: sample rate");
  if (o_.max_s <= o_.overlap_s) throw std::invalid_argument("cutter: max_s <= overlap_s");
  o_.target_s = std::min(o_.target_s, o_.max_s);
  o_.first_target_s = std::min(o_.first_target_s, o_.target_s);
  window_frames_ = std::max<int64_t>(1, frames_of(o_.window_s));
  // Compare energies, not logs, per window (as find_silences does).
  limit_ = std::pow(10.0, o_.threshold_db / 10.0) * 32768.0 * 32768.0;
  // A silence is left out only if something of it is left once both pads are kept.
  o_.skip_min_s = std::max(o_.skip_min_s, 2 * o_.pad_s + o_.window_s);
}

int64_t SpeechCutter::frames_of(double s) const {
  return static_cast<int64_t>(std::llround(s * o_.sample_rate));
}

double SpeechCutter::target_frames() const {
  double target_s = next_index_ == 0 ? o_.first_target_s : o_.target_s;
  if (o_.total_s > 0 && next_index_ > 0) {
    const double start_s = cur_.chunk.kept.empty() ? position_s() : cur_.chunk.start_s();
    const double left_s = o_.total_s - start_s;
    target_s = std::min(target_s, std::max(o_.first_target_s, left_s / 2));
  }
  return static_cast<double>(frames_of(target_s));
}

double SpeechCutter::position_s() const { return static_cast<double>(pos_) / o_.sample_rate; }
double SpeechCutter::skipped_s() const {
  return static_cast<double>(skipped_frames_) / o_.sample_rate;
}

void SpeechCutter::push(const int16_t* samples, size_t count) {
  const size_t window = static_cast<size_t>(window_frames_) * ch_;
  while (count > 0) {
    if (partial_.empty() && count >= window) {
      double sum = 0;
      for (size_t i = 0; i < window; ++i) sum += static_cast<double>(samples[i]) * samples[i];
      on_window(samples, window_frames_, sum / static_cast<double>(window) < limit_);
      samples += window;
      count -= window;
      continue;
    }
    const size_t take = std::min(count, window - partial_.size());
    partial_.insert(partial_.end(), samples, samples + take);
    samples += take;
    count -= take;
    if (partial_.size() == window) {
      std::vector<int16_t> w;
      w.swap(partial_);
      push(w.data(), w.size());
    }
  }
}

void SpeechCutter::append(Building& b, int64_t orig_frame, const int16_t* data, int64_t frames) {
  if (frames <= 0) return;
  if (b.chunk.pcm.capacity() == 0) {
    // A chunk never holds more than max_s (a hard cut comes first, a joined tail is checked):
    // room for that at once, instead of growing by doubling, copies nothing and gives every
    // chunk the same size of block, which the allocator maps and unmaps as a whole, so the
    // memory of a chunk sent goes back to the system (pages not yet written cost nothing).
    b.chunk.pcm.reserve(static_cast<size_t>(frames_of(o_.max_s) + window_frames_) * ch_);
  }
  b.chunk.pcm.insert(b.chunk.pcm.end(), data, data + frames * ch_);
  const double a = static_cast<double>(orig_frame) / o_.sample_rate;
  const double e = static_cast<double>(orig_frame + frames) / o_.sample_rate;
  if (!b.chunk.kept.empty() && std::abs(b.chunk.kept.back().end_s - a) < 0.5 / o_.sample_rate) {
    b.chunk.kept.back().end_s = e;
  } else {
    b.chunk.kept.push_back({a, e});
  }
  b.frames += frames;
}

void SpeechCutter::append_cur(int64_t orig_frame, const int16_t* data, int64_t frames) {
  append(cur_, orig_frame, data, frames);
  // The chunk held back need not wait any more: what follows is long enough to stand alone.
  if (has_pending_ && cur_.frames >= frames_of(o_.min_s)) {
    emit(pending_);
    has_pending_ = false;
  }
}

void SpeechCutter::on_window(const int16_t* w, int64_t frames, bool silent) {
  const int64_t at = pos_;
  pos_ += frames;
  if (!silent) {
    if (in_run_) end_run(false);
    append_cur(at, w, frames);
    cur_.chunk.has_speech = true;
    if (cur_.frames >= frames_of(o_.max_s)) hard_cut();
    return;
  }
  if (!in_run_) {
    in_run_ = true;
    run_start_ = at;
    run_len_ = 0;
    run_.clear();
    cut_checked_ = flushed_ = skipping_ = false;
  }
  run_len_ += frames;
  if (flushed_) {
    append_cur(at, w, frames);
    if (cur_.frames >= frames_of(o_.max_s)) hard_cut();
    return;
  }
  if (skipping_) {
    tail_.insert(tail_.end(), w, w + frames * ch_);
    const size_t keep = static_cast<size_t>(frames_of(o_.pad_s)) * ch_;
    if (tail_.size() > keep) {
      const size_t drop = tail_.size() - keep;
      tail_.erase(tail_.begin(), tail_.begin() + static_cast<long>(drop));
      tail_start_ += static_cast<int64_t>(drop) / ch_;
    }
    return;
  }
  run_.insert(run_.end(), w, w + frames * ch_);
  // Past 1.1x the target, a shorter pause will do (fluent speech may never pause for long).
  const bool overdue = static_cast<double>(cur_.frames) >= 1.1 * target_frames();
  const double pause_s = overdue ? std::min(o_.cut_pause_s, 0.2) : o_.cut_pause_s;
  if (!cut_checked_ && run_len_ >= frames_of(pause_s)) {
    cut_checked_ = true;
    if (static_cast<double>(cur_.frames + run_len_) >= target_frames() && cur_.chunk.has_speech) {
      // Cut in the middle of the pause: each side keeps half of it.
      const int64_t half = run_len_ / 2;
      append_cur(run_start_, run_.data(), half);
      close_cur();
      run_.erase(run_.begin(), run_.begin() + static_cast<long>(half * ch_));
      run_start_ += half;
      run_len_ -= half;
    } else if (!o_.skip_silence) {
      append_cur(run_start_, run_.data(), run_len_);
      run_.clear();
      flushed_ = true;
      if (cur_.frames >= frames_of(o_.max_s)) hard_cut();
      return;
    }
  }
  if (o_.skip_silence && run_len_ >= frames_of(o_.skip_min_s)) {
    // Long enough to leave out: keep pad_s after the speech and, later, pad_s before the next.
    skipping_ = true;
    const int64_t pad = frames_of(o_.pad_s);
    const bool leading = cur_.frames == 0 || !cur_.chunk.has_speech;
    if (!leading) append_cur(run_start_, run_.data(), pad);
    skipped_frames_ += leading ? 0 : -pad;
    tail_.assign(run_.end() - static_cast<long>(pad * ch_), run_.end());
    tail_start_ = run_start_ + run_len_ - pad;
    run_.clear();
    // A long silence is the best place to cut, once the chunk is long enough to be worth it.
    if (!leading && static_cast<double>(cur_.frames) >= target_frames() / 2) close_cur();
  }
}

void SpeechCutter::end_run(bool at_end) {
  in_run_ = false;
  if (skipping_) {
    const int64_t tail_frames = static_cast<int64_t>(tail_.size()) / ch_;
    if (at_end) {
      skipped_frames_ += run_len_;  // trailing silence: nothing follows, nothing kept
    } else {
      skipped_frames_ += run_len_ - tail_frames;
      append_cur(tail_start_, tail_.data(), tail_frames);
    }
    tail_.clear();
  } else if (!flushed_) {
    append_cur(run_start_, run_.data(), static_cast<int64_t>(run_.size()) / ch_);
  }
  run_.clear();
  skipping_ = flushed_ = false;
}

void SpeechCutter::close_cur() {
  if (cur_.frames == 0) return;
  if (has_pending_) emit(pending_);
  pending_ = std::move(cur_);
  has_pending_ = true;
  cur_ = Building{};
  ++next_index_;
  // A held-back chunk with nothing after it yet waits for min_s of what follows.
  if (o_.min_s <= 0) {
    emit(pending_);
    has_pending_ = false;
  }
}

void SpeechCutter::hard_cut() {
  // No pause for max_s: cut here, and start the next chunk overlap_s earlier so a word cut
  // in two is whole on one side (transcript::merge_chunks splits the overlap at its middle).
  const Interval last = cur_.chunk.kept.back();
  const int64_t overlap = std::min(frames_of(o_.overlap_s), frames_of(last.length()));
  std::vector<int16_t> shared(cur_.chunk.pcm.end() - static_cast<long>(overlap * ch_),
                              cur_.chunk.pcm.end());
  close_cur();
  append_cur(pos_ - overlap, shared.data(), overlap);
  cur_.chunk.has_speech = true;
}

void SpeechCutter::emit(Building& b) {
  b.chunk.index = emitted_++;
  sink_(std::move(b.chunk));
  b = Building{};
}

void SpeechCutter::finish() {
  if (!partial_.empty()) {
    const int64_t frames = static_cast<int64_t>(partial_.size()) / ch_;
    double sum = 0;
    for (int16_t s : partial_) sum += static_cast<double>(s) * s;
    std::vector<int16_t> w;
    w.swap(partial_);
    if (frames > 0) on_window(w.data(), frames, sum / static_cast<double>(w.size()) < limit_);
  }
  if (in_run_) end_run(true);
  if (has_pending_ && cur_.frames > 0 && cur_.frames < frames_of(o_.min_s) &&
      pending_.frames + cur_.frames <= frames_of(o_.max_s)) {
    // A tail shorter than the billed minimum would cost the minimum: send it with the chunk
    // before it.
    int64_t offset = 0;
    for (const auto& k : cur_.chunk.kept) {
      const int64_t n = std::min(frames_of(k.length()), cur_.frames - offset);
      append(pending_, frames_of(k.start_s), cur_.chunk.pcm.data() + offset * ch_, n);
      offset += n;
    }
    pending_.chunk.has_speech = pending_.chunk.has_speech || cur_.chunk.has_speech;
    cur_ = Building{};
  }
  if (has_pending_) emit(pending_);
  has_pending_ = false;
  if (cur_.frames > 0) emit(cur_);
}

}  // namespace tgscribe::media
