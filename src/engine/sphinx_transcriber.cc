#include "engine/sphinx_transcriber.h"

#include <pocketsphinx.h>
#include <spdlog/spdlog.h>
#include <sphinxbase/cmn.h>
#include <sphinxbase/err.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <deque>
#include <string>
#include <vector>

#include "common/error.h"
#include "media/pcm_decoder.h"

namespace tgscribe::engine {
namespace {

constexpr int kSampleRate = 16000;
constexpr size_t kFrame = kSampleRate / 100;  // 10 ms: PocketSphinx reports 100 frames/s
constexpr size_t kBlockSamples = 4000;        // 0.25 s read at a time

// Utterance segmentation. PocketSphinx decodes best in utterances of a few seconds, and a
// pause is where a subtitle line should end anyway. We find pauses ourselves with a frame
// energy detector instead of PocketSphinx's VAD, so that every utterance starts at a known
// sample and the frames it reports map to true media time (its VAD drops silent frames
// from the count). Silence is never fed to the recogniser, which also saves CPU.
constexpr double kSpeechAboveNoiseDb = 10;  // a frame this far above the noise floor is speech
constexpr double kMinSpeechDb = -55;        // ...and at least this loud (dBFS)
constexpr double kNoiseRise = 0.001;        // the floor creeps up slowly, drops at once
constexpr size_t kPreRollFrames = 25;       // audio kept before the first loud frame
constexpr size_t kEndSilenceFrames = 40;    // a 0.4 s pause ends an utterance
constexpr size_t kSoftMaxFrames = 2000;     // past 20 s, a 0.15 s pause is enough
constexpr size_t kSoftSilenceFrames = 15;
constexpr size_t kHardMaxFrames = 3500;  // never more than 35 s in one utterance
constexpr size_t kMinSpeechFrames = 8;   // fewer loud frames: a click, not speech

double frame_db(const int16_t* s, size_t n) {
  double sum = 0;
  for (size_t i = 0; i < n; ++i) sum += static_cast<double>(s[i]) * s[i];
  double mean = n ? sum / n : 0;
  return mean <= 0 ? -100.0 : 10.0 * std::log10(mean / (32768.0 * 32768.0));
}

// "<s>", "</s>", "<sil>", "[NOISE]", "++BREATH++" are not words; "read(2)" is "read".
std::string clean_word(const char* raw) {
  std::string w = raw ? raw : "";
  if (w.empty() || w[0] == '<' || w[0] == '[' || w[0] == '+') return {};
  auto paren = w.find('(');
  if (paren != std::string::npos && paren > 0 && w.back() == ')') w.resize(paren);
  return w;
}

}  // namespace

struct SphinxTranscriber::Decoder {
  cmd_ln_t* config = nullptr;
  ps_decoder_t* ps = nullptr;
  // The cepstral mean the model starts with. Live CMN adapts as audio goes by; restoring it
  // before every file makes results independent of what was transcribed before.
  std::vector<mfcc_t> initial_cmn;

