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

}  // namespace tgscribe::transcript
