#include "support/word_error_rate.h"

#include <algorithm>
#include <cctype>

namespace tgscribe::testing {

std::vector<std::string> wer_words(const std::string& text) {
  std::vector<std::string> out;
  std::string cur;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '\'' || c >= 0x80) {
      cur.push_back(static_cast<char>(std::tolower(c)));
    } else if (!cur.empty()) {
      out.push_back(cur);
      cur.clear();
    }
  }
  if (!cur.empty()) out.push_back(cur);
  return out;
}

// Written out rather than taken from a library: Debian packages no C++ WER library (jiwer and
// friends are Python), and these lines are the whole definition, easy to check by hand.
size_t word_edits(const std::vector<std::string>& ref, const std::vector<std::string>& hyp) {
  std::vector<size_t> prev(hyp.size() + 1), cur(hyp.size() + 1);
  for (size_t j = 0; j <= hyp.size(); ++j) prev[j] = j;
  for (size_t i = 1; i <= ref.size(); ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= hyp.size(); ++j) {
      size_t sub = prev[j - 1] + (ref[i - 1] == hyp[j - 1] ? 0 : 1);
      cur[j] = std::min({sub, prev[j] + 1, cur[j - 1] + 1});
    }
    std::swap(prev, cur);
  }
  return prev[hyp.size()];
}

double word_error_rate(const std::string& reference, const std::string& hypothesis) {
  auto ref = wer_words(reference), hyp = wer_words(hypothesis);
  if (ref.empty()) return hyp.empty() ? 0.0 : 1.0;
  return static_cast<double>(word_edits(ref, hyp)) / ref.size();
}

}  // namespace tgscribe::testing