  void reset_cmn() {
    feat_t* feat = ps_get_feat(ps);
    if (feat && feat->cmn_struct && !initial_cmn.empty())
      cmn_live_set(feat->cmn_struct, initial_cmn.data());
  }
  ~Decoder() {
    if (ps) ps_free(ps);
    if (config) cmd_ln_free_r(config);
  }
};

SphinxTranscriber::SphinxTranscriber(std::filesystem::path model_dir, media::MediaLimits limits)
    : model_dir_(std::move(model_dir)), limits_(limits) {
  caps_.name = "sphinx";
  caps_.model = "en-us";
  caps_.uploads = false;
  caps_.max_upload_bytes = limits_.max_size_bytes;
  caps_.max_concurrency = 1;  // one recogniser behind a mutex
  caps_.supports_translate = false;
}

SphinxTranscriber::~SphinxTranscriber() = default;

SphinxTranscriber::Decoder& SphinxTranscriber::decoder() {
  if (decoder_) return *decoder_;
  const auto hmm = model_dir_ / "en-us";
  const auto lm = model_dir_ / "en-us.lm.bin";
  const auto dict = model_dir_ / "cmudict-en-us.dict";
  for (const auto& p : {hmm, lm, dict}) {
    std::error_code ec;
    if (!std::filesystem::exists(p, ec))
      throw Error(ErrorKind::kInvalidInput, "PocketSphinx model file missing: " + p.string() +
                                                " (install pocketsphinx-en-us or set "
                                                "SPHINX_MODEL_DIR)");
  }
  // The library logs every setting to stderr unless told otherwise, before -logfn applies.
  err_set_logfp(nullptr);
  auto d = std::make_unique<Decoder>();
  // -remove_silence no: we cut silence ourselves and need frame counts in media time.
  // -fwdflat no: the second (flat lexicon) pass costs a third of the CPU for little gain.
  // -maxhmmpf 5000: caps active HMMs per frame; on the LibriVox clips the words are the same
  // as with the default 30000 at 70% of the CPU.
  // clang-format off
  std::vector<std::string> args = {
      "-hmm", hmm.string(),
      "-lm", lm.string(),
      "-dict", dict.string(),
      "-logfn", "/dev/null",
      "-samprate", "16000",
      "-remove_silence", "no",
      "-fwdflat", "no",
      "-maxhmmpf", "5000",
  };
  // clang-format on
  std::vector<char*> argv;
  argv.push_back(const_cast<char*>("tgscribe"));
  for (auto& a : args) argv.push_back(a.data());
  d->config =
      cmd_ln_parse_r(nullptr, ps_args(), static_cast<int32>(argv.size()), argv.data(), TRUE);
  if (!d->config) throw Error(ErrorKind::kInternal, "PocketSphinx rejected its configuration");
  d->ps = ps_init(d->config);
  if (!d->ps)
    throw Error(ErrorKind::kInvalidInput,
                "PocketSphinx could not load the model in " + model_dir_.string());
  if (feat_t* feat = ps_get_feat(d->ps); feat && feat->cmn_struct) {
    d->initial_cmn.resize(feat->cmn_struct->veclen);
    cmn_live_get(feat->cmn_struct, d->initial_cmn.data());
  }
  decoder_ = std::move(d);
  return *decoder_;
}

namespace {

// Feeds one utterance at a time to the recogniser and turns each into a segment.
class UtteranceDecoder {
 public:
  UtteranceDecoder(ps_decoder_t* ps, transcript::Transcript& out) : ps_(ps), out_(out) {}
  ~UtteranceDecoder() {
    if (active_) ps_end_utt(ps_);  // an exception mid-utterance: leave the decoder reusable
  }

  bool active() const { return active_; }
  size_t frames() const { return frames_; }

  void start(int64_t start_sample) {
    // A new stream per utterance: PocketSphinx counts segment frames from the stream start,
    // and we do not feed it the silence between utterances.
    ps_start_stream(ps_);
    if (ps_start_utt(ps_) < 0) throw Error(ErrorKind::kInternal, "ps_start_utt failed");
    active_ = true;
    start_sample_ = start_sample;
    samples_.clear();
    samples_.reserve(kHardMaxFrames * kFrame);
    frames_ = 0;
    loud_frames_ = 0;
  }

  void feed(const int16_t* samples, size_t n, bool loud) {
    samples_.insert(samples_.end(), samples, samples + n);
    frames_ += 1;
    if (loud) ++loud_frames_;
  }

  void finish() {
    active_ = false;
    // The whole utterance at once (full_utt): batch cepstral mean normalisation over it, as
    // the model was trained, is more accurate than live CMN and independent of what was
    // decoded before. An utterance is at most kHardMaxFrames long, so memory stays bounded.
    ps_process_raw(ps_, samples_.data(), samples_.size(), FALSE, TRUE);
    samples_.clear();
    ps_end_utt(ps_);
    if (loud_frames_ < kMinSpeechFrames) return;
    int32 score = 0;
    const char* hyp = ps_get_hyp(ps_, &score);
    if (!hyp || !*hyp) return;
    const double offset = static_cast<double>(start_sample_) / kSampleRate;
    transcript::Segment seg;
    for (ps_seg_t* it = ps_seg_iter(ps_); it; it = ps_seg_next(it)) {
      std::string w = clean_word(ps_seg_word(it));
      if (w.empty()) continue;
      int sf = 0, ef = 0;
      ps_seg_frames(it, &sf, &ef);
      seg.words.push_back({offset + sf / 100.0, offset + (ef + 1) / 100.0, w, -1});
    }
    if (seg.words.empty()) return;
    seg.start = seg.words.front().start;
    seg.end = seg.words.back().end;
    for (const auto& w : seg.words) {
      if (!seg.text.empty()) seg.text.push_back(' ');
      seg.text += w.text;
    }
    // The model knows no case or punctuation; a capital and a full stop per utterance make
    // the text readable without pretending to know more.
    seg.text[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(seg.text[0])));
    seg.text.push_back('.');
    out_.segments.push_back(std::move(seg));
  }

