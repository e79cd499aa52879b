#include "transcript/hallucination_filter.h"

#include <array>
#include <cctype>

#include "common/utf8.h"
#include "transcript/timing.h"

namespace tgscribe::transcript {
namespace {

// Lower case, letters and digits only, single spaces: "Thanks for watching!!" and
// "thanks  for watching." compare equal. Non-ASCII letters are kept as they are.
std::string normalize_phrase(std::string_view text) {
  std::string out;
  bool space = false;
  for (size_t i = 0; i < text.size();) {
    size_t start = i;
    char32_t cp = utf8::decode(text, i);
    if (cp < 0x80) {
      char c = static_cast<char>(cp);
      if (std::isalnum(static_cast<unsigned char>(c))) {
        if (space && !out.empty()) out.push_back(' ');
        space = false;
        out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
      } else if (c == ' ' || c == '\t' || c == '\n' || c == '-') {
        space = true;
      }
      // other ASCII punctuation ("." in "amara.org", "'" in "don't") vanishes
    } else if (utf8::is_space(cp) || cp == 0x3002 || cp == 0xFF01 || cp == 0x3001) {
      space = true;
    } else {
      if (space && !out.empty()) out.push_back(' ');
      space = false;
      out.append(text.substr(start, i - start));
    }
  }
  return out;
}

// Collected from Whisper issue threads and bot users' reports; normalised form.
const std::array<std::string_view, 32> kSilencePhrases = {
    "thanks for watching",
    "thank you for watching",
    "thanks for watching and see you next time",
    "thank you so much for watching",
    "please subscribe",
    "please subscribe to my channel",
    "like and subscribe",
    "dont forget to like and subscribe",
    "subscribe to my channel",
    "subtitles by the amaraorg community",
    "subtitles by",
    "subtitled by",
    "transcribed by",
    "translated by",
    "captions by",
    "thank you",
    "thanks",
    "you",
    "bye",
    "bye bye",
    "see you next time",
    "see you in the next video",
    "music",
    "applause",
    "silence",
    "terima kasih",
    "terima kasih telah menonton",
    "terima kasih sudah menonton",
    "ご視聴ありがとうございました",
    "字幕由amaraorg社区提供",
    "продолжение следует",
    "untertitel im auftrag des zdf für funk 2017",
};

}  // namespace

const char* to_string(DropReason r) {
  switch (r) {
    case DropReason::kKeep:
      return "keep";
    case DropReason::kEmpty:
      return "empty";
    case DropReason::kNoSpeech:
      return "no_speech";
    case DropReason::kRepetition:
      return "repetition";
    case DropReason::kSilencePhrase:
      return "silence_phrase";
  }
  return "keep";
}

bool is_silence_phrase(std::string_view text) {
  std::string n = normalize_phrase(text);
  if (n.empty()) return false;
  // The whole text may be several phrases in a row ("Thank you. Bye."): consume greedily,
  // longest phrase first at each position.
  size_t pos = 0;
  while (pos < n.size()) {
    size_t best = 0;
    for (auto p : kSilencePhrases) {
      if (p.size() > best && n.compare(pos, p.size(), p) == 0 &&
          (pos + p.size() == n.size() || n[pos + p.size()] == ' '))
        best = p.size();
    }
    if (best == 0) return false;
    pos += best;
    if (pos < n.size()) ++pos;  // the space between phrases
  }
  return true;
}

DropReason classify_segment(const Segment& s) {
  std::string text = clean_text(s.text);
  if (text.empty()) return DropReason::kEmpty;
  if (s.no_speech_prob && s.avg_logprob && *s.no_speech_prob > kNoSpeechProbThreshold &&
      *s.avg_logprob < kLowAvgLogprob)
    return DropReason::kNoSpeech;
  if (s.compression_ratio && *s.compression_ratio > kCompressionRatioThreshold)
    return DropReason::kRepetition;
  bool unsure = (s.no_speech_prob && *s.no_speech_prob > kPhraseNoSpeechProb) ||
                (s.avg_logprob && *s.avg_logprob < kPhraseAvgLogprob);
  if (unsure && is_silence_phrase(text)) return DropReason::kSilencePhrase;
  return DropReason::kKeep;
}

Transcript filter_hallucinations(const Transcript& t, FilterStats* stats) {
  Transcript out = t;
  out.segments.clear();
  FilterStats st;
  for (const auto& s : t.segments) {
    if (classify_segment(s) == DropReason::kKeep) {
      out.segments.push_back(s);
      ++st.kept;
    } else {
      ++st.dropped;
    }
  }
  if (stats) *stats = st;
  return out;
}

}  // namespace tgscribe::transcript
