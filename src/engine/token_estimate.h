#pragma once
// How many tokens a text takes, without a tokenizer (Debian packages none for these models).
// The rule is deliberately conservative, so prompts sized with it fit the model's context:
//   tokens = ceil(ASCII bytes / 3) + one token per non-ASCII code point,
//   plus 4 tokens of framing per chat message and 3 priming the answer.
// English averages about 4 characters per token in the GPT and Llama 3 tokenizers, so ASCII
// text is overestimated by about a third; Cyrillic, Greek or Arabic letters take well under a
// token each and CJK characters about one. A model whose tokenizer still counts more is
// caught by its context-length error, which names the real limit (text_model.h).
#include <cstdint>
#include <string_view>
#include <vector>

#include "engine/text_model.h"

namespace tgscribe::engine {

int64_t estimate_tokens(std::string_view text);
int64_t estimate_prompt_tokens(const std::vector<ChatTurn>& messages);

// Framing of one message and the answer's priming (see above).
inline constexpr int64_t kTokensPerMessage = 4;
inline constexpr int64_t kTokensPerPrompt = 3;

// Splits `text` into pieces of at most `max_tokens` each (estimate_tokens), cutting at
// paragraph breaks where it can, else at sentence ends, else between words, else (one
// overlong word) at a UTF-8 character boundary. Pieces are balanced: n pieces of about
// total / n tokens rather than full ones and a short last one. Whitespace at the cuts is
// dropped. max_tokens < 1 is treated as 1.
std::vector<std::string> split_to_fit(std::string_view text, int64_t max_tokens);

}  // namespace tgscribe::engine
