#pragma once
// Splits long text into Telegram messages. Telegram counts message length in UTF-16 code
// units (4096 max), so counting bytes or code points sends messages that are rejected.
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace tgscribe::transcript {

inline constexpr size_t kTelegramMessageLimit = 4096;

// Parts of at most `limit` UTF-16 code units each, cut at the best boundary available:
// paragraph (blank line) > line break > sentence end > whitespace > grapheme cluster > code
// point. A cut prefers to leave at least half a message; the whitespace at a cut (and at both
// ends of the text) is dropped, nothing else is: concatenating the parts with that whitespace
// restores the input. No part is empty or only whitespace; empty/blank input gives no parts.
// Invalid UTF-8 is replaced with U+FFFD first. `limit` < 2 is treated as 2 (a surrogate pair
// must fit).
std::vector<std::string> split_message(std::string_view text, size_t limit = kTelegramMessageLimit);

}  // namespace tgscribe::transcript
