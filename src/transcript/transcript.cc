#include "transcript/transcript.h"

namespace tgscribe::transcript {

std::string Transcript::text() const {
  std::string out;
  for (const auto& s : segments) {
    if (s.text.empty()) continue;
    if (!out.empty()) out.push_back(' ');
    out += s.text;
  }
  return out;
}

bool Transcript::has_speakers() const {
  for (const auto& s : segments) {
    if (s.speaker) return true;
  }
  return false;
}

Transcript without_speakers(Transcript t) {
  for (auto& s : t.segments) {
    s.speaker.reset();
    for (auto& w : s.words) w.speaker.reset();
  }
  return t;
}

}  // namespace tgscribe::transcript
