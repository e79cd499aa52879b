#pragma once
// Word error rate, the one definition the tests' quality floors and the benches' figures use.
// No GoogleTest here: benches link it without the test framework (CMake: tgscribe_measure).
#include <cstddef>
#include <string>
#include <vector>

namespace tgscribe::testing {

// Lower-cased words: runs of letters, digits, apostrophes and non-ASCII bytes.
std::vector<std::string> wer_words(const std::string& text);

// Word-level Levenshtein distance (substitutions + insertions + deletions): the WER numerator.
size_t word_edits(const std::vector<std::string>& reference,
                  const std::vector<std::string>& hypothesis);

// word_edits / reference words (0 for two empty texts, 1 for words against an empty reference).
double word_error_rate(const std::string& reference, const std::string& hypothesis);

}  // namespace tgscribe::testing