 private:
  ps_decoder_t* ps_;
  transcript::Transcript& out_;
  bool active_ = false;
  int64_t start_sample_ = 0;
  size_t frames_ = 0;
  size_t loud_frames_ = 0;
  std::vector<int16_t> samples_;
};

class DecoderSource : public PcmSource {
 public:
  explicit DecoderSource(media::PcmDecoder& d) : d_(d) {}
  size_t read(int16_t* out, size_t max_samples) override { return d_.read(out, max_samples); }

 private:
  media::PcmDecoder& d_;
};

}  // namespace

transcript::Transcript SphinxTranscriber::transcribe(const AudioFile& audio,
                                                     const TranscribeOptions& options) {
  media::PcmDecoder pcm(audio.path, limits_, media::PcmFormat{kSampleRate, 1});
  DecoderSource source(pcm);
  double duration = pcm.info().duration_s > 0 ? pcm.info().duration_s : audio.info.duration_s;
  auto t = transcribe_pcm(source, duration, options);
  return t;
}

transcript::Transcript SphinxTranscriber::transcribe_pcm(PcmSource& pcm, double duration_s,
                                                         const TranscribeOptions& options) {
  if (!options.language.empty() && options.language != "en" && options.language != "auto")
    spdlog::warn("sphinx: only English is supported; ignoring language \"{}\"", options.language);
  std::lock_guard lock(mutex_);
  Decoder& dec = decoder();
  dec.reset_cmn();

  transcript::Transcript out;
  out.language = "en";
  out.engine = caps_.name;
  out.model = caps_.model;

  UtteranceDecoder utt(dec.ps, out);
  std::vector<int16_t> buf(kBlockSamples + kFrame);
  size_t pending = 0;       // samples of an incomplete frame carried over from the last block
  int64_t frame_start = 0;  // sample index of the frame being classified
  std::deque<std::vector<int16_t>> preroll;
  double noise_db = -60;
  size_t silence_run = 0;
  double last_progress = -1;
  const double total_samples = duration_s > 0 ? duration_s * kSampleRate : 0;

  auto handle_frame = [&](const int16_t* f, size_t n) {
    double db = frame_db(f, n);
    if (db < noise_db)
      noise_db = db;
    else
      noise_db += kNoiseRise * (db - noise_db);
    bool loud = db > std::max(noise_db + kSpeechAboveNoiseDb, kMinSpeechDb);
    if (!utt.active()) {
      if (loud) {
        int64_t start = frame_start;
        for (const auto& p : preroll) start -= static_cast<int64_t>(p.size());
        utt.start(start);
        for (const auto& p : preroll) utt.feed(p.data(), p.size(), false);
        preroll.clear();
        utt.feed(f, n, true);
        silence_run = 0;
      } else {
        preroll.emplace_back(f, f + n);
        if (preroll.size() > kPreRollFrames) preroll.pop_front();
      }
    } else {
      utt.feed(f, n, loud);
      silence_run = loud ? 0 : silence_run + 1;
      bool pause_ends = silence_run >= kEndSilenceFrames;
      bool long_pause = utt.frames() >= kSoftMaxFrames && silence_run >= kSoftSilenceFrames;
      if (pause_ends || long_pause || utt.frames() >= kHardMaxFrames) utt.finish();
    }
    frame_start += static_cast<int64_t>(n);
  };

  int64_t blocks = 0;
  while (true) {
    if (options.cancelled && (blocks++ % 4 == 0) && options.cancelled())
      throw Error(ErrorKind::kCancelled, "cancelled");
    size_t got = pcm.read(buf.data() + pending, kBlockSamples);
    size_t avail = pending + got;
    size_t off = 0;
    for (; off + kFrame <= avail; off += kFrame) handle_frame(buf.data() + off, kFrame);
    pending = avail - off;
    std::copy(buf.begin() + off, buf.begin() + avail, buf.begin());
    if (got == 0) {
      if (pending) handle_frame(buf.data(), pending);
      break;
    }
    if (options.progress && total_samples > 0) {
      double p = std::min(1.0, static_cast<double>(frame_start) / total_samples);
      if (p - last_progress >= 0.01) {
        options.progress(p);
        last_progress = p;
      }
    }
  }
  if (utt.active()) utt.finish();
  if (options.progress) options.progress(1.0);
  out.duration = static_cast<double>(frame_start) / kSampleRate;
  // Word ends can run a frame past the last sample.
  for (auto& s : out.segments) {
    s.end = std::min(s.end, out.duration);
    for (auto& w : s.words) {
      w.end = std::min(w.end, out.duration);
      w.start = std::min(w.start, w.end);
    }
  }
  return out;
}

}  // namespace tgscribe::engine
